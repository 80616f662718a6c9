"""The explorer widget's logic, driven from Python as a notebook user would drive it (no browser)."""

from __future__ import annotations

import pytest

import mcprisk
from mcprisk.assessment import assess
from mcprisk.demo import demo_spec
from mcprisk.explore import Explorer

CONTROLS_TO_INTERNAL = ("authn_authz", "audit_logs", "origin_validation", "https", "network_isolation",
                        "rate_limits", "tool_scopes", "off_switch", "secret_redaction", "consent_approvals")


@pytest.fixture(scope="module")
def base():
    inv = mcprisk.parse_inventory("stage: production\naudience: team\n")
    return assess(mcprisk.introspect_many([demo_spec("support-desk"), demo_spec("web-research")]), inventory=inv)


@pytest.fixture
def explorer(base):
    ex = Explorer(base)
    ex.server.value = "web-research"
    return ex


def test_declaring_controls_opens_internal_hosting(explorer):
    """Ticking the missing controls moves the recommendation from local to internal HTTP, step by step."""
    assert "recommended local_stdio" in explorer.placement_text()
    explorer.complete.value = True
    for control in CONTROLS_TO_INTERNAL:
        explorer.declare_control(control)
    assert "recommended internal_http" in explorer.placement_text()
    assert explorer.assessment.placement("web-research").recommended == "internal_http"
    assert "internal_http" in explorer.placement_html.value


def test_unticking_a_control_closes_it_again(explorer):
    """Removing one required control takes the recommendation back to local."""
    explorer.complete.value = True
    for control in CONTROLS_TO_INTERNAL:
        explorer.declare_control(control)
    explorer.declare_control("authn_authz", False)
    assert "recommended local_stdio" in explorer.placement_text()
    assert not explorer.inventory.control_declared("web-research", "authn_authz")


def test_filters_narrow_the_tool_list(explorer):
    """Effect and flag filters pick which tools the table shows."""
    everything = {t.tool for t in explorer.visible_tools()}
    explorer.effects.value = ("customer_visible",)
    assert {t.tool for t in explorer.visible_tools()} == {"share_link"}
    explorer.effects.value = ("read_only",)
    explorer.flags.value = ("external_egress",)
    shown = {t.tool for t in explorer.visible_tools()}
    assert shown and shown < everything and "web_search" not in shown
    assert "share_link" not in explorer.tools_html.value


def test_override_and_disable_a_tool(explorer):
    """Overriding a tool's effect is an operator declaration that wins; disabling it is recorded."""
    explorer.tool.value = "save_bookmark"
    explorer.override.value = "destructive"
    ta = explorer.assessment.tool("web-research", "save_bookmark")
    assert ta.primary == "destructive" and ta.overridden
    explorer.disabled.value = True
    assert explorer.assessment.tool("web-research", "save_bookmark").disabled
    explorer.override.value = "(as classified)"
    assert not explorer.assessment.tool("web-research", "save_bookmark").overridden


def test_switching_server_syncs_the_inputs(explorer):
    """Choosing another server shows that server's declarations and tools."""
    explorer.declare_control("audit_logs")
    explorer.server.value = "support-desk"
    assert not explorer.controls["audit_logs"].value
    assert "run_sql" in explorer.tool.options
    explorer.server.value = "web-research"
    assert explorer.controls["audit_logs"].value


def test_findings_follow_the_server(explorer):
    """The findings panel lists the chosen server's findings (and flows that involve it)."""
    explorer.server.value = "support-desk"
    assert "CRED001@support-desk" in explorer.findings_html.value


def test_export_writes_the_current_assessment(explorer, tmp_path):
    """The export button writes the report of the assessment as currently declared."""
    explorer.report_dir = tmp_path / "report"
    explorer.declare_control("audit_logs")
    explorer.export.click()
    written = sorted(p.name for p in (tmp_path / "report").iterdir())
    assert any(name.endswith(".html") for name in written)
    assert "wrote" in explorer.status.value


def test_split_plan_is_shown_and_applied(explorer):
    """The split plan for the chosen server is shown; the button moves its tools off the server (disables
    them), the placement is recomputed, and the next plan has nothing left to move."""
    explorer.server.value = "support-desk"
    plan = explorer.assessment.split_plan("support-desk")
    assert plan is not None and plan.move and explorer.split_text() == plan.text
    assert "split plan (internal_http)" in explorer.split_html.value and not explorer.apply_split.disabled
    assert "<code>run_sql</code>" in explorer.split_html.value
    before = explorer.assessment.placement("support-desk").blocked_by
    explorer.apply_split.click()
    for name in plan.move:
        assert explorer.inventory.tool_disabled("support-desk", name)
        assert explorer.assessment.tool("support-desk", name).disabled
    after = explorer.assessment.placement("support-desk")
    assert set(after.blocked_by) < set(before) and "NOGO05" not in after.blocked_by
    assert explorer.assessment.split_plan("support-desk").move == ()
    assert f"moved {len(plan.move)} tool(s)" in explorer.status.value


def test_disabling_a_tool_can_clear_what_holds_the_server_back(explorer):
    """Disabling the one tool that holds web-research back (share_link, ungated) takes it off held_back_by."""
    assert [h.tool for h in explorer.assessment.placement("web-research").held_back_by] == ["share_link"]
    assert "held back by: share_link" in explorer.split_html.value
    explorer.tool.value = "share_link"
    explorer.disabled.value = True
    assert explorer.assessment.placement("web-research").held_back_by == ()


def test_each_tool_shows_its_own_placement(explorer):
    """The tool table and tool_placement_text show where each tool could be offered on its own."""
    explorer.tool.value = "share_link"
    text = explorer.tool_placement_text()
    assert text.startswith("share_link: local_stdio on its own.") and "NOGO05" in text
    assert "<th>own placement</th>" in explorer.tools_html.value
