"""Connect to a live MCP server and record what it exposes, without ever invoking anything.

This is the only module that imports the mcp SDK. The SDK drives the protocol (both eras, every
transport); mcprisk tees the raw JSON-RPC so the snapshot keeps what the server actually sent
(unknown fields, spec-invalid items, tools the SDK would drop), and wraps every step in time and
size limits so a hostile or broken server ends in a clear error plus whatever was gathered.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
import mcp_types as types
from mcp import ClientSession, MCPError
from mcp_types.version import LATEST_MODERN_VERSION, MODERN_PROTOCOL_VERSIONS
from pydantic import ValidationError

from . import __version__
from ._errors import SpecError
from ._failures import failure_code, mcp_error_code, validation_summary
from ._resolve import ResolvedLaunch
from ._scrub import Scrubber, scrubbed_logs
from ._sync import run_sync
from ._text import canonical_json, clip, sha256_hex
from ._transports import open_transport
from ._wire import FORBIDDEN_METHODS, Wire
from .snapshot import INCOMPLETE, IntrospectionIssue, Snapshot, item_from_wire
from .specs import ServerSpec

__all__ = [
    "FORBIDDEN_METHODS",
    "Limits",
    "introspect",
    "introspect_async",
    "introspect_many",
    "introspect_many_async",
]

# What each list is called on the wire, and the key holding its items.
_LISTS: dict[str, tuple[str, str, str]] = {
    # kind: (method, result key, capability)
    "tools": ("tools/list", "tools", "tools"),
    "resources": ("resources/list", "resources", "resources"),
    "resource_templates": ("resources/templates/list", "resourceTemplates", "resources"),
    "prompts": ("prompts/list", "prompts", "prompts"),
}

_CLIENT_INFO = types.Implementation(name="mcprisk", version=__version__)


@dataclass(frozen=True)
class Limits:
    """Every wait and size mcprisk allows one server. Defaults suit real servers started by npx/uvx."""

    connect_timeout: float = 30.0  # handshake (discover probe + fallback initialize)
    probe_timeout: float = 10.0  # the server/discover probe before falling back to initialize
    request_timeout: float = 15.0  # each list request
    total_timeout: float = 90.0  # the whole server, spawn to teardown
    max_message_bytes: int = 32 * 2**20  # one JSON-RPC message; larger ones are discarded unread
    max_items: int = 2000  # per list (tools, resources, templates, prompts)
    max_pages: int = 100  # per list
    max_text_chars: int = 8192  # per string kept in the snapshot (hash and length of the full text kept)
    max_stderr_bytes: int = 64 * 1024  # tail of the server's stderr kept
    shutdown_grace: float = 1.0  # after closing stdin, before SIGTERM, then SIGKILL

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "probe_timeout", "request_timeout", "total_timeout", "shutdown_grace"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Limits.{name} must be > 0")
        for name in ("max_message_bytes", "max_items", "max_pages", "max_text_chars", "max_stderr_bytes"):
            if not getattr(self, name) >= 1:
                raise ValueError(f"Limits.{name} must be >= 1")


# --------------------------------------------------------------------------------------------
# What one introspection gathers (local to one call: no global state)


@dataclass
class _Gathered:
    spec: ServerSpec
    era: str | None = None
    protocol_version: str | None = None
    server_info: dict[str, Any] | None = None
    capabilities: dict[str, Any] = field(default_factory=dict)
    instructions: str | None = None
    items: dict[str, list[Any]] = field(default_factory=lambda: {k: [] for k in _LISTS})
    errors: list[IntrospectionIssue] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    connected: bool = False
    closed: bool = False  # the connection died after the handshake: later lists are not attempted

    def error(self, stage: str, code: str, message: str, fatal: bool = True) -> None:
        issue = IntrospectionIssue(stage, code, message, fatal)
        if issue not in self.errors:
            self.errors.append(issue)

    def snapshot(self, wire: Wire | None, limits: Limits) -> Snapshot:
        errors = list(self.errors)
        stderr = ""
        if wire is not None:
            for note in wire.notes:
                if note not in errors:
                    errors.append(note)
            if wire.noise_lines:
                errors.append(IntrospectionIssue(
                    "transport", "invalid_json",
                    f"{wire.noise_lines} line(s) on stdout were not JSON-RPC (servers must write only MCP "
                    f"messages to stdout); first: {wire.scrub.text(' | '.join(wire.noise_samples))}", False))
            if wire.invalid_utf8:
                errors.append(IntrospectionIssue("transport", "invalid_utf8",
                                                 f"{wire.invalid_utf8} message(s) were not valid UTF-8", False))
            stderr = wire.stderr_text()
        fatal = any(e.fatal for e in errors)
        status = "failed" if not self.connected else ("partial" if fatal else "complete")
        instructions = None
        if self.instructions is not None:
            instructions = clip(self.instructions, limits.max_text_chars)[0]
        return Snapshot(
            server=self.spec,
            status=status,
            era=self.era,  # type: ignore[arg-type]
            protocol_version=self.protocol_version,
            server_info=self.server_info,
            capabilities=self.capabilities,
            instructions=instructions,
            instructions_length=len(self.instructions or ""),
            instructions_sha256=sha256_hex(self.instructions) if self.instructions is not None else None,
            tools=tuple(self.items["tools"]),
            resources=tuple(self.items["resources"]),
            resource_templates=tuple(self.items["resource_templates"]),
            prompts=tuple(self.items["prompts"]),
            errors=tuple(errors),
            pages=dict(self.pages),
            stderr=stderr,
            timings={k: round(v, 4) for k, v in self.timings.items()},
        )


# --------------------------------------------------------------------------------------------
# Protocol steps


async def _negotiate(session: ClientSession, spec: ServerSpec, wire: Wire, g: _Gathered, era: str) -> None:
    """Pick the protocol era the way the spec asks: probe server/discover, else fall back to initialize."""
    if spec.transport == "sse" or era == "legacy":  # the legacy HTTP+SSE transport predates the modern era
        await session.initialize()
    elif era == "modern":
        await session.discover()
    else:
        await _probe_then_initialize(session, wire.limits)
    modern = session.discover_result is not None
    g.era = "modern" if modern else "legacy"
    g.protocol_version = session.protocol_version
    raw = wire.last_result("server/discover" if modern else "initialize") or {}
    raw = wire.scrub.json(raw)
    max_chars = wire.limits.max_text_chars
    from ._bounded import bounded

    caps = raw.get("capabilities")
    g.capabilities = bounded(caps, max_chars) if isinstance(caps, dict) else {}
    info = raw.get("serverInfo") if not modern else (raw.get("_meta") or {}).get("io.modelcontextprotocol/serverInfo")
    g.server_info = bounded(info, max_chars) if isinstance(info, dict) else None
    instructions = raw.get("instructions")
    g.instructions = instructions if isinstance(instructions, str) else None
    g.connected = True


async def _probe_then_initialize(session: ClientSession, limits: Limits) -> None:
    version = LATEST_MODERN_VERSION
    for attempt in range(2):
        raw: dict[str, Any] | None = None
        try:
            with anyio.fail_after(min(limits.probe_timeout, limits.connect_timeout)):
                raw = await session.send_discover(version)
        except MCPError as exc:
            mutual = _mutual_modern(exc)
            if mutual and attempt == 0 and exc.code == types.UNSUPPORTED_PROTOCOL_VERSION:
                version = mutual
                continue
        except TimeoutError:
            pass  # a silent probe means a legacy server (spec: fall back, not keyed to one error)
        if raw is not None:
            try:
                result = types.DiscoverResult.model_validate(raw)
            except ValidationError:
                result = None
            if result is not None and any(v in result.supported_versions for v in MODERN_PROTOCOL_VERSIONS):
                session.adopt(result)
                return
        try:
            await session.initialize()
            return
        except MCPError as exc:
            # -32022 to initialize: the (timed-out) probe already locked the server modern. Re-probe once.
            mutual = _mutual_modern(exc)
            if exc.code != types.UNSUPPORTED_PROTOCOL_VERSION or attempt or not mutual:
                raise
            version = mutual


def _mutual_modern(exc: MCPError) -> str | None:
    data = exc.error.data if isinstance(exc.error.data, dict) else {}
    supported = data.get("supported") if isinstance(data.get("supported"), list) else []
    mutual = [v for v in MODERN_PROTOCOL_VERSIONS if v in supported]
    return mutual[-1] if mutual else None


async def _list_all(session: ClientSession, kind: str, wire: Wire, g: _Gathered) -> None:
    """Walk every page of one list, keeping raw items; stop on error, loop, or a cap."""
    limits = wire.limits
    method, key, _ = _LISTS[kind]
    fetch: Callable[..., Any] = {
        "tools": session.list_tools,
        "resources": session.list_resources,
        "resource_templates": session.list_resource_templates,
        "prompts": session.list_prompts,
    }[kind]
    cursor: str | None = None
    seen: set[str] = set()
    pages = 0
    items = g.items[kind]
    while True:
        if pages >= limits.max_pages:
            g.error(kind, "too_many_pages", f"stopped after {pages} pages (max_pages={limits.max_pages}); "
                                            f"the server keeps returning a nextCursor")
            break
        params = types.PaginatedRequestParams(cursor=cursor) if cursor is not None else None
        sdk_names: set[str] | None = None
        try:
            with anyio.fail_after(limits.request_timeout + 1):
                result = await fetch(params=params)
            sdk_names = {getattr(x, _ID_ATTR[kind]) for x in getattr(result, kind)}
        except ValidationError as exc:
            g.error(kind, "sdk_rejected", "the mcp SDK rejected this page as spec-invalid "
                    f"({exc.error_count()} problem(s): {validation_summary(exc)}); kept as sent", fatal=False)
        except MCPError as exc:
            if exc.code == types.METHOD_NOT_FOUND and kind != "tools" and pages == 0:
                # Declared but not implemented: nothing of this kind to judge (tools are the exception: unseen).
                g.error(kind, "not_implemented", f"{method}: the server declares the capability but answers "
                                                 "'method not found'; nothing of this kind is listed", fatal=False)
                break
            failure = wire.last_failure(method)
            code, message = failure if failure else mcp_error_code(exc, wire)
            if code == "timeout":
                message = f"got no answer within the {limits.request_timeout:g} s request limit"
            g.error(kind, code, f"{method}: {wire.scrub.text(message)}")
            g.closed = code == "connection_closed"
            pages += 1
            break
        except TimeoutError:
            g.error(kind, "timeout", f"{method} got no answer within {limits.request_timeout + 1:g} s (the "
                                     f"{limits.request_timeout:g} s request limit and 1 s of grace)")
            break
        pages += 1
        raw = wire.last_result(method)
        if raw is None:
            g.error(kind, "invalid_result", f"{method}: no result was captured")
            break
        page = raw.get(key)
        if not isinstance(page, list):
            g.error(kind, "invalid_result", f"{method}: result has no {key!r} list")
            break
        for entry in page:
            if len(items) >= limits.max_items:
                g.error(kind, "too_many_items", f"kept the first {limits.max_items} {kind.replace('_', ' ')} "
                                                f"(max_items); the server offers more")
                g.pages[kind] = pages
                return
            if not isinstance(entry, dict):
                g.error(kind, "invalid_item", f"{method}: an entry is {type(entry).__name__}, not an object",
                        fatal=False)
                continue
            items.append(_one_item(kind, entry, sdk_names, wire, g))
        if any(p for it in items for p in it.problems if p.startswith("dropped by the mcp SDK")):
            g.error(kind, "sdk_dropped", "some items were dropped by the mcp SDK's parser; kept as sent",
                    fatal=False)
        if any(it.incomplete for it in items):
            g.error(kind, "item_incomplete", "part of some definitions could not be read or kept (see each "
                    "item's problems); those items are kept by name, to be assumed at their worst", fatal=False)
        next_cursor = raw.get("nextCursor")
        if next_cursor is None:
            break
        if not isinstance(next_cursor, str):
            g.error(kind, "invalid_result", f"{method}: nextCursor is {type(next_cursor).__name__}, not a string")
            break
        if next_cursor in seen:
            g.error(kind, "cursor_loop", f"{method}: cursor {clip(next_cursor, 40)[0]!r} came back again "
                                         f"after {pages} pages; stopped")
            break
        seen.add(next_cursor)
        cursor = next_cursor
    g.pages[kind] = pages


def _one_item(kind: str, entry: dict[str, Any], sdk_names: set[str] | None, wire: Wire, g: _Gathered) -> Any:
    """One listed item as a snapshot item; one that cannot be read whole is kept by name with the problem."""
    max_chars = wire.limits.max_text_chars
    try:
        if wire.scrub and wire.scrub.contains(canonical_json(entry)):
            entry = wire.scrub.json(entry)
            g.error(kind, "secret_echoed", "the server echoed a secret value mcprisk sent it; replaced by ***",
                    fatal=False)
        problems = []
        if sdk_names is not None and entry.get(_ID_KEY[kind]) not in sdk_names:
            problems.append("dropped by the mcp SDK when parsing (a client using it would not see this item)")
        return item_from_wire(kind, entry, max_text_chars=max_chars, problems=problems)
    except (RecursionError, ValueError, TypeError, OverflowError, MemoryError) as exc:
        name = entry.get(_ID_KEY[kind])
        name = wire.scrub.text(name) if isinstance(name, str) else f"<unnamed: {type(name).__name__}>"
        stub = {_ID_KEY[kind]: clip(name, max_chars)[0]}
        if _ID_KEY[kind] != "name":
            stub["name"] = stub[_ID_KEY[kind]]
        problem = (f"{INCOMPLETE}: could not be read or stored ({type(exc).__name__}); only its name was kept, "
                   f"to be assumed at its worst")
        return item_from_wire(kind, stub, max_text_chars=max_chars, problems=[problem])


# How an item is identified in the SDK's parsed models and on the wire.
_ID_ATTR = {"tools": "name", "resources": "uri", "resource_templates": "uri_template", "prompts": "name"}
_ID_KEY = {"tools": "name", "resources": "uri", "resource_templates": "uriTemplate", "prompts": "name"}



ERAS = ("auto", "legacy", "modern")


def _closed_on_probe(wire: Wire, g: _Gathered) -> bool:
    """The connection ended while the server/discover probe was unanswered, and nothing else was asked: not a
    silent server (that times out and falls back by itself) but one that quit on a method it does not know."""
    probes = wire.ids_by_method.get("server/discover", [])
    return (bool(probes) and probes[-1] in wire.outstanding and "initialize" not in wire.ids_by_method
            and any(e.fatal and e.code not in ("timeout", "total_timeout", "spawn_failed", "spec_error")
                    for e in g.errors))


async def introspect_async(spec: ServerSpec, *, limits: Limits | None = None,
                           environ: Mapping[str, str] | None = None,
                           inputs: Mapping[str, str] | None = None, era: str = "auto") -> Snapshot:
    """Introspect one server. Never raises for anything the server does: read ``snapshot.status``/``errors``.

    ``environ`` fills ``${env:NAME}`` placeholders (default: this process's environment);
    ``inputs`` fills VS Code ``${input:id}`` placeholders. ``era`` is ``auto`` (probe
    ``server/discover``, fall back to ``initialize``), ``legacy`` or ``modern``.
    """
    if era not in ERAS:
        raise ValueError(f"era must be one of {', '.join(ERAS)}; got {era!r}")
    limits = limits or Limits()
    g = _Gathered(spec)
    started = time.perf_counter()
    try:
        launch = ResolvedLaunch.resolve(spec, environ, inputs)
    except SpecError as exc:
        g.error("connect", "spec_error", str(exc))
        return g.snapshot(None, limits)
    scrub = Scrubber(launch.secret_values(spec))
    wire = Wire(limits, scrub)
    stage = "connect"
    with scrubbed_logs(scrub), anyio.move_on_after(limits.total_timeout) as deadline:
        try:
            async with open_transport(spec, launch, wire) as (read, write):
                async with ClientSession(read, write, read_timeout_seconds=limits.request_timeout,
                                         client_info=_CLIENT_INFO) as session:
                    with anyio.fail_after(limits.connect_timeout):
                        await _negotiate(session, spec, wire, g, era)
                    g.timings["connect"] = time.perf_counter() - started
                    for kind, (_method, _key, capability) in _LISTS.items():
                        if capability not in g.capabilities or g.closed:
                            continue
                        stage = kind
                        t0 = time.perf_counter()
                        await _list_all(session, kind, wire, g)
                        g.timings[kind] = time.perf_counter() - t0
        except Exception as exc:  # noqa: BLE001 - every failure becomes evidence, never a crash
            wire.connected = g.connected
            code, message = failure_code(exc, spec, wire, limits)
            g.error(stage if not g.connected else "transport", code, scrub.text(message))
    if deadline.cancelled_caught:
        g.error("server", "total_timeout", f"introspection stopped at the {limits.total_timeout:g} s limit "
                                           f"for one server (during {stage}); kept what was gathered")
    g.timings["total"] = time.perf_counter() - started
    if era == "auto" and spec.transport == "stdio" and not g.connected and _closed_on_probe(wire, g) \
            and not deadline.cancelled_caught:
        # Some servers built on older SDKs exit on a method they do not know: start it again, legacy only.
        again = await introspect_async(spec, limits=limits, environ=environ, inputs=inputs, era="legacy")
        note = IntrospectionIssue("connect", "probe_closed", "the server closed the connection when sent the "
                                  "server/discover probe; started it again and used initialize (legacy era)", False)
        return dataclasses.replace(again, errors=(note, *again.errors))
    if not g.connected and wire.stderr_total and not any(e.code == "spawn_failed" for e in g.errors):
        tail = wire.stderr_text().strip().splitlines()[-3:]
        if tail:
            g.error("connect", "server_stderr", "last stderr lines: " + " | ".join(tail), fatal=False)
    return g.snapshot(wire, limits)


async def introspect_many_async(specs: Sequence[ServerSpec], *, concurrency: int = 8,
                                limits: Limits | None = None, environ: Mapping[str, str] | None = None,
                                inputs: Mapping[str, str] | None = None) -> list[Snapshot]:
    """Introspect many servers at once (at most ``concurrency`` in flight); results in input order.

    One slow or broken server neither delays beyond its own limits nor breaks the others.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be >= 1")
    results: list[Snapshot | None] = [None] * len(specs)
    limiter = anyio.CapacityLimiter(concurrency)

    async def one(index: int, spec: ServerSpec) -> None:
        async with limiter:
            try:
                results[index] = await introspect_async(spec, limits=limits, environ=environ, inputs=inputs)
            except Exception as exc:  # noqa: BLE001 - a bug here must not take the other servers down
                g = _Gathered(spec)
                g.error("connect", "internal_error", f"{type(exc).__name__}: {exc}")
                results[index] = g.snapshot(None, limits or Limits())

    async with anyio.create_task_group() as tg:
        for i, spec in enumerate(specs):
            tg.start_soon(one, i, spec)
    return [r for r in results if r is not None]




def introspect(spec: ServerSpec, *, limits: Limits | None = None, environ: Mapping[str, str] | None = None,
               inputs: Mapping[str, str] | None = None, era: str = "auto") -> Snapshot:
    """Synchronous ``introspect_async``: works in scripts and inside a running Jupyter kernel."""
    return run_sync(introspect_async, spec, limits=limits, environ=environ, inputs=inputs, era=era)


def introspect_many(specs: Sequence[ServerSpec], *, concurrency: int = 8, limits: Limits | None = None,
                    environ: Mapping[str, str] | None = None, inputs: Mapping[str, str] | None = None
                    ) -> list[Snapshot]:
    """Synchronous ``introspect_many_async``."""
    return run_sync(introspect_many_async, specs, concurrency=concurrency, limits=limits, environ=environ,
                     inputs=inputs)

