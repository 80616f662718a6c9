"""JSON with comments and trailing commas (JSONC), as VS Code, Zed and opencode accept it, with the line of
every key and list item, so a server entry and each of its values can be pointed at."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Any, NoReturn

from .._errors import ConfigError

__all__ = ["MAX_NESTING", "JsoncParser"]

MAX_NESTING = 200  # deeper input is hostile or broken, and would otherwise exhaust Python's stack

_WS = re.compile(r"[ \t\r\n]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_STRING_CHUNK = re.compile(r'[^"\\\n\r]*')
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class JsoncParser:
    """JSON plus // and /* */ comments and trailing commas (what VS Code accepts), recording the line of
    every object key and list item by key path, so a spec (and a finding) can point at its line. Errors
    give line and column and never quote the text, which may hold a secret."""

    def __init__(self, text: str, path: str):
        self.text = text[1:] if text.startswith("\ufeff") else text
        self.path = path
        self.pos = 0
        self.key_lines: dict[tuple[str | int, ...], int] = {}
        self._newlines = [m.start() for m in re.finditer("\n", self.text)]

    def parse(self) -> tuple[Any, dict[tuple[str | int, ...], int]]:
        self._skip()
        value = self._value((), 0)
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

    def _value(self, pointer: tuple[str | int, ...], depth: int) -> Any:
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

    def _object(self, pointer: tuple[str | int, ...], depth: int) -> dict[str, Any]:
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
            child = (*pointer, key)
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

    def _array(self, pointer: tuple[str | int, ...], depth: int) -> list[Any]:
        self.pos += 1
        result: list[Any] = []
        while True:
            self._skip()
            if self.text.startswith("]", self.pos):
                self.pos += 1
                return result
            child = (*pointer, len(result))
            self.key_lines[child] = self._line(self.pos)
            result.append(self._value(child, depth + 1))
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
