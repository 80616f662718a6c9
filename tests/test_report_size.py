"""Reports of a whole organisation's config (45 real servers, about 1,400 tools) stay readable and small, and
fold detail without losing a fact."""

from __future__ import annotations

import json

import jsonschema
import pytest

from mcprisk import render_html, render_json
from mcprisk.assessment import assess
from mcprisk.render import expand_report, report_evidence, report_schema
from mcprisk.render._data import report_data

from fleet import fleet
from report_support import report_facts

pytestmark = pytest.mark.slow  # reports of 45 servers

HTML_LIMIT = 1_500_000  # bytes: the budget for 45 servers
JSON_LIMIT = 1_800_000  # bytes: the 2 MB less headroom for what the rules will add (version 4), with every
# description and evidence quote kept (1.75 MB until round 8 of the classifier: its raised and contested readings carry
# their evidence, 1,752,690 bytes)


@pytest.fixture(scope="module")
def org():
    """45 servers of the labelled development corpus, assessed together as one client config."""
    snaps = fleet()
    assert len(snaps) == 45 and 1300 <= sum(len(s.tools) for s in snaps) <= 1500
    return assess(snaps)


@pytest.fixture(scope="module")
def page(org):
    return render_html(org)


def test_html_for_45_servers_is_under_budget(page):
    """The 45-server HTML report is at most 1.5 MB."""
    assert len(page.encode("utf-8")) <= HTML_LIMIT


@pytest.fixture(scope="module")
def written(org):
    """The 45-server JSON report as written (version 4) and as loaded."""
    text = render_json(org)
    return text, json.loads(text)


def test_json_for_45_servers_is_under_budget(written):
    """The 45-server JSON report (version 4: what repeats stored once) is at most 1.75 MB, its evidence rows,
    kinds and classes are distinct, and its evidence references resolve."""
    text, data = written
    assert len(text.encode("utf-8")) <= JSON_LIMIT
    tool = data["servers"][0]["tools"][0]
    assert report_evidence(data, tool["evidence"])
    assert len(data["evidence"]) == len({tuple(r) for r in data["evidence"]})
    assert len(data["evidence_kinds"]) == len({tuple(k) for k in data["evidence_kinds"]}) < len(data["evidence"])
    assert len(data["evidence_classes"]) == len({tuple(c) for c in data["evidence_classes"]}) < len(data["evidence_kinds"])


def test_json_v4_reads_back_whole(org, written):
    """expand_report puts back every entry a version 4 report shortened: the result equals the whole body
    (every description, evidence quote, title, default) entry for entry."""
    whole = json.loads(json.dumps(report_data(org, whole=True)))
    expanded = expand_report(written[1])
    assert expanded == whole
    descriptions = [t["description"] for s in expanded["servers"] for t in s["tools"]]
    assert descriptions == [t.description for s in org.snapshots for t in s.tools]


def test_json_v4_stores_repeats_once_and_validates(org, written):
    """The fleet's report stores no-go titles, control meanings and step questions once (defaults), leaves out
    the default tool placement, and validates against the shipped schema."""
    data = written[1]
    jsonschema.Draft202012Validator(report_schema()).validate(data)
    no_go = [n for s in data["servers"] for n in s["placement"]["no_go"]]
    assert data["defaults"]["no_go"] and sum("title" in n for n in no_go) < len(no_go) // 10
    assert data["defaults"]["controls"]["authn_authz"]["why"] and data["defaults"]["rationale"]["DT1"]["question"]
    tools = [t for s in data["servers"] for t in s["tools"]]
    assert sum("placement" in t for t in tools) < len(tools) // 2
    assert all({"primary", "effects", "flags", "confidence", "description"} <= set(t) for t in tools)
    assert all({"code", "server", "subject", "severity"} <= set(f) for f in data["findings"])
    assert all({"state", "pattern", "reasons", "summary"} <= set(s["verdict"]) for s in data["servers"])
    assert all(s["placement"]["recommended"] for s in data["servers"])


def test_json_v4_stores_server_repeats_once(written):
    """Version 4 keeps once what version 3 wrote per server or finding: placement fields most servers share,
    evidence lines' shared words, finding tools and control words the placement has; finding ids stay."""
    data = written[1]
    placements = [s["placement"] for s in data["servers"]]
    shared = data["defaults"]["placement"]
    assert {"assumptions", "current_reason"} <= set(shared) and not any("assumptions" in p for p in placements)
    signs = [n for p in placements for n in p.get("no_go", shared.get("no_go", []))]
    assert sum(n.get("says", "").startswith("is destructive") for n in signs) >= 10
    findings = data["findings"]
    assert all(f["id"].startswith(f"{f['code']}@{f['server']}") for f in findings)
    assert sum("tools_as" in f for f in findings) > len(findings) // 3
    assert sum(f.get("message_fields", False) for f in findings) >= sum(f["code"] == "PLC003" for f in findings) // 2
    assert any("private" not in f for f in data["flows"])


def test_other_report_versions_are_read_or_refused(written):
    """A version 2 report is read as it is (its evidence rows whole); another version, or another format, is
    refused with a message that names it."""
    v2 = {**expand_report(written[1]), "format_version": 2}
    assert expand_report(v2) == v2
    refs = v2["servers"][0]["tools"][0]["evidence"]
    assert report_evidence(v2, refs) == report_evidence(written[1], refs)
    with pytest.raises(ValueError, match="format_version 99"):
        expand_report({**written[1], "format_version": 99})
    with pytest.raises(ValueError, match="not an mcprisk report"):
        expand_report({"format": "mcprisk.snapshot", "format_version": 1})


def test_large_report_keeps_every_fact(org, page):
    """Every finding id, tool name and control status of the 45 servers is in the page (folded or in the
    one-line lists of quiet tools)."""
    names = {t.tool for t in org.tools}
    facts = report_facts(page, names)
    assert facts["findings"] == {f.id for f in org.findings}
    assert facts["tools"] == names
    statuses = {(p.server, i, c.status) for p in org.placements for i, c in enumerate(p.required_controls)}
    assert facts["controls"] == statuses


def test_large_report_folds_tools_per_server(org, page):
    """In a long report each server's tools sit in a fold of their own, and quiet tools are named on one line."""
    assert page.count('<details class="section"><summary><b>') >= len(org.servers)
    assert "more tool(s): <code>" in page
