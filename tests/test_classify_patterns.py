"""The classifier on the patterns issue 12 describes, each on tools written for the test (no data set's names):
asymmetric annotations, conflicts, verbs versus nouns, the description's main verbs, page actions,
infrastructure changes, overwriting relocations, automations, free-form code, untrusted inboxes, service
inference, and annotation accusations that need two witnesses."""

from __future__ import annotations

from pathlib import Path
from mcprisk.assessment import assess
from mcprisk.classify import classify_tool
from mcprisk.model import SEVERITIES
from mcprisk.snapshot import Snapshot, Tool
from mcprisk.specs import ServerSpec
from support import tool_def as tool


def snapshot(name: str, *tools: Tool, package: str | None = None) -> Snapshot:
    spec = ServerSpec.stdio(["npx", "-y", package or f"{name}@1.0.0"], name=name)
    return Snapshot(server=spec, status="complete", tools=tools)


def classify(t: Tool, server: str = "acme"):
    return classify_tool(t, server, snapshot(server, t))


STR = {"type": "string"}
NUM = {"type": "number"}
BOOL = {"type": "boolean"}

# -- annotations and weighing ------------------------------------------------------------------


def test_an_admitted_destructive_hint_raises_the_floor():
    """destructiveHint: true on an updating tool makes it destructive, contested, with both sides' evidence."""
    got = classify(tool("update_record", "Update a record.", {"id": STR},
                        annotations={"readOnlyHint": False, "destructiveHint": True}))
    assert got.primary == "destructive" and got.confidence == "contested"
    assert {e.source for e in got.evidence if e.effect in ("reversible", "destructive")} >= {"name", "annotation"}


def test_read_only_false_on_a_read_named_tool_admits_a_change():
    """readOnlyHint: false on a tool whose name reads as a read lifts it to a change, contested."""
    got = classify(tool("get_quota", "Get the quota.", annotations={"readOnlyHint": False, "destructiveHint": False}))
    assert got.primary == "reversible" and got.confidence == "contested"


def test_a_denying_hint_does_not_outweigh_the_tool():
    """readOnlyHint: true on a deleting tool stays destructive, and the disagreement shows as contested."""
    got = classify(tool("delete_record", "Delete a record.", annotations={"readOnlyHint": True}))
    assert got.primary == "destructive" and got.confidence == "contested"


def test_boilerplate_admissions_are_only_hints():
    """The same danger-admitting hints on every tool, reads included, do not make a read destructive."""
    hints = {"readOnlyHint": False, "destructiveHint": True}
    tools = [tool("list_items", "List items.", annotations=hints), tool("get_item", "Get an item.", annotations=hints),
             tool("create_item", "Create an item.", annotations=hints)]
    a = assess([snapshot("inventory-tool", *tools)])
    assert a.tool("inventory-tool", "list_items").primary == "read_only"


def test_name_and_description_disagreeing_take_the_more_severe_reading():
    """The name says update, the description's opening says replace: destructive, contested."""
    got = classify(tool("update_settings", "Replaces the settings document with the one given.", {"doc": STR}))
    assert got.primary == "destructive" and got.confidence == "contested"


def test_high_confidence_needs_two_independent_sources():
    """A description in other words than the name agrees independently (high); one that restates the name's
    verb is the name's reading again (medium), as is the name alone; an author's hint that a change destroys
    nothing is no second witness for it."""
    assert classify(tool("get_invoice", "Retrieve an invoice by id.")).confidence == "high"
    assert classify(tool("get_invoice", "Get an invoice by id.")).confidence == "medium"
    assert classify(tool("get_invoice")).confidence == "medium"
    hinted = tool("update_note", "Update a note.", {"note_id": STR, "text": STR},
                  annotations={"readOnlyHint": False, "destructiveHint": False})
    assert classify(hinted).confidence == "medium"


# -- language ------------------------------------------------------------------------------------


def test_a_noun_like_word_is_a_verb_only_if_the_description_agrees():
    """'branch' in a name is a noun when the description lists branches, a verb when it creates one."""
    assert classify(tool("vcs_branch", "List the branches of a repository.")).primary == "read_only"
    assert classify(tool("vcs_branch", "Branch from the given commit.", {"name": STR})).primary != "read_only"


def test_open_takes_the_sense_its_object_selects():
    """Opening nodes reads them; opening a ticket creates one."""
    assert classify(tool("open_nodes", "Open specific nodes by their names.")).primary == "read_only"
    assert classify(tool("open_ticket", "Open a ticket.", {"title": STR})).primary != "read_only"


def test_participles_in_a_name_describe_a_state():
    """'unstaged' in a name says which changes are shown, not that the call unstages them."""
    assert classify(tool("diff_unstaged", "Shows changes not yet staged.")).primary == "read_only"


def test_every_main_verb_of_the_opening_counts():
    """A description that fetches and then deletes is destructive, not only its first word."""
    got = classify(tool("sync_inbox", "Fetches new mail and deletes the copies on the server.", {"folder": STR}))
    assert got.primary == "destructive"


# -- patterns ------------------------------------------------------------------------------------


def test_a_click_in_a_live_page_can_submit_what_others_see():
    """A click on a page element (no known browser service) can submit a form or post on the site: customer-
    visible, never a read."""
    got = classify(tool("element_click", "Click an element on the page.", {"selector": STR}), "agent-kit")
    assert got.primary == "customer_visible" and "reversible" in got.effects


def test_filling_a_field_changes_only_the_page_unless_it_submits():
    """Filling a field is reversible; typing with a submit switch can submit the form."""
    fill = classify(tool("fill_field", "Fill a form field on the page.", {"selector": STR, "value": STR}))
    typed = classify(tool("type_text", "Type text into an element on the page.",
                          {"selector": STR, "text": STR, "submit": {"type": "boolean"}}))
    assert fill.primary == "reversible" and typed.primary == "customer_visible"


def test_navigating_a_live_page_moves_the_session():
    """Navigating or hovering in a browser session changes its state (reversible), it is not a read."""
    for name, text in (("browser_navigate", "Navigate to a URL."), ("browser_hover", "Hover over an element.")):
        got = classify(tool(name, text, {"url": STR} if "navigate" in name else {"selector": STR}), "browser-kit")
        assert got.primary == "reversible", name


def test_typing_into_a_shell_runs_what_is_typed():
    """Sending keys or text to a terminal session or VM console is running commands; typing into a page is not."""
    shell = classify(tool("send_input", "Send input to the active shell for a session.", {"input_text": STR}))
    page = classify(tool("send_keys", "Sends keys to an element on the page.", {"selector": STR, "text": STR}))
    assert shell.primary == "destructive" and "code_execution" in shell.flags
    assert page.primary != "destructive" and "code_execution" not in page.flags


def test_a_report_written_to_a_named_file_can_replace_it():
    """A tool whose purpose is the report it writes to a caller-named file can overwrite it; a screenshot saved
    to a file name is a side artifact (reversible)."""
    report = classify(tool("export_sarif", "Run a scan and export results in SARIF format.",
                           {"target_path": STR, "output_path": STR}))
    shot = classify(tool("browser_take_screenshot", "Take a screenshot of the current page.",
                         {"filename": {"type": "string", "description": "File name to save the screenshot to."}}),
                    "browser-kit")
    assert report.primary == "destructive" and shot.primary == "reversible"


def test_a_denied_consequence_is_no_consequence():
    """"Existing notes are never overwritten" does not make adding notes destructive."""
    got = classify(tool("add_notes", "Add notes to an existing deck. Existing notes are never overwritten.",
                        {"deck": STR, "notes": {"type": "array"}}))
    assert got.primary == "reversible"


def test_a_code_that_names_a_project_is_no_code_to_run():
    """A parameter named ``code`` holding a project code (a short pattern) is an identifier, not code."""
    got = classify(tool("create_case", "Create a test case.", {"code": {"type": "string", "pattern": "^[A-Z]+$",
                                                                       "description": "Project code"}, "title": STR}))
    assert "code_execution" not in got.flags and got.primary == "reversible"


def test_deploying_or_applying_replaces_what_runs():
    """Applying a manifest or deploying a site replaces what is running; applying a label does not."""
    assert classify(tool("apply_manifest", "Apply a manifest to the cluster.", {"yaml": STR})).primary == "destructive"
    assert classify(tool("deploy_site", "Deploy the site.", {"site_id": STR})).primary == "destructive"
    assert classify(tool("apply_label", "Apply a label to a message.", {"label": STR})).primary != "destructive"


def test_a_relocation_can_overwrite_its_destination():
    """Uploading to a caller-chosen key replaces what is there; a move that refuses to overwrite does not."""
    up = classify(tool("upload_object", "Upload an object to a bucket.", {"bucket": STR, "key": STR, "body": STR}))
    mv = classify(tool("move_file", "Move a file. Fails if the destination already exists.",
                       {"source": STR, "destination": STR}))
    assert up.primary == "destructive" and mv.primary != "destructive"


def test_running_a_workflow_runs_steps_defined_elsewhere():
    """Running a workflow is destructive; running a report reads."""
    assert classify(tool("run_workflow", "Run a workflow.", {"workflow_id": STR})).primary == "destructive"
    assert classify(tool("run_report", "Run a report.", {"report_id": STR})).primary == "read_only"


def test_free_form_options_and_expressions_are_code():
    """A command-line options string and an evaluated expression run what the caller writes."""
    scan = classify(tool("port_scan", "Scan ports of a host with nmap.",
                         {"target": STR, "options": {"type": "string", "description": "extra nmap flags"}}))
    calc = classify(tool("evaluate", "Evaluate a math expression.", {"expression": STR}))
    assert "code_execution" in scan.flags and scan.primary == "destructive"
    assert "code_execution" in calc.flags


def test_a_select_only_query_tool_reads_with_code_execution():
    """A query tool restricted to SELECT reads, and still runs code it is given."""
    got = classify(tool("read_query", "Execute a SELECT query on the database.", {"query": STR}), "sqlite")
    assert got.primary == "read_only" and "code_execution" in got.flags


def test_an_inbox_of_uploads_is_untrusted_and_forms_a_trifecta_with_email():
    """Reading what outsiders uploaded brings untrusted text in; next to a private read and send_email the
    lethal trifecta is found on the one server."""
    tools = [tool("list_uploads", "List files customers uploaded.", {"folder": STR}),
             tool("get_customer", "Get a customer record.", {"customer_id": STR}),
             tool("send_email", "Send an email.", {"to": STR, "subject": STR, "body": STR})]
    a = assess([snapshot("intake", *tools)])
    assert "untrusted_content" in a.tool("intake", "list_uploads").flags
    assert any(f.code == "FLOW001" for f in a.findings)


def test_one_common_word_names_a_service_only_weakly():
    """'vector' in a package name does not make every read a read of private memory, nor is every search_* a
    read of the web."""
    models = tool("list_models", "List the embedding models available.")
    search = tool("search_index", "Search the index for the closest matches.", {"q": STR})
    a = assess([snapshot("vector-kit", models, search, package="vector-kit-mcp@1.0.0")])
    assert a.tool("vector-kit", "list_models").flags == ()
    assert "untrusted_content" not in a.tool("vector-kit", "search_index").flags


# -- accusations ---------------------------------------------------------------------------------


def test_an_ambiguous_witness_is_no_accusation():
    """readOnlyHint: true on a tool that only one weak reading calls a change raises no ANN001."""
    t = tool("trigger_refresh_view", "Demonstrates a long running view.", annotations={"readOnlyHint": True})
    a = assess([snapshot("demo", t)])
    assert not [f for f in a.findings if f.code == "ANN001"]


def test_a_decisive_witness_is_an_accusation():
    """readOnlyHint: true on a tool that takes a shell command raises ANN001 with the parameter as evidence."""
    t = tool("run_command", "Run a shell command.", {"command": STR}, annotations={"readOnlyHint": True})
    a = assess([snapshot("host", t)])
    found = [f for f in a.findings if f.code == "ANN001"]
    assert found and any(e.rule == "EFF106" for e in found[0].evidence)


def test_two_witnesses_of_a_change_are_a_doubt_not_an_accusation():
    """readOnlyHint: true on a tool that two sources call a change, none decisively, is a medium ANN001 that
    leaves the verdict to the placement (no do_not_use)."""
    t = tool("create_plan", "Create a plan and save it to the output folder.", {"output_dir": STR},
             annotations={"readOnlyHint": True})
    a = assess([snapshot("planner", t)])
    found = [f for f in a.findings if f.code == "ANN001"]
    assert [f.severity for f in found] == ["medium"]
    assert a.verdict("planner").state != "do_not_use"


def test_a_reading_another_source_disputes_is_a_doubt():
    """destructiveHint: false on a tool whose name reads it as a read while a parameter runs code is a medium
    ANN002; the same parameter on a tool no source reads as a read is a high one."""
    scrape = tool("scrape_page", "Scrape a page.", {"url": STR, "script": STR},
                  annotations={"readOnlyHint": False, "destructiveHint": False})
    run = tool("run_job", "Run a job on the worker.", {"script": STR},
               annotations={"readOnlyHint": False, "destructiveHint": False})
    a = assess([snapshot("worker", scrape, run)])
    severity = {f.subject: f.severity for f in a.findings if f.code == "ANN002"}
    assert severity == {"scrape_page": "medium", "run_job": "high"}



def test_a_parameter_alone_against_the_words_is_a_doubt():
    """One decisive-looking parameter is no accusation when the tool's own words read it otherwise: a
    ``configure_defaults`` whose ``extra_args`` pass flags to a build, or a Cypher statement tool the author marks
    read-only (a query may run in a read-only transaction), get a medium doubt at most; a tool whose name runs the command it takes stays accused."""
    setter = tool("configure_defaults", "Set the default scheme and the extra arguments passed to the build command.",
                  {"scheme": STR, "extra_args": {"type": "array", "items": STR,
                                                 "description": "Additional arguments for the build tool"}},
                  annotations={"readOnlyHint": False, "destructiveHint": False})
    query = tool("graph_cypher", "Execute a Cypher statement on the dependency graph.", {"statement": STR},
                 annotations={"readOnlyHint": True})
    shell = tool("exec_command", "Execute a command on the build host.", {"command": STR},
                 annotations={"readOnlyHint": True})
    a = assess([snapshot("builder", setter, query, shell)])
    worst = {}
    for f in a.findings:
        if f.code in ("ANN001", "ANN002"):
            worst[f.subject] = max(worst.get(f.subject, "info"), f.severity, key=SEVERITIES.index)
    assert SEVERITIES.index(worst.get("configure_defaults", "info")) < SEVERITIES.index("high")
    assert SEVERITIES.index(worst.get("graph_cypher", "info")) < SEVERITIES.index("high")
    assert SEVERITIES.index(worst["exec_command"]) >= SEVERITIES.index("high")
    assert a.verdict("builder").state == "do_not_use"  # the shell tool's lie still decides it


def test_a_state_that_is_put_right_again_is_no_accusation():
    """"VMs will lose sync and must be synced again" and "creates a .bak backup before overwriting" destroy
    nothing: no ANN002 at high on a non-destructive hint; "will overwrite the existing one" is a doubt (medium): one
    phrase of the description against the name's verb and the author's hint is one witness, not an accusation."""
    rule = tool("create_firewall_rule", "Create a firewall rule. Any machine using this firewall will lose sync with "
                "it and will have to be synced again.", {"firewall_id": STR, "port": STR},
                annotations={"readOnlyHint": False, "destructiveHint": False})
    fix = tool("apply_fix", "Apply a fix to a file. Creates a .bak backup before overwriting.", {"path": STR, "text": STR},
               annotations={"readOnlyHint": False, "destructiveHint": False})
    snap = tool("create_snapshot", "Create a snapshot of a machine. Creating a new snapshot will overwrite the existing one.",
                {"machine_id": STR}, annotations={"readOnlyHint": False, "destructiveHint": False})
    a = assess([snapshot("hosting", rule, fix, snap)])
    high = {f.subject for f in a.findings if f.code == "ANN002" and f.severity == "high"}
    assert high == set()
    assert {f.subject: f.severity for f in a.findings if f.code == "ANN002"}.get("create_snapshot") == "medium"
    fix_phrases = [e.weight for t in a.tools if t.tool == "apply_fix" for e in t.evidence if e.rule == "EFF105"]
    assert fix_phrases and max(fix_phrases) < 0.5  # the overwrite with a backup kept is only a hint


def test_classifier_modules_stay_small():
    """Each module of the classifier package stays well under 400 lines (under 350)."""
    package = Path(__file__).resolve().parents[1] / "mcprisk" / "classify"
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in package.glob("*.py")}
    assert sizes and max(sizes.values()) < 350, sizes


def test_the_lexicon_is_parsed_in_one_place():
    """Only mcprisk.classify.lexicon reads lexicon.yaml."""
    root = Path(__file__).resolve().parents[1] / "mcprisk"
    readers = sorted(str(p.relative_to(root)) for p in root.rglob("*.py") if "lexicon.yaml" in p.read_text("utf-8"))
    assert readers == ["classify/lexicon.py"]


# -- round 9: desktop input, images, stored code, whole configs, provisioning ----------------------


def test_desktop_input_lands_in_whatever_window_has_focus():
    """Clicks, key presses and typed text sent to the operator's desktop can confirm a delete or type a command into
    a terminal: destructive. Moving the pointer presses nothing; a phone's or a simulator's screen keeps the input."""
    desktop = "computer-control"
    for name, text, params in (("click_screen", "Click at the specified screen coordinates.", {"x": NUM, "y": NUM}),
                               ("type_text", "Type the specified text at the current cursor position.", {"text": STR}),
                               ("key_down", "Hold down a specific keyboard key until released.", {"key": STR})):
        got = classify(tool(name, text, params), desktop)
        assert got.primary == "destructive" and any(e.rule == "EFF122" for e in got.evidence), name
    assert classify(tool("move_mouse", "Move the mouse to the specified screen coordinates.", {"x": NUM, "y": NUM}),
                    desktop).primary == "reversible"
    phone = classify(tool("mobile_type", "Type text into the focused field of the mobile device.", {"text": STR}),
                     "computer-control")
    assert phone.primary != "destructive"
    plain = classify(tool("type_text", "Type the specified text at the current cursor position.", {"text": STR}),
                     "notes-kit")
    assert not any(e.rule == "EFF122" for e in plain.evidence)


def test_a_workload_created_from_a_named_image_runs_its_code():
    """Creating a deployment or running an image the caller names runs whatever the image holds; creating a server
    from an OS image is provisioning, not code the caller wrote."""
    dep = classify(tool("create_deployment", "Create a Deployment.", {"name": STR, "image": STR, "replicas": NUM}))
    run = classify(tool("k8s_run", "Run a specific image in the cluster.", {"name": STR, "image": STR}))
    vm = classify(tool("create_server", "Create a new server.", {"name": STR, "image": STR}))
    assert dep.primary == "destructive" and run.primary == "destructive"
    assert vm.primary != "destructive" and not any(e.rule == "EFF123" for e in vm.evidence)


def test_executing_a_stored_procedure_runs_what_it_holds():
    """A stored procedure run by name can modify or delete data; running a saved report reads."""
    proc = classify(tool("execute_stored_procedure", "Executes a stored procedure by name.", {"procedure_name": STR}))
    assert proc.primary == "destructive"


def test_code_described_as_code_to_execute_is_code():
    """"Luau code to execute" is code to run, not an identifier such as a "project code"."""
    got = classify(tool("execute_luau", "Execute Luau code in plugin context.",
                        {"code": {"type": "string", "description": "Luau code to execute"}}))
    assert got.primary == "destructive" and "code_execution" in got.flags


def test_setting_a_whole_config_document_replaces_it():
    """Setting an item's whole config XML replaces the configuration there without history; setting a proxy's
    fields one by one does not."""
    whole = classify(tool("set_item_config", "Set specific item config.", {"fullname": STR, "config_xml": STR}))
    fields = classify(tool("set_proxy_config", "Set the proxy configuration.", {"url": STR, "enabled": BOOL}))
    assert whole.primary == "destructive" and fields.primary != "destructive"


def test_creating_a_server_or_database_with_an_unknown_provider_provisions_capacity():
    """With no known provider, creating a server or a hosted database is one witness of billed capacity (contested,
    not high); creating a project is not."""
    db = classify(tool("create_database", "Create a new database in your organization.", {"name": STR}), "dbcloud")
    proj = classify(tool("create_project", "Create a new project.", {"name": STR}), "dbcloud")
    assert db.primary == "high_cost" and db.confidence != "high"
    assert proj.primary == "reversible"


def test_opening_an_app_starts_it_and_checking_a_box_changes_the_form():
    """"open" an app, a simulator or a shell starts something; "check" a checkbox changes the form; a debugger's
    step moves the program. Checking a status still reads."""
    assert classify(tool("open_app", "Open an application using its package name.", {"package": STR})).primary \
        == "reversible"
    assert classify(tool("browser_check", "Check a checkbox or radio button.", {"selector": STR}),
                    "browser-kit").primary != "read_only"
    assert classify(tool("check_status", "Check the status of a job.", {"job_id": STR})).primary == "read_only"
    assert classify(tool("step_over", "Step over the current line.", {"session_id": STR})).primary == "reversible"

def test_an_accusation_needs_two_witnesses_or_a_self_evident_one():
    """Issue 12: ANN001/ANN002 accuse (high) only on code the tool runs, a verb that only means removing data, or
    decisive evidence a second independent source confirms. A milder destroying verb alone ("clear", "invalidate")
    or one phrase of the description against the name ("Replaces existing tags") is a medium doubt at most."""
    hint = {"readOnlyHint": False, "destructiveHint": False}
    purge = tool("purge_cache", "Purge the cache of a site.", {"site_id": STR}, annotations=hint)
    clear = tool("clear_domain_mail", "Clear the mail settings of a domain.", {"domain": STR}, annotations=hint)
    tags = tool("update_workflow_tags", "Assign tags to a workflow. Replaces existing tags completely.",
                {"workflow_id": STR, "tags": {"type": "array", "items": STR}}, annotations=hint)
    call = tool("call_method", "Execute one read endpoint from the catalog. Nothing here changes data, so it runs "
                "without confirmation.", {"operation_id": STR}, annotations={"readOnlyHint": True})
    a = assess([snapshot("hosting", purge, clear, tags, call)])
    high = {f.subject for f in a.findings if f.code in ("ANN001", "ANN002") and f.severity in ("high", "critical")}
    assert high == {"purge_cache"}


def test_changing_who_belongs_touches_credentials():
    """Issue 12's credential access includes changing identities: revoking a member, setting a group's members or
    adding a delegate changes who may get in; reading the member list does not."""
    revoke = classify(tool("revoke_org_member", "Revoke a member's access to an organization.", {"member_id": STR}))
    group = classify(tool("update_group_members", "Update a group's members.",
                          {"group_id": STR, "member_ids": {"type": "array", "items": STR}}))
    listing = classify(tool("list_members", "List the members of the organization.", {"org_id": STR}))
    assert "credential_access" in revoke.flags and "credential_access" in group.flags
    assert "credential_access" not in listing.flags


def test_a_qualified_webhook_address_is_an_egress():
    """A parameter named for a webhook address with a qualifier ("inboundWebhookUrl") is still an address the
    service sends events to: the tool that sets it can send data out; an id of a webhook is no address."""
    number = classify(tool("update_phone_number", "Updates a phone number.",
                           {"phone_number": STR, "inboundWebhookUrl": STR}))
    by_id = classify(tool("update_phone_label", "Updates a phone number's label.",
                          {"phone_number": STR, "label": STR, "webhookId": STR}))
    assert "external_egress" in number.flags
    assert "external_egress" not in by_id.flags
