"""Checker for the capstone exercises: a Mandelbrot image rendered by a pool, tile by tile.

The learner hands in the tiles their workers returned, not an image: the checker rebuilds the
image from them itself, compares every row with the serial render, checks that each tile's pid
is a real child process of this kernel, and that the tiles were small enough to balance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..mandelbrot import Tile, View, render_serial
from ..validation import check_int
from . import Report, expect_parallel_pids

TILES_PER_CORE = 4


def tallest_allowed(view: View, cores: int, per_core: int = TILES_PER_CORE) -> int:
    """The most rows one tile may hold: equal tiles, at least `per_core` per usable core."""
    return max(1, math.ceil(view.height / (per_core * cores)))


def check_tiles(tiles: object, view: View, cores: int, reference: np.ndarray | None = None) -> Report:
    """Exercise: `tiles` are the Tile objects the workers returned, in any order.

    Right when: every row of the view is in exactly one tile, the image rebuilt from them equals
    the serial render row for row, every tile came from a real child process of this kernel (how
    many different workers took tiles is the scheduler's call: one is enough), and no tile is
    taller than `tallest_allowed(view, cores)` rows (at least 4 tiles per usable core, so a slow
    tile cannot keep the other workers waiting).
    """
    cores = check_int("cores", cores, minimum=1, maximum=1024)
    report = Report("parallel Mandelbrot")
    if tiles is None:
        report.expect(False, "", "no tiles yet: set `tiles` to the list of Tile objects your workers returned")
        return report
    if not isinstance(tiles, Sequence) or isinstance(tiles, str | bytes):
        report.expect(False, "", f"`tiles` should be a list of Tile objects, got {type(tiles).__name__} "
                      "(an iterator is used up once read: collect the tiles into a list)")
        return report
    if not tiles:
        report.expect(False, "", "`tiles` is empty: keep every Tile your workers return")
        return report
    strangers = [t for t in tiles if not isinstance(t, Tile)]
    if strangers:
        report.expect(False, "", f"`tiles` should hold only Tile objects (what render_tile returns), "
                      f"found a {type(strangers[0]).__name__}")
        return report

    expected = render_serial(view) if reference is None else reference
    image = np.full(view.shape, -1, dtype=np.int64)
    drawn = np.zeros(view.height, dtype=int)
    problems = []
    for tile in tiles:
        lo, hi = tile.row_start, tile.row_stop
        if not (isinstance(lo, int) and isinstance(hi, int) and 0 <= lo < hi <= view.height):
            problems.append(f"a tile has rows {lo!r}..{hi!r}, outside 0..{view.height} of this view")
            continue
        counts = tile.counts
        if not isinstance(counts, np.ndarray) or counts.shape != (hi - lo, view.width):
            shape = getattr(counts, "shape", type(counts).__name__)
            problems.append(f"the tile of rows {lo}..{hi} holds counts of shape {shape}, expected "
                            f"{(hi - lo, view.width)}: was it rendered for this view?")
            continue
        image[lo:hi] = counts
        drawn[lo:hi] += 1
    report.expect(not problems, "every tile fits the view", problems[0] if problems else "")
    twice, missing = np.flatnonzero(drawn > 1), np.flatnonzero(drawn == 0)
    report.expect(twice.size == 0 and missing.size == 0, "every row is in exactly one tile",
                  f"{missing.size} row(s) in no tile (first: row {missing[0]})" if missing.size
                  else f"{twice.size} row(s) in more than one tile (first: row {twice[0] if twice.size else 0})")
    wrong = np.flatnonzero((image != expected).any(axis=1) & (drawn == 1))
    report.expect(wrong.size == 0 and missing.size == 0 and twice.size == 0 and not problems,
                  "the image rebuilt from the tiles equals the serial render, row for row",
                  f"{wrong.size} of {view.height} rows differ from the serial render "
                  f"(first: row {wrong[0]})" if wrong.size
                  else "the image cannot equal the serial render until every row is in exactly one tile")

    limit = tallest_allowed(view, cores)
    tallest = max(t.row_stop - t.row_start for t in tiles
                  if isinstance(t.row_start, int) and isinstance(t.row_stop, int))
    report.expect(tallest <= limit,
                  f"the tiles are small enough to balance the load (at least {TILES_PER_CORE} per usable core)",
                  f"the tallest tile has {tallest} rows: with {cores} usable core(s) no tile should be "
                  f"taller than {limit} rows, or one slow tile keeps the other workers waiting")
    expect_parallel_pids(report, [t.pid for t in tiles], spread=False)
    return report
