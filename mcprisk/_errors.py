"""The exceptions mcprisk raises, in one place.

    MCPRiskError                 base of everything below
    ├── ConfigError              a client config file is unreadable or malformed (names file, server, key)
    ├── SpecError                a ServerSpec cannot be built or used (bad URL, missing command, unresolved input)
    ├── SnapshotError            a saved snapshot cannot be loaded (names file and what is wrong)
    ├── IntrospectionError       a server could not be (fully) introspected; carries the partial Snapshot
    ├── InventoryError           an operator inventory is invalid (names file, line and key)
    │   └── TrackingError        a risk-tracking file is invalid (names file, line and key)
    └── RenderError              a renderer raised: names the format and the error (a bug, never an empty report)

No message ever contains a secret value: only names of env vars and headers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .snapshot import Snapshot

__all__ = [
    "ConfigError",
    "IntrospectionError",
    "InventoryError",
    "MCPRiskError",
    "RenderError",
    "SnapshotError",
    "SpecError",
    "TrackingError",
]


class MCPRiskError(Exception):
    """Base class for every error mcprisk raises on purpose."""


class ConfigError(MCPRiskError):
    """A client config file could not be read or does not have the expected shape."""

    def __init__(self, message: str, *, path: str | None = None, server: str | None = None, key: str | None = None):
        self.path = path
        self.server = server
        self.key = key
        where = []
        if path:
            where.append(str(path))
        if server:
            where.append(f"server {server!r}")
        if key:
            where.append(f"key {key!r}")
        super().__init__(f"{': '.join(where)}: {message}" if where else message)


class SpecError(MCPRiskError):
    """A ServerSpec is incomplete or inconsistent (for example an HTTP spec without a URL)."""


class SnapshotError(MCPRiskError):
    """A saved snapshot could not be loaded."""


class IntrospectionError(MCPRiskError):
    """Introspection did not complete; ``snapshot`` holds whatever was gathered."""

    def __init__(self, message: str, snapshot: "Snapshot | None" = None):
        super().__init__(message)
        self.snapshot = snapshot


class InventoryError(MCPRiskError):
    """An operator inventory is invalid."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None, key: str | None = None,
                 problems: list[Any] | None = None):
        self.path = path
        self.line = line
        self.key = key
        self.problems = problems or []
        where = ""
        if path:
            where = str(path) + (f":{line}" if line else "")
        if key:
            where = f"{where}: {key}" if where else key
        super().__init__(f"{where}: {message}" if where else message)


class TrackingError(InventoryError):
    """A risk-tracking file (accepted / mitigated findings) is invalid."""


class RenderError(MCPRiskError):
    """A renderer raised while writing one format: the report is not written, and the error says which format
    failed and how (a renderer never turns a failure into an empty or partial section)."""

    def __init__(self, fmt: str, cause: BaseException):
        self.format = fmt
        self.cause = cause
        super().__init__(f"cannot render the {fmt} report: {type(cause).__name__}: {cause}")
