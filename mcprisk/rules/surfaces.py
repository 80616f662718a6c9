"""Resources and prompts: data a resource hands to anyone who reads it, and prompts that drive risky tools."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Evidence, Finding, effect_rank
from ._base import RuleContext, finding_rule, make

_ACCESS = ("authn_authz", "audit_logs")


def _in_place(ctx: RuleContext, server: str, control: str) -> bool:
    posture = (ctx.extra.get("postures") or {}).get(server)
    seen = posture.control_status(control) if posture is not None and hasattr(posture, "control_status") else None
    if seen == "verified":
        return True
    declared = getattr(ctx.inventory, "control_declared", None)
    return seen != "missing" and callable(declared) and bool(declared(server, control))


@finding_rule("RES001", "Resource hands out credentials", likelihood=2, impact=4, references=("CWE-522", "CWE-200"))
def resource_credentials(ctx: RuleContext) -> Iterable[Finding]:
    """A resource that holds secrets (a .env file, keys, tokens, connection strings) gives them to every
    client that can read resources, and to the model: whatever it reads can end up in a tool argument or a
    reply. Keep secrets out of resources; expose what the secret unlocks through a scoped tool instead."""
    for r in ctx.extra.get("resources", ()):
        if r.has("credential_access"):
            top = next(ev for ev in r.evidence if ev.flag == "credential_access")
            yield make(resource_credentials, server=r.server, subject=f"resource:{r.uri}",
                       message=f"{r.uri} exposes credentials ({top.detail}: “{top.text}”).", evidence=(top,))


@finding_rule("RES002", "Private data in a resource whose readers are not identified and logged", likelihood=2,
              impact=3, references=("CWE-359", "CWE-778"))
def resource_unaudited(ctx: RuleContext) -> Iterable[Finding]:
    """The guide asks of every resource who may read it, and whether access can be audited or revoked. A
    resource with private data on a server used by more than one person (or whose audience is not declared)
    needs identified callers (authn_authz) and a record of reads (audit_logs); without them nobody can say
    who read the data, or take access away from one caller."""
    audience = getattr(ctx.inventory, "audience", None)
    for r in ctx.extra.get("resources", ()):
        if not r.has("private_data"):
            continue
        if callable(audience) and audience(r.server) == "single_user":
            continue
        lacking = [c for c in _ACCESS if not _in_place(ctx, r.server, c)]
        if not lacking:
            continue
        top = next(ev for ev in r.evidence if ev.flag == "private_data")
        yield make(resource_unaudited, server=r.server, subject=f"resource:{r.uri}",
                   message=f"{r.uri} serves private data ({top.detail}), but {' and '.join(lacking)} "
                           f"{'is' if len(lacking) == 1 else 'are'} not in place: reads cannot be traced to a "
                           "caller or revoked for one.",
                   evidence=(top, *(Evidence("RES002", "inventory", c, "not declared in place, not verified")
                                    for c in lacking)))


@finding_rule("PRM001", "Prompt drives a tool that needs approval, with no approval gate", likelihood=2, impact=3,
              references=("OWASP MCP Top 10: MCP02 Excessive Permissions", "CWE-862"))
def prompt_drives_ungated(ctx: RuleContext) -> Iterable[Finding]:
    """A prompt is a ready-made workflow a user starts with one click; one that walks the model to a tool that
    destroys, spends, sends or publishes makes that call routine. Without a human approval gate declared for
    the tool (servers.<name>.tools.<tool>.approval) or for the server (consent_approvals), nothing stands
    between the prompt and the call. The prompt inherits the weight of its most severe tool."""
    for p in ctx.extra.get("prompts", ()):
        if not p.ungated:
            continue
        tools = [ctx.tools[(p.server, t)] for t in p.ungated if (p.server, t) in ctx.tools]
        worst = max(tools, key=lambda t: effect_rank(t.primary)) if tools else None
        impact = 4 if worst is not None and worst.primary == "destructive" else 3
        listed = ", ".join(f"{t.tool} ({t.primary})" for t in tools) or ", ".join(p.ungated)
        yield make(prompt_drives_ungated, server=p.server, subject=f"prompt:{p.prompt}",
                   message=f"The prompt {p.prompt} drives {listed}, and no approval gate is declared for "
                           f"{'it' if len(p.ungated) == 1 else 'them'}.",
                   evidence=tuple(ev for ev in p.evidence if ev.text in p.ungated),
                   tools=tuple(f"{p.server}/{t}" for t in p.ungated), impact=impact)
