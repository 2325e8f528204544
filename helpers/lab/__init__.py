"""The notebook side of the course: figures, widgets, the CPU monitor and the notebook set-up.

Everything that imports matplotlib, ipywidgets or IPython lives in this package, and nothing in
it holds a worker: a child process never imports `helpers.lab`. Each figure module is named after
the child-safe module whose results it draws (`helpers.lab.perf` draws what `helpers.perf`
measures).
"""

from .notebook import setup, show_figures_inline

__all__ = ["setup", "show_figures_inline"]
