"""The capstone workload: exact tiles, clear errors, a checker that tells right from wrong."""

import multiprocessing as mp
import os

import numpy as np
import pytest

from helpers.checks.capstone import check_mandelbrot
from helpers.mandelbrot import (
    View,
    assemble,
    blank_image,
    render_rows,
    render_serial,
    render_tile,
    render_tile_task,
    row_tiles,
    tile_tasks,
)
from tests.realpids import child_pids

SMALL = View(width=64, height=48, max_iter=60)


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return render_serial(SMALL)


def test_serial_image_has_known_values(reference):
    assert reference.shape == (48, 64) and reference.dtype == np.int32
    assert reference[0, 0] == 1, "c = -2.2+1.125i lies outside |c| <= 2: it escapes after one step"
    inside = View(width=1, height=1, max_iter=60, x_min=-0.1, x_max=0.0, y_min=-0.1, y_max=0.0)
    assert render_serial(inside)[0, 0] == 60, "c = -0.1 (near 0) is in the set: never escapes"
    assert 0 < (reference == SMALL.max_iter).mean() < 1


def test_bands_do_not_change_the_image(reference):
    for band_rows in (1, 7, 48, 1000):
        assert np.array_equal(render_rows(SMALL, 0, SMALL.height, band_rows=band_rows), reference)
    assert render_rows(SMALL, 5, 5).shape == (0, 64)
    with pytest.raises(ValueError):
        render_rows(SMALL, 0, 10, band_rows=0)


@pytest.mark.parametrize("tiles", [1, 2, 5, 48])
def test_tiles_equal_the_serial_image_exactly(reference, tiles):
    parts = [render_tile(SMALL, lo, hi) for lo, hi in row_tiles(SMALL.height, tiles)]
    assert np.array_equal(assemble(SMALL, reversed(parts)), reference)
    assert all(part.pid == os.getpid() and part.seconds >= 0 for part in parts)


def test_pool_render_equals_serial_and_leaves_nothing(reference):
    ctx = mp.get_context("spawn")
    with ctx.Pool(2) as pool:
        tiles = pool.map_async(render_tile_task, tile_tasks(SMALL, 12), chunksize=1).get(timeout=120)
    assert np.array_equal(assemble(SMALL, tiles), reference)
    assert os.getpid() not in {t.pid for t in tiles}
    assert not [c for c in mp.active_children()]


@pytest.mark.parametrize("kwargs", [
    {"width": 0}, {"height": -1}, {"width": 100_000, "height": 100_000}, {"max_iter": 0},
    {"max_iter": 10**9}, {"x_min": float("nan")}, {"x_min": 1.0, "x_max": 0.0},
    {"y_max": "1"}, {"width": 2.5},
])
def test_view_rejects_bad_values(kwargs):
    with pytest.raises(ValueError):
        View(**kwargs)


def test_view_for_cores_grows_with_cores():
    small, big = View.for_cores(2), View.for_cores(8)
    assert small.width * small.height < big.width * big.height
    with pytest.raises(ValueError):
        View.for_cores(0)


@pytest.mark.parametrize("rows", [(-1, 4), (4, 2), (0, 49)])
def test_render_rows_rejects_bad_rows(rows):
    with pytest.raises(ValueError):
        render_rows(SMALL, *rows)


@pytest.mark.parametrize("tiles", [0, -2, 49])
def test_row_tiles_rejects_bad_counts(tiles):
    with pytest.raises(ValueError):
        row_tiles(48, tiles)


def test_assemble_finds_missing_and_overlapping_rows():
    a, b = render_tile(SMALL, 0, 30), render_tile(SMALL, 20, 48)
    with pytest.raises(ValueError, match="overlap"):
        assemble(SMALL, [a, b])
    with pytest.raises(ValueError, match="no tile"):
        assemble(SMALL, [a])
    assert (blank_image(SMALL) == -1).all()


CHILDREN = list(child_pids(2))


def test_checker_right_answer(reference):
    report = check_mandelbrot(reference.copy(), CHILDREN * 3, SMALL, reference=reference)
    assert report, str(report)


def test_checker_recomputes_the_reference_when_not_given(reference):
    assert check_mandelbrot(reference.copy(), CHILDREN, SMALL)


def test_checker_wrong_rows(reference):
    image = reference.copy()
    image[10:12] = 0
    report = check_mandelbrot(image, CHILDREN, SMALL, reference=reference)
    assert not report and "2 of 48 rows differ" in str(report) and "row 10" in str(report)


@pytest.mark.parametrize("image, message", [
    (None, "no image yet"), ([[1, 2]], "numpy array"), (np.zeros((3, 3)), "shape"),
])
def test_checker_bad_images(reference, image, message):
    report = check_mandelbrot(image, CHILDREN, SMALL, reference=reference)
    assert not report and message in str(report)


@pytest.mark.parametrize("pids, message", [
    (None, "no pids yet"), ([], "empty"), ([os.getpid()] * 4, "in this kernel"),
    ([7, 7, 7], "not a child process"), ("abc", "process ids"),
])
def test_checker_bad_pids(reference, pids, message):
    report = check_mandelbrot(reference, pids, SMALL, reference=reference)
    assert not report and message in str(report)


def test_checker_accepts_every_tile_from_one_worker(reference):
    """A pool may give every tile to its first worker: the picture is still right."""
    assert check_mandelbrot(reference.copy(), CHILDREN[:1] * 4, SMALL, reference=reference)


def test_plots_return_figures_and_reject_bad_input(reference):
    from helpers.lab.mandelbrot import plot_tile_costs, show_image

    assert len(show_image(reference, SMALL).axes) == 1
    assert len(plot_tile_costs([render_tile(SMALL, 0, 10)]).axes) == 1
    with pytest.raises(ValueError):
        show_image(reference[:10], SMALL)
    with pytest.raises(ValueError):
        plot_tile_costs([])
