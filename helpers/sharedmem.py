"""Workers and tools for notebook 05: shared counters, shared arrays, Manager and SharedMemory.

Child processes import this module, so it imports only the standard library and numpy.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import shared_memory
from typing import TYPE_CHECKING, Any

from .lifecycle import stop
from .queues import STOP, tasks_until_stop
from .timing import format_ratio, format_seconds, format_size
from .validation import check_int, check_processes, check_timeout
from .workloads import count_primes, split_range

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


def queue_sqrt_worker(tasks: Any, results: Any, timeout: float = START_TIMEOUT) -> None:
    """Copying design: receive (index, chunk) through a Queue, send back (index, sqrt(chunk))."""
    import numpy as np

    for index, chunk in tasks_until_stop(tasks, timeout):
        results.put((index, np.sqrt(chunk)))


def shared_sqrt_worker(tasks: Any, results: Any, timeout: float = START_TIMEOUT) -> None:
    """Zero-copy design: receive (name, n, lo, hi); read input[lo:hi], write output[lo:hi] in the block."""
    import numpy as np

    for name, n, lo, hi in tasks_until_stop(tasks, timeout):
        shm = attach(name)
        try:
            both = np.ndarray((2, n), dtype=np.float64, buffer=shm.buf)
            np.sqrt(both[0, lo:hi], out=both[1, lo:hi])
            del both
        finally:
            shm.close()
        results.put((lo, hi))


@dataclass(frozen=True)
class TransferComparison:
    """One run of the same job done by copying through Queues and on a SharedMemory block."""

    nbytes: int
    workers: int
    queue_seconds: float
    shared_seconds: float
    copy_in_seconds: float
    queue_peak_bytes: int
    shared_peak_bytes: int
    results_equal: bool

    @property
    def ratio(self) -> float:
        """How many times longer the Queue design took than the shared one."""
        return self.queue_seconds / self.shared_seconds

    def table(self) -> str:
        """Time and extra memory in this kernel for each design."""
        rows = [
            (f"{'design':<28}{'time':>12}{'new memory in kernel':>24}"),
            (f"{'copy through Queues':<28}{format_seconds(self.queue_seconds):>12}"
             f"{format_size(self.queue_peak_bytes):>24}"),
            (f"{'SharedMemory, zero-copy':<28}{format_seconds(self.shared_seconds):>12}"
             f"{format_size(self.shared_peak_bytes):>24}"),
            f"the shared block itself (input and output): {format_size(2 * self.nbytes)}, made once",
            f"one-time copy into the block: {format_seconds(self.copy_in_seconds)}",
            f"Queue time / shared time: {format_ratio(self.ratio)}",
        ]
        return "\n".join(rows)

    def __str__(self) -> str:
        return self.table()


def _finish_workers(workers: list[Any], tasks: Any, timeout: float) -> None:
    for _ in workers:
        tasks.put(STOP)
    stop(workers, timeout)


def compare_queue_and_shared(mebibytes: int = 32, workers: int = 2, repeats: int = 3,
                             timeout: float = 60.0) -> TransferComparison:
    """Square roots of a float64 array by warm workers: chunks copied through Queues, or in place
    on a SharedMemory block. Times are medians; memory is tracemalloc's peak in this process."""
    import multiprocessing as mp

    import numpy as np

    mebibytes = check_int("mebibytes", mebibytes, minimum=1, maximum=MAX_ARRAY_BYTES // 2**20)
    workers = check_processes(workers)
    repeats = check_int("repeats", repeats, minimum=1, maximum=100)
    timeout = check_timeout(timeout)
    n = mebibytes * 2**20 // 8
    data = np.arange(n, dtype=np.float64)
    expected = np.sqrt(data)
    slices = split_range(0, n, workers)

    # Design 1: send each chunk through a Queue and receive its result through another.
    tasks, results = mp.Queue(), mp.Queue()
    pool = [mp.Process(target=queue_sqrt_worker, args=(tasks, results)) for _ in range(workers)]
    for worker in pool:
        worker.start()
    try:
        def by_queue() -> np.ndarray:
            for index, (lo, hi) in enumerate(slices):
                tasks.put((index, data[lo:hi]))
            parts = dict(results.get(timeout=timeout) for _ in slices)
            return np.concatenate([parts[i] for i in range(len(slices))])

        queue_seconds, queue_result = _median_time(by_queue, repeats)
        queue_peak = _peak_bytes(by_queue)
    finally:
        _finish_workers(pool, tasks, timeout)

    # Design 2: one block holds input and output; workers get only its name and their slice.
    tasks, results = mp.Queue(), mp.Queue()
    shm = shared_memory.SharedMemory(create=True, size=2 * data.nbytes)
    pool = [mp.Process(target=shared_sqrt_worker, args=(tasks, results)) for _ in range(workers)]
    try:
        both = np.ndarray((2, n), dtype=np.float64, buffer=shm.buf)
        began = time.perf_counter()
        both[0] = data  # the one copy in
        copy_in = time.perf_counter() - began
        for worker in pool:
            worker.start()

        def in_shared() -> None:
            for lo, hi in slices:
                tasks.put((shm.name, n, lo, hi))
            for _ in slices:
                results.get(timeout=timeout)

        shared_seconds, _ = _median_time(in_shared, repeats)
        shared_peak = _peak_bytes(in_shared)
        shared_equal = bool(np.array_equal(both[1], expected))
        del both
    finally:
        _finish_workers(pool, tasks, timeout)
        shm.close()
        shm.unlink()
    return TransferComparison(
        nbytes=data.nbytes, workers=workers, queue_seconds=queue_seconds,
        shared_seconds=shared_seconds, copy_in_seconds=copy_in,
        queue_peak_bytes=queue_peak, shared_peak_bytes=shared_peak,
        results_equal=bool(np.array_equal(queue_result, expected)) and shared_equal)


def _median_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    result = fn()  # warm-up: children import numpy, pages get touched
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def _peak_bytes(fn: Callable[[], Any]) -> int:
    """Peak of new allocations in this process (all threads, NumPy included) while fn runs."""
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
