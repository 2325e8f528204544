"""`python -m helpers bench`: one CPU-bound job run serially and with five parallel engines.

The job is the course's standard prime count (`helpers.workloads.count_primes`), split into one
equal slice per process. Every engine except raw `Process`es is started and warmed before it is
timed (a real program keeps its pool); raw processes cannot be reused, so their start-up is inside
every measurement. For each process count all engines run side by side in rounds (serial, then
each method once), so a load that drifts weighs on all alike; each figure is the median over the
rounds (helpers.timing.compare, rotating order), printed with its spread, and every result is checked against the serial count. Imports only the standard library at import time; engines import what they use.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import multiprocessing as mp
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .course import check_start_method, chosen_start_method
from .cpus import usable_cpus
from .lifecycle import start_all, stop
from .timing import Noise, Timing, compare, format_ratio, format_seconds, format_spread
from .validation import check_int, check_processes
from .workloads import count_primes, count_primes_into, prime_window, split_range

METHODS = ("process", "pool", "executor", "joblib", "dask")
QUICK_SIZE = 200_000  # about 2 s serial on a 2020s laptop core: enough work to show a speedup
FULL_SIZE = 600_000
MAX_SIZE = 50_000_000
MAX_REPEATS = 100
SECONDS_PER_NUMBER_BOUND = 2e-4  # 20x the usual cost of one number: the basis of every timeout

Slices = Sequence[tuple[int, int]]
Runner = Callable[[Slices], list[int]]
TinyRunner = Callable[[list[int]], list[int]]


@dataclass(frozen=True)
class BenchRow:
    """One measurement: an engine at a process count, its median time and speedup over serial."""

    method: str
    processes: int
    seconds: float
    speedup: float
    spread: float = 0.0  # relative spread of the times (helpers.timing), printed as ±4%

    @property
    def efficiency(self) -> float:
        return self.speedup / self.processes

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class BenchResult:
    """Every row of one benchmark run, with what it measured and how."""

    rows: tuple[BenchRow, ...]
    size: int
    repeats: int
    start_method: str
    results_match: bool
    expected: int = field(repr=False, default=0)
    noise: Noise | None = field(repr=False, default=None)

    def table(self) -> str:
        """A readable table: method, processes, seconds, speedup, efficiency, with notes."""
        lines = [
            f"median of {self.repeats} round(s), each timing every method once (serial too) in "
            "rotating order; spread: half the IQR (min-max under 4 rounds) over the median; "
            f"processes started with {self.start_method} (course start method)",
            "start-up: included for `process` (fresh processes every run); excluded for pool, "
            "executor, joblib and dask (started and warmed first); joblib with 1 process "
            "runs the tasks in this process",
            f"{'method':<9} {'processes':>9} {'seconds':>9} {'spread':>6} {'speedup':>8} {'efficiency':>10}",
        ]
        for row in self.rows:
            lines.append(f"{row.method:<9} {row.processes:>9} {format_seconds(row.seconds):>9} "
                         f"{format_spread(row.spread):>6} {format_ratio(row.speedup):>8} {row.efficiency:>10.0%}")
        lines.append(f"every result equals the serial count: {self.results_match}")
        if self.noise is not None and self.noise.noisy:
            lines.append(str(self.noise))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def as_dicts(self) -> list[dict[str, Any]]:
        return [row.as_dict() for row in self.rows]

    def to_json(self) -> str:
        return json.dumps(self.as_dicts(), indent=2)

    def write_csv(self, path: Path) -> Path:
        """Write the rows (with efficiency) to a CSV file."""
        path = Path(path)
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["method", "processes", "seconds", "speedup", "efficiency", "spread"])
            for r in self.rows:
                writer.writerow([r.method, r.processes, f"{r.seconds:.6f}", f"{r.speedup:.4f}",
                                 f"{r.efficiency:.4f}", f"{r.spread:.4f}"])
        return path

    def speedup(self, method: str, processes: int) -> float:
        """The measured speedup of one method at one process count."""
        for row in self.rows:
            if row.method == method and row.processes == processes:
                return row.speedup
        raise ValueError(f"no row for {method!r} at {processes} processes")


def _timeout(size: int) -> float:
    return 60.0 + size * SECONDS_PER_NUMBER_BOUND


# --- engines: each yields a runner that counts primes in the given slices, one task per slice ---

@contextlib.contextmanager
def _process_engine(processes: int, ctx: Any, timeout: float) -> Iterator[Runner]:
    def run(slices: Slices) -> list[int]:
        queue = ctx.Queue()
        workers = [ctx.Process(target=count_primes_into, args=(queue, i, lo, hi))
                   for i, (lo, hi) in enumerate(slices)]
        start_all(workers)
        try:
            results = sorted(queue.get(timeout=timeout) for _ in workers)
        finally:
            stop(workers, timeout)
            queue.close()
            queue.join_thread()
        return [count for _, _, count in results]

    yield run


@contextlib.contextmanager
def _pool_engine(processes: int, ctx: Any, timeout: float) -> Iterator[Runner]:
    with ctx.Pool(processes) as pool:  # leaving the block terminates the (idle) workers
        yield lambda slices: pool.starmap_async(count_primes, slices, chunksize=1).get(timeout=timeout)


@contextlib.contextmanager
def _executor_engine(processes: int, ctx: Any, timeout: float) -> Iterator[Runner]:
    with ProcessPoolExecutor(processes, mp_context=ctx) as executor:
        def run(slices: Slices) -> list[int]:
            futures = [executor.submit(count_primes, lo, hi) for lo, hi in slices]
            return [f.result(timeout=timeout) for f in futures]

        yield run


@contextlib.contextmanager
def _joblib_engine(processes: int, ctx: Any, timeout: float) -> Iterator[Runner]:
    from joblib import delayed

    from .distributed import loky_parallel

    # n_jobs=1 makes joblib run the tasks in this process (its SequentialBackend).
    with loky_parallel(n_jobs=processes, timeout=timeout if processes > 1 else None) as parallel:
        yield lambda slices: parallel(delayed(count_primes)(lo, hi) for lo, hi in slices)


@contextlib.contextmanager
def _dask_engine(processes: int, ctx: Any, timeout: float) -> Iterator[Runner]:
    from distributed import Client, LocalCluster, wait

    from .distributed import quiet_dask_logging

    quiet_dask_logging()
    with LocalCluster(n_workers=processes, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR) as cluster, \
            Client(cluster, timeout=timeout) as client:
        client.wait_for_workers(processes, timeout=timeout)

        def run(slices: Slices) -> list[int]:
            futures = client.map(count_primes, *zip(*slices, strict=True), pure=False)
            wait(futures, timeout=timeout)
            return client.gather(futures)

        yield run


ENGINES: dict[str, Callable[[int, Any, float], contextlib.AbstractContextManager[Runner]]] = {
    "process": _process_engine,
    "pool": _pool_engine,
    "executor": _executor_engine,
    "joblib": _joblib_engine,
    "dask": _dask_engine,
}


def _worst(noises: Sequence[Noise], spread: float) -> Noise:
    """One Noise for a whole benchmark: the busiest of its comparisons, the widest spread."""
    loads = [n for n in noises if n.other_cores is not None]
    busiest = max(loads, key=lambda n: n.other_cores, default=noises[0])
    return Noise(busiest.other_cores, spread, busiest.usable, busiest.seconds, busiest.peak_cores)


def check_methods(methods: Sequence[str]) -> tuple[str, ...]:
    """Return methods as a tuple if each is known, else raise ValueError naming the choices."""
    methods = tuple(methods)
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise ValueError(f"unknown method(s) {unknown or methods!r}; choose from {', '.join(METHODS)}")
    return methods


def run_bench(
    size: int = QUICK_SIZE,
    *,
    max_procs: int | None = None,
    processes: Sequence[int] | None = None,
    methods: Sequence[str] = METHODS,
    repeats: int = 3,
    start_method: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> BenchResult:
    """Time the prime count serially, then with each method at each process count (1..max_procs)."""
    size = check_int("size", size, minimum=1_000, maximum=MAX_SIZE)
    repeats = check_int("repeats", repeats, minimum=1, maximum=MAX_REPEATS)
    methods = check_methods(methods)
    if processes is None:
        top = usable_cpus() if max_procs is None else check_processes(max_procs)
        counts = list(range(1, top + 1))
    else:
        if max_procs is not None:
            raise ValueError("give either max_procs or processes, not both")
        counts = sorted({check_processes(n) for n in processes})
        if not counts:
            raise ValueError("processes must list at least one process count")
    method = check_start_method(start_method) if start_method else chosen_start_method()
    ctx = mp.get_context(method)
    say = progress or (lambda message: None)
    timeout = _timeout(size)
    start, stop = prime_window(size)
    total = len(counts) * repeats * (len(methods) + 1)

    def serial() -> int:
        return count_primes(start, stop)

    expected = [None]  # the first count found; every later result must equal it
    wrong: list[str] = []
    serial_times: list[float] = []
    times: dict[tuple[str, int], Timing] = {}
    noises: list[Noise] = []
    step = [0]

    def checked(name: str, call: Callable[[], list[int]]) -> Callable[[], int]:
        def run() -> int:
            found = sum(call())
            if expected[0] is None:
                expected[0] = found
            elif found != expected[0]:
                wrong.append(name)
                say(f"{name}: WRONG RESULT {found} (expected {expected[0]})")
            return found
        return run

    def announce(n: int) -> Callable[[str, int, int], None]:
        def show(name: str, round_index: int, rounds: int) -> None:
            step[0] += 1
            say(f"[{step[0]:>3}/{total}] {name:<8} x{1 if name == 'serial' else n:<3} round {round_index + 1}/{rounds}")
        return show

    for n in counts:
        slices = split_range(start, stop, n)
        warm_slices = split_range(start, start + 4_000 * n, 2 * n)
        with contextlib.ExitStack() as stack:
            variants: dict[str, Callable[[], int]] = {"serial": checked("serial", lambda: [serial()])}
            count_primes(start, start + 4_000)  # warm the serial path like the engines below
            for name in methods:
                say(f"starting {name} with {n} process(es) ...")
                run = stack.enter_context(ENGINES[name](n, ctx, timeout))
                run(warm_slices)  # start and warm the workers (imports, first task)
                variants[name] = checked(name, lambda run=run, slices=slices: run(slices))
            # The measurement core: every method once per round, serial included, in rotating
            # order, so a load that drifts during the run weighs on all of them alike. Each
            # variant was warmed above on a small job, so no full-size warm-up round.
            comparison = compare(variants, rounds=repeats, warmup=0, progress=announce(n))
        noises.append(comparison.noise)
        serial_times.extend(comparison["serial"].times)
        for name in methods:
            times[(name, n)] = comparison[name]
    serial_timing = Timing(tuple(serial_times))
    serial_seconds = serial_timing.median
    rows = [BenchRow("serial", 1, serial_seconds, 1.0, serial_timing.relative_spread)]
    for (name, n), timing in sorted(times.items(), key=lambda item: (item[0][1], methods.index(item[0][0]))):
        rows.append(BenchRow(name, n, timing.median, serial_seconds / timing.median, timing.relative_spread))
    noise = _worst(noises, max(row.spread for row in rows))
    if noise.noisy:
        say(str(noise))
    return BenchResult(tuple(rows), size, repeats, method, not wrong, expected[0] or 0, noise)


# --- overhead per task: many tiny tasks, one at a time, through each engine ---

@dataclass(frozen=True)
class EngineCost:
    """What an engine costs: seconds to start (and warm) it, and seconds per tiny task."""

    engine: str
    startup: float
    per_task: float


def task_overheads(processes: int | None = None, tasks: int = 400,
                   progress: Callable[[str], None] | None = None) -> list[EngineCost]:
    """Start each engine, then time `tasks` tiny tasks sent one by one (no batching); per task cost."""
    from .workloads import worker_pid

    processes = usable_cpus() if processes is None else check_processes(processes)
    tasks = check_int("tasks", tasks, minimum=10, maximum=100_000)
    ctx = mp.get_context()  # the kernel's start method, as chosen by helpers.course.setup()
    say = progress or (lambda message: None)
    items = list(range(tasks))
    timeout = 60.0 + tasks * 0.05
    costs: list[EngineCost] = []

    started = time.perf_counter()
    [worker_pid(i) for i in items]
    costs.append(EngineCost("plain call", 0.0, (time.perf_counter() - started) / tasks))

    engines: dict[str, Callable[[], contextlib.AbstractContextManager[TinyRunner]]] = {
        "Pool": lambda: _tiny_pool(ctx, processes, timeout),
        "ProcessPoolExecutor": lambda: _tiny_executor(ctx, processes, timeout),
        "joblib (loky)": lambda: _tiny_joblib(processes, timeout),
        "Dask": lambda: _tiny_dask(processes, timeout),
    }
    for name, engine in engines.items():
        say(f"{name}: starting ...")
        started = time.perf_counter()
        with engine() as run:
            run(list(range(2 * processes)))  # warm: workers started, the task's module imported
            startup = time.perf_counter() - started
            began = time.perf_counter()
            run(items)
            per_task = (time.perf_counter() - began) / tasks
        costs.append(EngineCost(name, startup, per_task))
        say(f"{name}: {format_seconds(per_task)} per task")
    return costs


def format_per_task(seconds: float) -> str:
    """Like format_seconds, with two decimals below 10 µs (a plain call takes well under 1 µs)."""
    return f"{seconds * 1e6:.2f} µs" if seconds < 1e-5 else format_seconds(seconds)


def overhead_table(costs: Sequence[EngineCost]) -> str:
    """A readable table of engine start-up and per-task costs."""
    lines = [f"{'engine':<20} {'start-up':>9} {'per task':>9}"]
    for c in costs:
        startup = "-" if c.engine == "plain call" else format_seconds(c.startup)
        lines.append(f"{c.engine:<20} {startup:>9} {format_per_task(c.per_task):>9}")
    return "\n".join(lines)


@contextlib.contextmanager
def _tiny_pool(ctx: Any, processes: int, timeout: float) -> Iterator[TinyRunner]:
    from .workloads import worker_pid

    with ctx.Pool(processes) as pool:
        yield lambda items: pool.map_async(worker_pid, items, chunksize=1).get(timeout=timeout)


@contextlib.contextmanager
def _tiny_executor(ctx: Any, processes: int, timeout: float) -> Iterator[TinyRunner]:
    from .workloads import worker_pid

    with ProcessPoolExecutor(processes, mp_context=ctx) as executor:
        yield lambda items: list(executor.map(worker_pid, items, timeout=timeout))


@contextlib.contextmanager
def _tiny_joblib(processes: int, timeout: float) -> Iterator[TinyRunner]:
    from joblib import delayed

    from .distributed import loky_parallel
    from .workloads import worker_pid

    with loky_parallel(n_jobs=max(2, processes), batch_size=1, timeout=timeout) as parallel:
        yield lambda items: parallel(delayed(worker_pid)(i) for i in items)


@contextlib.contextmanager
def _tiny_dask(processes: int, timeout: float) -> Iterator[TinyRunner]:
    from distributed import Client, LocalCluster, wait

    from .distributed import quiet_dask_logging
    from .workloads import worker_pid

    quiet_dask_logging()
    with LocalCluster(n_workers=processes, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR) as cluster, \
            Client(cluster, timeout=timeout) as client:
        def run(items: list[int]) -> list[int]:
            futures = client.map(worker_pid, items, pure=False)
            wait(futures, timeout=timeout)
            return client.gather(futures)

        yield run
