"""Where a server runs now: its hosting pattern, read from its transport and URL (the inventory's word wins)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = ["current", "current_pattern", "host_class"]

_PRIVATE_NETS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "fc00::/7", "fe80::/10"))
_PRIVATE_SUFFIXES = (".local", ".internal", ".lan", ".corp", ".home.arpa", ".intranet", ".private")


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


def host_class(host: str) -> str | None:
    host = host.strip("[]").lower().rstrip(".")
    if not host:
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return "loopback"
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        if "." not in host or host.endswith(_PRIVATE_SUFFIXES):
            return "private"
        return "public"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:
        return "any"
    if any(ip in net for net in _PRIVATE_NETS):
        return "private"
    return "public"
