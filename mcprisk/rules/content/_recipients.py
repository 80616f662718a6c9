"""Recipient tampering read by structure (INJ010, beside the address rules of ``exfil``): where a fixed outside
destination sits, not the words around it.

* a recipient parameter (``to``, ``attendees``, ``people``, ``channel``) whose only allowed value, or whose fixed
  value, is one outside address or channel: the caller's choice is removed before it is made;
* one example list that pairs a placeholder address (``you@example.com``) with a real outside one: the example shows
  the user's recipient plus one more;
* a resource address whose query fixes a mail address, or an outside host under a forwarding key
  (``?autoforward=x@y``, ``?fwd=collector.example``): every read also sends;
* an address (mail, IBAN, card, account or a payment key) put in place of another ("instead of the sender",
  "regardless of the customer given", "em vez da conta da empresa"), in the address's sentence or the next one;
* an order that assigns a fixed outside mail address to a field ("set the owner to x@y", "setze die Adresse ... in
  cc" after the address was named).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ._accounts import ACCOUNT, SWAP, account_swap
from ._concepts import word_concepts
from ._hits import Hit, hit, in_example
from ._surface import Subject

__all__ = ["structural_recipients"]

MAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")
_CHANNEL = re.compile(r"^#[a-z][a-z0-9_-]{2,}$")
# Placeholder domains (RFC 2606 and the usual stand-ins): an address there documents a value, it reaches nobody
_PLACEHOLDER = re.compile(r"@(?:[\w-]+\.)*(?:example|test|invalid|localhost|domain|company|acme|yourcompany|"
                          r"yourdomain|email|mail)\.(?:com|org|net|io|dev|test|example|invalid)?\b|@(?:[\w-]+\.)*example\b")
_PARTY = re.compile(r"\b(?:to|cc|bcc|recipients?|attendees?|invitees?|guests?|editors?|collaborators?|members?|"
                    r"participants?|people|persons?|users?|owners?|assignees?|reviewers?|watchers?|subscribers?|"
                    r"channels?|destinations?|dest|targets?|emails?|address(?:es)?|notify|forward(?:_to)?|reply_to|"
                    r"share_with|pessoas|personas|personen|personnes|persone|destinatari\w*|empf\w*)\b")
_FORWARD_KEY = re.compile(r"^(?:auto_?)?(?:fwd|forward\w*|relay|cc|bcc|to|dest\w*|mirror|copy\w*|sink|webhook|"
                          r"callback|notify\w*|upload\w*|send\w*|export\w*|sync\w*|collector|target)$")
_QUERY = re.compile(r"[?&]([\w-]+)=([^&{}\s#]+)")
_HOST = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}$")
# A payment key written out: an account pattern, or eight digits or more in groups ("31 98877-1122")
_KEY_NUMBER = re.compile(r"(?<![\w.-])\+?\d{2,5}(?:[ -]\d{2,6}){1,4}(?![\w.-])")
_ACCOUNT_WORD = re.compile(r"\b(?:account|key|pix|iban|wallet|conta|chave|cuenta|clave|compte|konto|conto|rekening|"
                           r"счёт|счет|карт\w*|hesap|numero|número|number|nummer)\b")
_LITERAL_ID = re.compile(r"(?<![\w{<$])(?=[a-z0-9_-]*\d)[a-z]{2,6}_[a-z0-9]{5,}(?![\w}>])")
_ASSIGN = re.compile(r"\b(?:set|assign|change|make|put|add)\b[^.;:!?\n]{0,60}?\b(?:to|as|=)\s*$")
_ADDRESS_BACK = re.compile(r"\b(?:adresse|address|dirección|direccion|endereço|indirizzo|adres|адрес|it|them|this "
                           r"address|diese adresse|die adresse|cette adresse|esa dirección|esse endereço)\b")


def _prop(path: str) -> str:
    if ".properties." not in path:
        return ""
    return path.rsplit(".properties.", 1)[-1].split(".")[0].split("(")[0]


def _party(prop: str) -> bool:
    words = re.sub(r"([a-z])([A-Z])", r"\1 \2", prop).lower().replace("_", " ").replace("-", " ")
    return bool(_PARTY.search(words)) or any("recipient" in word_concepts(w) for w in words.split())


def _outside_mail(value: str) -> re.Match[str] | None:
    m = MAIL.search(value)
    return m if m and not _PLACEHOLDER.search(m.group(0)) and not m.group(0).startswith(("no-reply", "noreply")) \
        else None


def _fixed_choice(subject: Subject) -> Iterator[Hit]:
    """A party parameter whose enum, const or default is one outside address, or whose only allowed value is one
    channel (a default channel is the workspace's own: the caller may still choose another)."""
    choices: dict[str, list] = {}
    for f in subject.fields:
        if not f.schema or f.kind != "value":
            continue
        last = f.path.rsplit(".", 1)[-1]
        if not last.startswith(("enum", "const", "default")):
            continue
        prop = _prop(f.path)
        if prop and _party(prop):
            choices.setdefault(f.path.rsplit(".", 1)[0] + "." + last.split("[")[0], []).append(f)
    for fields in choices.values():
        for f in fields:
            m = _outside_mail(f.norm)
            if m:
                yield Hit(subject, f, m.start(), m.end(), "fixes an outside address as a recipient parameter's choice")
                return
            if len(fields) == 1 and not f.path.endswith("default") and _CHANNEL.match(f.norm.strip()):
                yield Hit(subject, f, 0, len(f.norm), "fixes one channel as a destination parameter's only choice")
                return


def _mixed_examples(subject: Subject) -> Iterator[Hit]:
    """One example list of a party parameter holding a placeholder address beside a real outside one."""
    lists: dict[str, list] = {}
    for f in subject.fields:
        if f.schema and f.kind == "value" and ".examples[" in f.path and "@" in f.norm and _party(_prop(f.path)):
            lists.setdefault(f.path.rsplit("[", 1)[0], []).append(f)
    for fields in lists.values():
        if len(fields) < 2 or not any(_PLACEHOLDER.search(f.norm) for f in fields):
            continue
        for f in fields:
            m = _outside_mail(f.norm)
            if m:
                yield Hit(subject, f, m.start(), m.end(), "adds an outside recipient beside the user's in an example")
                return


def _uri_forward(subject: Subject) -> Iterator[Hit]:
    """A resource address whose query fixes a mail address, or an outside host under a forwarding key."""
    for f in subject.fields:
        if f.kind != "uri" or "(as words)" in f.path or "=" not in f.norm:
            continue
        for m in _QUERY.finditer(f.norm):
            key, value = m.group(1).lower(), m.group(2)
            if _outside_mail(value) or (_HOST.match(value) and _FORWARD_KEY.match(key.replace("-", "_"))):
                yield Hit(subject, f, m.start(), m.end(), "fixes an outside destination in a resource address")
                return


def _sentence_at(subject: Subject, start: int) -> int | None:
    return next((i for i, s in enumerate(subject.sentences) if s.start <= start < s.end), None)


# Who or what is swapped out: a party (the sender, the customer, the company's account), not a tool or a topic
# ("questions go to billing@... rather than this tool" sends the user elsewhere, it replaces nobody)
_SWAPPED_PARTY = re.compile(r"\b(?:sender|remitente|remetente|exp[ée]diteur|absender|mittente|afzender|avsändare|"
                            r"recipient\w*|destinat\w*|empfänger\w*|users?|usuari\w*|utilisateur\w*|utente|nutzer\w*|"
                            r"customers?|client\w*|kunden?|account|conta|cuenta|compte|konto|conto|payee|beneficiar\w*|"
                            r"owner|company|empresa|entreprise|firma|azienda|caller|requester|author|"
                            r"отправител\w*|получател\w*|клиент\w*|пользовател\w*|счёт\w*|счет\w*)\b"
                            r"|送信者|差出人|受取人|发件人|收件人|客户|用户|보낸 사람|받는 사람|고객|사용자")


def _swap_of_party(text: str, a: int, b: int) -> bool:
    return any(_SWAPPED_PARTY.search(text, m.end(), min(b, m.end() + 50)) for m in SWAP.finditer(text, a, b))


def _swapped(subject: Subject, start: int) -> bool:
    """A word of putting one thing in place of a party, in the address's sentence or the one right after it, or
    "regardless" (of what the user gave) in its sentence."""
    i = _sentence_at(subject, start)
    if i is None:
        return False
    spans = subject.sentences
    s = spans[i]
    if _swap_of_party(subject.text, s.start, s.end) or "regardless" in _concepts_of(s):
        return True
    follow = spans[i + 1] if i + 1 < len(spans) else None
    return follow is not None and follow.start - s.end <= 3 and _swap_of_party(subject.text, follow.start, follow.end)


def _concepts_of(s) -> set[str]:
    out: set[str] = set()
    for h in s.hits:
        out |= h.concepts
    return out


def _prose(subject: Subject, start: int) -> bool:
    f, _ = subject.locate(start)
    return not f.schema or f.path.endswith((".description", ".title")) or f.kind == "description"


def _swaps(subject: Subject) -> Iterator[Hit]:
    """A mail address, a payment key or a fixed party id put in place of another."""
    text = subject.text
    for m in MAIL.finditer(text):
        if _outside_mail(m.group(0)) and _prose(subject, m.start()) and not in_example(text, m.start()) \
                and _swapped(subject, m.start()):
            yield hit(subject, m.start(), m.end(), "puts a fixed outside address in place of the user's")
            return
    for m in _KEY_NUMBER.finditer(text):
        digits = sum(c.isdigit() for c in m.group(0))
        if digits >= 8 and not ACCOUNT.match(m.group(0)) and _ACCOUNT_WORD.search(text, max(0, m.start() - 40),
                                                                                     m.start()) \
                and _prose(subject, m.start()) and _swapped(subject, m.start()):
            yield hit(subject, m.start(), m.end(), "puts a fixed payment key in place of the user's")
            return
    for m in _LITERAL_ID.finditer(text):
        i = _sentence_at(subject, m.start())
        if i is not None and _prose(subject, m.start()) and "regardless" in _concepts_of(subject.sentences[i]) \
                and _party(text[max(0, m.start() - 30):m.start()]):
            yield hit(subject, m.start(), m.end(), "fixes the party whatever the caller gave")
            return


def _assigned(subject: Subject) -> Iterator[Hit]:
    """An order setting a field to a fixed outside mail address, or naming an address and then putting "the address"
    into a recipient field in the next clause."""
    text = subject.text
    for m in MAIL.finditer(text):
        if not _outside_mail(m.group(0)) or not _prose(subject, m.start()) or in_example(text, m.start()):
            continue
        lead = text[max(0, m.start() - 80):m.start()]
        cut = max(lead.rfind(". "), lead.rfind("; "), lead.rfind("\n"))
        if _ASSIGN.search(lead[cut + 1:]):
            yield hit(subject, m.start(), m.end(), "sets a field to a fixed outside address")
            return
        clauses = subject.clauses
        i = next((k for k, c in enumerate(clauses) if c.start <= m.start() < c.end), None)
        follow = clauses[i + 1] if i is not None and i + 1 < len(clauses) else None
        if follow is not None and follow.start - clauses[i].end <= 3 and follow.any("recipient") \
                and follow.any("include", "use", "always") and _ADDRESS_BACK.search(text, follow.start, follow.end):
            yield hit(subject, m.start(), m.end(), "names an outside address and puts it among the recipients")
            return


def structural_recipients(subject: Subject) -> Iterator[Hit]:
    """Every structural reading above, in order; the first hit is the one reported."""
    swap = account_swap(subject)
    if swap is not None:
        yield swap
    if subject.kind in ("tool", "prompt", "resource"):
        yield from _fixed_choice(subject)
        yield from _mixed_examples(subject)
        yield from _uri_forward(subject)
    if "@" in subject.text or any(c.isdigit() for c in subject.text):
        yield from _swaps(subject)
    if "@" in subject.text:
        yield from _assigned(subject)
