"""Checkers for the exercises on starting processes and splitting work by hand."""

from __future__ import annotations

from .. import provenance
from ..workloads import count_primes
from . import Report, expect_parallel_pids


def check_parallel_prime_count(count: object, pids: object, start: int, stop: int,
                               minimum_processes: int = 2, *, spread: bool = True) -> Report:
    """Exercise: count primes in [start, stop) with several processes; report count and pids.

    `spread=False` where a pool or engine decides which worker runs each task: then the pids
    must be real children, but how many distinct ones is left to the scheduler.
    """
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
        expect_parallel_pids(report, pids, minimum_processes, spread=spread)  # type: ignore[arg-type]
    return report


def check_pipe_round_trip(child_pid: object, exit_code: object) -> Report:
    """Exercise: receive a child's pid through a Pipe, join it, and read its exit code."""
    import os

    report = Report("pid through a Pipe")
    if not isinstance(child_pid, int) or isinstance(child_pid, bool):
        report.expect(False, "", "`child_pid` should be the int you received with parent_conn.recv()")
    elif child_pid == os.getpid():
        report.expect(False, "", "that is this kernel's own pid: receive the one the child sent")
    else:
        report.expect(provenance.is_descendant(child_pid), "the pid came from a child process",
                      f"pid {child_pid} was not a child process of this kernel: receive the one "
                      "the child sent")
    if exit_code is None:
        report.expect(False, "", "`exit_code` is None: the process has not been joined yet "
                      "(call p.join(timeout=...) before reading p.exitcode)")
    else:
        report.expect(exit_code == 0, "the child exited cleanly (exit code 0)",
                      f"exit code {exit_code!r}: the child failed or was stopped; 0 means success")
    return report


def check_colleague_fix(count: object, pids: object, exit_code: object, start: int, stop: int) -> Report:
    """Exercise (a bug to find): the colleague's cell gets the right count, but in the kernel.

    `target=count_primes_into(queue, ...)` calls the worker right there, in the kernel, and hands
    Process its return value, None, as the target: the child starts, does nothing and exits 0.
    """
    import os

    report = check_parallel_prime_count(count, pids, start, stop, minimum_processes=1)
    report.title = "the colleague's cell, fixed"
    try:
        in_kernel = pids is not None and os.getpid() in {int(p) for p in pids}  # type: ignore[union-attr]
    except (TypeError, ValueError):
        in_kernel = False
    if in_kernel:
        report.expect(False, "", "a hint: read the `target=` argument. What does Python do with "
                      "`f(...)` before Process is even created, and what does Process get?")
    if exit_code is None:
        report.expect(False, "", "`exit_code` is None: join the child before reading its exitcode")
    else:
        report.expect(exit_code == 0, "the child exited cleanly (exit code 0)",
                      f"exit code {exit_code!r}: the child failed; 0 means success")
    return report
