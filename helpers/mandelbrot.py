"""The capstone job: render a Mandelbrot image in row tiles, each tile an independent task.

Workers for a process pool, so this module imports only the standard library and numpy. Every
pixel is computed with plain float arithmetic, element by element, so a tile gives exactly the
same numbers as the same rows of a whole-image render: serial and parallel images compare equal.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .validation import check_int
from .workloads import split_range

MAX_PIXELS = 20_000_000
MAX_ITERATIONS = 100_000
ESCAPE_RADIUS_SQUARED = 4.0
BAND_ROWS = 16
# The capstone window (x_min, x_max, y_min, y_max): 2.6 x 1.95, square pixels at 4:3; the
# upper half of the set. Its top half of rows costs about a seventh of its bottom half.
CAPSTONE_WINDOW = (-2.0, 0.6, -0.35, 1.6)


@dataclass(frozen=True)
class View:
    """What to render: image size in pixels, iteration limit and the window of the complex plane."""

    width: int = 640
    height: int = 480
    max_iter: int = 200
    x_min: float = -2.2
    x_max: float = 0.8
    y_min: float = -1.125
    y_max: float = 1.125

    def __post_init__(self) -> None:
        check_int("width", self.width, minimum=1)
        check_int("height", self.height, minimum=1)
        if self.width * self.height > MAX_PIXELS:
            raise ValueError(f"width x height must be at most {MAX_PIXELS:,} pixels, "
                             f"got {self.width * self.height:,}")
        check_int("max_iter", self.max_iter, minimum=1, maximum=MAX_ITERATIONS)
        for name in ("x_min", "x_max", "y_min", "y_max"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
        if not (self.x_min < self.x_max and self.y_min < self.y_max):
            raise ValueError("the window needs x_min < x_max and y_min < y_max")

    @property
    def shape(self) -> tuple[int, int]:
        return (self.height, self.width)

    @classmethod
    def for_cores(cls, cores: int, max_iter: int = 512) -> View:
        """The capstone view: about 0.5 s of serial work per 2 cores (measured on the course's
        2-core VM: 1000 x 750 pixels, 0.45-0.55 s), pixels growing with the core count.

        The window is off-centre (CAPSTONE_WINDOW): the set fills the lower rows and the top
        rows escape at once, so the cost of the rows is lopsided. (The whole set is
        mirror-symmetric about the real axis: cut in two halves, it would balance by itself.)
        """
        cores = check_int("cores", cores, minimum=1, maximum=1024)
        scale = math.sqrt(max(1, cores / 2))
        x_min, x_max, y_min, y_max = CAPSTONE_WINDOW
        return cls(width=4 * round(250 * scale), height=3 * round(250 * scale), max_iter=max_iter,
                   x_min=x_min, x_max=x_max, y_min=y_min, y_max=y_max)


@dataclass(frozen=True)
class Tile:
    """Rows [row_start, row_stop) of the image, with the pid and seconds of the process that drew them."""

    row_start: int
    row_stop: int
    counts: np.ndarray
    pid: int
    seconds: float


def _check_rows(view: View, row_start: int, row_stop: int) -> tuple[int, int]:
    row_start = check_int("row_start", row_start, minimum=0, maximum=view.height)
    row_stop = check_int("row_stop", row_stop, minimum=row_start, maximum=view.height)
    return row_start, row_stop


def _render_band(view: View, row_start: int, row_stop: int) -> np.ndarray:
    """Escape counts for a band of rows, all pixels at once with numpy (the compute kernel)."""
    xs = np.linspace(view.x_min, view.x_max, view.width)
    ys = np.linspace(view.y_max, view.y_min, view.height)[row_start:row_stop]  # row 0 at the top
    cx, cy = (a.ravel() for a in np.meshgrid(xs, ys))
    counts = np.full(cx.size, view.max_iter, dtype=np.int32)
    index = np.arange(cx.size)  # pixels still iterating
    x = np.zeros_like(cx)
    y = np.zeros_like(cy)
    for i in range(view.max_iter):
        x2, y2 = x * x, y * y
        escaped = x2 + y2 > ESCAPE_RADIUS_SQUARED
        if escaped.any():
            counts[index[escaped]] = i
            keep = ~escaped
            index, x, y, x2, y2, cx, cy = (a[keep] for a in (index, x, y, x2, y2, cx, cy))
            if index.size == 0:
                break
        y = 2.0 * x * y + cy
        x = x2 - y2 + cx
    return counts.reshape(row_stop - row_start, view.width)


def render_rows(view: View, row_start: int, row_stop: int, band_rows: int = BAND_ROWS) -> np.ndarray:
    """Escape counts for rows [row_start, row_stop): int32, max_iter where a point never escapes.

    Works through the rows in bands of `band_rows`, so that numpy's temporary arrays stay small
    enough for the CPU cache whatever the size of the request (a big band can be 2x slower).
    """
    row_start, row_stop = _check_rows(view, row_start, row_stop)
    band_rows = check_int("band_rows", band_rows, minimum=1)
    if row_stop == row_start:
        return np.empty((0, view.width), dtype=np.int32)
    bands = split_range(row_start, row_stop, math.ceil((row_stop - row_start) / band_rows))
    return np.concatenate([_render_band(view, lo, hi) for lo, hi in bands])


def render_serial(view: View) -> np.ndarray:
    """The whole image in this process: the reference every parallel render must equal exactly."""
    return render_rows(view, 0, view.height)


def render_tile(view: View, row_start: int, row_stop: int) -> Tile:
    """Worker: render rows [row_start, row_stop) and tag them with this process's pid and time taken."""
    started = time.perf_counter()
    counts = render_rows(view, row_start, row_stop)
    return Tile(row_start, row_stop, counts, os.getpid(), time.perf_counter() - started)


def render_tile_task(task: tuple[View, int, int]) -> Tile:
    """Worker for map/imap_unordered, which pass one argument: a (view, row_start, row_stop) task."""
    view, row_start, row_stop = task
    return render_tile(view, row_start, row_stop)


def row_tiles(height: int, tiles: int) -> list[tuple[int, int]]:
    """Split rows 0..height into `tiles` bands of nearly equal height: [(row_start, row_stop), ...]."""
    height = check_int("height", height, minimum=1)
    tiles = check_int("tiles", tiles, minimum=1, maximum=height)
    return split_range(0, height, tiles)


def tile_tasks(view: View, tiles: int) -> list[tuple[View, int, int]]:
    """One (view, row_start, row_stop) task per tile, ready for Pool.imap_unordered(render_tile_task, ...)."""
    return [(view, lo, hi) for lo, hi in row_tiles(view.height, tiles)]


def blank_image(view: View) -> np.ndarray:
    """An image of the view's shape to fill tile by tile (-1 marks rows no tile has filled yet)."""
    return np.full(view.shape, -1, dtype=np.int32)


def assemble(view: View, tiles: Iterable[Tile]) -> np.ndarray:
    """Put tiles (in any order) into one image; ValueError if a row is missing or drawn twice."""
    image = blank_image(view)
    filled = np.zeros(view.height, dtype=bool)
    for tile in tiles:
        lo, hi = _check_rows(view, tile.row_start, tile.row_stop)
        if filled[lo:hi].any():
            raise ValueError(f"rows {lo}..{hi} overlap a tile already placed")
        image[lo:hi] = tile.counts
        filled[lo:hi] = True
    if not filled.all():
        missing = np.flatnonzero(~filled)
        raise ValueError(f"{missing.size} rows have no tile (first missing row: {missing[0]})")
    return image
