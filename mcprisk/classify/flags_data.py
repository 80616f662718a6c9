"""Flag rules about what a tool reads: private data, third parties' text, credentials."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import Evidence
from ._rule import rule
from .context import ToolContext, noise_words
from .params import excerpt
from .lexicon import lexicon

__all__ = ["flag_credentials", "flag_private", "flag_untrusted"]


@rule("FLG201", "Reads private data")
def flag_private(ctx: ToolContext) -> Iterable[Evidence]:
    """A tool that reads, exports, changes, moves or deletes the operator's existing records (a database,
    a mailbox, a CRM, a repository, an account's settings) touches data that is not public: a read returns
    it, and a change or a deletion acts on it (and usually returns it). One that takes a local file to
    attach, upload or transcribe reads the user's files. Making something new from the arguments alone
    (posting a message, opening an issue), moving a browser session or a machine's power, computing from
    the arguments, and reading public reference data (the weather, a flight, a public ledger, the web)
    touch nothing private."""
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
    public = _public_reading(ctx)
    if public:
        return
    reads = ctx.reads or ctx.verb in groups["exporting"]
    verb = ctx.verb if ctx.verb is not None else next(iter(ctx.lead_verbs), None)
    effect = ctx.verb_effect if ctx.verb is not None else lex.verbs.get(verb or "")
    existing = verb is not None and effect not in (None, "read_only") and not ctx.live_page \
        and verb not in groups["no_record"] and (verb not in groups["creating_only"] or _into_a_file(ctx))
    if not reads and not existing:
        return
    objects = sorted(ctx.nouns & lex.objects["private"])
    doing = "reads" if reads else "changes existing"
    if ctx.service is not None and ctx.service.private:
        yield Evidence("FLG201", "server", ctx.service.name, f"{doing} records of {ctx.service.name}, a private system",
                       flag="private_data", weight=ctx.service_weight)
        if ctx.service_strong:
            return
    if objects or ctx.service is None:
        what = f"{objects[0]} records" if objects else "the operator's records"
        yield Evidence("FLG201", "name", ctx.tool.name, f"{doing} {what}", flag="private_data",
                       weight=1.0 if objects or ctx.verb_firm else 0.5)
        return
    for pattern in lex.phrases["private_data"] if lex.may_say("private_data", ctx.description) else ():
        m = pattern.search(ctx.description)
        if m:
            yield Evidence("FLG201", "description", excerpt(ctx.description, m.start(), m.end()),
                           "returns non-public data", flag="private_data", weight=0.5)
            break


_RETURNS_PAGE = re.compile(r"\b(returns?|includes?|with) (an? |the )?(updated |new |accessibility )?(page )?"
                           r"(snapshot|page content|page text|html|dom)\b", re.IGNORECASE)
_PUBLIC_LISTING = re.compile(r"\b(public|community|third[- ]party|open[- ]source) (\w+ )?(registry|registries|hub|"
                             r"marketplaces?|catalog(ue)?s?|repositor(y|ies)|packages?|listings?|profiles?|templates?|"
                             r"plugins?|extensions?|reviews?)\b", re.IGNORECASE)
_WEB_SEARCH = re.compile(r"\b(the (web|internet)|web[- ]search|search engines?|online sources)\b", re.IGNORECASE)


def _into_a_file(ctx: ToolContext) -> bool:
    """Something new is added inside a file the caller names by path (a paragraph into a document, a cell into
    a notebook): the call opens and rewrites the operator's existing file."""
    lex = lexicon()
    made = ctx.nouns - {ctx.verb}
    return bool(ctx.has_param("path")) and not made & lex.objects["containers"]


def _public_reading(ctx: ToolContext) -> bool:
    """What the tool touches is public or computed from its arguments: a service that holds nothing private,
    a caller-chosen web address, reference material or public data, or a computation with nothing to look up."""
    lex = lexicon()
    if ctx.service is not None and not ctx.service.private and ctx.service_strong:
        return True
    private_objects = ctx.nouns & lex.objects["private"]
    if ctx.destination_urls and not private_objects:
        return True  # fetching a caller-chosen address returns what is published there
    owned = ctx.service is not None and ctx.service.private and ctx.service_strong
    if ctx.word_set & lex.objects["public"] or (ctx.nouns & lex.objects["public_data"] and not owned):
        return True
    if ctx.reads and _WEB_SEARCH.search(ctx.opening) and not private_objects:
        return True  # a search of the web returns what anyone can find
    if ctx.live_page:
        return not private_objects - (lex.live_page["words"] | lex.live_page["names"])
    computing = ctx.verb in lex.verb_groups["computing"] or (ctx.verb is None and set(ctx.lead_verbs[:1])
                                                             & lex.verb_groups["computing"])
    return bool(computing) and not private_objects and not ctx.has_param("path")


@rule("FLG202", "Brings untrusted content into the context")
def flag_untrusted(ctx: ToolContext) -> Iterable[Evidence]:
    """Web pages, emails, messages, issues and comments are written by third parties: text an attacker
    can shape enters the model's context (a prompt-injection source). On a service where other people
    write (a tracker, a CRM, a shared drive), a read of its content in general ("search", "list_objects")
    returns their text; a read of named metadata ("list_workspaces") does not."""
    lex = lexicon()
    if ctx.live_page:
        # What a live page shows was written by the page's authors, whichever browser drives it: a tool that
        # loads or reads the page brings it in; a click or a key press returns a confirmation unless it says
        # it returns the page.
        acting = ctx.service is not None and ctx.service.acts_as_user
        loads = ctx.reads or ctx.verb in lex.verb_groups["read_for_flags"] or ctx.verb in lex.verb_groups["loading"]
        full = loads or _RETURNS_PAGE.search(ctx.description[:600])
        yield Evidence("FLG202", "server" if acting else "name", ctx.service.name if acting and ctx.service
                       else ctx.tool.name, "brings a live web page's content into the context" if full else
                       "acts on a live web page (its content comes back if the page is returned)",
                       flag="untrusted_content", weight=1.0 if full else 0.5)
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
    if objects and ctx.shared_workspace:
        # The server's tools name what colleagues write there (comments, pull requests, threads): a tracker or
        # a shared workspace, whose issues, tasks and pages other people wrote.
        yield Evidence("FLG202", "server", ctx.server, f"reads {sorted(objects)[0]} of a shared workspace, written by "
                       "others", flag="untrusted_content")
        return
    if objects and (ctx.service is None or ctx.service.untrusted):
        # Issues, tasks, events, files: written by others on some services, by the operator or a machine on others.
        yield Evidence("FLG202", "name", ctx.tool.name, f"reads {sorted(objects)[0]}, which others may have written",
                       flag="untrusted_content", weight=0.25)
    m = _PUBLIC_LISTING.search(ctx.lead)
    if m:
        # A public registry, marketplace or profile: what its entries say was written by whoever published them.
        yield Evidence("FLG202", "description", excerpt(ctx.lead, m.start(), m.end()),
                       "returns what third parties published in a public listing", flag="untrusted_content")
        return
    for pattern in lex.phrases["untrusted_content"] if lex.may_say("untrusted_content", ctx.description) else ():
        m = pattern.search(ctx.description)
        if m:
            yield Evidence("FLG202", "description", excerpt(ctx.description, m.start(), m.end()),
                           "returns third-party text", flag="untrusted_content", weight=0.5)
            return


@rule("FLG205", "Touches credentials")
def flag_credentials(ctx: ToolContext) -> Iterable[Evidence]:
    """Tools that read, create, rotate or reveal keys, tokens, passwords or secrets handle credentials,
    as does anything on a password or secret manager that touches its content rather than its folders,
    any change to roles, policies or permissions (who may do what), signing in or switching the connection or
    account later calls act through, and changing a system's users, members, delegates, collaborators or owners
    (who may get in)."""
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
    acting = _acting_as(ctx)
    if acting is not None:
        yield Evidence("FLG205", "name", ctx.tool.name, acting, flag="credential_access")
        return
    granted = _granted(ctx)
    if granted is not None:
        yield Evidence("FLG205", "schema", granted[0], granted[1], flag="credential_access")
        return
    words = set(ctx.words) | {f"{a}_{b}" for a, b in zip(ctx.words, ctx.words[1:])}
    objects = words & lex.objects["credential"]
    if objects & {"key", "keys"} and not lex.objects["secret_key_context"] & ctx.word_set:
        objects -= {"key", "keys"}
    if objects & {"token", "tokens"} and lex.objects["asset_token_context"] & ctx.nouns:
        objects -= {"token", "tokens"}  # an ERC-20 token is an asset, not a credential
    strong = objects - lex.objects["access"]
    if ctx.word_set & lex.objects["auth_flow"] and not ctx.reads and ctx.verb_effect != "read_only":
        strong |= ctx.word_set & lex.objects["auth_flow"]  # signs in, or changes how later calls sign in
    if strong:
        yield Evidence("FLG205", "name", ctx.tool.name, f"handles {sorted(strong)[0]}", flag="credential_access")
        return
    if objects:
        yield Evidence("FLG205", "name", ctx.tool.name, f"handles {sorted(objects)[0]}", flag="credential_access",
                       weight=0.5)
    elif ctx.nouns & {"variable"} and not (ctx.word_set | ctx.server_words) & lex.objects["not_config_variables"]:
        # An environment's, a pipeline's or a scheduler's variables are where API keys and tokens are kept.
        yield Evidence("FLG205", "name", ctx.tool.name, "handles configuration variables, where keys are kept",
                       flag="credential_access")
        return
    if ctx.verb_effect not in (None, "read_only"):
        m = _CHANGES_RIGHTS.search(ctx.lead)
        if m:
            yield Evidence("FLG205", "description", excerpt(ctx.lead, m.start(), m.end()),
                           "changes who may do what", flag="credential_access")
            return
    if not lex.may_say("credential_access", ctx.description):  # one case-sensitive search of the lowered text first
        return
    for m in lex.phrases["credential_access"][0].finditer(ctx.description):
        if _ARGUMENTS.search(ctx.description[: m.start()]):
            return  # what follows documents the parameters: a credential there is one the call is given
        if _acts_on_credential(ctx.description[: m.start()][-80:]):
            yield Evidence("FLG205", "description", excerpt(ctx.description, m.start(), m.end()),
                           "returns or changes a credential", flag="credential_access")
            return


def _acting_as(ctx: ToolContext) -> str | None:
    """Why a tool changes the identity the server acts with, or who may sign in: it signs in or connects (with
    the credentials it is given or holds), switches the connection, context or account later calls go through, or
    creates, changes or removes a user of the system (the name's last word: a user, not a user's phone number).
    A browser connecting to a page's debugger takes on no identity."""
    lex = lexicon()
    groups = lex.verb_groups
    if ctx.verb is None or ctx.verb_effect in (None, "read_only") or ctx.live_page:
        return None
    if ctx.verb in groups["signing_in"]:
        return f"{ctx.verb}: acts with the credentials it is given or holds"
    if ctx.verb in groups["switching"] and ctx.nouns & lex.objects["acting_as"]:
        return f"switches the {sorted(ctx.nouns & lex.objects['acting_as'])[0]} later calls act through"
    if ctx.words and ctx.words[-1] in lex.objects["identities"] and ctx.words[-1] != ctx.verb:
        return f"changes who may sign in ({ctx.words[-1]})"
    return None


def _granted(ctx: ToolContext) -> tuple[str, str] | None:
    """(parameter, why) when a change sets who may get in or what they may do: a password or SSH key given
    to a machine, a document or a connection being set up, or a permission or role given to someone.
    A password a read or a command only uses for one call sets nothing."""
    lex = lexicon()
    if ctx.reads or ctx.verb_effect in (None, "read_only") or ctx.has_code_signal:
        return None
    if ctx.verb in lex.verb_groups["exec"] or ctx.verb in lex.verb_groups["moving_value"]:
        return None
    for p in ctx.params:
        words = set(ctx.words_of(p))
        if words & {"password", "passphrase"} or ("ssh" in words and words & {"key", "keys"}):
            return p, "sets or switches a password or key that lets someone in"
    if ctx.nouns & lex.objects["containers"]:
        return None  # a file's permissions are its mode bits, not who may use the service
    for p in ctx.params:
        words = set(ctx.words_of(p))
        if words & lex.objects["rights"] - {"scope", "scopes"} and ctx.param_depth.get(p, 0) == 0 \
                and not words & _PRESENTED:  # an access token or key the call signs in with grants nothing
            return p, "gives a permission or a role: who may do what"
    return None


_PRESENTED = frozenset({"token", "tokens", "key", "keys", "secret", "jwt", "cookie"})


# A change whose description says it sets someone's permission or role ("Add a collaborator ... and set their
# permission level", "Assign a role to a user"): the rubric's change of roles or permissions.
_CHANGES_RIGHTS = re.compile(r"\b(grant|revoke|assign|set|change|update|modify|elevate|escalate)s?\b[^.;\n]{0,40}?"
                             r"\b(permissions?( levels?)?|roles?|access levels?|privileges?)\b", re.IGNORECASE)


# A description's parameter list ("Args:", "Parameters:") starts: below it each line documents an argument.
_ARGUMENTS = re.compile(r"(^|\n)\s*(args|arguments|parameters|params|inputs?)\s*:\s*(\n|$)", re.IGNORECASE)


# What a description says a tool does to the credential it names ("returns the connection string",
# "includes a DSN", "removes access keys"), as opposed to merely needing one.
_CREDENTIAL_VERB = re.compile(
    r"\b(returns?|reveals?|shows?|prints?|lists?|creates?|generates?|rotates?|issues?|reads?|includ(es?|ing)|"
    r"retrieves?|fetch(es)?|exposes?|contains?|analy[sz]es?|authenticates?|removes?|deletes?|revokes?|"
    r"manages?|stores?|saves?)\b", re.IGNORECASE)

# Between the verb and the credential: a sentence ends, a denial ("never exposes"), or a fresh random value
# ("generate a secure random password") — the credential is mentioned, not acted on.
_NOT_ACTED_ON = re.compile(r"\b(never|not|no|without|random)\b", re.IGNORECASE)


def _acts_on_credential(before: str) -> bool:
    """The words before a credential say the tool returns, creates or removes it, in the same sentence and
    without a denial: "returns the connection string", not "With Reddit credentials ..." after a full stop."""
    for m in _CREDENTIAL_VERB.finditer(before):
        after = before[m.start():]
        if ". " not in after and not _NOT_ACTED_ON.search(before[max(0, m.start() - 12):]) \
                and not _NEEDED.search(before[m.end():]):
            return True
    return False


# Between the verb and the credential: what the call needs, not what it acts on ("Lists feedback. Requires the
# feedback:read scope on the access token", "reads files using the API key").
_NEEDED = re.compile(r"\b(requir\w*|needs?|using|uses|via|with|scopes?|authenticated|authorized)\b|:[a-z]", re.IGNORECASE)
