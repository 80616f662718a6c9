"""A learned second reading beside the rules: a small linear model trained on hand-labelled servers.

The rules read a tool by what they were written to see; the model reads the same tool by words, schema shapes,
annotation claims and the rules' own outputs, weighed by what labelled servers did, so it learns where the
rules are wrong. It is consulted after the rules have decided, asymmetrically: it may *raise* a tool's primary
effect when it predicts a more severe one with enough probability (less when the rules' reading rests on one
witness: ``medium`` or ``low``; the confidence becomes ``contested``) and
*add* a flag past a threshold, each with evidence naming the features that weighed most; it never lowers an
effect or drops a flag. Its evidence carries a hint's weight (0.25), so it is never a witness of an annotation
accusation, and it never makes a reading ``high``; it keeps one from ``high`` when it puts more than ``DOUBT_AT`` on
an effect more severe than the rules' primary (``medium``, effects and flags unchanged: it doubts the rules upward).

Features are strings hashed with CRC-32 (stable across processes, unlike ``hash()``) into a fixed number of
buckets; inference is a sum of weight rows in pure Python. The weights ship in
``mcprisk/catalog/classifier_model.json`` and are reproduced by ``scripts/train_classifier_model.py``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from ..model import EFFECTS, FLAGS, Evidence, ToolAssessment, effect_rank
from ..ruleinfo import evidence_code
from .context import ToolContext
from .lexicon import lexicon
from .weights import MODEL_FILE, OUTPUTS, Model, active_model, bucket, decode, encode, packaged_model, use_model

__all__ = ["DOUBT_AT", "LEARNED", "MODEL_FILE", "OUTPUTS", "WEAK_READINGS", "Model", "active_model", "bucket",
           "consult", "decode", "encode", "features", "packaged_model", "probabilities", "raise_threshold", "use_model"]

LEARNED = evidence_code("EFF120", "Learned reading", """A linear model trained on hand-labelled tools of public
    servers (name words, description words, schema shapes, annotation claims and the rules' own outputs) predicts a
    more severe effect, or a flag, with enough probability: the tool is raised to it (confidence ``contested``) or
    the flag added, and the evidence names the features that weighed most. The model only raises and adds; it is
    one witness, never the second witness of an accusation.""", family="classification")

# A more severe effect's probability above which ``high`` becomes ``medium``: picked by 5-fold CV grouped by server
# on dev (under-classified while ``high`` against the exact readings that stay ``high``; see the README).
DOUBT_AT = 0.01
_OPENING_WORDS = 16  # the opening sentence's first words, where a tool says what it does
_DESCRIPTION_WORDS = 24  # and the words of the rest of its lead (usage advice, what it returns)


_WORD = re.compile(r"[a-z][a-z0-9]{2,}")  # words of three letters or more: "to", "of", "a" say nothing


def features(ctx: ToolContext, ta: ToolAssessment) -> list[str]:
    """The features of one tool: name words by position, description words and bigrams (the opening sentence
    apart), parameter names, types, enums and required-ness, annotation claims, the server's words and service,
    and the rules' own reading (primary effect, effects, flags, confidence, which rules fired for what)."""
    words = ctx.words
    out = ["n0:" + words[0], "n-1:" + words[-1], *["n:" + w for w in words[1:]]] if words else []
    out.append(f"nv:{ctx.verb}:{ctx.verb_effect}:{ctx.verb_firm}")
    opening = _WORD.findall(ctx.opening.lower())[:_OPENING_WORDS]
    if opening:
        out.append("o0:" + opening[0])
        out += ["o:" + w for w in opening]
        out += [f"ob:{a}_{b}" for a, b in zip(opening, opening[1:])]
    rest = ctx.lead[len(ctx.opening):] if ctx.lead.startswith(ctx.opening) else ctx.lead
    out += ["d:" + w for w in _WORD.findall(rest.lower())[:_DESCRIPTION_WORDS]]
    out += ["lv:" + v for v in ctx.lead_verbs]
    schema = ctx.tool.input_schema
    required = schema.get("required") if isinstance(schema, Mapping) else None
    required = set(required) if isinstance(required, list) else ()
    for name, spec in ctx.params.items():
        kind = spec.get("type")
        kind = kind if isinstance(kind, str) else "any"
        out += [f"p:{w}" for w in ctx.words_of(name)]
        out.append(f"pt:{name}:{kind}")
        if "enum" in spec:
            out.append("p:enum")
        if ctx.param_names.get(name, name) in required and ctx.param_depth.get(name, 0) == 0:
            out.append("pr:" + name)
    out.append(f"np:{min(len(ctx.params), 8)}")
    out += [f"a:{k}={v}" for k, v in (ctx.tool.annotations or {}).items() if isinstance(v, bool)]
    out += _server_features(ctx.server_words)
    if ctx.service is not None:
        out.append(f"svc:{ctx.service.name}:{ctx.service_strong}")
    out += kinds(ctx)
    out += [f"r:{ta.primary}", f"rc:{ta.primary}:{ta.confidence}", *["re:" + e for e in ta.effects],
            *["rf:" + f for f in ta.flags]]
    out += [f"ev:{ev.rule}:{ev.effect or ev.flag}:{ev.weight >= 1.0}" for ev in ta.evidence]
    return out


def kinds(ctx: ToolContext) -> list[str]:
    """Features of *kind* rather than wording, which carry from one server to the next: the lexicon's classes of
    the name's and the opening's words and of the parameters' names, the verb groups of the name's verb and the
    description's main verbs, code-carrying parameters and the service's traits. A word seen on one server teaches the model little about another; the class it belongs to does."""
    lex = lexicon()
    objects, groups = _classes("objects"), _classes("verb_groups")
    out = [f"pk:{c}" for c in ctx.param_categories]
    out += ["nk:" + c for c in _of(objects, ctx.nouns)]
    out += ["ok:" + c for c in _of(objects, ctx.opening_words)]
    out += ["ng:" + c for c in _of(groups, (ctx.verb,) if ctx.verb else ())]
    out += ["lg:" + c for c in _of(groups, ctx.lead_verbs)]
    out += ["le:" + e for e in sorted({lex.verbs.get(v) for v in ctx.lead_verbs} - {None})]
    if ctx.code_params:
        out.append("k:code_param" if ctx.general_code else "k:query_param")
        if ctx.read_only_queries:
            out.append("k:read_queries")
    if ctx.code_phrase is not None:
        out.append("k:code_phrase")
    if ctx.live_page:
        out.append("k:live_page")
    if ctx.service is not None:
        weight = "firm" if ctx.service_strong else "weak"
        out += [f"st:{t}:{weight}" for t in _TRAITS if getattr(ctx.service, t)]
        out.append(f"ss:{ctx.service.store}:{weight}")
    return out


@functools.cache
def _classes(section: str) -> dict[str, tuple[str, ...]]:
    """Word -> the lexicon's classes of it in ``section`` (``objects`` or ``verb_groups``), built once."""
    out: dict[str, list[str]] = {}
    for category, words in getattr(lexicon(), section).items():
        for w in words:
            out.setdefault(w, []).append(category)
    return {w: tuple(c) for w, c in out.items()}


def _of(classes: Mapping[str, tuple[str, ...]], words: Iterable[str]) -> list[str]:
    """The classes of ``words``, each once, sorted."""
    return sorted({c for w in words for c in classes.get(w, ())})

_TRAITS = ("private", "untrusted", "paid", "history", "collaborative", "billable", "metered", "acts_as_user",
           "payments", "outward", "credentials", "overwrites")


@functools.lru_cache(maxsize=256)
def _server_features(server_words: frozenset[str]) -> tuple[str, ...]:
    return tuple("s:" + w for w in sorted(server_words)[:12])


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


def probabilities(model: Model, feats: Iterable[str]) -> tuple[dict[str, float], dict[str, float]]:
    """(effect -> probability (softmax), flag -> probability (sigmoid))."""
    acc = model.logits(feats)
    top = max(acc[: len(EFFECTS)])
    exp = [math.exp(v - top) for v in acc[: len(EFFECTS)]]
    total = sum(exp)
    effects = {e: x / total for e, x in zip(EFFECTS, exp)}
    flags = {f: _sigmoid(v) for f, v in zip(FLAGS, acc[len(EFFECTS):])}
    return effects, flags


def _reasons(model: Model, feats: Sequence[str], toward: int, against: int | None) -> list[str]:
    """The features that pushed hardest toward output ``toward`` (against output ``against``, when given), as
    phrases an operator can check against the tool ("description verb 'publish'")."""
    seen: dict[int, str] = {}
    memo = model._buckets  # filled by ``probabilities`` for these very features
    for f in feats:
        b = memo.get(f)
        seen.setdefault(bucket(f, model.dim) if b is None else b, f)
    scored = []
    for b, feat in seen.items():
        row = model.rows[b]
        push = row[toward] - (row[against] if against is not None else 0.0)
        if push > 0:
            scored.append((push, feat))
    scored.sort(key=lambda x: (-x[0], x[1]))
    said: dict[str, str] = {}  # the quoted word -> its phrase: a word that weighed twice is named once
    for _, feat in scored:
        kind, word = _say(feat)
        said.setdefault(word, f"{kind} '{word}'")
    return list(said.values())[:2]


_KINDS = {"n0": "name starts", "n-1": "name ends", "n": "name", "o": "opening", "ob": "opening", "o0": "opening starts",
          "d": "description", "lv": "description verb", "p": "parameter", "pt": "parameter", "pr": "required parameter",
          "pe": "choice", "a": "annotation", "s": "server", "svc": "service", "r": "rules read", "rc": "rules read",
          "re": "rules", "rf": "rules flag", "ev": "rule", "nv": "name verb", "np": "parameters",
          "pk": "parameter kind", "nk": "name names", "ok": "opening names", "ng": "name verb of kind",
          "lg": "description verbs of kind", "le": "description verbs read as",
          "k": "schema", "st": "service", "ss": "service stores"}


def _say(feat: str) -> tuple[str, str]:
    """A feature as an operator reads it, (kind, word): ("opening", "publish the") for "ob:publish_the"."""
    kind, _, value = feat.partition(":")
    if kind == "ob":
        value = value.replace("_", " ")
    elif kind in ("pt", "nv", "svc", "rc", "ev"):
        value = value.split(":", 1)[0]  # the parameter, verb, service, reading or rule, without its qualifiers
    return _KINDS.get(kind, kind), value


def _evidence(why: Sequence[str], p: float, *, effect: str | None = None, flag: str | None = None) -> Evidence:
    """The learned reading as evidence: the feature that weighed most and the probability are its text (one feature,
    so that a report of a thousand tools stays within its size budget); what it weighs toward is its detail, the
    same for every tool (a report stores that once)."""
    said = why[0] if why else "its features"
    return Evidence(LEARNED.code, "learned", f"{said} (p {p:.2f})", f"learned: weighs toward {effect or flag}",
                    effect=effect, flag=flag, weight=0.25)


def consult(ctx: ToolContext, ta: ToolAssessment, model: Model | None) -> ToolAssessment:
    """The rules' assessment, raised or flagged where the model is confident enough (never lowered)."""
    if model is None or ta.overridden or ta.assumed_worst:
        return ta
    feats = features(ctx, ta)
    effects_p, flags_p = probabilities(model, feats)
    added: list[Evidence] = []
    rank = effect_rank(ta.primary)
    weak = ta.confidence in WEAK_READINGS
    severe = [e for e in EFFECTS[rank + 1:] if effects_p[e] >= raise_threshold(model, e, weak=weak)]
    new_effects = set(ta.effects)
    if severe:
        to = max(severe, key=lambda e: effects_p[e])
        why = _reasons(model, feats, OUTPUTS.index(to), OUTPUTS.index(ta.primary))
        added.append(_evidence(why, effects_p[to], effect=to))
        new_effects.add(to)
    new_flags = set(ta.flags)
    for flag in FLAGS:
        if flag not in new_flags and flags_p[flag] >= model.flag_at.get(flag, 2.0):
            why = _reasons(model, feats, OUTPUTS.index(flag), None)
            added.append(_evidence(why, flags_p[flag], flag=flag))
            new_flags.add(flag)
    confidence = "contested" if severe else _doubted(ta.confidence, effects_p, rank)
    if not added and confidence == ta.confidence:
        return ta
    return replace(ta, effects=tuple(sorted(new_effects, key=effect_rank)),
                   flags=tuple(f for f in FLAGS if f in new_flags), confidence=confidence,
                   evidence=(*ta.evidence, *added))


# Readings no two sources agree on: the model may raise them at ``Model.weak_at`` (the reading rests on one witness).
WEAK_READINGS = frozenset({"medium", "low"})


def raise_threshold(model: Model, effect: str, *, weak: bool) -> float:
    """The probability of ``effect`` at which a reading is raised to it: ``raise_at``, or the lower ``weak_at`` when
    the reading rests on one witness (2.0, never, when neither names the effect)."""
    at = model.raise_at.get(effect, 2.0)
    return min(at, model.weak_at.get(effect, 2.0)) if weak else at


def _doubted(confidence: str, effects_p: Mapping[str, float], rank: int) -> str:
    """``high`` becomes ``medium`` when the model doubts the rules' primary (of rank ``rank``) upward."""
    if confidence == "high" and any(effects_p[e] > DOUBT_AT for e in EFFECTS[rank + 1:]):
        return "medium"
    return confidence
