"""What ended a connection, as a (code, message) pair an IntrospectionIssue carries; messages hold no secrets."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx2
import mcp_types as types
from mcp import MCPError
from pydantic import ValidationError

from ._stdio import TOO_LARGE
from ._text import clip
from ._wire import Wire
from .specs import ServerSpec

if TYPE_CHECKING:  # pragma: no cover
    from .introspection import Limits

__all__ = ["failure_code", "mcp_error_code", "validation_summary"]


def validation_summary(exc: ValidationError) -> str:
    """The first three problems pydantic found, on one clipped line."""
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{loc}: {err.get('msg')}")
    return clip("; ".join(parts), 400)[0]


def mcp_error_code(exc: MCPError, wire: Wire) -> tuple[str, str]:
    """A (code, message) for an MCP error answer; the transport's own reason wins when it gave one."""
    if exc.code == types.REQUEST_TIMEOUT:
        return "timeout", _timeout_message(exc, wire.limits)
    if exc.code == types.CONNECTION_CLOSED:
        return "connection_closed", _closed_message(wire)
    if wire.failures and exc.code in (types.PARSE_ERROR, TOO_LARGE):  # the transport said why (the cap)
        return list(wire.failures.values())[-1]
    if wire.http_errors:
        return "http_status", wire.http_errors[-1]
    # One line: the SDK quotes whole pydantic reports (and the input they choked on) in its messages.
    lines = str(exc.message).strip().splitlines() or [""]
    more = f" (+{len(lines) - 1} more line(s))" if len(lines) > 1 else ""
    return "rpc_error", f"error {exc.code}: {clip(lines[0], 300)[0]}{more}"


def _timeout_message(leaf: BaseException, limits: Limits, *, handshake: bool = False) -> str:
    """What timed out, with the limit that actually applied (not whichever limit is largest)."""
    if isinstance(leaf, httpx2.ConnectTimeout):
        what = f"the {limits.connect_timeout:g} s connect limit (no TCP/TLS connection)"
    elif isinstance(leaf, (MCPError, httpx2.TimeoutException)):
        what = f"the {limits.request_timeout:g} s request limit"
    else:  # our own fail_after around the handshake
        what = f"the {limits.connect_timeout:g} s handshake limit"
    return f"{'no handshake' if handshake else 'no answer'}: nothing came back within {what}"


def _closed_message(wire: Wire) -> str:
    msg = "the server closed the connection"
    if wire.exit_code is not None:
        msg += f" (process exited with code {wire.exit_code})"
    return msg


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for sub in exc.exceptions for leaf in _leaves(sub)]
    return [exc]


def failure_code(exc: BaseException, spec: ServerSpec, wire: Wire, limits: Limits) -> tuple[str, str]:
    """A (code, message) for an exception that ended the connection; messages carry no secrets."""
    leaves = _leaves(exc)
    # Prefer the most specific cause over the teardown noise around it.
    order = (FileNotFoundError, PermissionError, OSError, httpx2.ConnectError, httpx2.TimeoutException,
             MCPError, TimeoutError, httpx2.HTTPError, ValidationError)
    leaves.sort(key=lambda e: next((i for i, t in enumerate(order) if isinstance(e, t)), len(order)))
    leaf = leaves[0]
    if isinstance(leaf, FileNotFoundError) and spec.transport == "stdio":
        return "spawn_failed", f"command not found: {spec.command!r}"
    if isinstance(leaf, PermissionError) and spec.transport == "stdio":
        return "spawn_failed", f"cannot run {spec.command!r}: permission denied"
    if isinstance(leaf, httpx2.ConnectError):
        return "connection_refused", f"cannot connect to {spec.url}: {leaf}"
    if isinstance(leaf, (httpx2.TimeoutException, TimeoutError)) or (
            isinstance(leaf, MCPError) and leaf.code == types.REQUEST_TIMEOUT):
        return "timeout", _timeout_message(leaf, limits, handshake=not wire.connected)
    if isinstance(leaf, MCPError):
        return mcp_error_code(leaf, wire)
    if isinstance(leaf, httpx2.HTTPError):
        return "http_error", str(leaf)
    if isinstance(leaf, OSError):
        return "spawn_failed" if spec.transport == "stdio" else "connection_error", f"{type(leaf).__name__}: {leaf}"
    return "unexpected", f"{type(leaf).__name__}: {leaf}"


# --------------------------------------------------------------------------------------------
# Public entry points
