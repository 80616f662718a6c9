"""Where each client keeps its MCP config files, per scope and operating system, and the places people put
one that the client never reads.

Paths use ``~`` (the home folder), ``{project}`` (the project folder), ``{appdata}`` (Windows' roaming
application data, ``%APPDATA%``) and ``{root}`` (the file-system root, for machine-wide files). A ``*`` is a
glob in that folder. Sources and dates are beside each reader in ``mcprisk.configs`` (``mcpservers``,
``editors``, ``agents``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DECOYS", "LOCATIONS", "Location"]


@dataclass(frozen=True)
class Location:
    """One place a client reads servers from."""

    client: str
    scope: str  # user | project | local | workspace | managed | system
    path: str
    optional: bool = False  # a settings file that may well hold no server table: empty, not an error
    note: str | None = None  # what the client does with it that mcprisk cannot check


_VSCODE_USER = ("~/Library/Application Support/{app}/User", "~/.config/{app}/User", "{appdata}/{app}/User")


def _vscode_family(client: str, tail: str, *, optional: bool = False, scope: str = "user") -> list[Location]:
    """A file under the user folder of VS Code, VS Code Insiders and VSCodium, on each system."""
    return [Location(client, scope, f"{base.replace('{app}', app)}/{tail}", optional)
            for app in ("Code", "Code - Insiders", "VSCodium") for base in _VSCODE_USER]


LOCATIONS: tuple[Location, ...] = (
    Location("claude_desktop", "user", "~/Library/Application Support/Claude/claude_desktop_config.json"),
    Location("claude_desktop", "user", "{appdata}/Claude/claude_desktop_config.json"),
    Location("claude_desktop", "user", "~/.config/Claude/claude_desktop_config.json",
             note="Claude Desktop has no official Linux build; this is where community builds keep it"),
    Location("claude_code", "user", "~/.claude.json", optional=True),
    Location("claude_code", "project", "{project}/.mcp.json",
             note="Claude Code asks before it first starts a project's servers"),
    Location("claude_code", "managed", "{root}/Library/Application Support/ClaudeCode/managed-mcp.json"),
    Location("claude_code", "managed", "{root}/etc/claude-code/managed-mcp.json"),
    *_vscode_family("vscode", "mcp.json"),
    *_vscode_family("vscode", "settings.json", optional=True),
    Location("vscode", "workspace", "{project}/.vscode/mcp.json"),
    Location("cursor", "user", "~/.cursor/mcp.json"),
    Location("cursor", "project", "{project}/.cursor/mcp.json"),
    Location("windsurf", "user", "~/.codeium/windsurf/mcp_config.json"),
    Location("zed", "user", "~/.config/zed/settings.json", optional=True),
    Location("zed", "user", "{appdata}/Zed/settings.json", optional=True),
    Location("zed", "project", "{project}/.zed/settings.json", optional=True),
    Location("codex", "user", "~/.codex/config.toml", optional=True),
    Location("codex", "project", "{project}/.codex/config.toml", optional=True,
             note="Codex reads a project's .codex/config.toml only when the project is trusted"),
    Location("gemini", "user", "~/.gemini/settings.json", optional=True),
    Location("gemini", "project", "{project}/.gemini/settings.json", optional=True),
    Location("gemini", "system", "{root}/etc/gemini-cli/settings.json", optional=True),
    Location("goose", "user", "~/.config/goose/config.yaml", optional=True),
    Location("goose", "user", "{appdata}/Block/goose/config/config.yaml", optional=True),
    Location("continue", "user", "~/.continue/config.yaml", optional=True),
    Location("continue", "user", "~/.continue/mcpServers/*"),
    Location("continue", "project", "{project}/.continue/mcpServers/*"),
    *_vscode_family("cline", "globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json"),
    Location("cline", "user", "~/.cline/data/settings/cline_mcp_settings.json"),
    *_vscode_family("roo_code", "globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json"),
    Location("roo_code", "project", "{project}/.roo/mcp.json"),
    Location("opencode", "user", "~/.config/opencode/opencode.json", optional=True),
    Location("opencode", "user", "~/.config/opencode/opencode.jsonc", optional=True),
    Location("opencode", "project", "{project}/opencode.json", optional=True),
    Location("opencode", "project", "{project}/opencode.jsonc", optional=True),
    Location("opencode", "project", "{project}/.opencode/opencode.json", optional=True),
    Location("opencode", "project", "{project}/.opencode/opencode.jsonc", optional=True),
    Location("amazon_q", "user", "~/.aws/amazonq/mcp.json"),
    Location("amazon_q", "user", "~/.aws/amazonq/default.json", optional=True),
    Location("amazon_q", "user", "~/.aws/amazonq/agents/default.json", optional=True),
    Location("amazon_q", "user", "~/.aws/amazonq/cli-agents/*", optional=True),
    Location("amazon_q", "project", "{project}/.amazonq/mcp.json"),
    Location("amazon_q", "project", "{project}/.amazonq/default.json", optional=True),
    Location("amazon_q", "project", "{project}/.amazonq/cli-agents/*", optional=True),
    Location("lm_studio", "user", "~/.lmstudio/mcp.json"),
    Location("lm_studio", "user", "~/.cache/lm-studio/mcp.json",
             note="LM Studio on macOS may keep its working copy here (lmstudio-bug-tracker #1371)"),
    Location("jetbrains", "user", "~/.junie/mcp/mcp.json"),
    Location("jetbrains", "project", "{project}/.junie/mcp/mcp.json"),
)

# Places that look like a client's config file but that the client never reads: found, reported, not read.
DECOYS: tuple[tuple[str, str, str], ...] = (
    ("vscode", "~/.vscode/mcp.json",
     "VS Code reads the user mcp.json from its profile folder (Code/User/mcp.json), not from ~/.vscode"),
    ("claude_code", "~/.mcp.json", "Claude Code reads .mcp.json only at the root of the project it runs in"),
    ("claude_code", "{project}/.claude/mcp.json", "Claude Code reads a project's servers from .mcp.json at its root"),
    ("claude_code", "{project}/.claude/.mcp.json", "Claude Code reads a project's servers from .mcp.json at its root"),
    ("cursor", "{project}/mcp.json",
     "no client reads a bare mcp.json at a project root (Cursor: .cursor/mcp.json, VS Code: .vscode/mcp.json)"),
    ("windsurf", "~/.windsurf/mcp_config.json", "Windsurf reads only ~/.codeium/windsurf/mcp_config.json"),
    ("windsurf", "{project}/.windsurf/mcp_config.json", "Windsurf reads only ~/.codeium/windsurf/mcp_config.json"),
    ("gemini", "{project}/.gemini/mcp.json", "Gemini CLI reads mcpServers from .gemini/settings.json"),
    ("gemini", "~/.gemini/mcp.json", "Gemini CLI reads mcpServers from ~/.gemini/settings.json"),
    ("codex", "{project}/.codex/mcp.json", "Codex reads [mcp_servers] tables from .codex/config.toml"),
    ("codex", "~/.codex/mcp.json", "Codex reads [mcp_servers] tables from ~/.codex/config.toml"),
    ("claude_desktop", "{project}/claude_desktop_config.json",
     "Claude Desktop reads only its own file in the application's settings folder"),
    ("jetbrains", "{project}/.junie/mcp.json", "Junie reads .junie/mcp/mcp.json"),
    ("roo_code", "{project}/.roo/mcp_settings.json", "Roo Code reads a project's servers from .roo/mcp.json"),
)
