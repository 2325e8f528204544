"""Workers for pools and futures (notebook 03): tiny tasks, slow tasks, set-up, failure, timeouts.

Pool workers import this module, so it imports only the standard library at import time.
"""

from __future__ import annotations

import math
import os
import time

from .lifecycle import stop
from .validation import check_int, check_seconds

# Filled in by `load_small_primes`, once in each pool worker (see the `initializer` section).
_TABLE: list[int] = []
_LARGEST = 0  # the largest number the table can test: (largest prime in it) squared
_SETUPS = 0


def square(x: int) -> int:
    """A tiny task: so cheap that sending it to a worker costs far more than running it."""
    return x * x


def power(base: int, exponent: int) -> int:
    """A task taking two arguments, for `starmap`."""
    return base**exponent


def square_with_pid(x: int) -> tuple[int, int, int]:
    """(x, x*x, pid of the worker): shows which process ran each task."""
    return x, x * x, os.getpid()


def slow_square(x: int, step: float = 0.05) -> tuple[int, int]:
    """(x, x*x) after sleeping (x % 4) * step seconds, so tasks finish out of submission order."""
    time.sleep((x % 4) * check_seconds("step", step, maximum=10))
    return x, x * x


def checked_sqrt(x: float) -> float:
    """Square root that refuses negative input with a ValueError (to show errors in workers)."""
    if x < 0:
        raise ValueError(f"cannot take the square root of {x}: inputs must be >= 0")
    return math.sqrt(x)


def sleep_then_return(seconds: float, value: object = None) -> object:
    """Sleep `seconds` (at most 60), then return `value`: a task that is too slow for a timeout."""
    time.sleep(check_seconds("seconds", seconds, maximum=60))
    return value


def small_primes(limit: int) -> list[int]:
    """Primes below `limit` by the sieve of Eratosthenes."""
    limit = check_int("limit", limit, minimum=2, maximum=10**8)
    sieve = bytearray([1]) * limit
    sieve[0:2] = b"\x00\x00"
    for n in range(2, math.isqrt(limit - 1) + 1):
        if sieve[n]:
            sieve[n * n::n] = bytes(len(range(n * n, limit, n)))
    return [n for n in range(limit) if sieve[n]]


def load_small_primes(limit: int) -> None:
    """Pool initializer: build the prime table once per worker, not once per task."""
    global _TABLE, _LARGEST, _SETUPS
    _TABLE = small_primes(limit)
    _LARGEST = _TABLE[-1] ** 2
    _SETUPS += 1


def is_prime_with_table(n: int) -> tuple[bool, int, int]:
    """(is n prime, worker pid, times this worker ran the initializer), using the worker's table."""
    if not _TABLE:
        raise RuntimeError("no prime table in this worker: start the Pool with "
                           "initializer=load_small_primes")
    if n > _LARGEST:
        raise ValueError(f"n={n} is too large for a table of primes up to {_TABLE[-1]}")
    prime = n >= 2 and all(n % p for p in _TABLE if p * p <= n)
    return prime, os.getpid(), _SETUPS



# --- sharing a Value with pool workers (the right way: the initializer) ------------------------

_COUNTER = None  # set by share_counter, once in each pool worker


def add_into(counter, n: int) -> int:
    """The mistake: a task that takes a multiprocessing.Value as an argument (never gets to run:
    pickling the Value for a task raises RuntimeError in the parent)."""
    with counter.get_lock():
        counter.value += n
    return os.getpid()


def share_counter(counter) -> None:
    """Pool initializer: keep the Value this worker inherited at start-up, for its tasks."""
    global _COUNTER
    _COUNTER = counter


def add_to_shared(n: int) -> int:
    """Add n to the Value the pool's initializer shared (under its lock); return this worker's pid."""
    if _COUNTER is None:
        raise RuntimeError("no shared counter in this worker: start the Pool with "
                           "initializer=share_counter, initargs=(counter,)")
    with _COUNTER.get_lock():
        _COUNTER.value += check_int("n", n, minimum=-10**9, maximum=10**9)
    return os.getpid()


# --- who am I? -------------------------------------------------------------------------------

def start_a_child(seconds: float = 0.0) -> int | None:
    """Start one child process (it sleeps `seconds`), join it, return its exit code.

    In a Pool worker this fails at start(): pool workers are daemonic, and daemonic processes may
    not have children (AssertionError). ProcessPoolExecutor workers are not daemonic (3.9+)."""
    import multiprocessing

    child = multiprocessing.Process(target=time.sleep, args=(check_seconds("seconds", seconds, maximum=10),))
    child.start()  # a Pool worker fails here
    return stop([child], timeout=30).exitcodes[0]


def whoami(_: object = None) -> tuple[int, int | None, bool, str]:
    """(pid, the parent's pid from parent_process(), daemon flag, name) of the process running it."""
    import multiprocessing

    me, parent = multiprocessing.current_process(), multiprocessing.parent_process()
    return os.getpid(), None if parent is None else parent.pid, bool(me.daemon), me.name


# --- the cost of results: word counts ---------------------------------------------------------

VOCABULARY = 2000  # distinct words ("w0" .. "w1999")
WORDS_PER_DOCUMENT = 300
MAX_DOCUMENTS = 10**6


def make_document(index: int) -> list[str]:
    """Document `index`: WORDS_PER_DOCUMENT words drawn from the vocabulary by a fixed rule."""
    index = check_int("index", index, maximum=MAX_DOCUMENTS)
    state = (index * 2654435761 + 1) % 2**32
    words = []
    for _ in range(WORDS_PER_DOCUMENT):
        state = (state * 1103515245 + 12345) % 2**31
        words.append(f"w{(state >> 8) % VOCABULARY}")
    return words


def count_words_in(lo: int, hi: int):
    """One Counter of the words of documents lo .. hi-1: the reduction done inside the worker."""
    from collections import Counter

    lo = check_int("lo", lo, maximum=MAX_DOCUMENTS)
    hi = check_int("hi", hi, minimum=lo, maximum=MAX_DOCUMENTS)
    total: Counter = Counter()
    for index in range(lo, hi):
        total.update(make_document(index))
    return total
