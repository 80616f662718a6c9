"""What the content rules cost: assessing real tools with and without them, per tool, and at two sizes.

Same corpus as ``bench_assess`` (the labelled dev set's real tool definitions, 100 tools to a server). The
baseline is the same ``assess()`` with the content rules taken out of the registry, interleaved with the
candidate (ABBA), so the difference is what the content rules add.
"""

from __future__ import annotations

import time
from unittest import mock

from bench import Figure, interleaved, median
from bench.bench_assess import snapshots

from mcprisk import assessment
from mcprisk.rules import FINDING_RULES
from mcprisk.rules.content import CONTENT_RULES

WITHOUT = tuple(r for r in FINDING_RULES if r not in CONTENT_RULES)


def _assess(snaps, rules) -> float:
    assessment.clear_caches()
    with mock.patch.object(assessment, "FINDING_RULES", rules):
        t0 = time.perf_counter()
        assessment.assess(snaps)
        return time.perf_counter() - t0


def _added_ms_per_tool(n_tools: int, rounds: int) -> tuple[float, list[float], list[float]]:
    snaps = snapshots(n_tools)
    with_rules, without = interleaved(rounds, lambda: _assess(snaps, FINDING_RULES), lambda: _assess(snaps, WITHOUT))
    added = [(a - b) * 1000 / n_tools for a, b in zip(with_rules, without)]
    return median(added), with_rules, without


def run(quick: bool) -> list[Figure]:
    rounds = 2 if quick else 4
    small, w1, b1 = _added_ms_per_tool(500, rounds)
    large, w5, b5 = _added_ms_per_tool(2000, rounds)
    return [
        Figure("content rules, added cost per tool (500 tools, 5 servers)", small, "ms", target="<= 0.2 ms",
               baseline="assess() without the content rules, interleaved",
               note=f"with {median(w1):.2f} s, without {median(b1):.2f} s"),
        Figure("content rules, added cost per tool (2,000 tools, 20 servers)", large, "ms", target="<= 0.2 ms",
               baseline="assess() without the content rules, interleaved",
               note=f"with {median(w5):.2f} s, without {median(b5):.2f} s; linear when close to the 500-tool figure"),
    ]
