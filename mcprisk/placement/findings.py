"""The findings a placement raises: PLC001 (hosted more exposed than recommended), one per no-go sign while
remote hosting is in play, PLC002 (declared but a probe saw it missing) and PLC003 (a control the current
placement requires is missing, local_stdio included)."""

from __future__ import annotations

from ..catalog import catalog
from ..model import Evidence, Finding, severity_from
from ..ruleinfo import RuleInfo
from .results import Placement
from .words import describe, names

__all__ = ["PLACEMENT_CODES", "placement_findings"]

PLACEMENT_CODES: tuple[RuleInfo, ...] = (
    RuleInfo("PLC001", "Hosted more exposed than recommended", 0, 0, level="high", description=(
        "The inventory says where the server runs today, and that pattern is more exposed than the one the decision "
        "recommends: a no-go sign, an unanswered decision-tree question or a missing control keeps it nearer home. "
        "Move it back, or clear what blocks the pattern it runs as."), family="placement"),
    RuleInfo("PLC002", "Declared control not observed", 0, 0, level="high", description=(
        "The inventory declares a control in place, but a probe of the live endpoint saw it missing (for example "
        "authentication declared, yet an unauthenticated request was served). What the probe saw wins."),
        family="placement"),
    RuleInfo("PLC003", "Missing control", 0, 0, description=(
        "A control the server's current placement requires is missing (local_stdio included: a shell tool needs an "
        "approval gate even on the user's own machine). Severity grows with the placement's exposure and the "
        "control's impact."), family="placement"),
)
"""The placement findings' codes; the no-go signs' codes come from the catalog."""

# How likely a missing control is to be exploited, by where the server runs (impact comes from the control).
_LIKELIHOOD = {"local_stdio": 2, "internal_http": 3, "public_remote": 4, "managed_gateway": 3}


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
            "PLC001", PLACEMENT_CODES[0].title, "high", server, server,
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
            "PLC002", PLACEMENT_CODES[1].title, "high", server, c.control,
            f"The inventory says {describe(c.control, lower=True)} is in place, but the probe saw it missing.",
            (Evidence("PLC002", "probe", c.control, c.evidence),), references=ctl.references))
    if p.current is not None:
        for c in p.current_controls:
            if c.status != "missing":
                continue
            ctl = cat.control(c.control)
            out.append(Finding(
                "PLC003", f"Missing control: {ctl.title}", severity_from(_LIKELIHOOD[p.current], ctl.impact),
                server, c.control,
                f"{server} runs as {p.current}, which requires {describe(c.control, lower=True)}: {c.why}"
                + (f" ({names([*c.tools[:5], f'{len(c.tools) - 5} more'] if len(c.tools) > 6 else list(c.tools))})"
                   if c.tools else "")
                + f". Status: {c.evidence}.",
                (Evidence("PLC003", "inventory", c.control, c.evidence),), references=ctl.references,
                tools=tuple(f"{server}/{t}" for t in c.tools)))
    return out
