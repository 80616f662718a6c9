"""Read MCP client config files into ServerSpecs: Claude Desktop, Claude Code, VS Code, Cursor, Windsurf, Zed,
Codex CLI, Gemini CLI, Goose, Continue, Cline, Roo Code, opencode, Amazon Q Developer, LM Studio and
JetBrains Junie (JSON with comments, TOML or YAML).

Every spec records its file, client, JSON pointer and line, and the line of each value a finding may point
at; an entry the client keeps but does not start is kept and marked ``disabled``, and tools the client runs
without asking are kept in ``auto_approve``. Where each client keeps its files: ``mcprisk.configs.locations``.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from .._errors import ConfigError
from ..specs import ServerSpec
from ._build import build_spec, kind_of
from ._doc import parse_doc, read_text
from ._kinds import CLIENT_KINDS, client_from_path, client_from_shape, client_kind, format_for

__all__ = ["CLIENT_KINDS", "client_title", "detect_client", "load_config", "parse_config", "parse_doc", "read_text"]


def load_config(path: str | os.PathLike[str], *, client: str | None = None, scope: str | None = None
                ) -> list[ServerSpec]:
    """The servers configured in the client config file at ``path``, sorted by name (disabled ones included,
    marked). ``client`` (one of CLIENT_KINDS) skips detection. Raises ConfigError naming the file, server and key.
    """
    shown = os.fspath(path)
    return parse_config(read_text(shown), path=shown, client=client, scope=scope)


def parse_config(text: str, *, path: str = "<string>", client: str | None = None, scope: str | None = None
                 ) -> list[ServerSpec]:
    """The servers configured in ``text`` (a config file's content), sorted by name.

    ``path`` is used for detection and messages; ``scope`` (user, project...) is recorded on each spec's
    source when the caller knows it. Conventions:

    - Each client's references become ``${env:NAME}`` (Claude Code's ``${VAR}`` / ``${VAR:-default}``, Gemini's
      ``$VAR``, Continue's ``${{ secrets.NAME }}``, opencode's ``{env:NAME}``); ``${input:ID}`` and editor
      variables such as ``${workspaceFolder}`` stay as written; VS Code's ``envFile`` is checked but not read.
    - An entry the client keeps but does not start (``disabled: true``, ``enabled: false``, Gemini's
      ``mcp.excluded``...) is kept with ``disabled=True``; clients that start such an entry anyway (Claude
      Desktop, Claude Code, VS Code) do not mark it.
    """
    if client is not None and client not in CLIENT_KINDS:
        raise ConfigError(f"unknown client {client!r}; expected one of {', '.join(CLIENT_KINDS)}", path=path)
    kind_name = client or client_from_path(path)
    fmt = format_for(kind_name or "generic", path)
    doc = parse_doc(text, fmt, path)
    if not isinstance(doc.data, dict):
        what = "JSON" if fmt == "json" else fmt.upper()
        raise ConfigError(f"expected a {what} object at the top level, got {kind_of(doc.data)}", path=path)
    shape = client_from_shape(doc.data)
    if shape in ("continue", "goose") and fmt != "yaml":  # a list-valued table in JSON is a broken file, not YAML
        shape = "generic"
    kind = client_kind(kind_name or shape)
    specs = []
    for entry in kind.read(doc, path):
        if scope is not None and entry.scope is None:
            entry = replace(entry, scope=scope)
        specs.append(build_spec(entry, kind.name, path, doc, kind.expand))
    return sorted(specs, key=lambda s: s.name)


def detect_client(path: str | os.PathLike[str] | None, data: Any) -> str:
    """Which client a config file belongs to: by its file name and folder first, then by its shape."""
    return client_from_path(path) or client_from_shape(data)


def client_title(kind: str) -> str:
    """A client's name as people write it (``claude_code`` -> ``Claude Code``)."""
    return client_kind(kind).title if kind in CLIENT_KINDS else kind
