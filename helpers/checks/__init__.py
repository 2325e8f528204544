"""Exercise checkers: plain-words feedback on what is right and what is still wrong.

The Report type and shared expectations live here; each concern has its own checker module.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Report:
    """Findings of one checker; prints as a ✔/✘ list and is truthy only when all passed."""

    title: str
    findings: list[tuple[bool, str]] = field(default_factory=list)

    def expect(self, condition: bool, ok: str, wrong: str) -> bool:
        """Record one finding: `ok` if condition holds, else `wrong`."""
        self.findings.append((bool(condition), ok if condition else wrong))
        return bool(condition)

    @property
    def passed(self) -> bool:
        return bool(self.findings) and all(ok for ok, _ in self.findings)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        lines = [f"{self.title}: {'all correct' if self.passed else 'not yet'}"]
        lines += [f"  {'✔' if ok else '✘'} {message}" for ok, message in self.findings]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def expect_parallel_pids(report: Report, pids: Iterable[int], minimum: int = 2,
                         parent_pid: int | None = None) -> bool:
    """Record whether the work ran in at least `minimum` distinct child processes."""
    parent_pid = os.getpid() if parent_pid is None else parent_pid
    try:
        distinct = {int(p) for p in pids}
    except (TypeError, ValueError):
        return report.expect(False, "", "pids should be a list of process ids (whole numbers)")
    in_children = report.expect(
        parent_pid not in distinct,
        "the work ran outside this kernel, in child processes",
        "some work ran in this kernel itself (its pid is in the list): start child processes")
    spread = report.expect(
        len(distinct) >= minimum,
        f"the work was spread over at least {minimum} different processes" if minimum > 1
        else "the work ran in a child process",
        f"the work ran in {len(distinct)} process(es); it should be spread over at least {minimum}")
    return in_children and spread
