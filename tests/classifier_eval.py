"""Measure the classifier against hand-labelled tools of real servers.

Two sets, kept apart: the development set in tests/data/labelled/ (used for error analysis while tuning)
and the held-out set in tests/data/holdout/ (other servers' tools, labelled before any tuning against it,
never used for error analysis: it measures how well the rules generalise).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from mcprisk.classify import classify_tool
from mcprisk.model import FLAGS, ToolAssessment, effect_rank
from mcprisk.snapshot import Tool, item_from_wire

LABELLED = Path(__file__).resolve().parent / "data" / "labelled"
HOLDOUT = Path(__file__).resolve().parent / "data" / "holdout"


@dataclass(frozen=True)
class Labelled:
    server: str
    tool: Tool
    effects: frozenset[str]
    primary: str
    flags: frozenset[str]


def load_labelled(paths: list[Path] | None = None) -> list[Labelled]:
    """The development set (or the given JSON-lines files)."""
    rows = []
    for path in paths or sorted(LABELLED.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            raw = {"name": r["name"], "description": r["description"], "inputSchema": r["input_schema"] or {}}
            if r.get("title"):
                raw["title"] = r["title"]
            if r.get("annotations"):
                raw["annotations"] = r["annotations"]
            # The package or repository name, as a real scan sees it in the launch command (npx @stripe/mcp).
            server = r["server"].split(":", 1)[-1]
            rows.append(Labelled(server, item_from_wire("tools", raw, max_text_chars=100_000),
                                 frozenset(r["label"]["effects"]), r["label"]["primary"],
                                 frozenset(r["label"]["flags"])))
    return rows


def load_holdout() -> list[Labelled]:
    """The held-out set: tools of servers that are not in the development set."""
    return load_labelled(sorted(HOLDOUT.glob("*.jsonl")))


@dataclass
class Report:
    n: int = 0
    under: int = 0
    exact: int = 0
    mutating_labelled: int = 0
    mutating_found: int = 0
    mutating_predicted: int = 0
    mutating_correct: int = 0
    flag_counts: dict[str, list[int]] = field(default_factory=lambda: {f: [0, 0, 0] for f in FLAGS})  # tp fp fn
    misses: list[tuple[Labelled, ToolAssessment]] = field(default_factory=list)

    @property
    def under_rate(self) -> float:
        return self.under / self.n

    @property
    def exact_rate(self) -> float:
        return self.exact / self.n

    @property
    def mutating_recall(self) -> float:
        return self.mutating_found / self.mutating_labelled

    @property
    def mutating_precision(self) -> float:
        return self.mutating_correct / self.mutating_predicted

    def f1(self, flag: str) -> float:
        tp, fp, fn = self.flag_counts[flag]
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    def summary(self) -> str:
        lines = [f"{self.n} tools: under-classified {self.under_rate:.1%}, exact primary {self.exact_rate:.1%}, "
                 f"mutating recall {self.mutating_recall:.1%}, mutating precision {self.mutating_precision:.1%}"]
        lines += [f"  {flag}: F1 {self.f1(flag):.2f} (tp {c[0]}, fp {c[1]}, fn {c[2]})"
                  for flag, c in self.flag_counts.items()]
        return "\n".join(lines)


def evaluate(rows: list[Labelled]) -> Report:
    rep = Report()
    for row in rows:
        got = classify_tool(row.tool, row.server)
        rep.n += 1
        rep.under += effect_rank(got.primary) < effect_rank(row.primary)
        rep.exact += got.primary == row.primary
        if row.primary != "read_only":
            rep.mutating_labelled += 1
            rep.mutating_found += got.primary != "read_only"
        if got.primary != "read_only":
            rep.mutating_predicted += 1
            rep.mutating_correct += row.primary != "read_only"
        for flag in FLAGS:
            p, l = flag in got.flags, flag in row.flags
            if p and l:
                rep.flag_counts[flag][0] += 1
            elif p:
                rep.flag_counts[flag][1] += 1
            elif l:
                rep.flag_counts[flag][2] += 1
        if got.primary != row.primary or set(got.flags) != row.flags:
            rep.misses.append((row, got))
    return rep
