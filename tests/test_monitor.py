"""The live CPU monitor: samples while the kernel is busy, stops its thread with the job."""

import multiprocessing as mp
import threading
import time
from collections import namedtuple

import pytest

from helpers.lab.monitor import CpuMonitor, CpuSample, busy_percent
from helpers.workloads import busy_wait

Times = namedtuple("Times", "user system idle iowait")


def monitor_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "CpuMonitor"]


def test_busy_percent_from_cpu_times():
    assert busy_percent(Times(0, 0, 0, 0), Times(3, 1, 4, 0)) == pytest.approx(50.0)
    assert busy_percent(Times(0, 0, 0, 0), Times(0, 0, 3, 1)) == pytest.approx(0.0)
    assert busy_percent(Times(1, 1, 1, 1), Times(1, 1, 1, 1)) == 0.0  # no time passed


def test_sample_arithmetic():
    sample = CpuSample(1.0, (100.0, 50.0))
    assert sample.mean == 75.0 and sample.total == 150.0


@pytest.mark.parametrize("kwargs", [{"interval": 0}, {"interval": -1}, {"interval": 60},
                                    {"interval": "fast"}, {"max_seconds": 0},
                                    {"max_seconds": 10**6}])
def test_rejects_bad_settings(kwargs):
    with pytest.raises(ValueError):
        CpuMonitor(display=False, **kwargs)


def test_samples_while_a_child_process_works_and_stops_afterwards():
    ctx = mp.get_context("spawn")
    with CpuMonitor(interval=0.05, display=False) as monitor:
        with ctx.Pool(2) as pool:
            pool.map_async(busy_wait, [0.8, 0.8]).get(timeout=60)
        assert monitor.running
    samples = monitor.samples
    assert len(samples) >= 5
    assert all(len(s.per_core) == monitor.cores for s in samples)
    assert all(0 <= p <= 100 for s in samples for p in s.per_core)
    assert [s.time for s in samples] == sorted(s.time for s in samples)
    # two busy children: at some moment the machine did at least about one core's worth of work
    assert monitor.peak_total() >= 60
    assert not monitor.running and not monitor_threads()


def test_keeps_sampling_while_the_main_thread_is_busy():
    with CpuMonitor(interval=0.05, display=False) as monitor:
        busy_wait(0.6)  # pure Python in this thread: the sampler must still get its turns
        during = len(monitor.samples)
    assert during >= 4
    assert not monitor_threads()


def test_stops_its_thread_when_the_job_raises():
    with pytest.raises(ZeroDivisionError):
        with CpuMonitor(interval=0.05, display=False) as monitor:
            time.sleep(0.2)
            1 / 0  # noqa: B018
    assert not monitor.running and not monitor_threads()
    assert monitor.samples, "it sampled before the error"


def test_runs_once_and_has_a_safety_stop():
    monitor = CpuMonitor(interval=0.05, max_seconds=0.2, display=False).start()
    deadline = time.monotonic() + 5
    while monitor.running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not monitor.running, "max_seconds stops the thread by itself"
    monitor.stop()
    with pytest.raises(RuntimeError):
        monitor.start()


def test_widget_has_one_bar_per_core_and_shows_samples():
    monitor = CpuMonitor(interval=0.05, display=False)
    widget = monitor.widget
    assert len(widget.children) == 1 + monitor.cores
    with monitor:
        time.sleep(0.3)
    values = [row.children[0].value for row in widget.children[1:]]
    assert all(0 <= v <= 100 for v in values)
    assert "stopped" in widget.children[0].value
    assert len(monitor.mean_per_core()) == monitor.cores


def test_stop_before_start_is_harmless():
    monitor = CpuMonitor(display=False)
    monitor.stop()
    assert monitor.samples == [] and monitor.peak_total() == 0.0
