"""Reading the language of tool names and descriptions: words, base forms of verbs, the verb of a name
(a word that is as often a noun counts as a verb only when the description agrees), and the main verbs
of a description (the verb of each clause of its opening sentence, not only its first word)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .lexicon import Lexicon, lexicon, present_bases

__all__ = ["NameVerb", "base_verb", "description_verbs", "name_verb", "sense", "split_words"]

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def split_words(text: str) -> list[str]:
    """Split a tool or parameter name into lower-case words at _ - . / spaces and camelCase."""
    return list(_cached_words(text)) if len(text) <= _CACHED_UP_TO else _words(text)


_CACHED_UP_TO = 64  # names and parameter names, split again and again by the rules; not descriptions, seen once


def _words(text: str) -> list[str]:
    return [w for w in _NON_WORD.split(_CAMEL.sub("_", text).lower()) if w]


@functools.lru_cache(maxsize=16384)
def _cached_words(text: str) -> tuple[str, ...]:
    return tuple(_words(text))


def base_verb(word: str, lex: Lexicon | None = None, *, participles: bool = True) -> str | None:
    """The lexicon's entry for an inflected verb ("replaces" -> replace, "copies" -> copy, "running" -> run),
    or None when the word is no known verb. Without ``participles``, "-ed" and "-ing" forms are not verbs:
    in a tool name they describe a state ("list_archived_issues", "diff_unstaged", "get_pending")."""
    lex = lex or lexicon()
    w = word.lower()
    if w in lex.verbs:
        return lex.lemmas.get(w, w)
    if w in lex.grammar["not_verbs"] or len(w) < 4:
        return None
    candidates = present_bases(w)
    if participles and w.endswith("ing"):
        stem = w[:-3]
        candidates += [stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem]
    if participles and w.endswith("ed"):
        stem = w[:-2]
        candidates += [stem, w[:-1], stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem]
        if w.endswith("ied"):
            candidates.append(w[:-3] + "y")
    found = next((c for c in candidates if c in lex.verbs), None)
    return lex.lemmas.get(found, found) if found else None


def sense(verb: str, words: Iterable[str], lex: Lexicon | None = None, context: Iterable[str] = ()) -> str:
    """The effect of ``verb`` given its object: a verb whose meaning depends on it ("open" a file reads it,
    "open" an issue creates one) takes the sense its object selects, looked for among ``words`` (the
    name) first, then among ``context`` (the description's opening)."""
    lex = lex or lexicon()
    senses = lex.verb_senses.get(verb)
    if not senses:
        return lex.verbs[verb]
    for bag in (set(words), set(context)):
        for effect, objects in senses.items():
            if effect != "default" and bag & objects:
                return effect
        if bag - {verb}:
            break  # the name names an object: the description's words do not override it
    return next(iter(senses["default"]))


@dataclass(frozen=True)
class NameVerb:
    """The verb of a tool name: the word, its base form, its effect, and whether it is firm (a plain verb,
    or a noun-like one the description confirms) or only positional (nothing else to go by)."""

    word: str
    base: str
    effect: str
    firm: bool = True


def name_verb(words: Sequence[str], described: Sequence[str] = (), context: Iterable[str] = (), *,
              generated: bool = False) -> NameVerb | None:
    """The verb of a tool name, given the description's main verbs (base forms).

    The first plain verb wins; HTTP-method words in names generated from an API ("API-post-search") stand
    for their method unless a later plain verb says more. A word that is as often a noun ("branch", "order", "post",
    "log", "messages") is the verb only if the description's verbs include it; when the description has
    no verbs, only by position (opening the name with no plain verb after it, or ending it in the
    singular: ``file_upload``), and then not firmly.
    """
    lex = lexicon()
    bases = [base_verb(w, lex, participles=False) if not w.isdigit() else None for w in words]
    plain = [i for i, b in enumerate(bases) if b is not None and b not in lex.noun_verbs and words[i] not in
             lex.noun_verbs]

    def verb_at(i: int, firm: bool = True) -> NameVerb:
        base = bases[i] or words[i]
        return NameVerb(words[i], base, sense(base, words, lex, context), firm)

    for i, word in enumerate(words):
        if generated and word in lex.http_methods and i + 1 < len(words):
            later = next((j for j in plain if j > i), None)
            if later is not None:
                return verb_at(later)
            mapped = lex.http_methods[word]
            return NameVerb(word, mapped, lex.verbs[mapped])
        if bases[i] is None:
            continue
        if i in plain:
            return verb_at(i)
        if described:
            if bases[i] in described or word in described or _derived(bases[i] or word, context):
                return verb_at(i)
            continue
        if i == 0:
            later = next((j for j in plain if j > i), None)
            return verb_at(later) if later is not None else verb_at(i, firm=False)
        if i == len(words) - 1 and not word.endswith("s") and not plain:
            return verb_at(i, firm=False)  # resource_action naming: "file_upload"
    return None


def _derived(verb: str, words: Iterable[str]) -> bool:
    """The description uses a form derived from the verb ("shareable", "sharing"): it agrees."""
    stem = verb[:-1] if verb.endswith("e") else verb
    return any(w != verb and w.startswith(stem) and w.endswith(("able", "ing", "ed")) for w in words)


# -- descriptions -------------------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]*|[,;:/&()]")
_LABEL = re.compile(r"^\s*[\w .-]{1,30}:\s+(?=[a-z])", re.IGNORECASE)  # "GitHub: create ..." (a label, then text)
_PREAMBLES = (_LABEL, *(re.compile(p, re.IGNORECASE) for p in (
    r"^\s*\[[^\]]{1,40}\]\s*",  # "[Beta] ..."
    r"^\s*(?:this|the)\s+(?:mcp\s+)?(?:tool|function|endpoint|method|operation|api|command|action)\s+",
    r"^\s*(?:an?\s+)?(?:mcp\s+)?(?:tool|function|endpoint|utility|helper|method)\s+(?:to|for|that|which)\s+",
    r"^\s*use\s+(?:this|it)(?:\s+(?:tool|function|endpoint))?\s+(?:to|for|when\s+you\s+(?:want|need)\s+to)\s+",
    r"^\s*(?:allows?|enables?|lets?|helps?)(?:\s+(?:you|users?|the\s+(?:user|agent|model|assistant|llm)|an?\s+"
    r"(?:user|agent|model|assistant|llm)))?(?:\s+to)?\s+",
    r"^\s*(?:is\s+)?(?:used|designed|meant)\s+(?:to|for)\s+",
    r"^\s*(?:you\s+)?(?:can|will|may|should)\s+",
    r"^\s*(?:please|simply|quickly|easily|directly)\s+",
    r"^\s*(?:run|call|use|invoke)\s+this\s+(?:tool|function)\s+(?:first\s+)?",  # "Run this tool first when ...": advice
)))
# A generated wrapper's opening names the API operation it calls ("Execute the AWS SNS `get_topic_attributes`
# operation."): the running verb is the wrapper's, not the operation's; what the call does is the operation's name.
_WRAPPER = re.compile(r"^\s*(?:execute|executes|run|runs|call|calls|invoke|invokes|perform|performs)\s+(?:the|an?)\s+"
                      r"[^.;:]{0,60}?(?:`[^`]{2,80}`|\w+_\w+)\s+(?:operation|endpoint|api(?: call)?|method|action)\b",
                      re.IGNORECASE)
_COORDINATORS = frozenset({",", ";", ":", "/", "&", "and", "or", "then", "also", "and/or", "nor", "but"})
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SKIP = frozenset({"then", "also", "optionally", "either", "both", "first", "finally", "additionally"})
_WORD_BEFORE = re.compile(r"[^\W\d_]")  # a letter (of any script) before the first Latin word


def _strip_preamble(sentence: str, lex: Lexicon) -> str:
    changed = True
    while changed:
        changed = False
        for pattern in _PREAMBLES:
            m = pattern.match(sentence)
            if m and m.end() < len(sentence) and not (pattern is _LABEL and _opens_with_verb(m.group(0), lex)):
                sentence, changed = sentence[m.end():], True
    return sentence


def _opens_with_verb(label: str, lex: Lexicon) -> bool:
    """What looks like a label before a colon is the tool's own clause ("Get a pull request: metadata, ..."):
    a verb, then a determiner."""
    words = _TOKEN.findall(label)
    return len(words) > 1 and words[1].lower() in lex.grammar["determiners"] and base_verb(words[0], lex) is not None


def _form(word: str) -> str:
    w = word.lower()
    return "ing" if w.endswith("ing") else "s" if w.endswith("s") and not w.endswith("ss") else "base"


def _clause_verbs(sentence: str, lex: Lexicon, named: frozenset[str] = frozenset()) -> list[str]:
    text = _PARENS.sub(" ", _strip_preamble(sentence, lex)[:300])  # "(hot/new/top)" lists options, not clauses
    first = _TOKEN.search(text)
    if first is None or _WORD_BEFORE.search(text[:first.start()]):
        return []  # the sentence opens with words of another script ("查询 SQL 任务"): its first Latin word is no verb
    tokens = _TOKEN.findall(text)
    grammar = lex.grammar
    determiners = grammar["determiners"]
    out: list[str] = []
    first_form: str | None = None
    phrase = False  # a preposition after the first verb: what follows is its object's noun phrase
    i = 0
    while i < len(tokens):
        start = i == 0 or tokens[i - 1].lower() in _COORDINATORS
        word = tokens[i]
        if out and word.lower() in grammar["prepositions"]:
            phrase = True
        if not start or word in _COORDINATORS:
            i += 1
            continue
        adverb = False
        while i + 1 < len(tokens) and (word.lower() in _SKIP or (word.lower().endswith("ly") and len(word) > 4)):
            adverb = adverb or word.lower().endswith("ly")
            i += 1
            word = tokens[i]
        base = base_verb(word, lex) if word[0].isalpha() and word.lower() not in grammar["adjectives"] \
            and word.lower() not in grammar["describing_words"] else None
        nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else None
        if base is not None and word.lower() not in lex.verbs and word.lower().endswith("ed"):
            base = None  # "Deleted items are kept", "resolved tasks": a participle describes; a description acts
        if base is not None and adverb and word.lower().endswith("ing"):
            base = None  # "Currently running tests": an adverb before an -ing form makes it an adjective
        if base is not None and not out and nxt in lex.grammar["subject_followers"]:
            base = None  # "Highlights are always enabled": the subject of a sentence, not what the tool does
        if base is not None:
            noun_like = base in lex.noun_verbs or word.lower() in lex.noun_verbs
            if not out:
                # Opening a sentence, a noun-like word is a verb unless a noun phrase follows ("Messages sent
                # to ...", "Logs of ...").
                accepted = not noun_like or nxt in determiners or (nxt is not None and nxt not in
                                                                   lex.grammar["noun_followers"])
            else:
                # After "and"/"or": a verb of the same form as the first, followed by something; a word as often
                # a noun only before a determiner, or when the tool's name uses it ("... and export results").
                # Inside the noun phrase of a preposition ("with their filters, actions, and run history", "such as
                # title, archive serial number") or before a word that makes it a noun ("and upgrade info"), a
                # word is one of the objects listed, unless a determiner follows it ("... and open them").
                accepted = (nxt is not None and _form(word) == first_form and (nxt[0].isalpha() or nxt == ",")
                            and (not noun_like or nxt in determiners or word.lower() in named)
                            and (nxt in determiners or not (phrase or (nxt in grammar["noun_followers"]
                                                                        and nxt not in _COORDINATORS))))
            if accepted:
                out.append(base)
                first_form = first_form or _form(word)
            elif not out:
                return out
        elif not out:
            return out
        i += 1
    return out


def description_verbs(description: str, named: Iterable[str] = ()) -> list[str]:
    """The main verbs (base forms) of a description: the verb of each clause of its opening sentence, or
    of the next sentence when the first has none ("Slack tool. Sends a message ..."). ``named`` are the
    words of the tool's name: a word as often a noun that the name uses is read as the name reads it."""
    lex = lexicon()
    sentences = [s for s in _SENTENCE.split(description.strip()[:600]) if s.strip()]
    for n, sentence in enumerate(sentences[:2]):
        if n == 0 and _WORD_BEFORE.search(sentence[:(m.start() if (m := _TOKEN.search(sentence)) else len(sentence))]):
            return []  # written in another script: a later sentence's Latin words ("**Rate Limits**") are no verbs
        if _WRAPPER.match(sentence):
            continue
        verbs = _clause_verbs(sentence, lex, frozenset(named))
        if verbs:
            return list(dict.fromkeys(verbs))
    return []
