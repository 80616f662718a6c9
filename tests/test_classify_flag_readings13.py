"""Round 11's flag readings (issue 12): public listings, a change that must be given an address, configuration
variables, a document store's query bodies, and a command parameter found by its name alone (evidence, never a
decisive witness for an accusation). Read by the rules alone (no learned reading), on tools written for the test;
no data set's names."""

from __future__ import annotations

from mcprisk.assessment import assess
from mcprisk.classify import classify_tool
from mcprisk.classify.learned import use_model
from mcprisk.snapshot import Snapshot, Tool, item_from_wire
from mcprisk.specs import ServerSpec
from support import tool_def as tool

STR = {"type": "string"}
OBJ = {"type": "object"}


def _snapshot(server: str, *tools: Tool) -> Snapshot:
    return Snapshot(server=ServerSpec.stdio(["npx", "-y", f"{server}@1.0.0"], name=server), status="complete",
                    tools=tools)


def classify(t: Tool, server: str = "acme"):
    with use_model(None):
        return classify_tool(t, server, _snapshot(server, t))


def test_a_public_listing_is_what_third_parties_published():
    """Searching a public registry or reading a public profile returns what others wrote there; reading the
    operator's own catalogue of settings does not."""
    registry = classify(tool("search_plugins", "Search the public plugin registry for packs.", {"q": STR}))
    profile = classify(tool("get_profile", "Get a user's public profile.", {"user": STR}))
    for got in (registry, profile):
        assert "untrusted_content" in got.flags, got
    own = classify(tool("get_settings", "Get the account's settings.", {}))
    assert "untrusted_content" not in own.flags


def test_a_change_that_must_be_given_an_address_requests_it():
    """A tab opened at a required URL requests it (egress); an optional link stored on a record requests nothing."""
    raw = {"name": "new_tab", "description": "Open a new tab.",
           "inputSchema": {"type": "object", "properties": {"url": STR}, "required": ["url"]}}
    opened = classify(item_from_wire("tools", raw, max_text_chars=10_000))
    assert "external_egress" in opened.flags
    stored = classify(tool("update_contact", "Update a contact.", {"contact_id": STR, "url": STR}))
    assert "external_egress" not in stored.flags


def test_configuration_variables_hold_keys_theme_variables_do_not():
    """An environment's or a pipeline's variables are where keys are kept; a theme's are colours."""
    env = classify(tool("list_variables", "List the environment's variables.", {"environment": STR}))
    assert "credential_access" in env.flags
    theme = classify(tool("get_theme_variables", "Get the theme's colour variables.", {}))
    assert "credential_access" not in theme.flags


def test_a_document_store_filter_is_its_query_language():
    """A find on a document store runs the filter it is given (code execution, still a read); the same parameter on a
    service that is no document store is a plain filter."""
    found = classify(tool("find", "Find documents in a collection.", {"collection": STR, "filter": OBJ}), "mongodb-mcp")
    assert "code_execution" in found.flags and found.primary == "read_only"
    plain = classify(tool("list_tasks", "List tasks.", {"filter": OBJ}), "acme-tasks")
    assert "code_execution" not in plain.flags


def test_a_command_parameter_found_by_its_name_alone_accuses_no_one():
    """A read-only hint on a tool whose only sign of running code is a parameter named like a command is at most a
    doubt (medium ANN001); described as a shell command it is an accusation."""
    hint = {"readOnlyHint": True}
    named = tool("run_scan", "Run a visual scan of the project.",
                 {"project": STR, "scanRunCommand": {**STR, "description": "The test command for the scan."}}, hint)
    described = tool("run_check", "Run a check of the project.",
                     {"project": STR, "command": {**STR, "description": "Shell command to execute."}}, hint)
    findings = {f.subject: f.severity for f in assess([_snapshot("acme", named, described)]).findings
                if f.code == "ANN001"}
    assert findings.get("run_scan") in (None, "low", "medium")
    assert findings.get("run_check") in ("high", "critical")
