"""Workers and tools for notebook 04: producers, consumers, pipes, back-pressure and throughput.

Child processes import this module, so it imports only the standard library at import time.
"""

from __future__ import annotations

import contextlib
import os
import queue as queue_module
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from .lifecycle import stop
from .timing import Noise, compare, format_rate, format_seconds, format_size, format_spread
from .validation import check_int, check_timeout
from .workloads import count_primes

STOP = None  # the sentinel: "no more work", one per consumer
FLUSH = "flush"  # throughput sink: reply with what you received so far
CHANNELS = ("Queue", "Pipe")
MAX_MESSAGE_BYTES = 256 * 2**20
GET_TIMEOUT = 60.0  # a worker whose parent vanished gives up after this long instead of hanging
MAX_OUTSTANDING = 10**7  # the most items a queue given up by wait_joined can still hold


# --- waiting for a JoinableQueue, bounded ---------------------------------------------------

def wait_joined(joinable: Any, timeout: float) -> bool:
    """`joinable.join()` bounded by a timeout: True once every item was marked task_done().

    `JoinableQueue.join()` takes no timeout, so a helper thread calls it. On a timeout the queue
    is given up: its outstanding items are marked done, which releases that thread (no thread is
    left blocked for ever), and False is returned. Stop the consumers before using it again.
    """
    timeout = check_timeout(timeout)
    waiter = threading.Thread(target=joinable.join, daemon=True, name="wait_joined")
    waiter.start()
    waiter.join(timeout)
    if not waiter.is_alive():
        return True
    with contextlib.suppress(ValueError):  # "task_done() called too many times": none left
        for _ in range(MAX_OUTSTANDING):
            joinable.task_done()
    waiter.join(GET_TIMEOUT)
    return False


def tasks_until_stop(q: Any, timeout: float) -> Iterator[Any]:
    """Yield items from a queue until a STOP sentinel, or until none came for `timeout` seconds."""
    while True:
        try:
            item = q.get(timeout=timeout)
        except queue_module.Empty:
            return
        if item is STOP:
            return
        yield item


def drain(q: Any, timeout: float = 0.5) -> list[Any]:
    """Take everything still in a queue (waiting up to `timeout` for stragglers), for clean-up."""
    items = []
    while True:
        try:
            items.append(q.get(timeout=timeout))
        except queue_module.Empty:
            return items


# --- producers and consumers -------------------------------------------------------------------

@dataclass(frozen=True)
class Consumed:
    """What one consumer process received: its pid, the items, and when it took each."""

    pid: int
    items: list[Any] = field(default_factory=list)
    times: list[float] = field(default_factory=list)


def produce(q: Any, count: int, *, producer: int = 0, gap: float = 0.0,
            wait_for: Any = None, stops: int = 0, report: Any = None) -> None:
    """Put (producer, 0) .. (producer, count-1) with `gap` s between, then `stops` STOP sentinels.

    `wait_for` (an Event) holds production back until it is set; `report` (a Queue) receives
    (pid, time.time()) once the last put has returned, to show back-pressure.
    """
    count = check_int("count", count, maximum=10**7)
    stops = check_int("stops", stops, maximum=1024)
    if wait_for is not None and not wait_for.wait(GET_TIMEOUT):
        return
    for seq in range(count):
        if gap:
            time.sleep(gap)
        q.put((producer, seq))
    for _ in range(stops):
        q.put(STOP)
    if report is not None:
        report.put((os.getpid(), time.time()))


def consume_while_not_empty(q: Any, results: Any, ready: Any = None) -> None:
    """The seed's consumer: `while not q.empty(): q.get()`. It stops at the first empty moment."""
    if ready is not None:
        ready.set()
    items = []
    while not q.empty():
        try:
            items.append(q.get(timeout=1))
        except queue_module.Empty:
            break
    results.put(Consumed(os.getpid(), items))


def consume(q: Any, results: Any, *, delay: float = 0.0, timeout: float = GET_TIMEOUT) -> None:
    """Take items until a STOP sentinel, `delay` s of 'work' each; then report Consumed."""
    items, times = [], []
    while True:
        try:
            item = q.get(timeout=timeout)
        except queue_module.Empty:
            break
        if item is STOP:
            break
        times.append(time.time())
        items.append(item)
        if delay:
            time.sleep(delay)
    results.put(Consumed(os.getpid(), items, times))


def prime_task_worker(tasks: Any, results: Any, timeout: float = GET_TIMEOUT) -> None:
    """JoinableQueue worker: for each (start, stop) put (start, stop, pid, count); task_done() each."""
    while True:
        try:
            task = tasks.get(timeout=timeout)
        except queue_module.Empty:
            return
        try:
            if task is STOP:
                return
            start, stop = task
            results.put((start, stop, os.getpid(), count_primes(start, stop)))
        finally:
            tasks.task_done()


def put_block(q: Any, index: int, nbytes: int) -> None:
    """Put (index, pid, nbytes zero bytes) on the queue: a large item that must be consumed."""
    nbytes = check_int("nbytes", nbytes, maximum=MAX_MESSAGE_BYTES)
    q.put((index, os.getpid(), bytes(nbytes)))


# --- when a process dies -----------------------------------------------------------------------

def put_then_exit(q: Any, count: int, exitcode: int = 1) -> None:
    """Put (0, seq) for seq < count, then die at once with os._exit(exitcode), as a crash would.

    put() only hands each item to this process's feeder thread; os._exit does not wait for that
    thread to write them into the pipe, so items still in its buffer are lost."""
    count = check_int("count", count, maximum=10**6)
    exitcode = check_int("exitcode", exitcode, minimum=0, maximum=255)
    for seq in range(count):
        q.put((0, seq))
    os._exit(exitcode)


def fragile_consumer(jobs: Any, results: Any, *, die_at: int | None = None,
                     timeout: float = GET_TIMEOUT) -> None:
    """Take (job_id, n) jobs until STOP and put (job_id, pid, n * n) for each, after a little work.

    With `die_at`, the process dies (os._exit(1)) while it is running the job it took in that
    position (0-based): that job is never answered."""
    if die_at is not None:
        die_at = check_int("die_at", die_at, maximum=10**6)
    for taken, job in enumerate(tasks_until_stop(jobs, timeout)):
        job_id, n = job
        time.sleep(0.002)  # the work
        if taken == die_at:
            os._exit(1)  # a crash in the middle of a job
        results.put((job_id, os.getpid(), n * n))


# --- pipes -------------------------------------------------------------------------------------

def word_lengths_server(conn: Any, timeout: float = GET_TIMEOUT) -> None:
    """Answer each message (a string) on a duplex Pipe with (pid, its word lengths); STOP ends."""
    try:
        while conn.poll(timeout):
            message = conn.recv()
            if message is STOP:
                break
            conn.send((os.getpid(), [len(word) for word in message.split()]))
    finally:
        conn.close()


# --- throughput --------------------------------------------------------------------------------

def sink(inbox: Any, outbox: Any = None, timeout: float = GET_TIMEOUT) -> None:
    """Count received bytes messages; FLUSH: reply (messages, bytes) and reset; STOP: end; else echo.

    With one duplex Pipe connection, pass it alone; with Queues pass the inbox and the outbox.
    """
    if outbox is None:
        def receive() -> Any:
            if not inbox.poll(timeout):
                raise queue_module.Empty
            return inbox.recv()
        send = inbox.send
    else:
        def receive() -> Any:
            return inbox.get(timeout=timeout)
        send = outbox.put
    messages = nbytes = 0
    while True:
        try:
            message = receive()
        except (queue_module.Empty, EOFError):
            return
        if message is STOP:
            return
        if isinstance(message, bytes):
            messages += 1
            nbytes += len(message)
        elif message == FLUSH:
            send((messages, nbytes))
            messages = nbytes = 0
        else:
            send(message)


@dataclass(frozen=True)
class Throughput:
    """Messages of one size sent from this process to a child, and how long they took to arrive.

    seconds: the median over the rounds; spread: its relative spread (helpers.timing.Timing)."""

    channel: str
    size: int
    messages: int
    seconds: float
    spread: float = 0.0

    @property
    def msg_per_s(self) -> float:
        return self.messages / self.seconds

    @property
    def mb_per_s(self) -> float:
        return self.messages * self.size / self.seconds / 1e6


@dataclass(frozen=True)
class ChannelReport:
    """Throughput at each message size, and the median round trip of a tiny message.

    Queue and Pipe were measured in the same interleaved rounds (helpers.timing.compare), each
    size on its own; `noise` is the noisiest of those measurements (None if not measured)."""

    points: tuple[Throughput, ...]
    round_trips: dict[str, float]
    round_trip_spreads: dict[str, float] = field(default_factory=dict)
    rounds: int = 0
    noise: Noise | None = None
    noise_by_size: dict[int, Noise] = field(default_factory=dict)
    round_trip_noise: Noise | None = None

    def table(self) -> str:
        """Rows of channel, message size, msg/s, MB/s and spread; then the round trips; a noise line when noisy."""
        lines = [f"{'channel':<8}{'message':>12}{'messages/s':>16}{'throughput':>14}{'spread':>8}"]
        for p in self.points:
            lines.append(f"{p.channel:<8}{format_size(p.size):>12}"
                         f"{format_rate(p.msg_per_s, 'msg/s'):>16}{format_rate(p.mb_per_s, 'MB/s'):>14}"
                         f"{format_spread(p.spread):>8}")
        for channel, seconds in self.round_trips.items():
            spread = self.round_trip_spreads.get(channel)
            lines.append(f"{channel} round trip of a tiny message: {format_seconds(seconds)}"
                         + ("" if spread is None else f" (spread {format_spread(spread)})"))
        if self.rounds:
            lines.append(f"medians of {self.rounds} interleaved rounds (Queue and Pipe in rotating order), "
                         "after a warm-up")
        if self.noise is not None and self.noise.noisy:
            lines.append(str(self.noise))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def at(self, channel: str, size: int) -> Throughput:
        """The measurement for one channel and message size."""
        for p in self.points:
            if p.channel == channel and p.size == size:
                return p
        raise ValueError(f"no measurement for {channel} at {size} bytes")


class _Channel:
    """A Queue pair or one duplex Pipe to a sink child: send, and wait for the reply to a FLUSH."""

    def __init__(self, kind: str, timeout: float) -> None:
        import multiprocessing as mp

        if kind not in CHANNELS:
            raise ValueError(f"channel must be one of {', '.join(CHANNELS)}, got {kind!r}")
        self.kind, self.timeout = kind, timeout
        if kind == "Queue":
            self.to_child, self.from_child = mp.Queue(), mp.Queue()
            self.send = self.to_child.put
            args: tuple[Any, ...] = (self.to_child, self.from_child)
        else:
            self.conn, child_end = mp.Pipe()
            self.send = self.conn.send
            args = (child_end,)
        self.process = mp.Process(target=sink, args=args, daemon=True)
        self.process.start()
        if kind == "Pipe":
            child_end.close()

    def reply(self) -> Any:
        if self.kind == "Queue":
            return self.from_child.get(timeout=self.timeout)
        if not self.conn.poll(self.timeout):
            raise TimeoutError(f"no reply from the sink within {self.timeout} s")
        return self.conn.recv()

    def batch(self, payload: bytes, count: int) -> Any:
        """Send `count` copies of payload, then FLUSH; return the sink's (messages, bytes)."""
        for _ in range(count):
            self.send(payload)
        self.send(FLUSH)
        return self.reply()

    def ping(self, times: int) -> None:
        """`times` round trips of a tiny message."""
        for _ in range(times):
            self.send(("ping",))
            self.reply()

    def close(self) -> None:
        try:
            self.send(STOP)
        except (OSError, ValueError):
            pass
        stuck = stop([self.process], self.timeout).terminated > 0
        if self.kind == "Queue":
            for q in (self.to_child, self.from_child):
                if stuck:
                    q.cancel_join_thread()  # nobody will read what is left: do not wait for it
                q.close()
                q.join_thread()
        else:
            self.conn.close()


def _messages_for(size: int, budget_bytes: int, max_messages: int) -> int:
    return max(10, min(max_messages, budget_bytes // max(size, 1)))


def measure_channels(sizes: Sequence[int], *, budget_bytes: int = 16 * 2**20,
                     max_messages: int = 2000, repeats: int = 5, round_trips: int = 100,
                     timeout: float = 60.0) -> ChannelReport:
    """Throughput of Queue and Pipe at each message size, to warm children (start-up not timed).

    Both channels' sink children run throughout; for each size, Queue and Pipe are timed in the
    same `repeats` rounds of helpers.timing.compare (warm-up first, rotating order), and so is the
    round trip (`round_trips` pings per timed call)."""
    sizes = [check_int("size", s, minimum=1, maximum=MAX_MESSAGE_BYTES) for s in sizes]
    if not sizes:
        raise ValueError("sizes must list at least one message size in bytes")
    budget_bytes = check_int("budget_bytes", budget_bytes, minimum=1, maximum=2**31)
    max_messages = check_int("max_messages", max_messages, minimum=10, maximum=10**6)
    repeats = check_int("repeats", repeats, minimum=1, maximum=100)
    round_trips = check_int("round_trips", round_trips, minimum=1, maximum=10**5)
    timeout = check_timeout(timeout)
    channels: dict[str, _Channel] = {}
    try:
        for kind in CHANNELS:
            channels[kind] = _Channel(kind, timeout)
        found: dict[tuple[str, int], Throughput] = {}
        noise_by_size: dict[int, Noise] = {}
        for size in sizes:
            payload, count = bytes(size), _messages_for(size, budget_bytes, max_messages)
            measured = compare({kind: partial(channels[kind].batch, payload, count) for kind in CHANNELS},
                               rounds=repeats, warmup=1)
            for kind in CHANNELS:
                if measured[kind].result != (count, count * size):
                    raise RuntimeError(f"{kind} lost messages: sent {count}, got {measured[kind].result}")
                found[kind, size] = Throughput(kind, size, count, measured[kind].median,
                                               measured[kind].relative_spread)
            noise_by_size[size] = measured.noise
        trips = compare({kind: partial(channels[kind].ping, round_trips) for kind in CHANNELS},
                        rounds=repeats, warmup=1)
    finally:
        for channel in channels.values():
            channel.close()
    points = tuple(found[kind, size] for kind in CHANNELS for size in sizes)
    noises = [*noise_by_size.values(), trips.noise]
    noisiest = max(noises, key=lambda n: (n.noisy, n.other_cores or 0.0, n.spread))
    return ChannelReport(points, {kind: trips[kind].median / round_trips for kind in CHANNELS},
                         {kind: trips[kind].relative_spread for kind in CHANNELS}, repeats, noisiest,
                         noise_by_size, trips.noise)
