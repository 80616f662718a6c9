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


def trim_quote(text: str, source: str | None = None) -> str:
    """A quote that was cut mid-word (``…ipe (KEY). Refunds``) starts and ends at whole words instead. Given the
    ``source`` it was cut from, a cut the quote does not mark with ``…`` is found there and marked too."""
    if source:
        text = _mark_cuts(text, source)
    if text.startswith(ELLIPSIS) and len(text) > 1 and _wordish(text[1]):
        rest = text[1:]
        space = rest.find(" ")
        if 0 <= space < len(rest) - 1:  # the first token may be the tail of a word: it goes
            text = ELLIPSIS + rest[space + 1:]
    if text.endswith(ELLIPSIS) and len(text) > 1 and _wordish(text[-2]):
        body = text[:-1]
        space = body.rfind(" ")
        if space > 0:  # the last token may be the head of a word: it goes
            text = body[:space].rstrip(" ,;:") + ELLIPSIS
    return text


def _mark_cuts(text: str, source: str) -> str:
    """``…`` where ``text`` starts or ends inside a word of ``source`` without saying so."""
    body = text.strip(ELLIPSIS)
    at = source.find(body) if body else -1
    if at < 0:
        return text
    if at > 0 and not text.startswith(ELLIPSIS) and _wordish(source[at - 1]) and _wordish(body[0]):
        text = ELLIPSIS + text
    end = at + len(body)
    if end < len(source) and not text.endswith(ELLIPSIS) and _wordish(source[end]) and _wordish(body[-1]):
        text = text + ELLIPSIS
    return text


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
