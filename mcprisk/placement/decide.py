"""The decision: one function that walks the tree, checks the no-go signs and works out the allowed patterns,
for a whole server, for one tool alone (a per-tool placement), or for any subset (split plans, the ceiling).

DT1 (experimental) and every no-go sign block all remote patterns. Otherwise a remote pattern is allowed once
every control it requires is verified or declared, and no tool's cap (catalog/ceiling.yaml: a tool that runs
its caller's code stays local) keeps it out. The recommendation is the most exposed allowed pattern the
audience needs; a declared managed alternative (DT5) turns a public recommendation into ``managed_gateway``.
What no tool changes (DT1, DT5, the audience, NOGO03/04/08, requirements per pattern) is worked out once per
server and kept in ``Server.cache``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from ..catalog import CONDITIONS, Catalog
from ..model import CONTROLS, PATTERNS, ToolAssessment
from .controls import Required, condition_tools, conditions, requirements
from .facts import DERIVABLE, Facts, Server, State, derived, effective_credentials, tool_caps
from .nogo import (nogo01_unlisted, nogo02_shared_credential, nogo03_no_access_model, nogo04_secrets_in_logs,
                   nogo05_no_approval, nogo06_unreviewed_proxy, nogo07_no_off_switch, nogo08_convenience)
from .results import REMOTE, SATISFIED, DecisionStep, Hold, NoGo
from .tree import dt1_experimental, dt2_read_only_low, dt3_can_harm, dt4_proxies, dt5_managed, need, sensitivity

__all__ = ["Decision", "Wide", "decide", "floor", "recommend", "single", "single_key", "wide"]


@dataclass(frozen=True)
class Wide:
    """What no tool changes: DT1, DT5, the audience's need, and the server-wide no-go signs."""

    dt1: DecisionStep
    dt5: DecisionStep
    need: str
    need_assumed: bool
    need_why: str
    nogo03: NoGo | None
    nogo04: NoGo | None
    nogo08: NoGo | None


def wide(srv: Server) -> Wide:
    """The server-wide answers, worked out once per server."""
    if "wide" not in srv.cache:
        pattern, assumed, why = need(srv)
        srv.cache["wide"] = Wide(dt1_experimental(srv), dt5_managed(srv), pattern, assumed, why,
                                 nogo03_no_access_model(srv, srv.states), nogo04_secrets_in_logs(srv, srv.states),
                                 nogo08_convenience(srv))
    return srv.cache["wide"]


@dataclass(frozen=True)
class Decision:
    """The decision tree walked for one set of enabled tools of a server."""

    facts: Facts
    states: Mapping[str, State]
    steps: Mapping[str, DecisionStep]
    no_go: tuple[NoGo, ...]
    requirements: Mapping[str, tuple[Mapping[str, Required], Mapping[str, str]]]
    missing: Mapping[str, tuple[str, ...]]
    blocked_by: tuple[str, ...]
    allowed: tuple[str, ...]
    recommended: str
    tools_for: Mapping[str, tuple[str, ...]]  # condition -> the tools it comes from
    caps: tuple[Hold, ...] = ()  # tools a cap holds below public_remote, lowest first

    def capped(self, pattern: str) -> tuple[str, ...]:
        """The caps that keep ``pattern`` out whatever is in place (CAP ids, in order)."""
        rank = self.facts.cat.rank(pattern)
        return tuple(dict.fromkeys(h.cap for h in self.caps if self.facts.cat.rank(h.pattern) < rank))

    def gap(self, pattern: str) -> frozenset[str]:
        """Everything between this tool set and ``pattern``: missing controls, the caps that keep it out, and
        for a remote pattern the DT1 answer and no-go signs that block it."""
        out = frozenset(self.missing[pattern]) | frozenset(self.capped(pattern))
        return out | frozenset(self.blocked_by) if pattern in REMOTE else out


def _requirements(srv: Server, pattern: str, conds: tuple[bool, ...], dt3: bool,
                  dt4: bool) -> tuple[Mapping[str, Required], Mapping[str, str]]:
    """Requirements per pattern, cached per server: they depend only on the pattern and these answers."""
    key = ("requirements", pattern, conds, dt3, dt4)
    if key not in srv.cache:
        # They read only the catalog and the transport: shared by every server (and what-if copy) like it.
        shared = (id(srv.cat), srv.transport, pattern, conds, dt3, dt4)
        hit = _REQUIREMENTS.get(shared)
        if hit is None or hit[0] is not srv.cat:
            hit = (srv.cat, requirements(srv, pattern, dict(zip(CONDITIONS, conds)), {"DT3": dt3, "DT4": dt4}))
            _REQUIREMENTS[shared] = hit
        srv.cache[key] = hit[1]
    return srv.cache[key]


_REQUIREMENTS: dict[tuple[Any, ...], tuple[Catalog, tuple[Mapping[str, Required], Mapping[str, str]]]] = {}


def decide(srv: Server, tools: Sequence[ToolAssessment], tool_credentials: Mapping[str, Iterable[str]], *,
           effective: bool = False) -> Decision:
    """The decision for ``tools`` (enabled, in canonical order) on ``srv``. ``effective``: the credential map
    is already what ``effective_credentials`` makes of it (computed once per server)."""
    creds = ({t.tool: frozenset(tool_credentials.get(t.tool, ())) for t in tools} if effective else
             effective_credentials(srv.server, tools, tool_credentials, srv.inventory))
    f = Facts(srv, tuple(tools), MappingProxyType(creds))
    w = wide(srv)
    states = dict(srv.states)
    for control in DERIVABLE:
        if states[control].derivable and (text := derived(f, control)):
            states[control] = State("declared", text)
    reasons, known = sensitivity(f)
    dt4 = dt4_proxies(f)
    steps = {"DT1": w.dt1, "DT2": dt2_read_only_low(f, reasons, known), "DT3": dt3_can_harm(f, reasons, known),
             "DT4": dt4, "DT5": w.dt5}
    signs = [nogo01_unlisted(f), nogo02_shared_credential(f), w.nogo03, w.nogo04, nogo05_no_approval(f, states),
             nogo06_unreviewed_proxy(f, states, dt4), nogo07_no_off_switch(f, states), w.nogo08]
    no_go = tuple(s for s in signs if s is not None)

    conds = conditions(f, dt4.yes)
    reqs = {p: _requirements(srv, p, conds, steps["DT3"].yes, dt4.yes) for p in PATTERNS}
    missing = {p: tuple(c for c in CONTROLS if c in reqs[p][0] and states[c].status not in SATISFIED)
               for p in PATTERNS}
    blocked_by = (("DT1",) if w.dt1.yes else ()) + tuple(s.id for s in no_go)
    caps = tool_caps(srv, tools)
    cap_rank = min((srv.cat.rank(h.pattern) for h in caps), default=srv.cat.rank("public_remote"))
    allowed = ["local_stdio"]
    if not blocked_by:
        allowed += [p for p in REMOTE if not missing[p] and (p != "managed_gateway" or w.dt5.yes)
                    and srv.cat.rank(p) <= cap_rank]
    recommended = recommend(srv.cat, allowed, w.need, w.dt5.yes)
    return Decision(f, MappingProxyType(states), MappingProxyType(steps), no_go, MappingProxyType(reqs),
                    MappingProxyType(missing), blocked_by, tuple(allowed), recommended,
                    MappingProxyType(condition_tools(f)), caps)


def floor(srv: Server) -> Decision:
    """The decision for this server with no tool at all: what any tool of it meets."""
    if "floor" not in srv.cache:
        srv.cache["floor"] = decide(srv, (), {})
    return srv.cache["floor"]


def single_key(srv: Server, tool: ToolAssessment, creds: frozenset[str]) -> tuple[Any, ...]:
    """What the decision for ``tool`` alone reads of it: effects, flags, credentials, its declarations, data
    stores and reach (its name only through these)."""
    decl = srv.inventory.tool_decl(srv.server, tool.tool)
    stores = tuple(d.name for d in srv.inventory.data_stores_for(srv.server) if d.tools and tool.tool in d.tools)
    return ("single", tool.effects, tool.flags, creds, decl.approval if decl else None,
            decl.off_switch if decl else None, stores, srv.confined(tool))


def single(srv: Server, tool: ToolAssessment, creds: frozenset[str], key: tuple[Any, ...] | None = None) -> Decision:
    """The decision for a server offering ``tool`` alone, which can use ``creds`` (effective credentials).
    Tools that look alike to the decision (same effects, flags, credentials, declarations, data stores and
    reach: ``single_key``, which the caller may pass when it has it) share one result."""
    if key is None:
        key = single_key(srv, tool, creds)
    if key not in srv.cache:
        tool = replace(tool, disabled=False) if tool.disabled else tool
        srv.cache[key] = decide(srv, (tool,), {tool.tool: creds}, effective=True)
    return srv.cache[key]


def recommend(cat: Catalog, allowed: Sequence[str], need_: str, managed: bool) -> str:
    """The most exposed allowed pattern within what the audience needs; the managed gateway wins a tie when
    a managed alternative exists (DT5)."""
    limit = cat.rank(need_)
    fitting = [p for p in allowed if cat.rank(p) <= limit]
    top = max(cat.rank(p) for p in fitting)
    at_top = [p for p in fitting if cat.rank(p) == top]
    if managed and "managed_gateway" in at_top:
        return "managed_gateway"
    return at_top[0]  # allowed is in PATTERNS order: public_remote before managed_gateway
