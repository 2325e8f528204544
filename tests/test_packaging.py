"""pyproject.toml and environment.yml list the same packages; the Makefile and CI agree."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONDA_NAMES = {"dask[distributed]": {"dask", "distributed"}}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ;]", requirement.strip(), maxsplit=1)[0].lower()


def pyproject_packages() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names: set[str] = set()
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        name = _name(requirement)
        names |= CONDA_NAMES.get(name, {name})
    return names


def conda_packages() -> set[str]:
    names, section = set(), ""
    for line in (ROOT / "environment.yml").read_text().splitlines():
        item = line.strip()
        if not line.startswith(" ") and item.endswith(":"):
            section = item
        elif item.startswith("- pip:"):
            section = "pip"
        elif section == "dependencies:" and item.startswith("- "):
            names.add(_name(item[2:]))
    return names - {"python", "pip"}


def test_environment_yml_matches_pyproject():
    assert conda_packages() == pyproject_packages()


def test_environment_yml_installs_the_course_itself():
    assert "--editable ." in (ROOT / "environment.yml").read_text()


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci and "make test" in readme and "make lab" in readme
