"""How a server is launched, read from its spec: the packages a runner fetches (npx, uvx, pipx, bunx, docker...),
the URLs it reaches, and the folders it is given. Pure functions over a ServerSpec; the launch-hygiene rules
(``mcprisk.rules.launch``) judge what these find.

Only the display form of the spec is read (what a saved snapshot keeps), so a secret-looking argument that
was hidden as ``***`` is simply not judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .hosts import host_class
from .specs import ServerSpec, url_for_checks

__all__ = ["Package", "Reach", "Root", "broad_roots", "packages", "plain_http"]

_NPM_RUNNERS = {"npx": (), "bunx": (), "pnpx": (), "pnpm": ("dlx",), "yarn": ("dlx",), "npm": ("exec", "x"),
                "bun": ("x",)}
_PY_RUNNERS = {"uvx": (), "uv": ("tool", "run"), "pipx": ("run",)}
_CONTAINER_RUNNERS = {"docker": ("run",), "podman": ("run",), "nerdctl": ("run",)}
# Options that take a value, per family (the value is never the package, except where noted in _package_opts).
_NPM_VALUE_OPTS = {"-p", "--package", "-c", "--call", "--registry", "--cache", "--userconfig", "-w", "--workspace"}
_PY_VALUE_OPTS = {"--from", "--with", "--with-editable", "--with-requirements", "-p", "--python", "--index",
                  "--index-url", "--extra-index-url", "--default-index", "--directory", "--env-file", "--spec",
                  "--pip-args", "-i", "--constraints", "--overrides", "-c"}
_CONTAINER_VALUE_OPTS = {"-e", "--env", "--env-file", "-v", "--volume", "--mount", "--name", "-p", "--publish",
                         "--network", "--net", "-w", "--workdir", "--entrypoint", "-u", "--user", "--platform", "-l",
                         "--label", "--cpus", "-m", "--memory", "--add-host", "--device", "--cap-add", "--cap-drop",
                         "--security-opt", "--pull", "-h", "--hostname", "--ipc", "--pid", "--restart", "--tmpfs",
                         "--ulimit", "--gpus", "--runtime", "--dns", "--log-driver", "--log-opt", "--shm-size",
                         "--group-add", "--userns", "--uts", "--cgroupns", "--stop-signal", "--stop-timeout",
                         "--health-cmd", "--label-file", "--expose", "--link", "--volumes-from", "-a", "--attach"}
_EXACT_VERSION = re.compile(r"v?\d+(\.\d+){1,3}([-.+][0-9A-Za-z.+-]+)?")
_PY_EXACT = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(?:===?|@)\s*(?P<version>[^\s,;<>=!~*]+)$")
_DIGEST = re.compile(r"@sha256:[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class Package:
    """A package a runner fetches from a registry at launch."""

    runner: str  # npx, uvx, pipx, docker...
    ecosystem: str  # npm | pypi | container
    spec: str  # as written: "@scope/pkg@1.2.3", "mcp-server-git==2026.10.19", "ghcr.io/org/img:1.0"
    name: str  # without the version: "@scope/pkg", "mcp-server-git", "ghcr.io/org/img"
    version: str | None  # "1.2.3", "latest", "^1.2", a tag; None when none is given
    field: str  # where in the entry: "args/1", "command"
    pinned: bool  # an exact version (a digest, for a container image)


@dataclass(frozen=True)
class Reach:
    """A URL the server is reached at (or a proxy it launches reaches)."""

    url: str
    host: str
    field: str
    private: bool  # a private-range address or an internal-looking name: a narrower audience than the internet


@dataclass(frozen=True)
class Root:
    """A folder handed to a server that is the whole disk, a drive or the home folder."""

    value: str
    field: str
    what: str  # "the whole file system" | "a whole drive" | "the home folder"


def _runner(spec: ServerSpec) -> tuple[str, list[tuple[int, str]]]:
    """The runner's name and the remaining arguments as (index, arg); ``cmd /c npx ...`` is seen through."""
    args = list(enumerate(spec.args))
    base = _base(spec.command or "")
    if base == "cmd" and args and args[0][1].lower() == "/c" and len(args) > 1:
        base, args = _base(args[1][1]), args[2:]
    return base, args


def _base(command: str) -> str:
    name = re.split(r"[\\/]", command)[-1].lower()
    return re.sub(r"\.(cmd|exe|bat|ps1)$", "", name)


def packages(spec: ServerSpec) -> list[Package]:
    """The registry packages and images this stdio server fetches when it starts."""
    if spec.transport != "stdio":
        return []
    runner, args = _runner(spec)
    for family, table in (("npm", _NPM_RUNNERS), ("pypi", _PY_RUNNERS), ("container", _CONTAINER_RUNNERS)):
        if runner in table:
            rest = _after_subcommand(args, table[runner])
            if rest is None:
                return []
            label = f"{runner} {' '.join(table[runner])}".strip()
            if family == "npm":
                return _npm(label, rest)
            if family == "pypi":
                return _pypi(label, rest)
            return _container(label, rest)
    return []


def _after_subcommand(args: list[tuple[int, str]], sub: tuple[str, ...]) -> list[tuple[int, str]] | None:
    """The arguments after a runner's sub-command (``pnpm dlx``, ``docker run``); None when it is another one."""
    rest = list(args)
    if rest and rest[0][1] == "container" and sub == ("run",):  # docker container run
        rest = rest[1:]
    for word in sub:
        if not rest or rest[0][1] != word:
            return None
        rest = rest[1:]
    return rest


def _positional(args: list[tuple[int, str]], value_opts: set[str]) -> tuple[dict[str, tuple[int, str]], tuple[int, str] | None]:
    """(options that took a value, by option; the first positional argument) of a runner's arguments."""
    opts: dict[str, tuple[int, str]] = {}
    i = 0
    while i < len(args):
        index, arg = args[i]
        if arg == "--":
            return opts, args[i + 1] if i + 1 < len(args) else None
        if arg.startswith("-") and len(arg) > 1:
            name, eq, value = arg.partition("=")
            if eq:
                opts.setdefault(name, (index, value))
            elif name in value_opts and i + 1 < len(args):
                opts.setdefault(name, args[i + 1])
                i += 1
            i += 1
            continue
        return opts, (index, arg)
    return opts, None


def _local(value: str) -> bool:
    """A path or a local file, not a registry package."""
    return value.startswith((".", "/", "~", "file:", "${")) or bool(re.match(r"[A-Za-z]:[\\/]", value)) \
        or value.endswith((".js", ".mjs", ".cjs", ".ts", ".py"))


def _npm(runner: str, args: list[tuple[int, str]]) -> list[Package]:
    opts, first = _positional(args, _NPM_VALUE_OPTS)
    chosen = opts.get("--package") or opts.get("-p") or first
    if chosen is None or _local(chosen[1]):
        return []
    index, spec = chosen
    name, version = _split_npm(spec)
    return [Package(runner, "npm", spec, name, version, f"args/{index}", _npm_pinned(spec, version))]


def _split_npm(spec: str) -> tuple[str, str | None]:
    scoped = spec.startswith("@")
    body = spec[1:] if scoped else spec
    name, at, version = body.partition("@")
    return ("@" if scoped else "") + name, version if at else None


def _npm_pinned(spec: str, version: str | None) -> bool:
    if re.match(r"(git\+|github:|gitlab:|bitbucket:|https?://)", spec):  # a git or tarball URL: pinned by commit
        return bool(re.search(r"#[0-9a-f]{7,40}$", spec))
    return version is not None and bool(_EXACT_VERSION.fullmatch(version))


def _pypi(runner: str, args: list[tuple[int, str]]) -> list[Package]:
    opts, first = _positional(args, _PY_VALUE_OPTS)
    chosen = opts.get("--from") or opts.get("--spec") or first
    if chosen is None or _local(chosen[1]) or chosen[1].startswith(("git+", "http://", "https://")):
        return []
    index, spec = chosen
    exact = _PY_EXACT.match(spec.strip())
    if exact and exact["version"] != "latest":
        return [Package(runner, "pypi", spec, exact["name"], exact["version"], f"args/{index}", True)]
    name = re.split(r"[\[\s<>=!~@;]", spec, maxsplit=1)[0]
    version = spec[len(name):].lstrip("@= ") or None
    return [Package(runner, "pypi", spec, name, version, f"args/{index}", False)]


def _container(runner: str, args: list[tuple[int, str]]) -> list[Package]:
    _, first = _positional(args, _CONTAINER_VALUE_OPTS)
    if first is None or first[1].startswith("${"):
        return []
    index, ref = first
    digest = bool(_DIGEST.search(ref))
    name = ref.split("@", 1)[0]
    tag = None
    if ":" in name.rsplit("/", 1)[-1]:
        name, tag = name.rsplit(":", 1)
    return [Package(runner, "container", ref, name, tag, f"args/{index}", digest)]


# -- URLs ------------------------------------------------------------------------------------------------


def plain_http(spec: ServerSpec) -> list[Reach]:
    """URLs over plain http:// to a host that is not this machine: the server's own, or one a proxy reaches."""
    candidates = [(spec.url, "url")] if spec.url else []
    candidates += [(a, f"args/{i}") for i, a in enumerate(spec.args) if "://" in a]
    out = []
    for url, where in candidates:
        checked = url_for_checks(url)
        if checked is None or not checked.lower().startswith("http://"):
            continue
        try:
            host = (urlsplit(checked).hostname or "").lower()
        except ValueError:
            continue
        if not host or "${" in host or "***" in host or _loopback(host):
            continue
        out.append(Reach(url, host, where, _private(host)))
    return out


def _loopback(host: str) -> bool:
    """A host on this machine (0.0.0.0 reached from the client is this machine too)."""
    return host_class(host) in ("loopback", "any")


def _private(host: str) -> bool:
    return host_class(host) == "private"


# -- folders ---------------------------------------------------------------------------------------------

_HOME_WORDS = {"~", "~/", "$home", "${home}", "${env:home}", "${userhome}", "%userprofile%", "%homepath%"}


def broad_roots(spec: ServerSpec) -> list[Root]:
    """Arguments that hand the server the whole file system, a whole drive or the home folder."""
    if spec.transport != "stdio":
        return []
    out = []
    for i, arg in enumerate(spec.args):
        values = [arg.partition("=")[2]] if arg.startswith("-") and "=" in arg else [] if arg.startswith("-") else [arg]
        if i > 0 and spec.args[i - 1] in ("-v", "--volume"):  # a container bind mount: host side before ':'
            values = [re.split(r":(?=/|$)", arg, maxsplit=1)[0]]
        if arg.startswith("type=bind") or (i > 0 and spec.args[i - 1] == "--mount"):
            values = [m.group(1) for m in re.finditer(r"(?:source|src)=([^,]+)", arg)]
        for value in values:
            what = _breadth(value)
            if what:
                out.append(Root(value, f"args/{i}", what))
                break
    return out


def _breadth(value: str) -> str | None:
    v = value.strip().strip("'\"")
    low = v.lower().rstrip("/\\") or v[:1]
    if v in ("/", "\\"):
        return "the whole file system"
    if re.fullmatch(r"[A-Za-z]:[\\/]?", v):
        return "a whole drive"
    if low in _HOME_WORDS or v.lower() in _HOME_WORDS:
        return "the home folder"
    if re.fullmatch(r"(/home/[^/\\]+|/Users/[^/\\]+|/root|[A-Za-z]:[\\/]Users[\\/][^/\\]+)[/\\]?", v):
        return "the home folder"
    return None
