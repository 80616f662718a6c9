"""Rules that read the tool's input schema: code it runs, consequences its parameters name, operations a
router parameter reaches, where it writes, and raw passthrough to the API it fronts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..model import EFFECTS, Evidence
from ._rule import rule
from .context import ToolContext, noise_words
from .params import CODE_CARRIED, QUERY_LANGUAGE, excerpt
from .language import name_verb, split_words
from .lexicon import lexicon

__all__ = ["BY_NAME_ALONE", "NAMED_ONLY", "api_passthrough", "schema_code", "schema_consequences", "schema_output_path", "schema_router"]

MUTATING = EFFECTS[1:]


@rule("EFF106", "Parameters that carry code")
def schema_code(ctx: ToolContext) -> Iterable[Evidence]:
    """A parameter named ``command``, ``script``, ``code``, ``sql`` (or a query on a database server) runs
    whatever the caller supplies: destructive, and code execution. A query language restricted to reads
    (the tool says SELECT or read-only, or names a language that only reads such as PromQL, and names no write)
    runs code that changes nothing: read-only, still code execution."""
    if not ctx.code_params:
        return
    if ctx.read_only_queries:
        yield Evidence("EFF106", "schema", ", ".join(ctx.code_params), "runs read-only queries it is given",
                       "read_only", "code_execution")
        return
    yield Evidence("EFF106", "schema", ", ".join(ctx.code_params),
                   NAMED_ONLY if named_only(ctx) else "takes code or a command to run", "destructive", "code_execution")


# What a reading resting on nothing but a parameter's name says (EFF106, and the readings that follow from it): evidence
# for the classification, never a decisive witness for an accusation (rules/annotations.py).
BY_NAME_ALONE = "(by its name alone)"
NAMED_ONLY = f"takes a parameter named for code or a command {BY_NAME_ALONE}"


def named_only(ctx: ToolContext) -> bool:
    """Every code parameter was found by its name alone ("percyRunCommand"): neither its description nor the
    tool's opening says it carries code (a language, "the command to run"), and it is no query or command-line
    argument list (those are found by what their description says)."""
    if ctx.code_phrase is not None:
        return False
    lex = lexicon()
    for p in ctx.code_params:
        text = str(ctx.params[p].get("description") or "")[:200]
        key = p.replace("-", "_")
        if CODE_CARRIED.search(text) or QUERY_LANGUAGE.search(f"{text} {ctx.lead}") or key in lex.params["argv"] \
                or key in lex.params["query_code"] or key in ("query", "statement", "stmt"):
            return False
    return True


@rule("EFF107", "Parameters that spend or overwrite")
def schema_consequences(ctx: ToolContext) -> Iterable[Evidence]:
    """An ``amount`` on a mutating tool spends money (a price in a catalog does not); ``force``/``overwrite``/``recursive`` flags destroy
    (only weakly where the service keeps versions); a parameter named for deleting or replacing
    (``in_trash``, ``replace_content``) or a conflict policy that can upsert replaces what was there.
    A change that takes a ``comment`` or a ``notify`` switch tells other people about it (a comment that
    only explains the change does not). Value moved to a recipient the caller names cannot be called back, nor
    can a market order (a ``side``, or a choice, to buy or sell) once it fills, nor the sale that closes a held position. A put or a set of a whole document (a policy
    document, a manifest) replaces the one there."""
    if ctx.reads:
        return
    lex = lexicon()
    money = ctx.has_param("money")
    if money and ctx.verb_effect is not None and not ctx.nouns & lex.objects["catalog"]:
        yield Evidence("EFF107", "schema", ", ".join(money), "moves an amount of money", "high_cost")
    recipients = ctx.has_param("recipient")
    if ctx.verb in lex.verb_groups["moving_value"] and recipients and (money or ctx.nouns & lex.objects["value"]):
        # Value sent to an address or account the caller names is gone once it arrives.
        yield Evidence("EFF107", "schema", ", ".join(recipients[:3]), "moves value to a recipient the caller names: "
                       "it cannot be called back", "destructive")
    sides = ctx.has_param("trade_side") or _buy_or_sell(ctx)
    placing = ctx.verb in lex.verb_groups["creation"] or ctx.verb in lex.objects["market_orders"]  # "order", "trade"
    if sides and placing and ctx.nouns & lex.objects["market_orders"]:
        yield Evidence("EFF107", "schema", sides[0], "places a market order: a fill moves money for good",
                       "destructive")
    elif ctx.verb in lex.verb_groups["liquidating"] and ctx.nouns & lex.objects["held_positions"]:
        yield Evidence("EFF107", "name", ctx.tool.name, "closing a held position sells it: a fill moves money for "
                       "good", "destructive")
    documents = [p for p in ctx.has_param("whole_document") if ctx.param_depth.get(p, 0) == 0]
    if documents and ctx.verb in lex.verb_groups["whole_put"]:
        yield Evidence("EFF107", "schema", documents[0], f"a {ctx.verb} of a whole document replaces the one there",
                       "destructive")
    mutating = ctx.verb_effect in MUTATING or ctx.verb_effect is None
    kept = ctx.service is not None and ctx.service.history  # an overwrite there leaves a version to go back to
    force = ctx.has_param("force")
    if force and mutating:
        yield Evidence("EFF107", "schema", ", ".join(force), "can force or overwrite", "destructive",
                       weight=1.0 if ctx.verb_effect in ("reversible", "destructive", None) and not kept else 0.5)
    destroys = lexicon().params["destroys"]
    named = sorted(p for p in ctx.params if set(ctx.words_of(p)) & destroys)
    if named and mutating:
        yield Evidence("EFF107", "schema", ", ".join(named[:3]), "a parameter deletes or replaces", "destructive")
    notices = [p for p in ctx.has_param("notice") if not _explains(ctx.params[p])]
    if notices and ctx.verb_effect in MUTATING:
        yield Evidence("EFF107", "schema", ", ".join(notices[:3]), "posts a comment or notice others see",
                       "customer_visible")
    routers = set(ctx.has_param("router")) | set(ctx.has_param("conflict"))
    for name, schema in ctx.params.items():
        values = schema.get("enum") if mutating and name not in routers else None
        hits = sorted({str(v) for v in values or () if isinstance(v, str) and set(split_words(v)) & destroys})
        if hits:
            yield Evidence("EFF107", "schema", f"{name}={hits[0]}", "an option of the call overwrites or clears",
                           "destructive")
            break
    for name in ctx.has_param("conflict"):
        schema = ctx.params[name]
        values = " ".join(str(v) for v in schema.get("enum") or ()) or str(schema.get("description"))
        m = re.search(r"\b(upsert|overwrite|replace|update)\b", values, re.IGNORECASE)
        if m:
            yield Evidence("EFF107", "schema", f"{name}={m.group(1)}", "can replace existing records", "destructive")


def _buy_or_sell(ctx: ToolContext) -> list[str]:
    """Top-level parameters whose choices are to buy or to sell (``action: BUY | SELL``): the side of a trade."""
    out = []
    for name, schema in ctx.params.items():
        values = schema.get("enum") if ctx.param_depth.get(name, 0) == 0 else None
        if values and {"buy", "sell"} <= {str(v).lower() for v in values}:
            out.append(name)
    return out


def _explains(schema: Mapping[str, Any]) -> bool:
    """A comment that explains a state change ("Optional comment explaining why this is a false positive")
    is a note on the record, not a message to other people."""
    return bool(re.search(r"\b(explain\w*|why|reason|human-readable)\b", str(schema.get("description") or ""),
                          re.IGNORECASE))


@rule("EFF108", "Operations reachable through a router parameter")
def schema_router(ctx: ToolContext) -> Iterable[Evidence]:
    """A tool with an ``action``/``operation`` enum reaches every listed operation: it is as severe as the worst.

    A free-text operation parameter reaches the operations its description lists ("generate, deploy or
    delete"); one that only gives examples ("e.g. 'list', 'create'") or lists none reaches anything the
    API offers, and is assumed at its worst, as is a tool that nothing else places (the verbs in its
    prose must not rescue it). On a reading tool ("get_type_info(method)") such a parameter names
    what to read. A free HTTP method sent to a path the caller names reaches any operation, DELETE too.
    """
    lex = lexicon()
    noise = noise_words()
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
            found = name_verb([w for w in split_words(value) if w not in noise])
            if found is None:
                continue
            verb, effect = found.base, found.effect
            if verb in lex.verb_groups["exec"] and not ctx.has_code_signal:
                effect = "reversible"
            yield Evidence("EFF108", "schema", f"{name}={value}", f"operation {value!r} is reachable", effect)
    if not ctx.reads:
        yield from _any_http_method(ctx)


_METHOD_PARAMS = frozenset({"method", "http_method", "httpmethod", "request_method"})
_ROUTE_PARAMS = frozenset({"path", "endpoint", "url", "uri", "action", "api_path", "apipath", "route", "resource"})


def _any_http_method(ctx: ToolContext) -> Iterable[Evidence]:
    """A free HTTP method beside the path it is sent to reaches whatever the API offers, DELETE as well."""
    top = {p.replace("-", "_").lower(): p for p in ctx.params if ctx.param_depth.get(p, 0) == 0}
    method = next((top[n] for n in sorted(top.keys() & _METHOD_PARAMS) if not ctx.params[top[n]].get("enum")), None)
    if method and top.keys() & _ROUTE_PARAMS and not re.search(r"\b(get|head)[- ]only\b|\bonly (get|head)\b",
                                                                str(ctx.params[method].get("description") or ""), re.I):
        yield Evidence("EFF108", "schema", method, "any HTTP method can be sent, DELETE as well", "destructive")


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
        if word in lex.verb_groups["exec"] and not ctx.has_code_signal:
            effect = "reversible"
        seen.add(effect)
        yield Evidence("EFF108", "schema", f"{name}: {excerpt(text, 0, 60)}", f"operation {word!r} is reachable",
                       effect)
    if re.search(r"\be\.g\.|\beg\.|\bfor example\b|\bsuch as\b", text, re.IGNORECASE):
        yield Evidence("EFF108", "schema", name, "a free-text operation can name anything the API offers",
                       "destructive")
    elif not seen:
        # No operation named anywhere: a hint, not a witness (the verbs of the name and description lead).
        yield Evidence("EFF108", "schema", name, "a free-text operation may name anything the API offers",
                       "destructive", weight=0.25)


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
                found = excerpt(ctx.lead, m.start(), m.end())
                break
    if found is None:
        return
    source = "name" if found == ctx.tool.name else "description"
    yield Evidence("EFF113", source, found, "forwards any request to the API it fronts", "destructive")
    yield Evidence("EFF113", source, found, "reaches any record the API holds", flag="private_data")
    yield Evidence("EFF113", source, found, "reaches the API's key and token endpoints", flag="credential_access")


@rule("EFF112", "Writes to a caller-chosen path")
def schema_output_path(ctx: ToolContext) -> Iterable[Evidence]:
    """Downloading, exporting or saving to a path the caller picks can overwrite an existing file, and so can
    a tool whose purpose is the file it writes (a report, an export, a backup) at a file path the caller
    names, or one that saves what it fetches to a local path (``local_path``, ``save_path``). Any other tool that
    takes an output location (``outputDir``, a screenshot's ``filename``) leaves
    a file behind as a side artifact."""
    lex = lexicon()
    outputs = ctx.output_params
    if ctx.verb in lex.verb_groups["saving"]:
        paths = [p for p in sorted(set(ctx.has_param("path")) | set(outputs))
                 if any(w in p for w in ("path", "dir", "destination", "dest", "output", "location", "file"))]
        if paths:
            yield Evidence("EFF112", "schema", ", ".join(paths), "writes to a path the caller picks", "destructive")
        return
    if not outputs or ctx.has_code_signal:
        return
    files = [p for p in outputs if "dir" not in p and "folder" not in p]
    saved = [p for p in outputs if p in ctx.has_param("local_save")]
    if saved and not ctx.nouns & lex.objects["high_cost"]:  # media a paid service makes is its cost, not a loss
        yield Evidence("EFF112", "schema", ", ".join(saved), "saves to a local path the caller names, replacing a file "
                       "there", "destructive")
        return
    if files and ctx.nouns & lex.objects["file_products"]:
        yield Evidence("EFF112", "schema", ", ".join(files), "writes the file it makes to a path the caller picks",
                       "destructive")
        return
    yield Evidence("EFF112", "schema", ", ".join(outputs), "writes its output to a file", "reversible")
