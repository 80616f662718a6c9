"""The HTML report's findings: one fold per rule and server, its subjects listed, what they share said once.

Five findings of one rule on one server (a credential each, say) read as one card: the rule's title, how
many subjects and which, then each subject's own sentence and status, the evidence and tools they share
(de-duplicated, long lists cut with "and N more"), and the rule's documentation and references once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..model import Finding
from ._common import RESOLVED, counts_text, severity_rank, tracking_text
from ._budget import Budget
from ._html_tables import evidence_list
from ._markup import anchor, chip, fold, listed, prose, text

if TYPE_CHECKING:
    from ..assessment import Assessment

__all__ = ["findings_section", "group_findings"]


def group_findings(findings: Sequence[Finding]) -> list[list[Finding]]:
    """Findings grouped by (rule, server), most severe group first; a group keeps its findings' order."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.code, f.server), []).append(f)
    return sorted(groups.values(), key=lambda g: (-max(severity_rank(f.severity) for f in g),
                                                  all(f.status in RESOLVED for f in g), g[0].server, g[0].code))


def _sev(severity: str) -> str:
    return chip(severity, f"sev-{severity}")


def _status(f: Finding) -> str:
    if f.status == "open":  # the usual case: the card's summary counts the open ones when some are not
        return ""
    label = chip(f.status.replace("_", " "), "st-resolved" if f.status in RESOLVED else "outline")
    return label + (f' <span class="small muted">{text(tracking_text(f))}</span>' if f.tracking_note else "")


def _title(group: list[Finding]) -> str:
    """The group's title: the findings' own when they share it, else the part before the subject they name
    ("Missing control: Human approval gates" and "Missing control: Off switch" read "Missing control")."""
    titles = list(dict.fromkeys(f.title for f in group))
    if len(titles) == 1:
        return titles[0]
    heads = {t.split(": ", 1)[0] for t in titles}
    return heads.pop() if len(heads) == 1 else titles[0]


def _card(group: list[Finding], docs: dict[str, Any], b: Budget, explained: dict[str, str],
          described: dict[tuple[str, str], str]) -> str:
    first = group[0]
    texts = "\n".join(dict.fromkeys(described.get((f.server, f.subject), "") for f in group))  # what was quoted
    worst = max((f.severity for f in group), key=severity_rank)
    resolved = all(f.status in RESOLVED for f in group)
    subjects = [f.subject for f in group if f.subject and f.subject != f.server]
    what = (f"{len(group)} subjects: " + listed(subjects, 4)) if len(group) > 1 else (
        f'<span class="mono">{text(subjects[0])}</span>' if subjects else "")
    open_n = sum(1 for f in group if f.status not in RESOLVED)
    summary = (f"{_sev(worst)} <b>{text(_title(group))}</b> <span class=\"muted\">&middot; "
               f"<span class=\"mono\">{text(first.code)}</span> &middot; {text(first.server)}"
               + (f" &middot; {what}" if what else "")
               + ("" if open_n == len(group) else f" &middot; {open_n} open") + "</span>")
    items = "".join(
        f'<li id="{anchor("finding", f.id)}"><code>{text(f.id)}</code> {_status(f)}'
        + ("" if f.severity == worst else f" {_sev(f.severity)}") + f"<br>{prose(f.message)}</li>" for f in group)
    evidence, seen = [], set()
    for f in group:
        for ev in f.evidence:
            key = (ev.rule, ev.source, ev.text, ev.detail)
            if key not in seen:
                seen.add(key)
                evidence.append(ev)
    tools = list(dict.fromkeys(t for f in group for t in f.tools))
    doc = docs.get(first.code, {})
    refs = list(dict.fromkeys(r for f in group for r in f.references))
    if first.code in explained:  # what the rule means was said at its first group: link there, do not repeat it
        doc, refs = {}, []
        more = (f'<p class="small muted">What {text(first.code)} means and what to do: see '
                f'<a href="#{explained[first.code]}">its first finding</a>.</p>')
    else:
        explained[first.code] = anchor("finding", first.id)
        more = ""
    body = (f'<ul class="subjects">{items}</ul>'
            + (f'<p class="small"><b>Evidence</b></p>'
               f"{evidence_list(evidence, max(1, b.items // 4), b.quote, described=texts)}"
               if evidence else "")
            + (f'<p class="small muted">Tools: {listed(tools, b.items)}</p>' if tools else "")
            + (f'<p class="small muted">{prose(doc.get("description", ""))}</p>' if doc.get("description") else "")
            + (f'<p class="small muted">References: {", ".join(text(r) for r in refs)}</p>' if refs else "") + more)
    return fold(summary, body, "finding" + (" resolved" if resolved else ""))


def findings_section(a: Assessment, docs: dict[str, Any], b: Budget) -> str:
    head = '<section id="findings"><h2>Findings</h2>'
    if not a.findings:
        return head + "<p>No findings.</p></section>"
    groups = group_findings(a.findings)
    explained: dict[str, str] = {}  # rule code -> anchor of the group that explains it
    described = {(s.name, t.name): t.description or "" for s in a.snapshots for t in s.tools}
    described.update({(s.name, s.name): s.instructions or "" for s in a.snapshots})  # a server's own findings
    return (head + f"<p>{text(counts_text(a.findings))}, in {len(groups)} group(s) of one rule on one server. "
            '<span class="muted">Open a finding for its subjects, evidence and what to do.</span></p>'
            + "".join(_card(g, docs, b, explained, described) for g in groups) + "</section>")
