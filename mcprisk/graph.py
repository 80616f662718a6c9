"""The capability / credential / data-store graph, and the questions an architect asks of it.

Nodes are servers, tools, resources, resource templates, prompts, credentials, data stores and
external parties; edges are typed (``exposes``, ``uses_credential``, ``reads``, ``writes``,
``deletes``, ``sends_to``, ``fetches_from``, ``references``, ``opens``). Node ids are readable
strings (``tool:support-desk/run_sql``) so a notebook can query the graph directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from .model import FLAGS, ResourceAssessment, ToolAssessment, effect_rank, most_severe
from .snapshot import Snapshot
from .specs import is_secret_name
from .surfaces import prompt_links

__all__ = [
    "EDGE_KINDS",
    "BlastRadius",
    "blast_radius",
    "build_graph",
    "graph_summary",
    "credential_nodes",
    "prompt_drives",
    "reaching",
    "resource_node",
    "shared_credentials",
    "template_node",
    "tool_credentials",
    "tool_node",
    "tool_stores",
]

EDGE_KINDS = ("exposes", "uses_credential", "reads", "writes", "deletes", "sends_to", "fetches_from", "references",
              "opens")

# External parties a tool can reach: the open internet (fetching, webhooks) and people (messages, posts).
INTERNET = "external:internet"
PEOPLE = "external:people"

# Header names that carry credentials even though the name alone does not say "secret".
_CREDENTIAL_HEADERS = {"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-auth-token"}
# UPPER_SNAKE names in descriptions that look like credentials: STRIPE_API_KEY, SUPPORT_DB_URL, SMTP_PASSWORD.
_ENV_MENTION = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
_SECRETISH_ENV = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|PAT|CREDENTIALS?|DSN|_URL|_URI|CONN|AUTH)$|"
                            r"(KEY|TOKEN|SECRET|PASSWORD)_")


def tool_node(server: str, tool: str) -> str:
    return f"tool:{server}/{tool}"


def resource_node(server: str, uri: str) -> str:
    return f"resource:{server}/{uri}"


def template_node(server: str, uri_template: str) -> str:
    return f"template:{server}/{uri_template}"


_LINK_NODE = {"tool": tool_node, "resource": resource_node, "template": template_node}


def _credential_id(name: str) -> str:
    return f"credential:{name}"


def _is_credential_name(name: str, *, header: bool = False) -> bool:
    if header:
        return name.lower() in _CREDENTIAL_HEADERS or is_secret_name(name)
    return is_secret_name(name) or bool(_SECRETISH_ENV.search(name))


def credential_nodes(snapshot: Snapshot) -> dict[str, str]:
    """Credentials a server holds, by name -> where that was seen (spec env, spec header, or a description)."""
    found: dict[str, str] = {}
    spec = snapshot.server
    for name in spec.env_names:
        if _is_credential_name(name):
            found[name] = "env var in the launch config"
    for name in spec.header_names:
        if _is_credential_name(name, header=True):
            found[name] = "HTTP header in the client config"
    texts = [snapshot.instructions or ""] + [t.description or "" for t in snapshot.tools]
    for text in texts:
        for m in _ENV_MENTION.finditer(text):
            name = m.group(0)
            if name not in found and _SECRETISH_ENV.search(name):
                found[name] = "named in the server's descriptions"
    return found


def build_graph(snapshots: Sequence[Snapshot], tools: Sequence[ToolAssessment], inventory: Any = None,
                services: Mapping[str, Any] | None = None,
                resources: Sequence[ResourceAssessment] = ()) -> nx.MultiDiGraph:
    """Build the graph for servers loaded together (one client config = one agent context).

    ``services`` maps a server name to what it fronts (from the classifier), used to name its data store;
    ``resources`` are the resource assessments, whose flags go on the resource nodes.
    """
    resource_flags = {r.key: r.flags for r in resources}
    g = nx.MultiDiGraph()
    g.add_node(INTERNET, kind="external", label="the internet (caller-chosen addresses)")
    g.add_node(PEOPLE, kind="external", label="people outside the operator")
    by_server: dict[str, list[ToolAssessment]] = {}
    for ta in tools:
        by_server.setdefault(ta.server, []).append(ta)
    declared_creds = list(getattr(inventory, "credentials", None) or ())
    declared_stores = list(getattr(inventory, "data_stores", None) or ())

    for snap in snapshots:
        server = snap.name
        sid = f"server:{server}"
        g.add_node(sid, kind="server", label=server, transport=snap.server.transport, status=snap.status)
        for ta in by_server.get(server, ()):
            tid = tool_node(server, ta.tool)
            g.add_node(tid, kind="tool", label=ta.tool, server=server, primary=ta.primary,
                       effects=",".join(ta.effects), flags=",".join(ta.flags), disabled=ta.disabled)
            g.add_edge(sid, tid, key="exposes", kind="exposes")
        for res in snap.resources:
            rid = resource_node(server, res.uri)
            g.add_node(rid, kind="resource", label=res.name or res.uri, server=server,
                       flags=",".join(resource_flags.get((server, res.uri), ())))
            g.add_edge(sid, rid, key="exposes", kind="exposes")
        for tpl in snap.resource_templates:
            rid = template_node(server, tpl.uri_template)
            g.add_node(rid, kind="resource_template", label=tpl.name or tpl.uri_template, server=server,
                       flags=",".join(resource_flags.get((server, tpl.uri_template), ())))
            g.add_edge(sid, rid, key="exposes", kind="exposes")
        for prompt in snap.prompts:
            pid = f"prompt:{server}/{prompt.name}"
            g.add_node(pid, kind="prompt", label=prompt.name, server=server)
            g.add_edge(sid, pid, key="exposes", kind="exposes")
            # What the prompt names or assumes: tools by name (or by every word of the name), resources by
            # URI, template prefix or identifier-like name (mcprisk.surfaces.prompt_links).
            for link in prompt_links(snap, prompt):
                target = _LINK_NODE[link.kind](server, link.target)
                if target in g:
                    g.add_edge(pid, target, key="references", kind="references", how=link.how, rule=link.rule)

        # Credentials: every tool of a process can use every credential the process holds, unless the
        # operator declares which tools use a credential (a real boundary, e.g. separate services).
        creds = credential_nodes(snap)
        narrowed: dict[str, set[str]] = {}
        for decl in declared_creds:
            servers = set(getattr(decl, "servers", ()) or ())
            if servers and server not in servers:
                continue
            creds.setdefault(decl.name, "declared in the inventory")
            if getattr(decl, "tools", None):
                narrowed[decl.name] = set(decl.tools)
        for name, seen in sorted(creds.items()):
            cid = _credential_id(name)
            g.add_node(cid, kind="credential", label=name, seen=seen)
            for ta in by_server.get(server, ()):
                if name in narrowed and ta.tool not in narrowed[name]:
                    continue
                g.add_edge(tool_node(server, ta.tool), cid, key="uses_credential", kind="uses_credential",
                           why="declared" if name in narrowed else "same process")

        # Data stores: declared ones for this server, else the one its service implies.
        stores = [d for d in declared_stores if not getattr(d, "servers", None) or server in d.servers]
        store_ids: list[tuple[str, Any]] = []
        for decl in stores:
            did = f"datastore:{decl.name}"
            g.add_node(did, kind="datastore", label=decl.name,
                       classification=getattr(decl, "classification", None) or "unknown")
            store_ids.append((did, decl))
        if not store_ids:
            service = (services or {}).get(server)
            store = getattr(service, "store", None) if service is not None else None
            if store:
                did = f"datastore:{server}/{store}"
                g.add_node(did, kind="datastore", label=f"{server} {store.replace('_', ' ')}",
                           classification="unknown", inferred=True, store=store)
                store_ids.append((did, None))
        for did, _decl in store_ids:
            for name in creds:
                g.add_edge(_credential_id(name), did, key="opens", kind="opens")
        for ta in by_server.get(server, ()):
            tid = tool_node(server, ta.tool)
            for did, decl in store_ids:
                limit = set(getattr(decl, "tools", None) or ()) if decl is not None else set()
                if limit and ta.tool not in limit:
                    continue
                if "private_data" in ta.flags or ta.primary == "read_only":
                    g.add_edge(tid, did, key="reads", kind="reads")
                if any(e in ta.effects for e in ("reversible", "high_cost", "customer_visible")):
                    g.add_edge(tid, did, key="writes", kind="writes")
                if "destructive" in ta.effects:
                    g.add_edge(tid, did, key="deletes", kind="deletes")
            if "external_egress" in ta.flags:
                g.add_edge(tid, INTERNET, key="sends_to", kind="sends_to")
            if "customer_visible" in ta.effects:
                g.add_edge(tid, PEOPLE, key="sends_to", kind="sends_to")
            if "untrusted_content" in ta.flags:
                g.add_edge(INTERNET, tid, key="fetches_from", kind="fetches_from")
    return g


@dataclass(frozen=True)
class BlastRadius:
    """What someone holding one credential could do through the tools that can use it."""

    credential: str
    tools: tuple[str, ...]  # "server/tool"
    effects: tuple[str, ...]
    flags: tuple[str, ...]
    data_stores: tuple[str, ...]

    @property
    def primary(self) -> str:
        return most_severe(self.effects)

    def to_dict(self) -> dict[str, Any]:
        return {"credential": self.credential, "tools": list(self.tools), "primary": self.primary,
                "effects": list(self.effects), "flags": list(self.flags), "data_stores": list(self.data_stores)}


def _cred(credential: str) -> str:
    return credential if credential.startswith("credential:") else _credential_id(credential)


def blast_radius(g: nx.MultiDiGraph, credential: str) -> BlastRadius:
    """Which tools can use ``credential`` (a name like ``STRIPE_API_KEY``), what they can do, what it opens."""
    cid = _cred(credential)
    if cid not in g:
        raise KeyError(f"no credential {credential!r} in the graph")
    tools = sorted(u for u, _, k in g.in_edges(cid, keys=True) if k == "uses_credential")
    effects: set[str] = set()
    flags: set[str] = set()
    for t in tools:
        effects.update(filter(None, g.nodes[t].get("effects", "").split(",")))
        flags.update(filter(None, g.nodes[t].get("flags", "").split(",")))
    stores = sorted(v for _, v, k in g.out_edges(cid, keys=True) if k == "opens")
    return BlastRadius(g.nodes[cid]["label"], tuple(t.removeprefix("tool:") for t in tools),
                       tuple(sorted(effects, key=effect_rank)), tuple(f for f in FLAGS if f in flags),
                       tuple(g.nodes[s]["label"] for s in stores))


def reaching(g: nx.MultiDiGraph, data_store: str) -> dict[str, tuple[str, ...]]:
    """Tools that can reach a data store (by id or label), with how: reads / writes / deletes."""
    did = data_store if data_store in g else next(
        (n for n, d in g.nodes(data=True) if d.get("kind") == "datastore" and d.get("label") == data_store), None)
    if did is None:
        raise KeyError(f"no data store {data_store!r} in the graph")
    out: dict[str, list[str]] = {}
    for u, _, k in g.in_edges(did, keys=True):
        if k in ("reads", "writes", "deletes"):
            out.setdefault(u.removeprefix("tool:"), []).append(k)
    order = {"reads": 0, "writes": 1, "deletes": 2}
    return {t: tuple(sorted(ks, key=order.__getitem__)) for t, ks in sorted(out.items())}


def tool_credentials(g: nx.MultiDiGraph, server: str) -> dict[str, frozenset[str]]:
    """For each tool of ``server``: the credential names it can use."""
    out: dict[str, frozenset[str]] = {}
    for _, tid, k in g.out_edges(f"server:{server}", keys=True):
        if k != "exposes" or g.nodes[tid].get("kind") != "tool":
            continue
        creds = frozenset(g.nodes[c]["label"] for _, c, kk in g.out_edges(tid, keys=True) if kk == "uses_credential")
        out[g.nodes[tid]["label"]] = creds
    return out


def tool_stores(g: nx.MultiDiGraph, server: str) -> dict[str, frozenset[str]]:
    """For each tool of ``server``: the kinds of data store it reads, writes or deletes (``files``,
    ``database``, ...), as far as the graph knows them (stores inferred from what the server fronts)."""
    out: dict[str, frozenset[str]] = {}
    for _, tid, k in g.out_edges(f"server:{server}", keys=True):
        if k != "exposes" or g.nodes[tid].get("kind") != "tool":
            continue
        kinds = frozenset(g.nodes[d]["store"] for _, d, kk in g.out_edges(tid, keys=True)
                          if kk in ("reads", "writes", "deletes") and g.nodes[d].get("store"))
        out[g.nodes[tid]["label"]] = kinds
    return out


def prompt_drives(g: nx.MultiDiGraph, server: str, prompt: str) -> dict[str, tuple[str, ...]]:
    """What one prompt references: ``{"tools": (...), "resources": (...)}`` by label, sorted."""
    pid = f"prompt:{server}/{prompt}"
    if pid not in g:
        raise KeyError(f"no prompt {prompt!r} on server {server!r}")
    out: dict[str, list[str]] = {"tools": [], "resources": []}
    for _, target, k in g.out_edges(pid, keys=True):
        if k == "references":
            out["tools" if g.nodes[target]["kind"] == "tool" else "resources"].append(g.nodes[target]["label"])
    return {k: tuple(sorted(v)) for k, v in out.items()}


def shared_credentials(g: nx.MultiDiGraph) -> dict[str, tuple[str, ...]]:
    """Credentials usable by more than one tool: name -> the tools ("server/tool")."""
    out: dict[str, tuple[str, ...]] = {}
    for cid, data in g.nodes(data=True):
        if data.get("kind") != "credential":
            continue
        users = sorted(u.removeprefix("tool:") for u, _, k in g.in_edges(cid, keys=True) if k == "uses_credential")
        if len(users) > 1:
            out[data["label"]] = tuple(users)
    return dict(sorted(out.items()))


def graph_summary(g: nx.MultiDiGraph):
    """Counts of nodes by kind and edges by kind, as a DataFrame (for a first look at a graph)."""
    import pandas as pd

    rows = [("node", kind, sum(1 for _, d in g.nodes(data=True) if d.get("kind") == kind))
            for kind in ("server", "tool", "resource", "resource_template", "prompt", "credential", "datastore",
                         "external")]
    rows += [("edge", kind, sum(1 for *_, k in g.edges(keys=True) if k == kind)) for kind in EDGE_KINDS]
    return pd.DataFrame([r for r in rows if r[2]], columns=["element", "kind", "count"])


def nodes_of(g: nx.MultiDiGraph, kind: str) -> Iterable[str]:
    return (n for n, d in g.nodes(data=True) if d.get("kind") == kind)
