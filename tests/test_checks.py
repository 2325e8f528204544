"""Exercise checkers: a right answer passes, each kind of wrong answer says what is wrong."""

import os

from helpers.checks import Report
from helpers.checks.processes import check_parallel_prime_count
from helpers.workloads import count_primes

START, STOP = 10_000, 12_000
RIGHT = count_primes(START, STOP)


def test_report_prints_each_finding():
    report = Report("demo")
    report.expect(True, "good", "bad")
    report.expect(False, "good", "bad")
    assert not report and "✔ good" in str(report) and "✘ bad" in str(report)
    assert not Report("empty"), "a report with no findings must not pass"


def test_parallel_prime_count_right_answer():
    assert check_parallel_prime_count(RIGHT, [os.getpid() + 1, os.getpid() + 2], START, STOP)


def test_parallel_prime_count_wrong_count():
    report = check_parallel_prime_count(RIGHT - 1, [1, 2], START, STOP)
    assert not report and "exactly once" in str(report)


def test_parallel_prime_count_ran_in_the_kernel():
    report = check_parallel_prime_count(RIGHT, [os.getpid(), os.getpid()], START, STOP)
    assert not report and "child processes" in str(report)


def test_parallel_prime_count_one_process_only():
    report = check_parallel_prime_count(RIGHT, [7, 7, 7], START, STOP)
    assert not report and "at least 2" in str(report)


def test_parallel_prime_count_not_answered():
    report = check_parallel_prime_count(None, None, START, STOP)
    assert not report and "no answer yet" in str(report)
