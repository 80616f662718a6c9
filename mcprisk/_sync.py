"""Run a coroutine function from sync code, also where an event loop already runs (a Jupyter kernel)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio

__all__ = ["run_sync"]


def run_sync(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a coroutine function to completion from sync code, also inside a running event loop (Jupyter)."""
    call = functools.partial(fn, *args, **kwargs)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return anyio.run(call)
    # A loop is running in this thread (a Jupyter kernel): run ours on a worker thread.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mcprisk") as pool:
        return pool.submit(anyio.run, call).result()
