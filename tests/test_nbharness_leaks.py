"""The notebook harness (tests/nbharness.py) must catch what a notebook leaves in /dev/shm.

Each test writes a tiny notebook, runs pytest (nbval with the harness, exactly as `make test`
runs the course) on it in a subprocess, and checks the verdict. The notebooks write the names of
what they create to a file, so the checks look at those names only: /dev/shm is shared with
whatever else runs on the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
SHM = Path("/dev/shm")

pytestmark = pytest.mark.skipif(not SHM.is_dir(), reason="needs /dev/shm (Linux)")


def run_notebook(tmp_path: Path, *cells: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run the cells as a notebook under nbval and the harness; return pytest's run and names."""
    names_file = tmp_path / "names.json"
    prologue = (f"import json, multiprocessing\nNAMES = {str(names_file)!r}\n"
                "multiprocessing.set_start_method('spawn', force=True)\n"
                "def record(*names):\n"
                "    with open(NAMES, 'w') as f:\n"
                "        json.dump(list(names), f)\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in (prologue, *cells)]
    path = tmp_path / "leaky.ipynb"
    nbformat.write(nb, path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(REPO / "pyproject.toml"), "--rootdir", str(REPO),
         "-q", "-p", "no:cacheprovider", str(path)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    names = json.loads(names_file.read_text()) if names_file.exists() else []
    return run, names


def unlink_left(names: list[str]) -> list[str]:
    """Remove what is still there (after the assertions that matter), and say what that was."""
    left = [name for name in names if (SHM / name).exists()]
    for name in left:
        (SHM / name).unlink(missing_ok=True)
    return left


def test_shared_memory_never_unlinked_fails(tmp_path):
    run, names = run_notebook(tmp_path, (
        "from multiprocessing import shared_memory\n"
        "block = shared_memory.SharedMemory(create=True, size=4096)\n"
        "record(block.name.lstrip('/'))\n"
        "block.close()  # closed, but never unlinked\n"))
    try:
        assert run.returncode != 0, run.stdout
        assert len(names) == 1 and names[0].startswith("psm_")
        assert "resource tracker reported leaks" in run.stdout, run.stdout
        assert "leaked shared_memory objects" in run.stdout, run.stdout
        assert names[0] in run.stdout, "the report names the leaked block"
    finally:
        left = unlink_left(names)
    # The kernel's resource tracker unlinked the block when the kernel shut down (and said so,
    # which is the failure above): nothing should have been left for the test to remove.
    assert left == []


def test_live_queue_in_a_global_passes(tmp_path):
    """Under spawn a Queue's three semaphores are files in /dev/shm while it lives; a clean exit
    (its finalizers) unlinks them. nbval alone SIGKILLs the kernel and left them behind."""
    run, names = run_notebook(tmp_path, (
        "q = multiprocessing.Queue()\n"
        "q.put('kept alive in a global until the kernel stops')\n"
        "record(*('sem.' + s._semlock.name.lstrip('/') for s in (q._rlock, q._wlock, q._sem)))\n"))
    left = unlink_left(names)
    assert run.returncode == 0, run.stdout
    assert len(names) == 3 and all(name.startswith("sem.mp-") for name in names)
    assert left == [], f"left in {SHM}: {left}"


def test_semaphore_of_a_dead_child_fails(tmp_path):
    """A child that exits without running finalizers leaves its Lock to the tracker: a leak."""
    (tmp_path / "leaky_child.py").write_text(
        "import multiprocessing, os\n"
        "def make_lock_and_vanish(names_file):\n"
        "    lock = multiprocessing.Lock()\n"
        "    with open(names_file, 'w') as f:\n"
        "        f.write('[\"sem.' + lock._semlock.name.lstrip('/') + '\"]')\n"
        "    os._exit(0)  # no finalizers: the semaphore is never unlinked by its owner\n")
    run, names = run_notebook(tmp_path, (
        "from leaky_child import make_lock_and_vanish\n"
        "p = multiprocessing.Process(target=make_lock_and_vanish, args=(NAMES,))\n"
        "p.start(); p.join()\n"))
    unlink_left(names)
    assert len(names) == 1, run.stdout
    assert run.returncode != 0, run.stdout
    assert "leaked semaphore objects" in run.stdout, run.stdout
