"""Exercise checkers: plain-words feedback on what is right and what is still wrong.

The Report type and shared expectations live here; each concern has its own checker module.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import provenance


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


def expect_parallel_pids(report: Report, pids: Iterable[int], minimum: int = 2, *,
                         spread: bool = True, parent_pid: int | None = None) -> bool:
    """Record whether the work ran in real child processes of this one, and (with `spread`) in
    at least `minimum` distinct ones.

    A pid counts only if that process really descended from this one (helpers.provenance keeps
    the evidence), so made-up pids, pid 1 and this kernel's own pid fail. Pass `spread=False`
    where the number of distinct workers depends on scheduling (a pool's fast tasks may all land
    on one early worker): then one genuine child is enough.
    """
    parent_pid = os.getpid() if parent_pid is None else parent_pid
    try:
        distinct = {int(p) for p in pids}
    except (TypeError, ValueError):
        return report.expect(False, "", "pids should be a list of process ids (whole numbers)")
    if not distinct:
        return report.expect(False, "", "no pids were reported: collect os.getpid() from each task")
    if parent_pid in distinct:
        return report.expect(False, "", "some work ran in this kernel itself (its pid is in the "
                                        "list): start child processes")
    strangers = sorted(pid for pid in distinct if not provenance.is_descendant(pid, of=parent_pid))
    genuine = report.expect(
        not strangers,
        "the work ran outside this kernel, in its child processes",
        f"pid {strangers[0]} was not a child process of this kernel: report the pids that the "
        "workers themselves returned (os.getpid() inside the task)" if strangers else "")
    if not spread:
        return genuine
    spread_ok = report.expect(
        len(distinct) >= minimum,
        f"the work was spread over at least {minimum} different processes" if minimum > 1
        else "the work ran in a child process",
        f"the work ran in {len(distinct)} process(es); it should be spread over at least {minimum}")
    return genuine and spread_ok
