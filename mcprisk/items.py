"""The items a server lists (tools, resources, resource templates, prompts), each built from its JSON exactly
as the server sent it, with a fingerprint over the full item; and the shape check every saved file passes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._text import canonical_json, sha256_hex

__all__ = ["ANNOTATION_DEFAULTS", "INCOMPLETE", "KINDS", "IntrospectionIssue", "Item", "Prompt", "Resource",
           "ResourceTemplate", "Tool", "check_shape", "fingerprint", "item_from_wire"]

INCOMPLETE = "definition incomplete"  # how a problem starts when part of an item's definition was lost

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


def check_shape(d: Any, shape: str) -> None:
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
class Item:
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
        check_shape(d, "item")
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
class Tool(Item):
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
class Resource(Item):
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
class ResourceTemplate(Item):
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
class Prompt(Item):
    arguments: tuple[Mapping[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = self._common()
        d["arguments"] = [dict(a) for a in self.arguments]
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Prompt":
        return cls(**cls._common_args(d), arguments=tuple(d.get("arguments") or ()))


KINDS: dict[str, type[Item]] = {
    "tools": Tool,
    "resources": Resource,
    "resource_templates": ResourceTemplate,
    "prompts": Prompt,
}


def item_from_wire(kind: str, raw: Mapping[str, Any], *, max_text_chars: int, problems: Iterable[str] = ()) -> Item:
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
