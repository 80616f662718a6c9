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
from ._text import canonical_json, json_text_safe, sha256_hex
from .specs import ServerSpec

__all__ = [
    "FORMAT",
    "IntrospectionIssue",
    "Prompt",
    "Resource",
    "ResourceTemplate",
    "Snapshot",
    "Tool",
    "load_snapshot",
    "load_snapshots",
    "snapshots_to_json",
]

FORMAT = "mcprisk.snapshot"
FORMAT_VERSION = 1
INCOMPLETE = "definition incomplete"  # how a problem starts when part of an item's definition was lost

Status = Literal["complete", "partial", "failed"]
Era = Literal["legacy", "modern"]

# Spec defaults for absent annotation fields (the SDK leaves them None; clients must apply these).
ANNOTATION_DEFAULTS: dict[str, bool] = {
    "readOnlyHint": False,
    "destructiveHint": True,
    "idempotentHint": False,
    "openWorldHint": True,
}


def fingerprint(raw: Mapping[str, Any]) -> str:
    """Stable id of an item's definition: sha256 of the canonical JSON of what a client sees."""
    return "sha256:" + sha256_hex(canonical_json(raw))


@dataclass(frozen=True)
class IntrospectionIssue:
    """Something that went wrong (or looked wrong) while introspecting, at one stage."""

    stage: str  # connect | negotiate | tools | resources | resource_templates | prompts | transport | server
    code: str  # timeout | connection_closed | spawn_failed | connection_refused | http_status | message_too_large |
    #            invalid_json | invalid_utf8 | cursor_loop | too_many_items | too_many_pages | rpc_error |
    #            invalid_result | sdk_rejected | sdk_dropped | total_timeout | unknown_fields | ...
    message: str
    fatal: bool = True  # False: an observation that does not make the snapshot incomplete

    def to_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "code": self.code, "message": self.message, "fatal": self.fatal}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "IntrospectionIssue":
        return cls(stage=str(d["stage"]), code=str(d["code"]), message=str(d["message"]), fatal=bool(d.get("fatal", True)))


# The JSON type each stored field must have. A saved snapshot is input like any other: a field of the
# wrong type is a SnapshotError on load, not a crash in a view, a save or a renderer later.
_OPT_STR, _OPT_MAP, _OPT_LIST = (str, type(None)), (Mapping, type(None)), (list, type(None))
_SHAPES: dict[str, dict[str, Any]] = {
    "snapshot": {"status": str, "era": _OPT_STR, "protocol_version": _OPT_STR, "server_info": _OPT_MAP,
                 "capabilities": _OPT_MAP, "instructions": _OPT_STR, "instructions_sha256": _OPT_STR,
                 "tools": _OPT_LIST, "resources": _OPT_LIST, "resource_templates": _OPT_LIST,
                 "prompts": _OPT_LIST, "errors": _OPT_LIST, "pages": _OPT_MAP, "stderr": _OPT_STR,
                 "timings": _OPT_MAP, "server": Mapping},
    "server": {"command": _OPT_STR, "args": _OPT_LIST, "cwd": _OPT_STR, "url": _OPT_STR, "source": _OPT_MAP,
               "env_names": _OPT_LIST, "header_names": _OPT_LIST, "literal_secret_names": _OPT_LIST},
    "item": {"name": str, "title": _OPT_STR, "description": _OPT_STR, "description_sha256": _OPT_STR,
             "icons": _OPT_LIST, "meta": _OPT_MAP, "extra": _OPT_MAP, "problems": _OPT_LIST, "fingerprint": _OPT_STR,
             "input_schema": _OPT_MAP, "output_schema": _OPT_MAP, "annotations": _OPT_MAP, "execution": _OPT_MAP,
             "uri": _OPT_STR, "uri_template": _OPT_STR, "mime_type": _OPT_STR, "arguments": _OPT_LIST},
}
_CHOICES = {"snapshot": {"status": ("complete", "partial", "failed"), "era": ("legacy", "modern", None)}}


def _check_shape(d: Any, shape: str) -> None:
    """Raise TypeError/ValueError naming the first field of ``d`` whose JSON type or value is wrong."""
    if not isinstance(d, Mapping):
        raise TypeError(f"a {shape} is {type(d).__name__}, not an object")
    for key, kinds in _SHAPES[shape].items():
        if not isinstance(d.get(key), kinds):
            raise TypeError(f"{shape} field {key!r} is {type(d.get(key)).__name__}")
    for key in ("problems", "args", "env_names", "header_names", "literal_secret_names"):
        if not all(isinstance(x, str) for x in d.get(key) or ()):
            raise TypeError(f"{shape} field {key!r} holds a non-string")
    if not all(isinstance(x, Mapping) for x in d.get("arguments") or ()):
        raise TypeError(f"{shape} field 'arguments' holds a non-object")
    for key, allowed in _CHOICES.get(shape, {}).items():
        if d.get(key) not in allowed:
            raise ValueError(f"{shape} field {key!r} is not one of {', '.join(map(str, allowed))}")


@dataclass(frozen=True)
class _Item:
    """Fields every listed primitive has. ``extra`` holds top-level fields the spec does not define."""

    name: str
    title: str | None = None
    description: str | None = None
    description_length: int = 0  # length of the full description as sent
    description_sha256: str | None = None  # hash of the full description as sent
    icons: tuple[Any, ...] = ()
    meta: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    fingerprint: str = ""

    @property
    def incomplete(self) -> bool:
        """Part of the definition could not be read or kept (too deep, a number too long, not serialisable):
        what is missing may be what makes it dangerous, so it is to be assumed at its worst."""
        return any(p.startswith(INCOMPLETE) for p in self.problems)

    @property
    def description_truncated(self) -> bool:
        return self.description is not None and len(self.description) < self.description_length

    @property
    def display_title(self) -> str:
        return self.title or self.name

    def _common(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "description_length": self.description_length,
            "description_sha256": self.description_sha256,
            "icons": list(self.icons),
            "meta": self.meta,
            "extra": dict(self.extra),
            "problems": list(self.problems),
            "fingerprint": self.fingerprint,
        }

    @staticmethod
    def _common_args(d: Mapping[str, Any]) -> dict[str, Any]:
        _check_shape(d, "item")
        return {
            "name": d["name"],
            "title": d.get("title"),
            "description": d.get("description"),
            "description_length": int(d.get("description_length") or 0),
            "description_sha256": d.get("description_sha256"),
            "icons": tuple(d.get("icons") or ()),
            "meta": d.get("meta"),
            "extra": dict(d.get("extra") or {}),
            "problems": tuple(d.get("problems") or ()),
            "fingerprint": d.get("fingerprint") or "",
        }


@dataclass(frozen=True)
class Tool(_Item):
    """A tool as listed by the server. ``annotations`` are exactly what was sent (untrusted hints)."""

    input_schema: Mapping[str, Any] = field(default_factory=dict)
    output_schema: Mapping[str, Any] | None = None
    annotations: Mapping[str, Any] | None = None
    execution: Mapping[str, Any] | None = None

    @property
    def display_title(self) -> str:
        ann_title = (self.annotations or {}).get("title")
        return self.title or (ann_title if isinstance(ann_title, str) and ann_title else None) or self.name

    def hint(self, key: str) -> bool:
        """An annotation hint with the spec default applied when the server left it out."""
        value = (self.annotations or {}).get(key)
        return value if isinstance(value, bool) else ANNOTATION_DEFAULTS[key]

    @property
    def parameters(self) -> tuple[str, ...]:
        props = self.input_schema.get("properties") if isinstance(self.input_schema, Mapping) else None
        return tuple(props) if isinstance(props, Mapping) else ()

    def to_dict(self) -> dict[str, Any]:
        d = self._common()
        d.update(input_schema=self.input_schema, output_schema=self.output_schema,
                 annotations=self.annotations, execution=self.execution)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Tool":
        return cls(**cls._common_args(d), input_schema=d.get("input_schema") or {},
                   output_schema=d.get("output_schema"), annotations=d.get("annotations"),
                   execution=d.get("execution"))


@dataclass(frozen=True)
class Resource(_Item):
    uri: str = ""
    mime_type: str | None = None
    size: int | None = None
    annotations: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = self._common()
        d.update(uri=self.uri, mime_type=self.mime_type, size=self.size, annotations=self.annotations)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Resource":
        return cls(**cls._common_args(d), uri=d.get("uri") or "", mime_type=d.get("mime_type"),
                   size=d.get("size"), annotations=d.get("annotations"))


@dataclass(frozen=True)
class ResourceTemplate(_Item):
    uri_template: str = ""
    mime_type: str | None = None
    annotations: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = self._common()
        d.update(uri_template=self.uri_template, mime_type=self.mime_type, annotations=self.annotations)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ResourceTemplate":
        return cls(**cls._common_args(d), uri_template=d.get("uri_template") or "",
                   mime_type=d.get("mime_type"), annotations=d.get("annotations"))


@dataclass(frozen=True)
class Prompt(_Item):
    arguments: tuple[Mapping[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = self._common()
        d["arguments"] = [dict(a) for a in self.arguments]
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Prompt":
        return cls(**cls._common_args(d), arguments=tuple(d.get("arguments") or ()))


KINDS: dict[str, type[_Item]] = {
    "tools": Tool,
    "resources": Resource,
    "resource_templates": ResourceTemplate,
    "prompts": Prompt,
}


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
            _check_shape(d, "snapshot")
            _check_shape(d["server"], "server")
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


def item_from_wire(kind: str, raw: Mapping[str, Any], *, max_text_chars: int, problems: Iterable[str] = ()) -> _Item:
    """Build a snapshot item from the item's JSON exactly as the server sent it.

    ``raw`` may violate the spec; whatever is wrong is recorded in ``problems`` rather than
    dropping the item. Long strings are clipped; the fingerprint and description hash cover the
    full text.
    """
    from ._bounded import bounded as _bounded
    from ._bounded import lost_parts

    lost: set[str] = set()

    def bounded(value: Any, max_chars: int) -> Any:
        return _bounded(value, max_chars, _lost=lost)

    problems = list(problems)
    known = _KNOWN_FIELDS[kind]
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        problems.append("missing or non-string 'name'")
        name = str(name) if name is not None else ""
    desc_full = raw.get("description")
    if desc_full is not None and not isinstance(desc_full, str):
        problems.append(f"'description' is {type(desc_full).__name__}, not a string")
        desc_full = json.dumps(desc_full, default=str)
    title = raw.get("title")
    common: dict[str, Any] = {
        "name": bounded(name, max_text_chars),
        "title": bounded(title, max_text_chars) if isinstance(title, str) else None,
        "description": bounded(desc_full, max_text_chars) if desc_full is not None else None,
        "description_length": len(desc_full or ""),
        "description_sha256": sha256_hex(desc_full) if desc_full is not None else None,
        "icons": tuple(bounded(raw.get("icons"), max_text_chars)) if isinstance(raw.get("icons"), list) else (),
        "meta": bounded(raw.get("_meta"), max_text_chars) if isinstance(raw.get("_meta"), Mapping) else None,
        "extra": {k: bounded(v, max_text_chars) for k, v in raw.items() if k not in known},
        "fingerprint": fingerprint(raw),
    }
    if kind == "tools":
        schema = raw.get("inputSchema")
        if not isinstance(schema, Mapping):
            problems.append("missing or non-object 'inputSchema'")
        elif schema.get("type") != "object":
            problems.append("'inputSchema' root is not type \"object\"")
        ann = raw.get("annotations")
        if ann is not None and not isinstance(ann, Mapping):
            problems.append("'annotations' is not an object")
            ann = None
        fields = dict(input_schema=bounded(schema, max_text_chars) if isinstance(schema, Mapping) else {},
                      output_schema=bounded(raw.get("outputSchema"), max_text_chars)
                      if isinstance(raw.get("outputSchema"), Mapping) else None,
                      annotations=bounded(ann, max_text_chars) if ann is not None else None,
                      execution=bounded(raw.get("execution"), max_text_chars)
                      if isinstance(raw.get("execution"), Mapping) else None)
        return Tool(**common, problems=tuple(problems + lost_parts(lost)), **fields)
    if kind == "resources":
        uri = raw.get("uri")
        if not isinstance(uri, str):
            problems.append("missing or non-string 'uri'")
        size = raw.get("size")
        fields = dict(uri=bounded(str(uri or ""), max_text_chars),
                      mime_type=raw.get("mimeType") if isinstance(raw.get("mimeType"), str) else None,
                      size=size if isinstance(size, int) and not isinstance(size, bool) else None,
                      annotations=bounded(raw.get("annotations"), max_text_chars)
                      if isinstance(raw.get("annotations"), Mapping) else None)
        return Resource(**common, problems=tuple(problems + lost_parts(lost)), **fields)
    if kind == "resource_templates":
        tpl = raw.get("uriTemplate")
        if not isinstance(tpl, str):
            problems.append("missing or non-string 'uriTemplate'")
        fields = dict(uri_template=bounded(str(tpl or ""), max_text_chars),
                      mime_type=raw.get("mimeType") if isinstance(raw.get("mimeType"), str) else None,
                      annotations=bounded(raw.get("annotations"), max_text_chars)
                      if isinstance(raw.get("annotations"), Mapping) else None)
        return ResourceTemplate(**common, problems=tuple(problems + lost_parts(lost)), **fields)
    args = raw.get("arguments")
    if args is not None and not isinstance(args, list):
        problems.append("'arguments' is not a list")
        args = []
    arguments = tuple(bounded(a, max_text_chars) for a in (args or []) if isinstance(a, Mapping))
    return Prompt(**common, problems=tuple(problems + lost_parts(lost)), arguments=arguments)


_COMMON_FIELDS = {"name", "title", "description", "icons", "_meta"}
_KNOWN_FIELDS: dict[str, set[str]] = {
    "tools": _COMMON_FIELDS | {"inputSchema", "outputSchema", "annotations", "execution"},
    "resources": _COMMON_FIELDS | {"uri", "mimeType", "size", "annotations"},
    "resource_templates": _COMMON_FIELDS | {"uriTemplate", "mimeType", "annotations"},
    "prompts": _COMMON_FIELDS | {"arguments"},
}


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
