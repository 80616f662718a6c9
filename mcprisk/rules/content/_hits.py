"""What a content rule found (a ``Hit``) and how it becomes a Finding that quotes its evidence safely; the
guards every concept rule shares (text that discusses attacks, sentences the user controls)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from ..._literals import Trigger, trigger
from ...model import Evidence, Finding
from .._base import make
from ._concepts import ConceptHit, Sentence
from ._surface import Field, Subject, raw_offsets, shown
from .grading import graded

__all__ = ["Hit", "concept_hit", "described", "discusses", "first_match", "governs", "hit", "mentioned", "redacted", "report"]

# Text that quotes or discusses an attack instead of making one: a detector's documentation, an example.
MENTION = re.compile(r"(such as|requests? to|attempts? to|detect\w*|classif(?!ied\b)\w*|injection|e\.g\.|for example|"
                     r"phrases? (like|that)|strings? like|patterns? like|wraps?|warns? about|por ejemplo|p\. ?ej\.|"
                     r"par exemple|z\. ?b\.|zum beispiel|ad esempio|bijvoorbeeld|例如|比如|例えば|예를 들어)"
                     r"\W{0,3}[^\n]{0,40}$")
# The same, not reaching past the end of the example's sentence ("e.g. SUP-1042. Follow-up after fetching: ...").
_MENTION_BOUNDED = re.compile(MENTION.pattern.replace(r"\W{0,3}[^\n]{0,40}$", r"\W{0,3}(?:(?![.!?]\s)[^\n]){0,40}$"))
# Words that say a sentence describes attacks (a scanner, a DLP tool, a classifier), in the languages read.
# A detector counts when what it detects is an attack or text ("detects prompt injection", "erkennt versteckte
# Anweisungen"), not a language, a face or an anomaly ("detects the language of a text" is an ordinary reader).
_DETECTED = (r"(?=[^.]{0,50}\b(?:injections?|instructions?|attacks?|threats?|toxic\w*|harm\w*|unsafe|malicious|"
             r"jailbreak\w*|spam|phishing|secrets?|pii|leaks?|hidden|abuse|manipulat\w*|poison\w*|suspicious|"
             r"anweisungen|angriff\w*|attaques?|instrucciones|ataques?)\b)")
DISCUSS = re.compile(r"\b((?:detects?|detecting|detection|erkennt|détecte|detecta)" + _DETECTED +
                     r"|scans? (text|for|prompts?|messages?)|scanner|"
                     r"classif(?!ied\b)\w*(?=[^.]{0,40}\b(?:texts?|prompts?|messages?|content|inputs?|injections?|"
                     r"attacks?|toxic\w*|harm\w*|safe|unsafe|malicious|jailbreak\w*|spam|phishing)\b)|"
                     r"injection|jailbreak attempts?|phishing|flags? (text|messages|attempts)|malicious (text|prompts?)|"
                     r"attack phrases?|red[- ]team\w*|guardrail\w* (check|test))\b")


_DISCUSS = trigger(DISCUSS)


@dataclass(frozen=True)
class Hit:
    """One decisive span: the subject, the field and offsets within the field's normalised view."""

    subject: Subject
    field: Field
    start: int
    end: int
    meaning: str
    likelihood: int | None = None
    impact: int | None = None
    in_raw: bool = False  # offsets are into the raw string (hidden characters), not the normalised view

    @property
    def quote(self) -> str:
        f = self.field
        start, end = (self.start, self.end) if self.in_raw else raw_offsets(f, self.start, self.end)
        source = f.raw
        a, b = max(0, start - 30), min(len(source), end + 30)
        return ("…" if a else "") + shown(source[a:b], 200) + ("…" if b < len(source) else "")

    @property
    def where(self) -> str:
        f = self.field
        if f.origin:
            return f"{f.path[: -len(f.origin) - 3]} @{self.start} (decoded from {f.origin})"
        start = self.start if self.in_raw else raw_offsets(f, self.start, self.end)[0]
        return f"{f.path} @{start}"


def hit(subject: Subject, start: int, end: int, meaning: str, **grade: int) -> Hit:
    """A Hit from offsets into ``subject.text`` (clipped to the field the start falls in)."""
    f, local = subject.locate(start)
    return Hit(subject, f, local, min(len(f.norm), local + (end - start)), meaning, **grade)


def concept_hit(subject: Subject, parts: Sequence[ConceptHit], meaning: str, **grade: int) -> Hit:
    """A Hit spanning the concept occurrences that decided it (within the first one's field)."""
    start = min(p.start for p in parts)
    end = max(p.end for p in parts)
    return hit(subject, start, end, meaning, **grade)


def mentioned(text: str, start: int) -> bool:
    """The match is quoted or discussed (a detector describing attacks, a template documenting tokens)."""
    return MENTION.search(text, max(0, start - 60), start) is not None


# An example marker, then the rest of its sentence ("e.g. <|im_start|>user ... for ChatML or [INST] ... for Llama 2",
# "Example: <system><name>prod</name></system> is valid"): every item of the list is shown, not said.
_EXAMPLE_OPENS = re.compile(r"(?:\be\.g\.|\bfor (?:example|instance)\b|\bexamples?\s*:|\bsuch as\b|\bz\. ?b\.|"
                            r"\bpor ejemplo\b|\bpar exemple\b|\bzum beispiel\b|\bad esempio\b|\bbijvoorbeeld\b|"
                            r"例如|比如|例えば|예를 들어|예:)(?:(?!(?<![.\s])[.!?]\s|\n\n)[^\n]){0,160}$")


def in_example(text: str, start: int) -> bool:
    """The match stands in the sentence an example marker opens, within 160 characters of it."""
    return _EXAMPLE_OPENS.search(text, max(0, start - 170), start) is not None


def discusses(subject: Subject, sentence: Sentence, bounded: bool = False) -> bool:
    """The sentence (or the subject's opening) talks about attacks rather than making one (``bounded``: an example
    marker counts only inside the sentence's own words)."""
    text = subject.text
    first = sentence.hits[0].start if sentence.hits else sentence.start
    mention = (_MENTION_BOUNDED.search(text, max(0, first - 60), first) is not None) if bounded else mentioned(text, first)
    if not _DISCUSS.may(text):  # none of the words DISCUSS needs anywhere in the subject: only the mention counts
        return mention
    return (DISCUSS.search(text, sentence.start, sentence.end) is not None or mention
            or DISCUSS.search(text, 0, min(len(text), 200)) is not None)


# A move that is a possibility ("you can provide", "could include"), an attribute ("a shared variable") or what a
# listed tool does ("**describe_communications** → read full conversation history"): described, not ordered
_MODAL = re.compile(r"\b(?:can|could|may|might|optionally|kann|kannst|können|puede|puedes|peut|pouvez|pode|podes|"
                    r"può|puoi)\s+(?:also\s+|optionally\s+)?$")
_ATTRIBUTE = re.compile(r"\b(?:a|an|the|its|their)\s+$")
_LISTED_TOOL = re.compile(r"(?:^|\n)[^\n]*[a-z0-9]_[a-z0-9_]*\W{0,3}\s*(?:→|->|=>)\s*$")


def described(text: str, start: int, word: str) -> bool:
    """The verb at ``start`` is described rather than ordered: after a modal of possibility, as an attribute before
    its noun, or as what a listed tool does."""
    before = text[max(0, start - 60):start]
    return (_MODAL.search(before) is not None or _LISTED_TOOL.search(before) is not None
            or (word.endswith("ed") and _ATTRIBUTE.search(before) is not None))


_GAP_PUNCT = re.compile(r"[,;:()\[\]`\"“”«»|]")  # a pipe: the next cell of a table


def governs(text: str, a: ConceptHit, b: ConceptHit, words: int) -> bool:
    """``a`` comes before ``b`` with at most ``words`` words and no clause break or quote between them."""
    between = text[a.end:b.start]
    return b.start >= a.end and len(between.split()) <= words and _GAP_PUNCT.search(between) is None


def redacted(s: Sentence, secret: ConceptHit) -> bool:
    """"Remove any tokens before pasting", "strip secrets first": the secret is what a removal verb takes out of
    text being handed over -- advice to redact, neither an exfiltration ask nor a side action."""
    if not s.any("include", "send"):
        return False
    before = [h for h in s.hits if h.end <= secret.start]
    if not before or "harm" not in before[-1].concepts:
        return False  # the removal verb must be the secret's own verb, nothing said in between
    return secret.start - before[-1].end <= 12


def first_match(subject: Subject, patterns: Sequence[tuple[re.Pattern[str], str]], *,
                trigger: re.Pattern[str] | Trigger | None = None,
                example: Callable[[str, re.Match[str]], bool] | None = None) -> Hit | None:
    """The first pattern (in order) that matches the subject's text outside a mention (``example``: nor where it
    says the match is shown as an example); a subject the cheap ``trigger`` (a regex, or a
    ``mcprisk._literals.Trigger`` gated by its literals) does not match is skipped without running the patterns."""
    text = subject.text
    if trigger is not None and trigger.search(text) is None:
        return None
    for regex, meaning in patterns:
        for m in regex.finditer(text):
            if mentioned(text, m.start()) or example is not None and example(text, m):
                continue
            h = hit(subject, m.start(), m.end(), meaning)
            if h.field.identifier and len(h.field.norm.split()) < 4:
                continue
            return h
    return None


def report(rule: Callable, hits: Iterable[Hit | None], what: str) -> Iterator[Finding]:
    """One finding per subject: its first hit, quoted with field path and offset; further hits are counted. Its
    severity is capped by the kind of evidence its hits are (``grading``: a visible technique high, a phrase medium)."""
    by_subject: dict[tuple[str, str], list[Hit]] = {}
    for h in hits:
        if h is not None:
            by_subject.setdefault((h.subject.server, h.subject.name), []).append(h)
    for (server, name), found in by_subject.items():
        h = found[0]
        more = f" ({len(found) - 1} more place(s))" if len(found) > 1 else ""
        padded = f" after {h.start:,} characters" if h.start >= 3000 else ""
        message = f"{what}: {h.meaning}{padded}, at {h.where}: “{h.quote}”{more}."
        info = rule.info  # type: ignore[attr-defined]
        ev = tuple(Evidence(info.code, _source(x.field), f"{x.where}: {x.quote}", x.meaning) for x in found[:3])
        likelihood, impact, note = graded(info.code, found, h.likelihood or info.likelihood, h.impact or info.impact)
        yield make(rule, server=server, subject=name, message=message + note, evidence=ev, tools=h.subject.tool_keys,
                   likelihood=likelihood, impact=impact)


def _source(f: Field) -> str:
    if f.path.startswith("inputSchema"):
        return "schema"
    if f.path.startswith("annotations"):
        return "annotation"
    if f.subject == f.server and f.path in ("instructions", "server.name"):
        return "server"
    if f.kind == "name":
        return "name"
    return "description"
