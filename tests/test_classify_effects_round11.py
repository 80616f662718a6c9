"""Effect readings of round 11 (issue 12): a pin or a follow is shown to other people, an edit of a published post
changes what its readers see, and a description that calls an update a full replacement says it overwrites. Tools
written for the test; no data set's names."""

from __future__ import annotations

from mcprisk.classify import classify_tool
from mcprisk.classify.learned import use_model
from mcprisk.snapshot import Snapshot, Tool
from mcprisk.specs import ServerSpec
from support import tool_def as tool

STR = {"type": "string"}


def classify(t: Tool, server: str = "acme"):
    snapshot = Snapshot(server=ServerSpec.stdio(["npx", "-y", f"{server}@1.0.0"], name=server), status="complete",
                        tools=(t,))
    with use_model(None):
        return classify_tool(t, server, snapshot)


def test_pinning_a_message_or_following_an_account_is_seen_by_others():
    assert classify(tool("chat_pin_message", "Pin a message in a group chat.", {"message_id": STR})).primary \
        == "customer_visible"
    assert classify(tool("social_pin", "Pin a status to your profile.", {"status_id": STR})).primary \
        == "customer_visible"
    assert classify(tool("social_follow", "Follow an account.", {"account_id": STR})).primary == "customer_visible"


def test_pinning_something_nobody_else_sees_stays_a_change():
    assert classify(tool("pin_dependency", "Pin a dependency to an exact version in the lock file.",
                         {"name": STR, "version": STR})).primary != "customer_visible"


def test_editing_a_published_post_changes_what_its_readers_see():
    assert classify(tool("update_post", "Update an existing blog post.", {"post_id": STR, "html": STR})).primary \
        == "customer_visible"


def test_an_update_that_is_a_full_replacement_overwrites():
    t = tool("update_connector_config", "Update a connector's configuration. This is a full replace.",
             {"name": STR, "config": {"type": "object"}})
    assert classify(t).primary == "destructive"
    t = tool("update_layout", "Update a dashboard: replaces its entire card layout.", {"cards": {"type": "array"}})
    assert classify(t).primary == "destructive"


def test_a_price_or_a_product_of_a_shop_is_what_buyers_see():
    assert classify(tool("set_price", "Set the price of a product on the marketplace.", {"sku": STR, "price": STR}),
                    "acme-shop").primary == "customer_visible"
    assert classify(tool("create_product", "Create a product in the store.", {"title": STR}), "acme-shop").primary \
        == "customer_visible"


def test_a_product_of_an_invoicing_tool_or_a_shops_category_is_not_on_sale():
    assert classify(tool("create_product", "Create a product for invoices.", {"title": STR}), "acme-invoicing").primary \
        == "reversible"
    assert classify(tool("create_product_category", "Create a product category.", {"name": STR}), "acme-shop").primary \
        == "reversible"


def test_a_free_http_method_sent_to_any_path_can_delete():
    props = {"path": STR, "method": {"type": "string", "description": "The HTTP method (default: GET)"}, "body": STR}
    assert classify(tool("tooling_request", "Executes a Tooling API request.", props)).primary == "destructive"
    enum = {"path": STR, "method": {"type": "string", "enum": ["GET", "HEAD"]}}
    found = classify(tool("api_call", "Makes a direct REST API call.", enum)).evidence
    assert not [ev for ev in found if "any HTTP method" in ev.detail]
    found = classify(tool("get_raw", "Get any resource by path.", props)).evidence
    assert not [ev for ev in found if "any HTTP method" in ev.detail]


def test_closing_a_session_that_kills_its_processes_destroys_their_work():
    t = tool("close_session", "Close a remote session and release its resources. This kills any running processes.",
             {"session_id": STR})
    assert classify(t).primary == "destructive"


def test_changing_a_budget_or_a_bid_changes_what_is_spent():
    assert classify(tool("set_spending_limit", "Set the team's spending limit.",
                         {"team_id": STR, "limit": {"type": "number"}})).primary == "high_cost"
    assert classify(tool("update_campaign_budget", "Update the daily budget of an ad campaign.",
                         {"campaign_id": STR, "amount": {"type": "number"}})).primary == "high_cost"
    assert classify(tool("get_budgets", "List the budgets.", {})).primary == "read_only"


def test_creating_an_invoice_bills_a_customer():
    assert classify(tool("create_invoice", "Create an invoice for a client.", {"client_id": STR, "lines": STR})
                    ).primary == "high_cost"


def test_a_price_alert_or_an_order_on_a_market_is_no_storefront_change():
    t = tool("set_price_alert", "Set a price alert for a symbol on the market.", {"symbol": STR, "price": STR})
    assert classify(t, "acme-trading").primary != "customer_visible"
