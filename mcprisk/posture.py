"""HTTP posture probes: what an MCP endpoint actually enforces (authentication, Origin and Host checks, TLS,
loopback binding, CORS, session ids, rate limits), observed with handshakes and listings only."""

from __future__ import annotations

import functools
import html
import ipaddress
import itertools
import json
import os
import re
import socket
import ssl
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import anyio
import anyio.to_thread
import httpx2
from anyio.streams.tls import TLSAttribute

from . import __version__
from ._errors import SnapshotError, SpecError
from ._text import clip, json_text_safe, terminal_safe
from ._httpguard import GuardedTransport
from ._scrub import Scrubber, scrubbed_logs
from .introspection import Limits, _Launch, _run_sync
from .specs import ServerSpec

__all__ = ["CHECKS", "MAX_BURST", "Check", "Posture", "probe", "probe_async"]

Outcome = Literal["pass", "fail", "unknown", "skipped"]
Severity = Literal["low", "medium", "high", "critical"]
OUTCOMES: tuple[str, ...] = ("pass", "fail", "unknown", "skipped")
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")

FORMAT = "mcprisk.posture"
FORMAT_VERSION = 1

# Every check: the DESIGN.md control it informs (None: evidence only, it cannot verify a control on its
# own) and how bad a failure is. Order is the order of the report.
CHECKS: dict[str, tuple[str | None, Severity]] = {
    "auth.unauthenticated_rejected": ("authn_authz", "critical"),
    "auth.www_authenticate": (None, "low"),
    "auth.resource_metadata": (None, "medium"),
    "auth.metadata_resource_matches": (None, "medium"),
    "origin.foreign_rejected": ("origin_validation", "high"),
    "host.foreign_rejected": ("origin_validation", "high"),
    "cors.no_wildcard": (None, "medium"),
    "tls.https": ("https", "high"),
    "tls.certificate": ("https", "high"),
    "bind.loopback_only": ("localhost_binding", "high"),
    "session.id_entropy": (None, "high"),
    "session.bound_to_credentials": ("authn_authz", "high"),
    "rate.burst_limited": ("rate_limits", "medium"),
}

MAX_BURST = 200
_BURST_WINDOW = 30.0  # seconds a burst may take at most, whatever N is
_BURST_CONCURRENCY = 8
_MAX_REQUESTS = 48  # every probe but the burst together; a ceiling no code path can lift
_SESSION_SAMPLES = 3

_MODERN, _LEGACY = "2026-07-28", "2025-11-25"  # the revision each era's handshake speaks
_FOREIGN_ORIGIN = "http://evil.example"
_FOREIGN_HOST = "evil.example"
_ACCEPT = "application/json, text/event-stream"
# Only handshakes and listings: the probes must never make a server *do* anything.
_ALLOWED_RPC = frozenset({"server/discover", "initialize", "notifications/initialized", "tools/list"})

_BODY_CAP = 1 << 20  # bytes read from one answer: enough to see whether a JSON-RPC result came back
_METADATA_CAP = 64 << 10
_KNOCK_TIMEOUT = 2.0

# Cloud instance-metadata endpoints (AWS/GCP/Azure, ECS, AWS IPv6, Alibaba): never fetched, whoever asks.
_METADATA_IPS = {ipaddress.ip_address(a) for a in
                 ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")}
_METADATA_HOSTS = {"metadata.google.internal", "metadata.goog", "instance-data"}

_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[\x20-\x7e\t]*")

_STDIO_MEANING = "stdio servers have no network surface; the probes apply to HTTP endpoints"
_UNREACHED = "not run: the endpoint could not be reached"


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Check:
    """One observation about an endpoint: what was sent, what came back, and what it means."""

    id: str  # stable, e.g. "origin.foreign_rejected"
    control: str | None  # the DESIGN.md control it informs, or None
    outcome: Outcome
    sent: str  # one line: what was sent (header names only, never values)
    received: str  # one line: status and the headers that matter (secrets scrubbed)
    meaning: str  # one sentence for an architect
    severity_if_failed: Severity

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"check {self.id}: outcome must be one of {', '.join(OUTCOMES)}; got {self.outcome!r}")
        if self.severity_if_failed not in SEVERITIES:
            raise ValueError(f"check {self.id}: severity must be one of {', '.join(SEVERITIES)}")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "control": self.control, "outcome": self.outcome, "sent": self.sent,
                "received": self.received, "meaning": self.meaning, "severity_if_failed": self.severity_if_failed}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Check":
        return cls(id=str(d["id"]), control=d.get("control"), outcome=d["outcome"], sent=str(d.get("sent", "")),
                   received=str(d.get("received", "")), meaning=str(d.get("meaning", "")),
                   severity_if_failed=d["severity_if_failed"])


@dataclass(frozen=True)
class Posture:
    """What one endpoint enforces, check by check. ``error`` says why it could not be reached, if so."""

    name: str
    url: str | None  # display form (redacted); None for stdio
    transport: str
    checks: tuple[Check, ...] = ()
    error: str | None = None

    def __post_init__(self) -> None:
        # Sorted once here, so equal observations give equal objects and byte-identical JSON.
        object.__setattr__(self, "checks", tuple(sorted(self.checks, key=lambda c: c.id)))

    @property
    def reachable(self) -> bool:
        return self.error is None

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.outcome == "fail")

    def check(self, check_id: str) -> Check:
        for c in self.checks:
            if c.id == check_id:
                return c
        raise KeyError(f"posture of {self.name!r} has no check {check_id!r}")

    def control_status(self, control_id: str) -> Literal["verified", "missing"] | None:
        """``missing`` when a check informing the control failed, ``verified`` when one passed and none
        failed, None when the probes say nothing about it (skipped, unknown, or no such check)."""
        outcomes = {c.outcome for c in self.checks if c.control == control_id}
        if "fail" in outcomes:
            return "missing"
        return "verified" if "pass" in outcomes else None

    # -- JSON ---------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "format_version": FORMAT_VERSION, "name": self.name, "url": self.url,
                "transport": self.transport, "error": self.error, "checks": [c.to_dict() for c in self.checks]}

    def to_json(self, *, indent: int | None = 2) -> str:
        return json_text_safe(json.dumps(self.to_dict(), indent=indent, sort_keys=True, ensure_ascii=False)) + "\n"

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, source: str = "<data>") -> "Posture":
        if not isinstance(d, Mapping) or d.get("format") != FORMAT:
            raise SnapshotError(f"{source}: not an mcprisk posture (expected \"format\": \"{FORMAT}\")")
        if d.get("format_version") != FORMAT_VERSION:
            raise SnapshotError(f"{source}: posture format_version {d.get('format_version')!r} is not supported")
        try:
            return cls(name=str(d["name"]), url=d.get("url"), transport=str(d["transport"]), error=d.get("error"),
                       checks=tuple(Check.from_dict(c) for c in d.get("checks") or ()))
        except (KeyError, TypeError, ValueError) as exc:
            raise SnapshotError(f"{source}: malformed posture ({type(exc).__name__}: {exc})") from None

    @classmethod
    def from_json(cls, text: str, *, source: str = "<string>") -> "Posture":
        try:
            return cls.from_dict(json.loads(text), source=source)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise SnapshotError(f"{source}: not valid JSON ({exc})") from None

    # -- notebook views -----------------------------------------------------------------------

    def to_frame(self):
        """The checks as a pandas DataFrame, one row each."""
        import pandas as pd

        columns = ["id", "control", "outcome", "severity_if_failed", "sent", "received", "meaning"]
        return pd.DataFrame([{k: c.to_dict()[k] for k in columns} for c in self.checks], columns=columns)

    def _repr_html_(self) -> str:
        e = html.escape
        counts = Counter(c.outcome for c in self.checks)
        head = (f"<b>{e(self.name)}</b> · {e(self.transport)} · {e(self.url or '')} · "
                + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES))
        rows = "".join(
            f"<tr><td>{e(c.id)}</td><td>{e(c.control or '')}</td><td><b>{e(c.outcome)}</b></td>"
            f"<td>{e(c.severity_if_failed)}</td><td>{e(c.sent)}</td><td>{e(c.received)}</td>"
            f"<td>{e(c.meaning)}</td></tr>"
            for c in self.checks)
        error = f"<p>error: {e(self.error)}</p>" if self.error else ""
        return (f"<div class=\"mcprisk-posture\"><p>{head}</p>{error}<table><thead><tr><th>check</th>"
                f"<th>control</th><th>outcome</th><th>if failed</th><th>sent</th><th>received</th><th>meaning</th>"
                f"</tr></thead><tbody>{rows}</tbody></table></div>")

    def __repr__(self) -> str:
        counts = Counter(c.outcome for c in self.checks)
        return (f"Posture(name={self.name!r}, url={self.url!r}, "
                + ", ".join(f"{o}={counts[o]}" for o in OUTCOMES) + (", unreachable" if self.error else "") + ")")


# --------------------------------------------------------------------------------------------
# One HTTP exchange


@dataclass(frozen=True)
class _Reply:
    """What came back for one request. Kept only inside a probe; checks keep a scrubbed one-line summary."""

    status: int | None = None  # None: no HTTP answer at all (see ``problem``)
    reason: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)  # names lower-cased
    rpc: str | None = None  # "result" | "error": the JSON-RPC answer to our request, when one was read
    body: bytes = b""
    cut: bool = False  # the body was longer than was read
    problem: str = ""
    tls_failed: bool = False

    @property
    def accepted(self) -> bool:
        """2xx with a JSON-RPC result (or a body too long to read whole, which only a result would be)."""
        return self.status is not None and 200 <= self.status < 300 and (self.rpc == "result" or self.cut)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def refused_for_auth(self) -> bool:
        return self.status in (401, 403)

    def line(self, *header_names: str) -> str:
        """``401 Unauthorized; WWW-Authenticate: ...`` or ``no answer: ...``."""
        if self.status is None:
            return f"no answer: {self.problem}"
        text = f"{self.status} {self.reason}".strip()
        if self.rpc:
            text += f" (JSON-RPC {self.rpc})"
        for name in header_names:
            if (value := self.headers.get(name.lower())) is not None:
                text += f"; {name}: {value}"
        return text


def _rpc_answer(body: bytes, content_type: str, request_id: int) -> str | None:
    """Which answer (``result`` or ``error``) a JSON or SSE ``body`` holds for ``request_id``, if any."""
    text = body.decode("utf-8", "replace")
    if "text/event-stream" in content_type:
        events = re.split(r"\r?\n\r?\n", text)
        payloads = ["\n".join(line[5:].removeprefix(" ") for line in event.splitlines() if line.startswith("data:"))
                    for event in events]
    else:
        payloads = [text]
    for payload in payloads:
        try:
            message = json.loads(payload)
        except (ValueError, RecursionError):
            continue
        for m in message if isinstance(message, list) else [message]:
            if isinstance(m, dict) and m.get("id") == request_id:
                return "result" if "result" in m else ("error" if "error" in m else None)
    return None


# --------------------------------------------------------------------------------------------
# Addresses: what is loopback, private, link-local, and this machine's own interfaces


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _ip(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


async def _resolve(host: str, port: int, timeout: float) -> list[IPAddress]:
    """The addresses ``host`` resolves to ([] when it does not resolve in time)."""
    if (literal := _ip(host)) is not None:
        return [literal]
    try:
        with anyio.fail_after(timeout):
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError):
        return []
    return sorted({a for info in infos if (a := _ip(str(info[4][0]))) is not None}, key=lambda a: (a.version, a))


def _origin(url: str) -> str:
    """``scheme://host:port`` with the default port spelled out, for comparing origins."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme, 0)
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def _same_resource(a: str, b: str) -> bool:
    """RFC 9728 resource identifiers compared as clients do: origin and path, trailing slash ignored."""
    try:
        return _origin(a) == _origin(b) and urlsplit(a).path.rstrip("/") == urlsplit(b).path.rstrip("/")
    except ValueError:
        return False


def _forbidden_address(address: IPAddress, *, target_private: bool) -> str | None:
    """Why a server-supplied URL resolving to ``address`` must not be fetched (SSRF), or None.

    Cloud metadata and link-local addresses never; private ones only when the endpoint is itself private.
    """
    if address in _METADATA_IPS:
        return f"a cloud metadata address ({address})"
    if address.is_link_local:
        return f"a link-local address ({address})"
    if not address.is_global and not target_private:
        return f"a private address ({address}) while the endpoint itself is public"
    return None


def _local_addresses() -> list[str]:
    """This machine's own non-loopback, non-link-local addresses, from its kernel tables and hostname.

    Only local addresses are ever listed: the binding check must never knock on another machine.
    """
    found: set[IPAddress] = set()
    try:  # Linux IPv4: every "/32 host LOCAL" leaf of the routing trie is an address of this host
        last = None
        for line in Path("/proc/net/fib_trie").read_text().splitlines():
            if m := re.search(r"[|+]-- (\d+\.\d+\.\d+\.\d+)$", line):
                last = m[1]
            elif "/32 host LOCAL" in line and last and (a := _ip(last)):
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
            if a := _ip(str(info[4][0])):
                found.add(a)
    except OSError:
        pass
    usable = [a for a in found if not (a.is_loopback or a.is_link_local or a.is_unspecified or a.is_multicast)]
    return [str(a) for a in sorted(usable, key=lambda a: (a.version, a))][:16]


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


# --------------------------------------------------------------------------------------------
# The probe


class _Probe:
    """One probe of one endpoint: its requests, the sessions it opened, and the checks it built."""

    def __init__(self, spec: ServerSpec, launch: _Launch, limits: Limits, client: httpx2.AsyncClient,
                 scrub: Scrubber, allow_origins: frozenset[str], ssl_context: ssl.SSLContext, burst: int):
        self.spec, self.limits, self.client, self.scrub = spec, limits, client, scrub
        self.ssl_context = ssl_context
        self.url = launch.url
        parts = urlsplit(self.url)
        self.scheme, self.host = parts.scheme.lower(), parts.hostname or ""
        self.port = parts.port or (443 if self.scheme == "https" else 80)
        self.origin = _origin(self.url)
        self.allow = allow_origins
        self.creds = dict(launch.headers)
        self.sse = spec.transport == "sse"
        self.burst = burst
        self.path = _display_path(spec)
        self.addresses: list[IPAddress] = []
        self.era: str | None = None  # "modern" | "legacy", once a handshake was accepted
        self.sessions: list[tuple[str, bool]] = []  # (id, opened with credentials); every one gets a DELETE
        self.session_ids: list[str] = []  # every id a handshake was given, for the entropy check
        self.requests = 0
        self.budget = _MAX_REQUESTS + burst
        self.ids = itertools.count(1)
        self.checks: dict[str, Check] = {}
        self.unauth = self.base = _Reply()  # the handshake without, and with, the spec's credentials
        self.unreachable: str | None = None
        self.stopped = ""  # why the remaining checks were not run

    # -- facts about the target -------------------------------------------------------------------

    @property
    def loopback(self) -> bool:
        return bool(self.addresses) and all(a.is_loopback for a in self.addresses)

    @property
    def private(self) -> bool:
        """Loopback or internal: DNS rebinding reaches it, and it may fetch internal metadata URLs."""
        return bool(self.addresses) and not any(a.is_global for a in self.addresses)

    @property
    def creds_note(self) -> str:
        return f"with {', '.join(sorted(self.creds))}" if self.creds else "no credentials (the spec carries none)"

    # -- building checks --------------------------------------------------------------------------

    def add(self, check_id: str, outcome: Outcome, sent: str, received: str, meaning: str,
            severity: Severity | None = None) -> None:
        control, default = CHECKS[check_id]

        def line(text: str, limit: int) -> str:
            return clip(" ".join(terminal_safe(self.scrub.text(text)).split()), limit)[0]

        self.checks[check_id] = Check(check_id, control, outcome, line(sent, 200), line(received, 400),
                                      line(meaning, 400), severity or default)

    # -- the wire ---------------------------------------------------------------------------------

    async def http(self, method: str, url: str, headers: Mapping[str, str], message: dict[str, Any] | None = None,
                   *, cap: int = _BODY_CAP, stream_only: bool = False, budgeted: bool = True) -> _Reply:
        """The one place a probe request is sent: bounded in count, time and bytes read."""
        if budgeted:
            if self.requests >= self.budget:
                return _Reply(problem=f"not sent: the probe's budget of {self.budget} requests is spent")
            self.requests += 1
        if message is not None and message.get("method") not in _ALLOWED_RPC:
            raise PermissionError(f"mcprisk never sends {message.get('method')!r}: probes only handshake and list")
        content = json.dumps(message).encode() if message is not None else None
        request_id = message.get("id") if message else None
        got: dict[str, Any] = {}
        data = bytearray()
        timeout = self.limits.request_timeout
        try:
            with anyio.move_on_after(timeout) as scope:
                async with self.client.stream(method, url, headers=dict(headers), content=content) as response:
                    got = {"status": response.status_code, "reason": response.reason_phrase,
                           "headers": {k.lower(): v for k, v in response.headers.items()}}
                    ctype = got["headers"].get("content-type", "")
                    if not stream_only:
                        async for chunk in response.aiter_bytes():
                            data += chunk
                            if len(data) >= cap:
                                got["cut"] = True
                                break
                            # An SSE answer may arrive on a stream the server keeps open: stop at the answer.
                            if request_id is not None and "text/event-stream" in ctype and \
                                    _rpc_answer(bytes(data), ctype, request_id):
                                break
        except (httpx2.HTTPError, httpx2.InvalidURL, httpx2.StreamError, OSError, ssl.SSLError, ValueError) as exc:
            # StreamError: the counting guard stopped a body at the message cap (or could not decode it).
            if isinstance(exc, httpx2.StreamError) and "status" in got:
                got["cut"] = True
            # ValueError: a header value from the spec that HTTP cannot carry; the message names no value.
            if "status" not in got:
                return _Reply(problem=self.scrub.text(_describe_error(exc, self.limits)),
                              tls_failed=_is_tls_failure(exc))
        if "status" not in got:
            return _Reply(problem=f"no answer within {timeout:g} s" if scope.cancelled_caught else "no answer")
        ctype = got["headers"].get("content-type", "")
        rpc = _rpc_answer(bytes(data), ctype, request_id) if request_id is not None else None
        return _Reply(status=got["status"], reason=got["reason"], headers=got["headers"], rpc=rpc,
                      body=bytes(data[:cap]), cut=bool(got.get("cut")))

    async def rpc(self, method: str, *, era: str, creds: bool, extra: Mapping[str, str] | None = None,
                  session: str | None = None) -> _Reply:
        """A JSON-RPC POST of a handshake or listing, shaped for ``era`` the way a real client sends it."""
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if not method.startswith("notifications/"):
            message["id"] = next(self.ids)
        headers = {"Accept": _ACCEPT, "Content-Type": "application/json"}
        if era == "modern":
            message["params"] = {"_meta": {"io.modelcontextprotocol/protocolVersion": _MODERN,
                                           "io.modelcontextprotocol/clientCapabilities": {},
                                           "io.modelcontextprotocol/clientInfo": _CLIENT_INFO}}
            headers.update({"MCP-Protocol-Version": _MODERN, "Mcp-Method": method})
        elif method == "initialize":
            message["params"] = {"protocolVersion": _LEGACY, "capabilities": {}, "clientInfo": _CLIENT_INFO}
        else:
            message["params"] = {}
            headers["MCP-Protocol-Version"] = _LEGACY
        if session:
            headers["Mcp-Session-Id"] = session
        if creds:
            headers.update(self.creds)
        headers.update(extra or {})
        reply = await self.http("POST", self.url, headers, message)
        sid = reply.headers.get("mcp-session-id")
        if method == "initialize" and reply.ok and sid:
            self.session_ids.append(sid)
            # Only an id that can go back in a header is ended; a malformed one is evidence, not a handle.
            if len(sid) <= 256 and all(0x21 <= ord(c) <= 0x7E for c in sid):
                self.sessions.append((sid, creds))
        return reply

    async def opening(self, *, creds: bool, extra: Mapping[str, str] | None = None) -> _Reply:
        """What a client opens with: server/discover, then initialize for a legacy server; GET for SSE."""
        if self.sse:
            headers = {"Accept": "text/event-stream", **(self.creds if creds else {}), **(extra or {})}
            reply = await self.http("GET", self.url, headers, stream_only=True)
            return replace(reply, rpc="result") if reply.ok else reply  # an open stream is the accepted answer
        if self.era == "legacy":
            return await self.rpc("initialize", era="legacy", creds=creds, extra=extra)
        reply = await self.rpc("server/discover", era="modern", creds=creds, extra=extra)
        if reply.accepted:
            self.era = "modern"
        if reply.accepted or self.era == "modern" or reply.status is None or reply.refused_for_auth:
            return reply
        legacy = await self.rpc("initialize", era="legacy", creds=creds, extra=extra)
        if legacy.accepted:
            self.era = "legacy"
        return reply if legacy.status is None else legacy

    def opening_name(self) -> str:
        if self.sse:
            return f"GET {self.path} (SSE stream)"
        return {"modern": f"POST {self.path} server/discover", "legacy": f"POST {self.path} initialize"}.get(
            self.era or "", f"POST {self.path} server/discover (then initialize)")

    async def end_sessions(self) -> None:
        """DELETE every session the probe opened, as the spec asks clients to; bounded, never raises."""
        for sid, creds in self.sessions:
            headers = {"Mcp-Session-Id": sid, "MCP-Protocol-Version": _LEGACY, **(self.creds if creds else {})}
            await self.http("DELETE", self.url, headers, budgeted=False)
        self.sessions.clear()

    # -- the checks -------------------------------------------------------------------------------

    async def run(self) -> None:
        self.addresses = await _resolve(self.host, self.port, self.limits.connect_timeout)
        self.tls_https()
        self.unauth = await self.opening(creds=False)
        if self.unauth.status is None and not self.unauth.tls_failed:
            self.unreachable = f"cannot reach {self.spec.url}: {self.unauth.problem}"
            self.stopped = _UNREACHED
            return
        await self.tls_certificate()
        if self.unauth.tls_failed:
            self.stopped = "not run: the TLS certificate did not verify, and mcprisk sends nothing over unverified TLS"
            return
        self.base = await self.opening(creds=True) if self.creds else self.unauth
        await self.authentication()
        await self.metadata()
        origin_reply = await self.foreign_origin()
        await self.foreign_host()
        await self.cors(origin_reply)
        await self.binding()
        await self.sessions_issued()
        await self.rate()

    async def authentication(self) -> None:
        check = "auth.unauthenticated_rejected"
        sent = f"{self.opening_name()}, no credentials"
        r = self.unauth
        severity: Severity = "high" if self.loopback else "critical"
        if r.refused_for_auth:
            self.add(check, "pass", sent, r.line("WWW-Authenticate"),
                     "Requests without credentials are refused, so only authenticated clients reach the tools.",
                     severity)
        elif r.accepted:
            listing = await self.anonymous_listing()
            if listing is None:
                self.add(check, "fail", sent, r.line(),
                         "Anyone who can reach this endpoint opens a session without credentials.", severity)
            elif listing.refused_for_auth:
                self.add(check, "pass", sent + "; then tools/list", f"{r.line()}; tools/list {listing.line()}",
                         "The handshake answers anonymously but listing tools needs credentials.", severity)
            elif listing.accepted:
                self.add(check, "fail", sent + "; then tools/list", f"{r.line()}; tools/list {listing.line()}",
                         "Anyone who can reach this endpoint can list, and so call, its tools without credentials.",
                         severity)
            else:
                self.add(check, "fail", sent + "; then tools/list", f"{r.line()}; tools/list {listing.line()}",
                         "The handshake is accepted without credentials; listing gave no clear answer.", severity)
        else:
            self.add(check, "unknown", sent, r.line(),
                     "The handshake was neither accepted nor refused for lack of credentials, so authentication "
                     "could not be judged.", severity)

    async def anonymous_listing(self) -> _Reply | None:
        """tools/list without credentials on the connection an anonymous handshake opened (None for SSE)."""
        if self.sse:
            return None
        if self.era == "modern":
            return await self.rpc("tools/list", era="modern", creds=False)
        sid = self.unauth.headers.get("mcp-session-id")
        await self.rpc("notifications/initialized", era="legacy", creds=False, session=sid)
        return await self.rpc("tools/list", era="legacy", creds=False, session=sid)

    async def metadata(self) -> None:
        """RFC 9728: the 401 challenge, the protected-resource metadata it leads to, and its ``resource``."""
        r = self.unauth
        sent = f"{self.opening_name()}, no credentials"
        if not r.refused_for_auth:
            why = "No 401 challenge to inspect: the endpoint does not ask for credentials."
            for check in ("auth.www_authenticate", "auth.resource_metadata", "auth.metadata_resource_matches"):
                self.add(check, "skipped", sent, r.line(), why)
            return
        challenge = r.headers.get("www-authenticate")
        header_url = _resource_metadata_param(challenge or "")
        if r.status != 401:
            self.add("auth.www_authenticate", "fail", sent, r.line("WWW-Authenticate"),
                     "A request without credentials gets 403, not 401 with a challenge, so clients cannot start "
                     "authorization.", "medium")
        elif challenge is None:
            self.add("auth.www_authenticate", "fail", sent, r.line(),
                     "A 401 without WWW-Authenticate leaves clients unable to discover how to authorize.", "medium")
        elif header_url is None:
            self.add("auth.www_authenticate", "fail", sent, r.line("WWW-Authenticate"),
                     "The challenge does not name resource_metadata, so clients must fall back to well-known URLs.")
        else:
            self.add("auth.www_authenticate", "pass", sent, r.line("WWW-Authenticate"),
                     "The 401 names its protected-resource metadata, so OAuth clients can discover how to authorize.")

        candidates: list[tuple[str, bool]] = []  # (url, named by the server)
        if header_url is not None:
            candidates.append((urljoin(self.url, header_url), True))
        path = urlsplit(self.url).path.rstrip("/")
        base = f"{self.scheme}://{urlsplit(self.url).netloc.rpartition('@')[2]}/.well-known/oauth-protected-resource"
        for url in (base + path, base) if path else (base,):
            if all(url != seen for seen, _ in candidates):
                candidates.append((url, False))

        tried: list[str] = []
        document: dict[str, Any] | None = None
        problem = ""
        for url, named in candidates:
            shown = self.show_url(url)
            refusal = await self.refusal(url)
            if refusal:
                if named:  # a server steering clients at internal addresses fails outright
                    self.add("auth.resource_metadata", "fail", f"nothing: resource_metadata {shown} was not fetched",
                             f"{r.line('WWW-Authenticate')}; refused: {refusal}",
                             f"The 401 points clients at {refusal}; a client that follows it can be made to request "
                             "internal endpoints (SSRF), so mcprisk did not fetch it.", "high")
                    self.add("auth.metadata_resource_matches", "unknown", "nothing", "no metadata document was read",
                             "No metadata document was read, so the resource it names is unknown.")
                    return
                tried.append(f"{shown} refused: {refusal}")
                continue
            reply = await self.http("GET", url, {"Accept": "application/json"}, cap=_METADATA_CAP)
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
        sent = "GET " + " then ".join(self.show_url(u) for u, _ in candidates) + ", no credentials"
        received = "; ".join(tried)
        if document is None:
            self.add("auth.resource_metadata", "fail", sent, received + (f" (document {problem})" if problem else ""),
                     "MCP clients cannot discover where to obtain tokens: no RFC 9728 protected-resource metadata "
                     "was found.")
            self.add("auth.metadata_resource_matches", "unknown", "nothing", "no metadata document was read",
                     "No metadata document was read, so the resource it names is unknown.")
            return
        servers = document.get("authorization_servers")
        if isinstance(servers, list) and servers and all(isinstance(s, str) and s for s in servers):
            self.add("auth.resource_metadata", "pass", sent, f"{received}; authorization_servers: {', '.join(servers)}",
                     "RFC 9728 protected-resource metadata is published and names an authorization server, as MCP "
                     "requires.")
        else:
            self.add("auth.resource_metadata", "fail", sent, f"{received}; authorization_servers: {servers!r}",
                     "The protected-resource metadata names no authorization server, so clients cannot obtain tokens.")
        resource = document.get("resource")
        matches = isinstance(resource, str) and _same_resource(resource, self.url)
        self.add("auth.metadata_resource_matches", "pass" if matches else "fail",
                 f"compared the metadata's resource with {self.spec.url}", f"resource: {resource!r}",
                 "The metadata names this endpoint as the resource, so tokens can be audience-bound to it."
                 if matches else
                 "The metadata names a different resource, so tokens issued for it may be accepted here without "
                 "being meant for this endpoint (token passthrough risk).")

    async def refusal(self, url: str) -> str | None:
        """Why a server-supplied URL must not be fetched (SSRF guard), or None when it may be."""
        try:
            parts = urlsplit(url)
            host, port = (parts.hostname or "").lower(), parts.port
        except ValueError:
            return "a URL that cannot be parsed"
        if parts.scheme not in ("http", "https") or not host:
            return "a URL that is not http(s)"
        if host in _METADATA_HOSTS:
            return f"a cloud metadata service ({host})"
        literal = _ip(host)
        if literal is not None and (why := _forbidden_address(literal, target_private=self.private)):
            return why  # named before the origin rule: it is the worse of the two
        origin = _origin(url)
        if origin != self.origin and origin not in self.allow:
            return f"another origin ({origin}); pass allow_origins to permit it"
        default = 443 if parts.scheme == "https" else 80
        addresses = await _resolve(host, port or default, self.limits.connect_timeout)
        if not addresses:
            return f"a host that does not resolve ({host})"
        for address in addresses:
            if why := _forbidden_address(address, target_private=self.private):
                return why
        return None

    def show_url(self, url: str) -> str:
        """A same-origin URL as its path (short, and never the target's query); others in full."""
        try:
            if _origin(url) == self.origin:
                return urlsplit(url).path or "/"
        except ValueError:
            pass
        return url

    async def foreign_origin(self) -> _Reply:
        """DNS-rebinding defence: a foreign Origin must get 403. Credentials go along, or auth would mask it."""
        extra = {"Origin": _FOREIGN_ORIGIN}
        reply = await self.opening(creds=True, extra=extra)
        sent = f"{self.opening_name()}, Origin: {_FOREIGN_ORIGIN}, {self.creds_note}"
        self.judge_rejection("origin.foreign_rejected", reply, sent,
                             passed="A request from a foreign web origin is refused, which blocks DNS-rebinding "
                                    "attacks from web pages.",
                             failed="A web page on any origin can drive this server through a user's browser (DNS "
                                    "rebinding): the Origin header is not validated.")
        return reply

    async def foreign_host(self) -> None:
        check = "host.foreign_rejected"
        if not self.private:
            self.add(check, "skipped", "nothing", "the endpoint resolves to public addresses",
                     "The Host check guards loopback and internal servers against DNS rebinding; this endpoint is "
                     "public, where a foreign Host only selects another virtual host.")
            return
        foreign = f"{_FOREIGN_HOST}:{self.port}"
        reply = await self.opening(creds=True, extra={"Host": foreign})
        self.judge_rejection(check, reply, f"{self.opening_name()}, Host: {foreign}, {self.creds_note}",
                             passed="A request naming a foreign host is refused, so a DNS-rebound name cannot reach "
                                    "this server.",
                             failed="A request for a foreign host name is served, so a DNS-rebinding attack can "
                                    "reach this server.")

    def judge_rejection(self, check: str, reply: _Reply, sent: str, *, passed: str, failed: str) -> None:
        """Compare a request carrying a foreign Origin/Host with the same request without it."""
        base = self.base
        received = f"{reply.line()}; without it: {base.line()}"
        if reply.status is None:
            self.add(check, "unknown", sent, received, "The request got no answer, so the check could not be judged.")
        elif reply.ok:
            self.add(check, "fail", sent, received, failed)
        elif reply.status == base.status:
            masked = reply.refused_for_auth and not (self.creds and base.ok)
            self.add(check, "unknown", sent, received,
                     ("An authentication check answers first (the same refusal with and without the foreign value) "
                      + ("and mcprisk has no credentials; give them (--header) to see the check behind it."
                         if not self.creds else "even with the spec's credentials; check them.")) if masked else
                     f"The server answers {reply.status} with and without the foreign value, so the check could "
                     "not be told apart from other errors.")
        elif 400 <= reply.status < 500:
            self.add(check, "pass", sent, received, passed)
        else:
            self.add(check, "unknown", sent, received,
                     f"The server failed with {reply.status}, so the check could not be judged.")

    async def cors(self, post: _Reply) -> None:
        """A preflight from a foreign origin, and the CORS headers on the foreign-Origin POST."""
        preflight = await self.http("OPTIONS", self.url, {
            "Origin": _FOREIGN_ORIGIN, "Access-Control-Request-Method": "GET" if self.sse else "POST",
            "Access-Control-Request-Headers": "authorization, content-type, mcp-method, mcp-protocol-version"})
        headers = ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials")
        sent = f"OPTIONS {self.path} preflight, then {self.opening_name()}, both with Origin: {_FOREIGN_ORIGIN}"
        received = f"preflight {preflight.line(*headers)}; request {post.line(*headers)}"
        grants = []
        for reply in (preflight, post):
            allowed = reply.headers.get("access-control-allow-origin", "").strip()
            if allowed in ("*", _FOREIGN_ORIGIN):
                credentials = reply.headers.get("access-control-allow-credentials", "").strip().lower() == "true"
                grants.append((allowed, credentials))
        if preflight.status is None and post.status is None:
            self.add("cors.no_wildcard", "unknown", sent, received, "No answer, so CORS could not be judged.")
        elif grants:
            reflected = any(a == _FOREIGN_ORIGIN for a, _ in grants)
            credentials = any(c for _, c in grants)
            what = "reflects any origin" if reflected else "allows every origin (*)"
            self.add("cors.no_wildcard", "fail", sent, received,
                     f"CORS {what}, so pages on other sites can call this endpoint and read its answers"
                     + (" with the user's credentials." if credentials else "."),
                     "high" if reflected and credentials else "medium")
        else:
            self.add("cors.no_wildcard", "pass", sent, received,
                     "No CORS grant to foreign origins, so pages on other sites cannot read this endpoint's answers.")

    def tls_https(self) -> None:
        sent = f"nothing: the URL scheme is {self.scheme}"
        if self.scheme == "https":
            self.add("tls.https", "pass", sent, "https", "Traffic to this endpoint is encrypted in transit.")
        elif self.loopback:
            self.add("tls.https", "skipped", sent, f"{self.host} is a loopback address",
                     "Loopback traffic never leaves this machine, so plain HTTP is acceptable here.")
        else:
            self.add("tls.https", "fail", sent, f"{self.host} is not a loopback address",
                     "Requests, credentials and tool results cross the network unencrypted (plain HTTP).")

    async def tls_certificate(self) -> None:
        check = "tls.certificate"
        if self.scheme != "https":
            self.add(check, "skipped", "nothing", "plain HTTP", "Plain HTTP: there is no certificate to check.")
            return
        sent = f"TLS handshake with {self.host}:{self.port}, certificate verification on"
        try:
            with anyio.fail_after(self.limits.connect_timeout):
                stream = await anyio.connect_tcp(self.host, self.port, tls=True, ssl_context=self.ssl_context,
                                                 tls_hostname=self.host)
        except ssl.SSLCertVerificationError as exc:
            self.add(check, "fail", sent, f"verification failed: {exc.verify_message or exc.reason}",
                     "The certificate does not verify, so clients would have to turn verification off, which "
                     "invites interception. mcprisk sends nothing over unverified TLS.")
            return
        except (ssl.SSLError, OSError, TimeoutError) as exc:
            self.add(check, "fail" if isinstance(exc, ssl.SSLError) else "unknown", sent,
                     "handshake failed: " + (f"no TLS handshake within {self.limits.connect_timeout:g} s"
                                             if isinstance(exc, TimeoutError) else _describe_error(exc, self.limits)),
                     "No verified TLS connection could be made, so nothing was sent over it.")
            return
        async with stream:
            ssl_object = stream.extra(TLSAttribute.ssl_object)
            version = ssl_object.version() or "?"
            cert = ssl_object.getpeercert() or {}
        expires = cert.get("notAfter", "?")
        if version in ("SSLv3", "TLSv1", "TLSv1.1"):
            self.add(check, "fail", sent, f"{version}; certificate valid until {expires}",
                     f"The certificate verifies but the connection uses {version}, which is obsolete and weak.",
                     "medium")
        else:
            self.add(check, "pass", sent, f"{version}; certificate verified, valid until {expires}",
                     f"The certificate verifies against the trust store and the connection uses {version}.")

    async def binding(self) -> None:
        """A loopback server must not answer on this machine's other addresses (a 0.0.0.0 bind)."""
        check = "bind.loopback_only"
        if not self.loopback:
            self.add(check, "skipped", "nothing", f"{self.host} is not a loopback address",
                     "Applies to servers on 127.0.0.1/localhost; this endpoint is meant to be reached over the "
                     "network.")
            return
        addresses: list[str] = []
        with anyio.move_on_after(self.limits.connect_timeout):  # the hostname lookup may hang on a bad resolver
            addresses = await anyio.to_thread.run_sync(_local_addresses, abandon_on_cancel=True)
        if not addresses:
            self.add(check, "unknown", "nothing", "this machine has no non-loopback address",
                     "There is no other local address to test from, so the bind address could not be judged.")
            return
        sent = f"TCP connect to port {self.port} on this machine's own addresses: {', '.join(addresses)}"
        states = ["silent"] * len(addresses)

        async def knock(index: int) -> None:
            states[index] = await self.knock(addresses[index])

        async with anyio.create_task_group() as tg:  # together, so firewalled addresses cost one timeout
            for i in range(len(addresses)):
                tg.start_soon(knock, i)
        answers = list(zip(addresses, states))
        listening = [f"{a} {state}" for a, state in answers if state not in ("refused", "silent")]
        received = "; ".join(f"{a} {state}" for a, state in answers)
        if listening:
            self.add(check, "fail", sent, received,
                     f"The server also listens on {listening[0].split()[0]}: it is bound to all interfaces, so "
                     "other machines on the network can reach it.")
        elif all(state == "refused" for _, state in answers):
            self.add(check, "pass", sent, received,
                     "The server answers only on loopback, so other machines cannot reach it.")
        else:
            self.add(check, "unknown", sent, received,
                     "Some addresses neither answered nor refused, so the bind address could not be judged.")

    async def knock(self, address: str) -> str:
        """``refused``, ``silent`` or what answered on ``address``: one TCP connect and a HEAD / at most."""
        try:
            with anyio.fail_after(_KNOCK_TIMEOUT):
                stream = await anyio.connect_tcp(address, self.port)
        except TimeoutError:
            return "silent"
        except OSError:
            return "refused"
        async with stream:
            host = f"[{address}]" if ":" in address else address
            try:
                with anyio.fail_after(_KNOCK_TIMEOUT):
                    await stream.send(f"HEAD / HTTP/1.1\r\nHost: {host}:{self.port}\r\nConnection: close\r\n\r\n"
                                      .encode())
                    first = (await stream.receive(1024)).split(b"\r\n", 1)[0].decode("latin-1")
            except (TimeoutError, OSError, anyio.EndOfStream, anyio.BrokenResourceError):
                return "accepts connections"
        status = first.split(" ", 2)[1] if first.startswith("HTTP/") and first.count(" ") >= 1 else ""
        return f"answers HTTP {status}" if status.isdigit() else "accepts connections"

    async def sessions_issued(self) -> None:
        """Legacy sessions: ids must look random, and an id alone must not stand in for credentials."""
        if self.sse:
            for check in ("session.id_entropy", "session.bound_to_credentials"):
                self.add(check, "skipped", "nothing", "legacy HTTP+SSE transport",
                         "The SSE transport carries its session in the message URL; these checks apply to "
                         "Streamable HTTP.")
            return
        # Dual-era servers still hand legacy clients a session: look at what initialize gives them.
        last = None
        for _ in range(_SESSION_SAMPLES):
            if len(self.session_ids) >= _SESSION_SAMPLES:
                break
            last = await self.rpc("initialize", era="legacy", creds=True)
            if not last.accepted or not last.headers.get("mcp-session-id"):
                break
        sent = f"POST {self.path} initialize (legacy handshake) up to {_SESSION_SAMPLES} times, {self.creds_note}"
        ids = list(self.session_ids)
        if not ids:
            if last is not None and last.accepted:
                why = "The server issues no Mcp-Session-Id (stateless), so there is no session id to guess."
            elif last is not None and last.refused_for_auth:
                why = ""
            else:
                why = "The server does not accept the legacy initialize handshake, so it issues no session ids."
            outcome: Outcome = "unknown" if not why else "skipped"
            self.add("session.id_entropy", outcome, sent, last.line() if last else "not sent",
                     why or "initialize needs credentials mcprisk does not have, so no session id was seen.")
        else:
            weak = _weak_session_ids(ids)
            received = f"{len(ids)} Mcp-Session-Id value(s) of length {', '.join(str(len(i)) for i in ids)}"
            self.add("session.id_entropy", "fail" if weak else "pass", sent, received,
                     f"Session ids are {weak}; a guessed id could let an attacker hijack a session." if weak else
                     "Session ids look random (long, visible ASCII, no pattern shared across handshakes).")

        check = "session.bound_to_credentials"
        opened = [sid for sid, creds in self.sessions if creds]
        if not (self.creds and self.unauth.refused_for_auth):
            self.add(check, "skipped", "nothing", "the endpoint needs no credentials" if self.unauth.ok
                     else "the spec carries no credentials",
                     "Applies when credentials are required and mcprisk has them.")
        elif not opened:
            self.add(check, "skipped", "nothing", "no session was opened",
                     "The server issued no session, so there is no session id that could stand in for credentials.")
        else:
            sid = opened[0]
            await self.rpc("notifications/initialized", era="legacy", creds=True, session=sid)
            reply = await self.rpc("tools/list", era="legacy", creds=False, session=sid)
            sent = f"POST {self.path} tools/list with a session opened with credentials, but no credentials"
            if reply.refused_for_auth:
                self.add(check, "pass", sent, reply.line(),
                         "A session id alone does not grant access; every request still needs credentials.")
            elif reply.accepted:
                self.add(check, "fail", sent, reply.line(),
                         "A session id alone grants access without credentials, so a leaked id acts as a bearer "
                         "token.")
            else:
                self.add(check, "unknown", sent, reply.line(), "The listing got no clear answer either way.")

    async def rate(self) -> None:
        check = "rate.burst_limited"
        if self.burst <= 0:
            self.add(check, "skipped", "nothing", "burst probe not requested",
                     "Opt-in: pass burst=N (at most 200) to send N listing requests and look for a 429.")
            return
        if self.sse:
            self.add(check, "skipped", "nothing", "legacy HTTP+SSE transport",
                     "The burst probe speaks Streamable HTTP only.")
            return
        session = next((sid for sid, creds in self.sessions if creds or not self.creds), None)
        if self.era == "modern":
            what, send = "tools/list", functools.partial(self.rpc, "tools/list", era="modern", creds=True)
        elif self.era == "legacy" and session:
            await self.rpc("notifications/initialized", era="legacy", creds=True, session=session)
            what, send = "tools/list", functools.partial(self.rpc, "tools/list", era="legacy", creds=True,
                                                         session=session)
        else:  # no handshake was accepted: the burst still shows whether refusals get throttled
            what, send = "server/discover", functools.partial(self.rpc, "server/discover", era="modern", creds=True)

        statuses: list[int | None] = []
        limited: list[_Reply] = []
        limiter = anyio.CapacityLimiter(_BURST_CONCURRENCY)
        started = time.monotonic()
        with anyio.move_on_after(min(_BURST_WINDOW, self.limits.total_timeout)):
            async with anyio.create_task_group() as tg:

                async def one() -> None:
                    async with limiter:
                        reply = await send()
                        statuses.append(reply.status)
                        if reply.status == 429:
                            limited.append(reply)
                            tg.cancel_scope.cancel()

                for _ in range(self.burst):
                    tg.start_soon(one)
        elapsed = time.monotonic() - started
        counts = ", ".join(f"{status or 'no answer'}×{n}" for status, n in
                           sorted(Counter(statuses).items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))
        sent = f"{self.burst} × POST {self.path} {what}, {self.creds_note}, {_BURST_CONCURRENCY} at a time"
        received = f"{len(statuses)} answered in {elapsed:.1f} s: {counts or 'none'}"
        if limited:
            self.add(check, "pass", sent, f"{received}; {limited[0].line('Retry-After')}",
                     "A burst of requests is throttled (429), which limits abuse and runaway agents.")
        elif any(s is not None and 200 <= s < 300 for s in statuses):
            self.add(check, "fail", sent, received,
                     f"No rate limit observed for {len(statuses)} requests in {elapsed:.1f} s; a runaway agent or "
                     "an attacker can flood this server.")
        else:
            self.add(check, "unknown", sent, received,
                     "No request of the burst was served, so a rate limit could not be observed.")


_CLIENT_INFO = {"name": "mcprisk-probe", "version": __version__}


def _display_path(spec: ServerSpec) -> str:
    """The endpoint's path from the display URL (never the real one, which may hide a secret)."""
    try:
        return urlsplit(spec.url or "").path or "/"
    except ValueError:
        return "the endpoint"


def _resource_metadata_param(challenge: str) -> str | None:
    m = re.search(r'(?i)\bresource_metadata\s*=\s*(?:"([^"]*)"|([^\s,]+))', challenge)
    return (m[1] if m[1] is not None else m[2]) if m else None


def _is_tls_failure(exc: BaseException | None) -> bool:
    """True when an ssl.SSLError is anywhere in the chain (httpx2 wraps it in ConnectError)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _describe_error(exc: BaseException, limits: Limits) -> str:
    """One line for an error that stopped a request; never the text of a request-building error, which may
    quote a header value."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate verification failed: {exc.verify_message or exc.reason}"
    if _is_tls_failure(exc):
        return f"TLS failed: {str(exc) or type(exc).__name__}"
    if isinstance(exc, httpx2.ConnectTimeout):
        return f"could not connect within {min(limits.connect_timeout, limits.request_timeout):g} s"
    if isinstance(exc, (httpx2.TimeoutException, TimeoutError)):
        return f"timed out: no answer within {limits.request_timeout:g} s"
    if isinstance(exc, (httpx2.LocalProtocolError, httpx2.InvalidURL, ValueError)):
        return f"{type(exc).__name__}: the request could not be built from the spec"
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


# --------------------------------------------------------------------------------------------
# Public entry points


def _stdio_posture(spec: ServerSpec) -> Posture:
    checks = tuple(Check(check_id, control, "skipped", "nothing", "stdio transport", _STDIO_MEANING, severity)
                   for check_id, (control, severity) in CHECKS.items())
    return Posture(name=spec.name, url=None, transport="stdio", checks=checks)


def _allowed_origins(origins: Iterable[str] | None) -> frozenset[str]:
    out = set()
    for origin in origins or ():
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"allow_origins entries are origins like https://auth.example.com; got {origin!r}")
        out.add(_origin(origin))
    return frozenset(out)


async def probe_async(spec_or_url: ServerSpec | str, *, limits: Limits | None = None,
                      allow_origins: Iterable[str] | None = None, burst: int = 0,
                      environ: Mapping[str, str] | None = None, inputs: Mapping[str, str] | None = None) -> Posture:
    """Probe what an HTTP MCP endpoint enforces; never raises for anything the server does.

    Sends only handshakes (``server/discover``, ``initialize``), ``tools/list``, GETs of same-origin
    RFC 9728 metadata, an ``OPTIONS`` preflight, TCP connects to this machine's own addresses, and
    ``DELETE`` for every session it opened. ``allow_origins`` lists other origins whose metadata
    may be fetched; ``burst`` (0-200, opt-in) sends that many listings to look for a rate limit.
    A stdio spec gives a Posture whose checks are all skipped. Raises SpecError when the spec's
    placeholders cannot be filled, and ValueError for bad arguments.
    """
    spec = ServerSpec.http(spec_or_url) if isinstance(spec_or_url, str) else spec_or_url
    if spec.transport == "stdio":
        return _stdio_posture(spec)
    if burst < 0:
        raise ValueError(f"burst must be >= 0; got {burst}")
    burst = min(burst, MAX_BURST)
    origins = _allowed_origins(allow_origins)
    limits = limits or Limits()
    launch = _Launch.resolve(spec, environ, inputs)
    for name, value in launch.headers.items():
        # HTTP libraries quote a bad value back in their error text, where no scrubber would match it.
        if not _HEADER_VALUE.fullmatch(value) or not _HEADER_NAME.fullmatch(name):
            raise SpecError(f"header {name!r} has a value HTTP cannot carry (control or non-ASCII characters)")
    # The credential after a scheme word ("Bearer <token>") is a secret on its own: a server may echo it bare.
    scrub = Scrubber([*launch.secret_values(spec), *(v.split(None, 1)[-1] for v in launch.headers.values())])
    context = httpx2.create_ssl_context()  # the trust the mcp SDK's client would use; verification stays on
    probe_run: _Probe | None = None
    with scrubbed_logs(scrub):
        # Every body goes through the counting guard: decoded within the probe's own read cap, never past it.
        cap = min(_BODY_CAP, limits.max_message_bytes)
        transport = GuardedTransport(cap, inner=httpx2.AsyncHTTPTransport(verify=context))
        async with httpx2.AsyncClient(verify=context, follow_redirects=False, transport=transport,
                                      headers={"Accept-Encoding": "identity"},
                                      timeout=httpx2.Timeout(limits.request_timeout,
                                                             connect=min(limits.connect_timeout,
                                                                         limits.request_timeout))) as client:
            probe_run = _Probe(spec, launch, limits, client, scrub, origins, context, burst)
            with anyio.move_on_after(limits.total_timeout) as deadline:
                try:
                    await probe_run.run()
                finally:
                    with anyio.CancelScope(shield=True), anyio.move_on_after(limits.request_timeout):
                        await probe_run.end_sessions()
    checks = dict(probe_run.checks)
    if probe_run.stopped:
        missing = probe_run.stopped
    elif deadline.cancelled_caught:
        missing = f"not run: the probe stopped at its total_timeout of {limits.total_timeout:g} s"
    else:
        missing = "not run"
    for check_id, (control, severity) in CHECKS.items():
        if check_id not in checks:
            checks[check_id] = Check(check_id, control, "unknown", "nothing", "not run", missing[0].upper()
                                     + missing[1:] + ".", severity)
    return Posture(name=spec.name, url=spec.url, transport=spec.transport, checks=tuple(checks.values()),
                   error=scrub.text(probe_run.unreachable) if probe_run.unreachable else None)


def probe(spec_or_url: ServerSpec | str, *, limits: Limits | None = None, allow_origins: Iterable[str] | None = None,
          burst: int = 0, environ: Mapping[str, str] | None = None,
          inputs: Mapping[str, str] | None = None) -> Posture:
    """Synchronous ``probe_async``: works in scripts and inside a running Jupyter kernel."""
    return _run_sync(probe_async, spec_or_url, limits=limits, allow_origins=allow_origins, burst=burst,
                     environ=environ, inputs=inputs)
