"""Checkers for notebook 07: concurrent fetching, a responsive event loop, choosing the tool."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..concurrency import Heartbeat
from ..iobound import LatencyServer
from ..workloads import count_primes
from . import Report, expect_parallel_pids


def check_async_fetch(pages: object, server: LatencyServer, count: int) -> Report:
    """Exercise: fetch `count` pages of `server` concurrently with asyncio, in order, then stop it."""
    report = Report("concurrent fetch with asyncio")
    if pages is None:
        report.expect(False, "", "no answer yet: set `pages` to the list that asyncio.gather returns")
        return report
    if not isinstance(pages, Sequence) or isinstance(pages, bytes | str):
        report.expect(False, "", f"`pages` should be a list of page bodies (bytes), got {type(pages).__name__}")
        return report
    expected = server.expected(count)
    report.expect(len(pages) == count, f"all {count} pages came back",
                  f"{len(pages)} pages came back, expected {count}: fetch every URL once")
    report.expect(list(pages) == expected, "every page is the right one, in the order of the URLs",
                  "some pages differ from what the server sent, or are out of order: "
                  "asyncio.gather returns results in the order of its arguments")
    report.expect(server.peak_in_flight >= min(2, count),
                  "the requests overlapped: the server was answering several at once",
                  "the server never had two requests at once: the fetches ran one after another "
                  "(await each one inside a loop); hand them all to asyncio.gather instead")
    report.expect(not server.running, "the server was stopped (the `with` block ended)",
                  "the server is still running: use it in a `with LatencyServer(...)` block")
    return report


def check_responsive_cpu(total: object, pids: object, heartbeat: Heartbeat | None,
                         start: int, stop: int) -> Report:
    """Exercise: count primes in [start, stop) in a process pool from async code, loop kept beating."""
    report = Report("CPU work from async code")
    expected = count_primes(start, stop)
    if total is None:
        report.expect(False, "", "no answer yet: set `total` to the number of primes found")
    else:
        report.expect(total == expected, f"the count is right ({expected})",
                      f"the count is {total!r}, but [{start}, {stop}) holds {expected} primes")
    if pids is None:
        report.expect(False, "", "no pids yet: use count_primes_tagged and collect each result's .pid")
    else:
        expect_parallel_pids(report, pids, spread=False)  # type: ignore[arg-type]
    if heartbeat is None or not isinstance(heartbeat, Heartbeat):
        report.expect(False, "", "no heartbeat: run the work inside `async with Heartbeat() as heartbeat:`")
    else:
        responsive = heartbeat.beats >= 3 and heartbeat.max_gap <= 0.5 * heartbeat.elapsed
        report.expect(responsive, "the event loop kept beating while the work ran",
                      "the event loop stalled: the work ran on the loop's own thread; "
                      "await loop.run_in_executor(pool, ...) for each slice instead")
    return report


# Which tool fits which job; each entry: accepted tools and why.
TOOL_CHOICES: dict[str, tuple[frozenset[str], str]] = {
    "download 200 web pages": (
        frozenset({"asyncio", "threads"}),
        "the time goes into waiting on the network: many waits can overlap on one core"),
    "count primes below 20 million in pure Python": (
        frozenset({"processes"}),
        "pure-Python computing holds the GIL: only processes put it on several cores"),
    "keep 5,000 mostly idle chat connections open": (
        frozenset({"asyncio"}),
        "thousands of waiting connections: a coroutine costs far less than a thread or a process"),
    "call a blocking database driver (no async version) 50 times": (
        frozenset({"threads"}),
        "a blocking library waits on I/O and releases the GIL while it waits: threads "
        "(or run_in_executor with a thread pool from async code)"),
    "apply a pure-Python filter to 2,000 images": (
        frozenset({"processes"}),
        "CPU-bound Python code: spread it over processes"),
}
TOOL_NAMES = ("threads", "asyncio", "processes")


def check_tool_choices(choices: object) -> Report:
    """Exercise: for each job in TOOL_CHOICES pick 'threads', 'asyncio' or 'processes'."""
    report = Report("the right tool for the job")
    if not isinstance(choices, Mapping):
        report.expect(False, "", "`choices` should be a dict from each job to a tool name")
        return report
    for job, (accepted, why) in TOOL_CHOICES.items():
        answer = choices.get(job)
        if answer is None:
            report.expect(False, "", f"{job}: no answer yet (one of {', '.join(TOOL_NAMES)})")
        elif answer not in TOOL_NAMES:
            report.expect(False, "", f"{job}: {answer!r} is not one of {', '.join(TOOL_NAMES)}")
        else:
            report.expect(answer in accepted, f"{job}: {answer} ({why})",
                          f"{job}: not {answer}; think about where the time goes")
    extra = sorted(set(choices) - set(TOOL_CHOICES))
    if extra:
        report.expect(False, "", f"unknown job(s) {extra}: keep the keys as given")
    return report
