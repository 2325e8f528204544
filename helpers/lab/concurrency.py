"""Figures for notebook 07: the tool grid as grouped bars, and event-loop heartbeats over time."""

from __future__ import annotations

from matplotlib.figure import Figure

from ..concurrency import TOOLS, WORKLOADS, ConcurrencyGrid, Heartbeat
from ..timing import format_seconds

TOOL_COLOURS = {"serial": "tab:grey", "threads": "tab:blue", "asyncio": "tab:green",
                "processes": "tab:orange"}


def plot_grid(grid: ConcurrencyGrid, title: str = "Which tool helps which job (this machine)") -> Figure:
    """Grouped bars: speedup over serial for each tool on each workload, median time on each bar."""
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / len(TOOLS)
    for i, tool in enumerate(TOOLS):
        xs = [w + (i - (len(TOOLS) - 1) / 2) * width for w in range(len(WORKLOADS))]
        speedups = [grid.speedup(workload, tool) for workload in WORKLOADS]
        bars = ax.bar(xs, speedups, width, label=tool, color=TOOL_COLOURS[tool])
        ax.bar_label(bars, [format_seconds(grid.seconds(w, tool)) for w in WORKLOADS],
                     fontsize="x-small", padding=2)
    ax.axhline(1, color="black", linewidth=0.8)
    ax.set_xticks(range(len(WORKLOADS)), WORKLOADS)
    ax.set_ylabel("speedup over serial (higher is better)")
    ax.set_title(title)
    ax.margins(y=0.15)
    ax.legend(fontsize="small", title=f"{grid.threads} threads, {grid.processes} processes",
              title_fontsize="small")
    return fig


def plot_heartbeats(**runs: Heartbeat) -> Figure:
    """Gap between heartbeats over time for each run (name=heartbeat): spikes are a blocked loop."""
    if not runs:
        raise ValueError("plot_heartbeats needs at least one run, e.g. inline=heartbeat")
    fig = Figure(figsize=(7, 3.5), layout="constrained")
    ax = fig.add_subplot()
    for name, beat in runs.items():
        ax.plot(beat.times, [gap * 1e3 for gap in beat.gaps], marker="o", markersize=3,
                label=f"{name.replace('_', ' ')} (longest gap {format_seconds(beat.max_gap)})")
    interval = next(iter(runs.values())).interval
    ax.axhline(interval * 1e3, color="grey", linestyle="--", label="beat interval")
    ax.set_xlabel("time since the heartbeat started (s)")
    ax.set_ylabel("gap since previous beat (ms)")
    ax.set_yscale("log")
    ax.set_title("Event-loop heartbeat while CPU work runs")
    ax.legend(fontsize="small")
    return fig
