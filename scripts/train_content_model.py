"""Train the content rules' learned reading (INJ018) and measure it by leaving authors out (deterministic).

    python scripts/train_content_model.py            # train on everything, write mcprisk/catalog/content_model.json
    python scripts/train_content_model.py --check    # train, and fail unless the shipped file has the same checksum
    python scripts/train_content_model.py --loao     # leave one author out: per part, rules vs rules + model
    python scripts/train_content_model.py --loao --gate --witness 0.3 0.5   # ... and the lone-phrase gate

Unit: one subject's model-visible text (a tool with its schema strings, a prompt, a resource, a server's
instructions). Positives: the target subjects of the hostile items of the adversarial parts ``dev`` and
``heldout1`` ... ``heldout17`` (the later parts are held aside and never read here; heldout19 was tried in round 16
and left out: trained on it, the model flagged 6 + 5 + 2 more tools of the unseen honest holdout7 / holdout6 /
realfp B, and four more hard negatives of its own training parts). Negatives: every subject of
those parts' hard negatives, and every subject of the real dev servers (``content_eval.real_servers(promoted=True)``),
of realfp half A, of holdout2 half A, of all of realfp2 and of realfp_i18n (honest servers written mainly in
non-Latin scripts). Each adversarial part is one author, so ``--loao`` trains without part p (and without one of
as many server-grouped folds of the real servers) and scores what it left out: the threshold and the per-script
abstention are picked on those out-of-author predictions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))
from _shipped import ship  # noqa: E402

from content_eval import (ADVERSARIAL, SEVERITY_RANK, content_codes, holdout2_servers, load_items,  # noqa: E402
                          halved_servers, real_servers, realfp_servers, server_snapshot)

from mcprisk import assess  # noqa: E402
from mcprisk.rules.content._surface import snapshot_subjects  # noqa: E402
from mcprisk.rules.content._textmodel import (DIM, HONEST_PER_HOSTILE, MODEL_FILE, decode, encode,  # noqa: E402
                                              subject_buckets, text_script)
from mcprisk.rules.content._witness import witness_gate  # noqa: E402
from mcprisk.rules.content import grading  # noqa: E402
from mcprisk.rules.content.grading import UNWITNESSED  # noqa: E402
from mcprisk.rules.content.learned import LEARNED_CODE, THRESHOLD, WITNESS, use_model  # noqa: E402

TARGET = ROOT / "mcprisk" / "catalog" / MODEL_FILE
PARTS = ("dev", *(f"heldout{i}" for i in range(1, 18)))  # the training parts; never any other (heldout19: see below)
DATA = ROOT / "tests" / "data"
L2, STEPS, RATE, REAL = 1e-3, 150, 0.05, 1.0


@dataclass(frozen=True)
class Row:
    """One subject: where it comes from (``part``: an adversarial part or ``real:<set>``), its item or server, its
    fold (the part's index, or a server's hash), its features' buckets and whether it is hostile."""

    part: str
    unit: str
    subject: str
    fold: int
    features: tuple[int, ...]
    hostile: bool
    script: str = "NONE"  # the main script of the subject's text (the model counts honest subjects per script)


def _features(subject) -> tuple[int, ...]:
    return tuple(sorted(subject_buckets(subject.kind, ((f.kind, f.norm) for f in subject.fields), subject.concepts)))


def _script(subject) -> str:
    return text_script((f.kind, f.norm) for f in subject.fields)


def adversarial_rows() -> list[Row]:
    rows = []
    for i, part in enumerate(PARTS):
        for item in load_items(ADVERSARIAL / part):
            target = item.get("target") or {}
            for snap in map(server_snapshot, item["servers"]):
                for s in snapshot_subjects(snap):
                    is_target = s.server == target.get("server") and s.name == target.get("subject")
                    if item["hostile"] and not is_target:
                        continue
                    rows.append(Row(part, item["id"], f"{s.server}/{s.name}", i, _features(s), item["hostile"],
                                    _script(s)))
    return rows


def real_sets() -> dict[str, list]:
    return {"real-dev": real_servers(promoted=True), "holdout2-A": holdout2_servers("A"),
            "realfp-A": realfp_servers("A"), "realfp2": whole(DATA / "realfp2"),
            "realfp-i18n": whole(DATA / "realfp_i18n")}


def whole(folder: Path) -> list:
    """Every snapshot of a folder of honest real servers, each named by its slug (both halves of the split)."""
    return halved_servers(folder, "A") + halved_servers(folder, "B")


def server_fold(name: str) -> int:
    return int(hashlib.sha256(("content-model:" + name).encode()).hexdigest(), 16) % len(PARTS)


def real_rows() -> list[Row]:
    return [Row("real:" + label, snap.name, f"{s.server}/{s.name}", server_fold(snap.name), _features(s), False,
                _script(s)) for label, snaps in real_sets().items() for snap in snaps for s in snapshot_subjects(snap)]


def fit(rows: list[Row], threshold: float = THRESHOLD) -> dict:
    """The JSON body of a model fitted on ``rows``: logistic regression, classes weighed equally, full-batch Adam
    with L2 from zero weights, fixed steps (numpy; the same rows give the same checksum)."""
    import numpy as np

    ri, ci = [], []
    for i, r in enumerate(rows):
        ri += [i] * len(r.features)
        ci += r.features
    ri, ci = np.asarray(ri, dtype=np.int64), np.asarray(ci, dtype=np.int64)
    y = np.asarray([1.0 if r.hostile else 0.0 for r in rows])
    # hostile and honest weigh half each; an honest real subject weighs REAL times a hard negative
    raw = np.asarray([1.0 if r.hostile or not r.part.startswith("real:") else REAL for r in rows])
    sample = np.where(y > 0, 0.5 * raw / max(1.0, (raw * y).sum()), 0.5 * raw / max(1.0, (raw * (1 - y)).sum()))
    n = len(rows)
    w, bias = np.zeros(DIM), 0.0
    m_w, v_w, m_b, v_b = np.zeros(DIM), np.zeros(DIM), 0.0, 0.0
    b1, b2, eps = 0.9, 0.999, 1e-8
    for step in range(1, STEPS + 1):
        z = np.bincount(ri, weights=w[ci], minlength=n) + bias
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        d = (p - y) * sample
        g_w = np.bincount(ci, weights=d[ri], minlength=DIM) + L2 * w
        g_b = float(d.sum())
        m_w = b1 * m_w + (1 - b1) * g_w
        v_w = b2 * v_w + (1 - b2) * g_w * g_w
        w -= RATE * (m_w / (1 - b1 ** step)) / (np.sqrt(v_w / (1 - b2 ** step)) + eps)
        m_b = b1 * m_b + (1 - b1) * g_b
        v_b = b2 * v_b + (1 - b2) * g_b * g_b
        bias -= RATE * (m_b / (1 - b1 ** step)) / ((v_b / (1 - b2 ** step)) ** 0.5 + eps)
    honest, hostile = Counter(r.script for r in rows if not r.hostile), Counter(r.script for r in rows if r.hostile)
    return encode(bias, w.tolist(), threshold, {k: (honest[k], hostile[k]) for k in honest | hostile})


def build() -> dict:
    """The shipped model: trained on every training part and every honest real subject."""
    return fit(adversarial_rows() + real_rows())


# ---------------------------------------------------------------------------------------------------------------
# Leaving authors out


def rules_alone(cache: Path | None) -> dict:
    """Per adversarial item: found (hostile) / flagged (negative) by the rules without the model; per real set: the
    subjects the rules flag. Kept in ``cache`` when given (the rules take minutes over every part)."""
    if cache and cache.is_file():
        return json.loads(cache.read_text(encoding="utf-8"))
    codes = content_codes() - {LEARNED_CODE}
    out: dict = {"items": {}, "real": {}}
    for part in PARTS:
        for item in load_items(ADVERSARIAL / part):
            found = [f for f in assess([server_snapshot(s) for s in item["servers"]]).findings if f.code in codes]
            t = item["target"]
            out["items"][f"{part}/{item['id']}"] = any(
                f.server == t["server"] and f.subject == t["subject"] and SEVERITY_RANK[f.severity] >= 1
                for f in found) if item["hostile"] else bool(found)
    for label, snaps in real_sets().items():
        out["real"][label] = sorted({f"{f.server}/{f.subject}" for f in assess(snaps).findings if f.code in codes})
    if cache:
        cache.write_text(json.dumps(out), encoding="utf-8")
    return out


def out_of_author(rows: list[Row]) -> tuple[dict[int, float], dict[int, tuple[int, int]]]:
    """Every row's probability from a model trained without its fold (its author, or its server's fold), and the
    (honest, hostile) training subjects that model read in the row's script (what its abstention looks at)."""
    probs: dict[int, float] = {}
    seen: dict[int, tuple[int, int]] = {}
    for k in range(len(PARTS)):
        train = [r for r in rows if r.fold != k]
        model = decode(fit(train))
        honest = Counter(r.script for r in train if not r.hostile)
        hostile = Counter(r.script for r in train if r.hostile)
        for i, r in enumerate(rows):
            if r.fold == k:
                probs[i] = model.probability(r.features)
                seen[i] = (honest[r.script], hostile[r.script])
        print(f"  fold {k} ({PARTS[k]}) done", file=sys.stderr)
    return probs, seen


def speaks(i: int, probs: dict[int, float], seen: dict[int, tuple[int, int]], at: float, ratio: float) -> bool:
    """Whether the out-of-author model flags row ``i`` at ``at``, abstaining where its training read fewer than
    ``ratio`` honest subjects per hostile one in the row's script (``TextModel.covers``)."""
    honest, hostile = seen[i]
    return probs[i] >= at and honest >= ratio * hostile


def table(rows: list[Row], probs: dict[int, float], seen: dict[int, tuple[int, int]], rules: dict, at: float,
          ratio: float) -> list[str]:
    """Per part and pooled at threshold ``at`` and abstention ``ratio``: recall of the rules, the model and both (a
    hostile item is found by the model when its target subject reaches ``at``); hard negatives flagged (any subject
    of the item); honest real subjects flagged by the rules and added by the model."""
    items: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if not r.part.startswith("real:"):
            items[(r.part, r.unit)].append(i)
    head = "| part | attacks | rules | model | rules + model | hard negatives | rules | rules + model |"
    lines = [f"threshold {at}, abstention {ratio} honest per hostile", head, "|---|---|---|---|---|---|---|---|"]
    pooled = [0] * 7
    for part in (*PARTS, "pooled"):
        c = pooled if part == "pooled" else [0] * 7  # attacks: total, by rules, by model, by either; negatives:
        for (p, unit), idx in items.items():        # flagged by rules, by either, total
            if p != part:
                continue
            ruled = rules["items"][f"{part}/{unit}"]
            modelled = any(speaks(i, probs, seen, at, ratio) for i in idx)
            if rows[idx[0]].hostile:
                c[0], c[1], c[2], c[3] = c[0] + 1, c[1] + ruled, c[2] + modelled, c[3] + (ruled or modelled)
            else:
                c[4], c[5], c[6] = c[4] + ruled, c[5] + (ruled or modelled), c[6] + 1
        if part != "pooled":
            pooled = [a + b for a, b in zip(pooled, c)]
        n, neg = c[0], c[6]
        lines.append(f"| {part} | {n} | {c[1] / n:.3f} | {c[2] / n:.3f} | {c[3] / n:.3f} | {neg} | "
                     f"{c[4]} ({c[4] / neg:.1%}) | {c[5]} ({c[5] / neg:.1%}) |")
    for label, flagged in rules["real"].items():
        idx = [i for i, r in enumerate(rows) if r.part == "real:" + label]
        ruled = set(flagged)
        extra = sorted({rows[i].subject for i in idx if speaks(i, probs, seen, at, ratio)} - ruled)
        lines.append(f"real {label}: {len(idx)} subjects; rules flag {len(ruled)}, the model adds {len(extra)} "
                     f"({len(extra) / max(1, len(idx)):.2%})" + "".join(f"\n    + {s}" for s in extra))
    return lines + [""] + by_script(rows, probs, seen, rules, at, ratio)


def by_script(rows: list[Row], probs: dict[int, float], seen: dict[int, tuple[int, int]], rules: dict, at: float,
              ratio: float) -> list[str]:
    """Per main script of the text: attacks (target subjects) found by the rules, the model and both; honest real
    subjects and how many the model adds beyond the rules; the share of folds in which the model spoke there."""
    ruled_real = {s for flagged in rules["real"].values() for s in flagged}
    stats: dict[str, list[int]] = defaultdict(lambda: [0] * 7)
    for i, r in enumerate(rows):
        c = stats[r.script]
        talk = speaks(i, probs, seen, at, ratio)
        c[6] += seen[i][0] >= ratio * seen[i][1]  # the row's model spoke in this script
        if r.hostile:
            ruled = rules["items"][f"{r.part}/{r.unit}"]
            c[0], c[1], c[2], c[3] = c[0] + 1, c[1] + ruled, c[2] + talk, c[3] + (ruled or talk)
        elif r.part.startswith("real:"):
            c[4], c[5] = c[4] + 1, c[5] + (talk and r.subject not in ruled_real)
    lines = ["| script | attacks | rules | model | rules + model | honest real | model adds | model speaks |",
             "|---|---|---|---|---|---|---|---|"]
    for script, c in sorted(stats.items(), key=lambda kv: -(kv[1][0] + kv[1][4])):
        n, m = max(1, c[0]), c[0] + c[4] + sum(1 for r in rows if r.script == script and not r.hostile
                                               and not r.part.startswith("real:"))
        lines.append(f"| {script} | {c[0]} | {c[1] / n:.2f} | {c[2] / n:.2f} | {c[3] / n:.2f} | {c[4]} | {c[5]} "
                     f"({c[5] / max(1, c[4]):.2%}) | {c[6] / max(1, m):.0%} |")
    return lines


# ---------------------------------------------------------------------------------------------------------------
# The lone-phrase gate, left out by author


def rules_marked(cache: Path | None) -> dict:
    """Per adversarial item and real set, what the rules find without the learned reading and with the gate only
    marking: ``strong`` -- found (hostile: on the target at low or above) or flagged (a negative, a real subject) by a
    finding that needs no witness, or has one besides the model; ``marked`` -- the subjects whose only findings are
    lone phrases left unwitnessed (they stand if the out-of-author model witnesses them)."""
    if cache and cache.is_file():
        return json.loads(cache.read_text(encoding="utf-8"))
    codes = content_codes() - {LEARNED_CODE}

    def split(findings):
        strong, marked = set(), defaultdict(set)
        for f in findings:
            if f.code in codes:
                key = f"{f.server}/{f.subject}"
                if f.message.endswith(UNWITNESSED):
                    marked[key].add(f.code)
                else:
                    strong.add(key)
        return sorted(strong), {k: sorted(v) for k, v in marked.items() if k not in strong}

    gated = grading.GATED
    grading.GATED = grading.PHRASE_RULES  # mark every rule's lone phrases; the table picks which are gated
    try:
        measured = _rules_marked(split)
    finally:
        grading.GATED = gated
    if cache:
        cache.write_text(json.dumps(measured), encoding="utf-8")
    return measured


def _rules_marked(split) -> dict:
    out: dict = {"items": {}, "real": {}}
    with use_model(None), witness_gate(False):
        for part in PARTS:
            for item in load_items(ADVERSARIAL / part):
                found = assess([server_snapshot(s) for s in item["servers"]]).findings
                if item["hostile"]:
                    t = item["target"]
                    found = [f for f in found if f.server == t["server"] and f.subject == t["subject"]
                             and SEVERITY_RANK[f.severity] >= 1]
                strong, marked = split(found)
                out["items"][f"{part}/{item['id']}"] = {"strong": bool(strong), "marked": marked}
        for label, snaps in real_sets().items():
            strong, marked = split(assess(snaps).findings)
            out["real"][label] = {"strong": strong, "marked": marked}
    return out


def gate_table(rows: list[Row], probs: dict[int, float], seen: dict[int, tuple[int, int]], rules: dict,
               witness: float, ratio: float, gated: frozenset[str]) -> list[str]:
    """Per part and pooled, leaving each author out: recall and negatives flagged by the rules and the learned reading
    (at THRESHOLD) with no gate, and with the gate (a marked lone phrase stands when the out-of-author model reaches
    ``witness`` on its subject; lone phrases of rules not in ``gated`` always stand); honest real subjects flagged
    both ways."""
    index = {(r.part, r.unit, r.subject): i for i, r in enumerate(rows)}
    items: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if not r.part.startswith("real:"):
            items[(r.part, r.unit)].append(i)
    lines = [f"gate on {', '.join(sorted(gated))}: witness {witness}, learned reading at {THRESHOLD}, abstention {ratio}",
             "| part | attacks | no gate | gate | lost | hard negatives | no gate | gate |", "|---|---|---|---|---|---|---|---|"]
    pooled = [0] * 6
    for part in (*PARTS, "pooled"):
        c = pooled if part == "pooled" else [0] * 6  # attacks, found without / with the gate; negatives total, flagged
        for (p, unit), idx in items.items():        # without / with the gate
            if p != part:
                continue
            got = rules["items"][f"{part}/{unit}"]
            model = any(speaks(i, probs, seen, THRESHOLD, ratio) for i in idx)
            strong = got["strong"] or any(not gated.issuperset(c) for c in got["marked"].values())
            marked = [index.get((part, unit, s)) for s in got["marked"]]
            kept = any(i is not None and speaks(i, probs, seen, witness, ratio) for i in marked)
            before = got["strong"] or bool(got["marked"]) or model
            after = strong or kept or model
            if rows[idx[0]].hostile:
                c[0], c[1], c[2] = c[0] + 1, c[1] + before, c[2] + after
            else:
                c[3], c[4], c[5] = c[3] + 1, c[4] + before, c[5] + after
        if part != "pooled":
            pooled = [a + b for a, b in zip(pooled, c)]
        n, neg = max(1, c[0]), max(1, c[3])
        lines.append(f"| {part} | {c[0]} | {c[1] / n:.3f} | {c[2] / n:.3f} | {c[1] - c[2]} | {c[3]} | "
                     f"{c[4]} ({c[4] / neg:.1%}) | {c[5]} ({c[5] / neg:.1%}) |")
    for label, got in rules["real"].items():
        idx = [i for i, r in enumerate(rows) if r.part == "real:" + label]
        model = {rows[i].subject for i in idx if speaks(i, probs, seen, THRESHOLD, ratio)}
        kept = {rows[i].subject for i in idx if rows[i].subject in got["marked"]
                and speaks(i, probs, seen, witness, ratio)}
        strong = set(got["strong"]) | {k for k, c in got["marked"].items() if not gated.issuperset(c)}
        before = set(got["strong"]) | set(got["marked"]) | model
        after = strong | kept | model
        lines.append(f"real {label}: {len(idx)} subjects; flagged without the gate {len(before)}, with it {len(after)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped weights; write nothing")
    parser.add_argument("--loao", action="store_true", help="leave one author out; write nothing")
    parser.add_argument("--at", type=float, nargs="*", default=[THRESHOLD], help="thresholds to report (--loao)")
    parser.add_argument("--ratio", type=float, nargs="*", default=[HONEST_PER_HOSTILE],
                        help="per-script abstentions to report: honest per hostile training subjects (--loao)")
    parser.add_argument("--rules-cache", type=Path, help="keep the rules' results here between runs (--loao)")
    parser.add_argument("--gate", action="store_true", help="measure the lone-phrase gate instead (--loao)")
    parser.add_argument("--witness", type=float, nargs="*", default=[WITNESS], help="witness levels (--gate)")
    args = parser.parse_args(argv)
    if args.loao and args.gate:
        rows = adversarial_rows() + real_rows()
        rules = rules_marked(args.rules_cache)
        probs, seen = out_of_author(rows)
        for gated in (grading.GATED, grading.PHRASE_RULES):
            for witness in args.witness:
                for ratio in args.ratio:
                    print("\n".join(gate_table(rows, probs, seen, rules, witness, ratio, gated)) + "\n", flush=True)
        return 0
    if args.loao:
        rows = adversarial_rows() + real_rows()
        rules = rules_alone(args.rules_cache)
        probs, seen = out_of_author(rows)
        for at in args.at:
            for ratio in args.ratio:
                print("\n".join(table(rows, probs, seen, rules, at, ratio)) + "\n")
        return 0
    return ship(build(), TARGET, ROOT, check=args.check)


if __name__ == "__main__":
    raise SystemExit(main())
