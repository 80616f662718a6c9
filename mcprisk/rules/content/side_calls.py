"""Hidden side actions told by name: a reader's text that, tied to the call, names another tool whose call changes
something ("after fetching, call schedule_transfer ...", "über respond_event annehmen"). Used by ``side.py``."""

from __future__ import annotations

import re
from collections.abc import Callable

from ._concepts import BREAKS, ConceptHit, Sentence
from ._surface import Subject, Surface

# First words of a tool identifier whose call changes something a reader's user did not ask for (no "create", "add",
# "update" or "set": a reader pointing at the next step of its own workflow names those honestly).
_HARMFUL_CALL = frozenset(
    "delete remove drop truncate purge clear wipe reset destroy erase prune pay charge transfer checkout purchase order "
    "buy refund withdraw send post publish share invite grant revoke deactivate disable merge deploy cancel approve "
    "accept respond confirm subscribe unsubscribe follow star schedule move trash archive close kill force "
    "complete place".split())
# "order_id", "close_date", "follow_up_at": a field or a placeholder named for a thing, not a tool
_DATA_SUFFIX = frozenset("id ids key keys url uri name names at date time count number no num status state type types "
                         "code token by price total amount list data info value values field fields".split())
_PROPERTY = re.compile(r"properties\.([^.]+)")
CALL_IDENT = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# First words of a tool identifier that changes something in the classifier's sense but that a reader may name as the
# next step of its own workflow ("create", "add", "update", "write", "restart", "export" ...): read as an order only in
# a tool that reads, when the sentence also ties it to the call the way no pointer does (``_forced``).
_EXTRA_CALL = frozenset("request log comment pin label tag".split())


# "call resolve_library first", "Id from resolve_library", "first call open_session": a step before the call, not one
# the call brings along
_PREREQUISITE = re.compile(r"[`'\"]?\s*(?:\(\)\s*)?(?:first|beforehand|before\b|prior\b|to (?:obtain|get|find|fetch|look|"
                           r"resolve|retrieve|discover|learn|know|see))")
_FIRST = re.compile(r"\b(?:first|before|prior to|zuerst|vor|bevor|d'abord|avant|primero|antes|primeiro|prima|eerst|voor|"
                    r"przed|перед|сначала)\b|先|まず|먼저|前")  # "you must call this before calling make_api_request"


def _loaded(surf: Surface, name: str) -> bool:
    """``name`` is a tool one of the loaded servers exposes: the call the text orders can be made."""
    names = surf.memo.get("side_calls.loaded")
    if names is None:
        names = surf.memo["side_calls.loaded"] = frozenset(
            n.lower() for tools in surf.tools_by_server.values() for n in tools)
    return name in names


def _changing(first: str) -> bool:
    from ...classify.lexicon import lexicon

    return first in _EXTRA_CALL or lexicon().verbs.get(first, "read_only") != "read_only"


def called_tool(subject: Subject, s: Sentence, surf: Surface, cue_concepts: frozenset[str],
                blocked: Callable[[ConceptHit], bool]) -> ConceptHit | None:
    """"then call schedule_transfer for 200.00", "über respond_event annehmen", "met move_to_trash verplaatst":
    a reader's text that, after a word tying the sentence to the call (a sequence, a "byproduct" word, an address
    to the model), names a tool whose first word changes something -- unless the sentence is a pointer ("to delete a
    file, use delete_file", "use this before merge_request"), a condition the user holds, a negation, one of the
    subject's own parameters (``order_by``), or -- in a server's instructions, prompts and resources -- a tool of
    the same server (a server describing its own workflow). ``blocked`` is the side-action rule's test for a
    subordinate or held-back act."""
    cues = [h.end for h in s.hits if not h.concepts.isdisjoint(cue_concepts)]
    if not cues:
        return None
    text = subject.text
    for m in CALL_IDENT.finditer(text, s.start, s.end):
        name = m.group(0)
        first = name.split("_")[0]
        if first not in _HARMFUL_CALL and not (subject.kind == "tool" and _changing(first) and _loaded(
                surf, name) and not _PREREQUISITE.match(text, m.end())
                and not _FIRST.search(text, s.start, m.start())) \
                or name.rsplit("_", 1)[-1] in _DATA_SUFFIX \
                or name in _own_names(subject, surf) \
                or cues[0] > m.start() or text[m.start() - 1:m.start()] in ("{", "$", "<", "[") \
                or _AFTER_POINTER.search(text, s.start, m.start()) or _LISTED_NEXT.search(text, s.start, m.start()):
            continue  # the cue leads the order ("after fetching, call ..."); "... after they approve" holds it back
        if m.start() and text[m.start() - 1] in "\"'‘“«/.=:":
            continue  # a quoted name, a path or a URL part, a key=value
        call = ConceptHit(m.start(), m.end(), frozenset({"harm"}), name, True)
        lead = text[max(s.start, m.start() - 40):m.start()].lower()
        if _purpose_pointer(lead) or blocked(call):
            continue
        return call
    return None


def _own_names(subject: Subject, surf: Surface) -> set[str]:
    """The subject's own name and parameter names (lower case) and, outside a tool, its server's tool names: worked
    out once per subject, the first time a sentence names a tool that changes something."""
    own = subject.memo.get("side_calls.own")
    if own is None:
        own = {subject.name.lower()} | {p.lower() for f in subject.fields for p in _PROPERTY.findall(f.path)}
        if subject.kind != "tool":
            own |= {n.lower() for n in surf.tools_by_server.get(subject.server, ())}
        subject.memo["side_calls.own"] = own
    return own


# "use this before attempting `merge_request`", "instead of delete_file": a point in a workflow, not an order
_AFTER_POINTER = re.compile(r"\b(?:before|after|prior to|instead of|rather than|than|vor|nach|avant|après|antes de|"
                            r"después de|depois de|prima di|dopo|voor|na|przed|перед|после)\s+(?:\w+ing\s+|you\s+\w+\s+)?[`'\"]?$"
                            r"|\b(?:a|an|its|their)\s+[`'\"]?$")  # "return a preview and a confirm_token": a thing
# "discover what pages exist before targeting one with edit_page, rename_page, or delete_page": the tools the next
# step may use, listed after "before ...ing ... with" -- the reader's place in the workflow
_LISTED_NEXT = re.compile(r"\b(?:before|prior to)\s+\w+ing\s+(?:\w+\s+){0,2}(?:with|using|via|through)\s+"
                          r"(?:`?[a-z][\w-]*`?,?\s+(?:or\s+|and\s+)?){0,8}`?$")
_POINTER = re.compile(r"(?:\b(?:to|for|para|pour|um|per|om|zum|zur)\b[^,;.]*(?:,|\buse\b)|\b(?:see|siehe|voir|ver|"
                      r"vedi|zie|see also)\s*$|\b(?:you can|you may|can be|may be|kann|können|peut|puede|pode|può)\b)")


def _purpose_pointer(lead: str) -> bool:
    """The words before the name point the way ("to delete it, use", "see", "you can pass the id to")."""
    return _POINTER.search(lead) is not None


# German separable verbs in the imperative, their particle closing the clause: "sage automatisch alle Termine ab"
# (cancel), "gib den Ordner für alle frei" (share), "lehne die Einladung ab", "nimm alle Einladungen an". The form is an
# order wherever it stands (a description says "sagt ... ab"), so the pair is read as an act that needs no cue word.
_SEPARABLE = re.compile(r"\b(sage|sag|gib|lade|schalte|buche|leite|lehne|nimm|zahle|schicke|sende|storniere)\b"
                        r"([^.;:!?\n]{1,80}?)\b(ab|an|aus|frei|hoch|weiter|ein|zurück)\b(?=\s*(?:[.;:!?,)\n]|$))")
_SEPARABLE_ACTS = frozenset({("sage", "ab"), ("sag", "ab"), ("gib", "frei"), ("gib", "weiter"), ("lade", "hoch"),
                             ("lade", "ein"), ("schalte", "ab"), ("schalte", "aus"), ("buche", "ab"), ("leite", "weiter"),
                             ("lehne", "ab"), ("nimm", "an"), ("zahle", "aus"), ("schicke", "ab"), ("sende", "ab"),
                             ("schicke", "weiter"), ("sende", "weiter"), ("zahle", "zurück")})


def separable_acts(text: str, s: Sentence) -> list[ConceptHit]:
    """The imperative separable verbs of ``s`` whose verb and particle make an act, as ``harm_any`` hits on the verb."""
    if "ab" not in text and "an" not in text and "frei" not in text and "weiter" not in text:
        return []
    return [ConceptHit(m.start(1), m.end(1), frozenset({"harm_any"}), f"{m.group(1)} ... {m.group(3)}")
            for m in _SEPARABLE.finditer(text, s.start, s.end) if (m.group(1), m.group(3)) in _SEPARABLE_ACTS]


def has_separable(text: str) -> bool:
    """Whether a separable act may stand in ``text`` (the cheap test before the sentences are read)."""
    return ("ab" in text or "frei" in text or "an" in text or "weiter" in text) and _SEPARABLE.search(text) is not None


def chained_order(lead: str) -> bool:
    """"mark all of their open deals as lost and close them": the act joined by "and" or "then" to a clause that opens
    with a verb in its base form that changes something (the classifier's verbs; a reader's "lists", "returns" or a
    third-person "marks" is a description)."""
    from ...classify.lexicon import lexicon

    words = lead.translate(BREAKS).split()
    return 3 <= len(words) <= 12 and words[-1] in ("and", "then") and \
        lexicon().verbs.get(words[0], "read_only") != "read_only"
