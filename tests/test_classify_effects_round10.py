"""Effect readings of round 10 (issue 12): words a description lists as objects are no verbs of the tool, a read that
names code it returns runs none, a generic verb defers to the operations a router offers, and an export that saves
nothing returns what it exports. Tools written for the test; no data set's names."""

from __future__ import annotations

from pathlib import Path

import yaml

from mcprisk.classify import classify_tool
from mcprisk.classify.language import description_verbs
from mcprisk.classify.learned import use_model
from mcprisk.snapshot import Snapshot, Tool
from mcprisk.specs import ServerSpec
from support import tool_def as tool

STR = {"type": "string"}
LEXICON = Path(__file__).resolve().parents[1] / "mcprisk" / "catalog" / "lexicon.yaml"


def classify(t: Tool, server: str = "acme"):
    snapshot = Snapshot(server=ServerSpec.stdio(["npx", "-y", f"{server}@1.0.0"], name=server), status="complete",
                        tools=(t,))
    with use_model(None):
        return classify_tool(t, server, snapshot)


def test_every_word_of_the_lexicon_is_a_string():
    """A bare ``on`` or ``no`` in a YAML list is read as a boolean: the word would silently be missing."""
    bad: list[str] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            bad.extend(f"{where}: {item!r}" for item in node if not isinstance(item, str))

    walk(yaml.safe_load(LEXICON.read_text(encoding="utf-8")), "")
    assert bad == []


def test_words_listed_after_a_preposition_are_objects_not_verbs():
    """"with their filters, actions, and run history": "run" is one of the things listed; a verb before a
    determiner still starts a clause ("... and delete them")."""
    assert description_verbs("List all saved rules with their filters, actions, and run history.") == ["list"]
    assert description_verbs("Get usage tips and upgrade info for the export.") == ["get"]
    assert description_verbs("Search for stale files and delete them.") == ["search", "delete"]
    assert description_verbs("Create, update or delete a page.") == ["create", "update", "delete"]


def test_a_sentence_in_another_script_has_no_latin_verb():
    """The first Latin word of a sentence written in another script ("查询定时 SQL 任务") is not its verb."""
    assert description_verbs("查询定时 SQL 任务列表。") == []
    assert description_verbs("Delete a task. 删除任务。") == ["delete"]
    assert description_verbs("호가를 조회합니다. **Rate Limits Group**: `MARKET_DATA`") == []


def test_what_a_tool_takes_is_not_what_it_does():
    """"Accepts any scanner output", "Handles offset pagination": what the tool copes with, not a change."""
    assert description_verbs("Accepts any scanner output or raw findings.") == []
    assert description_verbs("Currently running tests per node.") == []
    got = classify(tool("describe_table", "Column schema for a table. Accepts bare or qualified names.",
                        {"table": STR}))
    assert got.primary == "read_only"


def test_a_read_that_names_code_it_returns_runs_none():
    """"Shows the CREATE statement of a procedure" returns code; "Execute a SQL statement" runs it."""
    shown = classify(tool("show_create_procedure", "Shows the CREATE statement for a stored procedure.",
                          {"name": STR}))
    assert shown.primary == "read_only" and "code_execution" not in shown.flags
    run = classify(tool("run_statement", "Execute any SQL statement, including CREATE and DROP.", {"name": STR}))
    assert run.primary == "destructive" and "code_execution" in run.flags


def test_a_generic_verb_defers_to_the_operations_offered():
    """"manage_board(action: get | list)" reads; with a delete among the choices it destroys."""
    reads = classify(tool("manage_board", "Manage boards.", {"action": {"type": "string", "enum": ["get", "list"]}}))
    assert reads.primary == "read_only"
    deletes = classify(tool("manage_board", "Manage boards.",
                            {"action": {"type": "string", "enum": ["get", "delete"]}}))
    assert deletes.primary == "destructive"


def test_an_export_that_saves_nothing_returns_what_it_exports():
    """An export with no place to save to returns the data; one given an output path writes a file there."""
    returned = classify(tool("export_glossary", "Export a glossary as CSV text.", {"id": STR}))
    assert returned.primary == "read_only"
    saved = classify(tool("export_glossary", "Export a glossary to a file.", {"id": STR, "output_path": STR}))
    assert saved.primary != "read_only"


def test_saving_to_a_local_path_replaces_the_file_there():
    """A tool that saves what it fetches to a ``local_path`` can replace a file there; one returning it does not."""
    saved = classify(tool("fetch_attachment", "Get an attachment of a message.",
                          {"id": STR, "local_path": {"type": "string", "description": "Where to save it"}}))
    assert saved.primary == "destructive"
    returned = classify(tool("fetch_attachment", "Get an attachment of a message.", {"id": STR}))
    assert returned.primary == "read_only"


def test_a_copy_to_a_named_destination_key_can_replace_it():
    """A copy of a stored object to a ``dst_key`` the caller names overwrites what is there."""
    got = classify(tool("copy_object", "Server-side copy of one object.",
                        {"src_bucket": STR, "src_key": STR, "dst_bucket": STR, "dst_key": STR}))
    assert got.primary == "destructive"


def test_a_parameter_named_as_a_command_carries_code():
    """``startup_command`` holds a command line the tool runs; ``command_id`` names one."""
    got = classify(tool("open_session", "Open a persistent session.", {"cwd": STR, "startup_command": STR}))
    assert got.primary == "destructive" and "code_execution" in got.flags
    named = classify(tool("open_session", "Open a persistent session.", {"cwd": STR, "command_id": STR}))
    assert "code_execution" not in named.flags
