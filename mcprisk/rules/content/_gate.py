"""Gating: a pattern runs only where the words it must start with occur (a set lookup, then ``str.find``
and an anchored match), so most patterns never scan most subjects. Sound by construction: a pattern whose
first words cannot be read off its source is always run."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._surface import WIDE_LETTER, Subject

__all__ = ["WIDE_ONLY", "anchors", "first_words", "gated_finditer", "split_alternatives"]


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
