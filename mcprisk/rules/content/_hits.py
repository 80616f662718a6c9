"""What a content rule found (a ``Hit``) and how it becomes a Finding that quotes its evidence safely."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from ...model import Evidence, Finding
from .._base import make
from ._gate import Lexicon, anchors, gated_finditer, split_alternatives
from ._surface import Field, Subject, raw_offsets, shown

__all__ = ["Hit", "Pattern", "S", "anchors", "first_hit", "gated_finditer", "hit", "pattern", "report",
           "split_alternatives", "Lexicon"]

# A window of characters that stays on one line and inside one sentence-ish span ('.' is allowed: paths,
# domains and file names carry dots; sentences are bounded by the window length instead).
S = r"[^\n!?。！？;；]"

MENTION = re.compile(r"(such as|requests? to|attempts? to|detect\w*|classif\w*|injection|e\.g\.|for example|"
                     r"phrases? like|strings? like|patterns? like|wraps?|warns? about)\W{0,3}[^\n]{0,40}$")

Pattern = tuple[re.Pattern[str], str]


def pattern(regex: str, meaning: str) -> Pattern:
    """A compiled pattern over the normalised view and what a match means."""
    return re.compile(regex), meaning


_LEXICONS: dict[int, Lexicon] = {}  # per pattern list (module constants), built on first use


@dataclass(frozen=True)
class Hit:
    """One decisive span: the subject, the field and offsets within the field's normalised view."""

    subject: Subject
    field: Field
    start: int
    end: int
    meaning: str
    likelihood: int | None = None
    impact: int | None = None
    in_raw: bool = False  # offsets are into the raw string (hidden characters), not the normalised view

    @property
    def quote(self) -> str:
        f = self.field
        start, end = (self.start, self.end) if self.in_raw else raw_offsets(f, self.start, self.end)
        source = f.raw
        a, b = max(0, start - 30), min(len(source), end + 30)
        return ("…" if a else "") + shown(source[a:b], 200) + ("…" if b < len(source) else "")

    @property
    def where(self) -> str:
        f = self.field
        if f.origin:
            return f"{f.path[: -len(f.origin) - 3]} @{self.start} (decoded from {f.origin})"
        start = self.start if self.in_raw else raw_offsets(f, self.start, self.end)[0]
        return f"{f.path} @{start}"


def hit(subject: Subject, start: int, end: int, meaning: str, **grade: int) -> Hit:
    """A Hit from offsets into ``subject.text``."""
    f, local = subject.locate(start)
    return Hit(subject, f, local, local + (end - start), meaning, **grade)


def mentioned(text: str, start: int) -> bool:
    """The match is quoted or discussed (a detector describing attacks, a template documenting tokens)."""
    return MENTION.search(text, max(0, start - 60), start) is not None


def first_hit(subject: Subject, patterns: Sequence[Pattern], *, guard_mentions: bool = False,
              fields: Callable[[Field], bool] | None = None, gate: frozenset[str] | None = None) -> Hit | None:
    """The first pattern that matches ``subject.text`` (in pattern order), optionally skipping mentions; a
    subject without any ``gate`` word is skipped without running a pattern."""
    if gate is not None and not subject.has_any(gate):
        return None
    lexicon = _LEXICONS.get(id(patterns))
    if lexicon is None:
        lexicon = _LEXICONS.setdefault(id(patterns), Lexicon(patterns))
    text = subject.text
    for _, m, meaning in lexicon.matches(subject):
        if guard_mentions and mentioned(text, m.start()):
            continue
        h = hit(subject, m.start(), m.end(), meaning)
        if fields is not None and not fields(h.field):
            continue
        if h.field.identifier and len(h.field.norm.split()) < 4:
            continue  # "skip_confirmation", "private_key": a parameter's name, not a sentence
        return h
    return None


def report(rule: Callable, hits: Iterable[Hit], what: str) -> Iterator[Finding]:
    """One finding per subject: its first hit, quoted with field path and offset; further hits are counted."""
    by_subject: dict[tuple[str, str], list[Hit]] = {}
    for h in hits:
        by_subject.setdefault((h.subject.server, h.subject.name), []).append(h)
    for (server, name), found in by_subject.items():
        h = found[0]
        more = f" ({len(found) - 1} more place(s))" if len(found) > 1 else ""
        padded = f" after {h.start:,} characters" if h.start >= 3000 else ""
        message = f"{what}: {h.meaning}{padded}, at {h.where}: “{h.quote}”{more}."
        ev = tuple(Evidence(rule.info.code, _source(x.field), f"{x.where}: {x.quote}", x.meaning)  # type: ignore[attr-defined]
                   for x in found[:3])
        yield make(rule, server=server, subject=name, message=message, evidence=ev, tools=h.subject.tool_keys,
                   likelihood=h.likelihood, impact=h.impact)


def _source(f: Field) -> str:
    if f.path.startswith("inputSchema"):
        return "schema"
    if f.path.startswith("annotations"):
        return "annotation"
    if f.subject == f.server and f.path in ("instructions", "server.name"):
        return "server"
    if f.kind == "name":
        return "name"
    return "description"
