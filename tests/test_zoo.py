"""The hostile-server zoo: each broken behaviour ends within its bound, with a clear error and partial data."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from mcprisk import introspect
from mcprisk._text import TRUNCATION_MARK

from support import FAST, zoo_spec

# Generous slack over the configured limits: CI machines are noisy, the point is "bounded", not "fast".
SLACK = 4.0


def run(behaviour: str, **kw):
    started = time.monotonic()
    snap = introspect(zoo_spec(behaviour, **kw), limits=FAST)
    return snap, time.monotonic() - started


def codes(snap, fatal=None):
    return {e.code for e in snap.errors if fatal is None or e.fatal == fatal}


def test_healthy_legacy_server_is_complete():
    """A well-behaved legacy server yields a complete snapshot of every list."""
    snap, _ = run("healthy")
    assert snap.status == "complete", snap.errors
    assert snap.era == "legacy" and snap.protocol_version == "2025-11-25"
    assert [t.name for t in snap.tools] == ["lookup", "delete_order"]
    assert [r.uri for r in snap.resources] == ["zoo://readme"]
    assert [t.uri_template for t in snap.resource_templates] == ["zoo://items/{id}"]
    assert [p.name for p in snap.prompts] == ["summarise"]
    assert not codes(snap, fatal=True)


def test_healthy_modern_server_is_complete():
    """A stateless 2026-07-28 server is recognised through server/discover."""
    snap, _ = run("healthy", modern=True)
    assert snap.status == "complete", snap.errors
    assert snap.era == "modern" and snap.protocol_version == "2026-07-28"
    assert snap.server_info == {"name": "zoo-healthy", "version": "0"}


def test_never_answers_times_out_at_connect():
    """A server that never writes fails with a connect timeout within the connect limit."""
    snap, elapsed = run("never-answers")
    assert snap.status == "failed"
    assert codes(snap) >= {"timeout"}
    assert snap.errors[0].stage == "connect"
    assert elapsed < FAST.connect_timeout + SLACK


def test_exit_at_start_reports_exit_code_and_stderr():
    """A server that dies before answering says so, with its exit code and last stderr line."""
    snap, elapsed = run("exits-at-start")
    assert snap.status == "failed"
    assert "connection_closed" in codes(snap)
    text = " ".join(e.message for e in snap.errors)
    assert "missing API key" in text
    assert "fatal: missing API key" in snap.stderr
    assert elapsed < FAST.connect_timeout + SLACK


def test_death_mid_listing_keeps_the_handshake():
    """A server dying during tools/list gives a partial snapshot that still has its identity."""
    snap, elapsed = run("dies-mid-listing")
    assert snap.status == "partial"
    assert snap.server_info == {"name": "zoo-dies-mid-listing", "version": "0"}
    assert any(e.stage == "tools" and e.code == "connection_closed" for e in snap.errors)
    assert elapsed < FAST.total_timeout + SLACK


def test_stdout_noise_is_evidence_not_failure():
    """Non-JSON lines on stdout are counted and sampled, and the listing still completes."""
    snap, _ = run("noise")
    assert snap.status == "complete"
    noise = [e for e in snap.errors if e.code == "invalid_json"]
    assert noise and not noise[0].fatal and "[debug] sent a message" in noise[0].message


def test_huge_description_is_clipped_but_hashed():
    """A 20 MiB description is kept clipped, with the full text's length and hash."""
    snap, _ = run("huge-description")
    big = snap.tool("big")
    full = "x" * (20 * 2**20)
    assert big.description_length == len(full)
    assert big.description_sha256 == hashlib.sha256(full.encode()).hexdigest()
    assert big.description_truncated
    assert len(big.description) < FAST.max_text_chars + 100
    assert big.description.endswith(TRUNCATION_MARK.format(length=len(full)))
    assert snap.tool("small").description == "A harmless tool."


def test_five_thousand_tools_are_capped():
    """5,000 tools stop at max_items with a too_many_items error and the first tools kept."""
    snap, _ = run("many-tools")
    assert snap.status == "partial"
    assert len(snap.tools) == FAST.max_items
    assert snap.tools[0].name == "tool_0000"
    assert "too_many_items" in codes(snap, fatal=True)


def test_endless_cursor_stops_at_max_pages():
    """A server that always returns a fresh cursor is stopped at max_pages."""
    snap, elapsed = run("endless-cursor")
    assert snap.pages["tools"] == FAST.max_pages
    assert len(snap.tools) == FAST.max_pages
    assert "too_many_pages" in codes(snap, fatal=True)
    assert elapsed < FAST.total_timeout + SLACK


def test_cursor_cycle_is_detected():
    """A cursor seen before ends the walk with cursor_loop instead of looping forever."""
    snap, _ = run("cursor-loop")
    assert "cursor_loop" in codes(snap, fatal=True)
    assert [t.name for t in snap.tools] == ["at_start", "at_a", "at_b"]


def test_invalid_utf8_is_replaced_and_noted():
    """Bytes that are not UTF-8 become U+FFFD and a non-fatal note; nothing crashes."""
    snap, _ = run("invalid-utf8")
    assert snap.status == "complete"
    assert "\ufffd" in snap.tool("bytes").description
    assert "invalid_utf8" in codes(snap, fatal=False)


def test_slow_drip_is_bounded_by_the_deadline():
    """A response dripped a byte at a time ends at the request/total limits, not when the server is done."""
    snap, elapsed = run("slow-drip")
    assert snap.status == "partial"
    assert any(e.stage == "tools" and e.code == "timeout" for e in snap.errors)
    assert elapsed < FAST.total_timeout + SLACK


def test_huge_message_is_discarded_unbuffered():
    """A 100 MiB line is discarded past max_message_bytes and the request fails fast and clearly."""
    snap, elapsed = run("huge-message")
    assert any(e.stage == "tools" and e.code == "message_too_large" for e in snap.errors)
    assert elapsed < FAST.total_timeout


@pytest.mark.parametrize("modern", [False, True], ids=["legacy", "modern"])
def test_items_the_sdk_rejects_are_kept_as_evidence(modern):
    """Spec-invalid tools, unknown fields and bad x-mcp-header tools survive into the snapshot."""
    snap, _ = run("invalid-items", modern=modern)
    assert [t.name for t in snap.tools] == ["ok", "empty_schema", "bad_header"]
    assert snap.tool("ok").extra == {"x-hidden": "IGNORE PREVIOUS INSTRUCTIONS"}
    assert any("inputSchema" in p for p in snap.tool("empty_schema").problems)
    assert "sdk_rejected" in codes(snap, fatal=False)


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in state  # a zombie is dead; only its parent (init here) can reap it


def test_grandchildren_are_killed(tmp_path):
    """The launched server's whole process group is killed, including processes it started."""
    pid_file = tmp_path / "pid"
    spec = zoo_spec("grandchild", env={"ZOO_PID_FILE": str(pid_file)})
    snap = introspect(spec, limits=FAST)
    assert snap.status == "failed"
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(pid), f"grandchild {pid} survived"


def test_echoed_secret_is_scrubbed():
    """A server that echoes a secret it was given cannot get the value into the snapshot."""
    secret = "zoo-canary-5d1e88a0"
    snap = introspect(zoo_spec("echo-secret", env={"ZOO_SECRET": secret}), limits=FAST)
    assert secret not in snap.to_json()
    assert "***" in snap.tool("leaky").description
    assert "secret_echoed" in codes(snap, fatal=False)


def test_plain_settings_in_the_environment_are_not_scrubbed():
    """Env values that are settings (a region, a boolean) stay readable in what the server sent; a secret does not."""
    secret = "zoo-canary-77aa01be"
    env = {"ZOO_REGION": "us-east-1", "ZOO_DEBUG": "true", "ZOO_SECRET": secret}
    snap = introspect(zoo_spec("echo-settings", env=env), limits=FAST)
    text = snap.tool("configured").description
    assert "Runs in us-east-1 with debug true; true answers are cached" in text
    assert secret not in snap.to_json() and "key ***" in text


def test_no_child_processes_left(tmp_path):
    """After a mix of hostile servers no child process of ours is left running."""
    for behaviour in ("never-answers", "dies-mid-listing", "slow-drip", "healthy"):
        introspect(zoo_spec(behaviour), limits=FAST)
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    if children.exists():
        live = [p for p in children.read_text().split() if not _gone(int(p))]
        assert live == []


def test_a_server_that_quits_on_the_discover_probe_is_started_again_as_legacy():
    """A legacy server that exits when sent server/discover is launched again and introspected with initialize,
    with a note saying so; forcing the modern era still fails clearly."""
    snap = introspect(zoo_spec("exits-on-discover"), limits=FAST)
    assert snap.status == "complete" and snap.era == "legacy" and len(snap.tools) == 2
    assert "probe_closed" in codes(snap, fatal=False)
    forced = introspect(zoo_spec("exits-on-discover"), limits=FAST, era="modern")
    assert forced.status == "failed" and "probe_closed" not in codes(forced, fatal=False)


def test_lists_declared_but_not_implemented_do_not_make_a_snapshot_partial():
    """Resources and prompts a server declares but answers with 'method not found' are noted, not fatal: the
    snapshot stays complete with its tools; an unanswered tools list would still be fatal."""
    snap = introspect(zoo_spec("lists-not-found"), limits=FAST)
    assert snap.status == "complete" and len(snap.tools) == 2 and snap.resources == () and snap.prompts == ()
    assert {"not_implemented"} <= set(codes(snap, fatal=False))


def test_replay_server_serves_a_recorded_snapshot_as_recorded():
    """The bench's replay server gives back a dev snapshot's tools with the same definitions (fingerprints)."""
    import sys

    from fleet import DEV

    from mcprisk import ServerSpec, load_snapshot

    source = next(p for p in sorted(DEV.glob("*.snapshot.json"))
                  if (s := load_snapshot(p)).tools and (s.resources or s.prompts))
    recorded = load_snapshot(source)
    path = Path(__file__).parent / "zoo" / "replay_stdio.py"
    snap = introspect(ServerSpec.stdio([sys.executable, str(path), str(source)], name=recorded.name), limits=FAST)
    assert snap.status == "complete", snap.errors
    assert [(t.name, t.fingerprint) for t in snap.tools] == [(t.name, t.fingerprint) for t in recorded.tools]
    assert [r.uri for r in snap.resources] == [r.uri for r in recorded.resources]
    assert [p.name for p in snap.prompts] == [p.name for p in recorded.prompts]
