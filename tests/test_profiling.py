"""helpers.profiling: the jobs give stable results, their hot spots are where notebook 08 says,
the profile readers work, and bad input gets a clear error."""

import cProfile
import math
import multiprocessing as mp
import pstats

import pytest

from helpers.profiling import (
    ORDER_STEPS,
    chunks,
    cpu_per_wall,
    make_log,
    make_numbers,
    make_orders,
    order_report,
    parse_chunk,
    parse_line,
    poly_sum,
    poly_sum_numpy,
    profile_call,
    profile_facts,
    sampled_self_times,
    summarise_log,
    unique_users,
)


def test_log_is_reproducible_and_parses():
    lines = make_log(50, users=10, seed=3)
    assert lines == make_log(50, users=10, seed=3)
    record = parse_line(lines[0])
    assert set(record) == {"time", "user", "action", "ms"}
    assert isinstance(record["ms"], float) and record["user"].startswith("u")


def test_unique_users_keeps_first_appearance_order():
    records = [{"user": u} for u in ["b", "a", "b", "c", "a"]]
    assert unique_users(records) == ["b", "a", "c"]


def test_fixed_unique_gives_the_same_summary():
    lines = make_log(2_000, users=300)
    fast = summarise_log(lines, unique=lambda rs: list(dict.fromkeys(r["user"] for r in rs)))
    assert fast == summarise_log(lines)
    assert summarise_log(lines, records=parse_chunk(lines)) == fast


def test_the_log_hot_spot_dominates_its_profile():
    _, facts = profile_call(summarise_log, make_log())
    hot = facts.top_own()
    assert hot.name == "unique_users" and hot.calls == 1
    assert facts.share(hot) > 0.5


def test_the_order_hot_step_is_apply_defaults():
    _, facts = profile_call(order_report, make_orders(2_000))
    assert facts.top_cumulative(ORDER_STEPS).name == "apply_defaults"
    assert facts.top_own().name == "deepcopy"
    with pytest.raises(ValueError, match="none of"):
        facts.top_cumulative(["no_such_step"])
    with pytest.raises(ValueError, match="no function named"):
        facts.row("no_such_function")


def test_order_report_counts_big_orders_once_each():
    orders = make_orders(500)
    report = order_report(orders)
    assert report["big"] == report["tags"] == report["insured"] == sum(o["amount"] > 200 for o in orders)


def test_profile_facts_rejects_other_objects():
    with pytest.raises(ValueError, match="pstats.Stats"):
        profile_facts(cProfile.Profile())


def test_profile_facts_from_stats():
    with cProfile.Profile() as profiler:
        sorted(range(1000))
    facts = profile_facts(pstats.Stats(profiler))
    assert any(r.name == "builtins.sorted" for r in facts.rows)


def test_sampled_self_times_finds_the_hot_spot():
    pyinstrument = pytest.importorskip("pyinstrument")
    sampler = pyinstrument.Profiler(interval=0.001)
    sampler.start()
    summarise_log(make_log())
    sampler.stop()
    sampled = sampled_self_times(sampler.last_session)
    assert max(sampled, key=sampled.get) == "unique_users"


def test_numpy_and_pure_python_agree():
    x = make_numbers(10_000)
    assert math.isclose(poly_sum(x.tolist()), poly_sum_numpy(x), rel_tol=1e-9)


def test_chunks_cover_everything_in_order():
    items = list(range(10))
    parts = chunks(items, 3)
    assert [len(p) for p in parts] == [4, 3, 3]
    assert [i for p in parts for i in p] == items
    with pytest.raises(ValueError):
        chunks(items, 0)


def test_pool_of_poly_sum_matches_serial():
    xs = make_numbers(20_000).tolist()
    with mp.get_context("spawn").Pool(2) as pool:
        total = sum(pool.map_async(poly_sum, chunks(xs, 2)).get(timeout=60))
    assert math.isclose(total, poly_sum(xs), rel_tol=1e-9)


def test_cpu_per_wall_is_about_one_for_a_single_thread():
    assert 0 < cpu_per_wall(lambda: sum(range(100_000)), repeats=3) < 1.3
    with pytest.raises(ValueError):
        cpu_per_wall(lambda: None, repeats=0)


@pytest.mark.parametrize("call", [lambda: make_log(0), lambda: make_log(10, users=-1),
                                  lambda: make_orders(0), lambda: make_numbers(-5)])
def test_sizes_are_checked(call):
    with pytest.raises(ValueError):
        call()


def test_profile_facts_within_keeps_the_job_and_what_it_called():
    """From 3.12 cProfile sees every thread; within= keeps the job's functions only."""
    import cProfile
    import pstats
    import threading
    import time as time_module

    from helpers.profiling import make_log, profile_facts, summarise_log

    stop = threading.Event()
    idler = threading.Thread(target=lambda: [time_module.sleep(0.001) for _ in iter(stop.is_set, True)])
    idler.start()
    try:
        with cProfile.Profile() as profiler:
            summarise_log(make_log(500))
    finally:
        stop.set()
        idler.join(10)
    facts = profile_facts(pstats.Stats(profiler), within=summarise_log)
    names = {row.name for row in facts.rows}
    assert "summarise_log" in names and not any("sleep" in n for n in names)
    assert facts.total == sum(row.own for row in facts.rows)
