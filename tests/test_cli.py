"""The `mcprisk inspect` command: targets, JSON output, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from mcprisk.cli import main
from mcprisk.snapshot import load_snapshots

from support import ZOO


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_inspect_demo_summary():
    """`mcprisk inspect --demo` prints the demo server's tools and exits 0."""
    code, out, _ = run("inspect", "--demo")
    assert code == 0
    assert "support-desk  [complete]" in out and "run_sql" in out


def test_inspect_stdio_json_to_file_and_back(tmp_path):
    """--json -o writes a snapshot that `inspect SNAPSHOT.json` reads offline."""
    path = tmp_path / "snap.json"
    code, _, _ = run("inspect", "--json", "-o", str(path), "--stdio", "--", sys.executable, str(ZOO), "healthy")
    assert code == 0
    [snap] = load_snapshots(path)
    assert [t.name for t in snap.tools] == ["lookup", "delete_order"]
    code, out, _ = run("inspect", str(path))
    assert code == 0 and "lookup" in out


def test_json_to_stdout_is_parseable():
    """--json without -o prints one JSON document."""
    code, out, _ = run("inspect", "--json", "--stdio", "--", sys.executable, str(ZOO), "healthy")
    assert code == 0
    assert json.loads(out)["status"] == "complete"


def test_unreachable_server_exits_3():
    """A server that cannot be introspected exits 3 and is still reported."""
    code, out, _ = run("inspect", "--timeout", "5", "--stdio", "--", sys.executable, str(ZOO), "exits-at-start")
    assert code == 3
    assert "[failed]" in out and "connection_closed" in out


def test_usage_errors_exit_2():
    """Missing targets, bad NAME=VALUE pairs and unknown servers are usage errors (exit 2)."""
    assert run("inspect")[0] == 2
    assert run("inspect", "--url", "http://127.0.0.1:1/mcp", "--header", "novalue")[0] == 2
    assert run("inspect", "--server", "x")[0] == 2
    code, _, err = run("inspect", "/nonexistent.json")
    assert code == 2 and "no such file" in err
    assert run("inspect", "--url", "ftp://example.com/x")[0] == 2


def test_terminal_output_shows_escape_sequences_without_obeying_them(tmp_path):
    """ANSI escapes in server text never reach the terminal: they are written out as visible text."""
    server = tmp_path / "ansi.py"
    server.write_text(ZOO.read_text().replace('"Look up an order by id."', '"Look \\u001b[31mup\\u001b[0m"'))
    code, out, _ = run("inspect", "--stdio", "--", sys.executable, str(server), "healthy")
    assert code == 0
    assert "\x1b" not in out and "Look \\x1b[31mup\\x1b[0m" in out


def test_console_script_runs():
    """The installed `mcprisk` entry point answers --version."""
    proc = subprocess.run([sys.executable, "-m", "mcprisk", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("mcprisk ")
