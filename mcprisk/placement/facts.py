"""The facts a placement decision reads: the server's context, its enabled tools, and the state of each control.

``Server`` holds what no tool changes (inventory, probe posture, transport, control states), ``Facts`` a set
of enabled tools with the credentials each can use. A tool whose classification is ``low`` or ``contested``
(and not confirmed by an operator override) is read at its severe reading (``severe_reading``): the decision
never leans on a reading the evidence does not settle.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from ..catalog import Catalog, catalog
from ..inventory import Inventory
from ..model import CONTROLS, ToolAssessment, effect_rank
from .results import Hold

__all__ = ["APPROVAL_EFFECTS", "DERIVABLE", "SENSITIVE_FLAGS", "UNCONFIRMED", "Facts", "PostureLike", "Server", "State",
           "control_state", "credential_kind", "derived", "effective_credentials", "severe_reading", "tool_caps",
           "tool_list", "unconfirmed"]

APPROVAL_EFFECTS: tuple[str, ...] = ("high_cost", "customer_visible", "destructive")
"""Primary effects that need a human approval gate and an off switch of their own (send, publish, charge,
delete). Reversible updates are left out: they can be rolled back."""
SENSITIVE_FLAGS: tuple[str, ...] = ("private_data", "credential_access", "code_execution")
UNCONFIRMED: tuple[str, ...] = ("low", "contested")
"""Confidences placement does not lean on: thin evidence, or sources that disagree."""
DERIVABLE: tuple[str, ...] = ("consent_approvals", "credential_rotation", "off_switch")
"""Controls the inventory can establish without naming them (per-tool gates and switches, well-kept keys)."""
CONFINED_STORES: tuple[str, ...] = ("files",)
"""Data-store kinds whose tools need a bounded scope wherever they run: the host's own file system."""


class PostureLike(Protocol):
    """What an HTTP probe saw: ``"verified"``, ``"missing"`` or None (not checked) for a control id."""

    def control_status(self, control: str) -> str | None: ...


def unconfirmed(tool: ToolAssessment) -> bool:
    """The tool's classification rests on thin or conflicting evidence and no operator has confirmed it."""
    return tool.confidence in UNCONFIRMED and not tool.overridden


def severe_reading(tool: ToolAssessment) -> ToolAssessment:
    """The tool as placement reads it: an unconfirmed classification is taken as destructive (its flags kept),
    so such a tool can never be what lets a server go further; a confirmed one as it is."""
    if not unconfirmed(tool) or "destructive" in tool.effects:
        return tool
    return replace(tool, effects=tuple(sorted({*tool.effects, "destructive"}, key=effect_rank)))


def tool_list(tools: Iterable[ToolAssessment], limit: int = 8) -> str:
    names = sorted({t.tool for t in tools})
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


# --------------------------------------------------------------------------------------------
# The server's context


class Server:
    """What the decision reads that no tool changes, worked out once per server, inventory and posture and
    shared by the server's placement, every per-tool placement, the split plans and the ceiling.

    ``reach`` maps a tool to the kinds of data store it reaches (``files``: the host's file system).
    ``cache`` holds what ``mcprisk.placement.decide`` works out once per server (the server-wide answers,
    requirements per pattern, the decision for each lone tool).
    """

    def __init__(self, server: str, transport: str, url: str | None, inventory: Inventory,
                 posture: PostureLike | None, complete: bool,
                 reach: Mapping[str, Iterable[str]] | None = None) -> None:
        self.server, self.transport, self.url = server, transport, url
        self.inventory, self.posture, self.complete = inventory, posture, complete
        self.reach = {t: frozenset(kinds) for t, kinds in (reach or {}).items()}
        self.cat: Catalog = catalog()
        self.states = {c: control_state(self, c) for c in CONTROLS}
        self.cache: dict[Any, Any] = {}

    def where(self, *keys: str | int) -> str:
        at = self.inventory.where(*keys)
        return f" ({at})" if at else ""

    def with_inventory(self, inventory: Inventory) -> "Server":
        """The same server under another inventory (what-if, for split plans and the ceiling)."""
        return Server(self.server, self.transport, self.url, inventory, self.posture, self.complete, self.reach)

    def with_controls(self, controls: Iterable[str], evidence: str = "assumed in place") -> "Server":
        """The same server with ``controls`` declared in place."""
        inventory = self.inventory
        for control in controls:
            inventory = inventory.with_control(self.server, control, "in_place", evidence)
        return self.with_inventory(inventory)

    def active(self, tools: Iterable[ToolAssessment]) -> tuple[ToolAssessment, ...]:
        """The enabled tools, in a canonical order (by name), so the order given never matters."""
        enabled = (t for t in tools if not t.disabled and not self.inventory.tool_disabled(self.server, t.tool))
        return tuple(sorted(enabled, key=lambda t: (t.tool, t.effects, t.flags)))

    def confined(self, tool: ToolAssessment) -> bool:
        """The tool runs code or reaches the host's file system: it needs a bounded scope wherever it runs."""
        return tool.has("code_execution") or bool(self.reach.get(tool.tool, frozenset()) & set(CONFINED_STORES))


@dataclass(frozen=True)
class Facts:
    """The tool-dependent facts: the enabled tools (sorted by name) and the credentials each can use."""

    srv: Server
    tools: tuple[ToolAssessment, ...]
    credentials: Mapping[str, frozenset[str]]  # tool -> credential names it can use

    @property
    def server(self) -> str:
        return self.srv.server

    @property
    def inventory(self) -> Inventory:
        return self.srv.inventory

    @property
    def cat(self) -> Catalog:
        return self.srv.cat

    @property
    def complete(self) -> bool:
        return self.srv.complete

    @functools.cached_property
    def approval_tools(self) -> tuple[ToolAssessment, ...]:
        return tuple(t for t in self.tools if t.primary in APPROVAL_EFFECTS)

    @functools.cached_property
    def confined_tools(self) -> tuple[ToolAssessment, ...]:
        return tuple(t for t in self.tools if self.srv.confined(t))

    @functools.cached_property
    def all_credentials(self) -> frozenset[str]:
        """What the tools can use, plus credentials the inventory gives the whole server (no ``tools`` list)."""
        names = {c for creds in self.credentials.values() for c in creds}
        names.update(c.name for c in self.inventory.credentials_for(self.server) if c.kind != "none" and not c.tools)
        return frozenset(names)

    @functools.cached_property
    def credential_users(self) -> tuple[ToolAssessment, ...]:
        return tuple(t for t in self.tools if self.credentials.get(t.tool))

    def data_stores(self) -> tuple[Any, ...]:
        """Declared data stores the enabled tools reach (a store without a ``tools`` list: the whole server)."""
        return tuple(d for d in self.inventory.data_stores_for(self.server)
                     if not d.tools or any(t.tool in d.tools for t in self.tools))

    def where(self, *keys: str | int) -> str:
        return self.srv.where(*keys)


def effective_credentials(server: str, tools: Sequence[ToolAssessment], tool_credentials: Mapping[str, Iterable[str]],
                          inventory: Inventory) -> dict[str, frozenset[str]]:
    """The credentials each tool can use: what the graph found, plus what the inventory assigns to the tool,
    less what the inventory narrows to other tools (``credentials[].tools``)."""
    declared = inventory.credentials_for(server)
    out = {}
    for t in tools:
        names = set(tool_credentials.get(t.tool, ()))
        for cred in declared:
            if cred.applies_to(server, t.tool):
                names.add(cred.name)
            else:
                names.discard(cred.name)
        out[t.tool] = frozenset(n for n in names if credential_kind(inventory, n) != "none")
    return out


def credential_kind(inventory: Inventory, credential: str) -> str | None:
    decl = inventory.credential(credential)
    return decl.kind if decl else None


def tool_caps(srv: Server, tools: Sequence[ToolAssessment]) -> tuple[Hold, ...]:
    """The tools a cap (catalog/ceiling.yaml) holds below ``public_remote`` whatever is in place, each with its
    lowest cap, the lowest first. A tool that changes nothing and reads nothing private is held by none (what a
    split plan measures as server-wide never carries a cap)."""
    out = []
    for t in tools:
        if not t.mutating and not t.flags:
            continue
        cap = _lowest_cap(srv.cat, t.effects, t.flags, srv.reach.get(t.tool, frozenset()))
        if cap is not None:
            out.append(Hold(t.tool, cap.id, cap.ceiling, f"{t.tool} {cap.why}"))
    return tuple(sorted(out, key=lambda h: (srv.cat.rank(h.pattern), h.tool or "")))


_CAPS: dict[tuple[Any, ...], tuple[Catalog, Any]] = {}


def _lowest_cap(cat: Catalog, effects: tuple[str, ...], flags: tuple[str, ...], reach: frozenset[str]) -> Any:
    """The lowest cap holding a tool of these effects, flags and reach (None: no cap), worked out once for
    each such combination: split plans and ceilings ask for the same tools many times."""
    key = (id(cat), effects, flags, reach)
    hit = _CAPS.get(key)
    if hit is None or hit[0] is not cat:
        caps = [c for c in cat.caps if c.holds(effects, flags, reach)]
        hit = (cat, min(caps, key=lambda c: cat.rank(c.ceiling)) if caps else None)
        _CAPS[key] = hit
    return hit[1]


# --------------------------------------------------------------------------------------------
# Control state (independent of the pattern)


@dataclass(frozen=True)
class State:
    status: str  # verified | declared | missing
    evidence: str
    contradicted: bool = False
    derivable: bool = False  # nothing declared or verified it: per-tool declarations may still establish it


def control_state(srv: Server, control: str) -> State:
    """verified (a probe saw it) > declared (inventory, not contradicted) > [derived from per-tool
    declarations, see ``derived``] > missing."""
    seen = srv.posture.control_status(control) if srv.posture is not None else None
    checks = ", ".join(srv.cat.control(control).probe_checks)
    if seen == "verified":
        return State("verified", f"verified by the probe ({checks})" if checks else "verified by the probe")
    decl = srv.inventory.control_decl(srv.server, control)
    if decl is not None and decl.in_place:
        said = f"declared in place{f' ({decl.source})' if decl.source else ''}" + (
            f": {decl.evidence}" if decl.evidence else "")
        if seen == "missing":
            return State("missing", f"{said}; but the probe saw it missing ({checks})", contradicted=True)
        return State("declared", said)
    derivable = control in DERIVABLE
    if seen == "missing":
        return State("missing", f"the probe saw it missing ({checks})", derivable=derivable)
    if decl is not None:
        where = f" ({decl.source})" if decl.source else ""
        return State("missing", f"declared {decl.status.replace('_', ' ')}{where}"
                     + (f": {decl.evidence}" if decl.evidence else ""), derivable=derivable)
    if checks:
        return State("missing", "not declared in the inventory, and no probe verified it", derivable=derivable)
    return State("missing", "not declared in the inventory; no probe can see it: ask the operator", derivable=derivable)


def derived(f: Facts, control: str) -> str | None:
    """A control the inventory establishes without naming it: per-tool approval gates on every tool that
    needs one, per-tool off switches on every enabled tool, or every credential of the server kept in a
    protected store with a rotation plan."""
    if control == "consent_approvals":
        gated = f.approval_tools
        if gated and all((d := f.inventory.tool_decl(f.server, t.tool)) is not None and d.approval for t in gated):
            return f"every tool that needs one declares an approval gate ({tool_list(gated)})"
    if control == "off_switch":
        if f.tools and all((d := f.inventory.tool_decl(f.server, t.tool)) is not None and d.off_switch
                           for t in f.tools):
            return f"every tool declares an off switch of its own ({tool_list(f.tools)})"
    if control == "credential_rotation":
        names = f.all_credentials
        decls = [f.inventory.credential(n) for n in sorted(names)]
        if names and all(d is not None and d.well_kept for d in decls):
            return f"every credential is in a protected store with a rotation plan ({', '.join(sorted(names))})"
    return None
