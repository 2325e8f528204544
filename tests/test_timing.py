"""Timing helpers: repeats, medians, speedup arithmetic and the printed forms the sanitizer expects."""

import re
from pathlib import Path

import pytest
from nbval.plugin import get_sanitize_patterns

from helpers.timing import (
    SpeedupCurve,
    SpeedupPoint,
    format_ratio,
    format_seconds,
    measure,
    speedup_curve,
)


def test_measure_counts_calls_and_keeps_the_result():
    calls = []
    timing = measure(lambda: calls.append(1) or len(calls), repeats=3, warmup=2)
    assert len(calls) == 5 and len(timing.times) == 3 and timing.result == 5
    assert timing.best <= timing.median


@pytest.mark.parametrize("kwargs", [{"repeats": 0}, {"warmup": -1}, {"repeats": 1.5}])
def test_measure_rejects_bad_counts(kwargs):
    with pytest.raises(ValueError):
        measure(lambda: None, **kwargs)


def test_speedup_curve_compares_results():
    curve = speedup_curve(lambda: 42, lambda n: 42, [1, 2], repeats=1, warmup=0)
    assert [p.processes for p in curve.points] == [1, 2] and curve.results_match
    assert not speedup_curve(lambda: 1, lambda n: n, [1, 2], repeats=1, warmup=0).results_match


@pytest.mark.parametrize("processes", [[0], [-1], [], [1, 0]])
def test_speedup_curve_rejects_bad_process_counts(processes):
    with pytest.raises(ValueError):
        speedup_curve(lambda: 1, lambda n: 1, processes)


def test_efficiency_and_lookup():
    curve = SpeedupCurve(2.0, (SpeedupPoint(1, 2.0, 1.0), SpeedupPoint(4, 1.0, 2.0)))
    assert curve.points[1].efficiency == 0.5 and curve.speedup_at(4) == 2.0
    with pytest.raises(ValueError):
        curve.speedup_at(3)
    assert "efficiency" in curve.table()


def sanitize(text: str) -> str:
    patterns = get_sanitize_patterns(Path(__file__).with_name("sanitize.cfg").read_text(encoding="utf-8"))
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    return text


@pytest.mark.parametrize("seconds", [1234.5, 1.5, 0.0123, 0.0000123])
def test_printed_times_are_sanitized(seconds):
    assert sanitize(f"took {format_seconds(seconds)}") == "took~TIME"


def test_printed_ratios_and_tables_are_sanitized():
    assert sanitize(f"speedup {format_ratio(1.83)}") == "speedup~RATIO"
    curve = SpeedupCurve(1.7, (SpeedupPoint(1, 1.8, 0.94), SpeedupPoint(2, 0.95, 1.79)))
    other = SpeedupCurve(3.1, (SpeedupPoint(1, 3.2, 0.97), SpeedupPoint(2, 1.65, 1.88)))
    assert sanitize(curve.table()) == sanitize(other.table())
