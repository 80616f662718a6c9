"""The HTML report: one self-contained page a team can mail, print or attach to a ticket.

It opens with a verdict per server (where it may run, what is missing), then the charts (inline SVG), tools by
severity, resources, prompts, findings grouped by rule and server, the controls checklist, OWASP, flows, drift,
how each placement was decided and the introspection record. Detail is folded in ``<details>`` (no script):
the page reads in a few screens, and every fact is a click away. Inline CSS only, a Content-Security-Policy
that forbids every fetch, and no script. Every string that came from a server is stripped of control
characters and HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .. import __version__
from .._prose import listed
from ._common import RESOLVED, counts_text, rule_docs, stamp
from ._html_findings import findings_section
from ._html_sections import (controls_section, decisions_section, drift_section, flows_section, owasp_section,
                             record_section)
from ._budget import budget
from ._html_tables import prompts_section, resources_section, tools_section
from ._html_verdict import VERDICT_CSS, verdict_card, verdict_row
from ._markup import fold
from ._markup import text as _t
from ._svg import controls_chart, effects_chart, findings_chart, graph_chart

if TYPE_CHECKING:
    from ..assessment import Assessment

__all__ = ["CSP", "html_parts", "render_html"]

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
GRAPH_OPEN_UP_TO = 40  # tools: a bigger graph is folded (one click away)
CARDS_UP_TO = 6  # servers: more read as one verdict line each, their cards folded

_CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa;
  --critical: #8b1a1a; --high: #c2410c; --medium: #b7791f; --low: #2b7bb9; --info: #6b7280;
  --read_only: #00855f; --reversible: #2b7bb9; --high_cost: #b7791f; --customer_visible: #a3487f;
  --destructive: #c2410c; --ok: #00855f; --warn: #b7791f; --stop: #b42318; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); margin: 0 auto; max-width: 1180px; padding: 20px 28px 48px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 2px; } h2 { font-size: 18px; margin: 26px 0 8px; padding-bottom: 3px;
  border-bottom: 2px solid var(--line); } h3 { font-size: 16px; margin: 0 0 4px; }
p { margin: 5px 0; } .muted { color: var(--muted); } .small { font-size: 12px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
code { background: var(--soft); padding: 0 3px; border-radius: 3px; }
nav.toc { margin: 6px 0 0; font-size: 13px; } nav.toc a { margin-right: 12px; color: var(--muted); }
.verdicts { display: grid; gap: 12px; }
.verdict { border: 1px solid var(--line); border-left: 8px solid var(--muted); border-radius: 6px;
  padding: 12px 16px; background: #fff; break-inside: avoid; }
.verdict.ok { border-left-color: var(--ok); } .verdict.warn { border-left-color: var(--warn); }
.verdict.stop { border-left-color: var(--stop); }
.verdict .headline { font-size: 15px; font-weight: 600; margin: 2px 0 6px; }
.verdict dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0 0; }
.verdict dt { color: var(--muted); } .verdict dd { margin: 0; }
.chip { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 12px; font-weight: 600;
  color: #fff; background: var(--muted); margin: 1px 3px 1px 0; white-space: nowrap; }
.chip.outline { background: #fff; color: var(--ink); border: 1px solid var(--line); font-weight: 500; }
.sev-critical { background: var(--critical); } .sev-high { background: var(--high); }
.sev-medium { background: var(--medium); } .sev-low { background: var(--low); } .sev-info { background: var(--info); }
.eff-read_only { background: var(--read_only); } .eff-reversible { background: var(--reversible); }
.eff-high_cost { background: var(--high_cost); } .eff-customer_visible { background: var(--customer_visible); }
.eff-destructive { background: var(--destructive); }
.st-verified { background: #d9f2e6; } .st-declared { background: #dbeafe; } .st-missing { background: #fde2dd;
  font-weight: 700; color: var(--stop); } .st-not_applicable { color: #8c959f; }
.st-resolved { background: #e5e7eb; color: var(--ink); }
.st-checked { background: #d9f2e6; } .st-partly { background: #fff4d6; } .st-not_visible { background: #e5e7eb; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; } tr { break-inside: avoid; }
table.tools th:nth-child(1) { width: 21%; } table.tools th:nth-child(2) { width: 15%; }
table.tools th:nth-child(3) { width: 12%; } table.tools th:nth-child(4) { width: 9%; }
table.tools th:nth-child(5) { width: 15%; } table.tools td:first-child { overflow-wrap: anywhere; }
table.matrix { table-layout: fixed; } table.matrix td, table.matrix th { text-align: center; font-size: 11.5px;
  padding: 4px 3px; overflow-wrap: anywhere; } table.matrix th { overflow-wrap: normal; }
table.matrix th .mono { font-size: 10.5px; } table.matrix th.row { width: 150px; }
table.matrix th.row, table.matrix td.row { text-align: left; }
ul.evidence, ul.subjects { margin: 4px 0 0; padding-left: 18px; font-size: 12.5px; }
ul.evidence li, ul.subjects li { margin: 1px 0; } ul.subjects li { margin-bottom: 4px; }
.desc { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12.5px; color: #333; margin: 4px 0;
  padding: 6px 8px; background: var(--soft); border-radius: 4px; }
details > summary { cursor: pointer; } details.more > summary { color: var(--muted); font-size: 12.5px; }
details.finding { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; margin: 6px 0;
  break-inside: avoid; } details.finding[open] { padding-bottom: 10px; }
details.finding.resolved { opacity: 0.75; }
details.section { margin: 6px 0; } details.section > summary { font-size: 13.5px; }
figure { margin: 8px 0; break-inside: avoid; } figure svg.chart { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 12px; color: var(--muted); }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 6px 20px; } .charts .wide { grid-column: 1 / -1; }
.split { margin: 0; } .split .mono { background: var(--soft); padding: 0 3px; border-radius: 3px; }
.notice { padding: 10px 14px; border-radius: 6px; background: #fff7e6; border: 1px solid #f3d19e; }
footer { margin-top: 32px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--line); padding-top: 8px; }
@page { margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; } nav.toc { display: none; }
  h2 { break-after: avoid; } .charts { grid-template-columns: 1fr; }
  .chip, .badge, .mark, .verdict, .st-missing, .st-verified, .st-declared, th { -webkit-print-color-adjust: exact;
    print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"""


def _figure(svg: str, caption: str, *, wide: bool = False) -> str:
    cls = ' class="wide"' if wide else ""
    return f"<figure{cls}>{svg}<figcaption>{_t(caption)}</figcaption></figure>"


def _charts(a: Assessment) -> str:
    graph = _figure(graph_chart(a), "What each server's tools can reach: credentials on the left, data stores and "
                                    "outside parties on the right.", wide=True)
    if len(a.tools) > GRAPH_OPEN_UP_TO:
        graph = f'<div class="wide">{fold(f"The capability graph ({len(a.tools)} tools)", graph, "section")}</div>'
    parts = [
        _figure(effects_chart(a), "Tools per server, by the most severe thing a call can do."),
        _figure(findings_chart(a), "Findings by severity; resolved ones (accepted, mitigated, false positive) pale."),
        _figure(controls_chart(a), "Each control's status for the recommended placement; dashed: not needed there, "
                                   "but missing for the next pattern the server's audience calls for.", wide=True),
        graph,
    ]
    return f'<section id="charts"><h2>At a glance</h2><div class="charts">{"".join(parts)}</div></section>'


def render_html(a: Assessment, *, timestamp: str | dt.datetime | None = None, charts: bool = True,
                title: str | None = None) -> str:
    """The assessment as one self-contained HTML page (no script, no external resource).

    ``charts=False`` leaves out the charts (inline SVG drawn from the assessment).
    """
    return "".join(html_parts(a, timestamp=timestamp, charts=charts, title=title))


def html_parts(a: Assessment, *, timestamp: str | dt.datetime | None = None, charts: bool = True,
               title: str | None = None) -> Iterator[str]:
    """The page of ``render_html`` in pieces, in order, each section drawn when it is asked for: written piece by
    piece, a scan holds one section at a time, never the whole page and its copies (its memory peak)."""
    docs = rule_docs(a)
    b = budget(a)
    names = listed(a.servers, 3) or "no servers"
    title = title or f"mcprisk report: {names}"
    ts = stamp(timestamp)
    n_open = sum(1 for f in a.findings if f.status not in RESOLVED)
    meta = (f"{len(a.snapshots)} server(s) &middot; {len(a.tools)} tool(s) &middot; findings: "
            f"{_t(counts_text(a.findings))} ({n_open} open) &middot; {len(a.flows)} flow(s)")
    incomplete = [s for s in a.snapshots if s.status != "complete"]
    warn = ""
    if incomplete:
        warn = ('<p class="notice">Not every server could be introspected completely: '
                + ", ".join(f"{_t(s.name)} ({_t(s.status)})" for s in incomplete)
                + ". What they did not list is not assessed.</p>")
    # A few servers read as cards; a whole organisation's as one line each, its card a click away.
    card = verdict_row if len(a.snapshots) > CARDS_UP_TO else verdict_card
    verdicts = "".join(card(a, s, b) for s in a.snapshots) or '<p class="muted">No servers.</p>'
    toc = "".join(f'<a href="#{k}">{v}</a>' for k, v in (
        ("verdict", "Verdict"), ("charts", "At a glance"), ("tools", "Tools"), ("resources", "Resources"),
        ("prompts", "Prompts"), ("findings", "Findings"),
        ("controls", "Controls"), ("owasp", "OWASP"), ("flows", "Flows")) if charts or k != "charts")
    if a.drift is not None:
        toc += '<a href="#drift">Drift</a>'
    toc += '<a href="#decisions">Decisions</a><a href="#record">Record</a>' if a.placements else \
        '<a href="#record">Record</a>'
    yield ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
           "<meta name=\"referrer\" content=\"no-referrer\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<meta name=\"color-scheme\" content=\"light\">\n"
           f"<title>{_t(title)}</title>\n<style>{_CSS}{VERDICT_CSS}</style>\n</head>\n<body>\n")
    yield (f"<header><h1>{_t(title)}</h1><p class=\"muted\">{meta}</p><nav class=\"toc\">{toc}</nav></header>"
           f'<section id="verdict"><h2>Verdict: where may each server run?</h2>{warn}'
           f'<div class="verdicts">{verdicts}</div></section>')
    del verdicts
    if charts:
        yield _charts(a)
    yield tools_section(a, b)
    yield resources_section(a, b)
    yield prompts_section(a, b)
    yield findings_section(a, docs, b)
    yield controls_section(a)
    yield owasp_section(a)
    yield flows_section(a)
    yield drift_section(a)
    yield decisions_section(a, b)
    yield record_section(a)
    yield (f"<footer>Generated by mcprisk {_t(__version__)}" + (f" at {_t(ts)}" if ts else "")
           + ". mcprisk lists what servers expose without calling their tools; every text above that came from a "
             "server is shown as data, never as markup.</footer>")
    yield "\n</body>\n</html>\n"
