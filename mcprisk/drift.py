"""Drift since an approved snapshot: what a server added, removed or changed, field by field.

``diff_snapshots(approved, current)`` compares item fingerprints per server and says which fields of a
changed item differ, with before and after; ``drift_findings`` turns that into Findings (DRIFT001 is the
"rug pull": a tool that changed after it was approved). A list that could not be fetched in either
snapshot is not compared, so a server that failed to answer does not read as "every tool removed".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .model import Evidence, Finding
from .rules import RuleInfo, finding_rule, make
from .snapshot import KINDS, Snapshot

__all__ = ["DRIFT_RULES", "Drift", "FieldChange", "ItemChange", "ServerDrift", "diff_snapshots", "drift_findings",
           "drift_rule_info"]

DRIFT_FORMAT = "mcprisk.drift"
DRIFT_VERSION = 1

# What identifies an item within its list, and the subject prefix its findings use (tools need none:
# every other finding about a tool uses the bare tool name).
_KEY = {"tools": "name", "resources": "uri", "resource_templates": "uri_template", "prompts": "name"}
_SUBJECT_PREFIX = {"tools": "", "resources": "resource:", "resource_templates": "template:", "prompts": "prompt:"}
_SINGULAR = {"tools": "tool", "resources": "resource", "resource_templates": "resource template", "prompts": "prompt"}
# Fields compared per kind, in report order. ``description`` is compared by the hash of the full text.
_FIELDS = {
    "tools": ("title", "description", "input_schema", "output_schema", "annotations", "execution", "icons", "meta",
              "extra"),
    "resources": ("name", "title", "description", "mime_type", "size", "annotations", "icons", "meta", "extra"),
    "resource_templates": ("name", "title", "description", "mime_type", "annotations", "icons", "meta", "extra"),
    "prompts": ("title", "description", "arguments", "icons", "meta", "extra"),
}
_LIST_STAGES = frozenset(KINDS)


@dataclass(frozen=True)
class FieldChange:
    """One field of an item that differs: its value before and after, and a one-line summary."""

    field: str
    before: Any
    after: Any
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "before": self.before, "after": self.after, "summary": self.summary}


@dataclass(frozen=True)
class ItemChange:
    """A tool, resource, template or prompt that was added, removed or changed."""

    kind: str  # tools | resources | resource_templates | prompts
    key: str  # name (tools, prompts), uri (resources) or uri_template (templates)
    change: str  # added | removed | changed
    before_fingerprint: str | None = None
    after_fingerprint: str | None = None
    fields: tuple[FieldChange, ...] = ()

    @property
    def subject(self) -> str:
        """The finding subject: the tool name, or ``prompt:NAME`` / ``resource:URI`` / ``template:URI``."""
        return _SUBJECT_PREFIX[self.kind] + self.key

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "change": self.change,
                "before_fingerprint": self.before_fingerprint, "after_fingerprint": self.after_fingerprint,
                "fields": [f.to_dict() for f in self.fields]}


@dataclass(frozen=True)
class ServerDrift:
    """What changed on one server between the approved snapshot and this one."""

    server: str
    items: tuple[ItemChange, ...] = ()
    instructions: FieldChange | None = None
    not_compared: tuple[str, ...] = ()  # lists that could not be compared (fetched in only one snapshot)

    @property
    def changed(self) -> bool:
        return bool(self.items) or self.instructions is not None

    def of(self, change: str) -> tuple[ItemChange, ...]:
        return tuple(i for i in self.items if i.change == change)

    def to_dict(self) -> dict[str, Any]:
        return {"server": self.server, "items": [i.to_dict() for i in self.items],
                "instructions": self.instructions.to_dict() if self.instructions else None,
                "not_compared": list(self.not_compared)}


@dataclass(frozen=True)
class Drift:
    """Drift of a set of servers since an approved set of snapshots."""

    servers: tuple[ServerDrift, ...] = ()
    added_servers: tuple[str, ...] = ()
    removed_servers: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.added_servers or self.removed_servers) or any(s.changed for s in self.servers)

    def server(self, name: str) -> ServerDrift:
        for s in self.servers:
            if s.server == name:
                return s
        raise KeyError(f"no drift record for server {name!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"format": DRIFT_FORMAT, "format_version": DRIFT_VERSION, "changed": self.changed,
                "added_servers": list(self.added_servers), "removed_servers": list(self.removed_servers),
                "servers": [s.to_dict() for s in self.servers]}

    def __repr__(self) -> str:
        n = sum(len(s.items) for s in self.servers)
        return (f"Drift(changed={self.changed}, item_changes={n}, added_servers={list(self.added_servers)}, "
                f"removed_servers={list(self.removed_servers)})")


# --------------------------------------------------------------------------------------------
# Comparing


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _schema_summary(before: Any, after: Any) -> str:
    """Parameters added / removed / redefined, and a changed ``required`` list."""
    def props(schema: Any) -> Mapping[str, Any]:
        p = schema.get("properties") if isinstance(schema, Mapping) else None
        return p if isinstance(p, Mapping) else {}

    def required(schema: Any) -> list[str]:
        r = schema.get("required") if isinstance(schema, Mapping) else None
        return sorted(str(x) for x in r) if isinstance(r, list) else []

    b, a = props(before), props(after)
    parts = []
    added = sorted(set(a) - set(b))
    removed = sorted(set(b) - set(a))
    redefined = sorted(k for k in set(a) & set(b) if a[k] != b[k])
    if added:
        parts.append("parameter(s) added: " + ", ".join(added))
    if removed:
        parts.append("parameter(s) removed: " + ", ".join(removed))
    if redefined:
        parts.append("parameter(s) redefined: " + ", ".join(redefined))
    if required(before) != required(after):
        parts.append(f"required {required(before)} -> {required(after)}")
    return "; ".join(parts) or "schema changed"


def _mapping_summary(before: Any, after: Any) -> str:
    b = before if isinstance(before, Mapping) else {}
    a = after if isinstance(after, Mapping) else {}
    parts = [f"{k}: {_short(b.get(k), 30)} -> {_short(a.get(k), 30)}"
             for k in sorted(set(a) | set(b), key=str) if b.get(k) != a.get(k)]
    return "; ".join(parts) or f"{_short(before)} -> {_short(after)}"


def _field_change(name: str, before: Any, after: Any, old_item: Any, new_item: Any) -> FieldChange | None:
    if name == "description":
        if (old_item.description_sha256, old_item.description) == (new_item.description_sha256, new_item.description):
            return None
        summary = (f"description reworded ({old_item.description_length} -> {new_item.description_length} chars)"
                   if before is not None and after is not None else
                   f"description {'added' if before is None else 'removed'}")
        return FieldChange(name, before, after, summary)
    if before == after:
        return None
    if name in ("input_schema", "output_schema"):
        summary = f"{name}: {_schema_summary(before, after)}"
    elif name in ("annotations", "meta", "extra", "execution"):
        summary = f"{name}: {_mapping_summary(before, after)}"
    else:
        summary = f"{name}: {_short(before, 40)} -> {_short(after, 40)}"
    return FieldChange(name, before, after, summary)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _compare_item(kind: str, old: Any, new: Any) -> ItemChange | None:
    if old.fingerprint and old.fingerprint == new.fingerprint:
        return None
    fields = []
    for name in _FIELDS[kind]:
        change = _field_change(name, _plain(getattr(old, name)), _plain(getattr(new, name)), old, new)
        if change is not None:
            fields.append(change)
    if not fields and old.fingerprint == new.fingerprint:
        return None
    if not fields:  # the definitions differ where this snapshot keeps no field (e.g. past a clipped text)
        fields.append(FieldChange("definition", old.fingerprint, new.fingerprint, "definition changed (fingerprint)"))
    return ItemChange(kind, getattr(new, _KEY[kind]), "changed", old.fingerprint or None, new.fingerprint or None,
                      tuple(fields))


def _unfetched(snapshot: Snapshot) -> set[str]:
    """Lists this snapshot could not (fully) fetch: comparing them would invent additions or removals."""
    if snapshot.status == "failed":
        return set(KINDS)
    return {e.stage for e in snapshot.fatal_errors if e.stage in _LIST_STAGES}


def _diff_server(old: Snapshot, new: Snapshot) -> ServerDrift:
    skipped = _unfetched(old) | _unfetched(new)
    items: list[ItemChange] = []
    for kind in KINDS:
        if kind in skipped:
            continue
        key = _KEY[kind]
        before = {getattr(i, key): i for i in getattr(old, kind)}
        after = {getattr(i, key): i for i in getattr(new, kind)}
        for k in sorted(set(before) | set(after)):
            if k not in after:
                items.append(ItemChange(kind, k, "removed", before[k].fingerprint or None, None))
            elif k not in before:
                items.append(ItemChange(kind, k, "added", None, after[k].fingerprint or None))
            else:
                change = _compare_item(kind, before[k], after[k])
                if change is not None:
                    items.append(change)
    instructions = None
    if old.status != "failed" and new.status != "failed" and (
            (old.instructions_sha256, old.instructions) != (new.instructions_sha256, new.instructions)):
        instructions = FieldChange("instructions", old.instructions, new.instructions,
                                   f"instructions changed ({old.instructions_length} -> "
                                   f"{new.instructions_length} chars)")
    return ServerDrift(new.name, tuple(items), instructions, tuple(k for k in KINDS if k in skipped))


def diff_snapshots(old: Snapshot | Sequence[Snapshot], new: Snapshot | Sequence[Snapshot]) -> Drift:
    """Compare approved snapshots (``old``) with current ones (``new``), matching servers by name."""
    olds = (old,) if isinstance(old, Snapshot) else tuple(old)
    news = (new,) if isinstance(new, Snapshot) else tuple(new)
    before = {s.name: s for s in olds}
    after = {s.name: s for s in news}
    servers = tuple(_diff_server(before[name], after[name]) for name in sorted(set(before) & set(after)))
    return Drift(servers=servers, added_servers=tuple(sorted(set(after) - set(before))),
                 removed_servers=tuple(sorted(set(before) - set(after))))


# --------------------------------------------------------------------------------------------
# Findings

DRIFT_REFS = ("OWASP MCP Top 10: MCP03 Tool Poisoning", "rug pull", "CWE-494")


@finding_rule("DRIFT001", "Tool definition changed since approval", likelihood=3, impact=3, references=DRIFT_REFS)
def tool_changed(drift: Drift) -> Iterable[Finding]:
    """A tool's description, schema or annotations differ from the approved snapshot: the "rug pull", where a
    server that passed review later tells the model something else. Review the change and approve a new
    snapshot, or pin the server to the approved version."""
    for sd in drift.servers:
        for item in sd.items:
            if item.kind == "tools" and item.change == "changed":
                fields = ", ".join(f.field for f in item.fields)
                yield make(tool_changed, server=sd.server, subject=item.subject, tools=(f"{sd.server}/{item.key}",),
                           message=f"Tool {item.key} changed since the approved snapshot ({fields}).",
                           evidence=[Evidence("DRIFT001", "snapshot", f.summary[:200], f"{f.field} changed")
                                     for f in item.fields])


@finding_rule("DRIFT002", "Added since approval", likelihood=2, impact=3, references=DRIFT_REFS)
def item_added(drift: Drift) -> Iterable[Finding]:
    """A server, tool, resource, template or prompt appeared that the approved snapshot does not have: new
    capabilities reach the model without review."""
    for name in drift.added_servers:
        yield make(item_added, server=name, subject=name, message=f"Server {name} is not in the approved snapshot.",
                   evidence=[Evidence("DRIFT002", "snapshot", name, "server added")])
    for sd in drift.servers:
        for item in sd.of("added"):
            what = _SINGULAR[item.kind]
            yield make(item_added, server=sd.server, subject=item.subject,
                       tools=(f"{sd.server}/{item.key}",) if item.kind == "tools" else (),
                       message=f"{what.capitalize()} {item.key} was added since the approved snapshot.",
                       evidence=[Evidence("DRIFT002", "snapshot", item.key, f"{what} added")])


@finding_rule("DRIFT003", "Removed since approval", likelihood=2, impact=1, references=DRIFT_REFS)
def item_removed(drift: Drift) -> Iterable[Finding]:
    """A server, tool, resource, template or prompt of the approved snapshot is gone: usually harmless, but the
    approval no longer describes what runs, and agents that relied on it will fail."""
    for name in drift.removed_servers:
        yield make(item_removed, server=name, subject=name, message=f"Server {name} of the approved snapshot is gone.",
                   evidence=[Evidence("DRIFT003", "snapshot", name, "server removed")])
    for sd in drift.servers:
        for item in sd.of("removed"):
            what = _SINGULAR[item.kind]
            yield make(item_removed, server=sd.server, subject=item.subject,
                       message=f"{what.capitalize()} {item.key} of the approved snapshot is gone.",
                       evidence=[Evidence("DRIFT003", "snapshot", item.key, f"{what} removed")])


@finding_rule("DRIFT004", "Server instructions changed since approval", likelihood=3, impact=3,
              references=DRIFT_REFS)
def instructions_changed(drift: Drift) -> Iterable[Finding]:
    """The server's ``instructions`` (text the client puts in front of the model) differ from the approved
    snapshot: as powerful as a changed tool description, and aimed at every tool."""
    for sd in drift.servers:
        if sd.instructions is not None:
            yield make(instructions_changed, server=sd.server, subject=sd.server,
                       message=f"The instructions of {sd.server} changed since the approved snapshot.",
                       evidence=[Evidence("DRIFT004", "snapshot", sd.instructions.summary, "instructions changed")])


@finding_rule("DRIFT005", "Prompt or resource definition changed since approval", likelihood=2, impact=3,
              references=DRIFT_REFS)
def other_changed(drift: Drift) -> Iterable[Finding]:
    """A prompt, resource or resource template differs from the approved snapshot; prompts in particular put
    the server's text in front of the model."""
    for sd in drift.servers:
        for item in sd.items:
            if item.kind != "tools" and item.change == "changed":
                what = _SINGULAR[item.kind]
                fields = ", ".join(f.field for f in item.fields)
                yield make(other_changed, server=sd.server, subject=item.subject,
                           message=f"{what.capitalize()} {item.key} changed since the approved snapshot ({fields}).",
                           evidence=[Evidence("DRIFT005", "snapshot", f.summary[:200], f"{f.field} changed")
                                     for f in item.fields])


DRIFT_RULES = (tool_changed, item_added, item_removed, instructions_changed, other_changed)


def drift_rule_info() -> dict[str, RuleInfo]:
    """Documentation of the drift rules by code."""
    return {fn.info.code: fn.info for fn in DRIFT_RULES}  # type: ignore[attr-defined]


def drift_findings(drift: Drift) -> list[Finding]:
    """Findings for every change in ``drift`` (DRIFT001..DRIFT005), with stable ids."""
    out: list[Finding] = []
    for fn in DRIFT_RULES:
        out.extend(fn(drift))
    return out
