"""What every renderer shares: safe text, timestamps, rule documentation and the lookups the reports arrange.

Renderers read an ``Assessment`` and recompute nothing; the helpers here only look things up (titles,
docstrings) and arrange (sorting, grouping) what the assessment already holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .._text import json_text_safe, terminal_safe
from ..catalog import catalog
from ..model import PATTERNS, RESOLVED, SEVERITIES, Finding, effect_rank
from ..standards import owasp_references, owasp_standard

if TYPE_CHECKING:
    from ..assessment import Assessment
    from ..placement import Placement, Verdict




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


def tools_by_severity(a: Assessment) -> list[Any]:
    """Tool assessments, most severe primary effect first, then by flags, server and name."""
    return sorted(a.tools, key=lambda t: (-effect_rank(t.primary), -len(t.flags), t.server, t.tool))


def server_findings(a: Assessment, server: str) -> list[Finding]:
    """Findings about one server, including multi-server findings (``a+b``) that name it."""
    return [f for f in a.findings if f.server == server or server in f.server.split("+")]


def placement_of(a: Assessment, server: str) -> Placement | None:
    return next((p for p in a.placements if p.server == server), None)


def verdict_of(a: Assessment, server: str) -> Verdict | None:
    """The server's verdict (``mcprisk.placement.Verdict``), or None when the assessment holds none."""
    return next((v for v in a.verdicts if v.server == server), None)


def verdict_reasons(a: Assessment, v: Verdict) -> list[tuple[str, str, str | None, Finding | None]]:
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


def placement_failure(a: Assessment, server: str) -> str | None:
    """Why placement was not computed for ``server``, when a failure was recorded."""
    for r in a.rule_failures:
        if r.rule == "placement" and r.subject == server:
            return r.error
    return None


def missing_groups(p: Placement, skip_upto: int = -1) -> list[tuple[list[str], list[str]]]:
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


def flow_groups(a: Assessment) -> list[tuple[str, list[str], list[str]]]:
    """Flows grouped by sink: (sink, untrusted sources, private-data tools), sorted by sink."""
    groups: dict[str, tuple[set[str], set[str]]] = {}
    for fl in a.flows:
        src, priv = groups.setdefault(fl.sink, (set(), set()))
        src.add(fl.source)
        priv.add(fl.private)
    return [(sink, sorted(s), sorted(p)) for sink, (s, p) in sorted(groups.items())]


# --------------------------------------------------------------------------------------------
# Documentation of codes (finding rules, classification rules, placement signs)


def pattern_title(pattern: str | None) -> str:
    """The hosting pattern's title in the catalog ("unknown" for None); an id the catalog lacks is a bug and raises."""
    return "unknown" if pattern is None else catalog().pattern(pattern).title


def control_title(control: str) -> str:
    """The control's title in the catalog; an id the catalog lacks is a bug and raises."""
    return catalog().control(control).title


def rule_docs(a: Assessment) -> dict[str, dict[str, Any]]:
    """Documentation of every code the report mentions (findings and evidence), by code, sorted.

    Each entry has ``title``, ``description``, ``severity`` (None for classification rules, which raise no
    findings) and ``references``.
    """
    from ..registry import codes

    known = codes()
    wanted: dict[str, Finding | None] = {}
    for f in a.findings:
        wanted.setdefault(f.code, f)
        for ev in f.evidence:
            wanted.setdefault(ev.rule, None)
    for item in (*a.tools, *a.resources, *a.prompts):
        for ev in item.evidence:
            wanted.setdefault(ev.rule, None)
    out: dict[str, dict[str, Any]] = {}
    for code in sorted(wanted):
        info, example = known.get(code), wanted[code]
        if info is None and example is None:
            continue  # evidence of a code no stage registers: the registry test names it
        refs = list(info.references) if info is not None else []
        if example is not None and not refs:
            # Placement and no-go findings carry their control's references; cite the OWASP items too.
            refs = list(example.references if any(r.startswith("MCP") for r in example.references)
                        else owasp_references(code, example.references))
        severity = info.severity if info is not None else None
        if severity is None and example is not None:
            severity = max((f.severity for f in a.findings if f.code == code), key=severity_rank)
        out[code] = {"title": info.title if info is not None else example.title,  # type: ignore[union-attr]
                     "description": info.description if info is not None else example.title,  # type: ignore[union-attr]
                     "severity": severity, "references": refs}
    return out


def owasp_rows(a: Assessment) -> list[dict[str, Any]]:
    """The OWASP MCP Top 10 (2025) with mcprisk's coverage and this report's open findings per item."""
    return owasp_standard(a.findings)
