"""The JSON report: versioned (``format: mcprisk.report``, ``format_version: 4``), described by the JSON
Schema shipped beside this module (``report.schema.json``, draft 2020-12).

The text is laid out for both diffs and size: the top levels one entry per line (a server, a tool, a finding,
an evidence item, a set of annotations), anything deeper compact on its line, nothing indented (a JSON viewer or
``jq`` indents)."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ._common import json_safe
from ._data import report_data

if TYPE_CHECKING:
    from ..assessment import Assessment

__all__ = ["json_parts", "render_json", "report_schema"]


SPREAD_DEPTH = 4  # report > servers > a server > tools > a tool: one line each down to here
ROWS = ("annotations",)  # top-level tables of objects: one object per line


def render_json(a: Assessment, *, timestamp: str | dt.datetime | None = None) -> str:
    """The assessment as a JSON report: sorted keys, UTF-8 text, a final newline; one entry per line down to a
    tool or a finding, compact below."""
    return "".join(json_parts(a, timestamp=timestamp))


def json_parts(a: Assessment, *, timestamp: str | dt.datetime | None = None) -> Iterator[str]:
    """The JSON report's text in pieces, in order (``render_json`` joins them): written piece by piece, a scan never
    holds the whole text, nor the nested copies of it that joining level by level made (its memory peak)."""
    for piece in _dump(report_data(a, timestamp=timestamp), 0):
        yield json_safe(piece)
    yield "\n"


def _dump(value: Any, depth: int) -> Iterator[str]:
    spread = isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value))
    if depth >= SPREAD_DEPTH or not spread or not value:
        yield json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    elif isinstance(value, dict):
        below = {k: SPREAD_DEPTH - 1 if depth == 0 and k in ROWS else depth + 1 for k in value}
        sep = "{\n"
        for k, v in sorted(value.items()):
            yield f"{sep}{json.dumps(k, ensure_ascii=False)}:"
            yield from _dump(v, below[k])
            sep = ",\n"
        yield "\n}"
    else:
        sep = "[\n"
        for v in value:
            yield sep
            yield from _dump(v, depth + 1)
            sep = ",\n"
        yield "\n]"


def report_schema() -> dict[str, Any]:
    """The JSON report's schema (draft 2020-12), a fresh copy."""
    text = resources.files("mcprisk.render").joinpath("report.schema.json").read_text(encoding="utf-8")
    return json.loads(text)
