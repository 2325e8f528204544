"""Many processes by hand (notebook 02): workers, and the hand-split prime count as one function.

Child processes import this module to run its workers, so it imports only the standard library
(and `helpers` itself) at import time.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_module
import sys
import time
from typing import Any

from .lifecycle import raise_unless_clean, stop
from .validation import check_int, check_processes, check_seconds, check_timeout
from .workloads import (
    PRIME_WINDOW_START,
    count_primes,
    count_primes_into,
    monte_carlo_hits,
    prime_window,
    split_range,
)

DEFAULT_TIMEOUT = 120.0


def count_primes_serial(size: int, start: int = PRIME_WINDOW_START) -> int:
    """The serial baseline: primes in the standard window of `size` numbers."""
    return count_primes(*prime_window(size, start))


def collect(results: Any, procs: list[Any], expected: int, timeout: float = DEFAULT_TIMEOUT) -> list[Any]:
    """Take `expected` messages from a queue, failing fast if a worker dies or time runs out."""
    expected = check_int("expected", expected, minimum=0)
    timeout = check_timeout(timeout)
    deadline = time.monotonic() + timeout
    messages: list[Any] = []
    while len(messages) < expected:
        try:
            messages.append(results.get(timeout=0.05))
            continue
        except queue_module.Empty:
            pass
        failed = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
        if failed:
            raise RuntimeError(f"a worker process failed (exit codes {failed}) before sending its result")
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {len(messages)} of {expected} results arrived within {timeout} s")
    return messages


def count_primes_in_processes(processes: int, size: int, start: int = PRIME_WINDOW_START,
                              timeout: float = DEFAULT_TIMEOUT) -> int:
    """Notebook 02's hand split as one function: N Processes, one Queue, drain, join all, sum."""
    processes = check_processes(processes)
    parts = split_range(*prime_window(size, start), processes)
    results = mp.Queue()
    procs = [mp.Process(target=count_primes_into, args=(results, part, lo, hi))
             for part, (lo, hi) in enumerate(parts)]
    try:
        for p in procs:
            p.start()
        messages = collect(results, procs, len(procs), timeout)  # drain before join
    finally:
        stop(procs, timeout)
        results.close()
        results.join_thread()
    raise_unless_clean(procs)
    return sum(count for _, _, count in messages)


def monte_carlo_into(results: Any, part: int, samples: int, seed: int) -> None:
    """Process target: count quarter-circle hits for one seed and put (part, pid, hits) on `results`."""
    results.put((part, os.getpid(), monte_carlo_hits(samples, seed)))


def finish_with(code: int, seconds: float = 0.0) -> None:
    """Process target: wait `seconds`, then exit with `code` quietly (no traceback on stderr)."""
    code = check_int("code", code, minimum=0, maximum=255)
    time.sleep(check_seconds("seconds", seconds, maximum=60))
    sys.exit(code)


def os_view(pid: int | None) -> str:
    """How the operating system sees a process now: running, sleeping, zombie, or gone (reaped)."""
    import psutil  # imported here: child processes import this module and must stay light

    if pid is None:
        return "never started"
    try:
        return psutil.Process(pid).status()
    except psutil.NoSuchProcess:
        return "gone (reaped)"


def wait_until_ended(procs: list[Any], timeout: float = 30.0) -> bool:
    """Wait until every process has ended, without joining (reaping) it; False on timeout."""
    from multiprocessing.connection import wait

    deadline = time.monotonic() + check_timeout(timeout)
    pending = [p.sentinel for p in procs]
    while pending and time.monotonic() < deadline:
        ready = wait(pending, timeout=max(0.0, deadline - time.monotonic()))
        pending = [s for s in pending if s not in ready]
    # The sentinel closes while the child is still exiting; give the OS a moment to finish.
    while time.monotonic() < deadline:
        if all(os_view(p.pid) in ("zombie", "dead", "gone (reaped)") for p in procs):
            return True
        time.sleep(0.02)
    return False


def numpy_global_draws(results: Any, part: int, draws: int) -> None:
    """Process target, the mistake: draw from NumPy's global generator (np.random.random) and put
    (part, pid, draws) on `results`. Forked children copy the parent's generator state."""
    import numpy as np  # imported here: this module stays light for spawned children

    draws = check_int("draws", draws, minimum=1, maximum=1_000)
    results.put((part, os.getpid(), [float(x) for x in np.random.random(draws)]))


def numpy_seeded_draws(results: Any, part: int, draws: int, seed: Any) -> None:
    """Process target, the fix: draw from np.random.default_rng(seed), a generator of its own
    (seed: an int or a np.random.SeedSequence), and put (part, pid, draws) on `results`."""
    import numpy as np

    draws = check_int("draws", draws, minimum=1, maximum=1_000)
    rng = np.random.default_rng(seed)
    results.put((part, os.getpid(), [float(x) for x in rng.random(draws)]))


def run_each(context: Any, target: Any, arguments: list[tuple[Any, ...]],
             timeout: float = DEFAULT_TIMEOUT) -> list[Any]:
    """Section 2's pattern as plumbing: one process per argument tuple, each running
    target(queue, part, *args) and putting one (part, ...) message; drain, join all, check exit
    codes; the messages sorted by part."""
    results = context.Queue()
    procs = [context.Process(target=target, args=(results, part, *args))
             for part, args in enumerate(arguments)]
    try:
        for p in procs:
            p.start()
        messages = collect(results, procs, len(procs), timeout)
    finally:
        stop(procs, timeout)
        results.close()
        results.join_thread()
    raise_unless_clean(procs)
    return sorted(messages, key=lambda message: message[0])
