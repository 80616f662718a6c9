"""Resources and prompts, assessed beside the tools: what data a resource exposes, and what a prompt drives.

The guide asks of resources *who may read this data, and can access be audited or revoked?* and of
prompts *which tools and resources do they assume are available?* Resources get flags from the same
vocabulary as tools (``private_data``, ``untrusted_content``, ``credential_access``), each backed by
evidence from a small rule with a code (RES1xx). Prompts are linked to the tools and resources they name
in their title, description or argument descriptions, or assume by their words (PRM1xx); a prompt then
carries the weight of the most severe tool it drives. Nothing here reads a resource or gets a prompt:
only what the listings showed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .classify import lexicon, noise_words, split_words
from .classify.lexicon import ResourceWords
from .model import FLAGS, Evidence, PromptAssessment, ResourceAssessment, ToolAssessment, most_severe
from .ruleinfo import RuleInfo, evidence_code
from .snapshot import Prompt, Resource, ResourceTemplate, Snapshot

__all__ = [
    "PROMPT_RULES",
    "RESOURCE_RULES",
    "PromptLink",
    "assess_prompts",
    "assess_resource",
    "assess_resources",
    "prompt_links",
]

_TOKENS = re.compile(r"[\w.:/{}-]+")


def _words() -> ResourceWords:
    """The ``resources`` section of the packaged lexicon."""
    return lexicon().resources


def _fold(word: str) -> str:
    """A word without a plural ``s`` (tickets -> ticket), for matching names against prose."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


# --------------------------------------------------------------------------------------------
# Resources


@dataclass(frozen=True)
class ResourceContext:
    """What the resource rules see: the item, its words (URI without scheme, name, title), its description,
    the server's data stores and whether the server fronts a private service."""

    server: str
    uri: str
    kind: str  # resource | template
    name: str | None
    words: frozenset[str]
    description: str
    private_service: str | None  # the private service the server fronts, if the classifier recognised one
    inventory: Any = None


ResourceRule = Callable[[ResourceContext], Iterable[Evidence]]


def resource_rule(code: str, title: str) -> Callable[[ResourceRule], ResourceRule]:
    """Attach a code, a title and a RuleInfo to a resource rule (registration is the explicit tuple below)."""

    def wrap(fn: ResourceRule) -> ResourceRule:
        fn.code = code  # type: ignore[attr-defined]
        fn.title = title  # type: ignore[attr-defined]
        fn.info = evidence_code(code, title, fn.__doc__ or "", family="resources")  # type: ignore[attr-defined]
        return fn

    return wrap


@resource_rule("RES101", "Personal or business records named in the URI or name")
def resource_records(ctx: ResourceContext) -> Iterable[Evidence]:
    """A resource named for customers, orders, exports, messages or other records serves private data, and so
    does the schema of such records (it maps where the personal data sits). Next to a word for reference
    material (a policy, a guide, a knowledge-base article) the name counts only as a hint."""
    hits = sorted(ctx.words & _words().private)
    if hits:
        public = ctx.words & _words().public
        yield Evidence("RES101", "name", hits[0], f"names {hits[0]} records", flag="private_data",
                       weight=0.5 if public else 1.0)


@resource_rule("RES102", "The description says it holds private data")
def resource_private_description(ctx: ResourceContext) -> Iterable[Evidence]:
    """A description that speaks of customers, personal data, confidential or internal material, e-mail
    addresses, phone numbers or billing details says what a reader gets."""
    for pattern in lexicon().phrases["private_data"]:
        m = pattern.search(ctx.description)
        if m:
            yield Evidence("RES102", "description", _excerpt(ctx.description, m), "holds non-public data",
                           flag="private_data")
            return


@resource_rule("RES103", "Content other people wrote")
def resource_untrusted(ctx: ResourceContext) -> Iterable[Evidence]:
    """Web pages, mail, messages, comments, feeds and uploads are written by third parties: reading the
    resource puts text an attacker can shape into the model's context."""
    hits = sorted(ctx.words & _words().untrusted)
    if hits:
        yield Evidence("RES103", "name", hits[0], f"holds {hits[0]} text written by others", flag="untrusted_content")
        return
    for pattern in lexicon().phrases["untrusted_content"]:
        m = pattern.search(ctx.description)
        if m:
            yield Evidence("RES103", "description", _excerpt(ctx.description, m), "returns third-party text",
                           flag="untrusted_content")
            return


@resource_rule("RES104", "Secrets in the URI, name or description")
def resource_credentials(ctx: ResourceContext) -> Iterable[Evidence]:
    """A resource named for secrets, tokens, passwords or keys, a path where secrets live (.env, ~/.ssh,
    id_rsa, .aws/credentials, key files), or a description that speaks of API keys or connection strings
    hands credentials to whoever reads it."""
    for pattern in _words().secret_paths:
        m = pattern.search(ctx.uri)
        if m:
            yield Evidence("RES104", "name", ctx.uri[max(0, m.start() - 20):m.end() + 20], "a path where secrets live",
                           flag="credential_access")
            return
    hits = sorted(ctx.words & _words().credential)
    if hits:
        yield Evidence("RES104", "name", hits[0], f"names {hits[0]}", flag="credential_access")
        return
    m = lexicon().phrases["credential_access"][0].search(ctx.description)
    if m:
        yield Evidence("RES104", "description", _excerpt(ctx.description, m), "holds credentials",
                       flag="credential_access")


@resource_rule("RES105", "A declared data store it serves")
def resource_data_store(ctx: ResourceContext) -> Iterable[Evidence]:
    """A data store the inventory declares for the server, whose head noun the resource's name shares
    (customer_exports and support://exports/{id}), lends the resource its classification: customer_pii and
    confidential stores hold private data, secret stores hold credentials."""
    stores = getattr(ctx.inventory, "data_stores_for", None)
    if not callable(stores):
        return
    server_words = set(split_words(ctx.server))
    mine = {_fold(w) for w in ctx.words}
    for store in stores(ctx.server):
        # The head noun of the store's name says what it holds: customer_exports -> exports.
        words = [w for w in split_words(store.name) if w not in _words().store_noise and w not in server_words]
        if not words or _fold(words[-1]) not in mine:
            continue
        if store.classification in ("customer_pii", "confidential"):
            yield Evidence("RES105", "inventory", store.name,
                           f"serves data store {store.name} ({store.classification})", flag="private_data")
        elif store.classification == "secret":
            yield Evidence("RES105", "inventory", store.name, f"serves data store {store.name} (secret)",
                           flag="credential_access")


@resource_rule("RES106", "Records of a private service")
def resource_private_service(ctx: ResourceContext) -> Iterable[Evidence]:
    """On a server that fronts a private system (a help desk, a CRM, a database, a mailbox), a resource named
    for what that system keeps (tickets, deals, files, tables) returns its records, unless it is named as
    reference material."""
    if ctx.private_service is None or ctx.words & _words().public:
        return
    hits = sorted(ctx.words & lexicon().objects["private"])
    if hits:
        yield Evidence("RES106", "server", hits[0], f"{hits[0]} of {ctx.private_service}, a private system",
                       flag="private_data")


RESOURCE_RULES: tuple[ResourceRule, ...] = (resource_records, resource_private_description, resource_untrusted,
                                            resource_credentials, resource_data_store, resource_private_service)


def _excerpt(text: str, m: re.Match[str], context: int = 30) -> str:
    a, b = max(0, m.start() - context), min(len(text), m.end() + context)
    return " ".join(text[a:b].split())


def _resource_words(uri: str, name: str | None, title: str | None, server: str) -> frozenset[str]:
    path = uri.split("://", 1)[1] if "://" in uri else uri
    words = set(split_words(path)) | set(split_words(name or "")) | set(split_words(title or ""))
    return frozenset(words - set(split_words(server)) - {"id", "uri", "url"})


def assess_resource(item: Resource | ResourceTemplate, server: str, *, inventory: Any = None,
                    private_service: str | None = None,
                    rules: Sequence[ResourceRule] = RESOURCE_RULES) -> ResourceAssessment:
    """Flag one resource or template by the data it exposes; a flag needs evidence of weight 1 in total."""
    kind = "template" if isinstance(item, ResourceTemplate) else "resource"
    uri = item.uri_template if isinstance(item, ResourceTemplate) else item.uri
    ctx = ResourceContext(server, uri, kind, item.name, _resource_words(uri, item.name, item.title, server),
                          item.description or "", private_service, inventory)
    evidence = [ev for fn in rules for ev in fn(ctx)]
    score = {f: 0.0 for f in FLAGS}
    for ev in evidence:
        if ev.flag:
            score[ev.flag] += ev.weight
    return ResourceAssessment(server, uri, item.name, kind, tuple(f for f in FLAGS if score[f] >= 1.0),
                              tuple(evidence))


def assess_resources(snapshots: Sequence[Snapshot], *, inventory: Any = None,
                     services: Mapping[str, Any] | None = None) -> tuple[ResourceAssessment, ...]:
    """Every resource and resource template of every server, in listing order."""
    out = []
    for snap in snapshots:
        service = (services or {}).get(snap.name)
        private = service.name if service is not None and getattr(service, "private", False) else None
        for item in (*snap.resources, *snap.resource_templates):
            out.append(assess_resource(item, snap.name, inventory=inventory, private_service=private))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Prompts


@dataclass(frozen=True)
class PromptLink:
    """A tool or resource a prompt names (``how="names"``) or assumes by its words (``how="assumes"``)."""

    kind: str  # tool | resource | template
    target: str  # tool name, resource URI or URI template
    how: str  # names | assumes
    where: str  # title | description | argument <name> | words
    text: str
    rule: str  # PRM101 | PRM102 | PRM103


def _prompt_texts(prompt: Prompt) -> list[tuple[str, str]]:
    texts = [("title", prompt.title or ""), ("description", prompt.description or "")]
    for arg in prompt.arguments:
        if isinstance(arg.get("description"), str):
            texts.append((f"argument {arg.get('name')}", arg["description"]))
    return [(w, t) for w, t in texts if t]


def prompt_links(snapshot: Snapshot, prompt: Prompt) -> tuple[PromptLink, ...]:
    """The tools and resources of ``snapshot`` that ``prompt`` names or assumes, sorted by kind and target.

    PRM101: a tool's exact name appears in the title, description or an argument's description.
    PRM102: a resource's URI (or a template's fixed part, ``support://exports/``), or a resource name that
    reads as an identifier (``refund_policy``), appears there. PRM103: every word of a tool's name (two or
    more words) is among the prompt's own words, name included: ``refund_customer`` ("Check a refund ...,
    issue it") assumes ``issue_refund``.
    """
    found: dict[tuple[str, str], PromptLink] = {}
    tool_names = {t.name for t in snapshot.tools}
    resources = [("resource", r.uri, r.name) for r in snapshot.resources]
    resources += [("template", r.uri_template, r.name) for r in snapshot.resource_templates]
    for where, text in _prompt_texts(prompt):
        tokens = {tok.rstrip(".,:;") for tok in _TOKENS.findall(text)}
        for name in sorted(tokens & tool_names):
            found.setdefault(("tool", name), PromptLink("tool", name, "names", where, name, "PRM101"))
        for kind, uri, name in resources:
            fixed = uri.split("{", 1)[0]
            if (uri and uri in text) or (kind == "template" and "://" in fixed and len(fixed.split("://", 1)[1]) > 1
                                         and fixed in text):
                found.setdefault((kind, uri), PromptLink(kind, uri, "names", where, fixed or uri, "PRM102"))
            elif name and re.search(r"[_.-]", name) and name in tokens:
                found.setdefault((kind, uri), PromptLink(kind, uri, "names", where, name, "PRM102"))
    words = {_fold(w) for w in split_words(prompt.name)}
    for _where, text in _prompt_texts(prompt):
        words.update(_fold(w) for w in split_words(text))
    for name in sorted(tool_names):
        if ("tool", name) in found:
            continue
        parts = {_fold(w) for w in split_words(name)} - noise_words()
        if len(parts) >= 2 and parts <= words:
            found[("tool", name)] = PromptLink("tool", name, "assumes", "words", name, "PRM103")
    return tuple(found[k] for k in sorted(found))


PROMPT_RULES: dict[str, RuleInfo] = {info.code: info for info in (
    evidence_code("PRM101", "Prompt names a tool", "The prompt's title, description or an argument's description "
                  "names the tool exactly: running the prompt walks the model to that tool.", family="prompts",
                  kind="evidence"),
    evidence_code("PRM102", "Prompt names a resource", "The prompt's text names a resource by URI, by the fixed part "
                  "of a template's URI, or by an identifier-like name: the prompt assumes that data is readable.",
                  family="prompts", kind="evidence"),
    evidence_code("PRM103", "Prompt assumes a tool by its words", "Every word of the tool's name (two or more words) "
                  "appears among the prompt's own words, its name included (refund_customer: 'issue it' assumes "
                  "issue_refund). Weaker than a name, so it is marked as assumed.", family="prompts",
                  kind="evidence"),
)}
"""The prompt-linking codes, by code."""


def assess_prompts(snapshots: Sequence[Snapshot], tools: Sequence[ToolAssessment], *,
                   inventory: Any = None) -> tuple[PromptAssessment, ...]:
    """Every prompt of every server: what it drives and names, its weight, and which driven tools lack the
    approval gate their effect calls for."""
    from .placement import APPROVAL_EFFECTS

    by_key = {t.key: t for t in tools}
    out = []
    for snap in snapshots:
        gate_all = bool(inventory is not None and inventory.control_declared(snap.name, "consent_approvals"))
        for prompt in snap.prompts:
            links = prompt_links(snap, prompt)
            drives = tuple(sorted(lk.target for lk in links if lk.kind == "tool"))
            named = tuple(sorted(lk.target for lk in links if lk.kind != "tool"))
            live = [by_key[(snap.name, t)] for t in drives if (snap.name, t) in by_key
                    and not _disabled(by_key[(snap.name, t)], inventory)]
            ungated = tuple(t.tool for t in live if t.primary in APPROVAL_EFFECTS and not gate_all
                            and not _approval(inventory, snap.name, t.tool))
            evidence = tuple(Evidence(lk.rule, "description" if lk.where != "words" else "name", lk.text,
                                      f"{lk.how} {lk.kind} {lk.target}" + ("" if lk.where == "words" else
                                                                          f" in its {lk.where}"),
                                      weight=1.0 if lk.how == "names" else 0.5) for lk in links)
            out.append(PromptAssessment(snap.name, prompt.name, drives, named,
                                        most_severe(t.primary for t in live), evidence, ungated))
    return tuple(out)


def _disabled(tool: ToolAssessment, inventory: Any) -> bool:
    getter = getattr(inventory, "tool_disabled", None)
    return tool.disabled or bool(callable(getter) and getter(tool.server, tool.tool))


def _approval(inventory: Any, server: str, tool: str) -> bool:
    getter = getattr(inventory, "tool_decl", None)
    decl = getter(server, tool) if callable(getter) else None
    return bool(decl is not None and decl.approval)
