"""Assessment and re-assessment at scale, on recorded real tools replicated (no live servers).

The corpus is the labelled development set (457 tools of real public servers), grouped 100 tools to a
server, so 10,000 tools means 100 servers assessed together as one agent context.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from bench import Figure, interleaved, median

from mcprisk.assessment import assess, clear_caches, reassess
from mcprisk.inventory import Inventory
from mcprisk.snapshot import Snapshot, item_from_wire
from mcprisk.specs import ServerSpec

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "data" / "labelled"
PER_SERVER = 100
CPU = time.process_time  # the throughput rows' clock (see run)


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


def snapshots(n_tools: int, variant: int | None = None, start: int = 0) -> list[Snapshot]:
    """``n_tools`` real tool definitions spread over servers of PER_SERVER tools (names made unique), drawn from the
    corpus cycle from position ``start`` on.

    With ``variant``, every definition is also made distinct from every other one and from other variants
    (its description gains a short revision tag), so no cache keyed by a definition's fingerprint can serve
    it: what a first scan of that many different tools costs."""
    corpus = _corpus()
    snaps = []
    for s in range(max(1, n_tools // PER_SERVER)):
        count = min(PER_SERVER, n_tools - s * PER_SERVER)
        tools = []
        for i in range(count):
            raw = dict(corpus[(start + s * PER_SERVER + i) % len(corpus)])
            raw["name"] = f"{raw['name']}_{i}"
            if variant is not None:
                raw["description"] = f"{raw.get('description') or ''} (rev {variant}.{s}.{i})"
            tools.append(item_from_wire("tools", raw, max_text_chars=8192))
        snaps.append(Snapshot(server=ServerSpec.stdio(["srv"], name=f"server-{s:03d}"), status="complete",
                              tools=tuple(tools)))
    return snaps


def _timed(fn, clock=time.perf_counter):
    t0 = clock()
    result = fn()
    return clock() - t0, result


def same_mix(n_tools: int) -> int:
    """How many assessments of ``n_tools`` consecutive corpus tools cover the whole corpus cycle at least once: a size
    smaller than the corpus is measured over that many slices (starts 0, n, 2n, ...), so every size costs the corpus's
    average tool (the first 100 tools alone were the cheapest slice: 1.36 ms per tool vs 1.51-1.85 for the others)."""
    return max(1, -(-len(_corpus()) // n_tools))


def _cold(snaps, clock=time.perf_counter, **kw) -> float:
    """Seconds of one assessment with no classification kept from an earlier one."""
    clear_caches()
    return _timed(lambda: assess(snaps, **kw), clock)[0]


def run(quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    reps = 1 if quick else 3

    # Throughput on distinct definitions: seconds per tool at 100 / 1,000 / 10,000 tools, a fresh variant
    # (so nothing cached from an earlier round) every repetition. The sizes are interleaved round by round, so the
    # linearity ratio compares runs made side by side. Every size draws the same mix of tools: a size smaller than
    # the corpus (457 tools) is assessed as consecutive slices covering it (``same_mix``) and costs their total time
    # over their total tools, so the small size is not one slice cheaper or dearer than the corpus's average. Timed in
    # CPU seconds of this process: assess() is single-threaded and CPU-bound, so on an idle machine that is its wall
    # time, and on a shared one it leaves out the time spent descheduled (wall rounds there spread 0.8-1.7x).
    sizes = (100, 1000) if quick else (100, 1000, 10000)
    _cold(snapshots(100, variant=-1))  # load the catalog and lexicon, compile the patterns: not per-tool costs
    rounds: dict[int, list[float]] = {n: [] for n in sizes}
    for r in range(reps):
        for n in sizes:
            slices = same_mix(n)
            rounds[n].append(sum(_cold(snapshots(n, variant=r * 10 + k, start=k * n), CPU) for k in range(slices))
                             / (n * slices))
    for n in sizes:
        figures.append(Figure(f"assess {n:,} distinct tools: time per tool", median(rounds[n]) * 1000, "ms",
                              target="<= 0.15 ms" if n == max(sizes) else None,
                              note=f"CPU time; total {median(rounds[n]) * n:.2f} s; {max(1, n // PER_SERVER)} server(s); "
                                   "every definition distinct (names and descriptions varied)"))
    largest, smallest = max(sizes), min(sizes)
    ratios = [big / small for big, small in zip(rounds[largest], rounds[smallest])]
    figures.append(Figure(f"assess: per-tool cost {largest:,} vs {smallest:,} tools", median(ratios),
                          "x", target="<= 1.2x", baseline=f"per-tool time at {smallest} tools, same round",
                          note="rounds " + ", ".join(f"{x:.2f}" for x in ratios)))

    # Cache-served: the same definitions assessed again (re-assessment of a config, the same server listed
    # in several configs): the classification of each definition is reused.
    n = max(sizes)
    snaps = snapshots(n, variant=reps * 10)  # a variant no round used
    cold = _cold(snaps)
    warm = [_timed(lambda: assess(snaps))[0] for _ in range(reps)]
    figures.append(Figure(f"assess {n:,} tools again (definitions cache-served): time per tool", median(warm) / n * 1000,
                          "ms", baseline="the same assess() with nothing cached",
                          note=f"cache-served {median(warm):.2f} s vs cold {cold:.2f} s ({median(warm) / cold:.2f}x)"))

    # Re-assessment after one declared control, against a full (cold) assessment of the same 200-tool set.
    snaps = snapshots(200)
    full = assess(snaps, inventory=Inventory.empty())
    changed = Inventory.empty().with_control(snaps[0].name, "audit_logs", "in_place")
    rounds = interleaved(3 if quick else 9, lambda: _cold(snaps, inventory=changed),
                         lambda: _timed(lambda: reassess(full, inventory=changed))[0])
    ratio = median([r / f for f, r in zip(rounds[0], rounds[1])])
    figures.append(Figure("re-assess 200 tools after one control vs full assess", ratio, "x", target="<= 0.2x",
                          baseline="full assessment with the same inventory (nothing cached), interleaved",
                          note=f"full {median(rounds[0]) * 1000:.0f} ms, re-assess {median(rounds[1]) * 1000:.0f} ms"))
    return figures
