"""Exercise checkers: a right answer passes, each kind of wrong answer says what is wrong."""

import os

from helpers.checks import Report
from helpers.checks.processes import check_parallel_prime_count
from helpers.workloads import count_primes
from tests.realpids import child_pids

CHILDREN = list(child_pids())
START, STOP = 10_000, 12_000
RIGHT = count_primes(START, STOP)


def test_report_prints_each_finding():
    report = Report("demo")
    report.expect(True, "good", "bad")
    report.expect(False, "good", "bad")
    assert not report and "✔ good" in str(report) and "✘ bad" in str(report)
    assert not Report("empty"), "a report with no findings must not pass"


def test_parallel_prime_count_right_answer():
    assert check_parallel_prime_count(RIGHT, [CHILDREN[0], CHILDREN[1]], START, STOP)


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


def test_pipe_round_trip_checker():
    from helpers.checks.processes import check_pipe_round_trip

    assert check_pipe_round_trip(CHILDREN[0], 0)
    assert "not been joined" in str(check_pipe_round_trip(CHILDREN[0], None))
    assert "own pid" in str(check_pipe_round_trip(os.getpid(), 0))
    assert not check_pipe_round_trip("123", 0)
    assert "failed" in str(check_pipe_round_trip(CHILDREN[0], 1))


def test_default_processes_checker(monkeypatch):
    from helpers.checks import start

    monkeypatch.setattr(start, "usable_cpus", lambda: 3)
    monkeypatch.setattr(start.os, "cpu_count", lambda: 8)
    assert start.check_default_processes(3)
    assert "os.cpu_count()" in str(start.check_default_processes(8))
    assert not start.check_default_processes(5)
    assert "no answer" in str(start.check_default_processes(None))


def test_first_measurement_checker():
    from helpers.checks.start import check_first_measurement
    from helpers.timing import measure
    from helpers.workloads import count_primes, prime_window

    assert check_first_measurement(measure(count_primes, *prime_window(2_000), repeats=3), size=2_000)
    assert "repeat" in str(check_first_measurement(measure(count_primes, *prime_window(2_000), repeats=1), size=2_000))
    assert "expected" in str(check_first_measurement(measure(count_primes, 0, 10, repeats=3), size=2_000))
    assert not check_first_measurement(1.5, size=2_000)
