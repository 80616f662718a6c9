"""Benchmarks that compare mcprisk against a baseline measured side by side in the same run.

``python -m bench`` runs every ``bench/bench_*.py`` module; each exposes ``run(quick: bool) ->
list[Figure]``. This module holds the ``Figure`` record and the small measuring helpers the
modules share (medians, interleaving, memory, the machine description). See bench/README.md.
"""

from __future__ import annotations

import contextlib
import os
import platform
import random
import re
import resource
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["REPO", "ZOO", "Figure", "children_cpu", "interleaved", "machine", "maxrss_bytes", "median",
           "median_ci", "reset_peak_rss", "rss_bytes", "spread", "verdict_for", "zoo_http", "zoo_spec"]

REPO = Path(__file__).resolve().parent.parent
ZOO = REPO / "tests" / "zoo" / "hostile_stdio.py"

VERDICTS = ("met", "missed", "info", "error")
_TARGET = re.compile(r"^\s*(<=|>=|<|>|==)\s*([0-9]*\.?[0-9]+)")


def verdict_for(value: float | None, target: str | None) -> str:
    """``met``/``missed`` for a target such as ``"<= 1.10x"`` (leading comparison and number); else ``info``."""
    if value is None or not target:
        return "info"
    m = _TARGET.match(target)
    if m is None:
        return "info"
    op, bound = m.group(1), float(m.group(2))
    ok = {"<=": value <= bound, "<": value < bound, ">=": value >= bound, ">": value > bound,
          "==": value == bound}[op]
    return "met" if ok else "missed"


@dataclass(frozen=True)
class Figure:
    """One measured figure of a benchmark.

    ``target`` is a comparison against ``value`` in ``unit`` (``"<= 1.10x"``); when it is given and
    ``verdict`` is not, the verdict is computed from it. Figures without a target are ``info``.
    ``baseline`` says what the value is compared with; ``note`` carries the raw numbers behind it.
    """

    name: str
    value: float | None
    unit: str = ""
    target: str | None = None
    baseline: str = ""
    verdict: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if not self.verdict:
            object.__setattr__(self, "verdict", verdict_for(self.value, self.target))
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {self.verdict!r}")

    @property
    def shown(self) -> str:
        """The value with its unit, rounded for a table."""
        if self.value is None:
            return "—"
        v = self.value
        text = f"{v:.2f}" if abs(v) < 100 else f"{v:.0f}"
        return f"{text}{self.unit}" if self.unit in ("x", "%") else f"{text} {self.unit}".rstrip()


# --------------------------------------------------------------------------------------------
# Measuring helpers


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def median_ci(values: Sequence[float], level: float = 0.90, rounds: int = 2000) -> tuple[float, float]:
    """Bootstrap confidence interval of the median (fixed seed, so a rerun on the same data agrees)."""
    rng = random.Random(0)
    n = len(values)
    meds = sorted(statistics.median(rng.choices(values, k=n)) for _ in range(rounds))
    lo = meds[int(rounds * (1 - level) / 2)]
    hi = meds[min(rounds - 1, int(rounds * (1 + level) / 2))]
    return lo, hi


def spread(values: Sequence[float]) -> str:
    """``min–max`` of the values, for the note beside a median."""
    return f"{min(values):.3g}–{max(values):.3g}"


def interleaved(n: int, *runners: Callable[[], Any]) -> list[list[Any]]:
    """Call each runner ``n`` times, alternating their order every round (ABBA...) so drift cancels."""
    out: list[list[Any]] = [[] for _ in runners]
    order = list(range(len(runners)))
    for _ in range(n):
        for i in order:
            out[i].append(runners[i]())
        order.reverse()
    return out


def rss_bytes() -> int:
    """This process's current resident set size (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def reset_peak_rss() -> bool:
    """Reset this process's peak RSS to its current RSS (Linux clear_refs); False where that is not possible.

    Without it a fresh subprocess's ``ru_maxrss`` can include the parent's pages it was forked from.
    """
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def maxrss_bytes() -> int:
    """This process's peak resident set size since start or the last ``reset_peak_rss``.

    Linux VmHWM (what ``ru_maxrss`` reports, but honouring the reset); ``ru_maxrss`` elsewhere.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def children_cpu() -> float:
    """CPU seconds (user + system) of all reaped child processes so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def zoo_spec(behaviour: str, *, modern: bool = False):
    """A stdio spec for one behaviour of the hostile zoo server (tests/zoo/hostile_stdio.py)."""
    from mcprisk import ServerSpec

    args = [str(ZOO), behaviour] + (["--modern"] if modern else [])
    return ServerSpec.stdio([sys.executable, *args], name=f"zoo-{behaviour}{'-modern' if modern else ''}")


def zoo_http(behaviour: str, *, lifetime: float = 600.0) -> contextlib.AbstractContextManager[str]:
    """One behaviour of the hostile HTTP zoo server (tests/zoo/hostile_http.py) on loopback; yields its URL.

    The tests' own helper, so the bench and the tests start the zoo the same way."""
    if str(REPO / "tests") not in sys.path:
        sys.path.insert(0, str(REPO / "tests"))
    from support import zoo_http as start

    return start(behaviour, lifetime=lifetime)


def machine() -> dict[str, str]:
    """What the run ran on, without hostname or user paths."""
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        affinity = os.cpu_count() or 0
    mem = "unknown"
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                    break
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        from importlib.metadata import version

        sdk = version("mcp")
    except Exception:  # noqa: BLE001 - informational only
        sdk = "unknown"
    return {
        "cores": f"{affinity} usable ({os.cpu_count()} online)",
        "cpu": cpu,
        "memory": mem,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "mcp SDK": sdk,
    }
