"""Figures for notebook 03 (kept apart from helpers.pools so pool workers stay light)."""

from __future__ import annotations

from collections.abc import Mapping

from matplotlib.figure import Figure


def plot_chunksize_sweep(seconds_by_chunksize: Mapping[int, float], serial_seconds: float, *,
                         tasks: int, processes: int) -> Figure:
    """Wall time against chunk size (log-log), with the serial loop as a horizontal line."""
    if not seconds_by_chunksize:
        raise ValueError("seconds_by_chunksize must hold at least one measurement")
    if any(c < 1 for c in seconds_by_chunksize) or serial_seconds <= 0:
        raise ValueError("chunk sizes must be >= 1 and serial_seconds > 0")
    sizes = sorted(seconds_by_chunksize)
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(sizes, [seconds_by_chunksize[c] for c in sizes], marker="o",
            label=f"Pool({processes}).imap, {tasks:,} tasks")
    ax.axhline(serial_seconds, color="grey", linestyle="--", label="serial loop, same tasks")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("chunksize (tasks sent to a worker at once)")
    ax.set_ylabel("wall time (s)")
    ax.set_title("Chunk size: batching tiny tasks, measured on this machine")
    ax.legend(loc="upper right", fontsize="small")
    return fig
