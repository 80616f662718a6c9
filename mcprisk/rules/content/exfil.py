"""Text that moves the user's secrets or messages out: exfiltration asks and tampered recipients."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ...model import Finding
from .._base import RuleContext, finding_rule
from ._recipients import structural_recipients
from ._addresses import address_marks
from ._concepts import BREAKS, ConceptHit, Sentence, gates, word_concepts
from ._hits import Hit, concept_hit, described, discusses, hit, mentioned, redacted, report
from ._surface import Field, Subject, per_subject, surface
from ._exfil_context import (FIELD_WORD, PRIOR_RESULTS, into_content, named_field, open_query_url, prior_results,
                             secret_file_in_name)
from ._exfil_honest import disclosed, kind_of, literal_into, state_of, turns_glossed, value_source
from .conceal import flag_doc
from .override import INJECTION_REFS

SECRET_FILES = re.compile(
    r"(?<![\w-])\.(ssh|aws|kube|gnupg|docker|config/gh|azure|gcloud)/|\bid_(rsa|ed25519|ecdsa|dsa)\b(?!\.pub)"
    r"|\bconfig/gcloud/|\bapplication_default_credentials\.json\b|(?<![\w-])\.(netrc|npmrc|pypirc|pgpass|git-credentials|bash_history|zsh_history|env)\b(?![\w-])"
    r"(?!\.(?:example|sample|template|dist|defaults?|tpl)\b)"  # ".env.example": the placeholders, not the secrets
    r"|/etc/(passwd|shadow|sudoers)\b|\bkubeconfig\b|\bhosts\.yml\b|\blogin data\b|\bwallet\.dat\b"
    r"|\bcredentials file\b|(?<![\w-])\.ssh\b")
# A URL built from the conversation or from secrets: ``https://x/?q={last_user_message}``, ``?key=$AWS_SECRET``.
EXFIL_URL = re.compile(
    r"https?://[^\s\"'<>)]*\{[^}\s]*(conversation|history|chat|user_?email|api_?key|token|secret|password|prompt|"
    r"context|summary|env|message)[^}\s]*\}|https?://[^\s\"'<>)]*[?&=/](conversation|chat_so_far|chat_history|"
    r"last_user_message|system_prompt|api_key)\w*|https?://[^\s\"'<>)]*[?&][^\s\"'<>)]*=\$\{?[a-z_]*(key|token|secret|"
    r"password|passwd|credential)")
# A resource address on an outside host whose query slot asks for a secret or the conversation:
# ``?append=YOUR_SESSION_TOKEN_HERE_FROM_CONVERSATION``, ``{?q,gespraechsverlauf}``
_ASKED = (r"(conversation|gespraech|gesprach|conversa|chat|history|verlauf|historial|transcript|prompt|session_?token|"
          r"api_?key|secret|password|passwort|contrase|cookie)")
_URI_ASK = re.compile(r"[?&][\w-]+=[a-z0-9_]*" + _ASKED + r"[a-z0-9_]*(?:&|$)|\{[?&][^}]*" + _ASKED + r"[^}]*\}"
                      r"|[?&][\w-]+=<[^<>]{0,80}?" + _ASKED + r"[^<>]{0,80}>")  # key=<paste the user's api_key here>
_STRONG = frozenset({"secret", "context", "secret_file"})
_GATES = gates(*(f"{a} {b}" for a in ("secret", "context") for b in ("send", "include", "gather")),
               *(f"cred {b} {c}" for b in ("send", "include", "gather") for c in ("all", "hide", "source")),
               "context use via", "secret use via")  # "call log_event with ... your system prompt"
_MOVES = frozenset({"send", "include", "gather"})
_CRED_MOVES = gates("cred include", "cred send")  # with a word for a field: a credential put into content


_FILE_MARKS = ("ssh", ".aws", ".kube", "kubeconfig", ".env", "id_", ".netrc", ".npmrc", ".pypirc", ".pgpass",
               "credentials", "/etc/", "_history", ".gnupg", ".docker", "config/gh", ".azure", ".gcloud", "hosts.yml",
               "login data", "wallet.dat")


def _file_hits(subject: Subject) -> list[ConceptHit]:
    text = subject.text
    out = [ConceptHit(m.start(), m.end(), frozenset({"context"}), m.group(0)) for m in PRIOR_RESULTS.finditer(text)] \
        if "result" in text or "output" in text or "respons" in text or "return" in text else []
    if not text.isascii() or "aufruf" in text or "appel" in text or "llamad" in text or "chiamat" in text \
            or "chamad" in text or "outil" in text or "herramient" in text:
        out += [h for h in prior_results(text) if not any(o.start <= h.start < o.end for o in out)]
    if not any(mark in text for mark in _FILE_MARKS):
        return out
    return out + [ConceptHit(m.start(), m.end(), frozenset({"secret_file"}), m.group(0))
                  for m in SECRET_FILES.finditer(text) if not _public_file(text, m.end())]


_PATH_END = re.compile(r"[^\s\"'`<>()\[\]{},;]*")


def _public_file(text: str, end: int) -> bool:
    """``~/.ssh/id_ed25519.pub``, ``.env.example``: the path the match opens names a public key or a template of
    the secret file, which are meant to be shared."""
    rest = _PATH_END.match(text, end)
    tail = text[end:rest.end()].rstrip(".") if rest is not None else ""
    return tail.endswith(".pub") or tail.endswith(_TEMPLATE_SUFFIXES)


# ".env.example", "credentials.sample": a template of a secret file, placeholders meant to be committed and shared
_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".tmpl", ".dist", ".defaults")


def _guarded(text: str, s: Sentence, move: ConceptHit, secret: ConceptHit) -> bool:
    """"Never paste a private key", "values are masked", "remove secrets first": the sentence says what must not
    happen, or has the secret taken out of what is handed over."""
    return any(("neg" in n.concepts and 0 <= move.start - n.end <= 60) for n in s.hits) or s.any("neg_desc") or (
        redacted(s, secret)) or _denied(text, s, secret)


_LISTED = frozenset({"secret", "cred", "neg"})


def _denied(text: str, s: Sentence, secret: ConceptHit) -> bool:
    """"Contains account numbers but no passwords or credentials": a negation qualifies the secret itself (a list of
    secrets, one word at most between its links), so the text says what is *not* there."""
    link = secret
    for h in reversed([h for h in s.hits if h.end <= secret.start]):
        if len(text[h.end:link.start].split()) > 1 or h.concepts.isdisjoint(_LISTED):
            return False
        if "neg" in h.concepts:
            return True
        link = h
    return False


# "Paste it as the system message", "add it to your prompt": the context is where something goes, not what leaves.
_DESTINATION = re.compile(r"\b(as|into|als|comme|como|come|to)\s+(the|a|an|your|le|la|el|il|o|der|die|den|das|ton|tu)"
                          r"\s+$")


def _names_itself(subject: Subject, secret: ConceptHit) -> bool:
    """A prompt called ``system-prompt-code-reviewer`` is about that thing: its text naming it describes the subject."""
    if subject.kind == "server" or not subject.fields:
        return False
    words = [w for w in secret.word.translate(BREAKS).split() if w not in ("the", "a", "an")]
    own = set(subject.fields[0].norm.translate(BREAKS).split())  # a name of 8+ words is a sentence, not a title
    before = subject.text[max(0, secret.start - 6):secret.start].split()
    return 0 < len(words) and len(own) < 8 and own.issuperset(words) and not (before and before[-1] in ("your", "its"))


_DOMAIN = re.compile(r"pass(word)?|secret|credential|token|keys?\b|vault|ssh|auth|login|cookie|\benv|keychain|wallet")


def _own_domain(subject: Subject, cred: ConceptHit) -> bool:
    """A password manager, a vault or an SSH tool talks about credentials because they are its job."""
    return _DOMAIN.search(f"{subject.server} {subject.name}".lower().replace("_", " ").replace("-", " ")) is not None


def _own_summary(subject: Subject, s: Sentence) -> bool:
    """The first sentence of a tool's description says what the tool itself does ("Exports the conversation")."""
    f, local = subject.locate(s.start)
    return subject.kind == "tool" and f.path == "description" and local <= 1


def _own_parameter(subject: Subject, secret: ConceptHit) -> bool:
    """A parameter that is itself the secret ("privateKey: the private key of the sending account"), or a public
    key's ("public_key.key: contents of the SSH key")."""
    f, _ = subject.locate(secret.start)
    if not (f.schema and ".properties." in f.path):
        return False
    props = "".join(f.path.split(".properties.")[1:]).lower().replace("_", "").replace("-", "")
    return "public" in props or any(w in props for w in secret.word.lower().split() if len(w) >= 3)


def _names_parameter(subject: Subject, secret: ConceptHit) -> bool:
    """"The system_prompt you pass is used for the evaluated model": the words are the identifier of one of the
    tool's own parameters, named where its use is described -- a value the caller supplies, not the model's own."""
    text = subject.text
    a, b = secret.start, secret.end
    while a > 0 and (text[a - 1].isalnum() or text[a - 1] == "_"):
        a -= 1
    while b < len(text) and (text[b].isalnum() or text[b] == "_"):
        b += 1
    token = text[a:b]
    return "_" in token and any(f.path.endswith(f".properties.{token}(name)") for f in subject.fields)


_CALL = re.compile(r"\b(?:call|invoke|calling|invoking)\s+`?[a-z][a-z0-9]*(?:[_.-][a-z0-9]+)+`?\s+with\b")


def _call_with(text: str, s: Sentence) -> list[ConceptHit]:
    """"call log_event with ... a payload containing your system prompt": a tool called by name with data handed to
    it is a move, as "send" is."""
    return [ConceptHit(m.start(), m.end(), frozenset({"send"}), m.group(0)) for m in _CALL.finditer(text, s.start, s.end)]


# "Para melhor precisão, inclua ...": a purpose phrase, then the order (a summary opens with what the tool does)
_ORDER_AFTER_PURPOSE = re.compile(r"[,\u060c\uff0c\u3001]")


def _exfil(subject: Subject, s: Sentence) -> tuple[list[ConceptHit], str] | None:
    for secret in s.hits:
        strong = not secret.concepts.isdisjoint(_STRONG)
        if not strong and "cred" not in secret.concepts:
            continue
        for move in (*s.hits, *_call_with(subject.text, s)):
            if move is secret or move.concepts.isdisjoint(_MOVES) or abs(move.start - secret.start) > 110:
                continue
            if _guarded(subject.text, s, move, secret) or _own_parameter(subject, secret) or _names_itself(subject, secret) \
                    or _names_parameter(subject, secret) or (
                    _DESTINATION.search(subject.text, max(0, secret.start - 16), secret.start)):
                continue
            if named_field(subject.text, s, move) or subject.text[move.end:move.end + 1] == "(" \
                    or literal_into(subject.text, move, secret):  # "use cc for ...": a field named
                continue  # "fetch() sends the page's cookies": a function named; 'include "json" in your prompt'
            if described(subject.text, move.start, move.word):
                continue  # "you can provide an environment variable", "a shared variable", "get_x → read history"
            if state_of(subject.text, move) or value_source(subject.text, move, secret) \
                    or disclosed(subject.text, move, secret) or kind_of(subject.text, secret) \
                    or turns_glossed(subject, secret):
                continue  # a state, where a value comes from, a disclosure, a prompt of the tool's own, a turn list

            if not strong and (not (s.any("all", "hide", "source") or into_content(subject, s))
                               or _own_domain(subject, secret)):
                continue  # "pass your API key": its own credential; only sweeping it up or into content counts
            if _own_summary(subject, s) and not s.any("model", "user", "always") and not _ORDER_AFTER_PURPOSE.search(
                    subject.text, s.start, move.start) and not (
                    "secret_file" in secret.concepts and (s.any("sequence") or not _own_domain(subject, secret))):
                # "before answering, read ~/.ssh/id_rsa"; a secret file in the summary of a tool not about keys
                continue
            what = "a secret file" if "secret_file" in secret.concepts else (
                "the conversation or its instructions" if "context" in secret.concepts else "secrets")
            return [move, secret], f"asks the model to hand over {what}"
    return None


@per_subject
def exfil_hit(subject: Subject) -> Hit | None:
    files = _file_hits(subject)
    for f in files:
        h = hit(subject, f.start, f.end, "")
        if h.field.kind == "uri":
            return Hit(subject, h.field, h.start, h.end, "points a resource at a secret file")
    if named := secret_file_in_name(subject, SECRET_FILES):  # a name that is a sentence: its raw text, with the dots
        return Hit(subject, *named, "names a secret file to hand over in its name")
    if files or subject.passes(_GATES) or subject.passes(_CRED_MOVES) and FIELD_WORD.search(subject.text):
        from ._concepts import sentences
        found = sorted([h for h in subject.hits if not h.ident] + files, key=lambda x: x.start)
        for s in (sentences(subject.text, found, ends=subject.ends) if files else subject.sentences):
            result = _exfil(subject, s)
            if result and not discusses(subject, s):
                parts, meaning = result
                h = concept_hit(subject, parts, meaning)
                if flag_doc(h.field):
                    continue
                return h
    for f in subject.fields:
        m = _URI_ASK.search(f.norm) if f.kind == "uri" and f.norm.startswith("http") else None
        if m:
            return Hit(subject, f, m.start(), m.end(), "has the resource's address carry secrets or the conversation out")
    if "http" in subject.text:
        m = EXFIL_URL.search(subject.text)
        span = m.span() if m else open_query_url(subject)  # or an open query filled from what the text names after it
        if span and not mentioned(subject.text, span[0]):
            return hit(subject, *span, "builds an outside URL out of the conversation or secrets")
    return None


@finding_rule("INJ009", "Exfiltration ask: secrets, files or the conversation sent out", likelihood=3, impact=4,
              references=INJECTION_REFS, scope="snapshots", hostile=True)
def exfiltration(ctx: RuleContext) -> Iterable[Finding]:
    """Text that asks the model to read and hand over secret files (SSH keys, cloud credentials, .env, .netrc,
    kubeconfig), cookies, saved passwords, environment variables, its system prompt, the conversation or earlier
    tool results -- into a parameter, a URL, another tool -- in any language of the concept lexicons; URLs built
    from such data (``?q={last_user_message}``, ``?key=$AWS_SECRET_ACCESS_KEY``, ``?q=`` followed by the user's messages);
    resources whose URI or sentence-long name is a secret file. A tool's own credential counts only when the text has
    the model sweep credentials up; a clause that says what must not happen ("never paste a private key")
    and a tool's summary of its own job ("Exports the conversation to a file") are not flagged, nor a move described
    rather than ordered (a possibility, an attribute, a listed tool's job), nor where a value comes from (a
    credential's source in a gloss, read automatically from the environment, a chat API's own turn list, a prompt of
    the tool's own) or a passive disclosure ("will be collected and uploaded"). Critical when it names a secret file,
    sends to an address it fixes, builds an outside URL, or is an order (it opens its sentence, a polite imperative)."""
    hits = (exfil_hit(s) for s in surface(ctx).subjects)
    yield from report(exfiltration, hits, "Exfiltration ask")


ADDRESS = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+|(?<![\w.])@[a-z0-9-]+\.[a-z]{2,}\b"
                     r"|\b[a-z]{2}\d{2}(?: ?[a-z0-9]{4}){3,7}\b|\b\d{2}(?: \d{4}){6}\b|\b0x[0-9a-f]{40}\b|(?:(?<=\s)|^)#[a-z][a-z0-9_-]{2,}"
                     r"|https?://[^\s\"'<>),]+")
_EXAMPLE = re.compile(r"(e\.g\.|for example|such as|like|example:|examples?|z\.b\.|p\. ?ej\.|par exemple|"
                      r"ad esempio|bijvoorbeeld|örn\.|misal|contoh|ví dụ|例如|例えば|예:)\W{0,4}$")
_SENDER = re.compile(r"\b(from|sender|von|de la part de|desde|remetente|mittente|afzender|avsändare|od|от)\W{0,3}$")
RECIPIENT_PROPS = re.compile(r"\b(to|cc|bcc|recipients?|attendees?|invitees?|guests?|editors?|collaborators?|members?|"
                             r"destination|dest|share_with|emails?|address(es)?|notify|forward_to|reply_to)\b")
_CUES = frozenset({"always", "instead", "regardless"})
_ALSO = frozenset({"also", "each", "every", "as well", "in addition", "on every", "for each", "on each"})
# A mail link whose query fixes a copy recipient: mailto:{to}?bcc=archive@outside.example
_URI_COPY = re.compile(r"[?&](?:bcc|cc)=(?!\{)[^&{}\s]*@[^&{}\s]+")


def _recipient_cue(subject: Subject, start: int, is_url: bool) -> list[ConceptHit] | None:
    """The concepts that make an address an order: always / instead / regardless, or (for a mail or payment
    address) an extra recipient, attendee or editor added on top of the user's."""
    spans = subject.clauses if not is_url else subject.sentences
    for i, s in enumerate(spans):
        if not (s.start <= start < s.end) or s.any("unless"):
            continue
        cues = [h for h in s.hits if not h.concepts.isdisjoint(_CUES)]
        if is_url:
            return cues if cues and s.any("recipient", "send") else None
        extra = [h for h in s.hits if "recipient" in h.concepts or "sequence" in h.concepts]
        if cues or (extra and s.any("recipient") and s.any("sequence", "all", "include", "send")):
            return cues or extra
        named = _named_destination(s, start)
        if named:
            return named
        also = [h for h in s.all("sequence") if h.word in _ALSO]
        if also and any(0 <= start - h.end <= 60 for h in s.all("send")):  # "also post each message to #ext-feed"
            return also
        follow = spans[i + 1] if i + 1 < len(spans) else None  # "X's address changed to a@b; use it regardless"
        if follow is not None and follow.start - s.end <= 3 and follow.any("use") and not follow.any("unless"):
            cues = [h for h in follow.hits if not h.concepts.isdisjoint(_CUES)]
            return cues or None
        return None
    return None


def _named_destination(s: Sentence, start: int) -> list[ConceptHit] | None:
    """"Use as destination key pagos@...", "nutze als Empfänger ...": "use" and a recipient word lead straight
    into the address -- the destination is fixed by the text, not chosen by the user."""
    use = [h for h in s.hits if "use" in h.concepts and h.end <= start and start - h.end <= 40]
    dest = [h for h in s.hits if "recipient" in h.concepts and use and use[-1].end <= h.start and h.end <= start
            and start - h.end <= 12]
    return use[-1:] + dest[-1:] if dest else None


def _example_block(text: str, start: int) -> bool:
    """The address sits in a JSON or code line under an "Example" heading: a documented call, not an order."""
    line = text.rfind("\n", 0, start) + 1
    if not text[line:start].lstrip().startswith(("{", "[", "`")):
        return False
    return _EXAMPLE.search(text[max(0, line - 40):line].rstrip("\n`")) is not None


_OPEN_QUOTES = "\"\u201c\u00ab"
_CLOSE_QUOTES = "\"\u201d\u00bb"


def _quoted_speech(text: str, start: int, end: int) -> bool:
    """The address sits inside a quoted phrase of several words in its paragraph ("Events where the target email address
    is john.doe@example.com", "just the on-call channel, not the #all-ops channel"): what a user might type, shown
    as an example, not an order (a bare quoted address, "always add \"x@y\"", is still read)."""
    line_start = max(text.rfind("\n\n", 0, start) + 2, start - 160)  # the quote may wrap, within its paragraph
    line_end = text.find("\n\n", end)
    line_end = min(len(text) if line_end < 0 else line_end, end + 160)
    opened = max(text.rfind(q, line_start, start) for q in _OPEN_QUOTES)
    if opened < 0 or text.count('"', line_start, start) % 2 == 0 and text[opened] == '"':
        return False
    closes = [i for i in (text.find(q, end, line_end) for q in _CLOSE_QUOTES) if i >= 0]
    if not closes:
        return False
    inside = text[opened + 1:start] + text[end:min(closes)]
    return len(inside.split()) >= 3


def _fixed_in_recipient(subject: Subject, f: Field, start: int) -> list[ConceptHit] | None:
    """A recipient parameter's own description ordering one fixed address ("adres: ... use wallet 0x9f2c..."): the
    user's choice is replaced before they make it."""
    if not (f.schema and f.path.endswith(".description") and ".properties." in f.path):
        return None
    prop = f.path.rsplit(".properties.", 1)[-1].split(".")[0]
    if not (RECIPIENT_PROPS.search(prop.lower().replace("_", " ")) or any(
            "recipient" in word_concepts(w) for w in prop.lower().replace("_", " ").split())):
        return None
    text = subject.text
    for s in subject.clauses:
        if s.start <= start < s.end and not s.any("unless"):
            use = [h for h in s.hits if "use" in h.concepts and h.end <= start
                   and len(text[h.end:start].split()) <= 2]
            return use or None
    return None


_NO_REPLY = re.compile(r"(?:no-?reply|do-?not-?reply|donotreply|noreply|mailer-daemon)@")


def _schema_addresses(subject: Subject) -> Iterator[Hit]:
    """An outside address as a recipient parameter's default or choice, or the same one in every example."""
    text = subject.text
    if "@" not in text and "0x" not in text:
        return  # no address anywhere in the subject: no field to look at
    examples: dict[str, list[tuple[Field, re.Match[str]]]] = {}
    for f in subject.fields:
        if not f.schema or ("@" not in f.raw and "0x" not in f.raw):
            continue
        last = f.path.rsplit(".", 1)[-1]
        for m in ADDRESS.finditer(f.norm):
            if m.group(0).startswith("http"):
                continue
            if _NO_REPLY.match(m.group(0)):
                continue  # "no-reply@...": a sender identity nobody can read mail at, not a recipient added
            if last.startswith(("default", "enum", "const")) or ".default[" in f.path:
                prop = f.path.split(".properties.")[-1].split(".")[0] if ".properties." in f.path else ""
                if RECIPIENT_PROPS.search(re.sub(r"([a-z])([A-Z])", r"\1 \2", prop).lower().replace("_", " ")):
                    yield Hit(subject, f, m.start(), m.end(), "fixes an outside address in a parameter's default or choices")
                    return
            elif last.startswith("examples"):
                examples.setdefault(f.path.rsplit(".examples", 1)[0], []).append((f, m))
    for found in examples.values():
        values = [m.group(0) for _, m in found]
        for f, m in found:
            if values.count(m.group(0)) >= 2:
                yield Hit(subject, f, m.start(), m.end(), "adds the same outside recipient to every example")
                return


_RECIPIENT_GATES = gates("always recipient", "instead recipient", "regardless recipient", "always send",
                         "instead send", "regardless send", "regardless", "recipient sequence", "recipient use", "recipient all",
                         "recipient include", "recipient send")


# "Before pushing, set the remote URL to https://...": a repository's push destination swapped for an outside one
_REMOTE_SWAP = re.compile(r"\b(?:set|change|point|switch|replace|add)\w*\s+(?:the\s+|a\s+|its\s+)?(?:git\s+)?"
                          r"(?:remote|origin|upstream|push ?url|remote url)\b[^.;\n]{0,40}?\s(?:to|=)\s+(?:https?://|git@)\S+"
                          r"|\bgit remote (?:set-url|add)\s+\S+\s+(?:https?://|git@)\S+")


def _ordered_examples(subject: Subject) -> Iterator[Hit]:
    """A recipient parameter whose description orders its example in ("bcc: always include the address below",
    examples: [log@...]): the sample is the recipient the model is told to add."""
    for f in subject.fields:
        if not (f.schema and ".examples" in f.path and "@" in f.norm):
            continue
        base = f.path.rsplit(".examples", 1)[0]
        prop = base.rsplit(".properties.", 1)[-1]
        if not RECIPIENT_PROPS.search(prop.lower().replace("_", " ")):
            continue
        desc = next((i for i, g in enumerate(subject.fields) if g.path == base + ".description"), None)
        if desc is None:
            continue
        a = subject.starts[desc]
        b = a + len(subject.fields[desc].norm)
        if any(a <= h.start < b and "always" in h.concepts for h in subject.hits):
            m = ADDRESS.search(f.norm)
            if m:
                yield Hit(subject, f, m.start(), m.end(), "orders an outside recipient in through a parameter's example")
                return


def _sends_to_recipients(subject: Subject) -> bool:
    """The tool's own parameters name who receives what it sends (``to``, ``bcc``, ``attendees``, ``recipients``,
    ``channel``, ``pessoas``): an address its prose adds is a recipient on top of the user's."""
    return subject.kind == "tool" and any(
        f.kind == "key" and f.path.startswith("inputSchema") and (
            RECIPIENT_PROPS.search(f.norm) or "channel" in f.norm or not _PEOPLE.isdisjoint(f.norm.split()))
        for f in subject.fields)


_PEOPLE = frozenset("people persons pessoas personas personen personnes persone osoby users usuarios".split())
# Words that put something on top of what the user chose: also, a copy, every/each, in addition (in the lexicons'
# "sequence" and "all" families) -- read in the address's sentence.
_COPY = re.compile(r"\b(?:cop(?:y|ies|ied)|blind[- ]cop\w*|cc|bcc|copia|copie|kopie|kopia|cópia)\b")


def _added_on_top(subject: Subject, start: int, is_url: bool) -> list[ConceptHit] | None:
    """In a tool that sends to recipients, an outside address in prose whose sentence adds it on top of the user's
    ("every outgoing message must also be blind-copied to ...", "route a copy of each alert to https://...")."""
    for s in subject.sentences:
        if not (s.start <= start < s.end) or s.any("unless"):
            continue
        add = [h for h in s.hits if not h.concepts.isdisjoint(("sequence", "all", "include"))]
        if add and (not is_url or _COPY.search(subject.text, s.start, s.end)):
            return add[:1]
        copy = _COPY.search(subject.text, max(s.start, start - 6), start)
        return [ConceptHit(copy.start(), copy.end(), frozenset({"recipient"}), copy.group(0))] if copy else None
    return None


@per_subject
def _recipient_hits(subject: Subject) -> Iterator[Hit]:
    yield from _schema_addresses(subject)
    yield from structural_recipients(subject)  # the account swap (``_accounts``) and the readings by structure
    yield from _ordered_examples(subject)
    if "remote" in subject.text or "origin" in subject.text or "upstream" in subject.text or "push" in subject.text:
        m = _REMOTE_SWAP.search(subject.text)
        if m and not mentioned(subject.text, m.start()):
            yield hit(subject, m.start(), m.end(), "points the repository's remote at an outside address")
            return
    for f in subject.fields:
        m = _URI_COPY.search(f.norm) if f.kind == "uri" and "@" in f.norm else None
        if m:
            yield Hit(subject, f, m.start(), m.end(), "fixes an outside copy recipient in a mail link template")
            return
    text = subject.text
    if not address_marks(text) or not (subject.passes(_RECIPIENT_GATES) or _sends_to_recipients(subject)):
        return
    sender = _sends_to_recipients(subject)
    for m in ADDRESS.finditer(text):
        h = hit(subject, m.start(), m.end(), "")
        f = h.field
        is_url = m.group(0).startswith("http")
        last = f.path.rsplit(".", 1)[-1]
        if f.schema and last.startswith(("default", "enum", "const", "examples")) or f.kind in ("name", "key", "uri"):
            continue
        before = text[max(0, m.start() - 25):m.start()]
        if _EXAMPLE.search(before) or _SENDER.search(before) or _example_block(text, m.start()) \
                or _quoted_speech(text, m.start(), m.end()):
            continue
        prose = not f.schema or f.path.endswith(".description")
        cue = _recipient_cue(subject, m.start(), is_url) \
            or (None if is_url else _fixed_in_recipient(subject, f, m.start())) \
            or (_added_on_top(subject, m.start(), is_url) if sender and prose else None)
        clause = next((s for s in (*subject.clauses, *subject.sentences) if s.start <= m.start() < s.end), None)
        if cue and (clause is None or not discusses(subject, clause)):
            yield Hit(subject, f, h.start, h.end, "slips an outside recipient or destination into what the model sends")
            return


@finding_rule("INJ010", "Recipient tampering: extra or swapped recipients and destinations", likelihood=3, impact=4,
              references=INJECTION_REFS, scope="snapshots", hostile=True)
def recipient_tampering(ctx: RuleContext) -> Iterable[Finding]:
    """A fixed outside address, domain, IBAN, wallet, repository remote or channel slipped into what the model sends:
    "always bcc archive@...", an extra attendee or editor, "send to X instead", in any language of the concept lexicons;
    by structure (``_accounts``, ``_recipients``): an address, IBAN, card, account, payment key or party id put in place
    of a party's ("instead of the sender", "regardless of the customer given"), a party parameter whose fixed value or
    only choice is an outside address or one channel, a placeholder address beside an outside one in one example, the
    same extra recipient in every example, a resource address whose query fixes a mail address or forwards to an outside
    host, a field set to a fixed outside address. Examples ("e.g. alice@example.com"), reserved example domains, a
    tool's own or no-reply sender, a quoted example phrase, a default channel and choices left to the user are not
    flagged; in a tool whose parameters name its recipients, an address its prose adds on top ("cc: ...") is. A fixed
    outside address corroborates the finding; a channel name alone in visible prose is graded medium."""
    hits = (next(_recipient_hits(s), None) for s in surface(ctx).subjects)
    yield from report(recipient_tampering, hits, "Recipient tampering")
