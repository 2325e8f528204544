"""helpers.queues: producers/consumers, pipes, back-pressure helpers, throughput, clean-up."""

import multiprocessing as mp
import re
from pathlib import Path

import psutil
import pytest
from nbval.plugin import get_sanitize_patterns

import helpers.queues as queues
from helpers.lifecycle import started
from helpers.queues import (
    STOP,
    ChannelReport,
    Consumed,
    Throughput,
    consume,
    consume_while_not_empty,
    drain,
    format_rate,
    format_size,
    measure_channels,
    prime_task_worker,
    produce,
    put_block,
    wait_joined,
    word_lengths_server,
)
from helpers.workloads import count_primes, split_range


def workers_left() -> list[psutil.Process]:
    """Children of this test process other than multiprocessing's own infrastructure."""
    left = []
    for child in psutil.Process().children(recursive=True):
        try:
            command = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if "resource_tracker" not in command and "forkserver" not in command:
            left.append(child)
    return [p for p in psutil.wait_procs(left, timeout=5)[1]]


def sanitize(text: str) -> str:
    patterns = get_sanitize_patterns(
        Path(__file__).with_name("sanitize.cfg").read_text(encoding="utf-8"))
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    return text


@pytest.mark.parametrize("nbytes, text", [(16, "16 B"), (4096, "4.0 KiB"), (2**20, "1.0 MiB"),
                                          (3 * 2**30, "3.0 GiB")])
def test_format_size(nbytes, text):
    assert format_size(nbytes) == text
    assert sanitize(f"a {format_size(nbytes)} message") == "a~SIZE message"


def test_format_rate_and_sanitizer():
    assert format_rate(12345.6, "msg/s") == "12,346 msg/s"
    assert format_rate(12.34, "MB/s") == "12.3 MB/s"
    assert sanitize(f"at {format_rate(987654, 'msg/s')}") == sanitize(f"at {format_rate(3.2, 'msg/s')}")
    with pytest.raises(ValueError):
        format_rate(1, "furlongs")
    with pytest.raises(ValueError):
        format_size(-1)


def test_report_tables_sanitize_identically():
    one = ChannelReport((Throughput("Queue", 16, 100, 0.01), Throughput("Pipe", 2**20, 10, 0.2)),
                        {"Queue": 1.5e-4, "Pipe": 8e-5})
    two = ChannelReport((Throughput("Queue", 16, 2000, 0.5), Throughput("Pipe", 2**20, 10, 0.01)),
                        {"Queue": 2e-3, "Pipe": 1.2e-5})
    assert sanitize(one.table()) == sanitize(two.table())
    assert one.at("Pipe", 2**20).mb_per_s == pytest.approx(10 * 2**20 / 0.2 / 1e6)
    with pytest.raises(ValueError):
        one.at("Pipe", 16)


def test_seed_consumer_misses_items():
    q, results, ready = mp.Queue(), mp.Queue(), mp.Event()
    producer = mp.Process(target=produce, args=(q, 10), kwargs={"gap": 0.02, "wait_for": ready})
    consumer = mp.Process(target=consume_while_not_empty, args=(q, results, ready))
    with started(producer, consumer):
        got = results.get(timeout=30)
        producer.join(timeout=30)
        left = drain(q)
    assert isinstance(got, Consumed) and len(got.items) < 10
    assert len(got.items) + len(left) == 10


def test_sentinels_deliver_everything_exactly_once():
    q, results = mp.Queue(), mp.Queue()
    producers = [mp.Process(target=produce, args=(q, 50), kwargs={"producer": i}) for i in range(2)]
    consumers = [mp.Process(target=consume, args=(q, results)) for _ in range(2)]
    with started(*producers, *consumers):
        for p in producers:
            p.join(timeout=30)
        for _ in consumers:
            q.put(STOP)
        reports = [results.get(timeout=30) for _ in consumers]
    received = sorted(item for r in reports for item in r.items)
    assert received == sorted((p, s) for p in range(2) for s in range(50))
    assert not workers_left()


def test_joinable_queue_worker():
    tasks, results = mp.JoinableQueue(), mp.Queue()
    jobs = split_range(1000, 3000, 4)
    worker = mp.Process(target=prime_task_worker, args=(tasks, results))
    with started(worker):
        for job in jobs:
            tasks.put(job)
        assert wait_joined(tasks, timeout=60)
        answers = [results.get(timeout=10) for _ in jobs]
        tasks.put(STOP)
    assert sum(a[3] for a in answers) == count_primes(1000, 3000)


def test_wait_joined_times_out_and_leaves_no_thread_blocked():
    import threading

    tasks = mp.JoinableQueue()
    tasks.put(1)
    assert not wait_joined(tasks, timeout=0.2)
    assert not [t for t in threading.enumerate() if t.name == "wait_joined"]
    assert tasks.get(timeout=5) == 1  # the item is still there; the queue was given up
    assert wait_joined(tasks, timeout=5)  # nothing outstanding any more
    with pytest.raises(ValueError):
        wait_joined(tasks, timeout=-1)


def test_produce_rejects_bad_counts():
    with pytest.raises(ValueError):
        produce(mp.Queue(), -1)
    with pytest.raises(ValueError):
        put_block(mp.Queue(), 0, -5)


def test_join_before_drain_blocks_until_drained():
    q = mp.Queue()
    child = mp.Process(target=put_block, args=(q, 0, 2**20))
    child.start()
    child.join(timeout=1)
    assert child.is_alive()
    index, pid, block = q.get(timeout=30)
    child.join(timeout=30)
    assert (index, pid, len(block), child.exitcode) == (0, child.pid, 2**20, 0)


def test_pipe_server_answers():
    parent_end, child_end = mp.Pipe()
    server = mp.Process(target=word_lengths_server, args=(child_end,))
    with started(server):
        child_end.close()
        parent_end.send("one three")
        assert parent_end.poll(30)
        pid, lengths = parent_end.recv()
        parent_end.send(STOP)
    parent_end.close()
    assert lengths == [3, 5] and pid == server.pid


def test_measure_channels_small():
    report = measure_channels([16, 4096], budget_bytes=64 * 1024, max_messages=50, repeats=1,
                              round_trips=5)
    assert [(p.channel, p.size) for p in report.points] == [
        ("Queue", 16), ("Queue", 4096), ("Pipe", 16), ("Pipe", 4096)]
    assert all(p.msg_per_s > 0 and p.mb_per_s > 0 for p in report.points)
    assert set(report.round_trips) == {"Queue", "Pipe"}
    assert not workers_left()


@pytest.mark.parametrize("sizes", [[], [0], [-1], [2**40]])
def test_measure_channels_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError):
        measure_channels(sizes)


def test_queue_module_stays_light():
    import subprocess
    import sys

    code = ("import sys, helpers.queues; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython', 'psutil') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr




def test_put_then_exit_dies_with_its_exit_code():
    q = mp.Queue()
    child = mp.Process(target=queues.put_then_exit, args=(q, 50, 3))
    child.start()
    child.join(30)
    got = queues.drain(q, timeout=0.5)
    assert child.exitcode == 3 and len(got) <= 50 and all(item[0] == 0 for item in got)


def test_fragile_consumer_dies_at_its_job_and_a_replacement_finishes():
    jobs, results = mp.Queue(), mp.Queue()
    for job_id in range(6):
        jobs.put((job_id, job_id))
    first = mp.Process(target=queues.fragile_consumer, args=(jobs, results), kwargs={"die_at": 2})
    first.start()
    first.join(30)
    assert first.exitcode == 1
    answers = {job_id: answer for job_id, _, answer in queues.drain(results, timeout=0.5)}
    assert 2 not in answers and set(answers) <= {0, 1}
    jobs.put(STOP)
    second = mp.Process(target=queues.fragile_consumer, args=(jobs, results))
    second.start()
    answers.update({job_id: answer for job_id, _, answer in queues.drain(results, timeout=2)})
    second.join(30)
    assert second.exitcode == 0 and {3, 4, 5} <= set(answers) and answers[5] == 25


def test_measure_channels_reports_spread_and_noise():
    report = measure_channels([64], budget_bytes=4096, max_messages=20, repeats=2, round_trips=3)
    assert report.rounds == 2 and set(report.round_trip_spreads) == {"Queue", "Pipe"}
    assert report.noise is not None and 64 in report.noise_by_size and report.round_trip_noise is not None
    assert "interleaved rounds" in report.table()
