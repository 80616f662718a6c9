"""Every HTTP body mcprisk reads passes through one counting reader that stops at the message cap.

``GuardedTransport`` wraps httpx2's transport for the Streamable HTTP and legacy SSE clients and the posture
probes alike. Bodies are decoded here, within the cap (a gzip bomb stops at the cap too), and handed on:
a JSON body whole, once it ended within the cap; an event stream event by event, each within the cap. A
message too deeply nested (or holding too long a number) for the SDK's decoder is pruned by the wire guard
so one item cannot make its whole page undecodable. Past the cap the read fails with ``BodyTooLarge``.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2

from ._jsonguard import guard

__all__ = ["BodyTooLarge", "GuardedTransport"]

# One blank line ends an SSE event, whatever the line endings.
_EVENT_END = re.compile(rb"(?:\r\n|\r(?!\n)|\n)(?:\r\n|\r|\n)")
_DATA = re.compile(rb"^data: ?(.*)$", re.M)


class BodyTooLarge(httpx2.StreamError):
    """A response body (or one event of a stream) went past the message cap; nothing past it was read.

    A ``StreamError`` because that is what the SDK treats as a failed read of one response: the request
    fails, the connection survives.
    """


OnTooLarge = Callable[[Any, str], None]


class GuardedTransport(httpx2.AsyncBaseTransport):
    """An httpx2 transport whose response bodies are counted, decoded within ``cap`` and depth-guarded."""

    def __init__(self, cap: int, on_too_large: OnTooLarge | None = None,
                 inner: httpx2.AsyncBaseTransport | None = None):
        self.cap = cap
        self.on_too_large = on_too_large
        self.inner = inner or httpx2.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        ctype = response.headers.get("content-type", "").lower()
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        mode = "sse" if "text/event-stream" in ctype else ("json" if "json" in ctype else "raw")
        stream = _GuardedStream(response.stream, self.cap, mode, encoding, _request_id(request), self.on_too_large)
        drop = {b"content-length", b"content-encoding", b"transfer-encoding"}
        headers = [(k, v) for k, v in response.headers.raw if k.lower() not in drop]
        return httpx2.Response(response.status_code, headers=headers, stream=stream, extensions=response.extensions)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _request_id(request: httpx2.Request) -> Any:
    """The JSON-RPC id of a POSTed request, so a body that is too large can fail that request by name."""
    if request.method != "POST":
        return None
    try:
        message = json.loads(request.content)
    except (ValueError, RuntimeError):  # RuntimeError: a streaming body (never sent by the MCP clients)
        return None
    return message.get("id") if isinstance(message, dict) else None


class _GuardedStream(httpx2.AsyncByteStream):
    def __init__(self, inner: Any, cap: int, mode: str, encoding: str, request_id: Any,
                 on_too_large: OnTooLarge | None):
        self.inner, self.cap, self.mode, self.encoding = inner, cap, mode, encoding
        self.request_id, self.on_too_large = request_id, on_too_large

    def too_large(self, what: str) -> BodyTooLarge:
        message = f"{what} of more than {self.cap} bytes exceeded max_message_bytes={self.cap}; reading stopped there"
        if self.on_too_large is not None:
            self.on_too_large(self.request_id, message)
        return BodyTooLarge(message)

    async def decoded(self) -> AsyncIterator[bytes]:
        """The body's bytes with its content encoding undone, never more than cap + 1 of them in total."""
        if self.encoding in ("", "identity"):
            async for chunk in self.inner:
                yield chunk
            return
        if self.encoding not in ("gzip", "x-gzip", "deflate"):
            raise httpx2.StreamError(f"unsupported content encoding {self.encoding[:40]!r} (mcprisk asks for "
                                     f"identity and can decode gzip and deflate)")
        decoder = zlib.decompressobj(wbits=47)  # gzip or zlib header, detected
        budget = self.cap + 1  # one byte past the cap is enough to know it was passed
        async for chunk in self.inner:
            data = chunk
            while data and budget > 0:
                try:
                    out = decoder.decompress(data, budget)
                except zlib.error as exc:
                    raise httpx2.StreamError(f"the {self.encoding} body cannot be decoded ({exc})") from None
                budget -= len(out)
                data = decoder.unconsumed_tail
                if out:
                    yield out
            if budget <= 0:
                return

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.mode == "sse":
            async for event in self.events():
                yield event
            return
        chunks: list[bytes] = []
        total = 0
        async for chunk in self.decoded():
            total += len(chunk)
            if total > self.cap:
                chunks.clear()
                raise self.too_large("a response body")
            if self.mode == "json":
                chunks.append(chunk)  # whole, so the wire guard sees the complete message
            else:
                yield chunk
        if chunks:
            body = b"".join(chunks)
            chunks.clear()
            yield guard(body)

    async def events(self) -> AsyncIterator[bytes]:
        """The stream cut into whole events, each within the cap and depth-guarded."""
        buf = bytearray()
        scan = 0
        async for chunk in self.decoded():
            buf += chunk
            while (end := _EVENT_END.search(buf, scan)) is not None:
                event = bytes(buf[:end.end()])
                del buf[:end.end()]
                scan = 0
                yield _guard_event(event)
            if len(buf) > self.cap:
                buf.clear()
                raise self.too_large("a server-sent event")
            scan = max(0, len(buf) - 2)  # a line ending split across chunks is found on the next pass
        if buf:
            yield bytes(buf)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _guard_event(event: bytes) -> bytes:
    """One SSE event, its data re-written as pruned JSON only when a decoder would refuse it."""
    if len(event) < 4096 and event.count(b"[") + event.count(b"{") <= 200:
        return event
    lines = [m[1].rstrip(b"\r") for m in _DATA.finditer(event)]
    if not lines:
        return event
    data = b"\n".join(lines)
    pruned = guard(data)
    if pruned is data:
        return event
    others = [line for line in re.split(rb"\r\n|\r|\n", event) if line and not line.startswith(b"data:")]
    body = b"".join(b"data: " + line + b"\n" for line in pruned.split(b"\n"))
    return b"".join(line + b"\n" for line in others) + body + b"\n"
