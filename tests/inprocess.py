"""The demo servers served in the test process, for tests where the transport is not the point.

Spawning a demo server over stdio costs a Python start and the SDK's imports per connection. Here the
same ``MCPServer`` object ``python -m mcprisk.demo`` would run is served through the SDK's in-memory
transport instead, and mcprisk's real introspection (client session, era negotiation, paging, the wire
guard that tees and polices the JSON-RPC) talks to it. The snapshot keeps the stdio ``demo_spec`` the
caller named, so assessments, finding ids and reports are those of the stdio server. Only the byte pipe
differs: stdio framing, process start-up and stderr capture are tested over real stdio in
test_introspect.py, test_launch.py, test_demo_servers.py and test_scan_cli.py.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from mcp.client._memory import InMemoryTransport  # the SDK's own in-process transport (Client(server) uses it)

import mcprisk.introspection as introspection
from mcprisk import Limits, ServerSpec, Snapshot
from mcprisk._wire import guarded
from mcprisk.demo import demo_spec

_MODULES = {"support-desk": "mcprisk.demo.support_desk", "web-research": "mcprisk.demo.research"}
_LOCK = threading.Lock()  # one patch of the transport opener at a time, whatever thread introspects


@contextlib.contextmanager
def served_in_process(servers: dict[ServerSpec, Callable[[], Any]]) -> Iterator[None]:
    """While open, introspecting a spec in ``servers`` reaches a fresh server from its factory in memory.

    Any other spec takes its real transport, so a test mixing both (a demo and a zoo server) still works.
    """
    real = introspection.open_transport

    @contextlib.asynccontextmanager
    async def open_transport(spec: ServerSpec, launch: Any, wire: Any) -> AsyncIterator[tuple[Any, Any]]:
        factory = servers.get(spec)
        if factory is None:
            async with real(spec, launch, wire) as streams:
                yield streams
            return
        async with guarded(InMemoryTransport(factory()), wire) as streams:
            yield streams

    with _LOCK:
        introspection.open_transport = open_transport  # type: ignore[assignment]
        try:
            yield
        finally:
            introspection.open_transport = real  # type: ignore[assignment]


def demo_factory(server: str, profile: str = "full", insecure: str = "") -> tuple[ServerSpec, Callable[[], Any]]:
    """The stdio spec of one demo server and a factory of the MCPServer that command would run."""
    module = importlib.import_module(_MODULES[server])
    return (demo_spec(server, profile=profile, insecure=insecure),
            lambda: module.build_server(profile=profile, insecure=insecure))


def demo_snapshots(*wanted: str | tuple[str, dict[str, str]], limits: Limits | None = None) -> list[Snapshot]:
    """Snapshots of demo servers served in process, in order: ``"web-research"`` or
    ``("support-desk", {"profile": "internal", "insecure": "drift"})``; same as ``introspect_many`` of their
    ``demo_spec``s over stdio, without a process per server."""
    pairs = [demo_factory(w) if isinstance(w, str) else demo_factory(w[0], **w[1]) for w in wanted]
    with served_in_process(dict(pairs)):
        return introspection.introspect_many([spec for spec, _ in pairs], limits=limits)


def demo_snapshot(server: str = "support-desk", *, profile: str = "full", insecure: str = "") -> Snapshot:
    """One demo server's snapshot, served in process (see ``demo_snapshots``)."""
    return demo_snapshots((server, {"profile": profile, "insecure": insecure}))[0]
