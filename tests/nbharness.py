"""pytest plugin for the notebooks: private Jupyter settings, leak checks, per-notebook timings.

Loaded through `-p tests.nbharness` (pyproject.toml) so its hooks see nbval's notebook items.
After the last cell of each notebook it checks that the kernel has no child process left (the
multiprocessing resource tracker and fork server excepted: they end with the kernel), and after
the kernel has shut down, that no process it ever started is still alive and no new shared-memory
segment is left in /dev/shm.
"""

from __future__ import annotations

import atexit
import os
import tempfile
import time
from pathlib import Path

import psutil
import pytest

SHM = Path("/dev/shm")
SHARED_MEMORY_PREFIXES = ("psm_", "wnsm_")
# Helpers that end with the kernel. loky's tracker has no public stop (joblib issue #1786).
INFRASTRUCTURE = ("multiprocessing.resource_tracker", "multiprocessing.forkserver",
                  "loky.backend.resource_tracker")
GRACE_SECONDS = 10.0

_private_dirs: tempfile.TemporaryDirectory[str] | None = None
_state: dict[str, dict] = {}
_durations: dict[str, float] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Keep Jupyter, IPython and matplotlib settings out of the user's home during tests."""
    global _private_dirs
    _private_dirs = tempfile.TemporaryDirectory(prefix="multicore-tests-", ignore_cleanup_errors=True)
    atexit.register(_private_dirs.cleanup)  # after IPython's own exit handlers, which write there
    root = Path(_private_dirs.name)
    for variable, name in [("JUPYTER_CONFIG_DIR", "jupyter-config"), ("JUPYTER_DATA_DIR", "jupyter-data"),
                           ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"), ("IPYTHONDIR", "ipython"),
                           ("MPLCONFIGDIR", "matplotlib")]:
        (root / name).mkdir()
        os.environ[variable] = str(root / name)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    # Unit tests follow the same start method as the notebooks (COURSE_START_METHOD, else spawn),
    # so the fork and forkserver rows of the test matrix exercise the helpers under them too.
    from helpers.course import use_start_method

    use_start_method()


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


def _shm_segments() -> set[str]:
    try:
        return set(os.listdir(SHM))
    except OSError:
        return set()


def _mapped_segments(procs: list[psutil.Process]) -> set[str]:
    """Names in /dev/shm that these processes have mapped (how semaphores are attributed)."""
    names: set[str] = set()
    for proc in procs:
        try:
            maps = proc.memory_maps(grouped=True)
        except (psutil.Error, OSError):
            continue
        names.update(Path(m.path).name for m in maps if m.path.startswith(str(SHM) + "/"))
    return names


def _leaked_segments(before: set[str], mapped: set[str]) -> list[str]:
    """New shared-memory blocks, and semaphores this notebook's processes used, still present.

    Shared-memory blocks (psm_*, wnsm_*) count whenever they are new; named semaphores (sem.*)
    count only if the notebook's own processes mapped them; anything else in /dev/shm (other
    programs' files, joblib's memmap folders) is not ours to judge. A short second look lets
    resource trackers that are still finishing do their clean-up.
    """
    def candidates() -> set[str]:
        return {name for name in _shm_segments() - before
                if name.startswith(SHARED_MEMORY_PREFIXES) or (name.startswith("sem.") and name in mapped)}

    if candidates():
        time.sleep(2.0)
    return sorted(candidates())


def _wait_gone(procs: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(procs, timeout=seconds)
    return [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Remember every process each cell's kernel started; after the last cell, insist they ended."""
    if not _is_notebook_cell(item):
        return (yield)
    key = str(item.parent.path)
    state = _state.setdefault(key, {"seen": {}, "shm": _shm_segments(), "mapped": set(),
                                    "start": time.perf_counter()})
    kernel = _kernel_process(item)
    result = yield
    if kernel is None:
        return result
    try:
        children = kernel.children(recursive=True)
    except psutil.Error:
        return result
    for child in children:
        state["seen"][child.pid] = child
    state["mapped"] |= _mapped_segments([kernel, *children])
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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """Once the notebook's kernel is shut down, nothing it started may survive, nor any segment."""
    result = yield
    if not _is_notebook_cell(item) or not getattr(item, "nextitem_is_other_notebook", False):
        return result
    key = str(item.parent.path)
    state = _state.pop(key, None)
    if state is None:
        return result
    _durations[item.parent.name] = time.perf_counter() - state["start"]
    orphans = _wait_gone(list(state["seen"].values()), GRACE_SECONDS)
    new_segments = _leaked_segments(state["shm"], state["mapped"])
    problems = []
    if orphans:
        problems.append("processes outlived the kernel (orphans):\n" + _describe(orphans))
        for proc in orphans:
            proc.kill()
    if new_segments:
        problems.append(f"shared-memory segments left in {SHM}: {', '.join(new_segments)}")
        for name in new_segments:
            try:
                (SHM / name).unlink(missing_ok=True)
            except OSError:
                pass
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
