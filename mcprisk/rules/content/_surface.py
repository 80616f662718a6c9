"""One pass over every model-visible string of a server, with the views every content rule shares.

A ``Field`` is one string the model reads (a tool name, a schema default, a prompt argument's description, the
server's instructions ...) with its field path. A ``Subject`` gathers the fields of one finding subject (a tool,
``prompt:NAME``, ``resource:NAME`` or the server itself) and joins their normalised views into one text, so a rule
reads each subject once and maps a match back to its field. Normalising (NFKC, case-folded, invisible characters
and terminal escapes removed, identifiers split into words) happens here once; decoding (base64, hex, URL, HTML
entities, Unicode tag characters, variation-selector bytes, zero-width bits, reversed bidi runs) only for strings
that hold something decodable. The concepts a subject holds (``_concepts``) are worked out on first use.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ...snapshot import Snapshot
from ._concepts import BREAKS, ConceptHit, Found, Sentence, fold, glued_script, hits, present, sentence_ends, sentences
from ._decode import decoded_views, worth_decoding
from ._local import per_subject, work_out

__all__ = ["Field", "Subject", "Surface", "forget_primed", "per_subject", "prime_subjects", "shown", "surface"]

MAX_FIELDS = 4000  # per subject: a schema with more strings than this is cut (the snapshot is already bounded)
MAX_FIELD_CHARS = 200_000  # per field, for matching
_SKIPPED_KEYS = frozenset({"type", "format", "$schema", "$id", "$ref", "pattern", "required", "additionalProperties",
                           "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems",
                           "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "readOnly", "writeOnly", "nullable"})
_CONTAINERS = frozenset({"properties", "patternProperties", "$defs", "definitions"})

# Characters a reader does not see: zero-width, joiners, bidi controls, tag characters, variation selectors,
# soft hyphen, Mongolian vowel separator, interlinear annotation marks, Hangul fillers.
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufe00-\ufe0f\ufeff"
                       "\ufff9-\ufffb\u3164\uffa0\u115f\u1160\U000e0000-\U000e007f\U000e0100-\U000e01ef]")
# Terminal escape sequences (7-bit and 8-bit CSI/OSC) and other control characters except tab/newline.
ESCAPES = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
                     r"|\x1b[@-Z\\-_78]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
SEVERAL_WORDS = re.compile(r"[_\-]|[a-z][A-Z]")  # an identifier of several words (``send_email``, ``getUser``)
_SEPARATORS = re.compile(r"[_\-./:+~]+")
_SEPARATOR_SPACES = str.maketrans({c: " " for c in "_-./:+~"})
# Breaks around identifiers: punctuation except the characters tool names are made of ("_", "-", ".").
_IDENTIFIER_BREAKS = str.maketrans({c: " " for c in "!\"#$%&'()*+,/:;<=>?@[\\]^`{|}~\t\n\r\u2018\u2019\u201c\u201d"})
# Typographic punctuation read as its ASCII form ("don’t" is "don't").
_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


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


def _short_identifier(f: Field) -> bool:
    return f.kind in ("name", "key") and f.norm.count(" ") < 3


class Subject:
    """The fields of one finding subject, joined into one normalised text, with its words and (on first use) its
    concepts, their positions and sentences. A small slotted class rather than a frozen dataclass: the concept
    views are computed lazily, and only for the few subjects a rule's gate lets through."""

    __slots__ = ("server", "name", "kind", "fields", "text", "starts", "words", "glued", "_present",
                 "_hits", "_sentences", "_clauses", "_ends", "memo")

    def __init__(self, server: str, name: str, kind: str, fields: tuple[Field, ...]) -> None:
        self.server, self.name, self.kind, self.fields = server, name, kind, fields
        starts, parts, pos = [], [], 0
        for f in fields:
            starts.append(pos)
            parts.append(f.norm)
            pos += len(f.norm) + 2
        self.text = "\n\n".join(parts)
        self.starts = tuple(starts)
        # Words interned: a config's subjects repeat the same few thousand words (one string each, not one per use);
        # the text split at breaks and rejoined is not kept (``found`` and ``hits`` redo it once, when first asked).
        self.words = frozenset(map(sys.intern, self.text.translate(BREAKS).split()))
        self.glued = not self.text.isascii() and glued_script(self.text)
        self._present: Found | None = None
        self._hits: list[ConceptHit] | None = None
        self._sentences: list[Sentence] | None = None
        self._clauses: list[Sentence] | None = None
        self._ends: tuple[list[int], list[int]] | None = None
        self.memo: dict[str, Any] = {}  # what a rule works out once per subject and asks again (name twins' claims)

    def __repr__(self) -> str:
        return f"Subject({self.server!r}, {self.name!r})"

    @property
    def found(self) -> Found:
        if self._present is None:
            tokens = self.text.translate(BREAKS).split()  # adjacent words, where a phrase can start (not kept: one use)
            self._present = present(self.words, self.text, self.glued, f" {' '.join(tokens)} ",
                                    set(zip(tokens, tokens[1:])))
        return self._present

    @property
    def concepts(self) -> frozenset[str]:
        """The concepts this subject's text expresses (from its word set: cheap)."""
        return self.found.concepts

    def passes(self, gates: Iterable[frozenset[str]]) -> bool:
        """Whether the subject holds all concepts of at least one gate."""
        concepts = self.concepts
        for g in gates:  # a plain loop: asked for every subject by every rule (no generator frame per gate)
            if concepts.issuperset(g):
                return True
        return False

    @property
    def hits(self) -> list[ConceptHit]:
        """Concept occurrences in text order, leaving out short identifiers ("skip_confirmation", "password_read"
        name a parameter or a tool, they do not say anything)."""
        if self._hits is None:
            self._hits = self._not_in_short_identifiers(hits(self.text, self.text.translate(BREAKS), self.glued,
                                                             self.found))
        return self._hits

    def _not_in_short_identifiers(self, found: list[ConceptHit]) -> list[ConceptHit]:
        """``found`` (in text order) less the occurrences inside a short identifier's field: one walk along the
        field starts instead of a search per occurrence."""
        starts, fields, out = self.starts, self.fields, []
        i, last = 0, len(starts) - 1
        for h in found:
            while i < last and starts[i + 1] <= h.start:
                i += 1
            if not _short_identifier(fields[i]):
                out.append(h)
        return out

    @property
    def ends(self) -> tuple[list[int], list[int]]:
        """Sentence and clause ends of ``text`` (one regex pass, shared by every split)."""
        if self._ends is None:
            self._ends = sentence_ends(self.text)
        return self._ends

    @property
    def sentences(self) -> list[Sentence]:
        """Sentences holding a concept in words (a colon does not end one; identifiers written in prose, such as
        ``SKIP_CONFIRMATION``, name something rather than say it, and are left out)."""
        if self._sentences is None:
            self._sentences = sentences(self.text, [h for h in self.hits if not h.ident], ends=self.ends)
        return self._sentences

    @property
    def action_sentences(self) -> list[Sentence]:
        """Sentences with identifiers kept: ``call pay_invoice`` orders an action by a tool's name (kept in ``memo``:
        several rules ask)."""
        got = self.memo.get("action_sentences")
        if got is None:
            got = self.memo["action_sentences"] = sentences(self.text, self.hits, ends=self.ends)
        return got

    @property
    def clauses(self) -> list[Sentence]:
        """Like ``sentences``, also cut at colons and dashes between words."""
        if self._clauses is None:
            self._clauses = sentences(self.text, [h for h in self.hits if not h.ident], clause=True, ends=self.ends)
        return self._clauses

    def locate(self, offset: int) -> tuple[Field, int]:
        """The field a match offset of ``text`` falls in, and the offset within that field's ``norm``."""
        lo, hi = 0, len(self.starts)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.starts[mid] <= offset:
                lo = mid + 1
            else:
                hi = mid
        i = max(0, lo - 1)
        return self.fields[i], offset - self.starts[i]

    @property
    def tool_keys(self) -> tuple[str, ...]:
        return (f"{self.server}/{self.name}",) if self.kind == "tool" else ()


@dataclass(frozen=True)
class Surface:
    """Every subject of every snapshot in one assessment, and the tool names each server exposes."""

    subjects: tuple[Subject, ...]
    tools_by_server: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    owners: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # lower-case name -> up to 2
    read_only: frozenset[tuple[str, str]] = frozenset()  # (server, tool) whose annotations say readOnlyHint
    memo: dict[str, Any] = field(default_factory=dict, compare=False)  # results several rules share (name twins)

    def names_in(self, subject: Subject) -> set[str]:
        """The loaded tool names (lower case) that occur in a subject's text as whole identifiers."""
        return set(subject.text.translate(_IDENTIFIER_BREAKS).split()) & self.owners.keys()

    def own_names(self, server: str) -> frozenset[str]:
        """The server's tool names in lower case, worked out once per server (asked for every subject)."""
        key = f"own names {server}"
        names = self.memo.get(key)
        if names is None:
            names = self.memo[key] = frozenset(n.lower() for n in self.tools_by_server.get(server, ()))
        return names

    def own_identifiers(self, server: str) -> tuple[tuple[str, str], ...]:
        """(name, lower-case name) of the server's tools named by an identifier of several words (``send_email``,
        ``createPullRequest``: see ``steering.distinctive``), in the server's order; worked out once per server (the
        rules ask it for every sentence of every subject)."""
        key = f"own identifiers {server}"
        names = self.memo.get(key)
        if names is None:
            names = self.memo[key] = tuple((n, n.lower()) for n in self.tools_by_server.get(server, ())
                                           if SEVERAL_WORDS.search(n) is not None)
        return names

    def own_identifiers_in(self, subject: Subject) -> tuple[tuple[str, str], ...]:
        """``own_identifiers`` of the subject's server that occur in its text (a sentence can hold only these): one
        search per name and subject instead of one per name and sentence."""
        found = self.memo.setdefault("own identifiers in", {})
        names = found.get(subject)
        if names is None:
            text = subject.text
            names = found[subject] = tuple(p for p in self.own_identifiers(subject.server) if p[1] in text)
        return names

    def owner_elsewhere(self, name: str, server: str) -> str | None:
        """A server other than ``server`` exposing a tool called ``name`` (case-insensitive), if any."""
        for _, srv in self.owners.get(name.lower(), ()):
            if srv != server:
                return srv
        return None


def normalise(raw: str, identifier: bool = False) -> str:
    """The view rules match on: what a model reads, with look-alike forms folded and hidden characters gone."""
    text = raw[:MAX_FIELD_CHARS]
    if identifier:
        if not text.islower():
            text = _CAMEL.sub(" ", text)
        text = text.translate(_SEPARATOR_SPACES)
    if text.isascii() and _CONTROL.search(text) is None:
        return text.lower()
    text = INVISIBLE.sub("", ESCAPES.sub(" ", text))
    return fold(text.translate(_TYPOGRAPHY))


def _char_width(c: str) -> int:
    """How many characters of the normalised view one raw character becomes (hidden ones: none)."""
    if c.isascii():
        return 1
    if INVISIBLE.match(c):
        return 0
    return len(fold(c.translate(_TYPOGRAPHY)))


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
        if ident and (_SEPARATORS.match(c) or (c.isupper() and i and f.raw[i - 1].isalnum() and not f.raw[i - 1].isupper())):
            pos += 1 if _SEPARATORS.match(c) else 2
            continue
        pos += _char_width(c)
    return (a if a is not None else len(f.raw)), b


SHORT = 96  # strings up to this long (names, keys, enum values, most property descriptions) are kept normalised
_VIEWS: dict[tuple[str, bool], tuple[str, bool]] = {}
_VIEWS_MAX = 65_536


def _view(raw: str, identifier: bool) -> tuple[str, bool]:
    """(``normalise(raw, identifier)``, ``worth_decoding(raw)``), kept for short strings: a config's servers repeat
    the same property names, enum values and short descriptions thousands of times (the 45-server fleet: two thirds
    of its 37,000 strings are repeats). The cache is bounded and simply emptied when full."""
    if len(raw) > SHORT:
        return normalise(raw, identifier), worth_decoding(raw)
    key = (raw, identifier)
    view = _VIEWS.get(key)
    if view is None:
        if len(_VIEWS) >= _VIEWS_MAX:
            _VIEWS.clear()
        view = _VIEWS[key] = (normalise(raw, identifier), worth_decoding(raw))
    return view


class _Collector:
    """Gathers the fields of one subject (a plain list, no generators: this runs for every string of every tool)."""

    __slots__ = ("server", "subject", "out")

    def __init__(self, server: str, subject: str) -> None:
        self.server, self.subject, self.out = server, subject, []

    def add(self, path: str, kind: str, raw: str) -> None:
        out = self.out
        norm, worth = _view(raw, kind in ("name", "key"))
        out.append(Field(self.server, self.subject, path, kind, raw, norm))
        if kind == "uri":  # a URI read both as written and as words ("ignora-todas-las-instrucciones")
            out.append(Field(self.server, self.subject, f"{path} (as words)", "uri", raw, _view(raw, True)[0]))
        if worth:
            for how, text in decoded_views(raw):
                out.append(Field(self.server, self.subject, f"{path} ({how})", "decoded", text, normalise(text), how))

    def schema(self, value: Any, path: str, kind: str = "value", depth: int = 0) -> None:
        if depth > 40 or len(self.out) > MAX_FIELDS:
            return
        if isinstance(value, str):
            self.add(path, kind, value)
        elif isinstance(value, Mapping):
            for k, v in value.items():
                key = str(k)
                if key in _SKIPPED_KEYS:
                    continue
                if key in _CONTAINERS and isinstance(v, Mapping):
                    for name, sub in v.items():
                        p = f"{path}.{key}.{name}"
                        self.add(f"{p}(name)", "key", str(name))
                        self.schema(sub, p, kind, depth + 1)
                elif isinstance(v, (str, Mapping, list)):
                    self.schema(v, f"{path}.{key}", kind, depth + 1)
        elif isinstance(value, list):
            for i, v in enumerate(value[:500]):
                if isinstance(v, (str, Mapping, list)):
                    self.schema(v, f"{path}[{i}]", kind, depth + 1)


def _tool_subject(server: str, tool: Any) -> Subject:
    c = _Collector(server, tool.name)
    c.add("name", "name", tool.name)
    if tool.title:
        c.add("title", "title", tool.title)
    if tool.description:
        c.add("description", "description", tool.description)
    c.schema(tool.input_schema, "inputSchema")
    if tool.output_schema:
        c.schema(tool.output_schema, "outputSchema")
    if tool.annotations:
        title = tool.annotations.get("title")
        if isinstance(title, str):
            c.add("annotations.title", "title", title)
    for key, value in tool.extra.items():
        c.add(f"{key}(name)", "key", str(key))
        c.schema(value, key, "unknown")
    if tool.meta:  # ``_meta``: clients may show it to the model too, so what it says is read like an unknown field
        c.schema(tool.meta, "_meta", "unknown")
    return Subject(server, tool.name, "tool", tuple(c.out[:MAX_FIELDS]))


def _prompt_subject(server: str, prompt: Any) -> Subject:
    c = _Collector(server, f"prompt:{prompt.name}")
    c.add("name", "name", prompt.name)
    for attr in ("title", "description"):
        if getattr(prompt, attr, None):
            c.add(attr, attr, getattr(prompt, attr))
    for i, arg in enumerate(prompt.arguments):
        for key, value in arg.items():
            if isinstance(value, str):
                c.add(f"arguments[{i}].{key}", "key" if key == "name" else "description", value)
    for key, value in prompt.extra.items():
        c.schema(value, key)
    if getattr(prompt, "meta", None):
        c.schema(prompt.meta, "_meta", "unknown")
    return Subject(server, c.subject, "prompt", tuple(c.out[:MAX_FIELDS]))


def _resource_subject(server: str, res: Any) -> Subject:
    c = _Collector(server, f"resource:{res.name}")
    c.add("name", "name", res.name)
    for attr in ("title", "description"):
        if getattr(res, attr, None):
            c.add(attr, attr, getattr(res, attr))
    uri = getattr(res, "uri", None) or getattr(res, "uri_template", None)
    if uri:
        c.add("uri" if hasattr(res, "uri") else "uriTemplate", "uri", uri)
    for key, value in res.extra.items():
        c.schema(value, key)
    if getattr(res, "meta", None):
        c.schema(res.meta, "_meta", "unknown")
    return Subject(server, c.subject, "resource", tuple(c.out[:MAX_FIELDS]))


def snapshot_subjects(snap: Snapshot) -> list[Subject]:
    """Every subject of one server, in the order the server listed them."""
    server = snap.name
    own = _Collector(server, server)
    own.add("server.name", "name", server)
    if snap.instructions:
        own.add("instructions", "instructions", snap.instructions)
    out = [Subject(server, server, "server", tuple(own.out))]
    out += [_tool_subject(server, t) for t in snap.tools]
    out += [_prompt_subject(server, p) for p in snap.prompts]
    out += [_resource_subject(server, r) for r in (*snap.resources, *snap.resource_templates)]
    return out


_PRIMED: dict[int, tuple[Snapshot, list[Subject]]] = {}  # id(snapshot) -> (that snapshot, its subjects)
_PRIMED_MAX = 1024  # snapshots; the cache simply starts again when full


def prime_subjects(snap: Snapshot) -> None:
    """Build one snapshot's subjects, the concepts each holds and every per-subject result the rules declared
    (``per_subject``) ahead of ``build_surface``, which then takes them instead of building them again: ``mcprisk
    scan`` calls this (through ``assessment.prime``) as each server's introspection ends, so the text pass and the
    subject-local part of the content rules overlap with waiting for the servers still starting. A subject depends
    on nothing but its snapshot; the first assessment that reads the snapshot takes them."""
    subjects = snapshot_subjects(snap)
    for subject in subjects:
        subject.found  # noqa: B018 - computed now, kept on the subject
    work_out(subjects)
    if len(_PRIMED) >= _PRIMED_MAX:
        _PRIMED.clear()
    _PRIMED[id(snap)] = (snap, subjects)


def forget_primed() -> None:
    """Drop every primed snapshot's subjects (``assessment.clear_caches``)."""
    _PRIMED.clear()


def _subjects_of(snap: Snapshot) -> list[Subject]:
    """The snapshot's primed subjects, taken out of the cache (an assessment reads them once; keeping them would
    hold every string of the config twice through the reports), or new ones."""
    primed = _PRIMED.pop(id(snap), None)
    return primed[1] if primed is not None and primed[0] is snap else snapshot_subjects(snap)


def build_surface(snapshots: Sequence[Snapshot]) -> Surface:
    subjects = tuple(s for snap in snapshots for s in _subjects_of(snap))
    tools: dict[str, tuple[str, ...]] = {}
    owners: dict[str, tuple[tuple[str, str], ...]] = {}
    read_only = set()
    for snap in snapshots:
        tools[snap.name] = tools.get(snap.name, ()) + tuple(t.name for t in snap.tools)
        for t in snap.tools:
            have = owners.get(t.name.lower(), ())
            if len(have) < 2 and all(s != snap.name for _, s in have):
                owners[t.name.lower()] = have + ((t.name, snap.name),)
            if t.annotations and t.annotations.get("readOnlyHint") is True:
                read_only.add((snap.name, t.name))
    return Surface(subjects, tools, owners, frozenset(read_only))


def surface(ctx: Any) -> Surface:
    """The shared pass for this assessment: built once and kept in the context's per-run cache when it has one."""
    cache = ctx.extra.get("content_cache") if isinstance(ctx.extra, Mapping) else None
    if cache is None:
        return build_surface(ctx.snapshots)
    if "surface" not in cache:
        cache["surface"] = build_surface(ctx.snapshots)
    return cache["surface"]


_VISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
                      "\ufe00-\ufe0f\ufeff\ufff9-\ufffb\u3164\uffa0\U000e0000-\U000e007f\U000e0100-\U000e01ef]")


def shown(text: str, limit: int = 160) -> str:
    """Text safe to print: control and invisible characters made visible as <U+XXXX>, newlines as ⏎, clipped."""
    text = _VISIBLE.sub(lambda m: f"<U+{ord(m.group(0)):04X}>", text.replace("\n", " ⏎ "))
    text = re.sub(r"\s{2,}", " ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
