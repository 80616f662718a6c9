"""Hygiene of what servers send the model: not hostile, but worth a look (oversized text, name collisions)."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Evidence, Finding
from ._base import RuleContext, finding_rule, make
from .content import surface
from .content.names import name_twins, twin_evidence

OVERSIZED = 4000  # characters; typical descriptions are a few hundred


@finding_rule("HYG001", "Oversized description", likelihood=2, impact=1,
              references=("OWASP MCP Top 10: MCP03 Tool Poisoning",), scope="snapshots", hostile=False)
def oversized(ctx: RuleContext) -> Iterable[Finding]:
    """Very long descriptions crowd the model's context and are rarely read in full by a reviewer; what they
    say is read by the content rules wherever it sits. (Was INJ005.)"""
    for snap in ctx.snapshots:
        items = [(t.name, t.description_length) for t in snap.tools] + \
                [(f"prompt:{p.name}", p.description_length) for p in snap.prompts]
        if snap.instructions_length > OVERSIZED:
            items.append((snap.name, snap.instructions_length))
        for subject, length in items:
            if length > OVERSIZED:
                yield make(oversized, server=snap.name, subject=subject,
                           message=f"{subject} has a {length:,}-character description (over {OVERSIZED:,}).",
                           evidence=(Evidence("HYG001", "description", f"{length} characters", "oversized"),),
                           tools=(f"{snap.name}/{subject}",) if ":" not in subject and subject != snap.name else (),
                           impact=2 if length > 50_000 else 1)


@finding_rule("HYG002", "Tool name collides with another server's tool", likelihood=2, impact=2,
              references=("tool shadowing",), scope="snapshots", hostile=False)
def name_collision(ctx: RuleContext) -> Iterable[Finding]:
    """Two loaded servers expose the same tool name, or names one edit apart (after case, separators and
    look-alike letters): the client may call either. Common and usually honest (two servers with ``search``, two
    servers of one service); when ``names.twin_evidence`` finds the twin imitating the other (a claim, a look-alike
    that copies it, a distinctive name copied with its parameters), INJ006 reports it as shadowing instead."""
    surf = surface(ctx)
    subjects = {(s.server, s.name): s for s in surf.subjects if s.kind == "tool"}
    seen: set[tuple[str, str]] = set()
    for twin in name_twins(surf):
        key = (twin.server, twin.tool)
        subject = subjects.get(key)
        if key in seen or subject is None or twin_evidence(subject, twin, surf, ctx.snapshots) is not None:
            continue
        seen.add(key)
        how = "the same name as" if twin.exact else "a name one edit from"
        yield make(name_collision, server=twin.server, subject=twin.tool,
                   message=f"{twin.tool} has {how} {twin.other_tool} of {twin.other_server}; "
                           "a client may call either.",
                   evidence=(Evidence("HYG002", "name", f"{twin.tool} ~ {twin.other_server}/{twin.other_tool}",
                                      "name collision"),),
                   tools=(f"{twin.server}/{twin.tool}",), likelihood=2, impact=2 if twin.exact else 1)
