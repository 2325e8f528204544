"""Checkers for notebook 02's exercises: a hand-split Monte Carlo run, and exit codes after join."""

from __future__ import annotations

from collections.abc import Sequence

from ..workloads import monte_carlo_hits, task_seeds
from . import Report, expect_parallel_pids


def expected_hits(samples: int, root_seed: int, processes: int) -> int:
    """The total hits the exercise must find: one seed per process, derived from the root seed."""
    return sum(monte_carlo_hits(samples, seed) for seed in task_seeds(root_seed, processes))


def check_monte_carlo_processes(hits: object, pids: object, *, samples: int, root_seed: int,
                                processes: int) -> Report:
    """Exercise: N processes, one seed each from task_seeds(root_seed, N); total hits and pids."""
    report = Report("Monte Carlo by hand")
    expected = expected_hits(samples, root_seed, processes)
    if hits is None:
        report.expect(False, "", "no answer yet: set `hits` to the total your processes counted")
    else:
        report.expect(hits == expected, f"the total number of hits is right ({expected:,})",
                      f"the total is {hits!r}, expected {expected:,}: give process i the seed "
                      f"seeds[i] and `samples` samples, and add up one result per process")
    if pids is None:
        report.expect(False, "", "no pids yet: collect the pid each process put on the queue")
    else:
        try:
            count = len(pids)  # type: ignore[arg-type]
        except TypeError:
            count = -1
        report.expect(count == processes, "one result from each process",
                      f"expected {processes} pids (one per process), got {count if count >= 0 else pids!r}")
        expect_parallel_pids(report, pids, minimum=min(2, processes))  # type: ignore[arg-type]
    return report


def check_exit_codes(exitcodes: object, pids: object, codes: Sequence[int]) -> Report:
    """Exercise: one process per code, join them all, read each exit code in order."""
    report = Report("exit codes after join")
    codes = list(codes)
    if exitcodes is None:
        report.expect(False, "", "no answer yet: set `exitcodes` to [p.exitcode for p in procs] after joining")
    else:
        exitcodes = list(exitcodes)  # type: ignore[call-overload]
        report.expect(None not in exitcodes, "every process was joined (no exit code is None)",
                      "some exit codes are None: join every process before reading exitcode")
        report.expect(exitcodes == codes, f"the exit codes are right: {codes}",
                      f"got {exitcodes}, expected {codes}: start one process per code, in order")
    if pids is None:
        report.expect(False, "", "no pids yet: set `pids` to [p.pid for p in procs]")
    else:
        expect_parallel_pids(report, pids, minimum=min(2, len(codes)))  # type: ignore[arg-type]
    return report
