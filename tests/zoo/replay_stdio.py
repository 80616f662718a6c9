"""Replays a recorded snapshot as a live MCP server over stdio (raw JSON-RPC, no SDK, so it starts fast).

Usage: python replay_stdio.py SNAPSHOT.json

Answers ``initialize`` (legacy era) and the four listings with the snapshot's tools, resources, resource
templates and prompts in their wire form, one page each. What the bench scans when it needs a whole
organisation's config of real servers without installing them: the definitions are the recorded ones,
the transport and the client are real. Tool calls are refused (nothing here can act).
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _common(item: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": item["name"]}
    for key in ("title", "description"):
        if item.get(key) is not None:
            out[key] = item[key]
    if item.get("icons"):
        out["icons"] = item["icons"]
    if item.get("meta") is not None:
        out["_meta"] = item["meta"]
    out.update(item.get("extra") or {})
    return out


def wire(snapshot: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The snapshot's items as a server sends them (the inverse of ``item_from_wire``, clipped text kept)."""
    tools = []
    for t in snapshot.get("tools") or ():
        w = _common(t)
        w["inputSchema"] = t.get("input_schema") or {"type": "object"}
        for key, field in (("outputSchema", "output_schema"), ("annotations", "annotations"),
                           ("execution", "execution")):
            if t.get(field) is not None:
                w[key] = t[field]
        tools.append(w)
    resources = [{**_common(r), "uri": r["uri"], **({"mimeType": r["mime_type"]} if r.get("mime_type") else {})}
                 for r in snapshot.get("resources") or ()]
    templates = [{**_common(r), "uriTemplate": r["uri_template"],
                  **({"mimeType": r["mime_type"]} if r.get("mime_type") else {})}
                 for r in snapshot.get("resource_templates") or ()]
    prompts = [{**_common(p), "arguments": p.get("arguments") or []} for p in snapshot.get("prompts") or ()]
    return {"tools": tools, "resources": resources, "resourceTemplates": templates, "prompts": prompts}


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        snapshot = json.load(fh)
    items = wire(snapshot)
    info = snapshot.get("server_info") or {"name": snapshot["server"]["name"], "version": "0"}
    caps: dict[str, Any] = {"tools": {}}
    if items["resources"] or items["resourceTemplates"]:
        caps["resources"] = {}
    if items["prompts"]:
        caps["prompts"] = {}
    answers = {"tools/list": {"tools": items["tools"]}, "resources/list": {"resources": items["resources"]},
               "resources/templates/list": {"resourceTemplates": items["resourceTemplates"]},
               "prompts/list": {"prompts": items["prompts"]}}
    initialize: dict[str, Any] = {"protocolVersion": "2025-11-25", "capabilities": caps, "serverInfo": info}
    if snapshot.get("instructions"):
        initialize["instructions"] = snapshot["instructions"]
    for line in sys.stdin:
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        method, rid = msg.get("method"), msg.get("id")
        if rid is None:
            continue
        if method == "initialize":
            body: dict[str, Any] | None = initialize
        elif method == "ping":
            body = {}
        else:
            body = answers.get(method)
        reply = {"jsonrpc": "2.0", "id": rid}
        if body is None:
            reply["error"] = {"code": -32601, "message": f"Method not found: {method}"}
        else:
            reply["result"] = body
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
