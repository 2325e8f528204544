"""Process helpers: results, start-cost measurement, clean-up and clear errors."""

import multiprocessing as mp

import pytest

from helpers.processes import start_cost


@pytest.fixture(autouse=True)
def no_children_left():
    yield
    assert mp.active_children() == [], "a helper left a child process running"


@pytest.mark.parametrize("method", mp.get_all_start_methods())
def test_start_cost_measures_each_method(method):
    timing = start_cost(method, processes=2, repeats=2)
    assert len(timing.times) == 2 and timing.median > 0


def test_start_cost_rejects_unknown_method():
    with pytest.raises(ValueError, match="start method"):
        start_cost("threads")


def test_exit_code_and_pid_workers():
    from helpers.processes import exit_with, send_pid

    child = mp.Process(target=exit_with, args=(3,))
    child.start()
    child.join(60)
    assert child.exitcode == 3
    parent_conn, child_conn = mp.Pipe()
    sender = mp.Process(target=send_pid, args=(child_conn,))
    sender.start()
    assert parent_conn.poll(60)
    assert parent_conn.recv() == sender.pid
    sender.join(60)
    assert sender.exitcode == 0


@pytest.mark.parametrize("code", [-1, 256, 1.5])
def test_exit_with_rejects_bad_codes(code):
    from helpers.processes import exit_with

    with pytest.raises(ValueError, match="code"):
        exit_with(code)


@pytest.mark.parametrize("method", mp.get_all_start_methods())
def test_report_family_names_the_child_and_its_parent(method):
    import os

    from helpers.processes import report_family

    ctx = mp.get_context(method)
    queue = ctx.Queue()
    child = ctx.Process(target=report_family, args=(queue,), name="asker")
    child.start()
    pid, name, parent = queue.get(timeout=60)
    child.join(60)
    assert (pid, name, parent) == (child.pid, "asker", os.getpid())


def test_first_result_from_both_worker_modules():
    from helpers import numpy_worker
    from helpers.processes import first_result, first_task

    spawn = mp.get_context("spawn")
    assert first_result(spawn, first_task) > 0
    assert first_result(spawn, numpy_worker.first_task) > 0


def test_first_result_fails_fast_when_the_child_dies():
    from helpers.processes import exit_with, first_result

    with pytest.raises(RuntimeError, match="failed"):
        first_result(mp.get_context("spawn"), exit_with, timeout=30)  # exit_with(queue) is not an int
