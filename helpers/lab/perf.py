"""Figures for the performance lab (matplotlib; kept out of helpers.perf so workers stay light)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from ..perf import AmdahlFit, BreakEven, Timeline, gustafson_speedup


def _powers_of_two_axis(ax, top: float, axis: str = "x") -> None:
    """Log-2 scale labelled 1, 2, 4, ... in plain numbers."""
    ticks = [2**k for k in range(int(np.log2(max(top, 2))) + 1)]
    if axis == "x":
        ax.set_xscale("log", base=2)
        ax.set_xticks(ticks, [str(t) for t in ticks])
    else:
        ax.set_yscale("log", base=2)
        ax.set_yticks(ticks, [str(t) for t in ticks])


def plot_amdahl(fit: AmdahlFit, max_processes: int = 64) -> Figure:
    """Measured speedups, the fitted Amdahl curve out to max_processes, and its ceiling."""
    if max_processes < 2:
        raise ValueError(f"max_processes must be at least 2, got {max_processes}")
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    n = np.unique(np.geomspace(1, max_processes, 200))
    top = max(max_processes, max(fit.processes))
    ax.plot([1, top], [1, top], linestyle="--", color="grey", label="ideal (speedup = processes)")
    ax.plot(n, fit.predict(n), color="tab:blue",
            label=f"Amdahl fit, serial fraction {fit.serial_fraction:.1%}")
    ax.axhline(fit.ceiling, color="tab:red", linestyle=":",
               label=f"ceiling 1/s = {fit.ceiling:.1f}x")
    ax.plot(fit.processes, fit.speedups, "o", color="black", label="measured here")
    _powers_of_two_axis(ax, top)
    ax.set_xlabel("processes")
    ax.set_ylabel("speedup over serial")
    ax.set_title("Amdahl's law fitted to your measurements")
    ax.set_ylim(0, min(top, fit.ceiling * 1.3) + 1)
    ax.legend(loc="upper left", fontsize="small")
    return fig


def plot_gustafson(processes: Sequence[int], scaled: Sequence[float], serial_fraction: float,
                   fit: AmdahlFit | None = None, max_processes: int = 64) -> Figure:
    """Measured scaled speedups with Gustafson's line (and Amdahl's fixed-size curve to compare)."""
    if len(processes) != len(scaled) or not processes:
        raise ValueError("need one scaled speedup per process count")
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    n = np.unique(np.geomspace(1, max(max_processes, max(processes)), 200))
    ax.plot(n, n, linestyle="--", color="grey", label="ideal")
    ax.plot(n, gustafson_speedup(n, serial_fraction), color="tab:green",
            label=f"Gustafson, serial share {serial_fraction:.1%} (problem grows with n)")
    if fit is not None:
        ax.plot(n, fit.predict(n), color="tab:blue", label="Amdahl fit (fixed problem)")
    ax.plot(processes, scaled, "s", color="black", label="measured scaled speedup")
    _powers_of_two_axis(ax, n[-1])
    _powers_of_two_axis(ax, n[-1], axis="y")
    ax.set_xlabel("processes (and problem size, for Gustafson)")
    ax.set_ylabel("speedup")
    ax.set_title("Fixed problem (Amdahl) vs growing problem (Gustafson)")
    ax.legend(loc="upper left", fontsize="small")
    return fig


def plot_granularity(task_seconds: Sequence[float], speedups: Sequence[float],
                     even: BreakEven | None = None, workers: int | None = None) -> Figure:
    """Achieved speedup against serial time per task (log scale), with the break-even point."""
    if len(task_seconds) != len(speedups) or not task_seconds:
        raise ValueError("need one speedup per task length")
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    order = np.argsort(task_seconds)
    ax.plot(np.asarray(task_seconds)[order] * 1e3, np.asarray(speedups)[order], "o-",
            label="pool, chunksize=1")
    ax.axhline(1, color="black", linewidth=1, label="serial (speedup 1)")
    if workers:
        ax.axhline(workers, color="grey", linestyle="--", label=f"ideal ({workers} workers)")
    if even is not None and even.seconds is not None:
        ax.axvline(even.seconds * 1e3, color="tab:red", linestyle=":",
                   label=f"break-even ≈ {even.seconds * 1e3:.2g} ms per task")
    ax.set_xscale("log")
    ax.set_xlabel("work per task (ms, measured serially)")
    ax.set_ylabel("speedup over serial")
    ax.set_title("Task size against speedup")
    ax.set_ylim(0, max(max(speedups), workers or 1, 1) * 1.15)
    ax.legend(loc="lower right", fontsize="small")
    return fig


def plot_timelines(timelines: Sequence[Timeline], labels: Sequence[str]) -> Figure:
    """One panel per run: a row per worker process, a bar per task, gaps are idle time."""
    if not timelines or len(timelines) != len(labels):
        raise ValueError("need one label per timeline")
    fig = Figure(figsize=(7, 1.2 + 1.3 * len(timelines)), layout="constrained")
    axes = fig.subplots(len(timelines), 1, sharex=True, squeeze=False)[:, 0]
    end = max(t.makespan for t in timelines)
    colors = ["tab:blue", "tab:orange"]
    for ax, tl, label in zip(axes, timelines, labels, strict=True):
        done_in_row = [0] * tl.workers
        for bar in tl.bars:  # alternate colours within a row, so neighbouring tasks stand apart
            ax.broken_barh([(bar.start, bar.end - bar.start)], (bar.row - 0.4, 0.8),
                           facecolors=colors[done_in_row[bar.row] % 2], edgecolor="white",
                           linewidth=0.5)
            done_in_row[bar.row] += 1
        ax.axvspan(0, tl.start_cost, color="lightgrey", alpha=0.6)
        ax.axvline(tl.makespan, color="tab:red", linestyle=":")
        ax.set_yticks(range(tl.workers), [f"worker {i + 1}" for i in range(tl.workers)])
        ax.set_ylim(-0.6, tl.workers - 0.4)
        ax.invert_yaxis()
        ax.set_title(f"{label}: idle {tl.idle_fraction:.0%}, busiest/average "
                     f"{tl.imbalance:.2f}x (grey: before the first task)", fontsize="medium")
    axes[-1].set_xlim(0, end * 1.02)
    axes[-1].set_xlabel("seconds since the run began (start-up: since the pool was created)")
    return fig


def plot_bars(labels: Sequence[str], series: dict[str, Sequence[float]], ylabel: str,
              title: str) -> Figure:
    """Grouped bars: one group per label, one bar per series (e.g. RSS and USS per start method)."""
    if not labels or not series or any(len(v) != len(labels) for v in series.values()):
        raise ValueError("every series needs one value per label")
    fig = Figure(figsize=(6, 3.5), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(labels))
    width = 0.8 / len(series)
    for i, (name, values) in enumerate(series.items()):
        ax.bar(x + (i - (len(series) - 1) / 2) * width, values, width, label=name)
    ax.set_xticks(x, labels)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if len(series) > 1:
        ax.legend(fontsize="small")
    return fig
