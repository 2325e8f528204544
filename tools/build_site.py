"""Build the course website into build/site/ from the stored notebooks (nothing is executed).

    python tools/build_site.py          # what `make site` runs; open build/site/index.html

It stages the pages into build/site-src/ (README.md as the landing page, README.zh-CN.md, the
instructor guide, every notebook of the course map with its navigation cells, collapsed solutions
tagged `hide-input`, widget outputs replaced by a static stand-in), runs Sphinx with warnings as
errors, then puts the untouched notebooks under _sources/ for the download buttons.
COURSE_REPOSITORY=https://github.com/OWNER/REPO sets the repository for the Binder links.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.course_map import CourseMap, dump_notebook, load, site_toc, with_nav  # noqa: E402

SOURCE = ROOT / "build" / "site-src"
SITE = ROOT / "build" / "site"
DOCTREES = ROOT / "build" / "site-doctrees"
WIDGET = "application/vnd.jupyter.widget-view+json"
README_LINK = re.compile(r"\]\((\.\./)?README\.md")
STANDIN = ('<div class="widget-standin"><strong>Interactive widget.</strong> '
           "Run this notebook to use the widget "
           '(<a href="{binder}">launch it on Binder</a>, or <code>make lab</code>).</div>')


def page_text(text: str) -> str:
    """Markdown with links to README.md pointing at the landing page (index.md)."""
    return README_LINK.sub(lambda m: f"]({m.group(1) or ''}index.md", text)


def toctree(course: CourseMap) -> str:
    """The hidden toctrees that give the site its navigation, in course-map order."""
    docs = site_toc(course)
    notebooks = "\n".join(d for d in docs if d.startswith("notebooks/"))
    others = "\n".join(d for d in docs if not d.startswith("notebooks/"))
    return (f"\n\n```{{toctree}}\n:hidden:\n:caption: The course\n\n{notebooks}\n```\n"
            f"\n```{{toctree}}\n:hidden:\n:caption: Around the course\n\n{others}\n```\n")


def stage_notebook(notebook: dict, course: CourseMap, index: int) -> dict:
    """The notebook as the site shows it: stand-ins for widgets, solutions tagged hide-input."""
    notebook = with_nav(notebook, course, index)
    notebook["metadata"].pop("widgets", None)  # no widget JavaScript from a CDN
    binder = course.binder_url(course.notebooks[index].file)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = page_text("".join(cell["source"]))
            continue
        if cell["cell_type"] != "code":
            continue
        if cell["metadata"].get("jupyter", {}).get("source_hidden"):
            tags = cell["metadata"].setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET in data:
                output["data"] = {"text/html": STANDIN.format(binder=binder),
                                  "text/plain": "Run this notebook to use the widget."}
    return notebook


def write_if_changed(path: Path, text: str) -> None:
    """Write only when the content differs, so Sphinx rebuilds only what changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def stage(course: CourseMap, source: Path = SOURCE) -> list[Path]:
    """Write every page's source into `source`; returns the files written."""
    pages = {
        source / "index.md": page_text((ROOT / "README.md").read_text(encoding="utf-8"))
        + toctree(course),
        source / "README.zh-CN.md": page_text((ROOT / "README.zh-CN.md").read_text(encoding="utf-8")),
        source / "docs" / "instructor.md":
            page_text((ROOT / "docs" / "instructor.md").read_text(encoding="utf-8")),
    }
    for index, entry in enumerate(course.notebooks):
        notebook = json.loads((ROOT / "notebooks" / entry.file).read_text(encoding="utf-8"))
        pages[source / "notebooks" / entry.file] = dump_notebook(stage_notebook(notebook, course, index))
    for stale in source.rglob("*"):
        if stale.is_file() and stale not in pages:
            stale.unlink()
    for path, text in pages.items():
        write_if_changed(path, text)
    return list(pages)


def build(course: CourseMap, site: Path = SITE) -> None:
    """Stage, run Sphinx (warnings are errors), add the original notebooks for download."""
    stage(course)
    shutil.rmtree(site, ignore_errors=True)
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
               "-c", str(ROOT / "site"), "-d", str(DOCTREES), str(SOURCE), str(site)]
    subprocess.run(command, check=True, env={**os.environ, "COURSE_REPOSITORY": course.repository})
    for index, entry in enumerate(course.notebooks):
        notebook = json.loads((ROOT / "notebooks" / entry.file).read_text(encoding="utf-8"))
        target = site / "_sources" / "notebooks" / entry.file
        target.write_text(dump_notebook(with_nav(notebook, course, index)), encoding="utf-8")
    (site / ".nojekyll").touch()


def site_summary(site: Path = SITE) -> str:
    """Pages and size of a built site, in words."""
    pages = [p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts]
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    return f"{len(pages)} HTML pages (with search and index), {size / 2**20:.1f} MiB"


def main() -> int:
    """Build the site and say where it is."""
    start = time.monotonic()
    course = load(repository=os.environ.get("COURSE_REPOSITORY") or None)
    try:
        build(course)
    except subprocess.CalledProcessError as error:
        print(f"sphinx-build failed (exit {error.returncode}); see the warnings above", file=sys.stderr)
        return 1
    print(f"site: {SITE.relative_to(ROOT)}/index.html ({site_summary()}) "
          f"in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
