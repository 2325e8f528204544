"""Argument checks shared by every helper, so bad input fails early with a clear ValueError."""

from __future__ import annotations

import numbers

MAX_PROCESSES = 256


def check_int(name: str, value: object, *, minimum: int = 0, maximum: int | None = None) -> int:
    """Return value as an int, or raise ValueError saying what range is allowed."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        allowed = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return value


def check_processes(processes: object, *, maximum: int = MAX_PROCESSES) -> int:
    """A process count: at least 1 and at most `maximum`."""
    return check_int("processes", processes, minimum=1, maximum=maximum)
