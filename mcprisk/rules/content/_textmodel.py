"""A learned reading of a subject's text: a small linear model over hashed words, read in pure Python.

The phrase rules read what their authors thought of; the model reads every word, word pair, CJK character pair and
a few shapes (an outside address, a secret path, another tool's identifier in prose, the concepts of the packaged
lexicons and their pairs) of one subject's model-visible text, weighed by hostile and honest subjects of the
adversarial corpus and of real servers (``scripts/train_content_model.py``). Features are hashed with CRC-32
(stable across processes) into ``DIM`` buckets; a subject's score is the sum of its distinct buckets' weights.
The weights ship in ``mcprisk/catalog/content_model.json``; a sentence's own features give its contribution, so
the decisive span can be quoted.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
import re
import struct
import unicodedata
import zlib
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["DIM", "HONEST_PER_HOSTILE", "MODEL_FILE", "TextModel", "bucket", "decode", "encode", "field_sentences", "main_script", "packaged",
           "text_script",
           "sentence_features", "subject_buckets"]

MODEL_FILE = "content_model.json"
# How many honest training subjects per hostile one a script needs before the model is a witness on text in it.
# Trained on attacks in many languages and honest text mostly in Latin script, the model would take a script seen
# mostly in attacks for a sign: realfp2 (unseen, presumed honest) showed it flagging Korean tools at three times
# the rate of Latin ones, with 31 honest and 42 hostile Korean subjects in training. Latin stands at about 5 to 1.
HONEST_PER_HOSTILE = 2

_TOKEN = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
# Sentence ends in the normalised view (NFKC folds fullwidth stops to ASCII); a line break ends one too.
_ENDS = re.compile(r"[.!?;。！？；]+(?=\s|$)|\n+")
_URL = re.compile(r"[a-z][a-z0-9+.-]*://|\bwww\.")
_MAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_SECRET_PATH = re.compile(r"~/|\.ssh\b|\.env\b|id_rsa|\.aws\b|/etc/(passwd|shadow)|\.npmrc|\.netrc|\.kube|"
                          r"credentials\.json")
_IDENT = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_PROSE = frozenset({"title", "description", "instructions", "unknown", "decoded"})
_MEMO_LIMIT = 100_000
_SECRET_HINT = re.compile(r"~/|ssh|\.env|id_rsa|aws|/etc/|npmrc|netrc|kube|credentials")
DIM = 1 << 17  # buckets of hashed features


def _words(text: str) -> list[str]:
    """Unicode words; a run of CJK characters becomes its character pairs (a lone character, itself)."""
    tokens = _TOKEN.findall(text)
    if not _CJK.search(text):
        return [("#" if t.isdigit() else t) for t in tokens]
    out: list[str] = []
    for tok in tokens:
        if tok.isdigit():
            out.append("#")
            continue
        pos = 0
        for m in _CJK.finditer(tok):
            if m.start() > pos:
                out.append(tok[pos:m.start()])
            run = m.group(0)
            out += [run[i:i + 2] for i in range(max(1, len(run) - 1))]
            pos = m.end()
        if pos < len(tok):
            out.append(tok[pos:])
    return out


def _shapes(text: str, kind: str) -> list[str]:
    out = []
    if kind == "decoded":
        out.append("s:decoded")
    if ("://" in text or "www." in text) and _URL.search(text):
        out.append("s:url")
    if "@" in text and _MAIL.search(text):
        out.append("s:mail")
    if _SECRET_HINT.search(text) and _SECRET_PATH.search(text):
        out.append("s:secret-path")
    if kind in _PROSE and "_" in text and _IDENT.search(text):
        out.append("s:identifier")  # a tool or parameter named in prose
    return out


def sentence_features(text: str, kind: str) -> list[str]:
    """The features of one sentence of a field of ``kind``: words, word pairs, and shapes (a name, key or value as
    long as a sentence, an outside address, a secret path, an identifier in prose, decoded text)."""
    words = _words(text)
    out = ["w:" + w for w in words]
    out += [f"b:{a} {b}" for a, b in zip(words, words[1:])]
    if kind not in _PROSE and len(words) >= 5:
        out.append(f"s:long-{kind}")  # a property name or a default as long as a sentence
    return out + _shapes(text, kind)


def bucket(feature: str) -> int:
    """A feature's bucket: CRC-32 of its text (stable across processes and platforms) modulo ``DIM``."""
    return next(iter(_buckets((feature,))))


def _buckets(features: Iterable[str]) -> frozenset[int]:
    # no memo per feature: CRC-32 of a short string costs about what a dict lookup of it does, and a memo of every
    # word pair of a large config held megabytes at the scan's peak
    crc, mask = zlib.crc32, DIM - 1
    return frozenset([crc(f.encode()) & mask for f in features])


_W_SEED, _B_SEED = zlib.crc32(b"w:"), zlib.crc32(b"b:")  # CRC-32 state after a feature's prefix


def _sentence_buckets(text: str, kind: str) -> frozenset[int]:
    """``_buckets(sentence_features(text, kind))``, without building the feature strings: each word is encoded once
    and CRC-32 goes on from the state after the prefix ("w:", "b:"; ``zlib.crc32(data, state)`` is the checksum of
    the prefix and data joined). The set is built from its buckets in the same order, so it iterates identically
    (a sentence's weights are summed in that order)."""
    words = _words(text)
    crc, mask, ws, bs = zlib.crc32, DIM - 1, _W_SEED, _B_SEED
    enc = [w.encode() for w in words]
    out = [crc(e, ws) & mask for e in enc]
    out += [crc(a + b" " + b, bs) & mask for a, b in zip(enc, enc[1:])]
    rest = [f"s:long-{kind}"] if kind not in _PROSE and len(words) >= 5 else []
    out += [crc(f.encode()) & mask for f in rest + _shapes(text, kind)]
    return frozenset(out)


# A string's sentences are kept packed in one 4-byte array: ``[n, start_1, end_1, stop_1, ..., start_n, end_n, stop_n,
# buckets of sentence 1, ..., buckets of sentence n]`` (``stop_i``: where sentence i's buckets end in the array). A set
# per sentence of a 45-server config held about 22 MB at the scan's peak, a (start, end, array) per sentence about 6.
Sentences = tuple[tuple[int, int, array], ...]
_MEMO: dict[tuple[str, str], array] = {}


def _packed(norm: str, kind: str) -> array:
    """The packed sentences of one normalised string (see above), memoised per distinct string."""
    key = (kind, norm)
    got = _MEMO.get(key)
    if got is None:
        if len(_MEMO) > _MEMO_LIMIT:
            _MEMO.clear()
        spans, pos = [], 0
        for m in [*_ENDS.finditer(norm), None]:
            end = len(norm) if m is None else m.end()
            part = norm[pos:end]
            if part.strip():
                spans.append((pos + len(part) - len(part.lstrip()), end))  # from the sentence's first word
            pos = end
        head, tail = array("i", [len(spans)]), array("i")
        for a, b in spans:
            tail.extend(_sentence_buckets(norm[a:b], kind))
            head.extend((a, b, len(spans) * 3 + 1 + len(tail)))
        head.extend(tail)
        got = _MEMO[key] = head
    return got


def field_sentences(norm: str, kind: str) -> Sentences:
    """(start, end, buckets) of every sentence of one normalised string (from its memoised packed form)."""
    packed = _packed(norm, kind)
    out, begin = [], packed[0] * 3 + 1
    for i in range(1, begin, 3):
        out.append((packed[i], packed[i + 1], packed[begin:packed[i + 2]]))
        begin = packed[i + 2]
    return tuple(out)


def subject_buckets(kind: str, fields: Iterable[tuple[str, str]], concepts: Iterable[str]) -> set[int]:
    """The distinct feature buckets of one subject: its fields' sentences (``fields``: (kind, normalised text)),
    the concepts its text expresses and their pairs, and what kind of subject it is."""
    out = set(_concept_buckets(frozenset(concepts)))
    out.add(bucket("k:" + kind))
    for fkind, norm in fields:
        packed = _packed(norm, fkind)
        out.update(packed[packed[0] * 3 + 1:])  # every sentence's buckets, in sentence order
    return out


@functools.lru_cache(maxsize=256)  # a few concept sets recur; 4,096 sets of pairs held ~12 MB at a scan's peak
def _concept_buckets(concepts: frozenset[str]) -> frozenset[int]:
    """The concepts and every pair of them (many subjects hold the same few concepts: kept per set)."""
    cs = sorted(concepts)
    out = [_CONCEPT_ROWS[""][c] for c in cs]
    for i, a in enumerate(cs):
        row = _CONCEPT_ROWS[a]
        out += [row[b] for b in cs[i + 1:]]
    return frozenset(out)  # the buckets in the features' order: the same set, iterated the same way


class _Row(dict):
    """Concept -> the bucket of one concept feature, worked out on first use: ``_CONCEPT_ROWS[""][c]`` is the bucket
    of ``c:<c>``, ``_CONCEPT_ROWS[a][b]`` that of the pair ``cp:<a>+<b>`` (a few thousand pairs of the lexicons'
    concepts, against a CRC-32 of a new string per pair per concept set)."""

    __slots__ = ("first",)

    def __init__(self, first: str) -> None:
        super().__init__()
        self.first = first

    def __missing__(self, second: str) -> int:
        feature = f"c:{second}" if not self.first else f"cp:{self.first}+{second}"
        got = self[second] = zlib.crc32(feature.encode()) & (DIM - 1)
        return got


class _Rows(dict):
    def __missing__(self, first: str) -> _Row:
        got = self[first] = _Row(first)
        return got


_CONCEPT_ROWS = _Rows()


@dataclass(frozen=True)
class TextModel:
    """A binary linear model: ``weights[bucket]``, a bias, and the probability at which a subject is flagged."""

    bias: float
    weights: Sequence[float]
    threshold: float
    checksum: str = ""
    # (script, honest, hostile) training subjects per main script of their text (empty: not counted)
    by_script: tuple[tuple[str, int, int], ...] = ()

    def covers(self, script: str) -> bool:
        """Whether the model read enough honest text in ``script``, against the attacks it read in it, to be a
        witness there (``HONEST_PER_HOSTILE``); a script it never read an attack in is covered."""
        for name, honest, hostile in self.by_script:
            if name == script:
                return honest >= HONEST_PER_HOSTILE * hostile
        return True

    def probability(self, buckets: Iterable[int]) -> float:
        w = self.weights
        z = self.bias + sum([w[b] for b in buckets])
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def contribution(self, buckets: Iterable[int]) -> float:
        """What a part of the text adds to the logit (its distinct buckets)."""
        w = self.weights
        return sum([w[b] for b in buckets])


def main_script(texts: Iterable[str], limit: int = 4000) -> str:
    """The Unicode script most of the letters of ``texts`` are written in (the first word of a letter's Unicode
    name: LATIN, CJK, HANGUL, CYRILLIC, ...; NONE without letters), over at most ``limit`` letters. A character of
    a script that writes a syllable or a morpheme per character (CJK, Hangul, kana) counts as ``_DENSE`` letters:
    counted one each, a Chinese sentence with a few English words in it read as Latin."""
    counts: dict[str, int] = {}
    seen = 0
    for text in texts:
        # A run of ASCII has only LATIN letters (weight 1): counted at once, up to the limit; other characters one
        # by one. The same counts, in the same order, as a walk of every character.
        for run in ((text,) if text.isascii() else _RUNS.findall(text)):
            if run.isascii():
                letters = min(len(run.translate(_ASCII_NON_LETTERS)), limit - seen)
                if letters:
                    counts["LATIN"] = counts.get("LATIN", 0) + letters
                    seen += letters
                    if seen >= limit:
                        return max(counts, key=counts.__getitem__)
                continue
            for ch in run:
                if ch.isalpha():
                    name, weight = _SCRIPT.get(ch) or _script(ch)
                    counts[name] = counts.get(name, 0) + weight
                    seen += weight
                    if seen >= limit:
                        return max(counts, key=counts.__getitem__)
    return max(counts, key=counts.__getitem__) if counts else "NONE"


_DENSE, _DENSE_SCRIPTS = 3, frozenset({"CJK", "HANGUL", "HIRAGANA", "KATAKANA"})
_RUNS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")  # a text as alternate runs of ASCII and other characters
_ASCII_NON_LETTERS = {i: None for i in range(128) if not chr(i).isalpha()}  # str.translate: keep the 52 letters
_SCRIPT: dict[str, tuple[str, int]] = {}  # letter -> (its script, its weight), filled as letters are met


def _script(ch: str) -> tuple[str, int]:
    name = unicodedata.name(ch, "OTHER").split(" ", 1)[0]
    got = (name, _DENSE if name in _DENSE_SCRIPTS else 1)
    if len(_SCRIPT) < 65_536:  # bounded: a text can hold any of the million code points
        _SCRIPT[ch] = got
    return got


def text_script(fields: Iterable[tuple[str, str]]) -> str:
    """The main script of a subject's prose (``fields``: (kind, normalised text)): descriptions, titles and
    instructions, not the names and keys a schema spells in ASCII whatever the author's language; a subject
    without prose letters is read from all its fields."""
    fields = list(fields)
    prose = main_script(norm for kind, norm in fields if kind in _PROSE)
    return prose if prose != "NONE" else main_script(norm for _, norm in fields)


def encode(bias: float, weights: Sequence[float], threshold: float,
           by_script: Mapping[str, tuple[int, int]] | None = None) -> dict[str, Any]:
    """The JSON form: weights as little-endian half floats, base64; a checksum over the rest."""
    raw = struct.pack(f"<{len(weights)}e", *weights)
    body = {"format": 1, "dim": len(weights), "bias": round(bias, 4), "threshold": threshold,
            "weights": base64.b64encode(raw).decode("ascii")}
    if by_script is not None:  # script -> [honest, hostile] training subjects
        body["by_script"] = {k: list(v) for k, v in sorted(by_script.items())}
    body["checksum"] = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    return body


def decode(body: Mapping[str, Any]) -> TextModel:
    """A model from its JSON form."""
    raw = base64.b64decode(body["weights"])
    weights = array("f", struct.unpack(f"<{len(raw) // 2}e", raw))  # half floats are exact in 4 bytes (a tuple: 32)
    dim = int(body["dim"])
    if len(weights) != dim or dim != DIM:
        raise ValueError("the content model's weights do not match this version's dimension")
    scripts = tuple(sorted((str(k), int(v[0]), int(v[1])) for k, v in (body.get("by_script") or {}).items()))
    return TextModel(float(body["bias"]), weights, float(body["threshold"]), str(body.get("checksum", "")), scripts)


@functools.cache
def packaged() -> TextModel:
    """The shipped model (``mcprisk/catalog/content_model.json``), read once."""
    return decode(json.loads(resources.files("mcprisk.catalog").joinpath(MODEL_FILE).read_text(encoding="utf-8")))
