"""`python -m helpers bench`: JSON shape, files, clear errors; run_bench and overheads in-process.

Speeds are never asserted: the machine may be shared. Only shapes, keys and correctness.
"""

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import psutil
import pytest

from helpers.bench import (
    METHODS,
    BenchResult,
    BenchRow,
    overhead_table,
    run_bench,
    task_overheads,
)

ROOT = Path(__file__).resolve().parent.parent
SHM = Path("/dev/shm")


def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("COURSE_START_METHOD", None)
    return subprocess.run([sys.executable, "-m", "helpers", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, env=env)


def _workers_left() -> list[psutil.Process]:
    infrastructure = ("resource_tracker", "forkserver")
    return [c for c in psutil.Process().children(recursive=True)
            if c.is_running() and c.status() != psutil.STATUS_ZOMBIE
            and not any(name in " ".join(c.cmdline()) for name in infrastructure)]


@pytest.mark.timeout(600)
def test_quick_json_run(tmp_path):
    result = _cli("bench", "--quick", "--json", "--max-procs", "2", "--out", str(tmp_path),
                  timeout=540)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)  # stdout is JSON only: progress goes to stderr
    assert isinstance(rows, list) and rows
    assert all(set(row) == {"method", "processes", "seconds", "speedup", "spread"} for row in rows)
    assert all(row["spread"] >= 0 for row in rows)
    assert rows[0]["method"] == "serial" and rows[0]["processes"] == 1 and rows[0]["speedup"] == 1.0
    for method in METHODS:
        assert sorted(r["processes"] for r in rows if r["method"] == method) == [1, 2]
    assert {r["method"] for r in rows} == {"serial", *METHODS}
    assert all(r["seconds"] > 0 and r["speedup"] > 0 for r in rows)
    assert "serial" in result.stderr and "pool" in result.stderr, "progress is shown on stderr"
    assert (tmp_path / "bench.csv").read_text().startswith("method,processes,seconds,speedup")
    assert (tmp_path / "bench.png").stat().st_size > 1000


@pytest.mark.parametrize("args, message", [
    (["bench", "--max-procs", "0"], "must be at least 1"),
    (["bench", "--max-procs", "-3"], "must be at least 1"),
    (["bench", "--max-procs", "two"], "not a whole number"),
    (["bench", "--size", "1.5"], "not a whole number"),
    (["bench", "--methods", "pool,threads"], "unknown method"),
    (["bench", "--start-method", "thread"], "invalid choice"),
    (["frobnicate"], "invalid choice"),
    ([], "required"),
])
def test_bad_arguments_exit_with_a_message(args, message):
    result = _cli(*args)
    assert result.returncode == 2
    assert message in result.stderr and "usage:" in result.stderr
    assert result.stdout == ""


def test_too_small_a_size_is_rejected_clearly():
    result = _cli("bench", "--size", "10")
    assert result.returncode == 2 and "size must be between" in result.stderr


def test_table_output_and_help(tmp_path):
    result = _cli("bench", "--size", "4000", "--repeats", "1", "--max-procs", "1",
                  "--methods", "pool,executor", "--out", str(tmp_path), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "method" in result.stdout and "speedup" in result.stdout and "efficiency" in result.stdout
    assert "spread" in result.stdout and "±" in result.stdout
    assert "every result equals the serial count: True" in result.stdout
    assert "--max-procs" in _cli("bench", "--help").stdout


def test_importing_helpers_stays_light():
    code = ("import sys, helpers, helpers.__main__, helpers.distributed; "
            "print([m for m in ('numpy', 'matplotlib', 'dask', 'distributed', 'joblib', 'psutil', "
            "'helpers.bench') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


@pytest.mark.timeout(300)
def test_run_bench_small_every_method_then_nothing_left():
    shm_before = set(os.listdir(SHM)) if SHM.exists() else set()
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run_bench(4_000, processes=[1, 2], repeats=1, start_method="spawn",
                           progress=messages.append)
    assert not [str(w.message) for w in caught if not issubclass(w.category, DeprecationWarning)]
    assert result.results_match
    assert [(r.method, r.processes) for r in result.rows] == [("serial", 1)] + [
        (m, n) for n in (1, 2) for m in METHODS]
    assert len([m for m in messages if "starting" in m]) == 2 * len(METHODS)
    table = result.table()
    assert all(m in table for m in METHODS) and "start-up" in table
    assert result.speedup("pool", 2) > 0
    with pytest.raises(ValueError):
        result.speedup("pool", 3)
    assert not _workers_left()
    if SHM.exists():  # /dev/shm is shared with other programs: look only for joblib's folders
        assert not {n for n in set(os.listdir(SHM)) - shm_before if n.startswith("joblib")}


@pytest.mark.parametrize("kwargs", [
    {"size": 0}, {"size": 10**12}, {"repeats": 0}, {"max_procs": 0}, {"max_procs": -1},
    {"processes": []}, {"processes": [0]}, {"methods": ["threads"]}, {"methods": []},
    {"max_procs": 2, "processes": [1]}, {"start_method": "thread"},
])
def test_run_bench_rejects_bad_values(kwargs):
    with pytest.raises(ValueError):
        run_bench(**{"size": 4_000, **kwargs})


def test_csv_and_json_of_a_result(tmp_path):
    result = BenchResult((BenchRow("serial", 1, 2.0, 1.0), BenchRow("pool", 2, 1.0, 2.0)),
                         size=1000, repeats=1, start_method="spawn", results_match=True)
    rows = json.loads(result.to_json())
    assert rows[1] == {"method": "pool", "processes": 2, "seconds": 1.0, "speedup": 2.0, "spread": 0.0}
    text = result.write_csv(tmp_path / "b.csv").read_text().splitlines()
    assert text[0] == "method,processes,seconds,speedup,efficiency,spread" and text[2].startswith("pool,2,")
    from helpers.lab.bench import plot_bench

    assert len(plot_bench(result).axes) == 1
    with pytest.raises(ValueError):
        plot_bench(BenchResult((BenchRow("serial", 1, 1.0, 1.0),), 1000, 1, "spawn", True))


@pytest.mark.timeout(300)
def test_task_overheads_measures_every_engine():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        costs = task_overheads(processes=2, tasks=20)
    assert not [str(w.message) for w in caught if not issubclass(w.category, DeprecationWarning)]
    assert [c.engine for c in costs] == ["plain call", "Pool", "ProcessPoolExecutor",
                                         "joblib (loky)", "Dask"]
    assert all(c.per_task > 0 for c in costs)
    assert "Dask" in overhead_table(costs)
    from helpers.lab.bench import plot_overheads

    assert len(plot_overheads({c.engine: c.per_task for c in costs[1:]}, costs[0].per_task).axes) == 1
    with pytest.raises(ValueError):
        plot_overheads({})
    with pytest.raises(ValueError):
        task_overheads(processes=0)
    assert not _workers_left()


def test_cli_knows_the_same_methods_as_the_benchmark():
    from helpers.__main__ import METHOD_NAMES

    assert METHOD_NAMES == METHODS
