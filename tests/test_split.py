"""Per-tool placement, the tools that hold a server back, and split plans: on the demo servers and by brute force."""

from __future__ import annotations

from itertools import combinations

import pytest

import mcprisk
from mcprisk import place, place_tool
from mcprisk.inventory import Inventory, load_inventory
from mcprisk.placement import SplitPlan, apply_split

from inprocess import demo_snapshot
from placement_kit import ALL_BUT_PROXY, EXAMPLE, SERVER, clean, inventory, tool

SUPPORT = "support-desk"
# Every server-wide control in place but human approval: that is up to the tools.
UNGATED = tuple(c for c in ALL_BUT_PROXY if c != "consent_approvals")


@pytest.fixture(scope="module")
def desk():
    """The support-desk demo server, introspected live (served in process)."""
    return demo_snapshot(SUPPORT)


@pytest.fixture(scope="module")
def bare(desk):
    """support-desk assessed with no inventory: every unanswered question assumed."""
    return mcprisk.assess(desk)


@pytest.fixture(scope="module")
def example(desk):
    """support-desk assessed with data/inventory.example.yaml."""
    return mcprisk.assess(desk, inventory=load_inventory(EXAMPLE))


def unlocks(inv: Inventory, plan: SplitPlan, moved, *, tools, creds, transport="stdio", url=None) -> bool:
    """With ``moved`` disabled and the plan's remaining controls declared, is the target held back by nothing
    but the plan's remaining blockers?"""
    for name in moved:
        inv = inv.with_tool(plan.server, name, disabled=True)
    for control in plan.remaining_controls:
        inv = inv.with_control(plan.server, control, "in_place")
    p = place(plan.server, transport=transport, url=url, tools=tools, tool_credentials=creds, inventory=inv)
    return set(p.blocked_by) <= set(plan.remaining_blockers) and not p.missing_by_pattern[plan.target_pattern]


def assert_minimal(inv: Inventory, plan: SplitPlan, **kw) -> None:
    """``move`` unlocks the target; no proper subset of it does (every subset, by brute force)."""
    assert unlocks(inv, plan, plan.move, **kw)
    for size in range(len(plan.move)):
        for subset in combinations(plan.move, size):
            assert not unlocks(inv, plan, subset, **kw), f"{subset} already unlocks {plan.target_pattern}"


# -- the demo: support-desk ---------------------------------------------------------------------------


def test_every_tool_gets_a_placement_of_its_own(example):
    """Each of support-desk's tools, disabled ones included, has an allowed set, a recommendation and a reason."""
    p = example.placement(SUPPORT)
    assert {tp.tool for tp in p.tools} == {t.tool for t in example.tools_of(SUPPORT)}
    for tp in p.tools:
        assert "local_stdio" in tp.allowed and tp.recommended in tp.allowed and tp.why
    assert example.tool_placement(SUPPORT, "run_sql").disabled
    assert set(example.tool_placement(SUPPORT, "post_to_slack").own_blockers) == {"NOGO05", "NOGO07"}
    assert example.tool_placement(SUPPORT, "send_customer_email").own_blockers == ()


def test_example_split_plan_moves_the_ungated_and_credential_sharing_tools(example):
    """With the example inventory, the internal_http plan moves the ungated senders and spenders and the writers
    sharing the admin database login, and names the credentials to split."""
    plan = example.split_plan(SUPPORT)
    assert plan.target_pattern == "internal_http"
    assert set(plan.move) == {"add_internal_note", "delete_customer_record", "export_customer_data", "post_to_slack",
                              "provision_sandbox", "rotate_api_key", "update_ticket_status"}
    assert "run_sql" not in plan.move + plan.keep  # disabled: neither moved nor kept
    assert {"get_customer", "send_customer_email", "issue_refund"} <= set(plan.keep)
    assert "SUPPORT_DB_URL" in plan.split_credentials and plan.remaining_blockers == ()
    assert plan.text.startswith("Move `add_internal_note`") and "served internally" in plan.text
    assert {h.tool for h in example.placement(SUPPORT).held_back_by} >= set(plan.move)


def test_applying_the_example_plan_yields_internal_hosting(example):
    """Disabling the moved tools and putting the remaining controls in place makes support-desk internal."""
    plan = example.split_plan(SUPPORT)
    after = mcprisk.reassess(example, inventory=apply_split(example.inventory, plan, declare_controls=True))
    p = after.placement(SUPPORT)
    assert p.recommended == "internal_http" and not p.blocked_by
    assert after.split_plan(SUPPORT) is None  # nothing left to split: it is where its audience needs it
    disabled_only = mcprisk.reassess(example, inventory=apply_split(example.inventory, plan))
    assert set(disabled_only.placement(SUPPORT).missing_by_pattern["internal_http"]) == set(plan.remaining_controls)


def test_example_plan_is_minimal_by_brute_force(example):
    """No proper subset of the example plan's moved tools unlocks internal hosting with the same controls."""
    p = example.placement(SUPPORT)
    tools = example.tools_of(SUPPORT)
    creds = mcprisk.graph.tool_credentials(example.graph, SUPPORT)
    assert_minimal(example.inventory, p.split_plan, tools=tools, creds=creds, transport="stdio")


def test_bare_split_plan_keeps_the_read_only_tools_and_lists_what_no_split_fixes(bare):
    """Without an inventory the plan keeps the read-only tools and says that the undeclared stage, the
    unconfirmed inventory and the missing audience must be settled too; applying it leaves exactly those."""
    plan = bare.split_plan(SUPPORT)
    assert plan.target_pattern == "internal_http"
    assert set(plan.keep) == {"get_customer", "integration_status", "list_orders", "read_inbox", "search_tickets"}
    assert plan.remaining_blockers == ("DT1", "NOGO01", "NOGO08")
    assert {"authn_authz", "audit_logs", "origin_validation"} <= set(plan.remaining_controls)
    after = mcprisk.reassess(bare, inventory=apply_split(bare.inventory, plan, declare_controls=True))
    assert after.placement(SUPPORT).blocked_by == plan.remaining_blockers


def test_a_prompt_text_names_the_plan_parts(bare):
    """The plan's sentence names the moved tools and the credentials to split, and the remaining controls and
    blockers in words with their ids."""
    plan = bare.split_plan(SUPPORT)
    for name in (*plan.move, *plan.split_credentials):
        assert f"`{name}`" in plan.text
    for control in plan.remaining_controls:
        assert f"({control})" in plan.text
    assert "identity and authorization (authn_authz)" in plan.text
    assert "these are cleared: still experimental (DT1)" in plan.text


def test_server_is_never_more_exposed_than_its_most_restricted_tool(example, bare):
    """On the demo, the server's recommendation is at most every enabled tool's own."""
    from mcprisk.catalog import catalog

    for a in (example, bare):
        p = a.placement(SUPPORT)
        for tp in p.tools:
            if not tp.disabled:
                assert catalog().rank(p.recommended) <= catalog().rank(tp.recommended)
                assert set(p.allowed) <= set(tp.allowed)


# -- hand-built servers ------------------------------------------------------------------------------


def test_the_tool_whose_recommendation_is_the_servers_holds_it_back():
    """With every server-wide control in place, one ungated destructive tool keeps the server local: it is
    the one held_back_by names, and the plan moves it alone."""
    tools = [tool("search_docs"), tool("get_page"), tool("delete_page", "destructive")]
    inv = inventory(clean(controls_in_place=UNGATED))
    p = place(SERVER, transport="stdio", url=None, tools=tools, tool_credentials={}, inventory=inv)
    assert p.recommended == "local_stdio"
    assert [h.tool for h in p.held_back_by] == ["delete_page"]
    held = p.held_back_by[0]
    assert held.recommended == p.recommended == p.tool("delete_page").recommended
    assert held.reach == "local_stdio" and held.steps == 1 and held.adds == ("NOGO05", "consent_approvals")
    assert p.tool("search_docs").recommended == "internal_http"
    assert p.split_plan.move == ("delete_page",) and p.split_plan.remaining_controls == ()
    assert p.split_plan.text.endswith("may be served internally (internal_http) now. `delete_page` may stay "
                                      "instead, behind a human approval gate and an off switch of its own.")


def test_a_gated_tool_stays_and_the_gate_alternative_holds():
    """Declaring the approval gate the plan suggests lets the tool stay: the server goes internal."""
    tools = [tool("search_docs"), tool("delete_page", "destructive")]
    gated = inventory(clean(tools={"delete_page": {"approval": True}}, controls_in_place=UNGATED))
    p = place(SERVER, transport="stdio", url=None, tools=tools, tool_credentials={}, inventory=gated)
    assert p.recommended == "internal_http" and p.held_back_by == () and p.split_plans == ()


def test_shared_broad_credential_moves_the_fewest_tools():
    """Two writers and one reader share a broad credential: moving the single reader is not enough to clear
    the sign, the smallest fix moves the two writers (or keeps one tool); the plan names the credential."""
    tools = [tool("read_a"), tool("note_b", "reversible"), tool("tag_c", "reversible"), tool("list_d")]
    creds = {"read_a": {"DB"}, "note_b": {"DB"}, "tag_c": {"DB"}, "list_d": {"DB"}}
    doc = clean(credentials=[{"name": "DB", "servers": [SERVER], "breadth": "broad", "kind": "service_account",
                              "storage": "secrets_manager", "rotation": "automatic"}])
    inv = inventory(doc)
    p = place(SERVER, transport="stdio", url=None, tools=tools, tool_credentials=creds, inventory=inv)
    plan = p.split_plan
    assert set(plan.move) == {"note_b", "tag_c"} and plan.split_credentials == ("DB",)
    assert {h.tool for h in p.held_back_by} == {"note_b", "tag_c"}
    assert all(h.shared_with for h in p.held_back_by)
    assert_minimal(inv, plan, tools=tools, creds=creds)


def test_place_tool_matches_the_servers_view_of_that_tool():
    """place_tool on one tool gives the same placement the server reports for it."""
    tools = [tool("search_docs", flags=["private_data"]), tool("send_mail", "customer_visible",
                                                                 flags=["external_egress"])]
    inv = inventory(clean(controls_in_place=UNGATED, credentials=[
        {"name": "SMTP", "servers": [SERVER], "kind": "static_api_key", "breadth": "narrow",
         "storage": "secrets_manager", "rotation": "automatic"}]))
    p = place(SERVER, transport="stdio", url=None, tools=tools, tool_credentials={"send_mail": {"SMTP"}},
              inventory=inv)
    alone = place_tool(SERVER, tools[1], transport="stdio", credentials={"SMTP"}, inventory=inv)
    assert alone == p.tool("send_mail")
    assert alone.recommended == "local_stdio" and "NOGO05" in alone.own_blockers
    assert "internal_http" in alone.missing_controls and alone.to_dict()["recommended"] == "local_stdio"


def test_no_plan_when_the_server_is_where_its_audience_needs_it():
    """A server already at what its audience needs has no split plan and nothing holding it back."""
    p = place(SERVER, transport="stdio", url=None, tools=[tool("search_docs")], tool_credentials={},
              inventory=inventory(clean()))
    assert p.recommended == "internal_http" and p.split_plans == () and p.held_back_by == ()


def test_tools_that_conflict_only_together_are_split_minimally():
    """A reader without an off switch and a writer with one are fine alone; together the server's off switch
    is missing. The plan moves one of them, and no smaller move works."""
    tools = [tool("list_pages"), tool("edit_page", "reversible")]
    controls = tuple(c for c in ALL_BUT_PROXY if c not in ("off_switch", "consent_approvals"))
    inv = inventory(clean(controls_in_place=controls, tools={"edit_page": {"off_switch": True}}))
    p = place(SERVER, transport="stdio", url=None, tools=tools, tool_credentials={}, inventory=inv)
    assert p.recommended == "local_stdio"
    assert all(tp.recommended == "internal_http" for tp in p.tools)
    plan = p.split_plan
    assert len(plan.move) == 1 and plan.reasons[plan.move[0]] == ("off_switch",)
    assert_minimal(inv, plan, tools=tools, creds={})
