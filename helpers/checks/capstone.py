"""Checker for the capstone exercise: a Mandelbrot image rendered by a pool, tile by tile."""

from __future__ import annotations

import numpy as np

from ..mandelbrot import View, render_serial
from . import Report, expect_parallel_pids


def check_mandelbrot(image: object, pids: object, view: View,
                     reference: np.ndarray | None = None) -> Report:
    """Exercise: the parallel image must equal the serial one pixel for pixel, drawn in child
    processes of this kernel (how many of the pool's workers took tiles is the scheduler's call)."""
    report = Report("parallel Mandelbrot")
    expected = render_serial(view) if reference is None else reference
    if image is None:
        report.expect(False, "", "no image yet: set `image_parallel` to the image your tiles make")
    elif not isinstance(image, np.ndarray):
        report.expect(False, "", f"`image_parallel` should be a numpy array, got {type(image).__name__}")
    elif image.shape != expected.shape:
        report.expect(False, "", f"the image has shape {image.shape}, expected {expected.shape} "
                      "(height, width)")
    else:
        wrong_rows = np.flatnonzero((image != expected).any(axis=1))
        report.expect(wrong_rows.size == 0, "every pixel equals the serial render",
                      f"{wrong_rows.size} of {view.height} rows differ from the serial render "
                      f"(first: row {wrong_rows[0] if wrong_rows.size else 0}); put each tile's "
                      "counts at its own rows, image[tile.row_start:tile.row_stop]")
    if pids is None:
        report.expect(False, "", "no pids yet: collect tile.pid from every tile you receive")
    else:
        try:
            tiles_seen = len(pids)  # type: ignore[arg-type]
        except TypeError:
            tiles_seen = -1
        if tiles_seen == 0:
            report.expect(False, "", "`pids` is empty: append tile.pid for every tile")
        else:
            expect_parallel_pids(report, pids, spread=False)  # type: ignore[arg-type]
    return report
