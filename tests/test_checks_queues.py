"""Checkers of notebook 04: right answers pass, each kind of wrong answer says what is wrong."""

import os

from helpers.checks.queues import check_drained, check_exactly_once, check_pipeline_fixed
from tests.realpids import child_pids

CHILDREN = list(child_pids(3))
ITEMS = [(p, s) for p in range(2) for s in range(5)]


def test_exactly_once_right_answer():
    assert check_exactly_once(ITEMS[::-1], CHILDREN[:2], producers=2, per_producer=5)


def test_exactly_once_missing_items():
    report = check_exactly_once(ITEMS[:-3], CHILDREN[:2], producers=2, per_producer=5)
    assert not report and "never arrived" in str(report)


def test_exactly_once_duplicates_and_sentinels():
    report = check_exactly_once(ITEMS + [ITEMS[0]], CHILDREN[:2], producers=2, per_producer=5)
    assert not report and "more than once" in str(report)
    report = check_exactly_once(ITEMS + [None], CHILDREN[:2], producers=2, per_producer=5)
    assert not report and "list of (producer, seq)" in str(report)


def test_exactly_once_right_when_one_consumer_took_every_item():
    """Which consumer gets the items is up to the scheduler: one busy consumer is still right."""
    assert check_exactly_once(ITEMS, [CHILDREN[0]], producers=2, per_producer=5)


def test_exactly_once_made_up_pids():
    report = check_exactly_once(ITEMS, [1, 2], producers=2, per_producer=5)
    assert not report and "not a child process" in str(report)


def test_exactly_once_not_answered():
    report = check_exactly_once(None, None, producers=2, per_producer=5)
    assert not report and "no answer yet" in str(report)


def blocks(nbytes=8):
    return [(i, pid, bytes(nbytes)) for i, pid in enumerate(CHILDREN)]


def test_drained_right_answer():
    assert check_drained(blocks(), [0, 0, 0], children=3, nbytes=8)


def test_drained_child_still_running():
    report = check_drained(blocks(), [0, None, 0], children=3, nbytes=8)
    assert not report and "still running" in str(report)


def test_drained_missing_or_short_blocks():
    report = check_drained(blocks()[:2], [0, 0, 0], children=3, nbytes=8)
    assert not report and "one block from each child" in str(report)
    report = check_drained(blocks(nbytes=4), [0, 0, 0], children=3, nbytes=8)
    assert not report and "8 bytes" in str(report)


def test_drained_in_the_kernel_and_unanswered():
    rows = [(i, os.getpid(), bytes(8)) for i in range(3)]
    report = check_drained(rows, [0, 0, 0], children=3, nbytes=8)
    assert not report and "child processes" in str(report)
    assert "no answer yet" in str(check_drained(None, None, children=3, nbytes=8))
    assert "(index, pid, block)" in str(check_drained([1, 2, 3], [0, 0, 0], children=3, nbytes=8))


def test_pipeline_fixed_right_answer():
    assert check_pipeline_fixed(ITEMS, CHILDREN[:2], [0] * 5, producers=2, per_producer=5, processes=5)


def test_pipeline_fixed_still_losing_items_gets_the_hint():
    report = check_pipeline_fixed(ITEMS[:4], CHILDREN[:2], [0] * 5, producers=2, per_producer=5, processes=5)
    assert not report and "who should therefore put the sentinels" in str(report)


def test_pipeline_fixed_exit_codes():
    report = check_pipeline_fixed(ITEMS, CHILDREN[:2], [0, 0, None, 0, 0], producers=2, per_producer=5,
                                  processes=5)
    assert not report and "None means" in str(report)
    report = check_pipeline_fixed(ITEMS, CHILDREN[:2], [0] * 3, producers=2, per_producer=5, processes=5)
    assert not report and "expected 5 zeros" in str(report)
    report = check_pipeline_fixed(ITEMS, CHILDREN[:2], None, producers=2, per_producer=5, processes=5)
    assert not report and "no exit codes yet" in str(report)


def test_pipeline_fixed_made_up_pids():
    report = check_pipeline_fixed(ITEMS, [1], [0] * 5, producers=2, per_producer=5, processes=5)
    assert not report and "not a child process" in str(report)
