"""Risk tracking: decisions matched to findings by stable id, wildcards, stale entries, and file errors."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcprisk import TrackingError, apply_tracking, load_tracking
from mcprisk.model import Finding
from mcprisk.tracking import TRACKING_STATUSES, Tracking, parse_tracking


def finding(code: str, server: str, subject: str | None = None) -> Finding:
    return Finding(code, f"{code} title", "high", server, subject or server, "message")


FINDINGS = [finding("ANN002", "support-desk", "run_sql"), finding("ANN002", "support-desk", "issue_refund"),
            finding("NOGO05", "support-desk"), finding("PLC001", "web-research")]

TRACKING = """\
version: 1
risks:
  "ANN002@support-desk@*":
    status: accepted
    justification: annotations are fixed upstream in release 2.1
    ticket: SEC-101
    date: 2026-05-01
    reviewer: a.lindqvist
  ANN002@support-desk@run_sql:
    status: mitigated
    ticket: SEC-102
  NOGO05@support-desk:
    status: in_progress
  PLC009@gone:
    status: false_positive
    justification: the rule was retired
"""


@pytest.fixture(scope="module")
def tracking() -> Tracking:
    return parse_tracking(TRACKING, path="tracking.yaml")


def test_entries_keep_their_decision_and_source(tracking):
    """Each entry keeps status, justification, ticket, date, reviewer and where it was written."""
    first = tracking.entries[0]
    assert (first.pattern, first.status, first.ticket, first.date, first.reviewer) == (
        "ANN002@support-desk@*", "accepted", "SEC-101", "2026-05-01", "a.lindqvist")
    assert first.source == "tracking.yaml:3" and first.is_pattern
    assert not tracking.entries[1].is_pattern


def test_status_comes_from_the_most_specific_entry(tracking):
    """An exact id beats a wildcard that also matches it."""
    out, _ = apply_tracking(FINDINGS, tracking)
    status = {f.id: f.status for f in out}
    assert status["ANN002@support-desk@run_sql"] == "mitigated"
    assert status["ANN002@support-desk@issue_refund"] == "accepted"
    assert status["NOGO05@support-desk"] == "in_progress"


def test_accepted_findings_stay_visible_with_a_note(tracking):
    """Accepted risks are kept in the results, marked accepted, with who/when/why in the note."""
    out, _ = apply_tracking(FINDINGS, tracking)
    assert len(out) == len(FINDINGS)
    accepted = next(f for f in out if f.subject == "issue_refund")
    assert accepted.status == "accepted"
    assert accepted.tracking_note == ("accepted (a.lindqvist, 2026-05-01, SEC-101): annotations are fixed upstream "
                                      "in release 2.1 [tracking.yaml:3]")


def test_untracked_findings_are_left_open(tracking):
    """A finding no entry matches keeps status open and no note."""
    out, _ = apply_tracking(FINDINGS, tracking)
    plc = next(f for f in out if f.code == "PLC001")
    assert plc.status == "open" and plc.tracking_note is None


def test_entries_matching_nothing_are_returned(tracking):
    """An entry whose finding no longer exists is reported as unmatched; shadowed wildcards are not."""
    _, unmatched = apply_tracking(FINDINGS, tracking)
    assert [e.pattern for e in unmatched] == ["PLC009@gone"]


def test_an_exact_id_does_not_match_as_a_prefix():
    """NOGO05@support-desk does not match NOGO05@support-desk-2: ids are compared whole."""
    tracking = parse_tracking("risks:\n  NOGO05@support-desk: {status: mitigated}\n")
    out, unmatched = apply_tracking([finding("NOGO05", "support-desk-2")], tracking)
    assert out[0].status == "open" and len(unmatched) == 1


def test_equal_specificity_goes_to_the_first_entry():
    """Two wildcards equally specific: the one written first wins."""
    tracking = parse_tracking("risks:\n  'ANN00?@s@x': {status: in_progress}\n  'ANN001@s@?': {status: mitigated}\n")
    out, _ = apply_tracking([finding("ANN001", "s", "x")], tracking)
    assert out[0].status == "in_progress"


def test_empty_tracking_changes_nothing():
    """No tracking file (or an empty one) leaves findings as they are."""
    for tracking in (Tracking.empty(), parse_tracking(""), parse_tracking("risks: {}\n")):
        out, unmatched = apply_tracking(FINDINGS, tracking)
        assert out == FINDINGS and unmatched == []


def test_load_tracking_reads_a_file(tmp_path):
    """load_tracking reads the file and names it in each entry's source."""
    path = tmp_path / "tracking.yaml"
    path.write_text(TRACKING)
    assert load_tracking(path).entries[2].source == f"{path}:12"


# -- errors ----------------------------------------------------------------------------------------


def test_unknown_status_names_line_and_choices():
    """A status outside the list is an error at its line, listing the valid statuses."""
    with pytest.raises(TrackingError) as info:
        parse_tracking("risks:\n  NOGO01@s:\n    status: wontfix\n", path="t.yaml")
    assert str(info.value) == ("t.yaml:3: risks.NOGO01@s.status: 'wontfix' is not allowed (expected one of: "
                               "unchecked, in_discussion, accepted, in_progress, mitigated, false_positive)")


def test_accepting_without_a_justification_is_refused():
    """accepted and false_positive need a justification."""
    with pytest.raises(TrackingError, match=r"^t.yaml:2: risks.NOGO01@s: missing required key 'justification'"):
        parse_tracking("risks:\n  NOGO01@s: {status: accepted}\n", path="t.yaml")


def test_key_that_is_not_a_finding_id_is_refused():
    """A tracking key must look like CODE@server[@subject]."""
    with pytest.raises(TrackingError, match=r"^t.yaml:2: risks.run_sql: 'run_sql' is not a valid key"):
        parse_tracking("risks:\n  run_sql: {status: mitigated}\n", path="t.yaml")


def test_bad_dates_and_unknown_fields_are_reported_together():
    """An impossible date and an unknown field are both reported, each on its own line."""
    with pytest.raises(TrackingError) as info:
        parse_tracking("risks:\n  A@b:\n    status: mitigated\n    date: 2026-02-30\n    owner: me\n", path="t.yaml")
    assert str(info.value).splitlines() == [
        "t.yaml:4: risks.A@b.date: '2026-02-30' is not a calendar date (expected YYYY-MM-DD)",
        "t.yaml:5: risks.A@b.owner: unknown key (expected one of: status, justification, ticket, date, reviewer)",
    ]


def test_tracking_errors_are_inventory_errors():
    """TrackingError is an InventoryError: one except clause covers both operator files."""
    from mcprisk import InventoryError

    with pytest.raises(InventoryError):
        parse_tracking("risks: [1, 2]\n")


def test_bad_yaml_in_tracking_reports_the_line():
    """Malformed YAML in a tracking file is a TrackingError at the problem's line."""
    with pytest.raises(TrackingError) as info:
        parse_tracking("risks:\n  A@b: {status: mitigated\n", path="t.yaml")
    assert info.value.line == 3


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_fuzzed_tracking_text_gives_tracking_or_tracking_error(text):
    """Any text loads or raises TrackingError naming the file, never another exception; what loads is valid."""
    try:
        tracking = parse_tracking(text, path="t.yaml")
    except TrackingError as exc:
        assert "t.yaml" in str(exc), exc
        return
    assert tracking.path == "t.yaml"
    assert all(e.status in TRACKING_STATUSES and e.pattern for e in tracking.entries), tracking.entries
