"""Train the classifier's learned reading and write the packaged weights (deterministic: same data, same file).

    python scripts/train_classifier_model.py            # train on the tuning part, write mcprisk/catalog/classifier_model.json
    python scripts/train_classifier_model.py --check    # train, and fail unless the shipped file has the same checksum

The model is trained on the development split's tuning part only (``classifier_eval.blind_slice``), so the
blind slice stays a measure of servers neither the rules nor the model have seen; the held-out split is never
read. Thresholds (``training.DEFAULTS``) were picked by 5-fold cross-validation grouped by server within the
tuning part.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from classifier_eval import blind_slice, load_split  # noqa: E402

from mcprisk.classify.learned import MODEL_FILE  # noqa: E402
from mcprisk.classify.training import DEFAULTS, examples, model_body  # noqa: E402

TARGET = ROOT / "mcprisk" / "catalog" / MODEL_FILE


def build() -> dict:
    """The JSON body of the model trained on the tuning part, with the default settings."""
    tuning, _ = blind_slice(load_split("dev"))
    return model_body([examples(s.snapshot, s.labels, s.slug) for s in tuning], DEFAULTS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped weights; write nothing")
    args = parser.parse_args(argv)
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
