"""The measuring harness itself: corpus loading, launch commands, grouped folds, and reading the JSON report."""

from __future__ import annotations

import json

import pytest

from classifier_eval import blind_slice, evaluate, folds, launch_command, load_corpus, load_split
from mcprisk.assessment import assess
from mcprisk.snapshot import Snapshot, item_from_wire
from mcprisk.specs import ServerSpec


def _snapshot() -> Snapshot:
    tools = tuple(item_from_wire("tools", {"name": n, "description": d, "inputSchema": {"type": "object"}},
                                 max_text_chars=1000)
                  for n, d in (("list_notes", "List notes."), ("delete_note", "Delete a note.")))
    return Snapshot(server=ServerSpec.stdio(["npx", "-y", "notes-mcp@1.2.3"]), status="complete", tools=tools)


def _write(folder, slug, snap, rows) -> None:
    snap.save(folder / f"{slug}.snapshot.json")
    (folder / f"{slug}.labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _row(tool, effects, flags=()):
    return {"server": "npm-notes-mcp", "tool": tool, "effects": list(effects), "primary": effects[-1],
            "flags": list(flags), "note": "", "labeller": "test"}


def test_corpus_layout_is_read_and_measured_through_assess(tmp_path):
    """A snapshot and its labels in the corpus layout are measured through assess(), as reviewers measure."""
    _write(tmp_path, "npm-notes-mcp", _snapshot(), [_row("list_notes", ["read_only"], ["private_data"]),
                                                    _row("delete_note", ["destructive"])])
    (server,) = load_corpus(tmp_path, "dev")
    report = evaluate([server])
    direct = assess([server.snapshot])
    assert report.n == 2
    assert {p.tool: p.primary for p in report.predictions} == {t.tool: t.primary for t in direct.tools}
    assert report.exact_rate == 1.0


def test_labels_must_follow_the_rubric_and_the_snapshot(tmp_path):
    """A label whose primary is not its most severe effect, or for a tool the snapshot lacks, is refused."""
    _write(tmp_path, "a", _snapshot(), [{**_row("delete_note", ["reversible", "destructive"]), "primary": "reversible"}])
    with pytest.raises(ValueError, match="rubric"):
        load_corpus(tmp_path, "dev")
    (tmp_path / "a.snapshot.json").unlink()
    _write(tmp_path, "b", _snapshot(), [_row("rename_note", ["reversible"])])
    with pytest.raises(ValueError, match="does not have"):
        load_corpus(tmp_path, "dev")


def test_launch_commands_are_the_published_ones():
    """npm and PyPI packages launch as an operator's config would; a repository runs its program."""
    assert launch_command("npm:@acme/mcp", "introspected @acme/mcp@1.0.0 --tools=all") == [
        "npx", "-y", "@acme/mcp@1.0.0", "--tools=all"]
    assert launch_command("pypi:acme-mcp", "introspected acme-mcp@2.0") == ["uvx", "acme-mcp@2.0"]
    assert launch_command("npm:@acme/mcp-server", "npm:@acme/mcp-server (tools/list, 9 tools)") == [
        "npx", "-y", "@acme/mcp-server"]
    assert launch_command("pypi:acme-mcp", "pypi:acme-mcp (tools/list, 2 tools)") == ["uvx", "acme-mcp"]
    assert launch_command("acme/acme-mcp-server", "acme/acme-mcp-server:src/server.py@abc") == ["acme-mcp-server"]


@pytest.mark.parametrize("by", ["server", "domain"])
def test_folds_keep_groups_whole(by):
    """No server (or domain) is split across folds, every server is in exactly one fold, and the seed fixes them."""
    dev = load_split("dev")
    parts = folds(dev, 5, seed=3, by=by)
    key = (lambda s: s.slug) if by == "server" else (lambda s: s.domain)
    owner = {}
    for i, part in enumerate(parts):
        for s in part:
            assert owner.setdefault(key(s), i) == i
    assert sorted(s.slug for part in parts for s in part) == sorted(s.slug for s in dev)
    assert [[s.slug for s in p] for p in parts] == [[s.slug for s in p] for p in folds(dev, 5, seed=3, by=by)]


def test_blind_slice_is_a_fixed_fifth_spread_over_domains():
    """The blind slice takes about a fifth of the development servers, whole, from many domains, and the
    seed alone fixes it (so the part never error-analysed stays the same between runs)."""
    dev = load_split("dev")
    tuning, blind = blind_slice(dev)
    assert sorted(s.slug for s in tuning + blind) == sorted(s.slug for s in dev)
    assert not {s.slug for s in tuning} & {s.slug for s in blind}
    assert abs(len(blind) - len([s for s in dev if not s.promoted_from]) / 5) <= 1
    assert len({s.domain for s in blind}) >= len(blind) // 2
    assert [s.slug for s in blind] == [s.slug for s in blind_slice(dev)[1]]
    assert [s.slug for s in blind] != [s.slug for s in blind_slice(dev, seed="another")[1]]


# The blind slice as drawn in round 2 and kept since: promoting a held-out split into dev must not change it.
BLIND_SLUGS = frozenset("""
@cocal/google-calendar-mcp @gongrzhe/server-gmail-autoauth-mcp @modelcontextprotocol/server-gdrive
@neondatabase/mcp-server-neon @openbnb/mcp-server-airbnb @upstash/context7-mcp airtable-mcp-server
awslabs.aws-api-mcp-server awslabs.eks-mcp-server mcp-atlassian mongodb-mcp-server npm-agent-infra__mcp-server-browser
npm-clerk__agent-toolkit npm-gongrzhe__server-travelplanner-mcp npm-iterable__mcp npm-mcp-ssh-manager
npm-mcpfun__mcp-server-ccxt npm-owine__unifi-protect-mcp npm-perplexity-ai__mcp-server npm-rollbar__mcp-server
npm-serpstat__serpstat-mcp-server npm-shortcut__mcp npm-vapi-ai__mcp-server npm-vercel-mcp npm-zereight__mcp-gitlab
pypi-awslabs.s3-tables-mcp-server pypi-duckduckgo-mcp-server pypi-mcp-for-blender pypi-opensearch-mcp-server-py
replicate-mcp
""".split())


def test_blind_slice_membership_is_pinned():
    """The blind slice is the same 30 servers it has been since it was drawn, whatever is promoted into dev; no
    promoted server is in it."""
    dev = load_split("dev")
    _, blind = blind_slice(dev)
    assert {s.slug for s in blind} == BLIND_SLUGS
    assert not any(s.promoted_from for s in blind)
    assert sum(s.promoted_from == "holdout" for s in dev) == 81  # 82, less mcp-obsidian (also in holdout2)
    assert sum(s.promoted_from == "holdout2" for s in dev) == 72  # promoted whole in round 7
    assert sum(s.promoted_from == "holdout4" for s in dev) == 50  # promoted whole in round 8
    assert sum(s.promoted_from == "holdout5" for s in dev) == 65  # promoted whole in round 9
    assert sum(s.promoted_from == "holdout6" for s in dev) == 98  # promoted whole in round 10
    assert sum(s.promoted_from == "holdout7" for s in dev) == 97  # promoted whole in round 11

