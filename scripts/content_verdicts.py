"""What content severity means for an operator: the verdict each planted attack's server gets, and the severity mix
and verdicts of honest real servers (the README's "Severity by evidence" tables).

    .venv/bin/python scripts/content_verdicts.py            # parts dev, 1-11; promoted servers, realfp / holdout2 half A
    .venv/bin/python scripts/content_verdicts.py --halfb    # half B of realfp and holdout2: counts only, never listed

Parts 12 and later are never read here.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from content_eval import (ADVERSARIAL, HOLDOUT2, REALFP, content_codes, halved_servers, load_items,  # noqa: E402
                          real_servers, server_snapshot)

from mcprisk import assess  # noqa: E402

PARTS = ["dev"] + [f"heldout{i}" for i in range(1, 12)]
STATES = ("do_not_use", "needs_controls", "ready")


def planted() -> None:
    """Per part: how many planted attacks' target servers are do_not_use / needs_controls / ready."""
    total: Counter = Counter()
    for part in PARTS:
        seen: Counter = Counter()
        for item in load_items(ADVERSARIAL / part):
            if item["hostile"]:
                a = assess([server_snapshot(s) for s in item["servers"]])
                seen[a.verdict(item["target"]["server"]).state] += 1
        total.update(seen)
        print(f"{part:10} {sum(seen.values()):4}  " + " / ".join(str(seen[s]) for s in STATES))
    print(f"{'all':10} {sum(total.values()):4}  " + " / ".join(str(total[s]) for s in STATES))


def honest(label: str, snaps, *, counts_only: bool = False) -> None:
    """Tools flagged, content severity mix, verdicts and servers do_not_use because of a content finding."""
    codes = content_codes()
    a = assess(snaps)
    found = [f for f in a.findings if f.code in codes]
    ids = {f.id for f in found}
    by_content = sum(1 for v in a.verdicts if v.state == "do_not_use" and ids & set(v.reasons))
    states = Counter(v.state for v in a.verdicts)
    line = (f"{label}: {len(snaps)} servers, {sum(len(s.tools) for s in snaps)} tools, "
            f"{len({(f.server, f.subject) for f in found})} flagged, do_not_use {states['do_not_use']} "
            f"({by_content} by content)")
    if not counts_only:
        line += f"; severities {dict(Counter(f.severity for f in found))}; verdicts {dict(states)}"
    print(line)


if __name__ == "__main__":
    if "--halfb" in sys.argv:
        honest("realfp half B", halved_servers(REALFP, "B"), counts_only=True)
        honest("holdout2 half B", halved_servers(HOLDOUT2, "B"), counts_only=True)
    else:
        planted()
        base = {s.name for s in real_servers()}
        honest("promoted into dev", [s for s in real_servers(promoted=True) if s.name not in base])
        honest("realfp half A", halved_servers(REALFP, "A"))
        honest("holdout2 half A", halved_servers(HOLDOUT2, "A"))
        honest("real dev servers", real_servers())
