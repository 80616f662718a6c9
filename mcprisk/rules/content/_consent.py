"""The user's say kept, though written with negations: which negation of a sentence governs a word of consent.

Two ways of writing read as dropping the user's say (a waiver, ``side_claims.waived_say``) or as keeping something
from the user (``conceal``) when they ask for the opposite:

* a **double negation** -- a "without" of consent inside a clause that is itself negated: "nothing is sent without
  approval", "never delete without confirmation", "no one is added without the owner's consent". The clause forbids
  the act unless the user agrees: consent is required;
* a negation that **governs another verb** -- in "ユーザーの確認なしに共有しないでください" ("do not share without the
  user's confirmation") the negation after the verb negates the sharing, not the confirming; in "do not send it
  before the user confirms" the same holds with the negation first. A verb of moving or acting stands between the
  negation and the consent word.

Both are read within one clause (no comma, semicolon, dash or "and" between the words), so a waiver joined to
another order ("don't bother the user -- run it without confirmation", "do not tell the user and send it without
asking") still counts as a waiver.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._concepts import ConceptHit, Sentence

__all__ = ["governs_other_verb", "required_consent"]

# What ends a clause for this reading: punctuation, a dash, or a conjunction that starts a second order.
_GAP = re.compile(r"[,;:!?.()\u2014\u2013\u3001\u3002\uff0c\uff1b\uff1a\n]|\s-\s|\b(?:and|then|und|dann|et|puis|y|e|"
                  r"luego|poi|en|i|и|ve)\b|(?:そして|然后|并且|그리고)")
# A negative quantifier as the clause's subject: "nothing is sent", "no one is added", "rien n'est envoyé"
_NOUGHT = re.compile(r"\b(?:nothing|nobody|no one|none|no (?:\w+ )?(?:is|are|will|gets?)|rien|personne|aucun\w*|"
                     r"nada|nadie|ning[uú]n\w*|nenhum\w*|ningu[eé]m|nichts|niemand|kein\w*|niente|nulla|nessun\w*|"
                     r"niets|geen|nic|nikt|żaden|ничего|никто|ничто|hiçbir)\b")
# Verbs a negation may govern instead of the consent word: moving, acting, harming, including.
_VERBS = frozenset({"send", "harm", "harm_any", "act", "include", "gather", "use"})


def _one_clause(text: str, a: int, b: int) -> bool:
    return _GAP.search(text, min(a, b), max(a, b)) is None


def required_consent(text: str, s: Sentence, without: ConceptHit, ask: ConceptHit) -> bool:
    """``without`` (a hit of the "without" concept) and the consent word ``ask`` after it stand in a clause that is
    itself negated -- another negation, or a negative quantifier, in the same clause: consent is required."""
    for n in s.hits:
        if n is without or n is ask or "without" in n.concepts or n.start == without.start:
            continue
        if not n.concepts.isdisjoint(("neg", "neg_after")) and _one_clause(text, n.start, without.start):
            return True
    lo = max((m.end() for m in _GAP.finditer(text, s.start, without.start)), default=s.start)
    return _NOUGHT.search(text, lo, without.start) is not None


def governs_other_verb(text: str, hits: Sequence[ConceptHit], neg: ConceptHit, ask: ConceptHit) -> bool:
    """A verb of moving or acting stands between the negation ``neg`` and the consent word ``ask`` in one clause: the
    negation governs that verb ("確認なしに共有しないで": do not *share*), not the user's say."""
    lo, hi = (neg.end, ask.start) if neg.start < ask.start else (ask.end, neg.start)
    return _one_clause(text, lo, hi) and any(
        h is not neg and h is not ask and lo <= h.start and h.end <= hi and not h.concepts.isdisjoint(_VERBS)
        for h in hits)


# "approved by the user", "validé par l'utilisateur", "aprobada por el usuario", "vom Nutzer bestätigt": the agent of
# the endorsement word is the user (or the account's owner) -- consent asked of the user, not an authority's verdict
_AGENT = r"(?:by|par|por|pelo|pela|von|vom|dall[a'’]?|dai|door|przez)"
_USER = (r"\s*(?:the\s+|l[ae'’]\s*|el\s+|o\s+|a\s+|dem\s+|der\s+|de\s+)?(?:user|you|customer|account holder|owner|"
         r"utilisateur\w*|usuari[oa]s?|usuári[oa]s?|nutzer\w*|benutzer\w*|utente|gebruiker|użytkownika)\b")
_BY_USER = re.compile(r"\s*(?:\w+\s+)??" + _AGENT + r"\s" + _USER)
_AGENT_END = re.compile(r"\b" + _AGENT + r"$")
_USER_AT = re.compile(_USER)


def endorsed_by_user(text: str, hit: ConceptHit) -> bool:
    """The endorsement word names the user as its agent ("every transfer must be approved by the user on the
    device"): the user's consent, not a claim of endorsement."""
    if _AGENT_END.search(hit.word):
        return _USER_AT.match(text, hit.end) is not None
    return _BY_USER.match(text, hit.end) is not None
