"""Concepts across languages: which of the few ideas attacks are built from occur in a text, and where.

The packaged lexicons (``mcprisk/catalog/concepts/<lang>.yaml``) map concept names ("user", "tell", "neg",
"ignore", "instructions", "secret", "send", "harm", ...) to their words in eighteen languages. The content rules
combine concepts by structure (a pair in one sentence, a word order, an addressee) rather than match sentences.

Two passes, so most text costs almost nothing:
- ``present(words)`` -- the set of concepts a subject holds, from its word set (set intersections in C, a short
  loop for word stems and phrases): a rule whose concepts are not all there skips the subject;
- ``hits(text)`` -- every concept occurrence with its position, run only for subjects that passed a rule's gate.
Scripts written without spaces (Chinese, Japanese, Korean) and Arabic words with clitics are matched as
substrings, by one alternation, only in text that holds such letters.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

from ..._packaged import load_yaml

__all__ = ["BREAKS", "ConceptHit", "Lexicon", "Sentence", "fold", "gated", "gates", "glued_script", "hits", "lexicon",
           "glued_concepts", "present", "sentence_ends", "sentences", "word_concepts", "Found", "UNLOCATED"]

LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "nl", "sv", "pl", "ru", "tr", "id", "vi", "ar", "zh", "ja", "ko", "hi")
STEM_KEY = 4  # stems are indexed by their first four characters (shorter stems are not allowed)

# Every character that separates words, as a translate table (same length in, same length out, so offsets hold):
# ASCII punctuation including "_" (identifiers are read as words), and the usual non-ASCII punctuation.
_SEPARATORS = ("!\"#$%&'()*+,./:;<=>?@[\\]^_`{|}~-\t\n\r\u00a0\u00ab\u00bb\u00bf\u00a1\u00b7\u2010\u2011\u2012"
               "\u2013\u2014\u2015\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u2026\u2022\u3001\u3002\uff0c\uff1a"
               "\uff1b\uff01\uff1f\u300c\u300d\u300e\u300f\uff08\uff09\u3010\u3011\u060c\u061b\u061f\u066b\u066c"
               "\u2032\u00b4\u0964\u0965")
BREAKS = str.maketrans({c: " " for c in _SEPARATORS})
# Letters of scripts where words are not separated by spaces, and Arabic (clitics): matched as substrings.
_GLUED = re.compile("[\u0600-\u06ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# Arabic read without short vowels and tatweel, with one alef and one yeh: authors differ in how they write them.
_ARABIC_FOLD = str.maketrans({"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
                              "\u0649": "\u064a", "\u0640": None, **{chr(c): None for c in range(0x064B, 0x0653)}})


def fold(text: str) -> str:
    """The normalised form concepts are matched on: NFKC, case-folded, Arabic folded, the combining dot of
    Turkish capital İ dropped (the same function normalises the lexicon, so both sides agree)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = text.replace("\u0307", "").translate(_ARABIC_FOLD)
    return text


def glued_script(text: str) -> bool:
    return _GLUED.search(text) is not None


def gated(concepts: frozenset[str], gates: Iterable[frozenset[str]]) -> bool:
    """Whether the concepts hold every concept of at least one gate (a rule's cheapest possible test)."""
    for g in gates:
        if concepts.issuperset(g):
            return True
    return False


def gates(*alternatives: str) -> tuple[frozenset[str], ...]:
    """Gates written as strings: ``gates("neg tell user", "hide user")``."""
    return tuple(frozenset(a.split()) for a in alternatives)


class ConceptHit(NamedTuple):
    """One occurrence: offsets into the subject's text, the concepts it expresses and the words matched; ``ident``
    when the words are part of an identifier written in prose (``pay_invoice``, ``SKIP_CONFIRMATION``)."""

    start: int
    end: int
    concepts: frozenset[str]
    word: str
    ident: bool = False


@dataclass(frozen=True)
class Lexicon:
    """Every language's entries, indexed for the two passes."""

    concepts: tuple[str, ...]
    exact: Mapping[str, frozenset[str]]
    stems: Mapping[str, tuple[tuple[str, frozenset[str]], ...]]  # first four characters -> (stem, concepts)
    phrases: Mapping[tuple[str, str], tuple[tuple[tuple[str, ...], str, frozenset[str]], ...]]  # first two words ->
    # (words, " words joined ", concepts), longest first
    seconds: Mapping[str, frozenset[str]]  # first word of a phrase -> the words that can follow it
    glued: re.Pattern[str] | None
    glued_concepts: Mapping[str, frozenset[str]]
    infixes: tuple[tuple[str, frozenset[str]], ...]  # inside long words of spaced languages (German compounds)
    exact_keys: frozenset[str]
    stem_keys: frozenset[str]
    phrase_keys: frozenset[str]
    pair_keys: frozenset[tuple[str, str]] = frozenset()  # the first two words of every phrase


def _entries(data: Mapping) -> Iterable[tuple[str, str, bool]]:
    spaced = data.get("spaced", True)
    for concept, words in (data.get("concepts") or {}).items():
        for word in words or ():
            yield concept, str(word), spaced


def build_lexicon(files: Mapping[str, Mapping]) -> Lexicon:
    """Index the entries of every language file (``{lang: parsed yaml}``)."""
    names: list[str] = list((files.get("en") or {}).get("concepts") or {})
    exact: dict[str, set[str]] = {}
    stems: dict[str, set[str]] = {}
    phrases: dict[tuple[str, ...], set[str]] = {}
    glued: dict[str, set[str]] = {}
    infixes: dict[str, set[str]] = {}
    for data in files.values():
        for concept, raw, spaced in _entries(data):
            if concept not in names:
                names.append(concept)
            entry = fold(raw.strip())
            if entry.startswith("*") and entry.endswith("*") or (not spaced and not entry.isascii()):
                body = entry.strip("*").strip()
                target = glued if glued_script(body) else infixes
                target.setdefault(body, set()).add(concept)
                continue
            if entry.endswith("*"):
                stem = entry[:-1]
                if len(stem) < STEM_KEY or " " in stem.translate(BREAKS).strip():
                    raise ValueError(f"stem {raw!r} must be one word of at least {STEM_KEY} characters")
                stems.setdefault(stem, set()).add(concept)
                continue
            words = tuple(entry.translate(BREAKS).split())
            if not words:
                continue
            if len(words) == 1:
                exact.setdefault(words[0], set()).add(concept)
            else:
                phrases.setdefault(words, set()).add(concept)
    by_key: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for stem, cs in stems.items():
        by_key.setdefault(stem[:STEM_KEY], []).append((stem, frozenset(cs)))
    by_pair: dict[tuple[str, str], list[tuple[tuple[str, ...], str, frozenset[str]]]] = {}
    seconds: dict[str, set[str]] = {}
    for words, cs in sorted(phrases.items(), key=lambda kv: -len(kv[0])):
        by_pair.setdefault(words[:2], []).append((words, f" {' '.join(words)} ", frozenset(cs)))
        seconds.setdefault(words[0], set()).add(words[1])

    glued_rx = re.compile("|".join(re.escape(g) for g in sorted(glued, key=len, reverse=True))) if glued else None
    return Lexicon(tuple(names), {w: frozenset(c) for w, c in exact.items()},
                   {k: tuple(v) for k, v in by_key.items()}, {k: tuple(v) for k, v in by_pair.items()},
                   {k: frozenset(v) for k, v in seconds.items()},
                   glued_rx, {g: frozenset(c) for g, c in glued.items()},
                   tuple((i, frozenset(c)) for i, c in sorted(infixes.items())),
                   frozenset(exact), frozenset(by_key), frozenset(seconds), frozenset(by_pair))


@functools.cache
def lexicon() -> Lexicon:
    """The packaged lexicons, read and indexed once per process."""
    root = resources.files("mcprisk.catalog").joinpath("concepts")
    files = {lang: load_yaml(root.joinpath(f"{lang}.yaml").read_text(encoding="utf-8")) for lang in LANGUAGES}
    return build_lexicon(files)


# Concepts that are looked up for a word on demand and never located in text (they would be every third word).
UNLOCATED = frozenset({"det", "read_verb", "reads"})


class Found(NamedTuple):
    """What the set pass found: the concepts, and the words, stems and phrases that carry located concepts."""

    concepts: frozenset[str]
    words: tuple[tuple[str, frozenset[str]], ...]  # exact words and words matched by a stem, with their concepts
    phrases: tuple[tuple[tuple[str, ...], frozenset[str]], ...]


def present(words: frozenset[str], text: str, glued: bool, joined: str = "",
            pairs: set[tuple[str, str]] | None = None) -> Found:
    """The concepts a text holds, from its word set and (for phrases) its words joined by single spaces.
    ``pairs`` (with ``joined``) is the set of adjacent word pairs of the text: a phrase can occur only where its
    first two words stand side by side, so one set intersection finds every candidate (a two-word phrase is
    then found outright; a longer one is looked up in ``joined``)."""
    lex = lexicon()
    found: set[str] = set()
    located: list[tuple[str, frozenset[str]]] = []
    phrases: list[tuple[tuple[str, ...], frozenset[str]]] = []
    memo = _WORD_MEMO if _WORD_MEMO_OF and _WORD_MEMO_OF[0] is lex else _word_memo(lex)
    get = memo.get
    for w in words:
        info = get(w)
        if info is None:
            if len(memo) >= _WORD_MEMO_MAX:
                memo.clear()
            info = memo[w] = _word_info(w, lex)
        if info is not _NOTHING:
            found |= info[0]
            located += info[1]
    if pairs is not None and joined:
        for pair in pairs & lex.pair_keys:
            for phrase, spaced, cs in lex.phrases[pair]:
                if len(phrase) == 2 or spaced in joined:
                    found |= cs
                    phrases.append((phrase, cs))
    else:
        for first in words & lex.phrase_keys:
            for second in lex.seconds[first] & words:
                for phrase, spaced, cs in lex.phrases[(first, second)]:
                    if spaced in joined if joined else words.issuperset(phrase):
                        found |= cs
                        phrases.append((phrase, cs))
    if glued and lex.glued is not None:
        for m in lex.glued.finditer(text):
            found |= lex.glued_concepts[m.group(0)]
    return Found(frozenset(found), tuple(located), tuple(phrases))


_NOTHING = (frozenset(), ())
_WORD_MEMO: dict[str, tuple[frozenset[str], tuple[tuple[str, frozenset[str]], ...]]] = {}
_WORD_MEMO_OF: list[Lexicon] = []  # the lexicon the memo was filled from (compared by identity)
_WORD_MEMO_MAX = 100_000  # distinct words; simply emptied when full


def _word_memo(lex: Lexicon) -> dict[str, tuple[frozenset[str], tuple[tuple[str, frozenset[str]], ...]]]:
    _WORD_MEMO.clear()
    _WORD_MEMO_OF[:] = [lex]
    return _WORD_MEMO


def _word_info(w: str, lex: Lexicon) -> tuple[frozenset[str], tuple[tuple[str, frozenset[str]], ...]]:
    """What one word adds to ``present``: (its concepts, its located entries) from the exact entries, the stems and
    the infixes, in that order; ``_NOTHING`` when none. Kept per distinct word (``_WORD_MEMO``): a config's subjects
    repeat the same few thousand words, and this loop ran for every word of every subject."""
    found: set[str] = set()
    located: list[tuple[str, frozenset[str]]] = []
    cs = lex.exact.get(w)
    if cs is not None:
        found |= cs
        if not cs <= UNLOCATED:  # the lexicon's own set when it holds none of them (no new set per word)
            located.append((w, cs if cs.isdisjoint(UNLOCATED) else cs - UNLOCATED))
    if len(w) > STEM_KEY:
        for stem, cs in lex.stems.get(w[:STEM_KEY], ()):
            if w.startswith(stem):
                found |= cs
                located.append((w, cs))
    if len(w) >= 9:
        for infix, cs in lex.infixes:
            if infix in w:
                found |= cs
                located.append((w, cs))
    return (frozenset(found), tuple(located)) if found or located else _NOTHING


def word_concepts(word: str) -> frozenset[str]:
    """The concepts one word expresses (exact entries and stems)."""
    lex = lexicon()
    found = set(lex.exact.get(word, ()))
    for stem, cs in lex.stems.get(word[:STEM_KEY], ()):
        if word.startswith(stem):
            found |= cs
    return frozenset(found)


def glued_concepts(word: str) -> frozenset[str]:
    """Every concept whose entry a word of a script written without spaces contains (``查询余额`` holds the reading
    verb ``查询``); nothing for other words."""
    lex = lexicon()
    if lex.glued is None or not glued_script(word):
        return frozenset()
    return frozenset(c for m in lex.glued.finditer(word) for c in lex.glued_concepts[m.group(0)])


@functools.lru_cache(maxsize=4096)
def _phrase_regex(phrase: tuple[str, ...]) -> re.Pattern[str]:
    """The phrase's words apart by any white space, ending a token. It starts with its first word, a literal, so the
    regex engine jumps from one occurrence of that word to the next; that the phrase also starts a token is checked
    by ``_phrase_spans`` (a leading look-behind would make the engine try every position of the text)."""
    return re.compile(r"\s+".join(map(re.escape, phrase)) + r"(?!\S)")


def _phrase_spans(phrase: tuple[str, ...], split: str) -> Iterable[tuple[int, int]]:
    """Where the phrase stands as whole tokens of the split text, left to right without overlaps: what ``finditer``
    of the phrase behind a look-behind for "no non-space before" finds (a start after a non-space is no match; the
    search goes on from the next character, as the look-behind's would)."""
    rx, pos, n = _phrase_regex(phrase), 0, len(split)
    while pos <= n:
        m = rx.search(split, pos)
        if m is None:
            return
        a = m.start()
        if a and not split[a - 1].isspace():
            pos = a + 1
            continue
        yield a, m.end()
        pos = m.end()


def _occurrences(split: str, word: str) -> Iterable[int]:
    """Where ``word`` stands as a whole token of the split text."""
    n, size = len(split), len(word)
    i = split.find(word)
    while i != -1:
        if (i == 0 or split[i - 1].isspace()) and (i + size == n or split[i + size].isspace()):
            yield i
        i = split.find(word, i + size)


def hits(text: str, split: str, glued: bool, found: Found) -> list[ConceptHit]:
    """Every located concept occurrence in ``text`` (``split`` is ``text.translate(BREAKS)``, ``found`` what the set
    pass found), in text order; a phrase wins over the words it is made of."""
    out: list[ConceptHit] = []
    covered = bytearray(len(split)) if found.phrases else None  # positions inside a phrase already found
    spans: list[tuple[int, int]] = []
    for phrase, cs in sorted(found.phrases, key=lambda p: (-len(p[0]), p[0])):
        for a, b in _phrase_spans(phrase, split):
            # a phrase inside a longer one is part of it; two that overlap ("saved card number") both stand
            if not covered[a] or not any(x <= a and b <= y for x, y in spans):
                covered[a:b] = b"\x01" * (b - a)
                spans.append((a, b))
                out.append(ConceptHit(a, b, cs, text[a:b]))
    for word, cs in found.words:
        for i in _occurrences(split, word):
            if covered is None or not covered[i]:
                out.append(ConceptHit(i, i + len(word), cs, word))
    if glued:
        lex = lexicon()
        if lex.glued is not None:
            out += [ConceptHit(m.start(), m.end(), cs - UNLOCATED, m.group(0)) for m in lex.glued.finditer(text)
                    if not (cs := lex.glued_concepts[m.group(0)]) <= UNLOCATED]
    out.sort(key=lambda h: (h.start, -h.end, h.word))  # ties in a fixed order, whatever the hash seed
    if found.words and any(w == "ne" for w, _ in found.words):
        out = [h for h in out if h.word != "ne" or _FRENCH_NE.match(text, h.end)]
    if "只读" in text or "只讀" in text:  # "只读" is read-only, one word: no "only" in it
        out = [h for h in out if not (h.word in ("只", "只读", "只讀") and text.startswith(("只读", "只讀"), h.start))]
    if "=" in text:  # a switch's value ("consent=false") negates nothing
        out = [h for h in out if not (h.word in ("false", "no", "none", "off")
                                      and text[max(0, h.start - 2):h.start].rstrip().endswith("="))]
    if "agent" in text:  # a browser's "user agent" is neither the user nor the model
        agents = [m.span() for m in _USER_AGENT.finditer(text)]
        if agents:
            out = [h for h in out if not any(a <= h.start < b or a < h.end <= b for a, b in agents)]
    n = len(text)  # an identifier's, a path's or a URL's part: glued to a neighbour (pay_invoice, skills/deploy)
    return [h._replace(ident=True) if (h.start >= 2 and _glue(text[h.start - 1], text[h.start - 2]))
            or (h.end + 1 < n and _glue(text[h.end], text[h.end + 1])) else h for h in out]


# French "ne" negates only with its second part after the verb ("ne montre pas", "ne ... jamais"); alone it is the
# Italian partitive clitic ("la risposta ne mostra un sottoinsieme": the reply shows a subset *of them*).
_FRENCH_NE = re.compile(r"(?:\s+\S+){0,4}?\s+(?:pas|jamais|rien|plus|aucune?|personne|guère|point|ni|nulle part)\b")


_USER_AGENT = re.compile(r"\buser[\s-]?agents?\b")


_GLUE = frozenset("_/.:-")  # characters that glue a word to an alphanumeric neighbour


def _glue(mark: str, neighbour: str) -> bool:
    """``mark`` joins a word to ``neighbour`` as one identifier; a colon or full stop before a character of a script
    written without spaces ("必填：用户的…", a full-width colon after NFKC) ends a phrase instead."""
    return mark in _GLUE and neighbour.isalnum() and not (mark in ".:" and _GLUED.match(neighbour))


# A full stop, ! ? ; or : before white space; a line break or a CJK/Devanagari stop; a dash between spaces. Written as
# one leading character class (then which of the three it was), so the regex engine skips to candidate characters
# instead of trying three alternatives at every position; it matches what the three alternatives match, in order.
_SENTENCE_END = re.compile(r"[.!?;:\n。！？；\u0964\u0965\s]"
                           r"(?:(?<=[.!?;:])(?=\s)|(?<=[\n。！？；\u0964\u0965])|(?<=\s)[\u2013\u2014-]\s)")


@dataclass(frozen=True)
class Sentence:
    """A sentence (or clause) of a subject's text and the concept occurrences inside it."""

    start: int
    end: int
    hits: tuple[ConceptHit, ...]

    def all(self, concept: str) -> list[ConceptHit]:
        return [h for h in self.hits if concept in h.concepts]

    def has(self, *concepts: str) -> bool:
        """Whether every one of ``concepts`` occurs in the sentence."""
        have: set[str] = set()
        for h in self.hits:
            have |= h.concepts
        return have.issuperset(concepts)

    def any(self, *concepts: str) -> bool:
        for h in self.hits:  # a plain loop: rules ask this of every sentence several times
            if not h.concepts.isdisjoint(concepts):
                return True
        return False

    def near(self, a: str, b: str, gap: int, *, order: bool = False) -> tuple[ConceptHit, ConceptHit] | None:
        """The first pair of an ``a`` and a ``b`` occurrence at most ``gap`` characters apart (``a`` first when
        ``order``), never the same words."""
        for x in self.hits:
            if a not in x.concepts:
                continue
            for y in self.hits:
                if y is x or b not in y.concepts or (y.start == x.start and y.end == x.end):
                    continue
                if order and y.start < x.end:
                    continue
                distance = y.start - x.end if y.start >= x.end else x.start - y.end
                if distance <= gap:
                    return x, y
        return None


def sentence_ends(text: str) -> tuple[list[int], list[int]]:
    """Where sentences end, and where clauses end (a colon and a dash between words end a clause, not a
    sentence): one regex pass, kept by the subject for every later split."""
    spans = [m.span() for m in _SENTENCE_END.finditer(text)]
    # Only a stop before white space can be a colon and only a dash between spaces starts with white space: a match
    # is a clause end alone exactly when it begins with ":" or " ".
    return [b for a, b in spans if text[a] not in ": "], [b for _, b in spans]


def sentences(text: str, found: list[ConceptHit], *, clause: bool = False,
              ends: tuple[list[int], list[int]] | None = None) -> list[Sentence]:
    """The sentences of ``text`` that hold at least one concept occurrence (a colon and a dash between words end
    a clause, not a sentence, unless ``clause``); ``ends`` is ``sentence_ends(text)`` when the caller has it."""
    ends = (ends or sentence_ends(text))[1 if clause else 0]
    groups: dict[int, list[ConceptHit]] = {}
    for h in found:
        groups.setdefault(bisect.bisect_right(ends, h.start), []).append(h)
    out = []
    for i, hs in sorted(groups.items()):
        start = ends[i - 1] if i else 0
        end = ends[i] if i < len(ends) else len(text)
        out.append(Sentence(start, end, tuple(hs)))
    return out
