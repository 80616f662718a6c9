"""Readers for the clients that keep servers in an ``mcpServers`` JSON object: Claude Desktop, Claude Code,
Cursor, Windsurf, Cline, Roo Code, Gemini CLI, Amazon Q Developer, LM Studio and JetBrains (Junie), plus a
generic reader for files of unknown origin.

Beside each reader: where its format is documented and when that was checked. A detail the documentation
does not settle is marked "unverified" and read the cautious way (a server is assumed to start, a tool to
ask for confirmation).
"""

from __future__ import annotations

import fnmatch
import os
from collections import Counter
from typing import Any

from .._errors import ConfigError
from ._build import Entry, dig, found_keys, table_entries
from ._doc import Doc, KeyPath

__all__ = ["READERS"]

_APPROVE_LISTS = ("autoApprove", "alwaysAllow")


def _servers(doc: Doc, path: str, expected: str, *, honours_disabled: bool,
             approve_keys: tuple[str, ...] = ()) -> list[Entry]:
    """The ``mcpServers`` table, each entry marked disabled (when the client honours ``disabled``) and with
    the tools its client-side auto-approve list names."""
    table = dig(doc.data, ("mcpServers",))
    if table is None:
        raise ConfigError(f"no MCP servers found: expected {expected}{found_keys(doc.data)}", path=path)
    return [_marked(e, honours_disabled, approve_keys) for e in table_entries(table, ("mcpServers",), path)]


def _marked(entry: Entry, honours_disabled: bool, approve_keys: tuple[str, ...]) -> Entry:
    body = entry.body if isinstance(entry.body, dict) else {}
    disabled = honours_disabled and body.get("disabled") is True
    for key in approve_keys:
        tools = body.get(key)
        if isinstance(tools, list) and tools:
            names = tuple(t for t in tools if isinstance(t, str))
            return Entry(entry.name, entry.path, entry.body, disabled=disabled, auto_approve=names,
                         approve_path=(*entry.path, key))
    return Entry(entry.name, entry.path, entry.body, disabled=disabled)


# Claude Desktop — modelcontextprotocol.io "Connect to local MCP servers" (user quickstart) and
# support.anthropic.com; checked 2026-12-06. One user file, ``mcpServers`` with command/args/env. It has no
# ``disabled`` field: such an entry is started anyway, so it is not marked.
def read_claude_desktop(doc: Doc, path: str) -> list[Entry]:
    return _servers(doc, path, "a top-level 'mcpServers' object", honours_disabled=False)


# Claude Code — code.claude.com/docs/en/mcp (scopes, ${VAR} / ${VAR:-default} expansion in command, args,
# env, url and headers) and /docs/en/settings; checked 2026-12-06. ``.mcp.json`` (project scope),
# ``~/.claude.json`` (user scope: top-level ``mcpServers``; local scope: ``projects.<path>.mcpServers``, with
# ``projects.<path>.disabledMcpServers``), ``managed-mcp.json`` (managed). Tool approvals live in
# settings.json ``permissions.allow`` (``mcp__server__tool``), another file: ``mcprisk.discover`` applies them.
def read_claude_code(doc: Doc, path: str) -> list[Entry]:
    data = doc.data
    user = dig(data, ("mcpServers",))
    scope = "project" if os.path.basename(path).lower().endswith(".mcp.json") else "user"
    entries = table_entries(user, ("mcpServers",), path, scope=scope) if user is not None else []
    projects, in_projects = _project_entries(data, path)
    if user is None and not in_projects:
        raise ConfigError("no MCP servers found: expected a top-level 'mcpServers' object, or 'mcpServers' under "
                          f"'projects.<path>' (~/.claude.json){found_keys(data)}", path=path)
    return _disambiguate(entries, projects)


def _project_entries(data: Any, path: str) -> tuple[list[tuple[str, Entry]], bool]:
    """Servers scoped to one project in ~/.claude.json, as (project path, entry); and whether any table exists."""
    projects = data.get("projects") if isinstance(data, dict) else None
    if not isinstance(projects, dict):
        return [], False
    out: list[tuple[str, Entry]] = []
    found = False
    for project, settings in projects.items():
        if not isinstance(settings, dict) or "mcpServers" not in settings:
            continue  # ~/.claude.json holds much else per project; only the server table concerns us
        found = True
        off = settings.get("disabledMcpServers")
        off = set(off) if isinstance(off, list) else set()
        for entry in table_entries(settings["mcpServers"], ("projects", project, "mcpServers"), path, scope="local"):
            out.append((project, Entry(entry.name, entry.path, entry.body, disabled=entry.name in off, scope="local")))
    return out, found


def _disambiguate(user: list[Entry], projects: list[tuple[str, Entry]]) -> list[Entry]:
    """Give every server a unique name: a name used more than once keeps its bare form for the user-scope
    entry, and project entries become ``name@<project path>`` (unique, and the same on every run)."""
    counts = Counter([e.name for e in user] + [e.name for _, e in projects])
    out = list(user)
    for project, entry in projects:
        name = entry.name if counts[entry.name] == 1 else f"{entry.name}@{project}"
        out.append(Entry(name, entry.path, entry.body, disabled=entry.disabled, scope=entry.scope))
    return out


# Cursor — docs.cursor.com/context/model-context-protocol (``~/.cursor/mcp.json`` global,
# ``.cursor/mcp.json`` project; ``${env:NAME}``, ``${userHome}``, ``${workspaceFolder}``); checked 2026-12-06.
# Auto-run of tools is a setting in the app, not in this file. ``disabled`` is read as mcprisk always did
# (the app's own toggle is stored elsewhere; unverified that the file field is honoured).
def read_cursor(doc: Doc, path: str) -> list[Entry]:
    return _servers(doc, path, "a top-level 'mcpServers' object (Cursor ignores 'servers')", honours_disabled=True)


# Windsurf — docs.windsurf.com/windsurf/cascade/mcp (``~/.codeium/windsurf/mcp_config.json``, ``serverUrl``
# or ``url`` for remote servers, ``${env:VAR}``); checked 2026-12-06. ``disabled`` honoured.
def read_windsurf(doc: Doc, path: str) -> list[Entry]:
    return _servers(doc, path, "a top-level 'mcpServers' object", honours_disabled=True)


# Cline — github.com/cline/cline docs/mcp/configuring-mcp-servers.mdx and src/services/mcp/schemas.ts;
# checked 2026-12-06. ``cline_mcp_settings.json`` in the VS Code extension's globalStorage
# (saoudrizwan.claude-dev/settings/) or ``~/.cline/data/settings/`` for the CLI. The code's schema calls the
# auto-approve list ``autoApprove``; the docs call it ``alwaysAllow``: both are read.
def read_cline(doc: Doc, path: str) -> list[Entry]:
    return _servers(doc, path, "a top-level 'mcpServers' object", honours_disabled=True, approve_keys=_APPROVE_LISTS)


# Roo Code — docs.roocode.com/features/mcp/using-mcp-in-roo (global ``mcp_settings.json`` in the extension's
# globalStorage, project ``.roo/mcp.json``; ``alwaysAllow``, ``disabled``, ``disabledTools``); checked 2026-12-06.
def read_roo_code(doc: Doc, path: str) -> list[Entry]:
    return _servers(doc, path, "a top-level 'mcpServers' object", honours_disabled=True, approve_keys=("alwaysAllow",))


# Gemini CLI — github.com/google-gemini/gemini-cli docs/tools/mcp-server.md and docs/cli/configuration.md;
# checked 2026-12-06. ``~/.gemini/settings.json`` (user), ``.gemini/settings.json`` (project),
# ``/etc/gemini-cli/settings.json`` (system). ``httpUrl`` is Streamable HTTP, ``url`` is SSE; ``trust: true``
# skips every confirmation for that server; ``$VAR`` / ``${VAR}`` are expanded; ``mcp.excluded`` names
# servers not to start and ``mcp.allowed``, when present, is the only ones to start.
def read_gemini(doc: Doc, path: str) -> list[Entry]:
    entries = _servers(doc, path, "a top-level 'mcpServers' object", honours_disabled=False)
    excluded = dig(doc.data, ("mcp", "excluded"))
    allowed = dig(doc.data, ("mcp", "allowed"))
    out = []
    for entry in entries:
        body = entry.body
        keys: dict[str, KeyPath] = {}
        if isinstance(body, dict):
            body = dict(body)
            if "httpUrl" in body and "url" not in body:
                body["url"] = body.pop("httpUrl")
                body.setdefault("type", "http")
                keys["url"] = ("httpUrl",)
            elif "url" in body and "command" not in body:
                body.setdefault("type", "sse")
        off = (isinstance(excluded, list) and entry.name in excluded) or \
              (isinstance(allowed, list) and entry.name not in allowed)
        trusted = isinstance(body, dict) and body.get("trust") is True
        out.append(Entry(entry.name, entry.path, body, keys=keys, disabled=off,
                         auto_approve=("*",) if trusted else (),
                         approve_path=(*entry.path, "trust") if trusted else None))
    return out


# Amazon Q Developer — docs.aws.amazon.com/amazonq/latest/qdeveloper-ug/mcp-ide.html and qdev-mcp.html,
# github.com/aws/amazon-q-developer-cli docs/agent-format.md; checked 2026-12-06. Legacy ``~/.aws/amazonq/mcp.json``
# and ``.amazonq/mcp.json``; agent files (``~/.aws/amazonq/agents/default.json``, ``cli-agents/*.json``) hold
# ``mcpServers`` plus ``allowedTools``: ``@server`` allows every tool of a server without asking,
# ``@server/tool`` one tool, with ``*``/``?`` wildcards. ``disabled: true`` is read as not started (unverified).
def read_amazon_q(doc: Doc, path: str) -> list[Entry]:
    entries = _servers(doc, path, "a top-level 'mcpServers' object", honours_disabled=True)
    allowed = doc.data.get("allowedTools") if isinstance(doc.data, dict) else None
    if not isinstance(allowed, list):
        return entries
    out = []
    for entry in entries:
        tools = _q_allowed(entry.name, [a for a in allowed if isinstance(a, str)])
        out.append(Entry(entry.name, entry.path, entry.body, disabled=entry.disabled, auto_approve=tools,
                         approve_path=("allowedTools",) if tools else None))
    return out


def _q_allowed(server: str, patterns: list[str]) -> tuple[str, ...]:
    """The tool patterns of ``server`` that ``allowedTools`` lets run without asking ("*" for all of them)."""
    tools: list[str] = []
    for pattern in patterns:
        if not pattern.startswith("@") or pattern == "@builtin":
            continue
        server_part, _, tool_part = pattern[1:].partition("/")
        if fnmatch.fnmatchcase(server, server_part):
            tools.append(tool_part or "*")
    return tuple(dict.fromkeys(tools))


# LM Studio — lmstudio.ai/docs/app/mcp ("follows Cursor's mcp.json notation"; ``~/.lmstudio/mcp.json``);
# checked 2026-12-06. A bug report (lmstudio-bug-tracker #1371) says macOS builds keep it in
# ``~/.cache/lm-studio/mcp.json``: both are looked for. No ``disabled`` field is documented: not honoured.
def read_lm_studio(doc: Doc, path: str) -> list[Entry]:
    return _servers(doc, path, "a top-level 'mcpServers' object", honours_disabled=False)


# JetBrains Junie — jetbrains.com/help/junie/model-context-protocol-mcp.html; checked 2026-12-06.
# ``~/.junie/mcp/mcp.json`` (every project) and ``.junie/mcp/mcp.json`` (one project); stdio servers only;
# tool approval is the IDE's Action Allowlist, not this file. JetBrains AI Assistant keeps its servers in the
# IDE's settings, not in a documented file: not read.
def read_jetbrains(doc: Doc, path: str) -> list[Entry]:
    return _servers(doc, path, "a top-level 'mcpServers' object", honours_disabled=False)


# A file of unknown origin: ``mcpServers`` (the common shape), ``servers`` or ``mcp.servers`` (VS Code), read
# the Cline way (``disabled`` honoured, ``autoApprove``/``alwaysAllow`` read).
def read_generic(doc: Doc, path: str) -> list[Entry]:
    for keys in (("mcpServers",), ("servers",), ("mcp", "servers"), ("mcp.servers",)):
        table = dig(doc.data, keys)
        if table is not None:
            return [_marked(e, True, _APPROVE_LISTS) for e in table_entries(table, keys, path)]
    raise ConfigError("no MCP servers found: expected a top-level 'mcpServers' object (Claude Desktop, Claude Code, "
                      "Cursor, Windsurf), 'servers' (VS Code mcp.json) or 'mcp': {'servers': ...} "
                      f"(VS Code settings.json){found_keys(doc.data)}", path=path)


READERS = {
    "claude_desktop": read_claude_desktop,
    "claude_code": read_claude_code,
    "cursor": read_cursor,
    "windsurf": read_windsurf,
    "cline": read_cline,
    "roo_code": read_roo_code,
    "gemini": read_gemini,
    "amazon_q": read_amazon_q,
    "lm_studio": read_lm_studio,
    "jetbrains": read_jetbrains,
    "generic": read_generic,
}
