"""The joblib exercise checker: a right answer passes; each wrong answer says what is wrong."""

import os

from helpers.checks.engines import check_joblib_prime_count
from helpers.workloads import count_primes
from tests.realpids import child_pids

START, STOP = 10_000, 11_000
RIGHT = count_primes(START, STOP)
CHILDREN = list(child_pids())


def test_right_answer_passes():
    assert check_joblib_prime_count(RIGHT, CHILDREN, START, STOP, 0)


def test_workers_left_running():
    report = check_joblib_prime_count(RIGHT, CHILDREN, START, STOP, 2)
    assert not report and "get_reusable_executor().shutdown(wait=True)" in str(report)


def test_wrong_count_and_missing_cleanup_value():
    report = check_joblib_prime_count(RIGHT + 1, CHILDREN, START, STOP, None)
    assert not report and "exactly once" in str(report) and "len(loky_workers())" in str(report)


def test_ran_in_the_kernel():
    assert not check_joblib_prime_count(RIGHT, [os.getpid()], START, STOP, 0)


def test_a_typed_in_zero_does_not_hide_running_workers():
    from joblib import Parallel, delayed

    from helpers.distributed import loky_workers, stop_loky
    from helpers.workloads import worker_pid

    try:
        pids = Parallel(n_jobs=2, timeout=60)(delayed(worker_pid)(i) for i in range(4))
        assert loky_workers(), "loky keeps its workers after Parallel returns"
        report = check_joblib_prime_count(RIGHT, pids, START, STOP, 0)
        assert not report and "are running now" in str(report)
    finally:
        stop_loky()
    assert check_joblib_prime_count(RIGHT, pids, START, STOP, len(loky_workers())), \
        "right after shutdown(wait=True) no worker is left: the verdict does not depend on timing"
