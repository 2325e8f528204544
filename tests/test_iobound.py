"""The local latency server and the fetchers: correct pages, overlap seen, clean stop, clear errors."""

import asyncio
import multiprocessing as mp
import socket
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from helpers.iobound import LatencyServer, expected_page, fetch, fetch_async


def _server_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "latency-server"]


def test_serves_expected_pages_and_stops_cleanly():
    with LatencyServer(latency=0.0, payload_bytes=64) as server:
        assert server.running and server.port > 0
        pages = [fetch(url) for url in server.urls(3)]
        port = server.port
    assert pages == server.expected(3) == [expected_page(i, 64) for i in range(3)]
    assert pages[2].startswith(b"item 2\n") and len(pages[2]) == 64
    assert not server.running and server.requests_served == 3 and server.peak_in_flight == 1
    assert not _server_threads(), "the server thread must end with the with block"
    with socket.socket() as probe, pytest.raises(OSError):
        probe.settimeout(2)
        probe.connect(("127.0.0.1", port))


def test_stop_is_idempotent_and_restart_refused():
    server = LatencyServer(latency=0.0).start()
    with pytest.raises(RuntimeError, match="already running"):
        server.start()
    server.stop()
    server.stop()
    assert "stopped" in repr(server)


def test_unknown_path_is_an_error():
    with LatencyServer(latency=0.0) as server:
        with pytest.raises(OSError, match="404"):
            fetch(f"http://127.0.0.1:{server.port}/nothing")
        with pytest.raises(OSError, match="404"):
            asyncio.run(fetch_async(f"http://127.0.0.1:{server.port}/nothing"))


def test_asyncio_fetches_overlap():
    async def main(urls):
        return await asyncio.gather(*(fetch_async(u) for u in urls))

    with LatencyServer(latency=0.2) as server:
        pages = asyncio.run(main(server.urls(8)))
    assert pages == server.expected(8)
    assert server.peak_in_flight >= 2, "gathered requests must be in flight at the same time"


def test_threads_overlap_and_serial_does_not():
    with LatencyServer(latency=0.1) as server:
        [fetch(u) for u in server.urls(3)]
        assert server.peak_in_flight == 1
        with ThreadPoolExecutor(max_workers=6) as pool:
            pages = list(pool.map(fetch, server.urls(6), timeout=30))
    assert pages == server.expected(6) and server.peak_in_flight >= 2


@pytest.mark.parametrize("method", [m for m in ("spawn", "forkserver") if m in mp.get_all_start_methods()])
def test_fetch_runs_in_a_process_pool(method):
    with LatencyServer(latency=0.0) as server, \
            ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context(method)) as pool:
        pages = list(pool.map(fetch, server.urls(4), timeout=60))
    assert pages == server.expected(4)


def test_async_timeout_is_honoured():
    with LatencyServer(latency=2.0) as server:
        with pytest.raises(TimeoutError):
            asyncio.run(fetch_async(server.url(0), timeout=0.2))


@pytest.mark.parametrize("call", [
    lambda: LatencyServer(latency=-1),
    lambda: LatencyServer(latency=float("nan")),
    lambda: LatencyServer(latency=11),
    lambda: LatencyServer(latency="0.1"),
    lambda: LatencyServer(payload_bytes=0),
    lambda: expected_page(-1),
    lambda: fetch("ftp://127.0.0.1/item/1"),
    lambda: fetch("not a url"),
    lambda: fetch(123),
    lambda: fetch("http://127.0.0.1:1/item/1", timeout=0),
    lambda: asyncio.run(fetch_async("file:///etc/passwd")),
])
def test_bad_input_is_a_clear_error(call):
    with pytest.raises(ValueError, match="must|only http"):
        call()


def test_urls_need_a_started_server_and_a_positive_count():
    server = LatencyServer()
    with pytest.raises(RuntimeError, match="not been started"):
        server.urls(1)
    with server, pytest.raises(ValueError, match="count"):
        server.urls(0)


def test_reset_peak_starts_a_new_count_and_client_errors_stay_silent():
    with LatencyServer(latency=0.05) as server:
        asyncio.run(_gather(server, 4))
        assert server.reset_peak() >= 2
        assert server.peak_in_flight == 0
        fetch(server.url(0))
        assert server.reset_peak() == 1
    with pytest.raises(RuntimeError, match="not running"):
        server.reset_peak()


async def _gather(server, count):
    return await asyncio.gather(*(fetch_async(u) for u in server.urls(count)))
