"""Workers and tools for notebook 05: shared counters, shared arrays, Manager and SharedMemory.

Child processes import this module, so it imports only the standard library and numpy.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from multiprocessing import shared_memory
from typing import TYPE_CHECKING, Any

from .lifecycle import stop
from .validation import check_int, check_processes, check_timeout
from .workloads import count_primes

MAX_ARRAY_BYTES = 2 * 2**30
START_TIMEOUT = 60.0  # a worker whose partners never arrive gives up instead of hanging

if TYPE_CHECKING:
    import numpy as np
# NumPy is imported inside the functions that use it: the counter workers then start faster
# under spawn, since their children never import it.


# --- the counter: lost updates, a lock, partial sums --------------------------------------------

def add_unlocked(counter: Any, increments: int, start: Any = None, finish: Any = None) -> None:
    """The seed's worker: `counter.value += 1` with no lock (a read, then a write: updates get lost)."""
    wait_for_all(start)
    for _ in range(increments):
        counter.value += 1
    wait_for_all(finish)


def add_locked(counter: Any, increments: int, start: Any = None, finish: Any = None) -> None:
    """Each increment holds the counter's lock, so no other process can slip in between."""
    wait_for_all(start)
    for _ in range(increments):
        with counter.get_lock():
            counter.value += 1
    wait_for_all(finish)


def add_partial_sum(counter: Any, increments: int, start: Any = None, finish: Any = None) -> None:
    """Count in a local variable; take the lock once, at the end, to add the partial sum."""
    wait_for_all(start)
    local = 0
    for _ in range(increments):
        local += 1
    with counter.get_lock():
        counter.value += local
    wait_for_all(finish)


def add_with_manager(shared: Any, lock: Any, increments: int, start: Any = None, finish: Any = None) -> None:
    """The same count on a Manager dict: every read and write is a message to the manager process."""
    wait_for_all(start)
    for _ in range(increments):
        with lock:
            shared["count"] += 1
    wait_for_all(finish)


def wait_for_all(barrier: Any) -> None:
    """Wait at a Barrier (if one is given) until every worker is there: they start, or end, together."""
    if barrier is not None:
        barrier.wait(START_TIMEOUT)


def run_together(target: Callable[..., Any], args: tuple[Any, ...], processes: int,
                 timeout: float = 120.0) -> float:
    """Run `processes` copies of target(*args, start, finish) at once; seconds from start to finish.

    Neither start-up nor exit is timed: the workers wait at the `start` barrier until all are
    ready and at the `finish` barrier when done. Stragglers are terminated after `timeout`.
    """
    import multiprocessing as mp

    processes = check_processes(processes)
    timeout = check_timeout(timeout)
    start, finish = mp.Barrier(processes + 1), mp.Barrier(processes + 1)
    workers = [mp.Process(target=target, args=(*args, start, finish)) for _ in range(processes)]
    grace = 1.0  # on an error or interrupt, stragglers are terminated after a second
    try:
        for worker in workers:
            worker.start()
        _parent_waits_at(start, workers, timeout)
        began = time.perf_counter()
        _parent_waits_at(finish, workers, timeout)
        seconds = time.perf_counter() - began
        grace = timeout
    finally:
        stop(workers, grace)
    failed = [w.exitcode for w in workers if w.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} worker(s) failed or timed out (exit codes {failed})")
    return seconds


def _parent_waits_at(barrier: Any, workers: list[Any], timeout: float) -> None:
    """barrier.wait(), giving up (and breaking the barrier) if a worker fails or time runs out."""
    passed = threading.Event()
    waiter = threading.Thread(target=_pass, args=(barrier, passed), daemon=True)
    waiter.start()
    deadline = time.monotonic() + timeout
    while not passed.wait(0.05):
        failed = [w.exitcode for w in workers if w.exitcode not in (None, 0)]
        waiting = waiter.is_alive()
        if passed.is_set():  # it passed between the wait above and now
            return
        if failed or time.monotonic() > deadline or not waiting:
            barrier.abort()  # releases every process still waiting, with BrokenBarrierError
            waiter.join(5)
            reason = f"exit codes {failed}" if failed else f"not all arrived within {timeout} s"
            raise RuntimeError(f"worker(s) failed or timed out ({reason})")


def _pass(barrier: Any, passed: threading.Event) -> None:
    try:
        barrier.wait()
        passed.set()
    except threading.BrokenBarrierError:
        pass


# --- Array and RawArray --------------------------------------------------------------------------

def count_primes_into_slot(counts: Any, pids: Any, index: int, start: int, stop: int) -> None:
    """Write the number of primes in [start, stop) to counts[index] and this pid to pids[index]."""
    counts[index] = count_primes(start, stop)
    pids[index] = os.getpid()


def fill_slice(raw: Any, lo: int, hi: int) -> None:
    """Fill raw[lo:hi] (a RawArray of doubles) with sin(i) for each index i: no lock needed,
    because no other process touches these elements."""
    import numpy as np

    view = np.frombuffer(raw, dtype=np.float64)
    view[lo:hi] = np.sin(np.arange(lo, hi, dtype=np.float64))


def sines(n: int) -> np.ndarray:
    """The serial answer for fill_slice: sin(0) .. sin(n-1)."""
    import numpy as np

    n = check_int("n", n, maximum=MAX_ARRAY_BYTES // 8)
    return np.sin(np.arange(n, dtype=np.float64))


# --- SharedMemory with NumPy ---------------------------------------------------------------------

def attach(name: str) -> shared_memory.SharedMemory:
    """Open an existing block by name (not tracked on Python 3.13+: its creator cleans it up)."""
    if sys.version_info >= (3, 13):
        return shared_memory.SharedMemory(name=name, track=False)
    return shared_memory.SharedMemory(name=name)


def sqrt_in_place(name: str, shape: tuple[int, ...], dtype: str, lo: int, hi: int,
                  done: Any = None) -> None:
    """Attach to the block `name`, replace elements [lo, hi) by their square roots, detach.

    Reports (pid, lo, hi) on `done` so the parent knows who did what; only the name crosses over.
    """
    import numpy as np

    shm = attach(name)
    try:
        array = np.ndarray(shape, dtype=np.dtype(dtype), buffer=shm.buf)
        np.sqrt(array[lo:hi], out=array[lo:hi])
        del array  # no view may outlive close()
    finally:
        shm.close()
    if done is not None:
        done.put((os.getpid(), lo, hi))


def segment_exists(name: str) -> bool:
    """True if a shared-memory block with this name still exists (so it was not unlinked)."""
    try:
        shm = attach(name)
    except FileNotFoundError:
        return False
    shm.close()
    return True


# --- SharedMemory with a Pool: attach once per worker --------------------------------------------
# A pool worker that attaches in every task pays shm_open + mmap + close each time, and touches
# freshly mapped pages (page faults) again. The initializer below attaches once per worker and
# keeps the views in module globals for the worker's lifetime.

_block: shared_memory.SharedMemory | None = None
_arrays: Any = None
_attaches = 0


def attach_block(name: str, shape: tuple[int, ...], dtype: str) -> None:
    """Pool initializer: attach to block `name` once, keep a NumPy view of it in this worker."""
    import numpy as np

    global _block, _arrays, _attaches
    _block = attach(name)
    _arrays = np.ndarray(shape, dtype=np.dtype(dtype), buffer=_block.buf)
    _attaches += 1


def sqrt_band(lo: int, hi: int) -> tuple[int, int]:
    """Pool task (after attach_block on a (2, n) block): output[lo:hi] = sqrt(input[lo:hi]).

    Writes into the block with `out=`: no temporary array. Returns (pid, attaches in this worker).
    """
    import numpy as np

    if _arrays is None:
        raise RuntimeError("sqrt_band needs the pool's initializer: Pool(initializer=attach_block, "
                           "initargs=(name, shape, dtype))")
    np.sqrt(_arrays[0, lo:hi], out=_arrays[1, lo:hi])
    return os.getpid(), _attaches


def sqrt_band_attaching(name: str, shape: tuple[int, ...], dtype: str, lo: int, hi: int) -> int:
    """The slower habit: attach to the block in every task, compute the band, detach. Returns pid."""
    import numpy as np

    shm = attach(name)
    try:
        both = np.ndarray(shape, dtype=np.dtype(dtype), buffer=shm.buf)
        np.sqrt(both[0, lo:hi], out=both[1, lo:hi])
        del both  # no view may outlive close()
    finally:
        shm.close()
    return os.getpid()


def sqrt_chunk(chunk: np.ndarray) -> np.ndarray:
    """The copying design: the chunk arrives pickled, its square roots go back pickled."""
    import numpy as np

    return np.sqrt(chunk)


def normalize_rows_band(lo: int, hi: int) -> tuple[int, int]:
    """Pool task (after attach_block on a 2-D block): divide rows lo..hi-1 by their sums, in place.

    Returns (pid, attaches in this worker): the checker of notebook 05's Exercise 2 reads both.
    """
    if _arrays is None:
        raise RuntimeError("normalize_rows_band needs the pool's initializer: "
                           "Pool(initializer=attach_block, initargs=(name, shape, dtype))")
    rows = _arrays[lo:hi]
    rows /= rows.sum(axis=1, keepdims=True)
    return os.getpid(), _attaches


def peak_new_memory(fn: Callable[[], Any]) -> int:
    """Peak of new allocations in this process (all threads, NumPy included) while fn() runs."""
    already = tracemalloc.is_tracing()
    if not already:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline, _ = tracemalloc.get_traced_memory()
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
        del result
    finally:
        if not already:
            tracemalloc.stop()
    return max(0, peak - baseline)


# --- what /dev/shm holds ------------------------------------------------------------------------

SHM_DIR = "/dev/shm"


def shm_entries() -> set[str]:
    """Names in /dev/shm (Linux): `sem.mp-*` are multiprocessing's named semaphores (its Lock,
    Queue, Value...), `psm_*` are SharedMemory blocks. Empty where there is no /dev/shm."""
    try:
        return set(os.listdir(SHM_DIR))
    except OSError:
        return set()


def kind_of_entry(name: str) -> str:
    """'semaphore' (sem.*: a Lock, Queue, Value... still alive; `sem.mp-*` normally, `sem.loky-*`
    once joblib's loky has renamed this process's semaphores), 'shared_memory' (psm_*, or wnsm_*
    on Windows: a SharedMemory block, leaked if nothing uses it), or 'other'."""
    if name.startswith("sem."):
        return "semaphore"
    if name.startswith(("psm_", "wnsm_")):
        return "shared_memory"
    return "other"
