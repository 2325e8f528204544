"""The course map (notebooks/course_map.toml) is the one list of notebooks; nothing drifts from it."""

import json
import re
import shutil
from pathlib import Path

import pytest

from tools import course_map

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def course() -> course_map.CourseMap:
    return course_map.load()


def _copy(tmp_path: Path) -> Path:
    """A scratch copy of what the map writes into: both READMEs and the notebooks."""
    for readme in course_map.READMES:
        shutil.copy(ROOT / readme, tmp_path / readme)
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks",
                    ignore=shutil.ignore_patterns("scripts", ".ipynb_checkpoints"))
    return tmp_path


def test_nothing_has_drifted_from_the_map(course):
    problems = course_map.drift(course)
    assert not problems, "\n".join(problems + ["run `python tools/course_map.py --write`"])


def test_every_notebook_has_two_plain_markdown_nav_cells(course):
    for index, entry in enumerate(course.notebooks):
        cells = json.loads((ROOT / "notebooks" / entry.file).read_text(encoding="utf-8"))["cells"]
        where = [i for i, cell in enumerate(cells) if course_map.is_nav(cell)]
        assert where == [1, len(cells) - 1], f"{entry.file}: nav cells at {where}"
        for i in where:
            assert cells[i]["cell_type"] == "markdown" and "outputs" not in cells[i]
        text = "".join(cells[1]["source"])
        if index + 1 < len(course.notebooks):
            assert f"({course.notebooks[index + 1].file})" in text, f"{entry.file}: no next link"
        assert "mybinder.org" in text


def test_the_instructor_guide_times_every_notebook_in_map_order(course):
    guide = (ROOT / "docs" / "instructor.md").read_text(encoding="utf-8")
    timed = re.findall(r"^\| (\d\d) [a-z]", guide, re.M)
    assert timed == [entry.file[:2] for entry in course.notebooks]


def test_the_site_toc_lists_every_notebook_once_in_order(course):
    toc = course_map.site_toc(course)
    notebooks = [doc for doc in toc if doc.startswith("notebooks/")]
    assert notebooks == [f"notebooks/{Path(e.file).stem}" for e in course.notebooks]
    assert len(set(toc)) == len(toc)


def test_write_is_idempotent_and_drift_is_detected(course, tmp_path):
    root = _copy(tmp_path)
    first = course_map.expected_files(course, root)
    for path, text in first.items():
        path.write_text(text, encoding="utf-8")
    assert course_map.drift(course, root) == []
    assert course_map.expected_files(course, root) == first

    readme = root / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("| 03 |", "| 3 |"), encoding="utf-8")
    notebook = root / "notebooks" / course.notebooks[0].file
    cells = json.loads(notebook.read_text(encoding="utf-8"))
    cells["cells"] = [c for c in cells["cells"] if not course_map.is_nav(c)]
    notebook.write_text(course_map.dump_notebook(cells), encoding="utf-8")
    problems = course_map.drift(course, root)
    assert any("README.md" in p for p in problems) and any(notebook.name in p for p in problems)


def test_binder_url_is_built_from_the_repository():
    course = course_map.CourseMap("https://github.com/me/course", "main", [])
    assert course.binder_url("01_processes.ipynb") == (
        "https://mybinder.org/v2/gh/me/course/main?urlpath=lab/tree/notebooks/01_processes.ipynb")
    with pytest.raises(ValueError, match="github.com"):
        course_map.CourseMap("https://gitlab.com/me/course", "main", []).binder_url("x.ipynb")
