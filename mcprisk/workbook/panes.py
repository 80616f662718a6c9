"""What the explorer shows, as HTML fragments worked out from an Assessment: the sticky banner (verdict, was -> now,
ceiling, what holds the server back, the split plan), the tool table and the findings list.

Plain functions over the assessment, so they are tested without a browser; every string is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from .._prose import listed
from ..model import SEVERITIES
from ..placement import describe

__all__ = ["BANNER_CSS", "STATE_COLOUR", "banner_html", "findings_html", "tools_html"]

_E = html.escape
STATE_COLOUR = {"do_not_use": "#b42318", "needs_controls": "#b7791f", "ready": "#00855f"}
_STATE_BACKGROUND = {"do_not_use": "#fdecea", "needs_controls": "#fff7e6", "ready": "#e7f6ef"}

BANNER_CSS = """<style>
.mcprisk-explorer .mcprisk-right { position: sticky; top: 0; align-self: flex-start; }
.mcprisk-banner { border-left: 6px solid #59636e; border-radius: 4px; padding: 8px 12px; font-size: 13px;
  line-height: 1.4; }
.mcprisk-banner .state { font-weight: 800; letter-spacing: .02em; }
.mcprisk-banner .move { font-size: 15px; margin: 4px 0; }
.mcprisk-banner code, .mcprisk-tools code { background: #f6f8fa; padding: 0 3px; border-radius: 3px; }
.mcprisk-tools table, .mcprisk-findings table { border-collapse: collapse; font-size: 12.5px; }
.mcprisk-tools th, .mcprisk-tools td { text-align: left; vertical-align: top; padding: 2px 8px;
  border-bottom: 1px solid #eef0f2; }
.mcprisk-explorer h4 { margin: 10px 0 4px; font-size: 13.5px; }
.mcprisk-banner details summary { cursor: pointer; color: #59636e; }
.mcprisk-tools { overflow-x: auto; }
</style>"""


def _code(text: str) -> str:
    """mcprisk's sentence, escaped, with the names it puts between backticks set as code."""
    parts = text.split("`")
    if len(parts) % 2 == 0:
        return _E(text)
    return "".join(f"<code>{_E(part)}</code>" if i % 2 else _E(part) for i, part in enumerate(parts))


def banner_html(a: Any, server: str, start: Any) -> str:
    """The verdict and placement of ``server``, coloured by its state, and how it moved since ``start`` (the
    assessment the explorer was created with)."""
    try:
        v, p = a.verdict(server), a.placement(server)
    except KeyError:
        return '<div class="mcprisk-banner mcprisk-placement">placement not computed</div>'
    colour = STATE_COLOUR.get(v.state, "#59636e")
    try:
        was = start.placement(server).recommended
    except KeyError:
        was = None
    moved = (f'was <code>{_E(was)}</code> &rarr; now <code>{_E(p.recommended)}</code>' if was and was != p.recommended
             else f'<code>{_E(p.recommended)}</code> <span style="color:#59636e">(as when opened)</span>')
    held = _held(p)
    plan = p.split_plan
    ceiling = p.ceiling
    missing = [c.control for c in p.required_controls if c.status == "missing"]
    return (
        f'<div class="mcprisk-banner mcprisk-verdict mcprisk-{_E(v.state)}" style="border-left-color:{colour};'
        f'background:{_STATE_BACKGROUND.get(v.state, "#f6f8fa")}">'
        f'<span class="state" style="color:{colour}" title="{_E(v.state)}">{_E(v.label.upper())}</span> '
        f"{_E(v.summary)}"
        + (f"<br><small>decisive tools: {_E(listed(v.tools, 6))}</small>" if v.tools else "")
        + f'<div class="move mcprisk-placement"><b>{_E(server)}</b>: recommended {_E(p.recommended)} '
          f"(now {_E(p.current or 'unknown')}) &middot; {moved}</div>"
        + (f"<div><small>missing: {_E(', '.join(describe(c) for c in missing))}</small></div>" if missing else "")
        + (f'<div class="mcprisk-ceiling"><small>ceiling <b>{_E(ceiling.pattern)}</b></small></div>'
           if ceiling is not None else "")
        + '<details><summary><small>why, how far it could go, what holds it back</small></summary><small>'
        + f'<div class="mcprisk-summary">{_E(p.summary)}</div>'
        + (f'<div>Ceiling {_E(ceiling.pattern)}: {_E(ceiling.summary)}</div>' if ceiling is not None else "")
        + (f'<div class="mcprisk-held">held back by: {_E(held)}</div>' if held else "") + "</small></details>"
        + (f'<details class="mcprisk-split"><summary><small><b>split plan ({_E(plan.target_pattern)}):</b> move '
           f"{_E(listed(plan.move, 4))}</small></summary><small>{_code(plan.text)}</small></details>"
           if plan is not None else '<div class="mcprisk-split"><small>no split plan applies</small></div>')
        + "</div>")


def _held(p: Any) -> str:
    """The tools holding the server back, those that add the same things in one clause."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for h in p.held_back_by:
        groups.setdefault(h.adds, []).append(h.tool)
    return "; ".join(f"{listed(tools, 3)} ({', '.join(describe(x, lower=True) for x in adds)})"
                     for adds, tools in groups.items())


def tools_html(a: Any, server: str, tools: Sequence[Any]) -> str:
    """The chosen server's tools (already filtered): effect, flags, own placement and the notes on each."""
    try:
        p = a.placement(server)
    except KeyError:
        p = None
    own = {tp.tool: tp for tp in p.tools} if p is not None else {}
    plan = p.split_plan if p is not None else None
    marks = a.tool_marks()

    def notes(t: Any) -> str:
        out = [t.confidence]
        out += ["disabled"] if t.disabled else []
        out += ["operator override"] if t.overridden else []
        out += ["confirm: pick it above and set its effect"] if t.unsettled else []
        if plan is not None:
            out += ["split: move"] if t.tool in plan.move else ["split: keep"] if t.tool in plan.keep else []
        return " · ".join(out)

    def mark(t: Any) -> str:
        return "".join(f" <b title=\"{_E(f.message)}\">⚑ {_E(f.title)} ({_E(f.code)})</b>"
                       for f in marks.get((server, t.tool), ()))

    rows = "".join(
        f"<tr><td><code>{_E(t.tool)}</code>{mark(t)}</td><td>{_E(t.primary)}</td><td>{_E(', '.join(t.flags))}</td>"
        f"<td title=\"{_E(own[t.tool].why) if t.tool in own else ''}\">"
        f"{_E(own[t.tool].recommended) if t.tool in own else ''}</td><td>{_E(notes(t))}</td></tr>" for t in tools)
    return ('<div class="mcprisk-tools"><table><thead><tr><th>tool</th><th>primary</th><th>flags</th>'
            "<th>own placement</th><th>confidence and notes</th></tr>"
            f"</thead><tbody>{rows}</tbody></table></div>")


def findings_html(a: Any, server: str, limit: int = 15) -> str:
    """The chosen server's findings (and flows that involve it), worked out from the current declarations."""
    found = [f for f in a.findings if f.server == server or server in f.server.split("+")]
    counts = ", ".join(f"{sum(1 for f in found if f.severity == s)} {s}" for s in reversed(SEVERITIES))
    items = "".join(f"<li><b>{_E(f.severity)}</b> {_E(f.id)}: {_E(f.title)}"
                    + (" <small>(operator override)</small>" if "Operator override" in f.message else "") + "</li>"
                    for f in found[:limit])
    more = f"<li>and {len(found) - limit} more</li>" if len(found) > limit else ""
    return f'<div class="mcprisk-findings"><p>findings: {_E(counts)}</p><ul>{items}{more}</ul></div>'
