"""Checkers for notebook 05's exercises: a shared result Array; rows normalised on a shared block."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..sharedmem import segment_exists
from ..workloads import count_primes
from . import Report, expect_parallel_pids


def check_prime_slots(counts: Any, pids: Any, start: int, stop: int, parts: int) -> Report:
    """Exercise: `parts` processes each wrote their slice's prime count and pid into shared Arrays."""
    report = Report("shared result Array")
    if counts is None or pids is None:
        report.expect(False, "", "no answer yet: set `counts` and `pids` to lists copied from "
                      "your two Arrays (for example `counts[:]`)")
        return report
    counts, pids = list(counts), list(pids)
    report.expect(len(counts) == parts and len(pids) == parts,
                  f"one slot per process ({parts})",
                  f"expected {parts} slots in each Array, got {len(counts)} counts and {len(pids)} pids")
    unwritten = [i for i, pid in enumerate(pids) if not pid]
    report.expect(not unwritten, "every process wrote its slot",
                  f"slot(s) {unwritten} still hold 0: did every process run and get joined "
                  "before you read the Arrays?")
    expected = count_primes(start, stop)
    report.expect(sum(counts) == expected, f"the slots add up to the right total ({expected})",
                  f"the slots add up to {sum(counts)}, but [{start}, {stop}) holds {expected} "
                  "primes; check that the slices cover the range exactly once")
    expect_parallel_pids(report, [p for p in pids if p], min(2, parts))
    return report


def check_normalized_rows(result: Any, reports: Any, name: Any, grid: Any) -> Report:
    """Exercise 2: a Pool whose initializer attached each worker once divided every row of `grid`
    by its sum on a shared block; the result was copied out before close(), the block unlinked."""
    report = Report("rows normalised on a shared block")
    if result is None or reports is None or name is None:
        report.expect(False, "", "no answer yet: set `result` (a copy of the array), `reports` "
                      "(what pool.starmap returned) and `name` (the block's name)")
        return report
    grid = np.asarray(grid, dtype=np.float64)
    expected = grid / grid.sum(axis=1, keepdims=True)
    result = np.asarray(result)
    report.expect(result.shape == expected.shape, f"the result has shape {grid.shape}",
                  f"the result has shape {result.shape}, expected {grid.shape}")
    if result.shape == expected.shape:
        wrong = int(np.count_nonzero(~np.isclose(result, expected, rtol=1e-12, atol=0.0)))
        untouched = int(np.count_nonzero(np.all(result == grid, axis=1)))
        report.expect(wrong == 0, "every row was divided by its own sum",
                      f"{wrong} element(s) are wrong" + (
                          f" ({untouched} row(s) unchanged: did every band run?)" if untouched else
                          ": divide each row by its own sum, once"))
    report.expect(not segment_exists(str(name)), "the block was unlinked (nothing leaks)",
                  f"the block {name!r} still exists: call close() and then unlink()")
    try:
        pairs = [(int(pid), int(attaches)) for pid, attaches in reports]
    except (TypeError, ValueError):
        report.expect(False, "", "`reports` should be the list of (pid, attaches) pairs that "
                      "normalize_rows_band returned")
        return report
    report.expect(bool(pairs) and all(attaches == 1 for _, attaches in pairs),
                  "each worker attached to the block once, in the pool's initializer",
                  "a worker attached more than once (or never): attach in the initializer only, "
                  "Pool(3, initializer=attach_block, initargs=(shm.name, shape, dtype))")
    expect_parallel_pids(report, [pid for pid, _ in pairs], spread=False)
    return report
