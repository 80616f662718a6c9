"""The domain model as packaged data: hosting patterns, controls, no-go signs, the decision tree, the checklist,
the caps on how far a tool may go (ceiling.yaml) and what makes a verdict (verdict.yaml).

Each YAML file beside this module is read once per process (``functools.cache``) and handed out as frozen
dataclasses and tuples, so nothing here can be changed by a caller. Ids are stable: reports, inventories
and tracking files refer to them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .._packaged import load_yaml
from ..model import CONTROLS, EFFECTS, FLAGS, PATTERNS, SEVERITIES, VERDICT_STATES

__all__ = [
    "CONDITIONS",
    "Area",
    "Cap",
    "Catalog",
    "Cause",
    "ChecklistItem",
    "Control",
    "HostingPattern",
    "NoGoSign",
    "Question",
    "Requirement",
    "VerdictState",
    "build_catalog",
    "catalog",
]

CONDITIONS: tuple[str, ...] = ("holds_credentials", "approval_tools", "proxies", "confines")
"""Facts a requirement can be limited to (``when:`` in patterns.yaml and decision_tree.yaml)."""

_SOURCES = ("snapshot", "tools", "graph", "inventory", "ask")
_TRANSPORTS = ("stdio", "http", "sse")


@dataclass(frozen=True)
class Requirement:
    """A control a pattern (or a decision-tree answer) needs, why, and the fact it is limited to, if any."""

    control: str
    why: str
    when: str | None = None


@dataclass(frozen=True)
class HostingPattern:
    id: str
    title: str
    behaviour: str
    best_fit: str
    main_risk: str
    exposure_rank: int
    vendor_review: bool
    requires: tuple[Requirement, ...]


@dataclass(frozen=True)
class Area:
    """An area of the seed's security checklist (CHK01..CHK10) or the transport spec's HTTP floor."""

    id: str
    title: str


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    area: str
    questions: tuple[str, ...]
    probe_checks: tuple[str, ...]  # probe check ids that can verify it; () = only the operator can say
    transports: tuple[str, ...]  # () = every transport
    impact: int  # 1..4
    seed_refs: tuple[str, ...]
    references: tuple[str, ...] = ()  # CWE ids

    def applies_to_transport(self, transport: str) -> bool:
        return not self.transports or transport in self.transports


@dataclass(frozen=True)
class NoGoSign:
    id: str
    title: str
    sign: str
    detected_from: tuple[str, ...]
    detection: str
    clears: str
    severity: str
    controls: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    """One question of the remote-hosting decision tree."""

    id: str
    question: str
    answered_by: tuple[str, ...]
    if_yes: str
    if_no: str
    when_silent: str  # "yes" | "no" | "inferred"
    silent_because: str
    requires: tuple[Requirement, ...]
    title: str = ""  # the yes-answer as a short statement
    clears: str = ""  # what the operator declares to get past a yes that keeps the server local


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    title: str
    text: str
    controls: tuple[str, ...]


@dataclass(frozen=True)
class Cap:
    """How far a tool with these traits may ever be offered, whatever is in place (ceiling.yaml)."""

    id: str
    title: str
    ceiling: str
    why: str
    flags: tuple[str, ...] = ()  # every one must be present
    effects: tuple[str, ...] = ()  # at least one must be present
    reaches: tuple[str, ...] = ()  # at least one data-store kind must be reached

    def holds(self, effects: Iterable[str], flags: Iterable[str], reaches: Iterable[str]) -> bool:
        """True when a tool with these effects, flags and reach is held by this cap."""
        return ((not self.flags or set(self.flags) <= set(flags))
                and (not self.effects or bool(set(self.effects) & set(effects)))
                and (not self.reaches or bool(set(self.reaches) & set(reaches))))


@dataclass(frozen=True)
class Cause:
    """A kind of finding that makes a server do_not_use while it is open (verdict.yaml)."""

    id: str
    says: str
    families: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    hostile: bool | None = None
    min_severity: str | None = None
    effects: tuple[str, ...] = ()  # the finding's evidence must support one of these effects

    def matches(self, code: str, family: str | None, hostile: bool, severity: str,
                effects: Iterable[str | None] = ()) -> bool:
        """True when a finding with this code, rule family, hostility, severity and evidence (the effects its
        evidence supports) is of this cause."""
        return ((not self.families or family in self.families) and (not self.codes or code in self.codes)
                and (self.hostile is None or hostile == self.hostile)
                and (self.min_severity is None
                     or SEVERITIES.index(severity) >= SEVERITIES.index(self.min_severity))
                and (not self.effects or bool(set(self.effects) & set(effects))))


@dataclass(frozen=True)
class VerdictState:
    id: str  # do_not_use | needs_controls | ready
    label: str
    meaning: str


@dataclass(frozen=True)
class Catalog:
    patterns: tuple[HostingPattern, ...]
    areas: tuple[Area, ...]
    controls: tuple[Control, ...]
    no_go: tuple[NoGoSign, ...]
    decision_tree: tuple[Question, ...]
    checklist: tuple[ChecklistItem, ...]
    everywhere: tuple[Requirement, ...] = ()  # controls tied to what tools do, required in every pattern
    caps: tuple[Cap, ...] = ()
    states: tuple[VerdictState, ...] = ()
    causes: tuple[Cause, ...] = ()

    def pattern(self, pattern_id: str) -> HostingPattern:
        return _by_id(self.patterns, pattern_id, "hosting pattern")

    def control(self, control_id: str) -> Control:
        return _by_id(self.controls, control_id, "control")

    def no_go_sign(self, sign_id: str) -> NoGoSign:
        return _by_id(self.no_go, sign_id, "no-go sign")

    def question(self, question_id: str) -> Question:
        return _by_id(self.decision_tree, question_id, "decision-tree question")

    def checklist_item(self, item_id: str) -> ChecklistItem:
        return _by_id(self.checklist, item_id, "checklist item")

    def cap(self, cap_id: str) -> Cap:
        return _by_id(self.caps, cap_id, "cap")

    def state(self, state_id: str) -> VerdictState:
        return _by_id(self.states, state_id, "verdict state")

    def rank(self, pattern_id: str) -> int:
        """Exposure rank of a hosting pattern: 0 local, 1 internal, 2 outside the organisation."""
        return self.pattern(pattern_id).exposure_rank

    def ids(self) -> dict[str, tuple[str, ...]]:
        """Every id, by kind (what the catalog test freezes)."""
        return {"patterns": tuple(p.id for p in self.patterns), "areas": tuple(a.id for a in self.areas),
                "controls": tuple(c.id for c in self.controls), "no_go": tuple(s.id for s in self.no_go),
                "decision_tree": tuple(q.id for q in self.decision_tree),
                "checklist": tuple(i.id for i in self.checklist), "caps": tuple(c.id for c in self.caps),
                "states": tuple(s.id for s in self.states), "causes": tuple(c.id for c in self.causes)}


def _by_id(items: tuple[Any, ...], item_id: str, kind: str) -> Any:
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(f"no {kind} {item_id!r}")


def _read_yaml(name: str) -> Any:
    """One packaged YAML file, parsed (private: the parsed documents are mutable, the Catalog is not)."""
    return load_yaml(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


@functools.cache
def catalog() -> Catalog:
    """The packaged catalog, read and cross-checked once per process."""
    return build_catalog(_read_yaml("patterns.yaml"), _read_yaml("controls.yaml"), _read_yaml("no_go.yaml"),
                         _read_yaml("decision_tree.yaml"), _read_yaml("checklist.yaml"),
                         ceiling=_read_yaml("ceiling.yaml"), verdict=_read_yaml("verdict.yaml"))


def build_catalog(patterns: Any, controls: Any, no_go: Any, decision_tree: Any, checklist: Any, *,
                  ceiling: Any = None, verdict: Any = None) -> Catalog:
    """A Catalog from parsed YAML documents; raises ValueError naming the first inconsistency. Without
    ``ceiling`` or ``verdict`` documents, the catalog has no caps, verdict states or causes."""
    ceiling, verdict = ceiling or {}, verdict or {}
    cat = Catalog(
        patterns=tuple(HostingPattern(
            id=p["id"], title=p["title"], behaviour=p["behaviour"], best_fit=p["best_fit"], main_risk=p["main_risk"],
            exposure_rank=int(p["exposure_rank"]), vendor_review=bool(p["vendor_review"]),
            requires=_requirements(p["requires"])) for p in patterns["patterns"]),
        areas=tuple(Area(id=a["id"], title=a["title"]) for a in controls["areas"]),
        controls=tuple(Control(
            id=c["id"], title=c["title"], area=c["area"], questions=tuple(c["questions"]),
            probe_checks=tuple(c["probe_checks"]), transports=tuple(c["transports"]), impact=int(c["impact"]),
            seed_refs=tuple(c["seed_refs"]), references=tuple(c.get("references") or ()))
            for c in controls["controls"]),
        no_go=tuple(NoGoSign(
            id=s["id"], title=s["title"], sign=s["sign"], detected_from=tuple(s["detected_from"]),
            detection=s["detection"], clears=s["clears"], severity=s["severity"], controls=tuple(s["controls"]))
            for s in no_go["signs"]),
        decision_tree=tuple(Question(
            id=q["id"], question=q["question"], answered_by=tuple(q["answered_by"]), if_yes=q["if_yes"],
            if_no=q["if_no"], when_silent=str(q["when_silent"]), silent_because=q["silent_because"],
            requires=_requirements(q["requires"]), title=q.get("title") or q["id"], clears=q.get("clears") or "")
            for q in decision_tree["questions"]),
        checklist=tuple(ChecklistItem(id=i["id"], title=i["title"], text=i["text"], controls=tuple(i["controls"]))
                        for i in checklist["items"]),
        everywhere=_requirements(patterns.get("everywhere") or []),
        caps=tuple(Cap(id=c["id"], title=c["title"], ceiling=c["ceiling"], why=" ".join(c["why"].split()),
                       flags=tuple(c["when"].get("flags") or ()), effects=tuple(c["when"].get("effects") or ()),
                       reaches=tuple(c["when"].get("reaches") or ())) for c in ceiling.get("caps") or ()),
        states=tuple(VerdictState(id=s["id"], label=s["label"], meaning=s["meaning"])
                     for s in verdict.get("states") or ()),
        causes=tuple(Cause(id=c["id"], says=c["says"], families=tuple(c["match"].get("families") or ()),
                           codes=tuple(c["match"].get("codes") or ()), hostile=c["match"].get("hostile"),
                           min_severity=c["match"].get("min_severity"), effects=tuple(c["match"].get("effects") or ()))
                     for c in verdict.get("do_not_use") or ()),
    )
    _check(cat)
    return cat


def _requirements(raw: list[dict[str, Any]]) -> tuple[Requirement, ...]:
    return tuple(Requirement(control=r["control"], why=r["why"], when=r.get("when")) for r in raw)


def _check(cat: Catalog) -> None:
    for kind, ids in cat.ids().items():
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"catalog {kind}: duplicate ids {dupes}")
    if tuple(p.id for p in cat.patterns) != PATTERNS:
        raise ValueError(f"catalog patterns must be exactly {PATTERNS}")
    if tuple(c.id for c in cat.controls) != CONTROLS:
        raise ValueError(f"catalog controls must be exactly {CONTROLS}")
    areas = {a.id for a in cat.areas}
    refs = areas | {i.id for i in cat.checklist}
    requirements = [(p.id, r) for p in cat.patterns for r in p.requires]
    requirements += [(q.id, r) for q in cat.decision_tree for r in q.requires]
    requirements += [("everywhere", r) for r in cat.everywhere]
    for owner, r in requirements:
        if r.control not in CONTROLS:
            raise ValueError(f"catalog {owner}: unknown control {r.control!r}")
        if r.when is not None and r.when not in CONDITIONS:
            raise ValueError(f"catalog {owner}: unknown condition {r.when!r} (expected one of {CONDITIONS})")
    for c in cat.controls:
        if c.area not in areas or not set(c.seed_refs) <= refs:
            raise ValueError(f"catalog control {c.id}: unknown area or seed reference")
        if not set(c.transports) <= set(_TRANSPORTS) or not 1 <= c.impact <= 4:
            raise ValueError(f"catalog control {c.id}: bad transports or impact")
    for s in cat.no_go:
        if (s.severity not in SEVERITIES or not set(s.controls) <= set(CONTROLS)
                or not set(s.detected_from) <= set(_SOURCES)):
            raise ValueError(f"catalog no-go sign {s.id}: bad severity, control or source")
    for q in cat.decision_tree:
        if q.when_silent not in ("yes", "no", "inferred"):
            raise ValueError(f"catalog question {q.id}: when_silent must be yes, no or inferred")
    for i in cat.checklist:
        if not set(i.controls) <= set(CONTROLS):
            raise ValueError(f"catalog checklist item {i.id}: unknown control")
    for c in cat.caps:
        if c.ceiling not in PATTERNS or not set(c.flags) <= set(FLAGS) or not set(c.effects) <= set(EFFECTS):
            raise ValueError(f"catalog cap {c.id}: unknown pattern, flag or effect")
        if not (c.flags or c.effects or c.reaches):
            raise ValueError(f"catalog cap {c.id}: a cap needs a condition")
    if cat.states and tuple(s.id for s in cat.states) != VERDICT_STATES:
        raise ValueError(f"catalog verdict states must be exactly {VERDICT_STATES}")
    for c in cat.causes:
        if c.min_severity is not None and c.min_severity not in SEVERITIES:
            raise ValueError(f"catalog cause {c.id}: unknown severity {c.min_severity!r}")
        if not (c.families or c.codes or c.hostile is not None):
            raise ValueError(f"catalog cause {c.id}: a cause needs families, codes or hostile")
        if not set(c.effects) <= set(EFFECTS):
            raise ValueError(f"catalog cause {c.id}: unknown effect")
