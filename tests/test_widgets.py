"""The process-count widget and the plots: they measure, redraw, and reject bad settings."""

import multiprocessing as mp

import pytest
from matplotlib.figure import Figure

from helpers.lab.timing import plot_speedup, plot_times
from helpers.lab.widgets import SpeedupExplorer, default_max_processes
from helpers.manyprocs import count_primes_in_processes as primes_in_processes
from helpers.manyprocs import count_primes_serial as primes_serial
from helpers.timing import SpeedupCurve, SpeedupPoint


def test_slider_reaches_past_the_usable_cores():
    assert default_max_processes(1) == 3
    assert default_max_processes(2) == 4
    assert default_max_processes(16) == 32
    with pytest.raises(ValueError):
        default_max_processes(0)


def test_run_button_measures_and_plots():
    explorer = SpeedupExplorer(primes_serial, primes_in_processes, sizes=[2_000, 4_000],
                               max_processes=3, repeats=1)
    explorer.processes.value = 2
    explorer.size.value = 4_000
    explorer.button.click()
    curve = explorer.last_curve
    assert [p.processes for p in curve.points] == [1, 2] and curve.results_match
    kinds = [o.get("output_type") for o in explorer.output.outputs]
    assert "display_data" in kinds, "the plot was not drawn"
    assert not explorer.button.disabled
    assert mp.active_children() == []


@pytest.mark.parametrize("kwargs", [
    {"sizes": []},
    {"sizes": [0, 10]},
    {"sizes": [10], "default_size": 20},
    {"sizes": [10], "max_processes": 0},
    {"sizes": [10], "repeats": 0},
])
def test_bad_settings_are_clear_errors(kwargs):
    with pytest.raises(ValueError):
        SpeedupExplorer(primes_serial, primes_in_processes, **kwargs)


def test_measure_rejects_zero_processes():
    explorer = SpeedupExplorer(primes_serial, primes_in_processes, sizes=[1_000], max_processes=2)
    with pytest.raises(ValueError, match="processes"):
        explorer.measure(0, 1_000)
    with pytest.raises(ValueError, match="size"):
        explorer.measure(1, -5)


def test_plots_are_figures():
    curve = SpeedupCurve(1.0, (SpeedupPoint(1, 1.0, 1.0), SpeedupPoint(4, 0.4, 2.5)))
    assert isinstance(plot_speedup(curve, usable=2), Figure)
    assert isinstance(plot_times({"fork": 0.01, "spawn": 0.2}, "start"), Figure)
    with pytest.raises(ValueError):
        plot_speedup()
    with pytest.raises(ValueError):
        plot_times({}, "nothing")
