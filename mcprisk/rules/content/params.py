"""Attacks written into the input schema itself: orders as property names, poisoned defaults and choices."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from ...model import Finding
from .._base import RuleContext, finding_rule
from ._concepts import glued_script, present
from ._hits import Hit, report
from ._surface import Field, Subject, per_subject, surface
from ._concepts import BREAKS as _BREAKS
from .conceal import flag_doc
from .exfil import ADDRESS, RECIPIENT_PROPS, SECRET_FILES
from .override import INJECTION_REFS

SECRET_TEMPLATE = re.compile(r"(\{\{\s*|\$\{\{?\s*|\$|%)(env\.|secrets\.|process\.env\.)?[a-z0-9_.]*(key|token|secret|"
                             r"password|passwd|credential|auth|cookie|session|conversation|history|chat|messages|"
                             r"system_?prompt|user\.email|memory|clipboard)[a-z0-9_.]*(\s*\}\}|\s*\}|%)?")
# A shell or template reference to a secret in the environment: $AWS_SECRET_ACCESS_KEY, ${GITHUB_TOKEN}.
ENV_SECRET = re.compile(r"\$\{?[a-z][a-z0-9_]*(key|token|secret|password|passwd|credential)[a-z0-9_]*\}?")
_ORDER = frozenset({"include", "send", "ignore", "always", "gather", "obey", "hide"})
_WANTED = frozenset({"context", "secret", "cred", "pii", "instructions", "user"})
_FILL = re.compile(r"\b(fill|put|paste|insert|enter|use|set|copy|value of|contents of|pass|send|include)\b")
_VAR = re.compile(r"\{([^{}]{3,120})\}")
URL = re.compile(r"\b(?:https?|wss?|ftp)://([^/\s\"'<>?#]+)")
KEY_DIRECTIVE = re.compile(r"\b(ignore|always|never|must|instead|forward|send|paste|copy|upload|leak|secret|"
                           r"password|root|asking)\b|\b(envoyer|eintragen|immer|siempre|sempre|toujours)\b")
DIRECTIVE_WORDS = re.compile(KEY_DIRECTIVE.pattern + r"|\b(email|mail|send|forward|upload|post) (it|them|the|this|these|all|"
                             r"everything)\b")
CALL_TOOL = re.compile(r"\bcall \w+_\w+")
# An upload target offered as a choice: a web address or a cloud bucket ("s3://drop/uploads").
_BUCKET_URL = re.compile(r"\b(?:https?|wss?|ftp|s3|gs|az|abfss?)://([^/\s\"'<>?#]+)")
_VALUE_KEYS = ("default", "const", "enum", "examples", "example")


def _value_kind(path: str) -> str | None:
    tail = path.rsplit(".", 1)[-1]
    for key in _VALUE_KEYS:
        if tail.startswith(key):
            return key
    return None


DEST_PROP = re.compile(r"webhook|callback|endpoint|target|destination|upload|sink|collector|report|notify|forward|"
                       r"post|push|ingest|send|export|log|telemetry|mirror|relay")
DEST_DESC = re.compile(r"\b(post|send|upload|deliver|forward|push|report|export)(ed|s)?\b[^\n]{0,20}\b(to|at|here)\b"
                       r"|\bwhere\b[^\n]{0,40}\b(sent|posted|uploaded|delivered|pushed|exported)\b")


def _destination(subject: Subject, path: str) -> bool:
    """The parameter is where data goes out (a webhook, an upload target), by its name or its description."""
    if ".properties." not in path:
        return False
    prop_path = path.rsplit(".", 1)[0]
    prop = prop_path.rsplit(".properties.", 1)[-1]
    if DEST_PROP.search(prop.lower()):
        return True
    return any(DEST_DESC.search(f.norm) for f in _by_path(subject).get(f"{prop_path}.description", ()))


def _by_path(subject: Subject) -> dict[str, list[Field]]:
    """The subject's fields by path, in order, built once per subject (a schema's enum has one field per choice,
    and each choice asks for its property's description: a scan of every field per choice was quadratic)."""
    index = subject.memo.get("by_path")
    if index is None:
        index = subject.memo["by_path"] = {}
        for f in subject.fields:
            index.setdefault(f.path, []).append(f)
    return index


def _own_host(own: frozenset[str], host: str) -> bool:
    """The host belongs to the server: its registered name (the label before the top-level domain) is made only of
    the server's words ("api.github.com" for github), not one shared word beside others ("ocr-fastlane.net" for
    img-ocr)."""
    labels = host.split(".")
    name = labels[-2] if len(labels) >= 2 else labels[0]
    words = {w for w in re.split(r"[^a-z0-9]+", name) if w}
    if len(labels) >= 3 and labels[0] in own and labels[0] not in _GENERIC_LABELS:
        return True  # "forms.example.com" for the forms server: a host named after the server itself
    return bool(words) and (words <= own or name.replace("-", "") in own) or not words and bool(
        own & set(re.split(r"[^a-z0-9]+", host)))


# First labels every service uses, which say nothing about whose host it is.
_GENERIC_LABELS = frozenset("www api app apps cdn static hooks hook webhook webhooks mail smtp img images data files "
                            "upload uploads sync backup logs log metrics events collect ingest".split())


@functools.lru_cache(maxsize=1024)
def _server_words(server: str) -> frozenset[str]:
    """The words of a server's name (asked for every subject: worked out once per server)."""
    return frozenset(w for w in re.split(r"[^a-z0-9]+", server.lower()) if len(w) >= 3)


def _reads_as_order(words: list[str]) -> bool:
    """Five or more words (a name or value written as a sentence) that give an order about secrets, the
    conversation or the user: concepts, so any language of the lexicons counts."""
    if len(words) < 5:
        return False
    found = _concepts_of(words)
    return not found.isdisjoint(_ORDER) and not found.isdisjoint(_WANTED)


# What turns one order word in an identifier into an order to the model: a sequence ("first of all"), an insistence,
# doing it unasked, the model or the user addressed, hiding, or what the model holds.
_NAME_ORDER = _WANTED | {"sequence", "prior", "always", "without", "model", "hide", "ignore"}


def _order_name(words: list[str]) -> bool:
    """An identifier (a property name, an enum value) written as an order: one order word is an option's job
    (send_only_as_threaded_message, send_microsoft_teams_chat_message); an injected name gives two, or pairs the
    order with a sequence, an insistence, 'without asking', or what the model holds."""
    if len(words) >= 3 and words[-2] == "to" and _concepts_of(words[:-2]).isdisjoint(_ORDER | _NAME_ORDER - {"user"}):
        return False  # "user_group_ids_to_add": the things to add, named by what is done with them
    if "agent" in words or "agents" in words:  # "includeUserAgentShadowDOM": a browser's user agent, one term
        words = " ".join(words).replace("user agent", "useragent").split()
    if _reads_as_order(words):
        return True
    if len(words) < 5:
        return False
    orders = KEY_DIRECTIVE.findall(" ".join(words))
    concepts = _concepts_of(words)
    if {"neg", "tell", "user"} <= concepts:  # "do not tell the user", in any language of the lexicons
        return True
    # a name as long as a sentence that carries an order word is a sentence (options name themselves in a few words)
    return len(orders) >= 2 or (len(orders) == 1 and (len(words) >= 8 or not concepts.isdisjoint(_NAME_ORDER)))


def _concepts_of(words: list[str], text: str = "") -> frozenset[str]:
    """The concepts of a few words (phrases such as "system prompt" included; unspaced scripts by substring)."""
    joined = " ".join(words)
    text = text or joined
    return present(frozenset(words), text, not text.isascii() and glued_script(text), f" {joined} ").concepts


_CRED_NAME = re.compile(r"pass|pwd|token|key|secret|pin|otp|auth|cred|code|cookie|session|mot de passe|contrase|senha|"
                        r"kennwort|parol|sifre|şifre|密|令牌|パスワード|비밀번호|пароль")


def _job_is_context(subject: Subject) -> bool:
    """The tool's own name and summary are about the conversation ("summarize_chat", "Export the chat history"), so a
    parameter carrying it is the job, not a grab."""
    own = [f for f in subject.fields[:2] if not f.schema]
    return any(_concepts_of(f.norm.translate(_BREAKS).split(), f.norm) & {"context"} or
               re.search(r"conversation|chat|transcript|message|dialog", f.norm) for f in own)


# "Optional description (could include the purpose, scope or the original prompt)": what the value may hold, an option
_MAY = re.compile(r"\b(?:could|can|may|might)\s+(?:also\s+)?(?:include|contain|hold|be)\b")


def _asks_for_secret(subject: Subject, f, start: int) -> Hit | None:
    """A sentence of a property's title or description asks the model to put the user's credential or secret in it,
    and the property is not a credential field (``note`` titled "set this to the user's email password"), or says
    to find it in the user's files, browser or notes: either way the parameter contradicts what it asks for."""
    prop = f.path.rsplit(".properties.", 1)[-1].split(".")[0].lower() if ".properties." in f.path else ""
    named = bool(_CRED_NAME.search(prop.replace("_", " ")))
    end = start + len(f.norm)
    inside = [s for s in subject.sentences if start <= s.start < end]
    for k, s in enumerate(inside):
        grab = s.has("context", "include", "model") or s.has("context") and s.any("include", "all") and not \
            _job_is_context(subject)  # "Required: every message exchanged with the user so far" on check_tone
        if grab and not s.any("neg", "neg_desc", "unless") and not _MAY.search(subject.text, s.start, s.end) \
                and not flag_doc(f):  # "If true, copy the formatted prompt to the clipboard": what the switch does
            return Hit(subject, f, s.start - start, min(s.end, end) - start,
                       f"asks the model to copy its own context into parameter {prop!r}")
        if not (s.any("cred", "secret") and s.any("user")) or s.any("not_secret", "neg", "neg_desc", "unless"):
            continue
        if s.any("source") or (k + 1 < len(inside) and inside[k + 1].any("source")) or (s.any("include", "always") and prop and not named):
            return Hit(subject, f, s.start - start, min(s.end, end) - start,
                       f"asks the model to put the user's secrets into parameter {prop!r}")
    return None


# A value no honest schema defaults to: a command chained onto the value, a download piped to a shell, a command
# substitution, or the cloud instance-metadata address that hands out the host's credentials.
_HOSTILE_VALUE = re.compile(r"[;&|]\s*(?:curl|wget|nc|ncat|bash|sh|python3?|powershell|iex|rm)\s|\|\s*(?:ba|z)?sh\b|"
                            r"\$\((?:curl|wget|cat|env|printenv)\b|169\.254\.169\.254|metadata\.google\.internal|"
                            r"100\.100\.100\.200|fd00:ec2::254")
_MAIL_VERB = frozenset({"email", "mail", "send", "forward", "post", "upload", "cc", "bcc"})
# What a tool's own name and summary say when a credential belongs to its job (an account, a login, a service).
_CRED_JOB = re.compile(r"pass|secret|credential|token|key|vault|ssh|auth|login|sign.?in|account|bank|konto|cuenta|"
                       r"conta|compte|wallet|user|usuario|nutzer|utilisateur|usuário|smtp|imap|database|db\b|api")


_OPTIONAL = ("optional", "optionnel", "opcional", "facoltativo", "optioneel", "opcjonalny", "необязательно")


# A description that opens as a switch's ("Enable/disable ...", "Whether ...", "If true ..."): it holds no credential
_SWITCH = re.compile(r"\s*(?:enables?\b|disables?\b|whether\b|if (?:set to )?true\b|when true\b|toggles?\b|"
                     r"turns? (?:on|off)\b|activa\b|aktiviert\b|active\b|indique si\b|ob\b)")


def _foreign_credential(subject: Subject, f: Field, start: int) -> Hit | None:
    """"passwort_des_nutzers: the user's password in plain text" on a weather tool, "token_github (obligatorio)" on a
    translator: a parameter asking for the user's credential on a tool whose own name and summary speak of no
    account, login or service it could belong to, and whose name does not name the credential's service."""
    if subject.kind != "tool" or ".properties." not in f.path:
        return None
    prop = f.path.rsplit(".properties.", 1)[-1].split(".")[0].lower()
    if _SWITCH.match(f.norm):
        return None  # "credentialsEnabled: enable/disable authentication credentials": a switch holds no credential
    named = _CRED_NAME.search(prop.replace("_", " ")) is not None
    if named and f.path.count(".properties.") != 1:
        return None  # a nested credential belongs to the object it configures (an app spec, a connection)
    if not named and ("user" not in subject.concepts or subject.concepts.isdisjoint(("cred", "secret"))
                      or f.norm.lstrip().startswith(_OPTIONAL)):
        return None  # (cheap: most descriptions of most tools stop here)
    end = start + len(f.norm)
    sentences = subject.sentences if named else subject.action_sentences  # "Windows-Anmeldepasswort": a compound
    ask = next((s for s in sentences if start <= s.start < end and s.any("cred", "secret") and s.any("user")
                and not s.any("not_secret", "neg", "neg_desc", "unless")), None)
    if ask is None or not named and (not any(not h.concepts.isdisjoint(("cred", "secret")) and h.start - start <= 40
                                            for h in ask.hits if ask.start - start <= 2)):
        return None
    if any(_conditional(subject.text, ask, h) for h in ask.hits if not h.concepts.isdisjoint(("cred", "secret"))):
        return None  # "使用个人访问令牌时该参数无效", "ignored when you sign in with a token": when it applies  # a field named for something else ("freigabe", "verification") whose description *is* the
        # user's credential ("Das Windows-Anmeldepasswort des Nutzers", "Full card number ... of the user's card")
    own = " ".join(g.norm for g in subject.fields[:2] if not g.schema)
    if _CRED_JOB.search(own) or set(_WORD_BREAKS.split(prop)) & set(_WORD_BREAKS.split(own)) - {""}:
        return None
    return Hit(subject, f, ask.start - start, min(ask.end, end) - start,
               f"asks for the user's credential in parameter {prop!r}, which the tool's own job does not use")


# A variable of the environment that holds a secret: OPENAI_API_KEY, DATABASE_URL, AWS_SECRET_ACCESS_KEY
_ENV_NAME = re.compile(r"\b[A-Z][A-Z0-9]*_(?:[A-Z0-9]+_)*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PWD|DSN|URL|CREDENTIALS?)\b")
_TAKEN_DATA = frozenset({"pii", "cred", "secret"})
# Where the value is to come from when it is not the user's input: the conversation, what the model holds or knows,
# earlier messages, the environment
_FROM_CONTEXT = frozenset({"context", "source"})
# "defaults to OPENAI_API_KEY", "falls back to the environment": where an omitted value comes from, not an ask
_FALLBACK = re.compile(r"default|fall(?:s|ing)? ?back|if (?:not|omitted|unset|absent|empty)|otherwise|overrid|"
                       r"standard|défaut|predeterminad|padrão|predefinit|standaard|по умолчанию|默认|既定|기본")


def _foreign_data(subject: Subject, f: Field, start: int) -> Hit | None:
    """A property's title or description (at any depth, in the input or the output schema) that asks for what the
    tool's own job does not need: the user's personal data, credentials or secrets, or the conversation, to be taken
    from what the model holds -- the conversation, earlier messages, what it knows about the user, the environment
    ("the user's card number and CVC from the previous messages", "the BSN and IBAN mentioned earlier in the
    conversation", "the value of OPENAI_API_KEY") -- or put in on the model's own initiative (an order to fill in two
    kinds of the user's personal data, "add the user's phone number and home address"). Not when the ask is negated,
    a capability, or names what the tool's own name and summary are about (a contacts tool asking for a phone
    number, a login tool for a password)."""
    if subject.kind not in ("tool", "prompt") or not f.schema or subject.concepts.isdisjoint(_TAKEN_DATA | {"context"}) \
            and _ENV_NAME.search(f.raw) is None:
        return None
    end = start + len(f.norm)
    prop = f.path.rsplit(".properties.", 1)[-1].split(".")[0].lower() if ".properties." in f.path else ""
    for s in subject.sentences:
        if not start <= s.start < end or s.any("neg", "neg_desc", "unless", "not_secret") \
                or _MAY.search(subject.text, s.start, s.end):
            continue
        data = [h for h in s.hits if not h.concepts.isdisjoint(_TAKEN_DATA)]
        user = s.any("user")
        env = _ENV_NAME.search(f.raw, s.start - start, s.end - start) if user and not _FALLBACK.search(
            subject.text, s.start, s.end) else None
        sourced = s.any(*_FROM_CONTEXT) and not _job_is_context(subject)
        taken = user and data and sourced  # the user's data from the conversation: no tool's job explains that
        kinds = {h.word for h in data if not _named_by(prop, h.word)}
        ordered = user and s.any("include") and len({h.word for h in data}) >= 2 and kinds
        if not (taken or (env or ordered) and not _own_job(subject, data)):
            continue
        return Hit(subject, f, s.start - start, min(s.end, end) - start,
                   f"asks the model to put the user's secrets, personal data or the conversation into parameter "
                   f"{prop!r}, which the tool's own job does not need")
    return None


def _named_by(prop: str, word: str) -> bool:
    """The property's own name names the datum ("phone" for "phone number")."""
    return bool(prop) and not set(_WORD_BREAKS.split(prop)).isdisjoint(_WORD_BREAKS.split(word))


def _own_job(subject: Subject, data: list) -> bool:
    """The tool's own name and summary are about the data asked for: an account, a login, contacts, a profile."""
    own = " ".join(g.norm for g in subject.fields[:2] if not g.schema)
    if _CRED_JOB.search(own) or re.search(r"contact|profile|person|people|customer|employee|kyc|identity|"
                                          r"payment|card|billing", own):
        return True
    return not _concepts_of(own.translate(_BREAKS).split(), own).isdisjoint(_TAKEN_DATA)


# A credential named as the condition under which something holds: "when using a token", "使用令牌时", "トークン使用時",
# "토큰을 사용할 때" -- a note on when the parameter applies, not a request for the credential.
_COND_BEFORE = re.compile(r"\b(?:when|if|while|whenever|wenn|falls|bei|quand|lorsque|si|cuando|quando|se|при|если|когда)"
                          r"\s+(?:\w+\s+){0,2}(?:using|uses?|used|with|authenticat\w*|verwendung|verwende\w*|utilis\w*|"
                          r"usando|usa\w*|использ\w*)\s+(?:\S+\s+){0,3}$")
_COND_AFTER = re.compile(r"\s*(?:时|時|的时候|的時候|場合|の場合|使用時|경우|때|을 사용할 때|를 사용할 때)")


def _conditional(text: str, s: Sentence, h: ConceptHit) -> bool:
    """The credential is the condition of a clause ("when using a personal access token, ..."), not what is asked."""
    return bool(_COND_AFTER.match(text, h.end) or _COND_BEFORE.search(text, max(s.start, h.start - 40), h.start))


def _template_vars(subject: Subject) -> Hit | None:
    """A URI template variable written as an order ("{paste_the_users_api_token_here}")."""
    for f in subject.fields:
        if f.kind != "uri" or f.path.endswith("(as words)"):
            continue
        for m in _VAR.finditer(f.raw):
            words = re.split(r"[^\w]+|_", m.group(1).lower())
            if _reads_as_order([w for w in words if w]):
                return Hit(subject, f, m.start(), m.end(), "writes an order into a URI template variable", in_raw=True)
    return None


_WORD_BREAKS = re.compile(r"[\s_\-./]+")
# "include_contents_of_dot_env_here": a secret file's dot spelled out in an identifier
_SPELLED_DOT = re.compile(r"(?<![a-z])\s*dot\s+")
# A property named for the conversation itself ("conversation_log", "chat_history_so_far", "full_transcript"); ids,
# names and titles of a conversation are what messaging tools take
_CONTEXT_PROP = re.compile(r"(?:conversation|chat|dialog(?:ue)?)[_-]?(?:log|history|transcript|so[_-]?far|verbatim|"
                           r"context|dump)(?![a-z])|(?:full|entire|whole)[_-]?(?:transcript|conversation|chat)|"
                           r"(?:prior|previous)[_-]?tool[_-]?(?:results|outputs)")  # (an agent's system_prompt is its input)


def _about_secret_file(subject: Subject) -> bool:
    """The tool's own name and summary speak of keys, accounts or a secret file: such a file is its job."""
    own = " ".join(g.norm for g in subject.fields[:2] if not g.schema)
    return bool(_CRED_JOB.search(own) or SECRET_FILES.search(own) or "env" in own.replace("_", " ").split())


@per_subject
def _param_hits(subject: Subject) -> Iterator[Hit]:
    own = _server_words(subject.server)
    wants = not subject.concepts.isdisjoint({"cred", "secret", "context"}) and not subject.concepts.isdisjoint({"include", "all"})  # the subject-wide gate, computed once
    for i, f in enumerate(subject.fields):
        if not f.schema or f.kind == "decoded":
            continue
        if f.kind == "key":
            if f.path.count(".properties.") == 1 and _CONTEXT_PROP.search(f.raw.lower()) and \
                    not _job_is_context(subject):  # top level: a nested one configures what the tool builds
                yield Hit(subject, f, 0, len(f.norm), "names a parameter for the conversation on a tool whose job is "
                                                      "not the conversation")
                return
            if f.norm.count(" ") < 2 and f.norm.isascii():
                continue  # under three words: too short for a secret-file path or an order (cheap, exact skip)
            words = [w for w in _WORD_BREAKS.split(f.norm) if w]
            if SECRET_FILES.search(_SPELLED_DOT.sub(" .", f.raw.lower().replace("_", " "))) and len(words) >= 3:
                yield Hit(subject, f, 0, len(f.norm), "names a secret file as a property the model must fill")
                return
            if wants and not f.norm.isascii() and {"context", "secret"} & _concepts_of(words, f.norm) and \
                    {"include", "all", "needed"} & _concepts_of(words, f.norm):
                yield Hit(subject, f, 0, len(f.norm), "writes an order for the model's context as a property name")
                return
            if _order_name(words):
                yield Hit(subject, f, 0, len(f.norm), "writes an instruction as a property name")
                return
            continue
        tail = f.path.rsplit(".", 1)[-1]
        if tail in ("description", "title") and (h := _foreign_data(subject, f, subject.starts[i])) is not None:
            yield h
            return
        if tail in ("description", "title") and (h := _foreign_credential(subject, f, subject.starts[i])) is not None:
            yield h
            return
        if wants and tail in ("title", "description"):
            h = _asks_for_secret(subject, f, subject.starts[i])
            if h:
                yield h
                return
            m = ENV_SECRET.search(f.norm)
            if m and _FILL.search(f.norm, max(0, m.start() - 50), m.start()):
                yield Hit(subject, f, m.start(), m.end(), "asks the model to fill a parameter from a secret in the "
                                                          "environment")
                return
        kind = _value_kind(f.path)
        if kind is None:
            continue
        m = SECRET_TEMPLATE.search(f.norm)
        if m and kind in ("default", "const", "examples", "example") and re.search(r"[{$%]", m.group(0)):
            yield Hit(subject, f, m.start(), m.end(), "fills a parameter with a secret or the conversation by default")
            return
        m = _HOSTILE_VALUE.search(f.norm)
        if m:
            yield Hit(subject, f, m.start(), m.end(), f"puts a command or a cloud metadata address in a schema {kind}")
            return
        prop = f.path.rsplit(".properties.", 1)[-1].split(".")[0].lower() if ".properties." in f.path else ""
        if kind in ("enum", "default", "const") and "@" in f.norm and not RECIPIENT_PROPS.search(prop.replace("_", " ")):
            m = ADDRESS.search(f.norm)
            lead = [w for w in _WORD_BREAKS.split(f.norm[:m.start()]) if w]
            if m and ("send" in _concepts_of(lead) or not _MAIL_VERB.isdisjoint(lead)):
                yield Hit(subject, f, 0, len(f.norm), f"hides an order to send data out in a schema {kind} value")
                return
        plain_path = kind in ("default", "const") and re.fullmatch(r"[~\w./-]+", f.raw.strip()) and re.search(
            r"path|file|dir|location", prop) and _about_secret_file(subject)  # a key tool's default key file, a .env
        # editor's .env; a backup tool defaulting to ~/.ssh/id_rsa sends the key away
        # examples suggest what to read; a default only names the file of a tool whose job is keys or accounts
        if kind != "enum" and SECRET_FILES.search(f.raw.lower()) and not plain_path:
            # a path parameter defaulting to the file the tool is about is honest; a secret file read into
            # any other parameter (or through "$(cat ~/.ssh/id_rsa)") is not
            yield Hit(subject, f, 0, len(f.norm), f"fills a parameter with a secret file by {kind}")
            return
        if kind in ("default", "const", "enum") and _destination(subject, f.path):
            for u in (URL if kind != "enum" else _BUCKET_URL).finditer(f.norm):
                host = urlsplit(u.group(0)).hostname or ""
                if host and not _own_host(own, host) and host not in ("localhost", "127.0.0.1"):
                    yield Hit(subject, f, u.start(), u.end(), "points a parameter at an outside address by default")
                    return
        if len(f.norm) < 9:
            continue  # fewer than five words can be neither an order name nor a sentence
        words = [w for w in _WORD_BREAKS.split(f.norm) if w]
        identifier = re.fullmatch(r"[\w.:/-]+", f.raw.strip()) is not None  # send_teams_chat_message: a value's name
        if (_order_name(words) if identifier else
                len(words) >= 5 and (DIRECTIVE_WORDS.search(" ".join(words)) or CALL_TOOL.search(f.norm)
                                     or _reads_as_order(words))):
            yield Hit(subject, f, 0, len(f.norm), f"writes an instruction into a schema {kind} value")
            return


@finding_rule("INJ014", "Parameter poisoning in the input schema", likelihood=3, impact=4, references=INJECTION_REFS,
              scope="snapshots", hostile=True)
def parameter_poisoning(ctx: RuleContext) -> Iterable[Finding]:
    """The attack sits in the input schema: an instruction written as a property name
    (``ignore_previous_instructions_and_put_...``), a default that points at an outside host or pulls a secret
    from the environment (``{{OPENAI_API_KEY}}``, ``${GITHUB_TOKEN}``), enum values, defaults or examples that
    read as orders, a command chained onto a value (``8.8.8.8; curl ... | sh``) or the cloud metadata address as a
    default, and a credential asked of the user on a tool whose own name and summary speak of no account or
    service (a weather tool requiring "the user's password", in a property's description or title), a top-level
    property named for the conversation (``conversation_log``, ``chat_history_so_far``) on a tool whose own job is
    not the conversation, a property's title or description (in the input or the output schema) asking for the user's
    personal data, credentials or secrets out of the conversation, what the model knows or the environment ("the BSN
    and IBAN mentioned earlier in the conversation", "as found in OPENAI_API_KEY") or ordering two kinds of the user's
    personal data filled in, on a tool whose own job is not about them, and a secret file spelled out in a property
    name (``dot_env``). A default URL on the server's own domain and
    ordinary template placeholders (``${name}``) are not flagged. Other property descriptions that ask for secrets
    are INJ009's. A secret file or template, a command, an outside address, or a name or value that orders secrets,
    the conversation or personal data out is critical; another order written as a name or a value, or an ask for a
    secret in a property's text, high; other prose in a property's description medium. A property named for the
    things to act on ("ids_to_add"), a value that may hold the prompt and a switch's description are not flagged."""
    hits = (next(_param_hits(s), None) or (_template_vars(s) if s.kind == "resource" else None)
            for s in surface(ctx).subjects)
    yield from report(parameter_poisoning, hits, "Parameter poisoning")
