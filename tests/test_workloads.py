"""Workloads: exact results, splitting, seeds, and clear errors on bad sizes."""

import os

import pytest

from helpers.workloads import (
    busy_wait,
    count_primes,
    count_primes_tagged,
    estimate_pi,
    is_prime,
    monte_carlo_hits,
    prime_window,
    split_range,
    task_seeds,
)


def test_is_prime_small_numbers():
    assert [n for n in range(30) if is_prime(n)] == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]


def test_count_primes_known_values():
    assert count_primes(0, 100) == 25
    assert count_primes(0, 10_000) == 1229
    assert count_primes(5, 5) == 0


@pytest.mark.parametrize("parts", [1, 2, 3, 7])
def test_split_range_covers_exactly_once(parts):
    slices = split_range(10, 1_010, parts)
    assert len(slices) == parts
    assert slices[0][0] == 10 and slices[-1][1] == 1_010
    assert all(a[1] == b[0] for a, b in zip(slices, slices[1:], strict=False))
    lengths = [hi - lo for lo, hi in slices]
    assert max(lengths) - min(lengths) <= 1
    assert sum(count_primes(lo, hi) for lo, hi in slices) == count_primes(10, 1_010)


@pytest.mark.parametrize("call", [
    lambda: split_range(0, 10, 0),
    lambda: split_range(0, 10, -1),
    lambda: split_range(0, 10, 11),
    lambda: split_range(10, 0, 2),
    lambda: count_primes(-5, 10),
    lambda: prime_window(0),
    lambda: prime_window(-100),
    lambda: prime_window(2.5),
    lambda: monte_carlo_hits(-1, 0),
    lambda: busy_wait(-1),
    lambda: task_seeds(0, 0),
])
def test_bad_sizes_are_clear_errors(call):
    with pytest.raises(ValueError, match="must"):
        call()


def test_tagged_result_names_the_process():
    tagged = count_primes_tagged(0, 100)
    assert tagged.value == 25 and tagged.pid == os.getpid() and tagged.seconds >= 0


def test_seeds_are_reproducible_and_distinct():
    assert task_seeds(42, 4) == task_seeds(42, 4)
    assert len(set(task_seeds(42, 100))) == 100
    assert task_seeds(42, 4) != task_seeds(43, 4)


def test_monte_carlo_is_deterministic_per_seed():
    seed = task_seeds(1, 1)[0]
    assert monte_carlo_hits(10_000, seed) == monte_carlo_hits(10_000, seed)
    assert abs(estimate_pi(monte_carlo_hits(20_000, seed), 20_000) - 3.1416) < 0.1
