"""Running a coroutine to its end from a test, whatever else the test process runs.

``asyncio.run`` refuses to start while an event loop runs in the thread: with pytest-xdist, a
browser test in the same worker keeps Playwright's loop running in the main thread. A thread of
its own has no loop."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()
