"""Gating: a pattern runs only where the words it must start with occur (a set lookup, then ``str.find``
and an anchored match), so most patterns never scan most subjects. Sound by construction: a pattern whose
first words cannot be read off its source is always run."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._surface import WIDE_LETTER, Subject

__all__ = ["WIDE_ONLY", "Lexicon", "anchors", "first_words", "gated_finditer", "split_alternatives"]


def anchors(words: str) -> frozenset[str]:
    """A rule's anchor words: a subject with none of them cannot match any of the rule's patterns."""
    return frozenset(words.split())


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


def _bars(source: str) -> list[int]:
    """Positions of the top-level ``|`` of a regex source (outside groups, classes and escapes)."""
    out, depth, escaped, in_class = [], 0, False, False
    for i, c in enumerate(source):
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
            out.append(i)
    return out


def _top_level_bar(source: str) -> bool:
    return bool(_bars(source))


_FIRST: dict[str, frozenset[str] | None] = {}
WIDE_ONLY = frozenset({"\0wide"})  # matches no word: such patterns run only on subjects marked ``wide``


def split_alternatives(regex: re.Pattern[str]) -> tuple[re.Pattern[str], ...]:
    """A big alternation cut at its top-level bars, so each piece can be gated by its own first words."""
    src = regex.pattern
    cuts = [-1, *_bars(src), len(src)]
    return tuple(re.compile(src[a + 1:b], regex.flags) for a, b in zip(cuts, cuts[1:]))


def _lead_literal(source: str) -> str | None:
    """The fixed character every match of a piece starts with (after flags, anchors and optional spaces)."""
    body = source
    for prefix in ("(?m)", "(?s)", "^", "(^|\\n)", "\\s*"):
        if body.startswith(prefix):
            body = body[len(prefix):]
    if _top_level_bar(body):
        return None
    if body.startswith("\\[") or body.startswith('\\"'):
        return body[1]
    return body[0] if body[:1] in ("<", '"', "-", "#", "/", "`") else None


class Lexicon:
    """Patterns cut into pieces and indexed by the words each piece must start with, built once per list.

    ``matches(subject)`` tries only the pieces whose first words the subject contains (one set
    intersection), each only where those words occur; pieces whose first words cannot be read always run."""

    def __init__(self, patterns: Sequence[tuple[re.Pattern[str], str]]) -> None:
        self.pieces: list[tuple[int, re.Pattern[str], str]] = []
        self.always: list[int] = []
        self.wide: list[int] = []
        self.index: dict[str, list[int]] = {}
        self.stems: list[tuple[str, int]] = []
        self.shift: dict[int, int] = {}  # a piece that starts one character before its word ("\\.ssh")
        for order, (regex, meaning) in enumerate(patterns):
            for piece in split_alternatives(regex):
                pid = len(self.pieces)
                self.pieces.append((order, piece, meaning))
                source = re.sub(r"^\(\?<![^)]*\)", "", piece.pattern)  # a lookbehind consumes nothing
                if source.startswith("\\.") and source[2:3] == "(":
                    self.shift[pid], source = 1, source[2:]
                need = first_words(source)
                if need is None:
                    self.always.append(pid)
                elif need == WIDE_ONLY:
                    self.wide.append(pid)
                else:
                    for w in need:
                        if w.endswith("*"):
                            self.stems.append((w[:-1], pid))
                        else:
                            self.index.setdefault(w, []).append(pid)
        self.keys = frozenset(self.index)
        # Pieces that must run everywhere often still start with a fixed character ("<", "[", "---"): only
        # a subject holding it can match.
        self.literal = {pid: _lead_literal(self.pieces[pid][1].pattern) for pid in self.always}

    def matches(self, subject: Subject) -> list[tuple[int, re.Match[str], str]]:
        """(pattern order, match, meaning) for every match, by pattern order then position."""
        text = subject.text
        out: list[tuple[int, re.Match[str], str]] = []
        if subject.wide:  # unspaced scripts: no word list to consult
            for order, piece, meaning in self.pieces:
                out.extend((order, m, meaning) for m in piece.finditer(text))
            return sorted(out, key=lambda x: (x[0], x[1].start()))
        for pid in self.always:
            order, piece, meaning = self.pieces[pid]
            lead = self.literal[pid]
            if lead is None or lead in text:
                out.extend((order, m, meaning) for m in piece.finditer(text))
        starts: dict[int, list[str]] = {}
        for w in self.keys & subject.words:
            for pid in self.index[w]:
                starts.setdefault(pid, []).append(w)
        for stem, pid in self.stems:
            if stem in text:
                starts.setdefault(pid, []).append(stem)
        for pid, words in starts.items():
            order, piece, meaning = self.pieces[pid]
            back = self.shift.get(pid, 0)
            for word in words:
                i = text.find(word)
                while i != -1:
                    m = piece.match(text, i - back) if i >= back else None
                    if m:
                        out.append((order, m, meaning))
                    i = text.find(word, i + 1)
        return sorted(out, key=lambda x: (x[0], x[1].start()))


def gated_finditer(subject: Subject, lexicon: Lexicon) -> list[re.Match[str]]:
    """Every match of a lexicon's patterns in the subject, in text order."""
    return sorted((m for _, m, _ in lexicon.matches(subject)), key=lambda m: m.start())
