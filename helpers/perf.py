"""Performance lab: Amdahl/Gustafson fits, granularity break-even, task timelines, BLAS threads.

Several functions here run in child processes (the `*_task` workers, `blas_threads`,
`limit_blas_threads`, `hold_for_measurement`), so this module imports only the standard library
and numpy at import time; psutil and matplotlib live in `helpers.lab.perf` and the notebook.
"""

from __future__ import annotations

import math
import os
import queue
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .timing import format_ratio
from .validation import check_int, check_timeout
from .workloads import PRIME_WINDOW_START, Tagged, count_primes_tagged

# A fitted serial fraction is kept in [MIN_SERIAL_FRACTION, 1]: a measured curve can look
# "perfectly parallel" (or better, by noise), which would give an infinite ceiling.
MIN_SERIAL_FRACTION = 1e-3


# ---------------------------------------------------------------- Amdahl and Gustafson


def _check_fraction(name: str, value: object) -> float:
    try:
        fraction = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}") from None
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
    return fraction


def _check_process_axis(processes: Any) -> np.ndarray:
    n = np.asarray(processes, dtype=float)
    if n.size == 0 or not np.all(np.isfinite(n)) or np.any(n < 1):
        raise ValueError(f"process counts must be numbers >= 1, got {processes!r}")
    return n


def amdahl_speedup(processes: Any, serial_fraction: float) -> Any:
    """Amdahl's law: speedup of a fixed-size job on n processes, 1 / (s + (1 - s) / n)."""
    s = _check_fraction("serial_fraction", serial_fraction)
    n = _check_process_axis(processes)
    result = 1.0 / (s + (1.0 - s) / n)
    return float(result) if result.ndim == 0 else result


def gustafson_speedup(processes: Any, serial_fraction: float) -> Any:
    """Gustafson's law: scaled speedup when the parallel part grows with n, s + (1 - s) * n."""
    s = _check_fraction("serial_fraction", serial_fraction)
    n = _check_process_axis(processes)
    result = s + (1.0 - s) * n
    return float(result) if result.ndim == 0 else result


@dataclass(frozen=True)
class AmdahlFit:
    """Serial fraction fitted to a measured speedup curve, with the ceiling it predicts."""

    serial_fraction: float
    processes: tuple[float, ...]
    speedups: tuple[float, ...]

    @property
    def ceiling(self) -> float:
        """The most speedup any number of processes can give: 1 / serial fraction."""
        return 1.0 / self.serial_fraction

    def predict(self, processes: Any) -> Any:
        """Speedup the fitted law predicts at these process counts."""
        return amdahl_speedup(processes, self.serial_fraction)

    @property
    def rms_error(self) -> float:
        """Root-mean-square distance between the measured points and the fitted curve."""
        residual = np.asarray(self.speedups) - self.predict(self.processes)
        return float(np.sqrt(np.mean(residual**2)))

    def __str__(self) -> str:
        return (f"fitted serial fraction: {self.serial_fraction:.1%}, "
                f"predicted ceiling: {format_ratio(self.ceiling)}")


def fit_amdahl(processes: Sequence[float], speedups: Sequence[float]) -> AmdahlFit:
    """Least-squares serial fraction s for measured (processes, speedup) points (s kept >= 0.1%)."""
    n = _check_process_axis(processes)
    measured = np.asarray(speedups, dtype=float)
    if n.ndim != 1 or measured.shape != n.shape:
        raise ValueError(f"need one speedup per process count, got {len(n)} counts "
                         f"and {measured.size} speedups")
    if not np.all(np.isfinite(measured)) or np.any(measured <= 0):
        raise ValueError(f"speedups must be positive numbers, got {list(speedups)!r}")
    if not np.any(n > 1):
        raise ValueError("need at least one measurement with more than one process to fit")

    def sse(s: np.ndarray) -> np.ndarray:
        predicted = 1.0 / (s[:, None] + (1.0 - s[:, None]) / n[None, :])
        return np.sum((measured[None, :] - predicted) ** 2, axis=1)

    # A dense grid, then a finer grid around the best point: robust and needs only numpy.
    grid = np.linspace(MIN_SERIAL_FRACTION, 1.0, 2001)
    best = grid[np.argmin(sse(grid))]
    step = grid[1] - grid[0]
    fine = np.linspace(max(MIN_SERIAL_FRACTION, best - step), min(1.0, best + step), 2001)
    s = float(fine[np.argmin(sse(fine))])
    return AmdahlFit(s, tuple(float(x) for x in n), tuple(float(x) for x in measured))


def fit_amdahl_rounds(comparison: Any, counts: Sequence[int]) -> list[AmdahlFit]:
    """One Amdahl fit per measured round of a helpers.timing.compare() with variants "serial"
    and process_label(n): how much the fitted serial fraction moves from round to round."""
    from .timing import process_label

    serial = comparison["serial"].times
    fits = []
    for r in range(len(serial)):
        speedups = [serial[r] / comparison[process_label(n)].times[r] for n in counts]
        fits.append(fit_amdahl(list(counts), speedups))
    return fits


def scaled_speedups(serial_seconds: float, unit_seconds: float, processes: Sequence[int],
                    seconds: Sequence[float]) -> list[float]:
    """Gustafson's measured scaled speedup: (serial part + n units done serially) / parallel time."""
    if serial_seconds < 0 or unit_seconds <= 0:
        raise ValueError("serial_seconds must be >= 0 and unit_seconds > 0")
    if len(processes) != len(seconds) or not processes:
        raise ValueError("need one measured time per process count")
    if any(t <= 0 for t in seconds):
        raise ValueError(f"measured times must be positive, got {list(seconds)!r}")
    return [(serial_seconds + check_int("processes", n, minimum=1) * unit_seconds) / t
            for n, t in zip(processes, seconds, strict=True)]


def process_counts(usable: int) -> list[int]:
    """Process counts worth measuring: 1, 2, 4, ... up to the usable cores, and the usable count."""
    usable = check_int("usable", usable, minimum=1, maximum=1024)
    counts = {1, usable}
    n = 2
    while n < usable:
        counts.add(n)
        n *= 2
    return sorted(counts)


# ---------------------------------------------------------------- granularity


def task_sizes(total: int, smallest: int, factor: int = 4) -> list[int]:
    """Task sizes smallest, smallest*factor, ... up to half the total work (at least two tasks)."""
    total = check_int("total", total, minimum=2)
    smallest = check_int("smallest", smallest, minimum=1, maximum=total // 2)
    factor = check_int("factor", factor, minimum=2, maximum=100)
    sizes, size = [], smallest
    while size <= total // 2:
        sizes.append(size)
        size *= factor
    return sizes


def chunk_tasks(start: int, stop: int, size: int) -> list[tuple[int, int]]:
    """[start, stop) cut into consecutive tasks of `size` numbers (the last may be shorter)."""
    start = check_int("start", start)
    stop = check_int("stop", stop, minimum=start + 1)
    size = check_int("size", size, minimum=1)
    return [(lo, min(lo + size, stop)) for lo in range(start, stop, size)]


@dataclass(frozen=True)
class BreakEven:
    """Where parallel stops losing to serial on a granularity sweep."""

    seconds: float | None
    smallest: float
    largest: float

    def __str__(self) -> str:
        from .timing import format_seconds

        if self.seconds is None:
            return (f"parallel never beat serial (tasks up to {format_seconds(self.largest)}): "
                    "make tasks bigger")
        if self.seconds <= self.smallest:
            return f"parallel beat serial even at {format_seconds(self.smallest)} per task"
        return f"parallel beats serial once a task takes about {format_seconds(self.seconds)}"


def break_even(task_seconds: Sequence[float], speedups: Sequence[float]) -> BreakEven:
    """Task length where the speedup first reaches 1, interpolated on a log scale."""
    if len(task_seconds) != len(speedups) or not task_seconds:
        raise ValueError("need one speedup per task length")
    if any(t <= 0 for t in task_seconds) or any(s <= 0 for s in speedups):
        raise ValueError("task lengths and speedups must be positive")
    points = sorted(zip(task_seconds, speedups, strict=True))
    smallest, largest = points[0][0], points[-1][0]
    if points[0][1] >= 1:
        return BreakEven(smallest, smallest, largest)
    for (t0, s0), (t1, s1) in zip(points, points[1:], strict=False):
        if s0 < 1 <= s1:
            # interpolate log(task length) linearly in the speedup
            fraction = (1 - s0) / (s1 - s0)
            return BreakEven(math.exp(math.log(t0) + fraction * (math.log(t1) - math.log(t0))),
                             smallest, largest)
    return BreakEven(None, smallest, largest)


# ---------------------------------------------------------------- task timelines


def pid_after(seconds: float) -> int:
    """Sleep `seconds` (at most 5), return this worker's pid: a warm-up task that keeps its
    worker busy long enough for the others to take theirs."""
    from .validation import check_seconds

    time.sleep(check_seconds("seconds", seconds, maximum=5))
    return os.getpid()


def warm_pool(pool: Any, workers: int, timeout: float = 60.0) -> set[int]:
    """Make sure all `workers` processes of `pool` are started and have run a task (their
    imports done), so no later measurement pays for start-up. Returns their pids."""
    workers = check_int("workers", workers, minimum=1, maximum=1024)
    deadline = time.monotonic() + check_timeout(timeout)
    seen: set[int] = set()
    while len(seen) < workers:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"only {len(seen)} of {workers} workers answered in {timeout} s")
        seen |= set(pool.map_async(pid_after, [0.05] * workers, chunksize=1).get(timeout=left))
    return seen


def ramp_tasks(total: int, tasks: int, start: int = PRIME_WINDOW_START) -> list[tuple[int, int]]:
    """Uneven prime-counting tasks: task i is about (i + 1) units long, together `total` numbers."""
    tasks = check_int("tasks", tasks, minimum=1, maximum=10_000)
    units = tasks * (tasks + 1) // 2
    total = check_int("total", total, minimum=units, maximum=10**9)
    edges = [start + (total * (i * (i + 1) // 2)) // units for i in range(tasks + 1)]
    return list(zip(edges, edges[1:], strict=False))


def prime_task_tagged(bounds: tuple[int, int]) -> Tagged:
    """count_primes_tagged for one (start, stop) pair: a one-argument worker for imap_unordered."""
    start, stop = bounds
    return count_primes_tagged(start, stop)


@dataclass(frozen=True)
class TimelineBar:
    """One task on the timeline: which worker row, and when it ran (seconds after t0)."""

    row: int
    pid: int
    start: float
    end: float


@dataclass(frozen=True)
class Timeline:
    """Who ran what when: bars per worker, and the idle time and imbalance they reveal."""

    bars: tuple[TimelineBar, ...]
    pids: tuple[int, ...]
    makespan: float

    @property
    def workers(self) -> int:
        return len(self.pids)

    @property
    def busy(self) -> list[float]:
        """Seconds each worker (in row order) spent running tasks."""
        totals = [0.0] * self.workers
        for bar in self.bars:
            totals[bar.row] += bar.end - bar.start
        return totals

    @property
    def start_cost(self) -> float:
        """Seconds from t0 (before the pool started) until the first task began."""
        return min(bar.start for bar in self.bars)

    @property
    def idle_fraction(self) -> float:
        """Share of worker time (workers x makespan) spent not running a task."""
        return 1.0 - sum(self.busy) / (self.workers * self.makespan)

    @property
    def imbalance(self) -> float:
        """Busiest worker's busy time over the average: 1.00x is perfectly balanced."""
        busy = self.busy
        return max(busy) / (sum(busy) / len(busy))

    def summary(self) -> str:
        """One line of measured facts, printed through the course's formatters."""
        from .timing import format_seconds

        return (f"finished in {format_seconds(self.makespan)}, first task after "
                f"{format_seconds(self.start_cost)}, workers idle {self.idle_fraction:.0%} "
                f"of the time, busiest worker / average {format_ratio(self.imbalance)}")


def timeline(results: Sequence[Tagged], t0: float, t_end: float | None = None,
             workers: int | None = None) -> Timeline:
    """Build a timeline from tagged results; t0 and t_end are time.time() around the run.

    Pass `workers` (the pool size) so that a worker that never got a task shows as an idle row.
    """
    if not results:
        raise ValueError("need at least one tagged result to draw a timeline")
    if not all(isinstance(r, Tagged) for r in results):
        raise ValueError("results must be Tagged values (see helpers.workloads.count_primes_tagged)")
    ordered = sorted(results, key=lambda r: r.started)
    pids: list[int] = []
    for r in ordered:
        if r.pid not in pids:
            pids.append(r.pid)
    if workers is not None:
        workers = check_int("workers", workers, minimum=len(pids), maximum=1024)
        pids += [0] * (workers - len(pids))  # rows for workers that never ran a task
    end = max(r.finished for r in results) if t_end is None else t_end
    if end < t0:
        raise ValueError("t_end must not be earlier than t0")
    bars = tuple(TimelineBar(pids.index(r.pid), r.pid, r.started - t0, r.finished - t0)
                 for r in ordered)
    return Timeline(bars, tuple(pids), max(end - t0, max(b.end for b in bars), 1e-9))


# ---------------------------------------------------------------- BLAS threads (oversubscription)

_blas_limiter: Any = None


def limit_blas_threads(threads: int = 1) -> None:
    """Pool initializer: cap this worker's BLAS/OpenMP thread pools at `threads`."""
    global _blas_limiter
    threads = check_int("threads", threads, minimum=1, maximum=1024)
    from threadpoolctl import threadpool_limits  # light, pure Python; imported only when used

    _blas_limiter = threadpool_limits(limits=threads)  # stays in force for the worker's lifetime


def blas_threads(_: object = None) -> tuple[int, int]:
    """(pid, BLAS threads) of the process running this: how many threads one matmul may use."""
    from threadpoolctl import threadpool_info

    threads = sum(info.get("num_threads", 0) for info in threadpool_info()
                  if info.get("user_api") == "blas")
    return os.getpid(), threads


def matmul_task(size: int, repeats: int, seed: int) -> float:
    """Multiply two random size x size matrices `repeats` times (BLAS work); return a checksum."""
    size = check_int("size", size, minimum=1, maximum=5000)
    repeats = check_int("repeats", repeats, minimum=1, maximum=10_000)
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((size, size))
    b = rng.standard_normal((size, size)) / size
    for _ in range(repeats):
        a = a @ b
        a /= np.abs(a).max()  # keep values bounded
    return float(np.abs(a).sum())


def matmul_job(tasks: Sequence[tuple[int, int, int]]) -> list[float]:
    """The serial version: run every (size, repeats, seed) matmul task in this process."""
    return [matmul_task(*task) for task in tasks]


BLAS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def blas_environment() -> dict[str, str | None]:
    """The environment variables that BLAS libraries read when they start, as they are now."""
    return {name: os.environ.get(name) for name in BLAS_ENV}


# ---------------------------------------------------------------- memory per process


def hold_for_measurement(ready: Any, release: Any, timeout: float = 60.0) -> None:
    """Process target: use numpy, put this pid on `ready`, then wait (bounded) for `release`."""
    np.ones(1000).sum()
    ready.put(os.getpid())
    release.wait(check_timeout(timeout))


def wait_ready(ready: Any, processes: int, timeout: float = 60.0) -> list[int]:
    """Collect one pid per started process from `ready`, or raise TimeoutError."""
    processes = check_int("processes", processes, minimum=1, maximum=1024)
    deadline = time.monotonic() + check_timeout(timeout)
    pids = []
    while len(pids) < processes and (remaining := deadline - time.monotonic()) > 0:
        try:
            pids.append(ready.get(timeout=remaining))
        except queue.Empty:
            break
    if len(pids) < processes:
        raise TimeoutError(f"only {len(pids)} of {processes} processes reported in {timeout} s")
    return pids
