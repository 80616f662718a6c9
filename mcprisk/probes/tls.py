"""The TLS family: is the endpoint on https (or loopback), and does its certificate verify on a modern version?"""

from __future__ import annotations

import ssl

import anyio
from anyio.streams.tls import TLSAttribute

from .exchange import Probe, describe_error

__all__ = ["certificate", "https"]


def https(p: Probe) -> None:
    sent = f"nothing: the URL scheme is {p.scheme}"
    if p.scheme == "https":
        p.add("tls.https", "pass", sent, "https", "Traffic to this endpoint is encrypted in transit.")
    elif p.loopback:
        p.add("tls.https", "skipped", sent, f"{p.host} is a loopback address",
                 "Loopback traffic never leaves this machine, so plain HTTP is acceptable here.")
    else:
        p.add("tls.https", "fail", sent, f"{p.host} is not a loopback address",
                 "Requests, credentials and tool results cross the network unencrypted (plain HTTP).")


async def certificate(p: Probe) -> None:
    check = "tls.certificate"
    if p.scheme != "https":
        p.add(check, "skipped", "nothing", "plain HTTP", "Plain HTTP: there is no certificate to check.")
        return
    sent = f"TLS handshake with {p.host}:{p.port}, certificate verification on"
    try:
        with anyio.fail_after(p.limits.connect_timeout):
            stream = await anyio.connect_tcp(p.host, p.port, tls=True, ssl_context=p.ssl_context,
                                             tls_hostname=p.host)
    except ssl.SSLCertVerificationError as exc:
        p.add(check, "fail", sent, f"verification failed: {exc.verify_message or exc.reason}",
                 "The certificate does not verify, so clients would have to turn verification off, which "
                 "invites interception. mcprisk sends nothing over unverified TLS.")
        return
    except (ssl.SSLError, OSError, TimeoutError) as exc:
        p.add(check, "fail" if isinstance(exc, ssl.SSLError) else "unknown", sent,
                 "handshake failed: " + (f"no TLS handshake within {p.limits.connect_timeout:g} s"
                                         if isinstance(exc, TimeoutError) else describe_error(exc, p.limits)),
                 "No verified TLS connection could be made, so nothing was sent over it.")
        return
    async with stream:
        ssl_object = stream.extra(TLSAttribute.ssl_object)
        version = ssl_object.version() or "?"
        cert = ssl_object.getpeercert() or {}
    expires = cert.get("notAfter", "?")
    if version in ("SSLv3", "TLSv1", "TLSv1.1"):
        p.add(check, "fail", sent, f"{version}; certificate valid until {expires}",
                 f"The certificate verifies but the connection uses {version}, which is obsolete and weak.",
                 "medium")
    else:
        p.add(check, "pass", sent, f"{version}; certificate verified, valid until {expires}",
                 f"The certificate verifies against the trust store and the connection uses {version}.")
