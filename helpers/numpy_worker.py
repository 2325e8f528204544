"""A worker module that imports NumPy at import time (notebook 01 measures what that costs).

A child started with spawn (or forkserver) imports the module of the function it runs before it
can run it, and with it everything that module imports. `first_task` does exactly what
helpers.processes.first_task does; only this module's imports differ.
"""

from __future__ import annotations

import os
from typing import Any

import numpy  # noqa: F401  (the point of this module: a spawned child pays for this import)


def first_task(queue: Any) -> None:
    """Process target: report the pid at once (the same work as helpers.processes.first_task)."""
    queue.put(os.getpid())
