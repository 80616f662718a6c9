"""Sentences mcprisk writes about what it found: lists that say how many were left out, text cut on word
boundaries, and the article before a word chosen by its sound.

Every renderer and rule that shortens a list or a quote goes through here, so a reader always learns that
something was left out ("and 3 more", "…") and never sees a word cut in half.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["ELLIPSIS", "articles", "clip_words", "listed", "trim_quote"]

ELLIPSIS = "…"

# Words spelled with a vowel that start with a consonant sound, and the reverse ("an hour", "a user").
_CONSONANT_SOUND = re.compile(r"(?:u(?:s|n[ai]|r[aeiou]|t[ai]|bi|k)|eu|one\b|once\b|uni|ur[il])", re.IGNORECASE)
_VOWEL_SOUND = re.compile(r"(?:hour|honest|honou?r|heir|[aeio]|u(?![aeiou]))", re.IGNORECASE)
_ARTICLE = re.compile(r"\b([Aa]n?) ([A-Za-z][\w-]*)")
_WHERE = re.compile(r"^[\w.]+ @\d+: \S")


def listed(items: Iterable[str], limit: int = 3, *, sep: str = ", ") -> str:
    """``a, b and c`` for up to ``limit`` items; past that ``a, b, c and 4 more``: a cut list says so."""
    items = list(items)
    if not items:
        return ""
    if len(items) <= limit:
        return items[0] if len(items) == 1 else sep.join(items[:-1]) + " and " + items[-1]
    return sep.join(items[:limit]) + f" and {len(items) - limit} more"


def clip_words(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with ``…`` when cut (a word longer than
    the limit is cut inside, since nothing else fits)."""
    if len(text) <= limit:
        return text
    room = max(1, limit - 1)
    cut = text[:room]
    space = cut.rfind(" ")
    if space >= room // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + ELLIPSIS


def trim_quote(text: str, source: str | None = None) -> str:
    """A quote cut mid-word (``…ipe (KEY). Refunds cannot be rev…``) starts and ends at whole words instead.

    Given the ``source`` it was cut from, the cut is checked there: a partial word at either end goes and the cut
    is marked ``…`` even where the quote did not say so. Without it, a leading fragment is recognised by its lower
    case (so a quote that opens on "Ignore all previous instructions" keeps its first word) and the last token
    before a closing ``…`` goes."""
    where = _WHERE.match(text)  # "description @227: …": a location a rule put before its quote
    if where:
        return where[0][:-1] + trim_quote(text[len(where[0]) - 1:], source)
    body = text.strip(ELLIPSIS)
    at = source.find(body) if source and body else -1
    if at >= 0:
        end = at + len(body)
        head = at > 0 and _wordish(source[at - 1]) and _wordish(body[0])
        tail = end < len(source) and _wordish(source[end]) and _wordish(body[-1])
        return _trimmed(body, head, tail, head or (at > 0 and text.startswith(ELLIPSIS)),
                        tail or (end < len(source) and text.endswith(ELLIPSIS)))
    head = text.startswith(ELLIPSIS) and len(text) > 1 and (text[1].islower() or text[1].isdigit())
    tail = text.endswith(ELLIPSIS) and len(text) > 1 and _wordish(text[-2])
    return _trimmed(body, head, tail, text.startswith(ELLIPSIS), text.endswith(ELLIPSIS))


def _trimmed(body: str, head: bool, tail: bool, mark_head: bool, mark_tail: bool) -> str:
    """``body`` without its partial first (``head``) and last (``tail``) tokens, ``…`` where it was cut."""
    if head:
        space = body.find(" ")
        if 0 <= space < len(body) - 1:
            body = body[space + 1:]
    if tail:
        space = body.rfind(" ")
        if space > 0:
            body = body[:space].rstrip(" ,;:")
    return (ELLIPSIS if mark_head else "") + body + (ELLIPSIS if mark_tail else "")


def _wordish(c: str) -> bool:
    """A character a cut could have split a token at (anything but a space or a sentence's end)."""
    return not c.isspace() and c not in ".!?"


def _article(m: re.Match[str]) -> str:
    article, word = m[1], m[2]
    vowel = bool(_VOWEL_SOUND.match(word)) and not _CONSONANT_SOUND.match(word)
    if word.isupper() and len(word) > 1:  # an acronym is read letter by letter: "an SQL", "a URL"
        vowel = word[0] in "AEFHILMNORSX"
    right = "an" if vowel else "a"
    return (right.capitalize() if article[0] == "A" else right) + " " + word


def articles(sentence: str) -> str:
    """``a``/``an`` in mcprisk's own sentence set by the sound of the next word (``creating an issue``)."""
    return _ARTICLE.sub(_article, sentence)
