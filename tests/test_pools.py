"""helpers.pools and helpers.lab.pools: the notebook 03 workers, in-process and in a real pool."""

import math
import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor

import pytest
from matplotlib.figure import Figure

import helpers.pools as pools
from helpers.lab.pools import plot_chunksize_sweep
from helpers.workloads import count_primes


def test_small_workers():
    assert pools.square(7) == 49 and pools.power(2, 10) == 1024
    assert pools.square_with_pid(3) == (3, 9, os.getpid())
    assert pools.slow_square(5, step=0) == (5, 25)
    assert pools.sleep_then_return(0, "x") == "x"


@pytest.mark.parametrize("call", [lambda: pools.slow_square(1, step=-1),
                                  lambda: pools.sleep_then_return(61),
                                  lambda: pools.small_primes(1)])
def test_bad_input_is_refused(call):
    with pytest.raises(ValueError):
        call()


def test_checked_sqrt():
    assert pools.checked_sqrt(9) == 3.0
    with pytest.raises(ValueError, match="inputs must be >= 0"):
        pools.checked_sqrt(-1)


def test_small_primes_matches_trial_division():
    assert pools.small_primes(30) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
    assert len(pools.small_primes(10_000)) == count_primes(0, 10_000)


def test_is_prime_with_table_needs_the_initializer(monkeypatch):
    monkeypatch.setattr(pools, "_TABLE", [])
    with pytest.raises(RuntimeError, match="initializer"):
        pools.is_prime_with_table(7)


def test_is_prime_with_table_after_the_initializer(monkeypatch):
    monkeypatch.setattr(pools, "_TABLE", [])
    monkeypatch.setattr(pools, "_SETUPS", 0)
    monkeypatch.setattr(pools, "_LARGEST", 0)
    pools.load_small_primes(100)
    assert [pools.is_prime_with_table(n)[0] for n in range(30)] == [
        count_primes(n, n + 1) == 1 for n in range(30)]
    assert pools.is_prime_with_table(97) == (True, os.getpid(), 1)
    with pytest.raises(ValueError, match="too large"):
        pools.is_prime_with_table(100_000)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_run_in_a_real_pool(method):
    ctx = mp.get_context(method)
    with ctx.Pool(2, initializer=pools.load_small_primes, initargs=(10_000,)) as pool:
        assert pool.map(pools.square, range(5)) == [0, 1, 4, 9, 16]
        answers = pool.map(pools.is_prime_with_table, range(10_000_000, 10_000_050))
        assert all(setups == 1 for _, _, setups in answers)
        assert os.getpid() not in {pid for _, pid, _ in answers}
        with pytest.raises(ValueError, match=">= 0"):
            pool.map(pools.checked_sqrt, [1, -1])
    assert mp.active_children() == []


def test_executor_runs_the_workers():
    with ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("spawn")) as executor:
        assert list(executor.map(pools.checked_sqrt, [4, 9])) == [2.0, 3.0]
        assert isinstance(executor.submit(pools.checked_sqrt, -4).exception(timeout=60), ValueError)
    assert mp.active_children() == []


def test_chunksize_plot():
    fig = plot_chunksize_sweep({1: 0.5, 16: 0.05, 256: 0.02}, 0.001, tasks=1000, processes=2)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    assert math.isclose(fig.axes[0].lines[1].get_ydata()[0], 0.001)


@pytest.mark.parametrize("args", [({}, 0.1), ({0: 1.0}, 0.1), ({1: 1.0}, 0)])
def test_chunksize_plot_refuses_bad_input(args):
    with pytest.raises(ValueError):
        plot_chunksize_sweep(*args, tasks=10, processes=2)


def test_worker_module_stays_light():
    import subprocess
    import sys

    code = ("import sys, helpers.pools, helpers.manyprocs; "
            "heavy = {'matplotlib', 'ipywidgets', 'IPython', 'pandas', 'psutil'} & set(sys.modules); "
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


def test_shared_counter_through_the_initializer():
    total = mp.Value("i", 0)
    with mp.Pool(2, initializer=pools.share_counter, initargs=(total,)) as pool:
        pool.map(pools.add_to_shared, [1] * 20)
    assert total.value == 20


def test_value_as_task_argument_is_refused():
    total = mp.Value("i", 0)
    with mp.Pool(1) as pool, pytest.raises(RuntimeError, match="through inheritance"):
        pool.starmap_async(pools.add_into, [(total, 1)]).get(timeout=30)


def test_add_to_shared_needs_the_initializer(monkeypatch):
    monkeypatch.setattr(pools, "_COUNTER", None)
    with pytest.raises(RuntimeError, match="initializer=share_counter"):
        pools.add_to_shared(1)


def test_pool_workers_cannot_start_children_but_executor_workers_can():
    with mp.Pool(1) as pool, pytest.raises(AssertionError, match="daemonic"):
        pool.map_async(pools.start_a_child, [0.0]).get(timeout=30)
    with ProcessPoolExecutor(max_workers=1) as executor:
        assert executor.submit(pools.start_a_child, 0.0).result(timeout=60) == 0


def test_whoami_in_the_parent_and_in_a_worker():
    pid, parent, daemon, _ = pools.whoami()
    assert pid == os.getpid() and not daemon
    with mp.Pool(1) as pool:
        wpid, wparent, wdaemon, name = pool.apply_async(pools.whoami).get(timeout=30)
    assert wparent == os.getpid() and wdaemon and wpid != os.getpid() and name.rsplit("-", 1)[0].endswith("PoolWorker")


def test_word_counts_reduce_the_same_in_any_split():
    from collections import Counter

    whole = pools.count_words_in(0, 30)
    parts = Counter()
    for lo in range(0, 30, 7):
        parts.update(pools.count_words_in(lo, min(lo + 7, 30)))
    assert parts == whole and sum(whole.values()) == 30 * pools.WORDS_PER_DOCUMENT
    assert pools.make_document(3) == pools.make_document(3) != pools.make_document(4)
    with pytest.raises(ValueError):
        pools.count_words_in(5, 2)
