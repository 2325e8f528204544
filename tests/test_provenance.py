"""helpers.provenance and the checkers built on it: real children pass, made-up pids do not."""

import multiprocessing as mp
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest

from helpers import provenance
from helpers.checks import Report, expect_parallel_pids
from helpers.checks.processes import check_parallel_prime_count, check_pipe_round_trip
from helpers.lifecycle import started
from helpers.manyprocs import monte_carlo_into
from helpers.workloads import count_primes, count_primes_tagged, worker_pid

START, STOP = 10_000, 12_000


@pytest.fixture(params=["fork", "spawn", "forkserver"])
def context(request):
    if request.param not in mp.get_all_start_methods():
        pytest.skip(f"{request.param} is not available here")
    return mp.get_context(request.param)


def _verdict(pids, **options):
    report = Report("demo")
    return expect_parallel_pids(report, pids, **options), str(report)


def test_made_up_pids_pid_1_and_this_process_fail():
    assert not _verdict([123456789, 123456788])[0]
    assert not _verdict([1])[0] and "not a child process" in _verdict([1])[1]
    ok, text = _verdict([os.getpid(), 2])
    assert not ok and "this kernel itself" in text
    assert not check_pipe_round_trip(1, 0) and not check_pipe_round_trip(os.getpid(), 0)
    assert not provenance.is_descendant(os.getpid())


def test_children_of_process_pool_and_executor_pass(context):
    results = context.Queue()
    procs = [context.Process(target=monte_carlo_into, args=(results, part, 100, part))
             for part in range(2)]
    with started(*procs):
        from_process = [pid for _, pid, _ in (results.get(timeout=60) for _ in procs)]
    with context.Pool(2) as pool:
        from_pool = pool.map(worker_pid, range(4))
    with ProcessPoolExecutor(2, mp_context=context) as executor:
        from_executor = [r.pid for r in executor.map(count_primes_tagged, [START] * 2, [STOP] * 2)]
    for pids in (from_process, from_pool, from_executor):
        assert _verdict(pids, spread=False)[0], pids
    assert _verdict(from_process)[0]  # two explicit processes: two distinct pids
    assert check_parallel_prime_count(count_primes(START, STOP), from_process, START, STOP)
    assert check_pipe_round_trip(from_process[0], 0)


def test_a_plain_script_without_the_course_setup_sees_its_children():
    code = ("import multiprocessing as mp\n"
            "from helpers.checks import Report, expect_parallel_pids\n"
            "from helpers.workloads import worker_pid\n"
            "if __name__ == '__main__':\n"
            "    with mp.get_context('spawn').Pool(2) as pool:\n"
            "        pids = pool.map(worker_pid, range(4))\n"
            "    r = Report('script'); print(expect_parallel_pids(r, pids, spread=False))\n"
            "    print(expect_parallel_pids(Report('fake'), [1, 2], spread=False))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         check=True).stdout.split()
    assert out == ["True", "False"]


def test_prune_keeps_fresh_records():
    assert provenance.prune(max_age=3600.0) >= 0
    assert provenance.ancestors_of(os.getpid()) is not None
