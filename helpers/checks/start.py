"""Checkers for the set-up notebook: default process count and a first measurement."""

from __future__ import annotations

import os

from ..cpus import usable_cpus
from ..timing import Timing
from ..workloads import count_primes, prime_window
from . import Report


def check_default_processes(answer: object) -> Report:
    """Exercise: the default number of processes is the usable cores, not os.cpu_count()."""
    report = Report("default number of processes")
    usable = usable_cpus()
    if answer is None:
        report.expect(False, "", "no answer yet: set `my_default` to a number")
    elif answer == usable:
        report.expect(True, f"{usable} is right: the cores this kernel may really use", "")
    elif answer == os.cpu_count():
        report.expect(False, "", f"{answer} is os.cpu_count(): it ignores affinity and container "
                      f"quotas; this kernel may use only {usable}")
    else:
        report.expect(False, "", f"{answer!r} is not the usable core count; look at the summary "
                      "printed by setup() or call usable_cpus()")
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
