"""usable_cpus(): affinity, cgroup v1/v2 quotas, CPU_LIMIT and COURSE_CPUS, with fake files."""

from pathlib import Path

import pytest

from helpers.cpus import affinity_cpus, cgroup_cpu_limit, usable_cpus


def fake_v2(tmp_path: Path, cpu_max: str | None, rel: str = "/user.slice/job") -> tuple[Path, Path]:
    root = tmp_path / "cgroup"
    own = root / rel.lstrip("/")
    own.mkdir(parents=True)
    if cpu_max is not None:
        (own / "cpu.max").write_text(cpu_max + "\n")
    proc = tmp_path / "proc_self_cgroup"
    proc.write_text(f"0::{rel}\n")
    return root, proc


def fake_v1(tmp_path: Path, quota: int, period: int) -> tuple[Path, Path]:
    root = tmp_path / "cgroup"
    own = root / "cpu,cpuacct" / "docker" / "abc"
    own.mkdir(parents=True)
    (own / "cpu.cfs_quota_us").write_text(f"{quota}\n")
    (own / "cpu.cfs_period_us").write_text(f"{period}\n")
    proc = tmp_path / "proc_self_cgroup"
    proc.write_text("12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n")
    return root, proc


def test_no_limits_means_affinity(tmp_path):
    root, proc = fake_v2(tmp_path, None)
    assert usable_cpus(env={}, cgroup_root=root, proc_self_cgroup=proc) == affinity_cpus()


def test_cgroup_v2_quota_rounds_up(tmp_path):
    root, proc = fake_v2(tmp_path, "150000 100000")
    assert cgroup_cpu_limit(root, proc) == pytest.approx(1.5)
    assert usable_cpus(env={}, cgroup_root=root, proc_self_cgroup=proc) == min(2, affinity_cpus())


def test_cgroup_v2_max_is_unlimited(tmp_path):
    root, proc = fake_v2(tmp_path, "max 100000")
    assert cgroup_cpu_limit(root, proc) is None


def test_cgroup_v2_quota_on_parent_directory(tmp_path):
    root, proc = fake_v2(tmp_path, None, rel="/kubepods/pod1/ctr")
    (root / "kubepods" / "pod1" / "ctr" / "cpu.max").unlink(missing_ok=True)
    (root / "kubepods" / "pod1" / "cpu.max").write_text("100000 100000\n")
    assert cgroup_cpu_limit(root, proc) == pytest.approx(1.0)


def test_cgroup_v1_quota(tmp_path):
    root, proc = fake_v1(tmp_path, 50000, 100000)
    assert cgroup_cpu_limit(root, proc) == pytest.approx(0.5)
    assert usable_cpus(env={}, cgroup_root=root, proc_self_cgroup=proc) == 1


def test_cgroup_v1_unlimited(tmp_path):
    root, proc = fake_v1(tmp_path, -1, 100000)
    assert cgroup_cpu_limit(root, proc) is None


def test_missing_cgroup_files(tmp_path):
    assert cgroup_cpu_limit(tmp_path / "nothing", tmp_path / "nothing-either") is None


def test_cpu_limit_from_jupyterhub(tmp_path):
    root, proc = fake_v2(tmp_path, None)
    assert usable_cpus(env={"CPU_LIMIT": "0.5"}, cgroup_root=root, proc_self_cgroup=proc) == 1
    expected = min(affinity_cpus(), 1)
    assert usable_cpus(env={"CPU_LIMIT": "1.0"}, cgroup_root=root, proc_self_cgroup=proc) == expected


def test_course_cpus_lowers_but_never_raises(tmp_path):
    root, proc = fake_v2(tmp_path, None)
    assert usable_cpus(env={"COURSE_CPUS": "1"}, cgroup_root=root, proc_self_cgroup=proc) == 1
    big = str(affinity_cpus() + 100)
    assert usable_cpus(env={"COURSE_CPUS": big}, cgroup_root=root, proc_self_cgroup=proc) == affinity_cpus()


def test_smallest_limit_wins(tmp_path):
    root, proc = fake_v2(tmp_path, "400000 100000")
    env = {"CPU_LIMIT": "3", "COURSE_CPUS": "2"}
    assert usable_cpus(env=env, cgroup_root=root, proc_self_cgroup=proc) == min(2, affinity_cpus())


@pytest.mark.parametrize("value", ["0", "-2", "two", "nan", "inf"])
@pytest.mark.parametrize("name", ["CPU_LIMIT", "COURSE_CPUS"])
def test_bad_environment_values_are_clear_errors(name, value, tmp_path):
    root, proc = fake_v2(tmp_path, None)
    with pytest.raises(ValueError, match=name):
        usable_cpus(env={name: value}, cgroup_root=root, proc_self_cgroup=proc)


def test_real_machine_has_at_least_one_core():
    assert usable_cpus() >= 1
