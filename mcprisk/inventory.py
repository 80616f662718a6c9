"""The operator inventory: what introspection cannot see, declared in YAML and validated line by line.

Stage, audience and tenants, why a server is (or would be) remote, whether a managed alternative exists,
credentials and data stores, the controls in place, and per-tool decisions (approval gates, off switches,
disabled tools, classification overrides). Everything is optional: ``Inventory.empty()`` is a valid
inventory, and the placement assumes the restrictive answer wherever it is silent.

Format (``data/inventory.example.yaml`` is a full example; ``catalog/inventory.schema.json`` the schema)::

    stage: production                 # experimental | production
    audience: team                    # single_user | team | organisation | partners | public
    controls:                         # defaults for every server
      audit_logs: {status: in_place, evidence: "gateway access log"}
    credentials:
      - {name: STRIPE_API_KEY, kind: static_api_key, breadth: broad, storage: secrets_manager,
         rotation: manual_planned, servers: [support-desk], tools: [issue_refund]}
    servers:
      support-desk:
        hosting: internal_http
        tools:
          issue_refund: {approval: true, off_switch: true}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ._errors import InventoryError
from ._yamlsource import LineMap, check_unique, parse_yaml, raise_problems, read_text, schema_problems
from .model import CONTROLS

__all__ = [
    "ClassificationOverride",
    "ControlDecl",
    "Credential",
    "DataStore",
    "Inventory",
    "ManagedAlternative",
    "RemoteReason",
    "ServerDecl",
    "ToolDecl",
    "inventory_schema",
    "load_inventory",
    "parse_inventory",
]

STAGES = ("experimental", "production")
AUDIENCES = ("single_user", "team", "organisation", "partners", "public")
SENSITIVE_CLASSIFICATIONS = ("confidential", "customer_pii", "secret")



def _nothing() -> Mapping[str, Any]:
    return MappingProxyType({})


def inventory_schema() -> dict[str, Any]:
    """The inventory's JSON Schema (draft 2020-12), a fresh copy."""
    text = resources.files("mcprisk.catalog").joinpath("inventory.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class ControlDecl:
    """The operator's word on one control: in_place, planned or not_in_place, with where to see it."""

    control: str
    status: str  # in_place | planned | not_in_place
    evidence: str | None = None
    source: str | None = None  # file:line of the declaration

    @property
    def in_place(self) -> bool:
        return self.status == "in_place"

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "evidence": self.evidence}


@dataclass(frozen=True)
class ClassificationOverride(Mapping[str, Any]):
    """The operator's classification of a tool, replacing mcprisk's. Reads like a mapping too
    (``override["effects"]``), which is what the classifier takes."""

    effects: tuple[str, ...]
    flags: tuple[str, ...] = ()
    reason: str = ""
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"effects": list(self.effects), "flags": list(self.flags), "reason": self.reason}

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(("effects", "flags", "reason"))

    def __len__(self) -> int:
        return 3


@dataclass(frozen=True)
class ToolDecl:
    """What the operator declares about one tool."""

    tool: str
    approval: bool | None = None  # a human approval gate exists
    off_switch: bool | None = None  # this tool can be disabled on its own
    disabled: bool = False
    classification: ClassificationOverride | None = None
    note: str | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"approval": self.approval, "off_switch": self.off_switch, "disabled": self.disabled,
                "classification": self.classification.to_dict() if self.classification else None, "note": self.note}


@dataclass(frozen=True)
class Credential:
    """A credential some servers (or some of their tools) use. ``None`` fields are unknown."""

    name: str
    servers: tuple[str, ...]
    tools: tuple[str, ...] = ()  # () = every tool of the servers
    kind: str | None = None  # static_api_key | service_account | per_user_oauth | none
    breadth: str | None = None  # narrow | broad | admin
    storage: str | None = None  # secrets_manager | protected_env | config_file | prompt | unknown
    rotation: str | None = None  # automatic | manual_planned | none | unknown
    note: str | None = None
    source: str | None = None

    def applies_to(self, server: str, tool: str | None = None) -> bool:
        return server in self.servers and (tool is None or not self.tools or tool in self.tools)

    @property
    def well_kept(self) -> bool:
        """Stored in a secrets manager or protected environment, with a rotation plan."""
        return self.storage in ("secrets_manager", "protected_env") and self.rotation in ("automatic", "manual_planned")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "breadth": self.breadth, "storage": self.storage,
                "rotation": self.rotation, "servers": list(self.servers), "tools": list(self.tools), "note": self.note}


@dataclass(frozen=True)
class DataStore:
    """A data store some servers (or some of their tools) reach."""

    name: str
    classification: str  # public | internal | confidential | customer_pii | secret
    servers: tuple[str, ...]
    tools: tuple[str, ...] = ()
    access: tuple[str, ...] = ()  # read | write | delete
    note: str | None = None
    source: str | None = None

    def applies_to(self, server: str, tool: str | None = None) -> bool:
        return server in self.servers and (tool is None or not self.tools or tool in self.tools)

    @property
    def sensitive(self) -> bool:
        return self.classification in SENSITIVE_CLASSIFICATIONS

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "classification": self.classification, "servers": list(self.servers),
                "tools": list(self.tools), "access": list(self.access), "note": self.note}


@dataclass(frozen=True)
class RemoteReason:
    """Why a server is (or would be) hosted remotely."""

    reason: str | None = None  # convenience | team_sharing | partner_integration | saas_product | other
    convenience_only: bool | None = None
    note: str | None = None
    source: str | None = None

    @property
    def convenience(self) -> bool | None:
        """True when convenience is the only reason, False when another reason is given, None when unsaid."""
        if self.convenience_only or self.reason == "convenience":
            return True
        if self.reason is not None or self.convenience_only is False:
            return False
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "convenience_only": self.convenience_only, "note": self.note}


@dataclass(frozen=True)
class ManagedAlternative:
    available: bool
    note: str | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"available": self.available, "note": self.note}


@dataclass(frozen=True)
class ServerDecl:
    """Declarations for one server; unset context fields fall back to the inventory's top level."""

    name: str
    hosting: str | None = None
    stage: str | None = None
    audience: str | None = None
    tenants: str | None = None
    remote_reason: RemoteReason | None = None
    managed_alternative: ManagedAlternative | None = None
    proxies_third_party: bool | None = None
    third_party_consent_reviewed: bool | None = None
    inventory_complete: bool | None = None
    controls: Mapping[str, ControlDecl] = field(default_factory=_nothing)
    tools: Mapping[str, ToolDecl] = field(default_factory=_nothing)
    note: str | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"hosting": self.hosting, "stage": self.stage, "audience": self.audience, "tenants": self.tenants,
                "remote_reason": self.remote_reason.to_dict() if self.remote_reason else None,
                "managed_alternative": self.managed_alternative.to_dict() if self.managed_alternative else None,
                "proxies_third_party": self.proxies_third_party,
                "third_party_consent_reviewed": self.third_party_consent_reviewed,
                "inventory_complete": self.inventory_complete,
                "controls": {c: d.to_dict() for c, d in sorted(self.controls.items())},
                "tools": {t: d.to_dict() for t, d in sorted(self.tools.items())}, "note": self.note}


@dataclass(frozen=True)
class Inventory:
    """Everything the operator declared. Query it per server: ``inv.stage(server)``, ``inv.control_declared(...)``."""

    path: str | None = None
    stage_default: str | None = None
    audience_default: str | None = None
    tenants_default: str | None = None
    remote_reason_default: RemoteReason | None = None
    managed_alternative_default: ManagedAlternative | None = None
    controls: Mapping[str, ControlDecl] = field(default_factory=_nothing)  # defaults for every server
    credentials: tuple[Credential, ...] = ()
    data_stores: tuple[DataStore, ...] = ()
    servers: Mapping[str, ServerDecl] = field(default_factory=_nothing)
    _lines: LineMap | None = field(default=None, compare=False, repr=False)

    @classmethod
    def empty(cls) -> "Inventory":
        """An inventory that declares nothing: every answer is left to the placement's assumptions."""
        return cls()

    @property
    def is_empty(self) -> bool:
        return self == Inventory(path=self.path)

    # -- per-server context, server-level first -----------------------------------------------

    def server(self, name: str) -> ServerDecl | None:
        return self.servers.get(name)

    def _setting(self, server: str, attr: str) -> Any:
        decl = self.servers.get(server)
        value = getattr(decl, attr) if decl is not None else None
        return value if value is not None else getattr(self, f"{attr}_default")

    def stage(self, server: str) -> str | None:
        return self._setting(server, "stage")

    def audience(self, server: str) -> str | None:
        return self._setting(server, "audience")

    def tenants(self, server: str) -> str | None:
        return self._setting(server, "tenants")

    def remote_reason(self, server: str) -> RemoteReason | None:
        return self._setting(server, "remote_reason")

    def managed_alternative(self, server: str) -> ManagedAlternative | None:
        return self._setting(server, "managed_alternative")

    def hosting(self, server: str) -> str | None:
        decl = self.servers.get(server)
        return decl.hosting if decl else None

    def where(self, *keys: str | int) -> str | None:
        """``file:line`` of a key in the inventory (``inv.where("servers", "x", "stage")``), None without a file."""
        if self._lines is None:
            return None
        return self._lines.where(self.path, keys)

    def setting_source(self, server: str, attr: str) -> str | None:
        """Where a per-server setting (stage, audience, ...) was declared: the server's entry or the top level."""
        decl = self.servers.get(server)
        if decl is not None and getattr(decl, attr) is not None:
            return self.where("servers", server, attr)
        return self.where(attr)

    # -- derived inventories (what-if changes, e.g. from the explorer widget) ----------------------

    def _with_server(self, server: str, **changes: Any) -> "Inventory":
        decl = self.servers.get(server) or ServerDecl(name=server)
        servers = dict(self.servers)
        servers[server] = replace(decl, **changes)
        return replace(self, servers=MappingProxyType(servers))

    def with_control(self, server: str, control: str, status: str | None, evidence: str | None = None
                     ) -> "Inventory":
        """A copy where ``control`` has ``status`` for ``server`` (None: no server-level declaration; a
        top-level default that says in place is then overridden to not_in_place)."""
        decl = self.servers.get(server)
        controls = dict(decl.controls) if decl is not None else {}
        if status is None:
            controls.pop(control, None)
            default = self.controls.get(control)
            if default is not None and default.in_place:
                controls[control] = ControlDecl(control, "not_in_place", evidence)
        else:
            controls[control] = ControlDecl(control, status, evidence)
        if decl is not None and dict(decl.controls) == controls:
            return self
        return self._with_server(server, controls=MappingProxyType(controls))

    def with_server_setting(self, server: str, **settings: Any) -> "Inventory":
        """A copy with per-server settings changed (stage, audience, tenants, hosting, ...)."""
        decl = self.servers.get(server)
        if decl is not None and all(getattr(decl, k) == v for k, v in settings.items()):
            return self
        if decl is None and all(v is None for v in settings.values()):
            return self
        return self._with_server(server, **settings)

    def with_tool(self, server: str, tool: str, *, classification: Mapping[str, Any] | None = None,
                  **changes: Any) -> "Inventory":
        """A copy with one tool's declaration changed (approval, off_switch, disabled, classification)."""
        decl = self.servers.get(server)
        tools = dict(decl.tools) if decl is not None else {}
        current = tools.get(tool) or ToolDecl(tool=tool)
        override = None
        if classification is not None:
            override = ClassificationOverride(effects=tuple(classification.get("effects") or ()),
                                              flags=tuple(classification.get("flags") or ()),
                                              reason=str(classification.get("reason") or ""))
        updated = replace(current, classification=override, **changes)
        if updated == current and tool in tools:
            return self
        tools[tool] = updated
        return self._with_server(server, tools=MappingProxyType(tools))

    def with_credential(self, credential: Credential) -> "Inventory":
        """A copy where ``credential`` replaces the credential of the same name (or is added)."""
        kept = tuple(c for c in self.credentials if c.name != credential.name)
        if self.credential(credential.name) == credential:
            return self
        return replace(self, credentials=tuple(sorted((*kept, credential), key=lambda c: c.name)))

    def without_credential(self, name: str) -> "Inventory":
        """A copy that no longer describes the credential ``name``."""
        kept = tuple(c for c in self.credentials if c.name != name)
        return self if len(kept) == len(self.credentials) else replace(self, credentials=kept)

    def with_data_store(self, store: DataStore) -> "Inventory":
        """A copy where ``store`` replaces the data store of the same name (or is added)."""
        kept = tuple(d for d in self.data_stores if d.name != store.name)
        if any(d == store for d in self.data_stores):
            return self
        return replace(self, data_stores=tuple(sorted((*kept, store), key=lambda d: d.name)))

    def without_data_store(self, name: str) -> "Inventory":
        """A copy that no longer describes the data store ``name``."""
        kept = tuple(d for d in self.data_stores if d.name != name)
        return self if len(kept) == len(self.data_stores) else replace(self, data_stores=kept)

    # -- controls and tools ---------------------------------------------------------------------

    def control_decl(self, server: str, control: str) -> ControlDecl | None:
        """The declaration for ``control``: the server's own, else the top-level default, else None."""
        decl = self.servers.get(server)
        if decl is not None and control in decl.controls:
            return decl.controls[control]
        return self.controls.get(control)

    def control_declared(self, server: str, control: str) -> bool:
        """True when the inventory says ``control`` is in place for ``server``."""
        decl = self.control_decl(server, control)
        return decl is not None and decl.in_place

    def tool_decl(self, server: str, tool: str) -> ToolDecl | None:
        decl = self.servers.get(server)
        return decl.tools.get(tool) if decl is not None else None

    def override(self, server: str, tool: str) -> ClassificationOverride | None:
        """The operator's classification of a tool, if any (pass it to the classifier)."""
        decl = self.tool_decl(server, tool)
        return decl.classification if decl is not None else None

    def tool_disabled(self, server: str, tool: str) -> bool:
        decl = self.tool_decl(server, tool)
        return bool(decl and decl.disabled)

    def unknown_tools(self, server: str, tool_names: Iterable[str]) -> tuple[ToolDecl, ...]:
        """Tool declarations naming a tool the server does not list (usually a typo)."""
        decl = self.servers.get(server)
        names = set(tool_names)
        return tuple(d for t, d in sorted(decl.tools.items()) if t not in names) if decl else ()

    def unknown_servers(self, server_names: Iterable[str]) -> tuple[str, ...]:
        """Server names the inventory mentions that are not among ``server_names``."""
        names = set(server_names)
        mentioned = set(self.servers)
        for item in (*self.credentials, *self.data_stores):
            mentioned.update(item.servers)
        return tuple(sorted(mentioned - names))

    # -- credentials and data stores ------------------------------------------------------------

    def credentials_for(self, server: str, tool: str | None = None) -> tuple[Credential, ...]:
        """Credentials the server (or, given ``tool``, that tool) uses."""
        return tuple(c for c in self.credentials if c.applies_to(server, tool))

    def credential(self, name: str) -> Credential | None:
        return next((c for c in self.credentials if c.name == name), None)

    def data_stores_for(self, server: str, tool: str | None = None) -> tuple[DataStore, ...]:
        return tuple(d for d in self.data_stores if d.applies_to(server, tool))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (unset values as null), stable across runs."""
        return {
            "stage": self.stage_default, "audience": self.audience_default, "tenants": self.tenants_default,
            "remote_reason": self.remote_reason_default.to_dict() if self.remote_reason_default else None,
            "managed_alternative": (self.managed_alternative_default.to_dict()
                                    if self.managed_alternative_default else None),
            "controls": {c: d.to_dict() for c, d in sorted(self.controls.items())},
            "credentials": [c.to_dict() for c in self.credentials],
            "data_stores": [d.to_dict() for d in self.data_stores],
            "servers": {s: d.to_dict() for s, d in sorted(self.servers.items())},
        }


# --------------------------------------------------------------------------------------------
# Loading


def load_inventory(path: str | Path) -> Inventory:
    """Read and validate an inventory file; InventoryError names the file, the line and the key."""
    return parse_inventory(read_text(path, InventoryError), path=str(path))


def parse_inventory(text: str, path: str = "<string>") -> Inventory:
    """Validate inventory text; InventoryError carries every problem found, each with its line and key."""
    data, lines = parse_yaml(text, path=path, what="inventory")
    if data is None:
        return Inventory(path=path, _lines=lines)
    if not isinstance(data, dict):
        raise InventoryError("an inventory is a mapping of keys (stage, audience, credentials, servers, ...)",
                             path=path, line=lines.line(()))
    problems = schema_problems(inventory_schema(), data, lines)
    for key, what in (("credentials", "credential"), ("data_stores", "data store")):
        items = data.get(key)
        if isinstance(items, list):
            problems += check_unique((((key, i, "name"), item["name"]) for i, item in enumerate(items)
                                      if isinstance(item, dict) and isinstance(item.get("name"), str)), lines, what)
    raise_problems(sorted(problems, key=lambda p: (p.line or 0, p.key)), path=path)
    return _build(data, lines, path)


def _build(data: dict[str, Any], lines: LineMap, path: str) -> Inventory:
    def at(*keys: str | int) -> str:
        return lines.where(path, keys)

    def controls(raw: Mapping[str, Any] | None, *prefix: str | int) -> Mapping[str, ControlDecl]:
        raw = raw or {}
        return MappingProxyType({c: ControlDecl(c, raw[c]["status"], raw[c].get("evidence"), at(*prefix, c))
                                 for c in CONTROLS if c in raw})

    def reason(raw: Mapping[str, Any] | None, *prefix: str | int) -> RemoteReason | None:
        if raw is None:
            return None
        return RemoteReason(raw.get("reason"), raw.get("convenience_only"), raw.get("note"), at(*prefix))

    def managed(raw: Mapping[str, Any] | None, *prefix: str | int) -> ManagedAlternative | None:
        if raw is None:
            return None
        return ManagedAlternative(bool(raw["available"]), raw.get("note"), at(*prefix))

    def tool(server: str, name: str, raw: Mapping[str, Any]) -> ToolDecl:
        cls = raw.get("classification")
        override = None
        if cls is not None:
            override = ClassificationOverride(tuple(cls["effects"]), tuple(cls.get("flags") or ()), cls["reason"],
                                              at("servers", server, "tools", name, "classification"))
        return ToolDecl(name, raw.get("approval"), raw.get("off_switch"), bool(raw.get("disabled", False)),
                        override, raw.get("note"), at("servers", server, "tools", name))

    servers = {}
    for name, raw in (data.get("servers") or {}).items():
        raw = raw or {}
        servers[name] = ServerDecl(
            name=name, hosting=raw.get("hosting"), stage=raw.get("stage"), audience=raw.get("audience"),
            tenants=raw.get("tenants"),
            remote_reason=reason(raw.get("remote_reason"), "servers", name, "remote_reason"),
            managed_alternative=managed(raw.get("managed_alternative"), "servers", name, "managed_alternative"),
            proxies_third_party=raw.get("proxies_third_party"),
            third_party_consent_reviewed=raw.get("third_party_consent_reviewed"),
            inventory_complete=raw.get("inventory_complete"),
            controls=controls(raw.get("controls"), "servers", name, "controls"),
            tools=MappingProxyType({t: tool(name, t, d or {}) for t, d in (raw.get("tools") or {}).items()}),
            note=raw.get("note"), source=at("servers", name))
    credentials = tuple(
        Credential(name=c["name"], servers=tuple(c["servers"]), tools=tuple(c.get("tools") or ()), kind=c.get("kind"),
                   breadth=c.get("breadth"), storage=c.get("storage"), rotation=c.get("rotation"),
                   note=c.get("note"), source=at("credentials", i))
        for i, c in enumerate(data.get("credentials") or []))
    stores = tuple(
        DataStore(name=d["name"], classification=d["classification"], servers=tuple(d["servers"]),
                  tools=tuple(d.get("tools") or ()), access=tuple(d.get("access") or ()), note=d.get("note"),
                  source=at("data_stores", i))
        for i, d in enumerate(data.get("data_stores") or []))
    return Inventory(
        path=path, stage_default=data.get("stage"), audience_default=data.get("audience"),
        tenants_default=data.get("tenants"), remote_reason_default=reason(data.get("remote_reason"), "remote_reason"),
        managed_alternative_default=managed(data.get("managed_alternative"), "managed_alternative"),
        controls=controls(data.get("controls"), "controls"), credentials=credentials, data_stores=stores,
        servers=MappingProxyType(servers), _lines=lines)

