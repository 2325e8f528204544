"""The process-count widget and the plots: they measure, redraw, and reject bad settings."""

import multiprocessing as mp
import threading
import time

import pytest
from matplotlib.figure import Figure

from helpers.lab.timing import plot_speedup, plot_times
from helpers.lab.widgets import SpeedupExplorer, default_max_processes
from helpers.manyprocs import count_primes_in_processes as primes_in_processes
from helpers.manyprocs import count_primes_serial as primes_serial
from helpers.timing import Noise, SpeedupCurve, SpeedupPoint


def _our_threads():
    """The explorer's measuring thread and the core's load probe, if either is still alive."""
    return [t.name for t in threading.enumerate() if t.name in ("speedup-explorer", "course-load-probe")]


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
    explorer.button.click()  # measures in a background thread, so a Stop click can be handled
    curve = explorer.wait(timeout=120)
    assert [p.processes for p in curve.points] == [1, 2] and curve.results_match
    kinds = [o.get("output_type") for o in explorer.output.outputs]
    assert "display_data" in kinds, "the plot was not drawn"
    assert not explorer.button.disabled and explorer.stop_button.disabled
    assert not explorer.running and explorer.progress.value == explorer.progress.max == 3 * 1
    assert explorer.status.value == "done"
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


def _slow_serial(size):
    time.sleep(0.05)
    return size


def _slow_parallel(processes, size):
    time.sleep(0.05)
    return size


def test_progress_names_each_variant_and_round():
    explorer = SpeedupExplorer(_slow_serial, _slow_parallel, sizes=[10], max_processes=2, repeats=2)
    explorer.processes.value = 2
    seen = []
    explorer.status.observe(lambda change: seen.append(change["new"]), names="value")
    curve = explorer.run()
    assert curve.rounds == 2 and [p.processes for p in curve.points] == [1, 2]
    assert explorer.progress.value == explorer.progress.max == 2 * 3
    assert "timing serial, round 1 of 2" in seen and "timing 2 processes, round 2 of 2" in seen
    assert not _our_threads()


def test_stop_keeps_complete_rounds_and_leaves_no_thread():
    explorer = SpeedupExplorer(_slow_serial, _slow_parallel, sizes=[10], max_processes=2, repeats=50)
    explorer.processes.value = 2
    explorer.button.click()
    deadline = time.monotonic() + 30
    while explorer.progress.value < 4 and time.monotonic() < deadline:  # into the second round
        time.sleep(0.01)
    assert explorer.running and not explorer.stop_button.disabled
    explorer.stop_button.click()
    curve = explorer.wait(timeout=30)
    assert not explorer.running and curve is not None and curve.stopped
    assert 1 <= curve.rounds < 50 and "stopped after" in curve.table()
    assert explorer.status.value.startswith("stopped after")
    assert "display_data" in [o.get("output_type") for o in explorer.output.outputs]
    assert not explorer.button.disabled and explorer.stop_button.disabled
    assert not _our_threads()


def test_stop_before_a_complete_round_says_nothing_was_measured():
    explorer = SpeedupExplorer(_slow_serial, _slow_parallel, sizes=[10], max_processes=2, repeats=5)
    explorer.processes.value = 2
    explorer.start()
    explorer.stop()
    assert explorer.wait(timeout=30) is None and explorer.last_curve is None
    text = "".join(o.get("text", "") for o in explorer.output.outputs)
    assert "nothing was measured" in text and explorer.status.value == "stopped"
    assert not _our_threads()


def test_a_failing_job_is_reported_not_hung():
    def broken(processes, size):
        raise RuntimeError("worker exploded")

    explorer = SpeedupExplorer(_slow_serial, broken, sizes=[10], max_processes=1, repeats=1)
    with pytest.raises(RuntimeError, match="exploded"):
        explorer.run()
    assert "measurement failed" in "".join(o.get("text", "") for o in explorer.output.outputs)
    assert not explorer.running and not explorer.button.disabled


def test_plot_ticks_are_whole_process_counts_and_noise_is_noted():
    noisy = Noise(0.8, 0.4, 2, seconds=5.0)
    curve = SpeedupCurve(1.0, (SpeedupPoint(1, 1.0, 1.0, 0.1), SpeedupPoint(3, 0.5, 2.0, 0.3)), noise=noisy)
    fig = plot_speedup(curve, usable=2)
    ax = fig.axes[0]
    fig.canvas.draw()
    assert all(float(t).is_integer() for t in ax.get_xticks())
    assert "other programs used about 80% of a core" in fig.get_supxlabel()
