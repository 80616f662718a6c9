"""How much of a server mcprisk could see and place: incomplete listings and tools it could not classify."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Evidence, Finding
from ._base import RuleContext, finding_rule, make


@finding_rule("SNAP001", "Introspection incomplete", likelihood=3, impact=2, scope="snapshots")
def incomplete(ctx: RuleContext) -> Iterable[Finding]:
    """The server could not be listed completely, so tools, resources or prompts may be missing from this
    assessment (a guide no-go sign: you cannot list everything the server exposes)."""
    for snap in ctx.snapshots:
        if snap.status == "complete":
            continue
        problems = "; ".join(f"{e.stage}: {e.code}" for e in snap.fatal_errors[:4])
        yield make(incomplete, server=snap.name, subject=snap.name,
                   message=f"Introspection {snap.status}: {problems}.",
                   evidence=tuple(Evidence("SNAP001", "snapshot", e.code, e.message[:200]) for e in
                                  snap.fatal_errors[:4]),
                   impact=3 if snap.status == "failed" else 2)


@finding_rule("SNAP002", "Definitions a standard client would reject or drop", likelihood=2, impact=2,
              scope="snapshots")
def spec_invalid(ctx: RuleContext) -> Iterable[Finding]:
    """Items that violate the MCP schema, or that the mcp SDK drops, behave differently from client to client:
    one client shows a tool another hides. Unknown fields can carry text no reviewer sees."""
    for snap in ctx.snapshots:
        for item in (*snap.tools, *snap.prompts, *snap.resources, *snap.resource_templates):
            notes = list(item.problems) + ([f"unknown field(s): {', '.join(sorted(item.extra))}"] if item.extra else [])
            if not notes:
                continue
            yield make(spec_invalid, server=snap.name, subject=item.name,
                       message=f"{item.name}: {'; '.join(notes)}.",
                       evidence=tuple(Evidence("SNAP002", "snapshot", n[:120], "spec problem") for n in notes[:3]))


@finding_rule("CLS001", "Tool could not be classified: assumed destructive", likelihood=2, impact=3)
def unclassified(ctx: RuleContext) -> Iterable[Finding]:
    """Nothing in the tool's name, description or schema says what it does, or its definition could not be
    stored whole, so it is assumed at its worst. Declare its real effects in the inventory
    (``servers.<name>.tools.<tool>.classification``)."""
    for (server, tool), ta in sorted(ctx.tools.items()):
        if ta.assumed_worst:
            lost = ta.evidence[-1].rule == "EFF198" if ta.evidence else False
            why = "its definition could not be stored whole" if lost else "gives no evidence of what it does"
            yield make(unclassified, server=server, subject=tool,
                       message=f"{tool}: {why}; assumed destructive until declared." if lost else
                       f"{tool} {why}; assumed destructive until declared.",
                       evidence=ta.evidence[-1:], tools=(f"{server}/{tool}",))
