"""`python -m helpers lessons`: run notebooks headless and report how often each claim held.

Every claim a notebook makes (helpers.claims.claim) is recorded as a JSON line in the file named
by COURSE_CLAIMS_FILE, which this command sets for the kernel, with COURSE_NOTEBOOK. Each notebook
is executed N times with nbclient (kernel python3, working directory notebooks/, 300 s per cell);
the notebooks are never written. nbclient and nbformat are imported only when it runs.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .validation import check_int

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT = 300
RAN_TO_THE_END = "the notebook runs to the end"


def course_notebooks() -> list[Path]:
    """The numbered course notebooks, in order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_notebook(path: Path, claims_file: Path, *, cwd: Path = NOTEBOOKS,
                 timeout: int = CELL_TIMEOUT) -> str | None:
    """Execute one notebook (not saved); claims go to claims_file. Returns an error text or None."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(path, as_version=4)
    env = {**os.environ, "COURSE_CLAIMS_FILE": str(claims_file), "COURSE_NOTEBOOK": path.name}
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    try:
        client.execute(env=env, cwd=str(cwd))
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        first = str(error).strip().splitlines()
        return f"{type(error).__name__}: {first[-1] if first else ''}"[:300]
    return None


def run_lessons(notebooks: Sequence[Path], runs: int = 1,
                progress: Callable[[str], Any] | None = _say) -> list[dict[str, Any]]:
    """Run each notebook `runs` times; one record per claim and run (and one per failed run)."""
    runs = check_int("runs", runs, minimum=1, maximum=100)
    paths = [Path(p) for p in notebooks]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing or not paths:
        raise ValueError(f"no such notebook(s): {', '.join(missing) or '(none given)'}")
    say = progress or (lambda message: None)
    records: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="course-claims-") as tmp:
        for path in paths:
            for run in range(1, runs + 1):
                claims_file = Path(tmp) / f"{path.stem}-{run}.jsonl"
                say(f"[{path.name} run {run}/{runs}] executing ...")
                error = run_notebook(path.resolve(), claims_file)
                found = []
                if claims_file.exists():
                    for line in claims_file.read_text(encoding="utf-8").splitlines():
                        record = json.loads(line)
                        found.append({"notebook": path.name, "claim": record["claim"],
                                      "held": bool(record["held"]),
                                      "why": record.get("why") or ("" if record["held"] else "unknown: re-run"),
                                      "figures": record.get("figures", ""), "run": run})
                if error:
                    found.append({"notebook": path.name, "claim": RAN_TO_THE_END, "held": False,
                                  "why": error, "figures": "", "run": run})
                held = sum(r["held"] for r in found)
                say(f"[{path.name} run {run}/{runs}] {len(found)} claim(s), {held} held"
                    + (f"; {error}" if error else ""))
                records.extend(found)
    return records


def lessons_table(records: Sequence[dict[str, Any]], runs: int) -> str:
    """Notebook, claim, held k/N, then the figures and likely cause of every miss."""
    if not records:
        return "no claims were made"
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in records:
        groups.setdefault((record["notebook"], record["claim"]), []).append(record)
    nb_width = max(8, *(len(nb) for nb, _ in groups))
    claim_width = max(5, *(len(c) for _, c in groups))
    lines = [f"{'notebook':<{nb_width}}  {'claim':<{claim_width}}  held"]
    for (notebook, text), found in groups.items():
        held = sum(r["held"] for r in found)
        lines.append(f"{notebook:<{nb_width}}  {text:<{claim_width}}  {held}/{runs}")
        for r in found:
            if not r["held"]:
                figures = f"{r['figures']}; " if r["figures"] else ""
                lines.append(f"{'':<{nb_width}}    run {r['run']}: {figures}likely cause: {r['why']}")
    return "\n".join(lines)
