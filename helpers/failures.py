"""Workers that fail on purpose (deadlock, die, hang, ignore SIGTERM, log) and tools to see it.

Notebook 10 runs these in child processes, always bounded by timeouts. Standard library only.
"""

from __future__ import annotations

import _thread
import faulthandler
import logging
import logging.handlers
import multiprocessing
import os
import queue
import re
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .lifecycle import stop
from .validation import check_int, check_processes, check_seconds

MAX_SLEEP = 60.0  # no demo worker lives longer than this, whatever happens to its parent
WORKER_LOGGER = "course.worker"


# --- Lock ordering -------------------------------------------------------------------------

class Rendezvous:
    """Two barriers that make the lock demo deterministic: start together, then hold together.

    `started` makes every process begin at the same moment; `holding` lets each one wait (at
    most `hold` seconds) until all hold their first lock. With opposite lock orders that always
    ends in a deadlock; with one global order the wait simply times out and everyone finishes.
    """

    def __init__(self, parties: int, hold: float = 0.5, ctx: Any = None) -> None:
        ctx = ctx or multiprocessing.get_context()
        self.parties = check_int("parties", parties, minimum=1, maximum=64)
        self.hold = check_seconds("hold", hold, maximum=10)
        self.started = ctx.Barrier(self.parties)
        self.holding = ctx.Barrier(self.parties)


def transfer(job: str, first: Any, second: Any, rendezvous: Rendezvous, results: Any,
             acquire_timeout: float | None = None) -> None:
    """Take `first`, then `second`, as a bank transfer locks two accounts; report on `results`.

    Puts (job, "done", pid) when both locks were held, or (job, "gave up", pid) when
    `acquire_timeout` was given and the second lock did not come in time.
    """
    try:
        rendezvous.started.wait(timeout=30)
    except threading.BrokenBarrierError:
        pass
    with first:
        try:
            rendezvous.holding.wait(timeout=rendezvous.hold)
        except threading.BrokenBarrierError:
            pass  # not everyone got their first lock: carry on
        if acquire_timeout is None:
            got = second.acquire()  # no timeout: waits for ever if the other process holds it
        else:
            got = second.acquire(timeout=acquire_timeout)
        if not got:
            results.put((job, "gave up", os.getpid()))
            return
        try:
            results.put((job, "done", os.getpid()))
        finally:
            second.release()


@dataclass(frozen=True)
class LockRun:
    """What happened to each job of a lock plan."""

    plan: tuple[tuple[str, str], ...]
    outcomes: dict[int, str]
    pids: dict[int, int]
    exitcodes: tuple[int | None, ...]

    @property
    def finished(self) -> bool:
        return len(self.outcomes) == len(self.plan) and all(o == "done" for o in self.outcomes.values())

    @property
    def deadlocked(self) -> bool:
        """Some process never finished and had to be stopped."""
        return any(code != 0 for code in self.exitcodes)


def check_plan(plan: object) -> tuple[tuple[str, str], ...]:
    """A lock plan: a list of (first, second) lock names, each pair two different names."""
    if not isinstance(plan, Sequence) or isinstance(plan, str) or not plan:
        raise ValueError("a lock plan is a non-empty list of (first, second) lock-name pairs")
    pairs = []
    for pair in plan:
        if (not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2
                or not all(isinstance(name, str) and name for name in pair) or pair[0] == pair[1]):
            raise ValueError(f"each step must be a pair of two different lock names, got {pair!r}")
        pairs.append((pair[0], pair[1]))
    check_processes(len(pairs), maximum=16)
    return tuple(pairs)


def run_lock_plan(plan: Sequence[tuple[str, str]], *, hold: float = 0.3,
                  timeout: float = 3.0) -> LockRun:
    """Run one `transfer` process per (first, second) pair; stop any still stuck after `timeout`."""
    pairs = check_plan(plan)
    timeout = check_seconds("timeout", timeout, maximum=MAX_SLEEP)
    ctx = multiprocessing.get_context()
    locks = {name: ctx.Lock() for pair in pairs for name in pair}
    rendezvous = Rendezvous(len(pairs), hold, ctx)
    results = ctx.Queue()
    processes = [ctx.Process(target=transfer, args=(str(i), locks[a], locks[b], rendezvous, results),
                             name=f"transfer-{i}") for i, (a, b) in enumerate(pairs)]
    outcomes: dict[int, str] = {}
    pids: dict[int, int] = {}
    try:
        for p in processes:
            p.start()
    finally:
        stop(processes, timeout)  # a deadlocked pair is terminated once `timeout` has passed
        while len(outcomes) < len(pairs):
            try:
                job, outcome, pid = results.get(timeout=0.2)
            except queue.Empty:  # nobody else will report
                break
            outcomes[int(job)], pids[int(job)] = outcome, pid
        results.close()
        results.join_thread()
    return LockRun(pairs, outcomes, pids, tuple(p.exitcode for p in processes))


# --- Killed workers ------------------------------------------------------------------------

def die_abruptly() -> None:
    """End this process at once, as the OOM killer or a crash would: no exception, no clean-up."""
    if hasattr(signal, "SIGKILL"):
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(70)  # Windows (no SIGKILL), or if the signal did not end us


def square_or_die(x: int, poison: int | None = None) -> int:
    """x * x, except that the worker process dies on the `poison` value."""
    if poison is not None and x == poison:
        die_abruptly()
    return x * x


def flaky_square(x: int, attempt: int, poison: int | None = None) -> int:
    """x * x; on the first attempt only, the worker handling `poison` dies (a transient crash)."""
    if poison is not None and x == poison and attempt == 1:
        die_abruptly()
    return x * x


def consume_jobs(jobs: Any, results: Any, die_after: int | None = None) -> None:
    """A pipeline consumer: take (job_id, x) from `jobs` until None, put (job_id, x * x) on
    `results`. With `die_after`, the process dies abruptly (SIGKILL) after that many results,
    holding the next job it took: a crash in the middle of a job."""
    if die_after is not None:
        die_after = check_int("die_after", die_after, minimum=0)
    done = 0
    while True:
        item = jobs.get(timeout=MAX_SLEEP)  # bounded: a consumer never outlives a lost parent
        if item is None:
            return
        job_id, x = item
        if die_after is not None and done == die_after:
            die_abruptly()  # the job just taken, and results still in the feeder thread, are lost
        results.put((job_id, x * x))
        done += 1


def sleep_then_pid(seconds: float) -> int:
    """Sleep `seconds` (bounded), return this worker's pid: a task that takes a known time."""
    time.sleep(check_seconds("seconds", seconds, maximum=MAX_SLEEP))
    return os.getpid()


def ignore_sigterm_and_sleep(seconds: float, ready: Any = None) -> None:
    """Sleep (bounded) with SIGTERM ignored, so `terminate()` cannot end it; set `ready` first."""
    seconds = check_seconds("seconds", seconds, maximum=MAX_SLEEP)
    if os.name == "posix":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if ready is not None:
        ready.set()
    time.sleep(seconds)


def announce_and_sleep(seconds: float, ignore_interrupt: bool = False) -> int:
    """Print "started <pid>" (flushed), sleep `seconds` (bounded), return the pid.

    For scripts/press_stop.py: the harness reads the line to know a task is running.
    ignore_interrupt: ignore SIGINT first (for a plain Process, which has no initializer).
    """
    seconds = check_seconds("seconds", seconds, maximum=MAX_SLEEP)
    if ignore_interrupt:
        ignore_sigint()
    print(f"started {os.getpid()}", flush=True)
    time.sleep(seconds)
    return os.getpid()


def ignore_sigint() -> None:
    """Pool initializer: this worker ignores SIGINT (the stop button, Ctrl+C); its parent decides."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@dataclass(frozen=True)
class StopPressed:
    """What a script did when its whole process group got SIGINT (see press_stop)."""

    returncode: int | None
    reports: tuple[str, ...]
    tracebacks: int
    stdout: str
    stderr: str

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


STARTED = re.compile(r"started \d+")


def press_stop(args: Sequence[str], started: int, timeout: float = 60.0,
               cwd: str | Path | None = None) -> StopPressed:
    """Run `python *args` in a process group of its own; once `started` "started <pid>" lines
    have appeared on its output, send SIGINT to the whole group (what the stop button does to a
    kernel on Linux and macOS). Everything is bounded by `timeout`; a script still running then
    gets SIGKILL (returncode None). POSIX only."""
    import subprocess
    import sys

    if os.name != "posix":
        raise OSError("press_stop sends a signal to a process group: Linux and macOS only")
    started = check_int("started", started, minimum=1, maximum=64)
    timeout = check_seconds("timeout", timeout, maximum=300)
    env = dict(os.environ, PYTHONUNBUFFERED="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]),
                                                        os.environ.get("PYTHONPATH")])))
    proc = subprocess.Popen([sys.executable, *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)  # its own group, as a kernel's is
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if len(STARTED.findall("".join(lines))) >= started:
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    returncode: int | None = None
    try:
        if ready.wait(timeout) and proc.poll() is None:
            time.sleep(0.2)                            # let the tasks settle into their sleep
            os.killpg(proc.pid, signal.SIGINT)        # the stop button: the whole group
        stderr = proc.stderr.read() if proc.wait(max(deadline - time.monotonic(), 0.1)) is not None else ""  # type: ignore[union-attr]
        returncode = proc.returncode
    except subprocess.TimeoutExpired:
        stderr = ""
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        else:
            try:
                os.killpg(proc.pid, signal.SIGKILL)   # anything of its group still alive
            except ProcessLookupError:
                pass
        reader.join(10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    stdout = "".join(lines)
    reports = tuple(line[len("report: "):].rstrip("\n") for line in stdout.splitlines()
                    if line.startswith("report: "))
    return StopPressed(returncode, reports, stderr.count("\nKeyboardInterrupt"), stdout, stderr)


def live_children() -> list[multiprocessing.process.BaseProcess]:
    """Child processes of this process that are still running (finished ones are reaped)."""
    return multiprocessing.active_children()


def interrupt_after(seconds: float) -> threading.Timer:
    """Simulate pressing the kernel's stop button (KeyboardInterrupt) after `seconds`."""
    timer = threading.Timer(check_seconds("seconds", seconds, maximum=MAX_SLEEP), _thread.interrupt_main)
    timer.daemon = True
    timer.start()
    return timer


# --- Logging from workers ------------------------------------------------------------------

def configure_worker_logging(log_queue: Any, level: int = logging.INFO) -> None:
    """Pool initializer: send every log record of this worker to `log_queue` (a QueueHandler)."""
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(log_queue)]
    root.setLevel(level)


def logged_square(x: int) -> int:
    """x * x, logging what it does (a warning for negative input) instead of printing."""
    log = logging.getLogger(WORKER_LOGGER)
    log.info("squaring %d", x)
    if x < 0:
        log.warning("negative input %d: squaring anyway", x)
    return x * x


class RecordCollector(logging.Handler):
    """A logging handler that keeps the records it receives (for QueueListener in the parent)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


# --- Finding a hung worker -----------------------------------------------------------------

def wait_for_a_lock_nobody_releases(seconds: float) -> bool:
    """Acquire a plain Lock twice: the second acquire waits (up to `seconds`) for ourselves."""
    lock = threading.Lock()
    lock.acquire()
    return lock.acquire(timeout=check_seconds("seconds", seconds, maximum=MAX_SLEEP))


def stuck_task(dump_path: str, dump_after: float = 0.5, stuck_for: float = 20.0) -> None:
    """A worker that hangs, with a watchdog writing every thread's stack to `dump_path` first."""
    dump_after = check_seconds("dump_after", dump_after, maximum=MAX_SLEEP)
    with open(dump_path, "w") as dump:
        faulthandler.dump_traceback_later(dump_after, repeat=False, file=dump)
        try:
            wait_for_a_lock_nobody_releases(stuck_for)
        finally:
            faulthandler.cancel_dump_traceback_later()


def read_when_written(path: str | Path, timeout: float = 10.0) -> str:
    """The text of `path` once something is written to it (or '' after `timeout` seconds)."""
    deadline = time.monotonic() + check_seconds("timeout", timeout, maximum=MAX_SLEEP)
    path = Path(path)
    while time.monotonic() < deadline:
        try:
            text = path.read_text()
        except OSError:
            text = ""
        if text.strip():
            time.sleep(0.1)  # let the dump finish
            return path.read_text()
        time.sleep(0.05)
    return ""


_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+) in (?P<function>\S+)')


def stack_functions(dump: str, package: str = "helpers") -> list[str]:
    """Function names of the frames in a faulthandler dump that belong to `package`, innermost first."""
    names = []
    for match in _FRAME.finditer(dump):
        parts = Path(match["file"]).parts
        if package in parts:
            names.append(f"{match['function']} ({Path(match['file']).name})")
    return names
