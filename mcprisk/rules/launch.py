"""Launch hygiene: how a client config starts or reaches a server is half of its risk.

Each finding points at the value in the config entry to change (``location``), so a SARIF annotation lands on
that line, and names the control that clears it (``RuleInfo.control``). These rules read only the spec a
snapshot keeps, except LCH005, which needs the tools' classification.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from fnmatch import fnmatchcase
from importlib import resources

from .._packaged import load_yaml
from ..launch import Package, broad_roots, packages, plain_http
from ..model import Evidence, Finding, effect_rank
from ..specs import ServerSpec
from ._base import RuleContext, finding_rule, make

__all__ = ["auto_approved", "broad_root", "image_without_digest", "lookalike_package", "plain_http_remote",
           "spec_findings", "unpinned_package"]


def _specs(ctx: RuleContext) -> Iterable[ServerSpec]:
    for snap in ctx.snapshots:
        yield snap.server.with_name(snap.name)


def _quote(spec: ServerSpec, field: str) -> str:
    """The config text a finding is about (display form: secrets already hidden)."""
    if field.startswith("args/"):
        return spec.args[int(field[5:])]
    return spec.url or spec.command or ""


@finding_rule("LCH001", "Package runner starts whatever version the registry serves", likelihood=2, impact=3,
              references=("CWE-1357", "CWE-494"), scope="snapshots", control="version_pinning")
def unpinned_package(ctx: RuleContext) -> Iterable[Finding]:
    """``npx -y pkg``, ``uvx pkg``, ``pipx run pkg`` or ``@latest`` fetch the package's newest release on every
    start: a compromised or hijacked release runs with the server's credentials the next time the client
    starts, without anyone reviewing it (a rug pull one level below the tool definitions). Pin an exact version
    (``pkg@1.2.3``, ``pkg==1.2.3``) and update it deliberately."""
    for spec in _specs(ctx):
        yield from _unpinned(spec)


def _unpinned(spec: ServerSpec) -> Iterable[Finding]:
    for p in packages(spec):
        if p.ecosystem == "container" or p.pinned:
            continue
        got = f"version {p.version!r}" if p.version else "no version"
        yield make(unpinned_package, server=spec.name, subject=p.name, location=p.field,
                   message=f"{p.runner} runs {p.name} with {got}: each start fetches whatever the registry serves "
                           "that day. Pin an exact version.",
                   evidence=(Evidence("LCH001", "config", _quote(spec, p.field), f"{p.ecosystem} package, {got}"),))


@finding_rule("LCH002", "Container image without a digest", likelihood=2, impact=3, references=("CWE-1357", "CWE-494"),
              scope="snapshots", control="version_pinning")
def image_without_digest(ctx: RuleContext) -> Iterable[Finding]:
    """``docker run image`` or ``image:tag`` runs whatever the tag points to today; tags move, and ``latest``
    moves on every release. Pin the image by digest (``image@sha256:…``), which cannot change under you."""
    for spec in _specs(ctx):
        yield from _undigested(spec)


def _undigested(spec: ServerSpec) -> Iterable[Finding]:
    for p in packages(spec):
        if p.ecosystem != "container" or p.pinned:
            continue
        floating = p.version in (None, "latest")
        yield make(image_without_digest, server=spec.name, subject=p.name, location=p.field,
                   likelihood=2 if floating else 1,
                   message=f"{p.runner} starts {p.spec} by {'a moving tag' if floating else 'tag'}, not by digest.",
                   evidence=(Evidence("LCH002", "config", p.spec, "no @sha256 digest" +
                                      (", latest or no tag" if floating else "")),))


@finding_rule("LCH003", "Remote server reached over plain HTTP", likelihood=3, impact=3, references=("CWE-319",),
              scope="snapshots", control="https")
def plain_http_remote(ctx: RuleContext) -> Iterable[Finding]:
    """An ``http://`` URL to a host other than this machine sends every request, tool result and credential
    (bearer tokens, session ids) in clear text over the network, and lets anyone on the path change what the
    model is told. Use ``https://``; plain HTTP is only for loopback."""
    for spec in _specs(ctx):
        yield from _plain(spec)


def _plain(spec: ServerSpec) -> Iterable[Finding]:
    for r in plain_http(spec):
        where = "a private-network host" if r.private else "a remote host"
        yield make(plain_http_remote, server=spec.name, subject=r.host, location=r.field,
                   likelihood=2 if r.private else 3,
                   message=f"{'The server' if r.field == 'url' else 'Its launcher'} reaches {r.host}, {where}, over "
                           "plain http://: requests and credentials travel unencrypted.",
                   evidence=(Evidence("LCH003", "config", _quote(spec, r.field), f"http:// to {where}"),))


@finding_rule("LCH004", "Server given the whole disk or the home folder", likelihood=2, impact=4,
              references=("CWE-250", "CWE-732"), scope="snapshots", control="tool_scopes")
def broad_root(ctx: RuleContext) -> Iterable[Finding]:
    """A filesystem server handed ``/``, a whole drive or the home folder can read and (usually) write SSH keys,
    cloud credentials, browser profiles and every other project, whatever it was added for. Give it the one
    project folder it needs."""
    for spec in _specs(ctx):
        yield from _broad(spec)


def _broad(spec: ServerSpec) -> Iterable[Finding]:
    for root in broad_roots(spec):
        yield make(broad_root, server=spec.name, subject=root.value, location=root.field,
                   message=f"The server is given {root.what} ({root.value}).",
                   evidence=(Evidence("LCH004", "config", _quote(spec, root.field), root.what),))


@finding_rule("LCH005", "Client runs tools that change things without asking", likelihood=2, impact=3,
              references=("CWE-862",), control="consent_approvals")
def auto_approved(ctx: RuleContext) -> Iterable[Finding]:
    """The client's own confirmation is the last human check before a tool call. An auto-approve list
    (``autoApprove``, ``alwaysAllow``, Gemini's ``trust``, Amazon Q's ``allowedTools``, Goose's auto mode) that
    covers tools which write, send, spend or delete lets an injected instruction act unseen. Auto-approve
    read-only tools only."""
    for snap in ctx.snapshots:
        spec = snap.server
        if not spec.auto_approve:
            continue
        matched = [t for t in ctx.tools_of(snap.name) if any(fnmatchcase(t.tool, p) for p in spec.auto_approve)]
        risky = sorted((t for t in matched if t.mutating), key=lambda t: (-effect_rank(t.primary), t.tool))
        listed = ", ".join(spec.auto_approve[:5]) + (" …" if len(spec.auto_approve) > 5 else "")
        evidence = Evidence("LCH005", "config", listed[:200], "tools the client runs without asking")
        if risky:
            shown = ", ".join(f"{t.tool} ({t.primary})" for t in risky[:5]) + (" …" if len(risky) > 5 else "")
            yield make(auto_approved, server=snap.name, subject="auto_approve", location="auto_approve",
                       impact=4 if risky[0].primary == "destructive" else 3, tools=[f"{snap.name}/{t.tool}" for t in risky],
                       message=f"The client runs {len(risky)} tool(s) that change things without asking: {shown}.",
                       evidence=(evidence,))
        elif "*" in spec.auto_approve and not snap.tools:
            yield make(auto_approved, server=snap.name, subject="auto_approve", location="auto_approve", likelihood=1,
                       message="The client runs every tool of this server without asking, and its tools could not "
                               "be listed to tell which of them change things.", evidence=(evidence,))


# -- look-alike package names ----------------------------------------------------------------------------


@functools.cache
def known_packages() -> dict[str, frozenset[str]]:
    """The packaged list of well-known server packages, by ecosystem (npm, pypi, container)."""
    text = resources.files("mcprisk.catalog").joinpath("known_servers.yaml").read_text(encoding="utf-8")
    return {k: frozenset(_normal(k, n) for n in v) for k, v in load_yaml(text).items()}


def _normal(ecosystem: str, name: str) -> str:
    name = name.lower()
    if ecosystem == "pypi":
        return re.sub(r"[-_.]+", "-", name)
    if ecosystem == "container":
        return re.sub(r"^(index\.)?docker\.io/(library/)?", "", name)
    return name


def _skeleton(name: str) -> str:
    """The name with look-alike characters folded and separators dropped (``rn``->``m``, ``0``->``o``...)."""
    s = name.lower().replace("rn", "m").replace("vv", "w")
    s = s.translate(str.maketrans({"0": "o", "1": "l", "i": "l", "3": "e", "5": "s", "@": "", "/": ""}))
    return re.sub(r"[-_.\s]", "", s)


def _letters(name: str) -> str:
    """The name lower-cased without scope marks and separators, and nothing folded (a look-alike letter stays)."""
    return re.sub(r"[-_.\s@/]", "", name.lower())


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def lookalike(p: Package) -> str | None:
    """The well-known package ``p`` imitates, or None (also when it *is* one)."""
    known = known_packages().get(p.ecosystem, frozenset())
    name = _normal(p.ecosystem, p.name)
    if name in known or len(name) < 5:
        return None
    limit = 2 if len(name) >= 10 else 1
    for other in sorted(known):
        bare = other.split("/", 1)[1] if other.startswith("@") else ""
        if bare and not _distinctive(bare) and _letters(other) == _letters(name):
            continue  # "<vendor>-mcp" beside "@vendor/mcp": how community servers for a service are named, no slip
        if _skeleton(other) == _skeleton(name) or _distance(name, other, limit) <= limit:
            return other
        if (p.ecosystem == "npm" and name.startswith("@") and len(bare) >= 10 and name.split("/")[-1] == bare
                and _distinctive(bare)):
            return other  # the same package name published under another scope (an unscoped community package
            # named after a vendor's server, `notion-mcp-server` beside `@notionhq/notion-mcp-server`, is common)
    return None


# Words every vendor's server package may be called by ("@vendor/mcp-server"): the same bare name under
# another scope says nothing about imitation unless the name carries a word of its own ("server-github").
_GENERIC_WORDS = frozenset({"mcp", "server", "servers", "model", "context", "protocol", "sdk", "api", "cli", "tool",
                            "tools", "official", "node", "js", "ts", "py", "agent", "toolkit"})


def _distinctive(bare: str) -> bool:
    return bool(set(re.split(r"[^a-z0-9]+", bare.lower())) - _GENERIC_WORDS - {""})


@finding_rule("LCH006", "Package name imitates a well-known server", likelihood=2, impact=4,
              references=("CWE-1357", "typosquatting"), scope="snapshots")
def lookalike_package(ctx: RuleContext) -> Iterable[Finding]:
    """A package one or two characters away from a well-known server (or the same name under another scope,
    or the same once ``rn``/``m``, ``0``/``o`` and separators are folded) is how typosquats get installed.
    Check the publisher before the client starts it again; until then treat the server as not to be used."""
    for spec in _specs(ctx):
        yield from _lookalikes(spec)


def _lookalikes(spec: ServerSpec) -> Iterable[Finding]:
    for p in packages(spec):
        original = lookalike(p)
        if original is not None:
            yield make(lookalike_package, server=spec.name, subject=p.name, location=p.field,
                       message=f"{p.name} looks like the well-known {original} but is not it.",
                       evidence=(Evidence("LCH006", "config", p.spec, f"close to {original}"),))


def spec_findings(spec: ServerSpec) -> list[Finding]:
    """The launch findings one spec raises on its own (everything but LCH005, which needs the tools), for
    listing a config without starting anything."""
    return [*_unpinned(spec), *_undigested(spec), *_plain(spec), *_broad(spec), *_lookalikes(spec)]
