"""Where may this server run, and what must be in place first: ``place`` and ``place_tool``.

``place`` walks the decision tree over a server's enabled tools, works out every tool's own placement (the
same decision for a server that offered that tool alone), the tools that hold the server back, the split
plans and the ceiling, and says it in a summary. Tools are read at their severe reading first
(``facts.severe_reading``): a low or contested classification is placed as destructive until confirmed.

By construction, declaring one more control never lowers the recommendation, a more dangerous tool never
raises it, one more tool never raises it, and the order of the tools does not matter
(tests/test_placement_properties.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType

from ..catalog import catalog
from ..inventory import Inventory
from ..model import CONTROLS, PATTERNS, ToolAssessment
from .ceiling import ceiling
from .controls import statuses
from .decide import Decision, decide, floor, single, single_key, wide
from .facts import PostureLike, Server, effective_credentials, severe_reading, unconfirmed
from .results import ControlStatus, DecisionStep, NoGo, Placement, ToolPlacement
from .split import split_plans_and_holders
from .where import current
from .words import describe, names

__all__ = ["place", "place_tool"]


def _server(server: str, transport: str, url: str | None, inventory: Inventory | None, posture: PostureLike | None,
            complete: bool, reach: Mapping[str, Iterable[str]] | None) -> Server:
    return Server(server, transport, url, inventory if inventory is not None else Inventory.empty(), posture,
                  complete, reach)


def place(server: str, *, transport: str, url: str | None, tools: Sequence[ToolAssessment],
          tool_credentials: Mapping[str, Iterable[str]], inventory: Inventory | None = None,
          posture: PostureLike | None = None, complete: bool = True,
          reach: Mapping[str, Iterable[str]] | None = None) -> Placement:
    """Decide where ``server`` may run, what each placement still needs, and how far it could go.

    ``tools`` are the server's classified tools (disabled ones are kept out of the decision, but get a
    placement of their own); ``tool_credentials`` maps a tool name to the credential names it can use (env
    var / header names or inventory ids); ``posture`` is what an HTTP probe saw; ``complete`` says whether
    the listing completed; ``reach`` maps a tool to the kinds of data store it reaches (``files``: the host's
    file system; see ``mcprisk.graph.tool_stores``). The result also holds every tool's own placement
    (``Placement.tools``), the tools that hold the server back (``held_back_by``), the split plans
    (``split_plans``) and the ceiling (``ceiling``).
    """
    srv = _server(server, transport, url, inventory, posture, complete, reach)
    return _place(srv, [severe_reading(t) for t in tools], tool_credentials)


def _place(srv: Server, tools: Sequence[ToolAssessment], tool_credentials: Mapping[str, Iterable[str]]) -> Placement:
    cat, server, inventory, w = srv.cat, srv.server, srv.inventory, wide(srv)
    active = srv.active(tools)
    eff = effective_credentials(server, tools, tool_credentials, inventory)
    d = decide(srv, active, eff, effective=True)
    now, now_reason = current(srv.transport, srv.url, inventory.hosting(server))
    loopback = now == "local_stdio" and srv.transport != "stdio" and inventory.hosting(server) is None
    assumptions = _assumptions(srv, d.steps, d.no_go, loopback, d.recommended)
    contradicted = tuple(ControlStatus(c, "missing", "declared in the inventory", d.states[c].evidence)
                         for c in CONTROLS if d.states[c].contradicted)
    own = {tp.tool: tp for tp in (_tool_placement(srv, t, eff[t.tool]) for t in tools)}
    plans, held = split_plans_and_holders(srv, d, active, eff, own)
    placement = Placement(
        server=server, current=now, recommended=d.recommended, allowed=d.allowed,
        required_controls=_statuses(d, d.recommended), missing_by_pattern=d.missing, no_go=d.no_go,
        rationale=tuple(d.steps[q.id] for q in cat.decision_tree), assumptions=assumptions,
        current_reason=now_reason, need=w.need, need_assumed=w.need_assumed, blocked_by=d.blocked_by,
        current_controls=_statuses(d, now) if now else (), contradicted=contradicted,
        tools=tuple(own[name] for name in sorted(own)), held_back_by=held, split_plans=plans,
        ceiling=ceiling(srv, d, active, eff), unconfirmed=tuple(t.tool for t in active if unconfirmed(t)))
    return replace(placement, summary=_summary(placement))


def _statuses(d: Decision, pattern: str) -> tuple[ControlStatus, ...]:
    return statuses(*d.requirements[pattern], d.states, d.tools_for)


def place_tool(server: str, tool: ToolAssessment, *, transport: str, url: str | None = None,
               credentials: Iterable[str] = (), inventory: Inventory | None = None,
               posture: PostureLike | None = None, complete: bool = True,
               reach: Iterable[str] = ()) -> ToolPlacement:
    """Where one tool could be offered: the placement of ``server`` if it offered ``tool`` alone.

    ``credentials`` are the credential names the tool can use and ``reach`` the kinds of data store it
    reaches; the inventory, posture and transport are the server's, as for ``place``. The other tools of the
    server play no part.
    """
    srv = _server(server, transport, url, inventory, posture, complete, {tool.tool: reach})
    tool = severe_reading(tool)
    creds = effective_credentials(server, (tool,), {tool.tool: tuple(credentials)}, srv.inventory)[tool.tool]
    return _tool_placement(srv, tool, creds)


def _tool_placement(srv: Server, tool: ToolAssessment, creds: frozenset[str]) -> ToolPlacement:
    """The tool's own placement. Everything in it but the tool's name follows from what ``single`` decides on
    (tools alike to the decision share one) and from the tool's confidence and switch, so tools alike in those
    share one worked-out placement (a server's hundred tools are a few dozen kinds)."""
    key = single_key(srv, tool, creds)
    disabled = tool.disabled or srv.inventory.tool_disabled(srv.server, tool.tool)
    memo = ("tool_placement", key, tool.confidence, tool.overridden, disabled)
    parts = srv.cache.get(memo)
    if parts is None:
        d = single(srv, tool, creds, key)
        own = tuple(b for b in d.blocked_by if b not in floor(srv).blocked_by)
        rank = srv.cat.rank(d.recommended)
        missing = {p: d.missing[p] for p in PATTERNS if srv.cat.rank(p) > rank}
        parts = srv.cache[memo] = (d.allowed, d.recommended, MappingProxyType(missing), d.blocked_by,
                                   _tool_why(srv, tool, d, own), own, disabled)
    return ToolPlacement(srv.server, tool.tool, *parts)


def _phrases(ids: Iterable[str]) -> str:
    return names([describe(i, lower=True) for i in ids])


def _tool_why(srv: Server, tool: ToolAssessment, d: Decision, own: Sequence[str]) -> str:
    what = tool.primary + "".join(f", {x}" for x in tool.flags)
    if unconfirmed(tool):
        what += f" (read so until confirmed: {tool.confidence} confidence)"
    held = (f" Whatever is in place it goes no further than {d.caps[0].pattern}: "
            f"{describe(d.caps[0].cap, lower=True)}." if d.caps else "")
    shared = [b for b in d.blocked_by if b not in own]
    if d.blocked_by:
        parts = []
        if own:
            parts.append("its own " + _phrases(own))
        if shared:
            parts.append(("and " if own else "") + "the server-wide " + _phrases(shared))
        return f"{what}: kept local by " + " ".join(parts) + "." + held
    w = wide(srv)
    nxt = next((p for p in PATTERNS if srv.cat.rank(p) > srv.cat.rank(d.recommended)
                and srv.cat.rank(p) <= srv.cat.rank(w.need) and (p != "managed_gateway" or w.dt5.yes)), None)
    if nxt is None:
        return f"{what}: {d.recommended} fits; its controls are in place." + held
    if d.capped(nxt):
        return f"{what}: {d.recommended} at most." + held
    gaps = d.missing[nxt]
    return f"{what}: {d.recommended} for now; {nxt} still needs {_phrases(gaps) if gaps else 'nothing'}."


def _assumptions(srv: Server, steps: Mapping[str, DecisionStep], no_go: Sequence[NoGo], loopback: bool,
                 recommended: str) -> tuple[str, ...]:
    w = wide(srv)
    out = []
    if loopback:
        out.append("an HTTP server on a loopback address is counted as local: local_stdio's exposure "
                   "(localhost_binding and origin_validation still apply)")
    for step in steps.values():
        if step.assumed:
            out.append(f"{step.id} {step.answer}: {srv.cat.question(step.id).silent_because}")
    if w.need_assumed:
        out.append(f"{w.need_why}; declare audience to allow public hosting")
    out += [f"{n.id} stands as an assumption: {n.evidence[0]}" for n in no_go if n.assumed]
    if srv.cat.pattern(recommended).vendor_review:
        out.append("the managed gateway's claims about data retention and logging must be reviewed, not assumed")
    return tuple(out)


def _summary(p: Placement) -> str:
    cat = catalog()
    missing = [c.control for c in p.missing]
    if p.blocked_by:
        shown = [describe(b, lower=True) for b in p.blocked_by[:4]]
        if len(p.blocked_by) > 4:
            shown.append(f"{len(p.blocked_by) - 4} more no-go sign{'s' if len(p.blocked_by) > 5 else ''}")
        text = f"Keep {p.server} local: remote hosting is blocked by {names(shown)}."
        if missing:
            text += f" Locally it still needs {_phrases(missing)}."
    elif cat.rank(p.recommended) >= cat.rank(p.need):
        text = (f"{p.recommended} fits {p.server}: it is as exposed as the audience needs, "
                + (f"and still needs {_phrases(missing)} there." if missing else "and its controls are in place."))
    else:
        target = "managed_gateway" if p.step("DT5").yes else p.need
        gaps = p.missing_by_pattern.get(target, ())
        holds = [h for h in (p.ceiling.held_by if p.ceiling else ()) if h.tool and cat.rank(h.pattern) < cat.rank(target)]
        if holds:
            tools = [h.tool or "" for h in holds]
            text = (f"{p.recommended} for {p.server}: {target} is out of reach while {names(tools)} "
                    f"{'is' if len(tools) == 1 else 'are'} on board ({_phrases(dict.fromkeys(h.cap for h in holds))}).")
        else:
            text = (f"{p.recommended} for {p.server} for now; {target} still needs "
                    f"{_phrases(gaps) if gaps else 'nothing'}.")
    if p.current is not None and cat.rank(p.current) > cat.rank(p.recommended):
        text += f" It runs as {p.current} today: more exposed than recommended."
    return text
