"""The one scrubbing point: secret values removed, and control, escape, bidi and invisible characters made
visible, for every byte bound for a terminal, a log record, a report or a snapshot.

``Scrubber`` knows the secret values one introspection or probe sent (env, headers, hidden arguments and URL
parts); ``redact_text`` (specs) knows credential *shapes*. ``scrub`` applies both; ``for_terminal`` also
makes the text safe to show. Log records of the mcp SDK and the HTTP stack go through ``scrubbed_logs``,
which rewrites a record in place (message, args, traceback, stack) before any handler sees it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ._text import terminal_safe
from .specs import REDACTED, redact_text

__all__ = ["SDK_LOGGERS", "Scrubber", "for_terminal", "scrub", "scrub_record", "scrubbed_logs"]

# Where the SDK and the HTTP stack log; their records can quote URLs, headers and what a server sent.
SDK_LOGGERS = ("mcp", "mcp_types", "httpx2", "httpcore2", "httpx", "httpcore")
_MAX_DEPTH = 200  # Scrubber.json stops descending here (deeper values were already cut by the wire guard)


class Scrubber:
    """Replaces known secret values (resolved env, headers, hidden args/URL) wherever text is kept."""

    def __init__(self, values: Iterable[str | None]):
        # Very short values would shred ordinary text; they cannot be meaningful secrets anyway.
        self._values = sorted({v for v in values if v and len(v) >= 4}, key=len, reverse=True)

    def text(self, text: str) -> str:
        for v in self._values:
            if v in text:
                text = text.replace(v, REDACTED)
        return text

    def json(self, value: Any, _depth: int = 0) -> Any:
        if not self._values:
            return value
        if isinstance(value, str):
            return self.text(value)
        if _depth >= _MAX_DEPTH:
            return value
        if isinstance(value, dict):
            return {self.text(str(k)): self.json(v, _depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(v, _depth + 1) for v in value]
        return value

    def contains(self, text: str) -> bool:
        return any(v in text for v in self._values)

    def __bool__(self) -> bool:
        return bool(self._values)

    def __repr__(self) -> str:
        return f"Scrubber({len(self._values)} value(s))"


def scrub(text: str, scrubber: Scrubber | None = None) -> str:
    """``text`` with known secret values and credential-shaped substrings replaced by ``***``."""
    return redact_text(scrubber.text(text) if scrubber else text)


def for_terminal(text: str, scrubber: Scrubber | None = None) -> str:
    """``scrub`` plus control/escape/bidi/invisible characters made visible: what a terminal may be sent."""
    return terminal_safe(scrub(text, scrubber))


# --------------------------------------------------------------------------------------------
# Log records


def scrub_record(record: logging.LogRecord, clean: Any) -> None:
    """Rewrite ``record`` in place through ``clean`` (str -> str): the formatted message, the traceback of
    ``exc_info`` (rendered to ``exc_text`` so no handler formats the live exception again) and ``stack_info``."""
    if getattr(record, "_mcprisk_scrubbed", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a record whose args do not fit its format is still shown, scrubbed
        message = f"{record.msg!s} {record.args!r}"
    record.msg, record.args = clean(message), None
    if record.exc_info:
        if isinstance(record.exc_info, tuple) and record.exc_info[0] is not None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None
    if record.exc_text:
        record.exc_text = clean(record.exc_text)
    if record.stack_info:
        record.stack_info = clean(record.stack_info)
    record._mcprisk_scrubbed = True


class _Active:
    """The scrubbers of every introspection and probe running in this process, behind one lock.

    Loggers are shared by every thread, so one filter (installed while at least one scrubber is active)
    applies all of them: a record logged by one server's transport cannot leak another server's secret.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.scrubbers: list[Scrubber] = []
        self.filter = _Filter(self)
        self.sink = _Sink(self)
        self.attached: list[logging.Logger] = []
        self.sdk_loggers: list[logging.Logger] = []
        self.known_loggers = -1

    def clean(self, text: str) -> str:
        with self.lock:
            scrubbers = list(self.scrubbers)
        for s in scrubbers:
            text = s.text(text)
        return terminal_safe(redact_text(text))

    def enter(self, scrubber: Scrubber) -> None:
        with self.lock:
            self.scrubbers.append(scrubber)
            if len(self.scrubbers) > 1:
                return
            loggers = logging.root.manager.loggerDict
            if len(loggers) != self.known_loggers:  # new loggers since last time: list the SDK's again
                names = {n for n in loggers if n.split(".", 1)[0] in SDK_LOGGERS}
                self.sdk_loggers = [logging.getLogger(n) for n in sorted(names | set(SDK_LOGGERS))]
                self.known_loggers = len(loggers)
            self.attached = list(self.sdk_loggers)
            for logger in self.attached:
                logger.addFilter(self.filter)
            for name in SDK_LOGGERS:
                logging.getLogger(name).addHandler(self.sink)

    def exit(self, scrubber: Scrubber) -> None:
        with self.lock:
            self.scrubbers.remove(scrubber)
            if self.scrubbers:
                return
            for logger in self.attached:
                logger.removeFilter(self.filter)
            for name in SDK_LOGGERS:
                logging.getLogger(name).removeHandler(self.sink)
            self.attached = []


class _Filter(logging.Filter):
    """On every SDK logger: scrub the record before any handler, ours or the user's, formats it."""

    def __init__(self, active: _Active):
        super().__init__()
        self.active = active

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record, self.active.clean)
        return True


class _Sink(logging.Handler):
    """On the SDK's top-level loggers: scrubs what reaches them and prints nothing.

    Its presence also keeps Python's last-resort handler from writing SDK warnings and tracebacks to
    stderr when the application configured no logging: the snapshot already says what went wrong. Records
    still propagate, scrubbed, to whatever handlers the application installed.
    """

    def __init__(self, active: _Active):
        super().__init__(logging.NOTSET)
        self.active = active

    def handle(self, record: logging.LogRecord) -> bool:  # type: ignore[override]
        scrub_record(record, self.active.clean)
        return True

    def emit(self, record: logging.LogRecord) -> None:  # pragma: no cover - handle() never emits
        pass


_ACTIVE = _Active()


@contextmanager
def scrubbed_logs(scrubber: Scrubber) -> Iterator[None]:
    """While the block runs, every record of the SDK and HTTP loggers is scrubbed of ``scrubber``'s values
    (and of those of every other block running), shapes redacted and made terminal-safe."""
    _ACTIVE.enter(scrubber)
    try:
        yield
    finally:
        _ACTIVE.exit(scrubber)
