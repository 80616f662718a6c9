"""Credentials: who can use which secret, and where the secret is written down."""

from __future__ import annotations

from collections.abc import Iterable

from .._prose import listed
from ..graph import shared_credentials
from ..model import Evidence, Finding, effect_rank
from ._base import RuleContext, finding_rule, make


@finding_rule("CRED001", "Read-only and mutating tools share a credential", likelihood=3, impact=3,
              references=("OWASP MCP Top 10: MCP02 Excessive Permissions", "CWE-250"))
def shared_by_readers_and_writers(ctx: RuleContext) -> Iterable[Finding]:
    """One credential serves tools that only read and tools that write, send, spend or delete: whoever steers
    the cheapest read tool holds the keys of the most dangerous one. Split it into a read-only and a
    write credential (a guide no-go sign for remote hosting). Disabled tools cannot be called, so they share
    nothing: the finding is worked out over the enabled tools only."""
    for name, users in shared_credentials(ctx.graph).items():
        by_server: dict[str, list[str]] = {}
        for key in users:
            server, tool = key.split("/", 1)
            by_server.setdefault(server, []).append(tool)
        for server, tools in sorted(by_server.items()):
            assessed = [ctx.tools[(server, t)] for t in tools if (server, t) in ctx.tools]
            assessed = [a for a in assessed if not a.disabled]
            readers = [a.tool for a in assessed if not a.mutating]
            writers = [a for a in assessed if a.mutating]
            if not readers or not writers:
                continue
            worst = max(writers, key=lambda a: effect_rank(a.primary))
            yield make(shared_by_readers_and_writers, server=server, subject=name,
                       message=f"{name} is usable by {_count(readers, 'read-only tool')} ({listed(readers)}) "
                               f"and {_count(writers, 'mutating tool')}, up to {worst.tool} ({worst.primary}).",
                       evidence=(Evidence("CRED001", "graph", name, f"used by {len(assessed)} enabled tools"),),
                       tools=tuple(f"{server}/{a.tool}" for a in assessed))


def _count(items: list, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


@finding_rule("CRED002", "Secret written into the client config", likelihood=3, impact=3,
              references=("CWE-798", "CWE-312"), scope="snapshots")
def inline_secret(ctx: RuleContext) -> Iterable[Finding]:
    """A token or password written literally in a client config file travels with every copy, backup and
    screenshot of that file. Reference it instead (``${env:NAME}``, ``${input:id}``) and rotate it."""
    for snap in ctx.snapshots:
        spec = snap.server
        for name in spec.literal_secret_names:
            where = f"{spec.source.path} ({spec.source.pointer})" if spec.source else "the client config"
            yield make(inline_secret, server=snap.name, subject=name,
                       message=f"{name} is written out in {where}; only its name is shown here.",
                       evidence=(Evidence("CRED002", "config", name, "literal secret value"),))
