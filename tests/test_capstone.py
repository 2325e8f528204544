"""The capstone workload: exact tiles, clear errors, a checker that tells right from wrong."""

import multiprocessing as mp
import os

import numpy as np
import pytest

from helpers.checks.capstone import check_tiles
from helpers.mandelbrot import (
    Tile,
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


def test_view_for_cores_grows_with_cores_and_is_lopsided():
    small, big = View.for_cores(2), View.for_cores(8)
    assert small.width * small.height < big.width * big.height
    assert small.y_max > -small.y_min, "off-centre: the mirror image of the top rows is not in the view"
    top, bottom = (render_rows(View(width=80, height=60, max_iter=small.max_iter, x_min=small.x_min,
                                    x_max=small.x_max, y_min=small.y_min, y_max=small.y_max), lo, hi)
                   for lo, hi in row_tiles(60, 2))
    assert bottom.sum() > 3 * top.sum(), "the lower half of the rows costs far more than the upper"
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


def tiles_from(pids, tiles=8, view=SMALL):
    """Tiles rendered here, then tagged with the given pids in turn (as workers would tag them)."""
    parts = [render_tile(view, lo, hi) for lo, hi in row_tiles(view.height, tiles)]
    return [Tile(p.row_start, p.row_stop, p.counts, pids[i % len(pids)], p.seconds)
            for i, p in enumerate(parts)]


def test_checker_right_answer_in_any_order(reference):
    report = check_tiles(list(reversed(tiles_from(CHILDREN))), SMALL, cores=2, reference=reference)
    assert report, str(report)
    assert "small enough to balance" in str(report) and "equals the serial render" in str(report)


def test_checker_recomputes_the_reference_when_not_given():
    assert check_tiles(tiles_from(CHILDREN), SMALL, cores=2)


def test_checker_accepts_every_tile_from_one_worker(reference):
    """A pool may give every tile to its first worker: the picture is still right."""
    assert check_tiles(tiles_from(CHILDREN[:1]), SMALL, cores=2, reference=reference)


def test_checker_accepts_one_core(reference):
    assert check_tiles(tiles_from(CHILDREN[:1], tiles=4), SMALL, cores=1, reference=reference)


def test_checker_finds_wrong_rows(reference):
    tiles = tiles_from(CHILDREN)
    bad = tiles[1]
    counts = bad.counts.copy()
    counts[:2] = 0
    tiles[1] = Tile(bad.row_start, bad.row_stop, counts, bad.pid, bad.seconds)
    report = check_tiles(tiles, SMALL, cores=2, reference=reference)
    assert not report and "2 of 48 rows differ" in str(report) and f"row {bad.row_start}" in str(report)


def test_checker_finds_missing_and_doubled_rows(reference):
    tiles = tiles_from(CHILDREN)
    report = check_tiles(tiles[:-1], SMALL, cores=2, reference=reference)
    assert not report and "in no tile" in str(report)
    report = check_tiles(tiles + tiles[:1], SMALL, cores=2, reference=reference)
    assert not report and "more than one tile" in str(report)


def test_checker_rejects_tiles_too_big_to_balance(reference):
    report = check_tiles(tiles_from(CHILDREN, tiles=2), SMALL, cores=2, reference=reference)
    assert not report and "the tallest tile has 24 rows" in str(report)
    assert "every row is in exactly one tile" in str(report), "the rest is still checked"


def test_checker_rejects_tiles_of_another_view(reference):
    other = View(width=32, height=48, max_iter=60)
    report = check_tiles(tiles_from(CHILDREN, view=other), SMALL, cores=2, reference=reference)
    assert not report and "expected (6, 64)" in str(report)


@pytest.mark.parametrize("tiles, message", [
    (None, "no tiles yet"), ([], "empty"), ("abc", "list of Tile"), (iter([1]), "list of Tile"),
    ([1, 2], "only Tile objects"),
])
def test_checker_bad_tiles(reference, tiles, message):
    report = check_tiles(tiles, SMALL, cores=2, reference=reference)
    assert not report and message in str(report)


@pytest.mark.parametrize("pids, message", [
    ([os.getpid()], "in this kernel"), ([7], "not a child process"),
])
def test_checker_bad_pids(reference, pids, message):
    report = check_tiles(tiles_from(pids), SMALL, cores=2, reference=reference)
    assert not report and message in str(report)
    assert "equals the serial render" in str(report), "a right picture with fake pids still fails"


def test_checker_rejects_bad_cores(reference):
    with pytest.raises(ValueError):
        check_tiles(tiles_from(CHILDREN), SMALL, cores=0, reference=reference)


def test_plots_return_figures_and_reject_bad_input(reference):
    from helpers.lab.mandelbrot import plot_tile_costs, show_image

    assert len(show_image(reference, SMALL).axes) == 1
    assert len(plot_tile_costs([render_tile(SMALL, 0, 10)]).axes) == 1
    with pytest.raises(ValueError):
        show_image(reference[:10], SMALL)
    with pytest.raises(ValueError):
        plot_tile_costs([])
