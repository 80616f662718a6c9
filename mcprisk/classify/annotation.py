"""The rule that reads the tool's annotations: the author's untrusted hints."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Evidence
from ._rule import rule
from .context import ToolContext

__all__ = ["annotations"]


@rule("EFF110", "Annotations (untrusted hints)")
def annotations(ctx: ToolContext) -> Iterable[Evidence]:
    """Annotations are the author's claims: a hint, weighed below anything the tool itself shows.

    Absent fields take the spec defaults (not read-only, destructive), which are never evidence.
    """
    ann = ctx.tool.annotations or {}
    if ann.get("readOnlyHint") is True:
        yield Evidence("EFF110", "annotation", "readOnlyHint: true", "the author claims it changes nothing",
                       "read_only", weight=0.5)
    elif ann.get("destructiveHint") is True and ann.get("readOnlyHint") is False:
        yield Evidence("EFF110", "annotation", "destructiveHint: true", "the author says it may destroy data",
                       "destructive", weight=0.5)
    elif ann.get("destructiveHint") is False and ann.get("readOnlyHint") is False:
        yield Evidence("EFF110", "annotation", "destructiveHint: false", "the author says it only adds or updates",
                       "reversible", weight=0.5)
