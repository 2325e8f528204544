"""When a notebook cell's output differs, nbval's report shows the whole output, not an excerpt,
so a checker that says "not yet" in a test run also says why."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_failing_checker_shows_its_full_reason():
    reason = "the count is 5, but the window holds 6 primes; " + "check the slices " * 8
    stored = "x" * 300 + "\nprime count: all correct\n  ✔ the count is right\n"
    notebook = {
        "cells": [{"cell_type": "code", "execution_count": 1, "id": "checker", "metadata": {}, "source": [
            f"print({'x' * 300!r}); print('prime count: not yet'); print('  ✘ ' + {reason!r})"],
            "outputs": [{"name": "stdout", "output_type": "stream", "text": [stored]}]}],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5}
    folder = ROOT / "test-results" / "nbval-report"  # inside the rootdir, or pytest will not collect it
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "checker.ipynb"
    path.write_text(json.dumps(notebook))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", str(path)],
                         capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert run.returncode == 1, run.stdout[-2000:]
    assert reason.strip() in run.stdout, run.stdout[-3000:]
