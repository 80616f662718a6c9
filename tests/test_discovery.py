"""`mcprisk.discover()` and `--discover`: every client's sample found in a fake home and project, look-alike
files reported and not read, unreadable files reported with the reason, names unique across clients."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from mcprisk.cli import main
from mcprisk.configs import load_config
from mcprisk.discovery import discover

DATA = Path(__file__).resolve().parent.parent / "data" / "configs"

# sample -> where its client keeps it: ("home" | "project", path inside)
PLACES = {
    "claude_desktop_config.json": ("home", "Library/Application Support/Claude/claude_desktop_config.json"),
    "claude_code.mcp.json": ("project", ".mcp.json"),
    "vscode.mcp.json": ("project", ".vscode/mcp.json"),
    "cursor.mcp.json": ("home", ".cursor/mcp.json"),
    "windsurf.mcp_config.json": ("home", ".codeium/windsurf/mcp_config.json"),
    "zed.settings.json": ("home", ".config/zed/settings.json"),
    "codex.config.toml": ("home", ".codex/config.toml"),
    "gemini.settings.json": ("project", ".gemini/settings.json"),
    "goose.config.yaml": ("home", ".config/goose/config.yaml"),
    "continue.config.yaml": ("home", ".continue/config.yaml"),
    "cline_mcp_settings.json": ("home", ".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/"
                                        "cline_mcp_settings.json"),
    "roo_code.mcp.json": ("project", ".roo/mcp.json"),
    "opencode.jsonc": ("project", "opencode.jsonc"),
    "amazon_q.mcp.json": ("home", ".aws/amazonq/mcp.json"),
    "amazon_q.agent.json": ("home", ".aws/amazonq/cli-agents/shop-dev.json"),
    "lm_studio.mcp.json": ("home", ".lmstudio/mcp.json"),
    "jetbrains.mcp.json": ("project", ".junie/mcp/mcp.json"),
}
DECOY = '{"servers": {"decoy-canary": {"command": "never-read"}}}'


@pytest.fixture
def machine(tmp_path: Path) -> tuple[Path, Path]:
    """A fake home and project holding every sample where its client keeps it, plus a look-alike file."""
    home, project = tmp_path / "home", tmp_path / "work" / "shop"
    for sample, (where, inside) in PLACES.items():
        target = (home if where == "home" else project) / inside
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DATA / sample, target)
    (home / ".vscode").mkdir()
    (home / ".vscode" / "mcp.json").write_text(DECOY, encoding="utf-8")
    return home, project


def test_discover_finds_every_sample_where_its_client_keeps_it(machine):
    """Each sample is found once, as its client, with the same servers load_config reads from the sample."""
    home, project = machine
    found = discover(home=home, project=project, environ={}, root=home / "no-such-root")
    by_path = {Path(c.path): c for c in found.configs}
    assert len(by_path) == len(PLACES)
    for sample, (where, inside) in PLACES.items():
        config = by_path[(home if where == "home" else project) / inside]
        expected = load_config(DATA / sample)
        assert config.error is None
        assert config.client == expected[0].source.client
        assert sorted(s.name for s in config.servers) == sorted(s.name for s in expected)
        assert {s.source.scope for s in config.servers} == {config.scope}


def test_look_alike_files_are_reported_not_read(machine):
    """~/.vscode/mcp.json (VS Code never reads it) is listed as ignored with the reason; its servers are not read."""
    home, project = machine
    found = discover(home=home, project=project, environ={})
    [decoy] = [i for i in found.ignored if i.path == str(home / ".vscode" / "mcp.json")]
    assert "profile folder" in decoy.reason
    assert "decoy-canary" not in json.dumps(found.to_dict())
    assert all("decoy-canary" != s.name for s in found.servers(include_disabled=True))


def test_a_file_its_client_would_not_accept_is_reported_with_the_reason(tmp_path):
    """A .cursor/mcp.json written with VS Code's key is listed as unreadable, saying Cursor ignores it."""
    project = tmp_path / "p"
    (project / ".cursor").mkdir(parents=True)
    (project / ".cursor" / "mcp.json").write_text('{"servers": {"a": {"command": "x"}}}', encoding="utf-8")
    found = discover(home=tmp_path / "empty-home", project=project, environ={})
    [config] = found.configs
    assert config.servers == () and "Cursor ignores 'servers'" in config.error
    assert any("cannot be read" in line for line in found.lines())


def test_server_names_are_unique_across_clients_and_stable(machine):
    """Names shared by several files get the client (then scope, then a number) appended, the same every run."""
    home, project = machine
    first = [s.name for s in discover(home=home, project=project, environ={}).servers(include_disabled=True)]
    again = [s.name for s in discover(home=home, project=project, environ={}).servers(include_disabled=True)]
    assert first == again and len(first) == len(set(first))
    assert "support-desk@cursor" in first and "filesystem@zed" in first
    assert "Playwright" in first  # a name only one file uses stays bare


def test_disabled_servers_are_kept_but_not_used_by_default(machine):
    """servers() leaves out entries the client keeps disabled; include_disabled lists them, marked."""
    home, project = machine
    found = discover(home=home, project=project, environ={})
    everything = found.servers(include_disabled=True)
    enabled = found.servers()
    assert {s.name for s in everything} - {s.name for s in enabled} == {s.name for s in everything if s.disabled}
    assert any(s.disabled for s in everything)


def test_cli_discover_list_names_every_file_and_starts_nothing(machine, monkeypatch):
    """`inspect --discover --list` lists where each server came from and its launch findings; nothing starts."""
    home, project = machine
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("APPDATA", raising=False)
    monkeypatch.chdir(project)
    out, err = io.StringIO(), io.StringIO()
    assert main(["inspect", "--discover", "--list"], out=out, err=err) == 0
    text = out.getvalue()
    assert f"{len(PLACES)} config file(s) found" in text
    for where, inside in PLACES.values():
        assert str((home if where == "home" else project) / inside) in text
    assert "ignored: " + str(home / ".vscode" / "mcp.json") in text
    assert "LCH001" in text and "(disabled)" in text


def test_cli_server_selects_among_discovered_servers(machine, monkeypatch):
    """`--server` picks discovered servers by their unique name; an unknown name is a usage error."""
    home, project = machine
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(project)
    out, err = io.StringIO(), io.StringIO()
    assert main(["inspect", "--discover", "--list", "--server", "github@cursor"], out=out, err=err) == 0
    assert out.getvalue().count("  from ") == 1 and "LCH002" in out.getvalue()
    assert main(["inspect", "--discover", "--list", "--server", "nope"], out=io.StringIO(), err=err) == 2
    assert "not found" in err.getvalue()


def test_cli_scan_discover_lists_on_stderr_and_scans_only_enabled_servers(tmp_path, monkeypatch):
    """`scan --discover` lists what it found on stderr, starts the enabled servers and reports them; a disabled
    entry is listed but not started."""
    home, project = tmp_path / "home", tmp_path / "project"
    (home / ".cursor").mkdir(parents=True)
    project.mkdir()
    demo = {"command": sys.executable, "args": ["-m", "mcprisk.demo", "support-desk"]}
    config = {"mcpServers": {"desk": demo, "off": {**demo, "disabled": True}}}
    (home / ".cursor" / "mcp.json").write_text(json.dumps(config), encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(project)
    out, err = io.StringIO(), io.StringIO()
    assert main(["scan", "--discover", "--format", "json", "--no-probe"], out=out, err=err) == 0
    assert "Cursor (user): " + str(home / ".cursor" / "mcp.json") + ": desk, off (disabled)" in err.getvalue()
    report = json.loads(out.getvalue())
    assert [s["name"] for s in report["servers"]] == ["desk"]
    assert report["servers"][0]["source"]["scope"] == "user"


def test_claude_code_settings_add_approvals_and_rejections(tmp_path):
    """Claude Code's permissions.allow (mcp__server, mcp__server__tool) becomes auto_approve on its servers, and
    disabledMcpjsonServers keeps a project server from starting."""
    home, project = tmp_path / "home", tmp_path / "p"
    (home / ".claude").mkdir(parents=True)
    (project / ".claude").mkdir(parents=True)
    servers = {"a": {"command": "x"}, "b": {"command": "y"}, "c": {"command": "z"}}
    (project / ".mcp.json").write_text(json.dumps({"mcpServers": servers}), encoding="utf-8")
    (home / ".claude" / "settings.json").write_text(
        json.dumps({"permissions": {"allow": ["Bash(ls:*)", "mcp__a"]}}), encoding="utf-8")
    (project / ".claude" / "settings.local.json").write_text(
        json.dumps({"permissions": {"allow": ["mcp__b__delete_all"]}, "disabledMcpjsonServers": ["c"]}),
        encoding="utf-8")
    found = {s.name: s for s in discover(home=home, project=project, environ={}).servers(include_disabled=True)}
    assert found["a"].auto_approve == ("*",) and found["b"].auto_approve == ("delete_all",)
    assert found["c"].disabled and not found["a"].disabled
