"""Readers for editors whose server table has its own key: VS Code (``servers``) and Zed (``context_servers``).

Beside each reader: where its format is documented and when that was checked.
"""

from __future__ import annotations

from .._errors import ConfigError
from ._build import Entry, dig, found_keys, table_entries
from ._doc import Doc, KeyPath

__all__ = ["READERS"]


# VS Code — code.visualstudio.com/docs/copilot/reference/mcp-configuration (github.com/microsoft/vscode-docs
# docs/copilot/reference/mcp-configuration.md); checked 2026-12-06. ``.vscode/mcp.json`` (workspace) and
# ``mcp.json`` in the user profile; ``servers`` with ``type`` stdio/http/sse, ``inputs`` and
# ``${input:id}`` / ``${env:NAME}``; older settings.json keeps ``"mcp": {"servers": ...}``. Servers are
# switched off in the UI, not in the file, so no entry is marked disabled; ``sandboxEnabled`` auto-approves
# tools inside a sandbox and is not counted as an auto-approval here.
def read_vscode(doc: Doc, path: str) -> list[Entry]:
    for keys in (("servers",), ("mcp", "servers"), ("mcp.servers",)):
        table = dig(doc.data, keys)
        if table is not None:
            return table_entries(table, keys, path)
    ignored = " (VS Code ignores 'mcpServers')" if isinstance(doc.data, dict) and "mcpServers" in doc.data else ""
    raise ConfigError("no MCP servers found: expected a top-level 'servers' object (mcp.json) or 'mcp': "
                      f"{{'servers': ...}} (settings.json){ignored}{found_keys(doc.data)}", path=path)


# Zed — zed.dev/docs/ai/mcp (github.com/zed-industries/zed docs/src/ai/mcp.md); checked 2026-12-06.
# ``~/.config/zed/settings.json`` (Linux, macOS), ``%APPDATA%\Zed\settings.json`` (Windows) and a project's
# ``.zed/settings.json``, JSON with comments; ``context_servers.<name>`` with ``command``/``args``/``env`` (older
# releases: ``command: {path, args, env}``) or ``url``/``headers`` for a remote server. A server that an
# extension provides (``source: extension``, no command) cannot be read here and is skipped. ``enabled:
# false`` and ``agent.always_allow_tool_actions`` (every tool call runs unasked) are read as written in
# users' files; the docs page does not describe them (unverified).
def read_zed(doc: Doc, path: str) -> list[Entry]:
    table = dig(doc.data, ("context_servers",))
    if table is None:
        raise ConfigError("no MCP servers found: expected a top-level 'context_servers' object"
                          f"{found_keys(doc.data)}", path=path)
    unasked = dig(doc.data, ("agent", "always_allow_tool_actions")) is True
    out = []
    for entry in table_entries(table, ("context_servers",), path):
        body = entry.body
        keys: dict[str, KeyPath] = {}
        if isinstance(body, dict):
            if "command" not in body and "url" not in body and (body.get("source") == "extension" or "settings" in body):
                continue  # provided by a Zed extension: the command is the extension's, not in this file
            if isinstance(body.get("command"), dict):  # the older nested form
                nested = body["command"]
                body = {k: v for k, v in body.items() if k != "command"}
                body.update({"command": nested.get("path"), "args": nested.get("args"), "env": nested.get("env")})
                body = {k: v for k, v in body.items() if v is not None or k == "command"}
                keys = {"command": ("command", "path"), "args": ("command", "args"), "env": ("command", "env")}
        disabled = isinstance(body, dict) and body.get("enabled") is False
        out.append(Entry(entry.name, entry.path, body, keys=keys, disabled=disabled,
                         auto_approve=("*",) if unasked else (),
                         approve_path=("agent", "always_allow_tool_actions") if unasked else None))
    return out


READERS = {"vscode": read_vscode, "zed": read_zed}
