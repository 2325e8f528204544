"""How many cores this process may really use (affinity, container quota, JupyterHub limit)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_SELF_CGROUP = Path("/proc/self/cgroup")


def affinity_cpus() -> int:
    """Cores the OS scheduler lets this process run on (ignores quotas)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    if hasattr(os, "process_cpu_count"):  # Python 3.13+, Windows and macOS
        return os.process_cpu_count() or 1
    return os.cpu_count() or 1


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _own_cgroup_dirs(root: Path, proc_self_cgroup: Path, controller: str | None) -> list[Path]:
    """Directories holding this process's cgroup files, innermost first, then the root."""
    dirs: list[Path] = []
    text = _read(proc_self_cgroup) or ""
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, rel = parts
        if controller is None and controllers == "":
            base = root
        elif controller is not None and controller in controllers.split(","):
            base = root / controllers
            if not base.exists():
                base = root / controller
        else:
            continue
        rel_path = Path(rel.lstrip("/"))
        while True:
            dirs.append(base / rel_path)
            if rel_path == Path("."):
                break
            rel_path = rel_path.parent
    if controller is None:
        dirs.append(root)
    else:
        dirs.extend([root / controller, root / "cpu,cpuacct"])
    return dirs


def cgroup_cpu_limit(
    root: Path = CGROUP_ROOT, proc_self_cgroup: Path = PROC_SELF_CGROUP
) -> float | None:
    """The container's CPU quota in cores (cgroup v2 cpu.max or v1 cfs quota), None if unlimited."""
    limits: list[float] = []
    for directory in _own_cgroup_dirs(root, proc_self_cgroup, None):
        text = _read(directory / "cpu.max")
        if text:
            quota, _, period = text.partition(" ")
            if quota != "max" and period:
                limits.append(int(quota) / int(period))
            break
    if not limits:
        for directory in _own_cgroup_dirs(root, proc_self_cgroup, "cpu"):
            quota = _read(directory / "cpu.cfs_quota_us")
            period = _read(directory / "cpu.cfs_period_us")
            if quota is not None and period is not None:
                if int(quota) > 0 and int(period) > 0:
                    limits.append(int(quota) / int(period))
                break
    return min(limits) if limits else None


def _env_cores(env: Mapping[str, str], name: str) -> float | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number of cores; use e.g. {name}=2") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={raw!r} must be a positive number of cores")
    return value


def usable_cpus(
    env: Mapping[str, str] | None = None,
    cgroup_root: Path = CGROUP_ROOT,
    proc_self_cgroup: Path = PROC_SELF_CGROUP,
) -> int:
    """Cores this process may really use: min of affinity, cgroup quota, CPU_LIMIT, COURSE_CPUS."""
    env = os.environ if env is None else env
    candidates: list[float] = [affinity_cpus()]
    quota = cgroup_cpu_limit(cgroup_root, proc_self_cgroup)
    if quota is not None:
        candidates.append(quota)
    for name in ("CPU_LIMIT", "COURSE_CPUS"):
        value = _env_cores(env, name)
        if value is not None:
            candidates.append(value)
    return max(1, math.ceil(min(candidates)))
