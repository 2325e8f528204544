"""Jobs whose hot spot is not where one would guess, the tools to read their profiles, and the
numeric job of "vectorise first" (notebook 08).

Child-safe: the standard library and numpy only. The pool workers here (`parse_chunk`,
`poly_sum`) are importable so spawn and forkserver children can run them.
"""

from __future__ import annotations

import copy
import cProfile
import math
import pstats
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .validation import check_int, check_size

# --- job 1: a log summary whose "compute" step is cheap -------------------------------------------

ACTIONS = ("view", "click", "search", "buy", "logout")


def make_log(lines: int = 12_000, users: int = 4_000, seed: int = 8) -> list[str]:
    """Synthetic web-server log lines: `time user=u01234 action=click ms=12.345`."""
    lines = check_size("lines", lines, minimum=1, maximum=10**6)
    users = check_size("users", users, minimum=1, maximum=10**6)
    rng = random.Random(seed)
    out = []
    for i in range(lines):
        user = rng.randrange(users)
        out.append(f"{1_700_000_000 + i} user=u{user:05d} action={rng.choice(ACTIONS)} "
                   f"ms={rng.lognormvariate(3, 0.6):.3f}")
    return out


def parse_line(line: str) -> dict[str, Any]:
    """One log line as a record: {'time': int, 'user': str, 'action': str, 'ms': float}."""
    stamp, user, action, ms = line.split()
    return {"time": int(stamp), "user": user[5:], "action": action[7:], "ms": float(ms[3:])}


def parse_chunk(lines: Sequence[str]) -> list[dict[str, Any]]:
    """Pool worker: parse a chunk of lines (the cheap step, for the common-mistake demo)."""
    return [parse_line(line) for line in lines]


def unique_users(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """Users in order of first appearance (a list membership test per record: the hidden cost)."""
    seen: list[str] = []
    for record in records:
        if record["user"] not in seen:
            seen.append(record["user"])
    return seen


def latency_stats(records: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """The step that looks expensive: mean, standard deviation and 95th percentile of `ms`."""
    ms = sorted(r["ms"] for r in records)
    mean = math.fsum(ms) / len(ms)
    spread = math.sqrt(math.fsum((m - mean) ** 2 for m in ms) / len(ms))
    return {"mean": round(mean, 6), "std": round(spread, 6),
            "p95": ms[min(len(ms) - 1, int(0.95 * len(ms)))]}


def actions_per_user(records: Sequence[Mapping[str, Any]], users: Sequence[str]) -> float:
    """Mean number of actions per distinct user."""
    return len(records) / max(1, len(users))


@dataclass(frozen=True)
class LogSummary:
    records: int
    users: int
    first_user: str
    actions_per_user: float
    latency: tuple[tuple[str, float], ...]


def summarise_log(lines: Sequence[str], *,
                  unique: Callable[[Sequence[Mapping[str, Any]]], list[str]] = unique_users,
                  records: Sequence[Mapping[str, Any]] | None = None) -> LogSummary:
    """The whole job: parse, find the distinct users, compute the latency statistics.

    unique: the function that finds the distinct users (swap in a faster one to fix the job).
    records: already parsed records (the common-mistake demo parses them in a pool).
    """
    parsed = [parse_line(line) for line in lines] if records is None else list(records)
    users = unique(parsed)
    stats = latency_stats(parsed)
    return LogSummary(len(parsed), len(users), users[0] if users else "",
                      round(actions_per_user(parsed, users), 6), tuple(sorted(stats.items())))


# --- job 2 (the exercises): an order report that copies a template per record ---------------------

DEFAULTS: dict[str, Any] = {
    "currency": "EUR",
    "status": "new",
    "tags": [],
    "shipping": {"method": "standard", "days": 3, "insured": False},
    "discounts": {"coupon": None, "loyalty": 0.0},
}
REGIONS = ("north", "south", "east", "west")


def make_orders(orders: int = 6_000, seed: int = 8) -> list[dict[str, Any]]:
    """Synthetic orders: id, region, amount and sometimes an express shipping method."""
    orders = check_size("orders", orders, minimum=1, maximum=10**6)
    rng = random.Random(seed)
    out = []
    for i in range(orders):
        order: dict[str, Any] = {"id": i, "region": rng.choice(REGIONS),
                                 "amount": round(rng.uniform(5, 300), 2)}
        if rng.random() < 0.2:
            order["status"] = "paid"
        out.append(order)
    return out


def apply_defaults(order: Mapping[str, Any]) -> dict[str, Any]:
    """A full record: the defaults, overridden by what the order says (a deep copy per record)."""
    record = copy.deepcopy(DEFAULTS)
    record.update(order)
    return record


def tag_orders(records: Iterable[dict[str, Any]]) -> None:
    """Mark big orders and upgrade their shipping, in place (why each record needs its own copy)."""
    for record in records:
        if record["amount"] > 200:
            record["tags"].append("big")
            record["shipping"]["insured"] = True


def totals_by_region(records: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """The step that looks expensive: revenue per region."""
    totals: dict[str, float] = {}
    for record in records:
        totals[record["region"]] = totals.get(record["region"], 0.0) + record["amount"]
    return {region: round(total, 2) for region, total in sorted(totals.items())}


def format_report(totals: Mapping[str, float], records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The report: totals, how many big, insured and paid orders."""
    return {"totals": dict(totals),
            "big": sum("big" in r["tags"] for r in records),
            "tags": sum(len(r["tags"]) for r in records),
            "insured": sum(r["shipping"]["insured"] for r in records),
            "paid": sum(r["status"] == "paid" for r in records)}


def order_report(orders: Sequence[Mapping[str, Any]], *,
                 make_record: Callable[[Mapping[str, Any]], dict[str, Any]] = apply_defaults
                 ) -> dict[str, Any]:
    """Job 2: complete every order from the defaults, tag the big ones, total by region."""
    records = [make_record(order) for order in orders]
    tag_orders(records)
    totals = totals_by_region(records)
    return format_report(totals, records)


ORDER_STEPS = ("apply_defaults", "tag_orders", "totals_by_region", "format_report")


# --- reading a profile ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ProfileRow:
    """One function of a profile: calls, own time (tottime) and cumulative time (cumtime)."""

    name: str
    file: str
    calls: int
    own: float
    cumulative: float


@dataclass(frozen=True)
class ProfileFacts:
    """What a profile says, as numbers: every function's row and the run's total time."""

    rows: tuple[ProfileRow, ...]
    total: float

    def row(self, name: str) -> ProfileRow:
        """The row of the function called `name` (the first one if several share it)."""
        for r in self.rows:
            if r.name == name:
                return r
        raise ValueError(f"no function named {name!r} in this profile")

    def top_own(self) -> ProfileRow:
        """The function whose own code (tottime) took longest."""
        return max(self.rows, key=lambda r: r.own)

    def top_cumulative(self, among: Iterable[str]) -> ProfileRow:
        """Of the functions named in `among` (say, the steps of a job), the one with most cumtime."""
        wanted = set(among)
        rows = [r for r in self.rows if r.name in wanted]
        if not rows:
            raise ValueError(f"none of {sorted(wanted)} is in this profile")
        return max(rows, key=lambda r: r.cumulative)

    def share(self, row: ProfileRow, *, cumulative: bool = False) -> float:
        """A row's time as a share of the whole run."""
        return (row.cumulative if cumulative else row.own) / self.total if self.total else 0.0


def _short_name(func: tuple[str, int, str]) -> str:
    """pstats names built-ins '<built-in method builtins.sorted>', `~` as file: keep a readable name."""
    _, _, name = func
    if name.startswith("<") and name.endswith(">"):
        return name.strip("<>").replace("built-in method ", "").replace("method ", "")
    return name


def profile_facts(stats: pstats.Stats, within: Callable[..., Any] | None = None) -> ProfileFacts:
    """Turn pstats.Stats into rows (what sort_stats/print_stats show, but as data).

    `within` (a function of the profiled job) keeps only the functions of its module and what
    they called, directly or not: from Python 3.12 cProfile records every thread of the process
    (it is built on sys.monitoring), so a profile taken in a Jupyter kernel also holds the
    kernel's own threads waiting in `poll`. The total is then the kept functions' own time.
    """
    if not isinstance(stats, pstats.Stats):
        raise ValueError(f"profile_facts needs a pstats.Stats, got {type(stats).__name__}")
    table = stats.stats  # type: ignore[attr-defined]
    keep = set(table)
    if within is not None:
        home = within.__code__.co_filename
        keep = {func for func in table if func[0] == home}
        grew = True
        while grew:  # add whatever a kept function called, until nothing new is reached
            more = {func for func, (*_, callers) in table.items()
                    if func not in keep and keep.intersection(callers)}
            keep |= more
            grew = bool(more)
    rows = tuple(ProfileRow(_short_name(func), func[0], nc, tt, ct)
                 for func, (cc, nc, tt, ct, callers) in table.items() if func in keep)
    total = stats.total_tt if within is None else sum(r.own for r in rows)  # type: ignore[attr-defined]
    return ProfileFacts(rows, total)


def profile_call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, ProfileFacts]:
    """Run fn(*args, **kwargs) under cProfile; return its result and the profile's facts."""
    with cProfile.Profile() as profiler:
        result = fn(*args, **kwargs)
    return result, profile_facts(pstats.Stats(profiler))


def sampled_self_times(session: Any) -> dict[str, float]:
    """Seconds sampled *in* each function's own code in a pyinstrument session, by function name.

    pyinstrument's tree has one node per call path; its `total_self_time` is the time sampled in
    that function's own code on that path. Summed over all paths, as cProfile's tottime is.
    """
    totals: dict[str, float] = {}
    stack = [session.root_frame()]
    while stack:
        frame = stack.pop()
        if frame is None:
            continue
        if not frame.is_synthetic:
            totals[frame.function] = totals.get(frame.function, 0.0) + frame.total_self_time
        stack.extend(frame.children)
    return totals


# --- vectorise first: one numeric job, three ways -----------------------------------------------

POLY = (0.5, -1.25, 2.0, 3.0)  # a x^3 + b x^2 + c x + d


def poly_sum(xs: Sequence[float]) -> float:
    """Pure Python (pool worker): the sum of the cubic POLY over xs, by Horner's rule."""
    a, b, c, d = POLY
    total = 0.0
    for x in xs:
        total += ((a * x + b) * x + c) * x + d
    return total


def poly_sum_numpy(x: np.ndarray) -> float:
    """The same sum as one NumPy expression (elementwise operations and a sum: one thread)."""
    a, b, c, d = POLY
    return float((((a * x + b) * x + c) * x + d).sum())


def make_numbers(n: int = 1_000_000, seed: int = 8) -> np.ndarray:
    """n floats in [0, 1) from one seed."""
    n = check_size("n", n, minimum=1)
    return np.random.default_rng(seed).random(n)


def chunks(items: Sequence[Any], parts: int) -> list[Sequence[Any]]:
    """Split items into `parts` contiguous slices of nearly equal length."""
    parts = check_int("parts", parts, minimum=1, maximum=100_000)
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        stop = start + size + (1 if i < extra else 0)
        out.append(items[start:stop])
        start = stop
    return out


def cpu_per_wall(fn: Callable[[], Any], repeats: int = 5) -> float:
    """CPU time of this process over wall time while fn runs: about 1 on one thread, more on several."""
    repeats = check_int("repeats", repeats, minimum=1, maximum=1000)
    fn()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(repeats):
        fn()
    wall = time.perf_counter() - wall0
    return (time.process_time() - cpu0) / wall if wall > 0 else 0.0

