"""Checkers of notebook 10: a right answer passes, each kind of wrong answer says what is wrong."""

import multiprocessing as mp

import pytest

from helpers.checks.failures import _order_cycle, check_lock_plan, check_recovered_results

JOBS = [("A", "B"), ("B", "C"), ("C", "A")]
TASKS = list(range(6))


def test_lock_plan_right_answer():
    report = check_lock_plan(JOBS, [tuple(sorted(job)) for job in JOBS])
    assert report, str(report)
    assert not mp.active_children()


def test_lock_plan_cycle_deadlocks_when_run():
    report = check_lock_plan(JOBS, JOBS, timeout=2)
    text = str(report)
    assert not report and "cycle" in text and "deadlock" in text
    assert not mp.active_children()


@pytest.mark.parametrize("plan, message", [
    (None, "no answer yet"),
    ([("A", "B")], "same two locks"),
    ([("A", "B"), ("B", "C"), ("A", "D")], "same two locks"),
    ([("A", "A"), ("B", "C"), ("A", "C")], "two different lock names"),
    ("ABC", "list of"),
])
def test_lock_plan_malformed(plan, message):
    report = check_lock_plan(JOBS, plan)
    assert not report and message in str(report)


def test_order_cycle_detection():
    assert _order_cycle([("A", "B"), ("B", "C"), ("A", "C")]) is None
    assert _order_cycle([("A", "B"), ("B", "A")]) in (["A", "B", "A"], ["B", "A", "B"])
    assert _order_cycle(JOBS) is not None


def test_recovered_results_right_answer():
    assert check_recovered_results({t: t * t for t in TASKS}, TASKS, 2)


@pytest.mark.parametrize("results, attempts, message", [
    (None, 0, "no answer yet"),
    ([1, 4], 2, "should be a dict"),
    ({t: t * t for t in TASKS if t != 3}, 2, "1 task(s) have no result"),
    ({t: t + t for t in TASKS}, 2, "wrong results"),
    ({**{t: t * t for t in TASKS}, 99: 1}, 2, "do not exist"),
    ({t: t * t for t in TASKS}, 1, "at least 2"),
])
def test_recovered_results_wrong(results, attempts, message):
    report = check_recovered_results(results, TASKS, attempts)
    assert not report and message in str(report)
