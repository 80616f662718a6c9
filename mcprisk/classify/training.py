"""Training the learned reading (``learned``) from labelled servers: numpy, full-batch, deterministic.

One weight matrix over hashed features: a multinomial logistic regression for the primary effect (softmax over
the five effects) and one binary logistic regression per flag, fitted together by full-batch Adam with L2
regularisation from zero weights, so the same examples give the same weights on every run. Only training
needs numpy (it comes with pandas); the classifier reads the weights in pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..model import EFFECTS, FLAGS
from ..snapshot import Snapshot
from .learned import OUTPUTS, Model, bucket, decode, encode, features, use_model
from .registry import rules_reading
from .server import server_context

__all__ = ["DEFAULTS", "Example", "Settings", "examples", "fit", "model_body", "train"]


@dataclass(frozen=True)
class Example:
    """One labelled tool: its features, its labelled primary effect and flags, and the rules' reading."""

    group: str
    tool: str
    features: tuple[str, ...]
    primary: str
    flags: frozenset[str]
    rule_primary: str
    rule_flags: frozenset[str]
    rule_confidence: str


@dataclass(frozen=True)
class Settings:
    """How the model is trained and when it is consulted (thresholds picked by grouped cross-validation)."""

    dim: int = 1 << 13
    l2: float = 3e-3  # by grouped CV on dev (round 7): the primary's log-loss 0.391 at 1e-3, 0.375 here, 0.380 at 1e-2
    steps: int = 100
    rate: float = 0.05
    without_rules: float = 0.5  # weight of a second copy of each example with the rules' features removed
    # Picked by 5-fold CV grouped by server within the tuning part (scripts/train_classifier_model.py --pick): round 9,
    # with holdout5 promoted (389 tuning servers) and round 9's effect and flag readings, at the operating point of
    # issue 12's targets: fewest under-classified and missed destructive tools while exact >= 0.82 and mutating
    # precision >= 0.905; each flag at its best F1 where it beats the rules' own. The raise to high_cost moves from 0.2
    # to 0.6 (at 0.2 the demo's save_bookmark, p 0.20, was raised to billed), destructive from 0.25 to 0.2, no raise
    # for a one-witness reading; credential_access gets a threshold (0.3) for the first time. external_egress at 0.45
    # rather than the picked 0.35: a chat reaction, which carries none of the caller's text out, sits between 0.40 and
    # 0.45 (a judgement, as in round 8).
    # Round 8 (324 servers): reversible 0.25, high_cost 0.2, customer_visible 0.2, destructive 0.25; weak reversible
    # 0.2; flags 0.5, 0.4, 0.4 (picked 0.35), 0.35, none. Round 7: reversible 0.2, customer_visible 0.2, destructive
    # 0.3; flags 0.5, 0.5, 0.4, 0.4, 0.6. A raise needs p >= 0.2 (RAISE_GRID in the script).
    # Round 10 (classify11), holdout6 promoted (the tuning part's 487 servers) and round 10's flag readings: picked
    # from the grouped-CV fold models' out-of-fold probabilities on the tuning part's servers. high_cost 0.6 -> 0.25,
    # code_execution 0.4 -> 0.3, credential_access 0.3 -> 0.5; external_egress kept at 0.45 (picked 0.35, the
    # judgement above about reactions); the rest unchanged. On those probabilities: under-classified + missed
    # destructive 0.1385 -> 0.1313; flag F1 at the old -> new thresholds .851/.649/.660/.754/.672 ->
    # .851/.649/.660/.757/.678. Re-picked after merging round 10's effect readings (classify12) by the script's own
    # --pick: reversible 0.25 -> 0.2, code_execution 0.3 -> 0.25, credential_access 0.5 -> 0.3; external_egress again
    # kept at 0.45 (picked 0.4: the reactions judgement) and private_data at 0.5 (picked 0.4, at which "list_models" of
    # a package merely named "vector-kit" is read as private memory again: issue 12's pattern, a judgement).
    raise_at: tuple[tuple[str, float], ...] = (("reversible", 0.2), ("high_cost", 0.25), ("customer_visible", 0.2),
                                               ("destructive", 0.2))  # effect -> probability
    # Round 11, holdout7 promoted (the tuning part's 584 servers) and round 11's readings merged: --pick gives
    # reversible/customer_visible/destructive 0.2 (unchanged), high_cost 0.2 (kept at 0.25: the save_bookmark judgement
    # above), flags private 0.4 (kept at 0.5: the vector-kit judgement), untrusted 0.35 (taken: F1 .648 -> .654 on the
    # tuning part's out-of-fold probabilities), egress 0.4, code 0.25 (unchanged), credential 0.35 (taken: F1 .680 at
    # 0.3 and 0.35, the tie goes to the higher). external_egress goes to 0.55, a judgement: retrained with holdout7 the
    # model puts a SQL runner on the server's own database (the demo support desk's run_sql) at 0.51, and the rubric
    # reads query(sql) as no exfiltration sink; on the out-of-fold probabilities egress F1 is .655 at 0.45, .654 at 0.5
    # and .646 at 0.55.
    flag_at: tuple[tuple[str, float], ...] = (("private_data", 0.5), ("untrusted_content", 0.35),
                                              ("external_egress", 0.55), ("code_execution", 0.25),
                                              ("credential_access", 0.35))  # flag -> probability (absent: never)
    # Effect -> probability for a reading on one witness (learned.WEAK_READINGS): round 9 picks none (round 8 raised
    # to reversible at 0.2 for a ``medium`` or ``low`` reading; round 7 chose none).
    weak_at: tuple[tuple[str, float], ...] = ()


DEFAULTS = Settings()


def examples(snapshot: Snapshot, labels: Mapping[str, Any], group: str = "") -> list[Example]:
    """The labelled tools of one snapshot as training examples (``labels``: tool name -> an object with
    ``primary`` and ``flags``), read by the rules alone."""
    shared = server_context(snapshot, snapshot.name) if snapshot.tools else None
    out = []
    with use_model(None):
        for tool in snapshot.tools:
            label = labels.get(tool.name)
            if label is None:
                continue
            ctx, ta = rules_reading(tool, snapshot.name, snapshot, shared=shared)
            out.append(Example(group or snapshot.name, tool.name, tuple(features(ctx, ta)), label.primary,
                               frozenset(label.flags), ta.primary, frozenset(ta.flags), ta.confidence))
    return out


RULE_FEATURES = ("r:", "rc:", "re:", "rf:", "ev:")  # the rules' own reading, as features (learned.features)


def _matrix(rows: Sequence[tuple[str, ...]], dim: int) -> tuple[Any, Any]:
    """(row index, bucket) of every distinct feature of every example."""
    import numpy as np

    r, c = [], []
    for i, feats in enumerate(rows):
        for b in sorted({bucket(f, dim) for f in feats}):
            r.append(i)
            c.append(b)
    return np.asarray(r, dtype=np.int64), np.asarray(c, dtype=np.int64)


def train(rows: Sequence[Example], settings: Settings = DEFAULTS) -> Model:
    """Fit the weights on ``rows`` (deterministic: zero start, full batch, fixed steps)."""
    return decode(_body(rows, settings))


def _body(rows: Sequence[Example], settings: Settings) -> dict[str, Any]:
    import numpy as np

    feats = [ex.features for ex in rows]
    weight = [1.0] * len(rows)
    if settings.without_rules:
        # The rules fit the servers they were tuned on better than servers they have not seen; a copy of each
        # example without the rules' reading teaches the model to read the tool itself too.
        feats += [tuple(f for f in ex.features if not f.startswith(RULE_FEATURES)) for ex in rows]
        weight += [settings.without_rules] * len(rows)
        rows = [*rows, *rows]
    n, k, ne = len(rows), len(OUTPUTS), len(EFFECTS)
    ri, ci = _matrix(feats, settings.dim)
    y = np.zeros((n, k))
    for i, ex in enumerate(rows):
        y[i, EFFECTS.index(ex.primary)] = 1.0
        for f in ex.flags:
            y[i, ne + FLAGS.index(f)] = 1.0
    sample = np.asarray(weight)[:, None] / sum(weight)
    w = np.zeros((settings.dim, k))
    bias = np.zeros(k)
    m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros(k), np.zeros(k)
    b1, b2, eps = 0.9, 0.999, 1e-8
    for step in range(1, settings.steps + 1):
        wc = w[ci]
        z = np.stack([np.bincount(ri, weights=wc[:, j], minlength=n) for j in range(k)], axis=1) + bias
        p = np.empty_like(z)
        e = np.exp(z[:, :ne] - z[:, :ne].max(axis=1, keepdims=True))
        p[:, :ne] = e / e.sum(axis=1, keepdims=True)
        p[:, ne:] = 1.0 / (1.0 + np.exp(-np.clip(z[:, ne:], -30, 30)))
        d = (p - y) * sample
        dr = d[ri]
        g_w = np.stack([np.bincount(ci, weights=dr[:, j], minlength=settings.dim) for j in range(k)], axis=1)
        g_w += settings.l2 * w
        g_b = d.sum(axis=0)
        for param, grad, m, v in ((w, g_w, m_w, v_w), (bias, g_b, m_b, v_b)):
            m *= b1
            m += (1 - b1) * grad
            v *= b2
            v += (1 - b2) * grad * grad
            param -= settings.rate * (m / (1 - b1 ** step)) / (np.sqrt(v / (1 - b2 ** step)) + eps)
    return encode(settings.dim, bias.tolist(), w.ravel().tolist(), dict(settings.raise_at), dict(settings.flag_at),
                  dict(settings.weak_at))


def model_body(groups: Iterable[Sequence[Example]], settings: Settings = DEFAULTS) -> dict[str, Any]:
    """The JSON form (``learned.encode``) of a model trained on every example of ``groups``, in the order given."""
    return _body([ex for g in groups for ex in g], settings)


def fit(groups: Iterable[Sequence[Example]], settings: Settings = DEFAULTS) -> Model:
    """Train on every example of ``groups`` (in the order given)."""
    return train([ex for g in groups for ex in g], settings)
