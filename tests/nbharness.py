"""pytest plugin for the notebooks: private Jupyter settings, leak checks, per-notebook timings.

Loaded through `-p tests.nbharness` (pyproject.toml) so its hooks see nbval's notebook items.
After the last cell of each notebook it checks that the kernel has no child process left (the
multiprocessing resource tracker and fork server excepted: they end with the kernel). Then it
shuts the kernel down the way a clean Python exit and JupyterLab would (see `_shutdown_kernel`),
before nbval's own teardown, and checks that no process the kernel ever started is still alive,
that no new `sem.*`, `psm_*` or `wnsm_*` entry is left in /dev/shm, and that no resource-tracker
warning (a leak the tracker had to clean up) appeared on the kernel's stderr or in any output.

Why the harness shuts the kernel down itself: nbval stops a kernel with
`km.shutdown_kernel(now=True)` (nbval/kernel.py, RunningKernel.stop), which jupyter_client turns
into SIGKILL for the kernel's whole process group (manager.py `_async_kill_kernel` ->
provisioning/local_provisioner.py `kill` -> `send_signal` -> `os.killpg`; the kernel is its own
session leader, launcher.py `start_new_session=True`). That kills the multiprocessing resource
tracker in the same instant as the kernel, so neither the kernel's finalizers (SemLock._cleanup,
multiprocessing/synchronize.py) nor the tracker's own clean-up (resource_tracker.py `main`) ever
unlink the named semaphores of Queues/Locks still alive in the notebook: they stay in /dev/shm.
"""

from __future__ import annotations

import atexit
import os
import re
import tempfile
import time
from pathlib import Path

import psutil
import pytest

SHM = Path("/dev/shm")
LEAK_PREFIXES = ("sem.", "psm_", "wnsm_")  # named semaphores, shared_memory blocks (POSIX, Windows)
# Helpers that end with the kernel. loky's tracker has no public stop (joblib issue #1786).
INFRASTRUCTURE = ("multiprocessing.resource_tracker", "multiprocessing.forkserver",
                  "loky.backend.resource_tracker")
GRACE_SECONDS = 10.0
EXIT_HANDLERS_TIMEOUT = 30.0
# ipykernel's shutdown signals its children progressively (SIGTERM, then SIGKILL after ~14 s);
# loky's resource tracker ignores SIGTERM, so a kernel that used joblib needs that long to exit.
# With jupyter_client's default 5 s the kernel is SIGTERMed before its exit handlers run, and
# loky's tracker then reports the temporary folders joblib registered as leaked. A clean kernel
# still exits in well under a second.
SHUTDOWN_WAIT_SECONDS = 30.0
# What the resource tracker writes when it had to clean up after someone (or could not):
# "resource_tracker: There appear to be N leaked semaphore objects to clean up at shutdown",
# "resource_tracker: process died unexpectedly, relaunching.  Some resources might leak.",
# "resource_tracker: '/psm_x': [Errno 2] ...", "ResourceTracker called reentrantly ... might leak".
TRACKER_WARNING = re.compile(r"resource_tracker: .*|ResourceTracker called reentrantly.*")

# Run in the kernel just before it is asked to shut down: the exit handlers a plain `python`
# process runs at exit. ipykernel's shutdown_request handler (kernelbase.py `_at_shutdown` ->
# `_progressively_terminate_all_children`) first signals every child in its process group,
# the resource tracker included (SIGTERM, which the tracker ignores, for ~14 s, then SIGKILL), and
# jupyter_client sends SIGTERM to the group after shutdown_wait_time/2, so the kernel never
# reaches atexit: its live Queues' semaphores would be left to the tracker, or to nobody. Running
# multiprocessing's own exit function first (finalizers unlink the semaphores of objects still
# alive, as at any interpreter exit) and then stopping the tracker (which unlinks, and warns about,
# whatever was registered and never unlinked, e.g. a SharedMemory block) restores the order of a
# normal exit. Nothing is unlinked here that a normal `python` exit would not unlink too.
EXIT_HANDLERS = """\
import multiprocessing.resource_tracker as _nbharness_rt
import multiprocessing.util as _nbharness_util
_nbharness_util._exit_function()
getattr(_nbharness_rt._resource_tracker, "_stop", lambda: None)()
"""

_private_dirs: tempfile.TemporaryDirectory[str] | None = None
_state: dict[str, dict] = {}
_durations: dict[str, float] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Keep Jupyter, IPython and matplotlib settings out of the user's home, and joblib's temporary
    folders out of /dev/shm, during tests."""
    global _private_dirs
    _private_dirs = tempfile.TemporaryDirectory(prefix="multicore-tests-", ignore_cleanup_errors=True)
    atexit.register(_private_dirs.cleanup)  # after IPython's own exit handlers, which write there
    root = Path(_private_dirs.name)
    for variable, name in [("JUPYTER_CONFIG_DIR", "jupyter-config"), ("JUPYTER_DATA_DIR", "jupyter-data"),
                           ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"), ("IPYTHONDIR", "ipython"),
                           ("MPLCONFIGDIR", "matplotlib"), ("", "kernel-stderr"),
                           # joblib's memmapping folders (a kernel that used loky leaves empty ones in
                           # /dev/shm after it shuts down; cause not yet found)
                           ("JOBLIB_TEMP_FOLDER", "joblib")]:
        (root / name).mkdir()
        if variable:
            os.environ[variable] = str(root / name)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    _capture_kernel_stderr(root / "kernel-stderr")
    # Unit tests follow the same start method as the notebooks (COURSE_START_METHOD, else spawn),
    # so the fork and forkserver rows of the test matrix exercise the helpers under them too.
    from helpers.course import use_start_method

    use_start_method()


def _capture_kernel_stderr(folder: Path) -> None:
    """Send each nbval kernel's stderr to a file here instead of nbval's /dev/null.

    nbval starts kernels with `stderr=open(os.devnull, 'w')` (nbval/kernel.py, RunningKernel),
    and ipykernel does not forward the kernel's file descriptors to the notebook while
    PYTEST_CURRENT_TEST is set (ipykernel/iostream.py, OutStream `_should_watch`), so whatever is
    written to file descriptor 2 (by the kernel's resource tracker, which inherits it, by spawned
    children, by the kernel itself outside a cell) was lost. The file is read after shutdown.
    """
    try:
        import nbval.kernel
    except ImportError:
        return
    original = nbval.kernel.start_new_kernel
    if getattr(original, "nbharness", False):
        return

    def start_new_kernel(*args, **kwargs):
        devnull = kwargs.pop("stderr", None)
        if hasattr(devnull, "close"):
            devnull.close()
        fd, name = tempfile.mkstemp(prefix="kernel-", suffix=".stderr", dir=folder)
        with os.fdopen(fd, "w") as log:  # the kernel keeps its own copy of the descriptor
            km, kc = original(*args, stderr=log, **kwargs)
        km.nbharness_stderr = Path(name)
        return km, kc

    start_new_kernel.nbharness = True
    nbval.kernel.start_new_kernel = start_new_kernel


def _is_notebook_cell(item: pytest.Item) -> bool:
    return type(item).__name__ == "IPyNbCell"


def _kernel_process(item: pytest.Item) -> psutil.Process | None:
    kernel = getattr(item.parent, "kernel", None)
    try:
        return psutil.Process(kernel.km.provisioner.process.pid)  # type: ignore[union-attr]
    except (AttributeError, psutil.Error):
        return None


def _is_infrastructure(proc: psutil.Process) -> bool:
    try:
        command = " ".join(proc.cmdline())
    except psutil.Error:
        return True
    return any(name in command for name in INFRASTRUCTURE)


def _describe(procs: list[psutil.Process]) -> str:
    lines = []
    for proc in procs:
        try:
            lines.append(f"  pid {proc.pid}: {' '.join(proc.cmdline())[:150]}")
        except psutil.Error:
            lines.append(f"  pid {proc.pid}: (gone)")
    return "\n".join(lines)


def shm_entries() -> set[str]:
    """Named semaphores and shared-memory blocks now in /dev/shm (every one, whoever made it)."""
    try:
        return {name for name in os.listdir(SHM) if name.startswith(LEAK_PREFIXES)}
    except OSError:
        return set()


def holders(names: set[str]) -> dict[str, list[int]]:
    """For each name, the live processes that have it mapped (a leak has none; a live run does)."""
    found: dict[str, list[int]] = {name: [] for name in names}
    for proc in psutil.process_iter():
        try:
            maps = proc.memory_maps(grouped=True)
        except (psutil.Error, OSError):
            continue
        for m in maps:
            name = Path(m.path).name
            if m.path.startswith(str(SHM) + "/") and name in found:
                found[name].append(proc.pid)
    return found


LOKY_CREATOR = re.compile(r"^sem\.loky-(\d+)-")


def foreign(names: set[str], held: dict[str, list[int]], ours: set[int]) -> set[str]:
    """Entries that a live program outside this test session still owns (/dev/shm is shared).

    An entry is another program's only while it is still in use there: every process that maps
    it is alive and not ours, or (loky's names say who made them, `sem.loky-<pid>-...`) its
    creator is alive and not ours. An entry nobody maps any more is a leak, whoever made it.
    """
    def other(pid: int) -> bool:
        return pid not in ours and psutil.pid_exists(pid)

    result = set()
    for name in names:
        creator = LOKY_CREATOR.match(name)
        if (held[name] and all(other(pid) for pid in held[name])) or (creator and other(int(creator[1]))):
            result.add(name)
    return result


def _our_pids(state: dict) -> set[int]:
    me = psutil.Process()
    pids = {me.pid, *state["seen"], *state.get("kernel_pids", ())}
    try:
        pids.update(p.pid for p in me.children(recursive=True))
    except psutil.Error:
        pass
    return pids


def tracker_warnings(text: str) -> list[str]:
    """The tracker's warnings in this text (not the source line `warnings` prints after each)."""
    return [m.group(0).strip() for line in text.splitlines()
            if not line.strip().startswith("warnings.warn(") and (m := TRACKER_WARNING.search(line))]


def _wait_gone(procs: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(procs, timeout=seconds)
    return [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Remember every process each cell's kernel started; after the last cell, insist they ended."""
    if not _is_notebook_cell(item):
        return (yield)
    key = str(item.parent.path)
    state = _state.setdefault(key, {"seen": {}, "shm": shm_entries(), "warnings": [],
                                    "start": time.perf_counter()})
    try:
        result = yield
    finally:
        for out in getattr(item, "test_outputs", None) or []:  # the cell's stdout/stderr streams
            state["warnings"] += tracker_warnings(str(out.get("text", "")))
    kernel = _kernel_process(item)
    if kernel is None:
        return result
    state.setdefault("stderr", getattr(item.parent.kernel.km, "nbharness_stderr", None))
    state.setdefault("kernel_pids", set()).add(kernel.pid)
    try:
        children = kernel.children(recursive=True)
    except psutil.Error:
        return result
    for child in children:
        state["seen"][child.pid] = child
    if item.nextitem_is_other_notebook:  # set in pytest_runtest_protocol below
        workers = [c for c in children if not _is_infrastructure(c)]
        left = _wait_gone(workers, GRACE_SECONDS)
        if left:
            message = (f"{item.parent.name}: child processes still running after the last cell "
                       f"(every process must end with the cell that started it):\n{_describe(left)}")
            for proc in left:
                proc.kill()
            pytest.fail(message)
    return result


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    item.nextitem_is_other_notebook = nextitem is None or nextitem.parent is not item.parent


def graceful_shutdown(km, kc) -> tuple[list[str], int | None]:
    """Run multiprocessing's exit handlers in the kernel, then shut it down as JupyterLab does.

    JupyterLab's "Shut Down Kernel" (jupyter_server DELETE /api/kernels/<id>) and nbconvert
    --execute end in `KernelManager.shutdown_kernel(now=False)`: SIGINT to the process group, a
    shutdown_request on the control channel, SIGTERM to the group after shutdown_wait_time/2,
    SIGKILL only after shutdown_wait_time. Returns the problems seen and the kernel's exit status.
    """
    problems = []
    try:
        msg_id = kc.execute(EXIT_HANDLERS, silent=True, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + EXIT_HANDLERS_TIMEOUT
        while True:
            reply = kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"].get("status") != "ok":
            problems.append("multiprocessing's exit handlers failed in the kernel: "
                            f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}")
    except Exception as error:  # queue.Empty on timeout
        problems.append(f"multiprocessing's exit handlers did not finish within "
                        f"{EXIT_HANDLERS_TIMEOUT:.0f} s in the kernel ({type(error).__name__})")
    process = km.provisioner.process if km.provisioner else None
    kc.stop_channels()
    km.shutdown_wait_time = SHUTDOWN_WAIT_SECONDS
    km.shutdown_kernel(now=False)
    return problems, (process.returncode if process is not None else None)


def _shutdown_kernel(notebook, state: dict) -> None:
    """Shut the notebook's kernel down gracefully; nbval's teardown then finds it dead and skips
    its `now=True` kill."""
    running = getattr(notebook, "kernel", None)
    km = getattr(running, "km", None)
    if km is None or not km.is_alive():
        return
    state["shm_at_end"] = shm_entries() - state["shm"]  # names, in case the tracker removes them
    problems, status = graceful_shutdown(km, running.kc)
    state["problems"] += problems
    if status not in (0, None):
        state["kernel_exit"] = status


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """Once the notebook's kernel is shut down, nothing it started may survive, nor any segment."""
    last = _is_notebook_cell(item) and getattr(item, "nextitem_is_other_notebook", False)
    state = _state.pop(str(item.parent.path), None) if last else None
    if state is not None:
        state["problems"] = []
        try:
            _shutdown_kernel(item.parent, state)
        except Exception as error:
            state["problems"].append(f"graceful kernel shutdown failed: {error!r}")
    result = yield  # nbval's teardown: it stops the kernel only if it is still alive
    if state is None:
        return result
    _durations[item.parent.name] = time.perf_counter() - state["start"]
    problems = state["problems"]
    orphans = _wait_gone(list(state["seen"].values()), GRACE_SECONDS)  # the resource tracker too
    if orphans:
        problems.append("processes outlived the kernel (orphans):\n" + _describe(orphans))
        for proc in orphans:
            proc.kill()
    stderr = state.get("stderr")
    if stderr is not None and stderr.exists():
        state["warnings"] += tracker_warnings(stderr.read_text(errors="replace"))
    if state["warnings"]:
        problems.append("the multiprocessing resource tracker reported leaks (it cleans up only "
                        "what was registered and never unlinked):\n  "
                        + "\n  ".join(dict.fromkeys(state["warnings"]))
                        + (f"\n  entries new in {SHM} at the last cell: "
                           + ", ".join(sorted(state.get("shm_at_end", ()))) if state.get("shm_at_end") else ""))
    new_entries = shm_entries() - state["shm"]
    if new_entries:
        time.sleep(2.0)  # a resource tracker may still be finishing its clean-up
        new_entries = shm_entries() - state["shm"]
    if new_entries:
        held = holders(new_entries)
        new_entries -= foreign(new_entries, held, _our_pids(state))
    if new_entries:
        problems.append(f"entries left in {SHM} after the kernel shut down: " + ", ".join(
            name + (f" (still mapped by pid {', '.join(map(str, held[name]))})" if held[name] else "")
            for name in sorted(new_entries)))
        # Clean up only after reporting, and only what no live process uses (another test run
        # may share /dev/shm): the test fails either way.
        for name in new_entries:
            if not held[name]:
                try:
                    (SHM / name).unlink(missing_ok=True)
                except OSError:
                    pass
    if problems and "kernel_exit" in state:
        problems.append(f"(the kernel exited with status {state['kernel_exit']})")
    if problems:
        pytest.fail(f"{item.parent.name}: " + "\n".join(problems))
    return result


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Print each notebook's wall time, so slow notebooks are seen before CI times out."""
    if not _durations:
        return
    method = os.environ.get("COURSE_START_METHOD", "spawn (default)")
    terminalreporter.section(f"notebook wall times (start method: {method})")
    for name, seconds in sorted(_durations.items()):
        terminalreporter.write_line(f"{name:<40} {seconds:6.1f} s")
    terminalreporter.write_line(f"{'total':<40} {sum(_durations.values()):6.1f} s")
