"""How much the HTML report shows per item: generous for a few servers, tighter for a whole organisation's config,
so the page stays readable (and small enough to mail). What the page leaves out, report.json keeps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..assessment import Assessment

__all__ = ["LARGE", "Budget", "budget"]


@dataclass(frozen=True)
class Budget:
    """How much of each tool's backing the page shows: more per tool in a short report, less in a long one."""

    evidence: int  # evidence lines per tool (the rest counted, and kept in report.json)
    description: int  # characters of a description
    flagged: int  # characters of the description of a tool a finding marks (what it hides may be the point)
    quote: int  # characters of one evidence quote
    items: int  # names or reasons in one list before "and N more"
    large: bool = False  # a whole organisation's config: tools folded per server, plans as lists


LARGE = 200  # tools: past this many the page tightens so it stays readable (and mailable)


def budget(a: Assessment) -> Budget:
    """The page budget for this assessment: generous up to ``LARGE`` tools, then tighter."""
    if len(a.tools) <= LARGE:
        return Budget(evidence=12, description=1200, flagged=8000, quote=160, items=12)
    return Budget(evidence=1, description=120, flagged=300, quote=80, items=4, large=True)
