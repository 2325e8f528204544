"""README.md and README.zh-CN.md stay in step: same notebooks, same `make` commands, none missing."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
READMES = ["README.md", "README.zh-CN.md"]
NOTEBOOK = re.compile(r"\b\d\d_[a-z0-9_]+\.ipynb\b")
CODE = re.compile(r"```.*?```|`[^`\n]+`", re.S)
MAKE = re.compile(r"\bmake ([a-z][\w-]*)")


def _text(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def notebooks_named(text: str) -> set[str]:
    return set(NOTEBOOK.findall(text))


def make_commands(text: str) -> set[str]:
    """`make TARGET` as written in code (inline or blocks), not the word "make" in prose."""
    return {target for code in CODE.findall(text) for target in MAKE.findall(code)}


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([a-z][\w-]*):", _text("Makefile"), re.M))


def test_both_readmes_name_the_same_notebooks():
    english, chinese = (notebooks_named(_text(name)) for name in READMES)
    assert english == chinese, (
        f"only in README.md: {sorted(english - chinese)}; "
        f"only in README.zh-CN.md: {sorted(chinese - english)}")


def test_both_readmes_show_the_same_make_commands():
    english, chinese = (make_commands(_text(name)) for name in READMES)
    assert english == chinese, (
        f"only in README.md: {sorted(english - chinese)}; "
        f"only in README.zh-CN.md: {sorted(chinese - english)}")
    assert {"lab", "test"} <= english


@pytest.mark.parametrize("name", READMES)
def test_every_notebook_is_listed(name):
    present = {path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    missing = present - notebooks_named(_text(name))
    assert not missing, f"{name} does not list {sorted(missing)}"


@pytest.mark.parametrize("name", READMES)
def test_every_make_command_is_a_makefile_target(name):
    unknown = make_commands(_text(name)) - makefile_targets()
    assert not unknown, f"{name} shows `make {'`, `make '.join(sorted(unknown))}`: no such target"


def test_the_chinese_readme_is_linked_from_the_english_one():
    assert "README.zh-CN.md" in _text("README.md")
