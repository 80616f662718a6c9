"""Focused behaviours of the tool classifier's rules and of ``decide``."""

from __future__ import annotations

from dataclasses import replace

from mcprisk.assessment import assess
from mcprisk.classify import CLASSIFICATION_RULES, DERIVED_RULES, classify_tool, decide
from mcprisk.classify.learned import use_model
from mcprisk.model import FLAGS, Evidence
from mcprisk.snapshot import INCOMPLETE, Snapshot
from mcprisk.specs import ServerSpec
from support import tool_def as tool


def test_rule_codes_are_unique_and_documented():
    """Every registered rule has its own code and a docstring that documents it."""
    rules = (*CLASSIFICATION_RULES, *DERIVED_RULES)
    codes = [fn.code for fn in rules]
    assert len(codes) == len(set(codes))
    assert all((fn.__doc__ or "").strip() for fn in rules)


def test_router_enum_takes_the_worst_operation():
    """A tool whose action enum reaches delete is destructive, however harmless its name."""
    got = classify_tool(tool("manage_labels", "Manage labels.",
                             {"action": {"type": "string", "enum": ["list", "create", "delete"]}}), "tracker")
    assert got.primary == "destructive"
    assert any(ev.rule == "EFF108" and ev.text == "action=delete" for ev in got.evidence)


def test_free_text_router_reaches_the_operations_it_lists():
    """A free-text operation parameter reaches every operation its description names."""
    got = classify_tool(tool("manage_stacks", "Manage stacks.", {"operation": {
        "type": "string", "description": "Operation to perform: generate, deploy, describe, or delete."}}), "cloud")
    assert got.primary == "destructive"


def test_free_text_router_with_examples_is_open_ended():
    """An operation parameter that only gives examples can name anything the API offers."""
    got = classify_tool(tool("make_request", "Unified tool for all API operations.", {"method": {
        "type": "string", "description": "The API method to call (e.g., 'list', 'create')"}}), "shop")
    assert got.primary == "destructive"


def test_prose_in_an_action_parameter_does_not_rescue_an_unplaced_tool():
    """A tool nothing else places stays at its worst, whatever verbs its free-text action describes."""
    got = classify_tool(tool("page_act", "Perform a single step on the page.", {"action": {
        "type": "string", "description": "The action to perform, i.e. 'Click the sign in button'."}}), "agent")
    assert got.primary == "destructive"


def test_read_only_annotation_never_downgrades_a_shell_tool():
    """An author's readOnlyHint is a hint: a tool that runs commands stays destructive, with code execution."""
    got = classify_tool(tool("run_command", "Run a shell command.", {"command": {"type": "string"}},
                             annotations={"readOnlyHint": True}), "host")
    assert got.primary == "destructive"
    assert "code_execution" in got.flags
    assert any(ev.source == "annotation" and ev.effect == "read_only" and ev.weight < 1 for ev in got.evidence)


def test_unknown_verb_is_assumed_destructive_with_low_confidence():
    """A tool nothing places is assumed at its worst, never at its best."""
    got = classify_tool(tool("frobnicate_widget", "Frobnicates a widget."), "unknown")
    assert got.primary == "destructive"
    assert got.assumed_worst and got.confidence == "low"
    assert any(ev.rule == "EFF199" for ev in got.evidence)


def test_evidence_records_rule_source_and_matched_text():
    """Each reason names its rule code, where it looked and the text it matched."""
    got = classify_tool(tool("delete_user", "Permanently deletes a user."), "directory")
    name_ev = next(ev for ev in got.evidence if ev.rule == "EFF101")
    assert (name_ev.source, name_ev.text, name_ev.effect) == ("name", "delete_user", "destructive")
    phrase_ev = next(ev for ev in got.evidence if ev.rule == "EFF105")
    assert phrase_ev.source == "description" and "Permanently" in phrase_ev.text


def test_operator_override_wins_and_says_so():
    """An override from the inventory replaces the verdict, and the evidence records why."""
    evidence = [Evidence("EFF101", "name", "delete_user", "verb 'delete' means destructive", "destructive")]
    got = decide("directory", "delete_user", evidence,
                 override={"effects": ["reversible"], "flags": ["private_data"], "reason": "soft delete"})
    assert got.effects == ("reversible",) and got.flags == ("private_data",)
    assert got.overridden and got.confidence == "high"
    assert got.evidence[-1].rule == "EFF100" and "soft delete" in got.evidence[-1].detail


def test_a_noun_like_verb_inside_a_name_is_read_as_a_noun():
    """'messages' in browser_console_messages names what is read; it sends nothing."""
    got = classify_tool(tool("console_messages", "Returns all console messages."), "devtools")
    assert got.primary == "read_only"


def test_a_plain_verb_after_a_noun_like_one_wins():
    """monitor_create creates a monitor: 'monitor' is the object, 'create' the verb."""
    got = classify_tool(tool("monitor_create", "Create a monitor."), "uptime")
    assert got.primary == "reversible"


def test_general_code_can_send_data_out_but_sql_cannot():
    """In the rules' reading, a shell command can open any connection (egress); a SQL statement runs in the database
    only (the learned reading may add a flag the rules did not: tests/test_classifier_model.py)."""
    with use_model(None):
        shell = classify_tool(tool("exec", "Execute a command.", {"command": {"type": "string"}}), "host")
        sql = classify_tool(tool("run_sql", "Run SQL.", {"sql": {"type": "string"}}), "db")
    assert "external_egress" in shell.flags
    assert "code_execution" in sql.flags and "external_egress" not in sql.flags


def test_a_parameter_named_for_deleting_makes_an_update_destructive():
    """An update that can move a page to the trash (in_trash) reaches deletion."""
    got = classify_tool(tool("update_page", "Update page properties.",
                             {"page_id": {"type": "string"}, "in_trash": {"type": "boolean"}}), "wiki")
    assert got.primary == "destructive"


def test_a_reaction_carries_no_data_out():
    """A reaction is seen by others, but carries no text of the caller's: not an egress path."""
    got = classify_tool(tool("add_reaction", "Add a reaction emoji to a message.",
                             {"channel_id": {"type": "string"}, "reaction": {"type": "string"}}), "slack")
    assert got.primary == "customer_visible"
    assert "external_egress" not in got.flags


def test_fetching_a_caller_chosen_url_is_untrusted_egress():
    """Fetching any URL brings third-party text in and can carry data out in the request."""
    got = classify_tool(tool("fetch_page", "Fetch a web page.", {"url": {"type": "string"}}), "web")
    assert got.primary == "read_only"
    assert {"untrusted_content", "external_egress"} <= set(got.flags)


def test_an_incomplete_definition_is_assumed_at_its_worst():
    """A tool whose definition could not be stored whole is destructive with every flag and low confidence,
    whatever its name says, until an override confirms it; the coverage finding says why."""
    listed = replace(tool("get_config", "Get the configuration.", {"id": {"type": "string"}}),
                     problems=(f"{INCOMPLETE}: inputSchema nested deeper than 64 levels",))
    got = classify_tool(listed, "srv")
    assert got.primary == "destructive" and got.flags == FLAGS and got.confidence == "low" and got.assumed_worst
    assert got.evidence[-1].rule == "EFF198"
    overridden = classify_tool(listed, "srv", override={"effects": ["read_only"], "reason": "checked"})
    assert overridden.primary == "read_only" and not overridden.assumed_worst
    snap = Snapshot(server=ServerSpec.stdio(["srv"]), status="complete", tools=(listed,))
    (finding,) = [f for f in assess([snap]).findings if f.code == "CLS001"]
    assert "could not be stored whole" in finding.message
