"""Fetch pages from a local slow server with asyncio, the way a script does it: asyncio.run().

Run by notebook 07 as `python async_fetch.py [count] [latency]`; prints stable facts and a time.
"""

import asyncio
import sys
import time

from helpers.iobound import LatencyServer, fetch_async
from helpers.timing import format_seconds


async def main(urls: list[str]) -> list[bytes]:
    """Start every download at once; gather waits for all and keeps their order."""
    return await asyncio.gather(*(fetch_async(url) for url in urls))


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    latency = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
    with LatencyServer(latency=latency) as server:
        begin = time.perf_counter()
        pages = asyncio.run(main(server.urls(count)))  # one call: makes a loop, runs, closes it
        elapsed = time.perf_counter() - begin
    print(f"pages fetched: {len(pages)}, all correct: {pages == server.expected(count)}")
    print(f"{count} requests of {format_seconds(latency)} each took {format_seconds(elapsed)} in all")
