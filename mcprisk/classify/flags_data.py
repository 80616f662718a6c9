"""Flag rules about what a tool reads: private data, third parties' text, credentials."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import Evidence
from ._rule import rule
from .context import ToolContext, excerpt, noise_words
from .lexicon import lexicon

__all__ = ["flag_credentials", "flag_private", "flag_untrusted"]


@rule("FLG201", "Reads private data")
def flag_private(ctx: ToolContext) -> Iterable[Evidence]:
    """A tool that reads or exports from a private system (a database, a mailbox, a CRM, a repository)
    returns data that is not public; one that takes a local file to attach, upload or transcribe reads
    the user's files."""
    lex = lexicon()
    groups = lex.verb_groups
    if ctx.has_code_signal and (ctx.service is None or ctx.service.private or ctx.service.acts_as_user):
        # Script in a logged-in page reads its cookies and storage as well.
        yield Evidence("FLG201", "schema", ctx.tool.name, "runs code with access to everything the server can read",
                       flag="private_data")
        return
    inputs = ctx.has_param("input_file")
    manages_files = ctx.verb in groups["in_place"] or ctx.verb in groups["file_management"]
    if inputs and not ctx.reads and not manages_files and (ctx.service is None or ctx.service.store != "files"):
        yield Evidence("FLG201", "schema", ", ".join(inputs[:3]), "reads a local file to send or process it",
                       flag="private_data")
        return
    reads = ctx.reads or ctx.verb in groups["exporting"]
    if not reads or ctx.word_set & lex.objects["public"]:
        return
    objects = ctx.nouns & lex.objects["private"]
    if ctx.live_page:
        objects -= lex.live_page["words"] | lex.live_page["names"]  # a web page is not the operator's record
    if ctx.destination_urls and not objects:
        return  # fetching a caller-chosen address returns what is published there, not the service's records
    if ctx.service is not None and ctx.service.private:
        yield Evidence("FLG201", "server", ctx.service.name, f"reads from {ctx.service.name}, a private system",
                       flag="private_data", weight=ctx.service_weight)
        if ctx.service_strong:
            return
    if objects and (ctx.service is None or ctx.service.private):
        yield Evidence("FLG201", "name", ctx.tool.name, f"reads {sorted(objects)[0]} records", flag="private_data",
                       weight=1.0 if ctx.service is None else 0.5)
        return
    for pattern in lex.phrases["private_data"]:
        m = pattern.search(ctx.description)
        if m:
            yield Evidence("FLG201", "description", excerpt(ctx.description, m.start(), m.end()),
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
    if ctx.live_page:
        # What a live page shows was written by the page's authors, whichever browser drives it.
        acting = ctx.service is not None and ctx.service.acts_as_user
        yield Evidence("FLG202", "server" if acting else "name", ctx.service.name if acting and ctx.service
                       else ctx.tool.name, "works on live web pages", flag="untrusted_content")
        return
    fetching = ctx.reads or ctx.verb in lex.verb_groups["read_for_flags"]
    if not fetching:
        return
    urls = ctx.destination_urls
    if urls:
        yield Evidence("FLG202", "schema", ", ".join(urls), "loads content from a caller-chosen address",
                       flag="untrusted_content")
        return
    strong = ctx.nouns & lex.objects["untrusted_strong"]
    objects = ctx.nouns & lex.objects["untrusted"] | strong
    # A read that names nothing in particular ("jira_search", "list_objects") returns the service's content.
    unspecific = not (ctx.word_set - {ctx.verb} - lex.objects["generic"] - noise_words() - ctx.server_words
                      - ctx.service_words)
    if ctx.service is not None and ctx.service.untrusted and (objects or unspecific or not ctx.service.private):
        yield Evidence("FLG202", "server", ctx.service.name,
                       f"reads content other people wrote on {ctx.service.name}", flag="untrusted_content",
                       weight=ctx.service_weight)
        if ctx.service_strong:
            return
    if strong:
        # Messages, mail, comments, uploads: written by others whatever service holds them.
        yield Evidence("FLG202", "name", ctx.tool.name, f"reads {sorted(strong)[0]}, written by others",
                       flag="untrusted_content")
        return
    if objects and (ctx.service is None or ctx.service.untrusted):
        yield Evidence("FLG202", "name", ctx.tool.name, f"reads {sorted(objects)[0]} written by others",
                       flag="untrusted_content", weight=0.5)
    for pattern in lex.phrases["untrusted_content"]:
        m = pattern.search(ctx.description)
        if m:
            yield Evidence("FLG202", "description", excerpt(ctx.description, m.start(), m.end()),
                           "returns third-party text", flag="untrusted_content",
                           weight=1.0 if objects or ctx.service is None else 0.5)
            return


@rule("FLG205", "Touches credentials")
def flag_credentials(ctx: ToolContext) -> Iterable[Evidence]:
    """Tools that read, create, rotate or reveal keys, tokens, passwords or secrets handle credentials,
    as does anything on a password or secret manager that touches its content rather than its folders,
    and any change to roles, policies or permissions (who may do what)."""
    lex = lexicon()
    if ctx.service is not None and ctx.service.credentials and not ctx.word_set & lex.objects["organisational"]:
        yield Evidence("FLG205", "server", ctx.service.name, f"{ctx.service.name} stores secrets",
                       flag="credential_access", weight=ctx.service_weight)
        return
    rights = ctx.nouns & lex.objects["rights"]
    if rights and ctx.verb_effect not in (None, "read_only"):
        # Changing roles, policies or permissions changes who may do what: the rubric's credential access.
        yield Evidence("FLG205", "name", ctx.tool.name, f"changes {sorted(rights)[0]}s: who may do what",
                       flag="credential_access")
        return
    words = set(ctx.words) | {f"{a}_{b}" for a, b in zip(ctx.words, ctx.words[1:])}
    objects = words & lex.objects["credential"]
    strong = objects - lex.objects["access"]
    if objects & {"key", "keys"} and not lex.objects["secret_key_context"] & ctx.word_set:
        objects -= {"key", "keys"}
    if strong:
        yield Evidence("FLG205", "name", ctx.tool.name, f"handles {sorted(strong)[0]}", flag="credential_access")
        return
    if objects:
        yield Evidence("FLG205", "name", ctx.tool.name, f"handles {sorted(objects)[0]}", flag="credential_access",
                       weight=0.5)
    for m in lex.phrases["credential_access"][0].finditer(ctx.description):
        if _CREDENTIAL_VERB.search(ctx.description[: m.start()][-80:]):
            yield Evidence("FLG205", "description", excerpt(ctx.description, m.start(), m.end()),
                           "returns or changes a credential", flag="credential_access")
            return


# What a description says a tool does to the credential it names ("returns the connection string",
# "includes a DSN", "removes access keys"), as opposed to merely needing one.
_CREDENTIAL_VERB = re.compile(
    r"\b(returns?|reveals?|shows?|prints?|lists?|creates?|generates?|rotates?|issues?|reads?|includ(es?|ing)|"
    r"retrieves?|fetch(es)?|exposes?|contains?|analy[sz]es?|authenticates?|removes?|deletes?|revokes?|"
    r"manages?|stores?|saves?)\b", re.IGNORECASE)
