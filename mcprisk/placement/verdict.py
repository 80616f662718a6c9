"""The verdict a reader sees first, per server: ``do_not_use``, ``needs_controls`` or ``ready``.

``do_not_use`` comes from the findings: while an open finding is of a cause in catalog/verdict.yaml (hostile
content aimed at the model, annotations that deny what a tool does, a definition changed since the approved
baseline, a secret written into the client config), no placement is safe. Causes match finding families and
the rules' ``hostile`` marker, so a new content rule counts without being listed. A tracking decision
(accepted, mitigated, false_positive) on those findings lifts it; the state then follows the placement:
``needs_controls`` while a hostile-family finding graded low to high is open (one visible technique or phrase a
person should read: it does not bar the server), or a control the recommended pattern requires is missing (or the server runs more exposed
than allowed), else ``ready``. The verdict is computed once, in the assessment, after tracking.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..catalog import Cause, catalog
from ..model import RESOLVED, Finding
from .results import ControlStatus, Placement
from .words import describe, meaning, names

__all__ = ["Verdict", "verdict_for"]



@dataclass(frozen=True)
class Verdict:
    """What to do with one server, in one state, with the ids behind it and a sentence or two.

    ``reasons`` are finding ids (do_not_use) or control ids and finding ids (needs_controls); ``meanings``
    gives each reason in words; ``tools`` names the decisive tools; ``confirm`` the tools placed at their
    severe reading until an operator confirms them with an override."""

    server: str
    state: str  # do_not_use | needs_controls | ready
    pattern: str | None  # the pattern it may run as (None: no placement is safe, or none was computed)
    reasons: tuple[str, ...]
    summary: str
    tools: tuple[str, ...] = ()
    confirm: tuple[str, ...] = ()
    meanings: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def label(self) -> str:
        """The state in words: Do not use, Needs controls, Ready."""
        return catalog().state(self.state).label

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "pattern": self.pattern, "reasons": list(self.reasons), "summary": self.summary,
                "tools": list(self.tools), "confirm": list(self.confirm),
                "meanings": {k: self.meanings[k] for k in self.reasons if k in self.meanings}}


def _cause(f: Finding, causes: Sequence[Cause], rules: Mapping[str, Any]) -> Cause | None:
    info = rules.get(f.code)
    family = getattr(info, "family", None)
    hostile = bool(getattr(info, "hostile", False))
    effects = {e.effect for e in f.evidence}
    return next((c for c in causes if c.matches(f.code, family, hostile, f.severity, effects)), None)


def _tool_names(server: str, findings: Iterable[Finding]) -> tuple[str, ...]:
    out: set[str] = set()
    for f in findings:
        out.update(k.split("/", 1)[1] for k in f.tools if k.startswith(f"{server}/"))
    return tuple(sorted(out))


def _subject(server: str, f: Finding, rules: Mapping[str, Any]) -> str:
    """What a finding is about, for a sentence: a tool, a prompt, a credential, or the server's own text."""
    if f.subject == server:  # content rules only see the server's instructions at this level
        return "the server instructions" if getattr(rules.get(f.code), "family", None) == "content" \
            else f.title[0].lower() + f.title[1:]
    return f.subject.replace(":", " ", 1) if f.subject.startswith(("prompt:", "resource:")) else f.subject


def _few(items: Sequence[str], limit: int = 4) -> str:
    items = list(dict.fromkeys(items))
    return names(items if len(items) <= limit else [*items[:limit], f"{len(items) - limit} more"])


def _do_not_use(server: str, decisive: Sequence[tuple[Cause, Finding]], rules: Mapping[str, Any]) -> Verdict:
    by_cause: dict[str, tuple[Cause, list[Finding]]] = {}
    for cause, f in decisive:
        by_cause.setdefault(cause.id, (cause, []))[1].append(f)
    order = [c.id for c in catalog().causes]
    parts = [f"{cause.says} ({_few([_subject(server, f, rules) for f in fs])})"
             for cause, fs in sorted(by_cause.values(), key=lambda x: order.index(x[0].id))]
    findings = [f for _, f in decisive]
    n = len(findings)
    summary = (f"Do not use {server}: {names(parts)}. No placement is safe until a person reviews "
               f"{'this finding' if n == 1 else f'these {n} findings'} and records the decision in the tracking "
               "file (accepted, mitigated or false_positive).")
    reasons = tuple(f.id for f in findings)
    return Verdict(server, "do_not_use", None, reasons, summary, _tool_names(server, findings),
                   meanings=MappingProxyType({f.id: f.title for f in findings}))


def _controls_phrase(missing: Sequence[ControlStatus]) -> str:
    """The missing controls in words, those asked for by the same tools together: "human approval gates
    (consent_approvals) and off switch and rollback (off_switch) for 8 tools (a, b, c and 5 more)"."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for c in missing:
        groups.setdefault(c.tools, []).append(describe(c.control, lower=True))
    parts = []
    for tools, controls in groups.items():
        whom = ""
        if len(tools) == 1:
            whom = f" for {tools[0]}"
        elif tools:
            whom = f" for {len(tools)} tools ({_few(tools, 3)})"
        parts.append(names(controls) + whom)
    return "; ".join(parts) if any(" and " in p for p in parts) and len(parts) > 1 else names(parts)


def _decisive_tools(p: Placement, missing: Sequence[ControlStatus]) -> set[str]:
    """Tools the missing controls are for, leaving out a control every enabled tool calls for (a credential all
    tools of the process can use says nothing about which tool decides)."""
    enabled = {tp.tool for tp in p.tools if not tp.disabled}
    telling = [c for c in missing if c.tools and set(c.tools) != enabled] or list(missing)
    return {t for c in telling for t in c.tools}


def verdict_for(server: str, placement: Placement | None, findings: Iterable[Finding], rules: Mapping[str, Any], *,
                failure: str | None = None) -> Verdict:
    """The verdict for ``server`` from its placement and its findings (tracking already applied); ``rules`` maps
    a finding code to its rule information (``family``, ``hostile``); ``failure`` says why placement failed."""
    causes = catalog().causes
    mine = [f for f in findings if (f.server == server or server in f.server.split("+")) and f.status not in RESOLVED]
    decisive = [(c, f) for f in mine if (c := _cause(f, causes, rules)) is not None]
    if decisive:
        return _do_not_use(server, decisive, rules)
    if placement is None:
        return Verdict(server, "needs_controls", None, ("placement",),
                       f"Where {server} may run could not be worked out ({failure or 'no placement'}): keep it on "
                       "one user's machine and review it by hand.")
    p = placement
    confirm = p.unconfirmed
    incomplete = [f for f in mine if f.code == "SNAP001"]
    missing = list(p.missing) + [c for c in p.contradicted if c.control not in {m.control for m in p.missing}]
    too_exposed = p.current is not None and p.current not in p.allowed
    reasons: list[str] = []
    meanings: dict[str, str] = {}
    sentences: list[str] = []
    if too_exposed:
        reasons.append(f"PLC001@{server}")
        meanings[f"PLC001@{server}"] = "Hosted more exposed than recommended"
        blocked = _few([describe(b, lower=True) for b in p.blocked_by], 3)
        sentences.append(f"Move {server} to {p.recommended}: it runs as {p.current}, more exposed than allowed"
                         + (f" ({blocked})." if blocked else "."))
    if missing:
        reasons += [c.control for c in missing]
        meanings.update({c.control: meaning(c.control) or c.control for c in missing})
        verb = "is" if len(missing) == 1 else "are"
        lead = "It also needs" if too_exposed else f"{server} may run as {p.recommended} once"
        tail = f" {verb} in place" if not too_exposed else ""
        sentences.append(f"{lead} {_controls_phrase(missing)}{tail}.")
    if incomplete:
        reasons += [f.id for f in incomplete]
        meanings.update({f.id: f.title for f in incomplete})
        sentences.append("Its listing did not complete, so what it did not list is not judged: scan it again.")
    review = [f for f in mine if getattr(rules.get(f.code), "hostile", False) and f.severity in ("low", "medium", "high")]
    if review:  # one visible technique or phrase an honest author could have written: a person reads it, not barred
        reasons += [f.id for f in review]
        meanings.update({f.id: f.title for f in review})
        sentences.append(f"Have someone read the text flagged in {_few([_subject(server, f, rules) for f in review], 3)}.")
    launch = [f for f in mine if getattr(rules.get(f.code), "control", None)]
    if launch:  # how the client config starts or reaches it: controls the operator adds in the config itself
        reasons += [f.id for f in launch]
        meanings.update({f.id: f.title for f in launch})
        fixes = list(dict.fromkeys(f"{f.title[0].lower()}{f.title[1:]} ({f.subject})" for f in launch))
        sentences.append(f"Fix how its client config launches it: {_few(fixes, 3)}.")
    state = "needs_controls" if (too_exposed or missing or incomplete or review or launch) else "ready"
    if state == "ready":
        needed = [c for c in p.required_controls if c.status != "not_applicable"]
        sentences.append(f"{server} is ready to run as {p.recommended}: "
                         + ("every control it needs there is verified or declared." if needed
                            else "nothing it does calls for a control there."))
    if confirm:
        sentences.append(f"Needs confirmation by an operator override: {_few(list(confirm))} "
                         f"({'is' if len(confirm) == 1 else 'are'} read as destructive until then).")
    tools = sorted(_decisive_tools(p, missing) | set(confirm))
    return Verdict(server, state, p.recommended, tuple(reasons), " ".join(sentences), tuple(tools), tuple(confirm),
                   MappingProxyType(meanings))
