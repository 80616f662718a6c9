"""Reports do not depend on the process: the same inputs under different hash seeds give the same bytes.

A run in one process, twice and in one order, cannot show a set or dict ordering that follows string
hashes; separate interpreters with different PYTHONHASHSEED values can.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from determinism_run import CORPUS_DEV, CORPUS_SERVERS

pytestmark = pytest.mark.slow  # three fresh interpreters assess and render

RUN = Path(__file__).resolve().parent / "determinism_run.py"
SEEDS = ("0", "1", "2718281828")
REPORTS = ("report.json", "report.sarif", "report.md", "report.html")


def test_reports_are_byte_identical_across_hash_seeds(tmp_path):
    """JSON, SARIF, Markdown and HTML reports of the demo and six corpus servers match byte for byte across seeds."""
    assert all((CORPUS_DEV / f"{name}.snapshot.json").is_file() for name in CORPUS_SERVERS)
    runs = {}
    for seed in SEEDS:  # started together: they share nothing but the checkout
        env = {**os.environ, "PYTHONHASHSEED": seed}
        runs[seed] = subprocess.Popen([sys.executable, str(RUN), str(tmp_path / seed)], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for seed, proc in runs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"PYTHONHASHSEED={seed}: {err[-2000:]}"
    first = tmp_path / SEEDS[0]
    for name in REPORTS:
        expected = (first / name).read_bytes()
        assert len(expected) > 10_000, name  # a real report, not an empty file
        for seed in SEEDS[1:]:
            assert (tmp_path / seed / name).read_bytes() == expected, f"{name} differs under PYTHONHASHSEED={seed}"
