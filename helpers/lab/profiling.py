"""Figures for notebook 08: where a profile says the time went (drawn from helpers.profiling)."""

from __future__ import annotations

from matplotlib.figure import Figure

from ..profiling import ProfileFacts


def plot_profile(facts: ProfileFacts, top: int = 6, title: str = "Own time per function (cProfile)") -> Figure:
    """Horizontal bars: the `top` functions by own time (tottime), as shares of the whole run."""
    if not facts.rows:
        raise ValueError("plot_profile needs a profile with at least one function")
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    rows = sorted(facts.rows, key=lambda r: r.own, reverse=True)[:top][::-1]
    shares = [facts.share(r) for r in rows]
    fig = Figure(figsize=(6, 0.45 * len(rows) + 1.2), layout="constrained")
    ax = fig.add_subplot()
    bars = ax.barh([r.name for r in rows], shares, color="tab:blue")
    ax.bar_label(bars, labels=[f"{s:.0%}" for s in shares], padding=2)
    ax.set_xlim(0, 1.1)
    ax.set_xlabel("share of the run spent in the function's own code")
    ax.set_title(title)
    return fig
