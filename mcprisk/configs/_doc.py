"""Reading a client config file into plain values plus the line of each key: JSON/JSONC, TOML and YAML.

``read_text`` is the one place a config file is read (size-capped, encoding-checked); every format keeps
the line of the keys a finding may point at, so a SARIF annotation lands on the line to change.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._files import FileRefused, read_bounded
from .._errors import ConfigError
from ._jsonc import JsoncParser

__all__ = ["MAX_CONFIG_BYTES", "Doc", "KeyPath", "parse_doc", "pointer", "read_text"]

MAX_CONFIG_BYTES = 64 * 1024 * 1024  # ~/.claude.json keeps history and grows; real MCP configs are tiny

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Doc:
    """A parsed config file: its values and the 1-based line of each key path that has one."""

    data: Any
    lines: Mapping[KeyPath, int] = field(default_factory=dict)

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


def pointer(path: KeyPath) -> str:
    """The JSON pointer (RFC 6901) of a key path: '~' -> '~0', '/' -> '~1'."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def read_text(path: str) -> str:
    """The text of the file at ``path``: at most MAX_CONFIG_BYTES, UTF-8 (BOM allowed) or UTF-16 with a BOM."""
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


def parse_doc(text: str, fmt: str, path: str) -> Doc:
    """Parse ``text`` as ``fmt`` (json, toml or yaml). Errors name the line, never quote the text."""
    if fmt == "toml":
        return _parse_toml(text, path)
    if fmt == "yaml":
        return _parse_yaml(text, path)
    data, lines = JsoncParser(text, path).parse()
    return Doc(data, lines)


# -- TOML -------------------------------------------------------------------------------------------


def _parse_toml(text: str, path: str) -> Doc:
    try:
        data = tomllib.loads(text.lstrip("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends "(at line N, column M)"; the part before it never quotes a value.
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        place = f" at line {where[1]}, column {where[2]}" if where else ""
        problem = str(exc).split(" (at line")[0]
        raise ConfigError(f"not valid TOML{place}: {problem[:120]}", path=path) from None
    except RecursionError:
        raise ConfigError("not valid TOML: nested too deeply to read", path=path) from None
    return Doc(data, _toml_lines(text))


_HEADER = re.compile(r"^\s*\[(?!\[)\s*(?P<key>[^\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*(?P<key>"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=\s*(?P<rest>.*)$""")
_TOML_STRING = re.compile(r'''"(?:[^"\\]|\\.)*"|'[^']*\'''')


def _toml_key(part: str) -> str:
    part = part.strip()
    if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'":
        return part[1:-1]
    return part


def _dotted(key: str) -> KeyPath:
    """``mcp_servers."my.server"`` -> ("mcp_servers", "my.server")."""
    parts = re.findall(r'''"(?:[^"\\]|\\.)*"|'[^']*'|[^.\s]+''', key)
    return tuple(_toml_key(p) for p in parts)


def _toml_lines(text: str) -> dict[KeyPath, int]:
    """Lines of table headers, of keys and of the items of their arrays. tomllib keeps no positions, so
    this reads the layout TOML configs use: ``[table]`` headers and ``key = value`` lines; a value on
    other lines than its key (a multi-line array) gets one line per string item."""
    lines: dict[KeyPath, int] = {}
    table: KeyPath = ()
    open_array: KeyPath | None = None
    items = 0
    for number, raw in enumerate(text.splitlines(), 1):
        if open_array is not None:
            for _ in _TOML_STRING.finditer(raw):
                lines.setdefault((*open_array, items), number)
                items += 1
            if "]" in _TOML_STRING.sub("", raw):
                open_array = None
            continue
        header = _HEADER.match(raw)
        if header:
            table = _dotted(header["key"])
            lines.setdefault(table, number)
            continue
        key = _KEY.match(raw)
        if not key:
            continue
        path = (*table, _toml_key(key["key"]))
        lines.setdefault(path, number)
        rest = key["rest"]
        if rest.startswith("["):
            strings = list(_TOML_STRING.finditer(rest))
            for i, _ in enumerate(strings):
                lines.setdefault((*path, i), number)
            if "]" not in _TOML_STRING.sub("", rest):
                open_array, items = path, len(strings)
    return lines


# -- YAML -------------------------------------------------------------------------------------------


class _YamlConfigError(ConfigError):
    """The inventory reader's error signature (message, path, line, key), as a ConfigError."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None, key: str | None = None,
                 **_: Any):
        where = f" at line {line}" if line else ""
        super().__init__(f"{message}{where}", path=path, key=key)


def _parse_yaml(text: str, path: str) -> Doc:
    from .._yamlsource import parse_yaml

    data, line_map = parse_yaml(text, path=path, error=_YamlConfigError, what="config file")  # type: ignore[arg-type]
    return Doc(data, _LineMapView(line_map))


class _LineMapView(Mapping[KeyPath, int]):
    """The YAML reader's LineMap seen as the exact-path mapping Doc.line walks up."""

    def __init__(self, line_map: Any):
        self._map = line_map

    def __getitem__(self, path: KeyPath) -> int:
        line = self._map.line(path)
        if line is None:
            raise KeyError(path)
        return line

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and self._map.line(path) is not None

    def __iter__(self):  # pragma: no cover - Doc only looks keys up
        return iter(())

    def __len__(self) -> int:  # pragma: no cover
        return 0
