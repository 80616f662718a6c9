"""Annotations read critically: they are the author's claims, so claims the evidence contradicts are findings.

An accusation needs two witnesses: a contradiction is reported only when at least two independent
sources (name, description, schema, server) contradict the annotation, or one decisive one does (a
parameter that carries code, a delete verb in the name, a caller-chosen address). ANN001 and ANN002 are
high (and make the server ``do_not_use``) only when the tool's reading without the hint is settled; a
contradiction another source disputes is a medium doubt.

An operator's override changes how a tool is placed, not what its author claimed: a claim the tool's own
definition contradicts stays a finding, marked "operator override" and carrying the operator's reading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .._prose import listed
from ..classify.lexicon import lexicon
from ..classify.flags_reach import REQUIRED_URL
from ..classify.schema import BY_NAME_ALONE
from ..classify.weighing import reading_class, source_readings
from ..model import Evidence, Finding, ToolAssessment, effect_rank
from ._base import RuleContext, finding_rule, make

REFS = ("OWASP MCP Top 10: MCP03 Tool Poisoning", "CWE-345")


def _decisive_effect(ev: Evidence) -> bool:
    """Evidence that settles a tool's effect on its own: code it runs, a raw passthrough, a destroying verb, or
    the description itself saying the call cannot be undone (the author contradicting the author's hint)."""
    return ev.rule in ("EFF106", "EFF113") or (ev.rule in ("EFF101", "EFF105") and ev.effect == "destructive"
                                                and ev.weight >= 1.0)


def _query_only(ev: Evidence) -> bool:
    """Code evidence whose every parameter is a query statement (``sql``, ``cypher``, ``statement``): a query is
    read-only when the server runs it in a read-only transaction (the rubric's own example), so against a
    ``readOnlyHint: true`` it is one witness, not a decisive one; a command or a script stays decisive."""
    names = {n.strip().replace("-", "_").lower() for n in ev.text.split(",")}
    return ev.rule == "EFF106" and bool(names) and names <= lexicon().params["query_code"]


def _decisive_against_read_only(ev: Evidence) -> bool:
    """Decisive against a read-only claim: as ``_decisive_effect``, less a query the claim may describe truly."""
    # A parameter named like a command, which nothing else says the tool runs, does not decide that a tool claimed to
    # change nothing runs it (it may only be handed back, as instructions); against a denial of destruction it does.
    return _decisive_effect(ev) and not _query_only(ev) and BY_NAME_ALONE not in ev.detail


def _decisive_reach(ev: Evidence) -> bool:
    """Evidence that settles a reach outside on its own: a caller-chosen address or general-purpose code."""
    return ev.source == "schema" and ev.weight >= 1.0 and ev.rule in ("FLG202", "FLG203", "FLG206") \
        and BY_NAME_ALONE not in ev.detail and ev.detail != REQUIRED_URL


def _witnesses(ta: ToolAssessment, supports: Callable[[Evidence], bool],
               decisive: Callable[[Evidence], bool]) -> list[Evidence]:
    """The evidence contradicting an annotation, most severe first, when it suffices for a doubt: two
    independent sources, or one decisive item. Empty otherwise."""
    found = [e for e in ta.evidence if e.source != "annotation" and e.weight >= 0.5 and supports(e)]
    found.sort(key=lambda e: (not decisive(e), -effect_rank(e.effect) if e.effect else 0, -e.weight))
    sources = {e.source for e in found}
    if len(sources) >= 2 or any(decisive(e) for e in found):
        return found
    return []


def _overridden(ta: ToolAssessment) -> tuple[str, tuple[Evidence, ...]]:
    """For a tool the operator reclassified: the sentence that marks the finding and the override as evidence."""
    if not ta.overridden:
        return "", ()
    said = next((e for e in ta.evidence if e.source == "inventory"), None)
    reading = ", ".join(e.replace("_", "-") for e in ta.effects)
    note = (f" Operator override: the operator reads it as {reading}; the author's claim is still contradicted "
            "by the tool's own definition.")
    return note, (said,) if said is not None else ()


def _settled(ta: ToolAssessment) -> bool:
    """True when the tool's own words and schema, the author's hint set aside, agree on a changing reading:
    no source reads it as a read, and no two sources read it differently. Only then is a contradicted hint
    an accusation; a contested reading makes it a doubt (a false accusation of an honest server is as
    costly as a miss)."""
    readings = source_readings(e for e in ta.evidence if e.source != "annotation")
    classes = list(readings.values())
    return all("read" not in c for c in classes) and all(a & b for i, a in enumerate(classes)
                                                        for b in classes[i + 1:])


def _words_dispute(ta: ToolAssessment, decisive: Evidence) -> bool:
    """True when the one decisive item is a parameter while the tool's own words (its name's verb, its
    description's verbs) read it as something else: a ``set_defaults`` whose ``extraArgs`` looks like a command
    line, an ``Initialize`` with an ``allowed_commands`` list. A parameter's name against the author's words and
    the author's hint is one witness against two, not an accusation."""
    if decisive.source in ("name", "description") or not decisive.effect:
        return False
    words = source_readings(e for e in ta.evidence if e.source in ("name", "description"))
    accused = reading_class(decisive.effect)
    return bool(words) and not any(accused in classes for classes in words.values())


_VERB = re.compile(r"verb '([^']+)'")


def _self_evident(ev: Evidence) -> bool:
    """One item that proves a contradiction alone: code the tool runs, a raw passthrough to the API, or a name
    whose verb only means removing data ("delete", "purge"). A verb that also means something milder ("clear",
    "unlink", "recycle", "cancel") or a phrase of the description ("replaces existing", "without confirmation") is
    one witness: an honest author's hint against it is a second reading, not a lie."""
    if ev.rule in ("EFF106", "EFF113"):
        return True
    m = _VERB.search(ev.detail) if ev.rule == "EFF101" and ev.effect == "destructive" else None
    return m is not None and m.group(1) in lexicon().grammar["delete_verbs"]


def _two_witnesses(shown: list[Evidence], decisive: Callable[[Evidence], bool]) -> bool:
    """An accusation stands on a decisive item that is self-evident, or on decisive evidence that a second,
    independent source (name, description, schema, server) confirms."""
    if any(decisive(e) and _self_evident(e) for e in shown):
        return True
    return any(decisive(e) for e in shown) and len({e.source for e in shown if e.source != "learned"}) >= 2


def _grading(ta: ToolAssessment, shown: list[Evidence], impact: int, *, decisive_only: bool = False,
             decisive: Callable[[Evidence], bool] = _decisive_effect) -> tuple[int, int, str]:
    """(likelihood, impact, lead-in) of a contradiction: high for a settled reading (one shown by a decisive
    item the tool's own words do not read otherwise, and either self-evident or confirmed by a second source, when
    ``decisive_only``), medium for a doubt."""
    if not _settled(ta):
        return 2, 3, "doubtfully, as another source reads it otherwise: "
    if decisive_only and not decisive(shown[0]):
        return 2, 3, "doubtfully, as no one item decides it: "
    if decisive_only and not _two_witnesses(shown, decisive):
        return 2, 3, "doubtfully, as one witness alone shows it: "
    if decisive_only and _words_dispute(ta, shown[0]):
        return 2, 3, "doubtfully, as its own name and description read it otherwise: "
    return 3, impact, ""


@finding_rule("ANN001", "Annotation claims read-only but the tool changes things", likelihood=3, impact=3,
              references=REFS)
def read_only_claim_contradicted(ctx: RuleContext) -> Iterable[Finding]:
    """The server says ``readOnlyHint: true`` while the tool's own name, description or schema show it
    writes, sends, spends or deletes: two independent sources, or one decisive one (code it runs, a
    delete verb). A client that auto-approves "read-only" tools would run it unasked. Only a settled reading
    shown by a decisive item accuses (high); otherwise the finding is a medium doubt."""
    for snap in ctx.snapshots:
        for tool in snap.tools:
            ta = ctx.tools.get((snap.name, tool.name))
            if ta is None or (tool.annotations or {}).get("readOnlyHint") is not True \
                    or not (ta.mutating or ta.overridden):
                continue
            shown = _witnesses(ta, lambda e: e.effect is not None and e.effect != "read_only",
                               _decisive_against_read_only)
            if not shown:
                continue
            # Two witnesses that a "read-only" tool makes or spends something were right only 6 times in 11
            # on the development set: an accusation needs decisive evidence (code it runs, a delete verb).
            worst = max((e.effect for e in shown if e.effect), key=effect_rank) if ta.overridden else ta.primary
            likelihood, impact, doubt = _grading(ta, shown, 4 if worst == "destructive" else 3, decisive_only=True,
                                                 decisive=_decisive_against_read_only)
            note, said = _overridden(ta)
            claim = Evidence("ANN001", "annotation", "readOnlyHint: true", "the author claims it changes nothing")
            yield make(read_only_claim_contradicted, server=snap.name, subject=tool.name,
                       message=f"{tool.name} claims to be read-only, but it is {worst.replace('_', '-')}: "
                               f"{doubt}{shown[0].detail} ({shown[0].source}).{note}",
                       evidence=(claim, *shown[:3], *said), tools=(f"{snap.name}/{tool.name}",),
                       likelihood=likelihood, impact=impact)


@finding_rule("ANN002", "Annotation denies a destructive effect the tool has", likelihood=3, impact=3,
              references=REFS)
def destructive_denied(ctx: RuleContext) -> Iterable[Finding]:
    """``destructiveHint: false`` on a tool that deletes, overwrites or runs supplied code understates its
    risk: two independent sources show it, or one decisive one (code it runs, a delete verb). As for ANN001, only a
    settled reading shown by a decisive item accuses (high): a false accusation of an honest author costs as much as
    a miss, and ordinary witnesses alone are a medium doubt."""
    for snap in ctx.snapshots:
        for tool in snap.tools:
            ta = ctx.tools.get((snap.name, tool.name))
            ann = tool.annotations or {}
            if ta is None or ann.get("destructiveHint") is not False or ann.get("readOnlyHint") is True \
                    or ("destructive" not in ta.effects and not ta.overridden):
                continue
            shown = _witnesses(ta, lambda e: e.effect == "destructive", _decisive_effect)
            if not shown:
                continue
            likelihood, impact, doubt = _grading(ta, shown, 3, decisive_only=True)
            note, said = _overridden(ta)
            yield make(destructive_denied, server=snap.name, subject=tool.name,
                       message=f"{tool.name} says destructiveHint: false, but {doubt}{shown[0].detail} "
                               f"({shown[0].source}).{note}",
                       evidence=(Evidence("ANN002", "annotation", "destructiveHint: false",
                                          "the author says it is not destructive"), *shown[:3], *said),
                       tools=(f"{snap.name}/{tool.name}",), likelihood=likelihood, impact=impact)


@finding_rule("ANN003", "Tools without annotations", likelihood=2, impact=1, scope="snapshots")
def missing_annotations(ctx: RuleContext) -> Iterable[Finding]:
    """Without annotations a client must assume the spec defaults (not read-only, destructive, open-world) and
    cannot tell the operator which tools are safe; mcprisk classifies them from their own evidence instead."""
    for snap in ctx.snapshots:
        bare = [t.name for t in snap.tools if not t.annotations]
        if not bare:
            continue
        yield make(missing_annotations, server=snap.name, subject=snap.name,
                   message=f"{len(bare)} of {len(snap.tools)} tools carry no annotations: {listed(bare, 8)}.",
                   evidence=(Evidence("ANN003", "annotation", listed(bare, 8), "no annotations"),),
                   tools=tuple(f"{snap.name}/{n}" for n in bare))


@finding_rule("ANN004", "Annotation claims a closed world but the tool reaches outside", likelihood=2, impact=3,
              references=REFS)
def closed_world_contradicted(ctx: RuleContext) -> Iterable[Finding]:
    """``openWorldHint: false`` on a tool that fetches arbitrary URLs or sends to caller-chosen recipients:
    two independent sources show it, or one decisive one (a caller-chosen address, general-purpose code)."""
    for snap in ctx.snapshots:
        for tool in snap.tools:
            ta = ctx.tools.get((snap.name, tool.name))
            if ta is None or (tool.annotations or {}).get("openWorldHint") is not False:
                continue
            if not {"external_egress", "untrusted_content"} & set(ta.flags):
                continue
            # Caller-chosen destinations are what "open world" is about; reading a private system is not.
            reach = _witnesses(ta, lambda e: e.flag == "external_egress" or (
                e.flag == "untrusted_content" and e.source == "schema"), _decisive_reach)
            if not reach:
                continue
            yield make(closed_world_contradicted, server=snap.name, subject=tool.name,
                       message=f"{tool.name} says openWorldHint: false, but it {reach[0].detail}.",
                       evidence=(Evidence("ANN004", "annotation", "openWorldHint: false",
                                          "the author says it stays inside"), *reach[:2]),
                       tools=(f"{snap.name}/{tool.name}",))
