"""Workers for tests/test_interrupt.py: stdlib only, importable by spawned children."""

import os
import signal
import time
from pathlib import Path

MARKERS = "INTERRUPT_TEST_MARKERS"  # a folder: each worker leaves a file there when it starts a task


def spin(seconds: float) -> float:
    """Sleep in small steps for `seconds`, so a SIGINT lands in Python code at once."""
    if folder := os.environ.get(MARKERS):
        Path(folder, f"{os.getpid()}.started").touch()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(0.01)
    return seconds


def ignore_sigint() -> None:
    """Pool initializer: leave ^C to the parent, which then stops the pool itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
