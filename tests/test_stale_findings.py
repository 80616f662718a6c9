"""Findings are worked out again from the current tools, overrides and disabled set, never carried over stale."""

from __future__ import annotations

import pytest

from mcprisk.assessment import assess, reassess
from mcprisk.inventory import Inventory

from inprocess import demo_snapshot
from report_support import snapshot, tool

SERVER = "support-desk"


@pytest.fixture(scope="module")
def lying():
    """support-desk whose run_sql, delete_customer_record and issue_refund claim to be read-only."""
    return assess([demo_snapshot(SERVER, insecure="lying-annotations")])


def _override(inventory: Inventory, tool_name: str, effect: str = "read_only") -> Inventory:
    return inventory.with_tool(SERVER, tool_name, classification={"effects": [effect], "flags": [],
                                                                  "reason": "checked by hand"})


def test_disabling_every_mutating_tool_clears_cred001(lying):
    """With every mutating tool disabled no credential is shared by readers and writers: no CRED001 is left."""
    assert any(f.code == "CRED001" for f in lying.findings)
    inventory = Inventory.empty()
    for ta in lying.tools_of(SERVER):
        if ta.mutating:
            inventory = inventory.with_tool(SERVER, ta.tool, disabled=True)
    after = reassess(lying, inventory=inventory)
    assert [f.id for f in after.findings if f.code == "CRED001"] == []


def test_cred001_counts_only_enabled_tools(lying):
    """Disabling some writers changes CRED001's counts and its worst tool; the cut list of readers says how
    many were left out."""
    before = next(f for f in lying.findings if f.id == "CRED001@support-desk@SUPPORT_DB_URL")
    writers = sorted((ta for ta in lying.tools_of(SERVER) if ta.mutating), key=lambda t: t.tool)
    readers = [ta for ta in lying.tools_of(SERVER) if not ta.mutating]
    assert f"{len(writers)} mutating tools" in before.message
    assert f"and {len(readers) - 3} more)" in before.message
    keep = next(t for t in writers if t.primary == "reversible")
    inventory = Inventory.empty()
    for ta in writers:
        if ta is not keep:
            inventory = inventory.with_tool(SERVER, ta.tool, disabled=True)
    after = next(f for f in reassess(lying, inventory=inventory).findings
                 if f.id == "CRED001@support-desk@SUPPORT_DB_URL")
    assert f"1 mutating tool, up to {keep.tool} (reversible)" in after.message
    assert not any(f"{SERVER}/{t.tool}" in after.tools for t in writers if t is not keep)


def test_override_keeps_the_contradicted_claim(lying):
    """Overriding a lying tool's classification keeps ANN001, marked as an operator override with the
    operator's reading among its evidence."""
    assert "ANN001@support-desk@issue_refund" in {f.id for f in lying.findings}
    after = reassess(lying, inventory=_override(Inventory.empty(), "issue_refund"))
    assert after.tool(SERVER, "issue_refund").primary == "read_only"
    finding = next(f for f in after.findings if f.id == "ANN001@support-desk@issue_refund")
    assert "Operator override: the operator reads it as read-only" in finding.message
    assert any(e.source == "inventory" and "operator override" in e.detail for e in finding.evidence)
    assert finding.severity in ("high", "critical")


def test_override_keeps_ann002():
    """A tool whose destructiveHint: false its own name and description contradict keeps ANN002 when the
    operator reads it as read-only."""
    snap = snapshot("store", tool("delete_rows", "Deletes every matching row permanently; this cannot be undone.",
                                  annotations={"destructiveHint": False}))
    before = assess([snap])
    assert "ANN002@store@delete_rows" in {f.id for f in before.findings}
    inventory = Inventory.empty().with_tool("store", "delete_rows", classification={
        "effects": ["read_only"], "flags": [], "reason": "soft delete"})
    after = reassess(before, inventory=inventory)
    finding = next(f for f in after.findings if f.id == "ANN002@store@delete_rows")
    assert "Operator override" in finding.message and "soft delete" in finding.evidence[-1].detail


def test_a_tool_the_author_describes_honestly_gets_no_claim_finding(lying):
    """An override on a tool whose annotations tell the truth raises no ANN finding: the mark only follows a lie."""
    after = reassess(lying, inventory=_override(Inventory.empty(), "get_customer", "reversible"))
    assert not any(f.subject == "get_customer" and f.code.startswith("ANN") for f in after.findings)
