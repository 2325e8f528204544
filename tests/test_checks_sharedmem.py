"""Checkers of notebook 05: right answers pass, each kind of wrong answer says what is wrong."""

import os
from multiprocessing import shared_memory

import numpy as np

from helpers.checks.sharedmem import check_normalized_rows, check_prime_slots
from helpers.workloads import count_primes, split_range
from tests.realpids import child_pids

START, STOP = 10_000, 13_000
SLOTS = [count_primes(lo, hi) for lo, hi in split_range(START, STOP, 3)]
CHILDREN = list(child_pids(3))
GRID = np.arange(1, 61, dtype=np.float64).reshape(6, 10)
NORMALIZED = GRID / GRID.sum(axis=1, keepdims=True)


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


def test_normalized_rows_right_answer():
    reports = [(pid, 1) for pid in CHILDREN[:2]]
    assert check_normalized_rows(NORMALIZED.copy(), reports, "psm_never_created_here", GRID)


def test_normalized_rows_one_worker_did_all_is_still_right():
    # a pool may give every band to one early worker: a correct answer must pass
    assert check_normalized_rows(NORMALIZED.copy(), [(CHILDREN[0], 1)] * 3, "psm_never_created_here", GRID)


def test_normalized_rows_wrong_values_and_shape():
    wrong = NORMALIZED.copy()
    wrong[-1] = GRID[-1]
    report = check_normalized_rows(wrong, [(CHILDREN[0], 1)], "psm_never_created_here", GRID)
    assert not report and "unchanged" in str(report)
    report = check_normalized_rows(NORMALIZED.ravel(), [(CHILDREN[0], 1)], "psm_never_created_here", GRID)
    assert not report and "shape" in str(report)


def test_normalized_rows_block_not_unlinked():
    shm = shared_memory.SharedMemory(create=True, size=64)
    try:
        report = check_normalized_rows(NORMALIZED.copy(), [(CHILDREN[0], 1)], shm.name, GRID)
        assert not report and "unlink()" in str(report)
    finally:
        shm.close()
        shm.unlink()


def test_normalized_rows_attached_per_task_or_in_kernel_or_made_up():
    report = check_normalized_rows(NORMALIZED.copy(), [(CHILDREN[0], 1), (CHILDREN[0], 2)],
                                   "psm_never_created_here", GRID)
    assert not report and "initializer" in str(report)
    report = check_normalized_rows(NORMALIZED.copy(), [(os.getpid(), 1)], "psm_never_created_here", GRID)
    assert not report and "this kernel" in str(report)
    report = check_normalized_rows(NORMALIZED.copy(), [(1, 1)], "psm_never_created_here", GRID)
    assert not report and "not a child process" in str(report)
    report = check_normalized_rows(NORMALIZED.copy(), "nonsense", "psm_never_created_here", GRID)
    assert not report and "(pid, attaches)" in str(report)
    assert "no answer yet" in str(check_normalized_rows(None, None, None, GRID))
