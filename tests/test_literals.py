"""Literal prefilters (``mcprisk._literals``) never rule out a text a pattern matches, and rule out most others."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from mcprisk import _literals
from mcprisk._literals import LiteralGate, required_literals, trigger
from mcprisk.classify.lexicon import lexicon
from mcprisk.rules.content._hits import DISCUSS, MENTION

PATTERNS = [p.pattern for ps in lexicon().phrases.values() for p in ps] + [DISCUSS.pattern, MENTION.pattern]


def _pieces() -> list[str]:
    """Fragments texts are built of: every literal the patterns need, their halves, and filler words."""
    out = {" ", "-", "_", "\n", "all", "the", "file", "Delete", "PERMANENTLY", "ſ", "\u212a"}
    for source in PATTERNS:
        req = required_literals(source, re.IGNORECASE)
        for lit in req[0] if req else ():
            out |= {lit, lit[: len(lit) // 2], lit[len(lit) // 2:], lit.upper()}
    return sorted(out)


TEXTS = st.lists(st.sampled_from(_pieces()), max_size=12).map("".join)


def test_every_lexicon_phrase_has_a_prefilter():
    """Each classifier phrase pattern needs some literal of three characters or more (else its gate always runs)."""
    missing = [p.pattern for ps in lexicon().phrases.values() for p in ps if required_literals(p.pattern, re.I) is None]
    assert not missing


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_a_text_without_any_required_literal_never_matches(text):
    """Where a pattern matches, its required literals occur in the text (lower-cased ASCII for IGNORECASE)."""
    for source in PATTERNS:
        for flags in (0, re.IGNORECASE):
            req = required_literals(source, flags)
            if req is None or (req[1] and not text.isascii()):
                continue
            view = text.lower() if req[1] else text
            if re.search(source, text, flags):
                assert any(lit in view for lit in req[0]), (source, text)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.sampled_from(sorted(lexicon().phrases)))
def test_a_gate_answers_as_its_patterns_do(text, category):
    """LiteralGate.search equals searching every pattern of the group, for ASCII text."""
    if not text.isascii():
        return
    sources = [p.pattern for p in lexicon().phrases[category]]
    gate = LiteralGate({category: sources})
    assert gate.search(category, text.lower()) == any(re.search(s, text, re.I) for s in sources)


def test_a_trigger_skips_texts_without_its_literals_and_runs_the_rest():
    """A trigger's may() is False without its literals; with them the regex decides; no literals: always run."""
    t = trigger(r"\b(?:bcc|always copy)\s*:\s*\S+@\S+")
    assert t.may("mail it, bcc: a@b.c") and t.search("mail it, bcc: a@b.c")
    assert t.may("bcc the team") and t.search("bcc the team") is None  # the literal is there: the regex decides
    assert not t.may("send the weekly report") and t.search("send the weekly report") is None
    assert trigger(r"\w+@\w+").may("anything at all")  # no literal of three characters: no prefilter


def test_without_the_c_extension_the_scan_finds_the_same_literals(monkeypatch):
    """The pure-Python fallback of the one-pass scan finds exactly what the Aho-Corasick automaton finds."""
    scanner = _literals._SCANNER
    lex = lexicon()
    texts = [r.lower() for r in ("Permanently deletes the branch", "Runs arbitrary shell commands", "x" * 50)]
    lex.may_say("destructive", texts[0])  # the lexicon's literals are registered
    with_c = [scanner.found(t) for t in texts]
    monkeypatch.setattr(_literals, "_ahocorasick", None)
    monkeypatch.setattr(scanner, "_automaton", None)
    assert [scanner.found(t) for t in texts] == with_c
    assert with_c[0] and not with_c[2]
    monkeypatch.undo()
    scanner._automaton = None  # rebuilt from the C extension on the next scan
