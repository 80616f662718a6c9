"""Verdicts and ceilings over the labelled real servers: one snapshot per server (its tools only, no inventory),
assessed as a scan would, counted by verdict state and ceiling, with the reasons of each do_not_use.

    .venv/bin/python scripts/verdict_figures.py [tests/data/labelled]

A do_not_use on a real published server is a false alarm unless the server really ships hostile text: the
list shows which findings caused each one, so a reader can judge.
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

from mcprisk import ServerSpec, Snapshot
from mcprisk.assessment import assess
from mcprisk.snapshot import item_from_wire


def servers(folder: Path) -> dict[str, list]:
    """Tool items by server, from the labelled JSON-lines files (the labels themselves are not used)."""
    out: dict[str, list] = collections.defaultdict(list)
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                raw = {"name": r["name"], "description": r["description"], "inputSchema": r["input_schema"] or {},
                       **({"title": r["title"]} if r.get("title") else {}),
                       **({"annotations": r["annotations"]} if r.get("annotations") else {})}
                out[r["server"]].append(item_from_wire("tools", raw, max_text_chars=100_000))
    return out


def main(folder: str = "tests/data/labelled") -> None:
    states: collections.Counter[str] = collections.Counter()
    ceilings: collections.Counter[str] = collections.Counter()
    stopped = []
    for server, tools in sorted(servers(Path(folder)).items()):
        package = server.split(":", 1)[-1]
        name = package.replace("@", "").replace("/", "-")[:40]
        snap = Snapshot(server=ServerSpec.stdio(["npx", package], name=name), status="complete", era="legacy",
                        protocol_version="2025-11-25", server_info={"name": name}, tools=tuple(tools))
        a = assess(snap)
        v, p = a.verdict(name), a.placement(name)
        states[v.state] += 1
        ceilings[p.ceiling.pattern] += 1
        if v.state == "do_not_use":
            stopped.append((name, v.reasons))
    total = sum(states.values())
    print(f"{total} servers: verdicts {dict(sorted(states.items()))}; ceilings {dict(sorted(ceilings.items()))}")
    for name, reasons in stopped:
        print(f"  do_not_use {name}: {', '.join(reasons)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
