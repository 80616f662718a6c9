"""The rule that reads the tool's annotations: the author's untrusted hints, weighed asymmetrically."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Evidence
from ._rule import rule
from .context import ToolContext
from .lexicon import lexicon

__all__ = ["annotations"]


@rule("EFF110", "Annotations (untrusted hints)")
def annotations(ctx: ToolContext) -> Iterable[Evidence]:
    """Annotations are the author's claims, read asymmetrically. A hint that admits danger is a statement
    against interest: authors rarely over-state the harm of their own tool, so ``destructiveHint: true``
    is decisive, and ``readOnlyHint: false`` is a witness that the tool changes something. A hint that
    denies danger (``readOnlyHint: true``, ``destructiveHint: false``) is one weak witness, which the
    tool's own name, description or schema contradict. Where a server puts the same annotations on
    every tool, reads included, or a generator derived them from the HTTP method its name carries
    ("API-post-search"), they are boilerplate and count as hints only. ``openWorldHint: true`` is one
    witness for the flag it implies: untrusted content on a read, external egress on a change.

    Absent fields take the spec defaults (not read-only, destructive), which are never evidence.
    """
    ann = ctx.tool.annotations or {}
    boiler = ctx.boilerplate_annotations or _restates_method(ctx)
    if ann.get("openWorldHint") is True and not boiler:
        # Reaching an open world is a witness: what a read brings back was written outside, what a change
        # sends goes outside. One witness, so another must agree before a flag is set.
        reads = ctx.reads or ctx.verb in lexicon().verb_groups["read_for_flags"] or ctx.live_page
        yield Evidence("EFF110", "annotation", "openWorldHint: true", "the author says it reaches an open world",
                       flag="untrusted_content" if reads else "external_egress", weight=0.5)
    if ann.get("readOnlyHint") is True:
        yield Evidence("EFF110", "annotation", "readOnlyHint: true", "the author claims it changes nothing",
                       "read_only", weight=0.25 if boiler else 0.5)
        return
    if ann.get("destructiveHint") is True:
        yield Evidence("EFF110", "annotation", "destructiveHint: true",
                       "the author admits it may destroy data" + (" (on every tool alike)" if boiler else ""),
                       "destructive", weight=0.25 if boiler else 1.0)
        return
    if ann.get("readOnlyHint") is False:
        denies = ann.get("destructiveHint") is False
        yield Evidence("EFF110", "annotation", "readOnlyHint: false" + (", destructiveHint: false" if denies else ""),
                       "the author admits it changes something" + (", and says it destroys nothing" if denies else ""),
                       "reversible", weight=0.25 if boiler else 0.5)
        if not denies:
            # Changing may include destroying: this reading agrees with either.
            yield Evidence("EFF110", "annotation", "readOnlyHint: false", "the author does not deny destroying",
                           "destructive", weight=0.0)


def _restates_method(ctx: ToolContext) -> bool:
    """A name generated from an HTTP operation ("API-post-search"): its hints restate the method."""
    return ctx.generated_name
