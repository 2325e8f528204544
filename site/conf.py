"""Sphinx settings for the course website (`make site`; sources staged by tools/build_site.py)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.course_map import load  # noqa: E402

COURSE = load(repository=os.environ.get("COURSE_REPOSITORY") or None)

project = "Multicore Python"
author = "the Multicore Python authors"
language = "en"
extensions = ["myst_nb"]
root_doc = "index"

# Pages show the outputs stored in the notebooks; nothing is executed at build time.
nb_execution_mode = "off"
nb_merge_streams = True
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type"]

html_theme = "sphinx_book_theme"
html_title = "Multicore Python"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_copy_source = True
html_theme_options = {
    "repository_url": COURSE.repository,
    "repository_branch": COURSE.branch,
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "launch_buttons": {"binderhub_url": "https://mybinder.org", "notebook_interface": "jupyterlab"},
    "show_navbar_depth": 1,
    "home_page_in_toc": True,
}
