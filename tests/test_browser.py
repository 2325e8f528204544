"""A real JupyterLab in headless Chromium: load a notebook, Run All, drive the speedup widget.

What a learner does, done by Playwright: open notebook 02 (or 00 until 02 exists) in JupyterLab,
Run > Run All Cells, wait until the kernel has really finished, then move the "processes" slider
of the SpeedupExplorer widget with the keyboard, click Run and wait for the new plot.

It needs Chromium at /usr/bin/chromium (Debian/Ubuntu: `apt-get install chromium`; COURSE_CHROMIUM
names another binary) and the `playwright` Python package; it never downloads a browser. Without
them it is skipped, unless COURSE_REQUIRE_BROWSER=1 (set by CI), which turns the skip into a
failure. COURSE_BROWSER_NOTEBOOK=path/to/some.ipynb runs another notebook (for development).
Screenshots and the JupyterLab log go to test-results/browser/ (COURSE_BROWSER_RESULTS=dir
to put them elsewhere).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(os.environ.get("COURSE_BROWSER_RESULTS", ROOT / "test-results" / "browser")).resolve()
CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
REQUIRE = os.environ.get("COURSE_REQUIRE_BROWSER", "") not in ("", "0")
CANDIDATES = ("02_many_processes.ipynb", "00_start_here.ipynb")
# The network is closed in CI and Chromium must not try to reach Google; as root it needs --no-sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--metrics-recording-only",
]
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
PROBLEM = re.compile(r"Traceback|\w*(Error|Exception|Warning)\b")
SERVER_START_S = 90
RUN_ALL_S = 600
WIDGET_RUN_S = 240

pytestmark = [pytest.mark.browser, pytest.mark.timeout(RUN_ALL_S + WIDGET_RUN_S + 300)]


def _skip(reason: str) -> None:
    if REQUIRE:
        pytest.fail(f"{reason} (COURSE_REQUIRE_BROWSER=1 makes this a failure, not a skip)")
    pytest.skip(reason)


def _notebook() -> Path | None:
    chosen = os.environ.get("COURSE_BROWSER_NOTEBOOK", "").strip()
    if chosen:
        return Path(chosen).resolve()
    for name in CANDIDATES:
        if (ROOT / "notebooks" / name).exists():
            return ROOT / "notebooks" / name
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab server and what a test needs to talk to it."""

    process: subprocess.Popen
    url: str
    token: str
    root: Path
    log: Path

    def api(self, path: str, method: str = "GET") -> object:
        request = urllib.request.Request(self.url + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def kernel_states(self, notebook_path: str) -> list[str]:
        """execution_state of the kernels of sessions on this notebook (from the REST API)."""
        sessions = self.api("/api/sessions")
        assert isinstance(sessions, list)
        return [s["kernel"]["execution_state"] for s in sessions
                if s.get("path") == notebook_path and s.get("kernel")]

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _wait_ready(lab: Lab, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise AssertionError(f"JupyterLab exited with {lab.process.returncode} before it was "
                                 f"ready; its log ({lab.log}):\n{lab.log_tail()}")
        with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
            lab.api("/api/status")
            return
        time.sleep(0.5)
    raise AssertionError(f"JupyterLab not ready after {timeout:.0f} s; its log ({lab.log}):\n"
                         f"{lab.log_tail()}")


def _stop(lab: Lab) -> list[str]:
    """Shut the server down (kernels with it); kill anything it started that is still alive."""
    try:
        family = psutil.Process(lab.process.pid).children(recursive=True)
    except psutil.Error:
        family = []
    with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
        for kernel in lab.api("/api/kernels") or []:  # type: ignore[union-attr]
            lab.api(f"/api/kernels/{kernel['id']}", method="DELETE")
    with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
        lab.api("/api/shutdown", method="POST")
    try:
        lab.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        lab.process.terminate()
        try:
            lab.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            lab.process.kill()
            lab.process.wait(timeout=10)
    _, alive = psutil.wait_procs(family, timeout=10)
    left = []
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            left.append(f"pid {proc.pid}: {' '.join(proc.cmdline())[:120]}")
            proc.kill()
    return left


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[Lab, str]]:
    """JupyterLab on 127.0.0.1 with a token, private settings, serving a copy of the notebooks."""
    notebook = _notebook()
    if notebook is None:
        _skip(f"none of {', '.join(CANDIDATES)} is in notebooks/ yet")
    assert notebook.exists(), f"{notebook} does not exist"
    if not CHROMIUM.exists():
        _skip(f"no Chromium at {CHROMIUM}: install it (Debian/Ubuntu: apt-get install chromium) "
              "to run the real-browser test")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _skip("the playwright Python package is missing (pip install -e '.[test]')")

    # A copy, so that JupyterLab's autosave never writes executed outputs into the repository.
    served = tmp_path / "served"
    shutil.copytree(notebook.parent, served / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    with running_lab(tmp_path, served, "jupyterlab.log", {"MPLBACKEND": None}) as server:
        yield server, f"notebooks/{notebook.name}"


@contextmanager
def running_lab(tmp_path: Path, served: Path, log_name: str,
                env_changes: dict[str, str | None] | None = None,
                ready_timeout: float = SERVER_START_S) -> Iterator[Lab]:
    """JupyterLab on 127.0.0.1 with a token and private settings, serving `served`; always stopped.

    `env_changes` sets variables (None removes one); on exit no process it started may survive.
    """
    env = dict(os.environ)
    for variable, name in [("JUPYTER_CONFIG_DIR", "jupyter-config"),
                           ("JUPYTER_DATA_DIR", "jupyter-data"),
                           ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
                           ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "matplotlib")]:
        (tmp_path / name).mkdir()
        env[variable] = str(tmp_path / name)
    for variable, value in (env_changes or {}).items():
        if value is None:
            env.pop(variable, None)
        else:
            env[variable] = value
    token, port = secrets.token_hex(16), _free_port()
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={served}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / log_name
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, cwd=served, env=env, stdin=subprocess.DEVNULL,
                                   stdout=log_file, stderr=subprocess.STDOUT)
    server = Lab(process, f"http://127.0.0.1:{port}", token, served, log)
    try:
        _wait_ready(server, ready_timeout)
        yield server
    finally:
        left = _stop(server)
        assert not left, "processes outlived JupyterLab:\n" + "\n".join(left)


def _cells(page) -> list[dict]:
    """Every cell in the notebook's DOM: is it code, its prompt, its stderr/error outputs."""
    return page.eval_on_selector_all(".jp-NotebookPanel .jp-Notebook .jp-Cell", rf"""cells =>
        cells.map(cell => ({{
            code: cell.classList.contains('jp-CodeCell'),
            prompt: (cell.querySelector('.jp-InputArea-prompt')?.textContent || '').trim(),
            stderr: [...cell.querySelectorAll('{STDERR}')].map(e => e.textContent),
            figureText: [...cell.querySelectorAll('.jp-OutputArea-output')].some(
                e => /^\s*<Figure size [^>]*>\s*$/.test(e.textContent)),
            images: cell.querySelectorAll('.jp-OutputArea-output img').length,
        }}))""")


def _wait_run_all(page, lab: Lab, path: str, source: list[dict]) -> list[dict]:
    """Wait until no cell shows [*] and the kernel reports idle, several polls in a row."""
    deadline, steady, cells = time.monotonic() + RUN_ALL_S, 0, []
    while steady < 3:
        if time.monotonic() > deadline:
            running = [i for i, c in enumerate(cells) if "*" in c["prompt"]]
            raise AssertionError(f"Run All not finished after {RUN_ALL_S} s; cells still running "
                                 f"(indices): {running}")
        page.wait_for_timeout(1000)
        cells = _cells(page)
        busy = any("*" in c["prompt"] for c in cells)
        states = lab.kernel_states(path)
        steady = steady + 1 if (not busy and states and set(states) == {"idle"}) else 0
    assert len(cells) == len(source), (
        f"the page shows {len(cells)} cells, the notebook has {len(source)}")
    return cells


def _check_cells(cells: list[dict], source: list[dict]) -> list[str]:
    """Problems: unexecuted code cells, tracebacks/warnings where no error is intended."""
    problems = []
    for index, (cell, nb_cell) in enumerate(zip(cells, source, strict=True)):
        if nb_cell["cell_type"] != "code" or not "".join(nb_cell["source"]).strip():
            continue
        metadata = nb_cell.get("metadata", {})
        intended = "raises-exception" in metadata.get("tags", [])
        # A collapsed cell (a solution: jupyter.source_hidden) shows no prompt at all.
        collapsed = metadata.get("jupyter", {}).get("source_hidden", False) and not cell["prompt"]
        if not collapsed and not re.fullmatch(r"\[\d+\]:", cell["prompt"]):
            problems.append(f"cell {index} was not executed (prompt {cell['prompt']!r})")
        if cell["figureText"] and not cell["images"]:
            problems.append(f"cell {index} shows a figure as text only ('<Figure size ...>'), "
                            "no image: IPython has no PNG formatter for matplotlib Figures")
        for text in cell["stderr"]:
            if PROBLEM.search(text) and not intended:
                problems.append(f"cell {index} shows an error or warning:\n{text[-1500:]}")
    return problems


def _shot(page, name: str) -> Path:
    path = RESULTS / name
    page.screenshot(path=str(path))
    return path


def test_notebook_runs_and_widget_replots_in_a_real_browser(lab, capsys):
    from playwright.sync_api import expect, sync_playwright

    server, path = lab
    source = json.loads((server.root / path).read_text())["cells"]
    shots: list[Path] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                 args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(60_000)
                page.goto(f"{server.url}/lab/tree/{path}?reset&token={server.token}")
                page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for()
                expect(page.locator(".jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator"))\
                    .to_be_visible()
                deadline = time.monotonic() + SERVER_START_S
                while not server.kernel_states(path) and time.monotonic() < deadline:
                    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
                    if dialog.count():  # a notebook without kernelspec: take the default
                        dialog.locator(".jp-mod-accept").click()
                    page.wait_for_timeout(500)
                assert server.kernel_states(path), f"no kernel started for {path}"
                shots.append(_shot(page, "1-opened.png"))

                # Run > Run All Cells, as a learner would.
                page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
                page.locator(".lm-Menu-item", has=page.locator(
                    ".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$"))).click()
                cells = _wait_run_all(page, server, path, source)
                shots.append(_shot(page, "2-ran-all.png"))
                problems = _check_cells(cells, source)
                assert not problems, "after Run All:\n" + "\n".join(problems)
                news = page.locator(".Toastify__toast", has_text=re.compile("news", re.I))
                assert news.count() == 0, (
                    "JupyterLab asks about news: the install step should disable "
                    "@jupyterlab/apputils-extension:announcements (see the Makefile)")

                # The widgets rendered; the first "processes" slider belongs to a SpeedupExplorer.
                assert page.locator(".jupyter-widgets").count() > 0, "no widget was rendered"
                slider = page.locator(".widget-slider").filter(
                    has=page.locator(".widget-label", has_text=re.compile(r"^\s*processes\s*$"))).first
                assert slider.count() == 1, 'no slider labelled "processes" was rendered'
                explorer = slider.locator("xpath=../..")  # slider -> HBox -> SpeedupExplorer VBox
                output = explorer.locator(".widget-output").first
                button = explorer.locator(".widget-button", has_text=re.compile(r"^\s*Run\s*$")).first
                readout = slider.locator(".widget-readout")
                slider.scroll_into_view_if_needed()
                before = int((readout.text_content() or "").strip())
                handle = slider.locator(".noUi-handle").first
                handle.focus()
                top = round(float(handle.get_attribute("aria-valuemax") or before))
                key = "ArrowRight" if before < top else "ArrowLeft"  # more points if it can
                handle.press(key)
                target = before - 1 if key == "ArrowLeft" else before + 1
                expect(readout).to_have_text(re.compile(rf"^\s*{target}\s*$"))
                shots.append(_shot(page, "3-slider-moved.png"))

                old_images = set(output.locator("img").evaluate_all("els => els.map(e => e.src)"))
                button.click()
                deadline = time.monotonic() + WIDGET_RUN_S
                new_images: list[str] = []
                while not new_images:
                    assert time.monotonic() < deadline, f"no new plot {WIDGET_RUN_S} s after Run"
                    page.wait_for_timeout(1000)
                    if button.is_disabled():
                        continue
                    srcs = output.locator("img").evaluate_all("els => els.map(e => e.src)")
                    new_images = [s for s in srcs if s not in old_images]
                expect(button).to_be_enabled()
                text = output.text_content() or ""
                assert not PROBLEM.search(text), f"the widget's output shows an error:\n{text}"
                rows = [int(m.group(1)) for m in re.finditer(r"^\s*(\d+)\s+\S", text, re.M)]
                assert rows and max(rows) == target, (
                    f"the table should end at {target} processes (the slider):\n{text}")
                output.locator("img").last.scroll_into_view_if_needed()
                shots.append(_shot(page, "4-new-plot.png"))
                cells = _cells(page)
                problems = _check_cells(cells, source)
                assert not problems, "after the widget's Run:\n" + "\n".join(problems)
            except BaseException:
                with contextlib.suppress(Exception):
                    shots.append(_shot(page, "failure.png"))
                raise
            finally:
                browser.close()
    finally:
        with capsys.disabled():
            print(f"\nbrowser test ({path}): screenshots and JupyterLab log in "
                  f"{RESULTS}/: {', '.join(p.name for p in shots) or 'none taken'}")
