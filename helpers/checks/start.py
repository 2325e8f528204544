"""Checkers for the set-up notebook: default process count and a first measurement."""

from __future__ import annotations

import math

from ..timing import Timing
from ..workloads import count_primes, prime_window
from . import Report

# Exercise 1's machines: what os.cpu_count() says, the cores CPU affinity allows, the container's
# CPU quota (cores of CPU time per period; None: no quota) and CPU_LIMIT (None: unset).
MACHINES: dict[str, dict[str, float | None]] = {
    "laptop": {"cpu_count": 8, "affinity": 8, "quota": None, "cpu_limit": None},
    "pinned": {"cpu_count": 32, "affinity": 4, "quota": None, "cpu_limit": None},
    "container": {"cpu_count": 16, "affinity": 16, "quota": 1.5, "cpu_limit": None},
    "hub": {"cpu_count": 64, "affinity": 64, "quota": 4, "cpu_limit": 1},
}


def usable_from(affinity: float, quota: float | None = None, cpu_limit: float | None = None) -> int:
    """helpers.cpus.usable_cpus()'s rule on given figures: the smallest limit, rounded up to a
    whole core, and never less than 1."""
    limits = [affinity] + [x for x in (quota, cpu_limit) if x is not None]
    return max(1, math.ceil(min(limits)))


def _machine_hint(name: str, machine: dict[str, float | None], answer: object) -> str:
    right = usable_from(machine["affinity"], machine["quota"], machine["cpu_limit"])  # type: ignore[arg-type]
    if answer == machine["cpu_count"] and answer != right:
        return (f"{name}: {answer} is os.cpu_count(), the machine's cores: it ignores affinity, "
                "quotas and CPU_LIMIT")
    if machine["quota"] is not None and answer == math.floor(machine["quota"]) != right:
        return (f"{name}: {answer} rounds the quota down; the course rounds it up, so that the "
                "processes can use all the CPU time the quota gives")
    if answer == 0:
        return f"{name}: 0 processes cannot do any work; the course never goes below 1"
    return f"{name}: {answer!r} is not what usable_cpus() returns there; take the smallest limit"


def check_default_processes(answers: object) -> Report:
    """Exercise: what usable_cpus() returns on each machine of MACHINES (a dict name -> int).

    Nothing here depends on the machine running it, so a correct answer passes on any core count.
    """
    report = Report("default number of processes")
    if answers is None:
        report.expect(False, "", "no answer yet: set `answers` to a dict such as {\"laptop\": 8, ...}")
        return report
    if not isinstance(answers, dict):
        report.expect(False, "", f"`answers` should be a dict of machine name -> number, got {answers!r}")
        return report
    missing = [name for name in MACHINES if name not in answers]
    report.expect(not missing, "an answer for every machine",
                  f"no answer yet for {', '.join(missing)}")
    for name, machine in MACHINES.items():
        if name not in answers:
            continue
        answer = answers[name]
        right = usable_from(machine["affinity"], machine["quota"], machine["cpu_limit"])  # type: ignore[arg-type]
        ok = isinstance(answer, int) and not isinstance(answer, bool) and answer == right
        if ok and right == 1:
            message = (f"{name}: {right} is right; one usable core: every notebook still runs, "
                       "but one core cannot show a speedup")
        else:
            message = f"{name}: {right} is right"
        report.expect(ok, message, _machine_hint(name, machine, answer))
    return report


def check_first_measurement(timing: object, size: int = 100_000) -> Report:
    """Exercise: time count_primes on prime_window(size) with measure(), at least 3 repeats."""
    report = Report("your first measurement")
    if not isinstance(timing, Timing):
        report.expect(False, "", "`my_timing` should be what measure(...) returns (a Timing)")
        return report
    report.expect(len(timing.times) >= 3, f"{len(timing.times)} timed repeats: the median is meaningful",
                  f"only {len(timing.times)} timed repeat(s): use repeats=3 or more")
    expected = count_primes(*prime_window(size))
    report.expect(timing.result == expected, "it timed the right job (the prime count matches)",
                  f"the result is {timing.result!r}, expected {expected}: time "
                  f"count_primes(*prime_window({size:,}))")
    return report
