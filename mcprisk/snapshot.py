"""What a server showed when introspected: ``Snapshot`` and its items, with a versioned JSON round-trip.

Every item keeps what the server actually sent (unknown fields in ``extra``, spec problems in
``problems``) and a fingerprint over the canonical JSON of the full item, so later runs can detect
drift even where long texts were clipped for storage.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ._errors import SnapshotError, SpecError
from ._files import FileRefused, MiB, read_text_bounded
from ._text import json_text_safe
# The item types live in ``items``; they are named here too, where a snapshot's readers have always found them.
from .items import (ANNOTATION_DEFAULTS, INCOMPLETE, KINDS, IntrospectionIssue, Prompt, Resource, ResourceTemplate, Tool,
                    check_shape, fingerprint, item_from_wire)
from .specs import ServerSpec

__all__ = [
    "FORMAT",
    "INCOMPLETE",
    "KINDS",
    "IntrospectionIssue",
    "Prompt",
    "Resource",
    "ResourceTemplate",
    "Snapshot",
    "Tool",
    "fingerprint",
    "item_from_wire",
    "load_snapshot",
    "load_snapshots",
    "snapshots_to_json",
]

FORMAT = "mcprisk.snapshot"
FORMAT_VERSION = 1

Status = Literal["complete", "partial", "failed"]
Era = Literal["legacy", "modern"]

@dataclass(frozen=True)
class Snapshot:
    """Everything one server showed over one connection, plus what went wrong.

    ``status`` is ``complete`` (every advertised list fetched without error), ``partial`` (connected,
    but something is missing; see ``errors``) or ``failed`` (no handshake). Observations that do not
    make the snapshot incomplete (stderr noise, fields the SDK would drop) are issues with
    ``fatal=False``.
    """

    server: ServerSpec
    status: Status
    era: Era | None = None
    protocol_version: str | None = None
    server_info: Mapping[str, Any] | None = None
    capabilities: Mapping[str, Any] = field(default_factory=dict)
    instructions: str | None = None
    instructions_length: int = 0
    instructions_sha256: str | None = None
    tools: tuple[Tool, ...] = ()
    resources: tuple[Resource, ...] = ()
    resource_templates: tuple[ResourceTemplate, ...] = ()
    prompts: tuple[Prompt, ...] = ()
    errors: tuple[IntrospectionIssue, ...] = ()
    pages: Mapping[str, int] = field(default_factory=dict)
    stderr: str = ""  # tail of the server's stderr (bounded, secrets scrubbed); stdio only
    timings: Mapping[str, float] = field(default_factory=dict)  # seconds per stage (volatile)

    # -- convenience --------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.server.name

    @property
    def ok(self) -> bool:
        return self.status == "complete"

    @property
    def fatal_errors(self) -> tuple[IntrospectionIssue, ...]:
        return tuple(e for e in self.errors if e.fatal)

    def raise_for_status(self) -> "Snapshot":
        """Raise IntrospectionError (carrying this snapshot) unless the snapshot is complete."""
        if self.status != "complete":
            from ._errors import IntrospectionError

            detail = "; ".join(f"{e.stage}: {e.message}" for e in self.fatal_errors) or self.status
            raise IntrospectionError(f"server {self.name!r}: introspection {self.status}: {detail}", self)
        return self

    def tool(self, name: str) -> Tool:
        for t in self.tools:
            if t.name == name:
                return t
        raise KeyError(f"server {self.name!r} has no tool {name!r}")

    # -- JSON ---------------------------------------------------------------------------------

    def to_dict(self, *, volatile: bool = True) -> dict[str, Any]:
        """Plain data. ``volatile=False`` leaves out timings and stderr, for byte-stable output."""
        d: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "server": self.server.to_dict(),
            "status": self.status,
            "era": self.era,
            "protocol_version": self.protocol_version,
            "server_info": self.server_info,
            "capabilities": self.capabilities,
            "instructions": self.instructions,
            "instructions_length": self.instructions_length,
            "instructions_sha256": self.instructions_sha256,
            "tools": [t.to_dict() for t in self.tools],
            "resources": [r.to_dict() for r in self.resources],
            "resource_templates": [r.to_dict() for r in self.resource_templates],
            "prompts": [p.to_dict() for p in self.prompts],
            "errors": [e.to_dict() for e in self.errors],
            "pages": dict(self.pages),
        }
        if volatile:
            d["stderr"] = self.stderr
            d["timings"] = dict(self.timings)
        return d

    def to_json(self, *, volatile: bool = True, indent: int | None = 2) -> str:
        return json_text_safe(json.dumps(self.to_dict(volatile=volatile), indent=indent, sort_keys=True,
                                         ensure_ascii=False)) + "\n"

    def save(self, path: str | Path, *, volatile: bool = True) -> Path:
        path = Path(path)
        path.write_text(self.to_json(volatile=volatile), encoding="utf-8")
        return path

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, source: str = "<data>") -> "Snapshot":
        if not isinstance(d, Mapping):
            raise SnapshotError(f"{source}: a snapshot is a JSON object, got {type(d).__name__}")
        if d.get("format") != FORMAT:
            raise SnapshotError(f"{source}: not an mcprisk snapshot (expected \"format\": \"{FORMAT}\")")
        version = d.get("format_version")
        if version != FORMAT_VERSION:
            raise SnapshotError(f"{source}: snapshot format_version {version!r} is not supported "
                                f"(this mcprisk reads version {FORMAT_VERSION})")
        try:
            check_shape(d, "snapshot")
            check_shape(d["server"], "server")
            return cls(
                server=ServerSpec.from_dict(d["server"]),
                status=d["status"],
                era=d.get("era"),
                protocol_version=d.get("protocol_version"),
                server_info=d.get("server_info"),
                capabilities=d.get("capabilities") or {},
                instructions=d.get("instructions"),
                instructions_length=int(d.get("instructions_length") or 0),
                instructions_sha256=d.get("instructions_sha256"),
                tools=tuple(Tool.from_dict(x) for x in d.get("tools") or ()),
                resources=tuple(Resource.from_dict(x) for x in d.get("resources") or ()),
                resource_templates=tuple(ResourceTemplate.from_dict(x) for x in d.get("resource_templates") or ()),
                prompts=tuple(Prompt.from_dict(x) for x in d.get("prompts") or ()),
                errors=tuple(IntrospectionIssue.from_dict(x) for x in d.get("errors") or ()),
                pages=dict(d.get("pages") or {}),
                stderr=str(d.get("stderr") or ""),
                timings=dict(d.get("timings") or {}),
            )
        except SnapshotError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError, RecursionError, SpecError) as exc:
            raise SnapshotError(f"{source}: malformed snapshot ({type(exc).__name__}: {exc})") from None

    @classmethod
    def from_json(cls, text: str, *, source: str = "<string>") -> "Snapshot":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:  # ValueError: also integers past int_max_str_digits
            raise SnapshotError(f"{source}: not valid JSON ({exc})") from None
        return cls.from_dict(data, source=source)

    # -- notebook views -----------------------------------------------------------------------

    def to_frame(self, kind: str = "tools"):
        """A pandas DataFrame of one kind of item: tools, resources, resource_templates or prompts."""
        import pandas as pd

        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
        rows: list[dict[str, Any]] = []
        for item in getattr(self, kind):
            row: dict[str, Any] = {"server": self.name, "name": item.name, "title": item.title,
                                   "description": _first_line(item.description)}
            if isinstance(item, Tool):
                row["parameters"] = ", ".join(item.parameters)
                for key in ANNOTATION_DEFAULTS:
                    value = (item.annotations or {}).get(key)
                    row[key] = value if isinstance(value, bool) else None
            elif isinstance(item, Resource):
                row.update(uri=item.uri, mime_type=item.mime_type)
            elif isinstance(item, ResourceTemplate):
                row.update(uri_template=item.uri_template, mime_type=item.mime_type)
            elif isinstance(item, Prompt):
                row["arguments"] = ", ".join(str(a.get("name")) for a in item.arguments)
            row["problems"] = "; ".join(item.problems)
            row["fingerprint"] = item.fingerprint[7:19]
            rows.append(row)
        columns = list(rows[0]) if rows else ["server", "name", "title", "description"]
        return pd.DataFrame(rows, columns=columns)

    def _repr_html_(self) -> str:
        e = html.escape
        info = self.server_info or {}
        head = (f"<b>{e(self.name)}</b> — {e(str(info.get('name', '?')))} {e(str(info.get('version', '')))}"
                f" · {e(self.server.transport)} · {e(str(self.era or '?'))} {e(str(self.protocol_version or ''))}"
                f" · status <b>{e(self.status)}</b>")
        counts = ", ".join(f"{len(getattr(self, k))} {k.replace('_', ' ')}" for k in KINDS)
        rows = "".join(
            f"<tr><td>{e(t.name)}</td><td>{e(_first_line(t.description))}</td>"
            f"<td>{e(_hints_text(t))}</td></tr>" for t in self.tools)
        errors = "".join(f"<li>{e(i.stage)}: {e(i.code)}: {e(i.message)}</li>" for i in self.errors)
        return (f"<div class=\"mcprisk-snapshot\"><p>{head}</p><p>{e(counts)}</p>"
                f"<table><thead><tr><th>tool</th><th>description</th><th>annotations</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>" + (f"<p>issues:</p><ul>{errors}</ul>" if errors else "") + "</div>")

    def __repr__(self) -> str:
        return (f"Snapshot(server={self.name!r}, status={self.status!r}, era={self.era!r}, "
                f"tools={len(self.tools)}, resources={len(self.resources)}, "
                f"resource_templates={len(self.resource_templates)}, prompts={len(self.prompts)}, "
                f"errors={len(self.errors)})")


def _first_line(text: str | None, limit: int = 120) -> str:
    if not text:
        return ""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _hints_text(tool: Tool) -> str:
    if not tool.annotations:
        return "none"
    keys = [k for k in ANNOTATION_DEFAULTS if isinstance(tool.annotations.get(k), bool)]
    return ", ".join(f"{k}={str(tool.annotations[k]).lower()}" for k in keys) or "none"


MAX_SNAPSHOT_BYTES = 256 * MiB  # 2,000 items per list, clipped texts, many servers: still far below this


def _read_snapshot_file(path: Path) -> str:
    """A snapshot file's text, read through the one bounded reader; SnapshotError naming the file otherwise."""
    try:
        return read_text_bounded(path, MAX_SNAPSHOT_BYTES)
    except FileRefused as exc:
        raise SnapshotError(f"{path}: {exc.reason}" if exc.reason == "no such file"
                            else f"{path}: cannot read: {exc.reason}") from None
    except UnicodeDecodeError as exc:
        raise SnapshotError(f"{path}: cannot read: not UTF-8 text (byte {exc.start})") from None


def load_snapshot(path: str | Path) -> Snapshot:
    """Read a snapshot saved with ``Snapshot.save`` / ``mcprisk inspect --json``."""
    path = Path(path)
    return Snapshot.from_json(_read_snapshot_file(path), source=str(path))



SET_FORMAT = "mcprisk.snapshots"


def snapshots_to_json(snapshots: Iterable[Snapshot], *, volatile: bool = True) -> str:
    """Several snapshots in one JSON document (one client config = one set)."""
    doc = {"format": SET_FORMAT, "format_version": FORMAT_VERSION,
           "snapshots": [s.to_dict(volatile=volatile) for s in snapshots]}
    return json_text_safe(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"


def load_snapshots(path: str | Path) -> list[Snapshot]:
    """Read a file holding one snapshot or a set of them; always returns a list."""
    path = Path(path)
    text = _read_snapshot_file(path)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # bad JSON, huge integers
        raise SnapshotError(f"{path}: cannot read a snapshot ({exc})") from None
    if isinstance(data, Mapping) and data.get("format") == SET_FORMAT:
        items = data.get("snapshots")
        if not isinstance(items, list):
            raise SnapshotError(f"{path}: a snapshot set needs a \"snapshots\" list")
        return [Snapshot.from_dict(d, source=f"{path}: snapshots[{i}]") for i, d in enumerate(items)]
    return [Snapshot.from_dict(data, source=str(path))]