"""Print the classifier's figures on the development set: leave-servers-out first, the fit beside it.

    python scripts/classifier_quality.py                 # grouped 5-fold CV by server and by domain, and the fit
    python scripts/classifier_quality.py --misses        # also list the tuning part's misses (error analysis)
    python scripts/classifier_quality.py --misses --promoted   # only the promoted servers' misses

Only the development split is read here; the held-out splits are measured by the test suite alone
(``tests/test_classifier_quality.py``), so nobody tunes against them by accident. The servers promoted into dev from
the held-out splits (``promoted_from``) get their own lines: their cross-validated figures, the sample of how
servers labelled by other readers differ. The development split is
further cut into a tuning part and a blind slice (``classifier_eval.blind_slice``): ``--misses`` lists the
tuning part's misses only, so the blind slice's figures stay an estimate of servers not looked at.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from classifier_eval import Report, blind_slice, cross_validate, evaluate, load_split  # noqa: E402


def _misses(report: Report) -> str:
    lines = []
    for p in report.misses:
        flags = ",".join(sorted(f[:5] for f in p.label.flags))
        got = ",".join(sorted(f[:5] for f in p.flags))
        lines.append(f"{p.server[:30]:30} {p.tool[:36]:36} label {p.label.primary[:8]:8} got {p.primary[:8]:8} "
                     f"{p.confidence[:4]:4}  flags {flags or '-'} / {got or '-'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--misses", action="store_true", help="list the tuning part's misses (never the blind slice's)")
    parser.add_argument("--promoted", action="store_true", help="with --misses: the promoted servers' misses only")
    args = parser.parse_args(argv)
    dev = load_split("dev")
    promoted = {s.slug for s in dev if s.promoted_from}
    for by in ("server", "domain"):
        report = cross_validate(dev, k=args.folds, seed=args.seed, by=by)
        print(report.summary(f"[dev, {args.folds}-fold CV grouped by {by}]"))
        if by == "server":
            print(Report([p for p in report.predictions if p.server in promoted]).summary(
                f"[dev, {args.folds}-fold CV grouped by server: the promoted servers' predictions]"))
            for origin in sorted({s.promoted_from for s in dev} - {""}):
                chosen = {s.slug for s in dev if s.promoted_from == origin}
                print(Report([p for p in report.predictions if p.server in chosen]).summary(
                    f"[the same: the servers promoted from {origin}]"))
    print(evaluate(dev).summary("[dev, fit]"))
    tuning, blind = blind_slice(dev)
    fit = evaluate(tuning)
    print(fit.summary("[dev, tuning part]"))
    print(evaluate(blind).summary("[dev, blind slice: never error-analysed]"))
    if args.misses:
        print(_misses(Report([p for p in fit.predictions if p.server in promoted]) if args.promoted else fit))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
