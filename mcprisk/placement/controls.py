"""Which controls a hosting pattern requires of a server, and each control's status there.

A pattern requires its baseline (catalog/patterns.yaml), what the decision tree adds for a remote pattern
when DT3 or DT4 answers yes, and everywhere, local_stdio included, the controls tied to what the tools do
(``everywhere`` in patterns.yaml: approval gates and off switches for tools that send or destroy, credentials
kept out of config files, a bounded scope for tools that run code or reach the file system). A control whose
transports exclude the server's transport in that pattern does not apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..catalog import CONDITIONS
from ..model import CONTROLS
from .facts import Facts, Server, State
from .results import REMOTE, ControlStatus

__all__ = ["Required", "condition_tools", "conditions", "requirements", "statuses"]

_WHEN_NOT = {"holds_credentials": "no tool uses a credential",
             "approval_tools": "no tool sends, publishes, charges or destroys",
             "proxies": "the server does not proxy third-party APIs (DT4)",
             "confines": "no tool runs code or reaches the file system"}


@dataclass(frozen=True)
class Required:
    """Why a pattern requires a control, and the condition it follows from (None: the pattern's baseline)."""

    why: str
    when: str | None = None


def conditions(f: Facts, proxies: bool) -> tuple[bool, ...]:
    """The facts requirements can be limited to, in ``CONDITIONS`` order."""
    values = {"holds_credentials": bool(f.all_credentials), "approval_tools": bool(f.approval_tools),
              "proxies": proxies, "confines": bool(f.confined_tools)}
    return tuple(values[c] for c in CONDITIONS)


def condition_tools(f: Facts) -> dict[str, tuple[str, ...]]:
    """The tools each condition comes from, by name: the ones a control required by that condition is for."""
    return {"holds_credentials": tuple(t.tool for t in f.credential_users),
            "approval_tools": tuple(t.tool for t in f.approval_tools),
            "proxies": tuple(t.tool for t in f.tools if t.has("external_egress") and f.credentials.get(t.tool)),
            "confines": tuple(t.tool for t in f.confined_tools)}


def requirements(srv: Server, pattern: str, facts: Mapping[str, bool],
                 answers: Mapping[str, bool]) -> tuple[dict[str, Required], dict[str, str]]:
    """(control -> why it is required, control -> why it is not) for ``pattern``."""
    cat = srv.cat
    required: dict[str, Required] = {}
    skipped: dict[str, str] = {}
    sources = [cat.pattern(pattern).requires]
    if pattern in REMOTE:
        sources += [cat.question(q).requires for q in ("DT3", "DT4") if answers[q]]
    sources.append(cat.everywhere)
    for source in sources:
        for r in source:
            if r.when is not None and not facts[r.when]:
                skipped.setdefault(r.control, _WHEN_NOT[r.when])
            elif r.control not in required:
                required[r.control] = Required(r.why, r.when)
            elif required[r.control].when is None and r.when is not None:  # the first reason, the tools it is for
                required[r.control] = Required(required[r.control].why, r.when)
    transport = srv.transport if pattern == "local_stdio" else "http"
    for control in list(required):
        if not cat.control(control).applies_to_transport(transport):
            del required[control]
            skipped[control] = f"{transport} has no HTTP endpoint to protect"
    for control in CONTROLS:
        if control not in required and control not in skipped:
            skipped[control] = ("needed only before remote hosting" if pattern == "local_stdio"
                                else f"{pattern} does not call for it here")
    return required, {c: why for c, why in skipped.items() if c not in required}


def statuses(required: Mapping[str, Required], skipped: Mapping[str, str], states: Mapping[str, State],
             tools: Mapping[str, tuple[str, ...]]) -> tuple[ControlStatus, ...]:
    """Every control's status for one pattern, in vocabulary order; ``tools`` maps a condition to its tools."""
    out = []
    for control in CONTROLS:
        if control in required:
            r = required[control]
            out.append(ControlStatus(control, states[control].status, r.why, states[control].evidence,
                                     tools.get(r.when, ()) if r.when else ()))
        else:
            out.append(ControlStatus(control, "not_applicable", skipped.get(control, ""), ""))
    return tuple(out)
