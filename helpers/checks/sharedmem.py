"""Checkers for notebook 05's exercises: a shared result Array; NumPy on a SharedMemory block."""

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


def check_shared_sqrt(result: Any, pids: Any, name: Any, shape: tuple[int, ...]) -> Report:
    """Exercise: processes took square roots in place on a block; result copied out, block unlinked."""
    report = Report("NumPy on a SharedMemory block")
    if result is None or pids is None or name is None:
        report.expect(False, "", "no answer yet: set `result` (a copy of the array), `pids` "
                      "(from the workers' reports) and `name` (the block's name)")
        return report
    expected = np.sqrt(np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape))
    result = np.asarray(result)
    report.expect(result.shape == expected.shape, f"the result has shape {shape}",
                  f"the result has shape {result.shape}, expected {shape}")
    if result.shape == expected.shape:
        wrong = int(np.count_nonzero(result != expected))
        report.expect(wrong == 0, "every element is the square root of the original",
                      f"{wrong} element(s) are not the square root of the original value: "
                      "did the slices cover every row exactly once?")
    report.expect(not segment_exists(str(name)), "the block was unlinked (nothing leaks)",
                  f"the block {name!r} still exists: call close() and then unlink()")
    expect_parallel_pids(report, pids, 2)
    return report
