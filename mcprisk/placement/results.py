"""What placement hands back: frozen records of a decision, a server's placement and its ceiling.

Every record has ``to_dict()`` giving plain, deterministic data for the JSON report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..model import PATTERNS

__all__ = ["Answer", "Beyond", "Ceiling", "ControlStatus", "DecisionStep", "HeldBack", "Hold", "NoGo", "Placement",
           "SplitPlan", "ToolPlacement"]

REMOTE: tuple[str, ...] = ("internal_http", "public_remote", "managed_gateway")
SATISFIED: tuple[str, ...] = ("verified", "declared")


@dataclass(frozen=True)
class ControlStatus:
    """One control for one placement: verified | declared | missing | not_applicable, why, and evidence.

    ``tools`` names the tools whose effects call for the control (approval gates for the tools that send or
    destroy, a bounded scope for the ones that run code): empty when the pattern asks for it whatever the
    tools do."""

    control: str
    status: str
    why: str  # why it is required here (or why it does not apply)
    evidence: str = ""
    tools: tuple[str, ...] = ()

    @property
    def satisfied(self) -> bool:
        return self.status in SATISFIED

    def to_dict(self) -> dict[str, Any]:
        return {"control": self.control, "status": self.status, "why": self.why, "evidence": self.evidence,
                "tools": list(self.tools)}


@dataclass(frozen=True)
class NoGo:
    """A no-go sign that holds: remote hosting is blocked until it is cleared."""

    id: str  # NOGO01..NOGO08
    title: str
    evidence: tuple[str, ...]
    severity: str = "high"
    assumed: bool = False  # nothing observed settles it: the inventory is silent, so it stands
    tools: tuple[str, ...] = ()  # tool names it is about

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "severity": self.severity, "assumed": self.assumed,
                "tools": list(self.tools), "evidence": list(self.evidence)}


@dataclass(frozen=True)
class DecisionStep:
    """One question of the decision tree, its answer and what answered it."""

    id: str  # DT1..DT5
    question: str
    answer: str  # yes | no | unknown, assumed yes | unknown, assumed no | inferred yes | inferred no
    evidence: tuple[str, ...]
    assumed: bool = False

    @property
    def yes(self) -> bool:
        return self.answer.endswith("yes")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "question": self.question, "answer": self.answer, "assumed": self.assumed,
                "evidence": list(self.evidence)}


@dataclass(frozen=True)
class ToolPlacement:
    """Where one tool could be offered: the placement of a server that offered this tool alone.

    It reads the tool's effects, flags and credentials, its own declarations (approval gate, off switch)
    and the server's context (stage, audience, controls declared or verified), never the other tools.
    ``missing_controls`` holds, for each pattern more exposed than ``recommended``, the controls the tool
    still lacks there; ``own_blockers`` the no-go signs the tool raises itself, as opposed to the ones any
    tool of this server meets (``blocked_by`` holds both).
    """

    server: str
    tool: str
    allowed: tuple[str, ...]
    recommended: str
    missing_controls: Mapping[str, tuple[str, ...]]
    blocked_by: tuple[str, ...]
    why: str
    own_blockers: tuple[str, ...] = ()
    disabled: bool = False  # the tool is disabled: placed as if it were enabled, and not counted for the server

    def to_dict(self) -> dict[str, Any]:
        return {"allowed": list(self.allowed), "recommended": self.recommended,
                "missing_controls": {p: list(c) for p, c in self.missing_controls.items()},
                "blocked_by": list(self.blocked_by), "own_blockers": list(self.own_blockers), "why": self.why}


@dataclass(frozen=True)
class HeldBack:
    """One tool that holds its server back, and by how much.

    ``reach`` is the most exposed pattern the server could take with this tool on board once everything
    the server needs anyway (whatever its tools do) is in place; ``steps`` how many exposure ranks that is
    short of what the audience needs; ``adds`` what the tool adds beyond the server-wide needs at the next
    pattern (no-go signs and controls). ``shared_with`` names the tools it holds the server back together
    with (a credential they share), when it does not on its own.
    """

    tool: str
    recommended: str  # the tool's own recommendation today
    reach: str
    steps: int
    adds: tuple[str, ...]
    shared_with: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "recommended": self.recommended, "reach": self.reach, "steps": self.steps,
                "adds": list(self.adds), "shared_with": list(self.shared_with)}


@dataclass(frozen=True)
class Hold:
    """A tool that holds its server's ceiling at ``pattern`` whatever is in place (a cap of ceiling.yaml), or,
    with ``tool`` None, what holds the whole server even under a favourable inventory (a listing that did not
    complete: NOGO01)."""

    tool: str | None
    cap: str  # CAP01.., or the blocking sign
    pattern: str
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "cap": self.cap, "pattern": self.pattern, "why": self.why}


@dataclass(frozen=True)
class Beyond:
    """Split ``split_off`` off the server (to a separate local-only server, or disable them) and the rest could
    reach ``pattern``, with every control in place and every inventory question answered favourably."""

    pattern: str
    split_off: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"pattern": self.pattern, "split_off": list(self.split_off)}


@dataclass(frozen=True)
class Answer:
    """An inventory answer a ceiling takes: what is asked (a DT or NOGO id, ``audience`` or ``confirm``) and
    what to declare."""

    id: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text}


@dataclass(frozen=True)
class Ceiling:
    """How far a server could go: the most open pattern it could reach with every control in place and every
    inventory question answered favourably, and what that takes.

    ``controls`` are the controls that pattern needs and that are missing today; ``answers`` the inventory
    answers it takes; ``held_by`` the tools that keep it from going further whatever is done, and why;
    ``beyond`` what splitting those tools off would open; ``confirm`` the tools read at their severe reading
    (low or contested confidence) until an operator confirms them with an override.
    """

    server: str
    pattern: str
    controls: tuple[str, ...]
    answers: tuple[Answer, ...]
    held_by: tuple[Hold, ...] = ()
    beyond: tuple[Beyond, ...] = ()
    confirm: tuple[str, ...] = ()
    summary: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"pattern": self.pattern, "controls": list(self.controls),
                "answers": [a.to_dict() for a in self.answers], "held_by": [h.to_dict() for h in self.held_by],
                "beyond": [b.to_dict() for b in self.beyond], "confirm": list(self.confirm),
                "summary": self.summary}


@dataclass(frozen=True)
class SplitPlan:
    """Move ``move`` off ``server`` (to a separate local-only server, or disable them) and the ``keep`` tools
    may run as ``target_pattern`` once ``remaining_controls`` are in place and ``remaining_blockers`` are
    cleared. ``split_credentials`` are used by tools on both sides; ``gate`` are moved tools that may stay
    instead, each behind a human approval gate and an off switch of its own; ``reasons`` says, per moved
    tool, what it adds beyond what the server needs anyway."""

    server: str
    target_pattern: str
    move: tuple[str, ...]
    keep: tuple[str, ...]
    remaining_controls: tuple[str, ...]
    split_credentials: tuple[str, ...]
    text: str
    remaining_blockers: tuple[str, ...] = ()
    gate: tuple[str, ...] = ()
    reasons: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))

    def to_dict(self) -> dict[str, Any]:
        return {"server": self.server, "target_pattern": self.target_pattern, "move": list(self.move),
                "keep": list(self.keep), "remaining_controls": list(self.remaining_controls),
                "remaining_blockers": list(self.remaining_blockers),
                "split_credentials": list(self.split_credentials), "gate": list(self.gate),
                "reasons": {t: list(r) for t, r in sorted(self.reasons.items())}, "text": self.text}


@dataclass(frozen=True)
class Placement:
    """Where one server may run, where it should run, what each placement still needs, and how far it could go."""

    server: str
    current: str | None  # pattern it runs in now (None: unknown)
    recommended: str
    allowed: tuple[str, ...]  # patterns it may use now, in PATTERNS order; always holds local_stdio
    required_controls: tuple[ControlStatus, ...]  # every control, for the recommended pattern
    missing_by_pattern: Mapping[str, tuple[str, ...]]  # pattern -> required controls still missing
    no_go: tuple[NoGo, ...]
    rationale: tuple[DecisionStep, ...]  # DT1..DT5
    assumptions: tuple[str, ...]
    current_reason: str = ""
    need: str = "internal_http"  # the most exposed pattern the audience calls for
    need_assumed: bool = True
    blocked_by: tuple[str, ...] = ()  # DT1 and/or NOGO ids that keep every remote pattern out
    current_controls: tuple[ControlStatus, ...] = ()  # every control, for the current pattern
    contradicted: tuple[ControlStatus, ...] = ()  # declared in place, but a probe saw it missing
    summary: str = ""
    tools: tuple[ToolPlacement, ...] = ()  # every tool's own placement (disabled ones too), by name
    held_back_by: tuple[HeldBack, ...] = ()  # enabled tools that keep the server from the next pattern
    split_plans: tuple[SplitPlan, ...] = ()  # nearest target pattern first
    ceiling: Ceiling | None = None
    unconfirmed: tuple[str, ...] = ()  # enabled tools placed at their severe reading (low or contested)

    def tool(self, name: str) -> ToolPlacement:
        """The placement of one tool of this server."""
        for tp in self.tools:
            if tp.tool == name:
                return tp
        raise KeyError(f"no tool {name!r} on server {self.server!r}")

    @property
    def split_plan(self) -> SplitPlan | None:
        """The split plan for the nearest pattern more exposed than the recommendation (None: no such plan)."""
        return self.split_plans[0] if self.split_plans else None

    def step(self, step_id: str) -> DecisionStep:
        return next(s for s in self.rationale if s.id == step_id)

    def control(self, control_id: str) -> ControlStatus:
        """The status of a control for the recommended pattern."""
        return next(c for c in self.required_controls if c.control == control_id)

    @property
    def missing(self) -> tuple[ControlStatus, ...]:
        """The controls the recommended pattern requires that are not verified or declared."""
        return tuple(c for c in self.required_controls if c.status == "missing")

    @property
    def remote_in_play(self) -> bool:
        """The server runs remotely, or a declared audience calls for it: the no-go signs matter."""
        return (self.current in REMOTE) or (self.need in REMOTE and not self.need_assumed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "server": self.server, "current": self.current, "current_reason": self.current_reason,
            "recommended": self.recommended, "allowed": list(self.allowed), "need": self.need,
            "need_assumed": self.need_assumed, "blocked_by": list(self.blocked_by), "summary": self.summary,
            "required_controls": [c.to_dict() for c in self.required_controls],
            "current_controls": [c.to_dict() for c in self.current_controls],
            "missing_by_pattern": {p: list(self.missing_by_pattern.get(p, ())) for p in PATTERNS},
            "contradicted": [c.to_dict() for c in self.contradicted],
            "no_go": [n.to_dict() for n in self.no_go],
            "rationale": [s.to_dict() for s in self.rationale],
            "assumptions": list(self.assumptions),
            "held_back_by": [h.to_dict() for h in self.held_back_by],
            "ceiling": self.ceiling.to_dict() if self.ceiling is not None else None,
            "unconfirmed": list(self.unconfirmed),
        }
