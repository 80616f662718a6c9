"""The HTML report's reference sections: controls, OWASP MCP Top 10, flows, drift, how each placement was decided,
and the introspection record. Long tables and lists are folded; a cut list says how many it leaves out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model import CONTROLS
from ._budget import Budget
from ._common import control_title, flow_groups, owasp_rows, placement_of
from ._markup import chip, fold, line, listed, prose, text

__all__ = ["controls_section", "decisions_section", "drift_section", "flows_section", "owasp_section",
           "record_section"]

if TYPE_CHECKING:
    from ..assessment import Assessment

_LABEL = {"not_applicable": "n/a"}


def controls_section(a: Assessment) -> str:
    head = ('<section id="controls"><h2>Controls checklist</h2>'
            '<p class="muted">Each control&#39;s status for the server&#39;s recommended placement: verified (a probe '
            "saw it), declared (the inventory says so), missing, or not applicable there.</p>")
    if not a.placements:
        return head + '<p class="notice">Placement not computed: no control statuses to show.</p></section>'
    header = "".join(f'<th title="{text(control_title(c))}"><span class="mono">{text(c).replace("_", "_<wbr>")}'
                     "</span></th>" for c in CONTROLS)
    rows, missing = [], []
    for snap in a.snapshots:
        p = placement_of(a, snap.name)
        if p is None:
            rows.append(f'<tr><td class="row">{text(snap.name)}</td><td colspan="{len(CONTROLS)}" class="muted">'
                        "placement not computed</td></tr>")
            continue
        by = {c.control: c for c in p.required_controls}
        cells = []
        for control in CONTROLS:
            c = by.get(control)
            if c is None:
                cells.append('<td class="muted">-</td>')
                continue
            cells.append(f'<td class="st-{text(c.status)}">{text(_LABEL.get(c.status, c.status))}</td>')
            if c.status == "missing":
                missing.append((snap.name, c))
        rows.append(f'<tr><td class="row"><b>{text(snap.name)}</b> <span class="small muted">for '
                    f"{text(p.recommended)}</span></td>{''.join(cells)}</tr>")
    table = (f'<table class="matrix"><thead><tr><th class="row">server</th>{header}</tr></thead>'
             f"<tbody>{''.join(rows)}</tbody></table>")
    n_servers = len(a.snapshots)
    body = table
    if missing:  # one row per control and reason: the servers that miss it for the same reason share the row
        grouped: dict[tuple[str, str, str], list[str]] = {}
        for server, c in missing:
            grouped.setdefault((c.control, c.why, c.evidence), []).append(server)
        items = "".join(f"<tr><td><span class=\"mono\">{text(control)}</span><br>"
                        f"<span class=\"small muted\">{text(control_title(control))}</span></td>"
                        f"<td>{listed(servers, 8)}</td><td>{prose(why)}</td><td>{text(seen)}</td></tr>"
                        for (control, why, seen), servers in grouped.items())
        body += ("<table><thead><tr><th>missing control</th><th>on</th><th>why it is required</th>"
                 f"<th>what was seen</th></tr></thead><tbody>{items}</tbody></table>")
    summary = (f"{len(missing)} missing control(s) on {n_servers} server(s): the checklist, and why each missing "
               "one is required")
    return head + fold(summary, body, "section") + "</section>"


def owasp_section(a: Assessment) -> str:
    """The OWASP MCP Top 10 (2025): how far mcprisk evidences each item, and what it cannot see."""
    items = owasp_rows(a)
    rows = []
    for item in items:
        hits = f'<b>{item["findings"]}</b>' if item["findings"] else "0"
        rows.append(f'<tr><td class="row"><span class="mono">{text(item["id"])}</span><br>{text(item["title"])}</td>'
                    f'<td class="st-{text(item["status"])}">{text(item["status"].replace("_", " "))}</td>'
                    f'<td>{hits}</td><td>{text(item["checks"])}<br><span class="small muted">'
                    f'{text(", ".join(item["codes"]) or "-")}</span></td>'
                    f'<td class="small">{text(item["cannot_see"])}</td></tr>')
    hit = [i for i in items if i["findings"]]
    summary = (f"{len(hit)} of {len(items)} items with open findings"
               + (": " + ", ".join(text(i["id"].split(":")[0]) for i in hit) if hit else ""))
    table = ("<table><thead><tr><th>item</th><th>coverage</th><th>open findings</th><th>what mcprisk checks (codes)"
             f"</th><th>what mcprisk cannot see</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")
    return ('<section id="owasp"><h2>OWASP MCP Top 10 (2025)</h2><p class="muted">How far this report evidences '
            "each item: checked (mcprisk tests it), partly, or not visible (only source code, run time or the "
            "operator can show it). Open findings are counted per item.</p>"
            + fold(summary, table, "section") + "</section>")


def flows_section(a: Assessment) -> str:
    head = '<section id="flows"><h2>Flows</h2>'
    if not a.flows:
        return head + ("<p>No path from untrusted content through private data to an outside destination "
                       "within one agent.</p></section>")
    rows = [f"<tr><td>{listed(sources, 4)}</td><td>{listed(private, 4)}</td>"
            f'<td><span class="mono">{text(sink)}</span></td></tr>' for sink, sources, private in flow_groups(a)]
    cross = sum(1 for f in a.flows if f.cross_server)
    table = ("<table><thead><tr><th>untrusted content enters through</th><th>private data read by</th>"
             "<th>can leave through</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
    sinks = len(rows)
    return (head + f"<p>{len(a.flows)} path(s) from untrusted content, through a tool that reads private data, "
            f"to a tool that can send it out" + (f" ({cross} across servers)" if cross else "") + ".</p>"
            + fold(f"{sinks} way(s) out, with what reaches each", table, "section")
            + "</section>")


def drift_section(a: Assessment) -> str:
    drift = a.drift
    if drift is None:
        return ""
    head = '<section id="drift"><h2>Drift since the approved snapshot</h2>'
    if not drift.changed:
        return head + "<p>Nothing changed since the approved snapshot.</p></section>"
    rows = []
    for name in drift.added_servers:
        rows.append(f"<tr><td>{text(name)}</td><td>server</td><td>{chip('added', 'sev-medium')}</td><td></td></tr>")
    for name in drift.removed_servers:
        rows.append(f"<tr><td>{text(name)}</td><td>server</td><td>{chip('removed', 'sev-low')}</td><td></td></tr>")
    for sd in drift.servers:
        if sd.instructions is not None:
            rows.append(f"<tr><td>{text(sd.server)}</td><td>instructions</td><td>{chip('changed', 'sev-high')}</td>"
                        f"<td>{text(sd.instructions.summary)}{_before_after(sd.instructions)}</td></tr>")
        for item in sd.items:
            cls = {"changed": "sev-high", "added": "sev-medium", "removed": "sev-low"}[item.change]
            fields = "".join(f"<li>{text(fc.summary)}{_before_after(fc)}</li>" for fc in item.fields)
            rows.append(f"<tr><td>{text(sd.server)}</td><td>{text(item.kind.rstrip('s').replace('_', ' '))} "
                        f"<span class=\"mono\">{text(item.key)}</span></td><td>{chip(item.change, cls)}</td>"
                        f"<td>{f'<ul class=evidence>{fields}</ul>' if fields else ''}</td></tr>")
        if sd.not_compared:
            rows.append(f"<tr><td>{text(sd.server)}</td><td colspan=\"3\" class=\"muted\">not compared (could not be "
                        f"listed): {text(', '.join(sd.not_compared))}</td></tr>")
    return (head + "<table><thead><tr><th>server</th><th>what</th><th>change</th><th>fields</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></section>")


def _before_after(fc: Any) -> str:
    if fc.field not in ("description", "instructions", "title"):
        return ""
    before = "" if fc.before is None else fc.before
    after = "" if fc.after is None else fc.after
    return fold("before and after", f'<div class="small muted">before:</div><div class="desc">{text(before)}</div>'
                f'<div class="small muted">after:</div><div class="desc">{text(after)}</div>', "more")


def _because(evidence: tuple[str, ...], seen: dict[tuple[str, ...], str], step: str, limit: int) -> str:
    """A step's evidence; the same list as an earlier step's is named, not repeated; past ``limit`` reasons the
    rest is counted."""
    if not evidence:
        return ""
    if evidence in seen:
        return f'<span class="muted">as for {text(seen[evidence])}</span>'
    seen[evidence] = step
    if len(evidence) <= 4:
        return "; ".join(prose(e) for e in evidence)
    items = "".join(f"<li>{prose(e)}</li>" for e in evidence[:limit])
    if len(evidence) > limit:
        items += f'<li class="muted">and {len(evidence) - limit} more</li>'
    return fold(f"{len(evidence)} reasons: {prose(evidence[0])} &hellip;", f'<ul class="evidence">{items}</ul>',
                "more")


def decisions_section(a: Assessment, b: Budget) -> str:
    if not a.placements:
        return ""
    parts = []
    for p in a.placements:
        seen: dict[tuple[str, ...], str] = {}
        steps = "".join(f"<tr><td class=\"mono\">{text(s.id)}</td><td>{'' if b.large else text(s.question)}</td>"
                        f"<td>{text(s.answer)}</td>"
                        f"<td>{_because(tuple(s.evidence), seen, s.id, b.items)}</td></tr>" for s in p.rationale)
        nogo = "".join(f"<tr><td class=\"mono\">{text(n.id)}</td><td>{text(n.title)}"
                       + (' <span class="muted">(assumed)</span>' if n.assumed else "")
                       + f"</td><td>{_because(tuple(n.evidence), seen, n.id, b.items)}</td></tr>" for n in p.no_go)
        # An assumed step or no-go sign is marked in its row above; its assumption line would only repeat it.
        steps_and_signs = tuple(f"{s.id} " for s in (*p.rationale, *p.no_go))
        assumptions = "".join(f"<li>{prose(x)}</li>" for x in p.assumptions if not x.startswith(steps_and_signs))
        body = ("<table><thead><tr><th>step</th><th>question</th><th>answer</th><th>because</th></tr></thead>"
                f"<tbody>{steps}</tbody></table>"
                + ("<table><thead><tr><th>no-go sign</th><th>title</th><th>evidence</th></tr></thead>"
                   f"<tbody>{nogo}</tbody></table>" if nogo else "")
                + (f'<p class="small"><b>Assumed where the inventory is silent:</b></p>'
                   f'<ul class="evidence">{assumptions}</ul>' if assumptions else ""))
        summary = (f"<b>{text(p.server)}</b>: {text(p.recommended)}, {len(p.rationale)} steps, "
                   f"{len(p.no_go)} no-go sign(s), {len(p.assumptions)} assumption(s)")
        parts.append(fold(summary, body, "section"))
    legend = ""
    if b.large:  # the questions once, not once per server
        legend = ('<ul class="evidence">' + "".join(f'<li><span class="mono">{text(s.id)}</span> {text(s.question)}'
                                                     "</li>" for s in a.placements[0].rationale) + "</ul>")
    return ('<section id="decisions"><h2>How the placement was decided</h2><p class="muted">The guide&#39;s '
            "decision tree, walked per server, the no-go signs that hold and what was assumed.</p>" + legend
            + "".join(parts) + "</section>")


def record_section(a: Assessment) -> str:
    parts = []
    for snap in a.snapshots:
        info = snap.server_info or {}
        source = snap.server.source
        where = f"{source.path}:{source.line}" if source is not None and source.line else (
            source.path if source is not None else "")
        issues = "".join(f"<li>{'error' if e.fatal else 'note'}: {text(e.stage)}: {text(e.code)}: "
                         f"{line(e.message, 400)}</li>" for e in snap.errors)
        posture = a.postures.get(snap.name) if a.postures else None
        checks = ""
        if posture is not None and posture.checks:
            checks = ("<table><thead><tr><th>probe check</th><th>outcome</th><th>received</th><th>meaning</th></tr>"
                      "</thead><tbody>" + "".join(
                          f"<tr><td class=\"mono\">{text(c.id)}</td><td>{text(c.outcome)}</td>"
                          f"<td>{line(c.received, 200)}</td><td>{text(c.meaning)}</td></tr>" for c in posture.checks)
                      + "</tbody></table>")
        counts_line = ", ".join(f"{len(items)} {kind}" for kind, items in (
            ("tools", snap.tools), ("resources", snap.resources), ("resource templates", snap.resource_templates),
            ("prompts", snap.prompts)))
        head = (f"<b>{text(snap.name)}</b> <span class=\"small muted\">{text(snap.status)}</span> "
                f"<span class=\"small\">{text(info.get('name', '?'))} {text(info.get('version', ''))} &middot; "
                f"{text(snap.server.transport)} &middot; {text(snap.era or '?')} {text(snap.protocol_version or '')}"
                f" &middot; {text(counts_line)}</span>")
        body = (f"<p class=\"small\">launched as <span class=\"mono\">{line(snap.server.target, 300)}</span>"
                + (f" &middot; config <span class=\"mono\">{text(where)}</span>" if where else "") + "</p>"
                + (f'<ul class="evidence">{issues}</ul>' if issues else "") + checks)
        parts.append(fold(head, body, "section"))
    failures = "".join(f"<li><span class=\"mono\">{text(r.rule)}</span> on {text(r.subject)}: {line(r.error, 300)}</li>"
                       for r in a.rule_failures)
    unmatched = "".join(f"<li>{text(u.pattern)} ({text(u.status)})</li>"
                        for u in a.unmatched_tracking)
    return ('<section id="record"><h2>Introspection record</h2>' + "".join(parts)
            + (f'<h3>Rules that failed</h3><p class="small">A failed rule is reported, never read as '
               f'&ldquo;no finding&rdquo;.</p><ul class="evidence">{failures}</ul>' if failures else "")
            + (f'<h3>Tracking entries that matched nothing</h3><ul class="evidence">{unmatched}</ul>'
               if unmatched else "")
            + "</section>")
