"""Write an assessment's reports into one directory, and nowhere else."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .._errors import RenderError

if TYPE_CHECKING:
    from ..assessment import Assessment

__all__ = ["FORMATS", "REPORT_FILES", "write_report"]

FORMATS: tuple[str, ...] = ("html", "md", "json", "sarif", "csv")
REPORT_FILES: dict[str, tuple[str, ...]] = {
    "html": ("report.html",),
    "md": ("report.md",),
    "json": ("report.json",),
    "sarif": ("report.sarif",),
    "csv": ("tools.csv", "findings.csv"),
}


def check_formats(formats: str | Sequence[str]) -> tuple[str, ...]:
    """Normalise ``"html,md"`` or ``["html", "md"]`` to known format names, in FORMATS order."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = {f.strip().lower() for f in items if f and f.strip()}
    wanted = {"md" if f == "markdown" else f for f in wanted}
    unknown = sorted(wanted - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown report format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    if not wanted:
        raise ValueError(f"no report format given; choose from {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in wanted)


def render(a: Assessment, fmt: str, *, timestamp: str | dt.datetime | None = None,
           base: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """The files of one format as ``{file name: text}``; a renderer that raises becomes a ``RenderError`` naming
    the format (callers report it; nothing is written for that format)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; choose from {', '.join(FORMATS)}")
    try:
        return _render(a, fmt, timestamp=timestamp, base=base)
    except Exception as exc:  # noqa: BLE001 - re-raised as a typed error naming the format, never swallowed
        raise RenderError(fmt, exc) from exc


def _render(a: Assessment, fmt: str, *, timestamp: str | dt.datetime | None,
            base: str | os.PathLike[str] | None) -> dict[str, str]:
    from ._csv import render_csv
    from ._html import render_html
    from ._json import render_json
    from ._markdown import render_markdown
    from ._sarif import render_sarif

    if fmt == "html":
        return {"report.html": render_html(a, timestamp=timestamp)}
    if fmt == "md":
        return {"report.md": render_markdown(a, timestamp=timestamp)}
    if fmt == "json":
        return {"report.json": render_json(a, timestamp=timestamp)}
    if fmt == "sarif":
        return {"report.sarif": render_sarif(a, timestamp=timestamp, base=base)}
    return render_csv(a)


def write_report(a: Assessment, outdir: str | os.PathLike[str], formats: str | Sequence[str] = FORMATS, *,
                 timestamp: str | dt.datetime | None = None, base: str | os.PathLike[str] | None = None
                 ) -> list[Path]:
    """Render ``formats`` and write them into ``outdir`` (created if needed); returns the paths written.

    File names are fixed (report.html, report.md, report.json, report.sarif, tools.csv, findings.csv), so
    nothing is ever written outside ``outdir`` whatever the servers are called.
    """
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in check_formats(formats):
        for name, text in render(a, fmt, timestamp=timestamp, base=base).items():
            path = out / name
            path.write_text(text, encoding="utf-8", newline="")
            written.append(path)
    return written
