"""Workers and measurements for starting processes (notebooks on Process and start methods)."""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from typing import Any

from .course import check_start_method
from .lifecycle import raise_unless_clean, start_all, stop
from .timing import Timing, measure
from .validation import check_int, check_processes

JOIN_TIMEOUT = 120.0


def say_hello(name: str) -> None:
    """The seed's style of worker: it prints, which a notebook may never show (see notebook 01)."""
    print(f"hello from {name}, pid {os.getpid()}", flush=True)


def send_pid(conn: Any) -> None:
    """Process target: send this process's pid back through a Pipe connection, then close it."""
    conn.send(os.getpid())
    conn.close()


def exit_with(code: int) -> None:
    """Process target: end the process with a given exit code (quietly, without a traceback)."""
    sys.exit(check_int("code", code, minimum=0, maximum=255))


def do_nothing() -> None:
    """Process target that returns at once: what remains is the cost of starting a process."""


def start_and_join(context: Any, processes: int) -> None:
    """Start `processes` empty processes with a context, then join them all."""
    workers = [context.Process(target=do_nothing) for _ in range(processes)]
    start_all(workers)
    stop(workers, JOIN_TIMEOUT)
    raise_unless_clean(workers, "do-nothing process")


def start_cost(method: str, processes: int = 4, repeats: int = 5) -> Timing:
    """Median wall time to start and join `processes` do-nothing processes with one start method."""
    method = check_start_method(method)
    processes = check_processes(processes)
    return measure(start_and_join, mp.get_context(method), processes, repeats=repeats, warmup=1)


def report_family(queue: Any) -> None:
    """Process target: put (pid, current_process().name, parent_process().pid) on `queue`.

    parent_process() is the process that created this one with multiprocessing, under every
    start method (under forkserver os.getppid() is the fork server instead).
    """
    parent = mp.parent_process()
    queue.put((os.getpid(), mp.current_process().name, None if parent is None else parent.pid))


def first_task(queue: Any) -> None:
    """Process target in a module that imports only the standard library: report the pid at once.

    helpers.numpy_worker.first_task does exactly the same from a module that imports NumPy.
    """
    queue.put(os.getpid())


def first_result(context: Any, target: Any, timeout: float = JOIN_TIMEOUT) -> int:
    """Start one child running target(queue) with a context, wait for its first message (the
    pid it sends), join it, and return that pid: what a worker costs before its first result."""
    queue = context.Queue()
    child = context.Process(target=target, args=(queue,))
    start_all([child])
    try:
        from .manyprocs import collect  # fails fast if the child dies before sending

        (pid,) = collect(queue, [child], 1, timeout)
    finally:
        stop([child], timeout)
        queue.close()
        queue.join_thread()
    raise_unless_clean([child], "first-task process")
    return pid
