"""Which processes descend from which: evidence, for the checkers, that work ran in real children.

Every process that imports `helpers` leaves a small record, `<registry>/<pid>`, naming its
ancestors, and passes them on to the processes it starts through an environment variable
(inherited under spawn, fork, forkserver, by `subprocess` and by Dask's workers alike). Forked
children, which do not import anything again, record themselves from an at-fork hook. A checker
can then tell a pid that really ran the work in a child of this kernel from a made-up one, from
pid 1, or from the kernel itself, after the child has exited, with or without the course set-up.
Standard library only: this runs in every child process at import time.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

ANCESTORS_VARIABLE = "MULTICORE_COURSE_ANCESTORS"
MAX_RECORD_AGE = 24 * 3600.0  # records of older processes are pruned by the checkers


def registry() -> Path:
    """The folder of records: one per user, in the system's temporary folder."""
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return Path(tempfile.gettempdir()) / f"multicore-course-{user}" / "pids"


def _inherited() -> list[int]:
    pids = []
    for part in os.environ.get(ANCESTORS_VARIABLE, "").split(":"):
        if part.isdigit():
            pids.append(int(part))
    return pids


def _announce() -> None:
    """Record this process's ancestors, then name it as an ancestor of whatever it starts."""
    ancestors = [*_inherited(), os.getppid()]
    try:
        folder = registry()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / str(os.getpid())).write_text(" ".join(map(str, ancestors)))
    except OSError:  # a read-only or full temporary folder: the checkers will say they cannot tell
        pass
    chain = [pid for pid in ancestors if pid != os.getpid()][-64:]  # bounded, whatever the depth
    os.environ[ANCESTORS_VARIABLE] = ":".join(map(str, [*chain, os.getpid()]))


def ancestors_of(pid: int) -> set[int] | None:
    """The recorded ancestors of `pid`, or None if no process with that pid imported `helpers`."""
    try:
        text = (registry() / str(int(pid))).read_text()
    except (OSError, ValueError):
        return None
    return {int(part) for part in text.split() if part.isdigit()}


def is_descendant(pid: int, of: int | None = None) -> bool:
    """True if `pid` was a process started (directly or not) by process `of` (default: this one)."""
    of = os.getpid() if of is None else of
    if pid == of:
        return False
    ancestors = ancestors_of(pid)
    return ancestors is not None and of in ancestors


def prune(max_age: float = MAX_RECORD_AGE) -> int:
    """Delete records older than `max_age` seconds; return how many were removed."""
    removed, cutoff = 0, time.time() - max_age
    try:
        entries = list(os.scandir(registry()))
    except OSError:
        return 0
    for entry in entries:
        try:
            if entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            pass
    return removed


_announce()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_announce)
