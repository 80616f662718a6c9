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


def trim_quote(text: str) -> str:
    """A quote that was cut mid-word (``…ipe (KEY). Refunds``) starts and ends at whole words instead."""
    if text.startswith(ELLIPSIS) and len(text) > 1 and not text[1].isspace():
        rest = text[1:]
        space = rest.find(" ")
        if 0 <= space < len(rest) - 1 and rest[:space].isalnum():
            text = ELLIPSIS + rest[space + 1:]
    if text.endswith(ELLIPSIS) and len(text) > 1 and not text[-2].isspace():
        body = text[:-1]
        space = body.rfind(" ")
        if space > 0 and body[space + 1:].isalnum():
            text = body[:space].rstrip(" ,;:") + ELLIPSIS
    return text


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
