"""Real I/O to measure: a local HTTP server with a set latency, and blocking and asyncio fetchers.

The server listens on 127.0.0.1 only, on a free port, and makes every response wait `latency`
seconds first, as a slow web service would; so waiting dominates and the tools can be compared.
Workers here (`fetch`) run in pool processes: this module imports only the standard library.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from .validation import check_int, check_seconds

HOST = "127.0.0.1"
MAX_LATENCY = 10.0
MAX_PAYLOAD = 1 << 20
DEFAULT_TIMEOUT = 10.0
_ITEM_PATH = re.compile(r"^/item/(\d{1,9})$")


def expected_page(item: int, size: int = 1024) -> bytes:
    """The body the server sends for /item/<item>: its number, padded to `size` bytes."""
    item = check_int("item", item, minimum=0, maximum=10**9 - 1)
    size = check_int("size", size, minimum=16, maximum=MAX_PAYLOAD)
    head = f"item {item}\n".encode()
    return head + b"." * (size - len(head))


class _Handler(BaseHTTPRequestHandler):
    """Answers GET /item/<n> after the server's latency; everything else is a 404."""

    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (the name http.server looks for)
        self.server.entered()
        try:
            time.sleep(self.server.latency)  # the "slow service": waiting, not computing
        finally:
            self.server.left()  # before answering, so a client's next request cannot overlap it
        match = _ITEM_PATH.match(self.path)
        if match is None:
            self.send_error(404, "only /item/<number> exists")
            return
        body = expected_page(int(match.group(1)), self.server.payload_bytes)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silent: a server thread writing to stderr would clutter the notebook."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256  # many clients connect at once; the default backlog (5) drops some

    def __init__(self, latency: float, payload_bytes: int) -> None:
        super().__init__((HOST, 0), _Handler)
        self.latency = latency
        self.payload_bytes = payload_bytes
        self._lock = threading.Lock()
        self.in_flight = 0
        self.peak_in_flight = 0
        self.requests_served = 0
        self.errors = 0

    def entered(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.requests_served += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def left(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def reset_peak(self) -> int:
        """The peak so far; from now on the peak counts from the requests in flight now."""
        with self._lock:
            peak, self.peak_in_flight = self.peak_in_flight, self.in_flight
        return peak

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a timeout, a cancelled task) is counted, not printed to stderr."""
        with self._lock:
            self.errors += 1


class LatencyServer:
    """A local HTTP server whose every answer waits `latency` s: use it in a `with` block."""

    def __init__(self, latency: float = 0.05, payload_bytes: int = 1024) -> None:
        self.latency = check_seconds("latency", latency, maximum=MAX_LATENCY)
        self.payload_bytes = check_int("payload_bytes", payload_bytes, minimum=16,
                                       maximum=MAX_PAYLOAD)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        self._stats = (0, 0)

    def start(self) -> LatencyServer:
        """Bind a free port on 127.0.0.1 and serve from a background thread."""
        if self._server is not None:
            raise RuntimeError("this server is already running")
        self._server = _Server(self.latency, self.payload_bytes)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="latency-server", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving, wait (bounded) for answers in progress, close the socket."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        deadline = time.monotonic() + timeout
        while server.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
        self._stats = (server.requests_served, server.peak_in_flight)

    def __enter__(self) -> LatencyServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the server has not been started")
        return self._port

    @property
    def requests_served(self) -> int:
        """Requests answered (or being answered) so far."""
        return self._server.requests_served if self._server else self._stats[0]

    @property
    def peak_in_flight(self) -> int:
        """The most requests waiting out their latency at the same moment: >1 means overlap."""
        return self._server.peak_in_flight if self._server else self._stats[1]

    def reset_peak(self) -> int:
        """Return the peak of requests in flight so far and start counting a new peak (for one
        measured run after another on the same server)."""
        if self._server is None:
            raise RuntimeError("the server is not running")
        return self._server.reset_peak()

    def url(self, item: int) -> str:
        """The address of one page."""
        item = check_int("item", item, minimum=0, maximum=10**9 - 1)
        return f"http://{HOST}:{self.port}/item/{item}"

    def urls(self, count: int) -> list[str]:
        """Addresses of pages 0 .. count-1."""
        count = check_int("count", count, minimum=1, maximum=10_000)
        return [self.url(i) for i in range(count)]

    def expected(self, count: int) -> list[bytes]:
        """The bodies `urls(count)` return, in order (to check fetched pages)."""
        count = check_int("count", count, minimum=1, maximum=10_000)
        return [expected_page(i, self.payload_bytes) for i in range(count)]

    def __repr__(self) -> str:
        state = f"http://{HOST}:{self._port}" if self.running else "stopped"
        return f"LatencyServer({state}, latency={self.latency:g} s)"


def _split(url: str) -> tuple[str, int, str]:
    """(host, port, path) of an http:// URL, or ValueError."""
    if not isinstance(url, str):
        raise ValueError(f"url must be a string such as 'http://127.0.0.1:8000/item/1', got {url!r}")
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"only http://host:port/path URLs are supported, got {url!r}")
    return parts.hostname, parts.port or 80, parts.path or "/"


def fetch(url: str, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """Download one page with a blocking socket (for loops, threads and processes)."""
    host, port, path = _split(url)
    timeout = check_seconds("timeout", timeout, maximum=600, allow_zero=False)
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise OSError(f"GET {url} answered {response.status} {response.reason}")
    return body


def _parse(raw: bytes, url: str) -> bytes:
    head, sep, body = raw.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    fields = status_line.split(" ", 2)
    if not sep or len(fields) < 2 or not fields[0].startswith("HTTP/"):
        raise OSError(f"GET {url}: not an HTTP response")
    if fields[1] != "200":
        raise OSError(f"GET {url} answered {' '.join(fields[1:])}")
    return body


async def fetch_async(url: str, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """Download one page with asyncio streams: while it waits, the event loop runs other tasks."""
    host, port, path = _split(url)
    timeout = check_seconds("timeout", timeout, maximum=600, allow_zero=False)
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(f"GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode())
            await writer.drain()
            raw = await reader.read()  # HTTP/1.0: the server closes the connection when done
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
    return _parse(raw, url)
