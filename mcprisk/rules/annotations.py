"""Annotations read critically: they are the author's claims, so claims the evidence contradicts are findings."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Evidence, Finding, effect_rank
from ._base import RuleContext, finding_rule, make

REFS = ("OWASP MCP Top 10: MCP03 Tool Poisoning", "CWE-345")


def _decisive(ta, effects) -> list[Evidence]:
    """Non-annotation evidence for ``effects``, most severe effect first."""
    found = [e for e in ta.evidence if e.effect in effects and e.source != "annotation" and e.weight >= 1.0]
    return sorted(found, key=lambda e: -effect_rank(e.effect))


@finding_rule("ANN001", "Annotation claims read-only but the tool changes things", likelihood=3, impact=3,
              references=REFS)
def read_only_claim_contradicted(ctx: RuleContext) -> Iterable[Finding]:
    """The server says ``readOnlyHint: true`` while the tool's own name, description or schema show it
    writes, sends, spends or deletes. A client that auto-approves "read-only" tools would run it unasked."""
    for snap in ctx.snapshots:
        for tool in snap.tools:
            ta = ctx.tools.get((snap.name, tool.name))
            if ta is None or not (tool.annotations or {}).get("readOnlyHint") is True or not ta.mutating:
                continue
            shown = _decisive(ta, set(ta.effects) - {"read_only"})
            if not shown or ta.overridden:
                continue
            claim = Evidence("ANN001", "annotation", "readOnlyHint: true", "the author claims it changes nothing")
            yield make(read_only_claim_contradicted, server=snap.name, subject=tool.name,
                       message=f"{tool.name} claims to be read-only, but it is {ta.primary.replace('_', '-')}: "
                               f"{shown[0].detail} ({shown[0].source}).",
                       evidence=(claim, *shown[:3]), tools=(f"{snap.name}/{tool.name}",),
                       impact=4 if ta.primary == "destructive" else 3)


@finding_rule("ANN002", "Annotation denies a destructive effect the tool has", likelihood=3, impact=3,
              references=REFS)
def destructive_denied(ctx: RuleContext) -> Iterable[Finding]:
    """``destructiveHint: false`` on a tool that deletes, overwrites or runs supplied code understates its risk."""
    for snap in ctx.snapshots:
        for tool in snap.tools:
            ta = ctx.tools.get((snap.name, tool.name))
            ann = tool.annotations or {}
            if ta is None or ann.get("destructiveHint") is not False or ann.get("readOnlyHint") is True:
                continue
            shown = _decisive(ta, {"destructive"})
            if "destructive" not in ta.effects or not shown or ta.overridden:
                continue
            yield make(destructive_denied, server=snap.name, subject=tool.name,
                       message=f"{tool.name} says destructiveHint: false, but {shown[0].detail} ({shown[0].source}).",
                       evidence=(Evidence("ANN002", "annotation", "destructiveHint: false",
                                          "the author says it is not destructive"), *shown[:3]),
                       tools=(f"{snap.name}/{tool.name}",))


@finding_rule("ANN003", "Tools without annotations", likelihood=2, impact=1, scope="snapshots")
def missing_annotations(ctx: RuleContext) -> Iterable[Finding]:
    """Without annotations a client must assume the spec defaults (not read-only, destructive, open-world) and
    cannot tell the operator which tools are safe; mcprisk classifies them from their own evidence instead."""
    for snap in ctx.snapshots:
        bare = [t.name for t in snap.tools if not t.annotations]
        if not bare:
            continue
        yield make(missing_annotations, server=snap.name, subject=snap.name,
                   message=f"{len(bare)} of {len(snap.tools)} tools carry no annotations: {', '.join(bare[:8])}"
                           + ("…" if len(bare) > 8 else "") + ".",
                   evidence=(Evidence("ANN003", "annotation", ", ".join(bare[:8]), "no annotations"),),
                   tools=tuple(f"{snap.name}/{n}" for n in bare))


@finding_rule("ANN004", "Annotation claims a closed world but the tool reaches outside", likelihood=2, impact=3,
              references=REFS)
def closed_world_contradicted(ctx: RuleContext) -> Iterable[Finding]:
    """``openWorldHint: false`` on a tool that fetches arbitrary URLs or sends to caller-chosen recipients."""
    for snap in ctx.snapshots:
        for tool in snap.tools:
            ta = ctx.tools.get((snap.name, tool.name))
            if ta is None or (tool.annotations or {}).get("openWorldHint") is not False:
                continue
            # Caller-chosen destinations are what "open world" is about; reading a private system is not.
            reach = [e for e in ta.evidence if e.weight >= 1.0 and (
                e.flag == "external_egress" or (e.flag == "untrusted_content" and e.source == "schema"))]
            if not reach or not ({"external_egress", "untrusted_content"} & set(ta.flags)):
                continue
            yield make(closed_world_contradicted, server=snap.name, subject=tool.name,
                       message=f"{tool.name} says openWorldHint: false, but it {reach[0].detail}.",
                       evidence=(Evidence("ANN004", "annotation", "openWorldHint: false",
                                          "the author says it stays inside"), *reach[:2]),
                       tools=(f"{snap.name}/{tool.name}",))
