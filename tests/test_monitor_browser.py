"""The CPU monitor in a real JupyterLab: its bars keep moving while the kernel's main thread waits.

A small notebook (written to a temporary folder) runs a busy two-process job inside
`with CpuMonitor(interval=0.2):`. While that cell still shows [*], the page must receive several
different "live" status lines from the monitor's thread; afterwards the status says "stopped".
Uses the JupyterLab/Chromium set-up of tests/test_browser.py (skipped the same way without
Chromium or playwright, a failure with COURSE_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, RESULTS, ROOT, _skip, running_lab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]
JOB_SECONDS = 6
CELLS = [
    "import multiprocessing as mp\n"
    "from helpers.lab.monitor import CpuMonitor\n"
    "from helpers.workloads import busy_wait\n"
    "mp.set_start_method('spawn', force=True)",
    "with CpuMonitor(interval=0.2) as monitor:\n"
    "    with mp.Pool(2) as pool:\n"
    f"        pool.map_async(busy_wait, [{JOB_SECONDS}, {JOB_SECONDS}]).get(timeout=120)\n"
    "print('samples:', len(monitor.samples), 'running:', monitor.running)",
]


def _write_notebook(folder: Path) -> str:
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
              "outputs": [], "source": source} for i, source in enumerate(CELLS)]
    notebook = {"cells": cells, "nbformat": 4, "nbformat_minor": 5, "metadata": {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"}}}
    (folder / "monitor.ipynb").write_text(json.dumps(notebook))
    return "monitor.ipynb"


@pytest.fixture
def monitor_lab(tmp_path: Path):
    if not CHROMIUM.exists():
        _skip(f"no Chromium at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _skip("the playwright Python package is missing (pip install -e '.[test]')")
    served = tmp_path / "served"
    served.mkdir()
    path = _write_notebook(served)
    pythonpath = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    with running_lab(tmp_path, served, "jupyterlab-monitor.log", {"PYTHONPATH": pythonpath},
                     ready_timeout=90) as server:
        yield server, path


def test_monitor_bars_update_while_the_cell_runs(monitor_lab):
    from playwright.sync_api import sync_playwright

    server, path = monitor_lab
    status = ".jupyter-widgets.widget-html"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.set_default_timeout(60_000)
            page.goto(f"{server.url}/lab/tree/{path}?reset&token={server.token}")
            page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for()
            deadline = time.monotonic() + 90
            while not server.kernel_states(path) and time.monotonic() < deadline:
                page.wait_for_timeout(500)
            assert server.kernel_states(path), "no kernel started"
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
            page.locator(".lm-Menu-item", has=page.locator(
                ".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$"))).click()

            page.locator(status, has_text="CPU load per core").first.wait_for(timeout=120_000)
            live: set[str] = set()
            bar_values: set[str] = set()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                text = page.locator(status).first.inner_text()
                if "live" in text:
                    live.add(text)
                    bar_values.update(page.locator(".progress-bar").evaluate_all(
                        "bars => bars.map(b => b.style.width)"))
                if "stopped" in text:
                    break
                page.wait_for_timeout(150)
            page.screenshot(path=str(RESULTS / "monitor.png"))
            assert len(live) >= 5, f"the front end saw only {len(live)} live updates: {live}"
            assert bar_values - {"", "0%"}, f"the bars never left zero: {bar_values}"
            assert "stopped" in page.locator(status).first.inner_text()
            output = page.locator(".jp-OutputArea-output", has_text="samples:").first
            output.wait_for(timeout=60_000)
            assert "running: False" in output.inner_text()
        finally:
            browser.close()
