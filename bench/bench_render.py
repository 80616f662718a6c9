"""Rendering a whole organisation's report, against assessing it: the 45-server / ~1,400-tool config shape of real
servers (tests/fleet.py, drawn from the labelled development corpus), no live servers.

Figures: every format rendered vs the assessment of the same snapshots (interleaved, median of the per-round
ratios), each format's share, and the sizes of the HTML and JSON reports.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bench import Figure, interleaved, median

from mcprisk.assessment import assess, clear_caches
from mcprisk.render import render_csv, render_html, render_json, render_markdown, render_sarif

TESTS = Path(__file__).resolve().parents[1] / "tests"
RENDERERS = {"html": render_html, "json": render_json, "md": render_markdown, "sarif": render_sarif,
             "csv": render_csv}


def _fleet():
    sys.path.insert(0, str(TESTS))
    try:
        from fleet import fleet
    finally:
        sys.path.remove(str(TESTS))
    return fleet()


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run(quick: bool) -> list[Figure]:
    snaps = _fleet()
    n_tools = sum(len(s.tools) for s in snaps)
    a = assess(snaps)
    per_format = {name: [] for name in RENDERERS}

    def render_all() -> float:
        total = 0.0
        for name, fn in RENDERERS.items():
            seconds = _timed(lambda fn=fn: fn(a))
            per_format[name].append(seconds)
            total += seconds
        return total

    def assess_cold() -> float:  # what a scan pays: nothing kept from an earlier assessment
        clear_caches()
        return _timed(lambda: assess(snaps))

    assessed, rendered = interleaved(2 if quick else 5, assess_cold, render_all)
    ratio = median([r / s for s, r in zip(assessed, rendered)])
    shape = f"{len(snaps)} servers, {n_tools:,} tools"
    figures = [Figure(f"render all formats vs assessing, {shape}", ratio, "x", target="<= 0.5x",
                      baseline="assess() of the same snapshots, interleaved",
                      note=f"render {median(rendered):.2f} s, assess {median(assessed):.2f} s; "
                           + ", ".join(f"{k} {median(v):.2f} s" for k, v in per_format.items()))]
    html_mb = len(render_html(a).encode("utf-8")) / 1e6
    json_mb = len(render_json(a).encode("utf-8")) / 1e6
    figures.append(Figure(f"HTML report size, {shape}", html_mb, "MB", target="<= 1.5 MB",
                          baseline="absolute (the issue's budget)"))
    figures.append(Figure(f"JSON report size, {shape}", json_mb, "MB", target="<= 2.0 MB",
                          baseline="absolute (the issue's budget)", note="format_version 4: repeats stored once, "
                                                                          "every description and evidence quote kept"))
    return figures
