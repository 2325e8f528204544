"""ruff over the helpers, the tests and the notebooks' code cells (settings in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ["helpers", "tests", "notebooks", "tools"]


def test_ruff_finds_nothing():
    command = [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format=concise",
               *TARGETS]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (
        f"`{' '.join(command[1:])}` found problems (exit {result.returncode}); "
        f"`ruff check --fix {' '.join(TARGETS)}` fixes many of them:\n{result.stdout}{result.stderr}")
