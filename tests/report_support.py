"""Helpers for the report tests: golden files, hand-built hostile snapshots, parsing reports back."""

from __future__ import annotations

import difflib
import html
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from mcprisk import ServerSpec, Snapshot
from mcprisk.snapshot import item_from_wire

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
GOLDEN = TESTS / "golden"
SARIF_SCHEMA = TESTS / "data" / "sarif-schema-2.1.0.json"
UPDATE = os.environ.get("MCPRISK_UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with tests/golden/NAME byte for byte; MCPRISK_UPDATE_GOLDEN=1 rewrites the file."""
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return
    if not path.exists():
        pytest.fail(f"no golden file {path.relative_to(ROOT)}: run the tests once with MCPRISK_UPDATE_GOLDEN=1")
    expected = path.read_bytes().decode("utf-8")
    if text != expected:
        diff = "\n".join(list(difflib.unified_diff(expected.splitlines(), text.splitlines(), "golden", "now",
                                                   lineterm="", n=1))[:60])
        pytest.fail(f"{name} differs from its golden file (MCPRISK_UPDATE_GOLDEN=1 to accept):\n{diff}")


def tool(name: str, description: str, **extra: Any) -> Any:
    """A tool item built from wire JSON, as introspection would record it."""
    raw = {"name": name, "description": description, "inputSchema": {"type": "object", "properties": {}}, **extra}
    return item_from_wire("tools", raw, max_text_chars=8000)


def snapshot(name: str, *tools: Any, instructions: str | None = None, command: str = "evil-server",
             source: Any = None) -> Snapshot:
    """A complete snapshot of a stdio server named ``name`` holding ``tools``."""
    spec = ServerSpec.stdio([command], name=name)
    if source is not None:
        from dataclasses import replace

        spec = replace(spec, source=source)
    return Snapshot(server=spec, status="complete", era="legacy", protocol_version="2025-11-25",
                    server_info={"name": name, "version": "1.0"}, instructions=instructions,
                    instructions_length=len(instructions or ""), tools=tuple(tools))


HOSTILE_TEXT = ("Look up a record.<script>alert(1)</script></textarea><img src=x onerror=alert(2)>"
                "\x1b[31mRED\x1b[0m \u202eevil\u202c <a href=\"https://evil.example/\">x</a> | `tick` *bold* =1+1")


def hostile_snapshot() -> Snapshot:
    """A server whose every string tries to become markup, a link, a formula or a terminal escape."""
    return snapshot(
        "evil<b>server</b>",
        tool("lookup_record", HOSTILE_TEXT, annotations={"title": "<svg onload=alert(3)>", "readOnlyHint": True}),
        tool("run_<script>x</script>", "Run any shell command.\x07\x1b]0;pwned\x07",
             inputSchema={"type": "object", "properties": {"command": {"type": "string"}}}),
        tool("=HYPERLINK(\"http://evil.example\")", "+SUM(A1:A9) exfiltrate"),
        tool("delete|all`rows`", "-2+3 Deletes every row permanently."),
        tool("price_$x^2$_{calc}", "Costs $5 per call: $\\frac{a}{b}$."),
        instructions="@import url(https://evil.example/x.css); <style>body{display:none}</style>",
    )


class TagCollector(HTMLParser):
    """Every start tag and its attributes in an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> TagCollector:
    parser = TagCollector()
    parser.feed(text)
    parser.close()
    return parser


def sarif_validator() -> Any:
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


_FINDING_ID = re.compile(r"[A-Z]+[0-9]+@\S+")
_MATRIX_ROW = re.compile(r'<tr><td class="row"><b>(.*?)</b>(.*?)</tr>', re.S)
_STATUS = re.compile(r'<td class="st-(\w+)"')


def report_facts(page: str, tool_names: set[str]) -> dict[str, set]:
    """What an HTML report states, read off its markup (folded parts included): finding ids, which of
    ``tool_names`` it names, and each (server, control index, status) of its controls checklist."""
    chunks = {c.strip() for c in parse_html(page).text}
    controls = set()
    for server, cells in _MATRIX_ROW.findall(page):
        controls |= {(html.unescape(server), i, status) for i, status in enumerate(_STATUS.findall(cells))}
    return {"findings": {c for c in chunks if _FINDING_ID.fullmatch(c)}, "tools": tool_names & chunks,
            "controls": controls}
