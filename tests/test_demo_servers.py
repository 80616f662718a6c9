"""The bundled demo servers over real transports: what they list, and how their HTTP endpoint behaves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from mcprisk.demo import TOKEN_ENV, DemoHTTPServer, demo_command, demo_spec, serve_http

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 15

OUTSIDE_TOOLS = {"search_tickets", "read_inbox", "fetch_url", "reply_to_ticket", "send_customer_email",
                 "post_to_slack"}
FULL_TOOLS = {
    "search_tickets", "get_customer", "list_orders", "integration_status", "read_inbox", "fetch_url",
    "add_internal_note", "update_ticket_status", "export_customer_data", "reply_to_ticket",
    "send_customer_email", "post_to_slack", "issue_refund", "provision_sandbox",
    "delete_customer_record", "run_sql", "rotate_api_key",
}
DISCOVER = {
    "jsonrpc": "2.0", "id": 1, "method": "server/discover",
    "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                         "io.modelcontextprotocol/clientCapabilities": {}}},
}
DISCOVER_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json, text/event-stream",
    "MCP-Protocol-Version": "2026-07-28",
    "Mcp-Method": "server/discover",
}


@dataclass
class Listing:
    protocol_version: str
    server_info: Any
    instructions: str | None
    tools: dict[str, Any]
    resources: list[str]
    templates: list[str]
    prompts: list[str]


async def _collect(client: Client) -> Listing:
    tools = (await client.list_tools()).tools
    return Listing(
        protocol_version=client.protocol_version,
        server_info=client.server_info,
        instructions=client.instructions,
        tools={t.name: t for t in tools},
        resources=[r.uri for r in (await client.list_resources()).resources],
        templates=[t.uri_template for t in (await client.list_resource_templates()).resource_templates],
        prompts=[p.name for p in (await client.list_prompts()).prompts],
    )


def list_stdio(server: str = "support-desk", *, mode: str = "auto", **options: Any) -> Listing:
    cmd = demo_command(server, **options)
    params = StdioServerParameters(command=cmd[0], args=cmd[1:], cwd=str(REPO))

    async def go() -> Listing:
        with anyio.fail_after(TIMEOUT):
            async with Client(params, mode=mode, read_timeout_seconds=TIMEOUT) as client:
                return await _collect(client)

    return anyio.run(go)


def list_http(url: str, headers: dict[str, str], *, mode: str = "auto") -> Listing:
    async def go() -> Listing:
        with anyio.fail_after(TIMEOUT):
            async with httpx2.AsyncClient(headers=headers, timeout=TIMEOUT) as http:
                async with Client(streamable_http_client(url, http_client=http), mode=mode,
                                  read_timeout_seconds=TIMEOUT) as client:
                    return await _collect(client)

    return anyio.run(go)


def post_discover(url: str, **headers: str) -> httpx2.Response:
    return httpx2.post(url, json=DISCOVER, headers={**DISCOVER_HEADERS, **headers}, timeout=TIMEOUT)


def hints(tool: Any) -> dict[str, Any] | None:
    return tool.annotations.model_dump(by_alias=True, exclude_none=True) if tool.annotations else None


@pytest.fixture(scope="module")
def default_listing() -> Listing:
    return list_stdio()


@pytest.fixture(scope="module")
def secure_http():
    with serve_http("support-desk") as srv:
        yield srv


# -- stdio listings ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode, version", [("legacy", "2025-11-25"), ("auto", "2026-07-28")])
def test_stdio_lists_tools_resources_templates_prompts_in_both_eras(mode: str, version: str) -> None:
    """support-desk over stdio lists 17 tools, 2 resources, 2 templates and 3 prompts in either protocol era."""
    listing = list_stdio(mode=mode)
    assert listing.protocol_version == version
    assert (listing.server_info.name, listing.server_info.title, listing.server_info.version) == (
        "support-desk", "Acme Support Desk", "1.0.0")
    assert listing.instructions and "Acme" in listing.instructions
    assert set(listing.tools) == FULL_TOOLS
    assert listing.resources == ["support://customers/schema", "support://policies/refunds"]
    assert listing.templates == ["support://kb/{article_id}", "support://exports/{export_id}"]
    assert listing.prompts == ["triage_ticket", "refund_customer", "summarize_customer"]


def test_default_annotations_spell_out_all_four_hints_honestly(default_listing: Listing) -> None:
    """By default every tool states all four hints, and the risky ones admit it."""
    tools = default_listing.tools
    for tool in tools.values():
        assert set(hints(tool) or {}) == {"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"}
    for name in ("search_tickets", "get_customer", "list_orders", "fetch_url", "read_inbox"):
        assert tools[name].annotations.read_only_hint is True
    for name in ("run_sql", "delete_customer_record", "rotate_api_key"):
        assert (tools[name].annotations.read_only_hint, tools[name].annotations.destructive_hint) == (False, True)
    assert tools["issue_refund"].annotations.read_only_hint is False


def test_tools_have_typed_parameters(default_listing: Listing) -> None:
    """Input schemas come from typed parameters: enums, bounds and the argument names rules look for."""
    props = {name: tool.input_schema.get("properties", {}) for name, tool in default_listing.tools.items()}
    assert props["issue_refund"]["currency"]["enum"] == ["USD", "EUR", "GBP"]
    assert props["issue_refund"]["amount"]["exclusiveMinimum"] == 0
    assert "enum" in props["provision_sandbox"]["size"]
    assert {"sql"} <= set(props["run_sql"]) and {"url"} <= set(props["fetch_url"])
    assert {"to"} <= set(props["send_customer_email"]) and {"channel"} <= set(props["post_to_slack"])
    assert "bcc" not in props["send_customer_email"]


def test_internal_profile_drops_the_tools_that_reach_outside() -> None:
    """--profile internal lists 11 tools: no untrusted-content source and no argument-chosen destination."""
    listing = list_stdio(profile="internal")
    assert set(listing.tools) == FULL_TOOLS - OUTSIDE_TOOLS
    assert len(listing.tools) == 11
    assert listing.prompts == ["triage_ticket", "refund_customer", "summarize_customer"]


def test_lying_annotations_claim_read_only_on_destructive_and_costly_tools(default_listing: Listing) -> None:
    """lying-annotations: run_sql, delete_customer_record and issue_refund claim read-only; the rest are unchanged."""
    lying = list_stdio(insecure="lying-annotations").tools
    for name in ("run_sql", "delete_customer_record", "issue_refund"):
        assert lying[name].annotations.read_only_hint is True
        assert lying[name].annotations.destructive_hint is False
    for name in FULL_TOOLS - {"run_sql", "delete_customer_record", "issue_refund"}:
        assert hints(lying[name]) == hints(default_listing.tools[name])


def test_no_annotations_removes_every_annotation() -> None:
    """no-annotations: no tool carries annotations (titles stay)."""
    tools = list_stdio(insecure=["no-annotations"]).tools
    assert set(tools) == FULL_TOOLS
    assert all(t.annotations is None for t in tools.values())
    assert tools["run_sql"].title == "Run SQL"


def test_poisoned_hides_instructions_in_a_description_and_the_server_instructions(default_listing: Listing) -> None:
    """poisoned: add_internal_note hides an <IMPORTANT> block and a zero-width space; instructions gain an override."""
    poisoned = list_stdio(insecure="poisoned")
    description = poisoned.tools["add_internal_note"].description
    assert "<IMPORTANT>" in description and "~/.ssh/id_rsa" in description and "\u200b" in description
    assert "ignore all previous instructions" in poisoned.instructions.lower()
    assert "ignore" not in default_listing.instructions.lower()
    for name in FULL_TOOLS - {"add_internal_note"}:
        assert poisoned.tools[name].description == default_listing.tools[name].description


def test_drift_rewords_send_customer_email_and_adds_bcc(default_listing: Listing) -> None:
    """drift: only send_customer_email changes, gaining a described bcc parameter and a new description."""
    drifted = list_stdio(insecure="drift").tools
    before, after = default_listing.tools["send_customer_email"], drifted["send_customer_email"]
    assert after.description != before.description
    bcc = after.input_schema["properties"]["bcc"]
    assert bcc["description"] and "bcc" not in after.input_schema.get("required", [])
    assert set(after.input_schema["properties"]) - set(before.input_schema["properties"]) == {"bcc"}
    assert list(drifted) == list(default_listing.tools)  # same names, same order
    for name in FULL_TOOLS - {"send_customer_email"}:
        assert drifted[name].model_dump() == default_listing.tools[name].model_dump()


def test_web_research_lists_sources_and_a_sink_but_no_private_data() -> None:
    """web-research lists its five tools, a resource, a template and a prompt in legacy mode."""
    listing = list_stdio("web-research", mode="legacy")
    assert listing.server_info.name == "web-research"
    assert set(listing.tools) == {"web_search", "fetch_page", "read_rss", "save_bookmark", "share_link"}
    assert "webhook_url" in listing.tools["share_link"].input_schema["properties"]
    assert listing.resources == ["research://bookmarks"]
    assert listing.templates == ["research://pages/{page_id}"]
    assert listing.prompts == ["research_brief"]


# -- HTTP posture ------------------------------------------------------------------------------


def test_http_without_token_gets_401_pointing_at_protected_resource_metadata(secure_http: DemoHTTPServer) -> None:
    """Secure HTTP answers 401 with WWW-Authenticate resource_metadata, and serves the RFC 9728 document."""
    base = secure_http.url.removesuffix("/mcp")
    metadata_url = f"{base}/.well-known/oauth-protected-resource/mcp"
    response = post_discover(secure_http.url)
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ") and f'resource_metadata="{metadata_url}"' in challenge
    assert "error=" not in challenge  # no credentials sent, so no error code (RFC 6750 §3)
    wrong = post_discover(secure_http.url, Authorization="Bearer not-the-token")
    assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["www-authenticate"]
    for url in (metadata_url, f"{base}/.well-known/oauth-protected-resource"):
        document = httpx2.get(url, timeout=TIMEOUT).json()
        assert document["resource"] == secure_http.url
        assert document["authorization_servers"] == ["https://auth.example.invalid"]
        assert "tickets:read" in document["scopes_supported"]


@pytest.mark.parametrize("mode", ["legacy", "auto"])
def test_http_with_token_lists_everything(secure_http: DemoHTTPServer, mode: str) -> None:
    """With the bearer token the Streamable HTTP endpoint serves the full listing in both eras."""
    listing = list_http(secure_http.url, secure_http.headers, mode=mode)
    assert set(listing.tools) == FULL_TOOLS
    assert len(listing.templates) == 2 and len(listing.prompts) == 3


def test_foreign_origin_is_refused_by_default(secure_http: DemoHTTPServer) -> None:
    """An Origin of http://evil.example gets 403 (DNS-rebinding protection); a localhost Origin is fine."""
    auth = secure_http.headers
    assert post_discover(secure_http.url, Origin="http://evil.example", **auth).status_code == 403
    assert post_discover(secure_http.url, Origin="http://localhost:5173", **auth).status_code == 200
    assert post_discover(secure_http.url, Host="evil.example", **auth).status_code == 421
    assert "access-control-allow-origin" not in post_discover(secure_http.url, **auth).headers


def test_no_origin_accepts_a_foreign_origin() -> None:
    """no-origin: the same evil Origin gets 200."""
    with serve_http("support-desk", insecure="no-origin") as srv:
        assert post_discover(srv.url, Origin="http://evil.example", **srv.headers).status_code == 200


def test_no_auth_serves_without_a_token() -> None:
    """no-auth: the listing works without Authorization and no protected resource metadata is served."""
    with serve_http("web-research", insecure="no-auth") as srv:
        assert srv.token is None and srv.headers == {}
        assert set(list_http(srv.url, {}).tools) >= {"web_search", "share_link"}
        base = srv.url.removesuffix("/mcp")
        assert httpx2.get(f"{base}/.well-known/oauth-protected-resource/mcp", timeout=TIMEOUT).status_code == 404


def test_cors_allows_any_origin() -> None:
    """cors: a preflight from any Origin is answered with Access-Control-Allow-Origin: *."""
    with serve_http("support-desk", insecure="cors") as srv:
        preflight = httpx2.request("OPTIONS", srv.url, timeout=TIMEOUT, headers={
            "Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "*"


def _listening_on_all_interfaces(port: int) -> bool:
    entries = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return any(line.split()[1] == f"00000000:{port:04X}" and line.split()[3] == "0A" for line in entries)


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net/tcp")
def test_bind_all_listens_on_every_interface_but_still_checks_origin() -> None:
    """bind-all: the socket is bound to 0.0.0.0, and Host/Origin are still validated for loopback names."""
    with serve_http("support-desk", insecure="bind-all") as srv:
        assert _listening_on_all_interfaces(srv.port)
        assert post_discover(srv.url, **srv.headers).status_code == 200
        assert post_discover(srv.url, Origin="http://evil.example", **srv.headers).status_code == 403
    with serve_http("support-desk") as srv:
        assert not _listening_on_all_interfaces(srv.port)


def test_sse_transport_requires_the_token_and_lists_tools() -> None:
    """--transport sse serves legacy HTTP+SSE at /sse behind the same bearer check."""
    with serve_http("support-desk", transport="sse", profile="internal") as srv:
        assert srv.url.endswith("/sse")
        assert httpx2.get(srv.url, timeout=TIMEOUT).status_code == 401

        async def go() -> set[str]:
            with anyio.fail_after(TIMEOUT):
                async with Client(sse_client(srv.url, headers=srv.headers), mode="legacy") as client:
                    return {t.name for t in (await client.list_tools()).tools}

        assert anyio.run(go) == FULL_TOOLS - OUTSIDE_TOOLS


def test_secure_http_refuses_to_start_without_a_token() -> None:
    """Secure HTTP mode exits with status 2 and a message naming MCPRISK_DEMO_TOKEN when it is unset."""
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    done = subprocess.run(demo_command("support-desk", transport="http"), env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 2
    assert TOKEN_ENV in done.stderr and "--insecure no-auth" in done.stderr
    assert done.stdout == ""


# -- helpers -----------------------------------------------------------------------------------


def test_serve_http_reaps_its_child_even_when_the_block_raises() -> None:
    """serve_http stops and reaps the server on normal exit and on an exception, leaving no process behind."""
    with serve_http("support-desk", insecure="no-auth") as srv:
        pid = srv.process.pid
        assert srv.process.poll() is None
    assert srv.process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)

    with pytest.raises(RuntimeError, match="boom"):
        with serve_http("web-research") as srv:
            pid = srv.process.pid
            raise RuntimeError("boom")
    assert srv.process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_serve_http_keeps_the_token_out_of_repr_and_argv() -> None:
    """The token reaches the child only through its environment: not in repr, not on the command line."""
    with serve_http("web-research", token="s3cret-demo-token") as srv:
        assert srv.headers == {"Authorization": "Bearer s3cret-demo-token"}
        assert "s3cret" not in repr(srv)
        assert "s3cret" not in " ".join(srv.process.args)
        assert post_discover(srv.url, **srv.headers).status_code == 200


def test_demo_command_spells_out_only_non_default_options() -> None:
    """demo_command builds `python -m mcprisk.demo ...` with sorted switches and rejects bad combinations."""
    assert demo_command() == [sys.executable, "-m", "mcprisk.demo", "support-desk"]
    assert demo_command("support-desk", transport="http", profile="internal", insecure="no-origin,cors",
                        port=0) == [sys.executable, "-m", "mcprisk.demo", "support-desk", "--transport", "http",
                                    "--profile", "internal", "--insecure", "cors,no-origin", "--port", "0"]
    for bad in (dict(server="nope"), dict(insecure="bogus"), dict(insecure="no-auth"),
                dict(profile="internal", insecure="drift"), dict(server="web-research", profile="internal"),
                dict(server="web-research", insecure="poisoned"), dict(port=8000)):
        with pytest.raises(ValueError):
            demo_command(**bad)


def test_demo_spec_is_a_stdio_spec_for_the_demo_command() -> None:
    """demo_spec runs the installed `mcprisk-demo` script with demo_command's options and no machine path."""
    spec = demo_spec("web-research", insecure="no-annotations")
    assert (spec.name, spec.transport, spec.command) == ("web-research", "stdio", "mcprisk-demo")
    assert list(spec.args) == demo_command("web-research", insecure="no-annotations")[3:]
    assert spec.cwd is None and sys.executable not in spec.target


def test_importing_the_demo_package_loads_no_server_code() -> None:
    """`import mcprisk.demo` adds no MCP SDK, Starlette or uvicorn modules beyond what `import mcprisk` loads."""
    probe = ("import sys, json, mcprisk; before = set(sys.modules); import mcprisk.demo; "
             "print(json.dumps(sorted(set(sys.modules) - before)))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True,
                          timeout=TIMEOUT, check=True)
    added = json.loads(done.stdout)
    assert not [m for m in added if m.split(".")[0] in ("mcp", "mcp_types", "starlette", "uvicorn", "pydantic")]


# -- the in-process fixture stands for the stdio server --------------------------------------------


@pytest.mark.parametrize("wanted", [("support-desk", {"insecure": "lying-annotations,poisoned"}),
                                    ("support-desk", {"profile": "internal"}),
                                    ("support-desk", {"insecure": "drift"}), ("web-research", {})])
def test_in_process_snapshot_is_the_stdio_snapshot(wanted):
    """tests/inprocess.py gives, timings aside, the very snapshot introspection over stdio gives: the modules
    that use it assess the real demo server."""
    from mcprisk import introspect

    from inprocess import demo_snapshots

    (in_process,) = demo_snapshots(wanted)
    over_stdio = introspect(demo_spec(wanted[0], **wanted[1]))
    assert over_stdio.ok and in_process.ok
    mine, theirs = in_process.to_dict(), over_stdio.to_dict()
    assert set(mine.pop("timings")) == set(theirs.pop("timings"))
    assert mine == theirs
