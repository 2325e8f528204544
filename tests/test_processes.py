"""Process helpers: results, start-cost measurement, clean-up and clear errors."""

import multiprocessing as mp

import pytest

from helpers.processes import (
    count_primes_in_processes,
    primes_in_processes,
    primes_serial,
    start_cost,
)
from helpers.workloads import count_primes


@pytest.fixture(autouse=True)
def no_children_left():
    yield
    assert mp.active_children() == [], "a helper left a child process running"


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_hand_split_matches_serial(processes):
    assert count_primes_in_processes(processes, 1_000, 5_000) == count_primes(1_000, 5_000)


def test_standard_job_in_processes():
    assert primes_in_processes(2, 3_000) == primes_serial(3_000)


@pytest.mark.parametrize("processes", [0, -1, 1.5, "2"])
def test_bad_process_counts(processes):
    with pytest.raises(ValueError, match="processes"):
        count_primes_in_processes(processes, 0, 100)


@pytest.mark.parametrize("method", mp.get_all_start_methods())
def test_start_cost_measures_each_method(method):
    timing = start_cost(method, processes=2, repeats=2)
    assert len(timing.times) == 2 and timing.median > 0


def test_start_cost_rejects_unknown_method():
    with pytest.raises(ValueError, match="not available"):
        start_cost("threads")
