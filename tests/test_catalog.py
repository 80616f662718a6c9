"""The packaged catalog: patterns, controls, no-go signs, decision tree and checklist, with stable ids."""

from __future__ import annotations

import dataclasses

import pytest

from mcprisk.catalog import CONDITIONS, build_catalog, catalog
from mcprisk.model import CONTROLS, PATTERNS, SEVERITIES
from mcprisk.probes import CHECKS

# Frozen on purpose: reports, inventories and tracking files refer to these ids. Changing one is a
# breaking change, and this list is where it shows.
EXPECTED_IDS = {
    "patterns": ("local_stdio", "internal_http", "public_remote", "managed_gateway"),
    "areas": ("CHK01", "CHK02", "CHK03", "CHK04", "CHK05", "CHK06", "CHK07", "CHK08", "CHK09", "CHK10", "FLOOR"),
    "controls": ("authn_authz", "tool_scopes", "credential_rotation", "consent_approvals", "proxy_consent",
                 "rate_limits", "audit_logs", "secret_redaction", "network_isolation", "off_switch",
                 "origin_validation", "https", "localhost_binding"),
    "no_go": ("NOGO01", "NOGO02", "NOGO03", "NOGO04", "NOGO05", "NOGO06", "NOGO07", "NOGO08"),
    "decision_tree": ("DT1", "DT2", "DT3", "DT4", "DT5"),
    "checklist": ("IMP01", "IMP02", "IMP03", "IMP04", "IMP05", "IMP06", "IMP07", "IMP08"),
    "caps": ("CAP01", "CAP02"),
    "states": ("do_not_use", "needs_controls", "ready"),
    "causes": ("hostile_content", "lying_annotations", "redefined", "secret_in_config"),
}


def test_catalog_ids_are_the_frozen_list():
    """Every catalog id is present, in order, exactly as the frozen list says."""
    assert catalog().ids() == EXPECTED_IDS


def test_catalog_ids_are_unique():
    """No id appears twice within its kind."""
    for kind, ids in catalog().ids().items():
        assert len(set(ids)) == len(ids), kind


def test_catalog_patterns_and_controls_match_the_model_vocabulary():
    """The catalog's patterns and controls are exactly model.PATTERNS and model.CONTROLS."""
    cat = catalog()
    assert tuple(p.id for p in cat.patterns) == PATTERNS
    assert tuple(c.id for c in cat.controls) == CONTROLS


def test_every_referenced_control_exists():
    """Controls named by patterns, decision-tree questions, no-go signs and checklist items all exist."""
    cat = catalog()
    referenced = {r.control for p in cat.patterns for r in p.requires}
    referenced |= {r.control for q in cat.decision_tree for r in q.requires}
    referenced |= {c for s in cat.no_go for c in s.controls}
    referenced |= {c for i in cat.checklist for c in i.controls}
    assert referenced <= set(CONTROLS)
    assert {r.when for p in cat.patterns for r in p.requires if r.when} <= set(CONDITIONS)


def test_exposure_ranks_order_the_patterns():
    """local < internal < public, and the managed gateway ranks with public_remote but needs vendor review."""
    cat = catalog()
    assert [cat.rank(p) for p in PATTERNS] == [0, 1, 2, 2]
    assert cat.pattern("managed_gateway").vendor_review and not cat.pattern("public_remote").vendor_review


def test_every_control_has_questions_an_area_and_a_known_severity_input():
    """Each control carries operator questions, a seed area, and an impact usable by severity_from."""
    cat = catalog()
    areas = {a.id for a in cat.areas}
    for c in cat.controls:
        assert c.questions and c.area in areas and 1 <= c.impact <= 4 and c.title


def test_no_go_signs_have_known_severities_and_detections():
    """Each no-go sign says how it is detected, how to clear it, and has a severity from the model."""
    for s in catalog().no_go:
        assert s.severity in SEVERITIES and s.detection and s.clears and s.detected_from


def test_probe_checks_match_the_probe_module():
    """The checks the catalog says verify a control are exactly those the probe maps to that control."""
    from_probe: dict[str, set[str]] = {}
    for check, (control, _severity) in CHECKS.items():
        if control:
            from_probe.setdefault(control, set()).add(check)
    assert {c.id: set(c.probe_checks) for c in catalog().controls if c.probe_checks} == from_probe


def test_http_floor_controls_apply_only_to_http_transports():
    """origin_validation, https and localhost_binding do not apply to stdio; the rest apply everywhere."""
    cat = catalog()
    for c in cat.controls:
        http_only = c.id in ("origin_validation", "https", "localhost_binding")
        assert c.applies_to_transport("stdio") is not http_only
        assert c.applies_to_transport("http")


def test_catalog_is_read_once_and_frozen():
    """catalog() returns the same object every time, and neither it, its collections nor its records can change."""
    cat = catalog()
    assert catalog() is cat
    with pytest.raises(dataclasses.FrozenInstanceError):
        cat.patterns = ()  # type: ignore[misc]
    for f in dataclasses.fields(cat):
        records = getattr(cat, f.name)
        assert type(records) is tuple, f"Catalog.{f.name} is a {type(records).__name__}, which can be changed"
        for record in records:
            assert dataclasses.is_dataclass(record) and type(record).__dataclass_params__.frozen, f.name
    with pytest.raises(dataclasses.FrozenInstanceError):
        cat.controls[0].title = "changed"  # type: ignore[misc]


def test_a_requirement_naming_an_unknown_control_is_refused():
    """build_catalog rejects a pattern that requires a control the model does not know."""
    from mcprisk.catalog import _read_yaml

    patterns = _read_yaml("patterns.yaml")
    broken = {"patterns": [dict(p) for p in patterns["patterns"]]}
    broken["patterns"][0] = {**broken["patterns"][0], "requires": [{"control": "audit_log", "why": "typo"}]}
    with pytest.raises(ValueError, match="unknown control 'audit_log'"):
        build_catalog(broken, _read_yaml("controls.yaml"), _read_yaml("no_go.yaml"),
                      _read_yaml("decision_tree.yaml"), _read_yaml("checklist.yaml"))


def test_a_duplicate_id_is_refused():
    """build_catalog rejects two no-go signs with the same id."""
    from mcprisk.catalog import _read_yaml

    no_go = _read_yaml("no_go.yaml")
    doubled = {"signs": list(no_go["signs"]) + [no_go["signs"][0]]}
    with pytest.raises(ValueError, match="duplicate ids"):
        build_catalog(_read_yaml("patterns.yaml"), _read_yaml("controls.yaml"), doubled,
                      _read_yaml("decision_tree.yaml"), _read_yaml("checklist.yaml"))


def test_lookup_by_unknown_id_raises_key_error():
    """Asking the catalog for an id it does not hold is a KeyError naming the id."""
    with pytest.raises(KeyError, match="NOGO99"):
        catalog().no_go_sign("NOGO99")
    cat = catalog()
    for lookup, records in ((cat.pattern, cat.patterns), (cat.control, cat.controls), (cat.no_go_sign, cat.no_go),
                            (cat.question, cat.decision_tree), (cat.checklist_item, cat.checklist),
                            (cat.cap, cat.caps), (cat.state, cat.states)):
        assert records, lookup.__name__
        assert all(lookup(r.id) is r for r in records), lookup.__name__  # a held id is found, exactly
        with pytest.raises(KeyError, match="NO-SUCH-ID"):
            lookup("NO-SUCH-ID")
