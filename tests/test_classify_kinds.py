"""Kinds of destructive and under-stated tools the classifier reads by their words and schemas (issue 12, round
3): word senses (a declined pull request, a pushed schema), listed deletions, executed transfers, market orders,
deployments said in the description, unsafe switches and SQL a name alone calls read-only. Tools written for
the test; no data set's names."""

from __future__ import annotations

from mcprisk.classify import classify_tool
from mcprisk.classify.learned import use_model
from mcprisk.snapshot import Snapshot, Tool
from mcprisk.specs import ServerSpec
from support import tool_def as tool

STR = {"type": "string"}


def classify(t: Tool, server: str = "acme"):
    spec = ServerSpec.stdio(["npx", "-y", f"{server}@1.0.0"], name=server)
    return classify_tool(t, server, Snapshot(server=spec, status="complete", tools=(t,)))


def test_declining_a_pull_request_is_final_and_seen():
    """Declining a pull request closes it for good, and its author sees it: destructive and customer-visible."""
    got = classify(tool("decline_pull_request", "Decline a pull request.", {"pull_request_id": STR, "message": STR}))
    assert got.primary == "destructive" and "customer_visible" in got.effects


def test_declining_an_invitation_is_only_seen():
    """Declining an invitation tells its sender, and destroys nothing."""
    got = classify(tool("decline_invitation", "Decline an invitation.", {"invitation_id": STR}))
    assert got.primary == "customer_visible"


def test_pushing_a_schema_replaces_what_the_service_enforces():
    """Pushing a schema or permission rules to a live app replaces them; pushing files stays a visible change."""
    assert classify(tool("push_schema", "Push local schema changes to the app.", {"app_id": STR})).primary == "destructive"
    perms = classify(tool("push_perms", "Push local permission rules to the app.", {"app_id": STR}))
    assert perms.primary == "destructive" and "credential_access" in perms.flags
    assert classify(tool("push_files", "Push files to a repository.", {"repo": STR})).primary == "customer_visible"


def test_a_description_listing_deletion_among_the_operations_destroys():
    """"Useful for creating, updating, or deleting data" says a call can delete."""
    got = classify(tool("transact", "Execute a transaction against an app. Useful for creating, updating, or "
                        "deleting data.", {"app_id": STR, "steps": {"type": "array"}}))
    assert got.primary == "destructive"


def test_executing_a_transfer_moves_value_for_good():
    """Executing a pending transfer or payment cannot be called back; executing another pending change can be, in the
    rules' reading (the learned reading may raise it, contested: tests/test_classifier_model.py)."""
    got = classify(tool("confirm_transfer", "Execute a pending transfer that was returned as a preview.",
                        {"confirm_token": STR}))
    assert got.primary == "destructive"
    other = tool("confirm_change", "Execute a pending change that was returned as a preview.", {"confirm_token": STR})
    with use_model(None):
        assert classify(other).primary != "destructive"
    product = classify(other)
    assert product.primary != "destructive" or product.confidence == "contested"


def test_a_market_order_with_a_side_is_destructive():
    """An order to buy or sell on an exchange moves money once it fills; an order without a side only costs."""
    market = tool("create_order", "Create a new order.", {"symbol": STR, "side": {"enum": ["BUY", "SELL"]},
                                                          "quantity": {"type": "number"}})
    assert classify(market).primary == "destructive"
    assert classify(tool("create_order", "Create a new order.", {"product": STR})).primary != "destructive"


def test_a_create_tool_that_deploys_replaces_what_runs():
    """A create tool whose description says it deploys a function changes what is running."""
    got = classify(tool("create_cloud_function", "Deploy a notebook as a cloud function.", {"notebook_path": STR}))
    assert got.primary == "destructive"


def test_an_unsafe_switch_on_a_change_destroys():
    """A switch that allows dangerous options (``allowDangerous``) lifts the safety off the call."""
    unsafe = classify(tool("start_session", "Start a session.", {"allowDangerous": {"type": "boolean"}}))
    safe = classify(tool("start_session", "Start a session.", {"headless": {"type": "boolean"}}))
    assert unsafe.primary == "destructive" and safe.primary != "destructive"


def test_a_name_alone_does_not_restrict_sql_to_reads():
    """A tool named read_query that runs any SQL it is given is destructive; one whose description says SELECT reads."""
    anything = classify(tool("read_query", "Execute a user-provided SQL query and return the results.", {"sql": STR}))
    select = classify(tool("read_query", "Execute a SELECT query on the database.", {"query": STR}))
    assert anything.primary == "destructive" and select.primary == "read_only"
    assert "code_execution" in anything.flags and "code_execution" in select.flags


def test_putting_a_whole_policy_document_replaces_it():
    """A put of a whole policy document replaces the policy there; a put of one field does not."""
    whole = classify(tool("put_role_policy", "Create or update an inline policy.", {"role_name": STR,
                                                                                    "policy_document": STR}))
    field = classify(tool("put_role_tag", "Create or update a tag on a role.", {"role_name": STR, "value": STR}))
    assert whole.primary == "destructive" and field.primary != "destructive"


def test_an_upload_under_a_caller_named_name_can_replace_a_file():
    """Uploading a file under a name the caller picks can replace a same-named file there."""
    got = classify(tool("upload_notebook_file", "Upload a notebook file to the shared space.",
                        {"local_path": STR, "upload_name": STR}))
    assert got.primary == "destructive"


def test_a_query_dsl_object_is_code():
    """A free-form query DSL object given to a search is code the datastore runs, read-only here."""
    got = classify(tool("search", "Perform a search with the provided query DSL.",
                        {"index": STR, "queryBody": {"type": "object", "additionalProperties": {},
                                                     "description": "Complete query DSL object"}}))
    assert "code_execution" in got.flags


def test_a_function_body_is_code_not_an_identifier():
    """"Function body code" names code to run, unlike "country code"."""
    got = classify(tool("create_function", "Create a database function.",
                        {"functionBody": {"type": "string", "description": "Function body code"}}))
    assert "code_execution" in got.flags and got.primary == "destructive"


def test_running_a_notebook_or_a_cell_runs_code():
    """Executing a notebook cell, or scheduling a job that runs a notebook, runs code."""
    cell = classify(tool("execute_cell", "Execute a cell from the active notebook and return its outputs.",
                         {"cell_index": {"type": "integer"}}))
    job = classify(tool("create_job", "Create a scheduled job to run a notebook.", {"notebook_path": STR}))
    assert "code_execution" in cell.flags and "code_execution" in job.flags and job.primary == "destructive"


def test_a_credential_mentioned_is_not_one_handled():
    """A credential named after a full stop, after a denial or as a fresh random value is not handled;
    one a list returns is."""
    mention = classify(tool("browse_posts", "Fetch posts sorted by your choice. With Reddit credentials the "
                            "limits are higher.", {"sort": STR}))
    denied = classify(tool("list_providers", "List the store's payment providers. Never exposes gateway credentials.",
                           {"store_id": STR}))
    fresh = classify(tool("random_value", "Generate random values: UUID, secure password, number.", {"kind": STR}))
    handled = classify(tool("list_registries", "List registries. Returns all registry credentials.", {}))
    assert all("credential_access" not in t.flags for t in (mention, denied, fresh))
    assert "credential_access" in handled.flags
