"""Soak: many introspections of healthy, slow, crashing and hostile servers leave nothing behind.

The short form (40 introspections) runs in every ``pytest``; the long form (500) runs with
``MCPRISK_SOAK=long pytest -m soak tests/test_soak.py``. Afterwards: no child process (zombie or
alive), file descriptors and threads back to where they started, RSS within a small margin, and
every snapshot either complete or carrying a fatal error that says what went wrong.
"""

from __future__ import annotations

import gc
import itertools
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mcprisk import Limits, Snapshot, introspect, introspect_many

from support import zoo_spec

# FAST, with the whole-server bound cut so a slow-drip server (one byte every 50 ms) ends in 3 s.
SOAK = Limits(connect_timeout=3.0, probe_timeout=1.5, request_timeout=2.0, total_timeout=3.0, shutdown_grace=0.5)

# (behaviour, modern): healthy in both eras, crashing, hostile. slow-drip is added sparingly (3 s each).
MIX = [("healthy", False), ("healthy", True), ("exits-at-start", False), ("dies-mid-listing", False),
       ("noise", False), ("invalid-utf8", True), ("cursor-loop", False), ("healthy", False),
       ("dies-mid-listing", True), ("noise", True)]
SLOW = ("slow-drip", False)

# Measured on a 2-core machine: after gc, RSS grew 0.8 MiB over the short run and 4.3 MiB over the long
# one (from the warmed-up start); the margins leave room for allocator noise, not for a steady leak.
RSS_MARGIN = {"short": 30 * 2**20, "long": 40 * 2**20}
FD_MARGIN = 2
SETTLE = 10.0  # seconds for watcher threads and reaped children to disappear after the last run


def _children() -> dict[int, str]:
    """Direct children of this process (pid -> state letter, Z for a zombie), from /proc."""
    me, found = os.getpid(), {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone between listing and reading
        fields = stat[stat.rindex(")") + 2:].split()  # after "(comm)": state, ppid, ...
        if int(fields[1]) == me:
            found[int(entry.name)] = fields[0]
    for task in Path(f"/proc/{me}/task").iterdir():  # the kernel's own list, when CONFIG_PROC_CHILDREN has it
        try:
            for pid in (task / "children").read_text().split():
                found.setdefault(int(pid), "?")
        except OSError:
            pass
    return found


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _os_threads() -> int:
    return len(os.listdir("/proc/self/task"))


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _settled(check: Callable[[], bool], timeout: float = SETTLE) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _plan(n: int, slow_every: int) -> list[tuple[str, bool]]:
    """``n`` behaviours cycling through MIX, with a slow-drip server every ``slow_every``-th."""
    cycle = itertools.cycle(MIX)
    return [SLOW if (i + 1) % slow_every == 0 else next(cycle) for i in range(n)]


def _check_result(snap: Snapshot, behaviour: str) -> None:
    """Complete, or at least one fatal error with a message; healthy servers must be complete."""
    if snap.status != "complete":
        fatal = snap.fatal_errors
        assert fatal, f"{behaviour}: status {snap.status} without a fatal error: {snap.errors}"
        assert all(e.message.strip() for e in fatal), f"{behaviour}: a fatal error has no message: {fatal}"
    if behaviour == "healthy":
        assert snap.status == "complete", f"a healthy server next to hostile ones was not complete: {snap.errors}"


def soak(n: int, *, rss_margin: int) -> None:
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("the soak checks read /proc (Linux)")
    # Warm up first, so one-time imports and caches are not counted as growth.
    introspect_many([zoo_spec(b, modern=m) for b, m in MIX[:4]], limits=SOAK, concurrency=4)
    gc.collect()
    start_children = set(_children())
    start_fds, start_threads, start_py_threads = _fds(), _os_threads(), threading.active_count()
    start_rss = _rss()

    half = n // 2
    sequential = _plan(half, slow_every=20)
    concurrent = _plan(n - half, slow_every=10)
    results: list[tuple[str, Snapshot]] = []
    for behaviour, modern in sequential:
        results.append((behaviour, introspect(zoo_spec(behaviour, modern=modern), limits=SOAK)))
    for start in range(0, len(concurrent), 20):  # batches of 20, eight at a time
        batch = concurrent[start:start + 20]
        snaps = introspect_many([zoo_spec(b, modern=m) for b, m in batch], limits=SOAK, concurrency=8)
        assert len(snaps) == len(batch)
        results += [(b, s) for (b, _), s in zip(batch, snaps)]

    assert len(results) == n
    for behaviour, snap in results:
        _check_result(snap, behaviour)
    assert {b for b, _ in results} >= {b for b, _ in MIX} | {SLOW[0]}

    left = lambda: {p: s for p, s in _children().items() if p not in start_children}  # noqa: E731
    assert _settled(lambda: not left()), f"child processes left behind (pid: state): {left()}"
    assert _settled(lambda: _os_threads() <= start_threads), \
        f"OS threads {start_threads} -> {_os_threads()}; Python threads {threading.enumerate()}"
    assert threading.active_count() <= start_py_threads, threading.enumerate()
    assert _settled(lambda: _fds() <= start_fds + FD_MARGIN), \
        f"file descriptors {start_fds} -> {_fds()}: {sorted(os.listdir('/proc/self/fd'), key=int)}"
    del results
    gc.collect()
    grown = _rss() - start_rss
    assert grown <= rss_margin, f"RSS grew by {grown / 2**20:.1f} MiB over {n} introspections"


@pytest.mark.slow
def test_soak_short():
    """40 introspections, sequential and concurrent, of a hostile mix leave no process, fd, thread or memory behind."""
    soak(40, rss_margin=RSS_MARGIN["short"])


@pytest.mark.soak
@pytest.mark.skipif(os.environ.get("MCPRISK_SOAK") != "long", reason="the long soak runs with MCPRISK_SOAK=long")
def test_soak_long():
    """500 introspections of the same mix: still nothing left behind."""
    soak(500, rss_margin=RSS_MARGIN["long"])
