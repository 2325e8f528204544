"""Dask servers on 127.0.0.1 start, run the course's workers and always stop; loky is shut down."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from helpers.distributed import (
    loky_workers,
    quiet_dask_logging,
    scheduler_and_workers,
    stop_loky,
)
from helpers.workloads import count_primes, worker_pid

SHM = Path("/dev/shm")


def _family(pids):
    procs = []
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            procs += [proc, *proc.children(recursive=True)]
        except psutil.Error:
            pass
    return procs


def _alive(procs):
    return [p for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.timeout(300)
def test_scheduler_and_workers_run_tasks_then_stop():
    from distributed import Client

    with scheduler_and_workers(2, timeout=180) as servers:
        assert servers.address.startswith("tcp://127.0.0.1:")
        family = _family(servers.pids)
        assert len(family) >= 4, "scheduler, worker command, and at least two worker processes"
        with Client(servers.address, timeout=60) as client:
            pids = set(client.gather(client.map(worker_pid, range(20), pure=False)))
            assert client.submit(count_primes, 0, 100).result(timeout=60) == 25
        assert os.getpid() not in pids and pids <= {p.pid for p in family}
    assert not _alive(family), "every server process must be gone after the with block"


@pytest.mark.timeout(120)
def test_a_start_that_times_out_leaves_nothing_behind():
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    with pytest.raises(TimeoutError, match="did not start in time"):
        with scheduler_and_workers(1, timeout=0.05):
            pass
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    assert not _alive(left)


@pytest.mark.parametrize("kwargs", [
    {"n_workers": 0}, {"n_workers": -1}, {"n_workers": "2"}, {"n_workers": 1000},
    {"n_workers": 1, "timeout": 0}, {"n_workers": 1, "timeout": "10"},
    {"n_workers": 1, "threads_per_worker": 0},
])
def test_bad_arguments_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        with scheduler_and_workers(**kwargs):
            pass


def test_stop_loky_ends_the_workers():
    from joblib import Parallel, delayed

    counts = Parallel(n_jobs=2, timeout=60)(delayed(count_primes)(0, n) for n in (10, 100, 1000))
    assert counts == [4, 25, 168]
    assert loky_workers(), "loky keeps its workers after Parallel returns"
    stop_loky()
    assert loky_workers() == []
    left = [" ".join(c.cmdline()) for c in psutil.Process().children() if "loky" in " ".join(c.cmdline())]
    assert all("resource_tracker" in command for command in left), left  # see the next test
    stop_loky()  # a second call (nothing running) is harmless


def test_loky_resource_tracker_and_folder_end_with_their_parent():
    """No public call stops loky's resource tracker (joblib #1786) or removes joblib's temporary
    folder in /dev/shm before exit: both must be gone once the process (the kernel) has ended."""
    shm_before = set(os.listdir(SHM)) if SHM.exists() else set()
    code = ("import psutil\n"
            "from joblib import Parallel, delayed\n"
            "from helpers.distributed import stop_loky\n"
            "Parallel(n_jobs=2, timeout=60)(delayed(abs)(-n) for n in range(4))\n"
            "stop_loky()\n"
            "print(psutil.Process().pid,\n"
            "      *[c.pid for c in psutil.Process().children() if 'loky' in ' '.join(c.cmdline())])\n")
    parent = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=True)
    script, *left = [int(pid) for pid in parent.stdout.split()]
    assert left, "expected loky's resource tracker to be running until its parent exits"
    _, alive = psutil.wait_procs([psutil.Process(pid) for pid in left if psutil.pid_exists(pid)],
                                 timeout=30)
    assert not alive, f"loky processes outlived their parent: {alive}"
    if SHM.exists():  # /dev/shm is shared with other programs: look only for the script's folder
        mine = f"joblib_memmapping_folder_{script}_"
        assert not {n for n in set(os.listdir(SHM)) - shm_before if n.startswith(mine)}


def test_quiet_dask_logging():
    quiet_dask_logging()
    assert os.environ["DASK_LOGGING__DISTRIBUTED"] == "error"
    assert logging.getLogger("distributed").level == logging.ERROR


def test_task_graph_figure_from_a_delayed_graph():
    import pytest
    from dask import delayed

    from helpers.lab.graphs import plot_task_graph, task_layers, task_name
    from helpers.workloads import count_primes

    total = delayed(sum)([delayed(count_primes)(lo, lo + 100) for lo in range(0, 300, 100)])
    graph = total.__dask_graph__()
    layers = task_layers(graph.get_all_dependencies())
    assert sorted(layers.values()) == [0, 0, 0, 1] and layers[total.key] == 1
    assert {task_name(k) for k in graph} == {"count_primes", "sum"}
    assert task_name(("array-0123456789abcdef0123456789abcdef", 0)) == "array"
    assert len(plot_task_graph(graph).axes) == 1
    with pytest.raises(ValueError, match="cycle"):
        task_layers({"a": {"b"}, "b": {"a"}})
    with pytest.raises(ValueError):
        plot_task_graph(42)
