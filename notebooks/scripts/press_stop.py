"""What JupyterLab's stop button (SIGINT to the whole process group) does to process work.

Run by notebook 10 in a process group of its own, which then gets SIGINT once both workers are
inside a task:  python scripts/press_stop.py KIND PATTERN [START_METHOD]
  KIND     process | pool | executor
  PATTERN  plain   (what most code does)
           robust  (workers ignore SIGINT in their initializer; the parent catches
                    KeyboardInterrupt and stops the work itself)
Each worker prints "started <pid>" when a task begins. Every wait has a timeout. The script
prints what happened as "report: ..." lines.
"""

import multiprocessing as mp
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from helpers.failures import announce_and_sleep, ignore_sigint

TASK = 2.0       # seconds per task: longer than the harness waits before pressing "stop"
TASKS = 6        # tasks for the pools: some run, the rest wait in the queue


def report(*parts):
    print("report:", *parts, flush=True)


def run_processes(ctx, robust):
    workers = [ctx.Process(target=announce_and_sleep, args=(TASK, robust)) for _ in range(2)]
    for w in workers:
        w.start()
    try:
        for w in workers:
            w.join(timeout=30)
        report("parent: not interrupted")
    except KeyboardInterrupt:
        report("parent: KeyboardInterrupt")
    for w in workers:
        w.join(timeout=30)
    codes = [w.exitcode for w in workers]
    report("worker exit codes:", codes, "(0: finished its task, 1: died of KeyboardInterrupt)")


def run_pool(ctx, robust):
    initializer = ignore_sigint if robust else None
    with ctx.Pool(2, initializer=initializer) as pool:
        pending = pool.map_async(announce_and_sleep, [TASK] * TASKS, chunksize=1)
        try:
            pending.get(timeout=30)
            report("parent: not interrupted")
        except KeyboardInterrupt:
            report("parent: KeyboardInterrupt")
            if robust:
                pool.terminate()  # stop now: every worker, running and queued tasks
                report("parent: pool.terminate() called")
                return
        time.sleep(0.5)  # the pool replaces dead workers meanwhile
        try:
            pending.get(timeout=2 * TASK)  # never: its interrupted tasks are gone
            report("the interrupted map() still returned: True")
        except mp.TimeoutError:
            report("the interrupted map() still returned: False (its interrupted tasks are lost)")
        try:
            pool.apply_async(announce_and_sleep, (0.0,)).get(timeout=10)
            report("the pool runs a new task: True")
        except mp.TimeoutError:
            report("the pool runs a new task: False")


def run_executor(ctx, robust):
    initializer = ignore_sigint if robust else None
    pool = ProcessPoolExecutor(3, mp_context=ctx, initializer=initializer)
    for warm in [pool.submit(announce_and_sleep, 0.5) for _ in range(3)]:
        warm.result(timeout=30)  # three workers started; now two get a long task, one stays idle
    futures = [pool.submit(announce_and_sleep, TASK) for _ in range(2)]
    futures += [pool.submit(announce_and_sleep, TASK) for _ in range(TASKS - 2)] if robust else []
    try:
        try:
            [f.result(timeout=30) for f in futures]
            report("parent: not interrupted")
        except KeyboardInterrupt:
            report("parent: KeyboardInterrupt")
            if robust:
                report("parent: shutdown(cancel_futures=True)")
                return
        for f in futures:
            try:
                f.result(timeout=30)
            except BaseException:  # noqa: BLE001,S110 - we only look at how each one ended
                pass
        report("no task finished:", all(f.exception(timeout=0) is not None for f in futures))
        time.sleep(1.0)  # the executor's manager thread notices the dead idle worker
        try:
            pool.submit(announce_and_sleep, 0.0).result(timeout=10)
            report("the executor runs a new task: True")
        except BrokenProcessPool:
            report("the executor runs a new task: False (BrokenProcessPool)")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # queued tasks dropped, running ones awaited
        if robust:
            cancelled = sum(f.cancelled() for f in futures)
            finished = sum(f.done() and not f.cancelled() and f.exception() is None for f in futures)
            report("after shutdown, every task finished or was cancelled (none lost):",
                   finished + cancelled == TASKS)


if __name__ == "__main__":
    # Ctrl-C as a kernel or a terminal sees it, even when this was started from a shell that
    # ignores SIGINT for background jobs (Python then installs no handler of its own).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    kind, pattern = sys.argv[1], sys.argv[2]
    method = sys.argv[3] if len(sys.argv) > 3 else "spawn"
    ctx = mp.get_context(method)
    {"process": run_processes, "pool": run_pool, "executor": run_executor}[kind](ctx, pattern == "robust")
    report("parent: done, exit code 0")
