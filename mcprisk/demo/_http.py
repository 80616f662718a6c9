"""Serving a demo MCPServer over Streamable HTTP or legacy SSE, secure by default, with opt-in weaknesses.

Secure means: bound to 127.0.0.1, Host and Origin validated (the SDK's DNS-rebinding protection),
and every MCP request needs ``Authorization: Bearer <MCPRISK_DEMO_TOKEN>``; a request without it gets
401 with a ``WWW-Authenticate`` header pointing at RFC 9728 protected resource metadata.
The switches ``no-auth``, ``no-origin``, ``bind-all`` and ``cors`` each remove one of those properties.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

import anyio
import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from mcprisk.demo import READY_MARKER, TOKEN_ENV

AUTHORIZATION_SERVER = "https://auth.example.invalid"
METADATA_PATH = "/.well-known/oauth-protected-resource"
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


class DemoConfigError(Exception):
    """The HTTP server cannot start as asked (for example: secure mode without a token)."""


class BearerTokenGate:
    """ASGI middleware: every request needs the bearer token, except the RFC 9728 metadata documents.

    The token is compared in constant time and never logged or echoed.
    """

    def __init__(self, app: ASGIApp, *, token: str, resource_url: str, metadata_url: str,
                 scopes: Sequence[str], resource_name: str):
        self.app = app
        self._token = token.encode()
        self._metadata_url = metadata_url
        self._metadata_paths = {METADATA_PATH, METADATA_PATH + urlsplit(resource_url).path}
        self._metadata = json.dumps({
            "resource": resource_url,
            "authorization_servers": [AUTHORIZATION_SERVER],
            "scopes_supported": list(scopes),
            "bearer_methods_supported": ["header"],
            "resource_name": resource_name,
        }, indent=2).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan events pass straight through
            await self.app(scope, receive, send)
            return
        if scope["path"] in self._metadata_paths and scope["method"] in ("GET", "HEAD"):
            await _respond(send, 200, self._metadata, [(b"content-type", b"application/json")])
            return
        scheme, _, presented = Headers(scope=scope).get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            await self._challenge(send, error=None)
        elif not secrets.compare_digest(presented.strip().encode(), self._token):
            await self._challenge(send, error="invalid_token")
        else:
            await self.app(scope, receive, send)

    async def _challenge(self, send: Send, *, error: str | None) -> None:
        # RFC 6750 §3: no error code when the request carried no credentials at all.
        params = [f'error="{error}"'] if error else []
        params.append(f'resource_metadata="{self._metadata_url}"')
        body = json.dumps({"error": error or "unauthorized",
                           "error_description": "a bearer token is required"}).encode()
        await _respond(send, 401, body, [(b"content-type", b"application/json"),
                                         (b"www-authenticate", ("Bearer " + ", ".join(params)).encode())])


async def _respond(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _url_host(host: str) -> str:
    """A host as it appears in a URL: wildcard binds are reached through loopback, IPv6 gets brackets."""
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _transport_security(host: str, switches: Sequence[str]) -> TransportSecuritySettings:
    # Always explicit: the SDK only validates Host/Origin by itself when bound to loopback, and
    # bind-all must not silently lose the check.
    if "no-origin" in switches:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    names = list(_LOOPBACK_HOSTS)
    if host not in ("0.0.0.0", "::", "") and _url_host(host) not in names:
        names.append(_url_host(host))
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[f"{name}:*" for name in names],
        allowed_origins=[f"http://{name}:*" for name in names],
    )


def _bind(host: str, port: int) -> socket.socket:
    """Bind before building the app, so the URLs it advertises carry the real port even for ``--port 0``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise DemoConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    return sock


def serve(server: MCPServer, *, transport: str = "http", host: str | None = None, port: int = 0,
          insecure: Sequence[str] = (), scopes: Sequence[str] = (), resource_name: str = "") -> None:
    """Serve until SIGINT/SIGTERM, writing ``MCPRISK_DEMO_READY <url>`` to stderr once listening."""
    token = None
    if "no-auth" not in insecure:
        token = os.environ.get(TOKEN_ENV)
        if not token:
            raise DemoConfigError(f"secure HTTP mode needs a bearer token: set {TOKEN_ENV} "
                                  "(or pass --insecure no-auth to run without authentication)")
    host = "0.0.0.0" if "bind-all" in insecure else (host or "127.0.0.1")
    sock = _bind(host, port)
    port = sock.getsockname()[1]
    base = f"http://{_url_host(host)}:{port}"
    security = _transport_security(host, insecure)
    if transport == "sse":
        endpoint = "/sse"
        app: ASGIApp = server.sse_app(sse_path=endpoint, transport_security=security, host=host)
    else:
        endpoint = "/mcp"
        app = server.streamable_http_app(streamable_http_path=endpoint, transport_security=security, host=host)
    if token:
        app = BearerTokenGate(app, token=token, resource_url=base + endpoint,
                              metadata_url=base + METADATA_PATH + endpoint, scopes=scopes,
                              resource_name=resource_name or server.name)
    if "cors" in insecure:
        # Outermost, so preflights and 401s carry the headers too, as a careless deployment's would.
        app = CORSMiddleware(app, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"],
                             expose_headers=["Mcp-Session-Id", "WWW-Authenticate"])

    config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=2, lifespan="on")
    uvicorn_server = uvicorn.Server(config)

    async def announce_when_listening() -> None:
        while not uvicorn_server.started:
            if uvicorn_server.should_exit:
                return
            await anyio.sleep(0.02)
        print(f"{READY_MARKER} {base}{endpoint}", file=sys.stderr, flush=True)

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(announce_when_listening)
            await uvicorn_server.serve(sockets=[sock])
            tg.cancel_scope.cancel()

    try:
        anyio.run(main)
    finally:
        sock.close()
