"""Every code mcprisk can emit, in one place: ``codes()`` gathers the stages' own registrations into one table of
``RuleInfo``, and refuses a code registered twice.

Each stage keeps its rules next to the code that applies them (classification rules in ``mcprisk.classify``,
finding rules in ``mcprisk.rules``, drift in ``mcprisk.drift``, placement findings in ``mcprisk.placement``,
resource and prompt evidence in ``mcprisk.surfaces``, probe checks in ``mcprisk.probes``); the catalog defines
the decision-tree steps, no-go signs and caps. The list of sources below is explicit: nothing registers itself.
``mcprisk rules`` prints this table; ``docs/RULES.md`` is generated from it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from .ruleinfo import KINDS, RuleInfo, evidence_code

__all__ = ["DuplicateCode", "codes", "explain", "rules_markdown"]


class DuplicateCode(ValueError):
    """Two registrations claim one code."""


def _catalog_codes() -> Iterable[RuleInfo]:
    from .catalog import catalog

    cat = catalog()
    for q in cat.decision_tree:
        text = f"{q.question} If yes: {q.if_yes} If no: {q.if_no} When the inventory is silent: {q.silent_because}"
        yield evidence_code(q.id, q.title or q.question, text + (f" To clear it: {q.clears}" if q.clears else ""),
                            family="decision_tree", kind="step")
    for s in cat.no_go:
        yield RuleInfo(s.id, s.title, 0, 0, description=f"{s.sign} Detection: {s.detection} To clear it: {s.clears}",
                       family="no_go", kind="sign", level=s.severity)
    for c in cat.caps:
        yield evidence_code(c.id, c.title, f"A tool that {c.why}. Ceiling: {c.ceiling}.", family="ceiling", kind="cap")


def _sources() -> Iterable[RuleInfo]:
    from .classify import CLASSIFICATION_RULES, DERIVED_RULES
    from .classify.learned import LEARNED
    from .classify.weighing import ASSUMED_WORST, INCOMPLETE, OVERRIDE
    from .drift import DRIFT_RULES
    from .placement.findings import PLACEMENT_CODES
    from .probes.results import CHECK_TEXT, CHECKS
    from .rules import FINDING_RULES
    from .surfaces import PROMPT_RULES, RESOURCE_RULES

    for fn in (*CLASSIFICATION_RULES, *DERIVED_RULES):
        yield fn.info  # type: ignore[attr-defined]
    yield from (OVERRIDE, INCOMPLETE, ASSUMED_WORST, LEARNED)
    for fn in RESOURCE_RULES:
        yield fn.info  # type: ignore[attr-defined]
    yield from PROMPT_RULES.values()
    for fn in (*FINDING_RULES, *DRIFT_RULES):
        yield fn.info  # type: ignore[attr-defined]
    yield from PLACEMENT_CODES
    yield from _catalog_codes()
    for check, (control, severity) in CHECKS.items():
        title, text = CHECK_TEXT[check]
        yield RuleInfo(check, title, 0, 0, description=text + (f" Verifies the control {control}." if control else
                                                                 " Evidence only: it verifies no control alone."),
                       family="probes", kind="check", level=severity, control=control)


def gather(infos: Iterable[RuleInfo]) -> dict[str, RuleInfo]:
    """``infos`` by code, sorted; a code given twice raises DuplicateCode naming both registrations."""
    out: dict[str, RuleInfo] = {}
    for info in infos:
        if info.kind not in KINDS:
            raise ValueError(f"{info.code}: unknown kind {info.kind!r} (expected one of {', '.join(KINDS)})")
        if not info.title or not info.description:
            raise ValueError(f"{info.code}: every code needs a title and a description")
        if info.code in out:
            was = out[info.code]
            raise DuplicateCode(f"code {info.code} is registered twice: {was.family}/{was.kind} "
                                f"({was.title!r}) and {info.family}/{info.kind} ({info.title!r})")
        out[info.code] = info
    return dict(sorted(out.items()))


@functools.cache
def codes() -> dict[str, RuleInfo]:
    """Every code mcprisk can emit, by code (sorted)."""
    return gather(_sources())


def explain(code: str) -> RuleInfo:
    """One code's RuleInfo (case-insensitive); KeyError naming the nearest codes when it is not registered."""
    table = codes()
    key = code.strip()
    found = table.get(key) or table.get(key.upper()) or table.get(key.lower())
    if found is None:
        prefix = "".join(ch for ch in key.upper() if ch.isalpha())[:4]
        near = [c for c in table if prefix and c.upper().startswith(prefix)][:8]
        raise KeyError(f"no code {code!r}" + (f"; codes starting {prefix}: {', '.join(near)}" if near else
                                              "; `mcprisk rules` lists every code"))
    return found


def rules_markdown() -> str:
    """The rules reference (docs/RULES.md): every code by family, with its kind, severity and description."""
    lines = ["# mcprisk rules reference", "",
             "Every code mcprisk can emit, generated from its registry (`mcprisk rules --markdown`; a test keeps this",
             "file current). `mcprisk rules CODE` explains one code.", ""]
    by_family: dict[str, list[RuleInfo]] = {}
    for info in codes().values():
        by_family.setdefault(info.family or "other", []).append(info)
    for family in sorted(by_family):
        lines += [f"## {family}", "", "| code | kind | severity | title |", "|---|---|---|---|"]
        for info in by_family[family]:
            lines.append(f"| `{info.code}` | {info.kind} | {info.severity or '–'} | {info.title.replace('|', '/')} |")
        lines.append("")
        for info in by_family[family]:
            refs = f" References: {', '.join(info.references)}." if info.references else ""
            lines += [f"- **`{info.code}`** {info.title}. {info.description}{refs}"]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
