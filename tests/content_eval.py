"""Measure the content rules on the adversarial corpus and on real servers, the way the reviewers do.

Each corpus item (format: tests/data/adversarial/README.md) becomes snapshots through the path a live scan
takes (``item_from_wire``), all of an item's servers are assessed together, and:
- a hostile item is *found* when a content-family finding (severity >= low) names the target server and
  subject;
- a negative is *flagged* when any content-family finding of any severity appears anywhere in the item.
Real servers (tests/data/labelled/, tests/data/corpus/dev/*.snapshot.json when present) are assessed all
together in one assessment; the share of their tools with a content finding is the false-positive budget. The
same budget holds on half A of holdout2 (real servers collected after the rules were tuned on dev); half B is
held out and only ever counted; so does half A of realfp (real published servers never labelled), split the same way.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcprisk import ServerSpec, Snapshot, assess
from mcprisk.rules import rule_info
from mcprisk.snapshot import item_from_wire, load_snapshots

DATA = Path(__file__).resolve().parent / "data"
ADVERSARIAL = DATA / "adversarial"
LABELLED = DATA / "labelled"
CORPUS_DEV = DATA / "corpus" / "dev"
SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
MAX_CHARS = 100_000


def content_codes() -> frozenset[str]:
    """Codes of the content family (the rules in mcprisk.rules.content)."""
    return frozenset(code for code, info in rule_info().items() if info.family == "content")


def load_items(path: Path) -> list[dict[str, Any]]:
    """Every item of every .jsonl file under ``path`` (one part of the corpus)."""
    items = []
    for f in sorted(path.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                items.append(json.loads(line))
    return items


def server_snapshot(server: Mapping[str, Any]) -> Snapshot:
    """One wire-format server of a corpus item as the Snapshot a live scan would record."""
    def items(kind: str, key: str) -> tuple[Any, ...]:
        return tuple(item_from_wire(kind, raw, max_text_chars=MAX_CHARS) for raw in server.get(key) or ())

    instructions = server.get("instructions")
    return Snapshot(server=ServerSpec.stdio([server["name"]], name=server["name"]), status="complete",
                    era="legacy", protocol_version="2025-11-25", server_info={"name": server["name"]},
                    instructions=instructions[:MAX_CHARS] if instructions else None,
                    instructions_length=len(instructions or ""),
                    tools=items("tools", "tools"), prompts=items("prompts", "prompts"),
                    resources=items("resources", "resources"),
                    resource_templates=items("resource_templates", "resourceTemplates"))


@dataclass
class PartReport:
    """Recall per category, negatives flagged, and what was missed or flagged, for one corpus part."""

    name: str
    found: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    missed: list[str] = field(default_factory=list)
    negatives: int = 0
    flagged: list[str] = field(default_factory=list)

    @property
    def hostile(self) -> int:
        return sum(self.total.values())

    @property
    def recall(self) -> float:
        return sum(self.found.values()) / max(1, self.hostile)

    def category_recall(self) -> dict[str, float]:
        return {c: self.found[c] / n for c, n in sorted(self.total.items())}

    @property
    def flagged_share(self) -> float:
        return len(self.flagged) / max(1, self.negatives)

    def summary(self) -> str:
        lines = [f"[{self.name}] hostile {sum(self.found.values())}/{self.hostile} found = {self.recall:.3f}; "
                 f"negatives flagged {len(self.flagged)}/{self.negatives} = {self.flagged_share:.3f}"]
        lines += [f"  {c:<26} {self.found[c]:>3}/{n:<3} = {r:.2f}" for c, r, n in
                  ((c, r, self.total[c]) for c, r in self.category_recall().items())]
        lines += [f"  missed  {m}" for m in self.missed] + [f"  flagged {m}" for m in self.flagged]
        return "\n".join(lines)


def evaluate_items(name: str, items: Iterable[Mapping[str, Any]]) -> PartReport:
    """Assess every item's servers together and score it by the measurement contract."""
    codes = content_codes()
    report = PartReport(name)
    for item in items:
        findings = [f for f in assess([server_snapshot(s) for s in item["servers"]]).findings if f.code in codes]
        target = item["target"]
        if item["hostile"]:
            report.total[item["category"]] += 1
            if any(f.server == target["server"] and f.subject == target["subject"]
                   and SEVERITY_RANK[f.severity] >= 1 for f in findings):
                report.found[item["category"]] += 1
            else:
                report.missed.append(f"{item['id']} ({item['position']}): {item['technique']}")
        else:
            report.negatives += 1
            if findings:
                report.flagged.append(f"{item['id']}: " + "; ".join(f"{f.code} {f.subject}" for f in findings[:3]))
    return report


def evaluate_part(path: Path, *, exclude_prefix: str | None = None, only_prefix: str | None = None) -> PartReport:
    """Score one corpus directory (optionally only the files with, or without, a name prefix)."""
    files = sorted(path.glob("*.jsonl"))
    if exclude_prefix:
        files = [f for f in files if not f.name.startswith(exclude_prefix)]
    if only_prefix:
        files = [f for f in files if f.name.startswith(only_prefix)]
    items = [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    label = path.name + (f" (without {exclude_prefix}*)" if exclude_prefix else "") + (
        f" ({only_prefix}* only)" if only_prefix else "")
    return evaluate_items(label, items)


def _manifest() -> list[dict[str, Any]]:
    manifest = DATA / "corpus" / "MANIFEST.jsonl"
    return [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()] \
        if manifest.is_file() else []


def promoted_from(split: str) -> frozenset[str]:
    """The corpus slugs promoted into dev from the held-out ``split`` (``promoted_from`` in the MANIFEST)."""
    return frozenset(r["slug"] for r in _manifest() if r.get("promoted_from") == split)


def _promoted() -> tuple[set[str], set[str]]:
    """(legacy files, corpus slugs) promoted into dev from a held-out split (``promoted_from`` in the MANIFEST):
    the content rules' real-server budget is measured on the servers they were tuned on, without them."""
    return {"promoted.jsonl"}, {r["slug"] for r in _manifest() if r.get("promoted_from")}


def real_servers(*, promoted: bool = False) -> list[Snapshot]:
    """Every real server of the dev set the content rules were tuned on: the labelled tools grouped by server, plus
    corpus snapshots if present (servers promoted from a held-out split into dev only with ``promoted``; never those
    of holdout2, which the content rules keep as two halves, one of them held out: ``holdout2_servers``, nor those of
    holdout4, holdout5, holdout6 and holdout7, kept apart for the content rules: ``holdout4_servers``,
    ``holdout5_servers``, ``holdout6_servers``, ``holdout7_servers``)."""
    by_server: dict[str, list[Any]] = defaultdict(list)
    promoted_files, promoted_slugs = _promoted() if not promoted else (
        set(), set(promoted_from(HOLDOUT2) | promoted_from(HOLDOUT4) | promoted_from(HOLDOUT5)
             | promoted_from(HOLDOUT6) | promoted_from(HOLDOUT7)))
    for path in sorted(LABELLED.glob("*.jsonl")):
        if path.name in promoted_files:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            raw = {"name": r["name"], "description": r["description"], "inputSchema": r["input_schema"] or {}}
            for key in ("title", "annotations"):
                if r.get(key):
                    raw[key] = r[key]
            by_server[r["server"].split(":", 1)[-1]].append(item_from_wire("tools", raw, max_text_chars=MAX_CHARS))
    snaps = [Snapshot(server=ServerSpec.stdio([name], name=name), status="complete", tools=tuple(tools))
             for name, tools in sorted(by_server.items())]
    seen = {s.name for s in snaps}
    for path in sorted(CORPUS_DEV.glob("*.snapshot.json")) if CORPUS_DEV.is_dir() else ():
        if path.name[: -len(".snapshot.json")] in promoted_slugs:
            continue
        for snap in load_snapshots(path):
            if snap.name not in seen:
                seen.add(snap.name)
                snaps.append(snap)
    return snaps


def real_flagged(snapshots: list[Snapshot]) -> tuple[int, list[str]]:
    """(number of real tools, "server/tool: CODE severity" for each tool given any content finding)."""
    codes = content_codes()
    found = [f for f in assess(snapshots).findings if f.code in codes]
    tools = {f"{s.name}/{t.name}" for s in snapshots for t in s.tools}
    flagged: dict[str, list[str]] = defaultdict(list)
    for f in found:
        key = f"{f.server}/{f.subject}"
        flagged[key].append(f"{f.code} {f.severity}: {f.message[:160]}")
    listed = [f"{k}: {' | '.join(v)}" for k, v in sorted(flagged.items())]
    return len(tools), listed


HOLDOUT2 = "holdout2"  # promoted into dev in round 7: its servers are the dev snapshots whose MANIFEST row says so


def holdout2_half(slug: str) -> str:
    """The half of holdout2 a server belongs to, by a hash of its slug: "A" is read while tuning the content rules,
    "B" is held out (counted, never listed)."""
    digest = hashlib.sha256(("mcprisk-h2-content:" + slug).encode()).hexdigest()
    return "A" if int(digest, 16) % 2 == 0 else "B"


def holdout2_servers(half: str = "A") -> list[Snapshot]:
    """The real published servers of holdout2's ``half``, each named by its slug (as the dev set's snapshots are).
    holdout2 was promoted into the classifier's dev split; for the content rules it stays what it was, read from
    ``corpus/dev/`` by its servers' ``promoted_from`` (the dev budget of ``real_servers`` leaves them out)."""
    return halved_servers(CORPUS_DEV, half, only=promoted_from(HOLDOUT2))


HOLDOUT4 = "holdout4"  # promoted into the classifier's dev in round 8; never read for content (an unseen honest set)


def holdout4_servers() -> list[Snapshot]:
    """The real published servers promoted from holdout4, each named by its slug: honest servers the content rules and
    model were never tuned or trained on (counted, never listed); ``real_servers`` leaves them out even when
    ``promoted``."""
    return [s for half in ("A", "B") for s in halved_servers(CORPUS_DEV, half, only=promoted_from(HOLDOUT4))]


HOLDOUT5 = "holdout5"  # promoted into the classifier's dev in round 9; never read for content (an unseen honest set)


def holdout5_servers() -> list[Snapshot]:
    """The 65 published servers promoted from holdout5 (collected blind in round 8): like ``holdout4_servers``, honest
    servers the content rules and model were never tuned or trained on (counted, never listed)."""
    return [s for half in ("A", "B") for s in halved_servers(CORPUS_DEV, half, only=promoted_from(HOLDOUT5))]


HOLDOUT6 = "holdout6"  # promoted into the classifier's dev in round 10; never read for content (an unseen honest set)


def holdout6_servers() -> list[Snapshot]:
    """The 98 published servers promoted from holdout6 (the sixth classification held-out split, collected blind in
    round 9): an unseen honest set for the content rules (counted, never listed)."""
    return [s for half in ("A", "B") for s in halved_servers(CORPUS_DEV, half, only=promoted_from(HOLDOUT6))]


HOLDOUT7 = "holdout7"  # promoted into the classifier's dev in round 11; never read for content (an unseen honest set)


def holdout7_servers() -> list[Snapshot]:
    """The 97 published servers promoted from holdout7 (the seventh classification held-out split, collected blind in
    round 10): an unseen honest set for the content rules (counted, never listed)."""
    return [s for half in ("A", "B") for s in halved_servers(CORPUS_DEV, half, only=promoted_from(HOLDOUT7))]


REALFP = DATA / "realfp"
REALFP2 = DATA / "realfp2"


def realfp2_servers() -> list[Snapshot]:
    """All 133 real published servers of realfp2 (never labelled, presumed honest), each named by its slug: read as
    development material for the content rules since quiet round 4 (no halves)."""
    return halved_servers(REALFP2, "A") + halved_servers(REALFP2, "B")


def rules_flagged(snapshots: list[Snapshot], *, without: frozenset[str] = frozenset({"INJ018"})) -> tuple[int, list[str]]:
    """``real_flagged`` counted for the content rules alone: (number of tools, "server/subject: CODE severity" for
    each subject given a content finding by a rule not in ``without``; the learned reading INJ018 by default)."""
    codes = content_codes() - without
    found = [f for f in assess(snapshots).findings if f.code in codes]
    tools = {f"{s.name}/{t.name}" for s in snapshots for t in s.tools}
    flagged: dict[str, list[str]] = defaultdict(list)
    for f in found:
        flagged[f"{f.server}/{f.subject}"].append(f"{f.code} {f.severity}: {f.message[:160]}")
    return len(tools), [f"{k}: {' | '.join(v)}" for k, v in sorted(flagged.items())]


def realfp_servers(half: str = "A") -> list[Snapshot]:
    """The real published servers of realfp (never labelled, presumed honest) in ``half``, split as holdout2 is:
    "A" is read while tuning the content rules, "B" is held out (counted, never listed)."""
    return halved_servers(REALFP, half)


def halved_servers(folder: Path, half: str, only: frozenset[str] | None = None) -> list[Snapshot]:
    """The snapshots of ``folder`` (of the slugs ``only``, when given) whose slug falls in ``half``
    (``holdout2_half``), each named by its slug."""
    snaps = []
    for path in sorted(folder.glob("*.snapshot.json")) if folder.is_dir() else ():
        slug = path.name[: -len(".snapshot.json")]
        if holdout2_half(slug) == half and (only is None or slug in only):
            snap = load_snapshots(path)[0]
            snaps.append(dataclasses.replace(snap, server=dataclasses.replace(snap.server, name=slug[:60])))
    return snaps
