"""mcprisk: where may this MCP server run, and what must be in place first?

Connect to a live MCP server (never calling its tools), record what it exposes, assess what each
tool can do, and recommend a hosting placement with the controls it needs.
"""

__version__ = "0.1.0"

from ._errors import ConfigError, IntrospectionError, InventoryError, MCPRiskError, SnapshotError, SpecError
from .configs import load_config, parse_config
from .introspect import Limits, introspect, introspect_async, introspect_many, introspect_many_async
from .snapshot import (IntrospectionIssue, Prompt, Resource, ResourceTemplate, Snapshot, Tool, load_snapshot,
                       load_snapshots)
from .specs import Secrets, ServerSpec, SpecSource
from .targets import targets

__all__ = sorted([
    "ConfigError",
    "IntrospectionError",
    "IntrospectionIssue",
    "InventoryError",
    "Limits",
    "MCPRiskError",
    "Prompt",
    "Resource",
    "ResourceTemplate",
    "Secrets",
    "ServerSpec",
    "Snapshot",
    "SnapshotError",
    "SpecError",
    "SpecSource",
    "Tool",
    "__version__",
    "introspect",
    "introspect_async",
    "introspect_many",
    "introspect_many_async",
    "load_config",
    "load_snapshot",
    "load_snapshots",
    "parse_config",
    "targets",
])
