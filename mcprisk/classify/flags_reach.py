"""Flag rules about what a tool can reach: sending data out, running supplied code."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Evidence
from ._rule import rule
from .context import ToolContext
from .params import excerpt
from .schema import BY_NAME_ALONE, named_only
from .lexicon import lexicon

__all__ = ["REQUIRED_URL", "flag_code", "flag_egress", "flag_egress_by_effect"]


# A change's required address, read as one it requests: the flag, but no decisive witness that an author claiming a
# closed world is wrong (a bookmark's or a record's link is stored, not requested).
REQUIRED_URL = "must be given a caller-chosen URL, which it requests"


@rule("FLG203", "Can send data out")
def flag_egress(ctx: ToolContext) -> Iterable[Evidence]:
    """A caller-chosen URL, recipient or webhook is an exfiltration path: data can leave in the request itself.
    So is text or a file typed into a live third-party page (its scripts can send it anywhere), and
    general-purpose code (a shell command, a script, JavaScript), which can open any connection; a
    query language (SQL, Cypher) cannot."""
    lex = lexicon()
    general = ctx.general_code
    if general:
        alone = f" {BY_NAME_ALONE}" if general[0] == "schema" and named_only(ctx) else ""
        yield Evidence("FLG203", general[0], general[1], f"runs general-purpose code, which can open any connection{alone}",
                       flag="external_egress")
        return
    callbacks = ctx.has_param("callback") or _qualified_callbacks(ctx)
    if callbacks:
        yield Evidence("FLG203", "schema", ", ".join(callbacks), "calls back a caller-chosen URL with its results",
                       flag="external_egress")
        return
    urls = ctx.destination_urls
    if urls and ctx.word_set & lex.objects["webhook"]:
        yield Evidence("FLG203", "schema", ", ".join(urls), "sends events to a caller-chosen URL",
                       flag="external_egress")
        return
    visible = ctx.verb_effect == "customer_visible" or ctx.verb in lex.verb_groups["handing"]
    if urls and (ctx.reads or ctx.verb in lex.verb_groups["read_for_flags"] or visible or ctx.verb is None):
        yield Evidence("FLG203", "schema", ", ".join(urls), "requests a caller-chosen URL", flag="external_egress")
        return
    required = ctx.tool.input_schema.get("required") if isinstance(ctx.tool.input_schema, dict) else None
    needed = [u for u in urls if isinstance(required, list) and ctx.param_names.get(u, u) in required]
    if needed and not ctx.reads:
        # A change that must be given an address (a page to open, a file to pull in, a proxy to route through)
        # requests it: what the address carries leaves in the request.
        yield Evidence("FLG203", "schema", ", ".join(needed), REQUIRED_URL, flag="external_egress")
        return
    remote = [p for p in ctx.has_param("remote") if ctx.param_depth.get(p, 0) == 0]
    if remote and not ctx.live_page:
        yield Evidence("FLG203", "schema", ", ".join(remote[:3]), "connects to a host the caller names",
                       flag="external_egress")
        return
    page = lex.page_actions
    in_page = ctx.verb in page["submit"] | page["enter"] | page["send"]
    if ctx.live_page and in_page:
        yield Evidence("FLG203", "name", ctx.tool.name, f"a {ctx.verb} puts data into a page whose scripts can send it "
                       "anywhere", flag="external_egress")
        return
    recipients = ctx.has_param("recipient")
    if (visible or ctx.verb_effect == "high_cost") and recipients:
        yield Evidence("FLG203", "schema", ", ".join(recipients), "sends to a caller-chosen recipient",
                       flag="external_egress")
        return
    for pattern in lex.phrases["external_egress"] if lex.may_say("external_egress", ctx.description) else ():
        m = pattern.search(ctx.description)
        if m and not ctx.reads:
            yield Evidence("FLG203", "description", excerpt(ctx.description, m.start(), m.end()),
                           "sends to a destination the caller picks", flag="external_egress",
                           weight=1.0 if visible else 0.5)
            return


def _qualified_callbacks(ctx: ToolContext) -> list[str]:
    """Top-level parameters whose name ends in a callback address ("inboundWebhookUrl", "status_callback_url"): a
    qualified webhook is still an address the service sends its events to."""
    names = lexicon().params["callback"]
    return [p for p in ctx.params if ctx.param_depth.get(p, 0) == 0 and len(words := ctx.words_of(p)) > 2
            and "_".join(words[-2:]) in names]


@rule("FLG204", "Executes supplied code")
def flag_code(ctx: ToolContext) -> Iterable[Evidence]:
    """Shell commands, scripts, SQL and JavaScript supplied in the arguments run with the server's rights."""
    lex = lexicon()
    if ctx.code_params:
        return  # EFF106 already recorded the parameter with this flag
    m = ctx.code_phrase
    if m is not None:
        yield Evidence("FLG204", "description", excerpt(ctx.lead, m.start(), m.end()),
                       "runs code or commands it is given", "destructive", "code_execution")
        return
    if ctx.verb in lex.verb_groups["exec"] and ctx.word_set & lex.objects["code"]:
        yield Evidence("FLG204", "name", ctx.tool.name, "runs code or commands", "destructive", "code_execution")
        return
    filters = [p for p in ctx.params if p in _QUERY_BODIES and ctx.param_depth.get(p, 0) == 0]
    if filters and ctx.reads and (ctx.server_words | ctx.service_words) & lex.objects["document_stores"]:
        # A document store's filter, pipeline or query body is written in its query language: a read that runs it.
        yield Evidence("FLG204", "schema", ", ".join(filters), "runs a query in the document store's language",
                       flag="code_execution")


_QUERY_BODIES = frozenset({"filter", "pipeline", "query", "body", "aggregation", "stages", "query_dsl", "dsl"})


@rule("FLG206", "What reaches other people can carry data out")
def flag_egress_by_effect(ctx: ToolContext, effects: frozenset[str]) -> Iterable[Evidence]:
    """A tool whose call reaches other people (a message, a comment, an issue, an invitation) carries
    whatever text the model puts in it to them: an exfiltration path when it takes free text and a
    target, when it grants a person the caller picks access (an invitation, a collaborator), or when
    what it posts is published outward. A reaction to a message carries no data."""
    if "customer_visible" not in effects:
        return
    lex = lexicon()
    carriers = sorted(set(ctx.has_param("content")) | {p for p in ctx.params if p in lex.params["carrier"]})
    recipients = sorted(set(ctx.has_param("recipient")) | {
        p for p in ctx.params if set(ctx.words_of(p)) & lex.params["recipient_words"]})
    grants = ctx.word_set & lex.objects["grant"]
    people = ctx.has_param("person")
    if recipients and (carriers or grants or not ctx.word_set & lex.objects["no_data"]):
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
                       flag="external_egress", weight=ctx.service_weight)
        if ctx.service_strong:
            return
    if carriers and not ctx.word_set & lex.objects["no_data"] and ctx.verb_effect == "customer_visible":
        # The name's verb itself sends or publishes (push, broadcast, post) and the call carries free text: the
        # text reaches the people it is sent to, whoever they are.
        yield Evidence("FLG206", "schema", ", ".join(carriers[:4]), f"a {ctx.verb} carries the text it is given to "
                       "the people it reaches", flag="external_egress")
