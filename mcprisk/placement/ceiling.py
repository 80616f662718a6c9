"""How far a server could go: its ceiling, and the work that takes.

The ceiling is the most open pattern the server could reach if the operator put every control in place and
answered every inventory question favourably (production stage, a public audience with a real reason,
complete lists, narrow and well-kept credentials, a reviewed proxy). It is measured, not assumed: the
decision is walked again under such an inventory, so anything no declaration clears (a listing that did not
complete) still holds it. On top, a tool that no control makes safe beyond some pattern (a cap in
catalog/ceiling.yaml: a tool that runs the caller's code stays local) holds the whole server there; splitting
such tools off (``Ceiling.beyond``) lets the rest go further.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..catalog import catalog
from ..inventory import Credential, RemoteReason
from ..model import CONTROLS, PATTERNS, ToolAssessment
from .decide import Decision, decide, recommend, wide
from .facts import Server, unconfirmed
from .results import REMOTE, SATISFIED, Answer, Beyond, Ceiling, Hold
from .words import describe, names

__all__ = ["ceiling", "favourable"]

_ASSUMED = "assumed for the ceiling"
_AUDIENCE = {"internal_http": "team or organisation", "public_remote": "partners or public",
             "managed_gateway": "partners or public"}


def favourable(srv: Server, creds: Mapping[str, frozenset[str]]) -> Server:
    """The server under an inventory that answers every question favourably and declares every control in
    place; each credential its tools use is declared narrow, in a secrets manager, rotated automatically."""
    inv, name = srv.inventory, srv.server
    for control in CONTROLS:
        inv = inv.with_control(name, control, "in_place", _ASSUMED)
    inv = inv.with_server_setting(name, stage="production", audience="public", inventory_complete=True,
                                  remote_reason=RemoteReason("partner_integration", False),
                                  third_party_consent_reviewed=True)
    used = {c for names_ in creds.values() for c in names_} | {c.name for c in inv.credentials_for(name)}
    kept = tuple(c for c in inv.credentials if c.name not in used)
    fresh = []
    for cred in sorted(used):
        was = inv.credential(cred) or Credential(cred, (name,), kind="service_account")
        fresh.append(replace(was, servers=(name,), breadth="narrow", storage="secrets_manager", rotation="automatic"))
    return srv.with_inventory(replace(inv, credentials=kept + tuple(fresh)))


def _top(srv: Server, d: Decision, cap_rank: int) -> str:
    fitting = [p for p in d.allowed if srv.cat.rank(p) <= cap_rank]
    return recommend(srv.cat, fitting, "public_remote", wide(srv).dt5.yes)


def _answers(srv: Server, active: Sequence[ToolAssessment], creds: Mapping[str, frozenset[str]],
             pattern: str) -> list[Answer]:
    """The inventory answers ``pattern`` takes beyond the controls: what blocks it even with every control in
    place, and an audience that calls for it."""
    out: list[Answer] = []
    if pattern in REMOTE:
        with_controls = decide(srv.with_controls(CONTROLS, _ASSUMED), active, creds, effective=True)
        for blocker in with_controls.blocked_by:
            clears = (srv.cat.question(blocker).clears if blocker.startswith("DT")
                      else srv.cat.no_go_sign(blocker).clears)
            out.append(Answer(blocker, clears))
        if srv.cat.rank(wide(srv).need) < srv.cat.rank(pattern):
            out.append(Answer("audience", f"Declare the audience that needs it ({_AUDIENCE[pattern]}) and the "
                                          "reason to host it remotely."))
    return out


def ceiling(srv: Server, d: Decision, active: Sequence[ToolAssessment],
            creds: Mapping[str, frozenset[str]]) -> Ceiling:
    """The ceiling of the enabled tools ``active`` (read at their severe reading), whose decision today is ``d``."""
    cat = srv.cat
    fav = favourable(srv, creds)
    d_fav = decide(fav, active, creds, effective=True)
    holds = list(d.caps)
    if d_fav.blocked_by:  # what no declaration clears holds the whole server
        holds = [Hold(None, b, "local_stdio", next((n.evidence[0] for n in d_fav.no_go if n.id == b), describe(b)))
                 for b in d_fav.blocked_by] + holds
    cap_rank = min((cat.rank(h.pattern) for h in holds), default=cat.rank("public_remote"))
    pattern = _top(srv, d_fav, cap_rank)
    required = d_fav.requirements[pattern][0]
    controls = tuple(c for c in CONTROLS if c in required and d.states[c].status not in SATISFIED)
    answers = _answers(srv, active, creds, pattern)
    confirm = tuple(t.tool for t in active if unconfirmed(t))
    answers += [Answer("confirm", f"Confirm what {t} does with an operator override "
                                  f"(servers.{srv.server}.tools.{t}.classification): until then it is read as "
                                  "destructive.") for t in confirm]
    beyond = _beyond(srv, fav, active, creds, [h for h in holds if h.tool is not None], cap_rank) \
        if not d_fav.blocked_by else ()
    held = tuple(h for h in holds if cat.rank(h.pattern) <= cap_rank or h.tool is None)
    c = Ceiling(srv.server, pattern, controls, tuple(answers), tuple(holds), beyond, confirm)
    return replace(c, summary=_summary(c, held))


def _beyond(srv: Server, fav: Server, active: Sequence[ToolAssessment], creds: Mapping[str, frozenset[str]],
            holds: Sequence[Hold], cap_rank: int) -> tuple[Beyond, ...]:
    """For each cap level above the ceiling: the tools to split off, and the pattern the rest could reach."""
    cat = srv.cat
    best: dict[tuple[str, ...], str] = {}  # the same tools split off: only the most open pattern they open counts
    for rank in sorted({cat.rank(p) for p in PATTERNS if cat.rank(p) > cap_rank}):
        split_off = tuple(sorted(h.tool for h in holds if cat.rank(h.pattern) < rank))
        rest = tuple(t for t in active if t.tool not in split_off)
        if not rest or not split_off:
            continue
        reach = _top(srv, decide(fav, rest, creds, effective=True), rank)
        if cat.rank(reach) == rank:
            best[split_off] = reach
    return tuple(Beyond(pattern, split_off) for split_off, pattern in best.items())


def _holds(held: Sequence[Hold]) -> str:
    """What holds the ceiling, in words, one sentence per cap: "Runs code or commands its caller writes (CAP01):
    run_sql runs whatever ..."; several tools held by one cap are named together."""
    cat, out = catalog(), []
    by_cap: dict[str, list[Hold]] = {}
    for h in held:
        by_cap.setdefault(h.cap, []).append(h)
    for cap, hs in by_cap.items():
        tools = [h.tool for h in hs if h.tool]
        if not tools or len(tools) == 1:
            out.append(f"{describe(cap)}: {hs[0].why}.")
        else:
            out.append(f"{describe(cap)}: each of {names(tools)} {cat.cap(cap).why}.")
    return " ".join(out)


def _summary(c: Ceiling, held: Sequence[Hold]) -> str:
    if c.pattern == "local_stdio" and held:
        text = f"Whatever is put in place, {c.server} can go no further than local_stdio. " + _holds(held)
    else:
        work = []
        if c.controls:
            work.append(f"{len(c.controls)} more control{'s' if len(c.controls) != 1 else ''} in place")
        if c.answers:
            work.append(f"{len(c.answers)} inventory answer{'s' if len(c.answers) != 1 else ''}")
        text = (f"With every control in place and the inventory answered, {c.server} could reach {c.pattern}"
                + (f": that takes {names(work)}." if work else "; nothing more is needed."))
        if held:
            text += " " + _holds(held)
    for b in c.beyond:
        text += f" Split off {names(list(b.split_off))} and the rest could reach {b.pattern}."
    if c.confirm:
        text += (f" Read as destructive until an operator confirms {'it' if len(c.confirm) == 1 else 'them'}: "
                 f"{names(list(c.confirm))}.")
    return text
