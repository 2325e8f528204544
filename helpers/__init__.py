"""Worker functions and tools for the Multicore Python course.

Child processes started with spawn or forkserver import this package before running a task, so
it imports only the standard library here; plots, widgets and psutil live in their own modules.
"""

from .cpus import usable_cpus

__all__ = ["usable_cpus"]
