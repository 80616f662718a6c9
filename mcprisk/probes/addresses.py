"""Address rules: what is loopback, private or link-local, which server-supplied addresses must never be
fetched, and this machine's own interfaces."""

from __future__ import annotations

import ipaddress
import re
import socket
from pathlib import Path
from urllib.parse import urlsplit

import anyio

__all__ = ["METADATA_HOSTS", "METADATA_IPS", "IPAddress", "forbidden_address", "local_addresses", "origin_of",
           "parse_ip", "resolve_host", "same_resource"]

# Cloud instance-metadata endpoints (AWS/GCP/Azure, ECS, AWS IPv6, Alibaba): never fetched, whoever asks.
METADATA_IPS = {ipaddress.ip_address(a) for a in
                ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")}
METADATA_HOSTS = {"metadata.google.internal", "metadata.goog", "instance-data"}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


async def resolve_host(host: str, port: int, timeout: float) -> list[IPAddress]:
    """The addresses ``host`` resolves to ([] when it does not resolve in time)."""
    if (literal := parse_ip(host)) is not None:
        return [literal]
    try:
        with anyio.fail_after(timeout):
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError):
        return []
    return sorted({a for info in infos if (a := parse_ip(str(info[4][0]))) is not None}, key=lambda a: (a.version, a))


def origin_of(url: str) -> str:
    """``scheme://host:port`` with the default port spelled out, for comparing origins."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme, 0)
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def same_resource(a: str, b: str) -> bool:
    """RFC 9728 resource identifiers compared as clients do: origin and path, trailing slash ignored."""
    try:
        return origin_of(a) == origin_of(b) and urlsplit(a).path.rstrip("/") == urlsplit(b).path.rstrip("/")
    except ValueError:
        return False


def forbidden_address(address: IPAddress, *, target_private: bool) -> str | None:
    """Why a server-supplied URL resolving to ``address`` must not be fetched (SSRF), or None.

    Cloud metadata and link-local addresses never; private ones only when the endpoint is itself private.
    """
    if address in METADATA_IPS:
        return f"a cloud metadata address ({address})"
    if address.is_link_local:
        return f"a link-local address ({address})"
    if not address.is_global and not target_private:
        return f"a private address ({address}) while the endpoint itself is public"
    return None


def local_addresses() -> list[str]:
    """This machine's own non-loopback, non-link-local addresses, from its kernel tables and hostname.

    Only local addresses are ever listed: the binding check must never knock on another machine.
    """
    found: set[IPAddress] = set()
    try:  # Linux IPv4: every "/32 host LOCAL" leaf of the routing trie is an address of this host
        last = None
        for line in Path("/proc/net/fib_trie").read_text().splitlines():
            if m := re.search(r"[|+]-- (\d+\.\d+\.\d+\.\d+)$", line):
                last = m[1]
            elif "/32 host LOCAL" in line and last and (a := parse_ip(last)):
                found.add(a)
    except OSError:
        pass
    try:  # Linux IPv6
        for line in Path("/proc/net/if_inet6").read_text().splitlines():
            found.add(ipaddress.IPv6Address(int(line.split()[0], 16)))
    except (OSError, ValueError, IndexError):
        pass
    try:  # elsewhere (macOS, Windows) the hostname usually resolves to the LAN address
        for info in socket.getaddrinfo(socket.gethostname(), None, type=socket.SOCK_STREAM):
            if a := parse_ip(str(info[4][0])):
                found.add(a)
    except OSError:
        pass
    usable = [a for a in found if not (a.is_loopback or a.is_link_local or a.is_unspecified or a.is_multicast)]
    return [str(a) for a in sorted(usable, key=lambda a: (a.version, a))][:16]
