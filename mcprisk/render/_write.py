"""Write an assessment's reports into one directory, and nowhere else."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Sequence
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


def _pieces(a: Assessment, fmt: str, *, timestamp: str | dt.datetime | None,
            base: str | os.PathLike[str] | None) -> dict[str, Iterable[str]]:
    """The files of one format as ``{file name: its text in pieces}``: HTML, JSON and CSV, the large reports, as
    generators drawn while they are written (a scan then never holds a whole page and the copies joining makes);
    the others whole."""
    if fmt == "html":
        from ._html import html_parts

        return {"report.html": html_parts(a, timestamp=timestamp)}
    if fmt == "json":
        from ._json import json_parts

        return {"report.json": json_parts(a, timestamp=timestamp)}
    if fmt == "csv":
        from ._csv import csv_parts

        return dict(csv_parts(a))
    return {name: (text,) for name, text in _render(a, fmt, timestamp=timestamp, base=base).items()}


def _drawn(fmt: str, pieces: Iterable[str]) -> Iterator[str]:
    """``pieces``, a renderer's exception among them raised as a ``RenderError`` naming the format (as ``render``)."""
    it = iter(pieces)
    while True:
        try:
            piece = next(it)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - re-raised as a typed error naming the format, never swallowed
            raise RenderError(fmt, exc) from exc
        yield piece


def _write_one(a: Assessment, fmt: str, out: Path, timestamp: str | dt.datetime | None,
               base: str | os.PathLike[str] | None) -> list[Path]:
    """Write one format's files, each first to a hidden partial file renamed over its name once complete: a
    renderer that raises half-way leaves no file (and an earlier report of that name untouched)."""
    try:
        files = _pieces(a, fmt, timestamp=timestamp, base=base)
    except Exception as exc:  # noqa: BLE001 - as above
        raise RenderError(fmt, exc) from exc
    written = []
    for name, pieces in files.items():
        path, partial = out / name, out / f".{name}.partial"
        try:
            with open(partial, "w", encoding="utf-8", newline="") as fh:
                for piece in _drawn(fmt, pieces):
                    fh.write(piece)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        written.append(path)
    return written


def write_report(a: Assessment, outdir: str | os.PathLike[str], formats: str | Sequence[str] = FORMATS, *,
                 timestamp: str | dt.datetime | None = None, base: str | os.PathLike[str] | None = None
                 ) -> list[Path]:
    """Render ``formats`` and write them into ``outdir`` (created if needed); returns the paths written.

    File names are fixed (report.html, report.md, report.json, report.sarif, tools.csv, findings.csv), so
    nothing is ever written outside ``outdir`` whatever the servers are called. Each format is written as it is
    drawn and dropped before the next (the reports' memory is one format's at a time).
    """
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in check_formats(formats):
        written += _write_one(a, fmt, out, timestamp, base)
    return written
