"""helpers.threads: the race, the probe, interleaved timing, the workers, and the words the
notebook prints on each build (the free-threaded branch tested with the detection faked)."""

import hashlib
import threading
import time

import pytest

from helpers import threads as th
from helpers.threads import (
    ConcurrencyProbe,
    Counter,
    CpuMeter,
    YieldingCounter,
    add_unlocked,
    build_note,
    describe_lost,
    finished,
    hash_block,
    make_blocks,
    plain_increment_verdict,
    pure_python_claim,
    python_work,
)


def _run(target, args, count):
    threads = [threading.Thread(target=target, args=args) for _ in range(count)]
    for t in threads:
        t.start()
    assert finished(threads, timeout=60)


def test_yielding_counter_loses_updates_without_a_lock():
    counter = YieldingCounter()
    _run(add_unlocked, (counter, 500), 4)
    assert counter.value < 2000


def test_yielding_counter_keeps_every_update_under_a_lock():
    counter, lock = YieldingCounter(), threading.Lock()

    def add(n):
        for _ in range(n):
            with lock:
                counter.value += 1

    _run(add, (500,), 4)
    assert counter.value == 2000


def test_plain_counter_single_thread():
    counter = Counter()
    add_unlocked(counter, 10)
    assert counter.value == 10


def test_describe_lost():
    assert describe_lost(100, 100).startswith("lost updates: 0 of 100")
    line = describe_lost(25, 100)
    assert "yes" in line and "75%" in line and "False" in line


def test_plain_increment_verdict_with_gil():
    assert "not a promise" in plain_increment_verdict(100, 100, gil=True)
    assert "never atomic" in plain_increment_verdict(50, 100, gil=True)


def test_plain_increment_verdict_free_threaded():
    assert "GIL off" in plain_increment_verdict(50, 100, gil=False)
    assert "luck, not safety" in plain_increment_verdict(100, 100, gil=False)


def test_verdict_and_note_follow_detection(monkeypatch):
    monkeypatch.setattr(th, "gil_enabled", lambda: False)
    assert "GIL off" in plain_increment_verdict(50, 100)
    assert build_note().startswith("GIL off")
    monkeypatch.setattr(th, "gil_enabled", lambda: True)
    assert build_note().startswith("GIL on")


def test_pure_python_claim_by_build(monkeypatch):
    held, text = pure_python_claim(1.0, 1.0, usable=2, gil=True)
    assert held and "GIL on" in text and ": " not in text
    assert not pure_python_claim(2.0, 2.0, usable=2, gil=True)[0]
    assert not pure_python_claim(1.7, 0.6, usable=2, gil=True)[0]  # a noisy run does not pass
    assert pure_python_claim(2.0, 2.0, usable=2, gil=False)[0]
    assert not pure_python_claim(1.0, 1.0, usable=2, gil=False)[0]
    held, text = pure_python_claim(1.0, 1.0, usable=1, gil=False)
    assert held and "one usable core" in text
    monkeypatch.setattr(th, "gil_enabled", lambda: False)
    assert "GIL off" in pure_python_claim(2.0, 2.0, usable=4)[1]


def test_cpu_meter_measures_one_core_for_serial_work():
    meter = CpuMeter(lambda: python_work(30_000))
    assert meter() == python_work(30_000)
    meter()
    assert len(meter.samples) == 2 and 0 < meter.cores < 1.5


def test_cpu_meter_rejects_bad_input():
    with pytest.raises(ValueError):
        CpuMeter(None)
    with pytest.raises(ValueError):
        _ = CpuMeter(lambda: 1).cores


def test_probe_measures_peak():
    probe, gate = ConcurrencyProbe(), threading.BoundedSemaphore(2)

    def use():
        with gate, probe.use(0.02):
            pass

    _run(use, (), 6)
    assert probe.calls == 6 and 1 <= probe.peak <= 2 and probe.inside == 0


def test_probe_rejects_bad_seconds():
    with pytest.raises(ValueError), ConcurrencyProbe().use(-1):
        pass


def test_workers():
    blocks = make_blocks(2, 4096, seed=1)
    assert blocks == make_blocks(2, 4096, seed=1) and len(blocks[0]) == 4096
    assert hash_block(blocks[0]) == hashlib.sha256(blocks[0]).hexdigest()
    assert python_work(20) == 8
    with pytest.raises(ValueError):
        make_blocks(0, 10)
    with pytest.raises(ValueError):
        python_work(0)


def test_finished_reports_a_thread_still_running():
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, args=(5,))
    t.start()
    try:
        assert not finished([t], timeout=0.05)
    finally:
        stop.set()
        t.join(timeout=5)
    assert finished([t], timeout=1)
    start = time.monotonic()
    assert finished([], timeout=1) and time.monotonic() - start < 0.5
