"""The stdio transport: launch the server in its own process group, frame newline-delimited JSON-RPC within
the message cap, record each message as decoded, and stop and reap the server and everything it started."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio
import mcp_types as types
from mcp.shared.message import SessionMessage

from ._jsonguard import prune
from ._reaper import MARKER_ENV, Launch, new_marker
from ._text import clip, terminal_safe
from ._wire import Wire

if TYPE_CHECKING:  # pragma: no cover
    from ._resolve import ResolvedLaunch
    from .specs import ServerSpec

__all__ = ["TOO_LARGE", "stdio_transport"]

# Only these reach a stdio child by default: it is arbitrary code and gets no more than it needs.
_BASE_ENV = ("HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "LANG", "LC_ALL", "TMPDIR",
             "SYSTEMROOT", "APPDATA", "USERPROFILE")

TOO_LARGE = -32097  # synthetic JSON-RPC error code for a response mcprisk refused to buffer
@asynccontextmanager
async def stdio_transport(spec: ServerSpec, launch: ResolvedLaunch, wire: Wire) -> AsyncIterator[tuple[Any, Any]]:
    """Spawn the server in its own process group; newline-delimited JSON-RPC with byte caps."""
    limits = wire.limits
    child_env = {k: os.environ[k] for k in _BASE_ENV if k in os.environ}
    child_env.update(launch.env)
    marker = new_marker()
    child_env[MARKER_ENV] = marker  # inherited by every descendant, so one that escapes the group is found
    process = await anyio.open_process([_resolve_command(launch.command, child_env), *launch.args],
                                       cwd=spec.cwd, env=child_env, start_new_session=True)
    tracked = Launch(process.pid, marker)
    read_send, read_recv = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_send, write_recv = anyio.create_memory_object_stream[SessionMessage](0)

    async def deliver_line(line: bytes) -> None:
        line = line.rstrip(b"\r")
        if not line.strip():
            return
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            wire.invalid_utf8 += 1
            text = line.decode("utf-8", "replace")
        try:
            obj = _decode_line(text)
            message = types.jsonrpc_message_adapter.validate_python(obj, by_name=False)
        except (ValueError, RecursionError):
            wire.noise_lines += 1
            if len(wire.noise_samples) < 3:
                wire.noise_samples.append(clip(terminal_safe(text), 160)[0])
            return
        if isinstance(obj, dict):
            wire.incoming(obj)  # as decoded: the SDK's model of it cannot be re-serialised past 255 levels
        await read_send.send(SessionMessage(message))

    async def refuse_oversize(size: int) -> None:
        # The id of a discarded message is unknowable; requests are sequential, so fail the oldest.
        message = f"a message of {size} bytes or more exceeded max_message_bytes={limits.max_message_bytes}; discarded"
        if not wire.outstanding:
            wire.note("transport", "message_too_large", message, fatal=True)
        else:
            rid = wire.outstanding[0]
            wire.failures[rid] = ("message_too_large", message)
            await read_send.send(SessionMessage(types.JSONRPCError(
                jsonrpc="2.0", id=rid, error=types.ErrorData(code=TOO_LARGE, message=message))))

    async def read_stdout() -> None:
        assert process.stdout is not None
        buf = bytearray()
        discarding = 0  # bytes dropped from the current over-long line; 0 when not discarding
        try:
            async with read_send:
                async for chunk in process.stdout:
                    start = 0
                    while True:
                        nl = chunk.find(b"\n", start)
                        piece = chunk[start:] if nl < 0 else chunk[start:nl]
                        if discarding:
                            discarding += len(piece)
                        else:
                            buf += piece
                            if len(buf) > limits.max_message_bytes:
                                discarding, buf = len(buf), bytearray()
                        if nl < 0:
                            break
                        start = nl + 1
                        if discarding:
                            size, discarding = discarding, 0
                            await refuse_oversize(size)
                        else:
                            line, buf = bytes(buf), bytearray()
                            await deliver_line(line)
                if discarding:
                    await refuse_oversize(discarding)
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            pass

    async def read_stderr() -> None:
        assert process.stderr is not None
        try:
            async for chunk in process.stderr:
                wire.add_stderr(chunk)
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            pass

    async def write_stdin() -> None:
        assert process.stdin is not None
        try:
            async with write_recv:
                async for item in write_recv:
                    data = item.message.model_dump_json(by_alias=True, exclude_unset=True)
                    await process.stdin.send(data.encode("utf-8") + b"\n")
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
            await read_send.aclose()

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(read_stdout)
            tg.start_soon(read_stderr)
            tg.start_soon(write_stdin)
            try:
                yield read_recv, write_send
            finally:
                with anyio.CancelScope(shield=True):
                    await _stop_process(process, limits.shutdown_grace, tracked)
                    wire.exit_code = process.returncode
                tg.cancel_scope.cancel()
    finally:
        with anyio.CancelScope(shield=True):
            await _stop_process(process, limits.shutdown_grace, tracked)
            for stream in (read_send, read_recv, write_send, write_recv):
                stream.close()


def _resolve_command(command: str, env: Mapping[str, str]) -> str:
    """Find a bare command on the child's PATH, then beside this Python (servers installed in the same venv)."""
    if os.sep in command:
        return command
    found = shutil.which(command, path=env.get("PATH"))
    if found is None:
        found = shutil.which(command, path=os.path.dirname(sys.executable))
    return found or command


def _decode_line(text: str) -> Any:
    """One stdio line as JSON; nesting or numbers no decoder takes are pruned rather than losing the message."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise  # not JSON at all: noise on stdout
        pruned = prune(text.encode("utf-8", "surrogatepass"))
        if pruned is None:
            raise
        return json.loads(pruned)


async def _stop_process(process: Any, grace: float, tracked: Launch | None = None) -> None:
    """Close stdin, wait, SIGTERM the process group and every tracked descendant, wait, SIGKILL them; reap.

    Descendants that left the group (setsid and a double fork) are found by the launch marker they inherited
    (see _reaper); the server itself is always reaped.
    """
    if tracked is not None:
        if tracked.stopped:
            return
        tracked.walk()  # while the server is alive its tree is intact
    if process.returncode is None:
        if process.stdin is not None:
            try:
                await process.stdin.aclose()
            except Exception:  # noqa: BLE001 - already gone is fine
                pass
        with anyio.move_on_after(grace):
            await process.wait()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if tracked is not None and sig == signal.SIGKILL:
            tracked.scan()  # again: what started since the first look, or was left behind by a SIGTERM
        if process.returncode is not None and sig == signal.SIGTERM and not (tracked and tracked.known):
            continue
        if tracked is not None:
            tracked.signal(sig)
        try:
            os.killpg(process.pid, sig)  # the whole group: npx/uvx launchers leave grandchildren
        except (ProcessLookupError, PermissionError):
            pass
        if process.returncode is None:
            with anyio.move_on_after(grace):
                await process.wait()
        elif sig == signal.SIGTERM and tracked is not None:
            with anyio.move_on_after(grace):  # give the descendants the same grace the server had
                while tracked.alive():
                    await anyio.sleep(0.02)
    if process.returncode is None:
        await process.wait()
    await process.aclose()
    if tracked is not None:
        tracked.stopped = True
