"""Interactive controls: choose processes and problem size, re-measure, re-plot."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from ..cpus import usable_cpus
from ..timing import SpeedupCurve, speedup_curve
from ..validation import check_int, check_processes
from .timing import plot_speedup


def default_max_processes(usable: int | None = None) -> int:
    """A slider limit a little past the usable cores, so oversubscription can be seen."""
    usable = usable_cpus() if usable is None else check_processes(usable)
    return min(max(2 * usable, usable + 2), 64)


class SpeedupExplorer(widgets.VBox):
    """Slider for processes, a problem-size menu and a Run button that measures and plots."""

    def __init__(
        self,
        serial: Callable[[int], Any],
        parallel: Callable[[int, int], Any],
        sizes: Sequence[int],
        *,
        default_size: int | None = None,
        max_processes: int | None = None,
        repeats: int = 3,
        label: str = "parallel",
    ) -> None:
        if not sizes:
            raise ValueError("sizes must offer at least one problem size")
        sizes = [check_int("size", s, minimum=1) for s in sizes]
        default_size = sizes[0] if default_size is None else default_size
        if default_size not in sizes:
            raise ValueError(f"default_size {default_size} is not one of the sizes {sizes}")
        max_processes = default_max_processes() if max_processes is None else check_processes(max_processes)
        self._serial, self._parallel = serial, parallel
        self._repeats = check_int("repeats", repeats, minimum=1, maximum=100)
        self._label = label
        self.processes = widgets.IntSlider(
            value=min(usable_cpus(), max_processes), min=1, max=max_processes,
            description="processes", continuous_update=False)
        self.size = widgets.Dropdown(options=[(f"{s:,}", s) for s in sizes], value=default_size,
                                     description="size")
        self.button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.output = widgets.Output()
        self.last_curve: SpeedupCurve | None = None
        self.button.on_click(lambda _: self.run())
        super().__init__([widgets.HBox([self.processes, self.size, self.button]), self.output])

    def measure(self, processes: int, size: int) -> SpeedupCurve:
        """Measure serial, then 1..processes workers, at this problem size."""
        processes = check_processes(processes)
        size = check_int("size", size, minimum=1)
        return speedup_curve(lambda: self._serial(size), lambda n: self._parallel(n, size),
                             range(1, processes + 1), repeats=self._repeats, label=self._label)

    def run(self) -> SpeedupCurve:
        """Measure with the current widget values and redraw the table and plot."""
        self.button.disabled = True
        self.output.outputs = ()
        try:
            self.output.append_stdout(
                f"measuring 1..{self.processes.value} processes at size {self.size.value:,} ...\n")
            curve = self.measure(self.processes.value, self.size.value)
            self.last_curve = curve
            self.output.outputs = ()
            self.output.append_stdout(f"{curve.table()}\n"
                                      f"results equal the serial result: {curve.results_match}\n")
            self.output.append_display_data(plot_speedup(curve))
            return curve
        finally:
            self.button.disabled = False
