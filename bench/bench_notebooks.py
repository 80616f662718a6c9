"""The workbook under nbval: the whole strict run of every notebook, as CI runs it (target: under 90 s)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench import Figure, median

ROOT = Path(__file__).resolve().parents[1]


def _nbval_run() -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "notebooks", "-q", "-p", "no:cacheprovider"],
                          cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError("nbval failed:\n" + proc.stdout[-2000:])
    return elapsed, proc.stdout.strip().splitlines()[-1]


def run(quick: bool) -> list[Figure]:
    runs = [_nbval_run() for _ in range(1 if quick else 3)]
    seconds = median([r[0] for r in runs])
    notebooks = len(list((ROOT / "notebooks").glob("[0-9]*.ipynb")))
    return [Figure(f"nbval strict run of all {notebooks} notebooks", seconds, "s", target="< 90 s",
                   baseline="absolute (the issue's budget on this 2-core machine)",
                   note=f"{len(runs)} run(s); last: {runs[-1][1]}")]
