"""Weighing: evidence in, effects, flags and a confidence out. An operator's override wins, and says so.

Weights: 1.0 is decisive on its own; 0.5 is one witness's reading (it counts in a conflict, and two of
them make a decisive sum); 0.25 is a hint that only adds up. Effects with a decisive sum are included.
When independent sources disagree, the more severe reading wins: a witness for an effect more severe
than anything decided raises the tool to it, and the confidence says ``contested``. ``high`` means at
least two independent sources support the primary effect, one of them decisively, and none reads the
tool differently; an author's hint that a change destroys nothing is not one of the two (and the learned reading,
consulted after, turns ``high`` into ``medium`` when it doubts the primary upward: ``learned.DOUBT_AT``). A tool nothing
places, or whose definition could not be stored whole, is assumed at its worst, with ``low`` confidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..model import EFFECTS, FLAGS, Evidence, ToolAssessment, effect_rank
from ..ruleinfo import evidence_code

__all__ = ["ASSUMED_WORST", "INCOMPLETE", "OVERRIDE", "READING_RULES", "decide", "reading_class", "source_readings"]

OVERRIDE = evidence_code("EFF100", "Operator override", """The inventory states what the tool does
    (servers.NAME.tools.TOOL.classification): its effects and flags replace every reading, at high confidence, and the
    evidence keeps the operator's reason. Findings about what the author claimed still stand, marked as overridden.""",
    family="classification")
INCOMPLETE = evidence_code("EFF198", "Definition not stored whole: assumed at its worst", """The snapshot could not
    keep the tool's whole definition (too deep, too large or cut off), so nothing read from it can be trusted to be
    complete: the tool is read as destructive with every flag, at low confidence, until an operator override says
    what it does.""", family="classification")
ASSUMED_WORST = evidence_code("EFF199", "Nothing places the tool: assumed at its worst", """No rule found evidence
    for any effect and nothing marks the tool as read-only, so it is read as destructive at low confidence until an
    operator override says what it does (an unknown tool is never assumed harmless).""", family="classification")

MUTATING = EFFECTS[1:]
# Rules whose evidence is a source's own reading of what the tool does (the name's verb, the description's
# verbs, the author's annotation), as opposed to a consequence that refines
# a reading (what the object, the service or a parameter makes of it).
READING_RULES = frozenset({"EFF101", "EFF103", "EFF104", "EFF110"})


def reading_class(effect: str) -> str:
    """Readings disagree when they differ on these classes: reversible, high-cost and customer-visible
    differ by what is changed, which other rules settle; reading versus changing, and changing versus
    destroying, are the disagreements that matter."""
    return "read" if effect == "read_only" else "destroy" if effect == "destructive" else "change"


def _readings(evidence: Iterable[Evidence]) -> dict[str, frozenset[str]]:
    """Per source, the classes its readings allow (the most severe reading of a source is its reading;
    an annotation reading may allow a range, given as several evidence items of one rule)."""
    per_source: dict[str, list[Evidence]] = {}
    for ev in evidence:
        if ev.effect and (ev.rule in READING_RULES or (ev.rule == "EFF105" and ev.effect == "read_only")):
            per_source.setdefault(ev.source, []).append(ev)
    out = {}
    for source, items in per_source.items():
        if not any(ev.weight >= 0.5 for ev in items):
            continue  # hints only: no reading to disagree with
        if source == "annotation":
            # The annotation's reading is a range (weight-0 items extend it: "changes, may destroy").
            out[source] = frozenset(reading_class(ev.effect) for ev in items if ev.effect)
        else:
            strong = [ev.effect for ev in items if ev.effect and ev.weight >= 0.5]
            out[source] = frozenset({reading_class(max(strong, key=effect_rank))})
    return out


def source_readings(evidence: Iterable[Evidence]) -> dict[str, frozenset[str]]:
    """Per source, the classes (read, change, destroy) its own reading of the tool allows."""
    return _readings(evidence)


def _disagree(readings: Mapping[str, frozenset[str]]) -> bool:
    sets = list(readings.values())
    return any(not (a & b) for i, a in enumerate(sets) for b in sets[i + 1:])


def decide(server: str, tool: str, evidence: Sequence[Evidence], *, override: Mapping[str, Any] | None = None,
           disabled: bool = False, incomplete: str | None = None) -> ToolAssessment:
    """Turn evidence into effects, flags and a confidence. An override from the operator wins, and says so.

    ``incomplete`` (the problem, when part of the tool's definition could not be stored) makes the tool
    assumed at its worst: what is missing may be what makes it dangerous, so it is destructive and carries
    every flag, with ``low`` confidence, until an override confirms it.
    """
    if override:
        effects = tuple(sorted(set(override.get("effects") or ()), key=effect_rank)) or ("read_only",)
        flags = tuple(f for f in FLAGS if f in set(override.get("flags") or ()))
        reason = str(override.get("reason") or "declared by the operator")
        ev = (*evidence, Evidence(OVERRIDE.code, "inventory", ", ".join(effects), f"operator override: {reason}"))
        return ToolAssessment(server, tool, effects, flags, "high", tuple(ev), overridden=True, disabled=disabled)

    score = {e: 0.0 for e in EFFECTS}
    flag_score = {f: 0.0 for f in FLAGS}
    for ev in evidence:
        if ev.effect:
            score[ev.effect] += ev.weight
        if ev.flag:
            flag_score[ev.flag] += ev.weight
    effects = {e for e in MUTATING if score[e] >= 1.0}
    decided = max(effects, key=effect_rank) if effects else "read_only" if score["read_only"] >= 1.0 else None
    witnesses = [ev.effect for ev in evidence if ev.effect in MUTATING and ev.weight >= 0.5]
    raised = [e for e in witnesses if decided is None or effect_rank(e) > effect_rank(decided)]
    if raised:
        effects.add(max(raised, key=effect_rank))  # the more severe reading wins a conflict
    assumed = False
    if not effects:
        if score["read_only"] >= 0.5:
            effects = {"read_only"}
        else:
            effects, assumed = {"destructive"}, True
    if incomplete is not None:
        evidence = (*evidence, Evidence(INCOMPLETE.code, "snapshot", incomplete[:120],
                                        "its definition could not be stored whole: assumed at its worst",
                                        "destructive", weight=0.0))
        return ToolAssessment(server, tool, tuple(sorted(effects | {"destructive"}, key=effect_rank)), FLAGS, "low",
                              tuple(evidence), assumed_worst=True, disabled=disabled)
    primary = max(effects, key=effect_rank)
    flags = tuple(f for f in FLAGS if flag_score[f] >= 1.0)
    confidence = _confidence(evidence, primary, score, assumed=assumed,
                             raised=bool(raised) and decided is not None)
    if assumed:
        evidence = (*evidence, Evidence(ASSUMED_WORST.code, "name", tool, "nothing places this tool: assumed at its worst",
                                        "destructive", weight=0.0))
    return ToolAssessment(server, tool, tuple(sorted(effects, key=effect_rank)), flags, confidence, tuple(evidence),
                          assumed_worst=assumed, disabled=disabled)


def _denies_harm(ev: Evidence) -> bool:
    """The author's hint that a change destroys nothing: the self-serving claim the weighing distrusts, so it
    never counts as a second witness that makes a change ``high``."""
    return ev.source == "annotation" and "destructiveHint: false" in ev.text


def _confidence(evidence: Sequence[Evidence], primary: str, score: Mapping[str, float], *, assumed: bool,
                raised: bool) -> str:
    if assumed:
        return "low"
    if raised or _disagree(_readings(evidence)):
        return "contested"
    support = {ev.source for ev in evidence if ev.effect == primary and ev.weight >= 0.5
               and not (primary != "read_only" and _denies_harm(ev))}
    if score[primary] < 1.0:
        return "low"
    return "high" if len(support) >= 2 else "medium"
