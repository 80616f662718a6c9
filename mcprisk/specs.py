"""What to connect to: ``ServerSpec``, and the secret values held apart from it.

A ServerSpec is safe to print, serialise and put in a report: it carries the *names* of env vars
and headers, and a display form of the command line and URL with secret-looking parts replaced by
``***``. The values needed to actually launch or reach the server live in a ``Secrets`` object that
never serialises and whose repr shows names only.
"""

from __future__ import annotations

import math
import os
import re
import shlex
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from ._errors import SpecError

__all__ = [
    "Secrets",
    "ServerSpec",
    "SpecSource",
    "Transport",
    "redact_args",
    "redact_text",
    "redact_url",
]

Transport = Literal["stdio", "http", "sse"]
TRANSPORTS: tuple[str, ...] = ("stdio", "http", "sse")

REDACTED = "***"

# Names that say "this holds a secret" (env vars, headers, CLI flags, query parameters).
_SECRET_NAME = re.compile(
    r"(?i)(token|secret|passw(or)?d|passwd|pwd|api[-_]?key|apikey|access[-_]?key|private[-_]?key|"
    r"credential|auth|bearer|session|cookie|\bpat\b|_pat$|^pat_|client[-_]?secret|signing|dsn|conn(ection)?[-_]?str)"
)
# Short query-parameter and option names that carry credentials (``?sig=``, ``--key V``, ``-k V``): matched
# whole, since as fragments they are everywhere (``keyboard``, ``codegen``).
_SECRET_PARAM = re.compile(r"(?i)(key|code|sig|signature|jwt|pass|passphrase|pw|sas|k|x-[a-z]+-signature|"
                           r"x-[a-z]+-credential|x-[a-z]+-security-token)")
# Value shapes of well-known credentials; used to redact args and free text. Every prefix must start a word
# (the look-behind), so a long run of letters costs one attempt, not one per position: linear time.
_WORD = r"(?<![A-Za-z0-9_-])"
_SECRET_VALUE = re.compile(
    _WORD + r"(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|"
    r"xox[abposr]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{16,}|sk_(live|test)_[A-Za-z0-9]{10,}|rk_(live|test)_[A-Za-z0-9]{10,}|"
    r"AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,}|eyJ[A-Za-z0-9_-]{8,}+\.[A-Za-z0-9_-]{8,}+\.[A-Za-z0-9_-]{8,}|"
    r"npm_[A-Za-z0-9]{30,}|pypi-[A-Za-z0-9_-]{30,})"
)
_HEX = re.compile(r"[0-9a-fA-F]{32,}")
_B64 = re.compile(r"[A-Za-z0-9+/_-]{20,}={0,2}")
# A URL with a password: a scheme that starts a word (bounded), then ``user:password@``. The look-behind and
# the bounds keep every attempt short, so a megabyte without a URL is scanned once.
_URL_USERINFO = re.compile(r"(?<![A-Za-z0-9+.-])(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]{0,31}://)"
                           r"(?P<user>[^:/@\s]{0,256}):(?P<pw>[^@/\s]{1,4096})@")
# A URL with a query string inside free text (log lines, error messages): its secret values are hidden too.
_URL_QUERY = re.compile(r"(?<![A-Za-z0-9+.-])[a-zA-Z][a-zA-Z0-9+.-]{0,31}://[^\s?#\"'<>]{0,4096}\?[^\s#\"'<>]+")
# ``${env:NAME}``, ``${input:ID}``, and ``${env:NAME:-default}`` (the form Claude Code's ``${NAME:-default}``
# is read into): the default is used when the variable is unset. The body excludes ``{`` so an unclosed
# ``${env:`` fails at the next one instead of scanning to the end of the text.
_PLACEHOLDER = re.compile(r"\$\{(?P<kind>env|input):(?P<body>[^{}]+)\}")
# An HTTP header written as one command-line argument, as mcp-remote takes it: "Authorization: Bearer x".
_HEADER_ARG = re.compile(r"(?P<name>[A-Za-z0-9_-]+):\s*(?P<value>\S.*)", re.S)


def is_secret_name(name: str) -> bool:
    """True when an env var, header, flag or parameter name says it carries a secret."""
    return bool(_SECRET_NAME.search(name))


def is_secret_param(name: str) -> bool:
    """True when a query parameter or option name (``sig``, ``--key``, ``-k``) says its value is a secret."""
    bare = name.lstrip("-")
    return is_secret_name(bare) or bool(_SECRET_PARAM.fullmatch(bare))


def looks_like_secret(value: str) -> bool:
    """True when a value has the shape of a credential whatever it is called: a known token prefix, 32+ hex
    digits, or 20+ characters of base64 mixing cases and digits with the spread of a random string."""
    v = value.strip()
    if len(v) < 16 or len(v) > 16384:
        return False
    if _SECRET_VALUE.search(v):
        return True
    if _HEX.fullmatch(v):
        return any(c.isdigit() for c in v) and any(c.isalpha() for c in v)
    if not _B64.fullmatch(v) or not (any(c.isupper() for c in v) and any(c.islower() for c in v)
                                     and any(c.isdigit() for c in v)):
        return False
    return v.endswith("=") or _entropy(v) >= 4.0


def _entropy(text: str) -> float:
    """Shannon entropy in bits per character: a random base64 string has 4.5 or more, words about 3."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def redact_text(text: str) -> str:
    """Replace credential-shaped substrings, URL passwords and secret query values in free text with ``***``.

    Linear in the length of ``text``: every pattern is anchored at a word start and bounded.
    """
    if "://" in text:
        text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", text)
        if "?" in text:
            text = _URL_QUERY.sub(lambda m: _redact_query(m[0]), text)
    return _SECRET_VALUE.sub(REDACTED, text)


def redact_url(url: str) -> str:
    """A display form of ``url``: password and secret query values (by name or shape) replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{REDACTED}@{hostport}" if ":" in userinfo else f"{REDACTED}@{hostport}"
    query = "&".join(_redact_query_part(part) for part in parts.query.split("&")) if parts.query else ""
    return redact_text(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


def _redact_query(url: str) -> str:
    """``url`` (found in free text) with its secret query values hidden; the rest as written."""
    head, _, query = url.partition("?")
    return head + "?" + "&".join(_redact_query_part(part) for part in query.split("&"))


def _redact_query_part(part: str) -> str:
    """One ``name=value`` of a query string, value hidden when secret; untouched text stays as written
    (re-encoding would turn ``${input:x}`` into ``%24%7B...`` in the display form)."""
    name, sep, value = part.partition("=")
    if sep and value and (is_secret_param(unquote_plus(name)) or looks_like_secret(unquote_plus(value))):
        return f"{name}={REDACTED}"
    return part


def _secret_value(value: str) -> bool:
    """A value to hide from a display form: credential-shaped, ignoring placeholders (they hold no value)."""
    return looks_like_secret(_PLACEHOLDER.sub("", value))


def redact_args(args: Sequence[str]) -> tuple[str, ...]:
    """A display form of a command line: values of secret-named flags and credential shapes become ``***``."""
    out: list[str] = []
    hide_next = False
    for arg in args:
        if hide_next and not arg.startswith("-"):
            out.append(REDACTED)
            hide_next = False
            continue
        hide_next = False
        if arg.startswith("-") and "=" in arg:
            flag, _, value = arg.partition("=")
            secret = value and (is_secret_param(flag) or _secret_value(value))
            out.append(f"{flag}={REDACTED}" if secret else redact_text(arg))
            continue
        if arg.startswith("-") and not arg.startswith("---") and is_secret_param(arg):
            out.append(arg)
            hide_next = True
            continue
        if "=" in arg and not arg.startswith("-"):
            key, _, value = arg.partition("=")
            if value and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", key) and (is_secret_name(key)
                                                                               or _secret_value(value)):
                out.append(f"{key}={REDACTED}")
                continue
        if "://" in arg:
            out.append(redact_url(arg))
            continue
        header = _HEADER_ARG.fullmatch(arg)
        if header and is_secret_name(header["name"]):
            out.append(f"{header['name']}: {REDACTED}")
            continue
        out.append(REDACTED if _secret_value(arg) else redact_text(arg))
    return tuple(out)


def _placeholder_parts(m: re.Match[str]) -> tuple[str, str | None]:
    """(name, default or None) of one ``${env:NAME:-default}`` match."""
    name, sep, default = m["body"].partition(":-")
    return name, (default if sep else None)


def placeholders(template: str) -> list[tuple[str, str]]:
    """The ``${env:NAME}`` / ``${input:ID}`` placeholders in a config value, as (kind, name) pairs."""
    return [(m["kind"], _placeholder_parts(m)[0]) for m in _PLACEHOLDER.finditer(template)]


def fill_placeholders(template: str, environ: Mapping[str, str] | None = None,
                      inputs: Mapping[str, str] | None = None, *, what: str = "value") -> str:
    """``template`` with its ``${env:NAME}``, ``${env:NAME:-default}`` and ``${input:ID}`` placeholders filled.

    Also for args and URLs, which may hold placeholders too. Other ``${...}`` text (``${workspaceFolder}``)
    is left as written. Raises SpecError naming ``what`` and the missing variable or input, never a value.
    """
    environ = os.environ if environ is None else environ
    inputs = inputs or {}

    def sub(m: re.Match[str]) -> str:
        kind, (key, default) = m["kind"], _placeholder_parts(m)
        if kind == "env":
            if key in environ:
                return environ[key]
            if default is not None:
                return default
            raise SpecError(f"{what} refers to environment variable {key!r}, which is not set")
        if key not in inputs:
            raise SpecError(f"{what} needs input {key!r}; pass it with inputs={{{key!r}: ...}} "
                            f"or --input {key}=env:VAR")
        return inputs[key]

    return _PLACEHOLDER.sub(sub, template)


def url_for_checks(url: str) -> str | None:
    """``url`` with each placeholder replaced by its default, for checking its scheme and host before it is
    resolved; None when it starts with a placeholder without a default (nothing to check until connect)."""
    if (m := _PLACEHOLDER.match(url)) and _placeholder_parts(m)[1] is None:
        return None
    def default_or_as_written(m: re.Match[str]) -> str:
        default = _placeholder_parts(m)[1]
        return m[0] if default is None else default

    return _PLACEHOLDER.sub(default_or_as_written, url)


def is_literal_secret(name: str, template: str) -> bool:
    """True when a config value for ``name`` is a secret written out literally rather than referenced.

    A value made only of placeholders (``${env:X}``), or a scheme word plus placeholders
    (``Bearer ${input:t}``), is a reference. A literal counts as a secret when its name says so or
    its value has the shape of a known credential.
    """
    # A default written into the config (``${env:X:-value}``) is literal text like any other.
    rest = _PLACEHOLDER.sub(lambda m: _placeholder_parts(m)[1] or "", template).strip()
    rest = re.sub(r"(?i)^(bearer|token|basic|apikey)\s*", "", rest).strip()
    if not rest:
        return False
    if _SECRET_VALUE.search(rest):
        return True
    return is_secret_name(name) and len(rest) >= 6


@dataclass(frozen=True)
class Secrets:
    """Values a spec needs at connect time and must never show: env, headers, real args and URL.

    Values are *templates*: literal text that may contain ``${env:NAME}`` and ``${input:ID}``
    placeholders (VS Code syntax), resolved only when connecting. ``repr()`` lists names only.
    """

    env: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    args: tuple[str, ...] | None = None  # the real command line when the display form was redacted
    url: str | None = None  # the real URL when the display form was redacted

    def __repr__(self) -> str:
        return f"Secrets(env={sorted(self.env)}, headers={sorted(self.headers)}, args={'hidden' if self.args else None}, url={'hidden' if self.url else None})"

    __str__ = __repr__

    def resolve(self, environ: Mapping[str, str] | None = None, inputs: Mapping[str, str] | None = None
                ) -> tuple[dict[str, str], dict[str, str]]:
        """Return (env, headers) with placeholders filled from ``environ`` and ``inputs``.

        Raises SpecError naming the missing variable or input (never the value).
        """
        env = {k: fill_placeholders(v, environ, inputs, what=f"env var {k!r}") for k, v in self.env.items()}
        headers = {k: fill_placeholders(v, environ, inputs, what=f"header {k!r}") for k, v in self.headers.items()}
        return env, headers


@dataclass(frozen=True)
class SpecSource:
    """Where a spec came from: a client config file, the key path of its entry, and its line.

    ``fields`` holds the line of each value inside the entry that a finding may point at (``command``,
    ``args/2``, ``url``, ``auto_approve``...), so an annotation lands on the line that needs changing.
    """

    path: str
    client: str  # one of mcprisk.configs.CLIENT_KINDS
    pointer: str  # JSON pointer of the server entry, e.g. "/mcpServers/github"
    line: int | None = None
    scope: str | None = None  # user | project | local | workspace | managed, when the file's place says so
    fields: tuple[tuple[str, int], ...] = ()  # (field pointer relative to the entry, line)

    def line_of(self, field: str | None) -> int | None:
        """The line of ``field`` (``args/2``), of its nearest recorded parent, or of the entry itself."""
        lines = dict(self.fields)
        while field:
            if field in lines:
                return lines[field]
            field = field.rpartition("/")[0]
        return self.line

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"path": self.path, "client": self.client, "pointer": self.pointer, "line": self.line}
        if self.scope is not None:
            d["scope"] = self.scope
        if self.fields:
            d["fields"] = dict(self.fields)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "SpecSource":
        fields = d.get("fields") if isinstance(d.get("fields"), Mapping) else {}
        return cls(path=str(d.get("path", "")), client=str(d.get("client", "generic")),
                   pointer=str(d.get("pointer", "")), line=d.get("line") if isinstance(d.get("line"), int) else None,
                   scope=d.get("scope") if isinstance(d.get("scope"), str) else None,
                   fields=tuple(sorted((str(k), v) for k, v in fields.items() if isinstance(v, int))))


@dataclass(frozen=True)
class ServerSpec:
    """How to reach one MCP server. Safe to serialise: no secret value is in any field but ``secrets``."""

    name: str
    transport: Transport
    command: str | None = None
    args: tuple[str, ...] = ()  # display form (redacted); the real one is in secrets.args when it differs
    cwd: str | None = None
    url: str | None = None  # display form (redacted); the real one is in secrets.url when it differs
    env_names: tuple[str, ...] = ()
    header_names: tuple[str, ...] = ()
    literal_secret_names: tuple[str, ...] = ()  # env/header names whose secret value is written out in the config
    source: SpecSource | None = None
    disabled: bool = False  # the client keeps the entry but does not start it
    auto_approve: tuple[str, ...] = ()  # tools the client runs without asking ("*": every tool); client-side
    secrets: Secrets = field(default_factory=Secrets, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.transport not in TRANSPORTS:
            raise SpecError(f"server {self.name!r}: unknown transport {self.transport!r} (expected one of {', '.join(TRANSPORTS)})")
        if self.transport == "stdio" and not self.command:
            raise SpecError(f"server {self.name!r}: a stdio server needs a command")
        if self.transport in ("http", "sse"):
            if not self.url:
                raise SpecError(f"server {self.name!r}: an {self.transport} server needs a url")
            checked = url_for_checks(self.url)
            if checked is None:  # "${env:MCP_URL}": the scheme is only known once resolved
                return
            try:
                scheme = urlsplit(checked).scheme
            except ValueError:
                raise SpecError(f"server {self.name!r}: url cannot be parsed") from None
            if scheme not in ("http", "https"):
                # A long "scheme" may be the front of a pasted secret: name it only when short.
                got = f" (got scheme {scheme!r})" if 0 < len(scheme) <= 12 else ""
                raise SpecError(f"server {self.name!r}: url must start with http:// or https://{got}")

    # -- constructors -------------------------------------------------------------------------

    @classmethod
    def stdio(cls, command: str | Sequence[str], args: Sequence[str] = (), *, name: str | None = None,
              env: Mapping[str, str] | None = None, cwd: str | None = None,
              source: SpecSource | None = None, disabled: bool = False,
              auto_approve: Sequence[str] = ()) -> "ServerSpec":
        """A spec for a server launched as a subprocess. ``env`` values may use ``${env:NAME}``."""
        if isinstance(command, str):
            full = [command, *args]
        else:
            full = [*command, *args]
        if not full or not full[0]:
            raise SpecError("a stdio server needs a command")
        cmd, real_args = full[0], tuple(str(a) for a in full[1:])
        shown = redact_args(real_args)
        env = dict(env or {})
        return cls(
            name=name or _name_from_command(cmd, real_args),
            transport="stdio",
            command=cmd,
            args=shown,
            cwd=cwd,
            env_names=tuple(sorted(env)),
            literal_secret_names=tuple(sorted(k for k, v in env.items() if is_literal_secret(k, v))),
            source=source,
            disabled=disabled,
            auto_approve=tuple(auto_approve),
            secrets=Secrets(env=env, args=real_args if shown != real_args else None),
        )

    @classmethod
    def http(cls, url: str, *, name: str | None = None, headers: Mapping[str, str] | None = None,
             transport: Transport = "http", source: SpecSource | None = None, disabled: bool = False,
             auto_approve: Sequence[str] = ()) -> "ServerSpec":
        """A spec for a remote server (Streamable HTTP, or legacy SSE with ``transport='sse'``)."""
        shown = redact_url(url)
        headers = dict(headers or {})
        return cls(
            name=name or _name_from_url(url),
            transport=transport,
            url=shown,
            header_names=tuple(sorted(headers)),
            literal_secret_names=tuple(sorted(k for k, v in headers.items() if is_literal_secret(k, v))),
            source=source,
            disabled=disabled,
            auto_approve=tuple(auto_approve),
            secrets=Secrets(headers=headers, url=url if shown != url else None),
        )

    # -- views ----------------------------------------------------------------------------------

    @property
    def launch_args(self) -> tuple[str, ...]:
        """The real arguments to launch with (never shown)."""
        return self.secrets.args if self.secrets.args is not None else self.args

    @property
    def connect_url(self) -> str | None:
        """The real URL to connect to (never shown)."""
        return self.secrets.url if self.secrets.url is not None else self.url

    @property
    def target(self) -> str:
        """One line saying what this spec points at, safe to display."""
        if self.transport == "stdio":
            return shlex.join([self.command or "", *self.args])
        return f"{self.url}" + (" (legacy SSE)" if self.transport == "sse" else "")

    def with_name(self, name: str) -> "ServerSpec":
        return replace(self, name=name)

    def to_dict(self) -> dict[str, Any]:
        """Serialisable form: names only, never values."""
        d: dict[str, Any] = {"name": self.name, "transport": self.transport}
        if self.transport == "stdio":
            d.update(command=self.command, args=list(self.args), cwd=self.cwd)
        else:
            d["url"] = self.url
        d["env_names"] = list(self.env_names)
        d["header_names"] = list(self.header_names)
        d["literal_secret_names"] = list(self.literal_secret_names)
        d["source"] = self.source.to_dict() if self.source else None
        if self.disabled:  # written only when set, so specs from elsewhere serialise as before
            d["disabled"] = True
        if self.auto_approve:
            d["auto_approve"] = list(self.auto_approve)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ServerSpec":
        """Rebuild a spec from ``to_dict`` output (it has no secrets, so it may not be connectable)."""
        src = d.get("source")
        return cls(
            name=str(d["name"]),
            transport=d["transport"],
            command=d.get("command"),
            args=tuple(d.get("args") or ()),
            cwd=d.get("cwd"),
            url=d.get("url"),
            env_names=tuple(d.get("env_names") or ()),
            header_names=tuple(d.get("header_names") or ()),
            literal_secret_names=tuple(d.get("literal_secret_names") or ()),
            source=SpecSource.from_dict(src) if isinstance(src, Mapping) else None,
            disabled=d.get("disabled") is True,
            auto_approve=tuple(str(t) for t in d.get("auto_approve") or () if isinstance(t, str)),
        )


def _name_from_command(command: str, args: Sequence[str]) -> str:
    """A readable default name: the package or script a launcher runs, else the command's basename."""
    launchers = {"npx", "uvx", "pipx", "bunx", "pnpx", "node", "python", "python3", "uv", "deno", "docker"}
    base = os.path.basename(command)
    if base in launchers:
        for a in args:
            if a.startswith("-") or a in ("run", "exec", "x", "tool"):
                continue
            a = a.rsplit("/", 1)[-1] if a.startswith("@") else os.path.basename(a)
            a = re.sub(r"\.(py|js|mjs|ts)$", "", a)
            return re.sub(r"@[\w.^~<>=-]+$", "", a) or base
    return base or "server"


def _name_from_url(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "server"
    return f"{host}:{parts.port}" if parts.port else host
