"""Checkers for notebook 10: a deadlock-free lock plan, and recovering from a killed worker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..failures import check_plan, run_lock_plan
from . import Report, expect_parallel_pids


def _order_cycle(pairs: Sequence[tuple[str, str]]) -> list[str] | None:
    """A cycle in the 'taken before' graph of the plan (a possible deadlock), or None."""
    graph: dict[str, set[str]] = {}
    for first, second in pairs:
        graph.setdefault(first, set()).add(second)
        graph.setdefault(second, set())
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def check_lock_plan(jobs: Sequence[tuple[str, str]], plan: object, *, timeout: float = 3.0) -> Report:
    """Exercise: give each job's two locks an order so the jobs, run at once, cannot deadlock."""
    report = Report("a lock plan that cannot deadlock")
    if plan is None:
        report.expect(False, "", "no answer yet: set `plan` to one (first, second) pair per job")
        return report
    try:
        pairs = check_plan(plan)
    except ValueError as error:
        report.expect(False, "", str(error))
        return report
    same_locks = len(pairs) == len(jobs) and all(
        set(pair) == set(job) for pair, job in zip(pairs, jobs, strict=False))
    report.expect(same_locks, "each job still takes its own two locks",
                  "each step of the plan must take the same two locks as the job in the same "
                  "position (only the order may change)")
    if not same_locks:
        return report
    cycle = _order_cycle(pairs)
    report.expect(cycle is None, "all jobs take the locks in one global order",
                  "the order has a cycle (" + " before ".join(cycle or []) + "): "
                  "sort each pair by one global rule, e.g. alphabetically")
    run = run_lock_plan(pairs, timeout=timeout)
    report.expect(run.finished, f"run for real, all {len(pairs)} jobs finished",
                  f"run for real, the jobs were still stuck after {timeout:g} s and were stopped: "
                  "a deadlock")
    if run.finished:
        expect_parallel_pids(report, run.pids.values(), minimum=len(pairs))
    return report


def check_recovered_results(results: object, tasks: Sequence[int], attempts: object) -> Report:
    """Exercise: square every task although a worker dies on the first attempt; count attempts."""
    report = Report("recovering from a killed worker")
    if results is None:
        report.expect(False, "", "no answer yet: set `results` to a dict {task: task * task}")
        return report
    if not isinstance(results, Mapping):
        report.expect(False, "", f"`results` should be a dict, got {type(results).__name__}")
        return report
    missing = [t for t in tasks if t not in results]
    report.expect(not missing, f"every one of the {len(tasks)} tasks has a result",
                  f"{len(missing)} task(s) have no result (e.g. {missing[:3]}): retry the ones "
                  "whose futures raised BrokenProcessPool, on a new executor")
    wrong = [t for t in tasks if t in results and results[t] != t * t]
    report.expect(not wrong, "every result is right",
                  f"wrong results for {wrong[:3]}: each value should be task * task")
    extra = sorted(set(results) - set(tasks))
    report.expect(not extra, "no results for tasks that were not asked for",
                  f"results for tasks that do not exist: {extra[:3]}")
    report.expect(isinstance(attempts, int) and attempts >= 2,
                  "it took a second attempt, on a fresh executor",
                  "`attempts` should count the executors you used: the first one breaks, so at least 2")
    return report
