"""The operator inventory: loading, helper queries, the shipped schema, and error messages with line numbers."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcprisk import Inventory, InventoryError, load_inventory, parse_inventory
from mcprisk.demo._tools import declared_tools
from mcprisk.demo.research import WebResearch
from mcprisk.demo.support_desk import CREDENTIALS, SupportDesk
from mcprisk.inventory import inventory_schema
from mcprisk.model import CONTROLS, EFFECTS, FLAGS, PATTERNS

from placement_kit import EXAMPLE

SUPPORT_DESK_TOOLS = {
    "search_tickets", "get_customer", "list_orders", "integration_status", "read_inbox", "fetch_url",
    "add_internal_note", "update_ticket_status", "export_customer_data", "reply_to_ticket", "send_customer_email",
    "post_to_slack", "issue_refund", "provision_sandbox", "delete_customer_record", "run_sql", "rotate_api_key"}


def problem_lines(exc: InventoryError) -> list[str]:
    return str(exc).splitlines()


# -- the example ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> Inventory:
    return load_inventory(EXAMPLE)


def test_example_inventory_loads(example):
    """data/inventory.example.yaml is valid and declares both demo servers."""
    assert set(example.servers) == {"support-desk", "web-research"}
    assert example.stage("support-desk") == "production"


def test_example_names_only_tools_the_demo_servers_have(example):
    """Every tool the example mentions (per-tool entries, credentials, data stores) exists on its demo server."""
    real = {"support-desk": {name for name, _, _ in declared_tools(SupportDesk())},
            "web-research": {name for name, _, _ in declared_tools(WebResearch())}}
    assert real["support-desk"] == SUPPORT_DESK_TOOLS
    for server, names in real.items():
        assert example.unknown_tools(server, names) == ()
        for item in (*example.credentials, *example.data_stores):
            if server in item.servers:
                assert set(item.tools) <= names, (item.name, set(item.tools) - names)
    assert example.unknown_servers(real) == ()


def test_example_declares_every_support_desk_credential(example):
    """The example describes each env credential support-desk uses, and only those."""
    assert {c.name for c in example.credentials_for("support-desk")} == set(CREDENTIALS.values())


def test_example_validates_against_the_shipped_schema_directly():
    """The JSON Schema file accepts the example on its own (for editors and CI that use the schema alone), and
    rejects it with an unknown stage or a stray key (so the acceptance is not that of an empty schema)."""
    validator = jsonschema.Draft202012Validator(inventory_schema())
    doc = yaml.safe_load(EXAMPLE.read_text())
    validator.validate(doc)
    assert not validator.is_valid({**doc, "stage": "not-a-stage"})
    assert not validator.is_valid({**doc, "no_such_key": 1})


# -- queries -------------------------------------------------------------------------------------

DOC = """\
stage: experimental
audience: team
controls:
  audit_logs: {status: in_place, evidence: "SIEM"}
  rate_limits: {status: in_place}
credentials:
  - {name: DB_URL, kind: service_account, breadth: admin, servers: [a], tools: [write_row]}
  - {name: TOKEN, servers: [a, b]}
data_stores:
  - {name: crm, classification: customer_pii, servers: [a], tools: [read_row], access: [read]}
servers:
  a:
    stage: production
    hosting: internal_http
    controls:
      rate_limits: {status: planned, evidence: "SEC-1"}
    tools:
      write_row: {approval: true, off_switch: false}
      old_tool: {disabled: true}
      read_row:
        classification: {effects: [read_only], flags: [private_data], reason: "reads one row"}
"""


@pytest.fixture(scope="module")
def inv() -> Inventory:
    return parse_inventory(DOC, path="risk.yaml")


def test_server_settings_override_top_level_defaults(inv):
    """A server's own stage wins over the top-level stage; unset ones fall back to the top level."""
    assert inv.stage("a") == "production" and inv.stage("b") == "experimental"
    assert inv.audience("a") == "team" and inv.hosting("a") == "internal_http" and inv.hosting("b") is None


def test_control_declared_reads_server_level_first(inv):
    """A server-level control entry replaces the default; top-level entries apply to every server."""
    assert inv.control_declared("a", "audit_logs") and inv.control_declared("b", "audit_logs")
    assert not inv.control_declared("a", "rate_limits") and inv.control_declared("b", "rate_limits")
    decl = inv.control_decl("a", "rate_limits")
    assert decl.status == "planned" and decl.evidence == "SEC-1" and decl.source == "risk.yaml:16"
    assert inv.control_decl("a", "https") is None


def test_tool_declarations_and_overrides(inv):
    """Per-tool approval/off switch/disabled are readable, and an override reads like the classifier's mapping."""
    assert inv.tool_decl("a", "write_row").approval is True
    assert inv.tool_decl("a", "write_row").off_switch is False
    assert inv.tool_disabled("a", "old_tool") and not inv.tool_disabled("a", "write_row")
    override = inv.override("a", "read_row")
    assert override["effects"] == ["read_only"] and override.get("flags") == ["private_data"]
    assert dict(override) == {"effects": ["read_only"], "flags": ["private_data"], "reason": "reads one row"}
    assert inv.override("a", "write_row") is None and inv.tool_decl("b", "write_row") is None


def test_credentials_and_data_stores_narrow_to_tools(inv):
    """A credential narrowed to tools applies to those tools only; one without tools applies to all."""
    assert {c.name for c in inv.credentials_for("a")} == {"DB_URL", "TOKEN"}
    assert {c.name for c in inv.credentials_for("a", "read_row")} == {"TOKEN"}
    assert {c.name for c in inv.credentials_for("b")} == {"TOKEN"}
    assert [d.name for d in inv.data_stores_for("a", "read_row")] == ["crm"]
    assert inv.data_stores_for("a", "write_row") == () and inv.credential("TOKEN").kind is None


def test_unknown_tool_and_server_names_are_reported(inv):
    """Declarations naming tools or servers that do not exist are listed (typos surface)."""
    assert [d.tool for d in inv.unknown_tools("a", ["write_row", "read_row"])] == ["old_tool"]
    assert inv.unknown_servers(["a"]) == ("b",)


def test_where_points_back_into_the_file(inv):
    """where() gives file:line for a key, for evidence that cites the operator's own words."""
    assert inv.where("servers", "a", "stage") == "risk.yaml:13"
    assert inv.setting_source("b", "stage") == "risk.yaml:1"


def test_empty_inventory_declares_nothing():
    """Inventory.empty() and an empty file answer every query with 'not declared'."""
    for inv in (Inventory.empty(), parse_inventory(""), parse_inventory("# only a comment\n")):
        assert inv.is_empty
        assert inv.stage("x") is None and not inv.control_declared("x", "authn_authz")
        assert inv.credentials_for("x") == () and inv.tool_decl("x", "t") is None and inv.override("x", "t") is None


def test_inventory_to_dict_is_json_ready(inv):
    """to_dict() serialises to JSON and keeps what was declared."""
    data = json.loads(json.dumps(inv.to_dict()))
    assert data["servers"]["a"]["tools"]["write_row"]["approval"] is True
    assert data["credentials"][0]["name"] == "DB_URL"


def test_anchors_and_merge_keys_share_blocks():
    """A control block defined once with an anchor can be merged into several servers."""
    inv = parse_inventory("""\
servers:
  a:
    controls: &base
      audit_logs: {status: in_place}
  b:
    controls:
      <<: *base
      https: {status: in_place}
""")
    assert inv.control_declared("b", "audit_logs") and inv.control_declared("b", "https")


# -- the schema ------------------------------------------------------------------------------------


def test_schema_enums_follow_the_model():
    """The shipped schema lists exactly the model's controls, effects, flags and patterns."""
    defs = inventory_schema()["$defs"]
    assert list(defs["controls"]["properties"]) == list(CONTROLS)
    assert defs["classification"]["properties"]["effects"]["items"]["enum"] == list(EFFECTS)
    assert defs["classification"]["properties"]["flags"]["items"]["enum"] == list(FLAGS)
    assert defs["server"]["properties"]["hosting"]["enum"] == list(PATTERNS)
    jsonschema.Draft202012Validator.check_schema(inventory_schema())


# -- errors ----------------------------------------------------------------------------------------


def test_unknown_control_names_file_line_key_and_the_choices():
    """A misspelt control id is an error at its own line, listing the valid ids."""
    text = "servers:\n  support-desk:\n    controls:\n      audit_log: {status: in_place}\n"
    with pytest.raises(InventoryError) as info:
        parse_inventory(text, path="risk.yaml")
    assert str(info.value) == (
        "risk.yaml:4: servers.support-desk.controls.audit_log: unknown key (expected one of: "
        + ", ".join(CONTROLS) + ")")
    assert (info.value.path, info.value.line) == ("risk.yaml", 4)
    assert info.value.key == "servers.support-desk.controls.audit_log"


def test_unknown_top_level_key_is_an_error_not_ignored():
    """A key the format does not know is refused, not silently dropped."""
    with pytest.raises(InventoryError, match=r"^inv.yaml:2: audiance: unknown key \(expected one of: version, stage"):
        parse_inventory("stage: production\naudiance: team\n", path="inv.yaml")


def test_every_problem_is_reported_each_on_its_line():
    """Several mistakes give one error listing all of them, in line order."""
    text = """\
stage: beta
credentials:
  - name: A
    kind: oauth
    servers: [s]
  - name: A
    servers: []
servers:
  s:
    tools:
      t: {approval: "yes please"}
"""
    with pytest.raises(InventoryError) as info:
        parse_inventory(text, path="inv.yaml")
    assert problem_lines(info.value) == [
        "inv.yaml:1: stage: 'beta' is not allowed (expected one of: experimental, production)",
        "inv.yaml:4: credentials[0].kind: 'oauth' is not allowed (expected one of: static_api_key, "
        "service_account, per_user_oauth, none)",
        "inv.yaml:6: credentials[1].name: credential 'A' is already declared on line 3",
        "inv.yaml:7: credentials[1].servers: must not be empty",
        "inv.yaml:11: servers.s.tools.t.approval: expected true or false, got the string 'yes please'",
    ]
    assert len(info.value.problems) == 5


def test_missing_required_key_names_the_key():
    """A credential without servers says which key is missing, at the credential's line."""
    with pytest.raises(InventoryError, match=r"^inv.yaml:2: credentials\[0\]: missing required key 'servers'$"):
        parse_inventory("credentials:\n  - name: X\n", path="inv.yaml")


def test_override_needs_a_reason_and_known_effects():
    """A classification override must give a reason and use the model's effects."""
    text = "servers:\n  s:\n    tools:\n      t:\n        classification: {effects: [harmless]}\n"
    with pytest.raises(InventoryError) as info:
        parse_inventory(text, path="inv.yaml")
    lines = problem_lines(info.value)
    assert "inv.yaml:5: servers.s.tools.t.classification: missing required key 'reason'" in lines
    assert any("effects[0]: 'harmless' is not allowed (expected one of: read_only," in line for line in lines)


def test_duplicate_keys_are_errors():
    """A key written twice in one mapping is refused at the second occurrence."""
    with pytest.raises(InventoryError, match=r"^inv.yaml:3: stage: duplicate key"):
        parse_inventory("stage: production\naudience: team\nstage: experimental\n", path="inv.yaml")


def test_bad_yaml_reports_line_and_column():
    """Malformed YAML is an InventoryError with the line and column of the problem."""
    with pytest.raises(InventoryError) as info:
        parse_inventory("stage: production\nservers:\n  a: [unclosed\n", path="inv.yaml")
    assert info.value.line == 4 and "invalid YAML (column" in str(info.value)


def test_a_top_level_list_is_refused():
    """An inventory is a mapping; a list at the top is an error at line 1."""
    with pytest.raises(InventoryError, match=r"^inv.yaml:1: an inventory is a mapping"):
        parse_inventory("- stage: production\n", path="inv.yaml")


def test_self_referencing_alias_is_refused_without_hanging():
    """An alias that contains itself is an error, not an endless walk."""
    with pytest.raises(InventoryError, match="refers to the value that contains it"):
        parse_inventory("servers: &a {x: *a}\n")


def test_alias_bomb_is_refused():
    """Exponential alias expansion stops at a bound with a clear error."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    with pytest.raises(InventoryError, match="too many values"):
        parse_inventory("\n".join(lines) + "\n")


def test_missing_file_names_the_path(tmp_path):
    """Loading a file that does not exist names it."""
    with pytest.raises(InventoryError, match=r"nope.yaml: no such file"):
        load_inventory(tmp_path / "nope.yaml")


def test_error_messages_do_not_echo_secret_values():
    """A secret pasted where a name belongs is not repeated in the error message."""
    text = "stage: postgres://admin:hunter2@db.internal/prod\n"
    with pytest.raises(InventoryError) as info:
        parse_inventory(text, path="inv.yaml")
    assert "hunter2" not in str(info.value)


# -- fuzzing ---------------------------------------------------------------------------------------

_WORDS = ["stage", "audience", "servers", "controls", "tools", "credentials", "data_stores", "status", "in_place",
          "name", "kind", "servers", "approval", "classification", "effects", "x", "-", ":", "[", "]", "{", "}",
          "&a", "*a", "<<", "!!binary", "'", '"', "\t", "\n", "  ", "yes", "null", "1e9", "0x1F", "~", "?", "|", ">"]

_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20),
                     st.sampled_from(["production", "team", "in_place", "read_only", "audit_logs"]))
_docs = st.recursive(_scalars, lambda kids: st.one_of(
    st.lists(kids, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(_WORDS[:15] + list(CONTROLS)), st.text(max_size=8)), kids,
                    max_size=4)), max_leaves=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(_WORDS), max_size=40).map(" ".join)))
def test_fuzzed_text_gives_an_inventory_or_an_inventory_error(text):
    """Any text either loads or raises InventoryError: never another exception, never a hang."""
    try:
        parse_inventory(text, path="fuzz.yaml")
    except InventoryError as exc:
        assert str(exc).startswith("fuzz.yaml")


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["stage", "audience", "tenants", "remote_reason", "managed_alternative",
                                        "controls", "credentials", "data_stores", "servers", "version"]),
                       _docs, max_size=6))
def test_fuzzed_structures_give_an_inventory_or_an_inventory_error(doc):
    """Well-formed YAML with wrong shapes and values is always reported as InventoryError with a line."""
    text = yaml.safe_dump(doc, allow_unicode=True)
    try:
        inv = parse_inventory(text, path="fuzz.yaml")
    except InventoryError as exc:
        assert exc.line is not None or "invalid YAML" in str(exc)
    else:
        for server in inv.servers:
            inv.stage(server), inv.credentials_for(server), inv.to_dict()
