"""Course set-up: start-method choice, validation, the machine summary and the notebook set-up."""

import multiprocessing as mp

import pytest

from helpers.course import (
    START_METHODS,
    check_start_method,
    chosen_start_method,
    machine_summary,
    use_start_method,
)
from helpers.lab import setup


def test_default_is_spawn():
    assert chosen_start_method({}) == "spawn"


@pytest.mark.parametrize("method", [m for m in START_METHODS if m in mp.get_all_start_methods()])
def test_environment_overrides(method):
    assert chosen_start_method({"COURSE_START_METHOD": method}) == method


@pytest.mark.parametrize("bad", ["thread", "Fork", "spawn ", "posix"])
def test_unknown_start_method_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="start method"):
        chosen_start_method({"COURSE_START_METHOD": bad.strip() + "x" if bad == "spawn " else bad})
    with pytest.raises(ValueError, match="fork, spawn, forkserver"):
        check_start_method("threads")


def test_setup_sets_the_start_method_and_summarises():
    before = mp.get_start_method(allow_none=True)
    try:
        summary = setup("spawn")
        assert mp.get_start_method() == "spawn"
        text = str(summary)
        for word in ("Python", "start method", "usable cores", "physical cores", "memory"):
            assert word in text
        assert summary.usable_cores >= 1
        assert summary.logical_cores >= summary.usable_cores or summary.quota_cores is not None
    finally:
        mp.set_start_method(before, force=True)


def test_machine_summary_counts_are_consistent():
    summary = machine_summary()
    assert summary.usable_cores <= summary.affinity_cores
    assert summary.memory_available_gib <= summary.memory_total_gib


def test_use_start_method_is_the_start_method_half_of_setup():
    before = mp.get_start_method(allow_none=True)
    try:
        assert use_start_method("spawn") == "spawn" and mp.get_start_method() == "spawn"
        with pytest.raises(ValueError, match="start method"):
            use_start_method("threads")
    finally:
        mp.set_start_method(before, force=True)
