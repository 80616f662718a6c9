"""The public API written out: what ``mcprisk`` and each public subpackage export, name by name.

The lists are literal on purpose. Adding, renaming or removing a public name must change this file in the
same commit, so the change is seen in review instead of slipping out (or away) with a refactor.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import mcprisk

TOP_LEVEL = {
    "Assessment", "Check", "ConfigError", "Discovery", "Drift", "Explorer", "IntrospectionError",
    "IntrospectionIssue", "Inventory", "InventoryError", "Limits", "MCPRiskError", "Placement", "Posture", "Prompt",
    "PromptAssessment", "RenderError", "Resource", "ResourceAssessment", "ResourceTemplate", "Secrets", "ServerSpec", "Snapshot",
    "SnapshotError", "SpecError", "SpecSource", "SplitPlan", "Tool", "ToolPlacement", "TrackingError", "Verdict",
    "__version__", "apply_split", "apply_tracking", "assess", "diff_snapshots", "discover", "drift_findings",
    "introspect", "introspect_async", "introspect_many", "introspect_many_async", "load_config", "load_inventory",
    "load_snapshot", "load_snapshots", "load_tracking", "parse_config", "parse_inventory", "place", "place_tool",
    "probe", "probe_async", "reassess", "render_csv", "render_html", "render_json", "render_markdown",
    "render_sarif", "targets", "write_report",
}

SUBPACKAGES = {
    "catalog": {"CONDITIONS", "Area", "Cap", "Catalog", "Cause", "ChecklistItem", "Control", "HostingPattern",
                "NoGoSign", "Question", "Requirement", "VerdictState", "build_catalog", "catalog"},
    "classify": {"CLASSIFICATION_RULES", "DERIVED_RULES", "Lexicon", "RuleFailure", "ServerContext", "Service",
                 "ToolContext", "build_context", "classify_tool", "decide", "lexicon", "noise_words",
                 "server_context", "split_words"},
    "cli": {"entry", "main"},
    "configs": {"CLIENT_KINDS", "client_title", "detect_client", "load_config", "parse_config", "parse_doc",
                "read_text"},
    "demo": {"DEMO_SERVERS", "INSECURE_SWITCHES", "PROFILES", "READY_MARKER", "TOKEN_ENV", "TRANSPORTS",
             "DemoHTTPServer", "check_options", "demo_command", "demo_spec", "normalize_insecure", "serve_http"},
    "placement": {"APPROVAL_EFFECTS", "Answer", "Beyond", "Ceiling", "ControlStatus", "DecisionStep", "HeldBack",
                  "Hold", "NoGo", "Placement", "PostureLike", "SplitPlan", "ToolPlacement", "Verdict", "apply_split",
                  "current_pattern", "describe", "meaning", "place", "place_tool", "placement_findings",
                  "severe_reading", "verdict_for"},
    "probes": {"CHECKS", "MAX_BURST", "Check", "Posture", "probe", "probe_async"},
    "render": {"FORMATS", "REPORT_FILES", "check_formats", "expand_report", "now", "render_csv", "render_format", "render_html",
               "render_json", "render_markdown", "render_sarif", "report_evidence", "report_schema", "write_report"},
    "rules": {"FINDING_RULES", "FindingRule", "RuleContext", "RuleInfo", "find_flows", "finding_rule", "make",
              "rule_info"},
    "workbook": {"Explorer", "Table", "drift_table", "flows_table", "placement_table", "table"},
}


def test_top_level_exports_exactly_the_pinned_names():
    """mcprisk.__all__ is exactly the pinned set, with no name listed twice."""
    assert len(mcprisk.__all__) == len(set(mcprisk.__all__)), "a name is listed twice in mcprisk.__all__"
    assert set(mcprisk.__all__) - TOP_LEVEL == set(), "new public names: pin them here"
    assert TOP_LEVEL - set(mcprisk.__all__) == set(), "public names removed: unpin them here on purpose"


def test_every_public_subpackage_is_pinned():
    """Every subpackage of mcprisk without a leading underscore has its exports pinned here."""
    root = Path(mcprisk.__file__).parent
    found = {p.parent.name for p in root.glob("*/__init__.py") if not p.parent.name.startswith("_")}
    assert found == set(SUBPACKAGES)


@pytest.mark.parametrize("package", sorted(SUBPACKAGES))
def test_subpackage_exports_exactly_the_pinned_names(package):
    """Each public subpackage's __all__ is exactly its pinned set, with no name listed twice."""
    module = importlib.import_module(f"mcprisk.{package}")
    exported = list(module.__all__)
    assert len(exported) == len(set(exported)), f"a name is listed twice in mcprisk.{package}.__all__"
    assert set(exported) - SUBPACKAGES[package] == set(), "new public names: pin them here"
    assert SUBPACKAGES[package] - set(exported) == set(), "public names removed: unpin them here on purpose"


_IMPORT_ALL = """
import importlib, json, sys
import mcprisk
missing = [n for n in mcprisk.__all__ if not hasattr(mcprisk, n)]
for package in sys.argv[1:]:
    module = importlib.import_module("mcprisk." + package)
    missing += [f"{package}.{n}" for n in module.__all__ if not hasattr(module, n)]
print(json.dumps(missing))
"""


def test_every_pinned_name_imports_in_a_fresh_interpreter():
    """Each pinned name resolves from a fresh interpreter, where mcprisk's lazy exports have not been touched."""
    done = subprocess.run([sys.executable, "-c", _IMPORT_ALL, *sorted(SUBPACKAGES)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == []
