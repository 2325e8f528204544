"""Workers stay light: a spawned child imports `helpers` and the worker's module before each task.

The rule is stated by folder: only `helpers/lab/` (the notebook side) may import matplotlib,
ipywidgets, IPython or psutil at import time; every other module of `helpers` (the workers, the
measurement core, the checkers) must not, and neither may `helpers` itself.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

HELPERS = Path(__file__).resolve().parent.parent / "helpers"
NOTEBOOK_SIDE = HELPERS / "lab"
HEAVY = ("matplotlib", "ipywidgets", "IPython", "pandas", "psutil", "dask", "distributed",
         "joblib", "tqdm")
UI_ONLY = ("matplotlib", "ipywidgets", "IPython")


def _module_name(path: Path) -> str:
    parts = path.relative_to(HELPERS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


CHILD_SAFE = sorted(_module_name(p) for p in HELPERS.rglob("*.py")
                    if NOTEBOOK_SIDE not in p.parents and p.stem != "__main__")


@pytest.mark.parametrize("name", CHILD_SAFE)
def test_child_safe_modules_import_nothing_heavy(name):
    code = (f"import sys, {name}\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, timeout=60).stdout.strip()
    assert found == "", f"importing {name} also imports {found}: move that import into a function"


@pytest.mark.parametrize("path", sorted(p for p in HELPERS.rglob("*.py") if NOTEBOOK_SIDE not in p.parents),
                         ids=lambda p: str(p.relative_to(HELPERS)))
def test_only_the_notebook_side_mentions_ui_libraries(path):
    """Not even inside a function: figures, widgets and IPython belong in helpers/lab/."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    wrong = sorted(imported & set(UI_ONLY))
    assert not wrong, f"{path.relative_to(HELPERS)} imports {wrong}: that code belongs in helpers/lab/"
