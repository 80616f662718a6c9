"""Risk tracking: the team's decisions about findings, kept in YAML across runs and matched by stable id.

A finding id is ``CODE@server[@subject]`` (``Finding.id``); a tracking key is such an id or a shell
pattern (``ANN002@support-desk@*``). ``apply_tracking`` sets each finding's status from the most specific
matching entry (an exact id beats a pattern; a longer literal part beats a shorter one; then file order).
Accepted risks stay in the results with status ``accepted``; an entry that matches nothing is returned so
that the assessment can report it (the finding it was written for may have been fixed, or renamed)::

    version: 1
    risks:
      "NOGO08@web-research":
        status: accepted
        justification: the research assistant is shared by the whole team on purpose
        ticket: SEC-142
        date: 2026-05-04
        reviewer: a.lindqvist
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from importlib import resources
from pathlib import Path
from typing import Any

from ._errors import TrackingError
from ._yamlsource import LineMap, Problem, format_key, parse_yaml, raise_problems, read_text, schema_problems
from .model import Finding

__all__ = ["TRACKING_STATUSES", "Tracking", "TrackingEntry", "apply_tracking", "load_tracking", "parse_tracking",
           "tracking_schema"]

TRACKING_STATUSES = ("unchecked", "in_discussion", "accepted", "in_progress", "mitigated", "false_positive")
_NEEDS_JUSTIFICATION = ("accepted", "false_positive")
_WILDCARDS = "*?["


def tracking_schema() -> dict[str, Any]:
    """The tracking file's JSON Schema (draft 2020-12), a fresh copy."""
    return json.loads(resources.files("mcprisk.catalog").joinpath("tracking.schema.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class TrackingEntry:
    """One decision: which findings (id or pattern), their status, and who decided why."""

    pattern: str
    status: str
    justification: str | None = None
    ticket: str | None = None
    date: str | None = None  # YYYY-MM-DD
    reviewer: str | None = None
    source: str | None = None  # file:line of the entry

    @property
    def is_pattern(self) -> bool:
        return any(ch in self.pattern for ch in _WILDCARDS)

    def matches(self, finding_id: str) -> bool:
        return fnmatchcase(finding_id, self.pattern) if self.is_pattern else finding_id == self.pattern

    @property
    def specificity(self) -> tuple[int, int]:
        """Exact ids first, then patterns with more literal characters."""
        literal = sum(1 for ch in self.pattern if ch not in _WILDCARDS)
        return (0 if self.is_pattern else 1, literal)

    @property
    def note(self) -> str:
        """A one-line account of the decision, for reports."""
        who = ", ".join(x for x in (self.reviewer, self.date, self.ticket) if x)
        text = self.status.replace("_", " ") + (f" ({who})" if who else "")
        if self.justification:
            text += f": {self.justification}"
        return text + (f" [{self.source}]" if self.source else "")

    def to_dict(self) -> dict[str, Any]:
        return {"pattern": self.pattern, "status": self.status, "justification": self.justification,
                "ticket": self.ticket, "date": self.date, "reviewer": self.reviewer, "source": self.source}


@dataclass(frozen=True)
class Tracking:
    """All entries of a tracking file, in file order."""

    entries: tuple[TrackingEntry, ...] = ()
    path: str | None = None

    @classmethod
    def empty(cls) -> "Tracking":
        return cls()

    def entry_for(self, finding_id: str) -> TrackingEntry | None:
        """The most specific entry matching ``finding_id`` (first in the file on a tie), or None."""
        best: TrackingEntry | None = None
        for entry in self.entries:
            if entry.matches(finding_id) and (best is None or entry.specificity > best.specificity):
                best = entry
        return best


def apply_tracking(findings: Iterable[Finding], tracking: Tracking) -> tuple[list[Finding], list[TrackingEntry]]:
    """Findings with ``status`` and ``tracking_note`` set from the tracking file, plus the entries that matched
    no finding at all (stale decisions, to be reported). Findings keep their order; none is dropped."""
    used: set[int] = set()
    out: list[Finding] = []
    for finding in findings:
        # An entry counts as used when it matches, even where a more specific entry wins.
        used.update(i for i, e in enumerate(tracking.entries) if e.matches(finding.id))
        entry = tracking.entry_for(finding.id)
        out.append(finding if entry is None else replace(finding, status=entry.status, tracking_note=entry.note))
    unmatched = [e for i, e in enumerate(tracking.entries) if i not in used]
    return out, unmatched


def load_tracking(path: str | Path) -> Tracking:
    """Read and validate a tracking file; TrackingError names the file, the line and the key."""
    return parse_tracking(read_text(path, TrackingError), path=str(path))


def parse_tracking(text: str, path: str = "<string>") -> Tracking:
    """Validate tracking text; TrackingError carries every problem, each with its line and key."""
    data, lines = parse_yaml(text, path=path, error=TrackingError, what="tracking file")
    if data is None:
        return Tracking(path=path)
    if not isinstance(data, dict):
        raise TrackingError("a tracking file is a mapping with a `risks:` key", path=path, line=lines.line(()))
    problems = schema_problems(tracking_schema(), data, lines)
    risks = data.get("risks")
    if isinstance(risks, dict):
        problems += _entry_problems(risks, lines)
    raise_problems(sorted(problems, key=lambda p: (p.line or 0, p.key)), path=path, error=TrackingError)
    entries = tuple(
        TrackingEntry(pattern=key, status=raw["status"], justification=raw.get("justification"),
                      ticket=raw.get("ticket"), date=raw.get("date"), reviewer=raw.get("reviewer"),
                      source=lines.where(path, ("risks", key)))
        for key, raw in (risks or {}).items())
    return Tracking(entries=entries, path=path)


def _entry_problems(risks: dict[str, Any], lines: LineMap) -> list[Problem]:
    """What a schema cannot say well: justification required by status, and real calendar dates."""
    out: list[Problem] = []
    for key, raw in risks.items():
        if not isinstance(raw, dict):
            continue
        where: Sequence[str] = ("risks", key)
        if raw.get("status") in _NEEDS_JUSTIFICATION and not raw.get("justification"):
            out.append(Problem(lines.line(where), format_key(where),
                               f"missing required key 'justification' (status {raw['status']} needs a reason)"))
        date = raw.get("date")
        if isinstance(date, str) and len(date) == 10:
            try:
                dt.date.fromisoformat(date)
            except ValueError:
                out.append(Problem(lines.line((*where, "date")), format_key((*where, "date")),
                                   f"{date!r} is not a calendar date (expected YYYY-MM-DD)"))
    return out
