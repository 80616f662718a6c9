"""Reading MCP client config files into ServerSpecs: formats, detection, line numbers, errors, secrets."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcprisk._errors import ConfigError, SpecError
from mcprisk.configs import CLIENT_KINDS, detect_client, load_config, parse_config
from mcprisk.specs import ServerSpec, fill_placeholders, placeholders, redact_url

CONFIGS = Path(__file__).resolve().parent.parent / "data" / "configs"
CANARY = "CANARY-SECRET-93f1c2"

# name -> (transport, command or url, env names, header names, line of the entry's key)
EXPECTED = {
    "claude_desktop_config.json": ("claude_desktop", "mcpServers", {
        "filesystem": ("stdio", "npx", (), (), 3),
        "github": ("stdio", "npx", ("GITHUB_PERSONAL_ACCESS_TOKEN",), (), 12),
        "linear": ("stdio", "npx", (), (), 35),
        "postgres": ("stdio", "npx", (), (), 19),
        "slack": ("stdio", "npx", ("SLACK_BOT_TOKEN", "SLACK_TEAM_ID"), (), 27),
        "support-desk": ("stdio", "python", (), (), 39),
    }),
    "claude_code.mcp.json": ("claude_code", "mcpServers", {
        "filesystem": ("stdio", "npx", (), (), 10),
        "github": ("http", "https://api.githubcopilot.com/mcp/", (), ("Authorization",), 3),
        "postgres": ("stdio", "npx", (), (), 15),
        "sentry": ("sse", "https://mcp.sentry.dev/sse", (), (), 33),
        "slack": ("stdio", "npx", ("SLACK_BOT_TOKEN", "SLACK_TEAM_ID"), (), 24),
        "support-desk": ("stdio", "python", ("SUPPORT_DESK_API_KEY",), (), 37),
    }),
    "vscode.mcp.json": ("vscode", "servers", {
        "context7": ("http", "https://mcp.context7.com/mcp", (), (), 47),
        "filesystem": ("stdio", "npx", (), (), 27),
        "github": ("http", "https://api.githubcopilot.com/mcp/", (), ("Authorization",), 20),
        "postgres": ("stdio", "npx", (), (), 32),
        "slack": ("stdio", "npx", ("SLACK_BOT_TOKEN", "SLACK_TEAM_ID"), (), 37),
        "support-desk": ("stdio", "python", (), (), 52),
    }),
    "cursor.mcp.json": ("cursor", "mcpServers", {
        "filesystem": ("stdio", "npx", (), (), 14),
        "github": ("stdio", "docker", ("GITHUB_PERSONAL_ACCESS_TOKEN",), (), 3),
        "linear": ("sse", "https://mcp.linear.app/sse", (), (), 34),
        "postgres": ("stdio", "npx", (), (), 18),
        "slack": ("stdio", "npx", ("SLACK_BOT_TOKEN", "SLACK_TEAM_ID"), (), 26),
        "stripe": ("http", "https://mcp.stripe.com", (), ("Authorization",), 37),
        "support-desk": ("stdio", "python", (), (), 43),
    }),
    "windsurf.mcp_config.json": ("windsurf", "mcpServers", {
        "figma": ("sse", "http://127.0.0.1:3845/sse", (), (), 30),
        "filesystem": ("stdio", "npx", (), (), 10),
        "github": ("stdio", "npx", ("GITHUB_PERSONAL_ACCESS_TOKEN",), (), 3),
        "notion": ("http", "https://mcp.notion.com/mcp", (), (), 27),
        "postgres": ("stdio", "npx", (), (), 14),
        "slack": ("stdio", "npx", ("SLACK_BOT_TOKEN", "SLACK_TEAM_ID"), (), 19),
        "support-desk": ("stdio", "python", (), (), 33),
    }),
}

# Where each client really keeps the file, relative to a home or project folder.
REAL_PATHS = {
    "claude_desktop_config.json": "Library/Application Support/Claude/claude_desktop_config.json",
    "claude_code.mcp.json": "project/.mcp.json",
    "vscode.mcp.json": "project/.vscode/mcp.json",
    "cursor.mcp.json": ".cursor/mcp.json",
    "windsurf.mcp_config.json": ".codeium/windsurf/mcp_config.json",
}


def by_name(specs: list[ServerSpec]) -> dict[str, ServerSpec]:
    return {s.name: s for s in specs}


def write(tmp_path: Path, text: str, name: str = "mcp.json") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- the example configs ----------------------------------------------------------------------------


@pytest.mark.parametrize("filename", sorted(EXPECTED))
def test_example_config_loads_with_names_transports_targets_and_lines(filename):
    """Each bundled example config yields the expected servers, transports, targets, names and key lines."""
    client, container, expected = EXPECTED[filename]
    path = CONFIGS / filename
    specs = [s for s in load_config(path) if not s.disabled]  # disabled entries are kept, marked (tested below)
    assert [s.name for s in specs] == sorted(expected)
    for spec in specs:
        transport, target, env_names, header_names, line = expected[spec.name]
        assert spec.transport == transport
        assert (spec.command if transport == "stdio" else spec.url) == target
        assert spec.env_names == env_names
        assert spec.header_names == header_names
        assert spec.source.path == str(path)
        assert spec.source.client == client
        assert spec.source.pointer == f"/{container}/{spec.name}"
        assert spec.source.line == line
        assert f'"{spec.name}"' in path.read_text().splitlines()[line - 1]


@pytest.mark.parametrize("filename", sorted(REAL_PATHS))
def test_example_config_is_detected_at_the_path_its_client_uses(filename, tmp_path):
    """A config copied to its client's real location is detected as that client's file."""
    target = tmp_path / REAL_PATHS[filename]
    target.parent.mkdir(parents=True)
    shutil.copy(CONFIGS / filename, target)
    specs = load_config(target)
    assert {s.source.client for s in specs} == {EXPECTED[filename][0]}
    assert specs[0].source.path == str(target)


def test_demo_server_is_launched_as_a_python_module_in_every_example():
    """Every example config launches the bundled demo as `python -m mcprisk.demo support-desk`."""
    for filename in EXPECTED:
        spec = by_name(load_config(CONFIGS / filename))["support-desk"]
        assert spec.target == "python -m mcprisk.demo support-desk"


def test_claude_desktop_literal_token_is_flagged_and_placeholders_are_not(tmp_path):
    """A token written out in env is a literal secret; ${env:X} and ${input:x} references are not."""
    token = "ghp_" + "a1B2" * 9  # built here so no token-shaped string sits in the repository
    text = json.dumps({"mcpServers": {
        "literal": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
                    "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": token, "GITHUB_HOST": "github.com"}},
        "by-env": {"command": "npx", "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${env:GH_TOKEN}"}},
        "by-input": {"command": "npx", "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${input:gh_token}"}},
    }})
    specs = by_name(load_config(write(tmp_path, text, "claude_desktop_config.json")))
    assert specs["literal"].literal_secret_names == ("GITHUB_PERSONAL_ACCESS_TOKEN",)
    assert specs["by-env"].literal_secret_names == ()
    assert specs["by-input"].literal_secret_names == ()
    examples = by_name(load_config(CONFIGS / "claude_desktop_config.json"))
    assert examples["github"].literal_secret_names == ("GITHUB_PERSONAL_ACCESS_TOKEN",)
    assert examples["slack"].literal_secret_names == ("SLACK_BOT_TOKEN",)


def test_connection_string_password_in_args_is_shown_redacted_but_kept_for_launch():
    """A postgres URL's password is *** in args and target, and intact in launch_args."""
    spec = by_name(load_config(CONFIGS / "claude_desktop_config.json"))["postgres"]
    assert spec.args[-1] == "postgresql://app:***@localhost:5432/appdb"
    assert "app-password" not in spec.target
    assert spec.launch_args[-1] == "postgresql://app:app-password@localhost:5432/appdb"


def test_disabled_entries_are_kept_and_marked_only_for_clients_that_honour_them():
    """`"disabled": true` keeps the entry, marked disabled, for clients that honour it; the others start it."""
    assert by_name(load_config(CONFIGS / "cursor.mcp.json"))["puppeteer"].disabled
    windsurf = by_name(load_config(CONFIGS / "windsurf.mcp_config.json"))
    assert windsurf["brave-search"].disabled and not windsurf["postgres"].disabled  # "disabled": false
    text = '{"mcpServers": {"off": {"command": "node", "disabled": true}}}'
    [off] = parse_config(text, client="generic")
    assert off.disabled and off.to_dict()["disabled"] is True
    for client in ("claude_desktop", "claude_code"):
        [started] = parse_config(text, client=client)
        assert not started.disabled and "disabled" not in started.to_dict()


# -- detection --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "client"), [
    ("/Users/a/Library/Application Support/Claude/claude_desktop_config.json", "claude_desktop"),
    (r"C:\Users\a\AppData\Roaming\Claude\claude_desktop_config.json", "claude_desktop"),
    ("/work/app/.mcp.json", "claude_code"),
    ("/home/a/.claude.json", "claude_code"),
    ("/work/app/.vscode/mcp.json", "vscode"),
    ("/work/app/.vscode/settings.json", "vscode"),
    ("/home/a/.config/Code/User/settings.json", "vscode"),
    ("/Users/a/Library/Application Support/Code - Insiders/User/mcp.json", "vscode"),
    ("/home/a/.cursor/mcp.json", "cursor"),
    ("/work/app/.cursor/mcp.json", "cursor"),
    ("/home/a/.codeium/windsurf/mcp_config.json", "windsurf"),
    ("saved/cursor.mcp.json", "cursor"),
    ("saved/windsurf.mcp_config.json", "windsurf"),
])
def test_client_is_detected_from_the_path_first(path, client):
    """The file name and folder decide the client, whatever the content's shape."""
    assert detect_client(path, {"mcpServers": {}}) == client
    assert detect_client(path, {"servers": {}}) == client


@pytest.mark.parametrize(("data", "client"), [
    ({"servers": {}}, "vscode"),
    ({"mcp": {"servers": {}}}, "vscode"),
    ({"mcp.servers": {}}, "vscode"),
    ({"mcpServers": {}}, "generic"),
    ({"projects": {"/p": {"mcpServers": {}}}}, "claude_code"),
    ({"something": 1}, "generic"),
    ([], "generic"),
])
def test_client_is_detected_from_the_shape_when_the_path_says_nothing(data, client):
    """Without a telling path, `servers` means VS Code and `mcpServers` a generic file."""
    assert detect_client("config.json", data) == client
    assert detect_client(None, data) == client


def test_explicit_client_overrides_detection_and_is_recorded():
    """`client=` skips detection and is what each spec's source records."""
    specs = parse_config('{"mcpServers": {"a": {"command": "x"}}}', path="whatever.json", client="cursor")
    assert specs[0].source.client == "cursor"


def test_client_kinds_are_the_documented_ones():
    """CLIENT_KINDS lists every kind a spec's source may name."""
    assert CLIENT_KINDS == ("claude_desktop", "claude_code", "vscode", "cursor", "windsurf", "zed", "codex", "gemini",
                            "goose", "continue", "cline", "roo_code", "opencode", "amazon_q", "lm_studio",
                            "jetbrains", "generic")


# -- VS Code ----------------------------------------------------------------------------------------


def test_vscode_placeholders_stay_in_templates_and_resolve_at_connect_time():
    """`${input:id}` and `${env:NAME}` stay as written and are filled by Secrets.resolve / fill_placeholders."""
    specs = by_name(load_config(CONFIGS / "vscode.mcp.json"))
    github = specs["github"]
    assert github.secrets.headers == {"Authorization": "Bearer ${input:github_token}"}
    assert github.literal_secret_names == ()
    env, headers = github.secrets.resolve({}, {"github_token": "t0k"})
    assert headers == {"Authorization": "Bearer t0k"}
    assert specs["postgres"].launch_args[-1] == "${input:pg_url}"
    pg_url = fill_placeholders(specs["postgres"].launch_args[-1], {}, {"pg_url": "postgresql://h/db"})
    assert pg_url == "postgresql://h/db"
    assert specs["filesystem"].args[-1] == "${workspaceFolder}"  # editor variables are kept verbatim
    assert specs["support-desk"].cwd == "${workspaceFolder}"
    with pytest.raises(SpecError, match="pg_url"):
        fill_placeholders("${input:pg_url}", {}, {})


def test_vscode_user_settings_form_is_read(tmp_path):
    """settings.json's `"mcp": {"servers": ...}` is read, with pointer /mcp/servers/<name>."""
    text = """{
  "editor.fontSize": 13,
  // MCP servers for every workspace
  "mcp": {
    "servers": {
      "fetch": {"command": "uvx", "args": ["mcp-server-fetch"]},
    },
  },
}"""
    path = write(tmp_path, text, "Code/User/settings.json")
    [spec] = load_config(path)
    assert (spec.name, spec.source.client, spec.source.pointer, spec.source.line) == \
        ("fetch", "vscode", "/mcp/servers/fetch", 6)


# -- Claude Code ------------------------------------------------------------------------------------


def test_claude_code_variables_become_env_templates_with_defaults_kept():
    """`${VAR}` / `${VAR:-default}` become `${env:VAR}` / `${env:VAR:-default}`; the default applies when unset."""
    text = json.dumps({"mcpServers": {
        "api": {"type": "http", "url": "${API_BASE_URL:-https://api.example.com}/mcp",
                "headers": {"Authorization": "Bearer ${API_KEY}"}},
        "db": {"command": "${TOOLS:-/opt/tools}/db-mcp", "args": ["--dsn", "${DATABASE_URL}"],
               "env": {"LOG_LEVEL": "${LOG_LEVEL:-info}", "KEEP": "${env:ALREADY}"}},
    }})
    specs = by_name(parse_config(text, path=".mcp.json"))
    api, db = specs["api"], specs["db"]
    assert api.url == "${env:API_BASE_URL:-https://api.example.com}/mcp"
    assert api.secrets.headers == {"Authorization": "Bearer ${env:API_KEY}"}
    assert db.command == "${env:TOOLS:-/opt/tools}/db-mcp"
    assert db.launch_args == ("--dsn", "${env:DATABASE_URL}")
    assert db.secrets.env == {"LOG_LEVEL": "${env:LOG_LEVEL:-info}", "KEEP": "${env:ALREADY}"}
    assert placeholders(db.secrets.env["LOG_LEVEL"]) == [("env", "LOG_LEVEL")]
    assert db.secrets.resolve({"ALREADY": "x"})[0] == {"LOG_LEVEL": "info", "KEEP": "x"}
    assert db.secrets.resolve({"ALREADY": "x", "LOG_LEVEL": "debug"})[0]["LOG_LEVEL"] == "debug"
    assert fill_placeholders(api.connect_url, {}) == "https://api.example.com/mcp"
    assert db.literal_secret_names == api.literal_secret_names == ()


def test_a_secret_written_as_a_default_counts_as_a_literal_secret():
    """`${API_TOKEN:-<real token>}` still writes the token into the file, so it is flagged."""
    text = json.dumps({"mcpServers": {"s": {"command": "x", "env": {
        "API_TOKEN": "${API_TOKEN:-" + "sk-" + "z9" * 12 + "}", "PORT": "${PORT:-8080}"}}}})
    assert parse_config(text, client="claude_code")[0].literal_secret_names == ("API_TOKEN",)


def test_only_claude_code_and_generic_files_read_bare_variables():
    """Claude Desktop does not expand `${VAR}`, so it stays literal text there."""
    text = '{"mcpServers": {"s": {"command": "x", "env": {"HOME_DIR": "${HOME}"}}}}'
    assert parse_config(text, client="claude_desktop")[0].secrets.env == {"HOME_DIR": "${HOME}"}
    assert parse_config(text, client="generic")[0].secrets.env == {"HOME_DIR": "${env:HOME}"}


def test_claude_json_reads_user_and_project_servers_and_disambiguates_names(tmp_path):
    """~/.claude.json yields user-scope and per-project servers; a repeated name gets `@<project>`."""
    text = """{
  "numStartups": 42,
  "mcpServers": {
    "github": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"}
  },
  "projects": {
    "/work/shop": {
      "allowedTools": [],
      "mcpServers": {
        "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]},
        "postgres": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-postgres"]}
      }
    },
    "/work/blog": {
      "mcpServers": {
        "github": {"command": "docker", "args": ["run", "-i", "ghcr.io/github/github-mcp-server"]}
      }
    },
    "/work/empty": {"history": []}
  }
}"""
    specs = by_name(load_config(write(tmp_path, text, ".claude.json")))
    assert sorted(specs) == ["github", "github@/work/blog", "github@/work/shop", "postgres"]
    assert specs["github"].source.pointer == "/mcpServers/github"
    assert specs["github@/work/shop"].source.pointer == "/projects/~1work~1shop/mcpServers/github"
    assert specs["github@/work/blog"].command == "docker"
    assert specs["postgres"].source.pointer == "/projects/~1work~1shop/mcpServers/postgres"
    assert [specs[n].source.line for n in ("github", "github@/work/shop", "postgres", "github@/work/blog")] == \
        [4, 10, 11, 16]


def test_claude_json_without_any_server_table_says_what_it_expected(tmp_path):
    """A ~/.claude.json with no server table at all is an error that names both places looked at."""
    with pytest.raises(ConfigError, match=r"projects\.<path>"):
        load_config(write(tmp_path, '{"projects": {"/p": {"history": []}}}', ".claude.json"))


# -- remote entries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("entry", "transport"), [
    ({"type": "http", "url": "https://h.example/mcp"}, "http"),
    ({"type": "streamable-http", "url": "https://h.example/mcp"}, "http"),
    ({"type": "streamableHttp", "url": "https://h.example/mcp"}, "http"),
    ({"type": "sse", "url": "https://h.example/events"}, "sse"),
    ({"type": "http", "url": "https://h.example/sse"}, "http"),  # a declared type wins over the path
    ({"url": "https://h.example/mcp"}, "http"),
    ({"url": "https://h.example/sse"}, "sse"),
    ({"url": "https://h.example/v1/sse/"}, "sse"),
    ({"url": "https://h.example/sse-tools"}, "http"),
    ({"serverUrl": "https://h.example/mcp"}, "http"),
    ({"serverUrl": "http://127.0.0.1:3845/sse"}, "sse"),
])
def test_remote_transport_comes_from_type_or_else_the_url_path(entry, transport):
    """`type` picks the transport; without it a URL path ending in /sse means legacy SSE, else HTTP."""
    [spec] = parse_config(json.dumps({"mcpServers": {"r": entry}}), client="windsurf")
    assert spec.transport == transport


def test_url_that_is_only_a_placeholder_is_checked_at_connect_time():
    """`"url": "${MCP_URL}"` loads; its scheme is only known once resolved."""
    [spec] = parse_config('{"mcpServers": {"r": {"type": "http", "url": "${MCP_URL}"}}}', client="claude_code")
    assert spec.connect_url == "${env:MCP_URL}"


def test_url_display_keeps_placeholders_readable():
    """Redacting a URL leaves non-secret query text as written, placeholders included."""
    assert redact_url("https://h.example/mcp?project=${input:proj}&token=abc123") == \
        "https://h.example/mcp?project=${input:proj}&token=***"


# -- JSONC and line numbers -------------------------------------------------------------------------


def test_comments_and_trailing_commas_are_accepted_and_strings_are_left_alone():
    """// and /* */ comments and trailing commas parse; `//` and `/*` inside strings stay text."""
    text = """/* leading
   block */ {
  // a comment with "quotes" and { braces
  "servers": { "a": { "url": "https://h.example/mcp/*x*/", "headers": {"X-Note": "// not a comment",}, }, },
}"""
    [spec] = parse_config(text)
    assert spec.url == "https://h.example/mcp/*x*/"
    assert spec.secrets.headers == {"X-Note": "// not a comment"}
    assert spec.source.line == 4


def test_line_numbers_count_crlf_files_and_a_byte_order_mark(tmp_path):
    """Windows line endings and a UTF-8 BOM do not shift the reported lines."""
    text = '{\r\n  "mcpServers": {\r\n\r\n    "a": {"command": "x"},\r\n    "b": {"command": "y"}\r\n  }\r\n}\r\n'
    path = tmp_path / "mcp.json"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert [s.source.line for s in load_config(path)] == [4, 5]


def test_utf16_file_with_bom_is_read(tmp_path):
    """A config saved as UTF-16 by a Windows editor is decoded."""
    path = tmp_path / "mcp.json"
    path.write_bytes('{"mcpServers": {"a": {"command": "x"}}}'.encode("utf-16"))
    assert [s.name for s in load_config(path)] == ["a"]


def test_escapes_in_strings_are_decoded():
    """JSON escapes, including \\u surrogate pairs, decode as in the json module."""
    text = r'{"mcpServers": {"caf\u00e9 \ud83d\ude00": {"command": "a\\b\"c\/d\te"}}}'
    [spec] = parse_config(text)
    assert spec.name == json.loads(text)["mcpServers"].popitem()[0]
    assert spec.command == 'a\\b"c/d\te'


def test_a_repeated_key_keeps_the_last_entry_and_its_line():
    """A server named twice is read once, as the later entry, like JSON parsers do."""
    text = '{"mcpServers": {\n"a": {"command": "first"},\n"a": {"command": "second"}\n}}'
    [spec] = parse_config(text)
    assert (spec.command, spec.source.line) == ("second", 3)


def test_specs_are_sorted_by_name_and_round_trip_through_to_dict():
    """Output is sorted by name, and to_dict/from_dict keeps everything but the secrets."""
    specs = load_config(CONFIGS / "cursor.mcp.json")
    assert [s.name for s in specs] == sorted(s.name for s in specs)
    for spec in specs:
        assert ServerSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


# -- errors -----------------------------------------------------------------------------------------


def test_error_names_the_file_the_server_and_the_key():
    """A wrong type reads `<file>: server '<name>': key '<key>': expected ..., got <type>`."""
    text = '{"servers": {"github": {"command": "npx", "args": 42}}}'
    with pytest.raises(ConfigError) as info:
        parse_config(text, path="path/mcp.json")
    assert str(info.value) == "path/mcp.json: server 'github': key 'args': expected a list of strings, got number"
    assert (info.value.path, info.value.server, info.value.key) == ("path/mcp.json", "github", "args")


@pytest.mark.parametrize(("text", "server", "key", "message"), [
    ('{"mcpServers": {"a": {"command": "x",}\n  "b": 1}}', None, None,
     "not valid JSON at line 2, column 3: expected ',' or '}' after an object member"),
    ('{"mcpServers": {"a": {"command": "x"}}', None, None, "not valid JSON at line 1, column 39"),
    ('{"mcpServers": {"a": {"command": "x\n"}}}', None, None, "unterminated string"),
    ('{"mcpServers": {"a": {"command": "x\\q"}}}', None, None, "invalid escape"),
    ('/* never closed {"mcpServers": {}}', None, None, "unterminated /* comment"),
    ('{"mcpServers": {}} extra', None, None, "expected the end of the file"),
    ("", None, None, "unexpected end of file"),
    ('{"n": 1' + "0" * 5000 + "}", None, None, "too many digits"),
    ("[]", None, None, "expected a JSON object at the top level, got list"),
    ('"mcpServers"', None, None, "expected a JSON object at the top level, got string"),
    ('{"mcp-servers": {}}', None, None, "no MCP servers found: expected a top-level 'mcpServers'"),
    ('{"mcpServers": []}', None, "mcpServers", "expected an object mapping server names"),
    ('{"mcpServers": {"a": "npx"}}', "a", None, "expected an object with 'command' (local server) or 'url'"),
    ('{"mcpServers": {"a": {"command": "x", "url": "https://h/"}}}', "a", None, "has both 'command' and 'url'"),
    ('{"mcpServers": {"a": {"url": "https://h/", "serverUrl": "https://h/"}}}', "a", None, "both 'url' and 'serverUrl'"),
    ('{"mcpServers": {"a": {"args": ["x"]}}}', "a", None, "found neither"),
    ('{"mcpServers": {"a": {"command": ["npx", "-y"]}}}', "a", "command", "expected a string, got list"),
    ('{"mcpServers": {"a": {"command": " "}}}', "a", "command", "expected a non-empty string"),
    ('{"mcpServers": {"a": {"command": "x", "args": "-y pkg"}}}', "a", "args", "expected a list of strings, got string"),
    ('{"mcpServers": {"a": {"command": "x", "args": ["-y", null]}}}', "a", "args", "args[1] is a null"),
    ('{"mcpServers": {"a": {"command": "x", "env": ["A=1"]}}}', "a", "env", "expected an object of string values, got list"),
    ('{"mcpServers": {"a": {"command": "x", "env": {"PORT": 5432}}}}', "a", "env", "the value of 'PORT' is a number"),
    ('{"mcpServers": {"a": {"command": "x", "cwd": 1}}}', "a", "cwd", "expected a string, got number"),
    ('{"mcpServers": {"a": {"command": "x", "envFile": true}}}', "a", "envFile", "expected a string, got boolean"),
    ('{"mcpServers": {"a": {"url": 8080}}}', "a", "url", "expected a string, got number"),
    ('{"mcpServers": {"a": {"url": "ws://h/mcp"}}}', "a", "url", "expected an http:// or https:// URL"),
    ('{"mcpServers": {"a": {"url": "https://h:99999/mcp"}}}', "a", "url", "cannot be parsed"),
    ('{"mcpServers": {"a": {"url": "https://[::1/mcp"}}}', "a", "url", "cannot be parsed"),
    ('{"mcpServers": {"a": {"url": "https:///mcp"}}}', "a", "url", "with a host name"),
    ('{"mcpServers": {"a": {"url": "https://h/", "headers": "Bearer x"}}}', "a", "headers", "got string"),
    ('{"mcpServers": {"a": {"url": "https://h/", "headers": {"X": 1}}}}', "a", "headers", "'X' is a number"),
    ('{"mcpServers": {"a": {"type": "websocket", "url": "wss://h/"}}}', "a", "type", "unknown transport type 'websocket'"),
    ('{"mcpServers": {"a": {"type": 2, "command": "x"}}}', "a", "type", "expected a string, got number"),
    ('{"mcpServers": {"a": {"type": "stdio", "url": "https://h/"}}}', "a", "type", "type 'stdio' needs 'command'"),
    ('{"mcpServers": {"a": {"type": "sse", "command": "x"}}}', "a", "type", "type 'sse' needs 'url'"),
    ('{"mcpServers": {"": {"command": "x"}}}', None, None, "empty name"),
])
def test_malformed_config_raises_config_error_saying_what_was_expected(text, server, key, message):
    """Each malformed shape raises ConfigError naming file, server and key, with what was expected."""
    with pytest.raises(ConfigError) as info:
        parse_config(text, path="conf/mcp.json")
    assert message in str(info.value)
    assert str(info.value).startswith("conf/mcp.json: ")
    assert (info.value.path, info.value.server, info.value.key) == ("conf/mcp.json", server, key)


def test_missing_servers_key_lists_the_keys_each_client_uses():
    """With no server table, the message names the keys looked for and the keys that were there."""
    with pytest.raises(ConfigError) as info:
        parse_config('{"mcp-servers": {}, "theme": "dark"}')
    message = str(info.value)
    for expected in ("'mcpServers'", "'servers'", "'mcp': {'servers'", "'mcp-servers'", "'theme'"):
        assert expected in message


def test_nesting_too_deep_is_a_config_error_not_a_recursion_error():
    """Hostile nesting is refused with a ConfigError instead of exhausting the stack."""
    for text in ("[" * 100_000, '{"a":' * 100_000):
        with pytest.raises(ConfigError, match="nested deeper"):
            parse_config(text)


@pytest.mark.parametrize(("setup", "message"), [
    (lambda p: p, "cannot read the file"),  # does not exist
    (lambda p: (p.mkdir(), p)[1], "cannot read the file"),  # a directory
    (lambda p: (p.write_bytes(b'{"mcpServers": {"\xff": 1}}'), p)[1], "not UTF-8 text"),
])
def test_unreadable_file_raises_config_error_naming_it(tmp_path, setup, message):
    """Missing files, directories and undecodable bytes raise ConfigError with the path."""
    path = setup(tmp_path / "mcp.json")
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path)
    assert info.value.path == str(path)


def test_unknown_client_is_refused():
    """`client=` must be one of CLIENT_KINDS."""
    with pytest.raises(ConfigError, match="unknown client 'notepad'"):
        parse_config('{"mcpServers": {}}', client="notepad")


# -- secrets never show -----------------------------------------------------------------------------


def canary_entries() -> dict[str, dict]:
    return {
        "local": {
            "command": "npx",
            "args": ["-y", "some-server", "--token", CANARY, f"--password={CANARY}",
                     f"postgresql://user:{CANARY}@db.internal:5432/app",
                     f"https://api.example.com/v1?api_key={CANARY}",
                     "--header", f"Authorization: Bearer {CANARY}"],
            "env": {"API_TOKEN": CANARY, "PLAIN_SETTING": CANARY},
        },
        "remote": {
            "url": f"https://user:{CANARY}@mcp.example.com/mcp?api_key={CANARY}",
            "headers": {"Authorization": f"Bearer {CANARY}", "X-Custom": CANARY},
        },
    }


def as_config(entries: dict, client: str) -> str:
    """The canary entries written the way ``client`` writes servers (JSON is YAML too)."""
    if client == "codex":
        return _as_toml(entries)
    if client == "goose":
        local, remote = entries["local"], entries["remote"]
        return json.dumps({"extensions": {
            "local": {"type": "stdio", "cmd": local["command"], "args": local["args"], "envs": local["env"]},
            "remote": {"type": "streamable_http", "uri": remote["url"], "headers": remote["headers"]}}})
    if client == "continue":
        return json.dumps({"mcpServers": [{"name": name, **body} for name, body in entries.items()]})
    if client == "opencode":
        local, remote = entries["local"], entries["remote"]
        return json.dumps({"mcp": {
            "local": {"type": "local", "command": [local["command"], *local["args"]], "environment": local["env"]},
            "remote": {"type": "remote", **remote}}})
    key = {"vscode": "servers", "zed": "context_servers"}.get(client, "mcpServers")
    return json.dumps({key: entries}, indent=2)


def _as_toml(entries: dict) -> str:
    def table(values: dict) -> str:
        return "{ " + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in values.items()) + " }"

    local, remote = entries["local"], entries["remote"]
    return "\n".join([
        "[mcp_servers.local]", f"command = {json.dumps(local['command'])}", f"args = {json.dumps(local['args'])}",
        f"env = {table(local['env'])}", "[mcp_servers.remote]", f"url = {json.dumps(remote['url'])}",
        f"http_headers = {table(remote['headers'])}", ""])


@pytest.mark.parametrize("client", CLIENT_KINDS)
def test_secret_values_never_appear_in_a_spec_or_its_views(client):
    """A canary secret in env, headers, args and URLs is absent from repr, str, to_dict and target."""
    specs = parse_config(as_config(canary_entries(), client), client=client)
    assert len(specs) == 2
    for spec in specs:
        views = [repr(spec), str(spec), json.dumps(spec.to_dict()), spec.target, repr(spec.secrets),
                 str(spec.secrets), repr(spec.source)]
        for view in views:
            assert CANARY not in view
    local, remote = by_name(specs)["local"], by_name(specs)["remote"]
    # ...while the values needed to connect are all still there.
    assert local.launch_args.count(CANARY) == 1 and sum(CANARY in a for a in local.launch_args) == 5
    assert local.secrets.env == {"API_TOKEN": CANARY, "PLAIN_SETTING": CANARY}
    assert remote.connect_url.count(CANARY) == 2
    assert remote.secrets.headers["X-Custom"] == CANARY
    assert local.literal_secret_names == ("API_TOKEN",)
    assert remote.literal_secret_names == ("Authorization",)


def malformed_canary_configs() -> list[str]:
    """Configs carrying the canary that are each wrong in one place."""
    variants = []
    for change in (
        lambda e: e["local"]["env"].update(PORT=5432),
        lambda e: e["local"]["env"].update(LIST=[CANARY]),
        lambda e: e["local"]["args"].append(7),
        lambda e: e["local"].update(args=CANARY),
        lambda e: e["local"].update(env=CANARY),
        lambda e: e["local"].update(command=""),
        lambda e: e["local"].update(url=e["remote"]["url"]),
        lambda e: e["remote"]["headers"].update(X=[CANARY]),
        lambda e: e["remote"].update(headers=f"Authorization: Bearer {CANARY}"),
        lambda e: e["remote"].update(url=f"ftp://user:{CANARY}@host/"),
        lambda e: e["remote"].update(url=f"{CANARY}://host/mcp"),
        lambda e: e["remote"].update(url=CANARY),
        lambda e: e["remote"].update(url=f"https://user:{CANARY}@host:port/mcp"),
        lambda e: e["remote"].update(url=f"https://[{CANARY}/mcp"),
        lambda e: e["remote"].update(url=f"https://{CANARY}:{CANARY}@/mcp"),
        lambda e: e["remote"].update(type="stdio"),
        lambda e: e.update(broken=CANARY),
    ):
        entries = canary_entries()
        change(entries)
        variants.append(json.dumps({"mcpServers": entries}))
    good = json.dumps({"mcpServers": canary_entries()})
    quoted = json.dumps(CANARY)
    variants += [
        good.replace(f"{quoted}, ", f"{quoted} ", 1),  # a missing comma right after the secret
        good.replace(quoted, f'"{CANARY}\\q"', 1),  # a bad escape inside it
        good.replace(quoted, f'"{CANARY}\n"', 1),  # a newline inside it
        good.replace(quoted, CANARY, 1),  # not quoted at all
        good[: good.index(CANARY) + len(CANARY)],  # cut off inside it
    ]
    return variants


@pytest.mark.parametrize("text", malformed_canary_configs())
def test_secret_values_never_appear_in_config_errors(text):
    """Every ConfigError raised for a malformed config around a secret leaves the secret out."""
    with pytest.raises(ConfigError) as info:
        parse_config(text, path="mcp.json", client="generic")
    assert CANARY not in str(info.value)
    assert CANARY not in repr(info.value)
    assert CANARY not in str(info.value.__cause__ or "")


# -- robustness ---------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
FIELD_VALUES = JSON_VALUES | st.sampled_from([
    "npx", "stdio", "http", "sse", "streamable-http", "https://h.example/mcp", "http://h/sse", "ftp://x",
    "${X}", "${env:X}", "${X:-https://d.example}", "https://h:99999/", "http://[::1", "https://${env:H}:${P}/",
]) | st.lists(st.sampled_from(["-y", "pkg", "--token", "s", "postgresql://u:p@h/d"]), max_size=4) | \
    st.dictionaries(st.sampled_from(["API_KEY", "Authorization", "X"]), st.text(max_size=10), max_size=3)
ENTRIES = st.dictionaries(
    st.sampled_from(["command", "args", "env", "url", "serverUrl", "headers", "type", "cwd", "disabled", "envFile"]),
    FIELD_VALUES, max_size=6,
) | JSON_VALUES
CONFIGS_DATA = st.builds(
    lambda key, table: {key: table},
    st.sampled_from(["mcpServers", "servers"]),
    st.dictionaries(st.text(max_size=10), ENTRIES, max_size=3),
) | JSON_VALUES
JSONISH_TEXT = st.text(alphabet=st.sampled_from(list('{}[]":,/*\n \\tfrue0123456789-.eEnul"')), max_size=80)
FIXTURE_TEXTS = [p.read_text() for p in sorted(CONFIGS.iterdir())]
ROBUST = settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


def parses_or_raises_config_error(text: str, client: str | None = None) -> None:
    try:
        specs = parse_config(text, client=client)
    except ConfigError:
        return
    for spec in specs:
        assert isinstance(spec, ServerSpec)
        json.dumps(spec.to_dict())
        assert spec.source.line is None or spec.source.line >= 1


@ROBUST
@given(st.text(max_size=200) | JSONISH_TEXT)
def test_arbitrary_text_gives_specs_or_a_config_error(text):
    """Any text either parses or raises ConfigError: no other exception, no hang."""
    parses_or_raises_config_error(text)


@ROBUST
@given(CONFIGS_DATA, st.sampled_from([None, *CLIENT_KINDS]), st.booleans())
def test_arbitrary_json_gives_specs_or_a_config_error(data, client, indent):
    """Any JSON value, including near-miss server tables, either parses or raises ConfigError."""
    parses_or_raises_config_error(json.dumps(data, indent=2 if indent else None), client)


@ROBUST
@given(st.sampled_from(FIXTURE_TEXTS), st.data())
def test_damaged_example_configs_give_specs_or_a_config_error(text, data):
    """An example config with a character deleted or inserted anywhere parses or raises ConfigError."""
    pos = data.draw(st.integers(0, len(text)))
    insert = data.draw(st.sampled_from(["", '"', "{", "}", "[", ",", ":", "/", "*", "\\", "\n", "x", "1"]))
    damaged = text[:pos] + insert + text[pos + (0 if insert else 1):]
    parses_or_raises_config_error(damaged, data.draw(st.sampled_from([None, *CLIENT_KINDS])))
