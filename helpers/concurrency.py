"""Serial, threads, asyncio and processes on I/O-bound and CPU-bound jobs, measured in one run.

Also the event-loop heartbeat (how long the loop was blocked) and the facts about the seed's
`asyncio.get_event_loop()` pattern. Standard library only at import time (pool workers import it).
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .iobound import fetch, fetch_async
from .timing import Comparison, Noise, Timing, compare, format_ratio, format_seconds, format_spread
from .validation import check_int, check_processes, check_seconds
from .workloads import busy_wait, count_primes, prime_window, split_range

TOOLS = ("serial", "threads", "asyncio", "processes")
WORKLOADS = ("I/O-bound", "CPU-bound")
MAX_THREADS = 64


def cpu_job(usable: int) -> list[tuple[int, int]]:
    """The CPU-bound job of the grid: a prime count split into 2 slices per usable core."""
    usable = check_processes(usable)
    size = 25_000 * min(max(usable, 2), 4)  # about 0.3-1 s serial on one laptop core
    return split_range(*prime_window(size), 2 * usable)


async def count_primes_inline(start: int, stop: int) -> int:
    """A coroutine that computes without ever awaiting: nothing else runs on the loop meanwhile."""
    return count_primes(start, stop)


async def compare_async(variants: Mapping[str, Callable[[], Any]], **options: Any) -> Comparison:
    """`helpers.timing.compare` from async code (a notebook cell): the same warm-up, rotating
    rounds, spread and noise.

    A variant may be a plain function or an `async def` function (called with no arguments).
    `compare` itself runs in a worker thread (`asyncio.to_thread`), so this event loop stays free:
    each coroutine is handed to it (`run_coroutine_threadsafe`) and timed until it finishes.
    """
    if not isinstance(variants, Mapping):
        raise ValueError(f"variants must be a dict of name -> callable, got {variants!r}")
    loop = asyncio.get_running_loop()

    def on_this_loop(fn: Callable[[], Any]) -> Callable[[], Any]:
        if inspect.iscoroutinefunction(fn):
            return lambda: asyncio.run_coroutine_threadsafe(fn(), loop).result()
        return fn

    wrapped = {name: on_this_loop(fn) if callable(fn) else fn for name, fn in variants.items()}
    return await asyncio.to_thread(compare, wrapped, **options)


@dataclass(frozen=True)
class ConcurrencyGrid:
    """Median wall times of each tool on each workload, measured in the same rotating rounds."""

    timings: dict[tuple[str, str], Timing]
    results_match: bool
    threads: int
    processes: int
    comparison: Comparison | None = None

    def seconds(self, workload: str, tool: str) -> float:
        """Median seconds of one tool on one workload."""
        if (workload, tool) not in self.timings:
            raise ValueError(f"no measurement for {workload!r} with {tool!r}; "
                             f"workloads are {WORKLOADS}, tools are {TOOLS}")
        return self.timings[workload, tool].median

    def speedup(self, workload: str, tool: str) -> float:
        """How many times faster than the serial loop on the same workload."""
        return self.seconds(workload, "serial") / self.seconds(workload, tool)

    @property
    def noise(self) -> Noise | None:
        return None if self.comparison is None else self.comparison.noise

    def table(self) -> str:
        """Times, then speedups over serial: one row per workload, one column per tool; how it
        was measured, and a noise line when the run was noisy."""
        head = f"{'':<10}" + "".join(f"{tool:>11}" for tool in TOOLS)
        lines = ["median time", head]
        for workload in WORKLOADS:
            lines.append(f"{workload:<10}" + "".join(
                f"{format_seconds(self.seconds(workload, tool)):>11}" for tool in TOOLS))
        lines += ["", "speedup over serial", head]
        for workload in WORKLOADS:
            lines.append(f"{workload:<10}" + "".join(
                f"{format_ratio(self.speedup(workload, tool)):>11}" for tool in TOOLS))
        if self.comparison is not None:
            widest = max(t.relative_spread for t in self.timings.values())
            lines += ["", f"median of {self.comparison.rounds} rounds in rotating order, after a warm-up; "
                          f"widest spread {format_spread(widest)}; pools started before the clock"]
            if self.comparison.noise.noisy:
                lines.append(str(self.comparison.noise))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


async def measure_grid(urls: Sequence[str], spans: Sequence[tuple[int, int]], *,
                       threads: int, processes: int, rounds: int = 5) -> ConcurrencyGrid:
    """Time every tool on both jobs with `compare_async` (warm-up, rotating rounds); the pools
    are started, and every worker has run a task, before the clock starts."""
    if not urls or not spans:
        raise ValueError("measure_grid needs at least one URL and one (start, stop) span")
    threads = check_int("threads", threads, minimum=1, maximum=MAX_THREADS)
    processes = check_processes(processes)
    rounds = check_int("rounds", rounds, minimum=1, maximum=100)
    urls, spans = list(urls), [tuple(s) for s in spans]
    starts, stops = [s[0] for s in spans], [s[1] for s in spans]
    with ThreadPoolExecutor(max_workers=threads) as thread_pool, \
            ProcessPoolExecutor(max_workers=processes) as process_pool:
        list(process_pool.map(busy_wait, [0.05] * processes, timeout=60))  # start every worker

        async def gather_fetches() -> list[bytes]:
            return await asyncio.gather(*(fetch_async(u) for u in urls))

        async def gather_inline() -> list[int]:
            return await asyncio.gather(*(count_primes_inline(a, b) for a, b in spans))

        jobs: dict[str, Callable[[], Any]] = {
            "I/O-bound|serial": lambda: [fetch(u) for u in urls],
            "I/O-bound|threads": lambda: list(thread_pool.map(fetch, urls, timeout=60)),
            "I/O-bound|asyncio": gather_fetches,
            "I/O-bound|processes": lambda: list(process_pool.map(fetch, urls, timeout=60)),
            "CPU-bound|serial": lambda: [count_primes(a, b) for a, b in spans],
            "CPU-bound|threads": lambda: list(thread_pool.map(count_primes, starts, stops, timeout=120)),
            "CPU-bound|asyncio": gather_inline,
            "CPU-bound|processes": lambda: list(
                process_pool.map(count_primes, starts, stops, timeout=120)),
        }
        comparison = await compare_async(jobs, rounds=rounds, warmup=1)
    timings = {tuple(name.split("|")): comparison[name] for name in jobs}
    match = all(timings[w, tool].result == timings[w, "serial"].result for w in WORKLOADS for tool in TOOLS)
    return ConcurrencyGrid(timings, match, threads, processes, comparison)  # type: ignore[arg-type]


def time_threads_on_cpu(spans: Sequence[tuple[int, int]], threads: int, rounds: int = 5) -> Comparison:
    """The CPU job serial and in a thread pool, in the same rotating rounds (free-threading's test).

    comparison["serial"].result == comparison["threads"].result when both counted the same.
    """
    threads = check_int("threads", threads, minimum=1, maximum=MAX_THREADS)
    rounds = check_int("rounds", rounds, minimum=1, maximum=100)
    starts, stops = [s[0] for s in spans], [s[1] for s in spans]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return compare({"serial": lambda: [count_primes(a, b) for a, b in spans],
                        "threads": lambda: list(pool.map(count_primes, starts, stops, timeout=120))},
                       rounds=rounds)


@dataclass
class Heartbeat:
    """Beats every `interval` s on the running event loop; a long gap means the loop was blocked."""

    interval: float = 0.01
    gaps: list[float] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    def __post_init__(self) -> None:
        self.interval = check_seconds("interval", self.interval, minimum=0.001, maximum=1.0)
        self._task: asyncio.Task[None] | None = None
        self._start = self._last = 0.0
        self._beats = 0

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self._record(time.perf_counter())
            self._beats += 1

    def _record(self, now: float) -> None:
        self.gaps.append(now - self._last)
        self.times.append(now - self._start)
        self._last = now

    async def __aenter__(self) -> Heartbeat:
        if self._task is not None:
            raise RuntimeError("this Heartbeat is already running")
        self.gaps.clear()
        self.times.clear()
        self._beats = 0
        self._start = self._last = time.perf_counter()
        self._task = asyncio.get_running_loop().create_task(self._beat())
        return self

    async def __aexit__(self, *exc: object) -> None:
        now = time.perf_counter()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        if now - self._last >= self.interval:
            self._record(now)  # the last stretch: if the loop was blocked until now, this shows it
        self.elapsed = now - self._start

    @property
    def beats(self) -> int:
        """How many times the heartbeat coroutine got to run."""
        return self._beats

    @property
    def max_gap(self) -> float:
        """The longest time between two beats: how long the loop was kept busy at most."""
        return max(self.gaps, default=0.0)

    def __str__(self) -> str:
        return (f"longest gap between beats {format_seconds(self.max_gap)} "
                f"during {format_seconds(self.elapsed)}")


# The seed article's pattern: asyncio.get_event_loop().run_until_complete(...) at module level.
SEED_RAN = "ran without a warning"
SEED_WARNED = "ran, with a DeprecationWarning"
SEED_FAILED = "failed with RuntimeError (no current event loop)"


def seed_outcome(returncode: int, stdout: str, stderr: str) -> str:
    """Classify a run of the seed's script from its exit status and output."""
    if returncode != 0:
        return SEED_FAILED if "RuntimeError" in stderr else f"failed (exit status {returncode})"
    return SEED_WARNED if "DeprecationWarning" in stderr else SEED_RAN


def documented_seed_outcomes(version: tuple[int, int] | None = None) -> set[str]:
    """What the Python docs say the seed's pattern does on a version (3.14 made it an error)."""
    version = tuple(sys.version_info[:2]) if version is None else tuple(version)  # type: ignore[assignment]
    if version >= (3, 14):
        return {SEED_FAILED}
    if version >= (3, 12):
        return {SEED_WARNED}
    return {SEED_RAN, SEED_WARNED}  # deprecated in the docs since 3.10; 3.10.0-3.11.0 warned

