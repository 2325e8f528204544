"""helpers.sharedmem: counters, shared arrays, SharedMemory workers, the comparison, clean-up."""

import multiprocessing as mp
import os
from multiprocessing import shared_memory

import numpy as np
import pytest

from helpers.lifecycle import started
from helpers.sharedmem import (
    add_locked,
    add_partial_sum,
    add_unlocked,
    add_with_manager,
    attach_block,
    count_primes_into_slot,
    fill_slice,
    kind_of_entry,
    normalize_rows_band,
    peak_new_memory,
    run_together,
    segment_exists,
    shm_entries,
    sines,
    sqrt_band,
    sqrt_band_attaching,
    sqrt_chunk,
    sqrt_in_place,
)
from helpers.workloads import count_primes, split_range
from tests.test_queues import workers_left


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


def test_pool_initializer_attaches_once_and_bands_run_in_place():
    from multiprocessing import Pool

    grid = np.arange(1, 601, dtype=np.float64).reshape(60, 10)
    shm = shared_memory.SharedMemory(create=True, size=2 * grid.nbytes)
    try:
        shared = np.ndarray(grid.shape, dtype=grid.dtype, buffer=shm.buf)
        shared[:] = grid
        with Pool(2, initializer=attach_block, initargs=(shm.name, grid.shape, grid.dtype.str)) as pool:
            reports = pool.starmap(normalize_rows_band, split_range(0, 60, 6))
        assert np.allclose(shared, grid / grid.sum(axis=1, keepdims=True))
        assert all(attaches == 1 for _, attaches in reports)
        del shared
        both = np.ndarray((2, 600), dtype=np.float64, buffer=shm.buf)
        both[0] = np.arange(600, dtype=np.float64)
        spec = (shm.name, both.shape, both.dtype.str)
        with Pool(2, initializer=attach_block, initargs=spec) as pool:
            pool.starmap(sqrt_band, split_range(0, 600, 4))
        assert np.array_equal(both[1], np.sqrt(both[0]))
        both[1] = 0
        with Pool(2) as pool:
            pool.starmap(sqrt_band_attaching, [(*spec, lo, hi) for lo, hi in split_range(0, 600, 4)])
            chunks = pool.map(sqrt_chunk, [both[0, :300], both[0, 300:]])
        assert np.array_equal(both[1], np.sqrt(both[0]))
        assert np.array_equal(np.concatenate(chunks), np.sqrt(both[0]))
        del both
    finally:
        shm.close()
        shm.unlink()
    assert not segment_exists(shm.name)


def test_band_without_initializer_says_what_is_missing():
    with pytest.raises(RuntimeError, match="initializer"):
        sqrt_band(0, 1)
    with pytest.raises(RuntimeError, match="initializer"):
        normalize_rows_band(0, 1)


def test_peak_new_memory_sees_a_numpy_temporary():
    assert peak_new_memory(lambda: np.ones(2**20)) >= 8 * 2**20 * 0.9
    assert peak_new_memory(lambda: None) < 2**16


def test_shm_entries_tell_semaphores_from_blocks():
    import multiprocessing

    assert kind_of_entry("sem.mp-abc123") == "semaphore"
    assert kind_of_entry("psm_1f2e") == "shared_memory" and kind_of_entry("wnsm_1") == "shared_memory"
    assert kind_of_entry("something") == "other"
    before = shm_entries()
    lock = multiprocessing.get_context("spawn").Lock()
    block = shared_memory.SharedMemory(create=True, size=64)
    try:
        assert {kind_of_entry(e) for e in shm_entries() - before} == {"semaphore", "shared_memory"}
    finally:
        block.close()
        block.unlink()
        del lock
    assert not shm_entries() - before


def test_sharedmem_module_stays_light():
    import subprocess
    import sys

    code = ("import sys, helpers.sharedmem; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython', 'psutil') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
