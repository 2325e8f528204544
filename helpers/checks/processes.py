"""Checkers for the exercises on starting processes and splitting work by hand."""

from __future__ import annotations

from ..workloads import count_primes
from . import Report, expect_parallel_pids


def check_parallel_prime_count(count: object, pids: object, start: int, stop: int,
                               minimum_processes: int = 2) -> Report:
    """Exercise: count primes in [start, stop) with several processes; report count and pids."""
    report = Report("parallel prime count")
    expected = count_primes(start, stop)
    if count is None:
        report.expect(False, "", "no answer yet: set `count` to the total your processes found")
    else:
        report.expect(count == expected, f"the count is right ({expected})",
                      f"the count is {count!r}, but [{start}, {stop}) holds {expected} primes; "
                      "check that the slices cover the range exactly once")
    if pids is None:
        report.expect(False, "", "no pids yet: have each worker report os.getpid() with its result")
    else:
        expect_parallel_pids(report, pids, minimum_processes)  # type: ignore[arg-type]
    return report
