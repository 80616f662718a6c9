"""What a content rule found (a ``Hit``) and how it becomes a Finding that quotes its evidence safely."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from ...model import Evidence, Finding
from .._base import make
from ._surface import WIDE_LETTER, Field, Subject, raw_offsets, shown

__all__ = ["Hit", "Pattern", "S", "anchors", "first_hit", "hit", "report", "sentence_window"]

# A window of characters that stays on one line and inside one sentence-ish span ('.' is allowed: paths,
# domains and file names carry dots; sentences are bounded by the window length instead).
S = r"[^\n!?。！？;；]"

MENTION = re.compile(r"(such as|requests? to|attempts? to|detect\w*|classif\w*|injection|e\.g\.|for example|"
                     r"phrases? like|strings? like|patterns? like|wraps?|warns? about)\W{0,3}[^\n]{0,40}$")

Pattern = tuple[re.Pattern[str], str]  # (regex over normalised text, what a match means)


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


def first_words(source: str) -> frozenset[str] | None:
    """The words a pattern must start with, read from its leading ``\\b(a|b|c)`` group; None when unclear.

    A pattern is only run on a subject that contains one of them (a set lookup instead of a scan)."""
    body = source[2:] if source.startswith(r"\b") else source
    if WIDE_LETTER.match(body[:1]) or (body[:1] == "(" and WIDE_LETTER.match(body[1:2])):
        return WIDE_ONLY  # a pattern for CJK, Cyrillic, ... text: only a subject with such letters can match
    lead = re.match(r"([a-zà-ÿ]+)(.?)", body)
    if lead and not body.startswith("("):
        if _top_level_bar(body):
            return None
        word, nxt = lead.groups()
        if nxt in ("?", "["):  # "passwords?", "api[ _-]?": the stem is certain, what follows is not
            return frozenset({(word[:-1] if nxt == "?" else word) + "*"})
        if nxt in ("'", "\\") and not body[len(word):].startswith("\\b"):
            return frozenset({word + "*"})
        return frozenset({word})
    if not body.startswith("("):
        return None
    depth, i = 0, 0
    for i, c in enumerate(body):
        depth += c == "("
        depth -= c == ")"
        if depth == 0:
            break
    group = body[1:i]
    rest = body[i + 1:]
    if _top_level_bar(rest):
        return None  # the pattern has other top-level alternatives
    if rest[:1] == "?":  # an optional leading group: its words, or the words of what follows it
        after = first_words(rest[1:].lstrip())
        own = first_words("(" + group + ")")
        return None if after is None or own is None else after | own
    if rest[:1] in ("*", "{"):
        return None
    if group.startswith("?:"):
        group = group[2:]
    words: set[str] = set()
    for alt in group.split("|"):
        m = re.match(r"([a-zà-ÿ]+)(s\?|\?)?", alt)
        if m and re.match(r"[a-zà-ÿ]+(\\w\*|\[[a-z]+\]\?)", alt):  # "ignorier\w*", "ignore[zr]?": a stem
            words.add(m.group(1) + "*")
            continue
        if not m or "(" in alt.split(" ")[0] or "[" in alt.split(" ")[0] or "\\" in alt.split(" ")[0]:
            return None
        word = m.group(1)
        if m.group(2) == "s?":
            words.add(word + "s")
        elif m.group(2) == "?":
            words.add(word[:-1])
        words.add(word)
    return frozenset(words)


def _top_level_bar(source: str) -> bool:
    depth, escaped, in_class = 0, False, False
    for c in source:
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
    return False


_FIRST: dict[str, frozenset[str] | None] = {}
_PIECES: dict[str, tuple[re.Pattern[str], ...]] = {}
WIDE_ONLY = frozenset({"\0wide"})  # matches no word: such patterns run only on subjects marked ``wide``


def split_alternatives(regex: re.Pattern[str]) -> tuple[re.Pattern[str], ...]:
    """A big alternation cut at its top-level bars, so each piece can be gated by its own first words."""
    pieces, depth, escaped, in_class, start = [], 0, False, False, 0
    src = regex.pattern
    for i, c in enumerate(src):
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c in "()":
            depth += 1 if c == "(" else -1
        elif c == "|" and depth == 0:
            pieces.append(src[start:i])
            start = i + 1
    pieces.append(src[start:])
    return tuple(re.compile(p, regex.flags) for p in pieces)


def gated_finditer(subject: Subject, pieces: Sequence[re.Pattern[str]]) -> list[re.Match[str]]:
    """Matches of every piece whose first words occur in the subject, in text order."""
    out = []
    text = subject.text
    for regex in pieces:
        need = _FIRST[regex.pattern] if regex.pattern in _FIRST else _FIRST.setdefault(regex.pattern, first_words(regex.pattern))
        if need is None or subject.wide:
            out.extend(regex.finditer(text))
            continue
        # A match must start at one of the pattern's first words: try the pattern only where they occur.
        present = [w[:-1] for w in need if w.endswith("*")] + [w for w in need & subject.words]
        for word in present:
            i = text.find(word)
            while i != -1:
                m = regex.match(text, i)
                if m:
                    out.append(m)
                i = text.find(word, i + 1)
    return sorted(out, key=lambda m: m.start())


def anchors(words: str) -> frozenset[str]:
    """A rule's anchor words: a subject with none of them cannot match any of the rule's patterns."""
    return frozenset(words.split())


def first_hit(subject: Subject, patterns: Sequence[Pattern], *, guard_mentions: bool = False,
              fields: Callable[[Field], bool] | None = None, gate: frozenset[str] | None = None) -> Hit | None:
    """The first pattern that matches ``subject.text`` (in pattern order), optionally skipping mentions; a
    subject without any ``gate`` word is skipped without running a pattern."""
    if gate is not None and not subject.has_any(gate):
        return None
    text = subject.text
    for regex, meaning in patterns:
        pieces = _PIECES.get(regex.pattern)
        if pieces is None:
            pieces = _PIECES.setdefault(regex.pattern, split_alternatives(regex))
        for m in gated_finditer(subject, pieces):
            if guard_mentions and mentioned(text, m.start()):
                continue
            h = hit(subject, m.start(), m.end(), meaning)
            if fields is not None and not fields(h.field):
                continue
            return h
    return None


def sentence_window(text: str, start: int, end: int, reach: int = 160) -> tuple[int, int]:
    """Offsets of the line-bounded window around a match, at most ``reach`` characters each side."""
    a = max(text.rfind("\n", 0, start) + 1, start - reach)
    nl = text.find("\n", end)
    b = min(nl if nl != -1 else len(text), end + reach)
    return a, b


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
