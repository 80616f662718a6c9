"""What a hostile server still got through before issue 17, each case a zoo server on loopback.

The command-line cases run ``python -m mcprisk`` in a child process, so what reaches the real stderr (Python's
last-resort log handler, warnings, tracebacks) is what the test reads.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mcprisk import Limits, ServerSpec, introspect
from mcprisk.assessment import assess

from support import FAST, zoo_http, zoo_spec

KEY = "zoo-api-key-5f3a9c17e2"
HIDDEN = ("\u202e", "\u200b", "\U000e0041", "\u2066", "\x1b", "\x07")


def cli(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command in a child process with a deadline; its real stdout and stderr are returned."""
    return subprocess.run([sys.executable, "-m", "mcprisk", *argv], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "ZOO_KEY": KEY, **(env or {})})


def inspect_url(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return cli("inspect", "--url", url, "--header", "X-Api-Key=env:ZOO_KEY", "--timeout", "20", *extra)


def assert_clean_stderr(stderr: str) -> None:
    """Every stderr line is one of ours, and no traceback, secret or raw escape got there."""
    assert "Traceback" not in stderr and KEY not in stderr
    assert not any(c in stderr for c in HIDDEN)
    for line in stderr.splitlines():
        assert line.startswith("mcprisk: "), line


# -- row 1 and the legacy SSE transport: secrets and tracebacks on stderr --------------------


@pytest.mark.parametrize("behaviour", ["echo-key-sse", "legacy-sse-bad"])
def test_a_secret_echoed_in_an_invalid_message_reaches_no_output(behaviour):
    """A server quoting the X-Api-Key header inside an invalid SSE message gets it into no output and no
    traceback onto stderr (Streamable HTTP and legacy SSE)."""
    with zoo_http(behaviour) as url:
        proc = inspect_url(url, *(["--sse"] if behaviour.startswith("legacy") else []))
    assert KEY not in proc.stdout
    assert_clean_stderr(proc.stderr)


def test_sdk_log_records_are_scrubbed_for_the_applications_handlers():
    """An application logging at DEBUG sees SDK records with the secret removed from message and traceback."""
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(logging.Formatter("%(name)s %(message)s").format(record))

    handler = Collect(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        with zoo_http("echo-key-sse") as url:
            introspect(ServerSpec.http(url, headers={"X-Api-Key": KEY}), limits=FAST)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    text = "\n".join(records)
    assert "Error parsing SSE message" in text and "Traceback" in text  # the evidence is still there...
    assert KEY not in text  # ...without the secret


# -- row 2 and the weaker points: what the terminal is sent ------------------------------------


def test_escape_sequences_in_an_sse_event_name_are_shown_not_obeyed():
    """ESC/OSC/BEL in an SSE event name reach the terminal only as visible text."""
    with zoo_http("escape-event") as url:
        proc = inspect_url(url)
    assert proc.returncode == 0, proc.stderr
    assert_clean_stderr(proc.stderr)
    assert "\\x1b]0;PWNED-TITLE\\x07" in proc.stderr  # shown as evidence, harmless


def test_bidi_zero_width_and_tag_characters_are_made_visible():
    """Tool names and descriptions with bidi overrides, zero-width and tag characters print as ⟨U+XXXX⟩."""
    with zoo_http("bidi-names") as url:
        proc = inspect_url(url)
    assert not any(c in proc.stdout for c in HIDDEN)
    assert "lookup⟨U+202E⟩txt.exe" in proc.stdout and "⟨U+200B⟩" in proc.stdout and "⟨U+E0041⟩" in proc.stdout


def test_the_sdk_redirect_warning_appears_once_with_our_prefix():
    """A redirect the SDK refuses to follow is said once on stderr, as an ``mcprisk:`` line."""
    with zoo_http("redirect") as url:
        proc = inspect_url(url)
    assert proc.returncode == 3
    assert_clean_stderr(proc.stderr)
    assert proc.stderr.count("not followed") == 1, proc.stderr


# -- row 3: an endless HTTP body ------------------------------------------------------------------


@pytest.mark.parametrize("behaviour", ["endless-json", "endless-sse"])
def test_an_endless_http_body_stops_at_the_message_cap(behaviour):
    """A body that never ends fails its request with message_too_large once the cap is read, long before
    the request limit (the server is throttled so that, unbounded, it would run into that limit instead)."""
    limits = Limits(connect_timeout=3.0, probe_timeout=1.5, request_timeout=10.0, total_timeout=20.0,
                    max_message_bytes=1 << 20)
    os.environ["ZOO_BYTES_PER_S"] = str(8 << 20)
    try:
        with zoo_http(behaviour) as url:
            started = time.monotonic()
            snap = introspect(ServerSpec.http(url), limits=limits)
            elapsed = time.monotonic() - started
    finally:
        del os.environ["ZOO_BYTES_PER_S"]
    assert any(e.stage == "tools" and e.code == "message_too_large" for e in snap.errors), snap.errors
    assert elapsed < limits.request_timeout


# -- row 4: one item too deep (or holding too long a number) -----------------------------------

DEEP_TOOLS = ["run_shell", "deep_config", "deeper_config", "big_number", "delete_everything"]


def _check_deep(snap) -> None:
    assert [t.name for t in snap.tools] == DEEP_TOOLS, snap.errors
    assert snap.status == "complete", snap.errors
    assert not snap.tool("run_shell").incomplete and not snap.tool("delete_everything").incomplete
    for name in ("deep_config", "deeper_config", "big_number"):
        assert snap.tool(name).incomplete, snap.tool(name).problems
    assert "nested deeper" in " ".join(snap.tool("deeper_config").problems)
    assert "number too long" in " ".join(snap.tool("big_number").problems)
    assert any(e.code == "item_incomplete" and not e.fatal for e in snap.errors)
    assert type(snap).from_json(snap.to_json()) == snap


@pytest.mark.parametrize("modern", [False, True], ids=["legacy", "modern"])
def test_one_deep_tool_does_not_lose_the_list_over_stdio(modern):
    """Tools nested 130 and 2,000 levels deep and one with a 5,000-digit number are kept by name, flagged
    incomplete, and the dangerous tools beside them stay in the snapshot."""
    _check_deep(introspect(zoo_spec("deep-schema", modern=modern), limits=FAST))


def test_a_tool_too_deep_to_store_is_assessed_at_its_worst():
    """Tools the hardened reader could not store whole are classified destructive with every flag and low
    confidence, whatever their names say; their neighbours keep their own reading."""
    assessed = assess([introspect(zoo_spec("deep-schema"), limits=FAST)])
    for name in ("deep_config", "deeper_config", "big_number"):
        ta = assessed.tool(assessed.servers[0], name)
        assert ta.primary == "destructive" and ta.assumed_worst and ta.confidence == "low" and len(ta.flags) == 5
    assert not assessed.tool(assessed.servers[0], "run_shell").assumed_worst


def test_one_deep_tool_does_not_lose_the_list_over_http():
    """The same page over Streamable HTTP, where the SDK's own decoder refuses the nesting."""
    with zoo_http("deep-schema") as url:
        _check_deep(introspect(ServerSpec.http(url), limits=FAST))


# -- weaker points: processes that left the group, timeout messages -------------------------------


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in state


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="descendant tracking needs /proc (Linux)")
def test_a_descendant_that_left_the_process_group_is_killed(tmp_path):
    """A grandchild that called setsid() and forked again (no group, no parent of ours) is killed too."""
    pid_file = tmp_path / "pid"
    snap = introspect(zoo_spec("escapee", env={"ZOO_PID_FILE": str(pid_file)}), limits=FAST)
    assert snap.status == "failed"
    pid = int(pid_file.read_text())
    assert os.getpgid(pid) != os.getpgid(os.getpid()) if not _gone(pid) else True
    deadline = time.monotonic() + 5
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(pid), f"escapee {pid} survived"


@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_timeout_messages_name_the_limit_that_applied(transport):
    """A server that never answers is reported with the limit that stopped it, not the largest one set."""
    limits = Limits(connect_timeout=30.0, probe_timeout=1.0, request_timeout=1.5, total_timeout=10.0,
                    shutdown_grace=0.5)
    if transport == "stdio":
        snap = introspect(zoo_spec("never-answers"), limits=limits)
    else:
        with zoo_http("never-answers") as url:
            snap = introspect(ServerSpec.http(url), limits=limits)
    [error] = [e for e in snap.errors if e.code == "timeout"]
    assert "1.5 s request limit" in error.message and "30 s" not in error.message, error.message


def test_a_gzip_bomb_is_decoded_only_up_to_the_cap():
    """256 KiB of gzip inflating to 256 MiB is counted as it is decoded and stops at the message cap."""
    limits = Limits(connect_timeout=5.0, probe_timeout=2.0, request_timeout=10.0, total_timeout=20.0,
                    max_message_bytes=1 << 20)
    with zoo_http("gzip-bomb") as url:
        snap = introspect(ServerSpec.http(url), limits=limits, era="legacy")
    assert any(e.code == "message_too_large" for e in snap.errors), snap.errors

