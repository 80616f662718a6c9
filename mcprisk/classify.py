"""Classify each tool by what a call can do (effects) and what it touches (flags), with evidence.

Each rule is a small function with a stable code that looks at one source (the name, the
description, the input schema, the server's identity, the annotations) and returns Evidence.
``decide`` weighs the evidence: decisive evidence (weight 1.0) includes an effect or flag; weaker
evidence only counts when nothing decisive was found. A tool nothing places is assumed at its worst.
Annotations are the server author's untrusted claims: they never outweigh what the tool's own name,
description or schema show.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from .model import EFFECTS, FLAGS, Evidence, ToolAssessment, effect_rank
from .snapshot import Snapshot, Tool

__all__ = ["CLASSIFICATION_RULES", "Lexicon", "ToolContext", "classify_tool", "decide", "lexicon", "split_words"]

MUTATING = EFFECTS[1:]
# Verbs whose object decides the effect: "create_message" sends, "create_refund" spends.
CREATION_VERBS = frozenset({"create", "creates", "add", "adds", "new", "make", "makes", "submit", "submits", "open",
                            "insert", "inserts", "post", "posts", "put", "generate", "generates", "compose",
                            "composes", "start", "starts", "launch", "issue", "run", "runs", "trigger", "schedule",
                            "book", "place", "request", "initiate", "execute", "send", "sends", "upload"})
# Verbs that mean "run what the arguments say": destructive only when there is something to run.
EXEC_VERBS = frozenset({"exec", "execute", "executes", "run", "runs", "eval", "evaluate", "evaluates", "invoke",
                        "invokes", "spawn", "sql", "shell", "bash", "script"})
# HTTP methods in generated names ("API-post-search"): a later verb wins, else the method's meaning.
HTTP_METHODS = {"post": "create", "put": "update", "patch": "update"}
READ_VERBS_FOR_FLAGS = {"fetch", "navigate", "scrape", "crawl", "browse", "open", "read", "get", "search", "extract",
                        "download", "screenshot", "snapshot", "visit", "load", "query"}
# Words in a tool name that only repeat the vendor or protocol ("API-post-search", "mcp_slack_post").
PREFIX_WORDS = frozenset({"api", "mcp", "tool", "tools", "v1", "v2", "v3", "do"})
STOP_WORDS = frozenset({"the", "a", "an", "to", "for", "of", "by", "from", "and", "or", "with", "in", "on", "my"})
NOISE_WORDS = PREFIX_WORDS | STOP_WORDS


@dataclass(frozen=True)
class Service:
    """A system a server fronts, from the lexicon's ``services`` table."""

    name: str
    private: bool
    untrusted: bool
    store: str | None
    paid: bool = False
    history: bool = False
    collaborative: bool = False
    billable: bool = False
    metered: bool = False
    acts_as_user: bool = False
    payments: bool = False
    outward: bool = False  # what is posted there reaches people outside the organisation
    credentials: bool = False  # what it stores are secrets (a password or secret manager)


@dataclass(frozen=True)
class Lexicon:
    verbs: Mapping[str, str]  # word -> effect
    noun_verbs: frozenset[str]  # verbs that are as often nouns in a tool name
    verb_groups: Mapping[str, frozenset[str]]  # verbs some rules single out (see lexicon.yaml)
    page_actions: Mapping[str, frozenset[str]]  # submit | enter -> verbs, for tools acting in a live page
    noun_effects: Mapping[str, str]
    objects: Mapping[str, frozenset[str]]  # category -> words
    params: Mapping[str, frozenset[str]]
    phrases: Mapping[str, tuple[re.Pattern[str], ...]]
    services: tuple[tuple[frozenset[str], Service], ...]

    def service_for(self, words: Iterable[str]) -> Service | None:
        """The first service whose words appear among ``words`` (most specific entries come first)."""
        bag = set(words)
        for names, service in self.services:
            if bag & names:
                return service
        return None


_SERVICE_TRAITS = ("paid", "history", "collaborative", "billable", "metered", "acts_as_user", "payments", "outward",
                   "credentials")


@functools.cache
def lexicon() -> Lexicon:
    """The packaged lexicon, read once per process."""
    raw = yaml.safe_load(resources.files("mcprisk.catalog").joinpath("lexicon.yaml").read_text(encoding="utf-8"))
    verbs: dict[str, str] = {}
    for effect in EFFECTS:
        for word in raw["verbs"].get(effect, []):
            # A word listed under two effects keeps the more severe: never under-classify.
            if word not in verbs or effect_rank(effect) > effect_rank(verbs[word]):
                verbs[word] = effect
    nouns = {w: e for e in EFFECTS for w in raw["noun_effects"].get(e, [])}
    services = tuple(
        (frozenset(str(w) for w in spec["words"]),
         Service(name, bool(spec["private"]), bool(spec["untrusted"]), spec.get("store"),
                 **{k: bool(spec.get(k)) for k in _SERVICE_TRAITS}))
        for name, spec in raw["services"].items())
    return Lexicon(
        verbs=verbs,
        noun_verbs=frozenset(raw.get("noun_verbs", [])),
        verb_groups={k: frozenset(v) for k, v in raw.get("verb_groups", {}).items()},
        page_actions={k: frozenset(v) for k, v in raw.get("page_actions", {}).items()},
        noun_effects=nouns,
        objects={k: frozenset(v) for k, v in raw["objects"].items()},
        params={k: frozenset(v) for k, v in raw["params"].items()},
        phrases={k: tuple(re.compile(p, re.IGNORECASE) for p in v) for k, v in raw["phrases"].items()},
        services=services,
    )


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def split_words(text: str) -> list[str]:
    """Split a tool or parameter name into lower-case words at _ - . / spaces and camelCase."""
    return [w for w in re.split(r"[^a-z0-9]+", _CAMEL.sub("_", text).lower()) if w]


@dataclass(frozen=True)
class ToolContext:
    """What the rules see of one tool: its words, verb, description, parameters and server."""

    tool: Tool
    server: str
    service: Service | None
    words: tuple[str, ...]  # name words, vendor words removed
    verb: str | None  # the first word of the name that is a known verb
    verb_effect: str | None
    description: str
    lead_verbs: tuple[str, ...]  # verbs the description opens with ("Create, update or delete ...")
    params: Mapping[str, Mapping[str, Any]]  # lower-cased parameter name -> schema
    server_words: frozenset[str] = field(default_factory=frozenset)
    param_depth: Mapping[str, int] = field(default_factory=dict)  # 0 top level, 1 inside one object or array

    @property
    def lead(self) -> str:
        """The opening of the description, where a tool says what it does (later text is usage advice)."""
        return self.description.strip()[:400]

    def param_words(self) -> set[str]:
        out: set[str] = set()
        for name in self.params:
            out.add(name.replace("-", "_"))
            out.update(split_words(name))
        return out

    def has_param(self, category: str) -> list[str]:
        names = lexicon().params[category]
        return sorted(p for p in self.params if p.replace("-", "_") in names or "".join(split_words(p)) in names)

    def destination_urls(self) -> list[str]:
        """URL parameters that can point anywhere: not a path relative to the service, nor (by its
        description) an address on the fronted service itself ("the Sentry issue URL")."""
        own = ((_service_words(self.service) if self.service is not None else frozenset()) | self.server_words) \
            - lexicon().objects["common_nouns"]
        out = []
        for name in self.has_param("url"):
            text = str(self.params[name].get("description") or "")
            if re.search(r"\brelative\b|\bmust (start|begin) with ['\"]?/", text, re.IGNORECASE):
                continue
            named = re.findall(r"\b([a-z0-9]+)\s+(?:[a-z]+\s+)?(?:url|uri|link|address)\b", text, re.IGNORECASE)
            if own & {w.lower() for w in named}:  # "Sentry issue URL", "YouTube video URL"
                continue
            out.append(name)
        return out

    @property
    def reads(self) -> bool:
        return self.verb_effect == "read_only" or (self.verb_effect is None and bool(self.lead_verbs) and
                                                   all(lexicon().verbs.get(v) == "read_only" for v in self.lead_verbs))


def _server_words(snapshot: Snapshot | None, server: str) -> frozenset[str]:
    words = set(split_words(server))
    if snapshot is not None:
        info = snapshot.server_info or {}
        for key in ("name", "title"):
            if isinstance(info.get(key), str):
                words.update(split_words(info[key]))
        spec = snapshot.server
        for part in (spec.command or "", *spec.args[:3], spec.url or ""):
            # A file path names the program; a scoped package ("@stripe/mcp") names the vendor in its scope.
            if "/" in part and "://" not in part and not part.startswith("@"):
                part = part.rsplit("/", 1)[-1]
            words.update(split_words(part))
    return frozenset(words - {"server", "mcp", "modelcontextprotocol", "npx", "uvx", "python", "node", "y", "m",
                              "http", "https", "com", "io", "org", "localhost", "127", "0", "1"})


def build_context(tool: Tool, server: str, snapshot: Snapshot | None = None) -> ToolContext:
    lex = lexicon()
    server_words = _server_words(snapshot, server)
    service = lex.service_for(server_words) or lex.service_for(split_words(tool.name)[:1])
    words = [w for w in split_words(tool.name) if w not in STOP_WORDS]
    # Drop a leading vendor or protocol prefix ("slack_post_message", "API-post-search") when more words follow.
    while len(words) > 1 and (words[0] in PREFIX_WORDS or words[0] in server_words
                              or (service and words[0] in _service_words(service))) and words[0] not in lex.verbs:
        words = words[1:]
    verb, effect = _find_verb(words)
    description = tool.description or ""
    depth: dict[str, int] = {}
    params = _flatten_params(tool.input_schema, depths=depth)
    return ToolContext(tool=tool, server=server, service=service, words=tuple(words), verb=verb, verb_effect=effect,
                       description=description, lead_verbs=tuple(_lead_verbs(description)), params=params,
                       server_words=server_words, param_depth=depth)


def _flatten_params(schema: Any, depth: int = 0, depths: dict[str, int] | None = None
                    ) -> dict[str, Mapping[str, Any]]:
    """Parameter name -> schema, including properties of nested objects (two levels: ``params.command``).

    ``depths`` (when given) receives each name's nesting depth.
    """
    out: dict[str, Mapping[str, Any]] = {}
    depths = {} if depths is None else depths
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    if not isinstance(props, Mapping):
        return out
    for key, sub in props.items():
        sub = sub if isinstance(sub, Mapping) else {}
        name = str(key).lower()
        if name not in out:
            out[name] = sub
            depths.setdefault(name, depth)
        if depth < 2:
            for inner, inner_schema in _flatten_params(sub, depth + 1, depths).items():
                out.setdefault(inner, inner_schema)
            items = sub.get("items")
            if isinstance(items, Mapping):
                for inner, inner_schema in _flatten_params(items, depth + 1, depths).items():
                    out.setdefault(inner, inner_schema)
    return out


@functools.cache
def _service_words_cached(name: str) -> frozenset[str]:
    for names, service in lexicon().services:
        if service.name == name:
            return names
    return frozenset()


def _service_words(service: Service) -> frozenset[str]:
    return _service_words_cached(service.name)


def _find_verb(words: Sequence[str]) -> tuple[str | None, str | None]:
    """The verb of a tool name: the first plain verb, with HTTP-method prefixes read as weak verbs.

    A word that is as often a noun ("messages", "monitor", "block") is the verb only when it opens the
    name and no plain verb follows, or ends it in the singular: ``monitor_create`` creates,
    ``file_upload`` uploads, ``browser_console_messages`` has no verb.
    """
    lex = lexicon()
    plain = [(i, w) for i, w in enumerate(words) if w in lex.verbs and w not in lex.noun_verbs]
    for i, word in enumerate(words):
        if word in HTTP_METHODS and i + 1 < len(words):
            later = next((w for j, w in plain if j > i), None)
            if later is not None:
                return later, lex.verbs[later]
            mapped = HTTP_METHODS[word]
            return mapped, lex.verbs[mapped]
        if word not in lex.verbs:
            continue
        if word not in lex.noun_verbs:
            return word, lex.verbs[word]
        if i == 0:
            later = next((w for j, w in plain if j > i), None)
            return (later, lex.verbs[later]) if later is not None else (word, lex.verbs[word])
        if i == len(words) - 1 and not word.endswith("s") and not plain:
            return word, lex.verbs[word]  # resource_action naming: "file_upload"
    return None, None


_LEAD = re.compile(r"^\s*(?:this tool |tool to |use this (?:tool )?to |allows? (?:you )?to |used to |can |will |helps? (?:you )?(?:to )?)?"
                   r"([a-z]+)((?:\s*,\s*[a-z]+)*(?:,?\s+(?:and|or|and/or)\s+[a-z]+)?)", re.IGNORECASE)


def _lead_verbs(description: str) -> list[str]:
    """The verb(s) a description opens with: "Creates, updates or deletes a page" -> create, update, delete."""
    m = _LEAD.match(description)
    if not m:
        return []
    candidates = [m.group(1)] + re.findall(r"[a-z]+", m.group(2) or "", re.IGNORECASE)
    verbs = lexicon().verbs
    out = []
    for word in candidates:
        w = word.lower()
        if w in ("and", "or"):
            continue
        if w in verbs:
            out.append(w)
        else:
            break
    return out


# --------------------------------------------------------------------------------------------
# Rules. Each returns Evidence; its docstring is its documentation.

Rule = Callable[[ToolContext], Iterable[Evidence]]


def rule(code: str, title: str) -> Callable[[Rule], Rule]:
    """Attach a code and title to a rule function (registration is the explicit tuple below)."""

    def wrap(fn: Rule) -> Rule:
        fn.code = code  # type: ignore[attr-defined]
        fn.title = title  # type: ignore[attr-defined]
        return fn

    return wrap


def _has_code_signal(ctx: ToolContext) -> bool:
    return bool(_code_params(ctx)) or any(p.search(ctx.lead) for p in lexicon().phrases["code_execution"])


def _general_code(ctx: ToolContext) -> tuple[str, str] | None:
    """(source, text) when the tool runs general-purpose code rather than a query language."""
    if ctx.verb in lexicon().verb_groups["not_running"]:
        return None
    query_code = lexicon().params["query_code"]
    general = [p for p in _code_params(ctx) if p.replace("-", "_") not in query_code]
    if general:
        return "schema", ", ".join(general)
    if _code_params(ctx):
        return None
    for pattern in lexicon().phrases["code_execution"]:
        m = pattern.search(ctx.lead)
        if m and not re.search(r"sql|quer|statement|cypher|ddl|dml|migration", m.group(0), re.IGNORECASE):
            return "description", _excerpt(ctx.lead, m.start(), m.end())
    return None



def _code_params(ctx: ToolContext) -> list[str]:
    # Code buried two objects deep ("scrapeOptions.actions[].script") is an option of an option, not the call.
    found = [p for p in ctx.has_param("code") if ctx.param_depth.get(p, 0) <= 1]
    for name, schema in ctx.params.items():
        if name in ("query", "statement", "stmt") and name not in found:
            text = f"{schema.get('description', '')} {ctx.lead}"
            if re.search(r"\b(sql|cypher|statements?|select|insert|update|ddl|dml)\b", text, re.IGNORECASE):
                found.append(name)
    return sorted(set(found))


@rule("EFF101", "Verb in the tool name")
def name_verb(ctx: ToolContext) -> Iterable[Evidence]:
    """The verb of the tool's name says what a call does: ``delete_user`` deletes, ``list_users`` reads.

    Verbs that mean "run what you are given" (execute, run, eval) count as destructive only when the
    tool takes code, a command or a query; otherwise they start something reversible.
    """
    if ctx.verb is None or ctx.verb_effect is None:
        return
    if ctx.verb in EXEC_VERBS and not _has_code_signal(ctx):
        yield Evidence("EFF101", "name", ctx.tool.name, f"verb {ctx.verb!r} runs a predefined job", "reversible")
        return
    yield Evidence("EFF101", "name", ctx.tool.name, f"verb {ctx.verb!r} means {ctx.verb_effect.replace('_', '-')}",
                   ctx.verb_effect)


@rule("EFF102", "Object in the tool name")
def name_object(ctx: ToolContext) -> Iterable[Evidence]:
    """What a creating verb creates matters: a message is sent, a refund spends money, an instance bills.

    Bulk words (all, batch, bulk) with an overwriting or removing verb destroy without history; bulk
    creation or bulk marking ("mark all as read") does not.
    """
    lex = lexicon()
    objects = set(ctx.words) - {ctx.verb}
    objects |= {f"{a}_{b}" for a, b in zip(ctx.words, ctx.words[1:])}  # "payment_link", "pull_request"
    if ctx.words and ctx.words[0] in HTTP_METHODS and ctx.verb != ctx.words[0]:
        objects.discard(ctx.words[0])  # "API-post-page": the method, not a post
    outward = ctx.service is None or ctx.service.outward
    creates = ctx.verb in CREATION_VERBS or ctx.verb_effect in ("customer_visible", "high_cost")
    if "draft" in ctx.words or "drafts" in ctx.words:
        return  # a draft is not sent yet
    if creates:
        visible = objects & (lex.objects["customer_visible"] | (lex.objects["shared"] if outward else frozenset()))
        for word in sorted(visible):
            yield Evidence("EFF102", "name", ctx.tool.name, f"creating a {word} reaches other people",
                           "customer_visible")
            break
        for word in sorted(objects & lex.objects["high_cost"]):
            yield Evidence("EFF102", "name", ctx.tool.name, f"creating a {word} spends money or billable resources",
                           "high_cost")
            break
    if (ctx.verb in IN_PLACE_VERBS or ctx.verb_effect == "destructive") and objects & lex.objects["bulk"]:
        yield Evidence("EFF102", "name", ctx.tool.name, "a bulk change cannot be undone item by item", "destructive")


@rule("EFF103", "Noun in the tool name")
def name_noun(ctx: ToolContext) -> Iterable[Evidence]:
    """A name without a verb is read by its nouns: ``maps_geocode`` looks something up; ``shell`` runs commands."""
    if ctx.verb is not None:
        return
    for word in ctx.words:
        effect = lexicon().noun_effects.get(word)
        if effect:
            yield Evidence("EFF103", "name", ctx.tool.name, f"{word!r} names a {effect.replace('_', '-')} operation",
                           effect, weight=0.5 if effect == "read_only" else 1.0)
            return


@rule("EFF104", "Verbs the description opens with")
def description_lead(ctx: ToolContext) -> Iterable[Evidence]:
    """A description usually opens with what the tool does ("Deletes a page", "Create, update or delete ...").

    Decisive when the name has no verb; supporting otherwise.
    """
    lex = lexicon()
    weight = 1.0 if ctx.verb is None else 0.5
    for verb in ctx.lead_verbs:
        effect = lex.verbs[verb]
        if verb in EXEC_VERBS and not _has_code_signal(ctx):
            effect = "reversible"
        if effect == "read_only" and ctx.verb_effect not in (None, "read_only"):
            continue
        yield Evidence("EFF104", "description", _excerpt(ctx.description, 0, 60),
                       f"opens with {verb!r}", effect, weight=weight)


@rule("EFF105", "Phrases in the description")
def description_phrases(ctx: ToolContext) -> Iterable[Evidence]:
    """Phrases that state consequences: "permanently", "cannot be undone", "sends an email", "charges the card"."""
    lex = lexicon()
    text = ctx.lead
    for effect in ("destructive", "customer_visible", "high_cost"):
        for i, pattern in enumerate(lex.phrases[effect]):
            m = pattern.search(text)
            if not m:
                continue
            # The general "deletes X" pattern and money words are supporting only: "lists refunds" is a read.
            strong = (effect == "destructive" and i < len(lex.phrases[effect]) - 1) or effect == "customer_visible"
            if ctx.reads and effect != "destructive":
                strong = False
            if ctx.reads and effect == "destructive" and i == len(lex.phrases[effect]) - 1:
                continue
            yield Evidence("EFF105", "description", _excerpt(text, m.start(), m.end()),
                           f"says the call {_PHRASE_MEANING[effect]}", effect, weight=1.0 if strong else 0.5)
            break
    for pattern in lex.phrases["read_only"]:
        m = pattern.search(text)
        if m:
            yield Evidence("EFF105", "description", _excerpt(text, m.start(), m.end()), "says it changes nothing",
                           "read_only", weight=0.5)
            break


_PHRASE_MEANING = {"destructive": "cannot be undone", "customer_visible": "reaches other people",
                   "high_cost": "costs money"}


@rule("EFF106", "Parameters that carry code")
def schema_code(ctx: ToolContext) -> Iterable[Evidence]:
    """A parameter named ``command``, ``script``, ``code``, ``sql`` (or a query on a database server) runs
    whatever the caller supplies: destructive, and code execution."""
    params = _code_params(ctx)
    if params and ctx.verb not in ("explain", "format", "validate", "lint", "parse", "convert", "translate"):
        yield Evidence("EFF106", "schema", ", ".join(params), "takes code or a command to run", "destructive",
                       "code_execution")


@rule("EFF107", "Parameters that spend or overwrite")
def schema_consequences(ctx: ToolContext) -> Iterable[Evidence]:
    """An ``amount`` on a mutating tool spends money; ``force``/``overwrite``/``recursive`` flags destroy
    (only weakly where the service keeps versions); a parameter named for deleting or replacing
    (``in_trash``, ``replace_content``) or a conflict policy that can upsert replaces what was there.
    A change that takes a ``comment`` or a ``notify`` switch tells other people about it."""
    if ctx.reads:
        return
    money = ctx.has_param("money")
    if money and ctx.verb_effect is not None:
        yield Evidence("EFF107", "schema", ", ".join(money), "moves an amount of money", "high_cost")
    mutating = ctx.verb_effect in MUTATING or ctx.verb_effect is None
    kept = ctx.service is not None and ctx.service.history  # an overwrite there leaves a version to go back to
    force = ctx.has_param("force")
    if force and mutating:
        yield Evidence("EFF107", "schema", ", ".join(force), "can force or overwrite", "destructive",
                       weight=1.0 if ctx.verb_effect in ("reversible", "destructive", None) and not kept else 0.5)
    destroys = lexicon().params["destroys"]
    named = sorted(p for p in ctx.params if set(split_words(p)) & destroys)
    if named and mutating:
        yield Evidence("EFF107", "schema", ", ".join(named[:3]), "a parameter deletes or replaces", "destructive")
    notices = ctx.has_param("notice")
    if notices and ctx.verb_effect in MUTATING:
        yield Evidence("EFF107", "schema", ", ".join(notices[:3]), "posts a comment or notice others see",
                       "customer_visible")
    for name in ctx.has_param("conflict"):
        schema = ctx.params[name]
        values = " ".join(str(v) for v in schema.get("enum") or ()) or str(schema.get("description"))
        m = re.search(r"\b(upsert|overwrite|replace|update)\b", values, re.IGNORECASE)
        if m:
            yield Evidence("EFF107", "schema", f"{name}={m.group(1)}", "can replace existing records", "destructive")


@rule("EFF108", "Operations reachable through a router parameter")
def schema_router(ctx: ToolContext) -> Iterable[Evidence]:
    """A tool with an ``action``/``operation`` enum reaches every listed operation: it is as severe as the worst.

    A free-text operation parameter reaches the operations its description lists ("generate, deploy or
    delete"); one that only gives examples ("e.g. 'list', 'create'") or lists none reaches anything the
    API offers, and is assumed at its worst, as is a tool that nothing else places (the verbs in its
    prose must not rescue it). On a reading tool ("get_type_info(method)") such a parameter names
    what to read.
    """
    lex = lexicon()
    for name in ctx.has_param("router"):
        values = ctx.params[name].get("enum")
        if not isinstance(values, list):
            # On a reading tool ("get_type_info(method)") the parameter names what to read.
            if name.replace("-", "_") in lex.params["free_text_router"] and not ctx.reads:
                yield from _free_text_router(ctx, name)
            continue
        for value in values:
            if not isinstance(value, str):
                continue
            verb, effect = _find_verb([w for w in split_words(value) if w not in NOISE_WORDS])
            if effect is None:
                continue
            if verb in EXEC_VERBS and not _has_code_signal(ctx):
                effect = "reversible"
            yield Evidence("EFF108", "schema", f"{name}={value}", f"operation {value!r} is reachable", effect)


def _free_text_router(ctx: ToolContext, name: str) -> Iterable[Evidence]:
    lex = lexicon()
    text = str(ctx.params[name].get("description") or "")
    if ctx.verb is None and not ctx.lead_verbs:
        # Verbs in the prose of an otherwise unplaced tool ("the action to perform, i.e. 'Click the
        # button'") must not rescue it from being assumed at its worst.
        yield Evidence("EFF108", "schema", name, "a free-text operation can name anything", "destructive")
        return
    seen: set[str] = set()
    for word in split_words(text):
        effect = lex.verbs.get(word)
        # Read verbs say nothing here: the question is what else the parameter reaches.
        if effect in (None, "read_only") or word in lex.noun_verbs or effect in seen:
            continue
        if word in EXEC_VERBS and not _has_code_signal(ctx):
            effect = "reversible"
        seen.add(effect)
        yield Evidence("EFF108", "schema", f"{name}: {_excerpt(text, 0, 60)}", f"operation {word!r} is reachable",
                       effect)
    if re.search(r"\be\.g\.|\beg\.|\bfor example\b|\bsuch as\b", text, re.IGNORECASE):
        yield Evidence("EFF108", "schema", name, "a free-text operation can name anything the API offers",
                       "destructive")
    elif not seen:
        yield Evidence("EFF108", "schema", name, "a free-text operation may name anything the API offers",
                       "destructive", weight=0.5)


@rule("EFF113", "Raw API or CLI passthrough")
def api_passthrough(ctx: ToolContext) -> Iterable[Evidence]:
    """A tool that forwards any request or command to the API or CLI it fronts ("make an authenticated
    request to any endpoint", ``kubectl_generic``) reaches every operation there, its key and token
    endpoints included, with the server's own credentials: destructive, private data, credential access."""
    words = split_words(ctx.tool.name)
    pairs = {frozenset(pair) for pair in zip(words, words[1:])}
    found: str | None = None
    if any("api" in pair and pair & lexicon().objects["passthrough"] for pair in pairs):  # "api_request", "call-api"
        found = ctx.tool.name
    elif not ctx.reads:
        for pattern in lexicon().phrases["passthrough"]:
            m = pattern.search(ctx.lead)
            if m:
                found = _excerpt(ctx.lead, m.start(), m.end())
                break
    if found is None:
        return
    source = "name" if found == ctx.tool.name else "description"
    yield Evidence("EFF113", source, found, "forwards any request to the API it fronts", "destructive")
    yield Evidence("EFF113", source, found, "reaches any record the API holds", flag="private_data")
    yield Evidence("EFF113", source, found, "reaches the API's key and token endpoints", flag="credential_access")


@rule("EFF109", "Server identity")
def server_identity(ctx: ToolContext) -> Iterable[Evidence]:
    """A paid generation service (speech, images, video) spends credits whenever it creates something."""
    if ctx.service is not None and ctx.service.paid and ctx.verb_effect not in (None, "read_only"):
        yield Evidence("EFF109", "server", ctx.service.name, "creates with a paid generation service", "high_cost")
    if ctx.service is not None and ctx.service.paid and ctx.verb_effect is None and ctx.verb is None \
            and set(ctx.words) & lexicon().objects["high_cost"]:
        yield Evidence("EFF109", "server", ctx.service.name, "generates media with a paid service", "high_cost")


IN_PLACE_VERBS = frozenset({"update", "updates", "edit", "edits", "set", "sets", "patch", "patches", "modify",
                            "modifies", "rename", "renames", "replace", "replaces", "apply", "applies", "put",
                            "upsert", "upserts", "write", "writes", "change", "changes", "move", "moves", "import"})
SHARING_VERBS = frozenset({"create", "creates", "add", "adds", "post", "posts", "submit", "submits", "push",
                           "pushes", "merge", "merges", "publish", "open", "invite", "invites", "assign", "upload",
                           "share", "new", "make", "insert", "comment", "reply", "send"})
LONG_JOB_WORDS = frozenset({"crawl", "crawls", "research", "agent", "deep", "batch", "monitor", "extract_batch"})


@rule("EFF111", "What the fronted service makes of a change")
def service_semantics(ctx: ToolContext) -> Iterable[Evidence]:
    """The same verb means different things on different systems.

    On a collaborative system that publishes outward (a repository host, email, a help desk) what a
    tool creates is seen by people outside the organisation, unless it only configures the account
    (a key, a webhook, a label); editing or closing a published issue or pull request notifies its
    participants. Where changes keep no history (files, databases, cloud resources) an in-place edit
    overwrites. Creating (or re-running) on a billable platform starts billed resources, unless what
    is created only configures the account (a key, a webhook); long jobs on metered services spend
    credits. A browser session acts as the user: a click or a key press can post, buy or delete, and
    an upload hands files to a third-party page. On a payments system, moving money is visible to the
    customer.
    """
    lex = lexicon()
    svc = ctx.service
    if svc is not None and svc.metered and set(ctx.words) & LONG_JOB_WORDS:
        yield Evidence("EFF111", "server", svc.name, "a long job on a metered service spends credits", "high_cost")
    if svc is None or ctx.verb_effect is None:
        return
    verb, name = ctx.verb, ctx.tool.name
    if svc.acts_as_user and ctx.verb_effect != "read_only":
        if verb in lex.page_actions["submit"]:
            for effect in MUTATING:
                yield Evidence("EFF111", "server", svc.name, f"a {verb} in the user's live session can post, buy or "
                               "delete", effect)
        elif verb in lex.page_actions["send"]:
            yield Evidence("EFF111", "server", svc.name, "hands files to a third-party page", "customer_visible")
        return
    if svc.collaborative and svc.outward and verb in SHARING_VERBS \
            and not set(ctx.words) & (lex.objects["internal"] | {"internal", "private"}):
        yield Evidence("EFF111", "server", svc.name, f"what it creates on {svc.name} is seen by others",
                       "customer_visible")
    edits = verb in IN_PLACE_VERBS or verb in lex.verb_groups["reopen"]
    if svc.collaborative and svc.outward and edits and set(ctx.words) & lex.objects["shared"]:
        yield Evidence("EFF111", "server", svc.name, f"participants on {svc.name} see and are notified of the change",
                       "customer_visible")
    if not svc.history and verb in IN_PLACE_VERBS and svc.store not in (None,):
        yield Evidence("EFF111", "server", svc.name, f"{svc.name} keeps no history: an edit overwrites",
                       "destructive")
    starts = verb in CREATION_VERBS or verb in lex.verb_groups["rerun"]
    if svc.billable and starts and ctx.verb_effect != "read_only" \
            and not set(ctx.words) & lex.objects["internal"]:
        yield Evidence("EFF111", "server", svc.name, f"creating on {svc.name} starts billed resources", "high_cost")
    money_words = {"refund", "refunds", "pay", "charge", "charges", "payout", "payouts", "capture", "transfer",
                   "transfers", "subscription", "subscriptions", "payment", "payments", "order", "orders"}
    if svc.payments and ctx.verb_effect != "read_only" and (set(ctx.words) & money_words):
        yield Evidence("EFF111", "server", svc.name, "moving a customer's money is visible to the customer",
                       "customer_visible")
        yield Evidence("EFF111", "server", svc.name, "moves money", "high_cost")
    del name


@rule("EFF112", "Writes to a caller-chosen path")
def schema_output_path(ctx: ToolContext) -> Iterable[Evidence]:
    """Downloading, exporting or saving to a path the caller picks can overwrite an existing file; any
    other tool that takes an output location (``outputDir``) leaves a file behind."""
    if ctx.verb not in ("download", "downloads", "export", "exports", "save", "saves", "dump", "write", "writes"):
        outputs = ctx.has_param("output")
        if outputs and not _has_code_signal(ctx):
            yield Evidence("EFF112", "schema", ", ".join(outputs), "writes its output to a file", "reversible")
        return
    paths = [p for p in ctx.has_param("path") if any(w in p for w in ("path", "dir", "destination", "dest",
                                                                       "output", "location", "file"))]
    if paths:
        yield Evidence("EFF112", "schema", ", ".join(paths), "writes to a path the caller picks", "destructive")


@rule("EFF110", "Annotations (untrusted hints)")
def annotations(ctx: ToolContext) -> Iterable[Evidence]:
    """Annotations are the author's claims: a hint, weighed below anything the tool itself shows.

    Absent fields take the spec defaults (not read-only, destructive), which are never evidence.
    """
    ann = ctx.tool.annotations or {}
    if ann.get("readOnlyHint") is True:
        yield Evidence("EFF110", "annotation", "readOnlyHint: true", "the author claims it changes nothing",
                       "read_only", weight=0.5)
    elif ann.get("destructiveHint") is True and ann.get("readOnlyHint") is False:
        yield Evidence("EFF110", "annotation", "destructiveHint: true", "the author says it may destroy data",
                       "destructive", weight=0.5)
    elif ann.get("destructiveHint") is False and ann.get("readOnlyHint") is False:
        yield Evidence("EFF110", "annotation", "destructiveHint: false", "the author says it only adds or updates",
                       "reversible", weight=0.5)


# -- flags --


# Reads of reference material (documentation, type info, the time) return nothing private.
PUBLIC_WORDS = frozenset({"doc", "docs", "documentation", "guide", "guides", "knowledge", "help", "type", "types",
                          "tutorial", "tutorials", "example", "examples", "time", "changelog", "pricing", "link"})


@rule("FLG201", "Reads private data")
def flag_private(ctx: ToolContext) -> Iterable[Evidence]:
    """A tool that reads or exports from a private system (a database, a mailbox, a CRM, a repository)
    returns data that is not public; one that takes a local file to attach, upload or transcribe reads
    the user's files."""
    lex = lexicon()
    if _has_code_signal(ctx) and (ctx.service is None or ctx.service.private or ctx.service.acts_as_user):
        # Script in a logged-in page reads its cookies and storage as well.
        yield Evidence("FLG201", "schema", ctx.tool.name, "runs code with access to everything the server can read",
                       flag="private_data")
        return
    inputs = ctx.has_param("input_file")
    manages_files = ctx.verb in IN_PLACE_VERBS or ctx.verb in lex.verb_groups["file_management"]
    if inputs and not ctx.reads and not manages_files and (ctx.service is None
                                                                           or ctx.service.store != "files"):
        yield Evidence("FLG201", "schema", ", ".join(inputs[:3]), "reads a local file to send or process it",
                       flag="private_data")
        return
    reads = ctx.reads or ctx.verb in ("export", "exports", "download", "downloads", "dump", "search", "query")
    if not reads or set(ctx.words) & PUBLIC_WORDS:
        return
    objects = set(ctx.words) & lex.objects["private"]
    if ctx.destination_urls() and not objects:
        return  # fetching a caller-chosen address returns what is published there, not the service's records
    if ctx.service is not None and ctx.service.private:
        yield Evidence("FLG201", "server", ctx.service.name, f"reads from {ctx.service.name}, a private system",
                       flag="private_data")
    elif objects and (ctx.service is None or ctx.service.private):
        yield Evidence("FLG201", "name", ctx.tool.name, f"reads {sorted(objects)[0]} records", flag="private_data",
                       weight=1.0 if ctx.service is None else 0.5)
    else:
        for pattern in lex.phrases["private_data"]:
            m = pattern.search(ctx.description)
            if m:
                yield Evidence("FLG201", "description", _excerpt(ctx.description, m.start(), m.end()),
                               "returns non-public data", flag="private_data",
                               weight=1.0 if ctx.service is None else 0.5)
                break


@rule("FLG202", "Brings untrusted content into the context")
def flag_untrusted(ctx: ToolContext) -> Iterable[Evidence]:
    """Web pages, emails, messages, issues and comments are written by third parties: text an attacker
    can shape enters the model's context (a prompt-injection source). On a service where other people
    write (a tracker, a CRM, a shared drive), a read of its content in general ("search", "list_objects")
    returns their text; a read of named metadata ("list_workspaces") does not."""
    lex = lexicon()
    if ctx.service is not None and ctx.service.acts_as_user:
        yield Evidence("FLG202", "server", ctx.service.name, "works on live web pages", flag="untrusted_content")
        return
    fetching = ctx.reads or ctx.verb in READ_VERBS_FOR_FLAGS
    if not fetching:
        return
    urls = ctx.destination_urls()
    if urls:
        yield Evidence("FLG202", "schema", ", ".join(urls), "loads content from a caller-chosen address",
                       flag="untrusted_content")
        return
    objects = set(ctx.words) & lex.objects["untrusted"]
    # A read that names nothing in particular ("jira_search", "list_objects") returns the service's content.
    unspecific = not (set(ctx.words) - {ctx.verb} - lex.objects["generic"] - NOISE_WORDS - ctx.server_words
                      - (_service_words(ctx.service) if ctx.service else frozenset()))
    if ctx.service is not None and ctx.service.untrusted and (objects or unspecific or not ctx.service.private):
        yield Evidence("FLG202", "server", ctx.service.name,
                       f"reads content other people wrote on {ctx.service.name}", flag="untrusted_content")
        return
    if objects and (ctx.service is None or ctx.service.untrusted):
        yield Evidence("FLG202", "name", ctx.tool.name, f"reads {sorted(objects)[0]} written by others",
                       flag="untrusted_content", weight=0.5)
    for pattern in lex.phrases["untrusted_content"]:
        m = pattern.search(ctx.description)
        if m:
            yield Evidence("FLG202", "description", _excerpt(ctx.description, m.start(), m.end()),
                           "returns third-party text", flag="untrusted_content",
                           weight=1.0 if objects or ctx.service is None else 0.5)
            return


@rule("FLG203", "Can send data out")
def flag_egress(ctx: ToolContext) -> Iterable[Evidence]:
    """A caller-chosen URL, recipient or webhook is an exfiltration path: data can leave in the request itself.
    So is text or a file typed into a live third-party page (its scripts can send it anywhere), and
    general-purpose code (a shell command, a script, JavaScript), which can open any connection; a
    query language (SQL, Cypher) cannot."""
    lex = lexicon()
    general = _general_code(ctx)
    if general:
        yield Evidence("FLG203", general[0], general[1], "runs general-purpose code, which can open any connection",
                       flag="external_egress")
        return
    callbacks = ctx.has_param("callback")
    if callbacks:
        yield Evidence("FLG203", "schema", ", ".join(callbacks), "calls back a caller-chosen URL with its results",
                       flag="external_egress")
        return
    urls = ctx.destination_urls()
    if urls and set(ctx.words) & {"webhook", "webhooks", "hook", "hooks", "callback", "callbacks"}:
        yield Evidence("FLG203", "schema", ", ".join(urls), "sends events to a caller-chosen URL",
                       flag="external_egress")
        return
    visible = ctx.verb_effect == "customer_visible" or ctx.verb in ("share", "shares", "upload", "uploads",
                                                                      "forward", "forwards", "push", "pushes")
    if urls and (ctx.reads or ctx.verb in READ_VERBS_FOR_FLAGS or visible or ctx.verb is None):
        yield Evidence("FLG203", "schema", ", ".join(urls), "requests a caller-chosen URL", flag="external_egress")
        return
    page = lexicon().page_actions
    in_page = ctx.verb in page["submit"] | page["enter"] | page["send"]
    if ctx.service is not None and ctx.service.acts_as_user and in_page:
        yield Evidence("FLG203", "name", ctx.tool.name, f"a {ctx.verb} puts data into a page whose scripts can send it "
                       "anywhere", flag="external_egress")
        return
    recipients = ctx.has_param("recipient")
    if visible and recipients:
        yield Evidence("FLG203", "schema", ", ".join(recipients), "sends to a caller-chosen recipient",
                       flag="external_egress")
        return
    for pattern in lex.phrases["external_egress"]:
        m = pattern.search(ctx.description)
        if m and not ctx.reads:
            yield Evidence("FLG203", "description", _excerpt(ctx.description, m.start(), m.end()),
                           "sends to a destination the caller picks", flag="external_egress",
                           weight=1.0 if visible else 0.5)
            return


@rule("FLG204", "Executes supplied code")
def flag_code(ctx: ToolContext) -> Iterable[Evidence]:
    """Shell commands, scripts, SQL and JavaScript supplied in the arguments run with the server's rights."""
    if _code_params(ctx) and ctx.verb not in ("explain", "format", "validate", "lint", "parse"):
        return  # EFF106 already recorded the parameter with this flag
    for pattern in lexicon().phrases["code_execution"]:
        m = pattern.search(ctx.lead)
        if m:
            yield Evidence("FLG204", "description", _excerpt(ctx.lead, m.start(), m.end()),
                           "runs code or commands it is given", "destructive", "code_execution")
            return
    if ctx.verb in EXEC_VERBS and set(ctx.words) & {"command", "commands", "script", "scripts", "code", "sql",
                                                     "javascript", "shell", "bash", "query", "queries"}:
        yield Evidence("FLG204", "name", ctx.tool.name, "runs code or commands", "destructive", "code_execution")


@rule("FLG205", "Touches credentials")
def flag_credentials(ctx: ToolContext) -> Iterable[Evidence]:
    """Tools that read, create, rotate or reveal keys, tokens, passwords or secrets handle credentials,
    as does anything on a password or secret manager that touches its content rather than its folders."""
    lex = lexicon()
    if ctx.service is not None and ctx.service.credentials and not set(ctx.words) & lex.objects["organisational"]:
        yield Evidence("FLG205", "server", ctx.service.name, f"{ctx.service.name} stores secrets",
                       flag="credential_access")
        return
    words = set(ctx.words) | {f"{a}_{b}" for a, b in zip(ctx.words, ctx.words[1:])}
    objects = words & lex.objects["credential"]
    # A "vault" is as often a notes folder as a secret store; "auth" and "roles" name access, not secrets.
    strong = objects - {"role", "roles", "policy", "policies", "permission", "permissions", "scope", "scopes", "iam",
                        "acl", "grant", "grants", "auth", "authorization", "key", "keys", "vault"}
    if objects & {"key", "keys"} and not ({"api", "access", "ssh", "signing", "private", "secret", "license"}
                                          & set(ctx.words)):
        objects -= {"key", "keys"}
    if strong:
        yield Evidence("FLG205", "name", ctx.tool.name, f"handles {sorted(strong)[0]}", flag="credential_access")
        return
    if objects:
        yield Evidence("FLG205", "name", ctx.tool.name, f"handles {sorted(objects)[0]}", flag="credential_access",
                       weight=0.5)
    for m in lex.phrases["credential_access"][0].finditer(ctx.description):
        if _CREDENTIAL_VERB.search(ctx.description[: m.start()][-80:]):
            yield Evidence("FLG205", "description", _excerpt(ctx.description, m.start(), m.end()),
                           "returns or changes a credential", flag="credential_access")
            return


# What a description says a tool does to the credential it names ("returns the connection string",
# "includes a DSN", "removes access keys"), as opposed to merely needing one.
_CREDENTIAL_VERB = re.compile(
    r"\b(returns?|reveals?|shows?|prints?|lists?|creates?|generates?|rotates?|issues?|reads?|includ(es?|ing)|"
    r"retrieves?|fetch(es)?|exposes?|contains?|analy[sz]es?|authenticates?|removes?|deletes?|revokes?|"
    r"manages?|stores?|saves?)\b", re.IGNORECASE)


DerivedRule = Callable[[ToolContext, frozenset[str]], Iterable[Evidence]]


@rule("FLG206", "What reaches other people can carry data out")
def flag_egress_by_effect(ctx: ToolContext, effects: frozenset[str]) -> Iterable[Evidence]:
    """A tool whose call reaches other people (a message, a comment, an issue, an invitation) carries
    whatever text the model puts in it to them: an exfiltration path when it takes free text and a
    target, when it grants a person the caller picks access (an invitation, a collaborator), or when
    what it posts is published outward. A reaction to a message carries no data."""
    if "customer_visible" not in effects:
        return
    lex = lexicon()
    carriers = sorted(set(ctx.has_param("content")) | {p for p in ctx.params if p in (
        "title", "subject", "message", "comment", "description", "summary", "caption", "files", "html_text")})
    recipients = sorted(set(ctx.has_param("recipient")) | {
        p for p in ctx.params if set(split_words(p)) & lex.params["recipient_words"]})
    grants = set(ctx.words) & lex.objects["grant"]
    people = ctx.has_param("person")
    if recipients and (carriers or grants or not set(ctx.words) & lex.objects["no_data"]):
        yield Evidence("FLG206", "schema", ", ".join(recipients[:4]), "sends to a recipient the caller picks",
                       flag="external_egress")
        return
    if grants and people:
        yield Evidence("FLG206", "schema", ", ".join(people[:4]),
                       f"gives a person the caller picks access ({sorted(grants)[0]})", flag="external_egress")
        return
    if carriers and ctx.service is not None and ctx.service.outward:
        yield Evidence("FLG206", "schema", ", ".join(carriers[:4]),
                       f"what it posts on {ctx.service.name} reaches people outside the organisation",
                       flag="external_egress")


DERIVED_RULES: tuple[DerivedRule, ...] = (flag_egress_by_effect,)

CLASSIFICATION_RULES: tuple[Rule, ...] = (
    name_verb, name_object, name_noun, description_lead, description_phrases, schema_code, schema_consequences,
    schema_router, api_passthrough, server_identity, service_semantics, schema_output_path, annotations,
    flag_private, flag_untrusted, flag_egress, flag_code, flag_credentials,
)


def _excerpt(text: str, start: int, end: int, context: int = 30) -> str:
    a, b = max(0, start - context), min(len(text), end + context)
    out = text[a:b].replace("\n", " ").strip()
    return ("…" if a else "") + out + ("…" if b < len(text) else "")


# --------------------------------------------------------------------------------------------
# Weighing


def decide(server: str, tool: str, evidence: Sequence[Evidence], *, override: Mapping[str, Any] | None = None,
           disabled: bool = False) -> ToolAssessment:
    """Turn evidence into effects, flags and a confidence. An override from the operator wins, and says so."""
    if override:
        effects = tuple(sorted(set(override.get("effects") or ()), key=effect_rank)) or ("read_only",)
        flags = tuple(f for f in FLAGS if f in set(override.get("flags") or ()))
        reason = str(override.get("reason") or "declared by the operator")
        ev = (*evidence, Evidence("EFF100", "inventory", ", ".join(effects), f"operator override: {reason}"))
        return ToolAssessment(server, tool, effects, flags, "high", tuple(ev), overridden=True, disabled=disabled)

    score = {e: 0.0 for e in EFFECTS}
    flag_score = {f: 0.0 for f in FLAGS}
    for ev in evidence:
        if ev.effect:
            score[ev.effect] += ev.weight
        if ev.flag:
            flag_score[ev.flag] += ev.weight
    mutating = {e for e in MUTATING if score[e] >= 1.0}
    assumed = False
    if mutating:
        effects = mutating
    elif score["read_only"] >= 1.0:
        effects = {"read_only"}
    else:
        weak = [e for e in MUTATING if score[e] >= 0.5]
        if weak and score["read_only"] < 1.0:
            effects = {max(weak, key=effect_rank)}
        elif score["read_only"] >= 0.5:
            effects = {"read_only"}
        else:
            effects, assumed = {"destructive"}, True
    flags = tuple(f for f in FLAGS if flag_score[f] >= 1.0)
    decisive = [ev for ev in evidence if ev.weight >= 1.0 and ev.effect in effects and ev.source != "annotation"]
    if assumed:
        confidence = "low"
    elif decisive and not (mutating and score["read_only"] >= 1.0 and not any(
            ev.effect in mutating and ev.source in ("schema", "name") for ev in evidence)):
        confidence = "high" if len({ev.source for ev in decisive}) > 1 or decisive[0].source in ("name", "schema") \
            else "medium"
    else:
        confidence = "low" if all(ev.source == "annotation" for ev in evidence if ev.effect) else "medium"
    if assumed:
        evidence = (*evidence, Evidence("EFF199", "name", tool, "nothing places this tool: assumed at its worst",
                                        "destructive", weight=0.0))
    return ToolAssessment(server, tool, tuple(sorted(effects, key=effect_rank)), flags, confidence, tuple(evidence),
                          assumed_worst=assumed, disabled=disabled)


@dataclass(frozen=True)
class RuleFailure:
    """A rule that raised: reported in the assessment, never read as "nothing found"."""

    rule: str
    subject: str
    error: str


def classify_tool(tool: Tool, server: str, snapshot: Snapshot | None = None, *,
                  override: Mapping[str, Any] | None = None, disabled: bool = False,
                  rules: Sequence[Rule] = CLASSIFICATION_RULES,
                  failures: list[RuleFailure] | None = None) -> ToolAssessment:
    """Classify one tool. Rule errors are appended to ``failures`` (or re-raised when it is None)."""
    ctx = build_context(tool, server, snapshot)
    evidence: list[Evidence] = []
    for fn in rules:
        try:
            evidence.extend(fn(ctx))
        except Exception as exc:  # noqa: BLE001 - a broken rule is reported, not silently skipped
            if failures is None:
                raise
            failures.append(RuleFailure(getattr(fn, "code", fn.__name__), f"{server}/{tool.name}",
                                        f"{type(exc).__name__}: {exc}"))
    first = decide(server, tool.name, evidence)
    for fn in DERIVED_RULES:
        try:
            evidence.extend(fn(ctx, frozenset(first.effects)))
        except Exception as exc:  # noqa: BLE001
            if failures is None:
                raise
            failures.append(RuleFailure(getattr(fn, "code", fn.__name__), f"{server}/{tool.name}",
                                        f"{type(exc).__name__}: {exc}"))
    return decide(server, tool.name, evidence, override=override, disabled=disabled)
