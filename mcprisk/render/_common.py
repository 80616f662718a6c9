"""What every renderer shares: safe text, timestamps, rule documentation and the lookups the reports arrange.

Renderers read an ``Assessment`` and recompute nothing; the helpers here only look things up (titles,
docstrings) and arrange (sorting, grouping) what the assessment already holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from .._text import json_text_safe, terminal_safe
from ..model import PATTERNS, SEVERITIES, Finding, effect_rank
from ..standards import owasp_references, owasp_standard

RESOLVED = ("accepted", "mitigated", "false_positive")  # tracking statuses that do not gate CI



def visible(text: Any) -> str:
    """Server text made safe to show: control characters written as ``\\x1b`` (tab and newline kept), and
    invisible format characters (zero-width, bidi controls, Unicode tags) shown as ``⟨U+XXXX⟩``."""
    return terminal_safe(str(text))


def one_line(text: Any, limit: int | None = None) -> str:
    """``visible`` text with every run of whitespace folded to one space, optionally clipped."""
    s = " ".join(visible(text).split())
    if limit is not None and len(s) > limit:
        s = s[: limit - 1] + "…"
    return s


def json_safe(text: str) -> str:
    """JSON text safe to show and to encode as UTF-8: lone surrogates (possible in what a server sent), DEL,
    C1 controls and hidden characters (bidi, zero-width, tags) written as ``\\uXXXX`` escapes."""
    return json_text_safe(text)


def stamp(timestamp: str | dt.datetime | None) -> str | None:
    """The report time as ISO 8601 UTC text, or None (the default: reports carry no time unless asked)."""
    if timestamp is None:
        return None
    if isinstance(timestamp, dt.datetime):
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=dt.timezone.utc)
        return timestamp.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return str(timestamp)


def now() -> str:
    """The current time for ``--timestamp`` without a value."""
    return stamp(dt.datetime.now(dt.timezone.utc)) or ""


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


def is_open(finding: Finding) -> bool:
    return finding.status not in RESOLVED


def counts(findings: Iterable[Finding], *, open_only: bool = False) -> dict[str, int]:
    """Findings per severity, most severe first."""
    out = {s: 0 for s in reversed(SEVERITIES)}
    for f in findings:
        if not open_only or is_open(f):
            out[f.severity] = out.get(f.severity, 0) + 1
    return out


def tracking_text(finding: Finding) -> str:
    """The finding's tracking status, with the decision behind it when a tracking entry set it."""
    note = finding.tracking_note
    if not note:
        return finding.status.replace("_", " ")
    word = finding.status.replace("_", " ")
    return note if note.startswith(word) else f"{word}: {note}"


def counts_text(findings: Iterable[Finding]) -> str:
    c = counts(findings)
    parts = [f"{n} {s}" for s, n in c.items() if n]
    return ", ".join(parts) if parts else "none"


def tools_by_severity(a: Any) -> list[Any]:
    """Tool assessments, most severe primary effect first, then by flags, server and name."""
    return sorted(a.tools, key=lambda t: (-effect_rank(t.primary), -len(t.flags), t.server, t.tool))


def server_findings(a: Any, server: str) -> list[Finding]:
    """Findings about one server, including multi-server findings (``a+b``) that name it."""
    return [f for f in a.findings if f.server == server or server in f.server.split("+")]


def placement_of(a: Any, server: str) -> Any:
    return next((p for p in a.placements if p.server == server), None)


def verdict_of(a: Any, server: str) -> Any:
    """The server's verdict (``mcprisk.placement.Verdict``), or None when the assessment holds none."""
    return next((v for v in getattr(a, "verdicts", ()) if v.server == server), None)


def verdict_reasons(a: Any, v: Any) -> list[tuple[str, str, str | None, Finding | None]]:
    """Each reason of a verdict as (id, words, subject, finding): a finding's title and what it is about, or a
    catalog id's meaning; what the renderers lay out."""
    by_id = {f.id: f for f in a.findings}
    out: list[tuple[str, str, str | None, Finding | None]] = []
    for r in v.reasons:
        f = by_id.get(r)
        if f is not None:
            out.append((r, f.title, f.subject if f.subject != f.server else None, f))
        else:
            out.append((r, code_words(r) or v.meanings.get(r, ""), None, None))
    return out


def code_words(code: str) -> str | None:
    """What a catalog id (DT, NOGO, CAP, control, pattern, verdict state) means, in words; None if unknown."""
    from ..placement import meaning

    return meaning(code)


def words(code: str, *, lower: bool = False) -> str:
    """A catalog id in words with the id in parentheses (the id alone when the catalog does not know it)."""
    from ..placement import describe

    return describe(code, lower=lower)


def placement_failure(a: Any, server: str) -> str | None:
    """Why placement was not computed for ``server``, when a failure was recorded."""
    for r in a.rule_failures:
        if r.rule == "placement" and r.subject == server:
            return r.error
    return None


def missing_groups(p: Any, skip_upto: int = -1) -> list[tuple[list[str], list[str]]]:
    """Patterns not allowed yet, grouped when they miss the same controls: [(patterns, missing controls)]."""
    groups: list[tuple[list[str], list[str]]] = []
    for i, pattern in enumerate(PATTERNS):
        if pattern in p.allowed or i <= skip_upto:
            continue
        need = list(p.missing_by_pattern.get(pattern, ()))
        if not need:
            continue
        for patterns, controls in groups:
            if controls == need:
                patterns.append(pattern)
                break
        else:
            groups.append(([pattern], need))
    return groups


def flow_groups(a: Any) -> list[tuple[str, list[str], list[str]]]:
    """Flows grouped by sink: (sink, untrusted sources, private-data tools), sorted by sink."""
    groups: dict[str, tuple[set[str], set[str]]] = {}
    for fl in a.flows:
        src, priv = groups.setdefault(fl.sink, (set(), set()))
        src.add(fl.source)
        priv.add(fl.private)
    return [(sink, sorted(s), sorted(p)) for sink, (s, p) in sorted(groups.items())]


# --------------------------------------------------------------------------------------------
# Documentation of codes (finding rules, classification rules, placement signs)


def _catalog() -> Any:
    try:
        from ..catalog import catalog

        return catalog()
    except Exception:  # noqa: BLE001 - the catalog only adds titles; reports work without it
        return None


def pattern_title(pattern: str | None) -> str:
    if pattern is None:
        return "unknown"
    cat = _catalog()
    try:
        return cat.pattern(pattern).title if cat is not None else pattern
    except Exception:  # noqa: BLE001
        return pattern


def control_title(control: str) -> str:
    cat = _catalog()
    try:
        return cat.control(control).title if cat is not None else control
    except Exception:  # noqa: BLE001
        return control


def rule_docs(a: Any) -> dict[str, dict[str, Any]]:
    """Documentation of every code the report mentions (findings and evidence), by code, sorted.

    Each entry has ``title``, ``description``, ``severity`` (None for classification rules, which raise no
    findings) and ``references``.
    """
    from ..classify import CLASSIFICATION_RULES
    from ..drift import drift_rule_info
    from ..rules import rule_info

    known: dict[str, dict[str, Any]] = {}
    for code, info in {**rule_info(), **drift_rule_info()}.items():
        known[code] = {"title": info.title, "description": info.description, "severity": info.severity,
                       "references": list(info.references)}
    try:
        from ..classify import DERIVED_RULES
    except ImportError:  # pragma: no cover
        DERIVED_RULES = ()
    for fn in (*CLASSIFICATION_RULES, *DERIVED_RULES):
        code = getattr(fn, "code", None)
        if code:
            known[code] = {"title": fn.title, "description": " ".join((fn.__doc__ or "").split()),
                           "severity": None, "references": []}
    from ..surfaces import PROMPT_RULES, RESOURCE_RULES

    for fn in RESOURCE_RULES:
        code, title = fn.code, fn.title  # type: ignore[attr-defined]
        known[code] = {"title": title, "description": " ".join((fn.__doc__ or "").split()), "severity": None,
                       "references": []}
    for code, (title, description) in PROMPT_RULES.items():
        known[code] = {"title": title, "description": description, "severity": None, "references": []}
    cat = _catalog()
    wanted: dict[str, Finding | None] = {}
    for f in a.findings:
        wanted.setdefault(f.code, f)
        for ev in f.evidence:
            wanted.setdefault(ev.rule, None)
    for item in (*a.tools, *getattr(a, "resources", ()), *getattr(a, "prompts", ())):
        for ev in item.evidence:
            wanted.setdefault(ev.rule, None)
    out: dict[str, dict[str, Any]] = {}
    for code in sorted(wanted):
        if code in known:
            out[code] = known[code]
            continue
        example = wanted[code]
        if example is not None and not any(ref.startswith("MCP") for ref in example.references):
            # Placement and no-go findings carry their control's references; cite the OWASP items too.
            wanted[code] = replace(example, references=owasp_references(code, example.references))
        sign = None
        if cat is not None and code.startswith("NOGO"):
            try:
                sign = cat.no_go_sign(code)
            except Exception:  # noqa: BLE001
                sign = None
        example = wanted[code]
        if sign is not None:
            out[code] = {"title": sign.title, "description": f"{sign.sign} Detection: {sign.detection} "
                                                             f"To clear it: {sign.clears}",
                         "severity": sign.severity, "references": list(example.references) if example else []}
        elif example is not None:
            worst = max((f.severity for f in a.findings if f.code == code), key=severity_rank)
            out[code] = {"title": example.title, "description": example.title, "severity": worst,
                         "references": list(example.references)}
    return out


def owasp_rows(a: Any) -> list[dict[str, Any]]:
    """The OWASP MCP Top 10 (2025) with mcprisk's coverage and this report's open findings per item."""
    return owasp_standard(a.findings)
