"""What the rules see of one tool, computed once and shared by every rule: its words, verbs, description,
parameters, the server's words and the service it fronts."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..snapshot import Snapshot, Tool
from .language import description_verbs, name_verb, split_words
from .lexicon import Service, lexicon

__all__ = ["ToolContext", "build_context", "excerpt", "noise_words"]


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

    @functools.cached_property
    def word_set(self) -> frozenset[str]:
        return frozenset(self.words)

    @functools.cached_property
    def service_words(self) -> frozenset[str]:
        return lexicon().service_words(self.service) if self.service is not None else frozenset()

    def has_param(self, category: str) -> list[str]:
        names = lexicon().params[category]
        return sorted(p for p in self.params if p.replace("-", "_") in names or "".join(split_words(p)) in names)

    @functools.cached_property
    def destination_urls(self) -> tuple[str, ...]:
        """URL parameters that can point anywhere: not a path relative to the service, nor (by its
        description) an address on the fronted service itself ("the Sentry issue URL")."""
        own = (self.service_words | self.server_words) - lexicon().objects["common_nouns"]
        out = []
        for name in self.has_param("url"):
            text = str(self.params[name].get("description") or "")
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
        """Parameters that carry code, a command or a query statement to run."""
        # Code buried two objects deep ("scrapeOptions.actions[].script") is an option of an option, not the call.
        found = [p for p in self.has_param("code") if self.param_depth.get(p, 0) <= 1]
        for name, schema in self.params.items():
            if name in ("query", "statement", "stmt") and name not in found:
                text = f"{schema.get('description', '')} {self.lead}"
                if re.search(r"\b(sql|cypher|statements?|select|insert|update|ddl|dml)\b", text, re.IGNORECASE):
                    found.append(name)
        return tuple(sorted(set(found)))

    @functools.cached_property
    def code_phrase(self) -> re.Match[str] | None:
        """Where the description's opening says the tool runs code or commands it is given."""
        for pattern in lexicon().phrases["code_execution"]:
            m = pattern.search(self.lead)
            if m:
                return m
        return None

    @property
    def has_code_signal(self) -> bool:
        return bool(self.code_params) or self.code_phrase is not None

    @functools.cached_property
    def general_code(self) -> tuple[str, str] | None:
        """(source, text) when the tool runs general-purpose code rather than a query language."""
        lex = lexicon()
        if self.verb in lex.verb_groups["not_running"]:
            return None
        general = [p for p in self.code_params if p.replace("-", "_") not in lex.params["query_code"]]
        if general:
            return "schema", ", ".join(general)
        if self.code_params:
            return None
        for pattern in lex.phrases["code_execution"]:
            m = pattern.search(self.lead)
            if m and not re.search(r"sql|quer|statement|cypher|ddl|dml|migration", m.group(0), re.IGNORECASE):
                return "description", excerpt(self.lead, m.start(), m.end())
        return None


def excerpt(text: str, start: int, end: int, context: int = 30) -> str:
    """The matched part of ``text`` with a little context, on one line."""
    a, b = max(0, start - context), min(len(text), end + context)
    out = text[a:b].replace("\n", " ").strip()
    return ("…" if a else "") + out + ("…" if b < len(text) else "")


def server_words(snapshot: Snapshot | None, server: str) -> frozenset[str]:
    """Words naming the server: its name, server info, and the program or package its command runs."""
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
    return frozenset(words - lexicon().grammar["server_noise"])


def build_context(tool: Tool, server: str, snapshot: Snapshot | None = None) -> ToolContext:
    """The context of one tool, from the tool and (when given) the snapshot it came from."""
    lex = lexicon()
    own = server_words(snapshot, server)
    service = lex.service_for(own) or lex.service_for(split_words(tool.name)[:1])
    svc_words = lex.service_words(service) if service is not None else frozenset()
    grammar = lex.grammar
    words = [w for w in split_words(tool.name) if w not in grammar["stop_words"]]
    # Drop a leading vendor or protocol prefix ("slack_post_message", "API-post-search") when more words follow.
    while len(words) > 1 and (words[0] in grammar["prefix_words"] or words[0] in own or words[0] in svc_words) \
            and words[0] not in lex.verbs:
        words = words[1:]
    verb, effect = name_verb(words)
    description = tool.description or ""
    depth: dict[str, int] = {}
    params = _flatten_params(tool.input_schema, depths=depth)
    return ToolContext(tool=tool, server=server, service=service, words=tuple(words), verb=verb, verb_effect=effect,
                       description=description, lead_verbs=tuple(description_verbs(description)), params=params,
                       server_words=own, param_depth=depth)


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
