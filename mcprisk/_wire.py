"""The wire of one connection: raw JSON-RPC capture and the invocation guard, shared by every transport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio
import mcp_types as types
from mcp.shared.message import SessionMessage

from ._scrub import Scrubber
from ._text import terminal_safe
from .snapshot import IntrospectionIssue

if TYPE_CHECKING:  # pragma: no cover
    from .introspection import Limits

__all__ = ["FORBIDDEN_METHODS", "Wire", "guarded"]

# Methods that would make the server *do* something. Introspection never sends them; the wire
# guard below refuses them even if a future code path tried.
FORBIDDEN_METHODS = frozenset({"tools/call", "resources/read", "prompts/get", "completion/complete",
                               "resources/subscribe", "subscriptions/listen", "sampling/createMessage"})


class Wire:
    """Raw record of one connection: request ids by method, raw results by id, transport notes."""

    def __init__(self, limits: Limits, scrub: Scrubber):
        self.limits = limits
        self.scrub = scrub
        self.ids_by_method: dict[str, list[Any]] = {}
        self.results: dict[Any, dict[str, Any]] = {}
        self.failures: dict[Any, tuple[str, str]] = {}  # request id -> (code, message) decided by the transport
        self.outstanding: list[Any] = []
        self.notes: list[IntrospectionIssue] = []
        self.noise_lines = 0
        self.noise_samples: list[str] = []
        self.invalid_utf8 = 0
        self.http_errors: list[str] = []
        self.exit_code: int | None = None
        self.connected = False  # the handshake completed (timeouts before it are "no handshake")
        self.stderr_tail = bytearray()
        self.stderr_total = 0

    def outgoing(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method in FORBIDDEN_METHODS:
            raise PermissionError(f"mcprisk never sends {method!r}: introspection does not invoke anything")
        if "id" in message and method:
            self.ids_by_method.setdefault(method, []).append(message["id"])
            self.outstanding.append(message["id"])

    def incoming(self, message: dict[str, Any]) -> None:
        if "id" in message and "method" not in message:
            rid = message["id"]
            if rid in self.outstanding:
                self.outstanding.remove(rid)
            if isinstance(message.get("result"), dict):
                self.results[rid] = message["result"]

    def last_result(self, method: str) -> dict[str, Any] | None:
        ids = self.ids_by_method.get(method)
        return self.results.pop(ids[-1], None) if ids else None

    def last_failure(self, method: str) -> tuple[str, str] | None:
        ids = self.ids_by_method.get(method)
        return self.failures.get(ids[-1]) if ids else None

    def body_too_large(self, request_id: Any, message: str) -> None:
        """The HTTP guard stopped reading a body at the cap: fail that request by name, or note it."""
        if request_id is not None and request_id in self.outstanding:
            self.failures[request_id] = ("message_too_large", message)
        else:
            self.note("transport", "message_too_large", message, fatal=True)

    def note(self, stage: str, code: str, message: str, fatal: bool = False) -> None:
        self.notes.append(IntrospectionIssue(stage, code, self.scrub.text(message), fatal))

    def add_stderr(self, chunk: bytes) -> None:
        self.stderr_total += len(chunk)
        self.stderr_tail += chunk
        excess = len(self.stderr_tail) - self.limits.max_stderr_bytes
        if excess > 0:
            del self.stderr_tail[:excess]

    def stderr_text(self) -> str:
        text = terminal_safe(self.stderr_tail.decode("utf-8", "replace"))
        if self.stderr_total > len(self.stderr_tail):
            text = f"…[{self.stderr_total - len(self.stderr_tail)} earlier bytes not kept]\n" + text
        return self.scrub.text(text)


@asynccontextmanager
async def guarded(transport: Any, wire: Wire, *, tee_incoming: bool = True) -> AsyncIterator[tuple[Any, Any]]:
    """Wrap a transport's streams: record raw JSON-RPC both ways and refuse forbidden methods.

    ``tee_incoming=False`` when the transport records incoming messages itself, as decoded (stdio): a
    re-serialised pydantic model fails past 255 levels of nesting, the decoded JSON does not.
    """
    async with transport as (read, write):
        up_send, up_recv = anyio.create_memory_object_stream[SessionMessage](0)
        down_send, down_recv = anyio.create_memory_object_stream[SessionMessage | Exception](0)

        async def pump_down() -> None:
            async with down_send:
                async for item in read:
                    if tee_incoming and isinstance(item, SessionMessage):
                        wire.incoming(item.message.model_dump(by_alias=True, mode="json", exclude_unset=True))
                    await down_send.send(item)

        async def pump_up() -> None:
            async with up_recv:
                async for item in up_recv:
                    data = item.message.model_dump(by_alias=True, mode="json", exclude_unset=True)
                    try:
                        wire.outgoing(data)
                    except PermissionError as exc:
                        # Answer the would-be request locally; nothing reaches the server.
                        if "id" in data:
                            await down_send.send(SessionMessage(types.JSONRPCError(
                                jsonrpc="2.0", id=data["id"],
                                error=types.ErrorData(code=types.INTERNAL_ERROR, message=str(exc)))))
                        continue
                    await write.send(item)

        async with anyio.create_task_group() as tg:
            tg.start_soon(pump_down)
            tg.start_soon(pump_up)
            try:
                yield down_recv, up_send
            finally:
                tg.cancel_scope.cancel()
