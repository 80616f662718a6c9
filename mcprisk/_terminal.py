"""What the ``mcprisk`` command writes to a terminal: every byte through the one scrubbing point.

``TerminalStream`` wraps stdout and stderr: each write loses the secret values the command knows of and
anything shaped like a credential, and control, escape, bidi and invisible characters become visible.
``sdk_notes`` routes the log records of the mcp SDK and the HTTP stack, and Python warnings, to one
``mcprisk: note:`` line each (scrubbed, deduplicated, no traceback) for as long as the command runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from ._scrub import SDK_LOGGERS, Scrubber, for_terminal, scrub_record

__all__ = ["TerminalStream", "sdk_notes"]


class TerminalStream:
    """A text stream whose writes are scrubbed and made terminal-safe; ``control`` is the one raw path,
    for the command's own cursor codes (the self-rewriting progress line)."""

    def __init__(self, stream: TextIO, secrets: list[str]):
        self.stream = stream
        self._secrets = secrets  # grows as the command resolves its targets
        self._seen = -1
        self._scrubber = Scrubber([])

    @property
    def scrubber(self) -> Scrubber:
        if len(self._secrets) != self._seen:
            self._scrubber, self._seen = Scrubber(self._secrets), len(self._secrets)
        return self._scrubber

    def clean(self, text: str) -> str:
        return for_terminal(text, self.scrubber)

    def write(self, text: str) -> int:
        return self.stream.write(self.clean(text))

    def control(self, codes: str) -> None:
        self.stream.write(codes)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())


class _NoteHandler(logging.Handler):
    """One scrubbed line per distinct SDK warning or error, prefixed ``mcprisk: note:``; never a traceback."""

    def __init__(self, err: TerminalStream):
        super().__init__(logging.WARNING)
        self.err = err
        self.seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            scrub_record(record, self.err.clean)
            first = (record.getMessage().strip().splitlines() or [""])[0]
            if record.name == "py.warnings":  # "file:line: Category: message" -> "Category: message"
                first = first.split(": ", 1)[-1] if first.count(": ") >= 1 else first
                line = f"mcprisk: warning: {first[:300]}"
            else:
                line = f"mcprisk: note: {record.name.split('.', 1)[0]}: {first[:300]}"
            if line not in self.seen:
                self.seen.add(line)
                self.err.write(line + "\n")
                self.err.flush()
        except Exception:  # noqa: BLE001 - a note that cannot be written must not stop the command
            pass


@contextmanager
def sdk_notes(err: TerminalStream) -> Iterator[None]:
    """While the command runs: SDK and HTTP-stack records, and warnings, become ``mcprisk:`` lines on ``err``."""
    handler = _NoteHandler(err)
    loggers = [logging.getLogger(name) for name in (*SDK_LOGGERS, "py.warnings")]
    for logger in loggers:
        logger.addHandler(handler)
    capturing = getattr(logging, "_warnings_showwarning", None) is not None
    logging.captureWarnings(True)
    try:
        yield
    finally:
        if not capturing:
            logging.captureWarnings(False)
        for logger in loggers:
            logger.removeHandler(handler)
