"""Command line: `python -m helpers bench [--quick] [--max-procs N] [--json] [--out DIR]` and
`python -m helpers lessons [--runs N] [--json] [NOTEBOOK ...]`.

Imports only argparse and sys at import time: spawn children of this command re-import it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

METHOD_NAMES = ("process", "pool", "executor", "joblib", "dask")  # as helpers.bench.METHODS


def _positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _methods(text: str) -> list[str]:
    """argparse type: a comma-separated list of known methods."""
    chosen = [m.strip() for m in text.split(",") if m.strip()]
    unknown = [m for m in chosen if m not in METHOD_NAMES]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown method(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(METHOD_NAMES)}")
    return chosen


def build_parser() -> argparse.ArgumentParser:
    """The `python -m helpers` argument parser (subcommands: bench, lessons)."""
    parser = argparse.ArgumentParser(prog="python -m helpers",
                                     description="Multicore Python course tools.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    bench = commands.add_parser(
        "bench", help="time the prime-count job serially and with every parallel engine",
        description="Time the course's prime-count job serially and with raw processes, Pool, "
                    "ProcessPoolExecutor, joblib and Dask, for 1..N processes, in one run.")
    bench.add_argument("--quick", action="store_true", help="a short run (about 2 s of serial work)")
    bench.add_argument("--max-procs", type=_positive_int, metavar="N",
                       help="measure 1..N processes (default: the usable cores)")
    bench.add_argument("--json", action="store_true",
                       help="print the rows as JSON on stdout instead of the table")
    bench.add_argument("--out", default="bench-results", metavar="DIR",
                       help="folder for bench.csv and bench.png (default: ./bench-results)")
    bench.add_argument("--methods", type=_methods, metavar="LIST",
                       help=f"comma-separated subset of {','.join(METHOD_NAMES)}")
    bench.add_argument("--size", type=_positive_int, metavar="NUMBERS",
                       help="numbers to test for primality (overrides --quick's size)")
    bench.add_argument("--repeats", type=_positive_int, default=3, metavar="R",
                       help="rounds: each times serial and every method once, in rotating order; "
                            "the median and its spread are reported (default: 3)")
    bench.add_argument("--start-method", choices=("spawn", "fork", "forkserver"),
                       help="multiprocessing start method (default: COURSE_START_METHOD or spawn)")
    lessons = commands.add_parser(
        "lessons", help="run notebooks headless and count how often each claim held",
        description="Execute notebooks headless (nbclient, kernel python3, in notebooks/; the "
                    "files are not written) N times each, collect every claim they check "
                    "(helpers.claims.claim), and print how often each held, with the figures and "
                    "likely cause of each miss. Exit status 1 if any claim missed or a run failed.")
    lessons.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                         help="notebooks to run (default: every numbered notebook in notebooks/)")
    lessons.add_argument("--runs", type=_positive_int, default=1, metavar="N",
                         help="times to run each notebook (default: 1)")
    lessons.add_argument("--json", action="store_true",
                         help="print a JSON list, one object per claim and run, instead of the table")
    return parser


def lessons_command(args: argparse.Namespace) -> int:
    """Run the notebooks, print the claims table or JSON; 1 if any claim missed."""
    import json
    from pathlib import Path

    from .lessons import course_notebooks, lessons_table, run_lessons

    notebooks = [Path(p) for p in args.notebooks] or course_notebooks()
    records = run_lessons(notebooks, runs=args.runs, progress=_progress)
    if args.json:
        print(json.dumps(records, indent=2, ensure_ascii=False))
    else:
        print(lessons_table(records, args.runs))
    return 0 if all(r["held"] for r in records) else 1


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def bench_command(args: argparse.Namespace) -> int:
    """Run the benchmark, print table or JSON, write CSV and PNG into args.out."""
    from pathlib import Path

    from .bench import FULL_SIZE, METHODS, QUICK_SIZE, run_bench

    size = args.size or (QUICK_SIZE if args.quick else FULL_SIZE)
    result = run_bench(size, max_procs=args.max_procs, methods=args.methods or METHODS,
                       repeats=args.repeats, start_method=args.start_method, progress=_progress)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    csv_path = result.write_csv(out / "bench.csv")
    from .lab.bench import plot_bench

    png_path = out / "bench.png"
    plot_bench(result).savefig(png_path, dpi=100)
    if args.json:
        print(result.to_json())
    else:
        print(f"prime count over {result.size:,} numbers")
        print(result.table())
    _progress(f"wrote {csv_path} and {png_path}")
    return 0 if result.results_match else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the chosen subcommand; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    commands = {"bench": bench_command, "lessons": lessons_command}
    if args.command in commands:
        try:
            return commands[args.command](args)
        except ValueError as error:  # a helper rejected a value argparse could not check
            parser.error(str(error))
    parser.error(f"unknown command {args.command!r}")  # unreachable: argparse checks choices
    return 2


if __name__ == "__main__":
    sys.exit(main())
