"""Checkers of notebook 05: right answers pass, each kind of wrong answer says what is wrong."""

import os
from multiprocessing import shared_memory

import numpy as np

from helpers.checks.sharedmem import check_prime_slots, check_shared_sqrt
from helpers.workloads import count_primes, split_range
from tests.realpids import child_pids

START, STOP = 10_000, 13_000
SLOTS = [count_primes(lo, hi) for lo, hi in split_range(START, STOP, 3)]
CHILDREN = list(child_pids(3))
SHAPE = (6, 10)
RIGHT = np.sqrt(np.arange(60, dtype=np.float64).reshape(SHAPE))


def test_prime_slots_right_answer():
    assert check_prime_slots(SLOTS, CHILDREN, START, STOP, parts=3)


def test_prime_slots_wrong_total_and_unwritten_slot():
    report = check_prime_slots([SLOTS[0], SLOTS[1], 0], CHILDREN[:2] + [0], START, STOP, parts=3)
    assert not report and "still hold 0" in str(report) and "cover the range" in str(report)


def test_prime_slots_wrong_length_and_in_kernel():
    report = check_prime_slots(SLOTS[:2], CHILDREN[:2], START, STOP, parts=3)
    assert not report and "one slot" not in str(report).split("✘")[0]
    report = check_prime_slots(SLOTS, [os.getpid()] * 3, START, STOP, parts=3)
    assert not report and "child processes" in str(report)


def test_prime_slots_not_answered():
    assert "no answer yet" in str(check_prime_slots(None, None, START, STOP, parts=3))


def test_shared_sqrt_right_answer():
    assert check_shared_sqrt(RIGHT.copy(), CHILDREN[:2], "psm_never_created_here", SHAPE)


def test_shared_sqrt_wrong_values_and_shape():
    wrong = RIGHT.copy()
    wrong[-1] = 0
    report = check_shared_sqrt(wrong, CHILDREN[:2], "psm_never_created_here", SHAPE)
    assert not report and "exactly once" in str(report)
    report = check_shared_sqrt(RIGHT.ravel(), CHILDREN[:2], "psm_never_created_here", SHAPE)
    assert not report and "shape" in str(report)


def test_shared_sqrt_block_not_unlinked():
    shm = shared_memory.SharedMemory(create=True, size=64)
    try:
        report = check_shared_sqrt(RIGHT.copy(), CHILDREN[:2], shm.name, SHAPE)
        assert not report and "unlink()" in str(report)
    finally:
        shm.close()
        shm.unlink()


def test_shared_sqrt_one_process_and_unanswered():
    report = check_shared_sqrt(RIGHT.copy(), [CHILDREN[0]] * 2, "psm_never_created_here", SHAPE)
    assert not report and "at least 2" in str(report)
    assert "no answer yet" in str(check_shared_sqrt(None, None, None, SHAPE))
