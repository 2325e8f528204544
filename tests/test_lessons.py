"""`python -m helpers lessons`: a tiny notebook with one claim that holds and one that does not."""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.lessons import lessons_table, run_lessons

ROOT = Path(__file__).resolve().parent.parent


def _tiny_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from helpers.claims import claim\n"
                                  "claim(1 + 1 == 2, 'arithmetic works', 'two')"),
        nbformat.v4.new_code_cell("claim(False, 'this one misses', '0.97x', reason='job too small')"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "99_tiny.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.timeout(300)
def test_lessons_json_counts_each_claim_and_run(tmp_path):
    path = _tiny_notebook(tmp_path)
    before = path.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("COURSE_CLAIMS_FILE", None)
    result = subprocess.run([sys.executable, "-m", "helpers", "lessons", "--runs", "2", "--json", str(path)],
                            capture_output=True, text=True, timeout=240, cwd=ROOT, env=env)
    assert result.returncode == 1, result.stderr  # one claim missed
    records = json.loads(result.stdout)
    assert [(r["claim"], r["held"], r["run"]) for r in records] == [
        ("arithmetic works", True, 1), ("this one misses", False, 1),
        ("arithmetic works", True, 2), ("this one misses", False, 2)]
    assert all(r["notebook"] == "99_tiny.ipynb" for r in records)
    assert all(r["why"] for r in records if not r["held"])
    assert {r["why"] for r in records if not r["held"]} <= {"job too small",
                                                           "one usable core: no speedup is possible"}
    assert "run 2/2" in result.stderr, "progress goes to stderr"
    assert path.read_bytes() == before, "the notebook is not written"


def test_table_shows_held_counts_and_misses():
    records = [{"notebook": "02.ipynb", "claim": "two beat one", "held": True, "why": "", "figures": "1.8x", "run": 1},
               {"notebook": "02.ipynb", "claim": "two beat one", "held": False, "why": "job too small",
                "figures": "0.9x", "run": 2}]
    table = lessons_table(records, 2)
    assert "two beat one" in table and "1/2" in table
    assert "run 2: 0.9x; likely cause: job too small" in table


@pytest.mark.timeout(300)
def test_a_failing_notebook_is_a_missed_run(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("raise RuntimeError('boom')")]
    path = tmp_path / "98_broken.ipynb"
    nbformat.write(nb, path)
    records = run_lessons([path], runs=1, progress=None)
    assert len(records) == 1 and not records[0]["held"] and "boom" in records[0]["why"]


def test_bad_arguments():
    with pytest.raises(ValueError):
        run_lessons([Path("no/such.ipynb")])
    with pytest.raises(ValueError):
        run_lessons([], runs=1)
    with pytest.raises(ValueError):
        run_lessons([Path(__file__)], runs=0)
