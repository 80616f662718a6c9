"""The assessment as pandas DataFrames, for notebooks: one function per view, each reading an ``Assessment``.

These are display helpers, not analysis: every value comes from the assessment as it stands
(``frames.tools_frame(a)``; ``mcprisk.workbook.table`` shows any of them for reading).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ..model import EFFECTS

if TYPE_CHECKING:
    from ..assessment import Assessment

__all__ = ["controls_frame", "evidence_frame", "findings_frame", "no_go_frame", "prompts_frame", "rationale_frame",
           "resources_frame", "split_frame", "tool_placement_frame", "tools_frame"]


def tools_frame(a: Assessment) -> pd.DataFrame:
    """One row per tool: effects as booleans, flags, confidence, and the first evidence line."""
    rows = []
    for ta in a.tools:
        row: dict[str, Any] = {"server": ta.server, "tool": ta.tool, "primary": ta.primary,
                               "confidence": ta.confidence}
        row.update({e: e in ta.effects for e in EFFECTS})
        row["flags"] = ", ".join(ta.flags)
        top = ta.why
        row["why"] = f"{top.rule} {top.source}: {top.detail}" if top else ""
        rows.append(row)
    return pd.DataFrame(rows)


def evidence_frame(a: Assessment, server: str, tool: str) -> pd.DataFrame:
    """Every piece of evidence behind one tool's classification: rule, source, matched text, meaning."""
    ta = a.tool(server, tool)
    return pd.DataFrame([{"rule": e.rule, "source": e.source, "effect": e.effect, "flag": e.flag,
                          "weight": e.weight, "text": e.text, "meaning": e.detail} for e in ta.evidence],
                        columns=["rule", "source", "effect", "flag", "weight", "text", "meaning"])


def rationale_frame(a: Assessment, server: str) -> pd.DataFrame:
    """The decision tree walked for one server: question, answer, whether it was assumed, and why."""
    p = a.placement(server)
    return pd.DataFrame([{"step": s.id, "question": s.question, "answer": s.answer, "assumed": s.assumed,
                          "evidence": "; ".join(s.evidence)} for s in p.rationale],
                        columns=["step", "question", "answer", "assumed", "evidence"])


def controls_frame(a: Assessment, server: str) -> pd.DataFrame:
    """Each control for one server: status (verified / declared / missing / not_applicable) and why."""
    p = a.placement(server)
    return pd.DataFrame([{"control": c.control, "status": c.status, "why": c.why, "evidence": c.evidence}
                         for c in p.required_controls], columns=["control", "status", "why", "evidence"])


def no_go_frame(a: Assessment, server: str) -> pd.DataFrame:
    """The guide's no-go signs that hold for one server, with their evidence."""
    p = a.placement(server)
    return pd.DataFrame([{"sign": n.id, "title": n.title, "assumed": n.assumed,
                          "evidence": "; ".join(n.evidence)} for n in p.no_go],
                        columns=["sign", "title", "assumed", "evidence"])


def tool_placement_frame(a: Assessment, server: str) -> pd.DataFrame:
    """One row per tool of ``server``: its own placement (recommended, allowed, the no-go signs it raises
    itself, what the next pattern still needs), whether it holds the server back, and its part in the
    split plan (move / keep)."""
    p = a.placement(server)
    plan = p.split_plan
    held = {h.tool: h for h in p.held_back_by}
    columns = ["tool", "primary", "flags", "recommended", "allowed", "own_blockers", "next", "next_needs",
               "holds_back", "split", "why"]
    rows = []
    for tp in p.tools:
        ta = a.tool(server, tp.tool)
        nxt = next(iter(tp.missing_controls), None)
        h = held.get(tp.tool)
        split = ("disabled" if tp.disabled else "move" if plan and tp.tool in plan.move
                 else "keep" if plan and tp.tool in plan.keep else "")
        rows.append({"tool": tp.tool, "primary": ta.primary, "flags": ", ".join(ta.flags),
                     "recommended": tp.recommended, "allowed": ", ".join(tp.allowed),
                     "own_blockers": ", ".join(tp.own_blockers), "next": nxt or "",
                     "next_needs": ", ".join(tp.missing_controls.get(nxt, ())) if nxt else "",
                     "holds_back": ", ".join(h.adds) if h else "", "split": split, "why": tp.why})
    return pd.DataFrame(rows, columns=columns)


def split_frame(a: Assessment, server: str) -> pd.DataFrame:
    """The split plans of ``server``, one row per target pattern: what moves, what stays, what is left."""
    return pd.DataFrame([{"target": s.target_pattern, "move": ", ".join(s.move), "keep": len(s.keep),
                          "remaining_controls": ", ".join(s.remaining_controls),
                          "remaining_blockers": ", ".join(s.remaining_blockers),
                          "split_credentials": ", ".join(s.split_credentials), "gate": ", ".join(s.gate)}
                         for s in a.placement(server).split_plans],
                        columns=["target", "move", "keep", "remaining_controls", "remaining_blockers",
                                 "split_credentials", "gate"])


def resources_frame(a: Assessment) -> pd.DataFrame:
    """One row per resource and template: its flags and the first evidence behind them."""
    return pd.DataFrame([{"server": r.server, "uri": r.uri, "kind": r.kind, "flags": ", ".join(r.flags),
                          "why": "; ".join(f"{e.rule} {e.detail}" for e in r.evidence if e.flag in r.flags)}
                         for r in a.resources], columns=["server", "uri", "kind", "flags", "why"])


def prompts_frame(a: Assessment) -> pd.DataFrame:
    """One row per prompt: the tools it drives, the resources it names, its weight, and ungated tools."""
    return pd.DataFrame([{"server": p.server, "prompt": p.prompt, "weight": p.weight,
                          "drives": ", ".join(p.drives), "resources": ", ".join(p.resources),
                          "ungated": ", ".join(p.ungated)} for p in a.prompts],
                        columns=["server", "prompt", "weight", "drives", "resources", "ungated"])


def findings_frame(a: Assessment) -> pd.DataFrame:
    """One row per finding: its stable id, severity, title, what it is about, tracking status and message."""
    return pd.DataFrame([{"id": f.id, "severity": f.severity, "title": f.title, "server": f.server,
                          "subject": f.subject, "status": f.status, "message": f.message}
                         for f in a.findings],
                        columns=["id", "severity", "title", "server", "subject", "status", "message"])
