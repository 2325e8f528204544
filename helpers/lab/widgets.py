"""Interactive controls: choose processes and problem size, measure (stoppable), re-plot."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from ..cpus import usable_cpus
from ..timing import SpeedupCurve, compare, curve_from, process_label
from ..validation import check_int, check_processes, check_timeout
from .timing import plot_speedup


def default_max_processes(usable: int | None = None) -> int:
    """A slider limit a little past the usable cores, so oversubscription can be seen."""
    usable = usable_cpus() if usable is None else check_processes(usable)
    return min(max(2 * usable, usable + 2), 64)


class SpeedupExplorer(widgets.VBox):
    """Slider for processes, a problem-size menu, Run and Stop buttons, progress, table and plot.

    Run measures serial and 1..processes workers with helpers.timing.compare (warm-up, then
    `repeats` rotating rounds) in a background thread, so the kernel stays free to handle a Stop
    click; the progress bar and label say which variant and round are being timed. Stop ends the
    measurement after the call in progress and shows the complete rounds measured so far (or says
    that nothing complete was measured). `repeats` defaults to 3 rounds: this is for exploring;
    a figure a lesson rests on takes at least 5.
    """

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
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.processes = widgets.IntSlider(
            value=min(usable_cpus(), max_processes), min=1, max=max_processes,
            description="processes", continuous_update=False)
        self.size = widgets.Dropdown(options=[(f"{s:,}", s) for s in sizes], value=default_size,
                                     description="size")
        self.button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.stop_button = widgets.Button(description="Stop", button_style="warning", icon="stop",
                                          disabled=True)
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="rounds")
        self.status = widgets.Label(value="")
        self.output = widgets.Output()
        self.last_curve: SpeedupCurve | None = None
        self.error: BaseException | None = None
        self.button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        super().__init__([widgets.HBox([self.processes, self.size, self.button, self.stop_button]),
                          widgets.HBox([self.progress, self.status]), self.output])

    def measure(self, processes: int, size: int, *, progress: Callable[[str, int, int], Any] | None = None,
                stop: Any = None) -> SpeedupCurve | None:
        """Measure serial and 1..processes workers at this size; None if stopped before a round."""
        processes = check_processes(processes)
        size = check_int("size", size, minimum=1)
        counts = range(1, processes + 1)
        variants: dict[str, Callable[[], Any]] = {"serial": lambda: self._serial(size)}
        for n in counts:
            variants[process_label(n)] = lambda n=n: self._parallel(n, size)
        comparison = compare(variants, rounds=self._repeats, progress=progress, stop=stop)
        return curve_from(comparison, counts, self._label) if comparison.rounds else None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> threading.Thread:
        """Start measuring the current settings in a background thread (what Run does)."""
        if self.running:
            raise RuntimeError("a measurement is already running: stop it or wait for it")
        processes = check_processes(self.processes.value)
        size = check_int("size", self.size.value, minimum=1)
        self._stop.clear()
        self.error, self.last_curve = None, None
        self.button.disabled, self.stop_button.disabled = True, False
        self.progress.max, self.progress.value = self._repeats * (processes + 1), 0
        self.status.value = "warming up every variant ..."
        self.output.outputs = ()
        self.output.append_stdout(f"measuring serial and 1..{processes} processes at size {size:,} "
                                  f"({self._repeats} rounds after a warm-up) ...\n")
        self._thread = threading.Thread(target=self._work, args=(processes, size),
                                        name="speedup-explorer", daemon=True)
        self._thread.start()
        return self._thread

    def _show_progress(self, name: str, round_index: int, rounds: int) -> None:
        self.progress.value = min(self.progress.value + 1, self.progress.max)
        self.status.value = f"timing {name}, round {round_index + 1} of {rounds}"

    def _work(self, processes: int, size: int) -> None:
        try:
            curve = self.measure(processes, size, progress=self._show_progress, stop=self._stop)
            self.output.outputs = ()
            if curve is None:
                self.status.value = "stopped"
                self.output.append_stdout("stopped before a complete round: nothing was measured\n")
                return
            self.last_curve = curve
            self.status.value = (f"stopped after {curve.rounds} of {curve.asked} rounds" if curve.stopped
                                 else "done")
            self.output.append_stdout(f"{curve.table()}\n"
                                      f"results equal the serial result: {curve.results_match}\n")
            self.output.append_display_data(plot_speedup(curve))
        except Exception as error:  # noqa: BLE001 - shown in the widget, kept for the caller
            self.error = error
            self.status.value = "failed"
            self.output.append_stdout(f"measurement failed: {type(error).__name__}: {error}\n")
        finally:
            self.button.disabled, self.stop_button.disabled = False, True

    def stop(self) -> None:
        """Ask the measurement to end after the call in progress (what Stop does)."""
        self._stop.set()
        if self.running:
            self.status.value = "stopping after the call in progress ..."

    def wait(self, timeout: float = 600.0) -> SpeedupCurve | None:
        """Wait for the background measurement; return the curve it drew (None if none)."""
        timeout = check_timeout(timeout)
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise TimeoutError(f"the measurement is still running after {timeout:g} s")
        return self.last_curve

    def run(self) -> SpeedupCurve | None:
        """Measure the current settings and wait for the result (blocks the cell: no Stop)."""
        self.start()
        curve = self.wait()
        if self.error is not None:
            raise self.error
        return curve
