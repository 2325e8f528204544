"""A live per-core CPU monitor for notebooks: one bar per core, refreshed from a background thread.

    with CpuMonitor(interval=0.25) as monitor:   # shows the bars, starts sampling
        run_job()                                 # the job runs in child processes
    monitor.samples                               # what it saw; its thread has ended

The sampler is a thread of the kernel, so it keeps running (and its widget updates keep reaching
the browser) while the main thread waits for a pool. It reads psutil.cpu_times(percpu=True) and
computes its own deltas, so it never disturbs anyone else's psutil.cpu_percent() calls.
A UI module: it imports psutil and ipywidgets, so no worker may live here.
"""

from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import ipywidgets as widgets
import psutil

from ..validation import check_seconds

MIN_INTERVAL, MAX_INTERVAL = 0.05, 10.0
MAX_SECONDS = 3600.0


@dataclass(frozen=True)
class CpuSample:
    """Busy percentage of every logical core over one interval, `time` seconds after start."""

    time: float
    per_core: tuple[float, ...]

    @property
    def mean(self) -> float:
        """Average busy percentage over all cores."""
        return sum(self.per_core) / len(self.per_core)

    @property
    def total(self) -> float:
        """Busy percentage summed over cores: 100 means one core's worth of work."""
        return sum(self.per_core)


def busy_percent(before: Any, after: Any) -> float:
    """Share of time a core was busy between two psutil cpu_times readings, in percent."""
    total = sum(after) - sum(before)
    if total <= 0:
        return 0.0
    idle = (after.idle - before.idle) + (getattr(after, "iowait", 0.0) - getattr(before, "iowait", 0.0))
    return max(0.0, min(100.0, 100.0 * (1.0 - idle / total)))


def _bar_style(percent: float) -> str:
    return "success" if percent < 50 else "warning" if percent < 85 else "danger"


class CpuMonitor:
    """Samples every core's load every `interval` seconds in a thread; shows one bar per core."""

    def __init__(self, interval: float = 0.25, *, display: bool = True,
                 max_seconds: float = 600.0, title: str = "CPU load per core") -> None:
        self.interval = check_seconds("interval", interval, minimum=MIN_INTERVAL, maximum=MAX_INTERVAL)
        self.max_seconds = check_seconds("max_seconds", max_seconds, maximum=MAX_SECONDS,
                                         allow_zero=False)  # a safety stop
        self.display = bool(display)
        self.title = title
        self.cores = len(psutil.cpu_times(percpu=True))
        self.error: BaseException | None = None
        self._samples: list[CpuSample] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._widget: widgets.VBox | None = None
        self._bars: list[widgets.FloatProgress] = []
        self._labels: list[widgets.Label] = []
        self._status: widgets.HTML | None = None
        self._started = 0.0

    # ------------------------------------------------------------ widget

    @property
    def widget(self) -> widgets.VBox:
        """The bars (created on first use): one FloatProgress per logical core."""
        if self._widget is None:
            usable = self._usable_cores()
            rows = []
            for core in range(self.cores):
                name = f"core {core}" + ("" if core in usable else " (not ours)")
                bar = widgets.FloatProgress(value=0, min=0, max=100, description=name,
                                            bar_style="success",
                                            style={"description_width": "7em"},
                                            layout=widgets.Layout(width="22em"))
                label = widgets.Label("0%", layout=widgets.Layout(width="4em"))
                self._bars.append(bar)
                self._labels.append(label)
                rows.append(widgets.HBox([bar, label]))
            self._status = widgets.HTML(f"<b>{self.title}</b>: not started")
            self._widget = widgets.VBox([self._status, *rows])
        return self._widget

    def _usable_cores(self) -> set[int]:
        if hasattr(os, "sched_getaffinity"):
            return set(os.sched_getaffinity(0))
        return set(range(self.cores))

    def _show(self, sample: CpuSample) -> None:
        if self._widget is None:
            return
        for bar, label, percent in zip(self._bars, self._labels, sample.per_core, strict=False):
            value = round(percent)
            bar.value = value
            bar.bar_style = _bar_style(value)
            label.value = f"{value}%"
        if self._status is not None:
            self._status.value = (f"<b>{self.title}</b>: live, {sample.time:.1f} s, "
                                  f"all cores {sample.mean:.0f}% busy on average")

    def _show_summary(self) -> None:
        if self._status is None:
            return
        samples = self.samples
        if samples:
            peak = max(max(s.per_core) for s in samples)
            text = (f"stopped after {samples[-1].time:.1f} s: {len(samples)} samples, "
                    f"busiest core peaked at {peak:.0f}%")
        else:
            text = "stopped before the first sample"
        if self.error is not None:
            text += f" (sampling failed: {self.error!r})"
        self._status.value = f"<b>{self.title}</b>: {text}"

    # ------------------------------------------------------------ sampling

    def _run(self) -> None:
        try:
            previous = psutil.cpu_times(percpu=True)
            while not self._stop.wait(self.interval):
                current = psutil.cpu_times(percpu=True)
                elapsed = time.perf_counter() - self._started
                sample = CpuSample(elapsed, tuple(busy_percent(b, a)
                                                  for b, a in zip(previous, current, strict=False)))
                previous = current
                with self._lock:
                    self._samples.append(sample)
                self._show(sample)
                if elapsed >= self.max_seconds:  # safety stop: never sample forever
                    break
        except Exception as exc:  # keep the kernel quiet; report it in the widget and .error
            self.error = exc

    def start(self) -> CpuMonitor:
        """Start sampling (and show the bars if display=True); a monitor runs once."""
        if self._thread is not None:
            raise RuntimeError("this CpuMonitor was already started; make a new one")
        if self.display:
            from IPython.display import display

            display(self.widget)
        self._started = time.perf_counter()
        self._thread = threading.Thread(target=self._run, name="CpuMonitor", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop sampling and wait (at most `timeout` s) for the thread to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise TimeoutError(f"the CpuMonitor thread did not stop within {timeout} s")
        self._show_summary()

    @property
    def running(self) -> bool:
        """True while the sampling thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def samples(self) -> list[CpuSample]:
        """A copy of the samples taken so far, oldest first."""
        with self._lock:
            return list(self._samples)

    def peak_total(self) -> float:
        """Highest load summed over cores (100 = one full core), 0 if nothing was sampled."""
        return max((s.total for s in self.samples), default=0.0)

    def mean_per_core(self) -> list[float]:
        """Average busy percentage of each core over all samples."""
        samples = self.samples
        if not samples:
            return [math.nan] * self.cores
        return [sum(s.per_core[c] for s in samples) / len(samples) for c in range(self.cores)]

    def __enter__(self) -> CpuMonitor:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()  # also when the job raised: the exception then propagates unchanged
