"""The content engine's shortcuts answer as the long way does: the per-word memo of the concept lexicon
(``_concepts.present``), the learned reading's sentence hashing (``_textmodel._sentence_buckets``) and its concept
buckets (``_textmodel._concept_buckets``), on the multilingual adversarial dev set and the labelled dev servers; and
the content surface's views of a server's own tool names (``Surface.own_names``, ``own_identifiers``,
``own_identifiers_in``) on the 45-server fleet."""

from __future__ import annotations

import random

import pytest
from content_eval import ADVERSARIAL, load_items, server_snapshot
from fleet import fleet

from mcprisk.rules.content import _concepts, _textmodel
from mcprisk.rules.content._concepts import BREAKS, STEM_KEY, UNLOCATED, lexicon, present
from mcprisk.rules.content._surface import build_surface, snapshot_subjects
from mcprisk.rules.content.steering import distinctive


@pytest.fixture(scope="module")
def subjects():
    out = []
    for item in load_items(ADVERSARIAL / "dev"):
        for server in item["servers"]:
            out += snapshot_subjects(server_snapshot(server))
    assert len(out) > 1000 and any(not s.text.isascii() for s in out)
    return out


def _words_the_long_way(words: frozenset[str]) -> tuple[set[str], list[tuple[str, frozenset[str]]]]:
    """What ``present`` read from single words before the memo: exact entries, stems, infixes."""
    lex = lexicon()
    found: set[str] = set()
    located: list[tuple[str, frozenset[str]]] = []
    for w in words & lex.exact_keys:
        cs = lex.exact[w]
        found |= cs
        if not cs <= UNLOCATED:
            located.append((w, cs - UNLOCATED))
    for w in words:
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
    return found, located


def _key(located):
    return sorted((w, tuple(sorted(cs))) for w, cs in located)


def test_present_with_the_word_memo_reads_as_the_long_way(subjects):
    _concepts._WORD_MEMO.clear()
    for s in subjects:
        tokens = s.text.translate(BREAKS).split()
        for attempt in range(2):  # a cold memo, then a warm one
            got = present(s.words, s.text, s.glued, f" {' '.join(tokens)} ", set(zip(tokens, tokens[1:])))
            found, located = _words_the_long_way(s.words)
            assert found <= got.concepts, s
            assert _key(got.words) == _key(located), s
            # the same word keeps its entries in the lexicon's order (exact, stems, infixes)
            for w in {w for w, _ in located}:
                assert [cs for x, cs in got.words if x == w] == [cs for x, cs in located if x == w]


def test_present_reads_every_stem_and_infix_of_the_lexicon_as_the_long_way():
    """Crafted words: every stem with one letter more, every infix inside a long word, every exact entry."""
    lex = lexicon()
    words = [stem + "x" for entries in lex.stems.values() for stem, _ in entries]
    words += ["xx" + infix + "xxxxxxxx" for infix, _ in lex.infixes] + sorted(lex.exact_keys)
    assert lex.infixes and lex.stems
    _concepts._WORD_MEMO.clear()
    for chunk in range(0, len(words), 50):
        bag = frozenset(words[chunk:chunk + 50])
        text = " ".join(sorted(bag))
        got = present(bag, text, False)
        found, located = _words_the_long_way(bag)
        assert found <= got.concepts and _key(got.words) == _key(located), text[:80]


def test_sentence_buckets_are_the_features_buckets_in_the_same_order(subjects):
    n = 0
    for s in subjects:
        for f in s.fields:
            for text in (f.norm, *f.norm.split(". ")):
                want = _textmodel._buckets(_textmodel.sentence_features(text, f.kind))
                got = _textmodel._sentence_buckets(text, f.kind)
                assert got == want and list(got) == list(want), (f.kind, text[:80])
                n += 1
    assert n > 5000


def test_concept_buckets_are_the_features_buckets_in_the_same_order():
    names = list(lexicon().concepts)
    rng = random.Random(7)
    for _ in range(2000):
        cs = sorted(rng.sample(names, rng.randint(0, min(30, len(names)))))
        features = ["c:" + c for c in cs] + [f"cp:{a}+{b}" for i, a in enumerate(cs) for b in cs[i + 1:]]
        want = _textmodel._buckets(features)
        got = _textmodel._concept_buckets.__wrapped__(frozenset(cs))
        assert got == want and list(got) == list(want)


def _script_the_long_way(texts, limit=4000):
    """``_textmodel.main_script`` as it was written: every character's Unicode name, one by one."""
    import unicodedata

    counts: dict[str, int] = {}
    seen = 0
    for text in texts:
        for ch in text:
            if ch.isalpha():
                name = unicodedata.name(ch, "OTHER").split(" ", 1)[0]
                weight = 3 if name in ("CJK", "HANGUL", "HIRAGANA", "KATAKANA") else 1
                counts[name] = counts.get(name, 0) + weight
                seen += weight
                if seen >= limit:
                    return max(counts, key=counts.__getitem__)
    return max(counts, key=counts.__getitem__) if counts else "NONE"


def test_main_script_counts_ascii_runs_at_once_as_the_long_way(subjects):
    texts = [[f.norm for f in s.fields] for s in subjects]
    rng = random.Random(16)
    pieces = ["send it to bob", "中文字符", "한국어 텍스트", "кириллица", "ελληνικά", "ひらがなカタカナ", "é ñ ü", "1_2-3",
              "\u00aa\u00ba", "\U0001d400"]
    texts += [["".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(0, 4))]
              for _ in range(3000)]
    assert any(_script_the_long_way(t) != "LATIN" for t in texts)
    for t in texts:
        for limit in (1, 7, 40, 4000):
            assert _textmodel.main_script(t, limit) == _script_the_long_way(t, limit), (t, limit)


def test_address_marks_match_the_texts_the_one_alternation_matches(subjects):
    import re

    from mcprisk.rules.content._addresses import address_marks

    alternation = re.compile(r"@|0x[0-9a-f]{8}|\b[a-z]{2}\d{2}[ ]?[a-z0-9]{4}|\b\d{2} \d{4} \d{4}|https?://|(?:^|\s)#[a-z]")
    texts = [s.text for s in subjects]
    rng = random.Random(10)
    for alphabet in ("ab1 _é٣", "ab12 ", "0x1af ", "1 2_", "#a \n\tb", "htps:/a@", "ab12 c3xé٣#0x"):
        texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 18))) for _ in range(20000)]
    matched = [alternation.search(t) is not None for t in texts]
    assert sum(matched) > 1000 and not all(matched)
    assert [address_marks(t) for t in texts] == matched


def test_surface_own_names_are_the_server_tools_read_the_long_way():
    """``Surface.own_names``, ``own_identifiers`` and ``own_identifiers_in`` (worked out once per server or subject)
    give what INJ011 and INJ012 computed per subject and per sentence before: every tool name of the subject's server
    in lower case; those that are identifiers of several words (``steering.distinctive``), in the server's order;
    and, of those, the ones that occur in the subject's text (a sentence of it can hold no other)."""
    surf = build_surface(fleet())
    asked = found = 0
    for s in surf.subjects:
        names = surf.tools_by_server.get(s.server, ())
        for _ in range(2):  # worked out, then served from the surface's memo
            assert surf.own_names(s.server) == {n.lower() for n in names}
            long_way = tuple((n, n.lower()) for n in names if distinctive(n))
            assert surf.own_identifiers(s.server) == long_way
            assert surf.own_identifiers_in(s) == tuple(p for p in long_way if p[1] in s.text)
        for sent in s.sentences:  # the per-sentence test INJ012 makes, both ways
            seg = s.text[sent.start:sent.end]
            asked += 1
            got = any(n in seg for _, n in surf.own_identifiers_in(s))
            found += got
            assert got == any(distinctive(n) and n.lower() in seg for n in names)
    assert asked > 1000 and found > 10  # the fleet's sentences do name their own server's tools
