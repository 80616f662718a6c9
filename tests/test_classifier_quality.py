"""The classifier measured on hand-labelled tools of real servers: the development set and a held-out set."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from classifier_eval import Report, evaluate, load_holdout, load_labelled

# Issue targets (on the development set): under-classified <= 3%, mutating recall >= 97%,
# mutating precision >= 90%, exact primary >= 80%, per-flag F1 >= 0.8.
# The floors below are what the suite holds the classifier to: the figures achieved, rounded down a
# little. The held-out set (servers the rules were not tuned on) is measured too, with floors just
# below what it achieves, so a change that only helps the development set shows up here.


@dataclass(frozen=True)
class Floors:
    min_rows: int
    under_max: float
    recall_min: float
    precision_min: float
    exact_min: float
    flag_f1_min: dict[str, float]


FLOORS = {
    "dev": Floors(400, under_max=0.03, recall_min=0.98, precision_min=0.95, exact_min=0.90,
                  flag_f1_min={"private_data": 0.87, "untrusted_content": 0.88, "external_egress": 0.85,
                               "code_execution": 0.90, "credential_access": 0.82}),
    "holdout": Floors(150, under_max=0.09, recall_min=0.98, precision_min=0.95, exact_min=0.80,
                      flag_f1_min={"private_data": 0.87, "untrusted_content": 0.65, "external_egress": 0.60,
                                   "code_execution": 0.65, "credential_access": 0.70}),
}
LOADERS = {"dev": load_labelled, "holdout": load_holdout}


@pytest.fixture(scope="module", params=sorted(FLOORS))
def measured(request) -> tuple[str, Report]:
    rows = LOADERS[request.param]()
    assert len(rows) >= FLOORS[request.param].min_rows
    return request.param, evaluate(rows)


def test_report_is_printed(measured, capsys):
    """The measured figures of each set are printed for the log (run with -s to see them)."""
    name, report = measured
    with capsys.disabled():
        print(f"\n[{name}] " + report.summary())
    assert report.n >= FLOORS[name].min_rows


def test_few_tools_are_under_classified(measured):
    """Predicting a less severe primary effect than the label is the costly error: it stays rare."""
    name, report = measured
    assert report.under_rate <= FLOORS[name].under_max


def test_mutating_tools_are_found(measured):
    """Nearly every tool that changes something is predicted as mutating, and few reads are."""
    name, report = measured
    assert report.mutating_recall >= FLOORS[name].recall_min
    assert report.mutating_precision >= FLOORS[name].precision_min


def test_primary_effect_is_usually_exact(measured):
    """Most tools get exactly the labelled primary effect."""
    name, report = measured
    assert report.exact_rate >= FLOORS[name].exact_min


def test_flags(measured):
    """Each flag is found with at least its floor F1."""
    name, report = measured
    low = {flag: round(report.f1(flag), 3) for flag, floor in FLOORS[name].flag_f1_min.items()
           if report.f1(flag) < floor}
    assert not low, f"{name}: flags below their floor: {low}"


def test_sets_do_not_share_servers():
    """The held-out set measures generalisation only while none of its servers is in the development set."""
    dev = {row.server for row in load_labelled()}
    held = {row.server for row in load_holdout()}
    assert not dev & held
