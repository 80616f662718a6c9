"""Rules about what a call sets in motion beyond its verb: an action in a live page, a change to what is
running, an automation whose steps are defined elsewhere, and a relocation that can replace what is at
its destination. Each is described by the words of its kind, never by a particular tool's name."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import EFFECTS, Evidence
from ._rule import rule
from .context import ToolContext
from .params import free_text
from .lexicon import lexicon

__all__ = ["automation_run", "console_input", "desktop_input", "image_workload", "infrastructure_change", "page_action",
           "paid_crawl", "public_routing", "relocation_overwrite"]

MUTATING = EFFECTS[1:]


@rule("EFF114", "Acts in a live page")
def page_action(ctx: ToolContext) -> Iterable[Evidence]:
    """A tool that drives a live page acts as the signed-in user: a click, a key press or a page action can
    submit a form or post on the site, whatever the page offers; typing that can press Enter (a ``submit``
    switch) as well. What it submits is seen by the site's people, but nothing runs that the page does not
    offer, so it is not destructive by itself. Filling a field changes only the page; navigating, hovering
    or switching tabs moves the browser session; an upload hands local files to a third-party page."""
    if not ctx.live_page or ctx.verb is None or ctx.verb_effect == "read_only":
        return
    page = lexicon().page_actions
    where = ctx.service.name if ctx.service is not None and ctx.service.acts_as_user else "a live page"
    submits = [p for p in ctx.params if set(ctx.words_of(p)) & {"submit", "enter"}]
    if ctx.verb in page["submit"] or (ctx.verb in page["enter"] and submits):
        for effect in ("reversible", "customer_visible"):
            yield Evidence("EFF114", "name", ctx.tool.name, f"a {ctx.verb} in {where} can submit a form or post",
                           effect)
    elif ctx.verb in page["enter"]:
        yield Evidence("EFF114", "name", ctx.tool.name, f"a {ctx.verb} changes what {where} holds", "reversible")
    elif ctx.verb in page["send"]:
        yield Evidence("EFF114", "name", ctx.tool.name, f"hands local files to {where}", "customer_visible")
    elif ctx.verb in page["session"]:
        yield Evidence("EFF114", "name", ctx.tool.name, f"a {ctx.verb} moves the session of {where}", "reversible")


@rule("EFF115", "Changes what is running")
def infrastructure_change(ctx: ToolContext) -> Iterable[Evidence]:
    """Deploying, applying, installing, upgrading, rolling out or back, or syncing a cluster, a cloud
    resource, a site or a release replaces what was running with something else: the old state is gone
    unless someone rebuilds it, and installing runs code someone else wrote."""
    lex = lexicon()
    verb = ctx.verb
    if verb in lex.verb_groups["creation"] | lex.verb_groups["in_place"]:
        # "create_cloud_function": "Deploy a notebook as a cloud function" says how it is created.
        verb = next((v for v in ctx.lead_verbs if v in lex.verb_groups["infra_change"]), verb)
    if verb not in lex.verb_groups["infra_change"] or ctx.reads:
        return
    targets = (ctx.nouns - {verb}) & lex.objects["infra"]
    on_cloud = ctx.service is not None and ctx.service.store == "cloud"
    if targets or on_cloud or verb in lex.verb_groups["runtime_change"]:
        what = sorted(targets)[0] if targets else ctx.service.name if on_cloud and ctx.service else "what runs"
        yield Evidence("EFF115", "name", ctx.tool.name, f"{verb} replaces what is running ({what})", "destructive")


@rule("EFF116", "Starts an automation")
def automation_run(ctx: ToolContext) -> Iterable[Evidence]:
    """Running, triggering or dispatching a workflow, pipeline, job or action runs steps defined elsewhere,
    which the caller does not see: they can deploy, delete or publish. A run of a query or a report reads."""
    lex = lexicon()
    verbs = {ctx.verb} if ctx.verb is not None else set(ctx.lead_verbs[:1])
    if not verbs & lex.verb_groups["start_run"]:
        return
    words = (ctx.nouns if ctx.verb is not None else ctx.nouns | ctx.opening_words) - verbs
    runs = words & lex.objects["automation"]
    if runs and not words & lex.objects["read_jobs"]:
        yield Evidence("EFF116", "name" if ctx.verb is not None else "description", ctx.tool.name,
                       f"runs a {sorted(runs)[0]} whose steps are defined elsewhere", "destructive")


@rule("EFF117", "Can replace what is at its destination")
def relocation_overwrite(ctx: ToolContext) -> Iterable[Evidence]:
    """Uploading, copying, moving or writing a file or a storage object to a destination the caller names
    replaces whatever is already there, unless the store keeps versions or the tool refuses to overwrite."""
    lex = lexicon()
    if ctx.reads or ctx.service is not None and ctx.service.history:
        return
    if ctx.verb in lex.verb_groups["in_place"] and ctx.verb not in lex.verb_groups["relocate"]:
        # An edit, a patch or a replacement given inline for a file the caller names rewrites that file.
        files = [p for p in ctx.params if ctx.param_depth.get(p, 0) == 0
                 and {"file", "path", "filename", "filepath"} & set(ctx.words_of(p))]
        if files and ctx.has_param("content"):
            yield Evidence("EFF117", "schema", ", ".join(files[:3]),
                           f"a {ctx.verb} rewrites the file the caller names in place", "destructive")
        return
    if ctx.verb not in lex.verb_groups["relocate"]:
        return
    destinations = ctx.has_param("destination")
    if not destinations and ctx.has_param("content") and not ctx.has_param("input_file"):
        destinations = ctx.has_param("path")  # content given inline: the path says where it lands
    stored = (ctx.nouns | ctx.param_words) & lex.objects["stored"]
    if not destinations or not stored:
        return
    if any(p.search(ctx.description) for p in lex.phrases["no_overwrite"]):
        return
    yield Evidence("EFF117", "schema", ", ".join(destinations[:3]),
                   f"a {ctx.verb} to a caller-chosen destination replaces what is there", "destructive")


@rule("EFF118", "Types into a live shell or console")
def console_input(ctx: ToolContext) -> Iterable[Evidence]:
    """Sending input, keys or text to a running shell, terminal session, process or VM console is typing
    commands: whatever is typed runs there, so the tool runs code as surely as one that takes a command.
    (Typing into a web page is a page action, EFF114.)"""
    if ctx.live_page:
        return
    words = lexicon().console_input
    typing = ctx.verb in words["verbs"] or (ctx.verb is None and set(ctx.lead_verbs[:1]) & words["verbs"])
    if not typing or not (ctx.word_set | ctx.param_words) & words["words"]:
        return
    place = sorted((ctx.word_set | ctx.opening_words | ctx.server_words) & words["places"])
    free = [p for p in ctx.params if set(ctx.words_of(p)) & words["words"] and free_text(ctx.params[p])]
    if place and free:
        yield Evidence("EFF118", "schema", ", ".join(free[:3]), f"types into a live {place[0]}: what is typed runs",
                       "destructive", "code_execution")


@rule("EFF119", "Crawls or extracts with a paid job")
def paid_crawl(ctx: ToolContext) -> Iterable[Evidence]:
    """Crawling a site from a caller-chosen address over many pages, or running an AI extraction over pages
    (a prompt or a schema to fill), is a job the provider bills per page or per run: it spends credits.
    Fetching one page is a read."""
    lex = lexicon()
    if not ctx.destination_urls:
        return
    verbs = {ctx.verb} if ctx.verb is not None else set(ctx.lead_verbs[:1])
    crawling = verbs & lex.verb_groups["crawling"] or ctx.word_set & {"crawl", "crawler", "crawls"}
    names = {p: p.replace("-", "_") for p in ctx.params}
    job = sorted(p for p, n in names.items() if crawling and n in lex.objects["crawl_params"]) or \
        sorted(p for p, n in names.items() if verbs & lex.verb_groups["extracting"] and n in lex.objects["extract_params"])
    if job:
        yield Evidence("EFF119", "schema", ", ".join(job[:3]), "a crawl or an AI extraction over pages is billed",
                       "high_cost")


@rule("EFF121", "Changes what a public name points to")
def public_routing(ctx: ToolContext) -> Iterable[Evidence]:
    """Changing a DNS record or a domain's nameservers, or attaching a domain to a site or an app, changes what
    everyone who looks the name up reaches: people outside the organisation see it at once. A new zone that no
    registrar points to yet, or a lookup, changes nothing anyone sees."""
    if ctx.reads or ctx.verb is None or ctx.verb_effect in (None, "read_only"):
        return
    routing = lexicon().public_routing
    words = ctx.word_set
    what = sorted(words & routing["names"]) or (sorted(ctx.nouns & routing["records"]) if "dns" in words else [])
    if not what and ctx.verb in routing["attaching"] and ctx.nouns & routing["domains"]:
        what = sorted(ctx.nouns & routing["domains"])
    if what:
        yield Evidence("EFF121", "name", ctx.tool.name, f"changes where a public name points ({what[0]})",
                       "customer_visible")


@rule("EFF122", "Drives the desktop's mouse or keyboard")
def desktop_input(ctx: ToolContext) -> Iterable[Evidence]:
    """A click, a key press, typed text or a drag sent to the operator's desktop lands in whatever window has
    focus or lies under the pointer: a terminal runs what is typed, a dialog confirms a delete, a mail client sends.
    Input into a phone, a simulator or one app's view stays in that device or app (the page actions of a
    browser are EFF114's), and moving the pointer or reading the screen presses nothing."""
    if ctx.live_page or ctx.reads:
        return
    lex = lexicon()
    around = ctx.server_words | ctx.word_set | ctx.opening_words
    if not around & lex.objects["desktop"] or around & lex.objects["contained_screens"]:
        return
    verbs = {ctx.verb} if ctx.verb is not None else set(ctx.lead_verbs[:1])
    pressing = verbs & lex.verb_groups["desktop_input"]
    if pressing or (not verbs and (ctx.word_set | ctx.opening_words) & lex.objects["desktop_input"]):
        what = sorted(pressing)[0] if pressing else "mouse and keyboard input"
        yield Evidence("EFF122", "name" if ctx.verb is not None else "description", ctx.tool.name,
                       f"a {what} on the desktop lands in whatever window has focus", "destructive")


@rule("EFF123", "Runs a container image the caller names")
def image_workload(ctx: ToolContext) -> Iterable[Evidence]:
    """Creating or running a workload (a deployment, a job, a pod, a container) from an image the caller names runs
    whatever that image holds, with the environment and command the call gives it: code the caller chooses."""
    lex = lexicon()
    if ctx.reads or ctx.verb is None or ctx.verb not in lex.verb_groups["creation"] | lex.verb_groups["start_run"]:
        return
    images = [p for p in ctx.params if ctx.param_depth.get(p, 0) == 0 and p.replace("-", "_") in
              lex.objects["image_params"] and not ctx.params[p].get("enum")]
    if images and (ctx.nouns & lex.objects["workloads"] or ctx.verb in lex.verb_groups["exec"]):
        yield Evidence("EFF123", "schema", images[0], "runs the container image the caller names", "destructive")
