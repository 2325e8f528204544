"""The seed article's asyncio example, as written there (the sleep shortened from 1 s to 0.1 s).

Notebook 07 runs it with `python -W default seed_asyncio.py` to show what each Python does with
it: `get_event_loop()` with no running loop is deprecated (3.12 warns) and an error from 3.14.
"""

import asyncio


async def worker():
    await asyncio.sleep(0.1)
    print("Worker process started")


loop = asyncio.get_event_loop()
loop.run_until_complete(worker())
