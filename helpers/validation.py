"""Argument checks shared by every helper, so bad input fails early with one clear ValueError.

Each check returns the value in its plain type (int or float) or raises a ValueError that names
the argument, the allowed range and what it got. Checks belong at the entry of a function, never
inside a loop that runs once per number.
"""

from __future__ import annotations

import math
import numbers

MAX_PROCESSES = 256
MAX_SIZE = 10**8  # numbers (or items) in one job: about an hour of pure-Python work, not days
MAX_SECONDS = 3600.0


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


def check_size(name: str, value: object, *, minimum: int = 0, maximum: int = MAX_SIZE) -> int:
    """A problem size (numbers, items, samples): a whole number no larger than `maximum`."""
    return check_int(name, value, minimum=minimum, maximum=maximum)


def check_span(start: object, stop: object, *, maximum: int = MAX_SIZE) -> tuple[int, int]:
    """A range [start, stop) of whole numbers >= 0, at most `maximum` numbers long."""
    start = check_int("start", start)
    stop = check_int("stop", stop, minimum=start)
    if stop - start > maximum:
        raise ValueError(f"stop - start must be at most {maximum:,} numbers, got {stop - start:,}")
    return start, stop


def check_seconds(name: str, value: object, *, minimum: float = 0.0, maximum: float = MAX_SECONDS,
                  allow_zero: bool = True) -> float:
    """A duration in seconds: a finite number between `minimum` and `maximum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number of seconds, got {value!r}")
    value = float(value)
    low_ok = value > minimum or (allow_zero and value == minimum)
    if not low_ok or value > maximum:
        low = f">= {minimum:g}" if allow_zero else f"> {minimum:g}"
        raise ValueError(f"{name} must be {low} and <= {maximum:g} seconds, got {value:g}")
    return value


def check_timeout(timeout: object, *, maximum: float = MAX_SECONDS, allow_zero: bool = False) -> float:
    """A timeout in seconds: more than 0 (or exactly 0 where allowed) and at most `maximum`."""
    return check_seconds("timeout", timeout, maximum=maximum, allow_zero=allow_zero)
