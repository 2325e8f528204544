"""Workers stay light: a spawned child imports `helpers` and the worker's module before each task.

Only the user-interface modules (plots, widgets, the CPU monitor) may import matplotlib,
ipywidgets, IPython or psutil; every other module, and `helpers` itself, must not.
"""

import subprocess
import sys
from pathlib import Path

import pytest

HELPERS = Path(__file__).resolve().parent.parent / "helpers"
UI_MODULES = {"widgets", "monitor"}
HEAVY = ("matplotlib", "ipywidgets", "IPython", "pandas", "psutil", "dask", "distributed",
         "joblib", "tqdm")
LIGHT = sorted(p.stem for p in HELPERS.glob("*.py")
               if p.stem not in UI_MODULES and not p.stem.endswith("plots") and p.stem != "__main__")


@pytest.mark.parametrize("module", LIGHT)
def test_worker_modules_import_nothing_heavy(module):
    name = "helpers" if module == "__init__" else f"helpers.{module}"
    code = (f"import sys, {name}\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, timeout=60).stdout.strip()
    assert found == "", f"importing {name} also imports {found}: move that import into a function"
