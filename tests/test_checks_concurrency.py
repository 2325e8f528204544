"""Checkers of notebook 07: a right answer passes, each kind of wrong answer says what is wrong."""

import asyncio
import os
from concurrent.futures import ProcessPoolExecutor

import pytest

from helpers.checks.concurrency import (
    TOOL_CHOICES,
    check_async_fetch,
    check_responsive_cpu,
    check_tool_choices,
)
from helpers.concurrency import Heartbeat
from helpers.iobound import LatencyServer, fetch, fetch_async
from helpers.workloads import count_primes, count_primes_tagged, split_range
from tests.realpids import child_pids

CHILDREN = list(child_pids())
START, STOP = 10_000, 14_000
RIGHT = count_primes(START, STOP)


async def _gather(urls):
    return await asyncio.gather(*(fetch_async(u) for u in urls))


def test_async_fetch_right_answer():
    with LatencyServer(latency=0.1) as server:
        pages = asyncio.run(_gather(server.urls(6)))
    assert check_async_fetch(pages, server, 6)


def test_async_fetch_one_after_another_is_not_concurrent():
    with LatencyServer(latency=0.0) as server:
        pages = [fetch(u) for u in server.urls(4)]
    report = check_async_fetch(pages, server, 4)
    assert not report and "one after another" in str(report)


def test_async_fetch_wrong_order_and_count():
    with LatencyServer(latency=0.05) as server:
        pages = asyncio.run(_gather(server.urls(5)))
    report = check_async_fetch(list(reversed(pages))[:4], server, 5)
    assert not report and "4 pages came back" in str(report) and "order" in str(report)


def test_async_fetch_server_left_running():
    with LatencyServer(latency=0.05) as server:
        pages = asyncio.run(_gather(server.urls(3)))
        report = check_async_fetch(pages, server, 3)
    assert not report and "still running" in str(report)


@pytest.mark.parametrize("pages", [None, b"page", 42])
def test_async_fetch_not_answered(pages):
    with LatencyServer(latency=0.0) as server:
        pass
    report = check_async_fetch(pages, server, 2)
    assert not report and ("no answer yet" in str(report) or "list of page bodies" in str(report))


def _heartbeat(gaps, elapsed):
    beat = Heartbeat(interval=0.01)
    beat.gaps[:] = gaps
    beat.elapsed = elapsed
    beat._beats = len(gaps) if elapsed > gaps[0] else 0
    return beat


RESPONSIVE = _heartbeat([0.01] * 50, 0.5)
FROZEN = _heartbeat([0.5], 0.5)
CHILD_PIDS = list(CHILDREN[:2])


def test_responsive_cpu_right_answer():
    assert check_responsive_cpu(RIGHT, CHILD_PIDS, RESPONSIVE, START, STOP)


def test_responsive_cpu_real_solution_passes():
    spans = split_range(START, STOP, 4)

    async def solve():
        loop = asyncio.get_running_loop()
        with ProcessPoolExecutor(max_workers=2) as pool:
            await asyncio.gather(*(loop.run_in_executor(pool, count_primes, 0, 10) for _ in range(2)))
            async with Heartbeat() as heartbeat:
                tagged = await asyncio.gather(
                    *(loop.run_in_executor(pool, count_primes_tagged, a, b) for a, b in spans))
        return sum(t.value for t in tagged), [t.pid for t in tagged], heartbeat

    total, pids, heartbeat = asyncio.run(solve())
    report = check_responsive_cpu(total, pids, heartbeat, START, STOP)
    assert report.findings[0][0] and report.findings[1][0], str(report)


def test_responsive_cpu_frozen_loop():
    report = check_responsive_cpu(RIGHT, CHILD_PIDS, FROZEN, START, STOP)
    assert not report and "stalled" in str(report)


def test_responsive_cpu_wrong_count_and_kernel_pids():
    report = check_responsive_cpu(RIGHT + 1, [os.getpid()] * 4, RESPONSIVE, START, STOP)
    text = str(report)
    assert not report and f"holds {RIGHT} primes" in text and "child processes" in text


def test_responsive_cpu_not_answered():
    report = check_responsive_cpu(None, None, None, START, STOP)
    assert not report and str(report).count("no ") >= 3


RIGHT_CHOICES = {job: sorted(accepted)[0] for job, (accepted, _) in TOOL_CHOICES.items()}


def test_tool_choices_right_answer():
    assert check_tool_choices(RIGHT_CHOICES)


def test_tool_choices_threads_for_cpu_work_is_wrong():
    choices = dict(RIGHT_CHOICES, **{"count primes below 20 million in pure Python": "threads"})
    report = check_tool_choices(choices)
    assert not report and "not threads" in str(report)


@pytest.mark.parametrize("choices, message", [
    (None, "should be a dict"),
    ({job: None for job in TOOL_CHOICES}, "no answer yet"),
    (dict(RIGHT_CHOICES, **{"download 200 web pages": "gpu"}), "is not one of"),
    (dict(RIGHT_CHOICES, extra="threads"), "unknown job"),
])
def test_tool_choices_incomplete_or_invalid(choices, message):
    report = check_tool_choices(choices)
    assert not report and message in str(report)
