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
