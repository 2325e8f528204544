"""Every notebook follows the course anatomy and stores one fresh top-to-bottom run."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NBVAL_COMMENTS = re.compile(r"^\s*#\s*NBVAL_\w+", re.M)


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(notebook: dict) -> list[dict]:
    return [c for c in notebook["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request) -> dict:
    return load(request.param)


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found"


def test_kernelspec_is_python3(notebook):
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


def test_first_code_cell_runs_the_course_setup(notebook):
    first = "".join(code_cells(notebook)[0]["source"])
    assert "from helpers.lab import setup" in first and "setup(" in first


def test_outputs_are_one_fresh_run(notebook):
    counts = [c.get("execution_count") for c in code_cells(notebook)]
    assert counts == list(range(1, len(counts) + 1)), "run `make outputs` to regenerate"


def test_title_objectives_and_next_step(notebook):
    # The navigation cells that tools/course_map.py writes (tag course-nav) are not the anatomy.
    markdown = [("".join(c["source"])) for c in notebook["cells"] if c["cell_type"] == "markdown"
                and "course-nav" not in c["metadata"].get("tags", [])]
    assert markdown[0].startswith("# "), "the first cell is the title"
    assert "You will learn" in markdown[0] or "learn to" in markdown[0]
    assert "Time:" in markdown[0]
    assert "Summary" in markdown[-1]


def test_exercises_have_hidden_solutions(notebook):
    solutions = [c for c in code_cells(notebook) if "".join(c["source"]).lstrip().startswith("# Solution")]
    assert len(solutions) >= 2, "each notebook has at least two exercises with solutions"
    for cell in solutions:
        assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True


def test_markers_not_doubled(notebook):
    for cell in code_cells(notebook):
        tags = cell["metadata"].get("tags", [])
        if any(t.startswith("nbval") or t == "raises-exception" for t in tags):
            assert not NBVAL_COMMENTS.search("".join(cell["source"])), "use the tag or the comment, not both"


def test_expected_errors_are_tagged(notebook):
    for cell in code_cells(notebook):
        has_error = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        if has_error:
            assert "raises-exception" in cell["metadata"].get("tags", []), "".join(cell["source"])[:80]


def test_no_stderr_stored(notebook):
    for cell in code_cells(notebook):
        for output in cell.get("outputs", []):
            assert output.get("name") != "stderr", f"stderr stored: {''.join(output.get('text', ''))[:200]}"


def test_figures_are_stored_as_images(notebook):
    for cell in code_cells(notebook):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "".join(data.get("text/plain", "")).startswith("<Figure size"):
                assert "image/png" in data, "a Figure was stored as text only: call setup() first"
