"""Dask and joblib plumbing: scheduler and worker processes on 127.0.0.1 that always shut down.

Imports only the standard library at import time; dask, distributed, joblib and psutil are
imported inside the functions that need them, so `import helpers.distributed` stays light.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .validation import check_int, check_timeout

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MAX_WORKERS = 64
DEFAULT_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
# Last-resort guards if the kernel itself is killed: the scheduler exits after this much idle
# time and a worker exits this long after losing its scheduler.
SCHEDULER_IDLE_TIMEOUT = "10 minutes"
WORKER_DEATH_TIMEOUT = "30 seconds"


def quiet_dask_logging() -> None:
    """Keep distributed's INFO/WARNING chatter (and that of processes started here) off stderr."""
    import logging

    os.environ["DASK_LOGGING__DISTRIBUTED"] = "error"  # inherited by worker processes
    for name in ("distributed", "bokeh", "tornado"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _child_env() -> dict[str, str]:
    """The environment for scheduler and workers: quiet logs, and `helpers` importable."""
    env = dict(os.environ)
    env["DASK_LOGGING__DISTRIBUTED"] = "error"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    env.pop("PYTHONSTARTUP", None)
    return env


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_process(proc: subprocess.Popen, timeout: float = STOP_TIMEOUT) -> None:
    """Terminate proc and every process it started; kill whatever is left after `timeout`."""
    import psutil  # here, not at import time

    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        family = []
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)
    _, alive = psutil.wait_procs(family, timeout=timeout)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(alive, timeout=timeout)


def _wait_for_scheduler_file(path: Path, proc: subprocess.Popen, log: Path, deadline: float) -> str:
    """The scheduler's address, read from the file it writes once it listens."""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the dask scheduler exited with code {proc.returncode}:\n{_log_tail(log)}")
        try:
            return str(json.loads(path.read_text())["address"])
        except (OSError, ValueError, KeyError):
            time.sleep(0.05)
    raise TimeoutError(f"the dask scheduler did not start in time:\n{_log_tail(log)}")


@dataclass
class LocalServers:
    """A dask scheduler and its workers running as separate processes on this machine."""

    address: str
    n_workers: int
    processes: list[subprocess.Popen] = field(default_factory=list, repr=False)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]


@contextlib.contextmanager
def scheduler_and_workers(n_workers: int, *, threads_per_worker: int = 1,
                          timeout: float = DEFAULT_TIMEOUT) -> Iterator[LocalServers]:
    """Start `dask scheduler` and `dask worker` processes on 127.0.0.1; stop them all on exit.

    Yields once every worker has joined the scheduler. Their logs go to a temporary folder (not
    to the notebook), which is deleted afterwards; a failed start raises with the log's tail.
    """
    n_workers = check_int("n_workers", n_workers, minimum=1, maximum=MAX_WORKERS)
    threads_per_worker = check_int("threads_per_worker", threads_per_worker, minimum=1, maximum=256)
    timeout = check_timeout(timeout)
    deadline = time.monotonic() + timeout
    started: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="course-dask-") as tmp:
        folder = Path(tmp)
        scheduler_file = folder / "scheduler.json"
        logs = {name: folder / f"{name}.log" for name in ("scheduler", "workers")}
        try:
            with open(logs["scheduler"], "wb") as log:
                started.append(_start([
                    "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                    "--no-dashboard", "--dashboard-address", "127.0.0.1:0",  # /health, /metrics
                    "--scheduler-file", str(scheduler_file),
                    "--idle-timeout", SCHEDULER_IDLE_TIMEOUT], log))
            address = _wait_for_scheduler_file(scheduler_file, started[0], logs["scheduler"], deadline)
            with open(logs["workers"], "wb") as log:
                started.append(_start([
                    "-m", "distributed.cli.dask_worker", address, "--host", "127.0.0.1",
                    "--nworkers", str(n_workers), "--nthreads", str(threads_per_worker),
                    "--no-dashboard", "--dashboard-address", "127.0.0.1:0",
                    "--local-directory", str(folder / "workers"),
                    "--death-timeout", WORKER_DEATH_TIMEOUT], log))
            _wait_for_workers(address, n_workers, started[1], logs["workers"], deadline)
            yield LocalServers(address, n_workers, started)
        finally:
            for proc in reversed(started):  # workers first, then the scheduler
                stop_process(proc)


def _start(args: Sequence[str], log: object) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, env=_child_env(), cwd=str(PROJECT_ROOT))


def _wait_for_workers(address: str, n_workers: int, proc: subprocess.Popen, log: Path,
                      deadline: float) -> None:
    """Block until n_workers have registered with the scheduler at address, or raise."""
    from distributed import Client

    with Client(address, timeout=max(1.0, deadline - time.monotonic())) as client:
        while len(client.scheduler_info(n_workers=-1)["workers"]) < n_workers:
            if proc.poll() is not None:
                raise RuntimeError(f"the dask workers exited with code {proc.returncode}:\n{_log_tail(log)}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"only some dask workers joined in time:\n{_log_tail(log)}")
            time.sleep(0.1)


def stop_loky() -> None:
    """Shut down joblib's reusable loky workers now, instead of after their idle timeout (300 s).

    `get_reusable_executor()` is loky's public handle on its one reusable executor (it hands back
    a fresh, idle one if joblib's is gone), and `shutdown(wait=True)` ends its workers. loky's
    resource-tracker process keeps running: neither joblib nor loky offers a public way to stop
    it (joblib issue #1786). It exits with this process; tests/test_distributed.py checks that.
    """
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)


@contextlib.contextmanager
def loky_parallel(**options: object) -> Iterator[object]:
    """A joblib `Parallel` on loky whose workers and temporary folder are gone when the block ends.

    joblib keeps its memmapping folder in /dev/shm until the interpreter exits; here it gets a
    temporary folder of ours instead, removed after `stop_loky()`.
    """
    from joblib import Parallel

    with tempfile.TemporaryDirectory(prefix="course-joblib-", ignore_cleanup_errors=True) as folder:
        try:
            with Parallel(backend="loky", temp_folder=folder, **options) as parallel:
                yield parallel
        finally:
            stop_loky()


def loky_workers() -> list[int]:
    """Pids of joblib's loky worker processes that are children of this process, still running."""
    import psutil

    pids = []
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if any("LokyProcess" in part for part in child.cmdline()):
                pids.append(child.pid)
    return pids
