"""Count how many honest real servers expose each tool name, for the name-shadowing rule (INJ006) to tell a name
honest servers commonly share (``search``, ``read_file``, ``get_user``) from a distinctive one (deterministic).

    python scripts/build_tool_name_counts.py            # write mcprisk/catalog/tool_name_counts.json
    python scripts/build_tool_name_counts.py --check    # rebuild, and fail unless the shipped file has the same checksum

Servers counted: the real dev servers the content rules are tuned on (``content_eval.real_servers()``: the labelled
tools and the dev corpus without servers promoted from a held-out split), half A of holdout2, half A of realfp and
all of realfp2 and realfp_i18n -- never a held-out half. A name is keyed as the rule compares names (``names.loose``: TR39 skeleton,
case and separators dropped); only names that two or more servers expose are shipped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))
from _shipped import ship  # noqa: E402

from content_eval import DATA, holdout2_servers, real_servers, realfp_servers  # noqa: E402

from mcprisk.rules.content.names import loose  # noqa: E402
from mcprisk.snapshot import load_snapshots  # noqa: E402

TARGET = ROOT / "mcprisk" / "catalog" / "tool_name_counts.json"
SHIPPED_AT = 2  # a name fewer servers than this expose is distinctive by default (absent from the file)


def honest_servers() -> dict[str, frozenset[str]]:
    """Server name -> the loose keys of its tools, over every honest source above (a server counted once)."""
    snaps = [*real_servers(), *holdout2_servers("A"), *realfp_servers("A")]
    for folder in ("realfp2", "realfp_i18n"):
        for path in sorted((DATA / folder).glob("*.snapshot.json")):
            snaps.extend(load_snapshots(path))
    out: dict[str, frozenset[str]] = {}
    for snap in snaps:
        out.setdefault(snap.name, frozenset(loose(t.name) for t in snap.tools))
    return out


def build() -> dict:
    """The shipped body: per loose name, how many honest servers expose it (two or more), with its checksum."""
    servers = honest_servers()
    counts = Counter(key for keys in servers.values() for key in keys)
    names = {k: n for k, n in sorted(counts.items()) if n >= SHIPPED_AT}
    payload = json.dumps({"servers": len(servers), "names": names}, sort_keys=True)
    return {"servers": len(servers), "names": names, "checksum": hashlib.sha256(payload.encode()).hexdigest()[:16]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail unless the shipped file has the same checksum")
    args = parser.parse_args()
    return ship(build(), TARGET, ROOT, check=args.check)


if __name__ == "__main__":
    sys.exit(main())
