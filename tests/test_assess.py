"""Assessment of the demo servers: findings with evidence, the graph's answers, flows, determinism."""

from __future__ import annotations

import json

import pytest

from mcprisk.assessment import _run_rules, assess
from mcprisk.classify import RuleFailure
from mcprisk.graph import blast_radius, reaching, shared_credentials, tool_credentials
from mcprisk.rules import FINDING_RULES, RuleContext, rule_info

from inprocess import demo_snapshot, demo_snapshots


@pytest.fixture(scope="module")
def hostile():
    return assess(demo_snapshot("support-desk", insecure="lying-annotations,poisoned"))


@pytest.fixture(scope="module")
def pair():
    return demo_snapshots(("support-desk", {"profile": "internal"}), "web-research")


def ids(a):
    return {f.id for f in a.findings}


def test_lying_annotations_are_caught(hostile):
    """Tools that claim read-only while their name says delete / run / refund are ANN001 findings."""
    for tool in ("run_sql", "delete_customer_record", "issue_refund"):
        assert f"ANN001@support-desk@{tool}" in ids(hostile)
    finding = next(f for f in hostile.findings if f.id == "ANN001@support-desk@run_sql")
    assert finding.severity == "critical"
    assert {e.source for e in finding.evidence} >= {"annotation", "name"}


def test_honest_annotations_raise_no_contradiction():
    """The default demo server's honest annotations give no ANN001."""
    a = assess(demo_snapshot("support-desk"))
    assert not [f for f in a.findings if f.code == "ANN001"]


def test_poisoned_descriptions_are_caught(hostile):
    """The poisoned tool's forged <IMPORTANT> tag, secret-file ask and concealment, and the server instructions'
    override, are found; the honest tools of the same server are not accused."""
    found = ids(hostile)
    assert {"INJ007@support-desk@add_internal_note", "INJ009@support-desk@add_internal_note",
            "INJ008@support-desk@add_internal_note", "INJ001@support-desk"} <= found
    inj = next(f for f in hostile.findings if f.id == "INJ009@support-desk@add_internal_note")
    assert "~/.ssh/id_rsa" in inj.evidence[0].text and "description @" in inj.evidence[0].text
    content = {f.subject for f in hostile.findings if f.code.startswith("INJ")}
    assert content == {"add_internal_note", "support-desk"}


def test_trifecta_needs_both_servers(pair):
    """Untrusted input + private data + egress appears only with web-research and support-desk together."""
    together = assess(pair)
    alone = [assess(s) for s in pair]
    assert "FLOW001@support-desk+web-research" in ids(together)
    assert together.flows and all(f.cross_server for f in together.flows)
    for a in alone:
        assert not a.flows and not [f for f in a.findings if f.code == "FLOW001"]
    flow = together.flows[0]
    assert flow.private.startswith("support-desk/") and flow.sink.startswith("web-research/")


def test_graph_answers_credential_and_store_questions(hostile):
    """Blast radius, shared credentials and what reaches a data store come from the graph."""
    g = hostile.graph
    radius = blast_radius(g, "STRIPE_API_KEY")
    assert "support-desk/issue_refund" in radius.tools and radius.primary == "destructive"
    assert "STRIPE_API_KEY" in shared_credentials(g)
    assert "STRIPE_API_KEY" in tool_credentials(g, "support-desk")["issue_refund"]
    store = next(d["label"] for _, d in g.nodes(data=True) if d.get("kind") == "datastore")
    reach = reaching(g, store)
    assert "deletes" in reach["support-desk/delete_customer_record"]
    assert reach["support-desk/get_customer"] == ("reads",)
    with pytest.raises(KeyError):
        blast_radius(g, "NO_SUCH_KEY")


def test_shared_credential_finding(hostile):
    """A credential usable by read-only and mutating tools is a CRED001 finding per credential."""
    cred = [f for f in hostile.findings if f.code == "CRED001"]
    assert {f.subject for f in cred} >= {"STRIPE_API_KEY", "SUPPORT_DB_URL"}


def test_rule_registry_is_complete_and_documented():
    """Every finding rule has a unique code, a title, a docstring and a valid severity."""
    codes = [fn.info.code for fn in FINDING_RULES]
    assert len(codes) == len(set(codes))
    for code, info in rule_info().items():
        assert info.title and len(info.description) > 40, code
        assert info.severity in ("info", "low", "medium", "high", "critical")


def test_a_raising_rule_is_reported_not_silent(hostile):
    """A rule that raises becomes a rule failure naming its code, and every other rule's findings still come."""

    def broken(ctx):
        raise RuntimeError("boom")

    broken.info = FINDING_RULES[0].info
    ctx = RuleContext(snapshots=hostile.snapshots, tools={t.key: t for t in hostile.tools}, graph=hostile.graph)
    healthy: list[RuleFailure] = []
    alone = _run_rules(ctx, healthy, rules=FINDING_RULES[1:])
    failures: list[RuleFailure] = []
    found = _run_rules(ctx, failures, rules=(broken, *FINDING_RULES[1:]))
    assert healthy == []
    assert [(f.rule, f.error) for f in failures] == [(FINDING_RULES[0].info.code, "RuntimeError: boom")]
    assert alone and [f.id for f in found] == [f.id for f in alone]


def test_assessment_is_deterministic(pair):
    """The same snapshots give byte-identical assessment data, in any order of servers."""
    one = json.dumps(assess(pair).to_dict(), sort_keys=True)
    two = json.dumps(assess(pair).to_dict(), sort_keys=True)
    assert one == two
    flipped = assess(list(reversed(pair)))
    assert {f.id for f in flipped.findings} == {f.id for f in assess(pair).findings}


def test_duplicate_server_names_are_rejected(pair):
    """Two snapshots with one name cannot be assessed together (finding ids would collide)."""
    with pytest.raises(ValueError, match="unique"):
        assess([pair[0], pair[0]])
