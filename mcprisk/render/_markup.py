"""The HTML report's building blocks: the only ways a string reaches the page, codes shown in words, mcprisk's own
sentences with their code spans, quotes cut on word boundaries, lists that say how many they leave out, and
folds (``<details>``: no script needed)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from typing import Any

from .._prose import articles, clip_words, trim_quote
from .._text import sha256_hex
from ._common import code_words, one_line, visible

__all__ = ["anchor", "chip", "fold", "line", "listed", "prose", "quote", "quoted", "term", "text"]

_DOUBLE_TICKS = re.compile(r"``(.+?)``")
_SINGLE_TICKS = re.compile(r"`([^`]+)`")


def text(value: Any) -> str:
    """Escaped, control-free text: the only way a string reaches the page."""
    return html.escape(visible("" if value is None else value), quote=True)


def line(value: Any, limit: int | None = None) -> str:
    """``text`` folded to one line, optionally clipped."""
    return html.escape(one_line("" if value is None else value, limit), quote=True)


def anchor(kind: str, key: str) -> str:
    return f"{kind}-{sha256_hex(key)[:12]}"


def chip(label: str, cls: str = "") -> str:
    return f'<span class="chip {cls}">{text(label)}</span>'


def term(code: str, cls: str = "") -> str:
    """A catalog id in words with the id beside it: ``Human approval gates (consent_approvals)``; the id alone
    when the catalog does not know it."""
    words = code_words(code)
    if words is None:
        return f'<span class="mono{" " + cls if cls else ""}">{text(code)}</span>'
    return f'<span class="term{" " + cls if cls else ""}">{text(words)} (<span class="mono">{text(code)}</span>)</span>'


def quoted(sentence: str) -> str:
    """mcprisk's own sentence with server names between backticks: escaped, the names set as code."""
    parts = sentence.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick (one inside a name): show it all as text
        return text(sentence)
    return "".join(f'<span class="mono">{text(part)}</span>' if i % 2 else text(part) for i, part in enumerate(parts))


def prose(sentence: Any) -> str:
    """mcprisk's own sentence (a rule's documentation, a finding's message, a placement summary): escaped, its
    articles set by sound, and its ``code`` / `code` spans set as code instead of showing raw backticks."""
    escaped = text(articles(visible("" if sentence is None else sentence)))
    escaped = _DOUBLE_TICKS.sub(lambda m: f"<code>{m[1]}</code>", escaped)
    return _SINGLE_TICKS.sub(lambda m: f"<code>{m[1]}</code>", escaped)


def quote(value: Any, limit: int = 160, source: str | None = None) -> str:
    """Quoted server text on one line: a quote cut mid-word starts and ends at whole words (looked up in the
    ``source`` it was cut from, when given), and a long one is cut at a word boundary with ``…``."""
    shown = trim_quote(one_line("" if value is None else value), one_line(source) if source else None)
    return html.escape(clip_words(shown, limit), quote=True)


def listed(items: Iterable[Any], limit: int = 6, show: Callable[[Any], str] | None = None) -> str:
    """Items joined with commas; past ``limit`` the rest is counted: ``a, b, c and 4 more``."""
    items = list(items)
    show = show or (lambda x: f"<code>{text(x)}</code>")
    shown = ", ".join(show(x) for x in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def fold(summary: str, body: str, cls: str = "", *, opened: bool = False) -> str:
    """A ``<details>`` fold: ``summary`` (markup) always shown, ``body`` (markup) on a click. Print opens it."""
    attrs = (f' class="{cls}"' if cls else "") + (" open" if opened else "")
    return f"<details{attrs}><summary>{summary}</summary>{body}</details>"
