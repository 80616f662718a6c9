"""Round 10's flag readings (issue 12): code a tool mentions but does not run, URL-like parameters that name no address,
credentials a call is given rather than one it handles, sign-in flows, help-desk tickets and screenshots. Read by the
rules alone (no learned reading), on tools written for the test; no data set's names."""

from __future__ import annotations

from mcprisk.classify import classify_tool
from mcprisk.classify.learned import use_model
from mcprisk.snapshot import Snapshot, Tool
from mcprisk.specs import ServerSpec
from support import tool_def as tool

STR = {"type": "string"}


def classify(t: Tool, server: str = "acme"):
    spec = ServerSpec.stdio(["npx", "-y", f"{server}@1.0.0"], name=server)
    with use_model(None):
        return classify_tool(t, server, Snapshot(server=spec, status="complete", tools=(t,)))


def test_a_session_mentioned_by_a_listing_runs_no_code():
    """Listing REPL sessions, closing a terminal or showing a CREATE statement runs nothing; writing to a REPL does."""
    listing = classify(tool("list_repl_sessions", "List active REPL sessions.", {}))
    closing = classify(tool("terminal_close", "Close a terminal session.", {"session_id": STR}))
    showing = classify(tool("get_view_sql", "Show the CREATE VIEW statement of a view.", {"view": STR}))
    for got in (listing, closing, showing):
        assert "code_execution" not in got.flags, got
    assert listing.primary == showing.primary == "read_only"
    writing = classify(tool("repl_send", "Write text to a REPL session.", {"session_id": STR, "text": STR}))
    assert "code_execution" in writing.flags and writing.primary == "destructive"


def test_a_site_or_uri_parameter_is_an_address_only_when_its_schema_says_so():
    """A configured site's alias is no destination; a parameter described as a website's URL is."""
    alias = classify(tool("list_posts", "List posts of a site.", {"site": {**STR, "description": "Site alias from the "
                                                                                                 "configuration"}}))
    assert "external_egress" not in alias.flags
    address = classify(tool("get_page", "Get a page.", {"site": {**STR, "description": "Website URL to fetch"}}))
    assert "external_egress" in address.flags and "untrusted_content" in address.flags


def test_an_access_token_the_call_signs_in_with_grants_nothing():
    """A change that takes the token it authenticates with does not manage credentials; one given a role does."""
    got = classify(tool("create_campaign", "Create an ad campaign.", {"name": STR, "access_token": STR}))
    assert "credential_access" not in got.flags
    role = classify(tool("create_member", "Create a team member.", {"name": STR, "role": STR}))
    assert "credential_access" in role.flags


def test_a_credential_in_the_parameter_list_is_one_the_call_is_given():
    """"Args: access_token: ..." documents what the call needs, not what it returns."""
    got = classify(tool("list_folders", "List the mail folders of the signed-in user.\n\nArgs:\n    access_token: "
                        "Graph access token\n    limit: how many\n", {"access_token": STR, "limit": STR}))
    assert "credential_access" not in got.flags
    reveals = classify(tool("get_app", "Get an app's details, including its API key and webhook secret.",
                            {"app_id": STR}))
    assert "credential_access" in reveals.flags


def test_a_sign_in_flow_is_credential_access():
    """A tool named for sign-in that sets it up or clears it handles credentials."""
    for name, text in (("setup_auth", "Open a browser window for a first-time sign-in."),
                       ("clear_auth", "Remove the stored sign-in of this server.")):
        assert "credential_access" in classify(tool(name, text, {})).flags, name


def test_tickets_and_screenshots_bring_in_what_others_wrote():
    """A help-desk ticket is written by whoever opened it; a screenshot shows whatever the screen holds."""
    ticket = classify(tool("get_ticket", "Get a ticket by its id.", {"ticket_id": STR}))
    screenshot = classify(tool("take_screenshot", "Take a screenshot of the current screen.", {}))
    assert "untrusted_content" in ticket.flags and "untrusted_content" in screenshot.flags
