"""What kind of host a URL names: loopback, every interface, a private network or intranet name, or public.

One definition for everything that asks where a server is reached (the placement's current pattern, launch
hygiene's plain-HTTP rule). Probes ask a different question — which addresses a probe may never fetch from —
and answer it in ``mcprisk.probes.addresses`` (stricter: anything not globally routable).
"""

from __future__ import annotations

import ipaddress

__all__ = ["PRIVATE_NETS", "PRIVATE_SUFFIXES", "host_class"]

PRIVATE_NETS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "fc00::/7", "fe80::/10"))
PRIVATE_SUFFIXES = (".local", ".internal", ".lan", ".corp", ".home.arpa", ".intranet", ".private")


def host_class(host: str) -> str | None:
    """loopback | any (every interface) | private (private network or intranet name) | public; None: no host."""
    host = host.strip("[]").lower().rstrip(".")
    if not host:
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return "loopback"
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        if "." not in host or host.endswith(PRIVATE_SUFFIXES):
            return "private"
        return "public"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:
        return "any"
    if any(ip in net for net in PRIVATE_NETS):
        return "private"
    return "public"
