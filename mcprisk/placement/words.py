"""Codes in words: every decision-tree, no-go, control, cap and pattern id with what it means.

A reader sees "Human approval gates (consent_approvals)", never a bare id; the id stays beside the words
(and in the JSON) so tracking files and scripts can still refer to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..catalog import catalog

__all__ = ["describe", "meaning", "names"]


def meaning(code: str) -> str | None:
    """What a catalog id means, in a few words (None for an id the catalog does not know)."""
    return _meanings(catalog()).get(code)


def _meanings(cat: Any) -> dict[str, str]:
    """Every id of ``cat`` with its words, the first section naming an id winning (worked out once per catalog:
    placement describes codes tens of thousands of times in a large assessment)."""
    if _MEANINGS and _MEANINGS[0] is cat:
        return _MEANINGS[1]
    out: dict[str, str] = {}
    lookups = ((cat.controls, lambda c: c.title), (cat.no_go, lambda s: s.title),
               (cat.decision_tree, lambda q: q.title), (cat.caps, lambda c: c.title),
               (cat.patterns, lambda p: p.title), (cat.states, lambda s: s.label))
    for items, title in lookups:
        for item in items:
            out.setdefault(item.id, title(item))
    _MEANINGS[:] = [cat, out]
    return out


_MEANINGS: list[Any] = []  # [catalog, its meanings], keyed by identity


def describe(code: str, *, lower: bool = False) -> str:
    """``"Meaning (code)"``, or the code alone when it has no meaning in the catalog; ``lower`` starts the
    words with a small letter (inside a sentence)."""
    words = meaning(code)
    if words is None:
        return code
    first = words.split()[0]
    if lower and not (len(first) > 1 and first.isupper()):  # keep acronyms (HTTPS) as they are
        words = words[0].lower() + words[1:]
    return f"{words} ({code})"


def names(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
