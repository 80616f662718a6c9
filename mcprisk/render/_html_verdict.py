"""The HTML report's verdict card, one per server: the verdict first (do not use / needs controls / ready) and its
sentence, where the server runs and may run, what is missing and how far it could go on one screen; its reasons
in words, the decisive tools, what blocks it, the tools holding it back and the split plans folded below."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..model import PATTERNS
from ._budget import Budget
from ._common import (RESOLVED, code_words, counts, missing_groups, pattern_title, placement_failure, placement_of,
                      server_findings, verdict_of, verdict_reasons)
from ._markup import anchor, chip, fold, listed, prose, quoted, term, text

if TYPE_CHECKING:
    from ..assessment import Assessment

__all__ = ["VERDICT_CSS", "verdict_card", "verdict_row"]

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
.verdict details { margin-top: 8px; } .verdict details > summary { color: var(--muted); font-size: 13px; }
details.verdict-row { border-bottom: 1px solid var(--line); padding: 4px 0; }
details.verdict-row > summary .badge { font-size: 12px; padding: 1px 8px; min-width: 128px; text-align: center; }
details.verdict-row > .verdict { margin: 6px 0 8px; }
"""

_CLASS = {"do_not_use": "stop", "needs_controls": "warn", "ready": "ok"}


def _terms(codes: Sequence[str], terse: bool = False) -> str:
    if terse:
        return _inline_terms(codes, terse)
    return '<ul class="terms">' + "".join(f"<li>{term(c)}</li>" for c in codes) + "</ul>"


def _inline_terms(codes: Sequence[str], terse: bool = False) -> str:
    """Catalog ids with their meaning; ``terse`` (a long report's folds) the ids alone, whose meaning the
    decisions section and the controls checklist give."""
    if terse:
        return ", ".join(f"<code>{text(c)}</code>" for c in codes)
    return ", ".join(term(c) for c in codes)


def _reasons(a: Assessment, v: Any, terse: bool = False) -> str:
    """Each reason in words: a finding's title (linked to the finding) and subject, or a control's meaning;
    the id beside it (``terse``: a control's id alone, as the rest of a long report's card gives them)."""
    items = []
    for rid, words, subject, f in verdict_reasons(a, v):
        if f is None and terse:
            items.append(f"<li><code>{text(rid)}</code></li>")
            continue
        label = f'<a href="#{anchor("finding", rid)}">{text(words)}</a>' if f is not None else text(words)
        items.append(f"<li>{label}" + (f" &middot; {text(subject)}" if subject else "")
                     + f' (<span class="mono">{text(rid)}</span>)</li>')
    return '<ul class="terms">' + "".join(items) + "</ul>"


def _ceiling_rows(c: Any, terse: bool) -> list[tuple[str, str]]:
    rows = [("How far it could go", f'{chip(c.pattern, "outline")} {prose(c.summary)}')]
    if c.controls and not terse:  # a long report's controls checklist and heat-map list them per server
        rows.append((f"Controls it takes for {c.pattern}", _inline_terms(c.controls, terse)))
    if c.answers and terse:
        rows.append(("Inventory answers it takes", _inline_terms([x.id for x in c.answers], terse)))
    elif c.answers:
        items = "".join(f"<li>{term(x.id) if code_words(x.id) else text(x.id)}: {prose(x.text)}</li>"
                        for x in c.answers)
        rows.append(("Inventory answers it takes", f'<ul class="terms">{items}</ul>'))
    return rows


def _plan(plan: Any, terse: bool) -> str:
    """A split plan: mcprisk's sentence, or in a long report what it moves and what the rest still needs."""
    if not terse:
        return f'<p class="split">{quoted(plan.text)}</p>'
    needs = _inline_terms([*plan.remaining_blockers, *plan.remaining_controls], terse) or "nothing more"
    return (f"move {len(plan.move)} tool(s) off: {listed(plan.move, 6)}; the other {len(plan.keep)} then need "
            f"{needs}" + (f"; split credentials {listed(plan.split_credentials, 4)}" if plan.split_credentials
                          else ""))


def _missing_row(p: Any) -> tuple[str, str] | None:
    missing_now = [c.control for c in p.current_controls if c.status == "missing"] if p.current is not None else []
    missing_rec = [c.control for c in p.required_controls if c.status == "missing"]
    if missing_now:
        return (f"Missing now ({p.current})", _inline_terms(missing_now))
    if missing_rec:
        return (f"Missing for {p.recommended}", _inline_terms(missing_rec))
    return None


def _placement_rows(p: Any) -> list[tuple[str, str]]:
    """What the card shows unfolded: where it runs, where it may run, what is missing."""
    now = (f"{chip(p.current, 'outline')} <span class=\"muted\">{text(p.current_reason)}</span>"
           if p.current else '<span class="muted">unknown</span>')
    rows = [("Runs now", now),
            ("Recommended", f"{chip(p.recommended, 'outline')} <span class=\"muted\">"
                            f"{text(pattern_title(p.recommended))}</span> &middot; may run as "
                            + (" ".join(chip(x, "outline") for x in p.allowed) or "nothing"))]
    missing = _missing_row(p)
    if missing is not None:
        rows.append(missing)
    if p.ceiling is not None:
        rows.append(("How far it could go", f'{chip(p.ceiling.pattern, "outline")} '
                                            + ("with every control in place" if p.ceiling.pattern != p.recommended
                                               else "whatever is put in place")))
    return rows


def _folded_rows(p: Any, terse: bool) -> list[tuple[str, str]]:
    """What the card folds: the placement in a sentence, what blocks it, what each next pattern needs, the tools
    holding it back, the split plans and the ceiling in full."""
    from_rank = PATTERNS.index(p.current) if p.current in PATTERNS else -1
    too_exposed = p.current is not None and p.current not in p.allowed
    rows = [("Placement", prose(p.summary))]
    if p.blocked_by:
        rows.append(("Blocked from remote hosting by", _terms(p.blocked_by, terse)))
    for patterns, need in ([] if terse else missing_groups(p, skip_upto=-1 if too_exposed else from_rank)):
        where = "any remote hosting" if len(patterns) > 1 and set(patterns) == set(PATTERNS[1:]) else \
            " or ".join(patterns)
        rows.append((f"Before {where}", _inline_terms(need, terse)
                     + (" <span class=\"muted\">and the no-go signs above cleared</span>" if p.blocked_by else "")))
    if p.held_back_by:
        rows.append(("Held back by", _held_back(p, terse)))
    for plan in p.split_plans:
        rows.append((f"Split plan for {plan.target_pattern}", _plan(plan, terse)))
    if p.ceiling is not None:
        rows += _ceiling_rows(p.ceiling, terse)
    return rows


def _held_back(p: Any, terse: bool) -> str:
    """The tools holding the server back, those that add the same things in one line: ``a, b and 9 more reach
    local_stdio (1 step short of internal_http): add ...``."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for h in p.held_back_by:
        groups.setdefault((h.reach, h.steps, h.adds), []).append(h)
    items = []
    for (reach, steps, adds), hs in groups.items():
        many = len(hs) > 1
        names = {h.tool for h in hs}
        shared = [t for t in dict.fromkeys(t for h in hs for t in h.shared_with) if t not in names]
        items.append(
            f"<li>{listed([h.tool for h in hs], 4 if terse else 8)} reach{'' if many else 'es'} {chip(reach, 'outline')}"
            f' <span class="muted">({steps} step{"s" if steps != 1 else ""} short of {text(p.need)})</span>: '
            f"add{'' if many else 's'} " + _inline_terms(adds, terse)
            + (f' <span class="muted">together with {listed(shared, 3 if terse else 6)}</span>' if shared else "")
            + "</li>")
    return f'<ul class="evidence">{"".join(items)}</ul>'


def _dl(rows: list[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{text(k)}</dt><dd>{val}</dd>" for k, val in rows) + "</dl>"


def verdict_card(a: Assessment, snap: Any, b: Budget) -> str:
    """One server's card: the verdict and its sentence first, then where it runs, may run and what is missing;
    the reasons, blockers, held-back tools, split plans and ceiling in a fold."""
    name = snap.name
    p, v = placement_of(a, name), verdict_of(a, name)
    open_fs = [f for f in server_findings(a, name) if f.status not in RESOLVED]
    status_note = "" if snap.status == "complete" else f' {chip(f"introspection {snap.status}", "sev-high")}'
    findings_line = (" ".join(chip(f"{n} {s}", f"sev-{s}") for s, n in counts(open_fs).items() if n)
                     or chip("no open findings", "outline"))
    head = f'<h3>{text(name)}{status_note}</h3>'
    rows: list[tuple[str, str]] = []
    folded: list[tuple[str, str]] = []
    cls = ""
    if v is not None:
        cls = _CLASS.get(v.state, "")
        head += (f'<p class="state"><span class="badge {text(v.state)}" title="{text(v.state)}">{text(v.label)}'
                 f"</span></p>" f'<p class="headline">{prose(v.summary)}</p>')
        if v.tools:
            folded.append(("Decisive tools", " ".join(f'<span class="mono">{text(t)}</span>' for t in v.tools)))
        if v.reasons:
            folded.append(("Why", _reasons(a, v, b.large)))
    if p is None:
        why = placement_failure(a, name)
        rows.append(("Placement", "Placement not computed: " + (text(why) if why else
                                                                  "no placement is available for this server.")))
    else:
        rows += _placement_rows(p)
        folded += _folded_rows(p, b.large)
    rows.append(("Open findings", findings_line))
    more = fold("Why, what blocks it, the tools holding it back, the split plans and the ceiling", _dl(folded)) \
        if folded else ""
    return f'<article class="verdict {cls}" id="{anchor("server", name)}">{head}{_dl(rows)}{more}</article>'


def verdict_row(a: Assessment, snap: Any, b: Budget) -> str:
    """One line per server for a long report (its card folded below): the verdict, where it may run, open
    findings."""
    name = snap.name
    p, v = placement_of(a, name), verdict_of(a, name)
    open_fs = [f for f in server_findings(a, name) if f.status not in RESOLVED]
    found = " ".join(chip(f"{n} {s}", f"sev-{s}") for s, n in counts(open_fs).items() if n) or chip(
        "no open findings", "outline")
    badge = (f'<span class="badge {text(v.state)}">{text(v.label)}</span>' if v is not None
             else '<span class="badge">no verdict</span>')
    where = (f"run as {chip(p.recommended, 'outline')}"
             + ("" if p.current == p.recommended else f" (now {text(p.current or 'unknown')})")
             if p is not None else "placement not computed")
    status = "" if snap.status == "complete" else f' {chip(f"introspection {snap.status}", "sev-high")}'
    return fold(f"{badge} <b>{text(name)}</b>{status} &middot; {where} &middot; {found}", verdict_card(a, snap, b),
                "verdict-row")
