"""Where may this server run, and what must be in place first: the seed's decision tree, as code.

``place()`` walks the five questions (DT1..DT5) over a server's classified tools, the credentials each
tool can use and the operator's inventory, checks the no-go signs, and works out which hosting patterns
the server may use now, which one to recommend, and which controls each pattern still lacks.

The rules, in short:

* Where the inventory is silent, the restrictive answer is assumed and recorded (``DecisionStep.assumed``,
  ``Placement.assumptions``): an undeclared stage is experimental, undeclared data stores may hold customer
  data, an undeclared audience is internal at most.
* DT1 (experimental) and every no-go sign block all remote patterns: the server stays local.
* Otherwise a remote pattern is allowed once every control it requires is verified (an HTTP probe saw it)
  or declared (the inventory says it is in place, and no probe says otherwise). What a pattern requires is
  its baseline (catalog/patterns.yaml) plus what DT3 and DT4 add when their answer is yes.
* The recommendation is the most exposed allowed pattern the audience needs; a declared managed
  alternative (DT5) turns a public recommendation into ``managed_gateway``.

Every tool also gets a placement of its own (``ToolPlacement``, ``place_tool``): the same decision taken
for a server that offered that tool alone, so it depends on the tool's effects, flags, credentials and
per-tool declarations and on the server's context, never on the other tools. The server's placement is
explained in those terms (``Placement.held_back_by``), and ``mcprisk.split`` works out which tools to move
off the server so that the rest may run more exposed (``Placement.split_plans``).

By construction, declaring one more control never lowers the recommendation, a more dangerous tool never
raises it, one more tool never raises it (so the server is never more exposed than its most restricted
enabled tool allows), and the order of the tools does not matter (tests/test_placement_properties.py).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Protocol
from urllib.parse import urlsplit

from .catalog import Catalog, catalog
from .inventory import Inventory
from .model import CONTROLS, PATTERNS, Evidence, Finding, ToolAssessment, severity_from

__all__ = [
    "APPROVAL_EFFECTS",
    "ControlStatus",
    "DecisionStep",
    "HeldBack",
    "NoGo",
    "Placement",
    "PostureLike",
    "ToolPlacement",
    "current_pattern",
    "place",
    "place_tool",
    "placement_findings",
]

REMOTE: tuple[str, ...] = ("internal_http", "public_remote", "managed_gateway")
APPROVAL_EFFECTS: tuple[str, ...] = ("high_cost", "customer_visible", "destructive")
"""Primary effects that need a human approval gate and an off switch of their own (send, publish, charge,
delete). Reversible updates are left out: they can be rolled back."""
SENSITIVE_FLAGS: tuple[str, ...] = ("private_data", "credential_access", "code_execution")
_OK = ("verified", "declared")

# What each audience needs at most; an undeclared audience is taken as internal (see _need).
_AUDIENCE_NEED = {"single_user": "local_stdio", "team": "internal_http", "organisation": "internal_http",
                  "partners": "public_remote", "public": "public_remote"}
_REASON_NEED = {"team_sharing": "internal_http", "partner_integration": "public_remote",
                "saas_product": "public_remote"}
# How likely a missing control is to be exploited, by where the server runs (impact comes from the control).
_LIKELIHOOD = {"local_stdio": 2, "internal_http": 3, "public_remote": 4, "managed_gateway": 3}

_PRIVATE_NETS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "fc00::/7", "fe80::/10"))
_PRIVATE_SUFFIXES = (".local", ".internal", ".lan", ".corp", ".home.arpa", ".intranet", ".private")


class PostureLike(Protocol):
    """What an HTTP probe saw: ``"verified"``, ``"missing"`` or None (not checked) for a control id."""

    def control_status(self, control: str) -> str | None: ...


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class ControlStatus:
    """One control for one placement: verified | declared | missing | not_applicable, why, and evidence."""

    control: str
    status: str
    why: str  # why it is required here (or why it does not apply)
    evidence: str = ""

    @property
    def satisfied(self) -> bool:
        return self.status in _OK

    def to_dict(self) -> dict[str, Any]:
        return {"control": self.control, "status": self.status, "why": self.why, "evidence": self.evidence}


@dataclass(frozen=True)
class NoGo:
    """A no-go sign that holds: remote hosting is blocked until it is cleared."""

    id: str  # NOGO01..NOGO08
    title: str
    evidence: tuple[str, ...]
    severity: str = "high"
    assumed: bool = False  # nothing observed settles it: the inventory is silent, so it stands
    tools: tuple[str, ...] = ()  # tool names it is about

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "severity": self.severity, "assumed": self.assumed,
                "tools": list(self.tools), "evidence": list(self.evidence)}


@dataclass(frozen=True)
class DecisionStep:
    """One question of the decision tree, its answer and what answered it."""

    id: str  # DT1..DT5
    question: str
    answer: str  # yes | no | unknown, assumed yes | unknown, assumed no | inferred yes | inferred no
    evidence: tuple[str, ...]
    assumed: bool = False

    @property
    def yes(self) -> bool:
        return self.answer.endswith("yes")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "question": self.question, "answer": self.answer, "assumed": self.assumed,
                "evidence": list(self.evidence)}


@dataclass(frozen=True)
class ToolPlacement:
    """Where one tool could be offered: the placement of a server that offered this tool alone.

    It reads the tool's effects, flags and credentials, its own declarations (approval gate, off switch)
    and the server's context (stage, audience, controls declared or verified), never the other tools.
    ``missing_controls`` holds, for each pattern more exposed than ``recommended``, the controls the tool
    still lacks there; ``own_blockers`` the no-go signs the tool raises itself, as opposed to the ones any
    tool of this server meets (``blocked_by`` holds both).
    """

    server: str
    tool: str
    allowed: tuple[str, ...]
    recommended: str
    missing_controls: Mapping[str, tuple[str, ...]]
    blocked_by: tuple[str, ...]
    why: str
    own_blockers: tuple[str, ...] = ()
    disabled: bool = False  # the tool is disabled: placed as if it were enabled, and not counted for the server

    def to_dict(self) -> dict[str, Any]:
        return {"allowed": list(self.allowed), "recommended": self.recommended,
                "missing_controls": {p: list(c) for p, c in self.missing_controls.items()},
                "blocked_by": list(self.blocked_by), "own_blockers": list(self.own_blockers), "why": self.why}


@dataclass(frozen=True)
class HeldBack:
    """One tool that holds its server back, and by how much.

    ``reach`` is the most exposed pattern the server could take with this tool on board once everything
    the server needs anyway (whatever its tools do) is in place; ``steps`` how many exposure ranks that is
    short of what the audience needs; ``adds`` what the tool adds beyond the server-wide needs at the next
    pattern (no-go signs and controls). ``shared_with`` names the tools it holds the server back together
    with (a credential they share), when it does not on its own.
    """

    tool: str
    recommended: str  # the tool's own recommendation today
    reach: str
    steps: int
    adds: tuple[str, ...]
    shared_with: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "recommended": self.recommended, "reach": self.reach, "steps": self.steps,
                "adds": list(self.adds), "shared_with": list(self.shared_with)}


@dataclass(frozen=True)
class Placement:
    """Where one server may run, where it should run, and what each placement still needs."""

    server: str
    current: str | None  # pattern it runs in now (None: unknown)
    recommended: str
    allowed: tuple[str, ...]  # patterns it may use now, in PATTERNS order; always holds local_stdio
    required_controls: tuple[ControlStatus, ...]  # every control, for the recommended pattern
    missing_by_pattern: Mapping[str, tuple[str, ...]]  # pattern -> required controls still missing
    no_go: tuple[NoGo, ...]
    rationale: tuple[DecisionStep, ...]  # DT1..DT5
    assumptions: tuple[str, ...]
    current_reason: str = ""
    need: str = "internal_http"  # the most exposed pattern the audience calls for
    need_assumed: bool = True
    blocked_by: tuple[str, ...] = ()  # DT1 and/or NOGO ids that keep every remote pattern out
    current_controls: tuple[ControlStatus, ...] = ()  # every control, for the current pattern
    contradicted: tuple[ControlStatus, ...] = ()  # declared in place, but a probe saw it missing
    summary: str = ""
    tools: tuple[ToolPlacement, ...] = ()  # every tool's own placement (disabled ones too), by name
    held_back_by: tuple[HeldBack, ...] = ()  # enabled tools that keep the server from the next pattern
    split_plans: tuple[Any, ...] = ()  # mcprisk.split.SplitPlan, nearest target pattern first

    def tool(self, name: str) -> ToolPlacement:
        """The placement of one tool of this server."""
        for tp in self.tools:
            if tp.tool == name:
                return tp
        raise KeyError(f"no tool {name!r} on server {self.server!r}")

    @property
    def split_plan(self) -> Any:
        """The split plan for the nearest pattern more exposed than the recommendation (None: no such plan)."""
        return self.split_plans[0] if self.split_plans else None

    def step(self, step_id: str) -> DecisionStep:
        return next(s for s in self.rationale if s.id == step_id)

    def control(self, control_id: str) -> ControlStatus:
        """The status of a control for the recommended pattern."""
        return next(c for c in self.required_controls if c.control == control_id)

    @property
    def remote_in_play(self) -> bool:
        """The server runs remotely, or a declared audience calls for it: the no-go signs matter."""
        return (self.current in REMOTE) or (self.need in REMOTE and not self.need_assumed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "server": self.server, "current": self.current, "current_reason": self.current_reason,
            "recommended": self.recommended, "allowed": list(self.allowed), "need": self.need,
            "need_assumed": self.need_assumed, "blocked_by": list(self.blocked_by), "summary": self.summary,
            "required_controls": [c.to_dict() for c in self.required_controls],
            "current_controls": [c.to_dict() for c in self.current_controls],
            "missing_by_pattern": {p: list(self.missing_by_pattern.get(p, ())) for p in PATTERNS},
            "contradicted": [c.to_dict() for c in self.contradicted],
            "no_go": [n.to_dict() for n in self.no_go],
            "rationale": [s.to_dict() for s in self.rationale],
            "assumptions": list(self.assumptions),
            "held_back_by": [h.to_dict() for h in self.held_back_by],
        }


# --------------------------------------------------------------------------------------------
# Where it runs now


def current_pattern(transport: str, url: str | None, inventory_hosting: str | None = None) -> str | None:
    """The hosting pattern a server runs in, from its transport and URL (the inventory's word wins).

    stdio is ``local_stdio``. Over HTTP the host decides: a loopback address is local too (it has
    local_stdio's exposure, though it speaks HTTP); 0.0.0.0 / :: (every interface), private networks
    (10/8, 172.16/12, 192.168/16, 100.64/10, link-local, fc00::/7) and intranet names (single-label,
    .local, .internal, .lan, .corp, .home.arpa, .intranet, .private) are ``internal_http``; anything else
    is ``public_remote``. None when there is no URL to judge by.
    """
    return _current(transport, url, inventory_hosting)[0]


def _current(transport: str, url: str | None, hosting: str | None) -> tuple[str | None, str]:
    if hosting is not None:
        return hosting, f"declared in the inventory as {hosting}"
    if transport == "stdio":
        return "local_stdio", "stdio: the client starts the server as a local child process"
    if not url:
        return None, f"{transport} without a URL: where it runs is unknown"
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None, "the URL cannot be parsed: where it runs is unknown"
    where = _host_class(host)
    if where is None:
        return None, "the URL names no host: where it runs is unknown"
    if where == "loopback":
        return "local_stdio", (f"{transport} on loopback ({host}): counted as local, with local_stdio's exposure, "
                               "although it speaks HTTP")
    if where == "any":
        return "internal_http", f"{transport} on {host}: it listens on every interface, so the network can reach it"
    if where == "private":
        return "internal_http", f"{transport} on {host}: a private-network address or intranet name"
    return "public_remote", f"{transport} on {host}: a public host name or address"


def _host_class(host: str) -> str | None:
    host = host.strip("[]").lower().rstrip(".")
    if not host:
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return "loopback"
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        if "." not in host or host.endswith(_PRIVATE_SUFFIXES):
            return "private"
        return "public"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:
        return "any"
    if any(ip in net for net in _PRIVATE_NETS):
        return "private"
    return "public"


# --------------------------------------------------------------------------------------------
# The facts the decision reads


class _Server:
    """What the decision reads that no tool changes, worked out once per server, inventory and posture and
    shared by the server's placement, every per-tool placement and the split plans: control states (before
    what per-tool declarations establish), DT1, DT5, the audience's need and the server-wide no-go signs."""

    def __init__(self, server: str, transport: str, url: str | None, inventory: Inventory,
                 posture: PostureLike | None, complete: bool) -> None:
        self.server, self.transport, self.url = server, transport, url
        self.inventory, self.posture, self.complete = inventory, posture, complete
        self.cat = catalog()
        self.states = {c: _control_state(self, c) for c in CONTROLS}
        self.dt1 = _dt1_experimental(self)
        self.dt5 = _dt5_managed(self)
        self.need, self.need_assumed, self.need_why = _need(self)
        self.nogo03 = _nogo03_no_access_model(self, self.states)
        self.nogo04 = _nogo04_secrets_in_logs(self, self.states)
        self.nogo08 = _nogo08_convenience(self)
        self._requirements: dict[tuple[Any, ...], tuple[dict[str, str], dict[str, str]]] = {}
        self._single: dict[tuple[Any, ...], _Decision] = {}
        self._floor: _Decision | None = None

    def where(self, *keys: str | int) -> str:
        at = self.inventory.where(*keys)
        return f" ({at})" if at else ""

    def with_controls(self, controls: Iterable[str], evidence: str = "assumed in place") -> "_Server":
        """The same server with ``controls`` declared in place (what-if, for split plans)."""
        inventory = self.inventory
        for control in controls:
            inventory = inventory.with_control(self.server, control, "in_place", evidence)
        return _Server(self.server, self.transport, self.url, inventory, self.posture, self.complete)

    def with_inventory(self, inventory: Inventory) -> "_Server":
        return _Server(self.server, self.transport, self.url, inventory, self.posture, self.complete)

    def requirements(self, pattern: str, conditions: tuple[bool, bool, bool], dt3: bool,
                     dt4: bool) -> tuple[dict[str, str], dict[str, str]]:
        """(control -> why it is required, control -> why it is not) for ``pattern``; read-only, cached."""
        key = (pattern, conditions, dt3, dt4)
        if key not in self._requirements:
            self._requirements[key] = _requirements(self, pattern, dict(zip(CONDITIONS, conditions)),
                                                    {"DT3": dt3, "DT4": dt4})
        return self._requirements[key]

    def active(self, tools: Iterable[ToolAssessment]) -> tuple[ToolAssessment, ...]:
        """The enabled tools, in a canonical order (by name), so the order given never matters."""
        enabled = (t for t in tools if not t.disabled and not self.inventory.tool_disabled(self.server, t.tool))
        return tuple(sorted(enabled, key=lambda t: (t.tool, t.effects, t.flags)))

    def floor(self) -> "_Decision":
        """The decision for this server with no tool at all: what any tool of it meets."""
        if self._floor is None:
            self._floor = _decide(self, (), {})
        return self._floor

    def single(self, tool: ToolAssessment, creds: frozenset[str]) -> "_Decision":
        """The decision for a server offering ``tool`` alone, which can use ``creds`` (effective credentials,
        see _effective_credentials). Tools that look alike to the decision (same effects, flags,
        credentials, declarations and data stores) share one result."""
        tool = replace(tool, disabled=False) if tool.disabled else tool
        decl = self.inventory.tool_decl(self.server, tool.tool)
        stores = tuple(d.name for d in self.inventory.data_stores_for(self.server) if d.tools and tool.tool in d.tools)
        key = (tool.effects, tool.flags, creds, decl.approval if decl else None, decl.off_switch if decl else None,
               stores)
        if key not in self._single:
            self._single[key] = _decide(self, (tool,), {tool.tool: creds}, effective=True)
        return self._single[key]


CONDITIONS = ("holds_credentials", "approval_tools", "proxies")


@dataclass(frozen=True)
class _Facts:
    """The tool-dependent facts: the enabled tools (sorted by name) and the credentials each can use."""

    srv: _Server
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
    def all_credentials(self) -> frozenset[str]:
        """What the tools can use, plus credentials the inventory gives the whole server (no ``tools`` list)."""
        names = {c for creds in self.credentials.values() for c in creds}
        names.update(c.name for c in self.inventory.credentials_for(self.server) if c.kind != "none" and not c.tools)
        return frozenset(names)

    def data_stores(self) -> tuple[Any, ...]:
        """Declared data stores the enabled tools reach (a store without a ``tools`` list: the whole server)."""
        return tuple(d for d in self.inventory.data_stores_for(self.server)
                     if not d.tools or any(t.tool in d.tools for t in self.tools))

    def where(self, *keys: str | int) -> str:
        return self.srv.where(*keys)


def _effective_credentials(server: str, tools: Sequence[ToolAssessment], tool_credentials: Mapping[str, Iterable[str]],
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
        out[t.tool] = frozenset(n for n in names if _kind(inventory, n) != "none")
    return out


def _kind(inventory: Inventory, credential: str) -> str | None:
    decl = inventory.credential(credential)
    return decl.kind if decl else None


def _tool_list(tools: Iterable[ToolAssessment], limit: int = 8) -> str:
    names = sorted({t.tool for t in tools})
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


# --------------------------------------------------------------------------------------------
# Control status (independent of the pattern)


@dataclass(frozen=True)
class _State:
    status: str  # verified | declared | missing
    evidence: str
    contradicted: bool = False
    derivable: bool = False  # nothing declared or verified it: per-tool declarations may still establish it


_DERIVABLE = ("consent_approvals", "credential_rotation", "off_switch")


def _control_state(srv: _Server, control: str) -> _State:
    """verified (a probe saw it) > declared (inventory, not contradicted) > [derived from per-tool
    declarations, see _derived] > missing."""
    seen = srv.posture.control_status(control) if srv.posture is not None else None
    checks = ", ".join(srv.cat.control(control).probe_checks)
    if seen == "verified":
        return _State("verified", f"verified by the probe ({checks})" if checks else "verified by the probe")
    decl = srv.inventory.control_decl(srv.server, control)
    if decl is not None and decl.in_place:
        said = f"declared in place{f' ({decl.source})' if decl.source else ''}" + (
            f": {decl.evidence}" if decl.evidence else "")
        if seen == "missing":
            return _State("missing", f"{said}; but the probe saw it missing ({checks})", contradicted=True)
        return _State("declared", said)
    derivable = control in _DERIVABLE
    if seen == "missing":
        return _State("missing", f"the probe saw it missing ({checks})", derivable=derivable)
    if decl is not None:
        where = f" ({decl.source})" if decl.source else ""
        return _State("missing", f"declared {decl.status.replace('_', ' ')}{where}"
                      + (f": {decl.evidence}" if decl.evidence else ""), derivable=derivable)
    if checks:
        return _State("missing", "not declared in the inventory, and no probe verified it", derivable=derivable)
    return _State("missing", "not declared in the inventory; no probe can see it: ask the operator",
                  derivable=derivable)


def _derived(f: _Facts, control: str) -> str | None:
    """A control the inventory establishes without naming it: per-tool approval gates on every tool that
    needs one, per-tool off switches on every enabled tool, or every credential of the server kept in a
    protected store with a rotation plan."""
    if control == "consent_approvals":
        gated = f.approval_tools
        if gated and all((d := f.inventory.tool_decl(f.server, t.tool)) is not None and d.approval for t in gated):
            return f"every tool that needs one declares an approval gate ({_tool_list(gated)})"
    if control == "off_switch":
        if f.tools and all((d := f.inventory.tool_decl(f.server, t.tool)) is not None and d.off_switch
                           for t in f.tools):
            return f"every tool declares an off switch of its own ({_tool_list(f.tools)})"
    if control == "credential_rotation":
        names = f.all_credentials
        decls = [f.inventory.credential(n) for n in sorted(names)]
        if names and all(d is not None and d.well_kept for d in decls):
            return f"every credential is in a protected store with a rotation plan ({', '.join(sorted(names))})"
    return None


# --------------------------------------------------------------------------------------------
# The decision tree, one function per question


def _dt1_experimental(f: _Server) -> DecisionStep:
    q = f.cat.question("DT1")
    stage = f.inventory.stage(f.server)
    at = f.inventory.setting_source(f.server, "stage")
    if stage is None:
        return DecisionStep(q.id, q.question, "unknown, assumed yes",
                            (f"the inventory declares no stage: {q.silent_because}",), assumed=True)
    return DecisionStep(q.id, q.question, "yes" if stage == "experimental" else "no",
                        (f"inventory: stage {stage}" + (f" ({at})" if at else ""),))


def _sensitivity(f: _Facts) -> tuple[list[str], bool]:
    """Why the server can change things or expose sensitive data, and whether its data stores are fully known."""
    reasons = [f"{t.tool} is {t.primary}" for t in f.tools if t.mutating]
    reasons += [f"{t.tool} has {', '.join(x for x in t.flags if x in SENSITIVE_FLAGS)}"
                for t in f.tools if any(t.has(x) for x in SENSITIVE_FLAGS)]
    reasons += [f"data store {d.name} is {d.classification}" for d in f.data_stores() if d.sensitive]
    decl = f.inventory.server(f.server)
    return reasons, bool(decl and decl.inventory_complete)


def _dt2_read_only_low(f: _Facts, reasons: Sequence[str], known: bool) -> DecisionStep:
    q = f.cat.question("DT2")
    if reasons:
        return DecisionStep(q.id, q.question, "no", tuple(reasons))
    if not known:
        return DecisionStep(q.id, q.question, "unknown, assumed no",
                            ("every tool is read-only with no sensitive flag, but the inventory does not confirm "
                             f"its data stores are complete: {q.silent_because}",), assumed=True)
    stores = [f"{d.name} ({d.classification})" for d in f.data_stores()]
    return DecisionStep(q.id, q.question, "yes",
                        ("every tool is read-only, with no private_data, credential_access or code_execution flag",
                         "data stores: " + (", ".join(stores) if stores else "none") + f.where(
                             "servers", f.server, "inventory_complete")))


def _dt3_can_harm(f: _Facts, reasons: Sequence[str], known: bool) -> DecisionStep:
    q = f.cat.question("DT3")
    if reasons:
        return DecisionStep(q.id, q.question, "yes", tuple(reasons))
    if not known:
        return DecisionStep(q.id, q.question, "unknown, assumed yes",
                            (f"no tool mutates or reads flagged data, but {q.silent_because}",), assumed=True)
    return DecisionStep(q.id, q.question, "no",
                        ("no tool mutates, no sensitive flag, and no sensitive data store is declared",))


def _dt4_proxies(f: _Facts) -> DecisionStep:
    q = f.cat.question("DT4")
    decl = f.inventory.server(f.server)
    declared = decl.proxies_third_party if decl else None
    at = f.where("servers", f.server, "proxies_third_party")
    oauth = sorted(n for n in f.all_credentials if _kind(f.inventory, n) == "per_user_oauth")
    if declared:
        return DecisionStep(q.id, q.question, "yes", (f"inventory: proxies_third_party true{at}",))
    if oauth:
        return DecisionStep(q.id, q.question, "yes", tuple(f"credential {n} holds users' OAuth tokens (per_user_oauth)"
                                                           for n in oauth))
    if declared is False:
        return DecisionStep(q.id, q.question, "no", (f"inventory: proxies_third_party false{at}",))
    inferred = [f"{t.tool} sends to an argument-chosen destination using {', '.join(sorted(f.credentials[t.tool]))}"
                for t in f.tools if t.has("external_egress") and f.credentials.get(t.tool)]
    if inferred:
        return DecisionStep(q.id, q.question, "inferred yes", tuple(inferred), assumed=True)
    return DecisionStep(q.id, q.question, "inferred no",
                        ("no tool pairs an outside destination with a credential; the inventory does not say",),
                        assumed=True)


def _dt5_managed(f: _Server) -> DecisionStep:
    q = f.cat.question("DT5")
    alt = f.inventory.managed_alternative(f.server)
    if alt is None:
        return DecisionStep(q.id, q.question, "unknown, assumed no", (f"not declared: {q.silent_because}",),
                            assumed=True)
    at = f.inventory.setting_source(f.server, "managed_alternative")
    text = f"inventory: managed_alternative.available {str(alt.available).lower()}" + (f" ({at})" if at else "")
    return DecisionStep(q.id, q.question, "yes" if alt.available else "no",
                        (text,) + ((alt.note,) if alt.note else ()))


def _need(f: _Server) -> tuple[str, bool, str]:
    """The most exposed pattern the audience calls for, whether that was assumed, and why."""
    audience = f.inventory.audience(f.server)
    if audience is not None:
        return _AUDIENCE_NEED[audience], False, f"audience {audience}"
    reason = f.inventory.remote_reason(f.server)
    if reason is not None and reason.reason in _REASON_NEED:
        return _REASON_NEED[reason.reason], False, f"remote_reason {reason.reason}"
    return "internal_http", True, "no audience declared: assumed internal use at most"


# --------------------------------------------------------------------------------------------
# No-go signs, one function per sign


def _nogo(f: _Facts | _Server, sign_id: str, evidence: Iterable[str], *, assumed: bool = False,
          tools: Iterable[ToolAssessment] = ()) -> NoGo:
    sign = f.cat.no_go_sign(sign_id)
    return NoGo(sign.id, sign.title, tuple(evidence), sign.severity, assumed, tuple(sorted({t.tool for t in tools})))


def _nogo01_unlisted(f: _Facts) -> NoGo | None:
    facts, asks = [], []
    if not f.complete:
        facts.append("the listing of tools, resources and prompts did not complete")
    undeclared = sorted(n for n in f.all_credentials if f.inventory.credential(n) is None)
    facts += [f"credential {n} is used by a tool but the inventory does not describe it" for n in undeclared]
    decl = f.inventory.server(f.server)
    if not (decl and decl.inventory_complete):
        asks.append("the inventory does not confirm that its credentials and data stores are the full list "
                    f"(servers.{f.server}.inventory_complete)")
    if not facts and not asks:
        return None
    return _nogo(f, "NOGO01", facts + asks, assumed=not facts)


def _nogo02_shared_credential(f: _Facts) -> NoGo | None:
    users: dict[str, list[ToolAssessment]] = {}
    for t in f.tools:
        for cred in f.credentials.get(t.tool, ()):
            users.setdefault(cred, []).append(t)
    evidence, involved, assumed = [], [], True
    for cred in sorted(users):
        tools = users[cred]
        decl = f.inventory.credential(cred)
        breadth = decl.breadth if decl else None
        writers = [t for t in tools if t.mutating]
        if breadth == "narrow" or not writers or len(tools) < 2:
            continue
        readers = [t for t in tools if not t.mutating]
        scope = breadth or "breadth not declared: assumed broad"
        if readers:
            evidence.append(f"{cred} ({scope}) is used by mutating {_tool_list(writers)} and by read-only "
                            f"{_tool_list(readers)}")
        else:
            evidence.append(f"{cred} ({scope}) is shared by mutating tools {_tool_list(writers)}: none has a "
                            "credential of its own")
        involved += tools
        assumed = assumed and breadth is None
    return _nogo(f, "NOGO02", evidence, assumed=assumed, tools=involved) if evidence else None


def _nogo03_no_access_model(f: _Server, states: Mapping[str, _State]) -> NoGo | None:
    if states["authn_authz"].status in _OK:
        return None
    audience, tenants = f.inventory.audience(f.server), f.inventory.tenants(f.server)
    shared = [f"audience {audience}"] if audience not in (None, "single_user") else []
    shared += ["several tenants"] if tenants == "multi" else []
    authn = f"authn_authz: {states['authn_authz'].evidence}"
    if shared:
        return _nogo(f, "NOGO03", [*shared, authn])
    if audience is None:
        return _nogo(f, "NOGO03", ["no audience declared: assumed to be shared", authn], assumed=True)
    return None


def _nogo04_secrets_in_logs(f: _Server, states: Mapping[str, _State]) -> NoGo | None:
    state = states["secret_redaction"]
    if state.status in _OK:
        return None
    silent = f.inventory.control_decl(f.server, "secret_redaction") is None
    return _nogo(f, "NOGO04", [f"secret_redaction: {state.evidence}"], assumed=silent)


def _nogo05_no_approval(f: _Facts, states: Mapping[str, _State]) -> NoGo | None:
    if states["consent_approvals"].status in _OK:
        return None
    lacking = [t for t in f.approval_tools if not ((d := f.inventory.tool_decl(f.server, t.tool)) and d.approval)]
    if not lacking:
        return None
    return _nogo(f, "NOGO05", [f"{t.tool} is {t.primary} and declares no approval gate" for t in lacking],
                 tools=lacking)


def _nogo06_unreviewed_proxy(f: _Facts, states: Mapping[str, _State], dt4: DecisionStep) -> NoGo | None:
    decl = f.inventory.server(f.server)
    if not dt4.yes or (decl and decl.third_party_consent_reviewed) or states["proxy_consent"].status in _OK:
        return None
    return _nogo(f, "NOGO06", [*dt4.evidence, "neither third_party_consent_reviewed nor proxy_consent is declared"],
                 assumed=dt4.assumed)


def _nogo07_no_off_switch(f: _Facts, states: Mapping[str, _State]) -> NoGo | None:
    if states["off_switch"].status in _OK:
        return None
    lacking = [t for t in f.approval_tools if not ((d := f.inventory.tool_decl(f.server, t.tool)) and d.off_switch)]
    if not lacking:
        return None
    return _nogo(f, "NOGO07", [f"{t.tool} is {t.primary} and cannot be switched off on its own" for t in lacking],
                 tools=lacking)


def _nogo08_convenience(f: _Server) -> NoGo | None:
    reason = f.inventory.remote_reason(f.server)
    audience = f.inventory.audience(f.server)
    at = f.inventory.setting_source(f.server, "remote_reason")
    if reason is not None and reason.convenience:
        return _nogo(f, "NOGO08", ["inventory: the only reason for remote hosting is convenience" + (
            f" ({at})" if at else "")])
    if reason is not None and reason.convenience is False:
        return None
    if audience == "single_user":
        return _nogo(f, "NOGO08", ["audience single_user: hosting it remotely could only serve convenience"])
    if audience is not None:
        return None
    return _nogo(f, "NOGO08", ["neither a reason for remote hosting nor an audience is declared"], assumed=True)


# --------------------------------------------------------------------------------------------
# Requirements per pattern


_WHEN_NOT = {"holds_credentials": "no tool uses a credential",
             "approval_tools": "no tool sends, publishes, charges or destroys",
             "proxies": "the server does not proxy third-party APIs (DT4)"}


def _requirements(f: _Server, pattern: str, conditions: Mapping[str, bool],
                  answers: Mapping[str, bool]) -> tuple[dict[str, str], dict[str, str]]:
    """(control -> why it is required, control -> why it is not) for ``pattern``."""
    required: dict[str, str] = {}
    skipped: dict[str, str] = {}
    sources = [f.cat.pattern(pattern).requires]
    if pattern in REMOTE:
        sources += [f.cat.question(q).requires for q in ("DT3", "DT4") if answers[q]]
    for requirements in sources:
        for r in requirements:
            if r.when is not None and not conditions[r.when]:
                skipped.setdefault(r.control, _WHEN_NOT[r.when])
            else:
                required.setdefault(r.control, r.why)
    transport = f.transport if pattern == "local_stdio" else "http"
    for control in list(required):
        if not f.cat.control(control).applies_to_transport(transport):
            del required[control]
            skipped[control] = f"{transport} has no HTTP endpoint to protect"
    for control in CONTROLS:
        if control not in required and control not in skipped:
            skipped[control] = ("needed only before remote hosting" if pattern == "local_stdio"
                                else f"{pattern} does not call for it here")
    return required, {c: why for c, why in skipped.items() if c not in required}


def _statuses(required: Mapping[str, str], skipped: Mapping[str, str],
              states: Mapping[str, _State]) -> tuple[ControlStatus, ...]:
    out = []
    for control in CONTROLS:
        if control in required:
            out.append(ControlStatus(control, states[control].status, required[control], states[control].evidence))
        else:
            out.append(ControlStatus(control, "not_applicable", skipped.get(control, ""), ""))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# The decision: one function for the server and for each tool alone


@dataclass(frozen=True)
class _Decision:
    """The decision tree walked for one set of enabled tools of a server."""

    facts: _Facts
    states: Mapping[str, _State]
    steps: Mapping[str, DecisionStep]
    no_go: tuple[NoGo, ...]
    requirements: Mapping[str, tuple[dict[str, str], dict[str, str]]]
    missing: Mapping[str, tuple[str, ...]]
    blocked_by: tuple[str, ...]
    allowed: tuple[str, ...]
    recommended: str

    def gap(self, pattern: str) -> frozenset[str]:
        """Everything between this tool set and ``pattern``: missing controls, and for a remote pattern the
        DT1 answer and no-go signs that block it."""
        out = frozenset(self.missing[pattern])
        return out | frozenset(self.blocked_by) if pattern in REMOTE else out


def _decide(srv: _Server, tools: Sequence[ToolAssessment], tool_credentials: Mapping[str, Iterable[str]], *,
            effective: bool = False) -> _Decision:
    """The decision for ``tools`` (enabled, in canonical order) on ``srv``. ``effective``: the credential map
    is already what _effective_credentials makes of it (computed once per server)."""
    creds = ({t.tool: frozenset(tool_credentials.get(t.tool, ())) for t in tools} if effective else
             _effective_credentials(srv.server, tools, tool_credentials, srv.inventory))
    f = _Facts(srv, tuple(tools), MappingProxyType(creds))
    states = dict(srv.states)
    for control in _DERIVABLE:
        if states[control].derivable and (text := _derived(f, control)):
            states[control] = _State("declared", text)
    reasons, known = _sensitivity(f)
    dt4 = _dt4_proxies(f)
    steps = {"DT1": srv.dt1, "DT2": _dt2_read_only_low(f, reasons, known), "DT3": _dt3_can_harm(f, reasons, known),
             "DT4": dt4, "DT5": srv.dt5}
    signs = [_nogo01_unlisted(f), _nogo02_shared_credential(f), srv.nogo03, srv.nogo04, _nogo05_no_approval(f, states),
             _nogo06_unreviewed_proxy(f, states, dt4), _nogo07_no_off_switch(f, states), srv.nogo08]
    no_go = tuple(s for s in signs if s is not None)

    conditions = (bool(f.all_credentials), bool(f.approval_tools), dt4.yes)
    requirements = {p: srv.requirements(p, conditions, steps["DT3"].yes, dt4.yes) for p in PATTERNS}
    missing = {p: tuple(c for c in CONTROLS if c in requirements[p][0] and states[c].status not in _OK)
               for p in PATTERNS}
    blocked_by = (("DT1",) if srv.dt1.yes else ()) + tuple(s.id for s in no_go)
    allowed = ["local_stdio"]
    if not blocked_by:
        allowed += [p for p in REMOTE if not missing[p] and (p != "managed_gateway" or srv.dt5.yes)]
    recommended = _recommend(srv.cat, allowed, srv.need, srv.dt5.yes)
    return _Decision(f, MappingProxyType(states), MappingProxyType(steps), no_go, MappingProxyType(requirements),
                     MappingProxyType(missing), blocked_by, tuple(allowed), recommended)


# --------------------------------------------------------------------------------------------
# The placement


def place(server: str, *, transport: str, url: str | None, tools: Sequence[ToolAssessment],
          tool_credentials: Mapping[str, Iterable[str]], inventory: Inventory | None = None,
          posture: PostureLike | None = None, complete: bool = True) -> Placement:
    """Decide where ``server`` may run and what each placement still needs.

    ``tools`` are the server's classified tools (disabled ones are kept out of the decision, but get a
    placement of their own); ``tool_credentials`` maps a tool name to the credential names it can use (env
    var / header names or inventory ids); ``posture`` is what an HTTP probe saw; ``complete`` says whether
    the listing completed. The result also holds every tool's own placement (``Placement.tools``), the
    tools that hold the server back (``held_back_by``) and the split plans (``split_plans``).
    """
    srv = _Server(server, transport, url, inventory if inventory is not None else Inventory.empty(), posture,
                  complete)
    return _place(srv, tools, tool_credentials)


def _place(srv: _Server, tools: Sequence[ToolAssessment], tool_credentials: Mapping[str, Iterable[str]]) -> Placement:
    from .split import split_plans_and_holders  # split reads this module's decision; imported late

    cat, server, inventory = srv.cat, srv.server, srv.inventory
    active = srv.active(tools)
    eff = _effective_credentials(server, tools, tool_credentials, inventory)
    d = _decide(srv, active, eff, effective=True)
    states, steps, requirements, recommended = d.states, d.steps, d.requirements, d.recommended
    current, current_reason = _current(srv.transport, srv.url, inventory.hosting(server))
    loopback = current == "local_stdio" and srv.transport != "stdio" and inventory.hosting(server) is None
    assumptions = _assumptions(srv, steps, d.no_go, srv.need_assumed, srv.need_why, loopback, recommended)
    contradicted = tuple(ControlStatus(c, "missing", "declared in the inventory", states[c].evidence)
                         for c in CONTROLS if states[c].contradicted)
    own = {tp.tool: tp for tp in (_tool_placement(srv, t, eff[t.tool]) for t in tools)}
    plans, held = split_plans_and_holders(srv, d, active, eff, own)
    placement = Placement(
        server=server, current=current, recommended=recommended, allowed=d.allowed,
        required_controls=_statuses(*requirements[recommended], states),
        missing_by_pattern=d.missing, no_go=d.no_go,
        rationale=tuple(steps[q.id] for q in cat.decision_tree), assumptions=assumptions,
        current_reason=current_reason, need=srv.need, need_assumed=srv.need_assumed, blocked_by=d.blocked_by,
        current_controls=_statuses(*requirements[current], states) if current else (),
        contradicted=contradicted, tools=tuple(own[name] for name in sorted(own)), held_back_by=held,
        split_plans=plans)
    return _with_summary(placement)


def place_tool(server: str, tool: ToolAssessment, *, transport: str, url: str | None = None,
               credentials: Iterable[str] = (), inventory: Inventory | None = None,
               posture: PostureLike | None = None, complete: bool = True) -> ToolPlacement:
    """Where one tool could be offered: the placement of ``server`` if it offered ``tool`` alone.

    ``credentials`` are the credential names the tool can use; the inventory, posture and transport are the
    server's, as for ``place``. The other tools of the server play no part.
    """
    srv = _Server(server, transport, url, inventory if inventory is not None else Inventory.empty(), posture,
                  complete)
    creds = _effective_credentials(server, (tool,), {tool.tool: tuple(credentials)}, srv.inventory)[tool.tool]
    return _tool_placement(srv, tool, creds)


def _tool_placement(srv: _Server, tool: ToolAssessment, creds: frozenset[str]) -> ToolPlacement:
    d = srv.single(tool, creds)
    floor = srv.floor()
    own = tuple(b for b in d.blocked_by if b not in floor.blocked_by)
    rank = srv.cat.rank(d.recommended)
    missing = {p: d.missing[p] for p in PATTERNS if srv.cat.rank(p) > rank}
    disabled = tool.disabled or srv.inventory.tool_disabled(srv.server, tool.tool)
    return ToolPlacement(srv.server, tool.tool, d.allowed, d.recommended, MappingProxyType(missing), d.blocked_by,
                         _tool_why(srv, tool, d, own), own, disabled)


def _tool_why(srv: _Server, tool: ToolAssessment, d: _Decision, own: Sequence[str]) -> str:
    what = tool.primary + "".join(f", {x}" for x in tool.flags)
    shared = [b for b in d.blocked_by if b not in own]
    if d.blocked_by:
        parts = []
        if own:
            parts.append("its own " + ", ".join(own))
        if shared:
            parts.append(("and " if own else "") + "the server-wide " + ", ".join(shared))
        return f"{what}: kept local by " + " ".join(parts) + "."
    nxt = next((p for p in PATTERNS if srv.cat.rank(p) > srv.cat.rank(d.recommended)
                and srv.cat.rank(p) <= srv.cat.rank(srv.need) and (p != "managed_gateway" or srv.dt5.yes)), None)
    if nxt is None:
        return f"{what}: {d.recommended} fits; its controls are in place."
    gaps = d.missing[nxt]
    return f"{what}: {d.recommended} for now; {nxt} still needs {', '.join(gaps) if gaps else 'nothing'}."


def _recommend(cat: Catalog, allowed: Sequence[str], need: str, managed: bool) -> str:
    """The most exposed allowed pattern within what the audience needs; the managed gateway wins a tie when
    a managed alternative exists (DT5)."""
    limit = cat.rank(need)
    fitting = [p for p in allowed if cat.rank(p) <= limit]
    top = max(cat.rank(p) for p in fitting)
    at_top = [p for p in fitting if cat.rank(p) == top]
    if managed and "managed_gateway" in at_top:
        return "managed_gateway"
    return at_top[0]  # allowed is in PATTERNS order: public_remote before managed_gateway


def _assumptions(f: _Server, steps: Mapping[str, DecisionStep], no_go: Sequence[NoGo], need_assumed: bool,
                 need_why: str, loopback: bool, recommended: str) -> tuple[str, ...]:
    out = []
    if loopback:
        out.append("an HTTP server on a loopback address is counted as local: local_stdio's exposure "
                   "(localhost_binding and origin_validation still apply)")
    for step in steps.values():
        if step.assumed:
            out.append(f"{step.id} {step.answer}: {f.cat.question(step.id).silent_because}")
    if need_assumed:
        out.append(f"{need_why}; declare audience to allow public hosting")
    out += [f"{n.id} stands as an assumption: {n.evidence[0]}" for n in no_go if n.assumed]
    if f.cat.pattern(recommended).vendor_review:
        out.append("the managed gateway's claims about data retention and logging must be reviewed, not assumed")
    return tuple(out)


def _with_summary(p: Placement) -> Placement:
    if p.blocked_by:
        text = f"Keep {p.server} local: remote hosting is blocked by {', '.join(p.blocked_by)}."
    elif catalog().rank(p.recommended) >= catalog().rank(p.need):
        text = (f"{p.recommended} fits {p.server}: it is as exposed as the audience needs, "
                "and its controls are in place.")
    else:
        target = "managed_gateway" if p.step("DT5").yes else p.need
        gaps = p.missing_by_pattern.get(target, ())
        text = (f"{p.recommended} for {p.server} for now; {target} still needs: "
                f"{', '.join(gaps) if gaps else 'nothing'}.")
    if p.current is not None and catalog().rank(p.current) > catalog().rank(p.recommended):
        text += f" It runs as {p.current} today: more exposed than recommended."
    return replace(p, summary=text)


# --------------------------------------------------------------------------------------------
# Findings


def placement_findings(placement: Placement) -> list[Finding]:
    """Findings a placement raises: PLC001 (hosted more exposed than recommended), one per no-go sign while
    remote hosting is in play (code = the sign's id), PLC002 (declared but a probe saw it missing) and
    PLC003 (a control the current placement requires is missing)."""
    cat = catalog()
    p, server = placement, placement.server
    out: list[Finding] = []
    if p.current is not None and cat.rank(p.current) > cat.rank(p.recommended):
        evidence = [Evidence("PLC001", "server", p.current, p.current_reason)]
        evidence += [Evidence("PLC001", "graph" if b.startswith("NOGO") else "inventory", b, "blocks remote hosting")
                     for b in p.blocked_by]
        out.append(Finding(
            "PLC001", "Hosted more exposed than recommended", "high", server, server,
            f"{server} runs as {p.current}, but may run no more exposed than {p.recommended}. {p.summary}",
            tuple(evidence)))
    if p.remote_in_play:
        for sign in p.no_go:
            meta = cat.no_go_sign(sign.id)
            refs = tuple(r for c in meta.controls for r in cat.control(c).references)
            message = f"{meta.sign} {'Assumed, not observed: ' if sign.assumed else ''}{'; '.join(sign.evidence)}."
            out.append(Finding(
                sign.id, meta.title, sign.severity, server, server, message,
                tuple(Evidence(sign.id, "inventory" if sign.assumed else "graph", e[:200], meta.detection)
                      for e in sign.evidence),
                references=refs, tools=tuple(f"{server}/{t}" for t in sign.tools)))
    for c in p.contradicted:
        ctl = cat.control(c.control)
        out.append(Finding(
            "PLC002", "Declared control not observed", "high", server, c.control,
            f"The inventory says {ctl.title.lower()} ({c.control}) is in place, but the probe saw it missing.",
            (Evidence("PLC002", "probe", c.control, c.evidence),), references=ctl.references))
    if p.current is not None:
        for c in p.current_controls:
            if c.status != "missing":
                continue
            ctl = cat.control(c.control)
            out.append(Finding(
                "PLC003", f"Missing control: {ctl.title}", severity_from(_LIKELIHOOD[p.current], ctl.impact),
                server, c.control,
                f"{server} runs as {p.current}, which requires {c.control}: {c.why}. Status: {c.evidence}.",
                (Evidence("PLC003", "inventory", c.control, c.evidence),), references=ctl.references))
    return out
