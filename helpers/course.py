"""The course's settings for a kernel or a script: its start method, and a summary of the machine.

The notebook set-up (`helpers.lab.setup`) calls these and also turns on inline figures.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import platform
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from .cpus import affinity_cpus, cgroup_cpu_limit, usable_cpus

START_METHODS = ("fork", "spawn", "forkserver")
DEFAULT_START_METHOD = "spawn"
START_METHOD_VARIABLE = "COURSE_START_METHOD"


def chosen_start_method(env: Mapping[str, str] | None = None) -> str:
    """The start method for this kernel: COURSE_START_METHOD if set, else spawn (as on Windows/macOS)."""
    env = os.environ if env is None else env
    method = env.get(START_METHOD_VARIABLE, "").strip() or DEFAULT_START_METHOD
    return check_start_method(method)


def check_start_method(method: str) -> str:
    """Return method if this platform supports it, else raise ValueError listing what it supports."""
    if method not in START_METHODS:
        raise ValueError(
            f"unknown start method {method!r}; choose one of {', '.join(START_METHODS)}"
        )
    available = mp.get_all_start_methods()
    if method not in available:
        raise ValueError(
            f"start method {method!r} is not available on {platform.system()}; "
            f"this platform supports {', '.join(available)}"
        )
    return method


def gil_enabled() -> bool:
    """True unless this is a free-threaded build running with the GIL switched off."""
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


@dataclass(frozen=True)
class MachineSummary:
    """What the course needs to know about the machine it runs on."""

    python: str
    system: str
    start_method: str
    physical_cores: int | None
    logical_cores: int
    affinity_cores: int
    quota_cores: float | None
    usable_cores: int
    memory_total_gib: float
    memory_available_gib: float
    gil: bool

    def __str__(self) -> str:
        quota = "none" if self.quota_cores is None else f"{self.quota_cores:g}"
        rows = [
            ("Python", f"{self.python}{'' if self.gil else ' (free-threaded, GIL off)'}"),
            ("system", self.system),
            ("start method", self.start_method),
            ("physical cores", str(self.physical_cores or "unknown")),
            ("logical cores", str(self.logical_cores)),
            ("cores allowed by affinity", str(self.affinity_cores)),
            ("container CPU quota", quota),
            ("usable cores (the course's default)", str(self.usable_cores)),
            ("memory", f"{self.memory_available_gib:.1f} GiB free of {self.memory_total_gib:.1f} GiB"),
        ]
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)

    def __repr__(self) -> str:
        return str(self)


def machine_summary() -> MachineSummary:
    """Measure the machine now: cores by each definition, memory, Python and start method."""
    import psutil  # imported here: workers import `helpers` and must stay light

    memory = psutil.virtual_memory()
    return MachineSummary(
        python=f"{platform.python_implementation()} {platform.python_version()}",
        system=f"{platform.system()} {platform.release()} ({platform.machine()})",
        start_method=mp.get_start_method(allow_none=True) or mp.get_start_method(),
        physical_cores=psutil.cpu_count(logical=False),
        logical_cores=psutil.cpu_count(logical=True) or 1,
        affinity_cores=affinity_cpus(),
        quota_cores=cgroup_cpu_limit(),
        usable_cores=usable_cpus(),
        memory_total_gib=memory.total / 2**30,
        memory_available_gib=memory.available / 2**30,
        gil=gil_enabled(),
    )


def use_start_method(start_method: str | None = None) -> str:
    """Make one start method the kernel's default (argument, else COURSE_START_METHOD, else spawn).

    `force=True` is a notebook convenience: a kernel may already have a default from an earlier
    cell. A script calls `set_start_method` once under its `__main__` guard, or uses
    `multiprocessing.get_context(method)`, instead.
    """
    method = check_start_method(start_method) if start_method else chosen_start_method()
    mp.set_start_method(method, force=True)
    if method == "forkserver":
        mp.set_forkserver_preload(["helpers"])
    return method
