"""Give notebooks the course's standard metadata (run by `make outputs` after executing them).

Sets the python3 kernelspec that JupyterLab and nbval expect, and drops drafting metadata
(jupytext) and per-cell execution timestamps, so a regenerated notebook differs from the stored
one only where its outputs changed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def normalize(path: Path) -> None:
    """Rewrite one notebook in place with the standard metadata."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    metadata = notebook.setdefault("metadata", {})
    metadata.pop("jupytext", None)
    metadata["kernelspec"] = KERNELSPEC
    for cell in notebook["cells"]:
        cell.get("metadata", {}).pop("execution", None)
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        normalize(Path(name))
