"""The measurement core: warm-up, interleaved rotating rounds, medians with their spread, noise.

Every figure in the course comes from `compare()`, or from `measure()` and `speedup_curve()`,
which are built on it: an untimed warm-up of every variant, then rounds that time every variant
once, in an order that rotates from round to round (round r starts at variant r mod k), so a
machine that drifts (another program starting, the CPU clocking down) weighs on every variant
alike. Never "all of A, then all of B".

Spread: half the width of the interquartile range when there are 4 or more times, else half the
min-max range, relative to the median; printed as `±4%`. With one time there is no spread (0).

Noise: while `compare()` runs, a thread in this process (the parent, never a worker) samples how
busy the machine is apart from this job, in cores (CPU-seconds per wall second). See `Noise`.

Defaults: `compare()` and `speedup_curve()` take 5 rounds, the least for a figure a lesson rests
on (with 4+ times the spread is an IQR, which one odd round cannot widen by itself); `measure()`
keeps 3 rounds for a quick look.

Child-safe: the standard library only at import time; psutil is imported inside the probe.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .validation import check_int, check_processes

MAX_ROUNDS = 1000

# When is a run noisy? Measured on the course's 2-core VM (shared; branch `measure`) with the
# probe below (LoadProbe), mean over the run (peak 0.2 s interval in brackets):
#   idle-ish, nothing of ours but the probe, 3 x 4 s:         0.005, 0.007, 0.067 cores (0.05-0.94)
#   our own child running `while True: pass` (in the tree):   0.007 cores: our tree is excluded
#   other engineers' test suites saturating the VM, 6 x 3 s:  1.94-1.99 cores
#   (an external `timeout 10 python -c "while True: pass"` could not add to a saturated VM)
#   quiet VM (2026-12-01, 11:30), 4 s each: idle 0.005 cores (peak 0.10); one external
#   `python -c "while True: pass"` (not in our tree): 1.01 cores (peak 1.09)
# Relative spread (half IQR / median) of two identical 40 ms pure-Python jobs, 7 rounds:
#   idle-ish: ±1.5% to ±8.5%;  VM saturated by others: ±2% to ±28% (most above ±5%).
# A quarter of a core is far above the idle load and far below one busy program; ±10% is above
# every idle spread and below most loaded ones.
BUSY_CORES = 0.25
WIDE_SPREAD = 0.10
# One sample (psutil scanning /proc for our descendants) cost ~7 ms of this process's CPU on the
# loaded VM; every second that is under 1% of a core taken from the job. The mean load needs only
# the first and last samples; the ones between give the busiest interval (peak_cores).
SAMPLE_SECONDS = 1.0
# The OS counts CPU time in 10 ms ticks per CPU: under half a second the load figure is too
# rough to call a machine busy (it is still recorded).
MIN_LOAD_SECONDS = 0.5


# --- noise: how busy the machine is apart from this job ---------------------------------------

def _machine_busy_seconds(psutil: Any) -> float:
    """CPU-seconds all CPUs spent busy since boot: everything but idle and iowait.

    Steal (time the hypervisor gave to other guests) counts as busy-by-others. On Linux `user`
    already contains `guest`, so guest fields are not added again.
    """
    t = psutil.cpu_times()
    busy = t.user + t.system
    for name in ("nice", "irq", "softirq", "steal"):
        busy += getattr(t, name, 0.0)
    return busy


def _process_seconds(times: Any) -> float:
    return (times.user + times.system + getattr(times, "children_user", 0.0)
            + getattr(times, "children_system", 0.0))


def _tree_seconds(psutil: Any, me: Any) -> float:
    """CPU-seconds used by this process tree: this process (with its reaped children, which the
    OS adds to children_user/children_system) plus every live descendant (with theirs).

    An approximation: a descendant that ended between two samples without being reaped by a
    member of the tree (a double-forked daemon) is missed, and the OS counts CPU time in clock
    ticks (10 ms), so a short run's figure is rough.
    """
    total = _process_seconds(me.cpu_times())
    for child in me.children(recursive=True):
        try:
            total += _process_seconds(child.cpu_times())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass  # ended after children() listed it: its time is now in its parent's children_*
    return total


class LoadProbe:
    """Samples, from a background thread of this process, the machine's busy CPU time minus this
    process tree's: other programs' load in cores. Start with start(), end with finish()."""

    def __init__(self, interval: float = SAMPLE_SECONDS) -> None:
        self.interval = interval
        self.samples: list[tuple[float, float, float]] = []  # (wall, machine busy, our tree)
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._psutil: Any = None
        self._me: Any = None

    def _sample(self) -> None:
        try:
            sample = (time.perf_counter(), _machine_busy_seconds(self._psutil),
                      _tree_seconds(self._psutil, self._me))
        except Exception:  # noqa: BLE001 - a failed sample must never break a measurement
            return
        self.samples.append(sample)

    def _loop(self) -> None:
        while not self._done.wait(self.interval):
            self._sample()

    def start(self) -> LoadProbe:
        try:
            import psutil
        except ImportError:  # the course installs psutil; without it noise is "not measured"
            return self
        self._psutil, self._me = psutil, psutil.Process()
        self._sample()
        self._thread = threading.Thread(target=self._loop, name="course-load-probe", daemon=True)
        self._thread.start()
        return self

    def finish(self) -> tuple[float | None, float | None, float]:
        """Stop sampling; return (mean other load, peak other load over one interval, seconds)."""
        if self._thread is None:
            return None, None, 0.0
        self._done.set()
        self._thread.join()
        self._sample()
        if len(self.samples) < 2:
            return None, None, 0.0
        (t0, b0, m0), (t1, b1, m1) = self.samples[0], self.samples[-1]
        seconds = t1 - t0
        if seconds <= 0:
            return None, None, 0.0
        mean = ((b1 - b0) - (m1 - m0)) / seconds
        peak = max(((bb - ba) - (mb - ma)) / (tb - ta)
                   for (ta, ba, ma), (tb, bb, mb) in zip(self.samples, self.samples[1:], strict=False)
                   if tb > ta)
        return mean, peak, seconds


@dataclass(frozen=True)
class Noise:
    """How much the machine disturbed a measurement.

    other_cores: other programs' CPU use while it ran, in cores (CPU-seconds per wall second):
    the machine's busy CPU time (steal included) minus this process tree's; None if not measured.
    peak_cores: the same over the busiest sampling interval (SAMPLE_SECONDS). spread: the largest relative
    spread of any variant (see the module docstring). usable: helpers.cpus.usable_cpus().
    Nothing is discarded: the figures are reported as measured (a small negative load is
    clock-tick rounding).
    """

    other_cores: float | None
    spread: float
    usable: int
    seconds: float = 0.0
    peak_cores: float | None = None

    @property
    def busy(self) -> bool:
        return (self.other_cores is not None and self.seconds >= MIN_LOAD_SECONDS
                and self.other_cores >= BUSY_CORES)

    @property
    def wide(self) -> bool:
        return self.spread >= WIDE_SPREAD

    @property
    def noisy(self) -> bool:
        return self.busy or self.wide

    def describe(self) -> str:
        """The noise in plain words, with the measured figures (percentages, for the sanitizer)."""
        load = None if self.other_cores is None else max(self.other_cores, 0.0)
        parts = []
        if self.busy:
            parts.append(f"other programs used about {load:.0%} of a core during this run; "
                         "re-run on a quiet machine")
        if self.wide:
            parts.append(f"the times spread by up to ±{self.spread:.0%} around their median; "
                         "re-run with more rounds or on a quiet machine")
        if parts:
            return "; ".join(parts)
        if load is None or self.seconds < MIN_LOAD_SECONDS:
            return (f"quiet enough: spread at most ±{self.spread:.0%} "
                    "(too short a run to measure other programs' load)")
        return f"quiet: other programs used about {load:.0%} of a core; spread at most ±{self.spread:.0%}"

    def __str__(self) -> str:
        return f"noise: {self.describe()}"


# --- timings -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Timing:
    """Wall times of the timed calls of one callable, and the result of its last call.

    spread: the interquartile range (q1, q3) when there are 4 or more times, else (min, max).
    relative_spread: half that range over the median (printed as ±4%).
    """

    times: tuple[float, ...]
    result: Any = field(default=None, repr=False)
    noise: Noise | None = field(default=None, repr=False, compare=False)

    def _need_times(self) -> None:
        if not self.times:
            raise ValueError("nothing was measured: no complete round (the measurement was stopped)")

    @property
    def median(self) -> float:
        self._need_times()
        return statistics.median(self.times)

    @property
    def best(self) -> float:
        self._need_times()
        return min(self.times)

    @property
    def spread_kind(self) -> str:
        return "interquartile range" if len(self.times) >= 4 else "min-max"

    @property
    def spread(self) -> tuple[float, float]:
        self._need_times()
        if len(self.times) >= 4:
            q1, _, q3 = statistics.quantiles(self.times, n=4, method="inclusive")
            return q1, q3
        return min(self.times), max(self.times)

    @property
    def relative_spread(self) -> float:
        low, high = self.spread
        median = self.median
        return (high - low) / 2 / median if median > 0 else 0.0

    def __str__(self) -> str:
        if not self.times:
            return "not measured (stopped before a complete round)"
        if len(self.times) == 1:
            return f"{format_seconds(self.median)} (1 run, no spread)"
        return f"{format_seconds(self.median)} (median of {len(self.times)}, spread {format_spread(self.relative_spread)})"


@dataclass(frozen=True)
class Comparison:
    """Timings of several variants measured in the same interleaved rounds.

    rounds: complete rounds measured (fewer than asked if stopped). A round cut short by `stop`
    is not used for the medians (its variants would have unequal counts and positions); its
    times are kept in `unfinished` so nothing is discarded.
    """

    timings: Mapping[str, Timing]
    rounds: int
    noise: Noise
    stopped: bool = False
    asked: int = 0
    unfinished: Mapping[str, float] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return list(self.timings)

    def __getitem__(self, name: str) -> Timing:
        try:
            return self.timings[name]
        except KeyError:
            raise KeyError(f"no variant {name!r}; have {self.names}") from None

    def __iter__(self):
        return iter(self.timings)

    def __len__(self) -> int:
        return len(self.timings)

    def ratio(self, a: str, b: str) -> float:
        """median(a) / median(b): above 1 means a took longer than b."""
        return self[a].median / self[b].median

    def table(self) -> str:
        """Variant, median, spread; how it was measured; a noise line when noisy."""
        if self.rounds == 0:
            return "stopped before a complete round: nothing was measured"
        width = max(7, *(len(n) for n in self.timings))
        lines = [f"{'variant':<{width}}  {'median':>9}  {'spread':>6}"]
        for name, t in self.timings.items():
            lines.append(f"{name:<{width}}  {format_seconds(t.median):>9}  {format_spread(t.relative_spread):>6}")
        lines.append(_how(self.rounds, self.asked, self.stopped))
        if self.noise.noisy:
            lines.append(str(self.noise))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def _how(rounds: int, asked: int, stopped: bool) -> str:
    text = f"median of {rounds} round(s) in rotating order; spread: half the IQR (min-max under 4), over the median"
    if stopped:
        text += f"; stopped after {rounds} of {asked} round(s)"
    return text


def _check_variants(variants: object) -> dict[str, Callable[[], Any]]:
    if not isinstance(variants, Mapping) or not variants:
        raise ValueError("variants must be a non-empty mapping of name -> callable taking no arguments")
    checked = {}
    for name, fn in variants.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"variant names must be non-empty strings, got {name!r}")
        if not callable(fn):
            raise ValueError(f"variant {name!r} must be callable with no arguments, got {fn!r}")
        checked[name] = fn
    return checked


def compare(
    variants: Mapping[str, Callable[[], Any]],
    *,
    rounds: int = 5,
    warmup: int = 1,
    progress: Callable[[str, int, int], Any] | None = None,
    stop: Any = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Comparison:
    """Time every variant in the same rounds, in rotating order, after an untimed warm-up.

    warmup: untimed calls of every variant first (imports, caches, pool workers). Then `rounds`
    rounds; round r times every variant once, starting at variant r mod k. progress(name,
    round_index, rounds) is called before each timed call. stop: a threading.Event (anything
    with is_set()); when set, the measurement ends after the call in progress and the
    Comparison says it was stopped (only complete rounds count; see Comparison).
    clock: what a timed call is measured with, a function of no arguments returning seconds;
    time.perf_counter (wall time, the default: what a learner waits for) or time.process_time
    (this process's CPU time, which other programs on a busy machine do not inflate; a checker
    whose verdict must not rest on scheduling luck uses it; it counts every thread of this
    process, the noise probe's sampling included, which is under 1% of a core, and none of a
    child's). The noise probe measures the machine in wall time whatever the clock.
    """
    fns = _check_variants(variants)
    rounds = check_int("rounds", rounds, minimum=1, maximum=MAX_ROUNDS)
    warmup = check_int("warmup", warmup, minimum=0, maximum=MAX_ROUNDS)
    if progress is not None and not callable(progress):
        raise ValueError(f"progress must be callable(name, round_index, rounds) or None, got {progress!r}")
    if stop is not None and not callable(getattr(stop, "is_set", None)):
        raise ValueError(f"stop must be a threading.Event (or have is_set()) or None, got {stop!r}")
    if not callable(clock):
        raise ValueError(f"clock must be a function returning seconds, such as time.process_time, got {clock!r}")
    names = list(fns)
    results: dict[str, Any] = {}
    times: dict[str, list[float]] = {name: [] for name in names}
    unfinished: dict[str, float] = {}
    stopped, completed = False, 0

    def stopping() -> bool:
        return stop is not None and stop.is_set()

    probe = LoadProbe().start()
    try:
        for _ in range(warmup):
            for name in names:
                if stopping():
                    stopped = True
                    break
                results[name] = fns[name]()
            if stopped:
                break
        for r in range(0 if stopped else rounds):
            shift = r % len(names)
            this_round: dict[str, float] = {}
            for name in names[shift:] + names[:shift]:
                if stopping():
                    stopped = True
                    break
                if progress is not None:
                    progress(name, r, rounds)
                started = clock()
                results[name] = fns[name]()
                this_round[name] = clock() - started
            if stopped:
                unfinished = this_round
                break
            for name, seconds in this_round.items():
                times[name].append(seconds)
            completed += 1
    finally:
        other, peak, seconds = probe.finish()
    spreads = [Timing(tuple(times[n])).relative_spread for n in names if times[n]]
    from .cpus import usable_cpus

    noise = Noise(other, max(spreads, default=0.0), usable_cpus(), seconds, peak)
    timings = {n: Timing(tuple(times[n]), results.get(n), noise) for n in names}
    return Comparison(timings, completed, noise, stopped, rounds, unfinished)


def measure(fn: Callable[..., Any], *args: Any, repeats: int = 3, warmup: int = 1, **kwargs: Any) -> Timing:
    """Time fn(*args, **kwargs): `warmup` untimed calls, then `repeats` timed ones (rounds of
    `compare` with one variant); keep the last result. The Timing's `noise` says how busy the
    machine was. To compare two things, use compare(): one measure() after another is exactly
    the "all of A, then all of B" that drift biases."""
    repeats = check_int("repeats", repeats, minimum=1, maximum=MAX_ROUNDS)
    return compare({"run": lambda: fn(*args, **kwargs)}, rounds=repeats, warmup=warmup)["run"]


# --- speedup curves ------------------------------------------------------------------------

@dataclass(frozen=True)
class SpeedupPoint:
    """One row of a speedup curve: median seconds at a process count, speedup, and spread."""

    processes: int
    seconds: float
    speedup: float
    spread: float = 0.0

    @property
    def efficiency(self) -> float:
        return self.speedup / self.processes


@dataclass(frozen=True)
class SpeedupCurve:
    """A serial baseline and the parallel runs measured against it, in the same rounds."""

    serial_seconds: float
    points: tuple[SpeedupPoint, ...]
    label: str = "parallel"
    results_match: bool = True
    serial_spread: float = 0.0
    noise: Noise | None = None
    rounds: int = 0
    stopped: bool = False
    asked: int = 0

    def speedup_at(self, processes: int) -> float:
        """Measured speedup at a given process count."""
        for point in self.points:
            if point.processes == processes:
                return point.speedup
        raise ValueError(f"no measurement at {processes} processes; have {[p.processes for p in self.points]}")

    def table(self) -> str:
        """A readable table: processes, time, spread, speedup, efficiency; a noise line when noisy."""
        lines = [f"serial: {format_seconds(self.serial_seconds)} (spread {format_spread(self.serial_spread)})",
                 f"{'processes':>9}  {'time':>9}  {'spread':>6}  {'speedup':>8}  {'efficiency':>10}"]
        for p in self.points:
            lines.append(f"{p.processes:>9}  {format_seconds(p.seconds):>9}  {format_spread(p.spread):>6}  "
                         f"{format_ratio(p.speedup):>8}  {p.efficiency:>10.0%}")
        if self.rounds:
            lines.append(_how(self.rounds, self.asked, self.stopped))
        if self.noise is not None and self.noise.noisy:
            lines.append(str(self.noise))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def process_label(n: int) -> str:
    """The variant name speedup_curve gives the parallel run with n processes."""
    return f"{n} process" if n == 1 else f"{n} processes"


def curve_from(comparison: Comparison, counts: Sequence[int], label: str = "parallel") -> SpeedupCurve:
    """A SpeedupCurve from a comparison with variants "serial" and process_label(n) for each n."""
    if comparison.rounds == 0:
        raise ValueError("nothing was measured: the measurement was stopped before a complete round")
    base = comparison["serial"]
    points, match = [], True
    for n in counts:
        timing = comparison[process_label(n)]
        match = match and timing.result == base.result
        points.append(SpeedupPoint(n, timing.median, base.median / timing.median, timing.relative_spread))
    return SpeedupCurve(base.median, tuple(points), label, match, base.relative_spread, comparison.noise,
                        comparison.rounds, comparison.stopped, comparison.asked)


def speedup_curve(
    serial: Callable[[], Any],
    parallel: Callable[[int], Any],
    processes: Iterable[int],
    *,
    repeats: int = 5,
    warmup: int = 1,
    label: str = "parallel",
    progress: Callable[[str, int, int], Any] | None = None,
    stop: Any = None,
) -> SpeedupCurve:
    """Time serial() and parallel(n) for each n in the same rounds (compare(); `repeats` is the
    number of rounds); check every result equals the serial one."""
    counts: Sequence[int] = [check_processes(n) for n in processes]
    if not counts:
        raise ValueError("processes must list at least one process count")
    if len(set(counts)) != len(counts):
        raise ValueError(f"processes must not repeat a count, got {list(counts)}")
    variants: dict[str, Callable[[], Any]] = {"serial": serial}
    for n in counts:
        variants[process_label(n)] = lambda n=n: parallel(n)
    comparison = compare(variants, rounds=repeats, warmup=warmup, progress=progress, stop=stop)
    return curve_from(comparison, counts, label)


# --- printed forms (tests/sanitize.cfg recognises every one) --------------------------------

def format_seconds(seconds: float) -> str:
    """1.23 s / 45.6 ms / 789 µs: the sanitizer in tests/ recognises these forms."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def format_ratio(ratio: float) -> str:
    """A speedup or slowdown factor, such as 1.84x."""
    return f"{ratio:.2f}x"


def format_spread(relative: float) -> str:
    """A relative spread such as ±4% (a percentage: the sanitizer recognises it)."""
    return f"±{relative:.0%}"


def format_size(nbytes: float) -> str:
    """A size such as 16 B, 4.0 KiB, 1.0 MiB or 2.5 GiB (the sanitizer recognises these)."""
    if nbytes < 0:
        raise ValueError(f"a size cannot be negative, got {nbytes}")
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{nbytes:.0f} B"


def format_rate(value: float, unit: str) -> str:
    """A rate such as 1,234 msg/s or 12.3 MB/s (the sanitizer recognises these)."""
    if unit not in ("msg/s", "MB/s", "items/s"):
        raise ValueError(f"unit must be msg/s, MB/s or items/s, got {unit!r}")
    return f"{value:,.0f} {unit}" if value >= 100 else f"{value:.1f} {unit}"
