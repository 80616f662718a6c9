"""HTTP posture probes: what an MCP endpoint actually enforces (authentication, Origin and Host checks, TLS,
loopback binding, CORS, session ids, rate limits), observed with handshakes and listings only.

``exchange`` sends every request (bounded in count, time and bytes); ``addresses`` holds the address rules
(loopback, private, metadata, this machine's interfaces); one module per check family (``auth``, ``origin``,
``cors``, ``tls``, ``sessions``, ``rate``); ``results`` the Check and Posture types; ``run`` the entry points.
"""

from __future__ import annotations

from .rate import MAX_BURST
from .results import CHECKS, Check, Posture
from .run import probe, probe_async

__all__ = ["CHECKS", "MAX_BURST", "Check", "Posture", "probe", "probe_async"]
