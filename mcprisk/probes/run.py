"""Probe one endpoint: resolve its spec, open one bounded HTTP client, run every check family, and end the
sessions it opened."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

import anyio
import httpx2

from .._errors import SpecError
from .._httpguard import GuardedTransport
from .._resolve import ResolvedLaunch
from .._scrub import Scrubber, scrubbed_logs
from .._sync import run_sync
from ..introspection import Limits
from ..specs import ServerSpec
from . import auth, cors, origin, rate, sessions, tls
from .addresses import origin_of, resolve_host
from .rate import MAX_BURST
from .exchange import BODY_CAP, Probe
from .results import CHECKS, Check, Posture

__all__ = ["probe", "probe_async"]

_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[\x20-\x7e\t]*")

_STDIO_MEANING = "stdio servers have no network surface; the probes apply to HTTP endpoints"
_UNREACHED = "not run: the endpoint could not be reached"


async def run_checks(p: Probe) -> None:
    """Every check family in report order; stops early when the endpoint cannot be reached or verified."""
    p.addresses = await resolve_host(p.host, p.port, p.limits.connect_timeout)
    tls.https(p)
    p.unauth = await p.opening(creds=False)
    if p.unauth.status is None and not p.unauth.tls_failed:
        p.unreachable = f"cannot reach {p.spec.url}: {p.unauth.problem}"
        p.stopped = _UNREACHED
        return
    await tls.certificate(p)
    if p.unauth.tls_failed:
        p.stopped = "not run: the TLS certificate did not verify, and mcprisk sends nothing over unverified TLS"
        return
    p.base = await p.opening(creds=True) if p.creds else p.unauth
    await auth.authentication(p)
    await auth.metadata(p)
    origin_reply = await origin.foreign_origin(p)
    await origin.foreign_host(p)
    await cors.cors(p, origin_reply)
    await origin.binding(p)
    await sessions.sessions_issued(p)
    await rate.burst(p)


def _stdio_posture(spec: ServerSpec) -> Posture:
    checks = tuple(Check(check_id, control, "skipped", "nothing", "stdio transport", _STDIO_MEANING, severity)
                   for check_id, (control, severity) in CHECKS.items())
    return Posture(name=spec.name, url=None, transport="stdio", checks=checks)


def _allowed_origins(origins: Iterable[str] | None) -> frozenset[str]:
    out = set()
    for entry in origins or ():
        parts = urlsplit(entry)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"allow_origins entries are origins like https://auth.example.com; got {entry!r}")
        out.add(origin_of(entry))
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
    launch = ResolvedLaunch.resolve(spec, environ, inputs)
    for name, value in launch.headers.items():
        # HTTP libraries quote a bad value back in their error text, where no scrubber would match it.
        if not _HEADER_VALUE.fullmatch(value) or not _HEADER_NAME.fullmatch(name):
            raise SpecError(f"header {name!r} has a value HTTP cannot carry (control or non-ASCII characters)")
    # The credential after a scheme word ("Bearer <token>") is a secret on its own: a server may echo it bare.
    scrub = Scrubber([*launch.secret_values(spec), *(v.split(None, 1)[-1] for v in launch.headers.values())])
    context = httpx2.create_ssl_context()  # the trust the mcp SDK's client would use; verification stays on
    probe_run: Probe | None = None
    with scrubbed_logs(scrub):
        # Every body goes through the counting guard: decoded within the probe's own read cap, never past it.
        cap = min(BODY_CAP, limits.max_message_bytes)
        transport = GuardedTransport(cap, inner=httpx2.AsyncHTTPTransport(verify=context))
        async with httpx2.AsyncClient(verify=context, follow_redirects=False, transport=transport,
                                      headers={"Accept-Encoding": "identity"},
                                      timeout=httpx2.Timeout(limits.request_timeout,
                                                             connect=min(limits.connect_timeout,
                                                                         limits.request_timeout))) as client:
            probe_run = Probe(spec, launch, limits, client, scrub, origins, context, burst)
            with anyio.move_on_after(limits.total_timeout) as deadline:
                try:
                    await run_checks(probe_run)
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
    return run_sync(probe_async, spec_or_url, limits=limits, allow_origins=allow_origins, burst=burst,
                    environ=environ, inputs=inputs)
