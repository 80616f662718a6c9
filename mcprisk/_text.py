"""Small text utilities shared by every stage: canonical JSON, hashing, clipping, terminal-safe text."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

__all__ = ["canonical_json", "clip", "sha256_hex", "terminal_safe", "TRUNCATION_MARK"]

TRUNCATION_MARK = "…[truncated by mcprisk: {length} chars in full]"

# ANSI CSI/OSC sequences and C0/C1 control characters except tab and newline.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


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


def terminal_safe(text: str) -> str:
    """Strip ANSI escape sequences and control characters (keeps tab and newline) for terminal output."""
    return _CONTROL.sub("", _ANSI.sub("", text))
