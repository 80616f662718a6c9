"""The explorer widget's logic, driven from Python as a notebook user would drive it (no browser)."""

from __future__ import annotations

import pytest

import mcprisk
from mcprisk.assessment import assess
from mcprisk.explore import Explorer

from inprocess import demo_snapshot, demo_snapshots

CONTROLS_TO_INTERNAL = ("authn_authz", "audit_logs", "origin_validation", "https", "network_isolation",
                        "rate_limits", "tool_scopes", "off_switch", "secret_redaction", "consent_approvals")


@pytest.fixture(scope="module")
def base():
    inv = mcprisk.parse_inventory("stage: production\naudience: team\n")
    return assess(demo_snapshots("support-desk", "web-research"), inventory=inv)


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


# -- closing the what-if loop (issue: support-desk stayed local whatever was declared) ------------------------

SUPPORT = "support-desk"
DANGEROUS = ("run_sql",)


def test_the_editor_answers_every_inventory_question(explorer):
    """The editor has a row per credential the server's tools can use and per data store its service implies,
    and a widget for each server question placement asks (stage, tenants, why remote, managed alternative,
    third-party proxying and its review, complete listing)."""
    explorer.server.value = SUPPORT
    ed = explorer.editor
    names = {r.name for r in ed.credentials.children}
    assert {"SUPPORT_DB_URL", "STRIPE_API_KEY", "SMTP_PASSWORD", "SLACK_BOT_TOKEN", "SANDBOX_CLOUD_TOKEN"} <= names
    assert ed.data_stores.children, "the store its service implies is offered"
    for w in (ed.stage, ed.tenants, ed.remote_reason, ed.managed, ed.proxies, ed.reviewed, ed.complete):
        assert w.description


def test_declaring_credentials_and_stores_moves_support_desk_beyond_local(explorer):
    """Describe every credential (narrow, kept safely) and data store, list them as complete, say the third-party
    proxying was reviewed, tick the controls and disable the tool that runs SQL: support-desk may then run as
    internal_http, and the banner says it moved."""
    explorer.server.value = SUPPORT
    assert explorer.assessment.placement(SUPPORT).recommended == "local_stdio"
    for row in list(explorer.editor.credentials.children):
        explorer.declare_credential(row.name)
    for row in list(explorer.editor.data_stores.children):
        explorer.declare_data_store(row.name)
    explorer.complete.value = True
    explorer.editor.reviewed.value = True  # its Stripe, SMTP, Slack and sandbox proxying was reviewed
    for control in (*CONTROLS_TO_INTERNAL, "proxy_consent"):
        explorer.declare_control(control)
    assert explorer.assessment.placement(SUPPORT).recommended == "local_stdio"  # run_sql still holds it
    for name in DANGEROUS:
        explorer.tool.value = name
        explorer.disabled.value = True
    p = explorer.assessment.placement(SUPPORT)
    assert p.recommended == "internal_http" and "NOGO01" not in p.blocked_by
    assert "was <code>local_stdio</code> &rarr; now <code>internal_http</code>" in explorer.banner.value
    cred = explorer.inventory.credential("STRIPE_API_KEY")
    assert cred.breadth == "narrow" and cred.well_kept and SUPPORT in cred.servers


def test_undescribing_a_credential_brings_nogo01_back(explorer):
    """Setting a credential back to '(not described)' removes it from the inventory again."""
    explorer.server.value = SUPPORT
    explorer.complete.value = True
    for row in list(explorer.editor.credentials.children):
        explorer.declare_credential(row.name)
    assert "NOGO01" not in explorer.assessment.placement(SUPPORT).blocked_by
    explorer.editor.credential_row("STRIPE_API_KEY").kind.value = "(not described)"
    assert explorer.inventory.credential("STRIPE_API_KEY") is None
    assert "NOGO01" in explorer.assessment.placement(SUPPORT).blocked_by


def test_disabling_every_mutating_tool_clears_cred001_in_the_explorer(explorer):
    """Disable every mutating tool of support-desk in the widget: no CRED001 is left in its findings."""
    explorer.server.value = SUPPORT
    assert "CRED001@support-desk" in explorer.findings_html.value
    for ta in [t for t in explorer.assessment.tools_of(SUPPORT) if t.mutating]:
        explorer.tool.value = ta.tool
        explorer.disabled.value = True
    assert "CRED001" not in explorer.findings_html.value
    assert not [f for f in explorer.assessment.findings if f.code == "CRED001" and f.server == SUPPORT]


def test_overriding_a_lying_tool_keeps_its_claim_finding():
    """Overriding the lying issue_refund in the widget keeps ANN001, marked as an operator override."""
    ex = Explorer(assess([demo_snapshot(SUPPORT, insecure="lying-annotations")]))
    ex.tool.value = "issue_refund"
    ex.override.value = "read_only"
    assert ex.assessment.tool(SUPPORT, "issue_refund").overridden
    assert "ANN001@support-desk@issue_refund" in ex.findings_html.value
    assert "(operator override)" in ex.findings_html.value


def test_the_widget_shows_the_state_it_was_created_with(base):
    """A new explorer's widgets and banner show the assessment it was given; driving a second explorer built on
    the same assessment leaves the first as it was."""
    shown, driven = Explorer(base), Explorer(base)
    before = shown.banner.value
    driven.server.value = "web-research"
    driven.complete.value = True
    for control in CONTROLS_TO_INTERNAL:
        driven.declare_control(control)
    assert shown.banner.value == before and "(as when opened)" in before
    assert not any(box.value for box in shown.controls.values())


def test_effect_filter_is_a_row_of_checkboxes(explorer):
    """The effects filter is one visible checkbox per effect (all ticked at first), settable as a tuple."""
    assert all(box.value for box in explorer.effects.boxes.values())
    explorer.effects.boxes["read_only"].value = False
    assert "read_only" not in explorer.effects.value
    assert all(t.primary != "read_only" or len(t.effects) > 1 for t in explorer.visible_tools())


def test_every_column_of_the_tool_table_has_a_header(explorer):
    """The tool table names every column, the notes one included."""
    head = explorer.tools_html.value.split("</thead>")[0]
    assert head.count("<th>") == 5 and "<th></th>" not in head and "confidence and notes" in head


def test_export_goes_to_an_absolute_path_shown_as_a_link(base, tmp_path, monkeypatch):
    """A relative report_dir is resolved once; the status names the absolute folder and links the page."""
    monkeypatch.chdir(tmp_path)
    ex = Explorer(base, report_dir="out")
    assert ex.report_dir == tmp_path / "out" and str(tmp_path / "out") in ex.status.value
    ex.export_report()
    assert (tmp_path / "out" / "report.html").exists()
    assert f'href="{(tmp_path / "out" / "report.html").as_uri()}"' in ex.status.value
