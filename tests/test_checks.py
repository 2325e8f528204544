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


def test_default_processes_checker_judges_the_four_machines():
    from helpers.checks import start

    right = {"laptop": 8, "pinned": 4, "container": 2, "hub": 1}
    report = start.check_default_processes(right)
    assert report and "one core cannot show a speedup" in str(report)
    assert "os.cpu_count()" in str(start.check_default_processes({**right, "pinned": 32}))
    assert "rounds the quota down" in str(start.check_default_processes({**right, "container": 1}))
    assert "never goes below 1" in str(start.check_default_processes({**right, "hub": 0}))
    assert "no answer yet for hub" in str(start.check_default_processes({k: right[k] for k in right if k != "hub"}))
    assert not start.check_default_processes({**right, "laptop": True})
    assert "no answer" in str(start.check_default_processes(None))
    assert not start.check_default_processes(8)


def test_default_processes_checker_does_not_depend_on_this_machine(monkeypatch):
    """A correct answer passes on one usable core and on sixteen alike."""
    from helpers import cpus
    from helpers.checks import start

    right = {"laptop": 8, "pinned": 4, "container": 2, "hub": 1}
    for cores in (1, 16):
        monkeypatch.setattr(cpus, "affinity_cpus", lambda cores=cores: cores)
        monkeypatch.setattr(os, "cpu_count", lambda cores=cores: cores)
        assert start.check_default_processes(right)


def test_the_exercise_rule_is_usable_cpus_rule(tmp_path, monkeypatch):
    """The checker's figures follow helpers.cpus.usable_cpus() on fake limits."""
    from helpers import cpus
    from helpers.checks.start import MACHINES, usable_from

    for name, m in MACHINES.items():
        monkeypatch.setattr(cpus, "affinity_cpus", lambda m=m: int(m["affinity"]))
        root = tmp_path / name / "cgroup"
        (root / "job").mkdir(parents=True)
        if m["quota"] is not None:
            (root / "job" / "cpu.max").write_text(f"{int(m['quota'] * 100_000)} 100000\n")
        proc = tmp_path / name / "proc_self_cgroup"
        proc.write_text("0::/job\n")
        env = {} if m["cpu_limit"] is None else {"CPU_LIMIT": str(m["cpu_limit"])}
        got = cpus.usable_cpus(env=env, cgroup_root=root, proc_self_cgroup=proc)
        assert got == usable_from(m["affinity"], m["quota"], m["cpu_limit"]), name


def test_colleague_fix_checker():
    from helpers.checks.processes import check_colleague_fix
    from helpers.workloads import count_primes

    right = count_primes(START, STOP)
    assert check_colleague_fix(right, [CHILDREN[0]], 0, START, STOP)
    in_kernel = check_colleague_fix(right, [os.getpid()], 0, START, STOP)
    assert not in_kernel and "target=" in str(in_kernel)
    assert "join" in str(check_colleague_fix(right, [CHILDREN[0]], None, START, STOP))
    assert not check_colleague_fix(right, [1], 0, START, STOP)
    assert not check_colleague_fix(right - 1, [CHILDREN[0]], 0, START, STOP)


def test_first_measurement_checker():
    from helpers.checks.start import check_first_measurement
    from helpers.timing import measure
    from helpers.workloads import count_primes, prime_window

    assert check_first_measurement(measure(count_primes, *prime_window(2_000), repeats=3), size=2_000)
    assert "repeat" in str(check_first_measurement(measure(count_primes, *prime_window(2_000), repeats=1), size=2_000))
    assert "expected" in str(check_first_measurement(measure(count_primes, 0, 10, repeats=3), size=2_000))
    assert not check_first_measurement(1.5, size=2_000)
