"""Every supported client's config format: the bundled samples, each client's own keys, placeholders,
disabled entries and client-side auto-approval, and the line of each value."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from mcprisk import ConfigError
from mcprisk.cli import main
from mcprisk.configs import CLIENT_KINDS, detect_client, load_config, parse_config

DATA = Path(__file__).resolve().parent.parent / "data" / "configs"

# sample file -> (client, {server: (transport, disabled, auto_approve)})
SAMPLES = {
    "claude_desktop_config.json": ("claude_desktop", {"filesystem": ("stdio", False, ()), "github": ("stdio", False, ()),
                                                      "linear": ("stdio", False, ()), "postgres": ("stdio", False, ()),
                                                      "slack": ("stdio", False, ()),
                                                      "support-desk": ("stdio", False, ())}),
    "claude_code.mcp.json": ("claude_code", {"filesystem": ("stdio", False, ()), "github": ("http", False, ()),
                                             "postgres": ("stdio", False, ()), "sentry": ("sse", False, ()),
                                             "slack": ("stdio", False, ()), "support-desk": ("stdio", False, ())}),
    "vscode.mcp.json": ("vscode", None),
    "cursor.mcp.json": ("cursor", None),
    "windsurf.mcp_config.json": ("windsurf", None),
    "zed.settings.json": ("zed", {"context7": ("http", False, ()), "filesystem": ("stdio", False, ()),
                                  "git": ("stdio", False, ()), "memory": ("stdio", True, ()),
                                  "support-desk": ("stdio", False, ())}),
    "codex.config.toml": ("codex", {"fetch": ("stdio", False, ()), "github": ("http", False, ()),
                                    "playwright": ("stdio", False, ()), "support-desk": ("stdio", False, ()),
                                    "time": ("stdio", True, ())}),
    "gemini.settings.json": ("gemini", {"git": ("stdio", False, ()), "github": ("http", False, ()),
                                        "sequential-thinking": ("stdio", True, ()),
                                        "support-desk": ("stdio", False, ("*",))}),
    "goose.config.yaml": ("goose", {"context7": ("http", False, ()), "fetch": ("stdio", False, ()),
                                    "memory": ("stdio", True, ()), "support-desk": ("stdio", False, ())}),
    "continue.config.yaml": ("continue", {"GitHub": ("http", False, ()), "Playwright": ("stdio", False, ()),
                                          "Support desk": ("stdio", False, ())}),
    "cline_mcp_settings.json": ("cline", {"filesystem": ("stdio", False, ("read_text_file", "list_directory")),
                                          "notion": ("http", True, ()),
                                          "support-desk": ("stdio", False, ("search_tickets", "delete_customer_record"))}),
    "roo_code.mcp.json": ("roo_code", {"chrome-devtools": ("stdio", True, ()),
                                       "context7": ("http", False, ("resolve-library-id", "get-library-docs")),
                                       "support-desk": ("stdio", False, ())}),
    "opencode.jsonc": ("opencode", {"context7": ("http", True, ()), "everything": ("stdio", False, ()),
                                    "support-desk": ("stdio", False, ())}),
    "amazon_q.mcp.json": ("amazon_q", {"git": ("stdio", False, ()), "support-desk": ("stdio", False, ())}),
    "amazon_q.agent.json": ("amazon_q", {"fetch": ("stdio", False, ("*",)),
                                         "support-desk": ("stdio", False, ("search_*",))}),
    "lm_studio.mcp.json": ("lm_studio", {"hf-mcp-server": ("http", False, ()), "support-desk": ("stdio", False, ())}),
    "jetbrains.mcp.json": ("jetbrains", {"support-desk": ("stdio", False, ()), "time": ("stdio", False, ())}),
}


def test_a_sample_exists_for_every_client():
    """data/configs/ holds a sample of every supported client (and no stray file)."""
    clients = {client for client, _ in SAMPLES.values()}
    assert clients == set(CLIENT_KINDS) - {"generic"}
    on_disk = {p.name for p in DATA.iterdir() if p.name != "README.md"}
    assert on_disk == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_parses_as_its_client_with_sources_on_their_lines(name):
    """Each sample is read as its client, every spec names file, client, pointer and the line of its entry."""
    client, expected = SAMPLES[name]
    path = DATA / name
    specs = load_config(path)
    assert specs and all(s.source.client == client and s.source.path == str(path) for s in specs)
    lines = path.read_text(encoding="utf-8").splitlines()
    for spec in specs:
        assert spec.source.line is not None
        entry_line = lines[spec.source.line - 1]
        assert spec.source.pointer.rsplit("/", 1)[-1].replace("~1", "/") in entry_line or client == "continue"
    if expected is not None:
        got = {s.name: (s.transport, s.disabled, s.auto_approve) for s in specs}
        assert got == expected


def test_zed_reads_both_command_forms_and_skips_extension_servers():
    """Zed's flat and nested (command.path) forms give the same spec; extension-provided servers are skipped."""
    specs = {s.name: s for s in load_config(DATA / "zed.settings.json")}
    assert specs["git"].command == "uvx" and specs["git"].args[0] == "mcp-server-git==2026.10.19"
    assert specs["filesystem"].command == "npx"
    assert "postgres-context-server" not in specs
    text = '{"context_servers": {"x": {"command": "node"}}, "agent": {"always_allow_tool_actions": true}}'
    [spec] = parse_config(text, client="zed")
    assert spec.auto_approve == ("*",) and spec.source.line_of("auto_approve") == 1


def test_codex_toml_headers_and_lines():
    """Codex's bearer_token_env_var and env_vars become references; every value keeps its line in the TOML."""
    specs = {s.name: s for s in load_config(DATA / "codex.config.toml")}
    github = specs["github"]
    assert github.secrets.headers == {"Authorization": "Bearer ${env:GITHUB_PAT}"}
    assert github.literal_secret_names == ()
    assert specs["support-desk"].secrets.env == {"MCPRISK_DEMO_TOKEN": "${env:MCPRISK_DEMO_TOKEN:-}"}
    playwright = specs["playwright"]
    text = (DATA / "codex.config.toml").read_text().splitlines()
    assert "@playwright/mcp@0.0.83" in text[playwright.source.line_of("args/1") - 1]  # a multi-line array item
    assert '"-y"' in text[playwright.source.line_of("args/0") - 1]


def test_codex_toml_errors_give_the_line():
    """Broken TOML is a ConfigError with its line, never the text."""
    with pytest.raises(ConfigError, match="not valid TOML at line 2"):
        parse_config('[mcp_servers.a]\ncommand = "sk-secret-canary\n', path="x/config.toml", client="codex")


def test_gemini_http_url_dollar_vars_exclusion_and_trust():
    """httpUrl is Streamable HTTP, $VAR a reference, mcp.excluded disables, trust auto-approves everything."""
    specs = {s.name: s for s in load_config(DATA / "gemini.settings.json")}
    assert specs["github"].transport == "http"
    assert specs["github"].secrets.headers == {"Authorization": "Bearer ${env:GITHUB_PAT}"}
    assert specs["github"].literal_secret_names == ()
    assert specs["sequential-thinking"].disabled
    assert specs["support-desk"].auto_approve == ("*",)
    [sse] = parse_config('{"mcpServers": {"s": {"url": "https://h.example/events"}}}', client="gemini")
    assert sse.transport == "sse"
    text = '{"mcp": {"allowed": ["a"]}, "mcpServers": {"a": {"command": "x"}, "b": {"command": "y"}}}'
    allowed = {s.name: s for s in parse_config(text, client="gemini")}
    assert not allowed["a"].disabled and allowed["b"].disabled  # only the allowed list starts


def test_goose_auto_mode_and_builtin_extensions():
    """Goose: builtin extensions are not servers; GOOSE_MODE auto auto-approves every tool of every extension."""
    specs = {s.name: s for s in load_config(DATA / "goose.config.yaml")}
    assert "developer" not in specs and specs["context7"].url == "https://mcp.context7.com/mcp"
    auto = "GOOSE_MODE: auto\nextensions:\n  f:\n    type: stdio\n    cmd: uvx\n    args: [mcp-server-fetch]\n"
    [spec] = parse_config(auto, client="goose")
    assert spec.auto_approve == ("*",) and spec.source.line_of("auto_approve") == 1
    assert spec.source.line_of("command") == 5


def test_continue_secrets_are_references_and_json_blocks_are_read():
    """Continue's ${{ secrets.X }} is a reference (not a literal secret); a JSON block file reads like Claude's."""
    specs = {s.name: s for s in load_config(DATA / "continue.config.yaml")}
    desk = specs["Support desk"]
    assert desk.secrets.env == {"MCPRISK_DEMO_TOKEN": "${env:MCPRISK_DEMO_TOKEN}"} and desk.literal_secret_names == ()
    block = json.dumps({"mcpServers": {"fs": {"command": "npx", "args": ["-y", "x"]}}})
    [spec] = parse_config(block, path="repo/.continue/mcpServers/fs.json")
    assert spec.source.client == "continue" and spec.name == "fs"


def test_opencode_command_list_both_layouts_and_references():
    """opencode: one command list (arguments keep their own lines), 1.x and 2.x layouts, {env:X} references."""
    specs = {s.name: s for s in load_config(DATA / "opencode.jsonc")}
    everything = specs["everything"]
    assert everything.command == "npx" and everything.args == ("-y", "@modelcontextprotocol/server-everything@2026.8.31")
    assert specs["support-desk"].secrets.env == {"MCPRISK_DEMO_TOKEN": "${env:MCPRISK_DEMO_TOKEN}"}
    v2 = '{"mcp": {"servers": {"a": {"type": "local", "command": ["node", "a.js"], "disabled": true}}}}'
    [a] = parse_config(v2, path="opencode.json")
    assert a.name == "a" and a.disabled and a.args == ("a.js",)
    with pytest.raises(ConfigError, match="expected 'command' as a list of strings"):
        parse_config('{"mcp": {"a": {"type": "local", "command": "node a.js"}}}', path="opencode.json")


def test_amazon_q_allowed_tools_by_server_and_pattern():
    """Amazon Q's allowedTools: @server allows every tool, @server/tool one (wildcards kept), others ignored."""
    text = json.dumps({"mcpServers": {"git": {"command": "x"}, "web": {"command": "y"}, "db": {"command": "z"}},
                       "allowedTools": ["fs_read", "@git", "@web/fetch_*", "@d?/query"]})
    specs = {s.name: s for s in parse_config(text, path="home/.aws/amazonq/cli-agents/dev.json")}
    assert specs["git"].auto_approve == ("*",)
    assert specs["web"].auto_approve == ("fetch_*",)
    assert specs["db"].auto_approve == ("query",)


@pytest.mark.parametrize(("path", "client"), [
    ("/home/a/.config/zed/settings.json", "zed"),
    ("/work/repo/.zed/settings.json", "zed"),
    ("/home/a/.codex/config.toml", "codex"),
    ("/home/a/.gemini/settings.json", "gemini"),
    ("/home/a/.config/goose/config.yaml", "goose"),
    (r"C:\Users\a\AppData\Roaming\Block\goose\config\config.yaml", "goose"),
    ("/home/a/.continue/config.yaml", "continue"),
    ("/work/repo/.continue/mcpServers/playwright.yaml", "continue"),
    ("/x/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json", "cline"),
    ("/x/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json", "roo_code"),
    ("/work/repo/.roo/mcp.json", "roo_code"),
    ("/work/repo/opencode.jsonc", "opencode"),
    ("/home/a/.aws/amazonq/mcp.json", "amazon_q"),
    ("/work/repo/.amazonq/cli-agents/dev.json", "amazon_q"),
    ("/home/a/.lmstudio/mcp.json", "lm_studio"),
    ("/home/a/.junie/mcp/mcp.json", "jetbrains"),
    ("/etc/claude-code/managed-mcp.json", "claude_code"),
])
def test_client_detected_from_where_the_file_lives(path, client):
    """Each client's documented location is recognised whatever the file holds."""
    assert detect_client(path, {}) == client


@pytest.mark.parametrize(("data", "client"), [
    ({"context_servers": {}}, "zed"),
    ({"mcp_servers": {}}, "codex"),
    ({"extensions": {}}, "goose"),
    ({"mcpServers": []}, "continue"),
    ({"mcpServers": {"a": {"httpUrl": "https://h/"}}}, "gemini"),
    ({"mcp": {"a": {"type": "local", "command": ["x"]}}}, "opencode"),
    ({"mcp": {"servers": {"a": {"command": "x"}}}}, "vscode"),
])
def test_client_detected_from_the_shape_of_an_unnamed_file(data, client):
    """A file saved under another name is recognised by its top-level keys."""
    assert detect_client("saved.json", data) == client


def test_a_vscode_file_with_mcp_servers_says_vscode_ignores_it():
    """A .vscode/mcp.json written with Claude's key is refused with the reason, not silently read as another shape."""
    with pytest.raises(ConfigError, match="VS Code ignores 'mcpServers'"):
        parse_config('{"mcpServers": {"a": {"command": "x"}}}', path="repo/.vscode/mcp.json")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_goes_through_the_cli_config_option(name):
    """`mcprisk inspect --list --config SAMPLE` reads each sample and lists every server (nothing starts)."""
    out, err = io.StringIO(), io.StringIO()
    assert main(["inspect", "--list", "--config", str(DATA / name)], out=out, err=err) == 0, err.getvalue()
    for spec in load_config(DATA / name):
        assert f"{spec.name}{' [disabled]' if spec.disabled else ''}" in out.getvalue()
