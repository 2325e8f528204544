"""Figures for notebook 04 (kept out of helpers.queues so child processes never import matplotlib)."""

from __future__ import annotations

from matplotlib.figure import Figure

from ..queues import ChannelReport


def plot_throughput(report: ChannelReport, title: str = "Queue and Pipe measured on this machine") -> Figure:
    """Messages/s and MB/s against message size, one line per channel, log-log."""
    if not report.points:
        raise ValueError("the report holds no measurements to plot")
    fig = Figure(figsize=(9, 3.5), layout="constrained")
    rate_ax, volume_ax = fig.subplots(1, 2)
    for channel in sorted({p.channel for p in report.points}):
        points = sorted((p for p in report.points if p.channel == channel), key=lambda p: p.size)
        sizes = [p.size for p in points]
        rate_ax.plot(sizes, [p.msg_per_s for p in points], marker="o", label=channel)
        volume_ax.plot(sizes, [p.mb_per_s for p in points], marker="o", label=channel)
    for ax, label in ((rate_ax, "messages per second"), (volume_ax, "MB per second")):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("message size (bytes)")
        ax.set_ylabel(label)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle(title)
    return fig
