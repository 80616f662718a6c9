"""Operator-written YAML with line numbers: parse, validate against a JSON Schema, and report problems as
``file:line: key.path: what is wrong (what is expected)``.

The inventory and the tracking file both go through here. Parsing composes the YAML node tree (so each key
keeps its line), builds plain Python values from it by hand (duplicate keys, unknown tags, alias bombs
and runaway nesting are errors, not surprises), then collects every schema problem at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ._errors import InventoryError
from ._files import FileRefused, MiB, read_text_bounded
from .specs import redact_text

__all__ = ["LineMap", "Problem", "check_unique", "format_key", "parse_yaml", "raise_problems", "schema_problems",
           "shown"]

MAX_BYTES = 1 << 20  # an inventory is a hand-written file: a megabyte is already absurd
MAX_NODES = 100_000  # bounds alias expansion ("billion laughs")
MAX_DEPTH = 40

KeyPath = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an operator file: where (line, key path) and what."""

    line: int | None
    key: str  # dotted key path, e.g. servers.support-desk.controls.audit_log
    message: str

    def render(self, path: str | None) -> str:
        where = f"{path or '<string>'}" + (f":{self.line}" if self.line else "")
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class LineMap:
    """Key path -> 1-based line of the key (or list item) in the source text."""

    def __init__(self, lines: Mapping[KeyPath, int]):
        self._lines = dict(lines)

    def line(self, path: Iterable[str | int]) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        key = tuple(path)
        while key:
            if key in self._lines:
                return self._lines[key]
            key = key[:-1]
        return self._lines.get((), None)

    def where(self, source: str | None, path: Iterable[str | int]) -> str:
        """``file:line`` of a key, for evidence that points back into the operator's file."""
        line = self.line(path)
        return f"{source or '<string>'}" + (f":{line}" if line else "")


def format_key(path: Iterable[str | int]) -> str:
    """``servers.support-desk.tools.run_sql`` / ``credentials[2].kind``; odd keys are quoted."""
    parts = list(path)
    out = ""
    for part in parts[:12]:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z0-9_@*?\-][A-Za-z0-9_@*?\-/:+]*", part):
            out += f".{part}" if out else part
        else:
            out += f"[{shown(part)}]"
    return out + ("…" if len(parts) > 12 else "")


def shown(value: Any, limit: int = 60) -> str:
    """A short, secret-safe display of a value from the operator's file."""
    text = redact_text(repr(value) if isinstance(value, str) else str(value))
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Fail(Exception):
    def __init__(self, line: int | None, path: KeyPath, message: str):
        super().__init__(message)
        self.line, self.path, self.message = line, path, message


def parse_yaml(text: str, *, path: str | None, error: type[InventoryError] = InventoryError,
               what: str = "file") -> tuple[Any, LineMap]:
    """Parse one YAML document into plain values plus a LineMap; raise ``error`` with file:line on failure."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise error(f"the {what} is larger than {MAX_BYTES} bytes", path=path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        column = f" (column {mark.column + 1})" if mark is not None else ""
        problem = exc.problem or exc.context or "cannot be parsed"
        raise error(f"invalid YAML{column}: {problem}", path=path, line=line) from None
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        raise error(f"invalid YAML: {_reader_problem(exc)}", path=path, line=line) from None
    except RecursionError:
        raise error("invalid YAML: nested too deeply to read", path=path) from None
    if node is None:
        return None, LineMap({(): 1})
    lines: dict[KeyPath, int] = {(): node.start_mark.line + 1}
    budget = [MAX_NODES]
    try:
        data = _value(node, (), lines, budget, SafeScalars(), frozenset())
    except _Fail as fail:
        raise error(fail.message, path=path, line=fail.line, key=format_key(fail.path) or None) from None
    return data, LineMap(lines)


def _reader_problem(exc: yaml.YAMLError) -> str:
    character = getattr(exc, "character", None)
    code = ord(character) if isinstance(character, str) and len(character) == 1 else character
    if isinstance(code, int):
        return f"character U+{code:04X} is not allowed"
    return "unreadable text"


class SafeScalars(yaml.constructor.SafeConstructor):
    """Builds scalars by their resolved tag; dates stay text (they are compared and shown, never computed)."""

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == _TAG + "str" or tag == _TAG + "timestamp" or tag == "!":
            return node.value
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            return self.construct_yaml_bool(node)
        if tag == _TAG + "int":
            return self.construct_yaml_int(node)
        if tag == _TAG + "float":
            value = self.construct_yaml_float(node)
            return value if math.isfinite(value) else node.value  # .nan/.inf: no place for them; keep the text
        raise ValueError(f"unsupported YAML tag {tag}")


def _value(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], budget: list[int], scalars: SafeScalars,
           above: frozenset[int]) -> Any:
    """Plain values from a node; ``above`` holds the ids of the enclosing nodes (an alias may point back up)."""
    line = node.start_mark.line + 1
    budget[0] -= 1
    if budget[0] < 0:
        raise _Fail(line, path, "too many values (are aliases expanding without end?)")
    if id(node) in above:
        raise _Fail(line, path[:-1], "an alias refers to the value that contains it")
    if len(above) > MAX_DEPTH:
        raise _Fail(line, path, f"nested more than {MAX_DEPTH} levels deep")
    inside = above | {id(node)}
    if isinstance(node, yaml.ScalarNode):
        try:
            return scalars.scalar(node)
        except (ValueError, ArithmeticError, yaml.YAMLError) as exc:
            raise _Fail(line, path, f"cannot read value: {exc}") from None
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _TAG + "seq":
            raise _Fail(line, path, f"unsupported YAML tag {node.tag}")
        out = []
        for index, child in enumerate(node.value):
            lines.setdefault(path + (index,), child.start_mark.line + 1)
            out.append(_value(child, path + (index,), lines, budget, scalars, inside))
        return out
    if isinstance(node, yaml.MappingNode):
        if node.tag != _TAG + "map":
            raise _Fail(line, path, f"unsupported YAML tag {node.tag}")
        return _mapping(node, path, lines, budget, scalars, inside)
    raise _Fail(line, path, "unsupported YAML node")  # pragma: no cover - compose yields only the three kinds


def _mapping(node: yaml.MappingNode, path: KeyPath, lines: dict[KeyPath, int], budget: list[int],
             scalars: SafeScalars, inside: frozenset[int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    merged: list[yaml.Node] = []
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if key_node.tag == _TAG + "merge":
            merged.extend(value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node])
            continue
        if not isinstance(key_node, yaml.ScalarNode):
            raise _Fail(key_line, path, "a key must be a plain name, not a list or mapping")
        key = key_node.value  # a key is a name: `on`, `yes` or `1` stay text
        if key in out:
            raise _Fail(key_line, path + (key,), "duplicate key (it is already set above)")
        lines[path + (key,)] = key_line
        out[key] = _value(value_node, path + (key,), lines, budget, scalars, inside)
    for source in merged:  # `<<: *defaults`: keys written here win over merged ones
        if not isinstance(source, yaml.MappingNode) or source.tag != _TAG + "map":
            raise _Fail(source.start_mark.line + 1, path, "`<<` can only merge mappings")
        if id(source) in inside:
            raise _Fail(source.start_mark.line + 1, path, "an alias refers to the value that contains it")
        extra = _mapping(source, path, {}, budget, scalars, inside | {id(source)})
        for key, value in extra.items():
            if key not in out:
                out[key] = value
                lines.setdefault(path + (key,), source.start_mark.line + 1)
    return out


_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "a string", "boolean": "true or false",
               "integer": "a whole number", "number": "a number", "null": "nothing"}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {shown(value)}"
    return f"{type(value).__name__} {shown(value)}"


def schema_problems(schema: Mapping[str, Any], data: Any, lines: LineMap) -> list[Problem]:
    """Every schema violation of ``data``, each phrased for a person and placed on its line."""
    import jsonschema  # imported here: it costs a second at import time, and only validation needs it

    validator = jsonschema.Draft202012Validator(schema)
    problems: list[Problem] = []
    for err in validator.iter_errors(data):
        problems.extend(_explain(err, lines))
    return sorted(set(problems), key=lambda p: (p.line or 0, p.key, p.message))


def _explain(err: Any, lines: LineMap) -> list[Problem]:
    path: KeyPath = tuple(err.absolute_path)
    kind, expected, instance = err.validator, err.validator_value, err.instance

    def at(p: KeyPath, message: str) -> Problem:
        return Problem(lines.line(p), format_key(p), message)

    if "propertyNames" in err.absolute_schema_path and isinstance(instance, str):
        what = err.schema.get("description") or _first_line(err)
        return [at(path + (instance,), f"{shown(instance)} is not a valid key (expected {what})")]
    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = list(err.schema.get("properties", {}))
        patterns = list(err.schema.get("patternProperties", {}))
        extra = [k for k in instance if k not in allowed and not any(re.search(p, k) for p in patterns)]
        hint = f" (expected one of: {', '.join(allowed)})" if allowed else ""
        return [at(path + (k,), f"unknown key{hint}") for k in extra]
    if kind == "required" and isinstance(instance, dict):
        return [at(path, f"missing required key {k!r}") for k in expected if k not in instance]
    if kind == "enum":
        return [at(path, f"{shown(instance)} is not allowed (expected one of: {', '.join(map(str, expected))})")]
    if kind == "const":
        return [at(path, f"{shown(instance)} is not allowed (expected {shown(expected)})")]
    if kind == "type":
        wanted = expected if isinstance(expected, list) else [expected]
        return [at(path, f"expected {' or '.join(_TYPE_NAMES.get(t, t) for t in wanted)}, got {_kind(instance)}")]
    if kind in ("minItems", "minLength", "minProperties") and expected == 1:
        return [at(path, "must not be empty")]
    if kind == "uniqueItems":
        return [at(path, "lists the same item more than once")]
    if kind == "pattern":
        what = err.schema.get("description") or f"matching {expected}"
        return [at(path, f"{shown(instance)} is not in the expected form ({what})")]
    return [at(path, redact_text(err.message)[:200])]


def _first_line(err: Any) -> str:
    return redact_text(err.message.splitlines()[0])[:200] if err.message else "invalid"


def raise_problems(problems: list[Problem], *, path: str | None,
                   error: type[InventoryError] = InventoryError) -> None:
    """Raise ``error`` carrying every problem: the first in the usual ``file:line: key: message`` shape,
    the others on the following lines."""
    if not problems:
        return
    first, rest = problems[0], problems[1:]
    message = first.message + "".join("\n" + p.render(path) for p in rest)
    raise error(message, path=path, line=first.line, key=first.key or None, problems=list(problems))


def check_unique(items: Iterable[tuple[KeyPath, str]], lines: LineMap, what: str) -> list[Problem]:
    """Problems for names given twice in a list (``items``: (key path of the name, name))."""
    seen: dict[str, KeyPath] = {}
    out = []
    for key, name in items:
        if name in seen:
            first = lines.line(seen[name])
            out.append(Problem(lines.line(key), format_key(key),
                               f"{what} {shown(name)} is already declared" + (f" on line {first}" if first else "")))
        else:
            seen[name] = key
    return out



MAX_YAML_BYTES = 16 * MiB  # an inventory or tracking file is written by hand: far below this


def read_text(path: str | Path, error: type[InventoryError] = InventoryError) -> str:
    """A hand-written file's text; ``error`` names the file and what went wrong (missing, not a regular file,
    too large, not UTF-8, unreadable)."""
    shown = str(path)
    try:
        return read_text_bounded(path, MAX_YAML_BYTES)
    except FileRefused as exc:
        raise error(exc.reason if exc.reason == "no such file" else f"cannot read: {exc.reason}",
                    path=shown) from None
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text (byte {exc.start})", path=shown) from None
