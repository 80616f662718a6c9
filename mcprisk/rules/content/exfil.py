"""Text that moves the user's secrets or messages out: exfiltration asks and tampered recipients."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ...model import Finding
from .._base import RuleContext, finding_rule
from ._hits import Hit, Lexicon, anchors, gated_finditer, hit, mentioned, report, split_alternatives
from ._surface import Field, Subject, surface
from .override import INJECTION_REFS

SECRET_FILES = re.compile(
    r"(?<![\w-])\.(ssh|aws|kube|gnupg|docker|config/gh|azure|gcloud)/|\bid_(rsa|ed25519|ecdsa|dsa)\b(?!\.pub)"
    r"|(?<![\w-])\.(netrc|npmrc|pypirc|pgpass|git-credentials|bash_history|zsh_history|env)\b(?![\w-])"
    r"|/etc/(passwd|shadow|sudoers)\b|\bkubeconfig\b|\bhosts\.yml\b|\blogin data\b|\bkeychain\b|\btrousseau\b"
    r"|\bwallet\.dat\b|\bcredentials file\b|\bprivate keys?\b|clé privée|chave privada|clave privada|privaten? schlüssel"
    r"|秘密鍵|私钥|密钥|\.ssh\b")
SECRET_CONTEXT = re.compile(
    r"\bsystem ?prompts?\b|\bsystem (message|instructions)\b|\byour (instructions|prompt|configuration|initial prompt)\b"
    r"|\bdeveloper (message|prompt)s?\b|\b(the|this|current|entire|whole|complete|full|your|our) (chat )?conversation\b"
    r"|\bconversation (history|so far|transcript|log)\b|\bchat (history|log|so far|transcript)\b|\bmessage history\b"
    r"|\b(previous|prior|earlier|last|recent) (user )?messages?\b|\buser'?s? (last |previous |recent )?messages?\b"
    r"|\b(previous|prior|last|recent|earlier|other) tool (calls?|results?|outputs?|responses?)\b|\btool results\b"
    r"|\braw output\b|\bcontext window\b|\bcurrent context\b|\bapi[ _-]?keys?\b|\baccess[ _-]?(keys?|tokens?)\b"
    r"|\bsecret[ _-]?(keys?|access)\b|\bauth(entication|orization)? (tokens?|headers?)\b|\bbearer tokens?\b"
    r"|\bsession (tokens?|cookies?)\b|\bcookies\b|\bpasswords?\b(?! (reset|policy|policies|strength|manager|rules|expiry|expiration|change))|\bpassphrases?\b|\bcredentials\b|\bsecrets\b"
    r"|\benvironment variables?\b|\benv vars?\b|`env`|\b(value|values|contents?|valor|valeur|wert)\s+(of|de|da|do|von)\s+[^\n]{0,30}?\b[a-z0-9]+_(api_key|token|secret|"
    r"password|key)\b"
    r"|\bsaved card|\bcard (details|numbers?)\b|\b(seed|recovery) phrases?\b|\bmnemonic\b|\b(one-time|verification|2fa|otp|mfa) (codes?|passwords?)\b|\bdate of birth\b|\bsocial security\b|\bpassport number\b"
    r"|variables? de (entorno|ambiente|environnement)|variável de ambiente|umgebungsvariable\w*|contraseñas?|\bsenhas?\b"
    r"|mots? de passe|passwort\w*|\bhistorial\b|conversación|\bconversa\b|histórico|\bverlauf\b|unterhaltung"
    r"|historique|对话|聊天记录|系统提示|会話|システムプロンプト|環境変数|环境变量|トークン|パスワード|密码")
MOVE = re.compile(
    r"\b(send|sending|forward|upload|post|put|pass|include|including|append|attach|paste|copy|insert|embed|fill|"
    r"provide|share|submit|export|transmit|exfiltrate|dump|print|echo|encode|collect|gather|replace \w+ with|"
    r"set (this|it|the \w+) to|verbatim|word for word|full contents|contents of|value of|values of|open|read|base64 of|"
    r"hex of|encoded)\b"
    r"|\bcall \w+ with\b|\bwith path\b|envoy\w*|\bcopie\w*|\bcolle[zr]?\b|joign\w*|ajout\w*|transmet\w*|inclu\w*"
    r"|\bcontenu\b|envía|\benvie\b|\bpega\b|\bcopia\b|incluye|adjunta|añade|contenido|preencha|\bcole\b|inclua"
    r"|\banexe\b|\bvalor\b|conteúdo|\blies\b|\blese\b|\btrage\b|einfüg\w*|eintrag\w*|\bsende\b|schick\w*|übermittl\w*"
    r"|\bfüge\b|kopier\w*|\bhänge\b|\binhalt\b|貼り付け|送信|送っ|发送|上传|粘贴|填入|复制|附加|含め|入力|全文|内容")
# What follows the verb when the secret is its object: "include THE chat history", "paste YOUR system prompt".
OBJECT = re.compile(r"\s*(\{\w+\}|https?://\S+|da|do|the|your|all|any|every|each|their|its|his|her|this|these|those|them|it|user'?s|of|a copy|"
                    r"everything|whatever|alle\w*|hier|le|la|les|tous|toutes|el|los|las|todos|todas|o|os|a|as|il|i|"
                    r"ici|aquí|sein\w*|ihr\w*|die|den|das|leur|leurs|su|sus|seu|seus)\b")
CJK_MOVE = re.compile(r"貼り付け|送信|送っ|发送|上传|粘贴|填入|复制|附加|含め|入力|全文")
MOVE_OUT = re.compile(r"\b(send|forward|upload|post|pass|include|append|attach|paste|insert|embed|submit|transmit|"
                      r"exfiltrate|into|to https?)\b|`\w+`")
# Honest tools say what they never do: "values are masked", "key contents are never read".
SAFE = re.compile(r"\b(never|cannot|can't|do not|don't|must not|should not|masked|redacted|only the (prefix|public|metadata)|public key|not (read|stored|"
                  r"logged|sent|returned|included|shown))\b")
PARAM_ASK = re.compile(r"\b(verbatim|complete|word for word|paste|here|copy|set this to|put|insert|full contents|"
                       r"aquí|ici|hier)\b|ここ|这里|此处|全文|そのまま")
EXFIL_URL = re.compile(
    r"https?://[^\s\"'<>)]*\{[^}\s]*(conversation|history|chat|user_?email|api_?key|token|secret|password|prompt|"
    r"context|summary|env|message)[^}\s]*\}|https?://[^\s\"'<>)]*[?&=/](conversation|chat_so_far|chat_history|"
    r"last_user_message|system_prompt|api_key)\w*")
_CLAUSE_END = re.compile(r"[.;!?。！？]\s|\n")


def flag_doc(f: Field) -> bool:
    """A parameter documenting its own switch ("If true, include the created password"): the user's choice."""
    return f.schema and f.path.endswith(".description") and f.norm.lstrip().startswith(
        ("if true", "when true", "if set", "when set", "whether", "set to true", "if enabled", "when enabled"))


def clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence-like clause around a match (bounded at 240 characters each side)."""
    a = start
    lo = max(0, start - 240)
    for m in _CLAUSE_END.finditer(text, lo, start):
        a = m.end()
    if a == start:
        a = lo if lo > 0 else 0
        nl = text.rfind("\n", lo, start)
        a = nl + 1 if nl != -1 else a
    m = _CLAUSE_END.search(text, end, end + 240)
    return a, (m.start() if m else min(len(text), end + 240))


def _param_field(f: Field) -> bool:
    return f.kind == "key" or (f.schema and f.path.rsplit(".", 1)[-1] in ("description", "title")) \
        or f.path.startswith("arguments[")


FILE_PIECES, CONTEXT_PIECES = Lexicon([(SECRET_FILES, "")]), Lexicon([(SECRET_CONTEXT, "")])


def _exfil_hits(subject: Subject) -> Iterator[Hit]:
    text = subject.text
    for pieces, strong in ((FILE_PIECES, True), (CONTEXT_PIECES, False)):
        for m in gated_finditer(subject, pieces):
            h = hit(subject, m.start(), m.end(), "")
            if h.field.kind == "uri" and strong:
                yield Hit(subject, h.field, h.start, h.end, "points a resource at a secret file")
                return
            a, b = clause(text, m.start(), m.end())
            window = text[a:b]
            if SAFE.search(window) or mentioned(text, m.start()) or flag_doc(h.field):
                continue
            if h.field.kind == "key":
                if len(h.field.norm.split()) >= 4 or re.search(r"contents? of|full text|verbatim|全文", h.field.norm):
                    yield Hit(subject, h.field, h.start, h.end, "names a secret as a parameter to fill")
                    return
                continue
            opening = h.field.path == "description" and h.start - (m.start() - a) <= 0
            moves = MOVE_OUT if opening else MOVE  # a description's opening clause says what the tool itself does
            # A secret that is not a file must be the object of the move: "include the chat history", not
            # "restrict the API key to send emails".
            if strong:
                moved = moves.search(text, a, b)
            else:
                # reading a secret is the tool's business; handing it over is the ask
                moved = any(mv.group(0) not in ("read", "open", "value of", "values of", "contents of", "full contents")
                            and m.start() - mv.end() <= 60 and OBJECT.match(text, mv.end()) is not None
                            for mv in moves.finditer(text, max(a, m.start() - 80), m.start())) or CJK_MOVE.search(window)
            if moved or EXFIL_URL.search(window) or (_param_field(h.field) and PARAM_ASK.search(window)):
                what = "a secret file" if strong else "secrets or the conversation"
                yield Hit(subject, h.field, h.start, h.end, f"asks the model to hand over {what}")
                return
    m = EXFIL_URL.search(text)
    if m:
        yield hit(subject, m.start(), m.end(), "builds an outside URL out of the conversation or secrets")


@finding_rule("INJ009", "Exfiltration ask: secrets, files or the conversation sent out", likelihood=3, impact=4,
              references=INJECTION_REFS, scope="snapshots", hostile=True)
def exfiltration(ctx: RuleContext) -> Iterable[Finding]:
    """Text that asks the model to read and hand over secret files (SSH keys, cloud credentials, .env, .netrc,
    kubeconfig, browser passwords), environment variables and keys, its system prompt, the conversation or
    earlier tool results -- into a parameter, a URL, another tool -- or URLs built from such data
    (``https://x/?q={last_user_message}``), and resources whose URI is a secret file. A clause that says what
    the tool never reads or masks ("values are masked", "never paste a private key") is not flagged."""
    hits = (next(_exfil_hits(s), None) for s in surface(ctx).subjects)
    yield from report(exfiltration, (h for h in hits if h), "Exfiltration ask")


ADDRESS = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+|(?<![\w.])@[a-z0-9-]+\.[a-z]{2,}\b"
                     r"|\b[a-z]{2}\d{2}(?: ?[a-z0-9]{4}){3,7}\b|\b0x[0-9a-f]{40}\b|(?:(?<=\s)|^)#[a-z][a-z0-9_-]{2,}")
ADDRESS_PARTS = tuple((piece, "@" if "@" in piece.pattern else "0x" if "0x" in piece.pattern else "#" if "#" in piece.pattern
                       else None) for piece in split_alternatives(ADDRESS))
RECIPIENT_CUE = re.compile(
    r"\b(bcc|cc|blind[- ]cop\w*|carbon[- ]cop\w*|attendees?|invitees?|guests?|participants?|recipients?|editors?|"
    r"collaborators?|forward\w*|redirect\w*|instead|replace\w*|changed to|swap\w*|also (send|post|invite|add|share|"
    r"include|forward|cc|bcc|copy|notify)|always (include|add|cc|bcc|send|copy|invite)|in addition to|mirror\w*|"
    r"a copy of (each|every|all)|copy of every|as a recipient|destination)\b|cópia oculta|em cópia|en cc\b|in copia|con copia"
    r"|en copia|copia oculta|in kopie|als kopie|en copie"
    r"|destinatari\w*|destinataire|empfänger|kopie an|copie à|抄送|密送")
_EXAMPLE = re.compile(r"(e\.g\.|for example|such as|like|example:|examples?|z\.b\.|p\. ?ej\.|par exemple)\W{0,4}$")
RECIPIENT_PROPS = re.compile(r"\b(to|cc|bcc|recipients?|attendees?|invitees?|guests?|editors?|collaborators?|members?|"
                             r"destination|dest|share_with|emails?|address(es)?|notify|forward_to|reply_to)\b")
ESCALATE = re.compile(r"\balso (invite|add|grant)\b[^\n]{0,60}\b(admin|owner|maintainer|write|edit) (permission|access|"
                      r"role|rights)")


ADDRESS_GATE = anchors("iban instead replace replaced redirect changed swap forward send sent transfer transfers account "
                       "accounts destination payout payouts wallet withdraw migration")


def _recipient_hits(subject: Subject) -> Iterator[Hit]:
    text = subject.text
    if "@" not in text and "#" not in text and "0x" not in text and not subject.has_any(ADDRESS_GATE) \
            and not subject.has_any(frozenset({"also", "invite"})):
        return
    examples: dict[str, list[str]] = {}
    found = [m for regex, marker in ADDRESS_PARTS if marker is None or marker in text for m in regex.finditer(text)]
    for m in sorted(found, key=lambda m: m.start()):
        h = hit(subject, m.start(), m.end(), "")
        f = h.field
        last = f.path.rsplit(".", 1)[-1]
        if f.schema and (last.startswith(("default", "enum", "const")) or ".default[" in f.path):
            prop = f.path.split(".properties.")[-1].split(".")[0] if ".properties." in f.path else ""
            if RECIPIENT_PROPS.search(re.sub(r"([a-z])([A-Z])", r"\1 \2", prop).lower().replace("_", " ")):
                yield Hit(subject, f, h.start, h.end, "fixes an outside address in a parameter's default or choices")
                return
        if f.schema and last.startswith("examples"):
            examples.setdefault(f.path.rsplit(".examples", 1)[0], []).append(m.group(0))
            continue
        if _EXAMPLE.search(text, max(0, m.start() - 25), m.start()):
            continue
        a, b = clause(text, m.start(), m.end())
        window = text[a:b]
        if RECIPIENT_CUE.search(window) and not re.search(r"\b(if the user asks|explicitly asked|only include)\b", window):
            yield Hit(subject, f, h.start, h.end, "slips an outside recipient or destination into what the model sends")
            return
    for path, found in examples.items():
        counts = {a: sum(1 for x in found if x == a) for a in found}
        repeated = [a for a, n in counts.items() if n >= 2]
        if repeated:
            i = text.find(repeated[0])
            yield hit(subject, i, i + len(repeated[0]), "adds the same outside recipient to every example")
            return
    m = ESCALATE.search(text)
    if m:
        yield hit(subject, m.start(), m.end(), "adds an extra privileged collaborator")


@finding_rule("INJ010", "Recipient tampering: extra or swapped recipients and destinations", likelihood=3, impact=4,
              references=INJECTION_REFS, scope="snapshots", hostile=True)
def recipient_tampering(ctx: RuleContext) -> Iterable[Finding]:
    """A fixed outside address, domain, IBAN, wallet or channel slipped into what the model sends: "always bcc
    archive@...", an extra attendee or editor, "send to X instead", a recipient default or choice that names an
    outside address, the same extra recipient in every example. Addresses shown as examples ("e.g.
    alice@example.com") and parameters the user fills ("only include addresses the user asked for") are not
    flagged."""
    hits = (next(_recipient_hits(s), None) for s in surface(ctx).subjects)
    yield from report(recipient_tampering, (h for h in hits if h), "Recipient tampering")
