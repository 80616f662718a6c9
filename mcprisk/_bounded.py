"""Copy server-sent JSON with every string clipped and nesting capped, so one hostile field stays small."""

from __future__ import annotations

from typing import Any

from ._text import clip

__all__ = ["bounded", "MAX_DEPTH"]

MAX_DEPTH = 64
_TOO_DEEP = "…[nested deeper than mcprisk keeps]"


def bounded(value: Any, max_chars: int, _depth: int = 0) -> Any:
    """``value`` with strings longer than ``max_chars`` clipped (marked) and nesting cut at MAX_DEPTH."""
    if isinstance(value, str):
        return clip(value, max_chars)[0]
    if _depth >= MAX_DEPTH and isinstance(value, (dict, list)):
        return _TOO_DEEP
    if isinstance(value, dict):
        return {clip(str(k), max_chars)[0]: bounded(v, max_chars, _depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [bounded(v, max_chars, _depth + 1) for v in value]
    return value
