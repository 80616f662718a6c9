"""Reports of a whole organisation's config (45 real servers, about 1,400 tools) stay readable and small, and
fold detail without losing a fact."""

from __future__ import annotations

import json

import pytest

from mcprisk import render_html, render_json
from mcprisk.assessment import assess
from mcprisk.render import report_evidence

from fleet import fleet
from report_support import report_facts

pytestmark = pytest.mark.slow  # reports of 45 servers

HTML_LIMIT = 1_500_000  # bytes: the budget for 45 servers
JSON_LIMIT = 2_900_000  # bytes: what version 2 reaches with every description and evidence line kept (see README)


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


def test_json_for_45_servers_is_bounded(org):
    """The 45-server JSON report (version 2: evidence once, long lists counted) stays within its bound, and its
    evidence references resolve."""
    text = render_json(org)
    assert len(text.encode("utf-8")) <= JSON_LIMIT
    data = json.loads(text)
    tool = data["servers"][0]["tools"][0]
    assert report_evidence(data, tool["evidence"]) and len(data["evidence"]) == len({tuple(r) for r in
                                                                                    data["evidence"]})


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
