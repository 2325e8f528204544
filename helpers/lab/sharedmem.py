"""Figures for notebook 05: copying through a pool against sharing a block, time and memory."""

from __future__ import annotations

from collections.abc import Mapping

from matplotlib.figure import Figure

from ..timing import Comparison, format_seconds, format_size


def plot_copy_vs_share(comparison: Comparison, memory: Mapping[str, int],
                       title: str = "Copy or share: the same job, measured here") -> Figure:
    """Two panels, one bar per design: median time (with its spread) and new memory in the kernel."""
    names = comparison.names
    missing = [name for name in names if name not in memory]
    if missing:
        raise ValueError(f"memory has no figure for {missing}; give one per design")
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    times, mems = fig.subplots(1, 2)
    medians = [comparison[n].median * 1e3 for n in names]
    errors = [[(comparison[n].median - comparison[n].spread[0]) * 1e3 for n in names],
              [(comparison[n].spread[1] - comparison[n].median) * 1e3 for n in names]]
    colours = ["tab:red", "tab:orange", "tab:green", "tab:blue"][:len(names)]
    bars = times.bar(names, medians, yerr=errors, capsize=4, color=colours)
    times.bar_label(bars, [format_seconds(comparison[n].median) for n in names], fontsize="small")
    times.set_ylabel("median time per job (ms)")
    times.set_title(f"time (median of {comparison.rounds}, warm pools)", fontsize="medium")
    mib = [memory[n] / 2**20 for n in names]
    bars = mems.bar(names, mib, color=colours)
    mems.bar_label(bars, [format_size(memory[n]) for n in names], fontsize="small")
    mems.set_ylabel("new memory in this kernel (MiB)")
    mems.set_title("peak of new allocations during one job", fontsize="medium")
    for ax in (times, mems):
        ax.tick_params(axis="x", labelsize="small", labelrotation=12)
        ax.margins(y=0.15)
    fig.suptitle(title + (f"\n{comparison.noise}" if comparison.noise.noisy else ""), fontsize="medium")
    return fig
