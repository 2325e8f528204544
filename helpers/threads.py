"""Threads and synchronisation (notebook 06): workers, a concurrency probe, a CPU-time meter,
and the words the race and scaling cells print, which depend on whether the GIL is on.

Workers here (`hash_block`, `python_work`) also run in pool processes: this module imports only
the standard library. What the notebook teaches (`threading.Thread`, `Lock`, `Event`, ...) stays
in the notebook's cells; this module holds what would distract from it.
"""

from __future__ import annotations

import hashlib
import random
import statistics
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from .course import gil_enabled
from .validation import check_int, check_seconds, check_size
from .workloads import count_primes

MAX_BLOCK = 256 << 20  # bytes per block


class Counter:
    """A plain shared counter: one attribute, no lock."""

    def __init__(self) -> None:
        self.value = 0


class YieldingCounter:
    """A counter whose every read of `value` lets other threads run before it returns.

    Any read-modify-write of it that is not under a lock loses updates, on every build: the
    checkers use it so that an unlocked answer cannot pass by luck.
    """

    def __init__(self) -> None:
        self._value = 0

    @property
    def value(self) -> int:
        value = self._value
        time.sleep(0)  # give up the GIL between the read and whatever write follows
        return value

    @value.setter
    def value(self, new: int) -> None:
        self._value = new


def add_unlocked(counter: Any, n: int) -> None:
    """n read-modify-writes of counter.value with no lock (the race)."""
    for _ in range(n):
        counter.value += 1


def lost_updates(value: int, expected: int) -> int:
    """How many increments a counter lost."""
    return max(int(expected) - int(value), 0)


def describe_lost(value: int, expected: int) -> str:
    """One stable line: whether updates were lost, and what share (a sanitised percentage)."""
    lost = lost_updates(value, expected)
    if lost == 0:
        return f"lost updates: 0 of {expected:,} (total == expected: True)"
    return f"lost updates: yes, {lost / expected:.0%} of {expected:,} (total == expected: False)"


def plain_increment_verdict(value: int, expected: int, *, gil: bool | None = None) -> str:
    """What the bare `counter.value += 1` run showed, and why it is not safety, by build."""
    gil = gil_enabled() if gil is None else gil
    lost = lost_updates(value, expected)
    if gil:
        if lost == 0:
            return ("lost updates: none this time. With the GIL on, this Python switched threads "
                    "only between whole increments; that is an implementation detail, not a promise "
                    "(the free-threaded build loses them).")
        return (f"lost updates: yes, {lost / expected:.0%} of {expected:,}, even with the GIL on: "
                "`+=` on shared data is never atomic.")
    if lost == 0:
        return ("lost updates: none this time, with the GIL off: luck, not safety; run it again "
                "or with more threads.")
    return (f"lost updates: yes, {lost / expected:.0%} of {expected:,}: with the GIL off, threads "
            "really run at once and `+=` is not atomic.")


def build_note(*, gil: bool | None = None) -> str:
    """The build this kernel runs, in words."""
    gil = gil_enabled() if gil is None else gil
    if gil:
        return ("GIL on: one thread runs Python bytecode at a time; threads overlap only while one "
                "waits (I/O, sleep, a lock) or runs C code that releases the GIL.")
    return ("GIL off (free-threaded build): threads run Python bytecode on several cores at once; "
            "pure-Python work can scale with threads, and every unlocked race shows up.")


class ConcurrencyProbe:
    """A stand-in for a limited resource: `with probe.use(seconds):` counts who is inside.

    `peak` is the most threads that were inside at the same moment, measured by the probe itself
    (under its own lock), so a checker can trust it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.inside = 0
        self.peak = 0
        self.calls = 0

    @contextmanager
    def use(self, seconds: float = 0.02):
        seconds = check_seconds("seconds", seconds, maximum=10)
        with self._lock:
            self.inside += 1
            self.calls += 1
            self.peak = max(self.peak, self.inside)
        try:
            time.sleep(seconds)  # the resource is busy: waiting, not computing
            yield self
        finally:
            with self._lock:
                self.inside -= 1


def make_blocks(count: int, size: int, seed: int = 6) -> list[bytes]:
    """`count` reproducible blocks of random bytes, `size` bytes each."""
    count = check_int("count", count, minimum=1, maximum=1024)
    size = check_size("size", size, minimum=1, maximum=MAX_BLOCK)
    rng = random.Random(seed)
    return [rng.randbytes(size) for _ in range(count)]


def hash_block(block: bytes) -> str:
    """SHA-256 of one block. hashlib releases the GIL while it hashes data of 2048 bytes or more."""
    return hashlib.sha256(block).hexdigest()


def python_work(n: int) -> int:
    """Pure-Python CPU work that holds the GIL throughout: count the primes below n."""
    n = check_int("n", n, minimum=1, maximum=10**8)
    return count_primes(0, n)


class CpuMeter:
    """Wraps a no-argument callable; each call records this process's CPU time (all its threads,
    not child processes) and the wall time it took. `cores` is their median ratio: about 1.0 when
    one thread at a time computed, about N when N threads did. Other programs can only lower it."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        if not callable(fn):
            raise ValueError(f"fn must be callable with no arguments, got {fn!r}")
        self.fn = fn
        self.samples: list[tuple[float, float]] = []

    def __call__(self) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        result = self.fn()
        self.samples.append((time.process_time() - cpu, time.perf_counter() - wall))
        return result

    @property
    def cores(self) -> float:
        if not self.samples:
            raise ValueError("nothing was measured yet: call the meter first")
        return statistics.median(cpu / wall for cpu, wall in self.samples if wall > 0)


def pure_python_claim(speedup: float, cores: float, *, usable: int,
                      gil: bool | None = None) -> tuple[bool, str]:
    """The claim the scaling cell checks for pure-Python work with threads, by build.

    speedup: serial median / threads median; cores: the threads' CpuMeter.cores.
    GIL on: the threads computed about one core at a time (cores under 1.3, whatever other
    programs do) and were not faster than serial (under 1.5x: the margin is for noise). GIL off with 2+ usable cores: threads speed it up (over 1.3x).
    GIL off on one core: nothing to gain, so no claim about speed.
    """
    gil = gil_enabled() if gil is None else gil
    if gil:
        return (cores < 1.3 and speedup < 1.5,
                "with the GIL on, threads ran pure Python one core at a time (no speedup)")
    if usable >= 2:
        return speedup > 1.3, "with the GIL off, threads speed up pure-Python work"
    return True, "with the GIL off but one usable core, no speedup is to be expected"


def finished(threads: list[threading.Thread], timeout: float = 30.0) -> bool:
    """Join every thread within one shared deadline; True when none is still alive."""
    timeout = check_seconds("timeout", timeout, maximum=600)
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(timeout=max(deadline - time.monotonic(), 0.0))
    return not any(thread.is_alive() for thread in threads)
