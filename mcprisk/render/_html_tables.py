"""The HTML report's tables of what servers expose: tools by severity, resources, prompts.

One line per item; what backs it (the description as sent, the evidence) is folded under it. A long report
shows fewer evidence lines per tool (the JSON report keeps them all), and says how many it left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..model import EFFECTS, effect_rank
from ._budget import Budget
from ._common import RESOLVED, code_words, tools_by_severity
from ._markup import anchor, chip, fold, line, listed, prose, quote, text

__all__ = ["effect_chip", "evidence_list", "prompts_section", "resources_section",
           "tools_section"]

if TYPE_CHECKING:
    from ..assessment import Assessment


def effect_chip(effect: str) -> str:
    return chip(effect.replace("_", " "), f"eff-{effect}" if effect in EFFECTS else "")


def evidence_list(evidence: Iterable[Any], limit: int, quote_limit: int = 160, subject: str | None = None,
                  described: str | None = None) -> str:
    """Evidence lines (rule, source, the quoted text, what it means); past ``limit`` the rest is counted. A quote
    that is the ``subject``'s own name is not repeated; one from its description (``described``) is cut on that
    description's word boundaries."""
    evidence = list(evidence)
    items = []
    for ev in evidence[:limit]:
        supports = ev.effect or ev.flag
        source = described if ev.source == "description" else None
        said = "" if ev.text == subject else f": &ldquo;{quote(ev.text, quote_limit, source)}&rdquo;"
        items.append(
            f'<li><span class="mono">{text(ev.rule)}</span> {text(ev.source)}{said} &mdash; {prose(ev.detail)}'
            + (f' <span class="muted">({text(supports.replace("_", " "))})</span>' if supports else "")
            + ("" if ev.weight >= 1.0 else f' <span class="muted small">weight {ev.weight:g}</span>') + "</li>")
    if len(evidence) > limit:
        items.append(f'<li class="muted">and {len(evidence) - limit} more</li>')
    return f'<ul class="evidence">{"".join(items)}</ul>' if items else ""


def _description(desc: str, limit: int) -> str:
    if not desc:
        return ""
    if len(desc) <= limit:
        return f'<div class="desc">{text(desc)}</div>'
    return f'<div class="desc">{text(desc[:limit])}&hellip; <i>({len(desc) - limit} more characters)</i></div>'


def _strongest_first(ta: Any) -> list[Any]:
    """The tool's evidence with the reading a report shows first (``ToolAssessment.why``) at the top."""
    top = ta.why
    return list(ta.evidence) if top is None else [top, *(e for e in ta.evidence if e is not top)]


def _what(evidence: int, description: bool) -> str:
    """What a fold holds: ``5 evidence · description``."""
    parts = ([f"{evidence} evidence"] if evidence else []) + (["description"] if description else [])
    return " &middot; ".join(parts)


def _own_placement(tp: Any, terse: bool) -> str:
    if tp is None:
        return '<span class="muted">-</span>'
    out = chip(tp.recommended, "outline")
    if not tp.own_blockers:  # kept where the server is kept: the server's card says why
        return out
    if terse:  # a long report: the ids alone (the decisions section gives their meaning)
        return f'{out} <span class="small">own {", ".join(text(b) for b in tp.own_blockers)}</span>'
    # The ids with their meaning as a hover title: the table stays one line a tool.
    return (f'<span title="{text(tp.why)}">{out} <span class="small">own '
            + ", ".join(f'<span class="mono" title="{text(code_words(b) or b)}">{text(b)}</span>'
                        for b in tp.own_blockers) + "</span></span>")


def _tool_row(a: Assessment, ta: Any, raw: Any, tp: Any, marks: Any, b: Budget, several: bool) -> str:
    flagged = marks.get(ta.key, ())
    links = "".join(
        f'<br><a class="mark{" resolved" if f.status in RESOLVED else ""}" href="#{anchor("finding", f.id)}">'
        f"&#9873; {text(f.title)} ({text(f.code)})</a>" for f in flagged)
    notes = []
    if ta.assumed_worst:
        notes.append(chip("assumed worst", "sev-high"))
    if ta.overridden:
        notes.append(chip("operator override", "outline"))
    if ta.disabled:
        notes.append(chip("disabled", "outline"))
    desc = raw.description if raw is not None and raw.description else ""
    title = raw.title if raw is not None and raw.title and raw.title != ta.tool else ""
    body = (_description(desc, b.flagged if flagged else b.description)
            + evidence_list(_strongest_first(ta), b.evidence, b.quote, subject=ta.tool, described=desc)
            + (f'<p class="small muted">read at its severe reading until confirmed in '
               f'<span class="mono">{text(ta.confirm)}</span></p>' if ta.confirm else ""))
    others = " ".join(effect_chip(e) for e in ta.effects if e != ta.primary)
    return (f'<tr><td><b class="mono">{text(ta.tool)}</b>'
            + (f' <span class="muted small">{text(ta.server)}</span>' if several else "")
            + (f'<br><span class="small">{text(title)}</span>' if title and not b.large else "") + links + "</td>"
            f"<td>{effect_chip(ta.primary)}{(' ' + others) if others else ''}</td>"
            f"<td>{', '.join(text(f.replace('_', ' ')) for f in ta.flags) or '-'}</td>"
            f"<td>{text(ta.confidence)}{' ' + ' '.join(notes) if notes else ''}</td>"
            f"<td>{_own_placement(tp, b.large)}</td>"
            f"<td>{fold(_what(len(ta.evidence), bool(desc)), body, 'more') if body else ''}</td></tr>")


QUIET = ("read_only", "reversible")  # effects a long report names in a line instead of a row each
_TOOLS_HEAD = ("<table class=\"tools\"><thead><tr><th>tool</th><th>effects (primary first)</th><th>flags</th>"
               "<th>confidence</th><th title=\"where the tool could be offered on its own\">own placement</th>"
               "<th>description and evidence</th></tr></thead><tbody>")


def tools_section(a: Assessment, b: Budget) -> str:
    head = '<section id="tools"><h2>Tools by severity</h2>'
    if not a.tools:
        return head + '<p class="muted">No tools were listed.</p></section>'
    raw = {(s.name, t.name): t for s in a.snapshots for t in s.tools}
    own = {(p.server, tp.tool): tp for p in a.placements for tp in p.tools}
    marks = a.tool_marks()
    intro = ('<p class="muted">Most severe first. Descriptions are shown as the server sent them; invisible '
             "characters appear as &#10216;U+XXXX&#10217;. Annotations are the author&#39;s claims, weighed as "
             "evidence." + (" Long descriptions and evidence lists are cut here; report.json holds them whole."
                            if b.large else "") + "</p>")
    if not b.large:
        rows = "".join(_tool_row(a, ta, raw.get(ta.key), own.get(ta.key), marks, b, len(a.snapshots) > 1)
                       for ta in tools_by_severity(a))
        return head + intro + _TOOLS_HEAD + rows + "</tbody></table></section>"
    parts = []
    by_server: dict[str, list[Any]] = {}
    for t in tools_by_severity(a):  # sorted once, grouped in one pass (not a sort of every tool per server)
        by_server.setdefault(t.server, []).append(t)
    for snap in a.snapshots:  # one fold per server: a whole organisation's tools read server by server
        tools = by_server.get(snap.name, [])
        if not tools:
            continue
        mix = ", ".join(f"{n} {e.replace('_', ' ')}" for e in reversed(EFFECTS)
                        if (n := sum(1 for t in tools if t.primary == e)))
        # Tools that only read or make undoable changes, unmarked and settled, are named one line per effect:
        # report.json holds their evidence. The rows are for what sends, spends, destroys or was flagged.
        quiet = [t for t in tools if t.primary in QUIET and t.key not in marks and not t.overridden
                 and not t.disabled and not t.confirm]
        rows = "".join(_tool_row(a, ta, raw.get(ta.key), own.get(ta.key), marks, b, False)
                       for ta in tools if ta not in quiet)
        for effect in reversed(QUIET):
            named = [t for t in quiet if t.primary == effect]
            if named:
                rows += (f'<tr><td colspan="6">{effect_chip(effect)} {len(named)} more tool(s): '
                         + ", ".join(f"<code>{text(t.tool)}</code>"
                                     + (f' <i class="small">{text(", ".join(f.replace("_", " ") for f in t.flags))}'
                                        "</i>" if t.flags else "") for t in named) + "</td></tr>")
        parts.append(fold(f"<b>{text(snap.name)}</b>: {len(tools)} tool(s), {mix}",
                          _TOOLS_HEAD + rows + "</tbody></table>", "section"))
    return head + intro + "".join(parts) + "</section>"


def resources_section(a: Assessment, b: Budget) -> str:
    head = ('<section id="resources"><h2>Resources</h2><p class="muted">Who may read this data, and can access be '
            "audited or revoked? Each resource and template is flagged for the data it exposes.</p>")
    resources = a.resources
    if not resources:
        return head + "<p>No resources were listed.</p></section>"
    raw = {(s.name, r.uri): r for s in a.snapshots for r in s.resources}
    raw.update({(s.name, r.uri_template): r for s in a.snapshots for r in s.resource_templates})
    rows = []
    for r in sorted(resources, key=lambda r: (not r.flags, r.server, r.uri)):
        item = raw.get(r.key)
        desc = item.description if item is not None and item.description else ""
        body = _description(desc, b.description) + evidence_list(r.evidence, b.evidence, b.quote, described=desc)
        rows.append(f'<tr><td><b class="mono">{line(r.uri, 200)}</b> <span class="muted small">{text(r.server)} '
                    f"&middot; {text(r.kind)}</span></td>"
                    f"<td>{', '.join(text(f.replace('_', ' ')) for f in r.flags) or '<span class=muted>-</span>'}</td>"
                    f"<td>{fold(_what(len(r.evidence), bool(desc)), body, 'more') if body else ''}</td></tr>")
    return (head + "<table><thead><tr><th>resource</th><th>flags</th><th>description and evidence</th></tr></thead>"
            "<tbody>" + "".join(rows) + "</tbody></table></section>")


def prompts_section(a: Assessment, b: Budget) -> str:
    head = ('<section id="prompts"><h2>Prompts</h2><p class="muted">Which tools and resources each prompt assumes. '
            "A prompt weighs as much as the most severe enabled tool it drives.</p>")
    prompts = a.prompts
    if not prompts:
        return head + "<p>No prompts were listed.</p></section>"
    raw = {(s.name, p.name): p.description or "" for s in a.snapshots for p in s.prompts}
    rows = []
    for p in sorted(prompts, key=lambda p: (-effect_rank(p.weight), p.server, p.prompt)):
        evidence = evidence_list(p.evidence, b.evidence, b.quote, described=raw.get(p.key))
        rows.append(f'<tr><td><b class="mono">{text(p.prompt)}</b> <span class="muted small">{text(p.server)}</span>'
                    f"</td><td>{effect_chip(p.weight)}</td>"
                    f"<td>{listed(p.drives) or '<span class=muted>-</span>'}</td>"
                    f"<td>{listed(p.resources) or '<span class=muted>-</span>'}</td>"
                    f"<td>{listed(p.ungated) or '<span class=muted>-</span>'}</td>"
                    f"<td>{fold(f'{len(p.evidence)} evidence', evidence, 'more') if evidence else ''}</td></tr>")
    return (head + "<table><thead><tr><th>prompt</th><th>weight</th><th>drives</th><th>names resources</th>"
            "<th>no approval gate</th><th>evidence</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            "</section>")

