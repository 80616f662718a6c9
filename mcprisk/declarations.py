"""What an operator declares about a server, one frozen type per part: controls in place, credentials, data
stores, why a server is remote, its managed alternative, per-tool decisions. ``Inventory`` holds them all."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


__all__ = ["AUDIENCES", "SENSITIVE_CLASSIFICATIONS", "STAGES", "ClassificationOverride", "ControlDecl", "Credential",
           "DataStore", "ManagedAlternative", "RemoteReason", "ServerDecl", "ToolDecl", "nothing"]

STAGES = ("experimental", "production")
AUDIENCES = ("single_user", "team", "organisation", "partners", "public")
SENSITIVE_CLASSIFICATIONS = ("confidential", "customer_pii", "secret")


def nothing() -> Mapping[str, Any]:
    return MappingProxyType({})



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
    controls: Mapping[str, ControlDecl] = field(default_factory=nothing)
    tools: Mapping[str, ToolDecl] = field(default_factory=nothing)
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
