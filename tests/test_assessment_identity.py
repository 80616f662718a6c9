"""The safety net of speed work: the full assessment JSON of the dev corpus, pinned by digest.

Every development snapshot is assessed alone, and the 45-server fleet (tests/fleet.py) together; each
server's part of the JSON report body (tools with their placements, findings, flows, placement and
verdict) is hashed and compared with ``tests/golden/assessment_digests.txt``. A change that makes the
assessment faster must leave every line as it was; a change of judgement (new classifier or content rules)
regenerates the file with ``MCPRISK_UPDATE_GOLDEN=1`` on purpose. Caches are checked in the same run: a
second assessment, a re-assessment and a cache-served copy must give the JSON a fresh one gives.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from fleet import fleet, original_dev
from report_support import check_golden

from mcprisk import load_snapshot
from mcprisk.assessment import assess, reassess
from mcprisk.inventory import Inventory


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _lines(label: str, body: dict[str, Any]) -> list[str]:
    """One line per server of an assessment's JSON body: its parts' digests, so a diff names what moved."""
    out = []
    for server in body["servers"]:
        name = server["name"]
        tools = {t["name"]: t for t in server["tools"]}
        rest = {k: v for k, v in server.items() if k not in ("tools", "placement", "verdict")}
        findings = [f for f in body["findings"] if f["server"] == name]
        flows = [f for f in body["flows"] if name in json.dumps(f)]
        out.append(f"{label} {name}: tools {_digest(tools)} findings {_digest(findings)} "
                   f"flows {_digest(flows)} placement {_digest(server['placement'])} verdict {_digest(server['verdict'])} "
                   f"rest {_digest(rest)}")
    out.append(f"{label} *: failures {_digest(body['rule_failures'])} all {_digest(body)}")
    return out


@pytest.fixture(scope="module")
def dev_snapshots():
    return [load_snapshot(p) for p in original_dev()]


def test_dev_corpus_assessments_match_their_digests(dev_snapshots):
    """Every dev snapshot assessed alone, and the 45-server fleet together, give the pinned JSON digests."""
    lines = []
    for snap in dev_snapshots:
        lines.extend(_lines("alone", assess(snap).to_dict()))
    lines.extend(_lines("fleet", assess(fleet()).to_dict()))
    check_golden("assessment_digests.txt", "\n".join(lines) + "\n")


def test_a_second_assessment_and_a_reassessment_match_a_fresh_one():
    """Assessing the same snapshots again (caches warm) and re-assessing after a control give a fresh run's JSON."""
    snaps = fleet(12)
    first = assess(snaps).to_dict()
    assert assess(snaps).to_dict() == first
    changed = Inventory.empty().with_control(snaps[0].name, "audit_logs", "in_place")
    fresh = assess(snaps, inventory=changed)
    again = reassess(assess(snaps), inventory=changed)
    assert again.to_dict() == fresh.to_dict()
    assert json.dumps(again.to_dict(), sort_keys=True, default=str) != json.dumps(first, sort_keys=True, default=str)


def test_the_same_server_under_two_names_is_judged_as_if_alone(dev_snapshots):
    """A server listed twice (a second name) gets, tool for tool, the judgement a single listing gets."""
    from dataclasses import replace

    snap = next(s for s in dev_snapshots if len(s.tools) >= 10)
    twin = replace(snap, server=replace(snap.server, name=f"{snap.name}-mcp"))
    both = assess([snap, twin])
    alone = assess(twin)
    got = {t.tool: (t.effects, t.flags, t.confidence, t.evidence) for t in both.tools_of(twin.name)}
    want = {t.tool: (t.effects, t.flags, t.confidence, t.evidence) for t in alone.tools}
    assert len(got) == len(snap.tools) and got == want


def test_primed_classifications_give_the_fresh_assessment():
    """Tools classified as their server arrives (assessment.prime, as scan does) give a fresh assess()'s JSON."""
    from mcprisk.assessment import clear_caches, prime

    snaps = fleet(8)
    clear_caches()
    fresh = assess(snaps).to_dict()
    clear_caches()
    for snap in snaps:
        prime(snap)
    assert assess(snaps).to_dict() == fresh


def test_primed_text_pass_is_the_one_assess_reads():
    """assessment.prime builds a snapshot's content subjects once; the next content surface takes those very objects
    (with their concepts already worked out) and later ones build their own; clear_caches forgets unread ones."""
    from mcprisk.assessment import clear_caches, prime
    from mcprisk.rules.content._surface import build_surface, snapshot_subjects

    snap = fleet(3)[0]
    clear_caches()
    prime(snap)
    primed = build_surface([snap]).subjects
    assert primed and all(s._present is not None for s in primed)
    assert [s.text for s in primed] == [s.text for s in snapshot_subjects(snap)]
    again = build_surface([snap]).subjects
    assert again[0] is not primed[0] and again[0]._present is None
    prime(snap)
    clear_caches()
    assert build_surface([snap]).subjects[0]._present is None
