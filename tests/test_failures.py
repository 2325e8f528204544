"""Failure demos: deadlocks are detected and stopped, dead workers behave as taught, nothing leaks."""

import logging
import multiprocessing as mp
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from logging.handlers import QueueListener

import pytest

from helpers.failures import (
    WORKER_LOGGER,
    RecordCollector,
    check_plan,
    configure_worker_logging,
    flaky_square,
    ignore_sigterm_and_sleep,
    interrupt_after,
    live_children,
    logged_square,
    read_when_written,
    run_lock_plan,
    sleep_then_pid,
    square_or_die,
    stack_functions,
    stuck_task,
    wait_for_a_lock_nobody_releases,
)

METHODS = [m for m in ("fork", "spawn", "forkserver") if m in mp.get_all_start_methods()]


@pytest.fixture(autouse=True)
def no_children_left():
    yield
    deadline = time.monotonic() + 10
    while live_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not live_children(), "a test left a child process running"


@pytest.fixture(params=METHODS)
def start_method(request):
    before = mp.get_start_method(allow_none=True)
    mp.set_start_method(request.param, force=True)
    yield request.param
    mp.set_start_method(before, force=True)


def test_opposite_lock_orders_deadlock_and_are_stopped(start_method):
    run = run_lock_plan([("A", "B"), ("B", "A")], hold=0.3, timeout=2)
    assert run.deadlocked and not run.finished and run.outcomes == {}
    if os.name == "posix":
        assert run.exitcodes == (-15, -15)


def test_one_global_order_finishes(start_method):
    run = run_lock_plan([("A", "B"), ("B", "C"), ("A", "C")], hold=0.3, timeout=20)
    assert run.finished and not run.deadlocked
    assert run.exitcodes == (0, 0, 0) and len(set(run.pids.values())) == 3


def test_three_way_cycle_deadlocks():
    assert run_lock_plan([("A", "B"), ("B", "C"), ("C", "A")], timeout=2).deadlocked


@pytest.mark.parametrize("plan", [None, [], "AB", [("A", "A")], [("A",)], [("A", "")], [(1, 2)],
                                  [("A", "B")] * 17])
def test_bad_plans_are_clear_errors(plan):
    with pytest.raises(ValueError, match="plan|pair|processes"):
        check_plan(plan)


def test_executor_breaks_when_a_worker_dies(start_method):
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(square_or_die, x, 3) for x in range(6)]
        wait(futures, timeout=60)
    assert isinstance(futures[3].exception(), BrokenProcessPool)
    assert all(f.result() == x * x for x, f in enumerate(futures) if f.exception() is None)


def test_pool_map_waits_on_a_dead_worker_until_the_timeout():
    with mp.Pool(processes=2) as pool:
        pending = pool.map_async(partial(square_or_die, poison=2), range(4))
        with pytest.raises(mp.TimeoutError):
            pending.get(timeout=2)


def test_flaky_square_dies_only_on_first_attempt():
    with ProcessPoolExecutor(max_workers=1) as pool:
        assert pool.submit(flaky_square, 4, 2, 4).result(timeout=60) == 16
        broken = pool.submit(flaky_square, 4, 1, 4)
        wait([broken], timeout=60)
    assert isinstance(broken.exception(), BrokenProcessPool)
    assert flaky_square(3, 1, poison=4) == 9 and square_or_die(5) == 25


@pytest.mark.skipif(os.name != "posix", reason="signals: terminate and kill are the same on Windows")
def test_terminate_asks_kill_insists(start_method):
    ready = mp.Event()
    stubborn = mp.Process(target=ignore_sigterm_and_sleep, args=(30, ready))
    polite = mp.Process(target=sleep_then_pid, args=(30,))
    stubborn.start()
    polite.start()
    assert ready.wait(timeout=30)
    polite.terminate()
    stubborn.terminate()
    polite.join(timeout=5)
    stubborn.join(timeout=1)
    assert polite.exitcode == -15 and stubborn.is_alive()
    stubborn.kill()
    stubborn.join(timeout=5)
    assert stubborn.exitcode == -9


@pytest.mark.parametrize("call", [
    lambda: sleep_then_pid(-1),
    lambda: sleep_then_pid(61),
    lambda: sleep_then_pid("1"),
    lambda: ignore_sigterm_and_sleep(1e9),
    lambda: interrupt_after(-1),
    lambda: wait_for_a_lock_nobody_releases(-0.5),
    lambda: read_when_written("x", timeout=-1),
])
def test_bad_durations_are_clear_errors(call):
    with pytest.raises(ValueError, match="seconds"):
        call()


def test_worker_logs_arrive_in_the_parent(start_method):
    log_queue = mp.Queue()
    collector = RecordCollector()
    listener = QueueListener(log_queue, collector)
    listener.start()
    try:
        with mp.Pool(2, initializer=configure_worker_logging, initargs=(log_queue,)) as pool:
            assert pool.map_async(logged_square, [2, -3], chunksize=1).get(timeout=60) == [4, 9]
            pool.close()
            pool.join()
    finally:
        listener.stop()
    log_queue.close()
    messages = sorted(r.getMessage() for r in collector.records)
    assert messages == ["negative input -3: squaring anyway", "squaring -3", "squaring 2"]
    assert all(r.name == WORKER_LOGGER and r.process != os.getpid() for r in collector.records)
    assert {r.levelno for r in collector.records} == {logging.INFO, logging.WARNING}


def test_hung_worker_stack_is_dumped(tmp_path, start_method):
    dump_file = tmp_path / "stack.txt"
    worker = mp.Process(target=stuck_task, args=(str(dump_file), 0.2, 20))
    worker.start()
    try:
        dump = read_when_written(dump_file, timeout=30)
        assert worker.is_alive()
    finally:
        worker.terminate()
        worker.join(timeout=5)
    assert stack_functions(dump)[:2] == ["wait_for_a_lock_nobody_releases (failures.py)",
                                         "stuck_task (failures.py)"]


def test_read_when_written_gives_up(tmp_path):
    assert read_when_written(tmp_path / "never", timeout=0.2) == ""


def test_stack_functions_keeps_package_frames_innermost_first():
    dump = ('Thread 0x1 (most recent call first):\n'
            '  File "/x/helpers/failures.py", line 9 in inner\n'
            '  File "/usr/lib/python3/threading.py", line 3 in wait\n'
            '  File "/x/helpers/failures.py", line 20 in outer\n')
    assert stack_functions(dump) == ["inner (failures.py)", "outer (failures.py)"]


def test_self_deadlock_is_bounded():
    start = time.perf_counter()
    assert wait_for_a_lock_nobody_releases(0.1) is False
    assert time.perf_counter() - start >= 0.1


def test_interrupt_after_raises_keyboard_interrupt():
    # as in a kernel, even if pytest was started where SIGINT is ignored (a background job)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = interrupt_after(0.1)
    try:
        with pytest.raises(KeyboardInterrupt):
            time.sleep(10)
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)


# --- a real SIGINT to a process group; a pipeline whose consumer dies ----------------------

TIMEOUT = 60
SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "notebooks")


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a process group is POSIX")
@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_press_stop_plain_and_robust_pool(method):
    from helpers.failures import press_stop

    plain = press_stop(["scripts/press_stop.py", "pool", "plain", method], started=2, cwd=SCRIPTS)
    assert plain.returncode == 0, plain.stderr
    assert plain.tracebacks == 2
    assert "the interrupted map() still returned: False (its interrupted tasks are lost)" in plain.reports
    robust = press_stop(["scripts/press_stop.py", "pool", "robust", method], started=2, cwd=SCRIPTS)
    assert robust.returncode == 0 and robust.tracebacks == 0
    assert "parent: pool.terminate() called" in robust.reports


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a process group is POSIX")
def test_press_stop_breaks_a_plain_executor_and_not_a_robust_one():
    from helpers.failures import press_stop

    plain = press_stop(["scripts/press_stop.py", "executor", "plain"], started=5, cwd=SCRIPTS)
    assert "the executor runs a new task: False (BrokenProcessPool)" in plain.reports, plain.stdout
    robust = press_stop(["scripts/press_stop.py", "executor", "robust"], started=6, cwd=SCRIPTS)
    assert "after shutdown, every task finished or was cancelled (none lost): True" in robust.reports


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a process group is POSIX")
def test_press_stop_kills_a_script_that_outlives_its_timeout():
    from helpers.failures import press_stop

    started = time.monotonic()
    result = press_stop(["-c", "import time, signal; signal.signal(signal.SIGINT, signal.SIG_IGN); "
                               "print('started 1', flush=True); time.sleep(60)"], started=1, timeout=2)
    assert result.timed_out and time.monotonic() - started < 20


def test_press_stop_validates():
    from helpers.failures import press_stop

    with pytest.raises(ValueError):
        press_stop(["-c", "pass"], started=0)


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_a_dying_consumer_loses_its_job_and_the_rest_can_be_requeued(method):
    import queue as queue_module

    from helpers.failures import consume_jobs

    ctx = mp.get_context(method)
    jobs, results = ctx.Queue(), ctx.Queue()
    for job_id in range(20):
        jobs.put((job_id, job_id))
    jobs.put(None)
    consumer = ctx.Process(target=consume_jobs, args=(jobs, results, 5))
    consumer.start()
    got = {}
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            job_id, value = results.get(timeout=0.5)
            got[job_id] = value
        except queue_module.Empty:
            if consumer.exitcode is not None:
                break
    consumer.join(5)
    assert consumer.exitcode == -9
    assert len(got) <= 5 and 5 not in got           # the job it held never came back
    assert all(got[j] == j * j for j in got)
    jobs.cancel_join_thread()
    # a fresh consumer on fresh queues finishes the rest
    jobs2, results2 = ctx.Queue(), ctx.Queue()
    todo = [j for j in range(20) if j not in got]
    for job_id in todo:
        jobs2.put((job_id, job_id))
    jobs2.put(None)
    second = ctx.Process(target=consume_jobs, args=(jobs2, results2))
    second.start()
    for _ in todo:
        job_id, value = results2.get(timeout=TIMEOUT)
        got[job_id] = value
    second.join(TIMEOUT)
    assert second.exitcode == 0 and got == {j: j * j for j in range(20)}

