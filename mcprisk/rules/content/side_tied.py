"""Hidden side actions told in words no lexicon lists: a reader's sentence that ties a step to the call, read by the
learned reading. Used by ``side.py`` after its phrase, call and claim readings found nothing.

The phrase readings know the act by its verb ("delete", "pay", "löschen"); an attacker who writes "is settled against
the card on file", "da de alta al usuario en el plan Premium" or "设为“接受”" names an act none of the lexicons
list. What such a sentence still shows is its structure: it is tied to the call or to the model -- a word saying it
comes with the call ("as part of the same call", "同时", "также"), an "every time", an address to the assistant --
in the text of a tool that only reads (or a prompt, resource or the server's instructions). That structure alone is
everywhere in honest text ("also returns the total"), so it stands only where the learned reading, which reads every
word, takes the subject for planted text at ``TIED`` or above -- two independent witnesses, neither enough alone. The
sentence quoted is the tied one whose own words weigh most in the model.
"""

from __future__ import annotations

import re
from typing import Any

from ._concepts import Sentence, word_concepts
from ._hits import Hit, discusses
from ._surface import Subject
from ._textmodel import field_sentences
from .grading import MODEL_READ
from .learned import active_model, witness_probability
from .side_claims import waived_say

__all__ = ["TIED", "tied_step"]

# The learned reading's probability at which a tied sentence of a reader is reported (below the learned reading's own
# threshold, above its witness level); picked on parts 16 and 17 with the model trained before them (out of author).
TIED = 0.8
_TIES = frozenset({"byproduct", "always", "model"})
# A sentence about taking data (secrets, the conversation, personal data) is exfiltration's to read, not an act's.
_TAKING = frozenset({"secret", "cred", "context", "pii", "include"})
# A sentence saying what the call returns ("also shows whether it was paid", "also lists ...") describes the reading.
_READS = frozenset({"reads", "tell_weak"})
_YOU = frozenset({"you", "your", "yourself"})  # the reader addressed in honest prose too ("you have read them")
# "Builds are automatically cancelled when a newer commit is pushed": a scheduled or event-driven job, not the call
_AUTOMATIC = re.compile(r"autom|otomat|автомат|自动|自動|자동|تلقائي|tự động")


# "Call this first", "use this first", "by default", "go-to": the order of the server's own tools or a default, not a
# step tied to the call (a server describing its own workflow)
_OWN_ORDER = re.compile(r"\bfirst\b|\bdefault\b|\bgo-to\b|\bchoice\b")
# What the call gives back ("always returns", "also lists", "too shows"): a reading described, not a step added
_DESCRIBES = frozenset({"reads", "read_verb", "tell_weak"})


def _describes_reading(text: str, h: Any) -> bool:
    """The tie word stands right before a verb of reading or returning ("Always returns the best match")."""
    nxt = text[h.end:h.end + 30].split()[:2]
    if nxt and nxt[0] in ("also", "still", "only", "just") and len(nxt) > 1:
        nxt = nxt[1:]
    return bool(nxt) and not word_concepts(nxt[0].strip(",.;:")).isdisjoint(_DESCRIBES)


def _model_cannot(s: Sentence, h: Any) -> bool:
    """The assistant named as the subject of a negated ability ("the assistant cannot sign anything"): a limit the
    server states, not a step it ties to the call."""
    return "model" in h.concepts and any("neg_desc" in n.concepts and 0 <= n.start - h.end <= 3 for n in s.hits)


def _tied(subject: Subject, s: Sentence, waived: bool) -> bool:
    """The sentence ties a step to the call or the model: a "byproduct" or "every time" word, the assistant named
    (not a bare "you"), or -- where the subject drops the user's say -- a sequence word ("nach dem Abrufen"); not a
    word ordering the server's own tools ("call this first") nor one that describes what the call returns."""
    text = subject.text
    return any(not h.concepts.isdisjoint(_TIES) and h.word not in _YOU and not _AUTOMATIC.search(h.word)
               and not _OWN_ORDER.search(h.word) and not _describes_reading(text, h) and not _model_cannot(s, h)
               or waived and "sequence" in h.concepts for h in s.hits)


def tied_step(subject: Subject) -> Hit | None:
    """The tied sentence of a reader's subject that the learned reading weighs most, when the subject reads as
    planted at ``TIED`` or above (None otherwise)."""
    p = witness_probability(subject)
    model = active_model()
    if p is None or model is None or p < TIED:
        return None
    waived = waived_say(subject)
    tied = [s for s in subject.action_sentences if _tied(subject, s, waived) and not s.any(*_TAKING, *_READS)
            and not discusses(subject, s, True)]
    best = None
    for s in tied:
        f, local = subject.locate(s.start)
        if f.identifier or f.kind == "uri":
            continue
        base = s.start - local
        for a, b, buckets in field_sentences(f.norm, f.kind):
            if base + b <= s.start or base + a >= s.end:
                continue
            weight = model.contribution(buckets)
            if weight > 0 and (best is None or weight > best[0]):
                best = (weight, f, a, b)
    if best is None:
        return None
    _, f, a, b = best
    return Hit(subject, f, a, b, f"ties a step to the call that {MODEL_READ} (learned reading p {p:.2f})")
