"""The learned reading's weights: the model's form, its JSON encoding, the packaged file, and which model is in use.

``learned`` reads a tool with a ``Model``; this module holds what a model is (weight rows per hashed feature bucket,
the thresholds at which it raises an effect or adds a flag), how it is stored
(``mcprisk/catalog/classifier_model.json``, half floats in base64, reproduced by ``scripts/train_classifier_model.py``)
and the context variable through which cross-validation folds consult a model of their own.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import functools
import hashlib
import json
import struct
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from ..model import EFFECTS, FLAGS

__all__ = ["MODEL_FILE", "OUTPUTS", "Model", "active_model", "bucket", "decode", "encode", "packaged_model",
           "use_model"]

MODEL_FILE = "classifier_model.json"
OUTPUTS: tuple[str, ...] = (*EFFECTS, *FLAGS)


@dataclass(frozen=True)
class Model:
    """Weights of the linear model: ``rows[bucket]`` holds one weight per output (effects, then flags)."""

    dim: int
    bias: tuple[float, ...]
    rows: tuple[tuple[float, ...], ...]
    raise_at: Mapping[str, float]  # probability of each more severe effect at which the tool is raised to it
    flag_at: Mapping[str, float]  # probability at which each flag is added
    checksum: str = ""
    # A lower threshold for raising a reading no two sources agree on (``medium`` or ``low``): one witness's reading
    # is weaker evidence against the model's than a reading two sources confirm (``high``).
    weak_at: Mapping[str, float] = field(default_factory=dict)
    _buckets: dict[str, int] = field(default_factory=dict, compare=False, repr=False)  # feature -> bucket, memoised

    def buckets(self, feats: Iterable[str]) -> dict[int, None]:
        """The distinct buckets of ``feats``, in order of first appearance (a bucket counts once, as in training)."""
        memo = self._buckets
        if len(memo) > _MEMO_LIMIT:
            memo.clear()
        get = memo.get
        out: dict[int, None] = {}
        for f in feats:
            b = get(f)
            if b is None:
                b = memo[f] = bucket(f, self.dim)
            out[b] = None
        return out

    def logits(self, feats: Iterable[str]) -> list[float]:
        """The outputs' logits: the bias plus the weight rows of the features' buckets."""
        rows = self.rows
        picked = [rows[b] for b in self.buckets(feats)]
        return [b + s for b, s in zip(self.bias, map(sum, zip(*picked)))] if picked else list(self.bias)


_MEMO_LIMIT = 200_000


def bucket(feature: str, dim: int) -> int:
    """A feature's bucket: CRC-32 of its text (stable across processes and platforms) modulo ``dim``."""
    return zlib.crc32(feature.encode()) & (dim - 1)



# --------------------------------------------------------------------------------------------
# The packaged weights, and which model is in use


def encode(dim: int, bias: Sequence[float], weights: Sequence[float], raise_at: Mapping[str, float],
           flag_at: Mapping[str, float], weak_at: Mapping[str, float] | None = None) -> dict[str, Any]:
    """The JSON form of a model: weights as little-endian half floats, base64 (row-major, ``dim`` rows)."""
    raw = struct.pack(f"<{len(weights)}e", *weights)
    body = {"format": 1, "dim": dim, "outputs": list(OUTPUTS), "bias": [round(b, 4) for b in bias],
            "raise_at": dict(raise_at), "flag_at": dict(flag_at), "weights": base64.b64encode(raw).decode("ascii")}
    if weak_at:
        body["weak_at"] = dict(weak_at)
    body["checksum"] = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    return body


def decode(body: Mapping[str, Any]) -> Model:
    """A model from its JSON form."""
    if tuple(body["outputs"]) != OUTPUTS:
        raise ValueError("the model's outputs are not this version's effects and flags")
    n = len(OUTPUTS)
    raw = base64.b64decode(body["weights"])
    flat = struct.unpack(f"<{len(raw) // 2}e", raw)
    dim = int(body["dim"])
    if len(flat) != dim * n or dim & (dim - 1):
        raise ValueError("the model's weights do not match its dimension")
    rows = tuple(flat[i * n:(i + 1) * n] for i in range(dim))
    def thresholds(key: str) -> dict[str, float]:
        return {k: float(v) for k, v in (body.get(key) or {}).items()}

    return Model(dim, tuple(float(b) for b in body["bias"]), rows, thresholds("raise_at"), thresholds("flag_at"),
                 str(body.get("checksum", "")), thresholds("weak_at"))


@functools.cache
def packaged_model() -> Model:
    """The shipped model (``mcprisk/catalog/classifier_model.json``), read once."""
    text = resources.files("mcprisk.catalog").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return decode(json.loads(text))


_NOT_SET = object()
_ACTIVE: contextvars.ContextVar[Any] = contextvars.ContextVar("mcprisk_learned_model", default=_NOT_SET)


def active_model() -> Model | None:
    """The model the classifier consults: the packaged one, unless ``use_model`` chose another (or none)."""
    chosen = _ACTIVE.get()
    return packaged_model() if chosen is _NOT_SET else chosen


@contextlib.contextmanager
def use_model(model: Model | None) -> Iterator[None]:
    """Consult ``model`` (None: the rules alone) within the block; cross-validation folds use their own.
    Classifications ``assess`` keeps for reuse are keyed by the model in use, so none made under another is
    served here."""
    token = _ACTIVE.set(model)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
