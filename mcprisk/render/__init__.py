"""Renderers: one plain function per format over one Assessment; none recomputes any analysis.

``render_json`` (versioned, with a JSON Schema: ``report_schema()``; ``report_evidence`` reads its evidence table,
``expand_report`` puts back what versions 3 and 4 store once), ``render_markdown``, ``render_html``
(one self-contained page), ``render_sarif`` (SARIF 2.1.0), ``render_csv`` (tools.csv and findings.csv), and
``write_report`` to write several formats into one directory (``render_format`` gives one format's files as text;
``now`` the timestamp ``--timestamp now`` stands for). Same inputs give byte-identical output; a
timestamp appears only when one is passed.
"""

from __future__ import annotations

from ._common import now
from ._compact import expand_report
from ._csv import render_csv
from ._data import report_evidence
from ._html import render_html
from ._json import render_json, report_schema
from ._markdown import render_markdown
from ._sarif import render_sarif
from ._write import FORMATS, REPORT_FILES, check_formats, write_report
from ._write import render as render_format

__all__ = [
    "FORMATS",
    "REPORT_FILES",
    "check_formats",
    "expand_report",
    "now",
    "render_csv",
    "render_format",
    "render_html",
    "render_json",
    "render_markdown",
    "render_sarif",
    "report_evidence",
    "report_schema",
    "write_report",
]
