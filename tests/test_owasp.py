"""The OWASP MCP Top 10 (2025) map: the list's own ids and titles, every finding code mapped (or said why
not), findings citing the items, and standards.owasp_mcp_top10 in every report format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from mcprisk.assessment import assess
from mcprisk.catalog import catalog
from mcprisk.drift import drift_rule_info
from mcprisk.render import render_html, render_json, render_markdown
from mcprisk.render._json import report_schema
from mcprisk.rules import rule_info
from mcprisk.standards import known_codes, owasp_items, owasp_items_for, owasp_unmapped

from inprocess import demo_snapshot

README = Path(__file__).resolve().parent.parent / "README.md"

# As the project lists them (github.com/OWASP/www-project-mcp-top-10, index.md, 2026-04-14).
OFFICIAL = [
    ("MCP01:2025", "Token Mismanagement & Secret Exposure"),
    ("MCP02:2025", "Privilege Escalation via Scope Creep"),
    ("MCP03:2025", "Tool Poisoning"),
    ("MCP04:2025", "Software Supply Chain Attacks & Dependency Tampering"),
    ("MCP05:2025", "Command Injection & Execution"),
    ("MCP06:2025", "Intent Flow Subversion"),
    ("MCP07:2025", "Insufficient Authentication & Authorization"),
    ("MCP08:2025", "Lack of Audit and Telemetry"),
    ("MCP09:2025", "Shadow MCP Servers"),
    ("MCP10:2025", "Context Injection & Over-Sharing"),
]


def finding_codes() -> set[str]:
    return set(rule_info()) | set(drift_rule_info()) | {"PLC001", "PLC002", "PLC003"} | \
        {sign.id for sign in catalog().no_go}


def test_the_ten_items_with_their_official_ids_and_titles():
    """The map lists exactly the ten items, in order, with the list's own ids and titles."""
    assert [(i.id, i.title) for i in owasp_items()] == OFFICIAL


def test_every_finding_code_is_mapped_or_says_why_not():
    """Each finding code evidences at least one item, or is listed as unmapped with a reason (never both)."""
    unmapped = owasp_unmapped()
    for code in sorted(finding_codes()):
        mapped = owasp_items_for(code)
        assert bool(mapped) != (code in unmapped), code
    assert all(reason for reason in unmapped.values())


def test_the_map_names_no_code_that_does_not_exist():
    """Every exact code in the map is a real rule code, and every pattern matches at least one."""
    known = known_codes()
    for item in owasp_items():
        for pattern in item.codes:
            if pattern.endswith("*"):
                assert any(c.startswith(pattern[:-1]) for c in known), pattern
            else:
                assert pattern in known, (item.id, pattern)
    assert set(owasp_unmapped()) <= known


def test_findings_cite_the_items_by_id_and_title():
    """Rule references use `MCPnn:2025 Title` from the map; the old free-text form is gone."""
    titles = {f"{i}: {t}".replace(": ", " ", 1) for i, t in OFFICIAL}
    for code, info in {**rule_info(), **drift_rule_info()}.items():
        assert not any(r.startswith("OWASP MCP Top 10") for r in info.references), code
        cited = {r for r in info.references if re.match(r"MCP\d\d:2025 ", r)}
        assert cited <= titles, code
        assert cited == {i.reference for i in owasp_items_for(code)}, code


def test_not_visible_items_are_explained_in_the_readme():
    """The README says, for each not_visible item, what mcprisk cannot see (the map's own words)."""
    text = " ".join(README.read_text(encoding="utf-8").split())
    hidden = [i for i in owasp_items() if i.status == "not_visible"]
    assert hidden
    for item in hidden:
        assert item.id in text and item.cannot_see in text


@pytest.fixture(scope="module")
def demo_assessment():
    """The honest support-desk demo, introspected live and assessed."""
    snap = demo_snapshot("support-desk")
    assert snap.ok
    return assess(snap)


def test_report_json_validates_with_ten_standard_entries(demo_assessment):
    """report.json validates against the schema and carries standards.owasp_mcp_top10 with ten entries."""
    data = json.loads(render_json(demo_assessment))
    jsonschema.Draft202012Validator(report_schema()).validate(data)
    rows = data["standards"]["owasp_mcp_top10"]
    assert [(r["id"], r["title"]) for r in rows] == OFFICIAL
    assert {r["status"] for r in rows} <= {"checked", "partly", "not_visible"}
    by_id = {r["id"]: r for r in rows}
    assert "LCH001" in by_id["MCP04:2025"]["codes"] and by_id["MCP08:2025"]["status"] == "not_visible"
    for row in rows:  # each count is the open findings whose code the item covers
        item = next(i for i in owasp_items() if i.id == row["id"])
        assert row["findings"] == sum(1 for f in demo_assessment.findings if item.covers(f.code))


def test_schema_refuses_a_report_without_the_ten_entries(demo_assessment):
    """A report whose standards block lost an item does not validate."""
    data = json.loads(render_json(demo_assessment))
    data["standards"]["owasp_mcp_top10"].pop()
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(report_schema()).validate(data)


def test_html_and_markdown_show_the_table(demo_assessment):
    """The HTML and Markdown reports show every item with its coverage and what mcprisk cannot see."""
    html, md = render_html(demo_assessment, charts=False), render_markdown(demo_assessment)
    assert 'id="owasp"' in html and "## OWASP MCP Top 10 (2025)" in md
    for item in owasp_items():
        assert item.id in html and item.id in md
    assert "not visible" in md and "pipeline" in html
