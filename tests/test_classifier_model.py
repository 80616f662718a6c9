"""The learned reading beside the rules (mcprisk.classify.learned): the packaged weights, training, and how the
weighing consults it (it raises and adds, explained in the evidence; it never lowers, never accuses; its upward
doubt keeps a reading from ``high``)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from classifier_eval import load_split
from mcprisk.assessment import assess
from mcprisk.classify import classify_tool
from mcprisk.classify.learned import (LEARNED, MODEL_FILE, OUTPUTS, Model, active_model, bucket, decode, encode,
                                      packaged_model, use_model)
from mcprisk.classify.training import Settings, examples, model_body
from mcprisk.model import EFFECTS, FLAGS
from mcprisk.snapshot import Snapshot
from mcprisk.specs import ServerSpec
from support import tool_def as tool

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "mcprisk" / "catalog" / MODEL_FILE


def _pushing(feature: str, toward: str, *, weight: float = 4.0, raise_at: float = 0.5, flag_at: float = 0.5,
             weak_at: float | None = None, dim: int = 64) -> Model:
    """A model whose only non-zero weight pushes ``feature`` toward ``toward`` (an effect or a flag)."""
    n = len(OUTPUTS)
    flat = [0.0] * (dim * n)
    flat[bucket(feature, dim) * n + OUTPUTS.index(toward)] = weight
    bias = [0.0] * len(EFFECTS) + [-6.0] * len(FLAGS)
    weak = {e: weak_at for e in EFFECTS} if weak_at is not None else None
    return decode(encode(dim, bias, flat, {e: raise_at for e in EFFECTS}, {f: flag_at for f in FLAGS}, weak))


def test_packaged_model_loads_and_matches_its_checksum():
    """The shipped weights decode to one row per bucket over every effect and flag, under a megabyte, and the file's
    checksum is the checksum of its content."""
    body = json.loads(SHIPPED.read_text(encoding="utf-8"))
    model = packaged_model()
    assert SHIPPED.stat().st_size < 1_000_000
    assert len(model.rows) == model.dim and all(len(r) == len(OUTPUTS) for r in model.rows[:50])
    unsigned = {k: v for k, v in body.items() if k != "checksum"}
    assert hashlib.sha256(json.dumps(unsigned, sort_keys=True).encode()).hexdigest() == body["checksum"]
    assert model.checksum == body["checksum"]


def test_packaged_model_is_consulted_unless_another_is_chosen():
    """By default the classifier consults the shipped model; ``use_model`` swaps it (None: the rules alone) and
    restores it after the block."""
    assert active_model() is packaged_model()
    with use_model(None):
        assert active_model() is None
    assert active_model() is packaged_model()


def test_training_is_deterministic():
    """The same examples train the same weights, to the checksum."""
    dev = load_split("dev")[:12]
    rows = [examples(s.snapshot, s.labels, s.slug) for s in dev]
    settings = Settings(dim=1 << 10, steps=20)
    assert model_body(rows, settings)["checksum"] == model_body(rows, settings)["checksum"]
    assert model_body(rows, settings)["checksum"] != model_body(rows, Settings(dim=1 << 10, steps=21))["checksum"]


@pytest.mark.slow
def test_training_script_reproduces_the_shipped_weights():
    """scripts/train_classifier_model.py --check trains from the labelled tuning part and gets the shipped checksum."""
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "train_classifier_model.py"), "--check"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_raise_is_explained_and_contested():
    """When the model predicts a more severe effect past its threshold, the tool is raised to it, its confidence is
    contested, and the evidence names the learned source, the feature that weighed and the probability."""
    listing = tool("list_widgets", "List the widgets in the catalogue.")
    with use_model(None):
        before = classify_tool(listing, "shop")
    with use_model(_pushing("n-1:widgets", "destructive")):
        after = classify_tool(listing, "shop")
    assert before.primary == "read_only" and after.primary == "destructive"
    assert after.confidence == "contested"
    learned = [ev for ev in after.evidence if ev.rule == LEARNED.code]
    assert len(learned) == 1 and learned[0].source == "learned" and learned[0].effect == "destructive"
    assert "name ends 'widgets'" in learned[0].text and "(p 0." in learned[0].text
    assert "destructive" in learned[0].detail
    assert learned[0].weight < 0.5  # a hint: never a witness the annotation findings count


def test_a_reading_on_one_witness_is_raised_at_the_lower_threshold():
    """A reading no two sources agree on (``medium``) is raised where the model passes ``weak_at``, though not
    ``raise_at``; the same probability leaves a reading two sources confirm (``high``) where the rules put it."""
    plain = tool("list_widgets", "List the widgets in the catalogue.")
    hinted = tool("list_widgets", "List the widgets in the catalogue.", annotations={"readOnlyHint": True})
    model = _pushing("n-1:widgets", "destructive", weight=2.0, raise_at=0.9, weak_at=0.3)
    with use_model(None):
        assert [classify_tool(t, "shop").confidence for t in (plain, hinted)] == ["medium", "high"]
    with use_model(_pushing("n-1:widgets", "destructive", weight=2.0, raise_at=0.9)):
        assert classify_tool(plain, "shop").primary == "read_only"  # without weak_at: raise_at alone
    with use_model(model):
        weak, firm = classify_tool(plain, "shop"), classify_tool(hinted, "shop")
    assert weak.primary == "destructive" and weak.confidence == "contested"
    assert firm.primary == "read_only"
    assert decode(encode(64, [0.0] * len(OUTPUTS), [0.0] * 64 * len(OUTPUTS), {}, {}, {"destructive": 0.3})).weak_at \
        == {"destructive": 0.3}


def test_a_flag_is_added_with_its_reason():
    """A flag the model is sure of is added, with evidence naming the learned source."""
    reader = tool("list_widgets", "List the widgets in the catalogue.")
    with use_model(_pushing("o:catalogue", "credential_access", weight=10.0)):
        got = classify_tool(reader, "shop")
    assert "credential_access" in got.flags
    assert any(ev.rule == LEARNED.code and ev.flag == "credential_access" and "opening 'catalogue'" in ev.text
               for ev in got.evidence)


def test_the_model_never_lowers_nor_drops():
    """A model sure a delete tool is read-only and carries no flag changes nothing: it only raises and adds."""
    deleter = tool("delete_user", "Delete a user account and all its data.", {"api_key": {"type": "string"}})
    with use_model(None):
        rules = classify_tool(deleter, "crm")
    with use_model(_pushing("n0:delete", "read_only", weight=30.0)):
        got = classify_tool(deleter, "crm")
    assert got.primary == rules.primary == "destructive"
    assert got.flags == rules.flags and got.confidence == rules.confidence
    assert not any(ev.rule == LEARNED.code for ev in got.evidence)


def test_a_model_that_doubts_upward_keeps_a_reading_from_high():
    """A reading the rules call ``high`` becomes ``medium`` when the model puts more than ``DOUBT_AT`` on a more
    severe effect without raising the tool; effects, flags and evidence stay the rules'. A model sure of the rules'
    reading leaves it ``high``."""
    hinted = tool("list_widgets", "List the widgets in the catalogue.", annotations={"readOnlyHint": True})
    with use_model(None):
        rules = classify_tool(hinted, "shop")
    with use_model(_pushing("n-1:widgets", "destructive", weight=1.0, raise_at=0.9)):
        doubted = classify_tool(hinted, "shop")
    with use_model(_pushing("n-1:widgets", "read_only", weight=30.0)):
        sure = classify_tool(hinted, "shop")
    assert rules.confidence == "high" and sure.confidence == "high"
    assert doubted.confidence == "medium"
    assert (doubted.effects, doubted.flags, doubted.evidence) == (rules.effects, rules.flags, rules.evidence)


def test_a_learned_raise_accuses_no_annotation():
    """A tool hinted read-only that only the model reads as destructive draws no ANN001: the learned source is never
    a witness of an accusation."""
    hinted = tool("list_widgets", "List the widgets in the catalogue.", annotations={"readOnlyHint": True})
    snap = Snapshot(server=ServerSpec.stdio(["widget-server"]), status="complete", tools=(hinted,))
    with use_model(_pushing("n-1:widgets", "destructive")):
        result = assess([snap])
    (ta,) = result.tools
    assert ta.primary == "destructive" and ta.confidence == "contested"
    assert not [f for f in result.findings if f.code.startswith("ANN00") and f.code != "ANN003"]


def test_an_override_is_not_second_guessed():
    """An operator's override stands as given: the model adds nothing to it."""
    listing = tool("list_widgets", "List the widgets in the catalogue.")
    with use_model(_pushing("n-1:widgets", "destructive")):
        got = classify_tool(listing, "shop", override={"effects": ["read_only"], "reason": "checked"})
    assert got.primary == "read_only" and got.confidence == "high"


def test_a_cached_classification_is_never_served_under_another_model():
    """``assess`` keeps classifications for reuse keyed by the model in use: assessing the same server under the
    rules alone, under a model that raises a tool, and again under the rules gives each reading, with nothing
    cleared in between."""
    listing = tool("list_widgets", "List the widgets in the catalogue.")
    snap = Snapshot(server=ServerSpec.stdio(["widget-server"]), status="complete", tools=(listing,))
    raising = _pushing("n-1:widgets", "destructive")
    with use_model(None):
        first = assess([snap]).tools[0].primary
    with use_model(raising):
        raised = assess([snap]).tools[0].primary
    with use_model(None):
        again = assess([snap]).tools[0].primary
    assert (first, raised, again) == ("read_only", "destructive", "read_only")
