"""Find every MCP client config on this machine and in the current project: which servers we even run.

``discover()`` looks in each client's documented places (``mcprisk.configs.locations``), reads what it
finds, and says where each server came from. A file in a place the client never reads is reported as
ignored (and not read); a file the client would choke on is reported with the reason. Nothing is launched.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ._errors import ConfigError
from .configs import CLIENT_KINDS, client_title, load_config
from .configs import parse_doc, read_text
from .configs.locations import DECOYS, LOCATIONS, Location
from .specs import ServerSpec

__all__ = ["Discovery", "FoundConfig", "IgnoredConfig", "discover"]

MAX_GLOB = 200  # files read from one folder pattern (block-file folders are small; a huge one is not a config)


@dataclass(frozen=True)
class FoundConfig:
    """One config file found in a place its client reads: its servers, or why they could not be read."""

    client: str
    scope: str
    path: str
    servers: tuple[ServerSpec, ...] = ()
    error: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"client": self.client, "scope": self.scope, "path": self.path, "error": self.error,
                "note": self.note, "servers": [s.name for s in self.servers],
                "disabled": [s.name for s in self.servers if s.disabled]}


@dataclass(frozen=True)
class IgnoredConfig:
    """A file that looks like a client's config, in a place that client never reads."""

    client: str
    path: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"client": self.client, "path": self.path, "reason": self.reason}


@dataclass(frozen=True)
class Discovery:
    """What ``discover`` found: config files with their servers, and look-alike files no client reads."""

    home: str
    project: str | None
    configs: tuple[FoundConfig, ...] = ()
    ignored: tuple[IgnoredConfig, ...] = ()
    _names: Mapping[int, str] = field(default_factory=dict, compare=False, repr=False)

    def servers(self, *, include_disabled: bool = False) -> list[ServerSpec]:
        """Every server found, each under a name unique across all files (``github`` in two clients becomes
        ``github@cursor`` and ``github@claude_code``); disabled ones only when asked."""
        specs = [s for c in self.configs for s in c.servers]
        renamed = [s.with_name(self._names.get(i, s.name)) for i, s in enumerate(specs)]
        return [s for s in renamed if include_disabled or not s.disabled]

    def to_dict(self) -> dict[str, Any]:
        return {"home": self.home, "project": self.project, "configs": [c.to_dict() for c in self.configs],
                "ignored": [i.to_dict() for i in self.ignored]}

    def lines(self) -> list[str]:
        """A human listing: one line per file (client, scope, path, servers), then ignored files."""
        out = []
        for c in self.configs:
            head = f"{client_title(c.client)} ({c.scope}): {c.path}"
            if c.error:
                out.append(f"{head}: cannot be read: {c.error}")
                continue
            names = [s.name + (" (disabled)" if s.disabled else "") for s in c.servers]
            out.append(f"{head}: {', '.join(names) if names else 'no MCP servers'}")
            if c.note:
                out.append(f"    note: {c.note}")
        for i in self.ignored:
            out.append(f"ignored: {i.path}: {i.reason}")
        return out


def discover(*, home: str | os.PathLike[str] | None = None, project: str | os.PathLike[str] | None = None,
             environ: Mapping[str, str] | None = None, root: str | os.PathLike[str] | None = None) -> Discovery:
    """Every known MCP config under ``home`` (default: the user's) and ``project`` (default: the current
    folder), read into specs. ``environ`` supplies ``APPDATA`` on Windows; ``root`` is the
    file-system root machine-wide files are looked for under (default ``/``, or the drive on Windows)."""
    env = os.environ if environ is None else environ
    home_path = Path(home) if home is not None else Path.home()
    project_path = Path(project) if project is not None else Path.cwd()
    appdata = Path(env["APPDATA"]) if env.get("APPDATA") else home_path / "AppData" / "Roaming"
    root_path = Path(root) if root is not None else Path(os.path.abspath(os.sep))
    tokens = {"~": home_path, "{project}": project_path, "{appdata}": appdata, "{root}": root_path}
    configs: list[FoundConfig] = []
    seen: set[str] = set()
    for location in sorted(LOCATIONS, key=lambda loc: CLIENT_KINDS.index(loc.client)):
        for path in _expand(location.path, tokens):
            key = os.path.normcase(os.path.realpath(path))
            if key in seen:
                continue
            seen.add(key)
            configs.append(_read(location, path))
    configs = _with_claude_settings(configs, home_path, project_path)
    ignored = []
    for client, template, reason in DECOYS:
        for path in _expand(template, tokens):
            key = os.path.normcase(os.path.realpath(path))
            if key not in seen:
                seen.add(key)
                ignored.append(IgnoredConfig(client, str(path), reason))
    return Discovery(str(home_path), str(project_path), tuple(configs), tuple(ignored), _unique_names(configs))


def _expand(template: str, tokens: Mapping[str, Path]) -> list[Path]:
    """The existing files a location template names (a ``*`` lists that folder, bounded)."""
    head, _, rest = template.partition("/")
    base = tokens.get(head)
    if base is None:
        return []
    path = base.joinpath(*[p for p in rest.split("/") if p])
    if path.name != "*":
        return [path] if path.is_file() else []
    folder = path.parent
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".json", ".yaml", ".yml"))
    return files[:MAX_GLOB]


def _read(location: Location, path: Path) -> FoundConfig:
    try:
        specs = load_config(path, client=location.client, scope=location.scope)
    except ConfigError as exc:
        if location.optional and "no MCP servers found" in str(exc):
            return FoundConfig(location.client, location.scope, str(path), note=location.note)
        return FoundConfig(location.client, location.scope, str(path), error=_reason(exc), note=location.note)
    return FoundConfig(location.client, location.scope, str(path), tuple(specs), note=location.note)


# Claude Code keeps tool approvals and .mcp.json choices in settings files, not beside the servers
# (code.claude.com/docs/en/settings and /docs/en/iam, checked 2026-12-06): ``permissions.allow`` entries
# ``mcp__<server>`` (every tool) and ``mcp__<server>__<tool>`` run without asking; ``disabledMcpjsonServers``
# names project servers not to start. Later files (project, then local) add to earlier ones.
_CLAUDE_SETTINGS = ("~/.claude/settings.json", "{project}/.claude/settings.json",
                    "{project}/.claude/settings.local.json")


def _with_claude_settings(configs: list[FoundConfig], home: Path, project: Path) -> list[FoundConfig]:
    allowed: list[str] = []
    rejected: set[str] = set()
    for template in _CLAUDE_SETTINGS:
        path = Path(template.replace("~", str(home), 1).replace("{project}", str(project), 1))
        data = _settings(path)
        perms = data.get("permissions") if isinstance(data.get("permissions"), dict) else {}
        allowed += [a for a in perms.get("allow") or () if isinstance(a, str) and a.startswith("mcp__")]
        rejected |= {n for n in data.get("disabledMcpjsonServers") or () if isinstance(n, str)}
    if not allowed and not rejected:
        return configs
    out = []
    for config in configs:
        if config.client != "claude_code":
            out.append(config)
            continue
        servers = tuple(_claude_marked(s, allowed, rejected) for s in config.servers)
        out.append(FoundConfig(config.client, config.scope, config.path, servers, config.error, config.note))
    return out


def _claude_marked(spec: ServerSpec, allowed: list[str], rejected: set[str]) -> ServerSpec:
    base = spec.name.split("@", 1)[0]  # ~/.claude.json names a project's duplicate "name@<project path>"
    tools = []
    for rule in allowed:
        server, _, tool = rule[len("mcp__"):].partition("__")
        if server == base:
            tools.append(tool or "*")
    disabled = spec.disabled or (spec.source is not None and spec.source.scope == "project" and base in rejected)
    return replace(spec, auto_approve=tuple(dict.fromkeys((*spec.auto_approve, *tools))), disabled=disabled)


def _settings(path: Path) -> dict[str, Any]:
    """A Claude Code settings file's values, or {} when it is absent or unreadable (it holds no servers)."""
    if not path.is_file():
        return {}
    try:
        doc = parse_doc(read_text(str(path)), "json", str(path))
    except ConfigError:
        return {}
    return doc.data if isinstance(doc.data, dict) else {}


def _reason(exc: ConfigError) -> str:
    text = str(exc)
    prefix = f"{exc.path}: " if getattr(exc, "path", None) else ""
    return text[len(prefix):] if prefix and text.startswith(prefix) else text


def _unique_names(configs: list[FoundConfig]) -> dict[int, str]:
    """A name per server, unique across all files: bare when it is, else ``name@client``, then with the scope,
    then numbered. The same files give the same names on every run."""
    specs = [(c, s) for c in configs for s in c.servers]
    counts = Counter(s.name for _, s in specs)
    names = [s.name if counts[s.name] == 1 else f"{s.name}@{c.client}" for c, s in specs]
    counts = Counter(names)
    names = [n if counts[n] == 1 else f"{n}:{c.scope}" for n, (c, _) in zip(names, specs)]
    counts, seen = Counter(names), Counter()
    out: dict[int, str] = {}
    for i, name in enumerate(names):
        if counts[name] > 1:
            seen[name] += 1
            name = f"{name}#{seen[name]}"
        out[i] = name
    return out

