"""The JSON report: versioned (``format: mcprisk.report``, ``format_version: 1``), described by the JSON
Schema shipped beside this module (``report.schema.json``, draft 2020-12)."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any

from ._common import json_safe, report_data

__all__ = ["render_json", "report_schema"]


def render_json(a: Any, *, timestamp: str | dt.datetime | None = None) -> str:
    """The assessment as a JSON report: sorted keys, two-space indent, UTF-8 text, a final newline."""
    text = json.dumps(report_data(a, timestamp=timestamp), indent=2, sort_keys=True, ensure_ascii=False)
    return json_safe(text) + "\n"


def report_schema() -> dict[str, Any]:
    """The JSON report's schema (draft 2020-12), a fresh copy."""
    text = resources.files("mcprisk.render").joinpath("report.schema.json").read_text(encoding="utf-8")
    return json.loads(text)
