"""Checkers for notebook 04's exercises: every item delivered exactly once; drain before join."""

from __future__ import annotations

from collections import Counter
from typing import Any

from . import Report, expect_parallel_pids


def check_exactly_once(received: Any, pids: Any, producers: int, per_producer: int) -> Report:
    """Exercise: producers put (producer, seq) items; consumers took them. All there, once each?"""
    report = Report("several producers and consumers")
    if received is None:
        report.expect(False, "", "no answer yet: set `received` to every item your consumers took")
    else:
        try:
            counts = Counter(tuple(item) for item in received)
        except TypeError:
            report.expect(False, "", "`received` should be a list of (producer, seq) items")
            counts = None
        if counts is not None:
            expected = {(p, s) for p in range(producers) for s in range(per_producer)}
            missing = expected - counts.keys()
            twice = sorted(item for item, n in counts.items() if n > 1)
            strange = sorted(counts.keys() - expected)
            report.expect(not missing, f"all {len(expected)} items arrived",
                          f"{len(missing)} of {len(expected)} items never arrived: did every "
                          "consumer run until its own sentinel, and did you collect every report?")
            report.expect(not twice, "no item arrived twice",
                          f"{len(twice)} item(s) arrived more than once, e.g. {twice[:3]}")
            report.expect(not strange, "nothing unexpected arrived",
                          f"items that no producer made arrived, e.g. {strange[:3]} "
                          "(a sentinel counted as an item?)")
    if pids is None:
        report.expect(False, "", "no pids yet: list the pid of each consumer that took items")
    else:
        expect_parallel_pids(report, pids, spread=False)
    return report


def check_drained(blocks: Any, exitcodes: Any, children: int, nbytes: int) -> Report:
    """Exercise: children each put (index, pid, block); were all taken, and did every child end?"""
    report = Report("drain, then join")
    if blocks is None or exitcodes is None:
        report.expect(False, "", "no answer yet: set `blocks` (what you took from the queue) "
                      "and `exitcodes` (each child's exitcode after join)")
        return report
    try:
        rows = [(int(index), int(pid), payload) for index, pid, payload in blocks]
    except (TypeError, ValueError):
        report.expect(False, "", "`blocks` should hold the (index, pid, block) tuples from the queue")
        return report
    report.expect(sorted(index for index, _, _ in rows) == list(range(children)),
                  f"one block from each of the {children} children",
                  f"expected one block from each child 0..{children - 1}, got indices "
                  f"{sorted(index for index, _, _ in rows)}")
    report.expect(all(isinstance(p, bytes) and len(p) == nbytes for _, _, p in rows),
                  "every block arrived whole", f"every block should be {nbytes} bytes long")
    codes = list(exitcodes)
    report.expect(len(codes) == children and all(code == 0 for code in codes),
                  "every child finished cleanly (exit code 0)",
                  f"exit codes {codes}: None means a child was still running when you looked "
                  "(take its item first, then join); anything else means it failed")
    expect_parallel_pids(report, [pid for _, pid, _ in rows], min(2, children))
    return report


def check_pipeline_fixed(received: Any, pids: Any, exitcodes: Any, producers: int, per_producer: int,
                         processes: int) -> Report:
    """Exercise 1: the colleague's pipeline lost items (each producer put sentinels); the fix
    delivers every item exactly once, and every one of the `processes` processes ended cleanly."""
    report = check_exactly_once(received, pids, producers, per_producer)
    report.title = "the pipeline, fixed"
    if received is not None and isinstance(received, (list, tuple)):
        try:
            short = len({tuple(item) for item in received}) < producers * per_producer
        except TypeError:
            short = False
        if short:
            report.expect(False, "", "items are still lost: a consumer stopped at a sentinel before every "
                                     "producer had finished. Who knows when all producers are done, and "
                                     "who should therefore put the sentinels?")
    if exitcodes is None:
        report.expect(False, "", f"no exit codes yet: set `exitcodes` to the exit codes of all {processes} "
                                 "processes, after joining them")
        return report
    try:
        codes = list(exitcodes)
    except TypeError:
        report.expect(False, "", "`exitcodes` should be a list of exit codes, one per process")
        return report
    report.expect(len(codes) == processes and all(code == 0 for code in codes),
                  f"all {processes} processes exited cleanly (exit code 0)",
                  f"exit codes {codes}: expected {processes} zeros. None means a process was still running "
                  "when you read it (join it first, with a timeout); a negative code means it was "
                  "terminated or killed")
    return report
