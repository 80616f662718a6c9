"""The OWASP MCP Top 10 (2025) as data: which rule codes evidence each item, what mcprisk cannot see, and the
``standards.owasp_mcp_top10`` block of a report.

The map lives in ``catalog/owasp_mcp_top10.yaml`` (read once). Findings cite the list's own ids and titles
(``MCP03:2025 Tool Poisoning``): ``owasp_references`` replaces free-text OWASP references with them.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ._packaged import load_yaml
from .model import RESOLVED

__all__ = ["OWASP_STATUSES", "OwaspItem", "known_codes", "owasp_items", "owasp_items_for", "owasp_references",
           "owasp_standard", "owasp_unmapped"]

OWASP_STATUSES = ("checked", "partly", "not_visible")
_OLD_PREFIX = "OWASP MCP Top 10"  # free-text references written before the map existed


@dataclass(frozen=True)
class OwaspItem:
    """One item of the OWASP MCP Top 10 (2025) and how far mcprisk evidences it."""

    id: str  # "MCP03:2025"
    title: str
    status: str  # checked | partly | not_visible
    codes: tuple[str, ...]  # exact codes, or prefixes ending in "*"
    checks: str
    cannot_see: str

    @property
    def reference(self) -> str:
        return f"{self.id} {self.title}"

    def covers(self, code: str) -> bool:
        return any(fnmatch.fnmatchcase(code, pattern) for pattern in self.codes)


@functools.cache
def _document() -> Any:
    text = resources.files("mcprisk.catalog").joinpath("owasp_mcp_top10.yaml").read_text(encoding="utf-8")
    return load_yaml(text)


@functools.cache
def owasp_items() -> tuple[OwaspItem, ...]:
    """The ten items, in the list's order."""
    data = _document()
    items = tuple(OwaspItem(str(i["id"]), str(i["title"]), str(i["status"]), tuple(str(c) for c in i["codes"]),
                            " ".join(str(i["checks"]).split()), " ".join(str(i["cannot_see"]).split()))
                  for i in data["items"])
    if len(items) != 10 or any(i.status not in OWASP_STATUSES for i in items):
        raise ValueError("owasp_mcp_top10.yaml must list ten items with a known status")
    return items


@functools.cache
def owasp_unmapped() -> dict[str, str]:
    """Finding codes that evidence no item of the list, with the reason."""
    return {str(k): " ".join(str(v).split()) for k, v in (_document().get("unmapped") or {}).items()}


def owasp_items_for(code: str) -> tuple[OwaspItem, ...]:
    """The items a rule code evidences."""
    return tuple(i for i in owasp_items() if i.covers(code))


def owasp_references(code: str, references: Iterable[str]) -> tuple[str, ...]:
    """A rule's references with any free-text OWASP MCP reference replaced by the items the map names."""
    kept = [r for r in references if not r.startswith(_OLD_PREFIX)]
    return tuple(i.reference for i in owasp_items_for(code)) + tuple(kept)


def known_codes() -> set[str]:
    """Every rule code a report can mention: finding rules, drift, placement and no-go signs, classification."""
    from .catalog import catalog
    from .classify import CLASSIFICATION_RULES
    from .drift import drift_rule_info
    from .rules import rule_info

    codes = set(rule_info()) | set(drift_rule_info()) | {"PLC001", "PLC002", "PLC003"}
    codes |= {getattr(fn, "code", "") for fn in CLASSIFICATION_RULES} - {""}
    codes |= {sign.id for sign in catalog().no_go}
    return codes


def owasp_standard(findings: Sequence[Any], codes: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The report's ``standards.owasp_mcp_top10``: ten entries ``{id, title, status, codes, findings, checks,
    cannot_see}``; ``codes`` are the concrete codes behind each item, ``findings`` the open findings that
    evidence it in this report."""
    known = sorted(codes if codes is not None else known_codes())
    out = []
    for item in owasp_items():
        concrete = sorted({c for c in known if item.covers(c)} | {p for p in item.codes if "*" not in p})
        hits = [f for f in findings if item.covers(f.code) and f.status not in RESOLVED]
        out.append({"id": item.id, "title": item.title, "status": item.status, "codes": concrete,
                    "findings": len(hits), "checks": item.checks, "cannot_see": item.cannot_see})
    return out
