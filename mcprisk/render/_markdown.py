"""The Markdown report, for pull requests and wikis (GitHub-flavoured tables).

Server text is folded to one line, stripped of control characters and escaped: Markdown punctuation and
``|`` in text, backtick runs in code spans, and ``<``/``&`` so that no server string becomes HTML.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..model import CONTROLS
from ._common import (RESOLVED, code_words, counts, counts_text, flow_groups, missing_groups, one_line, owasp_rows,
                      placement_failure, placement_of, server_findings, stamp, tools_by_severity, tracking_text,
                      verdict_of, verdict_reasons)

if TYPE_CHECKING:
    from ..assessment import Assessment

__all__ = ["render_markdown"]

_SPECIAL = re.compile(r"([\\`*_\[\]!|~])")


def _esc(value: Any, limit: int | None = None) -> str:
    """Plain text for Markdown: one line, Markdown punctuation backslash-escaped, no raw HTML."""
    text = one_line("" if value is None else value, limit)
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    text = _SPECIAL.sub(r"\\\1", text)
    # A leading "-" or "1." would start a list when the text opens a line.
    return re.sub(r"^(\d+)\.", r"\1\\.", re.sub(r"^-", r"\\-", text))


def _code(value: Any, limit: int | None = None) -> str:
    """A code span that holds any text: a fence longer than any backtick run inside, ``|`` escaped."""
    text = one_line("" if value is None else value, limit)
    if not text:
        return ""
    run = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (run + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text.replace('|', chr(92) + '|')}{pad}{fence}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return out


def _term(code: str) -> str:
    """A catalog id in words with the id as a code span: ``Human approval gates (`consent_approvals`)``."""
    meaning = code_words(code)
    return f"{_esc(meaning)} ({_code(code)})" if meaning else _code(code)


def _terms(codes: Any) -> str:
    return "; ".join(_term(c) for c in codes)


def _reasons(a: Assessment, v: Any) -> str:
    return "; ".join(f"{_esc(words)}" + (f" on {_code(subject)}" if subject else "") + f" ({_code(rid)})"
                     for rid, words, subject, _f in verdict_reasons(a, v))


def _ceiling(c: Any) -> list[str]:
    lines = [f"- How far it could go: {_code(c.pattern)}: {_esc(c.summary)}"]
    if c.controls:
        lines.append(f"  - Controls it takes for {_code(c.pattern)}: {_terms(c.controls)}")
    for x in c.answers:
        lines.append(f"  - {_term(x.id) if code_words(x.id) else _code(x.id)}: {_esc(x.text)}")
    return lines


def _verdict(a: Assessment, snap: Any) -> list[str]:
    name = snap.name
    p, v = placement_of(a, name), verdict_of(a, name)
    open_fs = [f for f in server_findings(a, name) if f.status not in RESOLVED]
    found = ", ".join(f"{n} {s}" for s, n in counts(open_fs).items() if n) or "none"
    status = "" if snap.status == "complete" else f" (introspection {snap.status})"
    lines = [f"### {_code(name)}{status}: {v.label.upper() if v is not None else 'no verdict'}", ""]
    if v is not None:
        lines += [f"**{_esc(v.summary)}**", ""]
        if v.tools:
            lines.append(f"- Decisive tools: {', '.join(_code(t) for t in v.tools)}")
        if v.reasons:
            lines.append(f"- Why: {_reasons(a, v)}")
    if p is None:
        why = placement_failure(a, name)
        lines += [f"- Placement: placement not computed ({_esc(why) if why else 'no placement is available'})",
                  f"- Open findings: {found}", ""]
        return lines
    lines.append(f"- Placement: {_esc(p.summary)}")
    current = f"{_code(p.current)} ({_esc(p.current_reason)})" if p.current else "unknown"
    lines.append(f"- Runs now: {current}")
    lines.append(f"- Recommended: {_code(p.recommended)}")
    lines.append(f"- May run as: {', '.join(_code(x) for x in p.allowed) or 'nothing'}")
    if p.current is not None and p.current not in p.allowed:
        lines.append(f"- **Runs more exposed than allowed**: move it to {_code(p.recommended)}")
    if p.blocked_by:
        lines.append(f"- Blocked from remote hosting by: {_terms(p.blocked_by)}")
    missing_now = [c.control for c in p.current_controls if c.status == "missing"]
    if missing_now:
        lines.append(f"- Missing now: {_terms(missing_now)}")
    for patterns, need in missing_groups(p):
        lines.append(f"- Before {' or '.join(_code(x) for x in patterns)}: {_terms(need)}")
    held = p.held_back_by
    if held:
        lines.append("- Held back by: " + "; ".join(_held(h, p.need) for h in held))
    for plan in p.split_plans:
        lines.append(f"- **Split plan for {_code(plan.target_pattern)}:** {_quoted(plan.text)}")
    if p.ceiling is not None:
        lines += _ceiling(p.ceiling)
    lines += [f"- Open findings: {found}", ""]
    return lines


def _held(h: Any, need: str) -> str:
    adds = ", ".join(_term(x) for x in h.adds)
    together = f" with {', '.join(_code(t) for t in h.shared_with[:4])}" + (
        f" and {len(h.shared_with) - 4} more" if len(h.shared_with) > 4 else "") if h.shared_with else ""
    steps = f"{h.steps} step{'s' if h.steps != 1 else ''}"
    return f"{_code(h.tool)} adds {adds}{together} (reaches {_code(h.reach)}, {steps} short of {_code(need)})"


def _quoted(text: str) -> str:
    """mcprisk's own sentence with server names between backticks: names become code spans, the rest text."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick (one inside a name): show it all as text
        return _esc(text)
    return "".join(_code(part) if i % 2 else _spaced(part) for i, part in enumerate(parts))


def _spaced(text: str) -> str:
    """``_esc`` that keeps one space at either end (it sits between code spans)."""
    if not text.strip():
        return " " if text else ""
    return (" " if text[0].isspace() else "") + _esc(text) + (" " if text[-1].isspace() else "")


def _own_placement(a: Assessment, ta: Any) -> str:
    p = placement_of(a, ta.server)
    tp = next((t for t in p.tools if t.tool == ta.tool), None) if p is not None else None
    if tp is None:
        return ""
    out = _code(tp.recommended)
    if tp.own_blockers:
        out += f"; own {_terms(tp.own_blockers)}"
    nxt = next(iter(tp.missing_controls), None)
    if nxt is not None and not tp.blocked_by and tp.missing_controls[nxt]:
        out += f"; {_code(nxt)} needs {_terms(tp.missing_controls[nxt])}"
    return out


def render_markdown(a: Assessment, *, timestamp: str | dt.datetime | None = None) -> str:
    """The assessment as GitHub-flavoured Markdown: verdicts, findings, tools, controls, flows, drift."""
    ts = stamp(timestamp)
    n_open = sum(1 for f in a.findings if f.status not in RESOLVED)
    lines = ["# mcprisk report", "",
             f"{len(a.snapshots)} server(s), {len(a.tools)} tool(s), findings: {counts_text(a.findings)} "
             f"({n_open} open), {len(a.flows)} flow(s). mcprisk {__version__}" + (f", {ts}" if ts else "") + ".", ""]
    incomplete = [s for s in a.snapshots if s.status != "complete"]
    if incomplete:
        lines += ["> **Not every server could be introspected completely:** "
                  + ", ".join(f"{_code(s.name)} ({s.status})" for s in incomplete) + ".", ""]

    lines += ["## Verdict", ""]
    for snap in a.snapshots:
        lines += _verdict(a, snap)

    lines += ["## Findings", ""]
    if a.findings:
        rows = []
        for f in a.findings:
            status = _esc(tracking_text(f), 160)
            top = "; ".join(f"{_esc(e.source)} {_code(e.text, 80)}" for e in f.evidence[:2])
            rows.append([f"**{f.severity}**", _code(f.id), _esc(f.title), _esc(f.message, 300), top, status])
        lines += _table(["severity", "id", "title", "message", "evidence", "status"], rows)
    else:
        lines.append("No findings.")
    lines.append("")

    lines += ["## Tools by severity", ""]
    if a.tools:
        rows = []
        marks = a.tool_marks()
        for ta in tools_by_severity(a):
            why = ta.why
            notes = [n for n, on in (("assumed worst", ta.assumed_worst), ("override", ta.overridden),
                                     ("disabled", ta.disabled)) if on]
            flagged = "".join(f" ⚑ {_esc(f.title)} ({_code(f.code)}{', ' + f.status if f.status != 'open' else ''})"
                              for f in marks.get(ta.key, ()))
            rows.append([_code(ta.server), _code(ta.tool) + flagged, f"**{ta.primary}**",
                         ", ".join(e for e in ta.effects if e != ta.primary),
                         ", ".join(ta.flags), ta.confidence + (f" ({', '.join(notes)})" if notes else "")
                         + (f"; confirm in {_code(ta.confirm)}" if ta.confirm else ""),
                         _own_placement(a, ta),
                         f"{why.rule} {_esc(why.source)}: {_esc(why.detail, 120)}" if why else ""])
        lines += _table(["server", "tool", "primary", "other effects", "flags", "confidence", "own placement", "why"],
                        rows)
    else:
        lines.append("No tools were listed.")
    lines.append("")

    lines += ["## Resources", ""]
    resources = a.resources
    if resources:
        lines += ["Who may read this data, and can access be audited or revoked? Flags say what a resource "
                  "exposes.", ""]
        rows = []
        for r in resources:
            top = next((e for e in r.evidence if e.flag in r.flags), None)
            rows.append([_code(r.server), _code(r.uri, 120), r.kind, ", ".join(r.flags),
                         f"{top.rule} {_esc(top.detail, 120)}" if top else ""])
        lines += _table(["server", "resource", "kind", "flags", "why"], rows)
    else:
        lines.append("No resources were listed.")
    lines.append("")

    lines += ["## Prompts", ""]
    prompts = a.prompts
    if prompts:
        lines += ["Which tools and resources each prompt assumes; a prompt weighs as much as the most severe tool "
                  "it drives.", ""]
        rows = [[_code(p.server), _code(p.prompt), f"**{p.weight}**", ", ".join(_code(t) for t in p.drives),
                 ", ".join(_code(r, 120) for r in p.resources), ", ".join(_code(t) for t in p.ungated)]
                for p in prompts]
        lines += _table(["server", "prompt", "weight", "drives", "names resources", "no approval gate"], rows)
    else:
        lines.append("No prompts were listed.")
    lines.append("")

    lines += ["## Controls", ""]
    if a.placements:
        by = {p.server: {c.control: c.status for c in p.required_controls} for p in a.placements}
        servers = [s.name for s in a.snapshots]
        label = {"missing": "**missing**", "not_applicable": "n/a"}
        rows = [[_code(c)] + [label.get(by.get(s, {}).get(c, ""), by.get(s, {}).get(c, "-")) for s in servers]
                for c in CONTROLS]
        header = ["control"] + [f"{_code(s)} ({_code(placement_of(a, s).recommended) if placement_of(a, s) else '-'})"
                                for s in servers]
        lines += ["Status of each control for the recommended placement.", ""] + _table(header, rows)
    else:
        lines.append("Placement not computed.")
    lines.append("")

    lines += ["## OWASP MCP Top 10 (2025)", "",
              "How far this report evidences each item: checked (mcprisk tests it), partly, or not visible (only "
              "source code, run time or the operator can show it).", ""]
    lines += _table(["item", "coverage", "open findings", "codes", "what mcprisk cannot see"],
                    [[f"{_code(i['id'])} {_esc(i['title'])}", i["status"].replace("_", " "), str(i["findings"]),
                      ", ".join(_code(c) for c in i["codes"]) or "-", _esc(i["cannot_see"])] for i in owasp_rows(a)])
    lines.append("")

    lines += ["## Flows", ""]
    if a.flows:
        lines += [f"{len(a.flows)} path(s) from untrusted content through private data to a way out, "
                  "grouped by the way out:", ""]
        lines += _table(["untrusted content enters through", "private data read by", "can leave through"],
                        [[", ".join(_code(s) for s in src), ", ".join(_code(p) for p in priv), _code(sink)]
                         for sink, src, priv in flow_groups(a)])
    else:
        lines.append("No path from untrusted content through private data to an outside destination.")
    lines.append("")

    drift = a.drift
    if drift is not None:
        lines += ["## Drift since the approved snapshot", ""]
        rows = [[_code(n), "server", "added", ""] for n in drift.added_servers]
        rows += [[_code(n), "server", "removed", ""] for n in drift.removed_servers]
        for sd in drift.servers:
            if sd.instructions is not None:
                rows.append([_code(sd.server), "instructions", "changed", _esc(sd.instructions.summary)])
            for item in sd.items:
                rows.append([_code(sd.server), f"{item.kind.rstrip('s').replace('_', ' ')} {_code(item.key)}",
                             item.change, "; ".join(_esc(f.summary, 160) for f in item.fields)])
        lines += (_table(["server", "what", "change", "fields"], rows) if rows
                  else ["Nothing changed since the approved snapshot."])
        lines.append("")

    problems = [(s.name, e) for s in a.snapshots for e in s.errors if e.fatal]
    if problems or a.rule_failures or a.unmatched_tracking:
        lines += ["## Problems", ""]
        lines += [f"- {_code(n)} {e.stage}: {e.code}: {_esc(e.message, 200)}" for n, e in problems]
        lines += [f"- rule {_code(r.rule)} failed on {_code(r.subject)}: {_esc(r.error, 200)}" for r in a.rule_failures]
        lines += [f"- tracking entry {_code(u.pattern)} matched no finding"
                  for u in a.unmatched_tracking]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
