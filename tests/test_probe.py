"""Posture probes against real servers over real HTTP on 127.0.0.1: what each endpoint enforces, check by check."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import io
import ipaddress
import json
import logging
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn

from mcprisk import Check, Limits, Posture, ServerSpec, SnapshotError, SpecError, probe, probe_async
from mcprisk.cli import main
from mcprisk.demo import demo_spec, serve_http
from mcprisk.introspection import FORBIDDEN_METHODS
from mcprisk.probes import CHECKS
from mcprisk.probes.addresses import forbidden_address, local_addresses

from support import FAST, everything_http

CANARY = "CANARY-PROBE-5e1d0c77a9"
ALLOWED_RPC = {"server/discover", "initialize", "notifications/initialized", "tools/list"}
ALLOWED_HTTP = {"POST", "GET", "OPTIONS", "DELETE", "HEAD"}
HAS_LAN_ADDRESS = bool(local_addresses())


def outcomes(posture: Posture) -> dict[str, str]:
    return {c.id: c.outcome for c in posture.checks}


# -- peers: the demo, SDK apps under uvicorn, scripted stubs --------------------------------------


@pytest.fixture(scope="module")
def demos() -> Iterator[dict[str, Posture]]:
    """The secure demo and each insecure HTTP switch, probed once with the credentials their spec carries."""
    postures = {}
    for switch in ("secure", "no-auth", "no-origin", "bind-all", "cors"):
        with serve_http("support-desk", insecure=() if switch == "secure" else (switch,)) as server:
            postures[switch] = probe(server.spec(), limits=FAST)
    yield postures


@contextlib.contextmanager
def running(app: Any, *, certfile: str | None = None, keyfile: str | None = None) -> Iterator[int]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 (a free port) in a thread; yields the port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False, lifespan="on",
                            ssl_certfile=certfile, ssl_keyfile=keyfile, timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.02)
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def sdk_app(**options: Any) -> Any:
    """A tiny MCPServer's Streamable HTTP app, built with the SDK's own transport-security options."""
    from mcp.server.mcpserver import MCPServer

    server = MCPServer("probe-target")

    @server.tool()
    def ping() -> str:
        """Answer pong."""
        return "pong"

    return server.streamable_http_app(**options)


class Stub(http.server.ThreadingHTTPServer):
    """A scripted HTTP peer on 127.0.0.1 that records every request it receives."""

    daemon_threads = True

    def __init__(self, respond: Callable[["Stub", str, str, dict[str, str], Any], tuple[int, dict[str, str], bytes]]):
        super().__init__(("127.0.0.1", 0), _StubHandler)
        self.respond = respond
        self.requests: list[tuple[str, str, str | None, dict[str, str]]] = []  # (verb, path, rpc method, headers)
        self.state: dict[str, Any] = {"count": 0, "issued": [], "deleted": []}
        self.lock = threading.Lock()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    @property
    def url(self) -> str:
        return self.origin + "/mcp"

    def __enter__(self) -> "Stub":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class _StubHandler(http.server.BaseHTTPRequestHandler):
    server: Stub

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            message = json.loads(raw) if raw else None
        except ValueError:
            message = None
        method = message.get("method") if isinstance(message, dict) else None
        headers = {k.lower(): v for k, v in self.headers.items()}
        with self.server.lock:
            self.server.requests.append((self.command, self.path, method, headers))
            status, extra, body = self.server.respond(self.server, self.command, self.path, headers, message)
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_OPTIONS = do_DELETE = do_HEAD = _handle

    def log_message(self, *args: Any) -> None:
        pass


def _result(message: dict[str, Any], result: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json"}, json.dumps(
        {"jsonrpc": "2.0", "id": message["id"], "result": result}).encode()


def mini_mcp(*, era: str = "modern", limit: int | None = None, session_ids: str = "random"):
    """A minimal MCP endpoint: handshakes and tools/list only, optional 429 after ``limit`` listings."""

    def respond(stub: Stub, verb: str, path: str, headers: dict[str, str], message: Any):
        if verb == "DELETE":
            stub.state["deleted"].append(headers.get("mcp-session-id"))
            return 200, {}, b""
        if verb != "POST" or not isinstance(message, dict):
            return 405, {}, b""
        method = message.get("method")
        if method == "server/discover" and era == "modern":
            return _result(message, {"supportedVersions": ["2026-07-28"], "capabilities": {"tools": {}}})
        if method == "initialize" and era == "legacy":
            n = len(stub.state["issued"]) + 1
            sid = f"session-{n:010d}" if session_ids == "sequential" else os.urandom(16).hex()
            stub.state["issued"].append(sid)
            status, extra, body = _result(message, {"protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
                                                    "serverInfo": {"name": "stub", "version": "1"}})
            return status, {**extra, "Mcp-Session-Id": sid}, body
        if method == "notifications/initialized":
            return 202, {}, b""
        if method == "tools/list":
            stub.state["count"] += 1
            if limit is not None and stub.state["count"] > limit:
                return 429, {"Retry-After": "1"}, b""
            return _result(message, {"tools": [{"name": "ping", "inputSchema": {"type": "object"}}]})
        return 400, {"Content-Type": "application/json"}, json.dumps(
            {"jsonrpc": "2.0", "id": message.get("id"), "error": {"code": -32601, "message": "nope"}}).encode()

    return respond


def challenge(metadata_url: str):
    """Every MCP request gets 401 pointing ``resource_metadata`` at ``metadata_url``; nothing else exists."""

    def respond(stub: Stub, verb: str, path: str, headers: dict[str, str], message: Any):
        if path.startswith("/.well-known/"):
            return 404, {}, b""
        return 401, {"WWW-Authenticate": f'Bearer resource_metadata="{metadata_url}"'}, b""

    return respond


def protected(*, token: str, resource: str | None = None, session_is_enough: bool = False, challenge: bool = True):
    """A legacy MCP endpoint behind a bearer token, publishing RFC 9728 metadata that names ``resource``.

    With ``session_is_enough`` a request carrying a known Mcp-Session-Id needs no token (the flaw to detect).
    """
    inner = mini_mcp(era="legacy")

    def respond(stub: Stub, verb: str, path: str, headers: dict[str, str], message: Any):
        if path.startswith("/.well-known/oauth-protected-resource"):
            if resource is None:
                return 404, {}, b""
            return 200, {"Content-Type": "application/json"}, json.dumps(
                {"resource": resource, "authorization_servers": ["https://as.example"]}).encode()
        authed = headers.get("authorization") == f"Bearer {token}"
        by_session = session_is_enough and headers.get("mcp-session-id") in stub.state["issued"]
        if not (authed or by_session):
            # A relative resource_metadata URL: clients resolve it against the endpoint.
            header = {"WWW-Authenticate": 'Bearer resource_metadata="/.well-known/oauth-protected-resource/mcp"'}
            return 401, header if challenge else {}, b""
        return inner(stub, verb, path, headers, message)

    return respond


def record_only(stub: Stub, verb: str, path: str, headers: dict[str, str], message: Any):
    return 200, {"Content-Type": "application/json"}, b"{}"


# -- the demo: secure vs each insecure switch -----------------------------------------------------


def test_secure_demo_verifies_every_enforced_control(demos):
    """The secure demo passes auth, RFC 9728 metadata, Origin, Host, CORS, binding and session checks."""
    got = outcomes(demos["secure"])
    assert got == {
        "auth.unauthenticated_rejected": "pass",
        "auth.www_authenticate": "pass",
        "auth.resource_metadata": "pass",
        "auth.metadata_resource_matches": "pass",
        "origin.foreign_rejected": "pass",
        "host.foreign_rejected": "pass",
        "cors.no_wildcard": "pass",
        "tls.https": "skipped",
        "tls.certificate": "skipped",
        "bind.loopback_only": "pass" if HAS_LAN_ADDRESS else "unknown",
        "session.id_entropy": "pass",
        "session.bound_to_credentials": "pass",
        "rate.burst_limited": "skipped",
    }
    posture = demos["secure"]
    assert posture.control_status("authn_authz") == "verified"
    assert posture.control_status("origin_validation") == "verified"
    assert posture.control_status("https") is None  # loopback: not applicable, so the probes say nothing
    assert posture.control_status("rate_limits") is None
    assert posture.reachable and posture.error is None


# What each insecure switch changes relative to the secure demo, and nothing else.
DIFFERENCES = {
    "no-auth": {"auth.unauthenticated_rejected": "fail", "auth.www_authenticate": "skipped",
                "auth.resource_metadata": "skipped", "auth.metadata_resource_matches": "skipped",
                "session.bound_to_credentials": "skipped"},
    "no-origin": {"origin.foreign_rejected": "fail", "host.foreign_rejected": "fail"},
    "bind-all": {"bind.loopback_only": "fail"},
    "cors": {"cors.no_wildcard": "fail"},
}


@pytest.mark.parametrize("switch", sorted(DIFFERENCES))
def test_each_insecure_demo_differs_from_the_secure_one_exactly_where_expected(demos, switch):
    """Each insecure switch flips exactly the checks it weakens; every other outcome stays as in the secure demo."""
    if switch == "bind-all" and not HAS_LAN_ADDRESS:
        pytest.skip("this machine has no non-loopback address to knock on")
    secure, insecure = outcomes(demos["secure"]), outcomes(demos[switch])
    changed = {k: v for k, v in insecure.items() if v != secure[k]}
    assert changed == DIFFERENCES[switch]


def test_insecure_demos_map_to_missing_controls(demos):
    """A failed check marks its control missing: no-auth → authn_authz, no-origin → origin_validation, bind-all →
    localhost_binding; CORS alone informs no control."""
    assert demos["no-auth"].control_status("authn_authz") == "missing"
    assert demos["no-origin"].control_status("origin_validation") == "missing"
    if HAS_LAN_ADDRESS:
        assert demos["bind-all"].control_status("localhost_binding") == "missing"
        assert "answers HTTP" in demos["bind-all"].check("bind.loopback_only").received
    assert demos["cors"].control_status("origin_validation") == "verified"
    assert "Access-Control-Allow-Origin: *" in demos["cors"].check("cors.no_wildcard").received


def test_failed_checks_say_what_was_sent_and_received(demos):
    """A failing check names the request (header names only) and the answer in one line each."""
    check = demos["no-origin"].check("origin.foreign_rejected")
    assert check.control == "origin_validation" and check.severity_if_failed == "high"
    assert "Origin: http://evil.example" in check.sent and "with Authorization" in check.sent
    assert check.received.startswith("200")
    assert "\n" not in check.sent + check.received + check.meaning
    auth = demos["no-auth"].check("auth.unauthenticated_rejected")
    assert "no credentials" in auth.sent and "tools/list 200" in auth.received
    assert auth.severity_if_failed == "high"  # loopback: reachable from this machine only


def test_auth_in_front_masks_the_origin_check_without_credentials():
    """Without credentials a 401 hides the Origin check: the outcome is unknown, with the reason, not a pass."""
    with serve_http("support-desk") as server:
        posture = probe(server.url, limits=FAST)
    origin = posture.check("origin.foreign_rejected")
    assert origin.outcome == "unknown"
    assert "401" in origin.received and "no credentials" in origin.meaning
    assert posture.check("auth.unauthenticated_rejected").outcome == "pass"
    assert posture.check("session.id_entropy").outcome == "unknown"


def test_demo_over_legacy_sse():
    """Over the legacy HTTP+SSE transport the GET stream is what is judged; session checks are skipped."""
    with serve_http("support-desk", transport="sse") as server:
        posture = probe(server.spec(), limits=FAST)
    got = outcomes(posture)
    assert got["auth.unauthenticated_rejected"] == "pass"
    assert got["origin.foreign_rejected"] == "pass"
    assert got["auth.resource_metadata"] == "pass"
    assert got["session.id_entropy"] == got["session.bound_to_credentials"] == "skipped"


# -- the SDK's own transport-security settings ----------------------------------------------------


def test_sdk_protection_is_on_for_a_loopback_host():
    """An MCPServer app built for host 127.0.0.1 gets the SDK's DNS-rebinding protection: Origin and Host refused."""
    with running(sdk_app(host="127.0.0.1")) as port:
        posture = probe(f"http://127.0.0.1:{port}/mcp", limits=FAST)
    got = outcomes(posture)
    assert got["origin.foreign_rejected"] == "pass"
    assert got["host.foreign_rejected"] == "pass"
    assert "421" in posture.check("host.foreign_rejected").received
    assert got["auth.unauthenticated_rejected"] == "fail"  # the SDK adds no authentication by itself
    assert got["session.id_entropy"] == "pass"  # dual-era: initialize still issues random session ids


def test_sdk_protection_is_off_for_a_wildcard_host():
    """The same app built for host 0.0.0.0 without settings validates neither Origin nor Host."""
    with running(sdk_app(host="0.0.0.0")) as port:
        posture = probe(f"http://127.0.0.1:{port}/mcp", limits=FAST)
    assert outcomes(posture)["origin.foreign_rejected"] == "fail"
    assert outcomes(posture)["host.foreign_rejected"] == "fail"
    assert posture.control_status("origin_validation") == "missing"


def test_sdk_explicit_transport_security_settings_are_seen():
    """Explicit TransportSecuritySettings restore the checks on a wildcard host; a stateless app issues no session."""
    from mcp.server.transport_security import TransportSecuritySettings

    settings = TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=["127.0.0.1:*"],
                                         allowed_origins=["https://app.example.com"])
    with running(sdk_app(host="0.0.0.0", transport_security=settings, stateless_http=True)) as port:
        posture = probe(f"http://127.0.0.1:{port}/mcp", limits=FAST)
    got = outcomes(posture)
    assert got["origin.foreign_rejected"] == "pass" and got["host.foreign_rejected"] == "pass"
    assert got["session.id_entropy"] == "skipped"


# -- the npm reference server ---------------------------------------------------------------------


@pytest.mark.node
@pytest.mark.slow
def test_server_everything_has_no_auth_no_origin_check_and_wildcard_cors(npx, tmp_path):
    """server-everything in streamableHttp mode: no auth, Origin and Host not validated, CORS *, random sessions."""
    with everything_http(npx, tmp_path) as url:
        posture = probe(url)
    got = outcomes(posture)
    assert got["auth.unauthenticated_rejected"] == "fail"
    assert got["origin.foreign_rejected"] == "fail"
    assert got["host.foreign_rejected"] == "fail"
    assert got["cors.no_wildcard"] == "fail"
    assert got["session.id_entropy"] == "pass"
    assert got["bind.loopback_only"] == ("pass" if HAS_LAN_ADDRESS else "unknown")


# -- SSRF: server-supplied metadata URLs ----------------------------------------------------------


def test_metadata_url_at_cloud_metadata_service_is_not_fetched():
    """A 401 pointing resource_metadata at 169.254.169.254 fails the check; the URL is reported, not fetched."""
    with Stub(challenge("http://169.254.169.254/latest/meta-data")) as stub:
        started = time.monotonic()
        posture = probe(stub.url, limits=FAST)
        elapsed = time.monotonic() - started
    check = posture.check("auth.resource_metadata")
    assert check.outcome == "fail" and check.severity_if_failed == "high"
    assert "169.254.169.254" in check.received and "not fetched" in check.sent
    assert posture.check("auth.metadata_resource_matches").outcome == "unknown"
    assert elapsed < FAST.connect_timeout  # nothing waited on an unroutable address
    assert not any(path.startswith("/.well-known/") for _, path, _, _ in stub.requests)


def test_metadata_url_on_another_origin_is_not_fetched_unless_allowed():
    """resource_metadata on another origin fails and that origin gets no request; allow_origins permits it."""
    with Stub(record_only) as elsewhere, Stub(challenge("")) as target:
        target.respond = challenge(elsewhere.origin + "/.well-known/oauth-protected-resource")
        posture = probe(target.url, limits=FAST)
        assert elsewhere.requests == []
        check = posture.check("auth.resource_metadata")
        assert check.outcome == "fail" and "another origin" in check.received

        allowed = probe(target.url, limits=FAST, allow_origins=[elsewhere.origin])
        assert [path for _, path, _, _ in elsewhere.requests] == ["/.well-known/oauth-protected-resource"]
        # Fetched now, but "{}" names no authorization server.
        assert "authorization_servers" in allowed.check("auth.resource_metadata").received


def test_address_rules_for_server_supplied_urls():
    """Metadata and link-local addresses are never fetched; private ones only when the endpoint is private too."""
    ip = ipaddress.ip_address
    assert "metadata" in forbidden_address(ip("169.254.169.254"), target_private=True)
    assert "metadata" in forbidden_address(ip("fd00:ec2::254"), target_private=True)
    assert "link-local" in forbidden_address(ip("fe80::1"), target_private=True)
    assert "private" in forbidden_address(ip("10.0.0.5"), target_private=False)
    assert "private" in forbidden_address(ip("127.0.0.1"), target_private=False)
    assert forbidden_address(ip("10.0.0.5"), target_private=True) is None
    assert forbidden_address(ip("93.184.215.14"), target_private=False) is None


def test_metadata_naming_another_resource_fails_the_match():
    """Metadata whose resource is not this endpoint fails; the same URL with a trailing slash matches."""
    with Stub(record_only) as stub:
        stub.respond = protected(token="t0ken-for-tests", resource="https://other.example/mcp")
        other = probe(ServerSpec.http(stub.url, headers={"Authorization": "Bearer t0ken-for-tests"}), limits=FAST)
        stub.respond = protected(token="t0ken-for-tests", resource=stub.url + "/")
        same = probe(ServerSpec.http(stub.url, headers={"Authorization": "Bearer t0ken-for-tests"}), limits=FAST)
    assert other.check("auth.resource_metadata").outcome == "pass"  # found via the relative header URL
    assert other.check("auth.metadata_resource_matches").outcome == "fail"
    assert "other.example" in other.check("auth.metadata_resource_matches").received
    assert same.check("auth.metadata_resource_matches").outcome == "pass"


def test_401_without_challenge_or_metadata_fails_discovery():
    """A bare 401 fails the WWW-Authenticate check and, with no well-known document either, the metadata check."""
    with Stub(protected(token="t0ken-for-tests", challenge=False)) as stub:
        posture = probe(stub.url, limits=FAST)
    assert posture.check("auth.unauthenticated_rejected").outcome == "pass"
    assert posture.check("auth.www_authenticate").outcome == "fail"
    assert posture.check("auth.resource_metadata").outcome == "fail"
    assert "/.well-known/oauth-protected-resource/mcp 404" in posture.check("auth.resource_metadata").received
    assert posture.check("auth.metadata_resource_matches").outcome == "unknown"


def test_session_id_standing_in_for_credentials_fails():
    """A server that serves tools/list to a session id without the token fails session.bound_to_credentials."""
    with Stub(protected(token="t0ken-for-tests", session_is_enough=True)) as stub:
        spec = ServerSpec.http(stub.url, headers={"Authorization": "Bearer t0ken-for-tests"})
        posture = probe(spec, limits=FAST)
    assert posture.check("auth.unauthenticated_rejected").outcome == "pass"
    assert posture.check("session.bound_to_credentials").outcome == "fail"
    assert posture.control_status("authn_authz") == "missing"


# -- sessions, rate limits, and the wire ----------------------------------------------------------


def test_sequential_session_ids_fail_and_every_session_is_deleted():
    """Predictable Mcp-Session-Id values fail the entropy check, and each session the probe opened gets a DELETE."""
    with Stub(mini_mcp(era="legacy", session_ids="sequential")) as stub:
        posture = probe(stub.url, limits=FAST)
    check = posture.check("session.id_entropy")
    assert check.outcome == "fail" and "predictable" in check.meaning
    assert stub.state["issued"] and sorted(stub.state["deleted"]) == sorted(stub.state["issued"])


def test_burst_without_429_fails_against_the_demo():
    """A small burst against the demo sees no 429: no rate limit observed, within a few seconds."""
    with serve_http("support-desk") as server:
        started = time.monotonic()
        posture = probe(server.spec(), limits=FAST, burst=6)
        elapsed = time.monotonic() - started
    check = posture.check("rate.burst_limited")
    assert check.outcome == "fail"
    assert "no rate limit observed for 6 requests" in check.meaning.lower()
    assert posture.control_status("rate_limits") == "missing"
    assert elapsed < 10


def test_burst_that_meets_429_passes_and_stops():
    """A 429 during the burst passes the rate check, quoting Retry-After, and ends the burst early."""
    with Stub(mini_mcp(limit=3)) as stub:
        posture = probe(stub.url, limits=FAST, burst=200)
    check = posture.check("rate.burst_limited")
    assert check.outcome == "pass" and "Retry-After: 1" in check.received
    assert stub.state["count"] < 60


def test_burst_is_capped_and_opt_in():
    """burst=0 skips the rate check; a negative burst is an error."""
    with Stub(mini_mcp()) as stub:
        assert probe(stub.url, limits=FAST).check("rate.burst_limited").outcome == "skipped"
        with pytest.raises(ValueError, match="burst"):
            probe(stub.url, burst=-1)


@pytest.mark.parametrize("era", ["modern", "legacy"])
def test_only_handshakes_and_listings_reach_the_server(era):
    """The probes send handshakes, tools/list, GET/OPTIONS/DELETE only: never a call, read or get."""
    with Stub(mini_mcp(era=era)) as stub:
        probe(stub.url, limits=FAST, burst=3)
    verbs = {verb for verb, _, _, _ in stub.requests}
    methods = {method for _, _, method, _ in stub.requests if method}
    assert verbs <= ALLOWED_HTTP
    assert methods <= ALLOWED_RPC and not methods & FORBIDDEN_METHODS
    assert "tools/list" in methods
    assert len(stub.requests) < 60  # bounded: 3 for the burst plus a few dozen at most


# -- TLS --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command (skip where it is absent)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: no certificate for the HTTPS tests")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return str(cert), str(key)


def test_untrusted_certificate_fails_and_nothing_is_sent_over_it(certificate):
    """A self-signed certificate fails tls.certificate; verification stays on, so the other checks are not run."""
    cert, key = certificate
    with running(sdk_app(host="127.0.0.1"), certfile=cert, keyfile=key) as port:
        posture = probe(f"https://127.0.0.1:{port}/mcp", limits=FAST)
    assert posture.check("tls.https").outcome == "pass"
    check = posture.check("tls.certificate")
    assert check.outcome == "fail" and "verif" in check.received
    assert posture.check("origin.foreign_rejected").outcome == "unknown"
    assert "unverified TLS" in posture.check("origin.foreign_rejected").meaning
    assert posture.reachable


def test_trusted_certificate_passes_with_its_tls_version(certificate, monkeypatch):
    """With the certificate trusted (SSL_CERT_FILE) the TLS version is reported and every check runs over HTTPS."""
    cert, key = certificate
    monkeypatch.setenv("SSL_CERT_FILE", cert)
    with running(sdk_app(host="127.0.0.1"), certfile=cert, keyfile=key) as port:
        posture = probe(f"https://127.0.0.1:{port}/mcp", limits=FAST)
    check = posture.check("tls.certificate")
    assert check.outcome == "pass" and "TLSv1." in check.received
    assert posture.control_status("https") == "verified"
    assert posture.check("origin.foreign_rejected").outcome == "pass"


def test_plain_http_to_a_non_loopback_host_fails_https():
    """http:// to a non-loopback address fails tls.https even when nothing answers there."""
    if not HAS_LAN_ADDRESS:
        pytest.skip("this machine has no non-loopback address")
    address = local_addresses()[0]  # this machine's own: the test knocks on no other host
    with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as s:
        s.bind((address, 0))
        port = s.getsockname()[1]
    host = f"[{address}]" if ":" in address else address
    posture = probe(f"http://{host}:{port}/mcp", limits=Limits(connect_timeout=1, request_timeout=1, total_timeout=3))
    check = posture.check("tls.https")
    assert check.outcome == "fail" and check.control == "https"
    assert posture.control_status("https") == "missing"
    assert not posture.reachable


# -- secrets, results and the API -----------------------------------------------------------------


def echo_secret(stub: Stub, verb: str, path: str, headers: dict[str, str], message: Any):
    """A hostile peer that reflects the bare bearer token in the headers a probe reports."""
    token = headers.get("authorization", "").removeprefix("Bearer ")
    return 401, {"WWW-Authenticate": f'Bearer realm="{token}"', "Access-Control-Allow-Origin": token or "null"}, b""


def test_canary_secret_never_leaves(caplog, monkeypatch):
    """A token sent as a header, echoed back, or put in the URL appears in no posture JSON, repr, HTML, frame,
    log record or CLI output."""
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("PROBE_CANARY", f"Bearer {CANARY}")
    texts: list[str] = []
    with serve_http("support-desk", token=CANARY) as server, Stub(echo_secret) as echo:
        echoed = ServerSpec.http(f"{echo.url}?api_key={CANARY}", headers={"Authorization": f"Bearer {CANARY}"})
        postures = [probe(server.spec(), limits=FAST, burst=2), probe(echoed, limits=FAST)]
        assert any(CANARY in h.get("authorization", "") for _, _, _, h in echo.requests)  # it really was sent
        out, err = io.StringIO(), io.StringIO()
        assert main(["probe", server.url, "--header", "Authorization=env:PROBE_CANARY"], out=out, err=err) == 0
        texts += [out.getvalue(), err.getvalue()]
        out = io.StringIO()
        main(["probe", server.url, "--json", "--header", "Authorization=env:PROBE_CANARY"], out=out, err=err)
        texts.append(out.getvalue())
    assert postures[0].check("origin.foreign_rejected").outcome == "pass"
    for posture in postures:
        texts += [posture.to_json(), repr(posture), posture._repr_html_(), posture.to_frame().to_string()]
    texts += [r.getMessage() for r in caplog.records] + [str(r.args) for r in caplog.records]
    for text in texts:
        assert CANARY not in text


def test_header_value_http_cannot_carry_is_a_spec_error_naming_only_the_header():
    """A credential with a newline is refused before sending: HTTP libraries would quote it in their errors."""
    spec = ServerSpec.http("http://127.0.0.1:9/mcp", headers={"Authorization": f"Bearer {CANARY}\n"})
    with pytest.raises(SpecError, match="Authorization") as info:
        probe(spec, limits=FAST)
    assert CANARY not in str(info.value)


def test_posture_json_round_trips_and_is_deterministic(demos):
    """to_json is sorted and stable across runs against the same server; from_json gives the same Posture."""
    with serve_http("support-desk") as server:
        first, second = probe(server.spec(), limits=FAST), probe(server.spec(), limits=FAST)
    assert first.to_json() == second.to_json()
    assert Posture.from_json(first.to_json()) == first
    data = json.loads(first.to_json())
    assert [c["id"] for c in data["checks"]] == sorted(CHECKS)
    with pytest.raises(SnapshotError):
        Posture.from_json('{"format": "something else"}')


def test_html_and_frame_views_escape_server_text():
    """Server-supplied header text is escaped in the notebook HTML and shown in the DataFrame as sent."""
    with Stub(challenge('<script>alert(1)</script>')) as stub:
        posture = probe(stub.url, limits=FAST)
    page = posture._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    frame = posture.to_frame()
    assert list(frame.columns)[:3] == ["id", "control", "outcome"] and len(frame) == len(CHECKS)


def test_stdio_spec_gets_a_posture_of_skipped_checks():
    """A stdio server has no network surface: every check is skipped, saying so, and no control is judged."""
    posture = probe(demo_spec("support-desk"))
    assert posture.transport == "stdio" and posture.url is None
    assert {c.outcome for c in posture.checks} == {"skipped"}
    assert all("no network surface" in c.meaning for c in posture.checks)
    assert posture.control_status("authn_authz") is None


def test_unreachable_endpoint_is_reported_quickly():
    """Nothing listening: the posture carries the error, the network checks are unknown, and it ends fast."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    posture = probe(f"http://127.0.0.1:{port}/mcp", limits=FAST)
    assert time.monotonic() - started < 3
    assert not posture.reachable and "cannot reach" in posture.error
    assert posture.check("origin.foreign_rejected").outcome == "unknown"


def test_sync_probe_works_inside_a_running_event_loop_and_async_can_be_awaited():
    """probe() works under a running loop (as in Jupyter) and probe_async() can be awaited."""
    with Stub(mini_mcp()) as stub:

        async def inside_loop() -> tuple[Posture, Posture]:
            return probe(stub.url, limits=FAST), await probe_async(stub.url, limits=FAST)

        sync, awaited = asyncio.run(inside_loop())
    assert outcomes(sync) == outcomes(awaited)
    assert sync.check("auth.unauthenticated_rejected").outcome == "fail"


def test_check_rejects_unknown_outcomes():
    """A Check only takes the four outcomes and the four severities."""
    with pytest.raises(ValueError):
        Check("x", None, "maybe", "", "", "", "low")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Check("x", None, "pass", "", "", "", "severe")  # type: ignore[arg-type]


# -- the command ------------------------------------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


def test_cli_probe_prints_checks_and_controls(monkeypatch, tmp_path):
    """`mcprisk probe URL --header ...` prints one line per check and the control statuses, exit 0; -o writes JSON."""
    with serve_http("support-desk", insecure="no-origin") as server:
        monkeypatch.setenv("PROBE_TOKEN", f"Bearer {server.token}")
        path = tmp_path / "posture.json"
        code, out, _ = run("probe", server.url, "--header", "Authorization=env:PROBE_TOKEN", "-o", str(path))
    assert code == 0
    assert "fail     origin.foreign_rejected" in out and "controls:" in out
    assert "origin_validation missing" in out
    assert Posture.from_json(path.read_text()).check("auth.unauthenticated_rejected").outcome == "pass"


def test_cli_probe_exit_codes():
    """Unreachable endpoint exits 3; a missing URL, a bad scheme, a bad --allow-origin or --burst exit 2."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert run("probe", f"http://127.0.0.1:{port}/mcp", "--timeout", "5")[0] == 3
    assert run("probe")[0] == 2
    assert run("probe", "ftp://example.com/mcp")[0] == 2
    assert run("probe", f"http://127.0.0.1:{port}/mcp", "--allow-origin", "not-an-origin")[0] == 2
    assert run("probe", f"http://127.0.0.1:{port}/mcp", "--burst", "-1")[0] == 2
