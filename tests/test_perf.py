"""Performance-lab helpers: the laws and fits, break-even, timelines, BLAS limits, clean-up."""

import math
import multiprocessing as mp
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from helpers import perf
from helpers.perf import (
    AmdahlFit,
    Timeline,
    amdahl_speedup,
    blas_threads,
    break_even,
    chunk_tasks,
    fit_amdahl,
    gustafson_speedup,
    hold_for_measurement,
    limit_blas_threads,
    matmul_job,
    matmul_task,
    prime_task_tagged,
    process_counts,
    ramp_tasks,
    scaled_speedups,
    task_sizes,
    timeline,
    wait_ready,
)
from helpers.workloads import Tagged, count_primes

TIMEOUT = 60


# ------------------------------------------------------------------ laws and fits

def test_amdahl_and_gustafson_formulas():
    assert amdahl_speedup(1, 0.3) == pytest.approx(1.0)
    assert amdahl_speedup(4, 0.0) == pytest.approx(4.0)
    assert amdahl_speedup(8, 1.0) == pytest.approx(1.0)
    assert amdahl_speedup(2, 0.5) == pytest.approx(1 / 0.75)
    assert list(amdahl_speedup([1, 2], 0.0)) == pytest.approx([1.0, 2.0])
    assert gustafson_speedup(4, 0.1) == pytest.approx(0.1 + 0.9 * 4)
    assert gustafson_speedup(1, 0.7) == pytest.approx(1.0)


@pytest.mark.parametrize("args", [(0, 0.1), (-2, 0.1), (2, -0.1), (2, 1.5), (2, "x"), ([], 0.1)])
def test_laws_reject_bad_input(args):
    with pytest.raises(ValueError):
        amdahl_speedup(*args)
    with pytest.raises(ValueError):
        gustafson_speedup(*args)


@pytest.mark.parametrize("s", [0.02, 0.1, 0.25, 0.6])
def test_fit_recovers_a_known_serial_fraction(s):
    n = [1, 2, 4, 8, 16]
    fit = fit_amdahl(n, [amdahl_speedup(k, s) for k in n])
    assert fit.serial_fraction == pytest.approx(s, abs=1e-4)
    assert fit.ceiling == pytest.approx(1 / s, rel=1e-2)
    assert fit.rms_error < 1e-3
    assert "serial fraction" in str(fit) and "ceiling" in str(fit)


def test_fit_with_noise_and_few_points():
    fit = fit_amdahl([1, 2], [0.97, 1.7])
    assert 0.1 < fit.serial_fraction < 0.25 and isinstance(fit, AmdahlFit)


def test_fit_is_bounded():
    superlinear = fit_amdahl([1, 2, 4], [1.0, 2.2, 4.5])
    assert superlinear.serial_fraction == pytest.approx(perf.MIN_SERIAL_FRACTION)
    assert math.isfinite(superlinear.ceiling)
    slower = fit_amdahl([1, 2], [0.5, 0.4])
    assert slower.serial_fraction == pytest.approx(1.0) and slower.ceiling == pytest.approx(1.0)


@pytest.mark.parametrize("processes, speedups", [
    ([1], [1.0]), ([1, 2], [1.0]), ([0, 2], [1, 2]), ([1, 2], [1, -1]), ([1, 2], [1, float("nan")]),
])
def test_fit_rejects_bad_input(processes, speedups):
    with pytest.raises(ValueError):
        fit_amdahl(processes, speedups)


def test_scaled_speedups():
    assert scaled_speedups(1.0, 2.0, [1, 2], [3.0, 3.0]) == pytest.approx([1.0, 5 / 3])
    for args in [(1.0, 0.0, [1], [1.0]), (-1, 1, [1], [1.0]), (1, 1, [1, 2], [1.0]),
                 (1, 1, [0], [1.0]), (1, 1, [1], [0.0])]:
        with pytest.raises(ValueError):
            scaled_speedups(*args)


def test_process_counts():
    assert process_counts(1) == [1]
    assert process_counts(2) == [1, 2]
    assert process_counts(6) == [1, 2, 4, 6]
    assert process_counts(16) == [1, 2, 4, 8, 16]
    with pytest.raises(ValueError):
        process_counts(0)


# ------------------------------------------------------------------ granularity

def test_task_sizes_and_chunks_cover_the_work():
    assert task_sizes(1000, 4) == [4, 16, 64, 256]
    tasks = chunk_tasks(100, 1100, 300)
    assert tasks[0] == (100, 400) and tasks[-1] == (1000, 1100)
    assert sum(b - a for a, b in tasks) == 1000
    for args in [(1, 1), (10, 6), (10, 0)]:
        with pytest.raises(ValueError):
            task_sizes(*args)
    with pytest.raises(ValueError):
        chunk_tasks(10, 10, 1)
    with pytest.raises(ValueError):
        chunk_tasks(0, 10, 0)


def test_break_even_interpolates_the_crossing():
    even = break_even([1e-5, 1e-4, 1e-3], [0.5, 1.5, 1.9])
    assert 1e-5 < even.seconds < 1e-4
    assert even.seconds == pytest.approx(10 ** -4.5)  # halfway in speedup -> halfway in log time
    assert "about" in str(even)


def test_break_even_edge_cases():
    never = break_even([1e-3, 1e-2], [0.2, 0.9])
    assert never.seconds is None and "never" in str(never)
    always = break_even([1e-3, 1e-2], [1.2, 1.9])
    assert always.seconds == 1e-3 and "even at" in str(always)
    unsorted = break_even([1e-3, 1e-5, 1e-4], [1.9, 0.5, 1.5])
    assert 1e-5 < unsorted.seconds < 1e-4
    for args in [([], []), ([1e-3], [1, 2]), ([0.0], [1.0]), ([1e-3], [-1.0])]:
        with pytest.raises(ValueError):
            break_even(*args)


# ------------------------------------------------------------------ timelines

def test_ramp_tasks_are_uneven_and_cover_the_total():
    tasks = ramp_tasks(1000, 4, start=0)
    sizes = [b - a for a, b in tasks]
    assert tasks[0][0] == 0 and tasks[-1][1] == 1000 and sum(sizes) == 1000
    assert sizes == sorted(sizes) and sizes[-1] > 3 * sizes[0]
    assert all(a == b for (_, a), (b, _) in zip(tasks, tasks[1:], strict=False))
    with pytest.raises(ValueError):
        ramp_tasks(5, 4)  # fewer numbers than 1 + 2 + 3 + 4
    with pytest.raises(ValueError):
        ramp_tasks(100, 0)


def test_prime_task_tagged_counts_and_tags():
    result = prime_task_tagged((10_000, 10_500))
    assert result.value == count_primes(10_000, 10_500) and result.pid == os.getpid()
    assert result.finished >= result.started


def test_timeline_measures_idle_time_and_imbalance():
    t0 = 100.0
    results = [Tagged(1, 11, 101.0, 102.0), Tagged(1, 22, 101.0, 101.5),
               Tagged(1, 11, 102.0, 103.0)]
    tl = timeline(results, t0, t_end=103.0)
    assert isinstance(tl, Timeline) and tl.pids == (11, 22) and tl.workers == 2
    assert tl.makespan == pytest.approx(3.0) and tl.start_cost == pytest.approx(1.0)
    assert tl.busy == pytest.approx([2.0, 0.5])
    assert tl.idle_fraction == pytest.approx(1 - 2.5 / 6)
    assert tl.imbalance == pytest.approx(2.0 / 1.25)
    assert "idle" in tl.summary() and "busiest" in tl.summary()


def test_timeline_counts_workers_that_got_no_task():
    tl = timeline([Tagged(1, 11, 0.0, 1.0)], 0.0, workers=3)
    assert tl.workers == 3 and tl.idle_fraction == pytest.approx(2 / 3)


@pytest.mark.parametrize("args", [([], 0.0), ([1, 2], 0.0), ([Tagged(1, 1, 5.0, 6.0)], 10.0, 9.0)])
def test_timeline_rejects_bad_input(args):
    with pytest.raises(ValueError):
        timeline(*args)
    with pytest.raises(ValueError):
        timeline([Tagged(1, 1, 0.0, 1.0), Tagged(1, 2, 0.0, 1.0)], 0.0, workers=1)


def test_timeline_from_a_real_pool():
    tasks = ramp_tasks(6_000, 6)
    ctx = mp.get_context("spawn")
    t0 = time.time()
    with ctx.Pool(2) as pool:
        results = pool.map_async(prime_task_tagged, tasks, chunksize=1).get(timeout=TIMEOUT)
    tl = timeline(results, t0, workers=2)
    assert sum(r.value for r in results) == count_primes(tasks[0][0], tasks[-1][1])
    assert 1 <= len(set(tl.pids) - {0}) <= 2 and len(tl.bars) == 6 and tl.start_cost > 0


# ------------------------------------------------------------------ BLAS threads and matmuls

def test_matmul_task_is_deterministic_and_validated():
    assert matmul_task(20, 3, 7) == matmul_task(20, 3, 7)
    assert matmul_job([(20, 3, 7), (20, 3, 8)])[0] == matmul_task(20, 3, 7)
    for args in [(0, 1, 1), (10, 0, 1), (10**6, 1, 1)]:
        with pytest.raises(ValueError):
            matmul_task(*args)


def test_limit_blas_threads_in_a_pool_initializer():
    ctx = mp.get_context("spawn")
    with ctx.Pool(2, initializer=limit_blas_threads, initargs=(1,)) as pool:
        reports = pool.map_async(blas_threads, range(4)).get(timeout=TIMEOUT)
        sums = pool.starmap_async(matmul_task, [(50, 2, s) for s in range(4)]).get(timeout=TIMEOUT)
    assert all(threads == 1 for _, threads in reports)
    assert all(pid != os.getpid() for pid, _ in reports)
    assert sums == pytest.approx(matmul_job([(50, 2, s) for s in range(4)]), rel=1e-9)
    with pytest.raises(ValueError):
        limit_blas_threads(0)


def test_blas_threads_reports_this_process():
    pid, threads = blas_threads()
    assert pid == os.getpid() and threads >= 1


# ------------------------------------------------------------------ memory per process

@pytest.mark.parametrize("method", [m for m in ("fork", "spawn", "forkserver")
                                    if m in mp.get_all_start_methods()])
def test_hold_for_measurement_reports_and_exits(method):
    ctx = mp.get_context(method)
    ready, release = ctx.Queue(), ctx.Event()
    children = [ctx.Process(target=hold_for_measurement, args=(ready, release)) for _ in range(2)]
    for child in children:
        child.start()
    try:
        pids = wait_ready(ready, 2, timeout=TIMEOUT)
        assert sorted(pids) == sorted(c.pid for c in children)
        assert all(c.is_alive() for c in children), "children wait until released"
    finally:
        release.set()
        for child in children:
            child.join(timeout=10)
    assert all(c.exitcode == 0 for c in children)


def test_wait_ready_times_out():
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    with pytest.raises(TimeoutError):
        wait_ready(queue, 1, timeout=0.2)
    with pytest.raises(ValueError):
        wait_ready(queue, 0)


# ------------------------------------------------------------------ stays light

def test_perf_imports_only_stdlib_and_numpy():
    code = ("import sys, helpers.perf; "
            "bad = {'matplotlib', 'ipywidgets', 'IPython', 'pandas', 'psutil', 'threadpoolctl'}; "
            "print(sorted(bad & {m.split('.')[0] for m in sys.modules}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_perf_plots_build_figures():
    from helpers.lab.perf import (
        plot_amdahl,
        plot_bars,
        plot_granularity,
        plot_gustafson,
        plot_timelines,
    )
    from helpers.perf import BreakEven

    fit = fit_amdahl([1, 2], [1.0, 1.8])
    assert "1 Axes" in repr(plot_amdahl(fit))
    assert "1 Axes" in repr(plot_gustafson([1, 2], [1.0, 1.9], 0.1, fit))
    assert "1 Axes" in repr(plot_granularity([1e-4, 1e-3], [0.5, 1.5], BreakEven(3e-4, 1e-4, 1e-3), 2))
    tl = timeline([Tagged(1, 11, 1.0, 2.0)], 0.0, workers=2)
    assert "2 Axes" in repr(plot_timelines([tl, tl], ["a", "b"]))
    assert "1 Axes" in repr(plot_bars(["a", "b"], {"x": [1, 2], "y": [2, 3]}, "y", "t"))
    for call in [lambda: plot_amdahl(fit, max_processes=1),
                 lambda: plot_gustafson([1], [1, 2], 0.1),
                 lambda: plot_granularity([], []),
                 lambda: plot_timelines([tl], []),
                 lambda: plot_bars(["a"], {"x": [1, 2]}, "y", "t")]:
        with pytest.raises(ValueError):
            call()
    assert np.isfinite(fit.rms_error)


# ------------------------------------------------------------------ fits per round, warm pools, environment


def test_fit_amdahl_rounds_fits_each_round():
    from helpers.timing import Comparison, Noise, Timing, process_label

    times = {"serial": (1.0, 1.0), process_label(1): (1.0, 1.0), process_label(2): (0.55, 0.75)}
    known = Comparison({name: Timing(values) for name, values in times.items()}, 2, Noise(None, 0.0, 2))
    fits = perf.fit_amdahl_rounds(known, [1, 2])
    assert len(fits) == 2
    assert math.isclose(fits[0].serial_fraction, 0.10, abs_tol=0.01)
    assert math.isclose(fits[1].serial_fraction, 0.50, abs_tol=0.01)


def test_warm_pool_reaches_every_worker():
    with mp.get_context("spawn").Pool(2) as pool:
        pids = perf.warm_pool(pool, 2, timeout=TIMEOUT)
    assert len(pids) == 2 and os.getpid() not in pids


def test_warm_pool_validates():
    with pytest.raises(ValueError):
        perf.warm_pool(None, 0)
    with pytest.raises(ValueError):
        perf.pid_after(60)


def test_blas_environment_reads_the_variables(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    env = perf.blas_environment()
    assert env["OMP_NUM_THREADS"] == "3" and env["MKL_NUM_THREADS"] is None
    assert set(env) == set(perf.BLAS_ENV)


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_blas_env_before_a_fresh_interpreter_starts_limits_it(method):
    """Under spawn the child reads the environment at start-up; under forkserver, the server's
    (started here for the first time in a fresh interpreter, after the variable is set)."""
    code = ("import os, multiprocessing as mp, numpy\n"
            "from helpers.perf import blas_threads\n"
            "if __name__ == '__main__':\n"
            "    os.environ['OPENBLAS_NUM_THREADS'] = '1'\n"
            f"    with mp.get_context('{method}').Pool(1) as pool:\n"
            "        print(pool.map(blas_threads, [0])[0][1])\n")
    env = {k: v for k, v in os.environ.items() if k not in perf.BLAS_ENV}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT,
                         env=env, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"
