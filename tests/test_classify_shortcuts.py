"""The classifier's shortcuts answer as the long way does: phrase gates, the parameter index, cached word splits."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mcprisk.classify.context import build_context
from mcprisk.classify.language import split_words
from mcprisk.classify.lexicon import lexicon
from mcprisk.snapshot import item_from_wire

LABELLED = Path(__file__).resolve().parent / "data" / "labelled"


def _rows() -> list[dict]:
    return [json.loads(line) for p in sorted(LABELLED.glob("*.jsonl")) for line in p.read_text("utf-8").splitlines()]


def _texts() -> list[str]:
    """Every dev description (whole and as the rules' 400-character lead), upper-cased, with non-ASCII look-alikes."""
    base = [r["description"] or "" for r in _rows()]
    crafted = ["This PERMANENTLY deletes the repo", "Löscht das Repo PERMANENTLY — cannot be UNDONE",
               "Sends an ſms to the customer", "Creates the file; FAILS if it already exists, never overwrites", "Executes arbitrary K\u212aode", "İt deletes everything"]
    return base + [t[:400] for t in base] + [t.upper() for t in base] + crafted


@pytest.mark.parametrize("category", sorted(lexicon().phrases))
def test_a_phrase_gate_says_no_only_when_no_pattern_matches(category):
    """may_say(category, text) is True exactly when one of the category's patterns matches (case-insensitively)."""
    lex = lexicon()
    texts = _texts()
    said = [t for t in texts if any(p.search(t) for p in lex.phrases[category])]
    assert said, "the corpus exercises every category"
    for text in texts:
        assert lex.may_say(category, text) == any(p.search(text) for p in lex.phrases[category]), text[:80]


def test_a_phrase_gate_keeps_the_case_insensitive_search_for_non_ascii_text():
    """Text outside ASCII takes the IGNORECASE alternation: its case folding (long s, Kelvin sign) is kept."""
    lex = lexicon()
    text = "Executes arbitrary K\u212aode and deletes it PERMANENTLY"
    assert not text.isascii()
    assert lex.may_say("destructive", text) == any(p.search(text) for p in lex.phrases["destructive"]) is True


def test_the_parameter_index_finds_what_a_scan_of_each_category_finds():
    """has_param(category) from the one-pass index equals the direct scan of the lexicon's names, for every dev tool."""
    lex = lexicon()
    checked = 0
    for r in _rows():
        raw = {"name": r["name"], "description": r["description"], "inputSchema": r["input_schema"] or {}}
        ctx = build_context(item_from_wire("tools", raw, max_text_chars=8192), "srv")
        for category, names in lex.params.items():
            forms = [(p, (p.replace("-", "_"), "".join(ctx.words_of(p)), "_".join(ctx.words_of(p)))) for p in ctx.params]
            want = sorted(p for p, fs in forms if any(f in names for f in fs))
            assert ctx.has_param(category) == want, (r["name"], category)
            checked += bool(want)
    assert checked > 100
    with pytest.raises(KeyError):
        ctx.has_param("no-such-category")


def test_split_words_returns_a_fresh_list_each_time():
    """A caller that changes the words it got does not change what the next caller gets (the split is cached)."""
    first = split_words("getUserHTTPResponse_v2")
    assert first == ["get", "user", "http", "response", "v2"]
    first.append("x")
    assert split_words("getUserHTTPResponse_v2") == ["get", "user", "http", "response", "v2"]
    assert split_words("a--b") == [w for w in re.split(r"[^a-z0-9]+", "a--b") if w]
