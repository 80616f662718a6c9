"""The lethal trifecta across everything loaded into one agent: untrusted input, private data, a way out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..model import Evidence, Finding, Flow, ToolAssessment
from ._base import RuleContext, finding_rule, make

MAX_FLOWS = 500  # enough to show every combination on real configs; the finding names the count


def find_flows(tools: Sequence[ToolAssessment]) -> list[Flow]:
    """Every (untrusted source, private-data reader, egress sink) combination among enabled tools."""
    live = [t for t in tools if not t.disabled]
    sources = [t for t in live if t.has("untrusted_content")]
    private = [t for t in live if t.has("private_data")]
    sinks = [t for t in live if t.has("external_egress")]
    flows: list[Flow] = []
    for s in sources:
        for p in private:
            for k in sinks:
                flows.append(Flow(f"{s.server}/{s.tool}", f"{p.server}/{p.tool}", f"{k.server}/{k.tool}",
                                  (s.server, p.server, k.server)))
                if len(flows) >= MAX_FLOWS:
                    return flows
    return flows


@finding_rule("FLOW001", "Untrusted input, private data and a way out in one agent", likelihood=3, impact=4,
              references=("OWASP MCP Top 10: MCP06 Indirect Prompt Injection", "lethal trifecta"))
def lethal_trifecta(ctx: RuleContext) -> Iterable[Finding]:
    """Text an attacker controls (a web page, an email) reaches the model, which can also read private data
    and send data somewhere the caller chooses: an injected instruction can exfiltrate. Break one leg:
    remove the source, the private reader or the sink, or gate the sink behind human approval."""
    flows: list[Flow] = ctx.extra.get("flows", [])
    if not flows:
        return
    groups: dict[tuple[str, ...], list[Flow]] = {}
    for f in flows:
        groups.setdefault(tuple(sorted(set(f.servers))), []).append(f)
    for servers, group in sorted(groups.items()):
        sources = sorted({f.source for f in group})
        private = sorted({f.private for f in group})
        sinks = sorted({f.sink for f in group})
        tools = tuple(sorted(set(sources) | set(private) | set(sinks)))
        scope = " + ".join(servers)
        yield make(lethal_trifecta, server=servers[0] if len(servers) == 1 else "+".join(servers),
                   subject="+".join(servers),
                   message=f"In {scope}: {len(sources)} untrusted source(s) (e.g. {sources[0]}), {len(private)} "
                           f"private-data reader(s) (e.g. {private[0]}) and {len(sinks)} sink(s) "
                           f"(e.g. {sinks[0]}) — {len(group)} path(s).",
                   evidence=(Evidence("FLOW001", "graph", sources[0], "untrusted source", flag="untrusted_content"),
                             Evidence("FLOW001", "graph", private[0], "private data", flag="private_data"),
                             Evidence("FLOW001", "graph", sinks[0], "egress sink", flag="external_egress")),
                   tools=tools)
