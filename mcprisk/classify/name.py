"""Rules that read the tool's name: its verb, the objects next to it, and nouns that name an operation."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Evidence
from ._rule import rule
from .context import ToolContext
from .lexicon import lexicon
from .schema import BY_NAME_ALONE, named_only

__all__ = ["name_noun", "name_object", "name_verb"]


@rule("EFF101", "Verb in the tool name")
def name_verb(ctx: ToolContext) -> Iterable[Evidence]:
    """The verb of the tool's name says what a call does: ``delete_user`` deletes, ``list_users`` reads.

    Verbs that mean "run what you are given" (execute, run, eval) count as destructive only when the
    tool takes code, a command or a query; running a query or a report reads; otherwise they start
    something reversible. A word that is as often a noun, confirmed by nothing but its position, is one
    witness rather than decisive.
    """
    if ctx.verb is None or ctx.verb_effect is None:
        return
    weight = 1.0 if ctx.verb_firm else 0.5
    if ctx.verb in lexicon().verb_groups["exec"]:
        effect = ctx.exec_effect(ctx.word_set)
        job = {"read_only": "queries or reports", "reversible": "a predefined job"}.get(effect, "what it is given")
        if effect == "destructive" and ctx.code_params and named_only(ctx):
            job = f"the command a parameter is named for {BY_NAME_ALONE}"
        yield Evidence("EFF101", "name", ctx.tool.name, f"verb {ctx.verb!r} runs {job}", effect, weight=weight)
        return
    if ctx.verb in lexicon().verb_groups["generic"] and ctx.routed:
        # "manage_project(action: get | list)": the operations the router offers say what a call does.
        weight = 0.25
    yield Evidence("EFF101", "name", ctx.tool.name, f"verb {ctx.verb!r} means {ctx.verb_effect.replace('_', '-')}",
                   ctx.verb_effect, weight=weight)



@rule("EFF102", "Object in the tool name")
def name_object(ctx: ToolContext) -> Iterable[Evidence]:
    """What a creating verb creates matters: a message is sent, a refund spends money, an instance bills, an invoice
    bills a customer; changing a budget, a bid or a spending limit changes what is spent.

    Changing or resolving a comment, a post, a review or a pull request changes what the people reading it see;
    pinning a post or a message, or following an account, shows it to the people of that profile or chat; a
    product, a price or the stock of a shop or a marketplace is what its buyers see.
    Bulk words (all, batch, bulk) with an overwriting or removing verb destroy without history; bulk
    creation or bulk marking ("mark all as read") does not.
    """
    lex = lexicon()
    objects = set(ctx.words) - {ctx.verb}
    objects |= {f"{a}_{b}" for a, b in zip(ctx.words, ctx.words[1:])}  # "payment_link", "pull_request"
    if ctx.generated_name and ctx.words and ctx.words[0] in lex.http_methods and ctx.verb != ctx.words[0]:
        objects.discard(ctx.words[0])  # "API-post-page": the method, not a post
    outward = ctx.service is None or ctx.service.outward
    creates = ctx.verb in lex.verb_groups["creation"] or ctx.verb_effect in ("customer_visible", "high_cost")
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
    spend = objects & lex.effect_words["spend_controls"]
    if spend and not ctx.reads and ctx.verb_effect not in (None, "read_only", "destructive"):
        yield Evidence("EFF102", "name", ctx.tool.name, f"changing a {sorted(spend)[0]} changes what is spent",
                       "high_cost")
    hooks = objects & lex.objects["webhook"]
    if (creates or ctx.verb in lex.verb_groups["in_place"]) and hooks and ctx.destination_urls:
        yield Evidence("EFF102", "name", ctx.tool.name, f"a {sorted(hooks)[0]} posts events to an address the caller "
                       "names", "customer_visible")
    edits = ctx.verb in lex.verb_groups["in_place"] or ctx.verb in lex.verb_groups["settling"]
    if edits and not creates and objects & lex.objects["read_by_others"]:
        word = sorted(objects & lex.objects["read_by_others"])[0]
        yield Evidence("EFF102", "name", ctx.tool.name, f"changing a {word} changes what its readers see",
                       "customer_visible")
    shop = (ctx.server_words | ctx.opening_words) & lex.effect_words["storefronts"]
    if (creates or ctx.verb in lex.verb_groups["in_place"]) and shop and not ctx.reads \
            and ctx.nouns & lex.effect_words["storefront_items"] and not ctx.nouns & lex.effect_words["backroom"]:
        # "set_price" on a marketplace: the buyers see the new price, the new product, the stock left.
        item = sorted(ctx.nouns & lex.effect_words["storefront_items"])[0]
        yield Evidence("EFF102", "name", ctx.tool.name, f"a {item} of a {sorted(shop)[0]} is what buyers see",
                       "customer_visible")
    if ctx.verb in lex.effect_words["showing"] and not ctx.live_page:
        # "Pin a status to your profile", "Follow an account": the profile's or the chat's people see it.
        pinned = (objects | ctx.opening_words) & lex.effect_words["pinned"]
        if ctx.verb.startswith(("follow", "unfollow")) or pinned:
            what = f"a pinned {sorted(pinned)[0]}" if pinned else "a follow"
            yield Evidence("EFF102", "name", ctx.tool.name, f"{what} is shown to other people", "customer_visible")
    if (ctx.verb in lex.verb_groups["in_place"] or ctx.verb_effect == "destructive") and objects & lex.objects["bulk"]:
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
