"""One reader for every file a user names (client configs, inventories, tracking files, snapshots).

Only regular files are read, and their size is checked before a byte is read: ``/dev/zero`` as an inventory,
a FIFO nobody writes to, or a terabyte snapshot would otherwise exhaust memory or block for ever. The file
is opened non-blocking, so even a FIFO that appears between the check and the open cannot hang the caller.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["MiB", "FileRefused", "check_writable", "read_bounded"]

MiB = 1 << 20
_CHUNK = 1 << 20


class FileRefused(OSError):
    """A named file mcprisk will not read or write; ``reason`` says why in words (no ``[Errno]`` noise)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _size(n: int) -> str:
    return f"{n / MiB:.0f} MiB" if n >= MiB else f"{n} bytes"


def read_bounded(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``max_bytes`` of them, or FileRefused saying why not."""
    try:
        before = os.stat(path)
    except FileNotFoundError:
        raise FileRefused("no such file") from None
    except OSError as exc:
        raise FileRefused(exc.strerror or type(exc).__name__) from None
    _check(before.st_mode, before.st_size, max_bytes)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise FileRefused(exc.strerror or type(exc).__name__) from None
    try:
        st = os.fstat(fd)  # what was opened, which may differ from what was checked
        _check(st.st_mode, st.st_size, max_bytes)
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        if isinstance(exc, FileRefused):
            raise
        raise FileRefused(exc.strerror or type(exc).__name__) from None
    finally:
        os.close(fd)
    if total > max_bytes:
        raise FileRefused(f"the file grew past the {_size(max_bytes)} limit while it was read")
    return b"".join(chunks)


def _check(mode: int, size: int, max_bytes: int) -> None:
    kind = _kind(mode)
    if kind is not None:
        raise FileRefused(f"it is {kind}; mcprisk reads regular files only")
    if size > max_bytes:
        raise FileRefused(f"the file is larger than the {_size(max_bytes)} limit ({_size(size)})")


def check_writable(path: str | os.PathLike[str]) -> None:
    """Raise FileRefused when ``path`` exists and is not a regular file (a FIFO would block the write)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise FileRefused(exc.strerror or type(exc).__name__) from None
    kind = _kind(mode)
    if kind is not None:
        raise FileRefused(f"it is {kind}; mcprisk writes regular files only")


def read_text_bounded(path: str | Path, max_bytes: int) -> str:
    """``read_bounded`` decoded as UTF-8 (a leading byte-order mark dropped); UnicodeDecodeError as Python raises it."""
    return read_bounded(path, max_bytes).decode("utf-8-sig")
