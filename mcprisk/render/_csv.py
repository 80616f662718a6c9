"""CSV exports for spreadsheets: one row per tool (tools.csv) and one per finding (findings.csv).

Cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return) get a leading apostrophe, so server text can never run as a formula (CWE-1236).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..model import EFFECTS
from ._common import tools_by_severity, visible

if TYPE_CHECKING:
    from ..assessment import Assessment

__all__ = ["csv_parts", "render_csv", "safe_cell"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

TOOL_COLUMNS = ("server", "tool", "title", "primary", *EFFECTS, "flags", "confidence", "confirm", "overridden",
                "assumed_worst", "disabled", "why", "evidence", "description", "fingerprint")
FINDING_COLUMNS = ("id", "severity", "status", "code", "title", "server", "subject", "message", "evidence", "tools",
                   "references", "tracking_note")


def safe_cell(value: Any) -> str:
    """A CSV cell: control characters stripped, and a quote in front of anything a spreadsheet would evaluate."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = visible(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _lines(columns: Sequence[str], rows: Iterable[dict[str, Any]], chunk: int = 200) -> Iterator[str]:
    """The CSV text of ``rows`` under a header of ``columns``, ``chunk`` rows a piece."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for i, row in enumerate(rows, 1):
        writer.writerow([safe_cell(row.get(c)) for c in columns])
        if i % chunk == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def _evidence(evidence: Sequence[Any]) -> str:
    return " | ".join(f"{e.rule} {e.source}: {e.text} ({e.detail})" for e in evidence)


def render_csv(a: Assessment) -> dict[str, str]:
    """``{"tools.csv": ..., "findings.csv": ...}``: tools most severe first, findings in report order."""
    return {name: "".join(pieces) for name, pieces in csv_parts(a).items()}


def csv_parts(a: Assessment) -> dict[str, Iterator[str]]:
    """The two files of ``render_csv`` in pieces, each row built as it is written."""
    return {"tools.csv": _lines(TOOL_COLUMNS, _tool_rows(a)), "findings.csv": _lines(FINDING_COLUMNS, _finding_rows(a))}


def _tool_rows(a: Assessment) -> Iterator[dict[str, Any]]:
    raw = {(s.name, t.name): t for s in a.snapshots for t in s.tools}
    for ta in tools_by_severity(a):
        t = raw.get((ta.server, ta.tool))
        why = ta.why
        row: dict[str, Any] = {"server": ta.server, "tool": ta.tool, "title": t.title if t else None,
                               "primary": ta.primary, "flags": ";".join(ta.flags), "confidence": ta.confidence,
                               "confirm": ta.confirm, "overridden": ta.overridden, "assumed_worst": ta.assumed_worst,
                               "disabled": ta.disabled, "why": f"{why.rule} {why.source}: {why.detail}" if why else "",
                               "evidence": _evidence(ta.evidence), "description": t.description if t else None,
                               "fingerprint": t.fingerprint if t else None}
        row.update({e: e in ta.effects for e in EFFECTS})
        yield row


def _finding_rows(a: Assessment) -> Iterator[dict[str, Any]]:
    for f in a.findings:
        yield {"id": f.id, "severity": f.severity, "status": f.status, "code": f.code, "title": f.title,
               "server": f.server, "subject": f.subject, "message": f.message, "evidence": _evidence(f.evidence),
               "tools": ";".join(f.tools), "references": ";".join(f.references), "tracking_note": f.tracking_note}
