"""The learned second witness: a linear model of hostile text flags a subject no phrase rule flagged, at medium.

Rules read phrases and attackers paraphrase; the model (``_textmodel``) reads every word and word pair of a subject,
weighed by planted attacks and honest text of other authors. It speaks only where every other hostile content rule
is silent on the subject (``alone``), at medium -- a verdict reads it as needs-review, never ``do_not_use`` on its
own -- and quotes the sentence that weighed most, with its field path and offset.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ...model import Finding
from .._base import RuleContext, finding_rule
from ._hits import Hit, report
from ._surface import Subject, per_subject, surface
from ._textmodel import TextModel, field_sentences, packaged, subject_buckets, text_script
from .override import INJECTION_REFS

__all__ = ["LEARNED_CODE", "THRESHOLD", "WITNESS", "active_model", "alone", "learned_hit", "learned_reading", "use_model",
           "witness_probability"]

LEARNED_CODE = "INJ018"
# The probability at which a subject is flagged: picked on out-of-author predictions (leave one adversarial part out,
# real servers in server-grouped folds; ``scripts/train_content_model.py --loao``, README).
THRESHOLD = 0.98
# The probability at which the model is a second witness for a lone visible phrase another rule found (``grading``):
# picked, like THRESHOLD, on out-of-author predictions (``scripts/train_content_model.py --loao --gate``).
WITNESS = 0.5

_NOT_SET = object()
_ACTIVE: contextvars.ContextVar[Any] = contextvars.ContextVar("mcprisk_content_model", default=_NOT_SET)


def active_model() -> TextModel | None:
    """The model in use: the packaged one unless ``use_model`` says otherwise (None: the rule is silent)."""
    got = _ACTIVE.get()
    if got is _NOT_SET:
        try:
            return packaged()
        except FileNotFoundError:  # only while the first weights are being trained
            return None
    return got


@contextlib.contextmanager
def use_model(model: TextModel | None) -> Iterator[None]:
    """Read with ``model`` (None: without the learned reading) inside the block."""
    token = _ACTIVE.set(model)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


@per_subject
def witness_probability(subject: Subject) -> float | None:
    """The model's probability that the subject's text was planted (None: no model, or a script it does not cover)."""
    model = active_model()
    if model is None or not model.covers(text_script((f.kind, f.norm) for f in subject.fields)):
        return None
    return model.probability(subject_buckets(subject.kind, ((f.kind, f.norm) for f in subject.fields),
                                             subject.concepts))


@per_subject
def learned_hit(subject: Subject) -> Hit | None:
    """The decisive sentence of a subject the model flags (the one whose own words weigh most), or None."""
    model = active_model()
    p = witness_probability(subject)
    if model is None or p is None or p < model.threshold:
        return None
    best = None
    for f in subject.fields:
        for a, b, sentence in field_sentences(f.norm, f.kind):
            weight = model.contribution(sentence)
            if best is None or weight > best[0]:
                best = (weight, f, a, b)
    if best is None:
        return None
    _, f, a, b = best
    return Hit(subject, f, a, b, f"reads like text planted for the model (p {p:.2f})")


@finding_rule(LEARNED_CODE, "Text that reads like a planted attack (learned reading)", likelihood=2, impact=3,
              references=INJECTION_REFS, scope="snapshots", hostile=True)
def learned_reading(ctx: RuleContext) -> Iterable[Finding]:
    """A second witness beside the phrase rules: a linear model over the words, word pairs, CJK character pairs,
    lexicon concepts and a few shapes (outside addresses, secret paths, another tool's identifier in prose) of a
    subject's model-visible text -- a tool with its schema strings, a prompt, a resource, the server's instructions
    -- trained on planted attacks and hard negatives of eighteen authors and on honest real servers (written in
    Latin, Chinese, Korean, Japanese, Russian and other scripts)
    (``scripts/train_content_model.py``). It flags a subject only where no other hostile content rule did, at
    medium (needs review, never ``do_not_use`` on its own), and quotes the sentence whose words weighed most with
    its field path and offset. Its threshold was picked leaving each author out, so that it adds at most 0.1% of
    honest real subjects to the rules' findings."""
    hits = (learned_hit(s) for s in surface(ctx).subjects)
    yield from report(learned_reading, hits, "Learned reading")


def alone(findings: Iterable[Finding], rules: Mapping[str, Any]) -> list[Finding]:
    """The findings without the learned reading's on a subject another hostile content rule already flagged: it
    is a witness for what the phrase rules missed, not a second opinion on what they found."""
    findings = list(findings)
    flagged = set()
    for f in findings:
        info = rules.get(f.code)
        if f.code != LEARNED_CODE and getattr(info, "family", None) == "content" and getattr(info, "hostile", False):
            flagged.add((f.server, f.subject))
    return [f for f in findings if f.code != LEARNED_CODE or (f.server, f.subject) not in flagged]
