"""The course website: it builds with warnings as errors, every link resolves, and it works in Chromium.

The site is built once per run (tools/build_site.py, what `make site` runs) into build/site/.
It needs the site's tools (`pip install -e '.[site]'`; `make test-site` installs them and runs this
file); without them these tests are skipped, unless COURSE_REQUIRE_SITE=1 (set by `make test-site`
and so by CI), which turns the skip into a failure. The browser test follows tests/test_browser.py:
Chromium at /usr/bin/chromium (COURSE_CHROMIUM), never a download, COURSE_REQUIRE_BROWSER=1 makes
its absence a failure. It serves the site on 127.0.0.1, blocks every other address (the site must
work offline), and saves screenshots in test-results/site/ (COURSE_SITE_RESULTS=dir elsewhere).
"""

from __future__ import annotations

import functools
import html
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.test_browser import REQUIRE as REQUIRE_BROWSER
from tools import check_site_links, course_map

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "build" / "site"
RESULTS = Path(os.environ.get("COURSE_SITE_RESULTS", ROOT / "test-results" / "site")).resolve()
REQUIRE_SITE = os.environ.get("COURSE_REQUIRE_SITE", "") not in ("", "0")
BUILD_S = 120
PAGE = "notebooks/03_pools_and_futures.html"  # figures, a widget, solutions, imap_unordered
SEARCH_TERM = "imap_unordered"

pytestmark = pytest.mark.timeout(BUILD_S + 240)


def _skip(reason: str, required: bool) -> None:
    if required:
        pytest.fail(f"{reason} (a COURSE_REQUIRE_* variable makes this a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def course() -> course_map.CourseMap:
    return course_map.load()


@pytest.fixture(scope="module")
def site() -> Path:
    """build/site/, freshly built with warnings as errors."""
    missing = [m for m in ("sphinx", "myst_nb", "sphinx_book_theme") if importlib.util.find_spec(m) is None]
    if missing:
        _skip(f"the site's tools are missing ({', '.join(missing)}): pip install -e '.[site]' "
              "or make test-site", REQUIRE_SITE)
    start = time.monotonic()
    result = subprocess.run([sys.executable, "tools/build_site.py"], cwd=ROOT, capture_output=True,
                            text=True, timeout=BUILD_S, env={**os.environ, "COURSE_REPOSITORY": ""})
    assert result.returncode == 0, f"the site did not build:\n{result.stdout}{result.stderr}"
    print(f"\n{result.stdout.strip()} (measured here: {time.monotonic() - start:.1f} s)")
    return SITE


def _html(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


def test_the_site_builds_with_warnings_as_errors(site):
    assert (site / "index.html").is_file() and (site / "search.html").is_file()
    assert (site / "searchindex.js").is_file()


def test_every_internal_link_and_anchor_resolves(site):
    report = check_site_links.check(site)
    print(f"\n{report.internal} internal links on {report.pages} pages; external, not fetched:\n  "
          + "\n  ".join(sorted(report.external)))
    assert report.internal > 100 and not report.broken, "broken links:\n" + "\n".join(report.broken)


def test_the_navigation_follows_the_course_map(site, course):
    index = _html(site, "index.html")
    linked = re.findall(r'href="(notebooks/\d\d_[a-z0-9_]+)\.html"', index)
    in_order = list(dict.fromkeys(linked))
    assert in_order == [f"notebooks/{Path(e.file).stem}" for e in course.notebooks]
    for page in ("docs/instructor.html", "README.zh-CN.html"):
        assert f'href="{page}"' in index, f"{page} is not in the site's navigation"


def test_every_notebook_page_has_download_binder_next_and_its_solutions(site, course):
    for number, entry in enumerate(course.notebooks):
        stem = Path(entry.file).stem
        page = _html(site, f"notebooks/{stem}.html")
        notebook = json.loads((ROOT / "notebooks" / entry.file).read_text(encoding="utf-8"))
        assert f'href="../_sources/notebooks/{entry.file}"' in page, f"{stem}: no .ipynb download"
        assert (site / "_sources" / "notebooks" / entry.file).read_text(encoding="utf-8") == \
            (ROOT / "notebooks" / entry.file).read_text(encoding="utf-8"), f"{stem}: download differs"
        assert html.escape(course.binder_url(entry.file)) in page, f"{stem}: no Binder link"
        if number + 1 < len(course.notebooks):
            after = Path(course.notebooks[number + 1].file).stem
            assert re.search(rf'class="right-next"\s+href="{after}\.html"', page), f"{stem}: no next"
        hidden = [c for c in notebook["cells"] if c["metadata"].get("jupyter", {}).get("source_hidden")]
        assert page.count('<details class="admonition hide above-input">') == len(hidden), stem
        widgets = sum("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                      for c in notebook["cells"] for o in c.get("outputs", []))
        assert page.count('class="widget-standin"') == widgets, f"{stem}: a widget without stand-in"
        assert "widget-view+json" not in page and "jupyter-widgets" not in page


@pytest.fixture(scope="module")
def served(site) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1 (as GitHub Pages serves it)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.browser
def test_the_site_works_in_a_real_browser(served, capsys):
    if not CHROMIUM.exists():
        _skip(f"no Chromium at {CHROMIUM}: install it (Debian/Ubuntu: apt-get install chromium)",
              REQUIRE_BROWSER)
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _skip("the playwright Python package is missing (pip install -e '.[test]')", REQUIRE_BROWSER)
    RESULTS.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    blocked: set[str] = set()

    def shot(page, name: str, full: bool = False) -> None:
        shots.append(RESULTS / name)
        page.screenshot(path=str(RESULTS / name), full_page=full)

    def offline(route) -> None:
        if route.request.url.startswith(served):
            route.continue_()
        else:
            blocked.add(route.request.url)
            route.abort()

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                 args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(30_000)
                page.route("**/*", offline)
                errors: list[str] = []
                page.on("pageerror", lambda error: errors.append(str(error)))

                # The landing page: the README, with the course map, and the sidebar.
                page.goto(f"{served}/index.html")
                expect(page.locator("h1").first).to_contain_text("Multicore Python")
                expect(page.locator("#the-course table")).to_be_visible()
                expect(page.locator(".bd-sidebar-primary a", has_text="Pools and futures")).to_be_visible()
                shot(page, "1-landing.png")

                # A notebook page: its figures loaded, the widget's stand-in, a solution that opens.
                page.goto(f"{served}/{PAGE}")
                page.wait_for_load_state("load")
                images = page.locator(".cell_output img")
                assert images.count() >= 1, "no figure on the notebook page"
                sizes = images.evaluate_all("els => els.map(e => [e.complete, e.naturalWidth])")
                assert all(done and width > 0 for done, width in sizes), f"figures not loaded: {sizes}"
                expect(page.locator(".widget-standin").first).to_contain_text(
                    "Run this notebook to use the widget")
                shot(page, "2-notebook.png")
                solution = page.locator("details.hide", has=page.locator("pre", has_text="# Solution")).first
                code = solution.locator("pre").first
                assert solution.get_attribute("open") is None and not code.is_visible(), \
                    "the solution is not collapsed"
                solution.scroll_into_view_if_needed()
                shot(page, "3-solution-collapsed.png")
                solution.locator("summary").click()
                expect(code).to_be_visible()
                expect(code).to_contain_text("# Solution")
                page.wait_for_timeout(600)  # the theme fades the opened code in
                shot(page, "4-solution-open.png")
                expect(page.locator("footer .right-next")).to_have_attribute(
                    "href", "04_queues_and_pipes.html")

                # Search, from the search box, finds the notebook that teaches the API.
                page.locator(".search-button__button:visible").first.click()
                box = page.locator("#pst-search-dialog input[name='q']")
                box.fill(SEARCH_TERM)
                box.press("Enter")
                page.wait_for_url(re.compile(r"search\.html\?q="))
                results = page.locator("#search-results a")
                expect(results.first).to_be_visible()
                hrefs = results.evaluate_all("els => els.map(e => e.getAttribute('href'))")
                assert any("03_pools_and_futures" in (h or "") for h in hrefs), hrefs
                shot(page, "5-search.png")
                assert not errors, f"JavaScript errors: {errors}"
            finally:
                browser.close()
    finally:
        with capsys.disabled():
            print(f"\nsite browser test: screenshots in {RESULTS}/: "
                  f"{', '.join(p.name for p in shots) or 'none taken'}; "
                  f"requests to other hosts blocked: {sorted(blocked) or 'none'}")
