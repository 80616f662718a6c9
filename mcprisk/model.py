"""The assessment vocabulary (effects, flags, patterns, controls, severities) and its frozen result types.

Names here are the ones DESIGN.md fixes; reports, JSON and data files use them verbatim.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CONFIDENCES",
    "CONTROLS",
    "CONTROL_STATUSES",
    "EFFECTS",
    "FLAGS",
    "PATTERNS",
    "RESOLVED",
    "SEVERITIES",
    "VERDICT_STATES",
    "Evidence",
    "Finding",
    "Flow",
    "PromptAssessment",
    "ResourceAssessment",
    "ToolAssessment",
    "effect_rank",
    "most_severe",
    "severity_from",
]

# Effects of a tool call, least to most severe.
EFFECTS: tuple[str, ...] = ("read_only", "reversible", "high_cost", "customer_visible", "destructive")
FLAGS: tuple[str, ...] = ("private_data", "untrusted_content", "external_egress", "code_execution", "credential_access")
# Hosting patterns, least to most exposed (managed_gateway is a different operating model, not "more public";
# placement treats it as an alternative to public_remote).
PATTERNS: tuple[str, ...] = ("local_stdio", "internal_http", "public_remote", "managed_gateway")
CONTROLS: tuple[str, ...] = (
    "authn_authz", "tool_scopes", "credential_rotation", "consent_approvals", "proxy_consent", "rate_limits",
    "audit_logs", "secret_redaction", "network_isolation", "off_switch",
    "origin_validation", "https", "localhost_binding",
)
CONTROL_STATUSES: tuple[str, ...] = ("verified", "declared", "missing", "not_applicable")
SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")
# Tracking statuses that record a person's decision: a finding in one of them gates no CI run, decides no verdict
# and is drawn as resolved.
RESOLVED: tuple[str, ...] = ("accepted", "mitigated", "false_positive")
# Confidence of a classification: high (two or more independent sources agree, none disagrees), medium, low
# (thin evidence), contested (sources disagree; the more severe reading was taken). Placement and reports treat
# low and contested as the severe reading, to be confirmed by the operator.
CONFIDENCES: tuple[str, ...] = ("high", "medium", "low", "contested")
UNSETTLED: tuple[str, ...] = ("low", "contested")
# What a reader sees first, per server: unsafe anywhere until reviewed, fine once controls are in, fine now.
VERDICT_STATES: tuple[str, ...] = ("do_not_use", "needs_controls", "ready")

_EFFECT_RANK = {e: i for i, e in enumerate(EFFECTS)}


def effect_rank(effect: str) -> int:
    return _EFFECT_RANK[effect]


def most_severe(effects: Iterable[str]) -> str:
    """The primary effect: the most severe of a set (read_only for an empty set)."""
    return max(effects, key=_EFFECT_RANK.__getitem__, default="read_only")


# Severity = likelihood x impact, each 1..4 (low, medium, high, very high).
_MATRIX = {
    1: ("info", "low", "low", "medium"),
    2: ("low", "low", "medium", "high"),
    3: ("low", "medium", "high", "critical"),
    4: ("medium", "high", "critical", "critical"),
}


def severity_from(likelihood: int, impact: int) -> str:
    """Severity from likelihood and impact, each 1 (low) .. 4 (very high)."""
    if not (1 <= likelihood <= 4 and 1 <= impact <= 4):
        raise ValueError("likelihood and impact are 1..4")
    return _MATRIX[impact][likelihood - 1]


@dataclass(frozen=True)
class Evidence:
    """One reason behind a decision: which rule, looking at what, saw which text, and what it means."""

    rule: str  # rule code, e.g. "EFF101"
    source: str  # name | description | schema | annotation | server | inventory | graph | config | snapshot | probe
    text: str  # the matched text (short)
    detail: str  # what the match means, in a sentence fragment
    effect: str | None = None  # the effect this evidence supports, if any
    flag: str | None = None  # the flag this evidence supports, if any
    weight: float = 1.0  # strength: 1.0 decisive, 0.5 supporting, 0.25 a hint

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "source": self.source, "text": self.text, "detail": self.detail,
                "effect": self.effect, "flag": self.flag, "weight": self.weight}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Evidence":
        return cls(rule=d["rule"], source=d["source"], text=d["text"], detail=d["detail"], effect=d.get("effect"),
                   flag=d.get("flag"), weight=float(d.get("weight", 1.0)))


@dataclass(frozen=True)
class ToolAssessment:
    """What one tool's call can do, with every piece of evidence behind that judgement."""

    server: str
    tool: str
    effects: tuple[str, ...]  # sorted by severity, least first
    flags: tuple[str, ...]  # in FLAGS order
    confidence: str  # one of CONFIDENCES
    evidence: tuple[Evidence, ...] = ()
    overridden: bool = False  # the operator's inventory set the classification
    assumed_worst: bool = False  # nothing placed the tool: assumed destructive
    disabled: bool = False  # the operator declared the tool disabled (kept, but not counted for placement)

    @property
    def primary(self) -> str:
        # Kept on the instance: placement and split plans ask for it hundreds of thousands of times (a plain
        # dict look-up; functools.cached_property takes a lock on every read in Python 3.11).
        try:
            return self.__dict__["_primary"]
        except KeyError:
            value = self.__dict__["_primary"] = most_severe(self.effects)
            return value

    @property
    def mutating(self) -> bool:
        return self.primary != "read_only"

    @property
    def key(self) -> tuple[str, str]:
        return (self.server, self.tool)

    def has(self, flag: str) -> bool:
        return flag in self.flags

    @property
    def why(self) -> Evidence | None:
        """The strongest evidence for the primary effect (the reading a report shows first)."""
        found = [e for e in self.evidence if e.effect == self.primary and e.weight > 0]
        return max(found, key=lambda e: e.weight) if found else None

    @property
    def unsettled(self) -> bool:
        """Thin or contested evidence that no operator has confirmed: read at its severe reading until then."""
        return self.confidence in UNSETTLED and not self.overridden

    @property
    def confirm(self) -> str | None:
        """Where an operator confirms an unsettled classification in one step (None when settled)."""
        if not self.unsettled:
            return None
        return f"inventory servers.{self.server}.tools.{self.tool}.classification"

    def to_dict(self) -> dict[str, Any]:
        return {"server": self.server, "name": self.tool, "primary": self.primary, "effects": list(self.effects),
                "flags": list(self.flags), "confidence": self.confidence, "confirm": self.confirm,
                "overridden": self.overridden,
                "assumed_worst": self.assumed_worst, "disabled": self.disabled,
                "evidence": [e.to_dict() for e in self.evidence]}


@dataclass(frozen=True)
class Finding:
    """A risk worth an architect's attention, with a stable id for tracking across runs."""

    code: str  # rule code, e.g. "ANN001"
    title: str
    severity: str  # one of SEVERITIES
    server: str
    subject: str  # what it is about: a tool, resource, prompt, credential, or the server itself
    message: str  # one or two sentences, specific to this subject
    evidence: tuple[Evidence, ...] = ()
    references: tuple[str, ...] = ()  # OWASP MCP Top 10 / CWE ids or URLs
    tools: tuple[str, ...] = ()  # tool keys "server/tool" involved (flows name several)
    status: str = "open"  # tracking status: open | unchecked | in_discussion | accepted | in_progress | mitigated | false_positive
    tracking_note: str | None = None
    location: str | None = None  # the value in the server's config entry it is about ("args/1"), for annotations

    @property
    def id(self) -> str:
        """``CODE@server[@subject]``: stable across runs, so a tracking file can refer to it."""
        return f"{self.code}@{self.server}" + (f"@{self.subject}" if self.subject and self.subject != self.server else "")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "code": self.code, "title": self.title, "severity": self.severity,
                "server": self.server, "subject": self.subject, "message": self.message,
                "evidence": [e.to_dict() for e in self.evidence], "references": list(self.references),
                "tools": list(self.tools), "status": self.status, "tracking_note": self.tracking_note,
                **({"location": self.location} if self.location else {})}


@dataclass(frozen=True)
class Flow:
    """An untrusted-content source, private-data access and an external-egress sink reachable in one agent."""

    source: str  # "server/tool" that brings untrusted content in
    private: str  # "server/tool" (or resource) that reads private data
    sink: str  # "server/tool" that can send data out
    servers: tuple[str, ...] = field(default_factory=tuple)

    @property
    def cross_server(self) -> bool:
        return len(set(self.servers)) > 1

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "private": self.private, "sink": self.sink, "servers": list(self.servers),
                "cross_server": self.cross_server}


@dataclass(frozen=True)
class ResourceAssessment:
    """What one resource (or resource template) exposes, in the flags vocabulary, with the evidence: the
    guide's question for resources is who may read this data, and whether access can be audited or revoked."""

    server: str
    uri: str  # the URI, or the URI template of a template
    name: str | None
    kind: str  # resource | template
    flags: tuple[str, ...]  # in FLAGS order; private_data, untrusted_content, credential_access
    evidence: tuple[Evidence, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.server, self.uri)

    @property
    def sensitive(self) -> bool:
        """Holds private data or credentials: who reads it must be known, logged and revocable."""
        return "private_data" in self.flags or "credential_access" in self.flags

    def has(self, flag: str) -> bool:
        return flag in self.flags

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "flags": list(self.flags), "evidence": [e.to_dict() for e in self.evidence]}


@dataclass(frozen=True)
class PromptAssessment:
    """Which tools and resources a prompt names or assumes, and the weight it inherits from the tools it drives.

    ``weight`` is the most severe primary effect among the enabled tools it drives (read_only when none): a
    prompt that walks the model to a destructive tool is as heavy as that tool. ``ungated`` are driven tools
    whose effect calls for a human approval gate (send, publish, charge, destroy) and that have none declared.
    """

    server: str
    prompt: str
    drives: tuple[str, ...]  # tool names, sorted
    resources: tuple[str, ...]  # resource URIs and URI templates it names, sorted
    weight: str
    evidence: tuple[Evidence, ...] = ()
    ungated: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.server, self.prompt)

    def to_dict(self) -> dict[str, Any]:
        return {"drives": list(self.drives), "resources": list(self.resources), "weight": self.weight,
                "ungated": list(self.ungated), "evidence": [e.to_dict() for e in self.evidence]}
