"""Resources assessed for the data they expose, prompts for the tools and resources they drive."""

from __future__ import annotations

import pytest

import mcprisk
from mcprisk.graph import prompt_drives
from mcprisk.inventory import load_inventory
from mcprisk.rules import rule_info
from mcprisk.snapshot import item_from_wire
from mcprisk.surfaces import PROMPT_RULES, RESOURCE_RULES, assess_resource

from inprocess import demo_snapshots
from placement_kit import EXAMPLE
from report_support import snapshot, tool


@pytest.fixture(scope="module")
def demos():
    """support-desk and web-research, introspected live (served in process)."""
    return demo_snapshots("support-desk", "web-research")


@pytest.fixture(scope="module")
def bare(demos):
    return mcprisk.assess(demos)


@pytest.fixture(scope="module")
def example(demos):
    return mcprisk.assess(demos, inventory=load_inventory(EXAMPLE))


def resource(uri: str, name: str, description: str = "", title: str | None = None):
    raw = {"uri": uri, "name": name, "description": description, **({"title": title} if title else {})}
    return item_from_wire("resources", raw, max_text_chars=4000)


def prompt(name: str, description: str = "", arguments=()):
    return item_from_wire("prompts", {"name": name, "description": description, "arguments": list(arguments)},
                          max_text_chars=4000)


# -- resources ---------------------------------------------------------------------------------------


def test_demo_resources_are_flagged_for_the_data_they_expose(bare):
    """The customer schema and customer exports are private data, a cached web page is untrusted content,
    the refund policy and knowledge-base articles are neither."""
    flags = {r.uri: r.flags for r in bare.resources}
    assert flags["support://customers/schema"] == ("private_data",)
    assert flags["support://exports/{export_id}"] == ("private_data",)
    assert flags["research://pages/{page_id}"] == ("untrusted_content",)
    assert flags["support://policies/refunds"] == () and flags["support://kb/{article_id}"] == ()
    assert {r.kind for r in bare.resources} == {"resource", "template"}


def test_a_declared_data_store_lends_its_classification(example):
    """With the example inventory, the exports template serves the customer_exports store (RES105)."""
    exports = next(r for r in example.resources if r.uri == "support://exports/{export_id}")
    assert any(ev.rule == "RES105" and ev.text == "customer_exports" for ev in exports.evidence)


def test_secrets_in_a_resource_are_flagged_and_found():
    """A .env file exposed as a resource is credential_access and raises RES001."""
    env = resource("file:///srv/app/.env", "app_env", "Environment of the app")
    assert assess_resource(env, "files").flags == ("credential_access",)
    snap = mcprisk.Snapshot(server=mcprisk.ServerSpec.stdio(["files"], name="files"), status="complete",
                            resources=(env,))
    a = mcprisk.assess(snap)
    assert [f.id for f in a.findings if f.code == "RES001"] == ["RES001@files@resource:file:///srv/app/.env"]


def test_private_resources_need_identified_and_logged_readers(bare, example):
    """RES002 fires for private resources of a shared server without authn_authz and audit_logs, and clears
    once both are declared (the example inventory) or the audience is a single user."""
    assert {f.subject for f in bare.findings if f.code == "RES002"} == {
        "resource:support://customers/schema", "resource:support://exports/{export_id}"}
    assert not [f for f in example.findings if f.code == "RES002"]
    solo = mcprisk.reassess(bare, inventory=mcprisk.parse_inventory("audience: single_user\n"))
    assert not [f for f in solo.findings if f.code == "RES002"]


def test_reference_material_is_not_private():
    """A resource named as a policy or an article is reference material, even on a help-desk server."""
    policy = resource("support://policies/refunds", "refund_policy", "Who may refund what.")
    assert assess_resource(policy, "support-desk", private_service="zendesk").flags == ()


# -- prompts -----------------------------------------------------------------------------------------


def test_demo_prompts_drive_the_tools_they_name(bare):
    """refund_customer drives issue_refund and reply_to_ticket and names the refund policy; it weighs as much
    as issue_refund (destructive)."""
    refund = next(p for p in bare.prompts if p.prompt == "refund_customer")
    assert refund.drives == ("issue_refund", "reply_to_ticket")
    assert refund.resources == ("support://policies/refunds",)
    assert refund.weight == "destructive" == bare.tool("support-desk", "issue_refund").primary
    triage = next(p for p in bare.prompts if p.prompt == "triage_ticket")
    assert triage.weight == "reversible" and triage.ungated == ()


def test_prompt_references_are_graph_edges(bare):
    """The graph links prompts to the tools and resources they name."""
    assert prompt_drives(bare.graph, "support-desk", "refund_customer") == {
        "tools": ("issue_refund", "reply_to_ticket"), "resources": ("refund_policy",)}
    edge = bare.graph.get_edge_data("prompt:support-desk/refund_customer", "tool:support-desk/issue_refund")
    assert edge["references"]["how"] == "names"


def test_prompt_driving_an_ungated_destructive_tool_is_a_finding(bare, example):
    """PRM001 fires for a prompt that drives an approval-worthy tool without an approval gate, graded by the
    worst such tool, and clears once the tools declare approval gates."""
    found = {f.subject: f for f in bare.findings if f.code == "PRM001"}
    refund = found["prompt:refund_customer"]
    assert refund.severity == "high" and set(refund.tools) == {"support-desk/issue_refund",
                                                                "support-desk/reply_to_ticket"}
    assert found["prompt:research_brief"].severity == "medium"
    assert not [f for f in example.findings if f.code == "PRM001"]


def test_a_prompt_assumes_a_tool_by_its_words():
    """A prompt whose words hold every word of a tool's name assumes that tool (PRM103), with a weaker weight."""
    snap = snapshot("shop", tool("issue_refund", "Refund an order in full. Refunds cannot be reversed."),
                    tool("get_order", "Look up one order."))
    snap = mcprisk.Snapshot(server=snap.server, status="complete", tools=snap.tools,
                            prompts=(prompt("refund_customer", "Check a refund against the policy and issue it."),))
    a = mcprisk.assess(snap)
    p = a.prompts[0]
    assert p.drives == ("issue_refund",) and p.weight == a.tool("shop", "issue_refund").primary
    assert p.evidence[0].rule == "PRM103" and p.evidence[0].weight == 0.5


def test_a_disabled_tool_adds_no_weight(demos):
    """A prompt that drives only disabled tools weighs nothing and raises no PRM001 for them."""
    inv = mcprisk.parse_inventory("servers:\n  support-desk:\n    tools:\n      issue_refund: {disabled: true}\n"
                                  "      reply_to_ticket: {disabled: true}\n")
    a = mcprisk.assess(demos, inventory=inv)
    refund = next(p for p in a.prompts if p.prompt == "refund_customer")
    assert refund.weight == "read_only" and refund.ungated == ()


def test_codes_are_documented():
    """Every resource and prompt code has a title and a description; the finding rules are registered."""
    for fn in RESOURCE_RULES:
        assert fn.code.startswith("RES1") and fn.title and len((fn.__doc__ or "").split()) > 10
    assert all(info.title and len(info.description) > 40 for info in PROMPT_RULES.values())
    assert {"RES001", "RES002", "PRM001"} <= set(rule_info())
