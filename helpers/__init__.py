"""Worker functions and tools for the Multicore Python course.

Child processes started with spawn or forkserver import this package before running a task, so
every module at this level is child-safe: the standard library and numpy only at import time.
The notebook side (figures, widgets, the CPU monitor, `setup()`) is `helpers.lab`; the exercise
checkers are `helpers.checks`.
"""

from . import provenance as _provenance  # noqa: F401  (records this process's ancestors)
from .cpus import usable_cpus

__all__ = ["usable_cpus"]
