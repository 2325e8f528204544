"""Threads and synchronisation (notebook 06): workers, a concurrency probe, interleaved timing,
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
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .course import gil_enabled
from .timing import format_ratio, format_seconds, measure
from .validation import check_int, check_seconds, check_size
from .workloads import count_primes

MAX_BLOCK = 256 << 20


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


@dataclass(frozen=True)
class Comparison:
    """Interleaved timings of several variants: every round times each once, in a rotating order."""

    times: Mapping[str, tuple[float, ...]]
    results: Mapping[str, Any]
    cpu_times: Mapping[str, tuple[float, ...]] = field(default_factory=dict)

    def median(self, name: str) -> float:
        return statistics.median(self.times[name])

    def cores_used(self, name: str) -> float:
        """Median CPU time of this process (all its threads, not child processes) per wall second
        while `name` ran: about 1.0 when one thread at a time computes, ~N when N threads do."""
        return statistics.median(cpu / wall for cpu, wall in zip(self.cpu_times[name], self.times[name], strict=True))

    def ratio(self, baseline: str, name: str) -> float:
        """How many times faster `name` is than `baseline` (medians)."""
        return self.median(baseline) / self.median(name)

    def table(self, baseline: str | None = None) -> str:
        names = list(self.times)
        baseline = names[0] if baseline is None else baseline
        lines = [f"{'variant':<14} {'median':>9}  {'vs ' + baseline:>12}"]
        for name in names:
            lines.append(f"{name:<14} {format_seconds(self.median(name)):>9}  "
                         f"{format_ratio(self.ratio(baseline, name)):>12}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def compare_interleaved(variants: Mapping[str, Callable[[], Any]], rounds: int = 3,
                        warmup: int = 1) -> Comparison:
    """Warm every variant up untimed, then time `rounds` rounds, each variant once per round, the
    order rotating from round to round (so a slow spell of the machine hits all variants)."""
    rounds = check_int("rounds", rounds, minimum=1, maximum=100)
    warmup = check_int("warmup", warmup, minimum=0, maximum=10)
    if not variants:
        raise ValueError("variants must name at least one callable")
    names = list(variants)
    results: dict[str, Any] = {}
    for name in names:
        for _ in range(warmup):
            results[name] = variants[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            cpu_start = time.process_time()
            timing = measure(variants[name], repeats=1, warmup=0)
            cpu[name].append(time.process_time() - cpu_start)
            times[name].append(timing.best)
            results[name] = timing.result
    return Comparison({n: tuple(t) for n, t in times.items()}, results,
                      {n: tuple(t) for n, t in cpu.items()})


def pure_python_claim(comparison: Comparison, *, usable: int, gil: bool | None = None) -> tuple[bool, str]:
    """The claim the scaling cell checks for pure-Python work with threads, by build.

    GIL on: the threads computed on about one core at a time (this process's CPU time per wall
    second under 1.3, whatever other programs do: they can only lower it), so no speedup.
    GIL off with 2+ usable cores: threads speed it up (over 1.3x). GIL off on one core: nothing
    to gain, so no claim about speed.
    """
    gil = gil_enabled() if gil is None else gil
    if gil:
        return (comparison.cores_used("threads") < 1.3,
                "GIL on: the threads ran pure Python about one core at a time, so no speedup")
    if usable >= 2:
        return comparison.ratio("serial", "threads") > 1.3, "GIL off: threads speed up pure-Python work"
    return True, "GIL off, one usable core: no speedup to expect"


def finished(threads: list[threading.Thread], timeout: float = 30.0) -> bool:
    """Join every thread within one shared deadline; True when none is still alive."""
    timeout = check_seconds("timeout", timeout, maximum=600)
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(timeout=max(deadline - time.monotonic(), 0.0))
    return not any(thread.is_alive() for thread in threads)
