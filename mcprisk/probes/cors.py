"""The CORS family: no grant to a foreign origin, on the preflight or on the request itself."""

from __future__ import annotations

from .exchange import Probe, Reply
from .origin import FOREIGN_ORIGIN

__all__ = ["cors"]


async def cors(p: Probe, post: Reply) -> None:
    """A preflight from a foreign origin, and the CORS headers on the foreign-Origin POST."""
    preflight = await p.http("OPTIONS", p.url, {
        "Origin": FOREIGN_ORIGIN, "Access-Control-Request-Method": "GET" if p.sse else "POST",
        "Access-Control-Request-Headers": "authorization, content-type, mcp-method, mcp-protocol-version"})
    headers = ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials")
    sent = f"OPTIONS {p.path} preflight, then {p.opening_name()}, both with Origin: {FOREIGN_ORIGIN}"
    received = f"preflight {preflight.line(*headers)}; request {post.line(*headers)}"
    grants = []
    for reply in (preflight, post):
        allowed = reply.headers.get("access-control-allow-origin", "").strip()
        if allowed in ("*", FOREIGN_ORIGIN):
            credentials = reply.headers.get("access-control-allow-credentials", "").strip().lower() == "true"
            grants.append((allowed, credentials))
    if preflight.status is None and post.status is None:
        p.add("cors.no_wildcard", "unknown", sent, received, "No answer, so CORS could not be judged.")
    elif grants:
        reflected = any(a == FOREIGN_ORIGIN for a, _ in grants)
        credentials = any(c for _, c in grants)
        what = "reflects any origin" if reflected else "allows every origin (*)"
        p.add("cors.no_wildcard", "fail", sent, received,
                 f"CORS {what}, so pages on other sites can call this endpoint and read its answers"
                 + (" with the user's credentials." if credentials else "."),
                 "high" if reflected and credentials else "medium")
    else:
        p.add("cors.no_wildcard", "pass", sent, received,
                 "No CORS grant to foreign origins, so pages on other sites cannot read this endpoint's answers.")
