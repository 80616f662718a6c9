"""Honest forms an exfiltration ask is not (read by ``exfil.py``): where a value the caller passes comes from, a
disclosure of what a service does with what it is given, a prompt of the tool's own, a chat API's own list of turns,
and a state stated with a copula."""

from __future__ import annotations

import re

from ._concepts import ConceptHit
from ._surface import Subject

__all__ = ["as_verb", "disclosed", "kind_of", "literal_into", "state_of", "turns_glossed", "value_source"]

_COPULA = ("이며", "이다", "입니다", "임", "이고", "です", "である")
_AUTOMATIC = re.compile(r"(?:automatically|automatisch|automáticamente|automatiquement|automaticamente|"
                        r"automatycznie|автоматически|otomatik olarak|自动|自動|자동으로)\s*$")


def value_source(text: str, move: ConceptHit, secret: ConceptHit) -> bool:
    """"access_token: API credential (obtained from get_token)", "if omitted, automatically read from the env
    variable APP_KEY": a verb of getting inside a gloss's parentheses, or done automatically, says where a value the
    caller passes comes from -- nothing is collected by the model. A secret file or the conversation still counts."""
    if move.concepts.isdisjoint(("gather",)) or not move.concepts.isdisjoint(("send", "include")) \
            or not secret.concepts.isdisjoint(("secret_file", "context")):
        return False
    if _AUTOMATIC.search(text, max(0, move.start - 24), move.start):
        return True
    line_start = text.rfind("\n", 0, move.start) + 1
    opened = max(text.rfind("(", line_start, move.start), text.rfind("\uff08", line_start, move.start))
    if opened < 0 or move.start - opened > 50 or ")" in text[opened:move.start]:
        return False
    close = text.find(")", move.end, move.end + 50)
    return close >= 0 and "\n" not in text[move.end:close]


_DISCLOSED = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?(?:will|would|is|are|was|were|gets?)\s+(?:be\s+|being\s+)?"
                        r"(?:\w+ly\s+)?(?:\w+(?:ed|en)\b[^.;:!?\n]{0,50})?$")
_OBLIGED = re.compile(r"\b(?:must|should|shall|need|needs|has to|have to|required|always)\b")


def disclosed(text: str, move: ConceptHit, secret: ConceptHit) -> bool:
    """"The conversation history will be collected, sanitized, and uploaded ...": a passive statement of what the
    service does with what it is given, no obligation put on anyone -- a disclosure, not an ask."""
    if secret.end > move.start or move.start - secret.end > 80 or not move.word.endswith(("ed", "en", "sent")):
        return False
    between = text[secret.end:move.start]
    return _DISCLOSED.match(between) is not None and _OBLIGED.search(between) is None \
        and not _OUTSIDE.search(text, move.end, min(len(text), move.end + 160))  # "... will be sent to https://x"


_OUTSIDE = re.compile(r"(?:https?|ftp)://|[\w.+-]+@[\w-]+\.[\w.-]+")


# "wrapped with an optimised code-review system prompt": an indefinite article makes it a prompt of the tool's own
_INDEFINITE = re.compile(r"\b(?:a|an)\s+(?:(?!your\b|the\b|its\b|my\b|our\b|of\b|this\b)[\w-]+\s+){0,3}$")


# "API calls that require secrets", "requests which need a token": the secret qualifies a kind of call in a relative
# clause -- what those calls need, not what the model is asked to hand over
_QUALIFIES = re.compile(r"\b(?:that|which)\s+(?:require|requires|need|needs|involve|involves|take|takes)\s+(?:an?\s+|"
                        r"the\s+|\w+\s+)?$")


def kind_of(text: str, secret: ConceptHit) -> bool:
    """The model's context named with an indefinite article: a prompt of the tool's own, not the model's; a secret
    that qualifies a kind of call ("calls that require secrets"); or the secret's word used as a verb (``as_verb``)."""
    return "context" in secret.concepts and not secret.word.startswith(("your", "the ")) \
        and _INDEFINITE.search(text, max(0, secret.start - 50), secret.start) is not None or as_verb(text, secret) \
        or _QUALIFIES.search(text, max(0, secret.start - 30), secret.start) is not None


# "to pin routing for the session", "to key the cache by user": after the infinitive's "to", and before the object it
# takes, a one-word secret noun ("pin", "key", "token") is a verb of the server's own job, nothing asked for
_TO_BEFORE = re.compile(r"\b(?:to|they|we|it|always|will|can)\s+$")
_OBJECT_AFTER = re.compile(r"\s+(?!into\b|in\b|at\b|for\b|from\b|with\b|and\b|or\b|of\b|on\b)[a-z][\w-]*")


def as_verb(text: str, secret: ConceptHit) -> bool:
    """A one-word secret hit stands as a verb: right after "to", a subject pronoun or an auxiliary ("they always pin
    to the mirror's copy") and right before a word that is not a preposition of place or company."""
    return " " not in secret.word and _TO_BEFORE.search(text, max(0, secret.start - 8), secret.start) is not None \
        and _OBJECT_AFTER.match(text, secret.end) is not None


# "Provide `message` or `messages` (full chat history)": the words gloss the tool's own list of chat turns
_TURNS = re.compile(r"message|history|chat|conversation|turns|contents")
_GLOSSED = re.compile(r"`?([a-z][\w]*)`?\s*\([^()]{0,24}$")


def turns_glossed(subject: Subject, secret: ConceptHit) -> bool:
    """The words gloss, in parentheses, one of the tool's own parameters named for chat turns."""
    m = _GLOSSED.search(subject.text, max(0, secret.start - 60), secret.start)
    return m is not None and _TURNS.search(m.group(1)) is not None and any(
        f.path.endswith(f".properties.{m.group(1)}(name)") for f in subject.fields if f.kind == "key")


def state_of(text: str, move: ConceptHit) -> bool:
    """"수치는 도구 결과 그대로이며": the move word ends in a copula, so the numbers *are* the tool's result as it came."""
    return text.startswith(_COPULA, move.end)


_QUOTED_INTO = re.compile(r"^[^.;]{0,30}[\"'`“‘][^\"'`”’]{1,30}[\"'`”’][^.;]{0,12}\b(?:in|into|to)\s+(?:the|your|a)?\s*$")


def literal_into(text: str, move: ConceptHit, secret: ConceptHit) -> bool:
    """"Include the word "json" in your prompt": a quoted literal put into the context, which is the destination."""
    return move.end <= secret.start and _QUOTED_INTO.match(text[move.end:secret.start]) is not None
