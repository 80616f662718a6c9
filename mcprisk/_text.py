"""Small text utilities shared by every stage: canonical JSON, hashing, clipping, terminal-safe text."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any

__all__ = ["canonical_json", "clip", "json_text_safe", "sha256_hex", "terminal_safe", "TRUNCATION_MARK"]

TRUNCATION_MARK = "…[truncated by mcprisk: {length} chars in full]"

# C0 and C1 control characters except tab and newline: ESC starts every ANSI/OSC sequence, BEL ends an OSC.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Characters a terminal or editor obeys without showing: bidi controls, zero-width and other format characters,
# Unicode tags, line/paragraph separators, private-use and lone surrogates.
_HIDDEN_CATEGORIES = frozenset({"Cf", "Zl", "Zp", "Co", "Cs"})
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# In JSON text: what json.dumps leaves raw (DEL, C1, the hidden characters above) becomes a \u escape.
_JSON_RAW = re.compile(r"[^\x00-\x7e]")


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no insignificant whitespace: the input of every fingerprint."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def clip(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to ``limit`` characters with a marker saying how long it was, and whether it was cut."""
    if len(text) <= limit:
        return text, False
    return text[:limit] + TRUNCATION_MARK.format(length=len(text)), True


def _shown_hidden(m: re.Match[str]) -> str:
    c = m[0]
    return f"⟨U+{ord(c):04X}⟩" if unicodedata.category(c) in _HIDDEN_CATEGORIES else c


def terminal_safe(text: str) -> str:
    """Text a terminal shows rather than obeys: control characters (ESC, BEL, CR, ...) written as ``\\x1b``,
    hidden characters (bidi overrides, zero-width, tags) as ``⟨U+202E⟩``; tab and newline kept.

    Idempotent, and linear in the length of ``text``. Escape sequences stay readable as evidence
    (``\\x1b]0;title\\x07``) without rewriting the window title or colours.
    """
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    text = _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)
    return text if text.isascii() else _NON_ASCII.sub(_shown_hidden, text)


def _json_escape(m: re.Match[str]) -> str:
    c = m[0]
    n = ord(c)
    if n > 0x9F and unicodedata.category(c) not in _HIDDEN_CATEGORIES:
        return c
    if n <= 0xFFFF:
        return f"\\u{n:04x}"
    n -= 0x10000  # outside the BMP (Unicode tags): a surrogate pair, as JSON spells it
    return f"\\u{0xD800 + (n >> 10):04x}\\u{0xDC00 + (n & 0x3FF):04x}"


def json_text_safe(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with DEL, C1 controls, lone surrogates and the
    hidden characters written as ``\\uXXXX`` escapes: the same data, but safe to ``cat`` and encodable as UTF-8."""
    return text if text.isascii() else _JSON_RAW.sub(_json_escape, text)
