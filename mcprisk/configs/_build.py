"""One server entry, whatever client wrote it, into a ServerSpec: checked field by field, with messages that
name the file, the server and the key as written (never a value), and the line of each value kept.

Readers turn their client's shape into an ``Entry`` whose body uses the common keys (``command``, ``args``,
``env``, ``cwd``, ``url``, ``headers``, ``type``) and say where each key was really written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import urlsplit

from .._errors import ConfigError, SpecError
from ..specs import ServerSpec, SpecSource, Transport, url_for_checks
from ._doc import Doc, KeyPath, pointer

__all__ = ["Entry", "Expand", "build_spec", "dig", "found_keys", "kind_of", "table_entries"]

Expand = Callable[[str], str]

_TYPES: dict[str, Transport] = {
    "stdio": "stdio",
    "local": "stdio",
    "http": "http",
    "streamable-http": "http",
    "streamablehttp": "http",
    "streamable_http": "http",
    "remote": "http",
    "sse": "sse",
}


@dataclass(frozen=True)
class Entry:
    """One server entry as a reader found it: name, key path, body in the common shape, and what the client
    says about starting it (disabled) and confirming its tools (auto_approve)."""

    name: str
    path: KeyPath
    body: Any
    keys: Mapping[str, KeyPath] = field(default_factory=dict)  # common key -> key path as written (relative)
    args_offset: int = 0  # opencode writes the command and its arguments in one list: args[i] is command[i + 1]
    disabled: bool = False
    auto_approve: tuple[str, ...] = ()
    approve_path: KeyPath | None = None  # absolute key path of the setting that grants the auto-approval
    scope: str | None = None

    def where(self, rel: KeyPath) -> KeyPath:
        """The absolute key path where the common-shape ``rel`` (("args", 2)) was written."""
        head, rest = rel[0], rel[1:]
        if head == "args" and self.args_offset and rest and isinstance(rest[0], int):
            return (*self.path, *self.keys.get("args", ("args",)), rest[0] + self.args_offset, *rest[1:])
        return (*self.path, *self.keys.get(str(head), (head,)), *rest)

    def written(self, key: str) -> str:
        """The key as the client spells it, for messages."""
        return ".".join(str(p) for p in self.keys.get(key, (key,)))


_Fail = Callable[[str | None, str], NoReturn]


def build_spec(entry: Entry, kind: str, path: str, doc: Doc, expand: Expand) -> ServerSpec:
    """The ServerSpec of one entry. Raises ConfigError naming the file, server and key as written."""
    body, name = entry.body, entry.name

    def fail(key: str | None, message: str) -> NoReturn:
        raise ConfigError(message, path=path, server=name, key=entry.written(key) if key else None)

    if not isinstance(body, dict):
        fail(None, f"expected an object with 'command' (local server) or 'url' (remote server), got {kind_of(body)}")
    transport = _declared_transport(body, fail)
    url_key = _url_key(body, fail)
    shown_url = entry.written(url_key) if url_key else ""
    if "command" in body and url_key:
        fail(None, f"has both {entry.written('command')!r} and {shown_url!r}; expected {entry.written('command')!r} "
                   f"for a local server or {shown_url!r} for a remote one, not both")
    if "command" not in body and not url_key:
        fail(None, "expected 'command' (local server) or 'url' (remote server), found neither")
    if transport == "stdio" and url_key:
        fail("type", f"type 'stdio' needs 'command', but the entry has {shown_url!r}")
    if transport in ("http", "sse") and "command" in body:
        fail("type", f"type {body['type']!r} needs 'url', but the entry has {entry.written('command')!r}")
    source = SpecSource(path=path, client=kind, pointer=pointer(entry.path), line=doc.line(entry.path),
                        scope=entry.scope, fields=_field_lines(entry, doc))
    try:
        if url_key:
            return _remote_spec(entry, url_key, transport, source, expand, fail)
        return _stdio_spec(entry, source, expand, fail)
    except SpecError as exc:  # a backstop: the checks above should leave nothing for ServerSpec to reject
        raise ConfigError(str(exc), path=path, server=name) from exc


def _field_lines(entry: Entry, doc: Doc) -> tuple[tuple[str, int], ...]:
    """Lines of the values a launch finding may point at, by their common-shape pointer."""
    body = entry.body
    out: dict[str, int] = {}
    for key in ("command", "url", "serverUrl", "cwd", "env", "headers"):
        if key in body and (line := doc.line(entry.where((key,)))) is not None:
            out[key] = line
    args = body.get("args")
    for i in range(len(args) if isinstance(args, list) else 0):
        if (line := doc.line(entry.where(("args", i)))) is not None:
            out[f"args/{i}"] = line
    if entry.approve_path is not None and (line := doc.line(entry.approve_path)) is not None:
        out["auto_approve"] = line
    return tuple(sorted(out.items()))


def _stdio_spec(entry: Entry, source: SpecSource, expand: Expand, fail: _Fail) -> ServerSpec:
    body = entry.body
    command = _string(body, "command", fail, non_empty=True)
    args = _string_list(body, "args", fail)
    env = _string_map(body, "env", fail)
    cwd = _optional_string(body, "cwd", fail)
    _optional_string(body, "envFile", fail)  # VS Code: a .env file read at launch; its values are not ours to read
    return ServerSpec.stdio(
        expand(command), [expand(a) for a in args], name=entry.name,
        env={k: expand(v) for k, v in env.items()},
        cwd=expand(cwd) if cwd is not None else None,
        source=source, disabled=entry.disabled, auto_approve=entry.auto_approve,
    )


def _remote_spec(entry: Entry, url_key: str, transport: Transport | None, source: SpecSource, expand: Expand,
                 fail: _Fail) -> ServerSpec:
    body = entry.body
    url = expand(_string(body, url_key, fail, non_empty=True))
    checked = _check_url(url, url_key, fail)
    headers = _string_map(body, "headers", fail)
    if transport is None:
        # No type: the convention (Cursor, Windsurf, mcp-remote) is a path ending in /sse for legacy SSE.
        transport = "sse" if checked is not None and _url_path(checked).rstrip("/").endswith("/sse") else "http"
    return ServerSpec.http(url, name=entry.name, headers={k: expand(v) for k, v in headers.items()},
                           transport=transport, source=source, disabled=entry.disabled,
                           auto_approve=entry.auto_approve)


def _declared_transport(body: dict[str, Any], fail: _Fail) -> Transport | None:
    if "type" not in body:
        return None
    declared = body["type"]
    if not isinstance(declared, str):
        fail("type", f"expected a string, got {kind_of(declared)}")
    transport = _TYPES.get(declared.lower())
    if transport is None:
        fail("type", f"unknown transport type {declared[:40]!r}; expected one of "
                     "'stdio', 'http', 'streamable-http', 'streamableHttp' or 'sse'")
    return transport


def _url_key(body: dict[str, Any], fail: _Fail) -> str | None:
    """Which key holds the URL: 'url', or Windsurf's 'serverUrl'."""
    present = [k for k in ("url", "serverUrl") if k in body]
    if len(present) == 2:
        fail(None, "has both 'url' and 'serverUrl'; expected one of them")
    return present[0] if present else None


def _check_url(url: str, key: str, fail: _Fail) -> str | None:
    """Check what can be checked before placeholders are resolved; return the URL with defaults filled in.

    Messages never quote the URL: it may carry a password or a token.
    """
    checked = url_for_checks(url)
    if checked is None:  # "${env:MCP_URL}": checked when resolved at connect time
        return None
    if not re.match(r"(?i)https?://", checked):
        fail(key, "expected an http:// or https:// URL")
    if "${" in checked:  # a host or port still to be filled in
        return checked
    try:
        parts = urlsplit(checked)
        parts.port  # noqa: B018 - parsing the port raises ValueError when it is not a number in range
    except ValueError:
        fail(key, "expected an http:// or https:// URL; this one cannot be parsed (bad host or port)")
    if not parts.hostname:
        fail(key, "expected an http:// or https:// URL with a host name")
    return checked


def _url_path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


# -- locating tables -----------------------------------------------------------------------------------


def dig(data: Any, keys: KeyPath) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def table_entries(table: Any, keys: KeyPath, path: str, **common: Any) -> list[Entry]:
    """The entries of one server table (``mcpServers``, ``servers``...) found at ``keys``."""
    if not isinstance(table, dict):
        raise ConfigError(f"expected an object mapping server names to their settings, got {kind_of(table)}",
                          path=path, key=".".join(str(k) for k in keys))
    for name in table:
        if not name:
            raise ConfigError(f"a server has an empty name (at {pointer(keys)}/)", path=path)
    return [Entry(name, (*keys, name), body, **common) for name, body in table.items()]


def found_keys(data: Any) -> str:
    if not isinstance(data, dict):
        return ""
    if not data:
        return " (the file is an empty object)"
    keys = sorted(data)[:10]
    more = ", ..." if len(data) > 10 else ""
    return " (top-level keys: " + ", ".join(repr(k[:40]) for k in keys) + more + ")"


# -- typed field access with messages that name the key, never the value ------------------------------


def kind_of(value: Any) -> str:
    """The JSON name of a value's type, for messages."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "object"
    return "list"


def _string(body: dict[str, Any], key: str, fail: _Fail, *, non_empty: bool = False) -> str:
    value = body[key]
    if not isinstance(value, str):
        fail(key, f"expected a string, got {kind_of(value)}")
    if non_empty and not value.strip():
        fail(key, "expected a non-empty string")
    return value


def _optional_string(body: dict[str, Any], key: str, fail: _Fail) -> str | None:
    return _string(body, key, fail) if key in body and body[key] is not None else None


def _string_list(body: dict[str, Any], key: str, fail: _Fail) -> list[str]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        fail(key, f"expected a list of strings, got {kind_of(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            fail(key, f"expected a list of strings, but {key}[{i}] is a {kind_of(item)}")
    return value


def _string_map(body: dict[str, Any], key: str, fail: _Fail) -> dict[str, str]:
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        fail(key, f"expected an object of string values, got {kind_of(value)}")
    for name, item in value.items():
        if not isinstance(item, str):
            fail(key, f"expected string values, but the value of {name[:80]!r} is a {kind_of(item)}")
    return value
