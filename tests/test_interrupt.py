"""JupyterLab's stop button (interrupt) during a process-pool job in a real ipykernel.

JupyterLab's interrupt is POST /api/kernels/<id>/interrupt, which jupyter_server answers with
`KernelManager.interrupt_kernel()` (jupyter_server/services/kernels/handlers.py, `post`;
jupyter_client/multikernelmanager.py, `interrupt_kernel`). For a kernel with interrupt_mode
"signal" (ipykernel's) that is `_async_signal_kernel(SIGINT)` (jupyter_client/manager.py,
`_async_interrupt_kernel`), and LocalProvisioner.send_signal prefers `os.killpg(self.pgid,
signum)` (jupyter_client/provisioning/local_provisioner.py): the kernel runs in its own session
(launcher.py, `start_new_session=True`), so on Linux/macOS SIGINT reaches the kernel AND every
pool worker it started. The tests below call `km.interrupt_kernel()`, the very same call.

Measured (2 workers, tasks of 20 s, interrupt once the workers run them):
- multiprocessing.Pool in a `with` block, plain: KeyboardInterrupt in ~0.2 s under spawn and
  fork; the workers die of their own KeyboardInterrupt (a traceback on the kernel's stderr) and
  `with`'s exit calls terminate(); nothing is left. Tested as written.
- ProcessPoolExecutor in a `with` block, plain: the workers catch KeyboardInterrupt as the
  result of their task (concurrent/futures/process.py `_process_worker` catches BaseException),
  take the next queued task (max_workers + 1 calls are queued and can no longer be cancelled),
  and `with`'s exit, shutdown(wait=True), waits for it: the cell ends only ~20 s (one whole task)
  later, under spawn and fork; a second interrupt ends it (idle workers die in call_queue.get).
  So the executor is tested with the robust pattern: workers ignore SIGINT (initializer), the
  parent catches KeyboardInterrupt, terminates the workers and shuts down with cancel_futures.
"""

from __future__ import annotations

import os
import queue
import time
from pathlib import Path

import psutil
import pytest
from jupyter_client import KernelManager

from tests import nbharness
from tests.interrupt_workers import MARKERS

REPO = Path(__file__).resolve().parents[1]
TASK_SECONDS = 20  # longer than every wait below: a cell that ends did so because of the interrupt
REPLY_TIMEOUT = 10.0

pytestmark = [pytest.mark.interrupt, pytest.mark.timeout(90),
              pytest.mark.skipif(os.name != "posix", reason="SIGINT to a process group is POSIX")]

SETUP = """\
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from tests.interrupt_workers import ignore_sigint, spin
ctx = multiprocessing.get_context({method!r})
"""

JOBS = {
    # The plain pattern: ends cleanly on interrupt.
    "Pool": f"""\
with ctx.Pool(2) as pool:
    pool.map(spin, [{TASK_SECONDS}] * 6)
""",
    # The robust pattern (the plain one waits for a whole task in shutdown, see above).
    # ex._processes: Python 3.14 has ex.terminate_workers() for this.
    "ProcessPoolExecutor": f"""\
with ProcessPoolExecutor(2, mp_context=ctx, initializer=ignore_sigint) as ex:
    try:
        list(ex.map(spin, [{TASK_SECONDS}] * 6))
    except KeyboardInterrupt:
        for worker in list(ex._processes.values()):
            worker.terminate()
        ex.shutdown(wait=True, cancel_futures=True)
        raise
""",
}


def reply_to(kc, msg_id: str, timeout: float) -> dict | None:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            msg = kc.get_shell_msg(timeout=left)
        except queue.Empty:
            return None
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg
    return None


def is_infrastructure(proc: psutil.Process) -> bool:
    return nbharness._is_infrastructure(proc)


@pytest.mark.parametrize("method", ["spawn", "fork"])
@pytest.mark.parametrize("kind", list(JOBS))
def test_interrupt_mid_pool_job(kind, method, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    stderr = tmp_path / "kernel.stderr"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
               **{MARKERS: str(markers)})
    shm_before = nbharness.shm_entries()
    km = KernelManager(kernel_name="python3")
    with open(stderr, "w") as log:
        km.start_kernel(cwd=str(REPO), env=env, stderr=log)
    kc = km.client()
    kc.start_channels()
    seen: dict[int, psutil.Process] = {}
    try:
        kc.wait_for_ready(timeout=60)
        kernel = psutil.Process(km.provisioner.process.pid)
        setup = reply_to(kc, kc.execute(SETUP.format(method=method)), 30)
        assert setup and setup["content"]["status"] == "ok", setup

        job = kc.execute(JOBS[kind])
        deadline = time.monotonic() + 30
        while len(list(markers.iterdir())) < 2:  # both workers are inside a task
            assert time.monotonic() < deadline, "the workers never started their tasks"
            seen.update((c.pid, c) for c in kernel.children(recursive=True))
            time.sleep(0.05)
        seen.update((c.pid, c) for c in kernel.children(recursive=True))
        workers = [p for p in seen.values() if not is_infrastructure(p)]
        assert len(workers) >= 2

        interrupted = time.monotonic()
        km.interrupt_kernel()  # what JupyterLab's stop button ends in
        reply = reply_to(kc, job, REPLY_TIMEOUT)
        took = time.monotonic() - interrupted
        assert reply is not None, f"{kind} under {method}: no reply {REPLY_TIMEOUT} s after the interrupt"
        assert reply["content"]["status"] == "error", reply["content"]
        assert reply["content"]["ename"] == "KeyboardInterrupt", reply["content"]
        assert took < TASK_SECONDS / 2

        left = nbharness._wait_gone(workers, 5.0)
        assert not left, f"workers still running after the interrupt:\n{nbharness._describe(left)}"

        for _ in range(5):  # ipykernel aborts requests that reach it while it still ends the
            outputs = []    # failed one (stop_on_error): a user's next click comes later
            after = kc.execute_interactive("1 + 1", timeout=15, output_hook=outputs.append)
            if after["content"]["status"] != "aborted":
                break
            time.sleep(0.5)
        assert after["content"]["status"] == "ok", after["content"]
        results = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
        assert results == ["2"], outputs

        seen.update((c.pid, c) for c in kernel.children(recursive=True))
        problems, _ = nbharness.graceful_shutdown(km, kc)
        assert not problems, problems
        orphans = nbharness._wait_gone(list(seen.values()), 10.0)  # the resource tracker too
        assert not orphans, f"processes outlived the kernel:\n{nbharness._describe(orphans)}"
        new = nbharness.shm_entries() - shm_before
        if new:
            time.sleep(2.0)
            new = nbharness.shm_entries() - shm_before
            new -= nbharness.foreign(new, nbharness.holders(new), {os.getpid(), kernel.pid, *seen})
        assert not new, f"left in {nbharness.SHM} after the kernel shut down: {sorted(new)}"
        warnings = nbharness.tracker_warnings(stderr.read_text(errors="replace"))
        assert not warnings, warnings
    finally:
        kc.stop_channels()
        if km.has_kernel:
            km.shutdown_kernel(now=True)
        for proc in nbharness._wait_gone(list(seen.values()), 0.1):
            proc.kill()
