"""Figures for `helpers.bench` results (matplotlib lives here, never in worker modules)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from ..bench import BenchResult
from ..timing import SpeedupCurve, SpeedupPoint
from .timing import plot_speedup


def plot_bench(result: BenchResult, title: str = "Speedup of each engine, measured here",
               usable: int | None = None) -> Figure:
    """Speedup against processes for every method in a benchmark run, with the ideal line."""
    rows = [r for r in result.rows if r.method != "serial"]
    if not rows:
        raise ValueError("the benchmark has no parallel rows to plot")
    serial = next((r.seconds for r in result.rows if r.method == "serial"), 0.0)
    curves = [
        SpeedupCurve(serial, tuple(SpeedupPoint(r.processes, r.seconds, r.speedup, r.spread)
                                   for r in sorted(rows, key=lambda r: r.processes) if r.method == method),
                     label=method, noise=result.noise)
        for method in dict.fromkeys(r.method for r in rows)
    ]
    return plot_speedup(*curves, title=title, usable=usable)


def plot_overheads(per_task: Mapping[str, float], serial_call: float | None = None,
                   title: str = "Cost of one tiny task, measured here") -> Figure:
    """Horizontal bars: seconds of overhead per task for each engine (log scale, in µs)."""
    if not per_task:
        raise ValueError("per_task needs at least one engine")
    names: Sequence[str] = list(per_task)
    micro = [per_task[name] * 1e6 for name in names]
    fig = Figure(figsize=(6, 3.5), layout="constrained")
    ax = fig.add_subplot()
    bars = ax.barh(names, micro, color="tab:blue")
    ax.bar_label(bars, labels=[f"{m:,.0f} µs" for m in micro], padding=3, fontsize="small")
    if serial_call is not None:
        ax.axvline(serial_call * 1e6, color="tab:green", linestyle=":",
                   label="the same call in this process")
        ax.legend(loc="lower right", fontsize="small")
    ax.set_xscale("log")
    ax.invert_yaxis()
    ax.set_xlabel("microseconds per task (log scale)")
    ax.set_title(title)
    ax.margins(x=0.25)
    return fig
