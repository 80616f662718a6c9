"""Properties of per-tool placement and split plans over random tool sets, credentials and inventories."""

from __future__ import annotations

import os
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcprisk import place, place_tool
from mcprisk.catalog import catalog
from mcprisk.inventory import Inventory
from mcprisk.model import CONTROLS, PATTERNS
from mcprisk.placement.facts import Facts, Server
from mcprisk.placement.nogo import nogo02_clear_without, nogo02_shared_credential

from placement_kit import SERVER, FixedPosture, inventory
from test_placement_properties import LOCATIONS, a_tool, credential_maps, inventories, tool_sets

pytestmark = pytest.mark.slow  # brute-force properties over many generated servers

RANK = {p: catalog().rank(p) for p in PATTERNS}
EXAMPLES = int(os.environ.get("MCPRISK_PROPERTY_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The brute-force minimality check places every subset of a plan: fewer examples, same strategies.
BRUTE = settings(max_examples=max(20, EXAMPLES // 2), deadline=None, suppress_health_check=[HealthCheck.too_slow])

postures = st.one_of(st.none(), st.dictionaries(st.sampled_from(CONTROLS), st.sampled_from(["verified", "missing"]),
                                                max_size=5))
verified_only = st.one_of(st.none(), st.dictionaries(st.sampled_from(CONTROLS), st.just("verified"), max_size=5))
cases = st.tuples(tool_sets, credential_maps, inventories(), postures, st.sampled_from(LOCATIONS))


def run(tools, creds, inv, seen, where):
    transport, url = where
    return place(SERVER, transport=transport, url=url, tools=tools, tool_credentials=creds,
                 inventory=inv if isinstance(inv, Inventory) else inventory(inv),
                 posture=FixedPosture(seen) if seen is not None else None)


def enabled(tools, inv):
    return [t for t in tools if not t.disabled and not inv.tool_disabled(SERVER, t.tool)]


@SETTINGS
@given(cases, st.sampled_from([f"x{i}" for i in range(3)]), st.data())
def test_a_tools_own_placement_never_depends_on_the_other_tools(case, extra, data):
    """A tool's placement is the same alone (place_tool), among its server's tools, and with one more tool."""
    tools, creds, doc, seen, (transport, url) = case
    inv = inventory(doc)
    posture = FixedPosture(seen) if seen is not None else None
    p = run(tools, creds, inv, seen, (transport, url))
    more = run([*tools, data.draw(a_tool(extra))], creds, inv, seen, (transport, url))
    for t in tools:
        alone = place_tool(SERVER, t, transport=transport, url=url, credentials=creds.get(t.tool, ()), inventory=inv,
                           posture=posture)
        assert p.tool(t.tool) == alone == more.tool(t.tool)


@SETTINGS
@given(cases)
def test_the_server_is_never_more_exposed_than_its_most_restricted_enabled_tool(case):
    """The server's recommendation and allowed patterns are within every enabled tool's own."""
    tools, creds, doc, seen, where = case
    inv = inventory(doc)
    p = run(tools, creds, inv, seen, where)
    for t in enabled(tools, inv):
        own = p.tool(t.tool)
        assert RANK[p.recommended] <= RANK[own.recommended]
        assert set(p.allowed) <= set(own.allowed)
    held = {h.tool for h in p.held_back_by}
    assert held <= {t.tool for t in enabled(tools, inv)}
    if p.split_plan is not None:
        assert held >= set(p.split_plan.move)


@SETTINGS
@given(cases, st.sampled_from([f"x{i}" for i in range(3)]), st.data())
def test_disabled_tools_do_not_count(case, extra, data):
    """A tool disabled in the inventory, however dangerous, changes neither the server's placement nor its plans."""
    tools, creds, doc, seen, where = case
    new = data.draw(a_tool(extra))
    doc.setdefault("servers", {}).setdefault(SERVER, {}).setdefault("tools", {})[extra] = {"disabled": True}
    inv = inventory(doc)
    before = run(tools, creds, inv, seen, where)
    after = run([*tools, new], creds, inv, seen, where)
    assert after.recommended == before.recommended and after.allowed == before.allowed
    assert after.blocked_by == before.blocked_by
    assert after.split_plans == before.split_plans and after.held_back_by == before.held_back_by
    assert after.tool(extra).disabled


@BRUTE
@given(st.tuples(tool_sets, credential_maps, inventories(), verified_only, st.sampled_from(LOCATIONS)))
def test_every_split_plan_is_minimal_and_keeps_its_promise(case):
    """Each plan partitions the enabled tools; with its tools disabled and its remaining controls declared, only
    its remaining blockers stand between the rest and the target (no tool cap keeps it out); no proper subset of
    ``move`` does as much."""
    tools, creds, doc, seen, (transport, url) = case
    inv = inventory(doc)
    p = run(tools, creds, inv, seen, (transport, url))
    names = {t.tool for t in enabled(tools, inv)}
    for plan in p.split_plans:
        assert set(plan.move) | set(plan.keep) == names and not set(plan.move) & set(plan.keep) and plan.keep
        assert RANK[plan.target_pattern] > RANK[p.recommended]

        def unlocks(moved) -> bool:
            trial = inv
            for name in moved:
                trial = trial.with_tool(SERVER, name, disabled=True)
            for control in plan.remaining_controls:
                trial = trial.with_control(SERVER, control, "in_place")
            q = run(tools, creds, trial, seen, (transport, url))
            capped = q.ceiling is not None and any(
                h.tool is not None and RANK[h.pattern] < RANK[plan.target_pattern] for h in q.ceiling.held_by)
            return (set(q.blocked_by) <= set(plan.remaining_blockers)
                    and not q.missing_by_pattern[plan.target_pattern] and not capped)

        assert unlocks(plan.move)
        for size in range(len(plan.move)):
            for subset in combinations(plan.move, size):
                assert not unlocks(subset), (plan, subset)


@SETTINGS
@given(cases)
def test_the_counted_shared_credential_test_is_the_sign_itself(case):
    """nogo02_clear_without says, for every subset of tools taken out, exactly whether NOGO02 is absent for the rest."""
    tools, creds, doc, _, _ = case
    srv = Server(SERVER, "stdio", None, inventory(doc), None, True)
    effective = {t.tool: frozenset(creds.get(t.tool, ())) for t in tools}
    clear = nogo02_clear_without(srv, tools, effective)
    for size in range(len(tools) + 1):
        for moved in combinations(tools, size):
            rest = tuple(t for t in tools if t not in moved)
            facts = Facts(srv, rest, {t.tool: effective[t.tool] for t in rest})
            assert clear(moved) == (nogo02_shared_credential(facts) is None)
