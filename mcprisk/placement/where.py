"""Where a server runs now: its hosting pattern, read from its transport and URL (the inventory's word wins)."""

from __future__ import annotations

from urllib.parse import urlsplit

from ..hosts import host_class

__all__ = ["current", "current_pattern"]


def current_pattern(transport: str, url: str | None, inventory_hosting: str | None = None) -> str | None:
    """The hosting pattern a server runs in, from its transport and URL (the inventory's word wins).

    stdio is ``local_stdio``. Over HTTP the host decides: a loopback address is local too (it has
    local_stdio's exposure, though it speaks HTTP); 0.0.0.0 / :: (every interface), private networks
    (10/8, 172.16/12, 192.168/16, 100.64/10, link-local, fc00::/7) and intranet names (single-label,
    .local, .internal, .lan, .corp, .home.arpa, .intranet, .private) are ``internal_http``; anything else
    is ``public_remote``. None when there is no URL to judge by.
    """
    return current(transport, url, inventory_hosting)[0]


def current(transport: str, url: str | None, hosting: str | None) -> tuple[str | None, str]:
    if hosting is not None:
        return hosting, f"declared in the inventory as {hosting}"
    if transport == "stdio":
        return "local_stdio", "stdio: the client starts the server as a local child process"
    if not url:
        return None, f"{transport} without a URL: where it runs is unknown"
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None, "the URL cannot be parsed: where it runs is unknown"
    where = host_class(host)
    if where is None:
        return None, "the URL names no host: where it runs is unknown"
    if where == "loopback":
        return "local_stdio", (f"{transport} on loopback ({host}): counted as local, with local_stdio's exposure, "
                               "although it speaks HTTP")
    if where == "any":
        return "internal_http", f"{transport} on {host}: it listens on every interface, so the network can reach it"
    if where == "private":
        return "internal_http", f"{transport} on {host}: a private-network address or intranet name"
    return "public_remote", f"{transport} on {host}: a public host name or address"
