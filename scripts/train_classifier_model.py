"""Train the classifier's learned reading and write the packaged weights (deterministic: same data, same file).

    python scripts/train_classifier_model.py            # train on the tuning part, write mcprisk/catalog/classifier_model.json
    python scripts/train_classifier_model.py --check    # train, and fail unless the shipped file has the same checksum
    python scripts/train_classifier_model.py --pick     # pick the thresholds by grouped CV within the tuning part

The model is trained on the development split's tuning part only (``classifier_eval.blind_slice``), so the
blind slice stays a measure of servers neither the rules nor the model have seen; the held-out split is never
read. Thresholds (``training.DEFAULTS``) were picked by 5-fold cross-validation grouped by server within the
tuning part (``--pick``): for each effect, the probability at which raising to it most improves exact minus
under-classified (a raise that fixes an under-classified tool counts twice: the costly error), for each flag the
one with the best F1, each only where it beats the rules alone; ties go to the higher (more cautious) threshold.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from classifier_eval import blind_slice, folds, load_split  # noqa: E402

from mcprisk.classify.learned import MODEL_FILE, probabilities  # noqa: E402
from mcprisk.classify.training import DEFAULTS, Example, examples, fit, model_body  # noqa: E402
from mcprisk.model import EFFECTS, FLAGS, effect_rank  # noqa: E402

TARGET = ROOT / "mcprisk" / "catalog" / MODEL_FILE


def build() -> dict:
    """The JSON body of the model trained on the tuning part, with the default settings."""
    tuning, _ = blind_slice(load_split("dev"))
    return model_body([examples(s.snapshot, s.labels, s.slug) for s in tuning], DEFAULTS)


THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
Scored = list[tuple[Example, dict[str, float], dict[str, float]]]


def out_of_fold(k: int = 5, seed: int = 12) -> Scored:
    """Every tuning-part example with the probabilities of a model trained on the other folds (grouped by server)."""
    tuning, _ = blind_slice(load_split("dev"))
    parts = folds(tuning, k, seed=seed, by="server")
    rows = {s.slug: examples(s.snapshot, s.labels, s.slug) for s in tuning}
    out: Scored = []
    for i, test in enumerate(parts):
        model = fit([rows[s.slug] for j, part in enumerate(parts) if j != i for s in part], DEFAULTS)
        out += [(ex, *probabilities(model, ex.features)) for s in test for ex in rows[s.slug]]
    return out


def _primary(scored: Scored, raise_at: dict[str, float]) -> list[tuple[Example, str]]:
    out = []
    for ex, effects, _ in scored:
        severe = [e for e in EFFECTS[effect_rank(ex.rule_primary) + 1:] if effects[e] >= raise_at.get(e, 2.0)]
        out.append((ex, max(severe, key=lambda e: effects[e]) if severe else ex.rule_primary))
    return out


def _utility(pairs: list[tuple[Example, str]]) -> float:
    exact = sum(got == ex.primary for ex, got in pairs)
    under = sum(effect_rank(got) < effect_rank(ex.primary) for ex, got in pairs)
    return round((exact - under) / len(pairs), 6)


def _f1(scored: Scored, flag: str, at: float) -> float:
    got = [(flag in ex.rule_flags or flags[flag] >= at, flag in ex.flags) for ex, _, flags in scored]
    tp = sum(g and t for g, t in got)
    return round(2 * tp / (2 * tp + sum(g != t for g, t in got)), 6) if tp else 0.0


def pick(scored: Scored) -> tuple[dict[str, float], dict[str, float]]:
    """(effect -> raise threshold, flag -> add threshold); an effect or flag no threshold helps is left out."""
    raise_at: dict[str, float] = {}
    for effect in EFFECTS[1:]:
        base = _utility(_primary(scored, raise_at))
        fine = [t for t in THRESHOLDS if _utility(_primary(scored, {**raise_at, effect: t})) > base]
        if fine:
            raise_at[effect] = max(fine, key=lambda t: (_utility(_primary(scored, {**raise_at, effect: t})), t))
    flag_at = {}
    for flag in FLAGS:
        base = _f1(scored, flag, 2.0)
        best = max(THRESHOLDS, key=lambda t: (_f1(scored, flag, t), t))
        if _f1(scored, flag, best) > base:
            flag_at[flag] = best
    return raise_at, flag_at


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped weights; write nothing")
    parser.add_argument("--pick", action="store_true", help="pick the thresholds by grouped CV; write nothing")
    args = parser.parse_args(argv)
    if args.pick:
        raise_at, flag_at = pick(out_of_fold())
        print(f"raise_at={tuple(raise_at.items())}\nflag_at={tuple(flag_at.items())}")
        return 0
    body = build()
    if args.check:
        shipped = json.loads(TARGET.read_text(encoding="utf-8"))["checksum"]
        print(f"trained {body['checksum']}\nshipped {shipped}")
        return 0 if shipped == body["checksum"] else 1
    TARGET.write_text(json.dumps(body, sort_keys=True, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)} ({TARGET.stat().st_size:,} bytes), checksum {body['checksum']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
