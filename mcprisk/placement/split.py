"""Split plans: which tools to move off a server so that the rest may be hosted more openly.

The guide asks operators to separate read-only tools from mutating ones and to expose only the tools they
can authenticate, scope, log and shut off. A ``SplitPlan`` says how, for one target pattern more exposed
than the server's recommendation (and no more exposed than its audience needs): the tools to move to a
separate local-only server (or disable), the controls and no-go signs the remaining tools still need
cleared, and the credentials tools on both sides of the split share, which must be split too.

What counts. Some of what a pattern asks for does not depend on what the tools do: the pattern's baseline,
what the server's credentials and data stores call for, the server-wide no-go signs. That is measured on
the server's tools *neutralised* (same names, credentials and data stores, every tool read-only without
flags), with those server-wide controls assumed in place. A tool set fits the target when, under the same
assumption, it needs nothing more than that. Everything the kept tools still miss becomes the plan's
``remaining_controls``; blockers that no control clears (an undeclared stage, an incomplete inventory) its
``remaining_blockers``.

Minimality. Adding a tool never shrinks what a server needs (the placement is monotone in its tools), so:
a tool that needs more than the server-wide set on its own must move in every plan; the remaining tools can
still conflict only together (a broad credential shared by a mutating and another tool, an off switch
every tool must declare), and the smallest such set is searched exactly when the candidates are few, else
greedily. Either way, a final pass puts back every moved tool the rest can take, so no proper subset of
``move`` reaches the same target (tests/test_split.py checks it by brute force).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from itertools import combinations
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..model import CONTROLS, PATTERNS, ToolAssessment, effect_rank
from .decide import Decision, decide, single, wide
from .words import describe, names
from .facts import Server
from .nogo import nogo02_clear_without
from .results import HeldBack, SplitPlan, ToolPlacement

if TYPE_CHECKING:  # pragma: no cover
    from ..inventory import Inventory

__all__ = ["apply_split", "split_plans_and_holders"]

_EXACT_LIMIT = 12  # candidates for an exhaustive search of the smallest conflicting subset (2**12 cheap checks)
_GATE_LIMIT = 12  # moved tools tried behind an approval gate and an off switch
_GATEABLE = frozenset({"NOGO05", "NOGO07", "consent_approvals", "off_switch"})
_WHERE = {"internal_http": "served internally (internal_http)", "public_remote": "published (public_remote)",
          "managed_gateway": "offered through a managed gateway (managed_gateway)"}


def apply_split(inventory: "Inventory", plan: SplitPlan, *, declare_controls: bool = False) -> "Inventory":
    """The inventory after the plan: every moved tool disabled on the server (and, with ``declare_controls``,
    the remaining controls declared in place). Reassess with it to see the placement the plan promises."""
    for name in plan.move:
        inventory = inventory.with_tool(plan.server, name, disabled=True,
                                        note=f"moved off {plan.server} by the split plan for {plan.target_pattern}")
    if declare_controls:
        for control in plan.remaining_controls:
            inventory = inventory.with_control(plan.server, control, "in_place", "declared with the split plan")
    return inventory


# --------------------------------------------------------------------------------------------
# Computing plans (called by mcprisk.placement.place with its decision context)


def split_plans_and_holders(srv: Server, decision: Decision, active: Sequence[ToolAssessment],
                            creds: Mapping[str, frozenset[str]],
                            own: Mapping[str, ToolPlacement]) -> tuple[tuple[SplitPlan, ...], tuple[HeldBack, ...]]:
    """The split plans for every target pattern, nearest first, and the tools that hold the server back.
    ``creds`` maps every tool to its effective credentials (``facts.effective_credentials``)."""
    cat, w = srv.cat, wide(srv)
    current = decision.recommended
    targets = [p for p in PATTERNS if cat.rank(current) < cat.rank(p) <= cat.rank(w.need)
               and (p != "managed_gateway" or w.dt5.yes) and p not in decision.allowed]
    if not active or not targets:
        return (), ()
    plans: list[SplitPlan] = []
    extras_by_target: list[dict[str, frozenset[str]]] = []
    shared: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}
    # Every tool read as a harmless reader: what the server needs whatever its tools do (the same for every target).
    neutral = tuple(replace(t, effects=("read_only",), flags=()) for t in active)
    neutral_needs = decide(srv, neutral, creds, effective=True)
    for target in targets:
        plan, extras, together = _plan(srv, active, creds, target, neutral, neutral_needs)
        extras_by_target.append(extras)
        if plan is not None:
            plans.append(plan)
        if target == targets[0]:
            shared = together

    held: list[HeldBack] = []
    need_rank = cat.rank(w.need)
    for t in active:
        reach, adds, together = current, frozenset(), ()
        for target, extras in zip(targets, extras_by_target):
            if extras[t.tool]:
                adds = extras[t.tool]
                break
            reach = target
        if not adds:
            if t.tool not in shared:
                continue
            (adds, together), reach = shared[t.tool], current
        held.append(HeldBack(t.tool, own[t.tool].recommended if t.tool in own else current, reach,
                             max(0, need_rank - cat.rank(reach)), _ordered(adds), together))
    held.sort(key=lambda h: (cat.rank(h.reach), -effect_rank(_primary(active, h.tool)), h.tool))
    return tuple(plans), tuple(held)


def _primary(tools: Sequence[ToolAssessment], name: str) -> str:
    return next(t.primary for t in tools if t.tool == name)


def _ordered(items: Iterable[str]) -> tuple[str, ...]:
    """Blockers (DT1, NOGO..) first in id order, then controls in vocabulary order."""
    items = set(items)
    return tuple(sorted(i for i in items if i not in CONTROLS)) + tuple(c for c in CONTROLS if c in items)


def _plan(srv: Server, active: Sequence[ToolAssessment], creds: Mapping[str, frozenset[str]], target: str,
          neutral: Sequence[ToolAssessment], neutral_needs: Decision
          ) -> tuple[SplitPlan | None, dict[str, frozenset[str]], dict[str, tuple[frozenset[str], tuple[str, ...]]]]:
    """(plan or None, what each tool adds beyond the server-wide needs at ``target``, tools moved only for
    what they cause together: name -> (what, with whom)). ``neutral`` is ``active`` read as harmless readers and
    ``neutral_needs`` the decision for them on ``srv`` (worked out once for every target)."""
    wide = neutral_needs.missing[target]
    srv_r = srv.with_controls(wide)
    baseline = decide(srv_r, neutral, creds, effective=True).gap(target)
    extras = {t.tool: single(srv_r, t, creds[t.tool]).gap(target) - baseline for t in active}
    forced = [t for t in active if extras[t.tool]]
    candidates = [t for t in active if not extras[t.tool]]
    if not candidates:
        return None, extras, {}

    def fits(tools: Sequence[ToolAssessment]) -> bool:
        return not (decide(srv_r, tools, creds, effective=True).gap(target) - baseline)

    together: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}
    extra_moves: tuple[ToolAssessment, ...] = ()
    d = decide(srv_r, candidates, creds, effective=True)
    conflict = d.gap(target) - baseline
    if conflict:
        extra_moves = _resolve(srv_r, candidates, creds, d, conflict, fits)
        named = {n: tuple(sorted(x for x in s.tools if x in {c.tool for c in candidates}))
                 for n in conflict if (s := next((g for g in d.no_go if g.id == n), None)) is not None}
        for t in extra_moves:
            why = frozenset(n for n, users in named.items() if t.tool in users) or conflict
            others = tuple(sorted({x for n in why for x in named.get(n, ()) if x != t.tool}))
            together[t.tool] = (why, others)
    moved = {t.tool for t in (*forced, *extra_moves)}
    keep = tuple(t for t in active if t.tool not in moved)
    if not keep or not fits(keep):
        return None, extras, together
    move = tuple(t for t in active if t.tool in moved)

    remaining = decide(srv, keep, creds, effective=True).missing[target]
    after = decide(srv.with_controls(remaining), keep, creds, effective=True)
    blockers = after.blocked_by
    split = tuple(sorted(frozenset().union(*(creds[t.tool] for t in keep))
                         & frozenset().union(*(creds[t.tool] for t in move))))
    gate = _gateable(srv_r, keep, move, creds, target, extras)
    reasons = MappingProxyType({t.tool: _ordered(extras[t.tool] or together.get(t.tool, (frozenset(), ()))[0])
                                for t in move})
    plan = SplitPlan(srv.server, target, tuple(t.tool for t in move), tuple(t.tool for t in keep), remaining, split,
                     "", blockers, gate, reasons)
    return replace(plan, text=_text(plan)), extras, together


def _resolve(srv_r: Server, candidates: Sequence[ToolAssessment], creds: Mapping[str, frozenset[str]],
             d: Decision, conflict: frozenset[str], fits: Any) -> tuple[ToolAssessment, ...]:
    """The tools to move from ``candidates`` (each fine alone) so that the rest fit together: the smallest
    such set when a cheap exact search is possible, else a greedy choice; then made inclusion-minimal."""
    if conflict == {"NOGO02"}:
        sign = next(g for g in d.no_go if g.id == "NOGO02")
        pool = [t for t in candidates if t.tool in sign.tools]
        clear = nogo02_clear_without(srv_r, candidates, creds)  # the shared-credential sign alone, cheaply
    else:
        pool = [t for t in candidates if any(t.tool in g.tools for g in d.no_go if g.id in conflict)] \
            if conflict <= {g.id for g in d.no_go} else list(candidates)
        clear = None
    pool.sort(key=lambda t: (-effect_rank(t.primary), -len(t.flags), t.tool))

    def rest(moved: Sequence[ToolAssessment]) -> tuple[ToolAssessment, ...]:
        out = {t.tool for t in moved}
        return tuple(t for t in candidates if t.tool not in out)

    def ok(moved: Sequence[ToolAssessment]) -> bool:  # the rest fit once ``moved`` leave
        return clear(moved) if clear is not None else fits(rest(moved))

    chosen: tuple[ToolAssessment, ...] | None = None
    if clear is not None and len(pool) <= _EXACT_LIMIT:
        for size in range(1, len(pool) + 1):
            chosen = next((c for c in combinations(pool, size) if ok(c)), None)
            if chosen is not None:
                break
    if chosen is None:  # greedy: the most dangerous first, until the rest fit
        picked: list[ToolAssessment] = []
        for t in pool + [t for t in candidates if t not in pool]:
            if ok(picked):
                break
            picked.append(t)
        chosen = tuple(picked)
    # Put back every tool the rest can take (monotone: checking one at a time is enough).
    kept_out = list(chosen)
    for t in sorted(chosen, key=lambda t: (effect_rank(t.primary), len(t.flags), t.tool)):
        trial = [x for x in kept_out if x is not t]
        if ok(trial):
            kept_out = trial
    if not fits(rest(kept_out)):  # the cheap check missed something: fall back to the full decision
        kept_out = list(candidates) if not fits(()) else _greedy_full(candidates, fits)
    return tuple(sorted(kept_out, key=lambda t: t.tool))


def _greedy_full(candidates: Sequence[ToolAssessment], fits: Any) -> list[ToolAssessment]:
    order = sorted(candidates, key=lambda t: (-effect_rank(t.primary), -len(t.flags), t.tool))
    out: list[ToolAssessment] = []
    for t in order:
        if fits([x for x in candidates if x not in out]):
            break
        out.append(t)
    for t in list(reversed(out)):
        trial = [x for x in out if x is not t]
        if fits([x for x in candidates if x not in trial]):
            out = trial
    return out


def _gateable(srv_r: Server, keep: Sequence[ToolAssessment], move: Sequence[ToolAssessment],
              creds: Mapping[str, frozenset[str]], target: str,
              extras: Mapping[str, frozenset[str]]) -> tuple[str, ...]:
    """Moved tools that could stay, all together, each behind a human approval gate and an off switch of its
    own (only tools whose sole excess is the missing gate or switch are tried)."""
    kept_creds = frozenset().union(*(creds[x.tool] for x in keep))

    def shares(t: ToolAssessment) -> bool:  # a broad credential shared with the kept tools: gating cannot help
        return any((d := srv_r.inventory.credential(c)) is None or d.breadth != "narrow"
                   for c in creds[t.tool] & kept_creds)

    candidates = [t for t in move if extras[t.tool] and extras[t.tool] <= _GATEABLE and not shares(t)][:_GATE_LIMIT]

    def fits(tools: Sequence[ToolAssessment]) -> bool:
        inventory = srv_r.inventory
        for t in tools:
            inventory = inventory.with_tool(srv_r.server, t.tool, approval=True, off_switch=True)
        srv_g = srv_r.with_inventory(inventory)
        kept = tuple(sorted((*keep, *tools), key=lambda x: x.tool))
        neutral = tuple(replace(x, effects=("read_only",), flags=()) for x in kept)
        return not (decide(srv_g, kept, creds, effective=True).gap(target)
                    - decide(srv_g, neutral, creds, effective=True).gap(target))

    if not candidates or fits(candidates):
        return tuple(t.tool for t in candidates)
    out: list[ToolAssessment] = []  # cumulative: what is listed may stay together
    for t in candidates:
        if fits([*out, t]):
            out.append(t)
    return tuple(t.tool for t in out)


def _names(items: Sequence[str]) -> str:
    quoted = [f"`{i}`" for i in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _text(plan: SplitPlan) -> str:
    where = _WHERE.get(plan.target_pattern, plan.target_pattern)
    n = len(plan.keep)
    rest = f"the remaining {n} tool{'s' if n != 1 else ''}"
    if plan.move:
        them = "it" if len(plan.move) == 1 else "them"
        text = f"Move {_names(plan.move)} to a separate local-only server (or disable {them}); {rest} may be {where}"
    else:
        text = f"No tool needs to move: all {n} tool{'s' if n != 1 else ''} may be {where}"
    if plan.remaining_controls:
        verb = "is" if len(plan.remaining_controls) == 1 else "are"
        text += f" once {names([describe(c, lower=True) for c in plan.remaining_controls])} {verb} in place"
    if plan.remaining_blockers:
        what = "this is" if len(plan.remaining_blockers) == 1 else "these are"
        text += (" and " if plan.remaining_controls else " once ") + f"{what} cleared: " + names(
            [describe(b, lower=True) for b in plan.remaining_blockers])
    if not plan.remaining_controls and not plan.remaining_blockers:
        text += " now"
    text += "."
    if plan.split_credentials:
        one = len(plan.split_credentials) == 1
        text += (f" Split {_names(plan.split_credentials)} too: tools on both sides use {'it' if one else 'them'}, "
                 "so give each server its own.")
    if plan.gate:
        one = len(plan.gate) == 1
        text += (f" {_names(plan.gate)} may stay instead, behind a human approval gate and an off switch of "
                 f"{'its' if one else 'their'} own.")
    return text
