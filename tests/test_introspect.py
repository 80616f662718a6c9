"""Introspection of real servers over real transports, the invocation tripwire, and concurrency."""

from __future__ import annotations

import asyncio
import http.server
import logging
import socket
import sys
import threading
import time

import anyio
import pytest

from mcprisk import Limits, ServerSpec, Snapshot, introspect, introspect_async, introspect_many
from mcprisk.demo import demo_spec, serve_http
from mcprisk._scrub import Scrubber
from mcprisk._wire import Wire
from mcprisk._resolve import ResolvedLaunch
from mcprisk.introspection import FORBIDDEN_METHODS

from support import FAST, ZOO, everything_http, zoo_spec

ALLOWED_METHODS = {"server/discover", "initialize", "notifications/initialized", "tools/list", "resources/list",
                   "resources/templates/list", "prompts/list", "notifications/cancelled"}


# -- real peers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("era", ["auto", "legacy", "modern"])
def test_demo_server_over_stdio_in_each_era(era):
    """The bundled support-desk server is fully listed over stdio in both protocol eras."""
    snap = introspect(demo_spec("support-desk"), era=era)
    assert snap.status == "complete", snap.errors
    assert snap.era == ("legacy" if era == "legacy" else "modern")
    assert len(snap.tools) >= 13
    assert snap.resources and snap.resource_templates and snap.prompts
    assert snap.server_info["name"] == "support-desk"
    assert snap.instructions


def test_demo_server_over_streamable_http_with_token():
    """Over Streamable HTTP with the bearer token the demo server lists the same tools as over stdio."""
    stdio = introspect(demo_spec("support-desk"))
    with serve_http("support-desk") as server:
        snap = introspect(server.spec())
    assert snap.status == "complete", snap.errors
    assert [t.name for t in snap.tools] == [t.name for t in stdio.tools]
    assert [t.fingerprint for t in snap.tools] == [t.fingerprint for t in stdio.tools]


def test_demo_server_over_legacy_sse():
    """The deprecated HTTP+SSE transport is introspected with the initialize handshake."""
    with serve_http("support-desk", transport="sse", insecure="no-auth") as server:
        snap = introspect(server.spec())
    assert snap.status == "complete", snap.errors
    assert snap.era == "legacy"
    assert len(snap.tools) >= 13


def test_http_without_token_reports_401_and_challenge():
    """A protected endpoint reached without credentials fails with the status and WWW-Authenticate."""
    with serve_http("support-desk") as server:
        snap = introspect(ServerSpec.http(server.url), limits=FAST)
    assert snap.status == "failed"
    message = " ".join(e.message for e in snap.errors)
    assert "401" in message and "resource_metadata" in message


@pytest.mark.slow
@pytest.mark.parametrize("command", [["mcp-server-time"], ["mcp-server-fetch"], ["mcp-server-git"]])
def test_reference_servers_from_pypi(command):
    """The reference servers published on PyPI are introspected completely."""
    snap = introspect(ServerSpec.stdio(command))
    assert snap.status == "complete", snap.errors
    assert snap.tools
    assert all(t.fingerprint.startswith("sha256:") for t in snap.tools)


@pytest.mark.node
@pytest.mark.slow
def test_server_everything_over_stdio(npx):
    """The npm reference server (TypeScript SDK, legacy era) is introspected over stdio."""
    snap = introspect(ServerSpec.stdio([npx, "-y", "@modelcontextprotocol/server-everything"]),
                      limits=Limits(connect_timeout=120, total_timeout=180))
    assert snap.status == "complete", snap.errors
    assert snap.era == "legacy"
    assert len(snap.tools) >= 10 and snap.resources and snap.prompts


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.node
@pytest.mark.slow
def test_server_everything_over_streamable_http(npx, tmp_path):
    """The npm reference server in streamableHttp mode is introspected over HTTP on 127.0.0.1."""
    with everything_http(npx, tmp_path) as url:
        snap = introspect(ServerSpec.http(url))
    assert snap.status == "complete", snap.errors
    assert snap.era == "legacy" and len(snap.tools) >= 10


# -- never invoke anything ----------------------------------------------------------------------


def test_tripwire_only_listing_methods_reach_the_server(tmp_path):
    """Introspection sends the handshake and list methods only, never a call, read or get."""
    log = tmp_path / "methods.log"
    for modern in (False, True):
        snap = introspect(zoo_spec("healthy", modern=modern, env={"ZOO_METHOD_LOG": str(log)}), limits=FAST)
        assert snap.status == "complete"
    received = set(log.read_text().split())
    assert received <= ALLOWED_METHODS
    assert not received & FORBIDDEN_METHODS
    assert {"tools/list", "resources/list", "prompts/list"} <= received


def test_wire_guard_refuses_invocations():
    """The wire guard raises before any forbidden method could be written."""
    wire = Wire(FAST, Scrubber([]))
    for method in ("tools/call", "resources/read", "prompts/get", "completion/complete"):
        with pytest.raises(PermissionError, match="never sends"):
            wire.outgoing({"jsonrpc": "2.0", "id": 1, "method": method, "params": {}})
    wire.outgoing({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
    assert wire.ids_by_method == {"tools/list": [2]}


def test_guarded_session_cannot_call_a_tool(tmp_path):
    """Even a session that tries tools/call through mcprisk's transport never reaches the server."""
    from mcp import ClientSession

    from mcprisk._stdio import stdio_transport
    from mcprisk._wire import guarded

    log = tmp_path / "methods.log"
    spec = zoo_spec("healthy", env={"ZOO_METHOD_LOG": str(log)})

    async def attempt() -> str:
        wire = Wire(FAST, Scrubber([]))
        async with guarded(stdio_transport(spec, ResolvedLaunch.resolve(spec, None, None), wire), wire,
                           tee_incoming=False) as (read, write):
            async with ClientSession(read, write, read_timeout_seconds=5) as session:
                await session.initialize()
                try:
                    await session.call_tool("delete_order", {"q": "1"})
                except Exception as exc:  # noqa: BLE001
                    return str(exc)
        return "no error"

    message = anyio.run(attempt)
    assert "never sends" in message
    assert "tools/call" not in log.read_text().split()


# -- secrets --------------------------------------------------------------------------------------

CANARY = "CANARY-SECRET-7f3a9b21"


def test_canary_secret_never_leaves(caplog, tmp_path):
    """A secret in env, headers, args and URL appears in no snapshot, log record or exception text."""
    caplog.set_level(logging.DEBUG)
    specs = [
        zoo_spec("healthy", env={"API_TOKEN": CANARY}),
        ServerSpec.stdio([sys.executable, "-c", "import sys; sys.exit(2)", "--token", CANARY], name="dies",
                         env={"API_TOKEN": CANARY}),
        ServerSpec.http(f"http://user:{CANARY}@127.0.0.1:9/mcp?api_key={CANARY}", name="refused",
                        headers={"Authorization": f"Bearer {CANARY}"}),
    ]
    with serve_http("support-desk") as server:
        specs.append(ServerSpec.http(server.url, name="wrong-token", headers={"Authorization": f"Bearer {CANARY}"}))
        snaps = introspect_many(specs, limits=FAST)
    texts = [s.to_json() for s in snaps] + [repr(s) for s in snaps] + [repr(s.server) for s in snaps]
    for snap in snaps:
        try:
            snap.raise_for_status()
        except Exception as exc:  # noqa: BLE001
            texts.append(str(exc))
    texts += [r.getMessage() for r in caplog.records] + [str(r.args) for r in caplog.records]
    assert snaps[0].status == "complete"
    assert {s.status for s in snaps[1:]} == {"failed"}
    for text in texts:
        assert CANARY not in text


def test_header_with_control_characters_is_refused_by_name():
    """A header value HTTP cannot carry fails the spec with the header's name, never its value."""
    snap = introspect(ServerSpec.http("http://127.0.0.1:9/mcp", headers={"Authorization": f"Bearer {CANARY}\n"}),
                      limits=FAST)
    assert snap.status == "failed" and snap.errors[0].code == "spec_error"
    assert "Authorization" in snap.errors[0].message and CANARY not in snap.to_json()


def test_unset_env_reference_is_a_clear_error():
    """A ${env:VAR} that is not set fails that server with a message naming the variable only."""
    spec = zoo_spec("healthy", env={"TOKEN": "${env:MCPRISK_TEST_SURELY_UNSET}"})
    snap = introspect(spec, limits=FAST, environ={})
    assert snap.status == "failed"
    assert "MCPRISK_TEST_SURELY_UNSET" in snap.errors[0].message


# -- concurrency and event loops -----------------------------------------------------------------


def test_one_slow_server_does_not_delay_the_others():
    """Among many servers a hanging one costs only its own limit, and the rest complete."""
    specs = [zoo_spec("healthy").with_name(f"ok-{i}") for i in range(6)] + [zoo_spec("never-answers")]
    started = time.monotonic()
    snaps = introspect_many(specs, concurrency=8, limits=FAST)
    elapsed = time.monotonic() - started
    assert [s.name for s in snaps] == [s.name for s in specs]
    assert [s.status for s in snaps] == ["complete"] * 6 + ["failed"]
    assert elapsed < FAST.connect_timeout + 5


def test_sync_api_works_inside_a_running_event_loop():
    """introspect() works when an event loop is already running (as in a Jupyter kernel)."""

    async def inside_loop() -> Snapshot:
        return introspect(zoo_spec("healthy"), limits=FAST)

    snap = asyncio.run(inside_loop())
    assert snap.status == "complete"


def test_async_api_can_be_awaited():
    """introspect_async() can be awaited directly (top-level await in notebooks)."""
    snap = asyncio.run(introspect_async(zoo_spec("healthy"), limits=FAST))
    assert snap.status == "complete"


class _Unauthorized(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Bearer resource_metadata="http://127.0.0.1/.well-known/oauth-protected-resource"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST

    def log_message(self, *args):
        pass


def test_plain_401_server_reports_challenge():
    """A non-MCP endpoint answering 401 yields a failed snapshot that quotes WWW-Authenticate."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Unauthorized)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        snap = introspect(ServerSpec.http(f"http://127.0.0.1:{server.server_port}/mcp"), limits=FAST)
    finally:
        server.shutdown()
    assert snap.status == "failed"
    assert any(e.code == "http_status" and "401" in e.message and "resource_metadata" in e.message
               for e in snap.errors)


def test_connection_refused_is_named():
    """Nothing listening gives connection_refused quickly."""
    snap = introspect(ServerSpec.http(f"http://127.0.0.1:{_free_port()}/mcp"), limits=FAST)
    assert snap.status == "failed"
    assert snap.errors[0].code == "connection_refused"


def test_placeholders_in_args_and_url_are_filled_and_scrubbed():
    """${env:...} in arguments is filled at launch, and the filled value never reaches the snapshot."""
    spec = ServerSpec.stdio([sys.executable, str(ZOO), "${env:ZOO_MODE}", "--x=${env:ZOO_SECRET}"], name="ph",
                            env={"ZOO_SECRET": "${env:ZOO_SECRET}"})
    snap = introspect(spec, limits=FAST, environ={"ZOO_MODE": "echo-secret", "ZOO_SECRET": CANARY})
    assert snap.status == "complete", snap.errors
    assert CANARY not in snap.to_json()
    assert snap.tool("leaky").description.endswith("***.")
