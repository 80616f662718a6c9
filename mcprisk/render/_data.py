"""The JSON report's body (``format: mcprisk.report``, ``format_version: 4``): the assessment as plain data, sized
for what a reader needs. This module builds the body with every entry whole; ``_compact`` (version 3) and
``_shapes`` (version 4) store once what repeats, and ``expand_report`` reads it back.

What the whole body already stores once, or cuts with a count (since version 2; report.schema.json describes
every field):

- ``evidence``: every distinct evidence item, once, as a row of ``evidence_fields`` (rule, source, text, detail,
  effect, flag, weight); tools, resources, prompts and findings refer to rows by index (``report["evidence"][i]``;
  ``mcprisk.render.report_evidence`` reads them back as dicts).
- a tool's own placement keeps what is the tool's (recommended, allowed, own_blockers); the server-wide blockers,
  what each pattern still needs and the sentences are the server placement's.
- ``flows`` are grouped by their way out (sink): the sources and private-data readers reaching it, and how many
  paths; a finding names up to 25 tools, with ``tools_count``; assumptions that restate an assumed step or no-go
  sign are left out.
- a placement's ``current_controls`` is null when it equals ``required_controls``; a decision step whose evidence
  repeats an earlier step's says ``evidence_as`` instead; a step's or no-go sign's evidence is cut to 8 lines
  (``evidence_count``); ``held_back_by`` has one entry per group of tools that add the same things (``tools``),
  its ``shared_with`` cut to 8 names (``shared_with_count``); a split plan counts what it keeps (``keep_count``)
  and, since version 3, leaves its sentence to report.md and report.html (every part of it is a field).
- tools leave out flags that are false (``overridden``, ``assumed_worst``, ``disabled``) and a null ``confirm``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..model import EFFECTS, Evidence, Finding, Flow, PromptAssessment, ResourceAssessment, ToolAssessment
from ._common import counts, owasp_rows, rule_docs, stamp
from ._compact import KIND_FIELDS, compact, whole_kind
from ._compact import ROW_FIELDS as EVIDENCE_FIELDS
from ._shapes import FINDING_TOOLS, LISTED

if TYPE_CHECKING:
    from ..assessment import Assessment
    from ..placement import Placement, SplitPlan, ToolPlacement
    from ..snapshot import Snapshot, Tool

__all__ = ["REPORT_FORMAT", "REPORT_VERSION", "report_data", "report_evidence"]

REPORT_FORMAT = "mcprisk.report"
REPORT_VERSION = 4
SHARED_WITH_SHOWN = 8


class _Pool:
    """Distinct evidence items, in first-seen order; ``refs`` gives the indexes of a sequence of them."""

    def __init__(self) -> None:
        self.index: dict[tuple[Any, ...], int] = {}
        self.items: list[list[Any]] = []

    def refs(self, evidence: Iterable[Evidence]) -> list[int]:
        out = []
        for e in evidence:
            key = (e.rule, e.source, e.text, e.detail, e.effect, e.flag, e.weight)
            i = self.index.get(key)
            if i is None:
                i = self.index[key] = len(self.items)
                self.items.append([e.rule, e.source, e.text, e.detail, e.effect, e.flag, e.weight])
            out.append(i)
        return out


def _tool(ta: ToolAssessment, raw: Tool | None, tp: ToolPlacement | None, pool: _Pool) -> dict[str, Any]:
    d: dict[str, Any] = {"name": ta.tool, "title": raw.title if raw is not None else None,
                         "description": raw.description if raw is not None else None,
                         "annotations": dict(raw.annotations) if raw is not None and raw.annotations is not None
                         else None,
                         "fingerprint": raw.fingerprint if raw is not None else None,
                         "primary": ta.primary, "effects": list(ta.effects), "flags": list(ta.flags),
                         "confidence": ta.confidence, "evidence": pool.refs(ta.evidence)}
    for key, value in (("overridden", ta.overridden), ("assumed_worst", ta.assumed_worst), ("disabled", ta.disabled)):
        if value:
            d[key] = True
    if ta.confirm:
        d["confirm"] = ta.confirm
    d["placement"] = None if tp is None else {"recommended": tp.recommended, "allowed": list(tp.allowed),
                                               "own_blockers": list(tp.own_blockers)}
    return d


def _placement(p: Placement) -> dict[str, Any]:
    d = p.to_dict()
    if d.get("current_controls") == d.get("required_controls"):
        d["current_controls"] = None
    seen: dict[tuple[str, ...], str] = {}
    steps = []
    for step in d.get("rationale", ()):
        evidence = tuple(step.get("evidence", ()))
        if evidence and evidence in seen:
            step = {**step, "evidence": [], "evidence_as": seen[evidence]}
        elif evidence:
            seen[evidence] = step["id"]
        steps.append(_cut_evidence(step))
    d["rationale"] = steps
    d["no_go"] = [_cut_evidence(n) for n in d.get("no_go", ())]
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for h in d.get("held_back_by", ()):  # tools that add the same things, in one entry
        g = groups.setdefault((h["reach"], h["steps"], tuple(h["adds"])), {
            "tools": [], "reach": h["reach"], "steps": h["steps"], "adds": h["adds"], "shared_with": []})
        g["tools"].append(h["tool"])
        g["shared_with"] += [t for t in h.get("shared_with", ()) if t not in g["shared_with"]]
    d["held_back_by"] = list(groups.values())
    # An assumption that restates an assumed step or no-go sign (marked ``assumed`` there) is left out.
    marked = tuple(f"{x['id']} " for x in (*steps, *d.get("no_go", ())))
    d["assumptions"] = [x for x in d.get("assumptions", ()) if not x.startswith(marked)]
    for h in d["held_back_by"]:
        shared = [t for t in h["shared_with"] if t not in h["tools"]]
        h["shared_with"], h["shared_with_count"] = shared[:SHARED_WITH_SHOWN], len(shared)
    return d


def _cut_evidence(item: dict[str, Any]) -> dict[str, Any]:
    """A step's or sign's evidence cut to ``LISTED`` lines, with ``evidence_count`` (its ``tools`` name them all)."""
    evidence = item.get("evidence", [])
    return {**item, "evidence": evidence[:LISTED], "evidence_count": len(evidence)}


def _plan(plan: SplitPlan) -> dict[str, Any]:
    """A split plan; the tools it keeps are the server's enabled tools it does not move (``keep_count``). Its
    sentence is left out: every part of it is a field here, and report.md and report.html say it in words."""
    d = plan.to_dict()
    d["keep_count"] = len(d.pop("keep"))
    del d["text"]
    return d


def _surface(assessed: ResourceAssessment | PromptAssessment | None, pool: _Pool) -> dict[str, Any]:
    if assessed is None:
        return {}
    d = assessed.to_dict()
    d.pop("kind", None)
    d["evidence"] = pool.refs(assessed.evidence)
    return d


def _server(a: Assessment, snap: Snapshot, pool: _Pool) -> dict[str, Any]:
    placement = next((p for p in a.placements if p.server == snap.name), None)
    verdict = next((v for v in a.verdicts if v.server == snap.name), None)
    own = {tp.tool: tp for tp in placement.tools} if placement is not None else {}
    raw = {t.name: t for t in snap.tools}
    res = {r.key: r for r in a.resources}
    prm = {p.key: p for p in a.prompts}
    posture = a.postures.get(snap.name) if a.postures else None
    return {
        "name": snap.name, "transport": snap.server.transport, "target": snap.server.target, "status": snap.status,
        "era": snap.era, "protocol_version": snap.protocol_version, "server_info": snap.server_info,
        "source": snap.server.source.to_dict() if snap.server.source else None,
        "verdict": verdict.to_dict() if verdict is not None else None,
        "instructions": snap.instructions, "instructions_sha256": snap.instructions_sha256,
        "posture": posture.to_dict() if posture is not None else None,
        "tools": [_tool(ta, raw.get(ta.tool), own.get(ta.tool), pool) for ta in a.tools_of(snap.name)],
        "resources": [{"uri": r.uri, "name": r.name, "fingerprint": r.fingerprint,
                       **_surface(res.get((snap.name, r.uri)), pool)} for r in snap.resources],
        "resource_templates": [{"uri_template": r.uri_template, "name": r.name, "fingerprint": r.fingerprint,
                                **_surface(res.get((snap.name, r.uri_template)), pool)}
                               for r in snap.resource_templates],
        "prompts": [{"name": p.name, "fingerprint": p.fingerprint, **_surface(prm.get((snap.name, p.name)), pool)}
                    for p in snap.prompts],
        "placement": _placement(placement) if placement is not None else None,
        "split_plans": [_plan(s) for s in placement.split_plans] if placement is not None else [],
        "introspection_errors": [e.to_dict() for e in snap.errors],
    }


def _finding(f: Finding, pool: _Pool) -> dict[str, Any]:
    d = {"id": f.id, "code": f.code, "title": f.title, "severity": f.severity, "server": f.server,
         "subject": f.subject, "message": f.message, "evidence": pool.refs(f.evidence),
         "references": list(f.references), "tools": list(f.tools[:FINDING_TOOLS]), "tools_count": len(f.tools),
         "status": f.status, "tracking_note": f.tracking_note}
    if f.location:
        d["location"] = f.location
    return d


def _flows(flows: Iterable[Flow]) -> list[dict[str, Any]]:
    """Flows grouped by their way out: one entry per sink, with every untrusted source and private-data reader
    that reaches it (``paths`` counts the source x reader x sink paths)."""
    groups: dict[str, dict[str, Any]] = {}
    for f in flows:
        g = groups.setdefault(f.sink, {"sink": f.sink, "sources": set(), "private": set(), "servers": set(),
                                       "cross_server": False, "paths": 0})
        g["sources"].add(f.source)
        g["private"].add(f.private)
        g["servers"].update(f.servers)
        g["cross_server"] = g["cross_server"] or f.cross_server
        g["paths"] += 1
    return [{**g, "sources": sorted(g["sources"]), "private": sorted(g["private"]), "servers": sorted(g["servers"])}
            for _, g in sorted(groups.items())]


def report_data(a: Assessment, *, timestamp: str | dt.datetime | None = None, whole: bool = False) -> dict[str, Any]:
    """The JSON report's body, version 4 (see the module docstring, ``_compact`` and ``_shapes`` for what it stores
    once); ``whole``: every entry whole, as ``expand_report`` reads a written report back."""
    pool = _Pool()
    servers = [_server(a, snap, pool) for snap in a.snapshots]
    findings = [_finding(f, pool) for f in a.findings]
    drift = a.drift
    data: dict[str, Any] = {
        "format": REPORT_FORMAT,
        "format_version": REPORT_VERSION,
        "generator": {"name": "mcprisk", "version": __version__},
        "summary": {
            "servers": len(a.snapshots),
            "complete": all(s.status == "complete" for s in a.snapshots),
            "tools": len(a.tools),
            "tools_by_primary_effect": {e: sum(1 for t in a.tools if t.primary == e) for e in EFFECTS},
            "findings": counts(a.findings),
            "open_findings": counts(a.findings, open_only=True),
            "flows": len(a.flows),
        },
        "servers": servers,
        "findings": findings,
        "evidence_fields": list(EVIDENCE_FIELDS),
        "evidence": pool.items,
        "flows": _flows(a.flows),
        "drift": drift.to_dict() if drift is not None else None,
        "rules": rule_docs(a),
        "standards": {"owasp_mcp_top10": owasp_rows(a)},
        "rule_failures": [{"rule": r.rule, "subject": r.subject, "error": r.error} for r in a.rule_failures],
        "unmatched_tracking": [u.to_dict() for u in a.unmatched_tracking],
    }
    ts = stamp(timestamp)
    if ts is not None:
        data["generated_at"] = ts
    return data if whole else compact(data)


def report_evidence(report: dict[str, Any], refs: Iterable[int]) -> list[dict[str, Any]]:
    """The evidence a tool, resource, prompt or finding of a JSON report (version 2, 3 or 4, or expanded) refers to,
    as dicts (rule, source, text, detail, effect, flag, weight)."""
    rows = report["evidence"]
    if "evidence_kinds" not in report:  # version 2, or expanded: whole rows
        fields = report.get("evidence_fields") or EVIDENCE_FIELDS
        return [dict(zip(fields, rows[i])) for i in refs]
    kinds, classes = report["evidence_kinds"], report.get("evidence_classes")
    return [{"text": _text(rows, i), **dict(zip(KIND_FIELDS, whole_kind(kinds[rows[i][0]], classes)))} for i in refs]


def _text(rows: list[list[Any]], i: int) -> str:
    """Row ``i``'s quote; in version 4 a quote an earlier row has is that row's index."""
    text = rows[i][1]
    return rows[text][1] if isinstance(text, int) else text
