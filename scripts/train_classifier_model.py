"""Train the classifier's learned reading and write the packaged weights (deterministic: same data, same file).

    python scripts/train_classifier_model.py            # train on the tuning part, write mcprisk/catalog/classifier_model.json
    python scripts/train_classifier_model.py --check    # train, and fail unless the shipped file has the same checksum
    python scripts/train_classifier_model.py --pick     # pick the thresholds by grouped CV within the tuning part
    python scripts/train_classifier_model.py --nested   # measure the picking itself: nested grouped CV of all of dev
    python scripts/train_classifier_model.py --origins  # leave each promoted origin out: pick and train on the rest

The model is trained on the development split's tuning part only (``classifier_eval.blind_slice``), so the
blind slice stays a measure of servers neither the rules nor the model have seen; the held-out splits are never
read. Thresholds (``training.DEFAULTS``) are picked by 5-fold cross-validation grouped by server within the
tuning part (``--pick``, the operating point of ``pick``): the effect thresholds (for any reading, and lower ones for
a reading that rests on one witness) minimise under-classified plus missed destructive tools while exact and
mutating precision stay above margins over issue 12's targets; each flag's maximises its F1 where it beats the rules
alone; ties go to the higher (more cautious) threshold. ``--nested`` reports how such a picking does on servers
neither it nor the model saw: outer folds measure, inner folds pick.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))
from _shipped import ship  # noqa: E402

from classifier_eval import Report, blind_slice, folds, load_split, predict, with_model  # noqa: E402

from mcprisk.classify.learned import MODEL_FILE, WEAK_READINGS, probabilities  # noqa: E402
from mcprisk.classify.training import DEFAULTS, Example, Settings, examples, fit, model_body  # noqa: E402
from mcprisk.model import EFFECTS, FLAGS, effect_rank  # noqa: E402

TARGET = ROOT / "mcprisk" / "catalog" / MODEL_FILE


def build() -> dict:
    """The JSON body of the model trained on the tuning part, with the default settings."""
    tuning, _ = blind_slice(load_split("dev"))
    return model_body([examples(s.snapshot, s.labels, s.slug) for s in tuning], DEFAULTS)


GRID = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)  # candidate flag thresholds
# A raise needs the model to give the effect at least a one-in-five chance: below that a rare effect (high_cost) is
# raised on its prior alone (round 7: a demo bookmark tool at p 0.13). Nested CV: under-classified 0.034 -> 0.036,
# mutating precision 0.909 -> 0.912, the rest unchanged.
RAISE_GRID = tuple(t for t in GRID if t >= 0.2)
NEVER = 2.0
# The operating point: meet as many of issue 12's targets as the model can, then keep exact readings. The effect
# thresholds minimise under-classified + (1 - destructive recall) subject to exact >= EXACT_MIN and mutating precision
# >= PRECISION_MIN (a shortfall costs ten times its size), ties to fewer exact misses, then the higher threshold; each
# flag's threshold maximises its F1. Margins above the targets (0.82, 0.90) leave room for servers not seen.
EXACT_MIN, PRECISION_MIN = 0.82, 0.905
Scored = list[tuple[Example, dict[str, float], dict[str, float]]]
Point = dict[tuple[str, str], float]  # ("raise" | "weak" | "flag", effect or flag) -> threshold


def out_of_fold(servers: list, k: int = 5, seed: int = 12, settings: Settings = DEFAULTS) -> Scored:
    """Every example of ``servers`` with the probabilities of a model trained on the other folds (grouped by server)."""
    parts = folds(servers, k, seed=seed, by="server")
    rows = {s.slug: examples(s.snapshot, s.labels, s.slug) for s in servers}
    out: Scored = []
    for i, test in enumerate(parts):
        model = fit([rows[s.slug] for j, part in enumerate(parts) if j != i for s in part], settings)
        out += [(ex, *probabilities(model, ex.features)) for s in test for ex in rows[s.slug]]
    return out


def _primary(ex: Example, effects: dict[str, float], point: Point) -> str:
    """The primary effect ``learned.consult`` gives at ``point`` (the rules' reading, raised where the model says)."""
    weak = ex.rule_confidence in WEAK_READINGS
    severe = []
    for e in EFFECTS[effect_rank(ex.rule_primary) + 1:]:
        at = point.get(("raise", e), NEVER)
        if effects[e] >= (min(at, point.get(("weak", e), NEVER)) if weak else at):
            severe.append(e)
    return max(severe, key=lambda e: effects[e]) if severe else ex.rule_primary


def _effect_loss(scored: Scored, point: Point) -> tuple[float, float]:
    pairs = [(ex.primary, _primary(ex, effects, point)) for ex, effects, _ in scored]
    exact = sum(want == got for want, got in pairs) / len(pairs)
    under = sum(effect_rank(got) < effect_rank(want) for want, got in pairs) / len(pairs)
    destructive = [got == "destructive" for want, got in pairs if want == "destructive"]
    mutating = [want != "read_only" for want, got in pairs if got != "read_only"]
    recall = sum(destructive) / len(destructive) if destructive else 1.0
    precision = sum(mutating) / len(mutating) if mutating else 1.0
    shortfall = max(0.0, EXACT_MIN - exact) + max(0.0, PRECISION_MIN - precision)
    return round(10 * shortfall + under + (1 - recall), 6), round(1 - exact, 6)


def _f1(scored: Scored, flag: str, at: float) -> float:
    got = [(flag in ex.rule_flags or flags[flag] >= at, flag in ex.flags) for ex, _, flags in scored]
    tp = sum(g and t for g, t in got)
    return round(2 * tp / (2 * tp + sum(g != t for g, t in got)), 6) if tp else 0.0


def pick(scored: Scored, passes: int = 2) -> Point:
    """The operating point on ``scored`` (out-of-fold probabilities): each effect threshold, then the one for readings
    on one witness, by coordinate descent; each flag's threshold on its own. A threshold no value helps stays off."""
    point: Point = {}
    keys = [(kind, e) for kind in ("raise", "weak") for e in EFFECTS[1:]]
    for _ in range(passes):
        for key in keys:
            options = [NEVER, *RAISE_GRID]
            point[key] = min(options, key=lambda t: (*_effect_loss(scored, {**point, key: t}), -t))
    for flag in FLAGS:
        best = max(GRID, key=lambda t: (_f1(scored, flag, t), t))
        point[("flag", flag)] = best if _f1(scored, flag, best) > _f1(scored, flag, NEVER) else NEVER
    return {k: v for k, v in point.items() if v != NEVER}


def settings_at(point: Point) -> Settings:
    """The training settings with the thresholds of ``point``."""
    def of(kind: str, names: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
        return tuple((n, point[(kind, n)]) for n in names if (kind, n) in point)

    return replace(DEFAULTS, raise_at=of("raise", EFFECTS), weak_at=of("weak", EFFECTS), flag_at=of("flag", FLAGS))


def nested(k: int = 5, seed: int = 12) -> None:
    """Nested cross-validation grouped by server on the whole development split: each outer fold's servers are read by
    a model trained on the other folds at thresholds picked by an inner grouped CV of those folds only, so the figures
    are not fit to the picking. Prints the figures of all servers, of each promoted split's, and each fold's point."""
    dev = load_split("dev")
    parts = folds(dev, k, seed=seed, by="server")
    report = Report()
    rows = {s.slug: examples(s.snapshot, s.labels, s.slug) for s in dev}
    for i, test in enumerate(parts):
        train = [s for j, part in enumerate(parts) if j != i for s in part]
        settings = settings_at(pick(out_of_fold(train, k, seed)))
        print(f"fold {i}: raise_at={settings.raise_at} weak_at={settings.weak_at} flag_at={settings.flag_at}",
              flush=True)
        model = fit([rows[s.slug] for s in train], settings)
        report.predictions.extend(predict(test, with_model(model)))
    print(report.summary(f"[dev, nested {k}-fold CV grouped by server]"))
    for origin in sorted({s.promoted_from for s in dev} - {""}):
        slugs = {s.slug for s in dev if s.promoted_from == origin}
        print(Report([p for p in report.predictions if p.server in slugs]).summary(
            f"[the same, servers promoted from {origin}]"))


def origins(k: int = 5, seed: int = 12) -> None:
    """Leave each promoted origin out: the servers promoted from one held-out split (``holdout``, ``holdout2``,
    ``holdout4``) are read by a model trained, at thresholds picked by grouped CV, on the rest of dev only. Each split
    was labelled by readers of its own, so this is the nearest measure of servers labelled by other readers."""
    dev = load_split("dev")
    rows = {s.slug: examples(s.snapshot, s.labels, s.slug) for s in dev}
    for origin in sorted({s.promoted_from for s in dev} - {""}):
        train = [s for s in dev if s.promoted_from != origin]
        settings = settings_at(pick(out_of_fold(train, k, seed)))
        print(f"{origin} out: raise_at={settings.raise_at} weak_at={settings.weak_at} flag_at={settings.flag_at}",
              flush=True)
        model = fit([rows[s.slug] for s in train], settings)
        test = [s for s in dev if s.promoted_from == origin]
        print(Report(predict(test, with_model(model))).summary(f"[{origin} left out: trained and picked on the rest]"),
              flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped weights; write nothing")
    parser.add_argument("--pick", action="store_true", help="pick the thresholds by grouped CV; write nothing")
    parser.add_argument("--nested", action="store_true", help="measure by nested grouped CV; write nothing")
    parser.add_argument("--origins", action="store_true", help="leave each promoted origin out; write nothing")
    args = parser.parse_args(argv)
    if args.nested:
        nested()
        return 0
    if args.origins:
        origins()
        return 0
    if args.pick:
        settings = settings_at(pick(out_of_fold(blind_slice(load_split("dev"))[0])))
        print(f"raise_at={settings.raise_at}\nweak_at={settings.weak_at}\nflag_at={settings.flag_at}")
        return 0
    return ship(build(), TARGET, ROOT, check=args.check)


if __name__ == "__main__":
    raise SystemExit(main())
