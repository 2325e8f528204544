"""Figures for the capstone: the rendered image and the cost of each tile (matplotlib lives here)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from ..mandelbrot import Tile, View


def show_image(image: np.ndarray, view: View, title: str = "Mandelbrot set") -> Figure:
    """The escape counts as a picture (log colour scale; black = never escaped)."""
    if not isinstance(image, np.ndarray) or image.shape != view.shape:
        raise ValueError(f"image must be a numpy array of shape {view.shape}")
    shade = np.log1p(image.astype(float))
    shade[image >= view.max_iter] = 0.0  # points in the set: black
    fig = Figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.add_subplot()
    ax.imshow(shade, cmap="magma", extent=(view.x_min, view.x_max, view.y_min, view.y_max),
              interpolation="nearest")
    ax.set_xlabel("real part")
    ax.set_ylabel("imaginary part")
    ax.set_title(title)
    return fig


def plot_tile_costs(tiles: Sequence[Tile], title: str = "Time to render each tile") -> Figure:
    """Bars: milliseconds per tile, top of the image first, to show how uneven the work is."""
    if not tiles:
        raise ValueError("tiles must hold at least one Tile")
    ordered = sorted(tiles, key=lambda t: t.row_start)
    fig = Figure(figsize=(6, 3), layout="constrained")
    ax = fig.add_subplot()
    ax.bar(range(len(ordered)), [t.seconds * 1e3 for t in ordered], color="tab:purple")
    ax.set_xlabel("tile (top of the image on the left)")
    ax.set_ylabel("milliseconds")
    ax.set_title(title)
    return fig
