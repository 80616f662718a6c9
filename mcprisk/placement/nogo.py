"""The seed's no-go signs, one function per sign (NOGO01..NOGO08): while one holds, the server stays local.

A sign that nothing observable settles (the inventory is silent) stands as an assumption (``NoGo.assumed``).
NOGO03, NOGO04 and NOGO08 read only the server's context; the others read its enabled tools too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from ..model import ToolAssessment
from .facts import Facts, Server, State, tool_list
from .results import SATISFIED, DecisionStep, NoGo

__all__ = ["nogo01_unlisted", "nogo02_shared_credential", "nogo02_clear_without", "nogo03_no_access_model", "nogo04_secrets_in_logs",
           "nogo05_no_approval", "nogo06_unreviewed_proxy", "nogo07_no_off_switch", "nogo08_convenience"]


def _nogo(f: Facts | Server, sign_id: str, evidence: Iterable[str], *, assumed: bool = False,
          tools: Iterable[ToolAssessment] = ()) -> NoGo:
    sign = f.cat.no_go_sign(sign_id)
    return NoGo(sign.id, sign.title, tuple(evidence), sign.severity, assumed, tuple(sorted({t.tool for t in tools})))


def nogo01_unlisted(f: Facts) -> NoGo | None:
    facts, asks = [], []
    if not f.complete:
        facts.append("the listing of tools, resources and prompts did not complete")
    undeclared = sorted(n for n in f.all_credentials if f.inventory.credential(n) is None)
    facts += [f"credential {n} is used by a tool but the inventory does not describe it" for n in undeclared]
    decl = f.inventory.server(f.server)
    if not (decl and decl.inventory_complete):
        asks.append("the inventory does not confirm that its credentials and data stores are the full list "
                    f"(servers.{f.server}.inventory_complete)")
    if not facts and not asks:
        return None
    return _nogo(f, "NOGO01", facts + asks, assumed=not facts)


def nogo02_shared_credential(f: Facts) -> NoGo | None:
    users: dict[str, list[ToolAssessment]] = {}
    for t in f.tools:
        for cred in f.credentials.get(t.tool, ()):
            users.setdefault(cred, []).append(t)
    evidence, involved, assumed = [], [], True
    for cred in sorted(users):
        tools = users[cred]
        decl = f.inventory.credential(cred)
        breadth = decl.breadth if decl else None
        writers = [t for t in tools if t.mutating]
        if breadth == "narrow" or not writers or len(tools) < 2:
            continue
        readers = [t for t in tools if not t.mutating]
        scope = breadth or "breadth not declared: assumed broad"
        if readers:
            evidence.append(f"{cred} ({scope}) is used by mutating {tool_list(writers)} and by read-only "
                            f"{tool_list(readers)}")
        else:
            evidence.append(f"{cred} ({scope}) is shared by mutating tools {tool_list(writers)}: none has a "
                            "credential of its own")
        involved += tools
        assumed = assumed and breadth is None
    return _nogo(f, "NOGO02", evidence, assumed=assumed, tools=involved) if evidence else None


def nogo02_clear_without(srv: Server, candidates: Sequence[ToolAssessment], credentials: Mapping[str, frozenset[str]]
                         ) -> Callable[[Iterable[ToolAssessment]], bool]:
    """A test ``moved -> bool``: whether ``candidates`` less the tools named in ``moved`` hold no NOGO02 (no credential
    that is not declared narrow is used by two or more of them with one of them mutating), which is
    ``nogo02_shared_credential(...) is None`` for those tools. Split planning asks it for thousands of subsets; it
    counts each credential's users and writers once and takes the moved tools out of the counts, instead of
    re-walking the remaining tools and writing the sign's evidence for every subset."""
    users: dict[str, int] = {}
    writers: dict[str, int] = {}
    by_name: dict[str, list[ToolAssessment]] = {}
    for t in candidates:
        by_name.setdefault(t.tool, []).append(t)
        for cred in credentials.get(t.tool, ()):
            users[cred] = users.get(cred, 0) + 1
            if t.mutating:
                writers[cred] = writers.get(cred, 0) + 1
    shared = tuple(c for c in sorted(users) if users[c] >= 2 and writers.get(c)
                   and not ((decl := srv.inventory.credential(c)) and decl.breadth == "narrow"))
    # What taking a tool out (by name, as the remaining tools are picked) removes from the shared credentials' counts.
    drops = {name: [(c, t.mutating) for t in tools for c in credentials.get(name, ()) if c in shared]
             for name, tools in by_name.items()}
    users = {c: users[c] for c in shared}
    writers = {c: writers[c] for c in shared}

    def clear(moved: Iterable[ToolAssessment]) -> bool:
        if not shared:
            return True
        left, written = users.copy(), writers.copy()
        for name in {t.tool for t in moved}:
            for cred, writes in drops.get(name, ()):
                left[cred] -= 1
                written[cred] -= writes
        return not any(left[c] >= 2 and written[c] for c in shared)

    return clear


def nogo03_no_access_model(f: Server, states: Mapping[str, State]) -> NoGo | None:
    if states["authn_authz"].status in SATISFIED:
        return None
    audience, tenants = f.inventory.audience(f.server), f.inventory.tenants(f.server)
    shared = [f"audience {audience}"] if audience not in (None, "single_user") else []
    shared += ["several tenants"] if tenants == "multi" else []
    authn = f"authn_authz: {states['authn_authz'].evidence}"
    if shared:
        return _nogo(f, "NOGO03", [*shared, authn])
    if audience is None:
        return _nogo(f, "NOGO03", ["no audience declared: assumed to be shared", authn], assumed=True)
    return None


def nogo04_secrets_in_logs(f: Server, states: Mapping[str, State]) -> NoGo | None:
    state = states["secret_redaction"]
    if state.status in SATISFIED:
        return None
    silent = f.inventory.control_decl(f.server, "secret_redaction") is None
    return _nogo(f, "NOGO04", [f"secret_redaction: {state.evidence}"], assumed=silent)


def nogo05_no_approval(f: Facts, states: Mapping[str, State]) -> NoGo | None:
    if states["consent_approvals"].status in SATISFIED:
        return None
    lacking = [t for t in f.approval_tools if not ((d := f.inventory.tool_decl(f.server, t.tool)) and d.approval)]
    if not lacking:
        return None
    return _nogo(f, "NOGO05", [f"{t.tool} is {t.primary} and declares no approval gate" for t in lacking],
                 tools=lacking)


def nogo06_unreviewed_proxy(f: Facts, states: Mapping[str, State], dt4: DecisionStep) -> NoGo | None:
    decl = f.inventory.server(f.server)
    if not dt4.yes or (decl and decl.third_party_consent_reviewed) or states["proxy_consent"].status in SATISFIED:
        return None
    return _nogo(f, "NOGO06", [*dt4.evidence, "neither third_party_consent_reviewed nor proxy_consent is declared"],
                 assumed=dt4.assumed)


def nogo07_no_off_switch(f: Facts, states: Mapping[str, State]) -> NoGo | None:
    if states["off_switch"].status in SATISFIED:
        return None
    lacking = [t for t in f.approval_tools if not ((d := f.inventory.tool_decl(f.server, t.tool)) and d.off_switch)]
    if not lacking:
        return None
    return _nogo(f, "NOGO07", [f"{t.tool} is {t.primary} and cannot be switched off on its own" for t in lacking],
                 tools=lacking)


def nogo08_convenience(f: Server) -> NoGo | None:
    reason = f.inventory.remote_reason(f.server)
    audience = f.inventory.audience(f.server)
    at = f.inventory.setting_source(f.server, "remote_reason")
    if reason is not None and reason.convenience:
        return _nogo(f, "NOGO08", ["inventory: the only reason for remote hosting is convenience" + (
            f" ({at})" if at else "")])
    if reason is not None and reason.convenience is False:
        return None
    if audience == "single_user":
        return _nogo(f, "NOGO08", ["audience single_user: hosting it remotely could only serve convenience"])
    if audience is not None:
        return None
    return _nogo(f, "NOGO08", ["neither a reason for remote hosting nor an audience is declared"], assumed=True)
