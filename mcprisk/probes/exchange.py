"""One probe's HTTP exchange: every request it sends, bounded in count, time and bytes, and the checks it
builds. The check families (auth, origin, cors, tls, sessions, rate) drive it."""

from __future__ import annotations

import itertools
import json
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx2

from .. import __version__
from .._resolve import ResolvedLaunch
from .._scrub import Scrubber
from .._text import clip, terminal_safe
from ..introspection import Limits
from ..specs import ServerSpec
from .addresses import IPAddress, origin_of
from .results import CHECKS, Check, Outcome, Severity

__all__ = ["BODY_CAP", "Probe", "Reply", "describe_error", "is_tls_failure", "rpc_answer"]

_MAX_REQUESTS = 48  # every probe but the burst together; a ceiling no code path can lift
_MODERN, _LEGACY = "2026-07-28", "2025-11-25"  # the revision each era's handshake speaks
_ACCEPT = "application/json, text/event-stream"
# Only handshakes and listings: the probes must never make a server *do* anything.
_ALLOWED_RPC = frozenset({"server/discover", "initialize", "notifications/initialized", "tools/list"})

BODY_CAP = 1 << 20  # bytes read from one answer: enough to see whether a JSON-RPC result came back

_CLIENT_INFO = {"name": "mcprisk-probe", "version": __version__}


@dataclass(frozen=True)
class Reply:
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


def rpc_answer(body: bytes, content_type: str, request_id: int) -> str | None:
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


class Probe:
    """One probe of one endpoint: its requests, the sessions it opened, and the checks it built."""

    def __init__(self, spec: ServerSpec, launch: ResolvedLaunch, limits: Limits, client: httpx2.AsyncClient,
                 scrub: Scrubber, allow_origins: frozenset[str], ssl_context: ssl.SSLContext, burst: int):
        self.spec, self.limits, self.client, self.scrub = spec, limits, client, scrub
        self.ssl_context = ssl_context
        self.url = launch.url
        parts = urlsplit(self.url)
        self.scheme, self.host = parts.scheme.lower(), parts.hostname or ""
        self.port = parts.port or (443 if self.scheme == "https" else 80)
        self.origin = origin_of(self.url)
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
        self.unauth = self.base = Reply()  # the handshake without, and with, the spec's credentials
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
                   *, cap: int = BODY_CAP, stream_only: bool = False, budgeted: bool = True) -> Reply:
        """The one place a probe request is sent: bounded in count, time and bytes read."""
        if budgeted:
            if self.requests >= self.budget:
                return Reply(problem=f"not sent: the probe's budget of {self.budget} requests is spent")
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
                                    rpc_answer(bytes(data), ctype, request_id):
                                break
        except (httpx2.HTTPError, httpx2.InvalidURL, httpx2.StreamError, OSError, ssl.SSLError, ValueError) as exc:
            # StreamError: the counting guard stopped a body at the message cap (or could not decode it).
            if isinstance(exc, httpx2.StreamError) and "status" in got:
                got["cut"] = True
            # ValueError: a header value from the spec that HTTP cannot carry; the message names no value.
            if "status" not in got:
                return Reply(problem=self.scrub.text(describe_error(exc, self.limits)),
                              tls_failed=is_tls_failure(exc))
        if "status" not in got:
            return Reply(problem=f"no answer within {timeout:g} s" if scope.cancelled_caught else "no answer")
        ctype = got["headers"].get("content-type", "")
        rpc = rpc_answer(bytes(data), ctype, request_id) if request_id is not None else None
        return Reply(status=got["status"], reason=got["reason"], headers=got["headers"], rpc=rpc,
                      body=bytes(data[:cap]), cut=bool(got.get("cut")))

    async def rpc(self, method: str, *, era: str, creds: bool, extra: Mapping[str, str] | None = None,
                  session: str | None = None) -> Reply:
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

    async def opening(self, *, creds: bool, extra: Mapping[str, str] | None = None) -> Reply:
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


def _display_path(spec: ServerSpec) -> str:
    """The endpoint's path from the display URL (never the real one, which may hide a secret)."""
    try:
        return urlsplit(spec.url or "").path or "/"
    except ValueError:
        return "the endpoint"


def is_tls_failure(exc: BaseException | None) -> bool:
    """True when an ssl.SSLError is anywhere in the chain (httpx2 wraps it in ConnectError)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def describe_error(exc: BaseException, limits: Limits) -> str:
    """One line for an error that stopped a request; never the text of a request-building error, which may
    quote a header value."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate verification failed: {exc.verify_message or exc.reason}"
    if is_tls_failure(exc):
        return f"TLS failed: {str(exc) or type(exc).__name__}"
    if isinstance(exc, httpx2.ConnectTimeout):
        return f"could not connect within {min(limits.connect_timeout, limits.request_timeout):g} s"
    if isinstance(exc, (httpx2.TimeoutException, TimeoutError)):
        return f"timed out: no answer within {limits.request_timeout:g} s"
    if isinstance(exc, (httpx2.LocalProtocolError, httpx2.InvalidURL, ValueError)):
        return f"{type(exc).__name__}: the request could not be built from the spec"
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"
