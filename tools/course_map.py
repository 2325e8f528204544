"""Write the course map (notebooks/course_map.toml) into the READMEs and the notebooks.

    python tools/course_map.py --write   rewrite every generated part from the map (idempotent)
    python tools/course_map.py --check   list what has drifted from the map; exit 1 if anything has

Generated parts: the course-map table of README.md and README.zh-CN.md (between the
`<!-- course-map:start -->` and `<!-- course-map:end -->` markers) and two navigation cells in
every notebook (previous · course map · next · Binder), tagged `course-nav`: one right after the
title cell, one at the very end. The site's table of contents comes from `site_toc()`.
Nothing else in a notebook is touched, so the script can be re-run after any merge.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAP = ROOT / "notebooks" / "course_map.toml"
READMES = {"README.md": ("notebook", "what you learn", "learn"),
           "README.zh-CN.md": ("notebook", "学什么", "learn_zh")}
START, END = "<!-- course-map:start -->", "<!-- course-map:end -->"
NAV_TAG = "course-nav"
NAV_NOTE = ("<!-- course-nav: written by tools/course_map.py from notebooks/course_map.toml; "
            "edit the map, not this cell -->")
COURSE_MAP_LINK = "../README.md#the-course"


@dataclass(frozen=True)
class Notebook:
    """One row of the course map."""

    file: str
    title: str
    learn: str
    learn_zh: str


@dataclass(frozen=True)
class CourseMap:
    """The notebooks in course order and the repository that Binder launches."""

    repository: str
    branch: str
    notebooks: list[Notebook]

    def binder_url(self, notebook: str) -> str:
        """Binder link that opens `notebook` (a file in notebooks/) in JupyterLab."""
        match = re.fullmatch(r"https://github\.com/([^/]+/[^/]+?)(\.git)?/?", self.repository)
        if not match:
            raise ValueError(f"repository must be https://github.com/OWNER/REPO, not {self.repository!r}")
        return (f"https://mybinder.org/v2/gh/{match.group(1)}/{self.branch}"
                f"?urlpath=lab/tree/notebooks/{notebook}")


def load(path: Path = MAP, repository: str | None = None) -> CourseMap:
    """The course map; `repository` overrides the one in the file."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    notebooks = [Notebook(**row) for row in data["notebook"]]
    return CourseMap(repository or data["repository"], data.get("branch", "HEAD"), notebooks)


def readme_table(course: CourseMap, readme: str) -> str:
    """The course-map table of one README (a markdown table, no markers)."""
    name, learn, key = READMES[readme]
    rows = [f"| # | {name} | {learn} |", "|---|---|---|"]
    for nb in course.notebooks:
        rows.append(f"| {nb.file[:2]} | [{nb.file}](notebooks/{nb.file}) | {getattr(nb, key)} |")
    return "\n".join(rows)


def with_table(text: str, table: str) -> str:
    """`text` with the part between the course-map markers replaced by `table`."""
    pattern = re.compile(re.escape(START) + r"\n.*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise ValueError(f"no {START} ... {END} markers")
    return pattern.sub(lambda _: f"{START}\n{table}\n{END}", text, count=1)


def nav_source(course: CourseMap, index: int) -> str:
    """The navigation line of notebook `index`: previous · course map · next · Binder."""
    parts = []
    if index > 0:
        before = course.notebooks[index - 1]
        parts.append(f"← [{before.title}]({before.file})")
    parts.append(f"[Course map]({COURSE_MAP_LINK})")
    if index + 1 < len(course.notebooks):
        after = course.notebooks[index + 1]
        parts.append(f"[{after.title}]({after.file}) →")
    parts.append(f"[Launch on Binder]({course.binder_url(course.notebooks[index].file)})")
    return NAV_NOTE + "\n" + " · ".join(parts)


def nav_cell(course: CourseMap, index: int, where: str) -> dict:
    """A plain markdown cell holding the navigation line (`where` is "top" or "bottom")."""
    lines = nav_source(course, index).splitlines(keepends=True)
    return {"cell_type": "markdown", "id": f"{NAV_TAG}-{where}",
            "metadata": {"tags": [NAV_TAG]}, "source": lines}


def is_nav(cell: dict) -> bool:
    """True for a navigation cell that this script wrote."""
    return NAV_TAG in cell.get("metadata", {}).get("tags", [])


def with_nav(notebook: dict, course: CourseMap, index: int) -> dict:
    """The notebook with its navigation cells (re)placed after the title cell and at the end."""
    cells = [cell for cell in notebook["cells"] if not is_nav(cell)]
    cells.insert(1, nav_cell(course, index, "top"))
    cells.append(nav_cell(course, index, "bottom"))
    return {**notebook, "cells": cells}


def dump_notebook(notebook: dict) -> str:
    """The notebook as Jupyter writes it (keys in their stored order, so diffs stay minimal)."""
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def site_toc(course: CourseMap) -> list[str]:
    """The site's documents in order: the notebooks, then the pages around them."""
    return [f"notebooks/{Path(nb.file).stem}" for nb in course.notebooks] + [
        "docs/instructor", "README.zh-CN"]


def expected_files(course: CourseMap, root: Path = ROOT) -> dict[Path, str]:
    """Every file the map writes, with the content it should have."""
    files: dict[Path, str] = {}
    for readme in READMES:
        path = root / readme
        files[path] = with_table(path.read_text(encoding="utf-8"), readme_table(course, readme))
    for index, nb in enumerate(course.notebooks):
        path = root / "notebooks" / nb.file
        notebook = json.loads(path.read_text(encoding="utf-8"))
        files[path] = dump_notebook(with_nav(notebook, course, index))
    return files


def drift(course: CourseMap, root: Path = ROOT) -> list[str]:
    """What differs from the map, in words; empty when everything is in step."""
    problems = []
    on_disk = sorted(p.name for p in (root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    in_map = [nb.file for nb in course.notebooks]
    if sorted(in_map) != on_disk:
        problems.append(f"the map lists {in_map}, notebooks/ holds {on_disk}")
    if in_map != sorted(in_map):
        problems.append(f"the map is not in numbered order: {in_map}")
    for path, text in expected_files(course, root).items():
        if path.exists() and path.read_text(encoding="utf-8") != text:
            problems.append(f"{path.relative_to(root)} differs from the course map")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command line: --write or --check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="rewrite the generated parts")
    action.add_argument("--check", action="store_true", help="report drift, exit 1 if any")
    args = parser.parse_args(argv)
    course = load()
    if args.check:
        problems = drift(course)
        for problem in problems:
            print(problem)
        if problems:
            print("run `python tools/course_map.py --write`")
        return 1 if problems else 0
    for path, text in expected_files(course).items():
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
