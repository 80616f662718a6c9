"""The classifier measured on a labelled development set of real servers' tools."""

from __future__ import annotations

import pytest

from classifier_eval import evaluate, load_labelled

# Floors this suite holds the classifier to. Issue targets: under <= 3%, mutating recall >= 97%,
# mutating precision >= 90%, exact primary >= 80%, per-flag F1 >= 0.8.
UNDER_MAX = 0.075
MUTATING_RECALL_MIN = 0.97
MUTATING_PRECISION_MIN = 0.90
EXACT_MIN = 0.80
FLAG_F1_MIN = {"private_data": 0.80, "untrusted_content": 0.75, "external_egress": 0.60,
               "code_execution": 0.70, "credential_access": 0.55}


@pytest.fixture(scope="module")
def report():
    rows = load_labelled()
    assert len(rows) >= 400
    return evaluate(rows)


def test_report_is_printed(report, capsys):
    """The measured figures are printed for the log (run with -s to see them)."""
    with capsys.disabled():
        print("\n" + report.summary())
    assert report.n >= 400


def test_few_tools_are_under_classified(report):
    """Predicting a less severe primary effect than the label is the costly error: it stays rare."""
    assert report.under_rate <= UNDER_MAX


def test_mutating_tools_are_found(report):
    """Nearly every tool that changes something is predicted as mutating."""
    assert report.mutating_recall >= MUTATING_RECALL_MIN
    assert report.mutating_precision >= MUTATING_PRECISION_MIN


def test_primary_effect_is_usually_exact(report):
    """Most tools get exactly the labelled primary effect."""
    assert report.exact_rate >= EXACT_MIN


@pytest.mark.parametrize("flag", sorted(FLAG_F1_MIN))
def test_flags(report, flag):
    """Each flag is found with at least its floor F1."""
    assert report.f1(flag) >= FLAG_F1_MIN[flag]
