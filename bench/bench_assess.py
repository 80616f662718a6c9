"""Assessment, re-assessment and rendering at scale, on recorded real tools replicated (no live servers).

The corpus is the labelled development set (457 tools of real public servers), grouped 100 tools to a
server, so 10,000 tools means 100 servers assessed together as one agent context.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from bench import Figure, interleaved, median

from mcprisk.assessment import assess, reassess
from mcprisk.inventory import Inventory
from mcprisk.render import render_csv, render_html, render_json, render_markdown, render_sarif
from mcprisk.snapshot import Snapshot, item_from_wire
from mcprisk.specs import ServerSpec

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "data" / "labelled"
PER_SERVER = 100


def _corpus() -> list[dict]:
    rows = []
    for path in sorted(LABELLED.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            raw = {"name": r["name"], "description": r["description"], "inputSchema": r["input_schema"] or {}}
            if r.get("annotations"):
                raw["annotations"] = r["annotations"]
            rows.append(raw)
    # A fixed shuffle, so every size draws the same mix of domains (the files are sorted by server, and
    # a first 100 tools from one domain would not cost what the average tool costs).
    random.Random(20261129).shuffle(rows)
    return rows


def snapshots(n_tools: int) -> list[Snapshot]:
    """``n_tools`` real tool definitions spread over servers of PER_SERVER tools (names made unique)."""
    corpus = _corpus()
    snaps = []
    for s in range(max(1, n_tools // PER_SERVER)):
        count = min(PER_SERVER, n_tools - s * PER_SERVER)
        tools = tuple(item_from_wire("tools", {**corpus[(s * PER_SERVER + i) % len(corpus)],
                                               "name": f"{corpus[(s * PER_SERVER + i) % len(corpus)]['name']}_{i}"},
                                     max_text_chars=8192) for i in range(count))
        snaps.append(Snapshot(server=ServerSpec.stdio(["srv"], name=f"server-{s:03d}"), status="complete",
                              tools=tools))
    return snaps


def _timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def run(quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    reps = 1 if quick else 3

    # Throughput: seconds per tool at 100 / 1,000 / 10,000 tools.
    sizes = (100, 1000) if quick else (100, 1000, 10000)
    per_tool: dict[int, float] = {}
    for n in sizes:
        snaps = snapshots(n)
        times = [_timed(lambda: assess(snaps))[0] for _ in range(reps)]
        per_tool[n] = median(times) / n
        figures.append(Figure(f"assess {n:,} tools: time per tool", per_tool[n] * 1000, "ms",
                              note=f"total {median(times):.2f} s; {len(snaps)} server(s)"))
    largest, smallest = max(per_tool), min(per_tool)
    figures.append(Figure(f"assess: per-tool cost {largest:,} vs {smallest:,} tools", per_tool[largest] / per_tool[smallest],
                          "x", target="<= 1.5x", baseline=f"per-tool time at {smallest} tools, same run"))

    # Re-assessment after one declared control, against a full assessment of the same 200-tool set.
    snaps = snapshots(200)
    full = assess(snaps, inventory=Inventory.empty())
    changed = Inventory.empty().with_control(snaps[0].name, "audit_logs", "in_place")
    rounds = interleaved(3 if quick else 9, lambda: _timed(lambda: assess(snaps, inventory=changed))[0],
                         lambda: _timed(lambda: reassess(full, inventory=changed))[0])
    ratio = median([r / f for f, r in zip(rounds[0], rounds[1])])
    figures.append(Figure("re-assess 200 tools after one control vs full assess", ratio, "x", target="<= 0.2x",
                          baseline="full assessment with the same inventory, interleaved",
                          note=f"full {median(rounds[0]) * 1000:.0f} ms, re-assess {median(rounds[1]) * 1000:.0f} ms"))

    # Rendering every format for a 1,000-tool assessment, against assessing it.
    snaps = snapshots(1000)
    a_time, a = _timed(lambda: assess(snaps))

    def render_all() -> None:
        render_json(a), render_markdown(a), render_html(a), render_sarif(a), render_csv(a)

    render_times = [_timed(render_all)[0] for _ in range(reps)]
    assess_times = [a_time] + [_timed(lambda: assess(snaps))[0] for _ in range(reps - 1)]
    figures.append(Figure("render all formats, 1,000 tools vs assessing them", median(render_times) / median(assess_times),
                          "x", target="<= 0.5x", baseline="assess() of the same snapshots",
                          note=f"render {median(render_times):.2f} s, assess {median(assess_times):.2f} s"))
    return figures
