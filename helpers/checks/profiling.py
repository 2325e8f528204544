"""Checkers for the profile-first exercises (notebook 08): find a hot spot, then fix it.

Neither verdict rests on a close timing race: the hot spot is read from a profile in which it
takes most of the run, and a fix must be several times faster in CPU time (which other programs
on the machine do not inflate), where the reference fix is about ten times faster.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from ..profiling import (
    DEFAULTS,
    ORDER_STEPS,
    apply_defaults,
    make_orders,
    order_report,
    profile_call,
)
from ..timing import compare
from . import Report

SPEEDUP_NEEDED = 3.0  # the reference fix makes the record step about 10x faster


def _name_of(answer: object) -> str | None:
    if isinstance(answer, str):
        return answer.strip().removesuffix("()")
    name = getattr(answer, "__name__", None)
    return name if isinstance(name, str) else None


def check_hot_step(answer: object, orders: int = 3_000) -> Report:
    """Exercise: which step of order_report takes most of its time? Judged from a fresh profile."""
    report = Report("the hot spot of order_report")
    if answer is None:
        report.expect(False, "", "no answer yet: set `hot_step` to the name of a step, as a string")
        return report
    name = _name_of(answer)
    if name is None:
        report.expect(False, "", f"`hot_step` should be a function name such as 'tag_orders', "
                                 f"got {answer!r}")
        return report
    _, facts = profile_call(order_report, make_orders(orders))
    hot = facts.top_cumulative(ORDER_STEPS)
    share = facts.share(hot, cumulative=True)
    if name == hot.name:
        report.expect(True, f"{hot.name} is the hot step: {share:.0%} of the profiled run "
                            "(cumulative time: its own code and everything it calls)", "")
    elif name == "order_report":
        report.expect(False, "", "order_report is the whole job (100% cumulative): which of its "
                                 f"steps {', '.join(ORDER_STEPS)} holds most of that time?")
    elif name in ORDER_STEPS:
        mine = facts.share(facts.row(name), cumulative=True)
        report.expect(False, "", f"{name} takes only {mine:.0%} of the run: sort by "
                                 "'cumulative' and look for the step with the largest cumtime")
    elif any(r.name == name for r in facts.rows):
        report.expect(False, "", f"{name} is where much of the time is spent, but it is not one of "
                                 f"the job's steps {', '.join(ORDER_STEPS)}: which step calls it? "
                                 f"(stats.print_callers({name!r}))")
    else:
        report.expect(False, "", f"{name!r} does not appear in the profile of order_report; the "
                                 f"steps are {', '.join(ORDER_STEPS)}")
    return report


def check_fast_defaults(make_record: object, orders: int = 4_000, rounds: int = 5) -> Report:
    """Exercise: a faster apply_defaults whose report stays equal. Speed judged in CPU time."""
    report = Report("a faster apply_defaults")
    if make_record is None:
        report.expect(False, "", "no answer yet: define apply_defaults_fast(order)")
        return report
    if not callable(make_record):
        report.expect(False, "", "`apply_defaults_fast` should be a function of one order")
        return report
    data = make_orders(orders)
    expected = order_report(data)
    saved = copy.deepcopy(DEFAULTS)
    try:
        return _judge_fast_defaults(report, make_record, data, expected, rounds)
    finally:  # a record that shares DEFAULTS' lists lets tag_orders change them: put them back
        DEFAULTS.clear()
        DEFAULTS.update(saved)


def _judge_fast_defaults(report: Report, make_record: Callable[[Any], Any], data: list,
                         expected: dict[str, Any], rounds: int) -> Report:
    try:
        one = make_record(dict(data[0]))
        if one is None:
            report.expect(False, "", "no answer yet: apply_defaults_fast returns None; return the "
                                     "completed record (a dict)")
            return report
        if not isinstance(one, dict):
            report.expect(False, "", f"apply_defaults_fast should return a dict, got "
                                     f"{type(one).__name__}")
            return report
        two = make_record(dict(data[1]))
        got = order_report(data, make_record=make_record)
    except Exception as exc:  # the learner's code: report whatever went wrong
        report.expect(False, "", f"apply_defaults_fast raised {type(exc).__name__}: {exc}")
        return report
    shared = [key for key, value in DEFAULTS.items() if isinstance(value, (list, dict))
              and (one.get(key) is value or (one.get(key) is two.get(key)))]
    report.expect(not shared, "every record gets its own nested lists and dicts",
                  f"records share {shared} (with DEFAULTS or with each other): tag_orders changes "
                  "them in place, so copy the nested containers, not only the outer dict")
    differ = sorted(k for k in expected if not isinstance(got, dict) or got.get(k) != expected[k])
    if not report.expect(not differ, "the report equals the original one",
                         f"the report differs from the original in {differ}"):
        return report
    timings = compare(
        {"original": lambda: [apply_defaults(o) for o in data],
         "yours": lambda: [make_record(o) for o in data]},
        rounds=rounds, warmup=1, clock=time.process_time)
    ratio = timings["original"].median / max(timings["yours"].median, 1e-9)
    report.expect(ratio >= SPEEDUP_NEEDED,
                  f"it is more than {SPEEDUP_NEEDED:g}x faster than the deep copy (CPU time, "
                  f"median of {rounds} interleaved rounds)",
                  f"it is not yet {SPEEDUP_NEEDED:g}x faster than the deep copy: it still takes "
                  f"{1 / ratio:.0%} of the original's CPU time; build the record from a dict "
                  "literal and copy only the nested containers")
    return report


def reference_fast_defaults() -> Callable[[Any], dict[str, Any]]:
    """The fix the solution cell shows (for the tests)."""
    def apply_defaults_fast(order):
        record = {**DEFAULTS, "tags": [], "shipping": dict(DEFAULTS["shipping"]),
                  "discounts": dict(DEFAULTS["discounts"])}
        record.update(order)
        return record
    return apply_defaults_fast
