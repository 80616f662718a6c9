"""How the workbook shows tables: left-aligned, wrapped text, nothing truncated, no index, the same bytes every run.

The style lives here, not in each notebook: ``table(frame)`` wraps any DataFrame, and the helpers below turn
what a notebook would otherwise print as nested dicts (drift, flows, placements) into tables.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from .._text import sha256_hex

__all__ = ["Table", "drift_table", "flows_table", "placement_table", "table"]

_STYLES = [
    {"selector": "", "props": [("border-collapse", "collapse"), ("font-size", "12.5px"), ("margin", "4px 0")]},
    {"selector": "th", "props": [("text-align", "left"), ("vertical-align", "bottom"), ("padding", "4px 8px"),
                                 ("border-bottom", "1px solid #d1d9e0"), ("background", "#f6f8fa")]},
    {"selector": "td", "props": [("text-align", "left"), ("vertical-align", "top"), ("padding", "3px 8px"),
                                 ("white-space", "normal"), ("overflow-wrap", "anywhere"),
                                 ("border-bottom", "1px solid #eef0f2")]},
    {"selector": "caption", "props": [("caption-side", "top"), ("text-align", "left"), ("font-weight", "600"),
                                      ("padding", "2px 0 4px")]},
]


class Table:
    """A DataFrame shown for reading: every text column left-aligned and wrapped (long text at most ``width``
    characters wide), no index, no "…" truncation. ``frame`` is the DataFrame itself."""

    def __init__(self, frame: Any, *, caption: str | None = None, width: int = 60) -> None:
        self.frame, self.caption, self.width = frame, caption, width
        # A stable id per table (Styler's default is random, which no notebook check could compare).
        self.uuid = "mcprisk" + sha256_hex(f"{caption}|{'|'.join(map(str, frame.columns))}|{len(frame)}")[:8]

    def _repr_html_(self) -> str:
        frame = self.frame
        try:
            styler = frame.style.set_uuid(self.uuid).hide(axis="index").set_table_styles(_STYLES)
            styler = styler.set_properties(**{"max-width": f"{self.width}ch"})
            if self.caption:
                styler = styler.set_caption(self.caption)
            return styler.to_html()
        except ImportError:  # no jinja2: plain HTML with the same alignment
            head = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
            body = frame.to_html(index=False, escape=True, border=0)
            return (f'<div style="text-align:left">{head}'
                    + body.replace("<td>", '<td style="text-align:left;vertical-align:top">') + "</div>")

    def __repr__(self) -> str:
        text = self.frame.to_string(index=False, max_colwidth=self.width) if len(self.frame) else "(no rows)"
        return (f"{self.caption}\n" if self.caption else "") + text

    def __len__(self) -> int:
        return len(self.frame)


def table(frame: Any, *, caption: str | None = None, width: int = 60) -> Table:
    """``frame`` (a DataFrame) shown left-aligned and wrapped, without its index."""
    return Table(frame, caption=caption, width=width)


def _frame(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> Any:
    import pandas as pd

    return pd.DataFrame(list(rows), columns=list(columns))


def drift_table(drift: Any) -> Table:
    """What changed since the approved snapshot, one row per server, item or instructions changed."""
    rows: list[dict[str, Any]] = []
    if drift is not None:
        rows += [{"server": n, "what": "server", "change": "added", "fields": ""} for n in drift.added_servers]
        rows += [{"server": n, "what": "server", "change": "removed", "fields": ""} for n in drift.removed_servers]
        for sd in drift.servers:
            if sd.instructions is not None:
                rows.append({"server": sd.server, "what": "instructions", "change": "changed",
                             "fields": sd.instructions.summary})
            for item in sd.items:
                rows.append({"server": sd.server, "what": f"{item.kind.rstrip('s').replace('_', ' ')} {item.key}",
                             "change": item.change, "fields": "; ".join(f.summary for f in item.fields)})
    return table(_frame(rows, ["server", "what", "change", "fields"]),
                 caption="Drift since the approved snapshot" if rows else "No drift since the approved snapshot")


def flows_table(a: Any, limit: int = 6) -> Table:
    """Untrusted source -> private data -> way out, one row per way out (sink), long lists cut with "and N more"."""
    from .._prose import listed

    groups: dict[str, tuple[set[str], set[str]]] = {}
    for f in a.flows:
        sources, private = groups.setdefault(f.sink, (set(), set()))
        sources.add(f.source)
        private.add(f.private)
    rows = [{"can leave through": sink, "untrusted content enters through": listed(sorted(src), limit),
             "private data read by": listed(sorted(priv), limit),
             "paths": sum(1 for f in a.flows if f.sink == sink)} for sink, (src, priv) in sorted(groups.items())]
    return table(_frame(rows, ["can leave through", "untrusted content enters through", "private data read by",
                               "paths"]), caption=f"{len(a.flows)} flow(s), by their way out")


def placement_table(a: Any) -> Table:
    """One row per server: the verdict, where it runs, where it may run, what is missing, how far it could go."""
    from ..placement import describe

    rows = []
    verdicts = {v.server: v for v in a.verdicts}
    for p in a.placements:
        v = verdicts.get(p.server)
        missing = [c.control for c in p.required_controls if c.status == "missing"]
        rows.append({"server": p.server, "verdict": v.label if v is not None else "",
                     "runs now": p.current or "unknown", "recommended": p.recommended,
                     "may run as": ", ".join(p.allowed), "missing": "; ".join(describe(c) for c in missing) or "-",
                     "blocked by": ", ".join(p.blocked_by) or "-",
                     "ceiling": p.ceiling.pattern if p.ceiling is not None else ""})
    return table(_frame(rows, ["server", "verdict", "runs now", "recommended", "may run as", "missing",
                               "blocked by", "ceiling"]), caption="Where each server may run")
