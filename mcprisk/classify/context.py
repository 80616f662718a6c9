"""What the rules see of one tool, computed once and shared by every rule: its words, verbs, description,
parameters, the server's words and the service it fronts."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..snapshot import Snapshot, Tool
from .language import description_verbs, name_verb, split_words
from .params import (CODE_CARRIED, QUERY_LANGUAGE, SAVED_TO, WRITES, excerpt, flatten_params, free_object, free_text,
                     identifier, param_index, saves)
from .lexicon import Service, lexicon
from .server import ServerContext, ServiceMatch, server_context

__all__ = ["ToolContext", "build_context", "noise_words"]


def noise_words() -> frozenset[str]:
    """Words that say nothing about what a tool does: vendor prefixes and stop words."""
    grammar = lexicon().grammar
    return grammar["prefix_words"] | grammar["stop_words"]


@dataclass(frozen=True)
class ToolContext:
    """What the rules see of one tool: its words, verb, description, parameters and server."""

    tool: Tool
    server: str
    service: Service | None
    words: tuple[str, ...]  # name words, vendor words removed
    verb: str | None  # the verb of the name (base form), see language.name_verb
    verb_effect: str | None
    description: str
    lead_verbs: tuple[str, ...]  # the description's main verbs, base forms ("Create, update or delete ...")
    params: Mapping[str, Mapping[str, Any]]  # lower-cased parameter name -> schema
    server_words: frozenset[str] = field(default_factory=frozenset)
    param_depth: Mapping[str, int] = field(default_factory=dict)  # 0 top level, 1 inside one object or array
    param_names: Mapping[str, str] = field(default_factory=dict)  # lower-cased name -> the name as given
    verb_firm: bool = False  # a plain verb, or a noun-like one the description confirms
    generated_name: bool = False  # named after an HTTP operation by a generator ("API-post-search")
    service_strong: bool = False  # the service is firmly known (else what it implies counts half)
    boilerplate_annotations: bool = False  # the server puts the same admitting hints on every tool
    shared_workspace: bool = False  # the server's tools name what colleagues write there (see server.py)

    @property
    def service_weight(self) -> float:
        """The weight of evidence inferred from the service: full when firmly known, half otherwise."""
        return 1.0 if self.service_strong else 0.5

    @property
    def lead(self) -> str:
        """The opening of the description, where a tool says what it does (later text is usage advice)."""
        return self.description.strip()[:400]

    @functools.cached_property
    def word_set(self) -> frozenset[str]:
        return frozenset(self.words)

    @functools.cached_property
    def saves(self) -> bool:
        """The tool takes a place to save to (an output path or directory)."""
        return saves(self.params)

    @functools.cached_property
    def nouns(self) -> frozenset[str]:
        """The name's words with their singular forms too ("nodes" -> node), for matching object lists."""
        return self.word_set | {w[:-1] for w in self.words if len(w) > 3 and w.endswith("s") and not w.endswith("ss")}

    @functools.cached_property
    def opening(self) -> str:
        """The description's opening sentence (up to 300 characters), where a tool says what it does."""
        text = self.description.strip()
        m = re.search(r"(?<=[.!?])\s|\n", text)
        return text[: min(m.start() if m else len(text), 300)]

    @functools.cached_property
    def opening_words(self) -> frozenset[str]:
        """The words of the description's opening (its first 200 characters)."""
        return frozenset(split_words(self.description[:200]))

    @functools.cached_property
    def read_only_queries(self) -> bool:
        """The code it runs is a query language restricted to reads: its name or opening says SELECT (or
        read-only), or names a language that can only read (PromQL, LogQL, SOQL), and names no write."""
        lex = lexicon()
        if not self.code_params or not all(p.replace("-", "_") in lex.params["query_code"] for p in self.code_params):
            return False
        text = f"{' '.join(split_words(self.tool.name))} {self.opening}"
        # "read_query" in a name is the author's label; only the description saying so restricts the SQL it runs.
        says_read = re.search(r"\bselect\b", text, re.IGNORECASE) or \
            re.search(r"\bread (\w+ )?(quer|statement|cypher|sql)", self.opening, re.IGNORECASE) or \
            any(p.search(self.lead) for p in lex.phrases["read_only"]) or \
            set(split_words(text.lower())) & lex.objects["read_only_languages"] or (
                # A read in a query language that only reads (PromQL, SOQL, a search DSL); SQL and Cypher can write.
                self.verb_effect == "read_only" and not re.search(r"\b(sql|cypher|statements?)\b", text + " "
                                                                  + " ".join(self.code_params), re.IGNORECASE))
        return bool(says_read) and not WRITES.search(self.lead)

    def exec_effect(self, words: frozenset[str]) -> str:
        """What a running verb (run, execute, invoke) does: destructive with code to run (a read when that code
        is read-only queries), a read when what it runs is a query or a report, else it starts a predefined
        job (reversible)."""
        if self.has_code_signal:
            return "read_only" if self.read_only_queries else "destructive"
        if (words | self.nouns) & lexicon().objects["value_moves"]:
            return "destructive"  # executing a transfer or a trade moves value for good
        if (words | self.nouns) & lexicon().objects["stored_code"]:
            return "destructive"  # a stored procedure runs whatever code it holds
        return "read_only" if words & lexicon().objects["read_jobs"] else "reversible"

    @functools.cached_property
    def service_words(self) -> frozenset[str]:
        return lexicon().service_words(self.service) if self.service is not None else frozenset()

    def words_of(self, param: str) -> list[str]:
        """The words of a parameter's name as the server spelled it ("truncateTarget" -> truncate, target)."""
        return split_words(self.param_names.get(param, param))

    @functools.cached_property
    def _param_forms(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Each parameter with the forms it is matched by: with underscores, its words run together, and its
        words joined by underscores ("outputPath" -> output_path)."""
        return tuple((p, (p.replace("-", "_"), "".join(self.words_of(p)), "_".join(self.words_of(p))))
                     for p in self.params)

    @functools.cached_property
    def param_words(self) -> frozenset[str]:
        """The words of every parameter name."""
        return frozenset(w for p in self.params for w in self.words_of(p))

    @functools.cached_property
    def _param_hits(self) -> dict[str, list[str]]:
        """Every lexicon category of parameter names -> this tool's parameters named so (sorted), from one look-up
        of each form of each parameter in the lexicon's name -> categories index."""
        index = param_index(lexicon())
        out: dict[str, list[str]] = {}
        for p, forms in self._param_forms:
            for category in dict.fromkeys(c for f in forms for c in index.get(f, ())):
                out.setdefault(category, []).append(p)
        return {category: sorted(hits) for category, hits in out.items()}

    @property
    def param_categories(self) -> tuple[str, ...]:
        """The lexicon's categories of parameter names this tool has a parameter of."""
        return tuple(self._param_hits)

    def has_param(self, category: str) -> list[str]:
        """Parameters named like the lexicon's ``params[category]``."""
        if category not in lexicon().params:
            raise KeyError(category)
        return list(self._param_hits.get(category, ()))

    @functools.cached_property
    def routed(self) -> bool:
        """The tool picks its operation from a list of choices (an ``action`` enum), each read as its own verb."""
        return any(isinstance(self.params[p].get("enum"), list) and len(self.params[p]["enum"]) > 1
                   for p in self.has_param("router"))

    @functools.cached_property
    def output_params(self) -> tuple[str, ...]:
        """Top-level parameters naming where the tool writes what it produces: named for output
        (``output_path``, ``save_to``) or described as the place it is saved or written to."""
        found = set(self.has_param("output"))
        for name, schema in self.params.items():
            if self.param_depth.get(name, 0) == 0 and SAVED_TO.search(str(schema.get("description") or "")[:200]):
                found.add(name)
        return tuple(sorted(found))

    @functools.cached_property
    def destination_urls(self) -> tuple[str, ...]:
        """URL parameters that can point anywhere: not a path relative to the service, nor (by its
        description) an address on the fronted service itself ("the Sentry issue URL")."""
        own = (self.service_words | self.server_words) - lexicon().objects["common_nouns"]
        out = []
        ambiguous = lexicon().params["url_if_described"]  # a site's id, a resource URI, a remote's name: no address
        for name in self.has_param("url"):
            text = str(self.params[name].get("description") or "")
            if name.replace("-", "_") in ambiguous and self.params[name].get("format") not in ("uri", "url") \
                    and not _WEB_ADDRESS.search(text):
                continue
            if re.search(r"\brelative\b|\bmust (start|begin) with ['\"]?/", text, re.IGNORECASE):
                continue
            named = re.findall(r"\b([a-z0-9]+)\s+(?:[a-z]+\s+)?(?:url|uri|link|address)\b", text, re.IGNORECASE)
            if own & {w.lower() for w in named}:  # "Sentry issue URL", "YouTube video URL"
                continue
            out.append(name)
        return tuple(out)

    @functools.cached_property
    def reads(self) -> bool:
        verbs = lexicon().verbs
        return self.verb_effect == "read_only" or (self.verb_effect is None and bool(self.lead_verbs) and
                                                   all(verbs.get(v) == "read_only" for v in self.lead_verbs))

    @functools.cached_property
    def code_params(self) -> tuple[str, ...]:
        """Parameters that carry code, a command or a query statement to run: named for code, a query on a
        database, free-form command-line arguments or options, or the expression an evaluator evaluates."""
        lex = lexicon()
        # Code a tool lints, explains or scans is read, not run; command-line options it passes on still run.
        reading = self.verb in lex.verb_groups["not_running"]
        # Code buried two objects deep ("scrapeOptions.actions[].script") is an option of an option, not the call.
        found = [p for p in self.has_param("code") if self.param_depth.get(p, 0) <= 1 and not reading
                 and not identifier(self.params[p])]
        for name, schema in self.params.items():
            if name in found or reading or self.param_depth.get(name, 0) > 1:
                continue
            if name in ("query", "statement", "stmt"):
                text = f"{schema.get('description', '')} {self.lead}"
                if re.search(r"\b(sql|cypher|statements?|select|ddl|dml)\b", text, re.IGNORECASE) \
                        or QUERY_LANGUAGE.search(text):
                    found.append(name)
            elif name.replace("-", "_") in lex.params["query_code"] and (free_text(schema) or free_object(schema)) and \
                    QUERY_LANGUAGE.search(f"{schema.get('description', '')} {name} {self.lead}"):
                found.append(name)  # a filter, body or expression in a datastore's query language
            elif free_text(schema) and not identifier(schema) and (CODE_CARRIED.search(str(
                    schema.get("description") or "")[:200]) or (self.words_of(name) or [""])[-1] in lex.params["code_suffix"]):
                found.append(name)  # "Full body of the Apex class", "startup_command": described or named as code
        for name in self.has_param("argv"):
            if name not in found and self.param_depth.get(name, 0) <= 1 and free_text(self.params[name]):
                if name in ("expression", "expr", "eval_expression"):
                    running = self.verb in lex.verb_groups["evaluating"] or re.search(r"\bevaluat", self.lead, re.I)
                else:
                    text = f"{self.params[name].get('description', '')} {self.lead}"
                    running = any(p.search(text) for p in lex.phrases["argv"])
                if running:
                    found.append(name)
        return tuple(sorted(set(found)))

    @functools.cached_property
    def live_page(self) -> bool:
        """The tool acts in a live web page (a browser session): the server drives a browser, or the tool
        picks a page element and speaks of a page, or its name says browser or tab."""
        if self.service is not None and self.service.acts_as_user and self.service_strong:
            return True
        lex = lexicon()
        picks = any(p.replace("-", "_") in lex.live_page["params"] for p in self.params)
        return (picks and bool((self.opening_words | self.word_set) & lex.live_page["words"])) or \
            bool((self.word_set | self.server_words) & lex.live_page["names"])

    @functools.cached_property
    def code_phrase(self) -> re.Match[str] | None:
        """Where the description's opening says the tool runs code or commands it is given (or mentions a shell, a
        REPL or a writing statement, when its name does not say it only reads or ends something)."""
        lex = lexicon()
        if self.reads and not set(self.lead_verbs) & lex.verb_groups["exec"]:
            return None  # a read that names code it returns ("Shows the CREATE statement", "List REPL sessions")
        for category in self._code_categories:
            if lex.may_say(category, self.lead):
                for pattern in lex.phrases[category]:
                    m = pattern.search(self.lead)
                    if m:
                        return m
        return None

    @property
    def _code_categories(self) -> tuple[str, ...]:
        """Phrase categories saying it runs code: a mention counts unless the name's verb reads or ends a session."""
        groups = lexicon().verb_groups
        reads = self.verb_effect == "read_only" and self.verb not in groups["exec"] | groups["evaluating"]
        quiet = self.verb is not None and (reads or self.verb in groups["session_ending"])
        return ("code_execution",) if quiet else ("code_execution", "code_mention")

    @property
    def has_code_signal(self) -> bool:
        return bool(self.code_params) or self.code_phrase is not None

    @functools.cached_property
    def general_code(self) -> tuple[str, str] | None:
        """(source, text) when the tool runs general-purpose code rather than a query language."""
        lex = lexicon()
        general = [p for p in self.code_params if p.replace("-", "_") not in lex.params["query_code"]]
        if general:
            return "schema", ", ".join(general)
        if self.code_params or self.code_phrase is None:
            return None  # no code parameter, and none of the code phrases matches the opening
        for pattern in (p for c in self._code_categories for p in lex.phrases[c]):
            m = pattern.search(self.lead)
            if m and not re.search(r"sql|quer|statement|cypher|ddl|dml|migration", m.group(0), re.IGNORECASE):
                return "description", excerpt(self.lead, m.start(), m.end())
        return None


_WEB_ADDRESS = re.compile(r"\b(urls?|https?|web ?(address|site|page)|website|domain)\b", re.IGNORECASE)


def build_context(tool: Tool, server: str, snapshot: Snapshot | None = None,
                  shared: ServerContext | None = None) -> ToolContext:
    """The context of one tool, from the tool and (when given) the snapshot it came from. ``shared`` is
    the server's context, computed once per snapshot by the caller (else here)."""
    lex = lexicon()
    shared = shared or server_context(snapshot, server)
    own = shared.words
    match = shared.match
    if match is None:
        # A distinctive service name opening the tool's name ("slack_post_message") names what it fronts.
        first = set(split_words(tool.name)[:1]) - lex.objects["common_nouns"]
        service = lex.service_for(first)
        if service is not None:
            match = ServiceMatch(service, True, tuple(first), "tool name")
    service = match.service if match is not None else None
    svc_words = lex.service_words(service) if service is not None else frozenset()
    grammar = lex.grammar
    words = [w for w in split_words(tool.name) if w not in grammar["stop_words"]]
    # Drop a leading vendor or protocol prefix ("slack_post_message", "API-post-search") when more words follow.
    while len(words) > 1 and (words[0] in grammar["prefix_words"] or words[0] in own or words[0] in svc_words) \
            and words[0] not in lex.verbs:
        words = words[1:]
    description = tool.description or ""
    depth: dict[str, int] = {}
    given: dict[str, str] = {}
    params = flatten_params(tool.input_schema, depths=depth, names=given)
    raw = split_words(tool.name)
    described = description_verbs(description, raw)
    # "reply_to_ticket", "post_to_channel": a word followed by "to" in a name is a verb.
    confirmed = [lex.lemmas.get(w, w) for w, nxt in zip(raw, raw[1:]) if nxt == "to"]
    generated = raw[:1] == ["api"] and len(raw) > 2 and raw[1] in lex.http_methods  # "API-post-search"
    found = name_verb(words, [*described, *confirmed], split_words(description[:200]), generated=generated)
    if found is not None and found.base in lex.verb_groups["fetch_or_save"] and not saves(params):
        found = replace(found, effect="read_only")  # "Download a web page and return its text" saves nothing
    ctx = ToolContext(tool=tool, server=server, service=service, words=tuple(words),
                      verb=found.base if found else None, verb_effect=found.effect if found else None,
                      verb_firm=found.firm if found else False, generated_name=generated,
                      description=description, lead_verbs=tuple(described), params=params,
                      server_words=own, param_depth=depth, param_names=given,
                      service_strong=bool(match and match.strong),
                      boilerplate_annotations=shared.boilerplate_annotations,
                      shared_workspace=shared.shared_workspace)
    if ctx.verb in lex.page_actions["session"] and ctx.live_page:
        # In a live page, navigating, hovering or switching tabs moves the browser session: state, not a read.
        ctx = replace(ctx, verb_effect="reversible")
    return ctx
