"""Find every process a launched stdio server started, including those that left its process group.

Killing the server's process group catches ordinary children (npx and uvx leave some). A descendant that
calls ``setsid()`` and forks again is in no group of ours and its parent is gone, so it needs tracking:

- each launch puts a random marker in the child's environment (``MCPRISK_LAUNCH``); every descendant
  inherits it, and ``/proc/<pid>/environ`` keeps it even after ``setsid`` and a double fork;
- the tree of parent links from the server is walked as well (first while the server still runs), for
  descendants that replaced their environment but are still attached to it.

Only processes started after the server are examined (pids in the range allocated since, when the kernel
says which), and a pid is signalled only while its start time still matches, so a recycled pid is never hit.
Where there is no ``/proc`` (macOS, Windows) only the process group is killed.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["MARKER_ENV", "Launch", "new_marker"]

MARKER_ENV = "MCPRISK_LAUNCH"
_PROC = Path("/proc")


def new_marker() -> str:
    """A value no other launch shares."""
    return secrets.token_hex(12)


def _read(path: str) -> bytes | None:
    """A small /proc file's bytes, or None (os-level: probing pids that do not exist must stay cheap)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time in clock ticks) of ``pid``, or None when it is gone or unreadable."""
    text = _read(f"{_PROC}/{pid}/stat")
    try:
        fields = text[text.rindex(b")") + 2:].split()  # type: ignore[union-attr]
        return int(fields[1]), int(fields[19])
    except (TypeError, AttributeError, ValueError, IndexError):
        return None


def _has_marker(pid: int, marker: bytes) -> bool:
    return marker in (_read(f"{_PROC}/{pid}/environ") or b"")


def _children(pid: int) -> list[int]:
    """The children of ``pid`` from the kernel's own lists (CONFIG_PROC_CHILDREN); [] where there are none."""
    try:
        tids = os.listdir(f"{_PROC}/{pid}/task")
    except OSError:
        return []
    out: list[int] = []
    for tid in tids:
        out += [int(x) for x in (_read(f"{_PROC}/{pid}/task/{tid}/children") or b"").split()]
    return out


def _candidates(first: int) -> list[int]:
    """Pids that may have been started since ``first`` was: the range the kernel allocated since, when known."""
    try:
        pids = [int(e.name) for e in os.scandir(_PROC) if e.name.isdigit()]
    except OSError:
        return []
    try:
        last = int(_read(f"{_PROC}/sys/kernel/ns_last_pid") or b"")
    except ValueError:
        return pids
    return [p for p in pids if first <= p <= last] if last >= first else pids  # no wrap-around: only this range


class Launch:
    """One launched server: its pid, start time and marker; finds and signals what it left behind."""

    def __init__(self, pid: int, marker: str):
        self.pid = pid
        self.marker = f"{MARKER_ENV}={marker}".encode()
        self._started: int | None = -1  # read at the first look: at spawn the child may still be exec'ing
        self.known: dict[int, int] = {}  # pid -> start time of every descendant found so far
        self.stopped = False

    @property
    def started(self) -> int | None:
        """The server's start time in clock ticks (None where /proc cannot say)."""
        if self._started == -1:
            stat = _stat(self.pid)
            self._started = stat[1] if stat else None
        return self._started

    def walk(self, root: int | None = None) -> None:
        """Record the live tree of parent links below ``root`` (the server): a few small reads per process.

        The first walk also reads the server's start time, while it still runs: the scan needs it later.
        """
        if self.started is None:
            return
        stack, budget = [self.pid if root is None else root], 4096
        while stack and budget > 0:
            for child in _children(stack.pop()):
                budget -= 1
                if child not in self.known and (stat := _stat(child)) is not None:
                    self.known[child] = stat[1]
                    stack.append(child)

    def scan(self) -> None:
        """Record every descendant alive now: the tree, and every process started since that has the marker
        (with the tree below it, for children that dropped the marker)."""
        if self.started is None:
            return
        self.walk()
        for pid in _candidates(self.pid):
            if pid == self.pid or pid in self.known or (stat := _stat(pid)) is None or stat[1] < self.started:
                continue
            if _has_marker(pid, self.marker):
                self.known[pid] = stat[1]
                self.walk(pid)

    def signal(self, sig: int) -> int:
        """Send ``sig`` to every recorded descendant still alive with the same start time; how many got it."""
        sent = 0
        for pid, started in list(self.known.items()):
            stat = _stat(pid)
            if stat is None or stat[1] != started:
                self.known.pop(pid, None)
                continue
            try:
                os.kill(pid, sig)
                sent += 1
            except (ProcessLookupError, PermissionError):
                self.known.pop(pid, None)
        return sent

    def alive(self) -> list[int]:
        return [pid for pid, started in self.known.items() if (stat := _stat(pid)) and stat[1] == started
                and not _zombie(pid)]


def _zombie(pid: int) -> bool:
    text = _read(f"{_PROC}/{pid}/stat")
    try:
        return text[text.rindex(b")") + 2:text.rindex(b")") + 3] == b"Z"  # type: ignore[union-attr]
    except (TypeError, AttributeError, ValueError):
        return True
