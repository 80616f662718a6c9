"""Reading input schemas: parameters flattened with their depth, free text versus identifiers, datastore query
languages, and where a tool's output lands."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .language import split_words
from .lexicon import lexicon

__all__ = ["CODE_CARRIED", "QUERY_LANGUAGE", "SAVED_TO", "WRITES", "excerpt", "flatten_params", "free_object", "free_text",
           "identifier", "param_index", "saves"]

# A parameter described as where output lands: "File name to save the snapshot to", "Directory to write to".
SAVED_TO = re.compile(r"\b(save[sd]?|saving|writ(e|es|ten|ing)|stor(e|ed|es)|export(s|ed)?|output)\b[^.]{0,40}?"
                       r"\b(to|in|into|as)\b[^.]{0,20}?\b(file|path|director(y|ies)|folder|disk|location)\b|"
                       r"\b(output|destination|target) (file|path|director(y|ies)|folder)\b|"
                       r"\b(file ?name|path|file|director(y|ies)|folder|location)\b[^.]{0,20}?\b(to|where|in which)\b"
                       r"[^.]{0,10}?\b(save|write|store|export|output)", re.IGNORECASE)
# Datastore query languages (the rubric's code execution): SQL dialects, SOQL/SOSL, PromQL, LogQL, query DSLs,
# Mongo filters and pipelines, graph query languages. Application search syntaxes (JQL, Gmail search) are not.
QUERY_LANGUAGE = re.compile(r"\b(sql|soql|sosl|promql|logql|metricsql|instaql|cypher|gremlin|sparql|kusto|"
                             r"influxql|flux query|query dsl|dsl quer\w*|aggregation pipeline|mongo(db)? "
                             r"(filter|query|queries|pipeline)|where clause|raw sql)\b", re.IGNORECASE)
# A parameter described as the code it carries: source in a programming language, a script, the body of a class or
# function (a value the server stores to run, or runs now), whatever the parameter is named.
CODE_CARRIED = re.compile(r"\b(python|javascript|typescript|js|apex|bash|shell|powershell|lua|ruby|php|groovy)\s+"
                          r"(code|source|script|snippet|function|class|expression|commands?)\b|"
                          r"\b(body|source(?: code)?) of the (\w+ ){0,2}(class|function|script|trigger|procedure|handler|lambda)\b|"
                          r"^\s*(the )?(code|script|source code|command) to (run|execute|evaluate|deploy)\b", re.IGNORECASE)
WRITES = re.compile(r"\b(insert|update|delete|drop|create|alter|truncate|merge|upsert|ddl|dml|writes?|modif\w*|"
                     r"mutations?|any (sql|query|statement))\b", re.IGNORECASE)


def saves(params: Mapping[str, Mapping[str, Any]]) -> bool:
    """The tool takes a place to save to (an output path or directory)."""
    lex = lexicon()
    names = lex.params["output"] | lex.params["path"]
    return any(p.replace("-", "_") in names or "".join(split_words(p)) in names for p in params)


_NAMED_CODE = re.compile(r"\b(?!source\b|program\b|python\b|javascript\b|typescript\b|js\b|shell\b|apex\b|script\b|"
                         r"body\b|the\b|your\b|any\b|of\b|to\b|a\b)[a-z]+ code\b|\bcode (of|for) (the|a|an) \w+", re.IGNORECASE)


_CODE_TO_RUN = re.compile(r"\bcode (to|that will be|which is) (run|execut|evaluat)", re.IGNORECASE)  # "Luau code to execute"


def identifier(schema: Mapping[str, Any]) -> bool:
    """A parameter named ``code`` that holds an identifier ("Project code (2-10 uppercase letters)", a country
    code, an enum, a short pattern), not code to run."""
    if schema.get("enum") or schema.get("pattern"):
        return True
    limit = schema.get("maxLength")
    if isinstance(limit, int) and limit <= 64:
        return True
    text = str(schema.get("description") or "")[:200]
    return bool(_NAMED_CODE.search(text)) and not _CODE_TO_RUN.search(text)


def free_text(schema: Mapping[str, Any]) -> bool:
    """A string (or list of strings) the caller writes freely: not an enum, not an object of named fields."""
    if schema.get("enum"):
        return False
    branches = [b for b in (schema.get("anyOf") or schema.get("oneOf") or ()) if isinstance(b, Mapping)]
    if branches:
        return any(free_text(b) for b in branches if b.get("type") != "null")
    kind = schema.get("type")
    items = schema.get("items") if isinstance(schema.get("items"), Mapping) else {}
    return kind == "string" or (kind == "array" and items.get("type") == "string") or (kind is None and not
                                                                                     schema.get("properties"))


def excerpt(text: str, start: int, end: int, context: int = 30) -> str:
    """The matched part of ``text`` with a little context, on one line."""
    a, b = max(0, start - context), min(len(text), end + context)
    out = text[a:b].replace("\n", " ").strip()
    return ("…" if a else "") + out + ("…" if b < len(text) else "")


def flatten_params(schema: Any, depth: int = 0, depths: dict[str, int] | None = None,
                   names: dict[str, str] | None = None) -> dict[str, Mapping[str, Any]]:
    """Parameter name (lower-cased) -> schema, including properties of nested objects (two levels:
    ``params.command``). ``depths`` (when given) receives each name's nesting depth, ``names`` each name as
    the server spelled it (its camelCase says where its words are)."""
    out: dict[str, Mapping[str, Any]] = {}
    depths = {} if depths is None else depths
    names = {} if names is None else names
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    if not isinstance(props, Mapping):
        return out
    for key, sub in props.items():
        sub = sub if isinstance(sub, Mapping) else {}
        name = str(key).lower()
        if name not in out:
            out[name] = sub
            depths.setdefault(name, depth)
            names.setdefault(name, str(key))
        if depth < 2:
            for inner, inner_schema in flatten_params(sub, depth + 1, depths, names).items():
                out.setdefault(inner, inner_schema)
            items = sub.get("items")
            if isinstance(items, Mapping):
                for inner, inner_schema in flatten_params(items, depth + 1, depths, names).items():
                    out.setdefault(inner, inner_schema)
    return out


def free_object(schema: Mapping[str, Any]) -> bool:
    """An object of no named fields (a query DSL body, a filter document): the caller writes it freely."""
    return schema.get("type") == "object" and not schema.get("properties")


def param_index(lex: Any) -> dict[str, tuple[str, ...]]:
    """The lexicon's parameter names -> the categories listing them (built once per lexicon)."""
    if _PARAM_INDEX and _PARAM_INDEX[0] is lex:
        return _PARAM_INDEX[1]
    index: dict[str, list[str]] = {}
    for category, names in lex.params.items():
        for name in names:
            index.setdefault(name, []).append(category)
    out = {name: tuple(categories) for name, categories in index.items()}
    _PARAM_INDEX[:] = [lex, out]
    return out


_PARAM_INDEX: list[Any] = []  # [lexicon, its index], keyed by identity
