"""The HTML report: one self-contained page a team can mail, print or attach to a ticket.

It opens with a verdict per server (where it may run, what is missing), then the charts, tools by severity
with their evidence, findings, the controls checklist, flows, drift and the introspection record. Inline
CSS only, charts as data: PNG images, a Content-Security-Policy that forbids every fetch, and no script.
Every string that came from a server is stripped of control characters and HTML-escaped.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable
from typing import Any

from .. import __version__
from ..model import CONTROLS, EFFECTS, SEVERITIES
from ._common import owasp_rows
from ._common import (RESOLVED, control_title, counts_text, flow_groups, placement_of, rule_docs,
                      stamp, tools_by_severity, tracking_text)
from ._html_verdict import VERDICT_CSS, verdict_card
from ._markup import anchor as _anchor
from ._markup import chip as _chip
from ._markup import line as _line
from ._markup import term
from ._markup import text as _t

__all__ = ["CSP", "render_html"]

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

_CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa;
  --critical: #8b1a1a; --high: #c2410c; --medium: #b7791f; --low: #2b7bb9; --info: #6b7280;
  --read_only: #00855f; --reversible: #2b7bb9; --high_cost: #b7791f; --customer_visible: #a3487f;
  --destructive: #c2410c; --ok: #00855f; --warn: #b7791f; --stop: #b42318; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); margin: 0 auto; max-width: 1180px; padding: 24px 28px 60px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 34px 0 10px; padding-bottom: 4px;
  border-bottom: 2px solid var(--line); } h3 { font-size: 16px; margin: 0 0 6px; }
p { margin: 6px 0; } .muted { color: var(--muted); } .small { font-size: 12px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
nav.toc { margin: 10px 0 0; font-size: 13px; } nav.toc a { margin-right: 12px; color: var(--muted); }
.verdicts { display: grid; gap: 14px; }
.verdict { border: 1px solid var(--line); border-left: 8px solid var(--muted); border-radius: 6px;
  padding: 14px 18px; background: #fff; break-inside: avoid; }
.verdict.ok { border-left-color: var(--ok); } .verdict.warn { border-left-color: var(--warn); }
.verdict.stop { border-left-color: var(--stop); }
.verdict .headline { font-size: 16px; font-weight: 600; margin: 2px 0 8px; }
.verdict dl { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 8px 0 0; }
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
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; } tr { break-inside: avoid; }
table.matrix { table-layout: fixed; } table.matrix td, table.matrix th { text-align: center; font-size: 11.5px;
  padding: 5px 3px; overflow-wrap: anywhere; } table.matrix th { overflow-wrap: normal; }
table.matrix th .mono { font-size: 10.5px; } table.matrix th.row { width: 140px; }
table.matrix th.row, table.matrix td.row { text-align: left; }
ul.evidence { margin: 4px 0 0; padding-left: 18px; font-size: 12.5px; } ul.evidence li { margin: 1px 0; }
.desc { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12.5px; color: #333; margin: 4px 0;
  padding: 6px 8px; background: var(--soft); border-radius: 4px; }
.finding { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; margin: 10px 0;
  break-inside: avoid; } .finding h3 { font-size: 15px; }
.finding.resolved { opacity: 0.75; }
figure { margin: 12px 0; break-inside: avoid; } figure img { max-width: 100%; height: auto;
  border: 1px solid var(--line); border-radius: 4px; }
figcaption { font-size: 12px; color: var(--muted); }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 18px; } .charts .wide { grid-column: 1 / -1; }
.split { margin: 0; } .split .mono { background: var(--soft); padding: 0 3px; border-radius: 3px; }
.notice { padding: 10px 14px; border-radius: 6px; background: #fff7e6; border: 1px solid #f3d19e; }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--line); padding-top: 8px; }
@page { margin: 14mm; }
@media print {
  .badge, .mark { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; padding: 0; font-size: 11px; } nav.toc { display: none; }
  h2 { break-after: avoid; } .charts { grid-template-columns: 1fr; }
  .chip, .verdict, .st-missing, .st-verified, .st-declared, th { -webkit-print-color-adjust: exact;
    print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"""


def _sev(severity: str) -> str:
    return _chip(severity, f"sev-{severity}" if severity in SEVERITIES else "")


def _effect(effect: str) -> str:
    return _chip(effect.replace("_", " "), f"eff-{effect}" if effect in EFFECTS else "")


def _status_chip(status: str) -> str:
    if status == "open":
        return _chip("open", "outline")
    return _chip(status.replace("_", " "), "st-resolved" if status in RESOLVED else "outline")


def _evidence_list(evidence: Iterable[Any], docs: dict[str, Any], limit: int = 30) -> str:
    items = []
    evidence = list(evidence)
    for ev in evidence[:limit]:
        title = docs.get(ev.rule, {}).get("title", "")
        supports = ev.effect or ev.flag
        items.append(
            f'<li><span class="mono" title="{_t(title)}">{_t(ev.rule)}</span> {_t(ev.source)}: '
            f"&ldquo;{_line(ev.text, 300)}&rdquo; &mdash; {_line(ev.detail, 300)}"
            + (f' <span class="muted">({_t(supports.replace("_", " "))})</span>' if supports else "")
            + ("" if ev.weight >= 1.0 else f' <span class="muted small">weight {ev.weight:g}</span>')
            + "</li>")
    if len(evidence) > limit:
        items.append(f'<li class="muted">and {len(evidence) - limit} more (see the JSON report)</li>')
    return f'<ul class="evidence">{"".join(items)}</ul>' if items else ""


def _figure(png: bytes, alt: str, caption: str, *, wide: bool = False) -> str:
    data = base64.b64encode(png).decode("ascii")
    cls = ' class="wide"' if wide else ""
    return (f'<figure{cls}><img alt="{_t(alt)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{_t(caption)}</figcaption></figure>")


# --------------------------------------------------------------------------------------------
# Sections


def _own_placement(p: Any, tool: str) -> str:
    tp = next((t for t in getattr(p, "tools", ()) if t.tool == tool), None) if p is not None else None
    if tp is None:
        return '<span class="muted">-</span>'
    out = _chip(tp.recommended, "outline")
    if tp.own_blockers:
        out += "<br><span class=\"small\">own " + ", ".join(term(b) for b in tp.own_blockers) + "</span>"
    nxt = next(iter(tp.missing_controls), None)
    if nxt is not None and not tp.blocked_by and tp.missing_controls[nxt]:
        out += (f'<br><span class="small muted">{_t(nxt)} needs '
                + ", ".join(term(c) for c in tp.missing_controls[nxt]) + "</span>")
    return f'<span title="{_t(tp.why)}">{out}</span>'


def _charts(a: Any) -> str:
    from .. import plots

    parts = [
        _figure(plots.figure_png(plots.effects_figure(a)), "Tools per server by most severe effect",
                "Tools per server, by the most severe thing a call can do."),
        _figure(plots.figure_png(plots.findings_figure(a)), "Findings by severity",
                "Findings by severity (hatched: accepted, mitigated or false positive)."),
        _figure(plots.figure_png(plots.controls_figure(a)), "Controls coverage per server",
                "Each control's status for the recommended placement.", wide=True),
        _figure(plots.figure_png(plots.graph_figure(a)), "Capability, credential and data-store graph",
                "What each server's tools can reach: credentials on the left, data stores and outside parties "
                "on the right.", wide=True),
    ]
    return f'<section id="charts"><h2>At a glance</h2><div class="charts">{"".join(parts)}</div></section>'


def _tools(a: Any, docs: dict[str, Any]) -> str:
    if not a.tools:
        return '<section id="tools"><h2>Tools</h2><p class="muted">No tools were listed.</p></section>'
    descriptions = {(s.name, t.name): t for s in a.snapshots for t in s.tools}
    marks = a.tool_marks()
    rows = []
    for ta in tools_by_severity(a):
        raw = descriptions.get((ta.server, ta.tool))
        flagged = "".join(
            f'<br><a class="mark{" resolved" if f.status in RESOLVED else ""}" href="#{_anchor("finding", f.id)}" '
            f'title="{_t(f.message)}">&#9873; {_t(f.title)} ({_t(f.code)})</a>' for f in marks.get(ta.key, ()))
        notes = []
        if ta.assumed_worst:
            notes.append(_chip("assumed worst", "sev-high"))
        if ta.overridden:
            notes.append(_chip("operator override", "outline"))
        if ta.disabled:
            notes.append(_chip("disabled", "outline"))
        if ta.confirm:
            notes.append(f'<br><span class="small muted">read at its severe reading; confirm in '
                         f'<span class="mono">{_t(ta.confirm)}</span></span>')
        desc = raw.description if raw is not None and raw.description else ""
        title = raw.title if raw is not None and raw.title and raw.title != ta.tool else ""
        rows.append(
            f'<tr id="{_anchor("tool", ta.server + "/" + ta.tool)}">'
            f'<td><b class="mono">{_t(ta.tool)}</b><br><span class="muted small">{_t(ta.server)}</span>'
            + (f'<br><span class="small">{_t(title)}</span>' if title else "") + flagged + "</td>"
            f"<td>{_effect(ta.primary)}</td>"
            f"<td>{' '.join(_effect(e) for e in ta.effects if e != ta.primary) or '<span class=muted>-</span>'}</td>"
            f"<td>{'<br>'.join(_t(f.replace('_', ' ')) for f in ta.flags) or '<span class=muted>-</span>'}</td>"
            f"<td>{_t(ta.confidence)} {' '.join(notes)}</td>"
            f"<td>{_own_placement(placement_of(a, ta.server), ta.tool)}</td>"
            f"<td>" + (f'<div class="desc">{_t(desc)}</div>' if desc else "")
            + _evidence_list(ta.evidence, docs) + "</td></tr>")
    return ('<section id="tools"><h2>Tools by severity</h2>'
            '<p class="muted">Most severe first. Descriptions are shown as the server sent them; invisible '
            'characters appear as &#10216;U+XXXX&#10217;. Annotations are the author\'s claims, weighed as evidence.</p>'
            "<table><thead><tr><th>tool</th><th>primary effect</th><th>other effects</th><th>flags</th>"
            "<th>confidence</th><th title=\"where the tool could be offered on its own\">own placement</th>"
            "<th>description and evidence</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></section>")


def _resources(a: Any, docs: dict[str, Any]) -> str:
    head = ('<section id="resources"><h2>Resources</h2><p class="muted">Who may read this data, and can access be '
            "audited or revoked? Each resource and template is flagged for the data it exposes.</p>")
    resources = getattr(a, "resources", ())
    if not resources:
        return head + "<p>No resources were listed.</p></section>"
    descriptions = {(s.name, r.uri): r for s in a.snapshots for r in s.resources}
    descriptions.update({(s.name, r.uri_template): r for s in a.snapshots for r in s.resource_templates})
    rows = []
    for r in resources:
        raw = descriptions.get(r.key)
        desc = raw.description if raw is not None and raw.description else ""
        rows.append(f"<tr><td><b class=\"mono\">{_line(r.uri, 300)}</b><br><span class=\"muted small\">"
                    f"{_t(r.server)} &middot; {_t(r.kind)}</span></td>"
                    f"<td>{'<br>'.join(_t(f.replace('_', ' ')) for f in r.flags) or '<span class=muted>-</span>'}</td>"
                    "<td>" + (f'<div class="desc">{_t(desc)}</div>' if desc else "")
                    + _evidence_list(r.evidence, docs) + "</td></tr>")
    return (head + "<table><thead><tr><th>resource</th><th>flags</th><th>description and evidence</th></tr></thead>"
            "<tbody>" + "".join(rows) + "</tbody></table></section>")


def _prompts(a: Any, docs: dict[str, Any]) -> str:
    head = ('<section id="prompts"><h2>Prompts</h2><p class="muted">Which tools and resources each prompt assumes. '
            "A prompt weighs as much as the most severe enabled tool it drives.</p>")
    prompts = getattr(a, "prompts", ())
    if not prompts:
        return head + "<p>No prompts were listed.</p></section>"
    rows = []
    for p in prompts:
        mono = lambda xs: ", ".join(f'<span class="mono">{_line(x, 200)}</span>' for x in xs)  # noqa: E731
        rows.append(f"<tr><td><b class=\"mono\">{_t(p.prompt)}</b><br><span class=\"muted small\">"
                    f"{_t(p.server)}</span></td><td>{_effect(p.weight)}</td>"
                    f"<td>{mono(p.drives) or '<span class=muted>-</span>'}</td>"
                    f"<td>{mono(p.resources) or '<span class=muted>-</span>'}</td>"
                    f"<td>{mono(p.ungated) or '<span class=muted>-</span>'}</td>"
                    f"<td>{_evidence_list(p.evidence, docs)}</td></tr>")
    return (head + "<table><thead><tr><th>prompt</th><th>weight</th><th>drives</th><th>names resources</th>"
            "<th>no approval gate</th><th>evidence</th></tr></thead><tbody>" + "".join(rows)
            + "</tbody></table></section>")


def _findings(a: Any, docs: dict[str, Any]) -> str:
    if not a.findings:
        return '<section id="findings"><h2>Findings</h2><p>No findings.</p></section>'
    parts = []
    for f in a.findings:
        resolved = f.status in RESOLVED
        doc = docs.get(f.code, {})
        refs = ", ".join(_t(r) for r in f.references)
        involved = ", ".join(f'<span class="mono">{_t(t)}</span>' for t in f.tools[:12])
        if len(f.tools) > 12:
            involved += f" and {len(f.tools) - 12} more"
        parts.append(
            f'<div class="finding{" resolved" if resolved else ""}" id="{_anchor("finding", f.id)}">'
            f"<h3>{_sev(f.severity)} {_t(f.title)}</h3>"
            f'<p class="small"><span class="mono">{_t(f.id)}</span> &middot; {_status_chip(f.status)}'
            + (f" {_t(tracking_text(f))}" if f.tracking_note else "") + "</p>"
            f"<p>{_t(f.message)}</p>"
            + _evidence_list(f.evidence, docs)
            + (f'<p class="small muted">Tools: {involved}</p>' if involved else "")
            + (f'<p class="small muted">{_t(doc.get("description", ""))}</p>' if doc.get("description") else "")
            + (f'<p class="small muted">References: {refs}</p>' if refs else "")
            + "</div>")
    return (f'<section id="findings"><h2>Findings</h2><p>{_t(counts_text(a.findings))}.</p>'
            + "".join(parts) + "</section>")


def _controls(a: Any) -> str:
    head = ('<section id="controls"><h2>Controls checklist</h2>'
            '<p class="muted">Each control&#39;s status for the server&#39;s recommended placement: verified (a probe '
            "saw it), declared (the inventory says so), missing, or not applicable there.</p>")
    if not a.placements:
        return head + '<p class="notice">Placement not computed: no control statuses to show.</p></section>'
    # Control ids are mcprisk's own vocabulary: a break opportunity after each underscore keeps the table narrow.
    header = "".join(f'<th title="{_t(control_title(c))}"><span class="mono">{_t(c).replace("_", "_<wbr>")}</span></th>'
                     for c in CONTROLS)
    rows, missing = [], []
    for snap in a.snapshots:
        p = placement_of(a, snap.name)
        if p is None:
            rows.append(f'<tr><td class="row">{_t(snap.name)}</td><td colspan="{len(CONTROLS)}" class="muted">'
                        "placement not computed</td></tr>")
            continue
        by = {c.control: c for c in p.required_controls}
        cells = []
        for control in CONTROLS:
            c = by.get(control)
            if c is None:
                cells.append('<td class="muted">-</td>')
                continue
            tip = c.why + (f" ({c.evidence})" if getattr(c, "evidence", "") else "")
            label = {"not_applicable": "n/a"}.get(c.status, c.status)
            cells.append(f'<td class="st-{_t(c.status)}" title="{_t(tip)}">{_t(label)}</td>')
            if c.status == "missing":
                missing.append((snap.name, c))
        rows.append(f'<tr><td class="row"><b>{_t(snap.name)}</b><br><span class="small muted">for '
                    f"{_t(p.recommended)}</span></td>{''.join(cells)}</tr>")
    table = (f'<table class="matrix"><thead><tr><th class="row">server</th>{header}</tr></thead>'
             f"<tbody>{''.join(rows)}</tbody></table>")
    detail = ""
    if missing:
        items = "".join(f"<tr><td>{_t(s)}</td><td><span class=\"mono\">{_t(c.control)}</span><br>"
                        f"<span class=\"small muted\">{_t(control_title(c.control))}</span></td>"
                        f"<td>{_t(c.why)}</td><td>{_t(getattr(c, 'evidence', ''))}</td></tr>" for s, c in missing)
        detail = ("<h3>Missing</h3><table><thead><tr><th>server</th><th>control</th><th>why it is required</th>"
                  f"<th>what was seen</th></tr></thead><tbody>{items}</tbody></table>")
    return head + table + detail + "</section>"


def _owasp(a: Any) -> str:
    """The OWASP MCP Top 10 (2025): how far mcprisk evidences each item, and what it cannot see."""
    rows = []
    for item in owasp_rows(a):
        codes = ", ".join(item["codes"]) or "-"
        hits = f'<b>{item["findings"]}</b>' if item["findings"] else "0"
        rows.append(f'<tr><td class="row"><span class="mono">{_t(item["id"])}</span><br>{_t(item["title"])}</td>'
                    f'<td class="st-{_t(item["status"])}">{_t(item["status"].replace("_", " "))}</td>'
                    f'<td>{hits}</td><td>{_t(item["checks"])}<br><span class="small muted">{_t(codes)}</span></td>'
                    f'<td class="small">{_t(item["cannot_see"])}</td></tr>')
    return ('<section id="owasp"><h2>OWASP MCP Top 10 (2025)</h2><p class="muted">How far this report evidences '
            "each item: checked (mcprisk tests it), partly, or not visible (only source code, run time or the "
            "operator can show it). Open findings are counted per item.</p>"
            "<table><thead><tr><th>item</th><th>coverage</th><th>open findings</th><th>what mcprisk checks (codes)"
            f"</th><th>what mcprisk cannot see</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>")


def _flows(a: Any) -> str:
    head = '<section id="flows"><h2>Flows</h2>'
    if not a.flows:
        return head + ("<p>No path from untrusted content through private data to an outside destination "
                       "within one agent.</p></section>")
    rows = []
    for sink, sources, private in flow_groups(a):
        rows.append(f"<tr><td>{', '.join(f'<span class=mono>{_t(s)}</span>' for s in sources)}</td>"
                    f"<td>{', '.join(f'<span class=mono>{_t(p)}</span>' for p in private)}</td>"
                    f"<td><span class=\"mono\">{_t(sink)}</span></td></tr>")
    cross = sum(1 for f in a.flows if f.cross_server)
    return (head + f"<p>{len(a.flows)} path(s) from untrusted content, through a tool that reads private data, "
            f"to a tool that can send it out" + (f" ({cross} across servers)" if cross else "") +
            ". Grouped by the way out:</p><table><thead><tr><th>untrusted content enters through</th>"
            "<th>private data read by</th><th>can leave through</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></section>")


def _drift(a: Any) -> str:
    drift = getattr(a, "drift", None)
    if drift is None:
        return ""
    head = '<section id="drift"><h2>Drift since the approved snapshot</h2>'
    if not drift.changed:
        return head + "<p>Nothing changed since the approved snapshot.</p></section>"
    rows = []
    for name in drift.added_servers:
        rows.append(f"<tr><td>{_t(name)}</td><td>server</td><td>{_chip('added', 'sev-medium')}</td><td></td></tr>")
    for name in drift.removed_servers:
        rows.append(f"<tr><td>{_t(name)}</td><td>server</td><td>{_chip('removed', 'sev-low')}</td><td></td></tr>")
    for sd in drift.servers:
        if sd.instructions is not None:
            rows.append(f"<tr><td>{_t(sd.server)}</td><td>instructions</td><td>{_chip('changed', 'sev-high')}</td>"
                        f"<td>{_t(sd.instructions.summary)}{_before_after(sd.instructions)}</td></tr>")
        for item in sd.items:
            cls = {"changed": "sev-high", "added": "sev-medium", "removed": "sev-low"}[item.change]
            fields = "".join(f"<li>{_t(fc.summary)}{_before_after(fc)}</li>" for fc in item.fields)
            rows.append(f"<tr><td>{_t(sd.server)}</td><td>{_t(item.kind.rstrip('s').replace('_', ' '))} "
                        f"<span class=\"mono\">{_t(item.key)}</span></td><td>{_chip(item.change, cls)}</td>"
                        f"<td>{f'<ul class=evidence>{fields}</ul>' if fields else ''}</td></tr>")
        if sd.not_compared:
            rows.append(f"<tr><td>{_t(sd.server)}</td><td colspan=\"3\" class=\"muted\">not compared (could not be "
                        f"listed): {_t(', '.join(sd.not_compared))}</td></tr>")
    return (head + "<table><thead><tr><th>server</th><th>what</th><th>change</th><th>fields</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></section>")


def _before_after(fc: Any) -> str:
    if fc.field not in ("description", "instructions", "title"):
        return ""
    before = "" if fc.before is None else fc.before
    after = "" if fc.after is None else fc.after
    return (f'<div class="small muted">before:</div><div class="desc">{_t(before)}</div>'
            f'<div class="small muted">after:</div><div class="desc">{_t(after)}</div>')


def _decisions(a: Any) -> str:
    if not a.placements:
        return ""
    parts = []
    for p in a.placements:
        steps = "".join(f"<tr><td class=\"mono\">{_t(s.id)}</td><td>{_t(s.question)}</td><td>{_t(s.answer)}</td>"
                        f"<td>{'; '.join(_t(e) for e in s.evidence)}</td></tr>" for s in p.rationale)
        nogo = "".join(f"<tr><td class=\"mono\">{_t(n.id)}</td><td>{_t(n.title)}"
                       + (' <span class="muted">(assumed)</span>' if getattr(n, "assumed", False) else "")
                       + f"</td><td><ul class=\"evidence\">{''.join(f'<li>{_t(e)}</li>' for e in n.evidence)}</ul>"
                       "</td></tr>" for n in p.no_go)
        assumptions = "".join(f"<li>{_t(x)}</li>" for x in p.assumptions)
        parts.append(
            f"<h3>{_t(p.server)}</h3>"
            "<table><thead><tr><th>step</th><th>question</th><th>answer</th><th>because</th></tr></thead>"
            f"<tbody>{steps}</tbody></table>"
            + ("<table><thead><tr><th>no-go sign</th><th>title</th><th>evidence</th></tr></thead>"
               f"<tbody>{nogo}</tbody></table>" if nogo else "")
            + (f'<p class="small"><b>Assumed where the inventory is silent:</b></p><ul class="evidence">{assumptions}</ul>'
               if assumptions else ""))
    return '<section id="decisions"><h2>How the placement was decided</h2>' + "".join(parts) + "</section>"


def _record(a: Any) -> str:
    rows = []
    for snap in a.snapshots:
        info = snap.server_info or {}
        source = snap.server.source
        where = f"{source.path}:{source.line}" if source is not None and source.line else (
            source.path if source is not None else "")
        issues = "".join(f"<li>{'error' if e.fatal else 'note'}: {_t(e.stage)}: {_t(e.code)}: {_line(e.message, 400)}"
                         "</li>" for e in snap.errors)
        posture = a.postures.get(snap.name) if a.postures else None
        checks = ""
        if posture is not None and getattr(posture, "checks", None):
            checks = ("<table><thead><tr><th>probe check</th><th>outcome</th><th>received</th><th>meaning</th></tr>"
                      "</thead><tbody>" + "".join(
                          f"<tr><td class=\"mono\">{_t(c.id)}</td><td>{_t(c.outcome)}</td><td>{_line(c.received, 200)}"
                          f"</td><td>{_t(c.meaning)}</td></tr>" for c in posture.checks) + "</tbody></table>")
        counts_line = ", ".join(f"{len(getattr(snap, k))} {k.replace('_', ' ')}"
                                for k in ("tools", "resources", "resource_templates", "prompts"))
        rows.append(
            f"<h3>{_t(snap.name)} <span class=\"small muted\">{_t(snap.status)}</span></h3>"
            f"<p class=\"small\">{_t(info.get('name', '?'))} {_t(info.get('version', ''))}"
            f" &middot; {_t(snap.server.transport)}: <span class=\"mono\">{_line(snap.server.target, 300)}</span>"
            f" &middot; {_t(snap.era or '?')} {_t(snap.protocol_version or '')} &middot; {_t(counts_line)}"
            + (f" &middot; config <span class=\"mono\">{_t(where)}</span>" if where else "") + "</p>"
            + (f'<ul class="evidence">{issues}</ul>' if issues else "") + checks)
    failures = "".join(f"<li><span class=\"mono\">{_t(r.rule)}</span> on {_t(r.subject)}: {_line(r.error, 300)}</li>"
                       for r in a.rule_failures)
    unmatched = "".join(f"<li>{_t(getattr(u, 'pattern', u))} ({_t(getattr(u, 'status', ''))})</li>"
                        for u in a.unmatched_tracking)
    return ('<section id="record"><h2>Introspection record</h2>' + "".join(rows)
            + (f'<h3>Rules that failed</h3><p class="small">A failed rule is reported, never read as '
               f'&ldquo;no finding&rdquo;.</p><ul class="evidence">{failures}</ul>' if failures else "")
            + (f'<h3>Tracking entries that matched nothing</h3><ul class="evidence">{unmatched}</ul>'
               if unmatched else "")
            + "</section>")


def render_html(a: Any, *, timestamp: str | dt.datetime | None = None, charts: bool = True,
                title: str | None = None) -> str:
    """The assessment as one self-contained HTML page (no script, no external resource).

    ``charts=False`` leaves out the embedded figures (smaller, and independent of the matplotlib version).
    """
    docs = rule_docs(a)
    names = ", ".join(a.servers) or "no servers"
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
    verdicts = "".join(verdict_card(a, s) for s in a.snapshots) or '<p class="muted">No servers.</p>'
    toc = "".join(f'<a href="#{k}">{v}</a>' for k, v in (
        ("verdict", "Verdict"), ("charts", "At a glance"), ("tools", "Tools"), ("resources", "Resources"),
        ("prompts", "Prompts"), ("findings", "Findings"),
        ("controls", "Controls"), ("owasp", "OWASP"), ("flows", "Flows")) if charts or k != "charts")
    if getattr(a, "drift", None) is not None:
        toc += '<a href="#drift">Drift</a>'
    toc += '<a href="#decisions">Decisions</a><a href="#record">Record</a>' if a.placements else \
        '<a href="#record">Record</a>'
    body = (
        f"<header><h1>{_t(title)}</h1><p class=\"muted\">{meta}</p><nav class=\"toc\">{toc}</nav></header>"
        f'<section id="verdict"><h2>Verdict: where may each server run?</h2>{warn}'
        f'<div class="verdicts">{verdicts}</div></section>'
        + (_charts(a) if charts else "")
        + _tools(a, docs) + _resources(a, docs) + _prompts(a, docs) + _findings(a, docs)
        + _controls(a) + _owasp(a) + _flows(a) + _drift(a) + _decisions(a) + _record(a)
        + f"<footer>Generated by mcprisk {_t(__version__)}" + (f" at {_t(ts)}" if ts else "")
        + ". mcprisk lists what servers expose without calling their tools; every text above that came from a "
          "server is shown as data, never as markup.</footer>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
            "<meta name=\"referrer\" content=\"no-referrer\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"color-scheme\" content=\"light\">\n"
            f"<title>{_t(title)}</title>\n<style>{_CSS}{VERDICT_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")
