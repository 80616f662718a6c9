"""Copy server-sent JSON with every string clipped and nesting capped, so one hostile field stays small."""

from __future__ import annotations

from typing import Any

from ._text import clip

__all__ = ["MAX_DEPTH", "NUMBER_TOO_LONG", "TOO_DEEP", "bounded", "lost_parts"]

MAX_DEPTH = 64
TOO_DEEP = "…[nested deeper than mcprisk keeps]"
NUMBER_TOO_LONG = "…[a number too long for mcprisk to keep]"
_MARKERS = (TOO_DEEP, NUMBER_TOO_LONG)


def bounded(value: Any, max_chars: int, _depth: int = 0, _lost: set[str] | None = None) -> Any:
    """``value`` with strings longer than ``max_chars`` clipped (marked) and nesting cut at MAX_DEPTH.

    ``_lost`` (when given) collects which markers the copy holds: what the wire guard or this cut replaced.
    """
    if isinstance(value, str):
        if _lost is not None and value in _MARKERS:
            _lost.add(value)
        return clip(value, max_chars)[0]
    if _depth >= MAX_DEPTH and isinstance(value, (dict, list)):
        if _lost is not None:
            _lost.add(TOO_DEEP)
        return TOO_DEEP
    if isinstance(value, dict):
        return {clip(str(k), max_chars)[0]: bounded(v, max_chars, _depth + 1, _lost) for k, v in value.items()}
    if isinstance(value, list):
        return [bounded(v, max_chars, _depth + 1, _lost) for v in value]
    return value


def lost_parts(lost: set[str]) -> list[str]:
    """The problems to note on an item whose copy holds these markers."""
    out = []
    if TOO_DEEP in lost:
        out.append(f"definition incomplete: nested deeper than {MAX_DEPTH} levels; the deeper part was not kept")
    if NUMBER_TOO_LONG in lost:
        out.append("definition incomplete: a number too long to decode was replaced")
    return out
