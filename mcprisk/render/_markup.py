"""The HTML report's building blocks: the only ways a string reaches the page, and codes shown in words."""

from __future__ import annotations

import html
from typing import Any

from .._text import sha256_hex
from ._common import code_words, one_line, visible

__all__ = ["anchor", "chip", "line", "quoted", "term", "text"]


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
    when the catalog does not know it. The words are also the hover title."""
    words = code_words(code)
    if words is None:
        return f'<span class="mono {cls}">{text(code)}</span>'
    return (f'<span class="term {cls}" title="{text(words)}">{text(words)} '
            f'(<span class="mono">{text(code)}</span>)</span>')


def quoted(sentence: str) -> str:
    """mcprisk's own sentence with server names between backticks: escaped, the names set as code."""
    parts = sentence.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick (one inside a name): show it all as text
        return text(sentence)
    return "".join(f'<span class="mono">{text(part)}</span>' if i % 2 else text(part) for i, part in enumerate(parts))
