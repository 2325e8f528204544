"""Checkers of notebook 06: a right answer passes, each kind of wrong answer says what is wrong."""

import threading
from concurrent.futures import ThreadPoolExecutor

from helpers.checks.threads import check_bounded_fetch, check_locked_counter
from helpers.iobound import fetch


def add_safely(counter, lock, n):
    for _ in range(n):
        with lock:
            counter.value += 1


def add_unlocked(counter, lock, n):
    for _ in range(n):
        counter.value += 1


def add_too_many(counter, lock, n):
    for _ in range(n + 1):
        with lock:
            counter.value += 1


def add_raises(counter, lock, n):
    raise RuntimeError("boom")


def test_locked_counter_right_answer():
    report = check_locked_counter(add_safely, increments=300)
    assert report, str(report)


def test_locked_counter_whole_loop_under_the_lock_is_also_right():
    def add(counter, lock, n):
        with lock:
            for _ in range(n):
                counter.value += 1
    assert check_locked_counter(add, increments=300)


def test_locked_counter_unlocked_answer_fails():
    report = check_locked_counter(add_unlocked, increments=300)
    assert not report and "updates lost" in str(report) and "never acquired" in str(report)


def test_locked_counter_wrong_count_and_errors_and_placeholder():
    assert "add exactly n" in str(check_locked_counter(add_too_many, increments=100))
    assert "RuntimeError" in str(check_locked_counter(add_raises, increments=100))
    assert "define add_safely" in str(check_locked_counter(None))


def fetch_all(urls, limit):
    gate = threading.BoundedSemaphore(limit)

    def polite(url):
        with gate:
            return fetch(url)

    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        return list(pool.map(polite, urls, timeout=60))


def fetch_all_unbounded(urls, limit):
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        return list(pool.map(fetch, urls, timeout=60))


def fetch_all_serial(urls, limit):
    return [fetch(u) for u in urls]


def test_bounded_fetch_right_answer():
    report = check_bounded_fetch(fetch_all, pages=8)
    assert report, str(report)


def test_bounded_fetch_without_semaphore_fails():
    report = check_bounded_fetch(fetch_all_unbounded, pages=8)
    assert not report and "hold the semaphore" in str(report)


def test_bounded_fetch_one_by_one_fails():
    report = check_bounded_fetch(fetch_all_serial, pages=6, latency=0.02)
    assert not report and "never saw two requests" in str(report)


def test_bounded_fetch_wrong_pages_and_placeholder():
    report = check_bounded_fetch(lambda urls, limit: list(reversed(fetch_all(urls, limit))), pages=4)
    assert not report and "in the\norder" not in str(report) and "order of urls" in str(report)
    assert "define fetch_all" in str(check_bounded_fetch(None))
    assert "raised" in str(check_bounded_fetch(lambda urls, limit: 1 / 0, pages=2))
