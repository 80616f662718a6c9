"""Rules that read what the fronted service makes of a call: paid generation, shared and published
content, changes without history, billed resources, a live browser session, customers' money."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import EFFECTS, Evidence
from ._rule import rule
from .context import ToolContext
from .lexicon import lexicon

__all__ = ["server_identity", "service_semantics"]

MUTATING = EFFECTS[1:]


@rule("EFF109", "Server identity")
def server_identity(ctx: ToolContext) -> Iterable[Evidence]:
    """A paid generation service (speech, images, video) spends credits whenever it creates something."""
    if ctx.service is not None and ctx.service.paid and ctx.verb_effect not in (None, "read_only"):
        yield Evidence("EFF109", "server", ctx.service.name, "creates with a paid generation service", "high_cost", weight=ctx.service_weight)
    if ctx.service is not None and ctx.service.paid and ctx.verb_effect is None and ctx.verb is None \
            and set(ctx.words) & lexicon().objects["high_cost"]:
        yield Evidence("EFF109", "server", ctx.service.name, "generates media with a paid service", "high_cost", weight=ctx.service_weight)


@rule("EFF111", "What the fronted service makes of a change")
def service_semantics(ctx: ToolContext) -> Iterable[Evidence]:
    """The same verb means different things on different systems.

    On a collaborative system that publishes outward (a repository host, email, a help desk) what a
    tool creates is seen by people outside the organisation, unless it only configures the account
    (a key, a webhook, a label); editing or closing a published issue or pull request notifies its
    participants. Where changes keep no history (files, databases, cloud resources) an in-place edit
    overwrites. Creating (or re-running) on a billable platform starts billed resources, unless what
    is created only configures the account (a key, a webhook); long jobs on metered services spend
    credits. On a payments system, moving money is visible to the customer.

    Only where edits replace content without a version (files, relational tables, cluster objects) is an
    in-place edit destructive: a record updated on a SaaS API can be set back (the rubric's reversible
    update). Only what the platform bills for (instances, clusters, builds, jobs) spends money when created.
    """
    lex = lexicon()
    svc = ctx.service
    groups = lex.verb_groups
    if svc is not None and svc.metered and set(ctx.words) & lex.objects["long_job"]:
        yield Evidence("EFF111", "server", svc.name, "a long job on a metered service spends credits", "high_cost", weight=ctx.service_weight)
    if ctx.verb in lex.verb_groups["scaling"] and ctx.nouns & (lex.objects["billed"] | lex.objects["capacity"]) \
            and (svc is None or svc.billable or svc.store == "cloud"):
        # Scaling, resizing or resuming compute or storage is what cloud providers bill for.
        what = sorted(ctx.nouns & (lex.objects["billed"] | lex.objects["capacity"]))[0]
        yield Evidence("EFF111", "name", ctx.tool.name, f"{ctx.verb} grows or wakes billed capacity ({what})",
                       "high_cost", weight=1.0 if svc is not None else 0.5)
    creates = ctx.verb in groups["creation"] and ctx.verb_effect not in (None, "read_only")
    if svc is None and creates and ctx.nouns & lex.objects["provisioned"] and not ctx.nouns & lex.objects["internal"]:
        # Unknown provider: one witness that a new server, database or cluster is capacity someone pays for.
        what = sorted(ctx.nouns & lex.objects["provisioned"])[0]
        yield Evidence("EFF111", "name", ctx.tool.name, f"creating a {what} provisions billed capacity", "high_cost",
                       weight=0.5)
    if svc is None or ctx.verb_effect is None:
        return
    verb = ctx.verb
    if svc.acts_as_user:
        return  # what a page action does is EFF114's question
    if svc.collaborative and svc.outward and verb in groups["sharing"] \
            and not set(ctx.words) & (lex.objects["internal"] | {"internal", "private"}):
        yield Evidence("EFF111", "server", svc.name, f"what it creates on {svc.name} is seen by others",
                       "customer_visible", weight=ctx.service_weight)
    edits = verb in groups["in_place"] or verb in groups["reopen"]
    if svc.collaborative and svc.outward and edits and set(ctx.words) & lex.objects["shared"]:
        yield Evidence("EFF111", "server", svc.name, f"participants on {svc.name} see and are notified of the change",
                       "customer_visible", weight=ctx.service_weight)
    if svc.overwrites and verb in groups["in_place"]:
        yield Evidence("EFF111", "server", svc.name, f"{svc.name} keeps no history: an edit overwrites",
                       "destructive", weight=ctx.service_weight)
    starts = verb in groups["creation"] or verb in groups["rerun"]
    # Compute and storage capacity alike (a file share, a disk) is what a cloud bills for while it exists.
    billed = ctx.nouns & (lex.objects["billed"] | lex.objects["capacity"]) or verb in groups["rerun"]
    if svc.billable and starts and billed and ctx.verb_effect != "read_only" \
            and not set(ctx.words) & lex.objects["internal"]:
        yield Evidence("EFF111", "server", svc.name, f"creating on {svc.name} starts billed resources", "high_cost", weight=ctx.service_weight)
    if svc.payments and ctx.verb_effect != "read_only" and (ctx.nouns & lex.objects["settled"]
                                                            or verb in groups["finalizing"]):
        yield Evidence("EFF111", "server", svc.name, "settling a dispute or finalizing a bill on "
                       f"{svc.name} cannot be taken back", "destructive", weight=ctx.service_weight)
    if svc.payments and verb in groups["creation"] and ctx.nouns & lex.objects["billing"]:
        yield Evidence("EFF111", "server", svc.name, f"bills a customer through {svc.name}", "high_cost",
                       weight=ctx.service_weight)
    if svc.payments and ctx.verb_effect != "read_only" and (set(ctx.words) & lex.objects["money"]):
        yield Evidence("EFF111", "server", svc.name, "moving a customer's money is visible to the customer",
                       "customer_visible", weight=ctx.service_weight)
        yield Evidence("EFF111", "server", svc.name, "moves money", "high_cost", weight=ctx.service_weight)
