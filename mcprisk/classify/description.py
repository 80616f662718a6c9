"""Rules that read the tool's description: the verbs it opens with and the consequences it states."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import Evidence
from ._rule import rule
from .context import ToolContext
from .params import excerpt
from .language import sense, split_words
from .lexicon import lexicon

__all__ = ["description_lead", "description_phrases"]


@rule("EFF104", "Verbs the description opens with")
def description_lead(ctx: ToolContext) -> Iterable[Evidence]:
    """A description usually opens with what the tool does ("Deletes a page", "Create, update or delete ...").

    Decisive when the name has no verb; supporting otherwise. A description that opens with the name's own
    verb restates the name: its evidence is the name's reading again (source ``name``), not a second,
    independent witness.
    """
    lex = lexicon()
    weight = 1.0 if ctx.verb is None else 0.5
    for verb in ctx.lead_verbs:
        effect = sense(verb, ctx.word_set, context=ctx.opening_words)
        if verb in lex.verb_groups["fetch_or_save"] and not ctx.saves:
            effect = "read_only"
        if verb in lex.verb_groups["exec"]:
            effect = ctx.exec_effect(ctx.opening_words)
        if effect == "read_only" and ctx.verb_effect not in (None, "read_only"):
            continue
        if verb in lex.verb_groups["generic"] and ctx.routed:
            continue  # "Manage users: list, get or create": the router's operations say what a call does
        if verb == ctx.verb:
            # "Deletes a file" under delete_file restates the name: the same reading, not a second witness.
            yield Evidence("EFF104", "name", excerpt(ctx.description, 0, 60),
                           f"the description restates the name's verb {verb!r}", effect, weight=weight)
            continue
        yield Evidence("EFF104", "description", excerpt(ctx.description, 0, 60),
                       f"opens with {verb!r}", effect, weight=weight)


def _said_of_the_call(ctx: ToolContext, before: str) -> bool:
    """The words before a consequence make the call (or the service it fronts) its subject: "it also deletes",
    "Linear revokes", "and then removes" (rather than "kept until someone deletes them")."""
    words = split_words(before)[-3:]
    return bool(set(words) & ({"it", "this", "will", "also", "then", "automatically", "and"} | ctx.service_words
                              | ctx.server_words))


_NEGATION = re.compile(r"\b(never|not|no|nothing|without|rather than|instead of|neither|nor)\b(\s+\w+){0,3}\s*$|n't\s+(\w+\s+){0,2}$",
                       re.IGNORECASE)


def _negated(text: str, start: int) -> bool:
    """The words just before a consequence deny it: "existing notes are never overwritten", "nothing is
    overwritten", "rather than being permanently deleted"."""
    before = re.split(r"[.;:!?\n]", text[max(0, start - 40):start])[-1]
    return bool(_NEGATION.search(before))


_KEEPS_HISTORY = re.compile(r"\b(creat|keep|make|sav|stor|writ)(e|es|s|ing)? (a |an )?(\.bak |backup|previous versions?|version history|"
                            r"history|snapshot)", re.IGNORECASE)


def _keeps_history(text: str, start: int) -> bool:
    """The sentence of a consequence says a copy is kept ("Creates a .bak backup before overwriting"): by the
    rubric an overwrite with history is no destruction, so the phrase is only a hint."""
    sentence = re.split(r"[.;!?](?:\s|$)|\n", text[:start])[-1] + re.split(r"[.;!?](?:\s|$)|\n", text[start:start + 120])[0]
    return bool(_KEEPS_HISTORY.search(sentence))


_PHRASE_MEANING = {"destructive": "destroys, overwrites or cannot undo something", "customer_visible": "reaches other people",
                   "high_cost": "costs money"}


@rule("EFF105", "Phrases in the description")
def description_phrases(ctx: ToolContext) -> Iterable[Evidence]:
    """Phrases that state consequences: "permanently", "cannot be undone", "sends an email", "charges the card".
    Losing data is a consequence, losing sync is not; an overwrite whose sentence says a backup is kept is only
    a hint (the rubric's "overwrites without history")."""
    lex = lexicon()
    text = ctx.lead
    for effect in ("destructive", "customer_visible", "high_cost"):
        if not lex.may_say(effect, text):
            continue  # none of its patterns matches anywhere: one search instead of one per pattern
        for i, pattern in enumerate(lex.phrases[effect]):
            m = next((m for m in pattern.finditer(text) if not _negated(text, m.start())), None)
            if not m:
                continue
            # The general "deletes X" pattern and money words are supporting only: "lists refunds" is a read.
            strong = (effect == "destructive" and i < len(lex.phrases[effect]) - 1) or effect == "customer_visible"
            if ctx.reads and effect != "destructive":
                strong = False
            if ctx.reads and effect == "destructive" and i == len(lex.phrases[effect]) - 1:
                continue
            # On a read, a consequence mentioned in passing ("charge (string)") is a hint, not a reading; so is
            # the general "deletes X" past the opening sentence ("kept until someone deletes them").
            general = effect == "destructive" and i == len(lex.phrases[effect]) - 1
            later = m.start() > len(ctx.opening) and not _said_of_the_call(ctx, text[max(0, m.start() - 40):m.start()])
            weight = 1.0 if strong else 0.25 if (ctx.reads and effect != "destructive") or (general and later) \
                else 0.5
            if effect == "destructive" and _keeps_history(text, m.start()):
                weight = 0.25
            yield Evidence("EFF105", "description", excerpt(text, m.start(), m.end()),
                           f"says the call {_PHRASE_MEANING[effect]}", effect, weight=weight)
            break
    for pattern in lex.phrases["read_only"] if lex.may_say("read_only", text) else ():
        m = pattern.search(text)
        if m:
            yield Evidence("EFF105", "description", excerpt(text, m.start(), m.end()), "says it changes nothing",
                           "read_only", weight=0.5)
            break
