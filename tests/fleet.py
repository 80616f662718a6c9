"""A 45-server client config's worth of real servers (about 1,400 tools), from the labelled development corpus.

The shape of a whole organisation's MCP config, built from real public servers' snapshots
(``tests/data/corpus/dev/*.snapshot.json``; never the held-out split): what report sizes and rendering time are
measured on. The draw is fixed, so every run measures the same servers.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from mcprisk import load_snapshot
from mcprisk.snapshot import Snapshot

DEV = Path(__file__).resolve().parent / "data" / "corpus" / "dev"
SERVERS = 45
MAX_TOOLS = 260  # leave out the few servers that are a catalogue on their own (hundreds of tools)
SEED = 1


def original_dev() -> list[Path]:
    """The dev corpus's snapshot files without the servers promoted into it from a held-out split (``promoted_from``
    in the MANIFEST), so the fleet and the pinned digests stay the servers they were drawn from."""
    manifest = DEV.parent / "MANIFEST.jsonl"
    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    promoted = {r["slug"] for r in rows if r.get("promoted_from")}
    return [p for p in sorted(DEV.glob("*.snapshot.json")) if p.name[: -len(".snapshot.json")] not in promoted]


def fleet(servers: int = SERVERS) -> list[Snapshot]:
    """``servers`` snapshots of real servers drawn from the dev corpus (fixed draw), as one client config holds them."""
    snaps = [load_snapshot(p) for p in original_dev()]
    pool = [s for s in snaps if len(s.tools) <= MAX_TOOLS]
    picked = random.Random(SEED).sample(pool, min(servers, len(pool)))
    return sorted(picked, key=lambda s: s.name)
