"""Pids of real, finished child processes, for checker tests that need genuine evidence."""

from __future__ import annotations

import functools
import multiprocessing as mp

from helpers.lifecycle import start_all, stop
from helpers.manyprocs import finish_with


@functools.cache
def child_pids(count: int = 4) -> tuple[int, ...]:
    """Start `count` children that exit at once; their pids (helpers.provenance knows them)."""
    procs = [mp.Process(target=finish_with, args=(0,)) for _ in range(count)]
    start_all(procs)
    stop(procs, timeout=60)
    return tuple(p.pid for p in procs)
