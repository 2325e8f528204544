"""Checkers for the performance-lab exercises (Amdahl's law, BLAS threads per worker)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

from ..perf import blas_environment
from . import Report, expect_parallel_pids

AMDAHL_POINTS = [(1, 0.0), (1, 0.3), (2, 0.0), (2, 0.5), (4, 0.1), (16, 0.05), (64, 0.2), (8, 1.0)]


def _reference_amdahl(processes: float, serial_fraction: float) -> float:
    return 1.0 / (serial_fraction + (1.0 - serial_fraction) / processes)


def smallest_processes_for(target: float, serial_fraction: float, limit: int = 100_000) -> int | None:
    """The fewest processes whose Amdahl speedup reaches `target`, None if it never does."""
    for n in range(1, limit + 1):
        if _reference_amdahl(n, serial_fraction) >= target:
            return n
    return None


def check_amdahl(amdahl: object, needed: object, serial_fraction: float = 0.05,
                 target: float = 12.0) -> Report:
    """Exercise: write amdahl(processes, serial_fraction); find the processes that reach `target`."""
    report = Report("Amdahl's law")
    if not callable(amdahl):
        report.expect(False, "", "`amdahl` should be a function amdahl(processes, serial_fraction)")
    else:
        _check_formula(report, amdahl)
    expected = smallest_processes_for(target, serial_fraction)
    ceiling = 1.0 / serial_fraction
    if needed is None:
        report.expect(False, "", "no answer yet: set `needed` to a whole number of processes")
    elif isinstance(needed, bool) or not isinstance(needed, int):
        report.expect(False, "", f"`needed` should be a whole number of processes, got {needed!r}")
    else:
        hint = ("too few: that count does not reach the target yet" if expected and needed < expected
                else "more than needed: a smaller count already reaches the target")
        report.expect(needed == expected,
                      f"{expected} processes are the fewest that reach {target:g}x "
                      f"with {serial_fraction:.0%} serial work (the ceiling is {ceiling:g}x)",
                      f"{needed} is {hint}; loop n = 1, 2, 3, ... until amdahl(n, "
                      f"{serial_fraction}) >= {target:g}")
    return report


def _check_formula(report: Report, amdahl: Callable[..., Any]) -> None:
    for processes, fraction in AMDAHL_POINTS:
        expected = _reference_amdahl(processes, fraction)
        try:
            got = amdahl(processes, fraction)
        except Exception as exc:  # the learner's code: report whatever went wrong
            report.expect(False, "", f"amdahl({processes}, {fraction}) raised "
                                     f"{type(exc).__name__}: {exc}")
            return
        try:
            value = float(got)
        except (TypeError, ValueError):
            report.expect(False, "", f"amdahl({processes}, {fraction}) returned {got!r}; "
                                     "it should return the predicted speedup, a number")
            return
        if not math.isclose(value, expected, rel_tol=1e-9):
            hint = " (one process always gives 1x)" if processes == 1 else ""
            report.expect(False, "", f"amdahl({processes}, {fraction}) returned {got!r}, "
                                     f"expected {expected:.4g}{hint}; the law is 1 / (s + (1 - s) / n)")
            return
    report.expect(True, "amdahl(n, s) matches 1 / (s + (1 - s) / n) at every point tried", "")


def check_blas_env(reports: object, before: object, parent_pid: int | None = None) -> Report:
    """Exercise: workers with one BLAS thread through the environment alone (no initializer),
    and this kernel's environment left as it was (`before`: blas_environment() beforehand)."""
    report = Report("one BLAS thread per worker, from the environment")
    parent_pid = os.getpid() if parent_pid is None else parent_pid
    if reports is None:
        report.expect(False, "", "no answer yet: set `reports` to what pool.map(blas_threads, ...) "
                                 "returned")
        return report
    try:
        pairs = [(int(pid), int(threads)) for pid, threads in reports]  # type: ignore[union-attr]
    except (TypeError, ValueError):
        report.expect(False, "", "`reports` should be a list of (pid, threads) pairs, as "
                                 "blas_threads returns them")
        return report
    if not report.expect(bool(pairs), "the workers reported back",
                         "`reports` is empty: map blas_threads over at least one item per worker"):
        return report
    expect_parallel_pids(report, [pid for pid, _ in pairs], minimum=1, spread=False,
                         parent_pid=parent_pid)
    crowded = sorted({threads for _, threads in pairs if threads != 1})
    report.expect(not crowded,
                  "every worker started its BLAS with exactly one thread",
                  f"some workers still have {crowded} BLAS threads: a forked child inherits this "
                  "kernel's BLAS, already started, so the environment comes too late; a child that "
                  "starts a fresh interpreter (mp.get_context(\"spawn\")) reads it at start-up")
    now = blas_environment()
    changed = sorted(name for name, value in now.items()
                     if isinstance(before, dict) and before.get(name) != value)
    report.expect(isinstance(before, dict) and not changed,
                  "this kernel's environment is as it was before",
                  f"still changed: {changed}: restore the variables (try/finally) once the pool "
                  "has started, or every process started later inherits them"
                  if changed else "pass `before`, the blas_environment() taken before you started")
    return report
