"""Performance-lab checkers: a right answer passes, each kind of wrong answer says what is wrong."""

import os

from helpers.checks.perf import (
    check_amdahl,
    check_blas_env,
    smallest_processes_for,
)
from tests.realpids import child_pids

CHILDREN = list(child_pids())

def right_amdahl(processes, serial_fraction):
    return 1 / (serial_fraction + (1 - serial_fraction) / processes)


def test_smallest_processes_for():
    assert smallest_processes_for(12, 0.05) == 29
    assert smallest_processes_for(25, 0.05) is None  # beyond the 20x ceiling
    assert smallest_processes_for(1, 0.5) == 1


def test_amdahl_right_answer():
    report = check_amdahl(right_amdahl, 29)
    assert report and "29 processes" in str(report)


def test_amdahl_wrong_formula():
    report = check_amdahl(lambda n, s: n * (1 - s), 29)
    assert not report and "1 / (s + (1 - s) / n)" in str(report)


def test_amdahl_formula_that_crashes_or_returns_nothing():
    assert "raised ZeroDivisionError" in str(check_amdahl(lambda n, s: 1 / 0, 29))
    assert "returned None" in str(check_amdahl(lambda n, s: None, 29))
    assert "should be a function" in str(check_amdahl(None, 29))


def test_amdahl_wrong_count():
    assert "too few" in str(check_amdahl(right_amdahl, 20))
    assert "more than needed" in str(check_amdahl(right_amdahl, 40))
    assert "whole number" in str(check_amdahl(right_amdahl, 29.5))
    assert not check_amdahl(right_amdahl, None)


def test_blas_env_not_answered_or_malformed():
    from helpers.perf import blas_environment

    assert "(pid, threads) pairs" in str(check_blas_env([1, 2], blas_environment()))
    assert "empty" in str(check_blas_env([], blas_environment()))


def test_blas_env_right_answer(monkeypatch):
    from helpers.perf import BLAS_ENV

    for name in BLAS_ENV:
        monkeypatch.delenv(name, raising=False)
    before = check_blas_env.__globals__["blas_environment"]()
    report = check_blas_env([(CHILDREN[0], 1), (CHILDREN[1], 1)], before)
    assert report and "environment is as it was" in str(report)


def test_blas_env_forked_workers_and_a_changed_environment(monkeypatch):
    from helpers.perf import BLAS_ENV, blas_environment

    for name in BLAS_ENV:
        monkeypatch.delenv(name, raising=False)
    before = blas_environment()
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    report = check_blas_env([(CHILDREN[0], 2)], before)
    assert not report
    assert "spawn" in str(report) and "OMP_NUM_THREADS" in str(report)


def test_blas_env_rejects_made_up_pids_and_no_answer():
    from helpers.perf import blas_environment

    assert not check_blas_env([(1, 1)], blas_environment())
    assert not check_blas_env([(os.getpid(), 1)], blas_environment())
    assert "no answer yet" in str(check_blas_env(None, blas_environment()))
    assert "pass `before`" in str(check_blas_env([(CHILDREN[0], 1)], None))
