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


# --- the measurement core: compare(), rounds, spread, noise ---------------------------------

import threading  # noqa: E402
import time  # noqa: E402

from helpers.timing import (  # noqa: E402
    BUSY_CORES,
    WIDE_SPREAD,
    Comparison,
    Noise,
    Timing,
    compare,
)


def test_compare_rotates_the_order_each_round_after_a_warm_up():
    calls, seen = [], []
    variants = {name: (lambda name=name: calls.append(name) or name) for name in "abc"}
    result = compare(variants, rounds=4, warmup=1, progress=lambda n, r, total: seen.append((n, r, total)))
    assert calls[:3] == ["a", "b", "c"], "warm-up: every variant once, untimed"
    assert calls[3:] == list("abc" "bca" "cab" "abc")
    assert seen[:3] == [("a", 0, 4), ("b", 0, 4), ("c", 0, 4)] and len(seen) == 12
    assert isinstance(result, Comparison) and result.rounds == 4 and not result.stopped
    assert result.names == ["a", "b", "c"] and result["b"].result == "b"
    assert all(len(result[n].times) == 4 for n in result)
    assert result.ratio("a", "a") == 1.0
    with pytest.raises(KeyError, match="no variant"):
        result["d"]


def test_stop_ends_after_the_current_call_and_keeps_complete_rounds():
    stop = threading.Event()
    calls = []

    def slow(name):
        calls.append(name)
        if len(calls) == 2 + 3:  # warm-up (2 calls), one full round, then the first call of round 2
            stop.set()
        return name

    result = compare({"a": lambda: slow("a"), "b": lambda: slow("b")}, rounds=5, stop=stop)
    assert result.stopped and result.rounds == 1 and result.asked == 5
    assert [len(result[n].times) for n in result] == [1, 1]
    assert list(result.unfinished) == ["b"], "the cut-short round is kept aside, not used"
    assert "stopped after 1 of 5" in result.table()
    stop.set()
    nothing = compare({"a": lambda: 1}, stop=stop)
    assert nothing.stopped and nothing.rounds == 0
    assert "nothing was measured" in nothing.table()
    with pytest.raises(ValueError, match="nothing was measured"):
        _ = nothing["a"].median


@pytest.mark.parametrize("kwargs", [
    {"variants": {}}, {"variants": [lambda: 1]}, {"variants": {"a": 3}}, {"variants": {"": len}},
    {"rounds": 0}, {"rounds": 2.5}, {"warmup": -1}, {"progress": 3}, {"stop": True},
])
def test_compare_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        compare(**{"variants": {"a": lambda: 1}, **kwargs})


def test_spread_is_the_iqr_from_four_times_else_min_max():
    few = Timing((1.0, 2.0, 3.0))
    assert few.spread == (1.0, 3.0) and few.relative_spread == pytest.approx(0.5)
    many = Timing((1.0, 2.0, 2.0, 2.0, 10.0))
    assert many.spread == (2.0, 2.0) and many.relative_spread == 0.0 and many.spread_kind == "interquartile range"
    assert str(Timing((1.23, 1.25, 1.20, 1.30, 1.22))) == "1.23 s (median of 5, spread ±1%)"
    assert str(Timing((0.5,))) == "500.0 ms (1 run, no spread)"


def test_noise_in_words():
    quiet = Noise(0.02, 0.03, 2, seconds=5.0)
    assert not quiet.noisy and quiet.describe().startswith("quiet")
    busy = Noise(0.4, 0.03, 2, seconds=5.0)
    assert busy.noisy and "other programs used about 40% of a core" in busy.describe()
    assert "re-run on a quiet machine" in busy.describe()
    wide = Noise(0.0, 0.3, 2, seconds=5.0)
    assert wide.noisy and "±30%" in wide.describe()
    assert not Noise(0.9, 0.0, 2, seconds=0.1).busy, "too short a run to judge the load"
    assert BUSY_CORES > 0 and WIDE_SPREAD > 0
    assert str(busy).startswith("noise: ")


def test_measure_and_speedup_curve_carry_spread_and_noise():
    timing = measure(time.sleep, 0.001, repeats=3)
    assert isinstance(timing.noise, Noise) and timing.noise.usable >= 1
    curve = speedup_curve(lambda: 1, lambda n: 1, [1, 2], repeats=4, warmup=0)
    assert curve.rounds == 4 and curve.noise is not None
    assert all(p.spread >= 0 for p in curve.points)
    assert "spread" in curve.table() and "rotating order" in curve.table()
    with pytest.raises(ValueError, match="repeat"):
        speedup_curve(lambda: 1, lambda n: 1, [2, 2])


def test_tables_with_and_without_a_noise_note_sanitize_identically():
    quiet = Noise(0.01, 0.02, 2, seconds=5.0)
    noisy = Noise(1.3, 0.45, 2, seconds=5.0)
    a = Comparison({"serial": Timing((1.0, 1.1, 0.9, 1.0, 1.05), None, quiet),
                    "2 processes": Timing((0.5, 0.52, 0.6, 0.55, 0.5), None, quiet)}, 5, quiet, asked=5)
    b = Comparison({"serial": Timing((2.0, 3.1, 0.9, 1.0, 1.05), None, noisy),
                    "2 processes": Timing((0.05, 0.052, 0.006, 0.55, 0.5), None, noisy)}, 5, noisy, asked=5)
    assert "noise: " not in a.table() and "noise: " in b.table()
    assert sanitize(a.table()) == sanitize(b.table())
    assert "noise" not in sanitize(f"{b.table()}\n")
    curve = SpeedupCurve(1.7, (SpeedupPoint(1, 1.8, 0.94, 0.02), SpeedupPoint(2, 0.95, 1.79, 0.3)),
                         noise=noisy, rounds=5, asked=5)
    other = SpeedupCurve(3.1, (SpeedupPoint(1, 3.2, 0.97, 0.01), SpeedupPoint(2, 1.65, 1.88, 0.1)),
                         noise=quiet, rounds=5, asked=5)
    assert sanitize(curve.table()) == sanitize(other.table())
    assert sanitize(str(Timing((1.0, 1.2, 1.1)))) == sanitize(str(Timing((0.01, 0.03, 0.011))))


def test_the_sanitizer_keeps_its_empty_replacement():
    """The noise rule replaces with an empty string: `replace: ` must keep its trailing space."""
    patterns = dict(get_sanitize_patterns(Path(__file__).with_name("sanitize.cfg").read_text(encoding="utf-8")))
    assert patterns.get(r"(?m)\n?^noise: .*$") == ""


# --- drift: rotating rounds keep two identical jobs equal under a steady slow-down --------------

def _drifting(base: float = 0.02, step: float = 0.15):
    """Two identical jobs; every call (of either) sleeps longer than the one before."""
    calls = [0]

    def job():
        time.sleep(base * (1 + step * calls[0]))
        calls[0] += 1

    return job


def test_drift_weighs_on_both_variants_alike():
    job = _drifting()
    result = compare({"A": job, "B": job}, rounds=7, warmup=1)
    assert 0.8 <= result.ratio("A", "B") <= 1.25, result.table()


def test_drift_would_bias_all_of_a_then_all_of_b():
    """The same slow-down, timed one variant after the other: the test above has teeth."""
    job = _drifting()
    a = measure(job, repeats=7, warmup=1)
    b = measure(job, repeats=7, warmup=1)
    assert not 0.8 <= a.median / b.median <= 1.25


def test_the_probe_counts_our_own_children_as_ours():
    """A child of ours burning CPU is this job, not another program."""
    import subprocess
    import sys

    import psutil

    from helpers.timing import _tree_seconds

    me = psutil.Process()
    before = _tree_seconds(psutil, me)
    child = subprocess.Popen([sys.executable, "-c", "import time\nt = time.process_time()\n"
                              "while time.process_time() - t < 0.5: pass"])
    child.wait(timeout=60)
    assert _tree_seconds(psutil, me) - before >= 0.45, "a reaped child's CPU time is counted as ours"
