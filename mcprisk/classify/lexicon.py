"""The packaged lexicon (``mcprisk/catalog/lexicon.yaml``): every word list the classifier and the resource
rules read, parsed by exactly one function, ``lexicon()``, once per process."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from .._literals import LiteralGate
from .._packaged import load_yaml
from ..model import EFFECTS, effect_rank

__all__ = ["Lexicon", "ResourceWords", "Service", "lexicon", "parse_lexicon", "present_bases"]


@dataclass(frozen=True)
class Service:
    """A system a server fronts, from the lexicon's ``services`` table."""

    name: str
    private: bool
    untrusted: bool
    store: str | None
    paid: bool = False
    history: bool = False
    collaborative: bool = False
    billable: bool = False
    metered: bool = False
    acts_as_user: bool = False
    payments: bool = False
    outward: bool = False  # what is posted there reaches people outside the organisation
    credentials: bool = False  # what it stores are secrets (a password or secret manager)
    overwrites: bool = False  # an in-place edit replaces content with no version to go back to


_SERVICE_TRAITS = ("paid", "history", "collaborative", "billable", "metered", "acts_as_user", "payments", "outward",
                   "credentials", "overwrites")


@dataclass(frozen=True)
class ResourceWords:
    """The ``resources`` section: words of resource URIs and names, read by ``mcprisk.surfaces``."""

    private: frozenset[str]
    untrusted: frozenset[str]
    credential: frozenset[str]
    public: frozenset[str]
    secret_paths: tuple[re.Pattern[str], ...]
    store_noise: frozenset[str]


@dataclass(frozen=True)
class Lexicon:
    """Every word list, as frozen sets, maps and compiled patterns."""

    verbs: Mapping[str, str]  # word -> effect
    lemmas: Mapping[str, str]  # inflected verb entry -> its base form ("creates" -> "create")
    verb_senses: Mapping[str, Mapping[str, frozenset[str]]]  # verb -> effect (or "default") -> object words
    noun_verbs: frozenset[str]  # verbs that are as often nouns in a tool name
    verb_groups: Mapping[str, frozenset[str]]  # verbs some rules single out (see lexicon.yaml)
    page_actions: Mapping[str, frozenset[str]]  # submit | enter | send -> verbs, for tools acting in a live page
    live_page: Mapping[str, frozenset[str]]  # params | words | names that show a tool acts in a live page
    console_input: Mapping[str, frozenset[str]]  # verbs | words | places that show a tool types into a shell
    public_routing: Mapping[str, frozenset[str]]  # names | records | domains | attaching: what a public name points to
    noun_effects: Mapping[str, str]
    objects: Mapping[str, frozenset[str]]  # category -> words
    kinds: Mapping[str, Mapping[str, str]]  # category -> word -> the kind it names (objects given as maps)
    params: Mapping[str, frozenset[str]]
    phrases: Mapping[str, tuple[re.Pattern[str], ...]]
    services: tuple[tuple[frozenset[str], Service], ...]
    grammar: Mapping[str, frozenset[str]]  # prefix_words, stop_words, server_noise
    http_methods: Mapping[str, str]  # method word in a generated name -> the verb it stands for
    resources: ResourceWords
    # Words only the effect rules read (``effect_words`` in lexicon.yaml), kept out of the learned reading's features.
    effect_words: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Per phrase category, one alternation of all its patterns (see ``may_say``).
    phrase_any: Mapping[str, tuple[re.Pattern[str], bool]] = field(default_factory=dict)
    # The literals each phrase category needs (``mcprisk._literals``): most texts hold none, and skip the search.
    phrase_gate: LiteralGate | None = None

    def may_say(self, category: str, text: str) -> bool:
        """False only when none of the ``category`` phrases matches ``text``: one search of their alternation
        instead of one per pattern, so a rule walks the patterns one by one only where something may match.
        ASCII text is first scanned once for the literals the patterns need (``mcprisk._literals``: one Aho-Corasick
        pass per distinct text, shared by every category), and only the patterns whose literals it holds run
        (exact: a text without any literal a pattern needs cannot match it). Patterns written in lower-case ASCII
        are searched without IGNORECASE in the lower-cased text (several times faster); that is exact for ASCII
        text, and other text takes the case-insensitive search of the alternation."""
        if self.phrase_gate is not None and text.isascii():
            return self.phrase_gate.search(category, _lower(text))
        pattern, lowered = self.phrase_any[category]
        if lowered and text.isascii():
            return pattern.search(text.lower()) is not None
        return self.phrase_any[category + "/i"][0].search(text) is not None

    def service_for(self, words: Iterable[str]) -> Service | None:
        """The first service whose words appear among ``words`` (most specific entries come first)."""
        bag = set(words)
        for names, service in self.services:
            if bag & names:
                return service
        return None

    def service_words(self, service: Service) -> frozenset[str]:
        """The words that name ``service``."""
        for names, candidate in self.services:
            if candidate.name == service.name:
                return names
        return frozenset()


@functools.cache
def lexicon() -> Lexicon:
    """The packaged lexicon, read once per process."""
    text = resources.files("mcprisk.catalog").joinpath("lexicon.yaml").read_text(encoding="utf-8")
    return parse_lexicon(load_yaml(text))


def parse_lexicon(raw: Mapping[str, Any]) -> Lexicon:
    """A Lexicon from the parsed YAML document (the one place that knows its layout)."""
    verbs: dict[str, str] = {}
    for effect in EFFECTS:
        for word in raw["verbs"].get(effect, []):
            # A word listed under two effects keeps the more severe: never under-classify.
            if word not in verbs or effect_rank(effect) > effect_rank(verbs[word]):
                verbs[word] = effect
    # Inflected entries ("creates", "copies") point at their base form, so every rule sees one word per verb.
    lemmas = {w: base for w in verbs for base in present_bases(w) if base in verbs and base != w}
    services = tuple(
        (frozenset(str(w) for w in spec["words"]),
         Service(name, bool(spec["private"]), bool(spec["untrusted"]), spec.get("store"),
                 **{k: bool(spec.get(k)) for k in _SERVICE_TRAITS}))
        for name, spec in raw["services"].items())
    grammar = raw["grammar"]
    section = raw["resources"]
    return Lexicon(
        verbs=verbs,
        lemmas=lemmas,
        verb_senses={verb: _sets(senses) for verb, senses in (raw.get("verb_senses") or {}).items()},
        noun_verbs=frozenset(raw.get("noun_verbs", [])),
        verb_groups=_sets(raw.get("verb_groups", {})),
        page_actions=_sets(raw.get("page_actions", {})),
        live_page=_sets(raw["live_page"]),
        console_input=_sets(raw["console_input"]),
        public_routing=_sets(raw["public_routing"]),
        noun_effects={w: e for e in EFFECTS for w in raw["noun_effects"].get(e, [])},
        objects=_sets({k: v for k, v in raw["objects"].items() if not isinstance(v, Mapping)}),
        kinds={k: {str(w): str(kind) for w, kind in v.items()} for k, v in raw["objects"].items() if isinstance(v, Mapping)},
        params=_sets(raw["params"]),
        phrases={k: tuple(re.compile(p, re.IGNORECASE) for p in v) for k, v in raw["phrases"].items()},
        phrase_any=_phrase_gates(raw["phrases"]),
        phrase_gate=LiteralGate(raw["phrases"]),
        services=services,
        grammar=_sets({k: v for k, v in grammar.items() if isinstance(v, list)}),
        http_methods={str(k): str(v) for k, v in grammar["http_methods"].items()},
        resources=ResourceWords(
            *(frozenset(section[k]) for k in ("private", "untrusted", "credential", "public")),
            tuple(re.compile(p, re.IGNORECASE) for p in section["secret_paths"]),
            frozenset(section["store_noise"])),
        effect_words=_sets(raw.get("effect_words") or {}),
    )


def _phrase_gates(phrases: Mapping[str, Iterable[str]]) -> dict[str, tuple[re.Pattern[str], bool]]:
    """Per category: the alternation of its patterns, and whether it may be searched case-sensitively in lower-cased
    ASCII text (every pattern ASCII with no upper-case letter outside an escape: ``\\S``, ``\\W`` keep their sense)."""
    out: dict[str, tuple[re.Pattern[str], bool]] = {}
    for category, patterns in phrases.items():
        source = "|".join(f"(?:{p})" for p in patterns)
        lowered = source.isascii() and not any(c.isupper() for c in re.sub(r"\\.", "", source))
        out[category + "/i"] = (re.compile(source, re.IGNORECASE), False)
        out[category] = (re.compile(source), True) if lowered else out[category + "/i"]
    return out


@functools.lru_cache(maxsize=256)
def _lower(text: str) -> str:
    """``text.lower()``, kept for the few texts in hand: a tool's description is asked about by several categories
    in a row."""
    return text.lower()


def present_bases(word: str) -> list[str]:
    """Base forms an inflected verb may have: "copies" -> copy, "pushes" -> push, "creates" -> create."""
    out = []
    if word.endswith("ies"):
        out.append(word[:-3] + "y")
    if word.endswith("es"):
        out.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        out.append(word[:-1])
    return out


def _sets(section: Mapping[str, Iterable[Any]]) -> dict[str, frozenset[str]]:
    return {k: frozenset(str(w) for w in v) for k, v in section.items()}
