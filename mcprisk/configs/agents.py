"""Readers for coding agents with a shape of their own: Codex CLI (TOML ``mcp_servers``), Goose (YAML
``extensions``), Continue (YAML ``mcpServers`` list, or block files) and opencode (JSONC ``mcp``).

Beside each reader: where its format is documented and when that was checked.
"""

from __future__ import annotations

from typing import Any

from .._errors import ConfigError
from ._build import Entry, dig, found_keys, kind_of, table_entries
from ._doc import Doc, KeyPath

__all__ = ["READERS"]


# Codex CLI — github.com/openai/codex docs/config.md ("MCP integration"); checked 2026-12-06.
# ``$CODEX_HOME/config.toml`` (default ``~/.codex/config.toml``) and, in a trusted project only,
# ``.codex/config.toml``. ``[mcp_servers.<name>]``: ``command``/``args``/``env``/``env_vars``/``cwd`` (stdio) or
# ``url`` with ``bearer_token_env_var``, ``http_headers`` and ``env_http_headers`` (Streamable HTTP);
# ``enabled = false`` keeps a server without starting it; ``enabled_tools``/``disabled_tools`` filter tools.
# Whether an MCP tool call asks for approval is not documented there (unverified): no auto-approval is read.
def read_codex(doc: Doc, path: str) -> list[Entry]:
    table = dig(doc.data, ("mcp_servers",))
    if table is None:
        raise ConfigError(f"no MCP servers found: expected '[mcp_servers.<name>]' tables{found_keys(doc.data)}",
                          path=path)
    out = []
    for entry in table_entries(table, ("mcp_servers",), path):
        body, keys = entry.body, {}
        if isinstance(body, dict):
            body, keys = _codex_body(body)
        disabled = isinstance(entry.body, dict) and entry.body.get("enabled") is False
        out.append(Entry(entry.name, entry.path, body, keys=keys, disabled=disabled))
    return out


def _codex_body(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, KeyPath]]:
    body = {k: raw[k] for k in ("command", "args", "env", "cwd", "url") if k in raw}
    keys: dict[str, KeyPath] = {}
    env_vars = raw.get("env_vars")
    if isinstance(env_vars, list) and all(isinstance(v, str) for v in env_vars):
        # Passed through from Codex's own environment when set; an unset one is simply not passed.
        env = dict(body.get("env") or {}) if isinstance(body.get("env") or {}, dict) else body.get("env")
        if isinstance(env, dict):
            env.update({v: "${env:" + v + ":-}" for v in env_vars if v not in env})
            body["env"] = env
    if "url" in body:
        headers: dict[str, Any] = {}
        if isinstance(raw.get("http_headers"), dict):
            headers.update(raw["http_headers"])
            keys["headers"] = ("http_headers",)
        if isinstance(raw.get("env_http_headers"), dict):
            headers.update({h: "${env:" + str(v) + "}" for h, v in raw["env_http_headers"].items()})
        if isinstance(raw.get("bearer_token_env_var"), str):
            headers["Authorization"] = "Bearer ${env:" + raw["bearer_token_env_var"] + "}"
        if headers:
            body["headers"] = headers
        body["type"] = "http"  # Codex speaks Streamable HTTP to a url
    return body, keys


# Goose — github.com/aaif-goose/goose documentation/docs/guides/config-files.md; checked 2026-12-06.
# ``~/.config/goose/config.yaml`` (macOS, Linux), ``%APPDATA%\Block\goose\config\config.yaml`` (Windows).
# ``extensions.<key>``: ``type`` stdio (``cmd``, ``args``, ``envs``, ``env_keys``) or streamable_http (``uri``,
# ``headers``); builtin and platform extensions run inside goose and are skipped; ``enabled: false`` keeps an
# extension off. ``GOOSE_MODE: auto`` runs every tool without asking (the page lists "auto" as the default in
# newer releases; only an explicit ``auto`` is counted here).
def read_goose(doc: Doc, path: str) -> list[Entry]:
    table = dig(doc.data, ("extensions",))
    if table is None:
        raise ConfigError(f"no MCP servers found: expected an 'extensions' mapping{found_keys(doc.data)}", path=path)
    unasked = dig(doc.data, ("GOOSE_MODE",)) == "auto"
    out = []
    for entry in table_entries(table, ("extensions",), path):
        raw = entry.body
        if not isinstance(raw, dict):
            out.append(entry)
            continue
        kind = str(raw.get("type", "stdio")).lower()
        if kind in ("builtin", "platform", "frontend", "inline_python"):
            continue  # runs inside goose: nothing is launched or reached from this entry
        keys: dict[str, KeyPath]
        if kind == "stdio":
            env = dict(raw.get("envs") or {}) if isinstance(raw.get("envs") or {}, dict) else raw.get("envs")
            if isinstance(env, dict) and isinstance(raw.get("env_keys"), list):
                env.update({k: "${env:" + k + ":-}" for k in raw["env_keys"] if isinstance(k, str) and k not in env})
            body = {"command": raw.get("cmd"), "args": raw.get("args"), "env": env, "type": "stdio"}
            keys = {"command": ("cmd",), "env": ("envs",)}
        else:
            body = {"url": raw.get("uri"), "headers": raw.get("headers"), "type": kind}
            keys = {"url": ("uri",)}
        body = {k: v for k, v in body.items() if v is not None or k in ("command", "url")}
        out.append(Entry(entry.name, entry.path, body, keys=keys, disabled=raw.get("enabled") is False,
                         auto_approve=("*",) if unasked else (), approve_path=("GOOSE_MODE",) if unasked else None))
    return out


# Continue — github.com/continuedev/continue docs/customize/deep-dives/mcp.mdx; checked 2026-12-06.
# ``~/.continue/config.yaml`` holds ``mcpServers`` as a list of ``{name, type, command, args, env, url}``;
# block files in ``.continue/mcpServers/`` are the same list (with name/version/schema), or a Claude-style JSON
# ``mcpServers`` object. ``${{ secrets.NAME }}`` / ``${{ inputs.NAME }}`` are references, read as ``${env:NAME}``.
def read_continue(doc: Doc, path: str) -> list[Entry]:
    servers = dig(doc.data, ("mcpServers",))
    if isinstance(servers, dict):  # a Claude-style JSON file dropped into .continue/mcpServers/
        return table_entries(servers, ("mcpServers",), path)
    if not isinstance(servers, list):
        got = f", got {kind_of(servers)}" if servers is not None else ""
        raise ConfigError(f"no MCP servers found: expected an 'mcpServers' list{got}{found_keys(doc.data)}",
                          path=path)
    out: list[Entry] = []
    seen: set[str] = set()
    for i, item in enumerate(servers):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"mcpServers[{i}] has no 'name'", path=path)
        unique, n = name, 2
        while unique in seen:  # two blocks may share a display name; keep both, distinguishably
            unique, n = f"{name} ({n})", n + 1
        seen.add(unique)
        body = {k: v for k, v in item.items() if k in ("type", "command", "args", "env", "url", "cwd", "headers")}
        out.append(Entry(unique, ("mcpServers", i), body))
    return out


# opencode — opencode.ai/docs/mcp-servers; checked 2026-12-06. ``opencode.json``/``opencode.jsonc`` in the
# project (or its ``.opencode/``) and ``~/.config/opencode/``. 1.x: ``mcp.<name>``; 2.x: ``mcp.servers.<name>``.
# ``type: local`` with ``command`` as one list (the command and its arguments) and ``environment``, or
# ``type: remote`` with ``url``/``headers`` (Streamable HTTP, falling back to SSE); 1.x ``enabled: false`` and
# 2.x ``disabled: true`` keep a server off. ``{env:NAME}`` is a reference; ``{file:path}`` reads a file.
def read_opencode(doc: Doc, path: str) -> list[Entry]:
    mcp = dig(doc.data, ("mcp",))
    if not isinstance(mcp, dict):
        raise ConfigError(f"no MCP servers found: expected an 'mcp' object{found_keys(doc.data)}", path=path)
    nested = mcp.get("servers")
    keys_at: KeyPath = ("mcp", "servers") if isinstance(nested, dict) and not _is_server(nested) else ("mcp",)
    out = []
    for entry in table_entries(dig(doc.data, keys_at), keys_at, path):
        raw = entry.body
        if not isinstance(raw, dict):
            out.append(entry)
            continue
        off = raw.get("enabled") is False or raw.get("disabled") is True
        if str(raw.get("type", "")).lower() == "remote" or ("url" in raw and "command" not in raw):
            body = {k: raw[k] for k in ("url", "headers") if k in raw}
            out.append(Entry(entry.name, entry.path, body, disabled=off))
            continue
        command = raw.get("command")
        if not isinstance(command, list) or not command or not all(isinstance(c, str) for c in command):
            got = kind_of(command) if not isinstance(command, list) else "an empty or mixed list"
            raise ConfigError(f"expected 'command' as a list of strings (the command, then its arguments), got {got}",
                              path=path, server=entry.name, key="command")
        body = {"command": command[0], "args": command[1:], "type": "stdio"}
        if "environment" in raw:
            body["env"] = raw["environment"]
        out.append(Entry(entry.name, entry.path, body, keys={"command": ("command", 0), "args": ("command",),
                                                             "env": ("environment",)},
                         args_offset=1, disabled=off))
    return out


def _is_server(value: dict[str, Any]) -> bool:
    """A 1.x server that happens to be named "servers" (it has a server's own keys)."""
    return any(k in value for k in ("type", "command", "url"))


READERS = {"codex": read_codex, "goose": read_goose, "continue": read_continue, "opencode": read_opencode}
