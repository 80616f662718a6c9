"""One shape for every code mcprisk can emit: finding rules, the evidence classifiers weigh, decision-tree
steps, no-go signs, caps and probe checks. ``mcprisk.registry`` gathers them; this module only defines the shape,
so every stage can describe its codes without importing another stage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .model import severity_from

__all__ = ["KINDS", "RuleInfo", "evidence_code"]

KINDS: tuple[str, ...] = ("finding", "classification", "evidence", "step", "sign", "cap", "check")
"""What a code marks: a finding; evidence a classifier weighs (classification); evidence that links things
(evidence); a decision-tree step; a no-go sign; a cap on how far a tool may go; a probe check."""


@dataclass(frozen=True)
class RuleInfo:
    """Documentation and defaults of one code; ``description`` is the rule function's docstring (or, for codes the
    catalog defines, its text)."""

    code: str
    title: str
    likelihood: int  # 1..4
    impact: int  # 1..4
    references: tuple[str, ...] = ()
    description: str = ""
    scope: str = "assessment"  # "snapshots": reads only what servers sent, so re-assessment reuses its findings
    family: str = ""  # the module the rule lives in (content, annotations, credentials, drift, ...)
    hostile: bool = False  # its findings are text or claims written to mislead the model or the client
    control: str | None = None  # the control an operator adds to clear the finding (e.g. version_pinning)
    kind: str = "finding"  # finding | classification (evidence a classifier weighs) | evidence | step | sign | cap | check
    level: str | None = None  # a fixed severity from the catalog (no-go signs, probe checks), else from likelihood x impact

    @property
    def severity(self) -> str | None:
        """The finding's default severity; None for codes that only mark evidence or a step."""
        if self.level is not None:
            return self.level
        return severity_from(self.likelihood, self.impact) if self.likelihood and self.impact else None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "kind": self.kind, "title": self.title, "family": self.family,
                "severity": self.severity, "likelihood": self.likelihood or None, "impact": self.impact or None,
                "references": list(self.references), "description": self.description, "hostile": self.hostile,
                "control": self.control}


def evidence_code(code: str, title: str, description: str, *, family: str, kind: str = "classification",
                  references: Sequence[str] = ()) -> RuleInfo:
    """The RuleInfo of a code that marks evidence or a step, not a finding (no likelihood or impact)."""
    return RuleInfo(code, title, 0, 0, tuple(references), " ".join(description.split()), family=family, kind=kind)
