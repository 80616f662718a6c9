"""The rate family (opt-in burst): N listings at once, looking for a 429."""

from __future__ import annotations

import functools
import time
from collections import Counter

import anyio

from .exchange import Probe, Reply

__all__ = ["MAX_BURST", "burst"]

MAX_BURST = 200
_BURST_WINDOW = 30.0  # seconds a burst may take at most, whatever N is
_BURST_CONCURRENCY = 8


async def burst(p: Probe) -> None:
    check = "rate.burst_limited"
    if p.burst <= 0:
        p.add(check, "skipped", "nothing", "burst probe not requested",
                 "Opt-in: pass burst=N (at most 200) to send N listing requests and look for a 429.")
        return
    if p.sse:
        p.add(check, "skipped", "nothing", "legacy HTTP+SSE transport",
                 "The burst probe speaks Streamable HTTP only.")
        return
    session = next((sid for sid, creds in p.sessions if creds or not p.creds), None)
    if p.era == "modern":
        what, send = "tools/list", functools.partial(p.rpc, "tools/list", era="modern", creds=True)
    elif p.era == "legacy" and session:
        await p.rpc("notifications/initialized", era="legacy", creds=True, session=session)
        what, send = "tools/list", functools.partial(p.rpc, "tools/list", era="legacy", creds=True,
                                                     session=session)
    else:  # no handshake was accepted: the burst still shows whether refusals get throttled
        what, send = "server/discover", functools.partial(p.rpc, "server/discover", era="modern", creds=True)

    statuses: list[int | None] = []
    limited: list[Reply] = []
    limiter = anyio.CapacityLimiter(_BURST_CONCURRENCY)
    started = time.monotonic()
    with anyio.move_on_after(min(_BURST_WINDOW, p.limits.total_timeout)):
        async with anyio.create_task_group() as tg:

            async def one() -> None:
                async with limiter:
                    reply = await send()
                    statuses.append(reply.status)
                    if reply.status == 429:
                        limited.append(reply)
                        tg.cancel_scope.cancel()

            for _ in range(p.burst):
                tg.start_soon(one)
    elapsed = time.monotonic() - started
    counts = ", ".join(f"{status or 'no answer'}×{n}" for status, n in
                       sorted(Counter(statuses).items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))
    sent = f"{p.burst} × POST {p.path} {what}, {p.creds_note}, {_BURST_CONCURRENCY} at a time"
    received = f"{len(statuses)} answered in {elapsed:.1f} s: {counts or 'none'}"
    if limited:
        p.add(check, "pass", sent, f"{received}; {limited[0].line('Retry-After')}",
                 "A burst of requests is throttled (429), which limits abuse and runaway agents.")
    elif any(s is not None and 200 <= s < 300 for s in statuses):
        p.add(check, "fail", sent, received,
                 f"No rate limit observed for {len(statuses)} requests in {elapsed:.1f} s; a runaway agent or "
                 "an attacker can flood this server.")
    else:
        p.add(check, "unknown", sent, received,
                 "No request of the burst was served, so a rate limit could not be observed.")
