"""helpers.validation: one wording of errors for counts, sizes, spans, seconds and timeouts."""

import math

import pytest

from helpers.validation import (
    MAX_SIZE,
    check_int,
    check_processes,
    check_seconds,
    check_size,
    check_span,
    check_timeout,
)
from helpers.workloads import count_primes, prime_window


def test_whole_numbers():
    assert check_int("n", 3) == 3 and check_processes(1) == 1
    for bad in (True, 2.0, "2", None):
        with pytest.raises(ValueError, match="n must be a whole number"):
            check_int("n", bad)
    with pytest.raises(ValueError, match="processes must be between 1 and 256, got 0"):
        check_processes(0)


def test_sizes_and_spans_refuse_absurd_work():
    assert check_size("size", MAX_SIZE) == MAX_SIZE
    with pytest.raises(ValueError, match="size must be between 0"):
        check_size("size", MAX_SIZE + 1)
    assert check_span(10, 20) == (10, 20)
    with pytest.raises(ValueError, match="stop - start must be at most"):
        check_span(0, 10**12)
    with pytest.raises(ValueError, match="stop must be >= 5"):
        check_span(5, 4)


def test_count_primes_refuses_hours_of_work_before_starting():
    with pytest.raises(ValueError, match="at most"):
        count_primes(0, 10**12)
    with pytest.raises(ValueError, match="size"):
        prime_window(10**12)


def test_seconds_and_timeouts():
    assert check_seconds("seconds", 0) == 0.0 and check_timeout(2) == 2.0
    assert check_timeout(0, allow_zero=True) == 0.0
    for bad in (-1, math.nan, math.inf, "1", True):
        with pytest.raises(ValueError, match="seconds"):
            check_seconds("seconds", bad)
    with pytest.raises(ValueError, match=r"timeout must be > 0 and <= 3600 seconds, got 0"):
        check_timeout(0)
    with pytest.raises(ValueError, match="<= 10 seconds"):
        check_seconds("step", 11, maximum=10)
