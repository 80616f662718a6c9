"""The HTML report's verdict card, one per server: the verdict first (do not use / needs controls / ready) with
its reasons in words and the decisive tools, then where the server runs and may run, what is missing, the
split plans, and how far it could go (its ceiling)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..model import PATTERNS
from ._common import (RESOLVED, code_words, counts, missing_groups, pattern_title, placement_failure, placement_of,
                      server_findings, verdict_of, verdict_reasons)
from ._markup import anchor, chip, quoted, term, text

__all__ = ["VERDICT_CSS", "verdict_card"]

VERDICT_CSS = """
.verdict .state { margin: 4px 0 6px; } .badge { display: inline-block; padding: 3px 12px; border-radius: 4px;
  font-size: 15px; font-weight: 800; letter-spacing: .02em; color: #fff; background: var(--muted);
  text-transform: uppercase; } .badge.do_not_use { background: var(--stop); }
.badge.needs_controls { background: var(--warn); } .badge.ready { background: var(--ok); }
.verdict .term .mono { font-size: 11.5px; color: var(--muted); }
ul.terms { margin: 0; padding-left: 18px; } ul.terms li { margin: 1px 0; }
.mark { display: inline-block; margin: 2px 4px 0 0; padding: 0 6px; border-radius: 3px; font-size: 11.5px;
  font-weight: 600; background: #fde2dd; color: var(--stop); border: 1px solid #f5b8ad; }
.mark.resolved { background: #eef0f2; color: var(--muted); border-color: var(--line); }
"""

_CLASS = {"do_not_use": "stop", "needs_controls": "warn", "ready": "ok"}


def _terms(codes: Sequence[str]) -> str:
    return '<ul class="terms">' + "".join(f"<li>{term(c)}</li>" for c in codes) + "</ul>"


def _inline_terms(codes: Sequence[str]) -> str:
    return ", ".join(term(c) for c in codes)


def _reasons(a: Any, v: Any) -> str:
    """Each reason in words: a finding's title (linked to the finding) and subject, or a control's meaning;
    the id beside it."""
    items = []
    for rid, words, subject, f in verdict_reasons(a, v):
        label = f'<a href="#{anchor("finding", rid)}">{text(words)}</a>' if f is not None else text(words)
        items.append(f"<li>{label}" + (f" &middot; {text(subject)}" if subject else "")
                     + f' (<span class="mono">{text(rid)}</span>)</li>')
    return '<ul class="terms">' + "".join(items) + "</ul>"


def _ceiling_rows(c: Any) -> list[tuple[str, str]]:
    rows = [("How far it could go", f'{chip(c.pattern, "outline")} {text(c.summary)}')]
    if c.controls:
        rows.append((f"Controls it takes for {c.pattern}", _inline_terms(c.controls)))
    if c.answers:
        items = "".join(f"<li>{term(x.id) if code_words(x.id) else text(x.id)}: {text(x.text)}</li>"
                        for x in c.answers)
        rows.append(("Inventory answers it takes", f'<ul class="terms">{items}</ul>'))
    return rows


def _placement_rows(p: Any) -> list[tuple[str, str]]:
    from_rank = PATTERNS.index(p.current) if p.current in PATTERNS else -1
    too_exposed = p.current is not None and p.current not in p.allowed
    rows = [("Placement", text(p.summary))]
    current = (f"{chip(p.current, 'outline')} <span class=\"muted\">{text(p.current_reason)}</span>"
               if p.current else '<span class="muted">unknown</span>')
    rows.append(("Runs now", current))
    rows.append(("Recommended", f"{chip(p.recommended, 'outline')} <span class=\"muted\">"
                                f"{text(pattern_title(p.recommended))}</span>"))
    rows.append(("May run as", " ".join(chip(x, "outline") for x in p.allowed) or "nothing"))
    if p.blocked_by:
        rows.append(("Blocked from remote hosting by", _terms(p.blocked_by)))
    missing_now = [c.control for c in p.current_controls if c.status == "missing"] if p.current is not None else []
    missing_rec = [c.control for c in p.required_controls if c.status == "missing"]
    if missing_now:
        rows.append((f"Missing now ({p.current})", _inline_terms(missing_now)))
    elif missing_rec:
        rows.append((f"Missing for {p.recommended}", _inline_terms(missing_rec)))
    for patterns, need in missing_groups(p, skip_upto=-1 if too_exposed else from_rank):
        where = "any remote hosting" if len(patterns) > 1 and set(patterns) == set(PATTERNS[1:]) else \
            " or ".join(patterns)
        rows.append((f"Before {where}", _inline_terms(need)
                     + (" <span class=\"muted\">and the no-go signs above cleared</span>" if p.blocked_by else "")))
    if p.held_back_by:
        items = "".join(
            f'<li><span class="mono">{text(h.tool)}</span> reaches {chip(h.reach, "outline")}'
            f' <span class="muted">({h.steps} step{"s" if h.steps != 1 else ""} short of {text(p.need)})</span>: adds '
            + _inline_terms(h.adds)
            + (f' <span class="muted">together with {text(", ".join(h.shared_with[:6]))}'
               + (f" and {len(h.shared_with) - 6} more" if len(h.shared_with) > 6 else "") + "</span>"
               if h.shared_with else "") + "</li>" for h in p.held_back_by)
        rows.append(("Held back by", f'<ul class="evidence">{items}</ul>'))
    for plan in p.split_plans:
        rows.append((f"Split plan for {plan.target_pattern}", f'<p class="split">{quoted(plan.text)}</p>'))
    return rows


def verdict_card(a: Any, snap: Any) -> str:
    """One server's card: the verdict and its reasons first, then placement, ceiling and open findings."""
    name = snap.name
    p, v = placement_of(a, name), verdict_of(a, name)
    open_fs = [f for f in server_findings(a, name) if f.status not in RESOLVED]
    status_note = "" if snap.status == "complete" else f' {chip(f"introspection {snap.status}", "sev-high")}'
    findings_line = (" ".join(chip(f"{n} {s}", f"sev-{s}") for s, n in counts(open_fs).items() if n)
                     or chip("no open findings", "outline"))
    head = f'<h3>{text(name)}{status_note}</h3>'
    rows: list[tuple[str, str]] = []
    cls = ""
    if v is not None:
        cls = _CLASS.get(v.state, "")
        head += (f'<p class="state"><span class="badge {text(v.state)}" title="{text(v.state)}">{text(v.label)}'
                 f"</span></p>" f'<p class="headline">{text(v.summary)}</p>')
        if v.tools:
            rows.append(("Decisive tools", " ".join(f'<span class="mono">{text(t)}</span>' for t in v.tools)))
        if v.reasons:
            rows.append(("Why", _reasons(a, v)))
    if p is None:
        why = placement_failure(a, name)
        rows.append(("Placement", "Placement not computed: " + (text(why) if why else
                                                                  "no placement is available for this server.")))
    else:
        rows += _placement_rows(p)
        if p.ceiling is not None:
            rows += _ceiling_rows(p.ceiling)
    rows.append(("Open findings", findings_line))
    dl = "".join(f"<dt>{text(k)}</dt><dd>{val}</dd>" for k, val in rows)
    return f'<article class="verdict {cls}" id="{anchor("server", name)}">{head}<dl>{dl}</dl></article>'
