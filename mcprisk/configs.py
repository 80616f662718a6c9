"""Read MCP client config files (Claude Desktop, Claude Code, VS Code, Cursor, Windsurf) into ServerSpecs.

Files are read as JSON with comments and trailing commas (JSONC); every spec records its file, JSON pointer and line.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import urlsplit

from ._errors import ConfigError, SpecError
from ._files import FileRefused, read_bounded
from .specs import ServerSpec, SpecSource, Transport, url_for_checks

__all__ = ["CLIENT_KINDS", "detect_client", "load_config", "parse_config"]

CLIENT_KINDS: tuple[str, ...] = ("claude_desktop", "claude_code", "vscode", "cursor", "windsurf", "generic")

MAX_CONFIG_BYTES = 64 * 1024 * 1024  # ~/.claude.json keeps history and grows; real MCP configs are tiny
MAX_NESTING = 200  # deeper input is hostile or broken, and would otherwise exhaust Python's stack

# Where each client keeps its server table, in the order tried; the first one present is read.
_CONTAINERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "claude_desktop": (("mcpServers",),),
    "claude_code": (("mcpServers",),),  # plus projects.<path>.mcpServers in ~/.claude.json
    "vscode": (("servers",), ("mcp", "servers"), ("mcp.servers",)),
    "cursor": (("mcpServers",),),
    "windsurf": (("mcpServers",),),
    "generic": (("mcpServers",), ("servers",), ("mcp", "servers"), ("mcp.servers",)),
}
_EXPECTED: dict[str, str] = {
    "claude_desktop": "a top-level 'mcpServers' object",
    "claude_code": "a top-level 'mcpServers' object, or 'mcpServers' under 'projects.<path>' (~/.claude.json)",
    "vscode": "a top-level 'servers' object (mcp.json) or 'mcp': {'servers': ...} (settings.json)",
    "cursor": "a top-level 'mcpServers' object",
    "windsurf": "a top-level 'mcpServers' object",
    "generic": "a top-level 'mcpServers' object (Claude Desktop, Claude Code, Cursor, Windsurf), "
               "'servers' (VS Code mcp.json) or 'mcp': {'servers': ...} (VS Code settings.json)",
}

# Only these clients honour "disabled": true; the others still start such a server, so it is still assessed.
_HONOURS_DISABLED = frozenset({"cursor", "windsurf", "generic"})
# Claude Code expands ${VAR} and ${VAR:-default} itself; a generic mcpServers file most likely follows it.
_EXPANDS_BARE_VARS = frozenset({"claude_code", "generic"})

_TYPES: dict[str, Transport] = {
    "stdio": "stdio",
    "http": "http",
    "streamable-http": "http",
    "streamablehttp": "http",
    "sse": "sse",
}
_BARE_VAR = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<default>:-[^{}]*)?\}")  # no "{": linear


# -- public API -------------------------------------------------------------------------------------


def load_config(path: str | os.PathLike[str], *, client: str | None = None) -> list[ServerSpec]:
    """The servers configured in the client config file at ``path``, sorted by name.

    ``client`` (one of CLIENT_KINDS) skips detection. Raises ConfigError naming the file, server and key.
    """
    shown = os.fspath(path)
    return parse_config(_read_text(shown), path=shown, client=client)


def parse_config(text: str, *, path: str = "<string>", client: str | None = None) -> list[ServerSpec]:
    """The servers configured in ``text`` (a config file's content), sorted by name.

    ``path`` is only used for detection and messages. Conventions:

    - Claude Code's (and a generic file's) ``${VAR}`` / ``${VAR:-default}`` become ``${env:VAR}`` /
      ``${env:VAR:-default}``: the default is kept in the template and used when VAR is unset.
    - ``${input:ID}`` and ``${env:NAME}`` stay as written; editor variables such as
      ``${workspaceFolder}`` are kept verbatim; VS Code's ``envFile`` is checked but not read.
    - ``"disabled": true`` entries are skipped for Cursor, Windsurf and generic (Cline-style) files,
      the clients that honour it; the other clients start them anyway, so they are kept.
    """
    data, key_lines = _JsoncParser(text, path).parse()
    if not isinstance(data, dict):
        raise ConfigError(f"expected a JSON object at the top level, got {_kind(data)}", path=path)
    kind = _check_client(client, path) if client is not None else detect_client(path, data)
    specs = []
    for entry in _server_entries(data, kind, path):
        spec = _build_spec(entry, kind, path, key_lines.get(entry.pointer))
        if spec is not None:
            specs.append(spec)
    return sorted(specs, key=lambda s: s.name)


def detect_client(path: str | os.PathLike[str] | None, data: Any) -> str:
    """Which client a config file belongs to: by its file name and folder first, then by its shape.

    A saved copy named ``<client>.<anything>`` (``cursor.mcp.json``) is read as that client's file.
    """
    return _client_from_path(path) or _client_from_shape(data)


# -- detection --------------------------------------------------------------------------------------


def _client_from_path(path: str | os.PathLike[str] | None) -> str | None:
    if path is None:
        return None
    # Split on both separators: a Windows path may be examined on Linux and vice versa.
    parts = [p.lower() for p in re.split(r"[\\/]+", os.fspath(path)) if p]
    if not parts:
        return None
    name = parts[-1]
    parent = parts[-2] if len(parts) > 1 else ""
    grandparent = parts[-3] if len(parts) > 2 else ""
    if name == "claude_desktop_config.json":
        return "claude_desktop"
    if name in (".mcp.json", ".claude.json"):
        return "claude_code"
    if name in ("mcp.json", "settings.json") and (
            parent == ".vscode" or (parent == "user" and grandparent.startswith(("code", "vscodium")))):
        return "vscode"
    if name == "mcp.json" and parent == ".cursor":
        return "cursor"
    if name == "mcp_config.json" and (parent == "windsurf" or ".codeium" in parts):
        return "windsurf"
    prefix = name.split(".", 1)[0]
    if prefix != name and prefix in CLIENT_KINDS:
        return prefix
    return None


def _client_from_shape(data: Any) -> str:
    if not isinstance(data, dict):
        return "generic"
    if "servers" in data and "mcpServers" not in data:
        return "vscode"
    if "mcpServers" in data:
        return "generic"
    if isinstance(_dig(data, ("mcp", "servers")), dict) or "mcp.servers" in data:
        return "vscode"
    projects = data.get("projects")
    if isinstance(projects, dict) and any(isinstance(p, dict) and "mcpServers" in p for p in projects.values()):
        return "claude_code"
    return "generic"


def _check_client(client: str, path: str) -> str:
    if client not in CLIENT_KINDS:
        raise ConfigError(f"unknown client {client!r}; expected one of {', '.join(CLIENT_KINDS)}", path=path)
    return client


# -- locating server entries ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """One server entry as found in the file: its (possibly disambiguated) name, pointer and raw value."""

    name: str
    pointer: str
    body: Any


def _server_entries(data: dict[str, Any], kind: str, path: str) -> list[_Entry]:
    found = False
    entries: list[_Entry] = []
    for keys in _CONTAINERS[kind]:
        table = _dig(data, keys)
        if table is not None:
            entries = _table_entries(table, keys, path)
            found = True
            break
    if kind == "claude_code":
        project_entries, in_projects = _project_entries(data, path)
        entries = _disambiguate(entries, project_entries)
        found = found or in_projects
    if not found:
        raise ConfigError(f"no MCP servers found: expected {_EXPECTED[kind]}{_found_keys(data)}", path=path)
    return entries


def _table_entries(table: Any, keys: tuple[str, ...], path: str) -> list[_Entry]:
    """The entries of one server table (``mcpServers``, ``servers``...) found at ``keys``."""
    if not isinstance(table, dict):
        raise ConfigError(f"expected an object mapping server names to their settings, got {_kind(table)}",
                          path=path, key=".".join(keys))
    prefix = "".join("/" + _escape_pointer(k) for k in keys)
    for name in table:
        if not name:
            raise ConfigError(f"a server has an empty name (at {prefix}/)", path=path)
    return [_Entry(name, f"{prefix}/{_escape_pointer(name)}", body) for name, body in table.items()]


def _project_entries(data: dict[str, Any], path: str) -> tuple[list[tuple[str, _Entry]], bool]:
    """Servers scoped to one project in ~/.claude.json, as (project path, entry); and whether any table exists."""
    projects = data.get("projects")
    if not isinstance(projects, dict):
        return [], False
    out: list[tuple[str, _Entry]] = []
    found = False
    for project, settings in projects.items():
        if not isinstance(settings, dict) or "mcpServers" not in settings:
            continue  # ~/.claude.json holds much else per project; only the server table concerns us
        found = True
        for entry in _table_entries(settings["mcpServers"], ("projects", project, "mcpServers"), path):
            out.append((project, entry))
    return out, found


def _disambiguate(user: list[_Entry], projects: list[tuple[str, _Entry]]) -> list[_Entry]:
    """Give every server a unique name: a name used more than once keeps its bare form for the user-scope
    entry, and project entries become ``name@<project path>`` (unique, and the same on every run)."""
    counts = Counter([e.name for e in user] + [e.name for _, e in projects])
    out = list(user)
    for project, entry in projects:
        name = entry.name if counts[entry.name] == 1 else f"{entry.name}@{project}"
        out.append(_Entry(name, entry.pointer, entry.body))
    return out


def _found_keys(data: dict[str, Any]) -> str:
    if not data:
        return " (the file is an empty object)"
    keys = sorted(data)[:10]
    more = ", ..." if len(data) > 10 else ""
    return " (top-level keys: " + ", ".join(repr(k[:40]) for k in keys) + more + ")"


def _dig(data: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _escape_pointer(token: str) -> str:
    """A JSON pointer reference token (RFC 6901): '~' -> '~0', '/' -> '~1'."""
    return token.replace("~", "~0").replace("/", "~1")


# -- one entry -> ServerSpec -------------------------------------------------------------------------


def _build_spec(entry: _Entry, kind: str, path: str, line: int | None) -> ServerSpec | None:
    body, name = entry.body, entry.name
    fail = _failer(path, name)
    if not isinstance(body, dict):
        fail(None, f"expected an object with 'command' (local server) or 'url' (remote server), got {_kind(body)}")
    if kind in _HONOURS_DISABLED and body.get("disabled") is True:
        return None
    expand = _env_template if kind in _EXPANDS_BARE_VARS else _same
    source = SpecSource(path=path, client=kind, pointer=entry.pointer, line=line)
    transport = _declared_transport(body, fail)
    url_key = _url_key(body, fail)
    if "command" in body and url_key:
        fail(None, f"has both 'command' and {url_key!r}; expected 'command' for a local server "
                   f"or {url_key!r} for a remote one, not both")
    if "command" not in body and not url_key:
        fail(None, "expected 'command' (local server) or 'url' (remote server), found neither")
    if transport == "stdio" and url_key:
        fail("type", f"type 'stdio' needs 'command', but the entry has {url_key!r}")
    if transport in ("http", "sse") and "command" in body:
        fail("type", f"type {body['type']!r} needs 'url', but the entry has 'command'")
    try:
        if url_key:
            return _remote_spec(body, url_key, transport, name, source, expand, fail)
        return _stdio_spec(body, name, source, expand, fail)
    except SpecError as exc:  # a backstop: the checks above should leave nothing for ServerSpec to reject
        raise ConfigError(str(exc), path=path, server=name) from exc


def _stdio_spec(body: dict[str, Any], name: str, source: SpecSource, expand: Callable[[str], str],
                fail: _Fail) -> ServerSpec:
    command = _string(body, "command", fail, non_empty=True)
    args = _string_list(body, "args", fail)
    env = _string_map(body, "env", fail)
    cwd = _optional_string(body, "cwd", fail)
    _optional_string(body, "envFile", fail)  # VS Code: a .env file read at launch; its values are not ours to read
    return ServerSpec.stdio(
        expand(command), [expand(a) for a in args], name=name,
        env={k: expand(v) for k, v in env.items()},
        cwd=expand(cwd) if cwd is not None else None,
        source=source,
    )


def _remote_spec(body: dict[str, Any], url_key: str, transport: Transport | None, name: str,
                 source: SpecSource, expand: Callable[[str], str], fail: _Fail) -> ServerSpec:
    url = expand(_string(body, url_key, fail, non_empty=True))
    checked = _check_url(url, url_key, fail)
    headers = _string_map(body, "headers", fail)
    if transport is None:
        # No type: the convention (Cursor, Windsurf, mcp-remote) is a path ending in /sse for legacy SSE.
        transport = "sse" if checked is not None and _url_path(checked).rstrip("/").endswith("/sse") else "http"
    return ServerSpec.http(url, name=name, headers={k: expand(v) for k, v in headers.items()},
                           transport=transport, source=source)


def _declared_transport(body: dict[str, Any], fail: _Fail) -> Transport | None:
    if "type" not in body:
        return None
    declared = body["type"]
    if not isinstance(declared, str):
        fail("type", f"expected a string, got {_kind(declared)}")
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


def _env_template(text: str) -> str:
    """Claude Code's ``${VAR}`` / ``${VAR:-default}`` written as ``${env:VAR}`` / ``${env:VAR:-default}``."""
    return _BARE_VAR.sub(lambda m: "${env:" + m["name"] + (m["default"] or "") + "}", text)


def _same(text: str) -> str:
    return text


# -- typed field access with messages that name the key, never the value ------------------------------

_Fail = Callable[[str | None, str], NoReturn]


def _failer(path: str, server: str) -> _Fail:
    def fail(key: str | None, message: str) -> NoReturn:
        raise ConfigError(message, path=path, server=server, key=key)
    return fail


def _kind(value: Any) -> str:
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
        fail(key, f"expected a string, got {_kind(value)}")
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
        fail(key, f"expected a list of strings, got {_kind(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            fail(key, f"expected a list of strings, but {key}[{i}] is a {_kind(item)}")
    return value


def _string_map(body: dict[str, Any], key: str, fail: _Fail) -> dict[str, str]:
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        fail(key, f"expected an object of string values, got {_kind(value)}")
    for name, item in value.items():
        if not isinstance(item, str):
            fail(key, f"expected string values, but the value of {name[:80]!r} is a {_kind(item)}")
    return value


# -- reading the file ---------------------------------------------------------------------------------


def _read_text(path: str) -> str:
    try:
        raw = read_bounded(path, MAX_CONFIG_BYTES)
    except FileRefused as exc:
        raise ConfigError(f"cannot read the file: {exc.reason}", path=path) from None
    try:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Windows editors may save UTF-16 with a BOM
            return raw.decode("utf-16")
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (undecodable byte at offset {exc.start})", path=path) from None


_WS = re.compile(r"[ \t\r\n]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_STRING_CHUNK = re.compile(r'[^"\\\n\r]*')
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class _JsoncParser:
    """JSON plus // and /* */ comments and trailing commas (what VS Code accepts), recording the line of
    every object key by JSON pointer so a spec can point at its entry. Errors give line and column and
    never quote the text, which may hold a secret."""

    def __init__(self, text: str, path: str):
        self.text = text[1:] if text.startswith("\ufeff") else text
        self.path = path
        self.pos = 0
        self.key_lines: dict[str, int] = {}
        self._newlines = [m.start() for m in re.finditer("\n", self.text)]

    def parse(self) -> tuple[Any, dict[str, int]]:
        self._skip()
        value = self._value("", 0)
        self._skip()
        if self.pos < len(self.text):
            self._fail("expected the end of the file after the top-level value")
        return value, self.key_lines

    def _line(self, pos: int) -> int:
        return bisect_left(self._newlines, pos) + 1

    def _fail(self, message: str, pos: int | None = None) -> NoReturn:
        pos = self.pos if pos is None else pos
        line = self._line(pos)
        column = pos - (self._newlines[line - 2] if line > 1 else -1)
        raise ConfigError(f"not valid JSON at line {line}, column {column}: {message}", path=self.path)

    def _skip(self) -> None:
        """Skip whitespace and comments."""
        text = self.text
        while True:
            self.pos = _WS.match(text, self.pos).end()  # type: ignore[union-attr]
            if text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    self._fail("unterminated /* comment")
                self.pos = end + 2
            else:
                return

    def _value(self, pointer: str, depth: int) -> Any:
        if self.pos >= len(self.text):
            self._fail("unexpected end of file: expected a value")
        ch = self.text[self.pos]
        if ch in "{[" and depth >= MAX_NESTING:
            self._fail(f"nested deeper than {MAX_NESTING} levels")
        if ch == "{":
            return self._object(pointer, depth)
        if ch == "[":
            return self._array(pointer, depth)
        if ch == '"':
            return self._string()
        if ch == "-" or ch.isdigit():
            return self._number()
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return value
        return self._fail("expected a value (object, list, string, number, true, false or null)")

    def _object(self, pointer: str, depth: int) -> dict[str, Any]:
        self.pos += 1
        result: dict[str, Any] = {}
        while True:
            self._skip()
            if self.text.startswith("}", self.pos):  # also accepts a trailing comma before it
                self.pos += 1
                return result
            if not self.text.startswith('"', self.pos):
                self._fail("expected a quoted key or '}'")
            key_line = self._line(self.pos)
            key = self._string()
            self._skip()
            if not self.text.startswith(":", self.pos):
                self._fail("expected ':' after an object key")
            self.pos += 1
            self._skip()
            child = f"{pointer}/{_escape_pointer(key)}"
            self.key_lines[child] = key_line  # a repeated key overwrites: the last one wins, as in json
            result[key] = self._value(child, depth + 1)
            self._skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("}", self.pos):
                self.pos += 1
                return result
            else:
                self._fail("expected ',' or '}' after an object member")

    def _array(self, pointer: str, depth: int) -> list[Any]:
        self.pos += 1
        result: list[Any] = []
        while True:
            self._skip()
            if self.text.startswith("]", self.pos):
                self.pos += 1
                return result
            result.append(self._value(f"{pointer}/{len(result)}", depth + 1))
            self._skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("]", self.pos):
                self.pos += 1
                return result
            else:
                self._fail("expected ',' or ']' after a list item")

    def _string(self) -> str:
        start = self.pos
        self.pos += 1
        text, parts = self.text, []
        while True:
            chunk = _STRING_CHUNK.match(text, self.pos)
            parts.append(chunk.group())  # type: ignore[union-attr]
            self.pos = chunk.end()  # type: ignore[union-attr]
            if self.pos >= len(text) or text[self.pos] in "\r\n":
                self._fail("unterminated string", start)
            if text[self.pos] == '"':
                self.pos += 1
                return "".join(parts)
            parts.append(self._escape())

    def _escape(self) -> str:
        """One backslash escape at self.pos; a \\uD83D\\uDE00 surrogate pair becomes one character."""
        esc = self.text[self.pos + 1:self.pos + 2]
        if esc and esc in _ESCAPES:
            self.pos += 2
            return _ESCAPES[esc]
        if esc != "u" or not _HEX4.fullmatch(self.text, self.pos + 2, self.pos + 6):
            self._fail("invalid escape in string")
        code = int(self.text[self.pos + 2:self.pos + 6], 16)
        self.pos += 6
        if 0xD800 <= code < 0xDC00 and self.text.startswith("\\u", self.pos):
            low_hex = self.text[self.pos + 2:self.pos + 6]
            if _HEX4.fullmatch(low_hex) and 0xDC00 <= (low := int(low_hex, 16)) < 0xE000:
                self.pos += 6
                return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
        return chr(code)

    def _number(self) -> int | float:
        match = _NUMBER.match(self.text, self.pos)
        if not match:
            return self._fail("invalid number")
        self.pos = match.end()
        token = match.group()
        if any(c in token for c in ".eE"):
            return float(token)
        try:
            return int(token)
        except ValueError:  # more digits than Python converts by default
            return self._fail("number has too many digits", match.start())
