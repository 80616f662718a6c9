"""What every tool of one server shares, computed once per snapshot: the server's words, the service it
fronts (and how firmly that is known), and whether its annotations are boilerplate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..snapshot import Snapshot, Tool
from .language import name_verb, split_words
from .lexicon import Service, lexicon

__all__ = ["ServerContext", "ServiceMatch", "server_context", "server_words"]


@dataclass(frozen=True)
class ServiceMatch:
    """The service a server (or a tool's name) fronts, and how firmly that is known.

    ``strong``: a distinctive name (``stripe``, ``github``) in the package, server info or tool names, or
    several agreeing words, or a common word the server's own instructions repeat. A single common word
    ("vector", "search", "memory") is a weak match: what the rules infer from it counts half.
    """

    service: Service
    strong: bool
    words: tuple[str, ...]  # the words that named it
    where: str  # package | instructions | tool names | tool name


@dataclass(frozen=True)
class ServerContext:
    """What every tool of one server shares, computed once per snapshot."""

    name: str
    words: frozenset[str]  # the server's name, server info and launch command, split into words
    match: ServiceMatch | None
    boilerplate_annotations: bool  # every tool carries the same danger-admitting hints, reads included
    shared_workspace: bool = False  # its tools name several kinds of what colleagues write (comments, threads)


def server_words(snapshot: Snapshot | None, server: str) -> frozenset[str]:
    """Words naming the server: its name, server info, and the program or package its command runs."""
    words = set(split_words(server))
    if snapshot is not None:
        info = snapshot.server_info or {}
        for key in ("name", "title"):
            if isinstance(info.get(key), str):
                # A brand is one word ("BrowserStack" is not a browser): no camelCase split here.
                words.update(split_words(info[key].lower()))
        spec = snapshot.server
        for part in (spec.command or "", *spec.args[:3], spec.url or ""):
            # A file path names the program; a scoped package ("@stripe/mcp") names the vendor in its scope.
            if "/" in part and "://" not in part and not part.startswith("@"):
                part = part.rsplit("/", 1)[-1]
            parts = split_words(part)
            words.update(parts)
            words.update(f"{a}_{b}" for a, b in zip(parts, parts[1:]))  # "google_calendar" names one product
    return frozenset(words - lexicon().grammar["server_noise"])


def server_context(snapshot: Snapshot | None, server: str) -> ServerContext:
    """The shared context of a server's tools: its words, the service it fronts, its annotation habits."""
    own = server_words(snapshot, server)
    tools = snapshot.tools if snapshot is not None else ()
    instructions = set(split_words((snapshot.instructions or "")[:4000])) if snapshot is not None else set()
    firsts = [split_words(t.name)[:1] for t in tools]
    common_first = {w[0] for w in firsts if w and sum(1 for f in firsts if f == w) * 2 >= len(firsts) >= 2}
    return ServerContext(server, own, _match_service(own, instructions, common_first),
                         _boilerplate(tools), _shared_workspace(tools))


def _shared_workspace(tools: Sequence[Tool]) -> bool:
    """The server's tool names mention at least two kinds of what colleagues write (comments, pull requests,
    threads, wiki pages, reviews): several agreeing words that it fronts a shared workspace."""
    kinds = lexicon().kinds["written_by_colleagues"]
    seen: set[str] = set()
    for t in tools:
        words = split_words(t.name)
        seen.update(kinds.get(w) for w in words if w in kinds)
    return len(seen - {None}) >= 2


def _match_service(package: frozenset[str], instructions: set[str], tool_prefix: set[str]) -> ServiceMatch | None:
    """The first service the server's words name (strong or weak, see ``ServiceMatch``). A distinctive word that
    heads a compound whose first word names another kind of service ("memory-keeper": a keeper of memory, not the
    password manager) is not firm: the match is weak unless the instructions or the tool names repeat it."""
    lex = lexicon()
    common = lex.objects["common_nouns"]
    weak: ServiceMatch | None = None
    named_by: dict[str, Service] = {}
    for names, service in lex.services:
        for w in package & names:
            named_by.setdefault(w, service)
    for names, service in lex.services:
        in_package, in_tools, in_text = package & names, tool_prefix & names, instructions & names
        named = in_package | in_tools
        if not named:
            continue
        where = "package" if in_package else "tool names"
        distinctive = named - common
        if distinctive or len(named | in_text) >= 2 or named & in_text:
            headed = {w for w, other in named_by.items() for d in distinctive
                      if other is not service and f"{w}_{d}" in package}
            firm = not headed or bool(in_text or in_tools or len(named) >= 2)
            return ServiceMatch(service, firm, tuple(sorted(named | in_text)), where)
        if weak is None:
            weak = ServiceMatch(service, False, tuple(sorted(named)), where)
    return weak


def _boilerplate(tools: Sequence[Tool]) -> bool:
    """Every tool carries the same danger-admitting hints, including tools whose names read as reads:
    the hints are a framework's defaults written out, not the author's statement about each tool."""
    hinted = [t for t in tools if t.annotations]
    if len(hinted) < 3 or len(hinted) < len(tools):
        return False
    pairs = {((t.annotations or {}).get("readOnlyHint"), (t.annotations or {}).get("destructiveHint"))
             for t in hinted}
    if len(pairs) != 1:
        return False
    (read_only, destructive), = pairs
    if read_only is True or not (read_only is False or destructive is True):
        return False
    return any((v := name_verb(split_words(t.name))) is not None and v.effect == "read_only" for t in hinted)
