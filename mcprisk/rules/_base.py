"""What a finding rule is: a function with a code, a title, likelihood x impact and references.

Rules receive one ``RuleContext`` (everything assessed so far) and return Findings. Registration
is the explicit tuple in ``mcprisk.rules``; nothing registers itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ..model import Evidence, Finding, ToolAssessment, severity_from
from ..ruleinfo import RuleInfo, evidence_code
from ..snapshot import Snapshot
from ..standards import owasp_references

__all__ = ["HOSTILE_FAMILIES", "FindingRule", "RuleContext", "RuleInfo", "evidence_code", "finding_rule", "rule_family"]

HOSTILE_FAMILIES: tuple[str, ...] = ("content",)
"""Rule families whose rules are hostile unless they say otherwise: the content rules look for text written
to mislead the model (hidden orders, invisible characters, shadowing), so a new content code counts at once."""


@dataclass(frozen=True)
class RuleContext:
    """Everything a finding rule may look at. Read-only by convention."""

    snapshots: Sequence[Snapshot]
    tools: Mapping[tuple[str, str], ToolAssessment]
    graph: nx.MultiDiGraph
    inventory: Any = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def tools_of(self, server: str) -> list[ToolAssessment]:
        return [ta for (s, _), ta in self.tools.items() if s == server]


FindingRule = Callable[[RuleContext], Iterable[Finding]]


def rule_family(module: str) -> str:
    """A rule's family from its module: the package or module right under ``mcprisk.rules`` (``content`` for
    ``mcprisk.rules.content`` and for ``mcprisk.rules.content.override`` alike), else the module's own name
    (``drift`` for ``mcprisk.drift``)."""
    parts = module.split(".")
    return parts[parts.index("rules") + 1] if "rules" in parts[:-1] else parts[-1]


def finding_rule(code: str, title: str, *, likelihood: int, impact: int, references: Sequence[str] = (),
                 scope: str = "assessment", hostile: bool | None = None,
                 control: str | None = None) -> Callable[[FindingRule], FindingRule]:
    """Attach a RuleInfo to a finding-rule function (its docstring becomes the rule's description).

    ``scope="snapshots"`` declares that the rule reads nothing but the snapshots (no classification,
    graph or inventory), so its findings survive an inventory change unchanged. The rule's family is its
    module's name; ``hostile`` marks findings written to mislead (default: the family is in
    ``HOSTILE_FAMILIES``). A critical hostile finding makes its server ``do_not_use``; low to high asks for a
    person's review (catalog/verdict.yaml, rules/content/grading.py).
    """
    if scope not in ("assessment", "snapshots"):
        raise ValueError(f"scope must be 'assessment' or 'snapshots', not {scope!r}")

    def wrap(fn: FindingRule) -> FindingRule:
        doc = " ".join((fn.__doc__ or "").split())
        family = rule_family(fn.__module__)
        marked = family in HOSTILE_FAMILIES if hostile is None else hostile
        refs = owasp_references(code, references)
        fn.info = RuleInfo(code, title, likelihood, impact, refs, doc, scope,  # type: ignore[attr-defined]
                           family, marked, control=control)
        return fn

    return wrap


def make(fn: FindingRule, *, server: str, subject: str, message: str, evidence: Iterable[Evidence] = (),
         tools: Iterable[str] = (), likelihood: int | None = None, impact: int | None = None,
         location: str | None = None) -> Finding:
    """A Finding from a rule's defaults, with per-finding likelihood/impact when the rule grades them."""
    info: RuleInfo = fn.info  # type: ignore[attr-defined]
    severity = severity_from(likelihood or info.likelihood, impact or info.impact)
    return Finding(code=info.code, title=info.title, severity=severity, server=server, subject=subject,
                   message=message, evidence=tuple(evidence), references=info.references, tools=tuple(tools),
                   location=location)
