"""Checkers for notebook 06 (threads and synchronisation).

Each checker runs the learner's function itself, on its own data, and measures what matters with
its own instruments: a counter that yields the GIL on every read (so an unlocked answer always
loses updates), a lock that counts its acquisitions, a local server that records how many
requests it answered at the same moment. A number the learner types cannot pass.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ..iobound import LatencyServer
from ..threads import YieldingCounter, add_unlocked, finished, lost_updates
from . import Report

RACE_THREADS = 4
RACE_INCREMENTS = 1500
THREAD_TIMEOUT = 60.0


class CountingLock:
    """A `threading.Lock` that counts how often it was acquired (for the checker)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.acquisitions = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        got = self._lock.acquire(blocking, timeout)
        if got:
            self.acquisitions += 1  # under the lock itself: no race here
        return got

    def release(self) -> None:
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    def __enter__(self) -> CountingLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _run_threads(target: Callable[..., Any], args_list: list[tuple], timeout: float) -> tuple[bool, list[BaseException], list[Any]]:
    """Start one thread per args tuple, released together; join within timeout.

    Returns (all finished, errors raised in threads, results in order).
    """
    go = threading.Event()
    errors: list[BaseException] = []
    results: list[Any] = [None] * len(args_list)

    def body(index: int, args: tuple) -> None:
        if not go.wait(timeout):
            return
        try:
            results[index] = target(*args)
        except BaseException as error:  # noqa: BLE001 (reported to the learner)
            errors.append(error)

    threads = [threading.Thread(target=body, args=(i, a), name=f"check-{i}", daemon=True)
               for i, a in enumerate(args_list)]
    for thread in threads:
        thread.start()
    go.set()
    return finished(threads, timeout), errors, results


def check_locked_counter(add_safely: Any, *, threads: int = RACE_THREADS,
                         increments: int = RACE_INCREMENTS) -> Report:
    """Exercise 1: `add_safely(counter, lock, n)` adds 1 to counter.value n times, under lock.

    The checker runs it in `threads` threads on a counter whose every read yields the GIL, with a
    lock that counts its acquisitions; it first shows that the same counter loses updates
    without a lock, so the test can see a race.
    """
    report = Report("Exercise 1 (fix the race with a Lock)")
    if not callable(add_safely):
        report.expect(False, "", "define add_safely(counter, lock, n) as a function, then run this cell again")
        return report
    expected = threads * increments

    control = YieldingCounter()
    _run_threads(add_unlocked, [(control, increments)] * threads, THREAD_TIMEOUT)
    report.expect(lost_updates(control.value, expected) > 0,
                  "the test can see a race: the same job without a lock lost updates",
                  "the unlocked control run lost nothing this time; run the check again")

    counter, lock = YieldingCounter(), CountingLock()
    done, errors, _ = _run_threads(add_safely, [(counter, lock, increments)] * threads, THREAD_TIMEOUT)
    if not report.expect(done, f"all {threads} threads finished",
                         f"some threads were still running after {THREAD_TIMEOUT:g} s: is a lock "
                         "acquired and never released?"):
        return report
    if not report.expect(not errors, "no thread raised an exception",
                         f"a thread raised {type(errors[0]).__name__ if errors else ''}: "
                         f"{errors[0] if errors else ''}"):
        return report
    report.expect(lock.acquisitions > 0, "the lock it was given was used",
                  "the lock was never acquired: use `with lock:` around the read-modify-write")
    report.expect(counter.value == expected,
                  f"0 lost updates: {threads} threads x {increments:,} increments = {expected:,}",
                  f"the counter ends at {counter.value:,}, not {expected:,}: "
                  f"{lost_updates(counter.value, expected):,} updates lost" if counter.value < expected
                  else f"the counter ends at {counter.value:,}, not {expected:,}: add exactly n per call")
    return report


def check_bounded_fetch(fetch_all: Any, *, pages: int = 12, limits: tuple[int, ...] = (2, 3),
                        latency: float = 0.05) -> Report:
    """Exercise 2: `fetch_all(urls, limit)` fetches every url in threads, never more than `limit`
    at once, and returns the pages in order.

    The checker starts its own LatencyServer, which records the most requests it was answering at
    the same moment (`peak_in_flight`): that measured peak must be <= limit, and >= 2 (the
    requests really overlapped, they were not run one by one).
    """
    report = Report("Exercise 2 (bound concurrency with a Semaphore)")
    if not callable(fetch_all):
        report.expect(False, "", "define fetch_all(urls, limit) as a function, then run this cell again")
        return report
    before = threading.active_count()
    for limit in limits:
        with LatencyServer(latency=latency) as server:
            urls = server.urls(pages)
            try:
                pages_got = fetch_all(urls, limit)
            except Exception as error:  # noqa: BLE001 (reported to the learner)
                report.expect(False, "", f"fetch_all(urls, {limit}) raised {type(error).__name__}: {error}")
                return report
            expected = server.expected(pages)
        peak = server.peak_in_flight
        report.expect(isinstance(pages_got, list) and list(pages_got) == expected,
                      f"limit {limit}: all {pages} pages came back, correct and in order",
                      f"limit {limit}: fetch_all should return the {pages} pages as a list, in the "
                      "order of urls")
        report.expect(peak <= limit,
                      f"limit {limit}: the server never saw more than {limit} requests at once "
                      "(its measured peak)",
                      f"limit {limit}: the server saw {peak} requests at once: hold the semaphore "
                      "around each fetch")
        report.expect(peak >= 2,
                      f"limit {limit}: requests overlapped (they ran in threads, not one by one)",
                      f"limit {limit}: the server never saw two requests at once: start several "
                      "threads (e.g. a ThreadPoolExecutor) and use a Semaphore, not a Lock")
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    report.expect(threading.active_count() <= before, "no thread was left running",
                  "threads were still running afterwards: join them (or use the pool in a `with` block)")
    return report
