"""The registered classification rules, and ``classify_tool``: context, rules, weighing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..model import Evidence, ToolAssessment
from ..snapshot import INCOMPLETE, Snapshot, Tool
from ._rule import DerivedRule, Rule
from .actions import (automation_run, console_input, desktop_input, image_workload, infrastructure_change, page_action,
                      paid_crawl, public_routing, relocation_overwrite)
from .annotation import annotations
from .context import ToolContext, build_context
from .learned import active_model, consult
from .server import ServerContext
from .description import description_lead, description_phrases
from .flags_data import flag_credentials, flag_private, flag_untrusted
from .flags_reach import flag_code, flag_egress, flag_egress_by_effect
from .name import name_noun, name_object, name_verb
from .schema import api_passthrough, schema_code, schema_consequences, schema_output_path, schema_router
from .service import server_identity, service_semantics
from .weighing import decide

__all__ = ["CLASSIFICATION_RULES", "DERIVED_RULES", "RuleFailure", "classify_tool", "rules_reading"]

CLASSIFICATION_RULES: tuple[Rule, ...] = (
    name_verb, name_object, name_noun, description_lead, description_phrases, schema_code, schema_consequences,
    schema_router, api_passthrough, server_identity, service_semantics, schema_output_path, page_action,
    infrastructure_change, automation_run, relocation_overwrite, console_input, paid_crawl, public_routing, desktop_input,
    image_workload, annotations, flag_private, flag_untrusted, flag_egress, flag_code, flag_credentials,
)
DERIVED_RULES: tuple[DerivedRule, ...] = (flag_egress_by_effect,)


@dataclass(frozen=True)
class RuleFailure:
    """A rule that raised: reported in the assessment, never read as "nothing found"."""

    rule: str
    subject: str
    error: str


def _run(fn: Callable[..., Iterable[Evidence]], args: tuple[Any, ...], subject: str, out: list[Evidence],
         failures: list[RuleFailure] | None) -> None:
    try:
        out.extend(fn(*args))
    except Exception as exc:  # noqa: BLE001 - a broken rule is reported, not silently skipped
        if failures is None:
            raise
        failures.append(RuleFailure(getattr(fn, "code", fn.__name__), subject, f"{type(exc).__name__}: {exc}"))


def classify_tool(tool: Tool, server: str, snapshot: Snapshot | None = None, *,
                  override: Mapping[str, Any] | None = None, disabled: bool = False,
                  rules: Sequence[Rule] = CLASSIFICATION_RULES,
                  failures: list[RuleFailure] | None = None, shared: ServerContext | None = None) -> ToolAssessment:
    """Classify one tool: the rules' reading, then the learned model's (``learned.consult``: it may raise an
    effect or add a flag, never lower one). Rule errors are appended to ``failures`` (or re-raised when it is None).

    ``shared`` is the server's context (``server_context(snapshot, server)``): pass it when classifying
    many tools of one server, so it is computed once rather than once per tool.
    """
    ctx, ta = rules_reading(tool, server, snapshot, override=override, disabled=disabled, rules=rules,
                            failures=failures, shared=shared)
    return consult(ctx, ta, active_model())


def rules_reading(tool: Tool, server: str, snapshot: Snapshot | None = None, *,
                  override: Mapping[str, Any] | None = None, disabled: bool = False,
                  rules: Sequence[Rule] = CLASSIFICATION_RULES, failures: list[RuleFailure] | None = None,
                  shared: ServerContext | None = None) -> tuple[ToolContext, ToolAssessment]:
    """The tool's context and what the rules alone make of it (what the learned model is trained beside)."""
    ctx: ToolContext = build_context(tool, server, snapshot, shared)
    subject = f"{server}/{tool.name}"
    evidence: list[Evidence] = []
    for fn in rules:
        _run(fn, (ctx,), subject, evidence, failures)
    first = decide(server, tool.name, evidence)
    for derived in DERIVED_RULES:
        _run(derived, (ctx, frozenset(first.effects)), subject, evidence, failures)
    problem = next((p for p in tool.problems if p.startswith(INCOMPLETE)), None) if tool.incomplete else None
    return ctx, decide(server, tool.name, evidence, override=override, disabled=disabled, incomplete=problem)
