"""The seed's remote-hosting decision tree, one function per question (DT1..DT5), and the audience's need.

Where the inventory is silent, the restrictive answer is taken and marked ``assumed``: an undeclared stage is
experimental, undeclared data stores may hold customer data, an undeclared audience is internal at most.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model import ToolAssessment
from .facts import SENSITIVE_FLAGS, Facts, Server, credential_kind, unconfirmed
from .results import DecisionStep

__all__ = ["dt1_experimental", "dt2_read_only_low", "dt3_can_harm", "dt4_proxies", "dt5_managed", "need",
           "sensitivity"]

# What each audience needs at most; an undeclared audience is taken as internal (see need).
_AUDIENCE_NEED = {"single_user": "local_stdio", "team": "internal_http", "organisation": "internal_http",
                  "partners": "public_remote", "public": "public_remote"}
_REASON_NEED = {"team_sharing": "internal_http", "partner_integration": "public_remote",
                "saas_product": "public_remote"}


def dt1_experimental(f: Server) -> DecisionStep:
    q = f.cat.question("DT1")
    stage = f.inventory.stage(f.server)
    at = f.inventory.setting_source(f.server, "stage")
    if stage is None:
        return DecisionStep(q.id, q.question, "unknown, assumed yes",
                            (f"the inventory declares no stage: {q.silent_because}",), assumed=True)
    return DecisionStep(q.id, q.question, "yes" if stage == "experimental" else "no",
                        (f"inventory: stage {stage}" + (f" ({at})" if at else ""),))


def _mutates(t: ToolAssessment) -> str:
    if unconfirmed(t):
        return f"{t.tool} is read as {t.primary} until an operator confirms it ({t.confidence} confidence)"
    return f"{t.tool} is {t.primary}"


def sensitivity(f: Facts) -> tuple[list[str], bool]:
    """Why the server can change things or expose sensitive data, and whether its data stores are fully known."""
    reasons = [_mutates(t) for t in f.tools if t.mutating]
    reasons += [f"{t.tool} has {', '.join(x for x in t.flags if x in SENSITIVE_FLAGS)}"
                for t in f.tools if any(t.has(x) for x in SENSITIVE_FLAGS)]
    reasons += [f"data store {d.name} is {d.classification}" for d in f.data_stores() if d.sensitive]
    decl = f.inventory.server(f.server)
    return reasons, bool(decl and decl.inventory_complete)


def dt2_read_only_low(f: Facts, reasons: Sequence[str], known: bool) -> DecisionStep:
    q = f.cat.question("DT2")
    if reasons:
        return DecisionStep(q.id, q.question, "no", tuple(reasons))
    if not known:
        return DecisionStep(q.id, q.question, "unknown, assumed no",
                            ("every tool is read-only with no sensitive flag, but the inventory does not confirm "
                             f"its data stores are complete: {q.silent_because}",), assumed=True)
    stores = [f"{d.name} ({d.classification})" for d in f.data_stores()]
    return DecisionStep(q.id, q.question, "yes",
                        ("every tool is read-only, with no private_data, credential_access or code_execution flag",
                         "data stores: " + (", ".join(stores) if stores else "none") + f.where(
                             "servers", f.server, "inventory_complete")))


def dt3_can_harm(f: Facts, reasons: Sequence[str], known: bool) -> DecisionStep:
    q = f.cat.question("DT3")
    if reasons:
        return DecisionStep(q.id, q.question, "yes", tuple(reasons))
    if not known:
        return DecisionStep(q.id, q.question, "unknown, assumed yes",
                            (f"no tool mutates or reads flagged data, but {q.silent_because}",), assumed=True)
    return DecisionStep(q.id, q.question, "no",
                        ("no tool mutates, no sensitive flag, and no sensitive data store is declared",))


def dt4_proxies(f: Facts) -> DecisionStep:
    q = f.cat.question("DT4")
    decl = f.inventory.server(f.server)
    declared = decl.proxies_third_party if decl else None
    at = f.where("servers", f.server, "proxies_third_party")
    oauth = sorted(n for n in f.all_credentials if credential_kind(f.inventory, n) == "per_user_oauth")
    if declared:
        return DecisionStep(q.id, q.question, "yes", (f"inventory: proxies_third_party true{at}",))
    if oauth:
        return DecisionStep(q.id, q.question, "yes", tuple(f"credential {n} holds users' OAuth tokens (per_user_oauth)"
                                                           for n in oauth))
    if declared is False:
        return DecisionStep(q.id, q.question, "no", (f"inventory: proxies_third_party false{at}",))
    inferred = [f"{t.tool} sends to an argument-chosen destination using {', '.join(sorted(f.credentials[t.tool]))}"
                for t in f.tools if t.has("external_egress") and f.credentials.get(t.tool)]
    if inferred:
        return DecisionStep(q.id, q.question, "inferred yes", tuple(inferred), assumed=True)
    return DecisionStep(q.id, q.question, "inferred no",
                        ("no tool pairs an outside destination with a credential; the inventory does not say",),
                        assumed=True)


def dt5_managed(f: Server) -> DecisionStep:
    q = f.cat.question("DT5")
    alt = f.inventory.managed_alternative(f.server)
    if alt is None:
        return DecisionStep(q.id, q.question, "unknown, assumed no", (f"not declared: {q.silent_because}",),
                            assumed=True)
    at = f.inventory.setting_source(f.server, "managed_alternative")
    text = f"inventory: managed_alternative.available {str(alt.available).lower()}" + (f" ({at})" if at else "")
    return DecisionStep(q.id, q.question, "yes" if alt.available else "no",
                        (text,) + ((alt.note,) if alt.note else ()))


def need(f: Server) -> tuple[str, bool, str]:
    """The most exposed pattern the audience calls for, whether that was assumed, and why."""
    audience = f.inventory.audience(f.server)
    if audience is not None:
        return _AUDIENCE_NEED[audience], False, f"audience {audience}"
    reason = f.inventory.remote_reason(f.server)
    if reason is not None and reason.reason in _REASON_NEED:
        return _REASON_NEED[reason.reason], False, f"remote_reason {reason.reason}"
    return "internal_http", True, "no audience declared: assumed internal use at most"
