"""Deterministic CPU-bound workloads whose serial and parallel results can be compared exactly."""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass
from typing import Any

from .validation import check_int, check_seconds, check_size, check_span

# Counting primes just above ten million keeps the cost per number nearly flat across a window,
# so equal-sized slices take equal time (near zero, big numbers cost far more than small ones).
PRIME_WINDOW_START = 10_000_000


def is_prime(n: int) -> bool:
    """Trial division by 6k +/- 1: deliberately plain Python, so it keeps one core busy."""
    if n < 2:
        return False
    if n < 4:
        return True
    if n % 2 == 0 or n % 3 == 0:
        return False
    k = 5
    while k * k <= n:
        if n % k == 0 or n % (k + 2) == 0:
            return False
        k += 6
    return True


def count_primes(start: int, stop: int) -> int:
    """How many primes lie in [start, stop)."""
    start, stop = check_span(start, stop)
    return sum(1 for n in range(start, stop) if is_prime(n))


def prime_window(size: int, start: int = PRIME_WINDOW_START) -> tuple[int, int]:
    """The standard prime-counting job of `size` numbers: (start, stop)."""
    size = check_size("size", size, minimum=1)
    return start, start + size


def split_range(start: int, stop: int, parts: int) -> list[tuple[int, int]]:
    """Split [start, stop) into `parts` contiguous slices whose lengths differ by at most one."""
    start = check_int("start", start)
    stop = check_int("stop", stop, minimum=start)
    parts = check_int("parts", parts, minimum=1, maximum=max(1, stop - start))
    length, extra = divmod(stop - start, parts)
    bounds, lo = [], start
    for i in range(parts):
        hi = lo + length + (1 if i < extra else 0)
        bounds.append((lo, hi))
        lo = hi
    return bounds


@dataclass(frozen=True)
class Tagged:
    """A worker's result together with the process that computed it and when."""

    value: Any
    pid: int
    started: float
    finished: float

    @property
    def seconds(self) -> float:
        return self.finished - self.started


def count_primes_tagged(start: int, stop: int) -> Tagged:
    """count_primes, tagged with the worker's pid and wall-clock start/finish times."""
    started = time.time()
    value = count_primes(start, stop)
    return Tagged(value, os.getpid(), started, time.time())


def count_primes_into(queue: Any, part: int, start: int, stop: int) -> None:
    """Process target: count primes in [start, stop) and put (part, pid, count) on `queue`."""
    queue.put((part, os.getpid(), count_primes(start, stop)))


def task_seeds(root_seed: int, tasks: int) -> list[int]:
    """One independent seed per task, derived from one root seed (reproducible, never repeated)."""
    import numpy as np

    root_seed = check_int("root_seed", root_seed)
    tasks = check_size("tasks", tasks, minimum=1)
    children = np.random.SeedSequence(root_seed).spawn(tasks)
    return [int(child.generate_state(1, dtype=np.uint64)[0]) for child in children]


def monte_carlo_hits(samples: int, seed: int) -> int:
    """Random points in the unit square that fall inside the quarter circle (pure Python)."""
    samples = check_size("samples", samples)
    rng = random.Random(seed)
    draw = rng.random
    hits = 0
    for _ in range(samples):
        x, y = draw(), draw()
        if x * x + y * y <= 1.0:
            hits += 1
    return hits


def estimate_pi(hits: int, samples: int) -> float:
    """pi estimated from quarter-circle hits."""
    samples = check_int("samples", samples, minimum=1)
    return 4.0 * hits / samples


def busy_wait(seconds: float) -> int:
    """Keep one core busy for `seconds` (a task of known size), return the worker's pid."""
    seconds = check_seconds("seconds", seconds)
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        pass
    return os.getpid()


def worker_pid(_: object = None) -> int:
    """The pid of the process running this task (to show which worker did what)."""
    return os.getpid()
