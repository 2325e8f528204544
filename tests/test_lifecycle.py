"""helpers.lifecycle: start, join within a timeout, terminate, kill; exit codes reported."""

import multiprocessing as mp
import time

import pytest

from helpers.failures import ignore_sigterm_and_sleep
from helpers.lifecycle import Stopped, raise_unless_clean, start_all, started, stop
from helpers.manyprocs import finish_with
from helpers.workloads import busy_wait


def test_stop_joins_processes_that_finish():
    procs = [mp.Process(target=finish_with, args=(code,)) for code in (0, 3)]
    start_all(procs)
    result = stop(procs, timeout=30)
    assert result == Stopped((0, 3), terminated=0, killed=0) and not result.clean
    assert mp.active_children() == []


def test_stop_terminates_what_does_not_end():
    procs = [mp.Process(target=finish_with, args=(0, 30))]
    start_all(procs)
    result = stop(procs, timeout=0.1)
    assert not procs[0].is_alive() and procs[0].exitcode != 0
    assert result.terminated == 1 and result.killed == 0


@pytest.mark.skipif(not hasattr(mp.Process, "kill"), reason="needs Process.kill")
def test_stop_kills_what_ignores_sigterm():
    ready = mp.Event()
    procs = [mp.Process(target=ignore_sigterm_and_sleep, args=(30, ready))]
    start_all(procs)
    assert ready.wait(30)
    began = time.monotonic()
    result = stop(procs, timeout=0.1)
    assert not procs[0].is_alive() and result.killed == 1
    assert time.monotonic() - began < 20


def test_stop_skips_processes_never_started():
    never = mp.Process(target=finish_with, args=(0,))
    assert stop([never]) == Stopped((None,))


def test_stop_rejects_a_bad_timeout():
    with pytest.raises(ValueError, match="timeout"):
        stop([], timeout=-1)


def test_started_rejects_bad_arguments():
    with pytest.raises(ValueError):
        with started():
            pass
    with pytest.raises(ValueError, match="timeout"):
        with started(mp.Process(target=busy_wait, args=(0,)), timeout=0):
            pass
    assert mp.active_children() == []


def test_started_terminates_a_stuck_process():
    stuck = mp.Process(target=busy_wait, args=(60,))
    began = time.monotonic()
    with started(stuck, timeout=0.5):
        pass
    assert not stuck.is_alive() and time.monotonic() - began < 30
    assert mp.active_children() == []


def test_started_stops_what_it_started_when_a_start_fails():
    first = mp.Process(target=busy_wait, args=(60,))
    broken = mp.Process(target=busy_wait, args=(0,))
    broken.start()  # starting it a second time inside started() fails
    broken.join(30)
    with pytest.raises(AssertionError):
        with started(first, broken, timeout=0.5):
            pass
    assert not first.is_alive()
    assert mp.active_children() == []


def test_raise_unless_clean_names_the_exit_codes():
    procs = [mp.Process(target=finish_with, args=(code,)) for code in (0, 4)]
    start_all(procs)
    stop(procs, timeout=30)
    with pytest.raises(RuntimeError, match=r"worker exit codes \[0, 4\]"):
        raise_unless_clean(procs)
    raise_unless_clean(procs[:1])
