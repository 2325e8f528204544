"""The set-up cell every notebook runs first: one start method for the kernel, figures inline."""

from __future__ import annotations

from ..course import MachineSummary, machine_summary, use_start_method


def show_figures_inline() -> None:
    """Show matplotlib Figure objects as PNG images in Jupyter, without importing pyplot."""
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import select_figure_formats
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        select_figure_formats(shell, {"png"})


def setup(start_method: str | None = None) -> MachineSummary:
    """Pick the kernel's start method (argument, else COURSE_START_METHOD, else spawn), show
    figures inline, and summarise the machine."""
    use_start_method(start_method)
    show_figures_inline()
    return machine_summary()
