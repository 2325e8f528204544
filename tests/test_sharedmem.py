"""helpers.sharedmem: counters, shared arrays, SharedMemory workers, the comparison, clean-up."""

import multiprocessing as mp
import os
from multiprocessing import shared_memory

import numpy as np
import pytest

from helpers.lifecycle import started
from helpers.sharedmem import (
    TransferComparison,
    add_locked,
    add_partial_sum,
    add_unlocked,
    add_with_manager,
    compare_queue_and_shared,
    count_primes_into_slot,
    fill_slice,
    run_together,
    segment_exists,
    sines,
    sqrt_in_place,
)
from helpers.workloads import count_primes, split_range
from tests.test_queues import sanitize, workers_left


def shm_names() -> set[str]:
    try:
        return {name for name in os.listdir("/dev/shm") if name.startswith("psm_")}
    except OSError:
        return set()


@pytest.fixture(autouse=True)
def nothing_left_behind():
    before = shm_names()
    yield
    assert shm_names() <= before, "a shared-memory block was left in /dev/shm"
    assert not workers_left(), "a worker process outlived its test"


@pytest.mark.parametrize("worker", [add_locked, add_partial_sum])
def test_locked_counters_are_exact(worker):
    counter = mp.Value("i", 0)
    seconds = run_together(worker, (counter, 2000), 3)
    assert counter.value == 6000 and seconds > 0


def test_unlocked_counter_never_gains():
    counter = mp.Value("i", 0)
    run_together(add_unlocked, (counter, 2000), 3)
    assert 0 < counter.value <= 6000


def test_manager_counter_is_exact():
    with mp.Manager() as manager:
        shared, lock = manager.dict(count=0), manager.Lock()
        run_together(add_with_manager, (shared, lock, 20), 2)
        assert shared["count"] == 40


@pytest.mark.parametrize("processes", [0, -1, 1.5, 10_000])
def test_run_together_rejects_bad_process_counts(processes):
    with pytest.raises(ValueError):
        run_together(add_locked, (mp.Value("i", 0), 1), processes)


def test_run_together_reports_failed_workers():
    with pytest.raises(RuntimeError, match="failed"):
        run_together(add_locked, ("not a Value", 1), 2)


def test_array_slots_and_raw_array():
    window = (10_000, 13_000)
    slices = split_range(*window, 3)
    counts, pids = mp.Array("q", 3), mp.Array("q", 3)
    raw = mp.RawArray("d", 10_000)
    workers = [mp.Process(target=count_primes_into_slot, args=(counts, pids, i, lo, hi))
               for i, (lo, hi) in enumerate(slices)]
    workers += [mp.Process(target=fill_slice, args=(raw, lo, hi)) for lo, hi in split_range(0, 10_000, 2)]
    with started(*workers):
        pass
    assert sum(counts[:]) == count_primes(*window) and len(set(pids[:])) == 3
    assert np.array_equal(np.frombuffer(raw, dtype=np.float64), sines(10_000))
    with pytest.raises(ValueError):
        sines(-1)


def test_sqrt_in_place_and_segment_exists():
    data = np.arange(60, dtype=np.float64).reshape(6, 10)
    shm = shared_memory.SharedMemory(create=True, size=data.nbytes)
    try:
        shared = np.ndarray(data.shape, dtype=data.dtype, buffer=shm.buf)
        shared[:] = data
        done = mp.Queue()
        workers = [mp.Process(target=sqrt_in_place, args=(shm.name, data.shape, data.dtype.str, lo, hi, done))
                   for lo, hi in split_range(0, 6, 2)]
        with started(*workers):
            reports = [done.get(timeout=30) for _ in workers]
        assert np.array_equal(shared, np.sqrt(data))
        assert sorted((lo, hi) for _, lo, hi in reports) == [(0, 3), (3, 6)]
        assert segment_exists(shm.name)
        del shared
    finally:
        shm.close()
        shm.unlink()
    assert not segment_exists(shm.name)


def test_compare_queue_and_shared_small():
    result = compare_queue_and_shared(mebibytes=2, workers=2, repeats=1)
    assert result.results_equal and result.nbytes == 2 * 2**20
    assert result.queue_seconds > 0 and result.shared_seconds > 0 and result.ratio > 0
    assert "SharedMemory" in result.table()


@pytest.mark.parametrize("kwargs", [{"mebibytes": 0}, {"workers": 0}, {"repeats": 0},
                                    {"mebibytes": 10**6}])
def test_compare_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        compare_queue_and_shared(**kwargs)


def test_comparison_table_sanitizes_identically():
    one = TransferComparison(2**25, 2, 0.3, 0.05, 0.04, 86_000_000, 10_000, True)
    two = TransferComparison(2**25, 2, 1.2, 0.009, 0.2, 3_000_000, 900, True)
    assert sanitize(one.table()) == sanitize(two.table())


def test_sharedmem_module_stays_light():
    import subprocess
    import sys

    code = ("import sys, helpers.sharedmem; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython', 'psutil') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
