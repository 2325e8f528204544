"""Offline link check of the built site: every internal link and anchor resolves.

    python tools/check_site_links.py [build/site]

Reads every HTML page's (not the theme assets' in _static/) href and src; a relative one must name a file in the site and, with
`#anchor`, an element with that id (or name) in it. External links are listed, never fetched.
Exit status 1 when something is broken.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL_SCHEMES = {"http", "https", "mailto", "ftp"}
IGNORED_SCHEMES = {"javascript", "data", "blob"}


class _Page(HTMLParser):
    """The ids and the link targets of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if values.get(key):
                self.ids.add(values[key] or "")
        for key in ("href", "src"):
            if values.get(key) is not None and not (tag == "link" and values.get("rel") == "preconnect"):
                self.links.append(values[key] or "")


@dataclass
class Report:
    """What the check found: broken internal links and the external ones it did not fetch."""

    pages: int = 0
    internal: int = 0
    broken: list[str] = field(default_factory=list)
    external: set[str] = field(default_factory=set)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def check(site: Path) -> Report:
    """Check every link of every HTML page under `site`."""
    site = site.resolve()
    # _static/ holds the theme's assets (some are Jinja templates named .html), not pages.
    pages = {path: _parse(path) for path in sorted(site.rglob("*.html"))
             if "_static" not in path.relative_to(site).parts}
    report = Report(pages=len(pages))
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme in EXTERNAL_SCHEMES or link.startswith("//"):
                report.external.add(link)
                continue
            if parts.scheme in IGNORED_SCHEMES or link in ("", "#"):
                continue
            report.internal += 1
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            where = f"{path.relative_to(site)}: {link}"
            if site not in target.parents and target != site:
                report.broken.append(f"{where} (outside the site)")
            elif not target.is_file():
                report.broken.append(f"{where} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    report.broken.append(f"{where} (no #{parts.fragment} in {target.name})")
    return report


def main(argv: list[str]) -> int:
    """Print the report; exit 1 when a link is broken."""
    site = Path(argv[0]) if argv else ROOT / "build" / "site"
    report = check(site)
    print(f"{report.pages} pages, {report.internal} internal links checked, "
          f"{len(report.broken)} broken; {len(report.external)} external links (not fetched):")
    for link in sorted(report.external):
        print(f"  {link}")
    for problem in report.broken:
        print(f"BROKEN {problem}")
    return 1 if report.broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
