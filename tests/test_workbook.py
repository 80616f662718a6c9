"""The workbook's display helpers: tables left-aligned and wrapped by the library, the same bytes every run, and
drift, flows and placements shown as tables instead of nested dicts."""

from __future__ import annotations

import pandas as pd
import pytest

from mcprisk.assessment import assess
from mcprisk.workbook import drift_table, flows_table, placement_table, table

from inprocess import demo_snapshots


@pytest.fixture(scope="module")
def pair():
    approved, changed, research = demo_snapshots("support-desk", ("support-desk", {"insecure": "drift"}),
                                                 "web-research")
    return assess([changed, research], baseline=[approved])


def test_table_is_left_aligned_wrapped_and_stable():
    """A long text column is left-aligned and wrapped (never cut with an ellipsis), the index is hidden, and two
    renderings give the same bytes (no random Styler id)."""
    long = "word " * 60
    frame = pd.DataFrame([{"tool": "a", "why": long}, {"tool": "b", "why": "short"}])
    html = table(frame, caption="why")._repr_html_()
    assert "text-align: left" in html and "white-space: normal" in html and "max-width: 60ch" in html
    assert long.strip() in html and "..." not in html and "…" not in html
    assert html == table(frame, caption="why")._repr_html_()
    assert ">0<" not in html  # no index column
    assert repr(table(frame, caption="why")).startswith("why\n")


def test_drift_is_a_table(pair):
    """Drift since the approved snapshot reads as one row per changed item, not a nested dict."""
    t = drift_table(pair.drift)
    rows = {(r["server"], r["what"], r["change"]): r["fields"] for _, r in t.frame.iterrows()}
    assert ("web-research", "server", "added") in rows  # not in the approved snapshot
    assert "description reworded" in rows[("support-desk", "tool send_customer_email", "changed")]
    assert len(drift_table(None)) == 0 and "No drift" in repr(drift_table(None))


def test_flows_are_a_table_by_way_out(pair):
    """Flows read as one row per way out, their lists cut with 'and N more'."""
    t = flows_table(pair, limit=2)
    sinks = {f.sink for f in pair.flows}
    assert set(t.frame["can leave through"]) == sinks and t.frame["paths"].sum() == len(pair.flows)
    assert t.frame["private data read by"].str.contains(r"and \d+ more").any()


def test_placements_are_a_table(pair):
    """One row per server: verdict, where it runs and may run, what is missing, the ceiling."""
    t = placement_table(pair)
    assert list(t.frame["server"]) == list(pair.servers)
    web = t.frame.set_index("server").loc["web-research"]
    assert web["recommended"] == pair.placement("web-research").recommended and web["verdict"]
