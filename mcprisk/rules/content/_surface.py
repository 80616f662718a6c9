"""One pass over every model-visible string of a server, with the normalised views every content rule shares.

A ``Field`` is one string the model reads (a tool name, a schema default, a prompt argument's
description, the server's instructions ...) with its field path. A ``Subject`` gathers the fields of one
finding subject (a tool, ``prompt:NAME``, ``resource:NAME`` or the server itself) and joins their
normalised views into one text, so a rule runs each pattern once per subject and maps a match back to
its field. Normalising (NFKC, case-folded, invisible characters and terminal escapes removed, separators
in identifiers read as spaces) and decoding (base64, hex, URL, HTML entities, Unicode tag characters,
variation-selector bytes, zero-width bits, reversed bidi runs) happen here once; rules only match.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ...snapshot import Snapshot
from ._decode import decoded_views

__all__ = ["Field", "Subject", "Surface", "shown", "surface"]

MAX_FIELDS = 4000  # per subject: a schema with more strings than this is cut (the snapshot is already bounded)
MAX_FIELD_CHARS = 200_000  # per field, for matching

# Characters a reader does not see: zero-width, joiners, bidi controls, tag characters, variation selectors,
# soft hyphen, Mongolian vowel separator, interlinear annotation marks.
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufe00-\ufe0f\ufeff"
                       "\ufff9-\ufffb\U000e0000-\U000e007f\U000e0100-\U000e01ef]")
# Terminal escape sequences (7-bit and 8-bit CSI/OSC) and other control characters except tab/newline.
ESCAPES = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
                     r"|\x1b[@-Z\\-_78]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[_\-./:+~]+")
_SEPARATOR_SPACES = str.maketrans({c: " " for c in "_-./:+~"})
_NEEDS_WORK = re.compile(r"[^\t\n\x20-\x7e]")  # anything but printable ASCII: worth normalising
_WORD_BREAKS = str.maketrans({c: " " for c in "!\"#$%&'()*+,./:;<=>?@[\\]^`{|}~-\n\t\r"})
WIDE_LETTER = _WIDE = re.compile("[\u0400-\u052f\u0590-\u06ff\u0900-\u0dff\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


class Field(NamedTuple):
    """One model-visible string: where it sits (``path``), what it is (``kind``) and its normalised view.
    (A named tuple rather than a frozen dataclass: a tool has dozens of fields and this is built per string.)"""

    server: str
    subject: str
    path: str  # e.g. "description", "inputSchema.properties.to.default", "annotations.title"
    kind: str  # name | title | description | instructions | key | value | uri | unknown | decoded
    raw: str
    norm: str  # NFKC, case-folded, invisible characters and escapes removed (identifiers: separators -> spaces)
    origin: str = ""  # for decoded fields: how the text was hidden ("base64", "tag characters", ...)

    @property
    def schema(self) -> bool:
        return self.path.startswith("inputSchema")

    @property
    def identifier(self) -> bool:
        return self.kind in ("name", "key")


@dataclass(frozen=True)
class Subject:
    """The fields of one finding subject, joined into one normalised text for matching."""

    server: str
    name: str  # tool name | prompt:NAME | resource:NAME | the server's name
    kind: str  # tool | prompt | resource | server
    fields: tuple[Field, ...]
    text: str
    starts: tuple[int, ...]
    words: frozenset[str] = frozenset()  # the words of ``text``: rules skip a subject that has none of their anchors
    wide: bool = False  # has letters of scripts written without spaces (CJK, ...): anchors cannot gate it

    def has_any(self, anchors: frozenset[str]) -> bool:
        """Whether any anchor word occurs (always true for text a word split cannot gate)."""
        return self.wide or not anchors.isdisjoint(self.words)

    def locate(self, offset: int) -> tuple[Field, int]:
        """The field a match offset of ``text`` falls in, and the offset within that field's ``norm``."""
        i = max(0, bisect.bisect_right(self.starts, offset) - 1)
        return self.fields[i], offset - self.starts[i]

    @property
    def tool_keys(self) -> tuple[str, ...]:
        return (f"{self.server}/{self.name}",) if self.kind == "tool" else ()


@dataclass(frozen=True)
class Surface:
    """Every subject of every snapshot in one assessment, and the tool names each server exposes."""

    subjects: tuple[Subject, ...]
    tools_by_server: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    owners: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # lower-case name -> (name, server), up to 2

    def owner_elsewhere(self, name: str, server: str) -> str | None:
        """A server other than ``server`` exposing a tool called ``name`` (case-insensitive), if any."""
        for original, srv in self.owners.get(name.lower(), ()):
            if srv != server:
                return srv
        return None


def normalise(raw: str, identifier: bool = False) -> str:
    """The view rules match on: what a model reads, with look-alike forms folded and hidden characters gone."""
    text = raw[:MAX_FIELD_CHARS]
    if identifier:
        if text != text.lower():
            text = _CAMEL.sub(" ", text)
        text = text.translate(_SEPARATOR_SPACES)
    if text.isascii() and text.replace("\n", " ").replace("\t", " ").isprintable():
        return text.lower()
    text = INVISIBLE.sub("", ESCAPES.sub(" ", text))
    return unicodedata.normalize("NFKC", text).casefold()


def raw_offsets(f: Field, start: int, end: int) -> tuple[int, int]:
    """Map offsets of ``f.norm`` back to ``f.raw`` (per character: hidden characters count zero, NFKC and case
    folding their own length), so a quote keeps the server's spelling."""
    if len(f.raw) == len(f.norm) or f.origin:
        return start, end
    ident = f.kind in ("name", "key")
    pos, a, b = 0, None, len(f.raw)
    for i, c in enumerate(f.raw):
        if a is None and pos >= start:
            a = i
        if pos >= end:
            b = i
            break
        if INVISIBLE.match(c):
            continue
        if ident and (_SEPARATORS.match(c) or (c.isupper() and i and f.raw[i - 1].isalnum() and not f.raw[i - 1].isupper())):
            pos += 1 if _SEPARATORS.match(c) else 2
            continue
        pos += len(unicodedata.normalize("NFKC", c).casefold()) if not c.isascii() else 1
    return (a if a is not None else len(f.raw)), b


def _may_hide(raw: str) -> bool:
    """Cheap test: could this string carry an encoded run or an invisible payload at all?"""
    if not raw.isascii():
        return True
    if len(raw) < 20:
        return False
    return "%" in raw or "&" in raw or "\\" in raw or max(map(len, raw.split()), default=0) >= 20


def _make(server: str, subject: str, path: str, kind: str, raw: str) -> list[Field]:
    f = Field(server, subject, path, kind, raw, normalise(raw, kind in ("name", "key")))
    out = [f]
    if kind == "uri":  # a URI read both as written and as words ("ignora-todas-las-instrucciones")
        out.append(Field(server, subject, f"{path} (as words)", "uri", raw, normalise(raw, True)))
    for how, text in (decoded_views(raw) if _may_hide(raw) else ()):
        out.append(Field(server, subject, f"{path} ({how})", "decoded", text, normalise(text), how))
    return out


def _schema_fields(server: str, subject: str, value: Any, path: str, depth: int = 0) -> Iterator[Field]:
    if depth > 40:
        return
    if isinstance(value, str):
        yield from _make(server, subject, path, "value", value)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            key = str(k)
            if key in ("type", "format", "$schema", "$id", "$ref", "pattern", "required", "additionalProperties"):
                continue
            if key in ("properties", "patternProperties", "$defs", "definitions") and isinstance(v, Mapping):
                for name, sub in v.items():
                    p = f"{path}.{key}.{name}"
                    yield from _make(server, subject, f"{p}(name)", "key", str(name))
                    yield from _schema_fields(server, subject, sub, p, depth + 1)
            else:
                yield from _schema_fields(server, subject, v, f"{path}.{key}", depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value[:500]):
            yield from _schema_fields(server, subject, v, f"{path}[{i}]", depth + 1)


def _tool_fields(snap: Snapshot, tool: Any) -> Iterator[Field]:
    s, n = snap.name, tool.name
    yield from _make(s, n, "name", "name", tool.name)
    if tool.title:
        yield from _make(s, n, "title", "title", tool.title)
    if tool.description:
        yield from _make(s, n, "description", "description", tool.description)
    yield from _schema_fields(s, n, tool.input_schema, "inputSchema")
    if tool.annotations:
        title = tool.annotations.get("title")
        if isinstance(title, str):
            yield from _make(s, n, "annotations.title", "title", title)
    for key, value in tool.extra.items():
        yield from _make(s, n, f"{key}(name)", "key", str(key))
        for f in _schema_fields(s, n, value, key):
            yield Field(f.server, f.subject, f.path, "unknown" if f.kind == "value" else f.kind, f.raw, f.norm,
                        f.origin)


def _prompt_fields(snap: Snapshot, prompt: Any) -> Iterator[Field]:
    s, n = snap.name, f"prompt:{prompt.name}"
    yield from _make(s, n, "name", "name", prompt.name)
    for attr in ("title", "description"):
        if getattr(prompt, attr, None):
            yield from _make(s, n, attr, attr, getattr(prompt, attr))
    for i, arg in enumerate(prompt.arguments):
        for key, value in arg.items():
            if isinstance(value, str):
                kind = "key" if key == "name" else "description"
                yield from _make(s, n, f"arguments[{i}].{key}", kind, value)
    for key, value in prompt.extra.items():
        yield from _schema_fields(s, n, value, key)


def _resource_fields(snap: Snapshot, res: Any) -> Iterator[Field]:
    s, n = snap.name, f"resource:{res.name}"
    yield from _make(s, n, "name", "name", res.name)
    for attr in ("title", "description"):
        if getattr(res, attr, None):
            yield from _make(s, n, attr, attr, getattr(res, attr))
    uri = getattr(res, "uri", None) or getattr(res, "uri_template", None)
    if uri:
        yield from _make(s, n, "uri" if hasattr(res, "uri") else "uriTemplate", "uri", uri)
    for key, value in res.extra.items():
        yield from _schema_fields(s, n, value, key)


def _subject(server: str, name: str, kind: str, fields: Sequence[Field]) -> Subject:
    fields = tuple(fields[:MAX_FIELDS])
    starts, parts, pos = [], [], 0
    for f in fields:
        starts.append(pos)
        parts.append(f.norm)
        pos += len(f.norm) + 2
    text = "\n\n".join(parts)
    wide = not text.isascii() and _WIDE.search(text) is not None
    split = text.translate(_WORD_BREAKS).split()
    words = set(split)
    words.update(p for w in split if "_" in w for p in w.split("_"))
    return Subject(server, name, kind, fields, text, tuple(starts), frozenset(words), wide)


def snapshot_subjects(snap: Snapshot) -> Iterator[Subject]:
    """Every subject of one server, in the order the server listed them."""
    server = snap.name
    own = list(_make(server, server, "server.name", "name", server))
    if snap.instructions:
        own += _make(server, server, "instructions", "instructions", snap.instructions)
    yield _subject(server, server, "server", own)
    for tool in snap.tools:
        yield _subject(server, tool.name, "tool", list(_tool_fields(snap, tool)))
    for prompt in snap.prompts:
        yield _subject(server, f"prompt:{prompt.name}", "prompt", list(_prompt_fields(snap, prompt)))
    for res in (*snap.resources, *snap.resource_templates):
        yield _subject(server, f"resource:{res.name}", "resource", list(_resource_fields(snap, res)))


def build_surface(snapshots: Sequence[Snapshot]) -> Surface:
    subjects = tuple(s for snap in snapshots for s in snapshot_subjects(snap))
    tools: dict[str, tuple[str, ...]] = {}
    owners: dict[str, tuple[tuple[str, str], ...]] = {}
    for snap in snapshots:
        tools[snap.name] = tools.get(snap.name, ()) + tuple(t.name for t in snap.tools)
        for t in snap.tools:
            have = owners.get(t.name.lower(), ())
            if len(have) < 2 and all(s != snap.name for _, s in have):
                owners[t.name.lower()] = have + ((t.name, snap.name),)
    return Surface(subjects, tools, owners)


def surface(ctx: Any) -> Surface:
    """The shared pass for this assessment: built once and kept in the context's per-run cache when it has one."""
    cache = ctx.extra.get("content_cache") if isinstance(ctx.extra, Mapping) else None
    if cache is None:
        return build_surface(ctx.snapshots)
    if "surface" not in cache:
        cache["surface"] = build_surface(ctx.snapshots)
    return cache["surface"]


_VISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
                      "\ufe00-\ufe0f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f\U000e0100-\U000e01ef]")


def shown(text: str, limit: int = 160) -> str:
    """Text safe to print: control and invisible characters made visible as <U+XXXX>, newlines as ⏎, clipped."""
    text = _VISIBLE.sub(lambda m: f"<U+{ord(m.group(0)):04X}>", text.replace("\n", " ⏎ "))
    text = re.sub(r"\s{2,}", " ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
