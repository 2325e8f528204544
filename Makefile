# Multicore Python: `make lab` opens the course, `make test` runs every test. PYTHON= picks the interpreter.
PYTHON ?= python3
VENV ?= .venv
ifeq ($(OS),Windows_NT)
BIN := $(VENV)/Scripts
else
BIN := $(VENV)/bin
endif
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)
PYTEST_ARGS ?=

SITE_STAMP := $(VENV)/.site-installed

.PHONY: install lab test test-notebooks test-start-methods test-all test-browser outputs lint clean \
	site-install site test-site course-map

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, this is " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable '.[test]'
	$(BIN)/python -m jupyter labextension disable --level=sys_prefix "@jupyterlab/apputils-extension:announcements" >/dev/null 2>&1 || true
	@touch $(STAMP)

lab: install
	$(BIN)/python -m jupyter lab $(ROOT_FLAG) notebooks/00_start_here.ipynb

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-notebooks: install
	$(BIN)/python -m pytest notebooks $(PYTEST_ARGS)

# The course must pass under every start method; `make test` covers the default (spawn).
test-start-methods: install
	COURSE_START_METHOD=fork $(BIN)/python -m pytest notebooks $(PYTEST_ARGS)
	COURSE_START_METHOD=forkserver $(BIN)/python -m pytest notebooks $(PYTEST_ARGS)

# The whole suite on every supported Python found here (3.11 and newer, free-threaded builds too,
# each other one in its own .venv-3.X), under all three start methods on this one, and pinned to
# one core, then a summary table.
# MATRIX_ARGS=--skip-default leaves out the combination `make test` runs (CI uses it);
# PYTEST_ARGS narrows every run, e.g. PYTEST_ARGS="tests notebooks/00_start_here.ipynb".
MATRIX_ARGS ?=
test-all: install
	$(BIN)/python tests/matrix.py $(MATRIX_ARGS) -- $(PYTEST_ARGS)

# Only the real-browser test (JupyterLab in headless Chromium; needs /usr/bin/chromium).
test-browser: install
	$(BIN)/python -m pytest -m browser tests/test_browser.py $(PYTEST_ARGS)

# Re-execute every notebook top to bottom, in place: stored outputs are always one fresh run.
# `make outputs NB=notebooks/03_pools_and_futures.ipynb` regenerates just one. Child processes' own
# output is not captured (as under nbval), so stored outputs match what the tests see.
outputs: install
	env -u COURSE_START_METHOD -u COURSE_CPUS $(BIN)/python -m jupyter nbconvert --to notebook --execute \
	    --inplace --ExecutePreprocessor.timeout=300 --ExecutePreprocessor.record_timing=False \
	    --ExecutePreprocessor.extra_arguments=--IPKernelApp.capture_fd_output=False $(or $(NB),$(NOTEBOOKS))
	$(BIN)/python tests/normalize_notebooks.py $(or $(NB),$(NOTEBOOKS))

# The course website in build/site/ (open build/site/index.html), from the stored outputs:
# nothing is executed. Its tools are the `site` extra, installed into .venv on first use.
site-install: $(SITE_STAMP)

$(SITE_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet --editable '.[test,site]'
	@touch $(SITE_STAMP)

site: site-install
	$(BIN)/python tools/build_site.py

# Builds the site (warnings are errors), checks every link and anchor offline, opens it in
# headless Chromium; screenshots in test-results/site/.
test-site: site-install
	COURSE_REQUIRE_SITE=1 $(BIN)/python -m pytest tests/test_site.py tests/test_course_map.py $(PYTEST_ARGS)

# Rewrite the README course-map tables and the notebooks' navigation cells from notebooks/course_map.toml.
course-map: install
	$(BIN)/python tools/course_map.py --write

lint: install
	$(BIN)/python -m ruff check helpers tests notebooks tools

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +
