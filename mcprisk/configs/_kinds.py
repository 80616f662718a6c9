"""Which client wrote a config file, and how each client's placeholders are read.

Detection looks at the file's name and folders first (``.cursor/mcp.json``, ``.codex/config.toml``...), then at
its shape (``context_servers``, ``mcp_servers``, ``extensions``...). A saved copy named
``<client>.<anything>`` (``cursor.mcp.json``, ``codex.config.toml``) is read as that client's file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._build import Entry, Expand
from ._doc import Doc
from .agents import READERS as _AGENTS
from .editors import READERS as _EDITORS
from .mcpservers import READERS as _MCP

__all__ = ["CLIENT_KINDS", "ClientKind", "client_kind", "client_from_path", "client_from_shape", "format_for"]


# -- placeholders ------------------------------------------------------------------------------------

# Linear: the default excludes "{" (an unclosed ``${`` fails at the next one instead of scanning on).
_BARE_VAR = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<default>:-[^{}]*)?\}")
_DOLLAR_VAR = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")
_CONTINUE_REF = re.compile(r"\$\{\{\s*(?:secrets|inputs)\.(?P<name>[A-Za-z0-9_.-]+)\s*\}\}")
_OPENCODE_REF = re.compile(r"(?<!\$)\{(?P<kind>env|file):(?P<name>[^{}]+)\}")


def _same(text: str) -> str:
    return text


def _bare_vars(text: str) -> str:
    """Claude Code's ``${VAR}`` / ``${VAR:-default}`` written as ``${env:VAR}`` / ``${env:VAR:-default}``."""
    return _BARE_VAR.sub(lambda m: "${env:" + m["name"] + (m["default"] or "") + "}", text)


def _dollar_vars(text: str) -> str:
    """Gemini CLI's ``$VAR`` and ``${VAR}`` as ``${env:VAR}``."""
    return _DOLLAR_VAR.sub(lambda m: "${env:" + (m["braced"] or m["bare"]) + "}", text)


def _continue_refs(text: str) -> str:
    """Continue's ``${{ secrets.NAME }}`` / ``${{ inputs.NAME }}``: references to a value held elsewhere."""
    return _CONTINUE_REF.sub(lambda m: "${env:" + m["name"] + "}", text)


def _opencode_refs(text: str) -> str:
    """opencode's ``{env:NAME}`` as ``${env:NAME}``; ``{file:path}`` as an input to be given at connect time."""
    return _OPENCODE_REF.sub(lambda m: "${" + ("env:" if m["kind"] == "env" else "input:file:") + m["name"] + "}", text)


# -- the registry ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientKind:
    """One client's config format: its reader, its placeholder syntax and its file format."""

    name: str
    title: str
    fmt: str  # json (JSON with comments) | toml | yaml; "yaml" files ending in .json are read as JSON
    read: Callable[[Doc, str], list[Entry]]
    expand: Expand = _same


_READ = {**_MCP, **_EDITORS, **_AGENTS}
_KINDS: tuple[ClientKind, ...] = (
    ClientKind("claude_desktop", "Claude Desktop", "json", _READ["claude_desktop"]),
    ClientKind("claude_code", "Claude Code", "json", _READ["claude_code"], _bare_vars),
    ClientKind("vscode", "VS Code", "json", _READ["vscode"]),
    ClientKind("cursor", "Cursor", "json", _READ["cursor"]),
    ClientKind("windsurf", "Windsurf", "json", _READ["windsurf"]),
    ClientKind("zed", "Zed", "json", _READ["zed"]),
    ClientKind("codex", "Codex CLI", "toml", _READ["codex"]),
    ClientKind("gemini", "Gemini CLI", "json", _READ["gemini"], _dollar_vars),
    ClientKind("goose", "Goose", "yaml", _READ["goose"]),
    ClientKind("continue", "Continue", "yaml", _READ["continue"], _continue_refs),
    ClientKind("cline", "Cline", "json", _READ["cline"]),
    ClientKind("roo_code", "Roo Code", "json", _READ["roo_code"]),
    ClientKind("opencode", "opencode", "json", _READ["opencode"], _opencode_refs),
    ClientKind("amazon_q", "Amazon Q Developer", "json", _READ["amazon_q"]),
    ClientKind("lm_studio", "LM Studio", "json", _READ["lm_studio"]),
    ClientKind("jetbrains", "JetBrains Junie", "json", _READ["jetbrains"]),
    ClientKind("generic", "generic mcpServers file", "json", _READ["generic"], _bare_vars),
)
_BY_NAME = {k.name: k for k in _KINDS}
CLIENT_KINDS: tuple[str, ...] = tuple(k.name for k in _KINDS)


def client_kind(name: str) -> ClientKind:
    return _BY_NAME[name]


def format_for(kind: str, path: str | None) -> str:
    """The file format to parse: the client's, except a ``.json`` block file in a YAML client's folder."""
    fmt = _BY_NAME[kind].fmt
    suffix = os.path.splitext(path or "")[1].lower()
    if fmt == "yaml" and suffix == ".json":
        return "json"
    if kind == "generic" and suffix in (".toml", ".yaml", ".yml"):
        return "toml" if suffix == ".toml" else "yaml"
    return fmt


# -- detection ---------------------------------------------------------------------------------------


def client_from_path(path: str | os.PathLike[str] | None) -> str | None:
    """The client a file belongs to by its name and folders, or None when they do not say."""
    if path is None:
        return None
    # Split on both separators: a Windows path may be examined on Linux and vice versa.
    parts = [p.lower() for p in re.split(r"[\\/]+", os.fspath(path)) if p]
    if not parts:
        return None
    name, parent = parts[-1], (parts[-2] if len(parts) > 1 else "")
    grandparent = parts[-3] if len(parts) > 2 else ""
    exact = {"claude_desktop_config.json": "claude_desktop", ".mcp.json": "claude_code", ".claude.json": "claude_code",
             "managed-mcp.json": "claude_code", "cline_mcp_settings.json": "cline", "opencode.json": "opencode",
             "opencode.jsonc": "opencode", "mcp_config.json": "windsurf" if parent == "windsurf" else None}
    if exact.get(name):
        return exact[name]
    by_folder = {
        ("mcp.json", ".cursor"): "cursor", ("mcp.json", ".roo"): "roo_code", ("mcp.json", ".lmstudio"): "lm_studio",
        ("mcp.json", "lm-studio"): "lm_studio", ("settings.json", ".gemini"): "gemini",
        ("settings.json", "gemini-cli"): "gemini", ("settings.json", "zed"): "zed", ("settings.json", ".zed"): "zed",
        ("config.toml", ".codex"): "codex", ("config.yaml", "goose"): "goose", ("config.yaml", ".continue"): "continue",
        ("mcp_settings.json", "settings"): "roo_code" if grandparent == "rooveterinaryinc.roo-cline" else None,
    }
    if by_folder.get((name, parent)):
        return by_folder[(name, parent)]
    if name in ("mcp.json", "settings.json") and (
            parent == ".vscode" or (parent == "user" and grandparent.startswith(("code", "vscodium")))):
        return "vscode"
    if name == "mcp.json" and parent == "mcp" and grandparent == ".junie":
        return "jetbrains"
    if name == "config.yaml" and parent == "config" and grandparent == "goose":
        return "goose"
    if ".codeium" in parts and name == "mcp_config.json":
        return "windsurf"
    if "mcpservers" in parts[:-1] and parts.index("mcpservers") > 0 and parts[parts.index("mcpservers") - 1] == ".continue":
        return "continue"
    if (".amazonq" in parts or "amazonq" in parts) and name.endswith(".json"):
        return "amazon_q"
    prefix = name.split(".", 1)[0]
    if prefix != name and prefix in _BY_NAME:
        return prefix
    return None


def client_from_shape(data: Any) -> str:
    """The client a file's top-level keys point to; ``generic`` when they do not say."""
    if not isinstance(data, dict):
        return "generic"
    if "context_servers" in data:
        return "zed"
    if "mcp_servers" in data:
        return "codex"
    if "extensions" in data and isinstance(data["extensions"], dict):
        return "goose"
    if isinstance(data.get("mcpServers"), list):
        return "continue"
    if "servers" in data and "mcpServers" not in data:
        return "vscode"
    if isinstance(data.get("mcpServers"), dict):
        bodies = [b for b in data["mcpServers"].values() if isinstance(b, dict)]
        if any("httpUrl" in b or "trust" in b for b in bodies):
            return "gemini"
        return "generic"
    mcp = data.get("mcp")
    if isinstance(mcp, dict):
        table = mcp.get("servers") if isinstance(mcp.get("servers"), dict) else mcp
        bodies = [b for b in table.values() if isinstance(b, dict)]
        if any(str(b.get("type", "")).lower() in ("local", "remote") or isinstance(b.get("command"), list)
               for b in bodies):
            return "opencode"
        if isinstance(mcp.get("servers"), dict):
            return "vscode"
    if "mcp.servers" in data:
        return "vscode"
    projects = data.get("projects")
    if isinstance(projects, dict) and any(isinstance(p, dict) and "mcpServers" in p for p in projects.values()):
        return "claude_code"
    return "generic"
