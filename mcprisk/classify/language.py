"""Reading the language of tool names and descriptions: words, the verb of a name, the verbs a description opens with."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .lexicon import lexicon

__all__ = ["description_verbs", "name_verb", "split_words"]

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def split_words(text: str) -> list[str]:
    """Split a tool or parameter name into lower-case words at _ - . / spaces and camelCase."""
    return [w for w in re.split(r"[^a-z0-9]+", _CAMEL.sub("_", text).lower()) if w]


def name_verb(words: Sequence[str]) -> tuple[str | None, str | None]:
    """The verb of a tool name and its effect: the first plain verb, with HTTP-method prefixes read as weak verbs.

    A word that is as often a noun ("messages", "monitor", "block") is the verb only when it opens the
    name and no plain verb follows, or ends it in the singular: ``monitor_create`` creates,
    ``file_upload`` uploads, ``browser_console_messages`` has no verb.
    """
    lex = lexicon()
    plain = [(i, w) for i, w in enumerate(words) if w in lex.verbs and w not in lex.noun_verbs]
    for i, word in enumerate(words):
        if word in lex.http_methods and i + 1 < len(words):
            later = next((w for j, w in plain if j > i), None)
            if later is not None:
                return later, lex.verbs[later]
            mapped = lex.http_methods[word]
            return mapped, lex.verbs[mapped]
        if word not in lex.verbs:
            continue
        if word not in lex.noun_verbs:
            return word, lex.verbs[word]
        if i == 0:
            later = next((w for j, w in plain if j > i), None)
            return (later, lex.verbs[later]) if later is not None else (word, lex.verbs[word])
        if i == len(words) - 1 and not word.endswith("s") and not plain:
            return word, lex.verbs[word]  # resource_action naming: "file_upload"
    return None, None


_LEAD = re.compile(r"^\s*(?:this tool |tool to |use this (?:tool )?to |allows? (?:you )?to |used to |can |will |"
                   r"helps? (?:you )?(?:to )?)?([a-z]+)((?:\s*,\s*[a-z]+)*(?:,?\s+(?:and|or|and/or)\s+[a-z]+)?)",
                   re.IGNORECASE)


def description_verbs(description: str) -> list[str]:
    """The verb(s) a description opens with: "Creates, updates or deletes a page" -> create, update, delete."""
    m = _LEAD.match(description)
    if not m:
        return []
    candidates = [m.group(1)] + re.findall(r"[a-z]+", m.group(2) or "", re.IGNORECASE)
    verbs = lexicon().verbs
    out = []
    for word in candidates:
        w = word.lower()
        if w in ("and", "or"):
            continue
        if w in verbs:
            out.append(w)
        else:
            break
    return out
