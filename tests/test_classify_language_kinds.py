"""Kinds the classifier reads in round 5 of issue 12: a generated wrapper's opening, participles and subjects that
open a sentence, a verb-led clause before a colon, a consequence after a comma, a parameter described as code,
credential access by kind (signing in, switching what later calls act through, a system's users, firewall rules)
and the learned reading's kind features. Tools written for the test; no data set's names."""

from __future__ import annotations

from mcprisk.classify import classify_tool
from mcprisk.classify.language import description_verbs
from mcprisk.classify.learned import kinds, use_model
from mcprisk.classify.registry import rules_reading
from mcprisk.snapshot import Snapshot, Tool
from mcprisk.specs import ServerSpec
from support import tool_def as tool

STR = {"type": "string"}


def _snapshot(t: Tool, server: str) -> Snapshot:
    return Snapshot(server=ServerSpec.stdio(["npx", "-y", f"{server}@1.0.0"], name=server), status="complete",
                    tools=(t,))


def classify(t: Tool, server: str = "acme"):
    with use_model(None):
        return classify_tool(t, server, _snapshot(t, server))


def test_a_generated_wrapper_is_read_as_the_operation_it_calls():
    """"Execute the … `get_x` operation" names the operation; the running verb is the wrapper's, not a run."""
    assert description_verbs("Execute the AWS Acme `get_queue_attributes` operation.") == []
    got = classify(tool("get_queue_attributes", "Execute the AWS Acme `get_queue_attributes` operation.",
                        {"QueueUrl": STR}))
    assert got.primary == "read_only" and got.confidence != "contested"


def test_participles_and_subjects_are_not_what_a_tool_does():
    """A sentence's subject ("Highlights are enabled") and a participle ("resolved") are no verbs of the tool."""
    assert description_verbs("Perform a lookup with the given query. Highlights are always enabled.") == []
    assert description_verbs("Archived projects are hidden.") == []
    assert description_verbs("Creates, updates or deletes a page") == ["create", "update", "delete"]


def test_a_verb_led_clause_before_a_colon_is_no_label():
    """"Get a pull request: metadata, …" is the tool's own clause; "Acme: create …" is a label before one."""
    assert description_verbs("Get a pull request: metadata, reviewer status, merge info and files.") == ["get"]
    assert description_verbs("Acme: create an issue in a project") == ["create"]


def test_a_consequence_after_a_comma_is_destructive():
    """"…, discarding uncommitted changes" says what the call destroys."""
    got = classify(tool("checkout_branch", "Switches to a branch, discarding uncommitted changes.", {"branch": STR}))
    assert got.primary == "destructive"
    kept = classify(tool("checkout_branch", "Switches to a branch.", {"branch": STR}))
    assert kept.primary != "destructive"


def test_a_parameter_described_as_code_carries_code():
    """A parameter whatever its name, described as the body of a class or source in a language, runs code."""
    got = classify(tool("save_class", "Create or update a class.", {"name": STR, "body": {
        "type": "string", "description": "Full body of the Apex class"}}))
    assert "code_execution" in got.flags
    plain = classify(tool("save_note", "Create or update a note.", {"name": STR, "body": {
        "type": "string", "description": "Text of the note"}}))
    assert "code_execution" not in plain.flags


def test_signing_in_and_switching_what_calls_act_through_touch_credentials():
    """Connecting, switching the connection and changing a system's users are credential access; switching a
    document is not."""
    assert "credential_access" in classify(tool("connect", "Connect to the instance.", {"url": STR})).flags
    assert "credential_access" in classify(tool("switch_connection", "Switch to another connection.",
                                                {"id": STR})).flags
    assert "credential_access" in classify(tool("delete_user", "Delete a user.", {"user_name": STR})).flags
    assert "credential_access" not in classify(tool("switch_presentation", "Switch to another presentation.",
                                                    {"id": STR})).flags
    assert "credential_access" not in classify(tool("create_user_phone_number", "Creates a phone number of a user.",
                                                    {"user_id": STR})).flags


def test_firewall_rules_and_scopes_are_access_only_when_changed():
    """Reading firewall rules or a certificate, or a scope the call needs, is no credential access; adding a rule
    or setting someone's permission level is."""
    assert "credential_access" not in classify(tool("list_firewall_rules", "List firewall rules.")).flags
    assert "credential_access" in classify(tool("add_firewall_rule", "Add a firewall rule.", {"rule": STR})).flags
    assert "credential_access" not in classify(tool("certificate_get", "Get a certificate by ID.", {"id": STR})).flags
    needs = classify(tool("list_feedback", "List feedback. Requires the feedback:read scope on the access token."))
    assert "credential_access" not in needs.flags
    grant = classify(tool("add_teammate", "Add a person to the repository and set their permission level.",
                          {"repo": STR, "username": STR}))
    assert "credential_access" in grant.flags


def test_the_learned_kinds_name_classes_not_words():
    """The kind features carry the lexicon's classes of parameters, name words and verbs, and the service's traits."""
    t = tool("create_volume", "Create a storage volume.", {"size_gb": {"type": "integer"}, "url": STR})
    with use_model(None):
        ctx, _ = rules_reading(t, "digitalocean", _snapshot(t, "digitalocean"))
    feats = kinds(ctx)
    assert "pk:url" in feats and "nk:billed" in feats and "ng:creation" in feats
    assert any(f.startswith("st:billable:") for f in feats)
