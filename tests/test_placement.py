"""Placement: every branch of the decision tree, every no-go sign, control statuses and the findings."""

from __future__ import annotations

import json
import re

import pytest

from mcprisk import place
from mcprisk.catalog import catalog
from mcprisk.demo.support_desk import CREDENTIALS
from mcprisk.inventory import Inventory, load_inventory
from mcprisk.model import CONTROLS, PATTERNS
from mcprisk.placement import current_pattern, placement_findings

from placement_kit import ALL_BUT_PROXY, EXAMPLE, SERVER, FixedPosture, clean, inventory, tool

READER = tool("search_docs")
WRITER = tool("update_page", "reversible")
SENDER = tool("send_email", "customer_visible", flags=["external_egress"])
DELETER = tool("delete_record", "destructive")
SPENDER = tool("start_vm", "high_cost")


def decide(tools, doc=None, *, transport="http", url="http://10.1.2.3/mcp", creds=None, posture=None,
           complete=True):
    inv = doc if isinstance(doc, Inventory) else inventory(doc)
    return place(SERVER, transport=transport, url=url, tools=tools, tool_credentials=creds or {}, inventory=inv,
                 posture=posture, complete=complete)


def gated(*tools_):
    """Per-tool approval gates and off switches for the given tools."""
    return {t.tool: {"approval": True, "off_switch": True} for t in tools_}


# -- where it runs now -----------------------------------------------------------------------------


@pytest.mark.parametrize(("transport", "url", "expected"), [
    ("stdio", None, "local_stdio"),
    ("http", "http://127.0.0.1:8000/mcp", "local_stdio"),
    ("http", "http://localhost:3000/mcp", "local_stdio"),
    ("sse", "http://[::1]:9000/sse", "local_stdio"),
    ("http", "http://app.localhost/mcp", "local_stdio"),
    ("http", "http://0.0.0.0:8000/mcp", "internal_http"),
    ("http", "http://10.4.0.7/mcp", "internal_http"),
    ("http", "http://172.20.1.1/mcp", "internal_http"),
    ("http", "https://192.168.1.10/mcp", "internal_http"),
    ("http", "http://[fd12:3456::1]/mcp", "internal_http"),
    ("http", "http://100.101.102.103/mcp", "internal_http"),
    ("http", "https://mcp.corp/mcp", "internal_http"),
    ("http", "https://wiki.internal/mcp", "internal_http"),
    ("http", "http://printer.local/mcp", "internal_http"),
    ("http", "http://mcp-gateway:8080/mcp", "internal_http"),
    ("http", "https://mcp.example.com/mcp", "public_remote"),
    ("http", "https://8.8.8.8/mcp", "public_remote"),
    ("http", "http://172.32.0.1/mcp", "public_remote"),
    ("http", None, None),
    ("http", "not a url", None),
])
def test_current_pattern_from_transport_and_host(transport, url, expected):
    """stdio and loopback are local; private addresses and intranet names internal; the rest public."""
    assert current_pattern(transport, url) == expected


def test_inventory_hosting_overrides_detection():
    """The operator's hosting declaration wins over what the URL suggests."""
    assert current_pattern("stdio", None, "internal_http") == "internal_http"
    p = decide([READER], {"servers": {SERVER: {"hosting": "public_remote"}}}, transport="stdio", url=None)
    assert p.current == "public_remote" and "declared in the inventory" in p.current_reason


def test_loopback_http_is_local_and_says_so():
    """A loopback HTTP server counts as local; the rationale names the choice and the HTTP floor still applies."""
    p = decide([READER], transport="http", url="http://127.0.0.1:8000/mcp")
    assert p.current == "local_stdio" and "loopback" in p.current_reason
    assert any("loopback" in a for a in p.assumptions)
    assert p.control("localhost_binding").status == "missing"
    assert p.control("origin_validation").status == "missing"


# -- DT1: experimental? ----------------------------------------------------------------------------


def test_dt1_experimental_keeps_it_local_whatever_is_in_place():
    """An experimental server stays local even with every control declared."""
    p = decide([READER], clean(stage="experimental"))
    assert p.step("DT1").answer == "yes" and not p.step("DT1").assumed
    assert p.recommended == "local_stdio" and p.allowed == ("local_stdio",) and p.blocked_by == ("DT1",)


def test_dt1_unknown_stage_is_assumed_experimental():
    """No declared stage: assumed experimental (recorded), so the recommendation is local."""
    doc = clean()
    del doc["stage"]
    p = decide([READER], doc)
    assert p.step("DT1").answer == "unknown, assumed yes" and p.step("DT1").assumed
    assert p.recommended == "local_stdio" and "DT1" in p.blocked_by
    assert any(a.startswith("DT1 unknown, assumed yes") for a in p.assumptions)


def test_dt1_production_lets_the_tree_continue():
    """A production server with everything in place may be hosted internally."""
    p = decide([READER], clean())
    assert p.step("DT1").answer == "no" and p.recommended == "internal_http"


# -- DT2 / DT3: read-only and low sensitivity, or able to do harm --------------------------------


def test_dt2_read_only_low_sensitivity_needs_only_the_internal_baseline():
    """Read-only tools over internal data: internal hosting with identity, logs, origin and network controls;
    no scopes, approvals or off switch needed."""
    doc = clean(controls_in_place=("authn_authz", "audit_logs", "rate_limits", "network_isolation",
                                   "origin_validation", "https", "secret_redaction"),
                data_stores=[{"name": "docs", "classification": "internal", "servers": [SERVER]}])
    p = decide([READER, tool("list_pages")], doc)
    assert p.step("DT2").answer == "yes" and p.step("DT3").answer == "no"
    assert p.recommended == "internal_http"
    assert p.control("tool_scopes").status == "not_applicable"
    assert p.control("off_switch").status == "not_applicable"
    assert p.missing_by_pattern["public_remote"] == ("tool_scopes", "off_switch")


def test_dt2_unknown_data_is_assumed_sensitive():
    """Read-only tools but no complete data-store list: DT2 assumed no, DT3 assumed yes, DT3 controls required."""
    doc = clean()
    del doc["servers"][SERVER]["inventory_complete"]
    doc["servers"][SERVER]["controls"].pop("tool_scopes")
    p = decide([READER], doc)
    assert p.step("DT2").answer == "unknown, assumed no" and p.step("DT3").answer == "unknown, assumed yes"
    assert "tool_scopes" in p.missing_by_pattern["internal_http"]


def test_dt2_private_data_is_not_low_sensitivity():
    """A read-only tool flagged private_data answers DT2 no and DT3 yes."""
    p = decide([tool("get_customer", flags=["private_data"])], clean())
    assert p.step("DT2").answer == "no" and p.step("DT3").answer == "yes"
    assert "get_customer has private_data" in p.step("DT3").evidence


def test_dt2_sensitive_data_store_answers_dt3_yes():
    """A declared customer_pii data store makes DT3 yes even with read-only, unflagged tools."""
    doc = clean(data_stores=[{"name": "crm", "classification": "customer_pii", "servers": [SERVER]}])
    p = decide([READER], doc)
    assert p.step("DT3").answer == "yes" and "data store crm is customer_pii" in p.step("DT3").evidence


def test_dt3_without_its_controls_stays_local():
    """Mutating tools without scopes, approvals, rate limits, logs and off switch: local only, and the
    missing controls are listed for internal hosting."""
    doc = clean(controls_in_place=("authn_authz", "network_isolation", "origin_validation", "https",
                                   "secret_redaction"), tools=gated(SENDER, DELETER))
    p = decide([READER, SENDER, DELETER], doc)
    assert p.step("DT3").answer == "yes" and p.recommended == "local_stdio" and not p.blocked_by
    assert p.missing_by_pattern["internal_http"] == ("tool_scopes", "rate_limits", "audit_logs", "off_switch")
    assert "Keep" not in p.summary
    assert "internal_http still needs least-privilege tool scopes (tool_scopes), rate limits" in p.summary


def test_dt3_with_its_controls_goes_internal_for_a_team():
    """With the DT3 controls in place and a team audience, the recommendation is internal."""
    p = decide([READER, SENDER, DELETER], clean(tools=gated(SENDER, DELETER)))
    assert p.recommended == "internal_http" and p.allowed == ("local_stdio", "internal_http", "public_remote")
    assert p.control("consent_approvals").status == "declared"


def test_dt3_with_its_controls_goes_public_when_partners_need_it():
    """The same server, with partners as its audience, may be public."""
    p = decide([READER, SENDER, DELETER], clean(audience="partners", tools=gated(SENDER, DELETER)))
    assert p.recommended == "public_remote" and p.need == "public_remote"


def test_undeclared_audience_caps_at_internal():
    """No audience declared: public hosting is never recommended, and the assumption says so."""
    doc = clean(remote_reason={"reason": "other"})
    del doc["audience"]
    p = decide([READER], doc)
    assert p.need == "internal_http" and p.need_assumed and p.recommended == "internal_http"
    assert any("no audience declared" in a for a in p.assumptions)


def test_single_user_audience_needs_nothing_remote():
    """A single-user server is recommended local even when everything is in place (and NOGO08 says why)."""
    doc = clean(audience="single_user")
    del doc["remote_reason"]
    p = decide([READER], doc)
    assert p.recommended == "local_stdio" and [n.id for n in p.no_go] == ["NOGO08"]


def test_approval_gates_come_from_per_tool_declarations_or_the_server():
    """consent_approvals is declared by approval gates on every tool that needs one, or at server level."""
    per_tool = clean(controls_in_place=[c for c in ALL_BUT_PROXY if c != "consent_approvals"],
                     tools=gated(SENDER, SPENDER))
    p = decide([SENDER, SPENDER, WRITER], per_tool)
    consent = p.control("consent_approvals")
    assert consent.status == "declared" and "every tool" in consent.evidence
    switches_only = clean(tools={"send_email": {"off_switch": True}, "start_vm": {"off_switch": True}})
    consent = decide([SENDER, SPENDER, WRITER], switches_only).control("consent_approvals")
    assert consent.status == "declared" and "declared in place" in consent.evidence


def test_consent_approvals_not_required_without_tools_that_need_it():
    """Only reversible changes: consent_approvals does not apply, and says why."""
    p = decide([WRITER], clean())
    assert p.control("consent_approvals").status == "not_applicable"
    assert "no tool sends, publishes, charges or destroys" in p.control("consent_approvals").why


# -- DT4: proxies third parties? -------------------------------------------------------------------


def test_dt4_declared_proxy_requires_proxy_consent_and_a_review():
    """A declared proxy needs proxy_consent; without a consent review NOGO06 blocks remote hosting."""
    doc = clean()
    doc["servers"][SERVER]["proxies_third_party"] = True
    p = decide([READER], doc)
    assert p.step("DT4").answer == "yes" and not p.step("DT4").assumed
    assert "NOGO06" in p.blocked_by and p.recommended == "local_stdio"
    assert "proxy_consent" in p.missing_by_pattern["internal_http"]


def test_dt4_reviewed_proxy_is_cleared_by_the_review_and_the_control():
    """Consent review plus proxy_consent in place: no NOGO06 and internal hosting is allowed."""
    doc = clean(controls_in_place=CONTROLS)
    doc["servers"][SERVER].update(proxies_third_party=True, third_party_consent_reviewed=True)
    p = decide([READER], doc)
    assert not p.no_go and p.recommended == "internal_http"
    assert p.control("proxy_consent").status == "declared"


def test_dt4_is_inferred_from_egress_with_a_credential():
    """Unsaid by the inventory: a tool sending outside with a credential makes DT4 an inferred yes."""
    doc = clean(credentials=[{"name": "SLACK_TOKEN", "kind": "static_api_key", "breadth": "narrow",
                              "storage": "secrets_manager", "rotation": "automatic", "servers": [SERVER]}])
    del doc["servers"][SERVER]["proxies_third_party"]
    p = decide([SENDER], doc, creds={"send_email": {"SLACK_TOKEN"}})
    step = p.step("DT4")
    assert step.answer == "inferred yes" and step.assumed
    assert step.evidence == ("send_email sends to an argument-chosen destination using SLACK_TOKEN",)
    nogo6 = next(n for n in p.no_go if n.id == "NOGO06")
    assert nogo6.assumed


def test_dt4_no_credential_no_inference():
    """Egress without any credential is not read as proxying (inferred no, recorded as an assumption)."""
    doc = clean()
    del doc["servers"][SERVER]["proxies_third_party"]
    p = decide([SENDER], doc)
    assert p.step("DT4").answer == "inferred no" and p.step("DT4").assumed
    assert "proxy_consent" not in p.missing_by_pattern["internal_http"]


def test_dt4_per_user_oauth_credential_means_proxying():
    """A per-user OAuth credential answers DT4 yes, even where proxies_third_party is declared false."""
    doc = clean(credentials=[{"name": "GOOGLE_OAUTH", "kind": "per_user_oauth", "servers": [SERVER]}])
    p = decide([READER], doc)
    assert p.step("DT4").answer == "yes" and "GOOGLE_OAUTH" in p.step("DT4").evidence[0]


def test_dt4_declared_false_is_no():
    """The operator's 'does not proxy' answers DT4 no."""
    p = decide([SENDER], clean(tools=gated(SENDER)), creds={"send_email": {"X"}})
    assert p.step("DT4").answer == "no"


# -- DT5: managed alternative? ---------------------------------------------------------------------


def test_dt5_managed_alternative_turns_public_into_managed_gateway():
    """A public audience plus a managed alternative: managed_gateway, with the vendor-review caveat."""
    p = decide([READER], clean(audience="public", managed_alternative={"available": True, "note": "vendor X"}))
    assert p.step("DT5").answer == "yes" and p.recommended == "managed_gateway"
    assert "managed_gateway" in p.allowed and any("reviewed, not assumed" in a for a in p.assumptions)


def test_dt5_without_alternative_self_hosts_publicly():
    """No managed alternative: public_remote, and managed_gateway is not an allowed option."""
    p = decide([READER], clean(audience="public", managed_alternative={"available": False}))
    assert p.recommended == "public_remote" and "managed_gateway" not in p.allowed


def test_dt5_unknown_is_assumed_no():
    """An undeclared alternative is assumed absent, and recorded."""
    p = decide([READER], clean(audience="public"))
    assert p.step("DT5").answer == "unknown, assumed no" and p.recommended == "public_remote"


def test_dt5_does_not_push_an_internal_server_public():
    """A managed alternative does not raise the recommendation beyond what the audience needs."""
    p = decide([READER], clean(managed_alternative={"available": True}))
    assert p.recommended == "internal_http"


# -- no-go signs -----------------------------------------------------------------------------------


def nogo(p, sign_id):
    return next((n for n in p.no_go if n.id == sign_id), None)


def test_nogo01_incomplete_listing():
    """An incomplete listing is NOGO01, observed (not assumed), and blocks remote hosting."""
    p = decide([READER], clean(), complete=False)
    sign = nogo(p, "NOGO01")
    assert sign and not sign.assumed and "did not complete" in sign.evidence[0]
    assert p.recommended == "local_stdio"


def test_nogo01_undeclared_credential():
    """A credential a tool uses but the inventory does not describe is NOGO01."""
    p = decide([READER], clean(), creds={"search_docs": {"API_KEY"}})
    assert "credential API_KEY is used by a tool but the inventory does not describe it" in nogo(p, "NOGO01").evidence


def test_nogo01_unconfirmed_inventory_is_asked():
    """Without inventory_complete the sign stands as an assumption (ask the operator)."""
    doc = clean()
    del doc["servers"][SERVER]["inventory_complete"]
    sign = nogo(decide([READER], doc), "NOGO01")
    assert sign.assumed and "inventory_complete" in sign.evidence[0]


def test_nogo02_mutating_and_read_only_tools_share_a_broad_credential():
    """A broad credential used by a mutating and a read-only tool is NOGO02, naming both."""
    doc = clean(tools=gated(DELETER), credentials=[
        {"name": "DB", "breadth": "broad", "storage": "secrets_manager", "rotation": "automatic", "servers": [SERVER]}])
    p = decide([READER, DELETER], doc, creds={"search_docs": {"DB"}, "delete_record": {"DB"}})
    sign = nogo(p, "NOGO02")
    assert sign.evidence == ("DB (broad) is used by mutating delete_record and by read-only search_docs",)
    assert sign.tools == ("delete_record", "search_docs") and not sign.assumed


def test_nogo02_undeclared_breadth_is_assumed_broad():
    """A shared credential the inventory does not describe is assumed broad."""
    p = decide([READER, WRITER], None, creds={"search_docs": {"K"}, "update_page": {"K"}})
    sign = nogo(p, "NOGO02")
    assert sign.assumed and "assumed broad" in sign.evidence[0]


def test_nogo02_cleared_by_a_narrow_credential_or_separate_credentials():
    """A narrow credential, or one the inventory narrows to the mutating tool, clears NOGO02."""
    base = {"storage": "secrets_manager", "rotation": "automatic", "servers": [SERVER]}
    narrow = clean(credentials=[{"name": "DB", "breadth": "narrow", **base}])
    shared = {"search_docs": {"DB"}, "update_page": {"DB"}}
    assert nogo(decide([READER, WRITER], narrow, creds=shared), "NOGO02") is None
    split = clean(credentials=[{"name": "DB_RO", "breadth": "broad", "tools": ["search_docs"], **base},
                               {"name": "DB_RW", "breadth": "broad", "tools": ["update_page"], **base}])
    graph_says_both = {"search_docs": {"DB_RO", "DB_RW"}, "update_page": {"DB_RO", "DB_RW"}}
    assert nogo(decide([READER, WRITER], split, creds=graph_says_both), "NOGO02") is None


def test_nogo02_counts_two_mutating_tools_on_one_credential():
    """Two mutating tools sharing a broad credential also raise NOGO02 (monotone: a tool turning mutating
    never clears the sign)."""
    p = decide([WRITER, DELETER], None, creds={"update_page": {"K"}, "delete_record": {"K"}})
    assert "shared by mutating tools delete_record, update_page" in nogo(p, "NOGO02").evidence[0]


def test_nogo03_shared_audience_without_identity():
    """A team audience with no verified or declared authn_authz is NOGO03."""
    doc = clean(controls_in_place=[c for c in ALL_BUT_PROXY if c != "authn_authz"])
    sign = nogo(decide([READER], doc), "NOGO03")
    assert sign and not sign.assumed and sign.evidence[0] == "audience team"


def test_nogo03_multi_tenant_single_user_is_still_shared():
    """Several tenants count as shared, whatever the audience says."""
    doc = clean(audience="single_user", tenants="multi", controls_in_place=("audit_logs",))
    assert "several tenants" in nogo(decide([READER], doc), "NOGO03").evidence


def test_nogo03_assumed_when_audience_unknown_and_cleared_by_a_probe():
    """Unknown audience: NOGO03 assumed; a probe that verifies authentication clears it."""
    p = decide([READER], None)
    assert nogo(p, "NOGO03").assumed
    p = decide([READER], None, posture=FixedPosture({"authn_authz": "verified"}))
    assert nogo(p, "NOGO03") is None and p.control("authn_authz").status == "not_applicable"


def test_nogo03_not_raised_for_a_single_user():
    """One user, one tenant: no access model is needed."""
    assert nogo(decide([READER], {"audience": "single_user"}), "NOGO03") is None


def test_nogo04_secret_logging_assumed_or_declared():
    """No word on redaction: NOGO04 assumed; declared not_in_place: observed; in_place: cleared."""
    assert nogo(decide([READER], None), "NOGO04").assumed
    doc = clean()
    doc["servers"][SERVER]["controls"]["secret_redaction"] = {"status": "not_in_place"}
    sign = nogo(decide([READER], doc), "NOGO04")
    assert sign and not sign.assumed
    assert nogo(decide([READER], clean()), "NOGO04") is None


def test_nogo05_lists_the_tools_without_an_approval_gate():
    """Each send/charge/delete tool without an approval gate is listed; reversible tools are not."""
    doc = clean(controls_in_place=[c for c in ALL_BUT_PROXY if c != "consent_approvals"],
                tools={"send_email": {"approval": True}})
    sign = nogo(decide([WRITER, SENDER, DELETER, SPENDER], doc), "NOGO05")
    assert sign.tools == ("delete_record", "start_vm")
    assert sign.evidence == ("delete_record is destructive and declares no approval gate",
                             "start_vm is high_cost and declares no approval gate")


def test_nogo05_cleared_by_server_level_consent():
    """consent_approvals declared for the server covers every tool."""
    assert nogo(decide([SENDER, DELETER], clean()), "NOGO05") is None


def test_nogo06_unreviewed_proxy():
    """A proxying server without a consent review is NOGO06; the review clears it."""
    doc = clean()
    doc["servers"][SERVER]["proxies_third_party"] = True
    assert nogo(decide([READER], doc), "NOGO06")
    doc["servers"][SERVER]["third_party_consent_reviewed"] = True
    assert nogo(decide([READER], doc), "NOGO06") is None


def test_nogo07_dangerous_tools_without_their_own_off_switch():
    """Destructive/costly/customer-visible tools that cannot be disabled alone are NOGO07; per-tool or
    server-level off switches clear it."""
    doc = clean(controls_in_place=[c for c in ALL_BUT_PROXY if c != "off_switch"],
                tools={"delete_record": {"off_switch": True}})
    sign = nogo(decide([SENDER, DELETER, WRITER], doc), "NOGO07")
    assert sign.tools == ("send_email",) and sign.severity == "medium"
    doc["servers"][SERVER]["tools"]["send_email"] = {"off_switch": True}
    assert nogo(decide([SENDER, DELETER, WRITER], doc), "NOGO07") is None
    assert nogo(decide([SENDER, DELETER], clean()), "NOGO07") is None


def test_nogo08_convenience_only():
    """Remote hosting for convenience is NOGO08; a real reason clears it; silence is assumed."""
    doc = clean(remote_reason={"reason": "other", "convenience_only": True})
    assert not nogo(decide([READER], doc), "NOGO08").assumed
    assert nogo(decide([READER], clean()), "NOGO08") is None
    silent = clean()
    del silent["remote_reason"], silent["audience"]
    assert nogo(decide([READER], silent), "NOGO08").assumed


def test_any_no_go_sign_blocks_every_remote_pattern():
    """One no-go sign keeps the server local although every control is in place."""
    p = decide([READER], clean(remote_reason={"reason": "convenience"}, audience="public"))
    assert p.blocked_by == ("NOGO08",) and p.allowed == ("local_stdio",) and p.recommended == "local_stdio"
    assert p.summary.startswith("Keep svc local: remote hosting is blocked by remote hosting only for convenience "
                                "(NOGO08)")


def test_disabled_tools_are_kept_out_of_the_decision():
    """A tool disabled in the inventory (or by the classifier) raises no sign and needs no control."""
    doc = clean(tools={"delete_record": {"disabled": True}})
    p = decide([READER, DELETER, tool("drop_db", "destructive", disabled=True)], doc)
    assert p.step("DT3").answer == "no" and not p.no_go


# -- control statuses --------------------------------------------------------------------------------


def test_verified_outranks_declared():
    """A probe-verified control is 'verified' even though the inventory also declares it."""
    p = decide([READER], clean(), posture=FixedPosture({"https": "verified"}))
    assert p.control("https").status == "verified" and p.control("audit_logs").status == "declared"


def test_declared_but_observed_missing_is_missing_and_contradicted():
    """A control the inventory declares but the probe saw missing is 'missing', and PLC002 reports it."""
    p = decide([READER], clean(), posture=FixedPosture({"origin_validation": "missing"}))
    assert p.control("origin_validation").status == "missing"
    assert [c.control for c in p.contradicted] == ["origin_validation"]
    assert p.recommended == "local_stdio"
    plc002 = [f for f in placement_findings(p) if f.code == "PLC002"]
    assert [f.id for f in plc002] == ["PLC002@svc@origin_validation"] and plc002[0].severity == "high"


def test_planned_control_is_missing_with_the_plan_as_evidence():
    """'planned' counts as missing, and the evidence quotes the plan."""
    doc = clean()
    doc["servers"][SERVER]["controls"]["rate_limits"] = {"status": "planned", "evidence": "SEC-9"}
    p = decide([READER], doc)
    rate = next(c for c in p.current_controls if c.control == "rate_limits")
    assert rate.status == "missing" and re.fullmatch(r"declared planned \(inv\.yaml:\d+\): SEC-9", rate.evidence)
    assert p.missing_by_pattern["internal_http"] == ("rate_limits",) and p.recommended == "local_stdio"


def test_http_floor_does_not_apply_to_a_local_stdio_server():
    """For a stdio server kept local, origin_validation, https and localhost_binding are not applicable."""
    p = decide([READER], None, transport="stdio", url=None)
    assert p.recommended == "local_stdio"
    for control in ("origin_validation", "https", "localhost_binding"):
        assert p.control(control).status == "not_applicable"
    assert "stdio has no HTTP endpoint" in p.control("origin_validation").why


def test_required_controls_cover_every_control_in_order():
    """required_controls lists all controls, in vocabulary order, each with a reason."""
    p = decide([READER, DELETER], None)
    assert tuple(c.control for c in p.required_controls) == CONTROLS
    assert all(c.why for c in p.required_controls)


def test_credential_rotation_follows_declared_credentials():
    """Every credential in a protected store with a rotation plan establishes credential_rotation."""
    good = {"storage": "secrets_manager", "rotation": "automatic", "breadth": "narrow", "servers": [SERVER]}
    doc = clean(controls_in_place=[c for c in ALL_BUT_PROXY if c != "credential_rotation"],
                credentials=[{"name": "K", **good}])
    p = decide([READER], doc, creds={"search_docs": {"K"}})
    assert p.control("credential_rotation").status == "declared"
    doc["credentials"][0]["storage"] = "config_file"
    assert decide([READER], doc, creds={"search_docs": {"K"}}).control("credential_rotation").status == "missing"


# -- findings ----------------------------------------------------------------------------------------


def test_plc001_when_hosted_more_exposed_than_recommended():
    """An internal server that should be local gets PLC001 (high), naming what blocks it."""
    p = decide([READER], clean(stage="experimental"))
    found = {f.id: f for f in placement_findings(p)}
    assert found["PLC001@svc"].severity == "high" and "DT1" in found["PLC001@svc"].message


def test_no_plc001_when_placement_fits():
    """A server hosted where it is recommended gets no PLC001 and no no-go findings."""
    p = decide([READER], clean())
    assert p.current == p.recommended == "internal_http"
    assert [f.code for f in placement_findings(p)] == []


def test_no_go_findings_only_when_remote_is_in_play():
    """A local server with no declared remote audience gets no no-go findings, though the signs are listed."""
    p = decide([READER, DELETER], None, transport="stdio", url=None)
    assert p.no_go and not p.remote_in_play
    assert not [f for f in placement_findings(p) if f.code.startswith("NOGO")]
    p = decide([READER, DELETER], {"audience": "team"}, transport="stdio", url=None)
    assert {f.code for f in placement_findings(p) if f.code.startswith("NOGO")} >= {"NOGO05", "NOGO07"}


def test_no_go_finding_carries_the_sign_severity_and_tools():
    """A no-go finding uses the sign's id as code, its catalog severity, and lists the tools."""
    p = decide([SENDER], {"audience": "team"})
    f = next(f for f in placement_findings(p) if f.code == "NOGO05")
    assert f.id == "NOGO05@svc" and f.severity == catalog().no_go_sign("NOGO05").severity
    assert f.tools == ("svc/send_email",)


def test_plc003_severity_grows_with_exposure():
    """A missing control is more severe on a public host than on an internal one."""
    doc = clean(controls_in_place=[c for c in ALL_BUT_PROXY if c != "rate_limits"])
    internal = decide([READER], doc, url="http://10.0.0.1/mcp")
    public = decide([READER], doc, url="https://mcp.example.com/mcp")
    sev = {p.current: next(f.severity for f in placement_findings(p) if f.id == "PLC003@svc@rate_limits")
           for p in (internal, public)}
    assert sev == {"internal_http": "medium", "public_remote": "high"}


def test_finding_ids_are_unique_and_stable():
    """Placement findings have unique ids, equal across two runs on the same input."""
    run = lambda: [f.id for f in placement_findings(decide([SENDER, DELETER], None, url="https://x.example.com/"))]  # noqa: E731
    ids = run()
    assert len(ids) == len(set(ids)) and ids == run()


def test_placement_to_dict_is_json_and_deterministic():
    """to_dict() is JSON-serialisable and identical across runs."""
    a = json.dumps(decide([SENDER, DELETER], None).to_dict(), sort_keys=True)
    b = json.dumps(decide([SENDER, DELETER], None).to_dict(), sort_keys=True)
    assert a == b and set(json.loads(a)["missing_by_pattern"]) == set(PATTERNS)


def test_no_inventory_means_local_with_every_assumption_recorded():
    """With no inventory at all, the recommendation is local and each silent answer is in assumptions."""
    p = place(SERVER, transport="stdio", url=None, tools=[READER, SENDER], tool_credentials={})
    assert p.recommended == "local_stdio" and p.allowed == ("local_stdio",)
    assert {s.id for s in p.rationale if s.assumed} == {"DT1", "DT4", "DT5"}
    assert {n.id for n in p.no_go if n.assumed} == {"NOGO01", "NOGO03", "NOGO04", "NOGO08"}
    assert len(p.assumptions) == 3 + 1 + 4  # three DT steps, the audience, four assumed signs


# -- the bundled demo servers with the example inventory ---------------------------------------------


def support_desk_tools():
    """support-desk's tools as the classifier reads them (hand-built, so this test pins placement only)."""
    t = lambda name, *e, flags=(): tool(name, *e, flags=flags, server="support-desk")  # noqa: E731
    return [t("search_tickets", flags=["private_data", "untrusted_content"]), t("get_customer", flags=["private_data"]),
            t("list_orders", flags=["private_data"]), t("integration_status"),
            t("read_inbox", flags=["private_data", "untrusted_content"]),
            t("fetch_url", flags=["untrusted_content", "external_egress"]), t("add_internal_note", "reversible"),
            t("update_ticket_status", "reversible"), t("export_customer_data", "reversible", flags=["private_data"]),
            t("reply_to_ticket", "customer_visible", flags=["external_egress"]),
            t("send_customer_email", "customer_visible", flags=["external_egress"]),
            t("post_to_slack", "customer_visible", flags=["external_egress"]),
            t("issue_refund", "high_cost", "customer_visible"), t("provision_sandbox", "high_cost"),
            t("delete_customer_record", "destructive"), t("run_sql", "destructive", flags=["code_execution"]),
            t("rotate_api_key", "destructive", flags=["credential_access"])]


def test_example_inventory_keeps_support_desk_local():
    """With the example inventory, support-desk (hosted internally) must come back local, blocked by the
    shared database login, missing redaction, ungated tools, the unreviewed proxying and missing off switches."""
    inv = load_inventory(EXAMPLE)
    tools = support_desk_tools()
    every_env = frozenset(CREDENTIALS.values())  # the graph gives every tool of a process all its env credentials
    p = place("support-desk", transport="stdio", url=None, tools=tools,
              tool_credentials={t.tool: every_env for t in tools}, inventory=inv)
    assert p.current == "internal_http" and p.recommended == "local_stdio"
    assert p.blocked_by == ("NOGO02", "NOGO04", "NOGO05", "NOGO06", "NOGO07")
    assert nogo(p, "NOGO05").tools == ("post_to_slack", "provision_sandbox", "rotate_api_key")
    assert "run_sql" not in nogo(p, "NOGO07").tools  # disabled in the inventory
    codes = [f.id for f in placement_findings(p)]
    assert "PLC001@support-desk" in codes and "NOGO06@support-desk" in codes


def test_example_inventory_lets_web_research_go_internal():
    """web-research, with its controls declared in the example, may be hosted for the team."""
    inv = load_inventory(EXAMPLE)
    t = lambda name, *e, flags=(): tool(name, *e, flags=flags, server="web-research")  # noqa: E731
    tools = [t("web_search", flags=["untrusted_content"]),
             t("fetch_page", flags=["untrusted_content", "external_egress"]),
             t("read_rss", flags=["untrusted_content"]), t("save_bookmark", "reversible"),
             t("share_link", "customer_visible", flags=["external_egress"])]
    p = place("web-research", transport="stdio", url=None, tools=tools, tool_credentials={}, inventory=inv)
    assert p.no_go == () and p.recommended == "internal_http" and p.current == "local_stdio"
    assert p.summary.startswith("internal_http fits web-research")
