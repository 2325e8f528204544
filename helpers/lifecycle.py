"""One way to run child processes so that none outlives its cell: start, join, terminate, kill.

Every helper that starts `multiprocessing` processes ends them here: join within one shared
timeout, `terminate()` (SIGTERM) what is still running, then `kill()` (SIGKILL) what ignored
that, and report the exit codes. Standard library only: child processes import this module.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .validation import check_timeout

GRACE_SECONDS = 5.0  # how long a terminated or killed process gets to disappear


@dataclass(frozen=True)
class Stopped:
    """How a group of processes ended: their exit codes, and which had to be stopped by force."""

    exitcodes: tuple[int | None, ...]
    terminated: int = 0
    killed: int = 0

    @property
    def clean(self) -> bool:
        """Every process finished by itself with exit code 0."""
        return self.terminated == 0 and all(code == 0 for code in self.exitcodes)


def start_all(processes: Sequence[Any]) -> None:
    """Start every process; if one fails to start, stop those already started and re-raise."""
    running = []
    try:
        for process in processes:
            process.start()
            running.append(process)
    except BaseException:
        stop(running, timeout=GRACE_SECONDS)
        raise


def stop(processes: Iterable[Any], timeout: float = GRACE_SECONDS) -> Stopped:
    """Join each process within one shared `timeout`; terminate, then kill, whatever is left."""
    timeout = check_timeout(timeout, allow_zero=True)
    started = [p for p in processes if p.pid is not None]  # never started: nothing to end
    deadline = time.monotonic() + timeout
    for process in started:
        process.join(max(0.0, deadline - time.monotonic()))
    stuck = [process for process in started if process.is_alive()]
    for process in stuck:
        process.terminate()
    for process in stuck:
        process.join(GRACE_SECONDS)
    unkillable = [process for process in stuck if process.is_alive()]
    for process in unkillable:  # it ignored SIGTERM
        process.kill()
        process.join(GRACE_SECONDS)
    return Stopped(tuple(process.exitcode for process in processes), len(stuck), len(unkillable))


@contextmanager
def started(*processes: Any, timeout: float = 30.0) -> Iterator[tuple[Any, ...]]:
    """Start the processes; on leaving the block, `stop` them (join within `timeout`, then force)."""
    if not processes:
        raise ValueError("started() needs at least one process")
    timeout = check_timeout(timeout)
    start_all(processes)
    try:
        yield processes
    finally:
        stop(processes, timeout)


def raise_unless_clean(processes: Sequence[Any], what: str = "worker") -> None:
    """Raise RuntimeError naming the exit codes unless every process ended with exit code 0."""
    codes = [process.exitcode for process in processes]
    if any(code != 0 for code in codes):
        raise RuntimeError(f"{what} exit codes {codes}; expected all 0")
