"""Checkers for notebook 03's exercises: a prime count with Pool.starmap, blocks with as_completed."""

from __future__ import annotations

from collections.abc import Sequence

from ..workloads import count_primes
from . import Report, expect_parallel_pids
from .processes import check_parallel_prime_count


def check_starmap_prime_count(count: object, pids: object, start: int, stop: int) -> Report:
    """Exercise: count primes in [start, stop) with Pool.starmap over slices; total and pids."""
    report = check_parallel_prime_count(count, pids, start, stop, spread=False)
    report.title = "prime count with Pool.starmap"
    return report


def check_block_counts(counts: object, pids: object, blocks: Sequence[tuple[int, int]]) -> Report:
    """Exercise: submit one future per block and gather {block: count} with as_completed."""
    report = Report("block counts with as_completed")
    blocks = [tuple(b) for b in blocks]
    if counts is None:
        report.expect(False, "", "no answer yet: set `counts` to a dict {(lo, hi): count}")
    elif not isinstance(counts, dict):
        report.expect(False, "", f"`counts` should be a dict {{(lo, hi): count}}, got {type(counts).__name__}")
    else:
        keys = {tuple(k) if isinstance(k, list) else k for k in counts}
        report.expect(keys == set(blocks), f"there is one entry for each of the {len(blocks)} blocks",
                      f"the keys should be exactly the {len(blocks)} blocks; map each future back to "
                      "its block with a dict {future: block}")
        wrong = [b for b in blocks if b in counts and counts[b] != count_primes(*b)]
        report.expect(keys == set(blocks) and not wrong, "every block's count is right",
                      f"wrong counts for blocks {wrong[:3]}" if wrong else
                      "some blocks have no count yet")
    if pids is None:
        report.expect(False, "", "no pids yet: collect result.pid from each Tagged result")
    else:
        expect_parallel_pids(report, pids, spread=False)  # type: ignore[arg-type]
    return report
