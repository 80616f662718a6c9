"""The authentication family: are anonymous requests refused, and does the RFC 9728 metadata a 401 points
at exist, name an authorization server, and name this endpoint (fetched only where the SSRF guard allows)?"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from .addresses import METADATA_HOSTS, forbidden_address, origin_of, parse_ip, resolve_host, same_resource
from .exchange import Probe, Reply
from .results import Severity

__all__ = ["authentication", "metadata"]

_METADATA_CAP = 64 << 10


async def authentication(p: Probe) -> None:
    check = "auth.unauthenticated_rejected"
    sent = f"{p.opening_name()}, no credentials"
    r = p.unauth
    severity: Severity = "high" if p.loopback else "critical"
    if r.refused_for_auth:
        p.add(check, "pass", sent, r.line("WWW-Authenticate"),
                 "Requests without credentials are refused, so only authenticated clients reach the tools.",
                 severity)
    elif r.accepted:
        listing = await anonymous_listing(p)
        if listing is None:
            p.add(check, "fail", sent, r.line(),
                     "Anyone who can reach this endpoint opens a session without credentials.", severity)
        elif listing.refused_for_auth:
            p.add(check, "pass", sent + "; then tools/list", f"{r.line()}; tools/list {listing.line()}",
                     "The handshake answers anonymously but listing tools needs credentials.", severity)
        elif listing.accepted:
            p.add(check, "fail", sent + "; then tools/list", f"{r.line()}; tools/list {listing.line()}",
                     "Anyone who can reach this endpoint can list, and so call, its tools without credentials.",
                     severity)
        else:
            p.add(check, "fail", sent + "; then tools/list", f"{r.line()}; tools/list {listing.line()}",
                     "The handshake is accepted without credentials; listing gave no clear answer.", severity)
    else:
        p.add(check, "unknown", sent, r.line(),
                 "The handshake was neither accepted nor refused for lack of credentials, so authentication "
                 "could not be judged.", severity)


async def anonymous_listing(p: Probe) -> Reply | None:
    """tools/list without credentials on the connection an anonymous handshake opened (None for SSE)."""
    if p.sse:
        return None
    if p.era == "modern":
        return await p.rpc("tools/list", era="modern", creds=False)
    sid = p.unauth.headers.get("mcp-session-id")
    await p.rpc("notifications/initialized", era="legacy", creds=False, session=sid)
    return await p.rpc("tools/list", era="legacy", creds=False, session=sid)


async def metadata(p: Probe) -> None:
    """RFC 9728: the 401 challenge, the protected-resource metadata it leads to, and its ``resource``."""
    r = p.unauth
    sent = f"{p.opening_name()}, no credentials"
    if not r.refused_for_auth:
        why = "No 401 challenge to inspect: the endpoint does not ask for credentials."
        for check in ("auth.www_authenticate", "auth.resource_metadata", "auth.metadata_resource_matches"):
            p.add(check, "skipped", sent, r.line(), why)
        return
    challenge = r.headers.get("www-authenticate")
    header_url = _resource_metadata_param(challenge or "")
    if r.status != 401:
        p.add("auth.www_authenticate", "fail", sent, r.line("WWW-Authenticate"),
                 "A request without credentials gets 403, not 401 with a challenge, so clients cannot start "
                 "authorization.", "medium")
    elif challenge is None:
        p.add("auth.www_authenticate", "fail", sent, r.line(),
                 "A 401 without WWW-Authenticate leaves clients unable to discover how to authorize.", "medium")
    elif header_url is None:
        p.add("auth.www_authenticate", "fail", sent, r.line("WWW-Authenticate"),
                 "The challenge does not name resource_metadata, so clients must fall back to well-known URLs.")
    else:
        p.add("auth.www_authenticate", "pass", sent, r.line("WWW-Authenticate"),
                 "The 401 names its protected-resource metadata, so OAuth clients can discover how to authorize.")

    candidates: list[tuple[str, bool]] = []  # (url, named by the server)
    if header_url is not None:
        candidates.append((urljoin(p.url, header_url), True))
    path = urlsplit(p.url).path.rstrip("/")
    base = f"{p.scheme}://{urlsplit(p.url).netloc.rpartition('@')[2]}/.well-known/oauth-protected-resource"
    for url in (base + path, base) if path else (base,):
        if all(url != seen for seen, _ in candidates):
            candidates.append((url, False))

    tried: list[str] = []
    document: dict[str, Any] | None = None
    problem = ""
    for url, named in candidates:
        shown = show_url(p, url)
        refusal = await fetch_refusal(p, url)
        if refusal:
            if named:  # a server steering clients at internal addresses fails outright
                p.add("auth.resource_metadata", "fail", f"nothing: resource_metadata {shown} was not fetched",
                         f"{r.line('WWW-Authenticate')}; refused: {refusal}",
                         f"The 401 points clients at {refusal}; a client that follows it can be made to request "
                         "internal endpoints (SSRF), so mcprisk did not fetch it.", "high")
                p.add("auth.metadata_resource_matches", "unknown", "nothing", "no metadata document was read",
                         "No metadata document was read, so the resource it names is unknown.")
                return
            tried.append(f"{shown} refused: {refusal}")
            continue
        reply = await p.http("GET", url, {"Accept": "application/json"}, cap=_METADATA_CAP)
        tried.append(f"{shown} {reply.line('Location') if 300 <= (reply.status or 0) < 400 else reply.line()}")
        if reply.status != 200:
            continue
        try:
            parsed = json.loads(reply.body) if not reply.cut else None
        except (ValueError, RecursionError):
            parsed = None
        if not isinstance(parsed, dict):
            problem = "is not a JSON object" if not reply.cut else f"is larger than {_METADATA_CAP} bytes"
            continue
        document = parsed
        break
    sent = "GET " + " then ".join(show_url(p, u) for u, _ in candidates) + ", no credentials"
    received = "; ".join(tried)
    if document is None:
        p.add("auth.resource_metadata", "fail", sent, received + (f" (document {problem})" if problem else ""),
                 "MCP clients cannot discover where to obtain tokens: no RFC 9728 protected-resource metadata "
                 "was found.")
        p.add("auth.metadata_resource_matches", "unknown", "nothing", "no metadata document was read",
                 "No metadata document was read, so the resource it names is unknown.")
        return
    servers = document.get("authorization_servers")
    if isinstance(servers, list) and servers and all(isinstance(s, str) and s for s in servers):
        p.add("auth.resource_metadata", "pass", sent, f"{received}; authorization_servers: {', '.join(servers)}",
                 "RFC 9728 protected-resource metadata is published and names an authorization server, as MCP "
                 "requires.")
    else:
        p.add("auth.resource_metadata", "fail", sent, f"{received}; authorization_servers: {servers!r}",
                 "The protected-resource metadata names no authorization server, so clients cannot obtain tokens.")
    resource = document.get("resource")
    matches = isinstance(resource, str) and same_resource(resource, p.url)
    p.add("auth.metadata_resource_matches", "pass" if matches else "fail",
             f"compared the metadata's resource with {p.spec.url}", f"resource: {resource!r}",
             "The metadata names this endpoint as the resource, so tokens can be audience-bound to it."
             if matches else
             "The metadata names a different resource, so tokens issued for it may be accepted here without "
             "being meant for this endpoint (token passthrough risk).")


async def fetch_refusal(p: Probe, url: str) -> str | None:
    """Why a server-supplied URL must not be fetched (SSRF guard), or None when it may be."""
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return "a URL that cannot be parsed"
    if parts.scheme not in ("http", "https") or not host:
        return "a URL that is not http(s)"
    if host in METADATA_HOSTS:
        return f"a cloud metadata service ({host})"
    literal = parse_ip(host)
    if literal is not None and (why := forbidden_address(literal, target_private=p.private)):
        return why  # named before the origin rule: it is the worse of the two
    origin = origin_of(url)
    if origin != p.origin and origin not in p.allow:
        return f"another origin ({origin}); pass allow_origins to permit it"
    default = 443 if parts.scheme == "https" else 80
    addresses = await resolve_host(host, port or default, p.limits.connect_timeout)
    if not addresses:
        return f"a host that does not resolve ({host})"
    for address in addresses:
        if why := forbidden_address(address, target_private=p.private):
            return why
    return None


def show_url(p: Probe, url: str) -> str:
    """A same-origin URL as its path (short, and never the target's query); others in full."""
    try:
        if origin_of(url) == p.origin:
            return urlsplit(url).path or "/"
    except ValueError:
        pass
    return url


def _resource_metadata_param(challenge: str) -> str | None:
    m = re.search(r'(?i)\bresource_metadata\s*=\s*(?:"([^"]*)"|([^\s,]+))', challenge)
    return (m[1] if m[1] is not None else m[2]) if m else None
