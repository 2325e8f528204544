"""Checkers for running the course's workers on other engines (Dask, joblib)."""

from __future__ import annotations

from . import Report
from .processes import check_parallel_prime_count


def check_joblib_prime_count(count: object, pids: object, start: int, stop: int,
                             workers_left: object) -> Report:
    """Exercise: a joblib prime count in several processes, with loky's workers shut down after.

    Nothing here rests on timing: `get_reusable_executor().shutdown(wait=True)` returns only once
    loky has joined every worker, so `len(loky_workers())` right after it is 0 however busy the
    machine is. The checker also counts loky's workers itself, so a typed-in 0 cannot pass while
    workers still run.
    """
    from ..distributed import loky_workers

    report = check_parallel_prime_count(count, pids, start, stop, spread=False)
    report.title = "joblib prime count"
    running = len(loky_workers())
    if not isinstance(workers_left, int) or isinstance(workers_left, bool):
        report.expect(False, "", "`workers_left` should be len(loky_workers()) after you cleaned up")
    elif workers_left != 0:
        report.expect(False, "", f"{workers_left} loky worker process(es) still running: call "
                      "get_reusable_executor().shutdown(wait=True)")
    else:
        report.expect(running == 0, "loky's worker processes were shut down afterwards",
                      f"`workers_left` is 0, but {running} loky worker process(es) are running now: "
                      "call get_reusable_executor().shutdown(wait=True), then count them")
    return report


def check_dask_prime_count(count: object, pids: object, start: int, stop: int) -> Report:
    """Exercise: a Dask prime count; the pids must be Dask worker processes started from here."""
    report = check_parallel_prime_count(count, pids, start, stop, spread=False)
    report.title = "Dask prime count"
    return report
