"""`make test-all`: the whole test suite on every supported Python found here, and under every
start method on the default Python, with a summary table at the end.

Run with the default venv's interpreter (`.venv/bin/python tests/matrix.py`); that interpreter is
"the default Python". Every other supported Python found on PATH (python3.X) or under pyenv gets
its own venv, `.venv-3.X`, made by `make install` (so the same install steps apply). Rows:

    default Python x (default start method, fork, forkserver)
    default Python x default start method, pinned to one core (as a hub with cpu_limit = 1)
    each other Python x default start method

"Every other supported Python" is each CPython 3.11 or newer that is found, free-threaded builds
(python3.13t, python3.14t) included, with no change to this file when a new one is installed.

The fork and forkserver rows leave out the real-browser test (`-m "not browser"`, unless the
pytest arguments choose their own -m): it checks what JupyterLab renders, which no start method
changes, while nbval still runs every notebook's kernel under that start method.

--skip-default leaves out the default Python with the default start method, for CI, which has
just run exactly that as `make test`. Arguments after `--` go to every pytest run (for example
`-- tests notebooks/00_start_here.ipynb` or `-- -k "not browser"`). Each run's full output is
shown as it happens and kept in test-results/matrix/<row>.log. The exit status is 0 only if every
row that ran passed.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "test-results" / "matrix"
OLDEST = (3, 11)
VERSION = re.compile(r"^python(3\.(\d+)t?)$")
START_METHODS = ("fork", "spawn", "forkserver")
DEFAULT = "default"  # COURSE_START_METHOD unset: the course's default (spawn)
OUTCOMES = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected)\b")
SUMMARY = re.compile(r"^=*\s*(.*?) in [\d.]+s\b")


@dataclass
class Row:
    python: str
    method: str
    interpreter: Path | None = None
    one_core: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    status: str = "not run"
    returncode: int | None = None

    @property
    def name(self) -> str:
        return f"py{self.python}-{self.method}" + ("-1core" if self.one_core else "")

    @property
    def ok(self) -> bool:
        return self.status in ("passed", "skipped: already run by make test", "not found")


def version_of(executable: str) -> str | None:
    """'3.X' (or '3.Xt' for a free-threaded build) if executable runs and is CPython 3.X, else
    None (pyenv shims that fail say so)."""
    code = ("import sys, sysconfig; print('%d.%d' % sys.version_info[:2] + "
            "('t' if sysconfig.get_config_var('Py_GIL_DISABLED') else ''))")
    try:
        out = subprocess.run([executable, "-c", code], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def found_versions() -> list[str]:
    """Every supported version with an interpreter here: 3.11 and newer, free-threaded too."""
    names = set()
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    folders = [*os.environ.get("PATH", "").split(os.pathsep), "/usr/local/bin", "/usr/bin",
               *glob.glob(f"{pyenv_root}/versions/*/bin")]
    for folder in folders:
        try:
            names.update(entry.name for entry in os.scandir(folder))
        except OSError:
            continue
    versions = {match[1] for name in names if (match := VERSION.match(name))
                and (3, int(match[2])) >= OLDEST}
    return sorted(versions, key=lambda v: (int(v.split(".")[1].rstrip("t")), v.endswith("t")))


def find_python(version: str) -> str | None:
    """A working python3.X: PATH first, then pyenv's versions, then the usual prefixes."""
    candidates = [shutil.which(f"python{version}")]
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    number = version.rstrip("t")
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/{number}.*/bin/python{version}"),
                         key=lambda p: [int(x) for x in re.findall(r"\d+", Path(p).parts[-3])],
                         reverse=True)
    candidates += [f"/usr/local/bin/python{version}", f"/usr/bin/python{version}"]
    for candidate in candidates:
        if candidate and Path(candidate).exists() and version_of(candidate) == version:
            return candidate
    return None


def venv_for(version: str, base: str) -> Path:
    """.venv-3.X, made or brought up to date by `make install` with that interpreter."""
    venv = f".venv-{version}"
    subprocess.run(["make", "--no-print-directory", "install", f"PYTHON={base}", f"VENV={venv}"],
                   cwd=ROOT, check=True)
    return ROOT / venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run_row(row: Row, pytest_args: list[str]) -> None:
    env = dict(os.environ)
    if row.method == DEFAULT:
        env.pop("COURSE_START_METHOD", None)
    else:
        env["COURSE_START_METHOD"] = row.method
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"{row.name}.log"
    extra = []
    if (row.method in ("fork", "forkserver") or row.one_core) and "-m" not in pytest_args:
        # The browser test checks rendering, which no start method changes; nbval runs every
        # notebook's kernel under this start method anyway. Leaving it out saves minutes in CI.
        extra = ["-m", "not browser"]
    command = [str(row.interpreter), "-m", "pytest", *extra, *pytest_args]
    pin = None
    if row.one_core:
        first = min(os.sched_getaffinity(0))
        pin = lambda: os.sched_setaffinity(0, {first})  # noqa: E731 (inherited by every child)
    print(f"\n{'#' * 100}\n# {row.name}: {' '.join(command)}   (log: {log_path.relative_to(ROOT)})"
          f"\n{'#' * 100}", flush=True)
    start = time.perf_counter()
    summary = ""
    with open(log_path, "w", encoding="utf-8") as log, subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, encoding="utf-8", errors="replace", preexec_fn=pin) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            sys.stdout.write(line)
            log.write(line)
            match = SUMMARY.match(line.strip())
            if match and (OUTCOMES.search(line) or "no tests ran" in line):
                summary = match.group(1)
    sys.stdout.flush()
    row.seconds = time.perf_counter() - start
    row.returncode = proc.returncode
    for number, outcome in OUTCOMES.findall(summary):
        key = "errors" if outcome.startswith("error") else outcome
        row.counts[key] = row.counts.get(key, 0) + int(number)
    if proc.returncode == 0 and row.counts.get("passed", 0) > 0:
        row.status = "passed"
    elif proc.returncode == 5:
        row.status = "no tests ran"
    else:
        row.status = f"FAILED (exit {proc.returncode})"


def table(rows: list[Row]) -> str:
    header = ("Python", "start method", "passed", "failed", "errors", "skipped", "seconds", "result")
    body = []
    for row in rows:
        ran = row.returncode is not None
        method = row.method if row.method != DEFAULT else "default (spawn)"
        body.append((row.python, method + (", 1 core" if row.one_core else ""),
                     *(str(row.counts.get(k, 0)) if ran else "-"
                       for k in ("passed", "failed", "errors", "skipped")),
                     f"{row.seconds:.0f}" if ran else "-", row.status))
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in [header, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    own, pytest_args = (argv[: argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv \
        else (argv, [])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-default", action="store_true",
                        help="leave out the default Python with the default start method "
                             "(CI has just run it as `make test`)")
    parser.add_argument("--pythons", default=None,
                        help="comma-separated versions to try, such as 3.12,3.13t (default: every "
                             "CPython 3.11 or newer found on PATH or under pyenv)")
    args = parser.parse_args(own)

    started = time.perf_counter()
    default_version = version_of(sys.executable) or "{}.{}".format(*sys.version_info[:2])
    rows: list[Row] = []
    for method in (DEFAULT, "fork", "forkserver"):
        rows.append(Row(default_version, method, Path(sys.executable)))
    if hasattr(os, "sched_setaffinity"):
        rows.append(Row(default_version, DEFAULT, Path(sys.executable), one_core=True))
    if args.skip_default:
        rows[0].status = "skipped: already run by make test"
    wanted = found_versions() if args.pythons is None else args.pythons.split(",")
    print(f"matrix: Pythons to test: {', '.join(v.strip() for v in wanted if v.strip())}")
    for version in [v.strip() for v in wanted if v.strip()]:
        if version == default_version:
            continue
        base = find_python(version)
        row = Row(version, DEFAULT)
        rows.append(row)
        if base is None:
            row.status = "not found"
            print(f"matrix: Python {version} not found on PATH or under pyenv; skipping it")
            continue
        try:
            row.interpreter = venv_for(version, base)
        except subprocess.CalledProcessError as error:
            row.status = f"FAILED (make install exit {error.returncode})"

    for row in rows:
        if row.interpreter is not None and row.status == "not run":
            run_row(row, pytest_args)
    wall = time.perf_counter() - started
    print(f"\n{'=' * 30} test matrix (pytest {' '.join(pytest_args) or '(all tests)'}) {'=' * 30}")
    print(table(rows))
    print(f"wall time: {wall:.0f} s (venvs included); logs in {LOGS.relative_to(ROOT)}/")
    return 0 if all(row.ok for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
