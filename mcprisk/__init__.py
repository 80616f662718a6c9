"""mcprisk: where may this MCP server run, and what must be in place first?

Connect to a live MCP server (never calling its tools), record what it exposes, assess what each
tool can do, and recommend a hosting placement with the controls it needs.
"""

import importlib
from typing import Any

__version__ = "0.1.0"

# Public name -> the module that defines it. Imported on first use, so ``import mcprisk`` stays cheap:
# a demo server or a CLI start does not pay for the SDK client, jsonschema or matplotlib it never uses.
_EXPORTS = {
    "Assessment": "assessment",
    "Check": "probes",
    "ConfigError": "_errors",
    "Discovery": "discovery",
    "Drift": "drift",
    "Explorer": "explore",
    "IntrospectionError": "_errors",
    "IntrospectionIssue": "snapshot",
    "Inventory": "inventory",
    "InventoryError": "_errors",
    "Limits": "introspection",
    "MCPRiskError": "_errors",
    "Placement": "placement",
    "Posture": "probes",
    "Prompt": "snapshot",
    "PromptAssessment": "model",
    "RenderError": "_errors",
    "Resource": "snapshot",
    "ResourceAssessment": "model",
    "ResourceTemplate": "snapshot",
    "Secrets": "specs",
    "ServerSpec": "specs",
    "Snapshot": "snapshot",
    "SnapshotError": "_errors",
    "SpecError": "_errors",
    "SpecSource": "specs",
    "SplitPlan": "placement",
    "Tool": "snapshot",
    "ToolPlacement": "placement",
    "TrackingError": "_errors",
    "Verdict": "placement",
    "apply_split": "placement",
    "apply_tracking": "tracking",
    "assess": "assessment",
    "diff_snapshots": "drift",
    "discover": "discovery",
    "drift_findings": "drift",
    "introspect": "introspection",
    "introspect_async": "introspection",
    "introspect_many": "introspection",
    "introspect_many_async": "introspection",
    "load_config": "configs",
    "load_inventory": "inventory",
    "load_snapshot": "snapshot",
    "load_snapshots": "snapshot",
    "load_tracking": "tracking",
    "parse_config": "configs",
    "parse_inventory": "inventory",
    "place": "placement",
    "place_tool": "placement",
    "probe": "probes",
    "probe_async": "probes",
    "reassess": "assessment",
    "render_csv": "render",
    "render_html": "render",
    "render_json": "render",
    "render_markdown": "render",
    "render_sarif": "render",
    "targets": "targeting",
    "write_report": "render",
}
_SUBMODULES = frozenset({"assessment", "classify", "cli", "configs", "demo", "discovery", "drift", "explore", "graph",
                         "introspection", "inventory", "launch", "model", "placement", "plots", "probes", "render",
                         "rules", "snapshot", "specs", "standards", "surfaces", "targeting", "tracking", "workbook"})

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'mcprisk' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS, *_SUBMODULES})
