"""Honest timing: warm-up, repeats, median; speedup and efficiency against a serial run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .validation import check_int, check_processes


@dataclass(frozen=True)
class Timing:
    """Wall times of repeated runs of one callable, and the result of the last run."""

    times: tuple[float, ...]
    result: Any = field(default=None, repr=False)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def best(self) -> float:
        return min(self.times)

    def __str__(self) -> str:
        return f"{format_seconds(self.median)} (median of {len(self.times)})"


def measure(fn: Callable[..., Any], *args: Any, repeats: int = 3, warmup: int = 1, **kwargs: Any) -> Timing:
    """Call fn `warmup` times untimed, then `repeats` times timed; keep the last result."""
    repeats = check_int("repeats", repeats, minimum=1, maximum=1000)
    warmup = check_int("warmup", warmup, minimum=0, maximum=1000)
    result = None
    for _ in range(warmup):
        result = fn(*args, **kwargs)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return Timing(tuple(times), result)


@dataclass(frozen=True)
class SpeedupPoint:
    """One row of a speedup curve."""

    processes: int
    seconds: float
    speedup: float

    @property
    def efficiency(self) -> float:
        return self.speedup / self.processes


@dataclass(frozen=True)
class SpeedupCurve:
    """A serial baseline and the parallel runs measured against it, in the same session."""

    serial_seconds: float
    points: tuple[SpeedupPoint, ...]
    label: str = "parallel"
    results_match: bool = True

    def speedup_at(self, processes: int) -> float:
        """Measured speedup at a given process count."""
        for point in self.points:
            if point.processes == processes:
                return point.speedup
        raise ValueError(f"no measurement at {processes} processes; have {[p.processes for p in self.points]}")

    def table(self) -> str:
        """A readable table: processes, seconds, speedup, efficiency."""
        lines = [f"serial: {format_seconds(self.serial_seconds)}",
                 f"{'processes':>9}  {'time':>9}  {'speedup':>8}  {'efficiency':>10}"]
        for p in self.points:
            lines.append(f"{p.processes:>9}  {format_seconds(p.seconds):>9}  "
                         f"{format_ratio(p.speedup):>8}  {p.efficiency:>10.0%}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def speedup_curve(
    serial: Callable[[], Any],
    parallel: Callable[[int], Any],
    processes: Iterable[int],
    *,
    repeats: int = 3,
    warmup: int = 1,
    label: str = "parallel",
) -> SpeedupCurve:
    """Time serial() and parallel(n) for each n in one run; check every result equals the serial one."""
    counts: Sequence[int] = [check_processes(n) for n in processes]
    if not counts:
        raise ValueError("processes must list at least one process count")
    base = measure(serial, repeats=repeats, warmup=warmup)
    points, match = [], True
    for n in counts:
        timing = measure(parallel, n, repeats=repeats, warmup=warmup)
        match = match and timing.result == base.result
        points.append(SpeedupPoint(n, timing.median, base.median / timing.median))
    return SpeedupCurve(base.median, tuple(points), label, match)


def format_seconds(seconds: float) -> str:
    """1.23 s / 45.6 ms / 789 µs: the sanitizer in tests/ recognises these forms."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def format_ratio(ratio: float) -> str:
    """A speedup or slowdown factor, such as 1.84x."""
    return f"{ratio:.2f}x"


def format_size(nbytes: float) -> str:
    """A size such as 16 B, 4.0 KiB, 1.0 MiB or 2.5 GiB (the sanitizer recognises these)."""
    if nbytes < 0:
        raise ValueError(f"a size cannot be negative, got {nbytes}")
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{nbytes:.0f} B"


def format_rate(value: float, unit: str) -> str:
    """A rate such as 1,234 msg/s or 12.3 MB/s (the sanitizer recognises these)."""
    if unit not in ("msg/s", "MB/s", "items/s"):
        raise ValueError(f"unit must be msg/s, MB/s or items/s, got {unit!r}")
    return f"{value:,.0f} {unit}" if value >= 100 else f"{value:.1f} {unit}"
