"""The session family: legacy session ids must look random, and an id alone must not stand in for credentials."""

from __future__ import annotations

import os

from .exchange import Probe
from .results import Outcome

__all__ = ["sessions_issued"]

_SESSION_SAMPLES = 3


def _weak_session_ids(ids: list[str]) -> str | None:
    """Why these session ids look guessable, or None when they look random."""
    for sid in ids:
        if len(sid) < 16:
            return f"short ({len(sid)} characters; at least 16 expected)"
        if not all(0x21 <= ord(c) <= 0x7E for c in sid):
            return "not visible ASCII (0x21-0x7E), as the spec requires"
        if len(set(sid)) < 8:
            return f"low in variety ({len(set(sid))} distinct characters)"
    if len(set(ids)) < len(ids):
        return "reused: separate handshakes were given the same id"
    if len(ids) >= 2:
        prefix = os.path.commonprefix(ids)
        suffix = os.path.commonprefix([s[::-1] for s in ids])
        varying = min(len(s) for s in ids) - len(prefix) - len(suffix)
        if varying < 8:
            return f"predictable: ids from consecutive handshakes differ in only {max(varying, 0)} characters"
    return None


async def sessions_issued(p: Probe) -> None:
    """Legacy sessions: ids must look random, and an id alone must not stand in for credentials."""
    if p.sse:
        for check in ("session.id_entropy", "session.bound_to_credentials"):
            p.add(check, "skipped", "nothing", "legacy HTTP+SSE transport",
                     "The SSE transport carries its session in the message URL; these checks apply to "
                     "Streamable HTTP.")
        return
    # Dual-era servers still hand legacy clients a session: look at what initialize gives them.
    last = None
    for _ in range(_SESSION_SAMPLES):
        if len(p.session_ids) >= _SESSION_SAMPLES:
            break
        last = await p.rpc("initialize", era="legacy", creds=True)
        if not last.accepted or not last.headers.get("mcp-session-id"):
            break
    sent = f"POST {p.path} initialize (legacy handshake) up to {_SESSION_SAMPLES} times, {p.creds_note}"
    ids = list(p.session_ids)
    if not ids:
        if last is not None and last.accepted:
            why = "The server issues no Mcp-Session-Id (stateless), so there is no session id to guess."
        elif last is not None and last.refused_for_auth:
            why = ""
        else:
            why = "The server does not accept the legacy initialize handshake, so it issues no session ids."
        outcome: Outcome = "unknown" if not why else "skipped"
        p.add("session.id_entropy", outcome, sent, last.line() if last else "not sent",
                 why or "initialize needs credentials mcprisk does not have, so no session id was seen.")
    else:
        weak = _weak_session_ids(ids)
        received = f"{len(ids)} Mcp-Session-Id value(s) of length {', '.join(str(len(i)) for i in ids)}"
        p.add("session.id_entropy", "fail" if weak else "pass", sent, received,
                 f"Session ids are {weak}; a guessed id could let an attacker hijack a session." if weak else
                 "Session ids look random (long, visible ASCII, no pattern shared across handshakes).")

    check = "session.bound_to_credentials"
    opened = [sid for sid, creds in p.sessions if creds]
    if not (p.creds and p.unauth.refused_for_auth):
        p.add(check, "skipped", "nothing", "the endpoint needs no credentials" if p.unauth.ok
                 else "the spec carries no credentials",
                 "Applies when credentials are required and mcprisk has them.")
    elif not opened:
        p.add(check, "skipped", "nothing", "no session was opened",
                 "The server issued no session, so there is no session id that could stand in for credentials.")
    else:
        sid = opened[0]
        await p.rpc("notifications/initialized", era="legacy", creds=True, session=sid)
        reply = await p.rpc("tools/list", era="legacy", creds=False, session=sid)
        sent = f"POST {p.path} tools/list with a session opened with credentials, but no credentials"
        if reply.refused_for_auth:
            p.add(check, "pass", sent, reply.line(),
                     "A session id alone does not grant access; every request still needs credentials.")
        elif reply.accepted:
            p.add(check, "fail", sent, reply.line(),
                     "A session id alone grants access without credentials, so a leaked id acts as a bearer "
                     "token.")
        else:
            p.add(check, "unknown", sent, reply.line(), "The listing got no clear answer either way.")
