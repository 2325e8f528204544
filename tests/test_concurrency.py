"""The tool grid, the heartbeat, and the facts about the seed's asyncio pattern."""

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.concurrency import (
    SEED_FAILED,
    SEED_RAN,
    SEED_WARNED,
    TOOLS,
    WORKLOADS,
    Heartbeat,
    compare_async,
    count_primes_inline,
    cpu_job,
    documented_seed_outcomes,
    measure_grid,
    seed_outcome,
    time_threads_on_cpu,
)
from helpers.iobound import LatencyServer
from helpers.workloads import count_primes, prime_window

SCRIPTS = Path(__file__).resolve().parent.parent / "notebooks" / "scripts"


@pytest.mark.parametrize("usable", [1, 2, 3, 16])
def test_cpu_job_covers_the_window_once(usable):
    spans = cpu_job(usable)
    assert len(spans) == 2 * usable
    start, stop = prime_window(25_000 * min(max(usable, 2), 4))
    assert spans[0][0] == start and spans[-1][1] == stop
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))


@pytest.mark.parametrize("bad", [0, -2, 2.5, 1000])
def test_cpu_job_rejects_bad_core_counts(bad):
    with pytest.raises(ValueError, match="processes"):
        cpu_job(bad)


def test_grid_measures_every_cell_and_results_match():
    spans = [(10_000, 10_500), (10_500, 11_000)]
    with LatencyServer(latency=0.01) as server:
        grid = asyncio.run(measure_grid(server.urls(4), spans, threads=4, processes=2, rounds=1))
    assert grid.results_match
    assert set(grid.timings) == {(w, t) for w in WORKLOADS for t in TOOLS}
    assert all(grid.seconds(w, t) > 0 for w in WORKLOADS for t in TOOLS)
    assert grid.speedup("CPU-bound", "serial") == pytest.approx(1.0)
    assert grid.timings["CPU-bound", "processes"].result == [count_primes(*s) for s in spans]
    text = grid.table()
    assert all(tool in text for tool in TOOLS) and all(w in text for w in WORKLOADS)
    assert "rotating order" in text and grid.noise is grid.comparison.noise
    with pytest.raises(ValueError, match="no measurement"):
        grid.seconds("GPU-bound", "threads")


@pytest.mark.parametrize("kwargs", [
    {"threads": 0, "processes": 1},
    {"threads": 1, "processes": 0},
    {"threads": 1, "processes": 1, "rounds": 0},
])
def test_grid_rejects_bad_counts(kwargs):
    with pytest.raises(ValueError, match="must"):
        asyncio.run(measure_grid(["http://127.0.0.1:1/item/0"], [(0, 10)], **kwargs))


def test_grid_needs_work():
    with pytest.raises(ValueError, match="at least one"):
        asyncio.run(measure_grid([], [(0, 10)], threads=1, processes=1))


def test_threads_on_cpu_give_the_same_results():
    runs = time_threads_on_cpu([(0, 2_000), (2_000, 4_000)], threads=2, rounds=1)
    assert runs["serial"].result == runs["threads"].result == [count_primes(0, 2_000), count_primes(2_000, 4_000)]
    assert runs["serial"].median > 0 and runs["threads"].median > 0


def test_compare_async_times_coroutines_on_this_loop_and_plain_functions():
    calls = []

    async def main():
        loop = asyncio.get_running_loop()

        async def waits():
            assert asyncio.get_running_loop() is loop  # the coroutine ran on the caller's loop
            await asyncio.sleep(0.01)
            calls.append("coroutine")
            return "async"

        def plain():
            calls.append("plain")
            return "sync"

        return await compare_async({"coroutine": waits, "plain": plain}, rounds=3, warmup=1)

    runs = asyncio.run(main())
    assert runs["coroutine"].result == "async" and runs["plain"].result == "sync"
    assert len(runs["coroutine"].times) == 3 and runs["coroutine"].median >= 0.009
    assert calls.count("coroutine") == calls.count("plain") == 4
    with pytest.raises(ValueError):
        asyncio.run(_compare_nonsense())


async def _compare_nonsense():
    return await compare_async(["not", "a", "dict"])


def test_inline_coroutine_computes():
    assert asyncio.run(count_primes_inline(0, 100)) == 25


def test_heartbeat_sees_a_blocked_loop():
    async def main():
        async with Heartbeat(interval=0.01) as blocked:
            time.sleep(0.2)  # blocks the loop: no beat can happen
        async with Heartbeat(interval=0.01) as free:
            await asyncio.sleep(0.2)
        return blocked, free

    blocked, free = asyncio.run(main())
    assert blocked.max_gap >= 0.2 and blocked.beats == 0
    assert free.beats >= 1 and free.elapsed >= 0.2
    assert len(free.gaps) == len(free.times)
    assert "longest gap" in str(free)


def test_heartbeat_rejects_bad_interval_and_reentry():
    with pytest.raises(ValueError, match="interval"):
        Heartbeat(interval=0)

    async def reenter():
        beat = Heartbeat()
        async with beat:
            async with beat:
                pass

    with pytest.raises(RuntimeError, match="already running"):
        asyncio.run(reenter())


def test_seed_outcome_classification():
    assert seed_outcome(0, "Worker process started\n", "") == SEED_RAN
    assert seed_outcome(0, "", "x.py:5: DeprecationWarning: There is no current event loop") == SEED_WARNED
    assert seed_outcome(1, "", "RuntimeError: There is no current event loop") == SEED_FAILED
    assert "exit status 2" in seed_outcome(2, "", "")


def test_documented_outcomes_by_version():
    assert documented_seed_outcomes((3, 14)) == {SEED_FAILED}
    assert documented_seed_outcomes((3, 12)) == {SEED_WARNED}
    assert SEED_RAN in documented_seed_outcomes((3, 11))


def test_seed_script_behaves_as_documented_here():
    run = subprocess.run([sys.executable, "-W", "default", str(SCRIPTS / "seed_asyncio.py")],
                         capture_output=True, text=True, timeout=60)
    assert seed_outcome(run.returncode, run.stdout, run.stderr) in documented_seed_outcomes()


def test_async_fetch_script_runs():
    run = subprocess.run([sys.executable, str(SCRIPTS / "async_fetch.py"), "5", "0.01"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "pages fetched: 5, all correct: True" in run.stdout and run.stderr == ""


def test_worker_modules_stay_light():
    code = ("import sys, helpers.concurrency, helpers.failures, helpers.iobound; "
            "print(sorted(m for m in ('matplotlib', 'IPython', 'ipywidgets', 'psutil', 'pandas') "
            "if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.strip() == "[]", run.stdout + run.stderr
