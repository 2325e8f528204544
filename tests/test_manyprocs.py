"""helpers.manyprocs: the hand-split prime count, its clean-up, and the notebook 02 workers."""

import multiprocessing as mp
import os

import pytest

from helpers.lifecycle import stop
from helpers.manyprocs import (
    collect,
    count_primes_in_processes,
    count_primes_serial,
    finish_with,
    monte_carlo_into,
    os_view,
)
from helpers.workloads import monte_carlo_hits

SIZE = 3_000


@pytest.fixture(params=["fork", "spawn", "forkserver"])
def start_method(request):
    """Run the test under each start method, then restore the previous one."""
    if request.param not in mp.get_all_start_methods():
        pytest.skip(f"{request.param} is not available here")
    previous = mp.get_start_method(allow_none=True)
    mp.set_start_method(request.param, force=True)
    yield request.param
    mp.set_start_method(previous, force=True)


def test_parallel_count_equals_serial_and_leaves_no_children(start_method):
    expected = count_primes_serial(SIZE)
    assert expected > 0
    for processes in (1, 3):
        assert count_primes_in_processes(processes, SIZE) == expected
    assert mp.active_children() == []


def test_more_processes_than_numbers_is_refused():
    with pytest.raises(ValueError, match="parts"):
        count_primes_in_processes(11, 10)


@pytest.mark.parametrize("processes", [0, -1, 2.5, 10_000])
def test_bad_process_counts_are_refused(processes):
    with pytest.raises(ValueError, match="processes"):
        count_primes_in_processes(processes, SIZE)


@pytest.mark.parametrize("size", [0, -5])
def test_bad_sizes_are_refused(size):
    with pytest.raises(ValueError, match="size"):
        count_primes_in_processes(2, size)


def test_collect_fails_fast_when_a_worker_dies():
    results = mp.Queue()
    procs = [mp.Process(target=finish_with, args=(3,))]
    procs[0].start()
    try:
        with pytest.raises(RuntimeError, match="exit codes"):
            collect(results, procs, 1, timeout=30)
    finally:
        stop(procs)
    assert procs[0].exitcode == 3 and mp.active_children() == []


def test_collect_times_out_when_nothing_arrives():
    results = mp.Queue()
    procs = [mp.Process(target=finish_with, args=(0, 0.5))]
    procs[0].start()
    try:
        with pytest.raises(TimeoutError, match="0 of 1"):
            collect(results, procs, 1, timeout=0.2)
    finally:
        stop(procs)
    assert mp.active_children() == []


def test_collect_rejects_a_bad_timeout():
    with pytest.raises(ValueError, match="timeout"):
        collect(mp.Queue(), [], 1, timeout=0)


def test_monte_carlo_into_reports_part_pid_and_hits():
    class Box(list):
        put = list.append

    box = Box()
    monte_carlo_into(box, 4, 1_000, 7)
    assert box == [(4, os.getpid(), monte_carlo_hits(1_000, 7))]


@pytest.mark.parametrize("args", [(-1,), (256,), (0, 61), (0, -1)])
def test_finish_with_refuses_bad_input(args):
    with pytest.raises(ValueError):
        finish_with(*args)


def test_finish_with_exits_with_its_code():
    with pytest.raises(SystemExit) as exit_info:
        finish_with(5)
    assert exit_info.value.code == 5


def test_os_view():
    assert os_view(None) == "never started"
    assert os_view(os.getpid()) in {"running", "sleeping", "disk-sleep"}
    p = mp.Process(target=finish_with, args=(0,))
    p.start()
    p.join(timeout=30)
    assert os_view(p.pid) == "gone (reaped)"


def test_wait_until_ended_does_not_reap(start_method):
    from helpers.manyprocs import wait_until_ended

    procs = [mp.Process(target=finish_with, args=(0, 0.1)) for _ in range(2)]
    for p in procs:
        p.start()
    try:
        assert wait_until_ended(procs, timeout=30)
        expected = {"gone (reaped)"} if start_method == "forkserver" else {"zombie"}
        assert {os_view(p.pid) for p in procs} == expected
    finally:
        stop(procs)
    assert [p.exitcode for p in procs] == [0, 0]


def test_wait_until_ended_times_out():
    from helpers.manyprocs import wait_until_ended

    procs = [mp.Process(target=finish_with, args=(0, 30))]
    procs[0].start()
    try:
        assert not wait_until_ended(procs, timeout=0.2)
    finally:
        stop(procs, timeout=0.1)


def test_forked_workers_repeat_numpy_global_stream_and_seeded_ones_do_not():
    import numpy as np

    from helpers.manyprocs import numpy_global_draws, numpy_seeded_draws, run_each

    if "fork" not in mp.get_all_start_methods():
        pytest.skip("no fork on this platform")
    np.random.random()
    forked = run_each(mp.get_context("fork"), numpy_global_draws, [(3,)] * 3)
    assert [m[0] for m in forked] == [0, 1, 2]
    assert forked[0][2] == forked[1][2] == forked[2][2]
    seeded = run_each(mp.get_context("spawn"), numpy_seeded_draws,
                      [(3, child) for child in np.random.SeedSequence(7).spawn(3)])
    assert len({tuple(m[2]) for m in seeded}) == 3
    assert mp.active_children() == []


def test_run_each_fails_fast_when_a_worker_dies():
    from helpers.manyprocs import finish_with, run_each

    with pytest.raises(RuntimeError):
        run_each(mp.get_context("spawn"), finish_with, [()], timeout=30)  # finish_with(queue, 0) exits badly
    assert mp.active_children() == []
