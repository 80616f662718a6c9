"""Weighing: evidence in, effects, flags and a confidence out. An operator's override wins, and says so."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model import EFFECTS, FLAGS, Evidence, ToolAssessment, effect_rank

__all__ = ["decide"]

MUTATING = EFFECTS[1:]


def decide(server: str, tool: str, evidence: Sequence[Evidence], *, override: Mapping[str, Any] | None = None,
           disabled: bool = False) -> ToolAssessment:
    """Turn evidence into effects, flags and a confidence. An override from the operator wins, and says so."""
    if override:
        effects = tuple(sorted(set(override.get("effects") or ()), key=effect_rank)) or ("read_only",)
        flags = tuple(f for f in FLAGS if f in set(override.get("flags") or ()))
        reason = str(override.get("reason") or "declared by the operator")
        ev = (*evidence, Evidence("EFF100", "inventory", ", ".join(effects), f"operator override: {reason}"))
        return ToolAssessment(server, tool, effects, flags, "high", tuple(ev), overridden=True, disabled=disabled)

    score = {e: 0.0 for e in EFFECTS}
    flag_score = {f: 0.0 for f in FLAGS}
    for ev in evidence:
        if ev.effect:
            score[ev.effect] += ev.weight
        if ev.flag:
            flag_score[ev.flag] += ev.weight
    mutating = {e for e in MUTATING if score[e] >= 1.0}
    assumed = False
    if mutating:
        effects = mutating
    elif score["read_only"] >= 1.0:
        effects = {"read_only"}
    else:
        weak = [e for e in MUTATING if score[e] >= 0.5]
        if weak and score["read_only"] < 1.0:
            effects = {max(weak, key=effect_rank)}
        elif score["read_only"] >= 0.5:
            effects = {"read_only"}
        else:
            effects, assumed = {"destructive"}, True
    flags = tuple(f for f in FLAGS if flag_score[f] >= 1.0)
    decisive = [ev for ev in evidence if ev.weight >= 1.0 and ev.effect in effects and ev.source != "annotation"]
    if assumed:
        confidence = "low"
    elif decisive and not (mutating and score["read_only"] >= 1.0 and not any(
            ev.effect in mutating and ev.source in ("schema", "name") for ev in evidence)):
        confidence = "high" if len({ev.source for ev in decisive}) > 1 or decisive[0].source in ("name", "schema") \
            else "medium"
    else:
        confidence = "low" if all(ev.source == "annotation" for ev in evidence if ev.effect) else "medium"
    if assumed:
        evidence = (*evidence, Evidence("EFF199", "name", tool, "nothing places this tool: assumed at its worst",
                                        "destructive", weight=0.0))
    return ToolAssessment(server, tool, tuple(sorted(effects, key=effect_rank)), flags, confidence, tuple(evidence),
                          assumed_worst=assumed, disabled=disabled)
