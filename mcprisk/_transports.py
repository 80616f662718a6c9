"""The client side of each transport (stdio, Streamable HTTP, HTTP+SSE), every one behind the wire guard."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from ._httpguard import GuardedTransport
from ._resolve import ResolvedLaunch
from ._stdio import stdio_transport
from ._wire import Wire, guarded
from .specs import ServerSpec

__all__ = ["open_transport"]


def _http_client(headers: Mapping[str, str] | None, wire: Wire, timeout: httpx2.Timeout | None = None,
                 auth: httpx2.Auth | None = None) -> httpx2.AsyncClient:
    """The one HTTP client shape of both HTTP transports: every body read through the counting guard."""
    limits = wire.limits

    async def on_response(response: httpx2.Response) -> None:
        if response.status_code >= 400:
            challenge = response.headers.get("www-authenticate")
            wire.http_errors.append(f"HTTP {response.status_code} {response.reason_phrase}"
                                    + (f"; WWW-Authenticate: {challenge}" if challenge else ""))

    return httpx2.AsyncClient(
        headers={"Accept-Encoding": "identity", **dict(headers or {})},
        timeout=timeout or httpx2.Timeout(limits.request_timeout, connect=limits.connect_timeout),
        auth=auth,
        follow_redirects=False,
        event_hooks={"response": [on_response]},
        transport=GuardedTransport(limits.max_message_bytes, wire.body_too_large),
    )


@asynccontextmanager
async def open_transport(spec: ServerSpec, launch: ResolvedLaunch, wire: Wire) -> AsyncIterator[tuple[Any, Any]]:
    """The (read, write) streams of one connection to ``spec``, guarded and capped."""
    if spec.transport == "stdio":
        async with guarded(stdio_transport(spec, launch, wire), wire, tee_incoming=False) as streams:
            yield streams
    elif spec.transport == "http":
        async with _http_client(launch.headers, wire) as client:
            transport = streamable_http_client(launch.url, http_client=client,
                                               max_sse_event_size=wire.limits.max_message_bytes)
            async with guarded(transport, wire) as streams:
                yield streams
    else:
        def client_factory(headers: dict[str, str] | None = None, timeout: httpx2.Timeout | None = None,
                           auth: httpx2.Auth | None = None) -> httpx2.AsyncClient:
            return _http_client(headers, wire, timeout, auth)

        transport = sse_client(launch.url, headers=dict(launch.headers), timeout=wire.limits.connect_timeout,
                               sse_read_timeout=wire.limits.request_timeout, httpx_client_factory=client_factory)
        async with guarded(transport, wire) as streams:
            yield streams


