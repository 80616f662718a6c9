"""Snapshot(s) + inventory -> Assessment: classification, graph, findings, flows, placements and verdicts in one result.

Beside the tools, resources are assessed for the data they expose and prompts for the tools they drive
(``mcprisk.surfaces``); each placement carries every tool's own placement, the server's split plans and its
ceiling. The verdict per server (do_not_use / needs_controls / ready) is worked out last, once tracking
decisions are applied, so that a recorded decision on the findings behind ``do_not_use`` lifts it.

``assess`` composes the stages; ``reassess`` redoes only what an inventory change can affect, reusing
the classification of every tool whose override did not change (fast enough for live widgets).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import networkx as nx

from ._gcpace import fewer_collections
from .classify import RuleFailure, build_context, classify_tool, server_context
from .classify.learned import active_model
from .classify.lexicon import lexicon
from .declarations import ClassificationOverride, ToolDecl
from .graph import build_graph, tool_credentials, tool_stores
from .inventory import Inventory
from .model import RESOLVED, SEVERITIES, Finding, Flow, PromptAssessment, ResourceAssessment, ToolAssessment
from .rules import FINDING_RULES, RuleContext, find_flows, rule_info
from .rules.content import forget_primed, prime_subjects, settle
from .snapshot import Snapshot
from .surfaces import assess_prompts, assess_resources

if TYPE_CHECKING:
    from .drift import Drift
    from .placement import Placement, SplitPlan, ToolPlacement, Verdict
    from .probes import Posture
    from .tracking import Tracking, TrackingEntry

__all__ = ["Assessment", "assess", "clear_caches", "prime", "reassess"]

MARKED_FAMILIES = ("content", "annotations")
"""Finding families whose findings on a tool mark its row: text aimed at the model, claims about the tool."""

REPORT_FORMAT = "mcprisk.assessment"
REPORT_VERSION = 1


@dataclass(frozen=True)
class Assessment:
    """One result, many views: every renderer and widget reads this and recomputes nothing."""

    snapshots: tuple[Snapshot, ...]
    tools: tuple[ToolAssessment, ...]
    findings: tuple[Finding, ...]
    flows: tuple[Flow, ...]
    placements: tuple[Placement, ...] = ()
    inventory: Inventory | None = None
    postures: Mapping[str, Posture] = field(default_factory=dict)
    rule_failures: tuple[RuleFailure, ...] = ()
    unmatched_tracking: tuple[TrackingEntry, ...] = ()
    drift: Drift | None = None  # when assessed against a baseline
    graph: nx.MultiDiGraph = field(default_factory=nx.MultiDiGraph, compare=False, repr=False)
    # Findings of rules that read only the snapshots, before tracking: reused by reassess().
    snapshot_findings: tuple[Finding, ...] = field(default=(), compare=False, repr=False)
    resources: tuple[ResourceAssessment, ...] = ()  # every resource and template, with its flags
    prompts: tuple[PromptAssessment, ...] = ()  # every prompt, with the tools and resources it drives
    verdicts: tuple[Verdict, ...] = ()  # one per server, in snapshot order

    # -- lookups ----------------------------------------------------------------------------------

    @property
    def servers(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.snapshots)

    def tool(self, server: str, name: str) -> ToolAssessment:
        for ta in self.tools:
            if ta.server == server and ta.tool == name:
                return ta
        raise KeyError(f"no tool {name!r} on server {server!r}")

    def tools_of(self, server: str) -> tuple[ToolAssessment, ...]:
        return tuple(ta for ta in self.tools if ta.server == server)

    def placement(self, server: str) -> Placement:
        for p in self.placements:
            if p.server == server:
                return p
        raise KeyError(f"no placement for server {server!r}")

    def verdict(self, server: str) -> Verdict:
        """What to do with ``server`` (``mcprisk.placement.Verdict``): do_not_use, needs_controls or ready."""
        for v in self.verdicts:
            if v.server == server:
                return v
        raise KeyError(f"no verdict for server {server!r}")

    def tool_placement(self, server: str, tool: str) -> ToolPlacement:
        """Where one tool could be offered on its own (``mcprisk.placement.ToolPlacement``)."""
        return self.placement(server).tool(tool)

    def split_plan(self, server: str, target: str | None = None) -> SplitPlan | None:
        """The split plan for ``server``: for the nearest pattern more exposed than its recommendation, or for
        ``target``. None when no plan applies (the server is already where its audience needs it, or no
        tool could be kept)."""
        plans = self.placement(server).split_plans
        if target is None:
            return plans[0] if plans else None
        return next((p for p in plans if p.target_pattern == target), None)

    def tool_marks(self) -> dict[tuple[str, str], list[Finding]]:
        """Findings about one tool's text or claims (the ``content`` and ``annotations`` rule families), by
        (server, tool): what marks the tool's row in reports and the explorer."""
        from .rules import rule_info

        families = {code: info.family for code, info in rule_info().items()}
        names = {(s.name, t.name) for s in self.snapshots for t in s.tools}
        out: dict[tuple[str, str], list[Finding]] = {}
        for f in self.findings:
            if families.get(f.code) in MARKED_FAMILIES and (f.server, f.subject) in names:
                out.setdefault((f.server, f.subject), []).append(f)
        return out

    def resources_of(self, server: str) -> tuple[ResourceAssessment, ...]:
        return tuple(r for r in self.resources if r.server == server)

    def prompts_of(self, server: str) -> tuple[PromptAssessment, ...]:
        return tuple(p for p in self.prompts if p.server == server)

    def findings_at_least(self, severity: str) -> tuple[Finding, ...]:
        floor = SEVERITIES.index(severity)
        return tuple(f for f in self.findings if SEVERITIES.index(f.severity) >= floor and f.status not in RESOLVED)

    # -- data ---------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The assessment as plain, deterministic data (the JSON report's body)."""
        servers = []
        res = {r.key: r for r in self.resources}
        prm = {p.key: p for p in self.prompts}
        verdicts = {v.server: v for v in self.verdicts}
        for snap in self.snapshots:
            placement = next((p for p in self.placements if p.server == snap.name), None)
            own = {tp.tool: tp for tp in placement.tools} if placement is not None else {}
            tools = []
            for ta in self.tools_of(snap.name):
                d = ta.to_dict()
                d["placement"] = own[ta.tool].to_dict() if ta.tool in own else None
                tools.append(d)
            servers.append({
                "name": snap.name,
                "transport": snap.server.transport,
                "target": snap.server.target,
                "status": snap.status,
                "era": snap.era,
                "protocol_version": snap.protocol_version,
                "server_info": snap.server_info,
                "source": snap.server.source.to_dict() if snap.server.source else None,
                "verdict": verdicts[snap.name].to_dict() if snap.name in verdicts else None,
                "tools": tools,
                "resources": [{"uri": r.uri, "name": r.name, "fingerprint": r.fingerprint,
                               **_surface(res.get((snap.name, r.uri)))} for r in snap.resources],
                "resource_templates": [{"uri_template": r.uri_template, "name": r.name,
                                        "fingerprint": r.fingerprint, **_surface(res.get((snap.name, r.uri_template)))}
                                       for r in snap.resource_templates],
                "prompts": [{"name": p.name, "fingerprint": p.fingerprint, **_surface(prm.get((snap.name, p.name)))}
                            for p in snap.prompts],
                "placement": placement.to_dict() if placement is not None else None,
                "split_plan": placement.split_plan.to_dict() if placement is not None and placement.split_plan
                else None,
                "split_plans": [s.to_dict() for s in placement.split_plans] if placement is not None else [],
                "introspection_errors": [e.to_dict() for e in snap.errors],
            })
        return {
            "format": REPORT_FORMAT,
            "format_version": REPORT_VERSION,
            "servers": servers,
            "findings": [f.to_dict() for f in self.findings],
            "flows": [f.to_dict() for f in self.flows],
            "rule_failures": [{"rule": r.rule, "subject": r.subject, "error": r.error} for r in self.rule_failures],
            "unmatched_tracking": [u.to_dict() for u in self.unmatched_tracking],
        }

    def _repr_html_(self) -> str:
        e = html.escape
        rows = []
        verdicts = {v.server: v for v in self.verdicts}
        for snap in self.snapshots:
            p = next((p for p in self.placements if p.server == snap.name), None)
            v = verdicts.get(snap.name)
            verdict = (f"{v.label}" if v is not None else "") + (
                f": {p.current or '?'} → recommended {p.recommended}" if p is not None else "")
            counts = {sev: sum(1 for f in self.findings if f.server == snap.name and f.severity == sev)
                      for sev in SEVERITIES}
            rows.append(f"<tr><td>{e(snap.name)}</td><td>{len(self.tools_of(snap.name))}</td>"
                        f"<td>{e(verdict)}</td><td>{counts['critical']}/{counts['high']}/{counts['medium']}</td></tr>")
        return ("<table class=\"mcprisk-assessment\"><thead><tr><th>server</th><th>tools</th><th>verdict</th>"
                "<th>critical/high/medium</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")

    def __repr__(self) -> str:
        return (f"Assessment(servers={list(self.servers)}, tools={len(self.tools)}, findings={len(self.findings)}, "
                f"flows={len(self.flows)})")


def _surface(assessed: ResourceAssessment | PromptAssessment | None) -> dict[str, Any]:
    d = assessed.to_dict() if assessed is not None else {}
    d.pop("kind", None)
    return d


# ------------------------------------------------------------------------------------------------


def _tool_decl(inventory: Inventory, server: str, tool: str) -> ToolDecl | None:
    return inventory.tool_decl(server, tool)


def _override(inventory: Inventory, server: str, tool: str) -> ClassificationOverride | None:
    return inventory.override(server, tool)


def _classify_all(snapshots: Sequence[Snapshot], inventory: Inventory, failures: list[RuleFailure],
                  previous: Mapping[tuple[str, str, str], ToolAssessment] | None = None) -> list[ToolAssessment]:
    out: list[ToolAssessment] = []
    for snap in snapshots:
        shared = server_context(snap, snap.name) if snap.tools else None  # once per server: linear in tools
        for tool in snap.tools:
            override = _override(inventory, snap.name, tool.name)
            decl = _tool_decl(inventory, snap.name, tool.name)
            disabled = bool(getattr(decl, "disabled", False))
            cached = (previous or {}).get((snap.name, tool.name, tool.fingerprint))
            if cached is None and not override:
                cached = _CLASSIFIED.get(tool, snap.name, shared)
            if cached is not None and not override and not cached.overridden:
                out.append(cached if cached.disabled == disabled else replace(cached, disabled=disabled))
                continue
            out.append(_classify(tool, snap, shared, failures, override=override, disabled=disabled))
    return out


def _classify(tool: Any, snap: Snapshot, shared: Any, failures: list[RuleFailure], *,
              override: Mapping[str, Any] | None = None, disabled: bool = False) -> ToolAssessment:
    """Classify one tool, keeping the result for reuse when no override or failed rule shaped it."""
    before = len(failures)
    assessed = classify_tool(tool, snap.name, snap, override=override, disabled=disabled, failures=failures,
                             shared=shared)
    if not override and len(failures) == before:
        _CLASSIFIED.put(tool, shared, assessed)
    return assessed


def prime(snapshot: Snapshot) -> None:
    """Classify a snapshot's tools ahead of ``assess``, keeping the results for it to reuse.

    ``mcprisk scan`` calls this as each server's introspection ends, so classifying overlaps with waiting for
    the servers still starting; ``assess`` then serves those classifications from the cache (the judgement is
    the one ``assess`` would make: same function, same server context; overrides are applied there). The content
    rules' text pass over the snapshot is built here too (``rules.content.prime_subjects``)."""
    with fewer_collections():
        prime_subjects(snapshot)
        shared = server_context(snapshot, snapshot.name) if snapshot.tools else None
        failures: list[RuleFailure] = []
        for tool in snapshot.tools:
            if _CLASSIFIED.get(tool, snapshot.name, shared) is None:
                _classify(tool, snapshot, shared, failures)


class _Classified:
    """Classifications of tool definitions already seen in this process, keyed by fingerprint.

    The same definition on several servers, and every re-assessment, is then served without running the
    classifier again. What a classification reads is the tool's definition and its server's shared context
    (``ServerContext``: the server's words, the service it fronts, its annotation habit), never the server's
    name as such: the key is (fingerprint, that context, the lexicon and learned model in use). The cached tool
    is compared with the one asked about, so a stale fingerprint is never served. Only classifications without
    an operator override or a failed rule are kept; the cache is bounded and starts again when full.
    """

    LIMIT = 50_000

    def __init__(self) -> None:
        self._entries: dict[tuple[Any, ...], tuple[Any, ToolAssessment]] = {}
        self._models: dict[int, Any] = {}

    def _key(self, tool: Any, shared: Any) -> tuple[Any, ...] | None:
        if not tool.fingerprint or shared is None:
            return None
        model = self._models.setdefault(id(m := active_model()), m)  # kept alive: its id is never reused
        return (tool.fingerprint, shared.words, shared.match, shared.boilerplate_annotations, id(lexicon()), id(model))

    def get(self, tool: Any, server: str, shared: Any) -> ToolAssessment | None:
        key = self._key(tool, shared)
        hit = self._entries.get(key) if key is not None else None
        if hit is None or not (hit[0] is tool or hit[0] == tool):
            return None
        assessed = hit[1]
        return assessed if assessed.server == server else replace(assessed, server=server)

    def put(self, tool: Any, shared: Any, assessed: ToolAssessment) -> None:
        key = self._key(tool, shared)
        if key is None:
            return
        if len(self._entries) >= self.LIMIT:
            self.clear()
        self._entries[key] = (tool, assessed)

    def clear(self) -> None:
        self._entries.clear()
        self._models.clear()


_CLASSIFIED = _Classified()


def clear_caches() -> None:
    """Forget every classification and primed text pass kept for reuse (benchmarks measuring a cold assessment
    call this)."""
    _CLASSIFIED.clear()
    forget_primed()


def _services(snapshots: Sequence[Snapshot]) -> dict[str, Any]:
    """What each server fronts, as the classifier sees it (for naming data stores in the graph)."""
    out: dict[str, Any] = {}
    for snap in snapshots:
        probe_tool = snap.tools[0] if snap.tools else None
        if probe_tool is not None:
            out[snap.name] = build_context(probe_tool, snap.name, snap).service
    return out


def _run_rules(ctx: RuleContext, failures: list[RuleFailure], rules: Sequence[Any] = FINDING_RULES) -> list[Finding]:
    findings: list[Finding] = []
    for fn in rules:
        try:
            findings.extend(fn(ctx))
        except Exception as exc:  # noqa: BLE001 - a rule that raises is reported, never read as "no finding"
            failures.append(RuleFailure(fn.info.code, "*", f"{type(exc).__name__}: {exc}"))  # type: ignore[attr-defined]
    return findings


def _placements(snapshots: Sequence[Snapshot], tools: Sequence[ToolAssessment], graph: nx.MultiDiGraph,
                inventory: Inventory, postures: Mapping[str, Posture], failures: list[RuleFailure],
                previous: Assessment | None = None) -> tuple[list[Placement], list[Finding]]:
    from .placement import place, placement_findings

    placements, findings = [], []
    before = _reusable(previous, snapshots, tools, inventory, postures) if previous is not None else {}
    by_server: dict[str, list[ToolAssessment]] = {}
    for t in tools:  # one pass, not one per server: linear in the servers of a large config
        by_server.setdefault(t.server, []).append(t)
    for snap in snapshots:
        p = before.get(snap.name)
        if p is None:
            try:
                p = place(snap.name, transport=snap.server.transport, url=snap.server.url,
                          tools=by_server.get(snap.name, []),
                          tool_credentials=tool_credentials(graph, snap.name), inventory=inventory,
                          posture=postures.get(snap.name), complete=snap.status == "complete",
                          reach=tool_stores(graph, snap.name))
            except Exception as exc:  # noqa: BLE001
                failures.append(RuleFailure("placement", snap.name, f"{type(exc).__name__}: {exc}"))
                continue
        placements.append(p)
        findings.extend(placement_findings(p))
    return placements, findings


def _reusable(previous: Assessment, snapshots: Sequence[Snapshot], tools: Sequence[ToolAssessment],
              inventory: Inventory, postures: Mapping[str, Posture]) -> dict[str, Placement]:
    """Placements of ``previous`` that nothing changed for: the same snapshot, the same tool assessments, the
    same probe result and the same inventory as far as that server is concerned (re-assessment after one
    declaration then re-places only the server it concerns)."""
    out: dict[str, Placement] = {}
    old_snaps = {s.name: s for s in previous.snapshots}
    old_places = {p.server: p for p in previous.placements}
    for snap in snapshots:
        if old_snaps.get(snap.name) is not snap or snap.name not in old_places:
            continue
        if previous.postures.get(snap.name) is not postures.get(snap.name):
            continue
        now = [t for t in tools if t.server == snap.name]
        then = [t for t in previous.tools if t.server == snap.name]
        if len(now) != len(then) or any(a is not b for a, b in zip(now, then)):
            continue
        if _inventory_view(previous.inventory, snap.name) != _inventory_view(inventory, snap.name):
            continue
        out[snap.name] = old_places[snap.name]
    return out


def _inventory_view(inventory: Any, server: str) -> Any:
    """Everything of an inventory a server's placement can read (line positions included, through the parse)."""
    if inventory is None or not hasattr(inventory, "server"):
        return inventory
    return (inventory.path, id(getattr(inventory, "_lines", None)), inventory.stage(server), inventory.audience(server),
            inventory.tenants(server), inventory.remote_reason(server), inventory.managed_alternative(server),
            inventory.server(server), tuple(sorted(inventory.controls.items())), inventory.credentials,
            inventory.data_stores)


def _verdicts(snapshots: Sequence[Snapshot], placements: Sequence[Placement], findings: Sequence[Finding],
              failures: Sequence[RuleFailure]) -> tuple[Verdict, ...]:
    """One verdict per server, from its placement and its findings as tracked."""
    from .drift import drift_rule_info
    from .placement import verdict_for
    from .rules import rule_info

    rules = {**rule_info(), **drift_rule_info()}
    by_server = {p.server: p for p in placements}
    failed = {r.subject: r.error for r in failures if r.rule == "placement"}
    mine: dict[str, list[Finding]] = {}  # each server's findings (a flow's "a+b" server is both's), in order
    for f in findings:
        for name in dict.fromkeys((f.server, *f.server.split("+"))):
            mine.setdefault(name, []).append(f)
    return tuple(verdict_for(s.name, by_server.get(s.name), mine.get(s.name, ()), rules, failure=failed.get(s.name))
                 for s in snapshots)


def _order(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    unique: dict[str, Finding] = {}
    for f in findings:
        unique.setdefault(f.id, f)  # one finding per stable id
    return tuple(sorted(unique.values(), key=lambda f: (-SEVERITIES.index(f.severity), f.server, f.code, f.subject)))


def assess(snapshots: Snapshot | Sequence[Snapshot], *, inventory: Inventory | None = None,
           postures: Mapping[str, Posture] | None = None, tracking: Tracking | None = None, baseline: Snapshot | Sequence[Snapshot] | None = None,
           _previous: Assessment | None = None) -> Assessment:
    """Assess servers loaded together (one client config = one agent context).

    ``inventory`` is the operator's declarations (see ``mcprisk.load_inventory``); ``postures`` maps a
    server name to its probe result; ``tracking`` marks findings accepted, mitigated and so on;
    ``baseline`` is the approved snapshot(s): drift since then becomes DRIFT findings and ``.drift``.
    """
    with fewer_collections():  # the result is built of objects that live on: see _gcpace
        snaps = (snapshots,) if isinstance(snapshots, Snapshot) else tuple(snapshots)
        names = [s.name for s in snaps]
        if len(set(names)) != len(names):
            dupes = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"two snapshots are named {', '.join(dupes)}: server names must be unique in one assessment")
        if inventory is None:
            inventory = Inventory.empty()
        postures = dict(postures or {})
        failures: list[RuleFailure] = []
        previous = None
        if _previous is not None:
            fingerprints = {(snap.name, tool.name): tool.fingerprint for snap in _previous.snapshots for tool in snap.tools}
            previous = {(t.server, t.tool, fingerprints.get(t.key, "")): t for t in _previous.tools}
        tools = _classify_all(snaps, inventory, failures, previous)
        services = _services(snaps)
        resources = assess_resources(snaps, inventory=inventory, services=services)
        prompts = assess_prompts(snaps, tools, inventory=inventory)
        graph = build_graph(snaps, tools, inventory, services, resources=resources)
        flows = find_flows(tools)
        ctx = RuleContext(snapshots=snaps, tools={t.key: t for t in tools}, graph=graph, inventory=inventory,
                          extra={"flows": flows, "resources": resources, "prompts": prompts, "postures": postures,
                                 "content_cache": {}})  # the content rules' shared text pass, built once per run
        same_snapshots = _previous is not None and all(a is b for a, b in zip(_previous.snapshots, snaps)) \
            and len(_previous.snapshots) == len(snaps)
        if same_snapshots:
            snapshot_found = list(_previous.snapshot_findings)
        else:
            snapshot_found = settle(_run_rules(ctx, failures, [r for r in FINDING_RULES
                                                                if r.info.scope == "snapshots"]), rule_info())
        findings = snapshot_found + _run_rules(ctx, failures, [r for r in FINDING_RULES if r.info.scope != "snapshots"])
        placements, placement_found = _placements(snaps, tools, graph, inventory, postures, failures, _previous)
        findings.extend(placement_found)
        unmatched: tuple[TrackingEntry, ...] = ()
        drift = _previous.drift if _previous is not None and baseline is None else None
        if baseline is not None:
            from .drift import diff_snapshots

            drift = diff_snapshots(baseline, snaps)
        if drift is not None:
            from .drift import drift_findings

            findings.extend(drift_findings(drift))
        if tracking is not None:
            from .tracking import apply_tracking

            tracked, unmatched_list = apply_tracking(findings, tracking)
            findings, unmatched = list(tracked), tuple(unmatched_list)
        ordered = _order(findings)
        return Assessment(snapshots=snaps, tools=tuple(tools), findings=ordered, flows=tuple(flows),
                          placements=tuple(placements), inventory=inventory, postures=postures, drift=drift,
                          rule_failures=tuple(failures), unmatched_tracking=unmatched, graph=graph,
                          snapshot_findings=tuple(snapshot_found), resources=resources, prompts=prompts,
                          verdicts=_verdicts(snaps, placements, ordered, failures))


def reassess(previous: Assessment, *, inventory: Inventory | None = None,
             postures: Mapping[str, Posture] | None = None, tracking: Tracking | None = None) -> Assessment:
    """Assess the same snapshots again after an inventory change, reusing unchanged classifications."""
    return assess(previous.snapshots, inventory=inventory if inventory is not None else previous.inventory,
                  postures=previous.postures if postures is None else postures, tracking=tracking,
                  _previous=previous)



