"""Checkers of notebooks 02 and 03: a right answer passes, each kind of wrong answer says what is wrong."""

import os

import pytest

from helpers.checks.manyprocs import check_exit_codes, check_monte_carlo_processes, expected_hits
from helpers.checks.pools import check_block_counts, check_starmap_prime_count
from helpers.workloads import count_primes, split_range
from tests.realpids import child_pids

CHILDREN = list(child_pids())
START, STOP = 10_000, 12_000
RIGHT = count_primes(START, STOP)
BLOCKS = split_range(START, STOP, 4)
RIGHT_BLOCKS = {b: count_primes(*b) for b in BLOCKS}
OTHERS = list(CHILDREN[:2])
MC = {"samples": 2_000, "root_seed": 1, "processes": 3}
MC_RIGHT = expected_hits(**MC)


def test_starmap_right():
    assert check_starmap_prime_count(RIGHT, OTHERS, START, STOP)


@pytest.mark.parametrize("count, pids, message", [
    (RIGHT + 1, OTHERS, "exactly once"),
    (RIGHT, [os.getpid()] * 2, "child processes"),
    (RIGHT, [1, 1], "not a child process"),
    (None, None, "no answer yet"),
])
def test_starmap_wrong(count, pids, message):
    report = check_starmap_prime_count(count, pids, START, STOP)
    assert not report and message in str(report) and "starmap" in str(report)


def test_starmap_right_when_one_worker_took_every_task():
    """A pool may hand every small task to its first worker: that is still a correct answer."""
    assert check_starmap_prime_count(RIGHT, [OTHERS[0]] * 3, START, STOP)


def test_block_counts_right():
    assert check_block_counts(dict(RIGHT_BLOCKS), OTHERS, BLOCKS)


@pytest.mark.parametrize("counts, pids, message", [
    ({**RIGHT_BLOCKS, BLOCKS[0]: -1}, OTHERS, "wrong counts"),
    ({b: c for b, c in RIGHT_BLOCKS.items() if b != BLOCKS[1]}, OTHERS, "exactly the 4 blocks"),
    ([RIGHT], OTHERS, "should be a dict"),
    (dict(RIGHT_BLOCKS), [os.getpid(), os.getpid()], "child processes"),
    (None, None, "no answer yet"),
])
def test_block_counts_wrong(counts, pids, message):
    report = check_block_counts(counts, pids, BLOCKS)
    assert not report and message in str(report)


def test_monte_carlo_right():
    assert check_monte_carlo_processes(MC_RIGHT, OTHERS + [CHILDREN[2]], **MC)


@pytest.mark.parametrize("hits, pids, message", [
    (MC_RIGHT - 1, OTHERS + [CHILDREN[2]], "seeds[i]"),
    (MC_RIGHT, OTHERS, "one per process"),
    (MC_RIGHT, [os.getpid()] * 3, "child processes"),
    (MC_RIGHT, [OTHERS[0]] * 3, "at least 2"),
    (None, None, "no answer yet"),
])
def test_monte_carlo_wrong(hits, pids, message):
    report = check_monte_carlo_processes(hits, pids, **MC)
    assert not report and message in str(report)


CODES = [0, 3, 0]


def test_exit_codes_right():
    assert check_exit_codes([0, 3, 0], OTHERS + [CHILDREN[2]], CODES)


@pytest.mark.parametrize("exitcodes, pids, message", [
    ([0, None, 0], OTHERS, "join every process"),
    ([0, 0, 3], OTHERS, "expected [0, 3, 0]"),
    ([0, 3, 0], [os.getpid()] * 3, "child processes"),
    (None, None, "no answer yet"),
])
def test_exit_codes_wrong(exitcodes, pids, message):
    report = check_exit_codes(exitcodes, pids, CODES)
    assert not report and message in str(report)
