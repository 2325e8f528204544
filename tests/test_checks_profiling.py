"""Profile-first checkers: a right answer passes, each kind of wrong answer says what is wrong."""

import copy

from helpers.checks.profiling import check_fast_defaults, check_hot_step, reference_fast_defaults
from helpers.profiling import DEFAULTS, apply_defaults, order_report


def test_hot_step_right_answer_as_name_or_function():
    assert check_hot_step("apply_defaults", orders=1_000)
    assert check_hot_step(apply_defaults, orders=1_000)


def test_hot_step_library_function_points_to_its_caller():
    report = check_hot_step("deepcopy", orders=1_000)
    assert not report and "print_callers" in str(report)


def test_hot_step_wrong_step_whole_job_and_unknown():
    assert "only" in str(check_hot_step("tag_orders", orders=1_000))
    assert "whole job" in str(check_hot_step("order_report", orders=1_000))
    assert "does not appear" in str(check_hot_step("parse_line", orders=1_000))


def test_hot_step_not_answered_or_malformed():
    assert "no answer yet" in str(check_hot_step(None))
    assert "function name" in str(check_hot_step(42))


def test_fast_defaults_right_answer():
    report = check_fast_defaults(reference_fast_defaults(), orders=2_000)
    assert report and "faster than the deep copy" in str(report)


def test_fast_defaults_shallow_copy_is_wrong_and_leaves_defaults_intact():
    before = copy.deepcopy(DEFAULTS)
    report = check_fast_defaults(lambda order: {**DEFAULTS, **order}, orders=2_000)
    assert not report and "share" in str(report) and "differs" in str(report)
    assert DEFAULTS == before
    assert order_report([{"id": 1, "region": "north", "amount": 250.0}])["tags"] == 1


def test_fast_defaults_still_slow():
    def still_deep(order):
        record = copy.deepcopy(DEFAULTS)
        record.update(order)
        return record

    report = check_fast_defaults(still_deep, orders=1_000)
    assert not report and "not yet 3x faster" in str(report)


def test_fast_defaults_not_answered_crashing_or_not_a_function():
    assert "no answer yet" in str(check_fast_defaults(None))
    assert "returns None" in str(check_fast_defaults(lambda order: None))
    assert "raised ZeroDivisionError" in str(check_fast_defaults(lambda order: 1 / 0))
    assert "should be a function" in str(check_fast_defaults(42))
    assert "should return a dict" in str(check_fast_defaults(lambda order: [1]))
