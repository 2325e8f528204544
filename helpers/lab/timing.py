"""Matplotlib figures for measured results (kept out of `helpers/__init__` so workers stay light)."""

from __future__ import annotations

import textwrap

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..cpus import usable_cpus
from ..timing import SpeedupCurve


def plot_speedup(*curves: SpeedupCurve, title: str = "Speedup measured on this machine",
                 usable: int | None = None) -> Figure:
    """Speedup against process count for each curve, with the ideal line and the usable-core mark.

    Each point carries its spread as an error bar (the time's relative spread applied to the
    speedup); process counts are whole-number ticks; a noisy curve's noise note is written under
    the plot.
    """
    if not curves:
        raise ValueError("plot_speedup needs at least one SpeedupCurve")
    usable = usable_cpus() if usable is None else usable
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    top = max(p.processes for c in curves for p in c.points)
    ax.plot([1, top], [1, top], linestyle="--", color="grey", label="ideal (speedup = processes)")
    for curve in curves:
        xs = [p.processes for p in curve.points]
        ys = [p.speedup for p in curve.points]
        ax.errorbar(xs, ys, yerr=[y * p.spread for y, p in zip(ys, curve.points, strict=True)],
                    marker="o", capsize=3, label=curve.label)
    if usable < top:
        ax.axvline(usable, color="tab:red", linestyle=":", label=f"usable cores ({usable})")
    ax.axhline(1, color="black", linewidth=0.5)
    ax.set_xlabel("processes")
    ax.set_ylabel("speedup over serial")
    ax.set_title(title)
    ax.set_xlim(left=0.8)
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", fontsize="small")
    notes = list(dict.fromkeys(str(c.noise) for c in curves if c.noise is not None and c.noise.noisy))
    if notes:
        fig.supxlabel(textwrap.fill(" ".join(notes), 100), fontsize="x-small", color="tab:red")
    return fig


def plot_times(seconds: dict[str, float], title: str, ylabel: str = "seconds (median)") -> Figure:
    """A bar chart of measured times, one bar per label, each bar annotated with its value."""
    if not seconds:
        raise ValueError("plot_times needs at least one measurement")
    from ..timing import format_seconds

    fig = Figure(figsize=(6, 3.5), layout="constrained")
    ax = fig.add_subplot()
    bars = ax.bar(list(seconds), list(seconds.values()), color="tab:blue")
    ax.bar_label(bars, labels=[format_seconds(s) for s in seconds.values()], padding=2)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.margins(y=0.15)
    return fig
