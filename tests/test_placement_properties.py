"""Properties of place() over random tool sets, credentials, inventories and probe results."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcprisk import place
from mcprisk.catalog import catalog
from mcprisk.declarations import AUDIENCES, STAGES
from mcprisk.inventory import Inventory
from mcprisk.model import CONTROLS, EFFECTS, FLAGS, PATTERNS, effect_rank
from mcprisk.placement import placement_findings

from placement_kit import SERVER, FixedPosture, inventory, tool

pytestmark = pytest.mark.slow  # brute-force properties over many generated servers

NAMES = [f"t{i}" for i in range(7)]
CREDS = ["A", "B", "C"]
LOCATIONS = [("stdio", None), ("http", "http://127.0.0.1:8000/mcp"), ("http", "http://10.0.0.9/mcp"),
             ("http", "https://mcp.example.com/mcp")]
RANK = {p: catalog().rank(p) for p in PATTERNS}

# MCPRISK_PROPERTY_EXAMPLES raises the count for a long local run.
SETTINGS = settings(max_examples=int(os.environ.get("MCPRISK_PROPERTY_EXAMPLES", "200")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

maybe = lambda strategy: st.one_of(st.none(), strategy)  # noqa: E731


def a_tool(name: str):
    return st.builds(lambda e, f: tool(name, *e, flags=f), st.sets(st.sampled_from(EFFECTS), max_size=3),
                     st.sets(st.sampled_from(FLAGS), max_size=3))


tool_sets = st.lists(st.sampled_from(NAMES), unique=True, max_size=5).flatmap(
    lambda names: st.tuples(*[a_tool(n) for n in names]).map(list))
credential_maps = st.dictionaries(st.sampled_from(NAMES), st.frozensets(st.sampled_from(CREDS), max_size=2))
statuses = st.sampled_from(["in_place", "planned", "not_in_place"])
control_maps = st.dictionaries(st.sampled_from(CONTROLS), statuses.map(lambda s: {"status": s}), max_size=8)


@st.composite
def inventories(draw) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for key, strategy in (("stage", st.sampled_from(STAGES)), ("audience", st.sampled_from(AUDIENCES)),
                          ("tenants", st.sampled_from(["single", "multi"])),
                          ("remote_reason", st.fixed_dictionaries({"reason": st.sampled_from(
                              ["convenience", "team_sharing", "partner_integration", "saas_product", "other"])})),
                          ("managed_alternative", st.fixed_dictionaries({"available": st.booleans()})),
                          ("controls", control_maps)):
        value = draw(maybe(strategy))
        if value is not None:
            doc[key] = value
    creds = draw(st.lists(st.sampled_from(CREDS), unique=True, max_size=3))
    if creds:
        doc["credentials"] = [{
            "name": name, "servers": [SERVER],
            **{k: v for k, v in {
                "kind": draw(maybe(st.sampled_from(["static_api_key", "service_account", "per_user_oauth", "none"]))),
                "breadth": draw(maybe(st.sampled_from(["narrow", "broad", "admin"]))),
                "storage": draw(maybe(st.sampled_from(["secrets_manager", "protected_env", "config_file"]))),
                "rotation": draw(maybe(st.sampled_from(["automatic", "manual_planned", "none"]))),
                "tools": draw(maybe(st.lists(st.sampled_from(NAMES), unique=True, min_size=1, max_size=3))),
            }.items() if v is not None}} for name in creds]
    if draw(st.booleans()):
        doc["data_stores"] = [{"name": "store", "servers": [SERVER], "classification": draw(st.sampled_from(
            ["public", "internal", "confidential", "customer_pii", "secret"]))}]
    server: dict[str, Any] = {}
    for key in ("proxies_third_party", "third_party_consent_reviewed", "inventory_complete"):
        value = draw(maybe(st.booleans()))
        if value is not None:
            server[key] = value
    server_controls = draw(control_maps)
    if server_controls:
        server["controls"] = server_controls
    tools = draw(st.dictionaries(st.sampled_from(NAMES), st.fixed_dictionaries(
        {}, optional={"approval": st.booleans(), "off_switch": st.booleans(), "disabled": st.booleans()}),
        max_size=4))
    if tools:
        server["tools"] = tools
    doc["servers"] = {SERVER: server}
    return doc


postures = maybe(st.dictionaries(st.sampled_from(CONTROLS), st.sampled_from(["verified", "missing"]), max_size=5))


def run(tools, creds, inv, seen, where):
    transport, url = where
    return place(SERVER, transport=transport, url=url, tools=tools, tool_credentials=creds,
                 inventory=inv if isinstance(inv, Inventory) else inventory(inv),
                 posture=FixedPosture(seen) if seen is not None else None)


cases = st.tuples(tool_sets, credential_maps, inventories(), postures, st.sampled_from(LOCATIONS))


@SETTINGS
@given(cases, st.sampled_from(CONTROLS))
def test_declaring_a_control_never_makes_the_placement_more_restrictive(case, control):
    """One more control declared in place never lowers the recommendation or removes an allowed pattern."""
    tools, creds, doc, seen, where = case
    before = run(tools, creds, doc, seen, where)
    doc["servers"][SERVER].setdefault("controls", {})[control] = {"status": "in_place"}
    after = run(tools, creds, doc, seen, where)
    assert RANK[after.recommended] >= RANK[before.recommended]
    assert set(after.allowed) >= set(before.allowed)


@SETTINGS
@given(cases, st.sampled_from(NAMES), st.data())
def test_adding_a_tool_never_makes_the_placement_less_restrictive(case, name, data):
    """One more tool never raises the recommendation or adds an allowed pattern."""
    tools, creds, doc, seen, where = case
    if name in {t.tool for t in tools}:
        return
    inv = inventory(doc)
    before = run(tools, creds, inv, seen, where)
    after = run([*tools, data.draw(a_tool(name))], creds, inv, seen, where)
    assert RANK[after.recommended] <= RANK[before.recommended]
    assert set(after.allowed) <= set(before.allowed)


@SETTINGS
@given(cases, st.data())
def test_raising_an_effect_or_adding_a_flag_never_makes_it_less_restrictive(case, data):
    """Making one tool more dangerous (a more severe effect, or one more flag) never loosens the placement."""
    tools, creds, doc, seen, where = case
    if not tools:
        return
    index = data.draw(st.integers(0, len(tools) - 1))
    target = tools[index]
    worse = [e for e in EFFECTS if effect_rank(e) > effect_rank(target.primary)]
    new_flags = [f for f in FLAGS if f not in target.flags]
    if data.draw(st.booleans()) and worse:
        changed = tool(target.tool, *target.effects, data.draw(st.sampled_from(worse)), flags=target.flags)
    elif new_flags:
        changed = tool(target.tool, *target.effects, flags=(*target.flags, data.draw(st.sampled_from(new_flags))))
    else:
        return
    inv = inventory(doc)
    before = run(tools, creds, inv, seen, where)
    after = run([*tools[:index], changed, *tools[index + 1:]], creds, inv, seen, where)
    assert RANK[after.recommended] <= RANK[before.recommended]
    assert set(after.allowed) <= set(before.allowed)


@SETTINGS
@given(cases, st.randoms(use_true_random=False))
def test_the_order_of_tools_does_not_matter(case, rnd):
    """Shuffling the tools (and the credential map) gives an identical placement."""
    tools, creds, doc, seen, where = case
    shuffled = list(tools)
    rnd.shuffle(shuffled)
    reordered = dict(sorted(creds.items(), key=lambda kv: rnd.random()))
    inv = inventory(doc)
    assert run(shuffled, reordered, inv, seen, where) == run(tools, creds, inv, seen, where)


@SETTINGS
@given(cases)
def test_allowed_always_holds_local_and_the_recommendation(case):
    """local_stdio and the recommendation are always allowed; allowed is in vocabulary order; findings work."""
    placement = run(*case)
    assert "local_stdio" in placement.allowed and placement.recommended in placement.allowed
    assert list(placement.allowed) == [p for p in PATTERNS if p in placement.allowed]
    assert RANK[placement.recommended] <= RANK[placement.need]
    findings = placement_findings(placement)
    assert len({f.id for f in findings}) == len(findings)
    for step in placement.rationale:
        assert step.answer in ("yes", "no", "unknown, assumed yes", "unknown, assumed no", "inferred yes",
                               "inferred no")
        assert step.assumed == (step.answer not in ("yes", "no"))
