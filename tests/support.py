"""Helpers shared by tests: the hostile-server zoo and fast limits."""

from __future__ import annotations

import sys
from pathlib import Path

from mcprisk import Limits, ServerSpec

TESTS = Path(__file__).resolve().parent
ZOO = TESTS / "zoo" / "hostile_stdio.py"

# Tight limits so every hostile case ends in a few seconds; the bound each test asserts derives from these.
FAST = Limits(connect_timeout=3.0, probe_timeout=1.5, request_timeout=2.0, total_timeout=8.0, shutdown_grace=0.5)


def zoo_spec(behaviour: str, *, modern: bool = False, env: dict[str, str] | None = None) -> ServerSpec:
    """A stdio spec for one behaviour of the hostile zoo server."""
    args = [str(ZOO), behaviour] + (["--modern"] if modern else [])
    return ServerSpec.stdio([sys.executable, *args], name=f"zoo-{behaviour}", env=env)


