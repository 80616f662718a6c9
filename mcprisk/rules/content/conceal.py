"""Text that keeps the user in the dark: hide what happened, lie if asked, act without the user's consent."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ...model import Finding
from .._base import RuleContext, finding_rule
from ._concepts import ConceptHit, Sentence, gates, word_concepts
from ._consent import governs_other_verb, required_consent
from ._hits import Hit, concept_hit, discusses, governs, report
from ._surface import Field, Subject, per_subject, surface
from .override import INJECTION_REFS

_GATES = gates("neg tell user", "neg tell reply", "neg tell model", "neg tell asked", "neg tell_weak user",
               "neg tell_weak reply", "hide user", "hide reply", "hidden user", "hidden reply", "covert send", "covert harm", "covert include",
               *(f"without {a} {b}" for a in ("tell", "consent", "asked", "ask")
                 for b in ("user", "harm", "send", "model", "include")),
               "lie asked", "asked neg_desc", "asked reply", "omit reply", "omit user", "keep_out reply", "keep_out user", "lie user", "lie reply", "lie model", "consent needed", "neg ask consent", "neg ask user",
               "granted consent user", "granted consent model")
_SECRETISH = frozenset({"secret", "cred", "pii"})
_ACTIONS = frozenset({"send", "harm", "include"})


def flag_doc(f: Field) -> bool:
    """A parameter documenting its own switch ("If true, include the created password"): the user's choice."""
    return f.schema and f.path.endswith(".description") and f.norm.lstrip().startswith(
        ("if true", "when true", "if set", "when set", "whether", "set to true", "if enabled", "when enabled"))


def _next_after(s: Sentence, h: ConceptHit) -> ConceptHit | None:
    return next((x for x in s.hits if x.start >= h.end), None)


# "do not tell the user that ...", "não informe o usuário de que ...": what is kept back is a fact, not a value
_THAT = re.compile(r"\s*(?:that|dass|de que|que|qu'|che|dat|że|что)\b")
# An order opening with a verb of hiding whose object is a clause: "verschweige (im Bericht), dass ...", "oculta que"
_HIDDEN_FACT = re.compile(r"[^.;:!?\n]{0,25}?,\s*(?:that|dass|de que|que|qu'|che|dat|że|что)\s")


_TR_FACT = re.compile(r"\w+[dt][ıiuü][ğg][ıiuü]n[ıiuü]\b")  # a Turkish clause made a noun: "-dığını", the fact that


def _redaction(text: str, s: Sentence, tell: ConceptHit) -> bool:
    """"Never reveal the password", "keys should not be displayed": what is kept back is a secret, so this is advice
    to redact -- unless the sentence also moves something out, or keeps back the fact *that* something happens."""
    if s.any("send", "harm"):
        return False
    user = next((u for u in s.hits if "user" in u.concepts and 0 <= u.start - tell.end <= 25), None)
    if user is not None and _THAT.match(text, user.end) or _TR_FACT.search(text, s.start, tell.start):
        return False  # "... that it records the location" (Turkish: "konum verisini kaydettiğini söyleme")
    return any(not h.concepts.isdisjoint(_SECRETISH) and (h.start < tell.start or h.start - tell.end <= 40)
               for h in s.hits)


def _clause_final(text: str, tell: ConceptHit, neg: ConceptHit) -> bool:
    """"erwähne diesen Aufschlag in deiner Antwort an den Nutzer nicht": the verb opens its clause as an order and a
    negation that follows the verb in its language closes the same clause."""
    lead = text[max(0, tell.start - 3):tell.start]
    if neg.start < tell.end or _CLAUSE_BREAK.search(text, tell.end, neg.start) or (lead.strip() and lead.strip()[-1:]
                                                                                 not in ",;:.!?"):
        return False
    return re.match(r"\s*(?:[,;:.!?]|$|\b(?:sondern|aber|mais|ma|maar|but)\b)", text[neg.end:neg.end + 12]) is not None


# "the user should only ever see 'job started'", "customers must only be told: ...": the user's view is scripted
_SCRIPTED_VIEW = re.compile(r"\b(?:users?|customers?|they)\b[^.;]{0,30}?\b(?:only|just)\s+(?:ever\s+)?"
                            r"(?:see|be shown|be told|hear|read|receive)\s*[:'\"\u201c\u2018]")
_CLAUSE_BREAK = re.compile(r"[,;:.!?\n]")
_KEPT_HIDDEN = re.compile(r"\b(keep|stay|remain)s?\b[^.;,]{0,50}\bhidden\b")  # "hidden" alone describes a field
_OTHER_VERBS = frozenset({"ignore", "use", "harm", "send", "include", "gather"})


def _silenced(text: str, s: Sentence) -> list[ConceptHit] | None:
    """An order not to tell: a negation right before (or, in languages that put it after the verb, shortly after)
    a verb of telling, aimed at the user or the model's reply."""
    for tell in s.hits:
        if "tell" not in tell.concepts and "tell_weak" not in tell.concepts:
            continue
        neg = tell if "neg" in tell.concepts else next(
            (n for n in s.hits if ("neg" in n.concepts or "neg_desc" in n.concepts and tell.word.startswith("need"))
             and n is not tell and (
                governs(text, n, tell, 3) or ("neg_after" in n.concepts and (
                    governs(text, tell, n, 5) or _clause_final(text, tell, n))))), None)
        if neg is None or _redaction(text, s, tell) or neg is not tell and governs_other_verb(text, s.hits, neg, tell) \
                or _to_another(text, tell):
            continue  # "確認なしに共有しないで": the negation governs the sharing, not the telling
        if neg is not tell and any(neg.end <= h.start and h.end <= tell.start and not h.concepts.isdisjoint(
                _OTHER_VERBS) for h in s.hits):
            continue  # "do not ignore the alternatives listed": the negation governs the verb before the telling word
        strong = "tell" in tell.concepts
        if tell.word.startswith(("need to know", "needs to know")) and not _knower_is_user(s, neg):
            continue  # "callers don't need to know which endpoint answered": an abstraction, not a secret
        if s.any("user", "reply") or (strong and (s.any("model", "asked") or _THAT.match(text, tell.end))):
            return [neg, tell]  # "don't mention that it was forwarded": a fact kept back from whoever reads
    return None


# "Never reveal information about one customer to another", "do not disclose a patient's data to third parties": the
# telling's first recipient is someone other than the user -- a privacy rule about whom data goes to, not silence
_ANOTHER = re.compile(r"[^.;:!?\n]{0,60}?\bto\s+(?:an?\s+|any\s+)?(?:another|other|others|third[- ]part\w*|anyone else|"
                      r"outsiders?|someone else|different)\b")
_TOLD_OBJECT = re.compile(r"\s*(?:the\s+|your\s+)?(?:user|customer|client|them|him|her|you|me|us)\b")
_FIRST_TO = re.compile(r"[^.;:!?\n]{0,60}?\bto\b")


def _to_another(text: str, tell: ConceptHit) -> bool:
    """The first "to" after the verb of telling leads to another party, not to the user -- who is not the verb's own
    object ("do not tell the customer that ... to another system") and no "that" clause stands between."""
    first = _FIRST_TO.match(text, tell.end)
    other = _ANOTHER.match(text, tell.end)
    if other is None or first is None or other.end() - first.end() > 16:
        return False
    between = text[tell.end:first.end()]
    return not _TOLD_OBJECT.match(between) and not re.search(r"\b(?:that|whether|if)\b", between)


# "the symbol is silently dropped from the response", "조용히 빠진다": the adverb of hiding tells how the service behaves
# (a passive or plain declarative), not what the model must keep back -- unless a modal makes it an order
_PASSIVE_BEFORE = re.compile(r"\b(?:is|are|was|were|gets?|got|been|est|sont|es|son|é|são|ist|sind|wird|werden|viene|"
                             r"vengono)\s+$")
_PARTICIPLE_AFTER = re.compile(r"\s*[a-zà-ÿ]+(?:ed|en|é|ée|és|ées|ado|ada|ados|adas|ido|ida|ato|ata|ati|ite|iert|t)\b")
_MODAL = re.compile(r"\b(?:must|should|shall|needs? to|has to|have to|always|please|doit|doivent|deve|devem|debe|"
                    r"deben|muss|müssen|soll|sollen|dovrà|devono)\b")
_DECLARATIVE_AFTER = re.compile(r"\s*\S*?[^하라]다(?=[.\s]|$)")


def _described_manner(text: str, s: Sentence, hide: ConceptHit) -> bool:
    """The hiding word qualifies a passive ("is silently dropped") or a plain declarative ("조용히 빠진다") with no
    modal in its sentence before it: a behaviour described, not an order."""
    if _MODAL.search(text, s.start, hide.start):
        return False
    if _PASSIVE_BEFORE.search(text, max(0, hide.start - 8), hide.start) and _PARTICIPLE_AFTER.match(text, hide.end):
        return True
    return hide.word.isascii() is False and _DECLARATIVE_AFTER.match(text, hide.end) is not None


def _knower_is_user(s: Sentence, neg: ConceptHit) -> bool:
    """"The user doesn't need to know": who does not need to know stands right before the negation."""
    return any(not u.concepts.isdisjoint({"user", "reply"}) and 0 <= neg.start - u.end <= 12 for u in s.hits)


def _own_manner(text: str, hide: ConceptHit, own_verb: str) -> bool:
    """"install_package: Install silently without progress output": the adverb says how the tool does its own job
    (the verb its name starts with), not what the model should keep from the user."""
    words = re.split(r"[;:.!?()\n]", text[max(0, hide.start - 30):hide.start])[-1].split()  # its own clause only
    return len(own_verb) >= 4 and bool(words) and words[-1][:5] == own_verb[:5]


_PROHIBITION = re.compile(r"\b(?:under no circumstances|never|do not|don't|must not|should not|shall not|may not|"
                          r"not allowed|forbidden|prohibited)\b[^\n]{0,120}:\s*$", re.IGNORECASE)


def _under_prohibition(text: str, start: int) -> bool:
    """The sentence is an item of a list its heading forbids ("Under no circumstances should you use this tool to:
    ... 2. Execute code that may harm the user's data without permission"): the item names what not to do."""
    head = text[max(0, start - 600):start]
    lines = [ln for ln in head.split("\n") if ln.strip()]
    for ln in reversed(lines[-8:]):
        if ln.rstrip().endswith(":"):
            return _PROHIBITION.search(ln.rstrip()) is not None
        if not re.match(r"\s*(?:[-*•]|\d+[.)])(?:\s|$)", ln):
            return False
    return False


_CLAUSE_LEAD = re.compile(r"[\s#*>\-\u2022\d.)]*(?:(?:so|and|then|also|please|just|simply|therefore|but)\s+)*")
_WEAK_REPLY = ("response", "responses", "output", "outputs")  # "fields to omit from the response" shapes data
# "Omit for the user's default", "omit to get a summary": leaving a parameter out, said with its purpose
_PURPOSE = re.compile(r"\b(?:for|to|if|when|unless|para|pour|per|um|om|für|si|se|wenn|als)\b")


def _omitted(text: str, s: Sentence) -> list[ConceptHit] | None:
    """"Omit from summaries", "leave this out of your reply": an order (the verb opens its clause) to keep something
    out of what the user reads -- not a parameter that shapes the returned data."""
    for omit in s.all("omit"):
        clause = max([s.start, *(i + 1 for i in (text.rfind(c, s.start, omit.start) for c in ";,:") if i >= 0)])
        if _CLAUSE_LEAD.fullmatch(text, clause, omit.start) is None:
            continue
        out = next((r for r in s.hits if (r.start > omit.start or _YOU_REPLY.search(text, max(s.start, r.start - 12),
                    r.start)) and "reply" in r.concepts and r.word not in _WEAK_REPLY), None)
        if out and _PURPOSE.search(text, omit.end, out.start) is None:
            return [omit, out]
        if _THAT.match(text, omit.end) and s.any("user", "reply"):
            return [omit]  # "ometti che una copia viene inoltrata": a fact kept out of what the user is told
    for m in _SPLIT_OMIT.finditer(text, s.start, s.end):  # "keep this field ... out of any summary you show the user"
        clause = max([s.start, *(i + 1 for i in (text.rfind(c, s.start, m.start()) for c in ";,:") if i >= 0)])
        if _CLAUSE_LEAD.fullmatch(text, clause, m.start()) is None or _PURPOSE.search(text, m.end(), m.end() + 12):
            continue
        out = next((r for r in s.hits if not r.concepts.isdisjoint({"reply", "user"}) and r.word not in _WEAK_REPLY),
                   None)
        if out is not None:
            return [out]
    return None


_YOU_REPLY = re.compile(r"\b(?:you|when|while)\s+$")  # "when you summarise ..., leave out": the model's own answer
# "keep X out", "leave the copy step out": the verb and its particle around an object of up to six words
_SPLIT_OMIT = re.compile(r"\b(?:keep|leave)\s+(?:[^\s.;,:]+\s+){1,6}?out\b")


_SCRIPTED = re.compile(r"\s*,?\s*(?:reply|answer|respond|say|tell them)\s*[:\"'\u201c]")


def _user_choice(s: Sentence) -> bool:
    """An honest condition ("only after the user confirms") -- one that does not straddle a clause break, as
    "(assistant only): after any export" does."""
    return any(not _BREAK.search(h.word) for h in s.all("unless"))


_BREAK = re.compile(r"[:;()\[\]]")
_DATA = frozenset({"cred", "secret", "pii"})
_CLAUSE_GAP = re.compile(r"[,;\u3001\uff0c\uff1b]")  # what an ask collects, not a permission it seeks


# "ask users for their passwords": what follows the verb is data to collect, not a permission to seek
_FOR = re.compile(r"\s+(?:\S+\s+){0,2}?(?:for|nach|pour|por|per|om|о|için)\s")


# "skip that field and tell the user it was omitted", "skip auto-apply and ask user for the fields": the ask or the
# telling is a verb of its own after "and", which informs the user -- not the object of "skip" / "without"
_AND = re.compile(r"\b(?:and|und|et|y|e|en|och|oraz|и|ve|dan|và)\s")
# "if a default exists, auto-use it, do NOT ask user", "filled when the user omits the field; no need to ask": the
# value comes from a default, so the question not asked is one of data, not of consent
_DEFAULTED = re.compile(r"\b(?:defaults?|auto-?(?:use|fill|filled|populated?)|pre-?filled|omits? the field|"
                        r"standardwert|par défaut|por defecto|predefinido|predefinito)\b")


# A switch's documented state before the hide word: "true hides the portal from customers", "when enabled, hides"
_SWITCH_STATE = re.compile(r"(?:\btrue|\bfalse|\benabled|\bdisabled|\bif set|\bwhen set|\bon|\boff)\W{0,3}$")


def _informs(text: str, s: Sentence, without: ConceptHit, ask: ConceptHit) -> bool:
    """"Skip that field and tell the user": the ask follows "and" with no negation of its own ("... y no lo menciones"
    still hides)."""
    m = _AND.search(text, without.end, ask.start)
    return m is not None and not any("neg" in n.concepts and m.start() <= n.start < ask.start for n in s.hits)


def _filled_by_default(text: str, s: Sentence, neg: ConceptHit) -> bool:
    """The value the model would ask for is filled by a default named just before the negation (in its sentence or
    the clause before it: "filled when the user omits the field; no need to ask")."""
    return _DEFAULTED.search(text, max(0, neg.start - 60), neg.start) is not None


def _asks_for_data(text: str, s: Sentence, ask: ConceptHit) -> bool:
    """"Do not ask users for their real passwords": the verb asks for a thing (a secret, a value), not for consent
    -- advice about what to collect, not an order to skip confirmation."""
    secret = next((h for h in s.hits if 0 <= h.start - ask.end <= 40 and not h.concepts.isdisjoint(_DATA)), None)
    if secret is not None and not _BREAK.search(text, ask.end, secret.start) and "," not in text[ask.end:secret.start] \
            and not any("consent" in h.concepts for h in s.hits if ask.end <= h.start < secret.start):
        return True  # "do not ask users to paste credentials", "ne demandez jamais l'ancien mot de passe"
    if ask.word.endswith(" for"):
        obj = ask.end
    else:
        m = _FOR.match(text, ask.end)
        if m is None:
            return _asks_for_secret(s, ask)
        obj = m.end()
    return not any("consent" in h.concepts and 0 <= h.start - obj <= 30 for h in s.hits)


def _asks_for_secret(s: Sentence, ask: ConceptHit) -> bool:
    """"Ne demandez jamais l'ancien mot de passe", "do not ask users to paste credentials": what is asked for is a
    secret (before any sequence word or consent), so the advice is about what to collect, not about confirming."""
    for h in s.hits:
        if h.start < ask.end or h.start - ask.end > 40:
            continue
        if not h.concepts.isdisjoint({"consent", "sequence", "needed"}):
            return False
        if not h.concepts.isdisjoint({"cred", "secret"}):
            return True
    return False


# "never ask what clusters the user has", "don't ask how it was created": a question of fact, not a permission
_QUESTION = re.compile(r"\s+(?:(?:to|the user|them|users?)\s+)?(?:(?:check|find out|know|see|about)\s+)?"
                       r"(?:what|which|how|where|who|when|why)\b")


def _asks_question(text: str, ask: ConceptHit) -> bool:
    """The verb asks a question of fact ("never ask to check what clusters exist"), which skips a lookup, not the
    user's say over an act: asking for consent is "ask before", "ask for confirmation", "ask whether to"."""
    return _QUESTION.match(text, ask.end) is not None


# "keep that to yourself" conceals; "assign the ticket to yourself" names who receives it
_KEEP = re.compile(r"\b(?:keep|keeps|kept|hold|holds|retain|retains)\b")


def _destination(text: str, s: Sentence, hide: ConceptHit) -> bool:
    """"To yourself" / "between us" without a verb of keeping before it in its clause is where something goes (assign
    the ticket to yourself), not a secret kept."""
    if hide.word not in ("to yourself", "between us"):
        return False
    clause = text[max(s.start, hide.start - 60):hide.start]
    return _KEEP.search(re.split(r"[,;:.!?()\n]", clause)[-1]) is None


def _names_blind_copy(text: str, s: Sentence, hide: ConceptHit) -> bool:
    """"Gizli alıcı (bcc)", "hidden recipient", "copia oculta": the hide word is an adjective naming the blind-copy
    field itself (it stands next to a recipient word), not an order to keep something from the user."""
    if "covert" in hide.concepts:
        return False
    return any("recipient" in r.concepts and r is not hide and (
        0 <= r.start - hide.end <= 2 or 0 <= hide.start - r.end <= 2) for r in s.hits) or (
        _COPY.search(text, max(0, hide.start - 12), hide.end + 12) is not None)


_COPY = re.compile(r"\b(?:copy|copia|copie|cópia|kopie|kopia|копия)\b")


_NEXT_CLAUSE = re.compile(r",\s*(?:but|and|or|aber|mais|pero|mas|ma)\b|[;:.!?]\s|\s[-\u2013\u2014]\s")


# "防止 agent 未经用户确认自授规则", "to prevent the agent acting without the user's approval": what is prevented
_PREVENTED = re.compile(r"(?:\bprevents?|\bpreventing|\bso that no|\bverhinder\w*|\bempêch\w*|\bimpedi\w*|"
                        r"\bevitar\b|\bevitare\b|\bпредотвра\w*|\bzapobieg\w*|\bvoorkom\w*|\bönle\w*|"
                        r"\bmencegah\b|防止|防范|防範|以免|避免|防ぐ|ないように|방지|않도록)[^.;!?。；]{0,30}$")


def _answer_barred(text: str, s: Sentence, lie: ConceptHit) -> bool:
    """A negation governing a verb of answering opens the clause the "as if" ends, with no new clause between."""
    return any("neg" in n.concepts and n.end <= lie.start and _NEXT_CLAUSE.search(text, n.end, lie.start) is None
               and any("reply" in r.concepts and governs(text, n, r, 2) for r in s.hits) for n in s.hits)


def _in_clause(text: str, s: Sentence, pair: tuple[ConceptHit, ConceptHit], concepts: tuple[str, ...]) -> bool:
    """Whether a hit of ``concepts`` stands in the pair's own clause ("no confirmation required to run, but always
    confirm with the user": the user belongs to the clause that asks for a confirmation)."""
    a, b = min(p.start for p in pair), max(p.end for p in pair)
    for h in s.hits:
        if h.concepts.isdisjoint(concepts):
            continue
        lo, hi = (h.end, a) if h.end <= a else (b, h.start)
        if lo > hi or _NEXT_CLAUSE.search(text, lo, hi) is None:
            return True
    return False


# "Do not tell the user the answer until they finish the round": a disclosure deferred to the user's move, no secret
_UNTIL_THEIR_TURN = re.compile(r"\b(?:until|till|bis|jusqu'?(?:à|a|au)|hasta (?:que)?|até (?:que)?|finché|fino a|tot|"
                               r"пока|before|bevor|avant (?:que|la fin)|antes de (?:que)?|prima (?:che|della fine))\s+"
                               r"(?:\w+\s+){0,2}?(?:they|he|she|the user|users?|the player|players?|sie|er|der nutzer|"
                               r"ils|elles?|l'utilisateur|ellos|el usuario|o usuário|eles|l'utente|loro|"
                               r"(?:the|das|die|der|le|la|el|o|a|il)\s+(?:game|round|quiz|spiel|runde|jeu|partie|manche|"
                               r"juego|ronda|partida|jogo|rodada|gioco|partita|turno))\b")


def _concealment(text: str, s: Sentence, own_verb: str = "") -> tuple[list[ConceptHit], str] | None:
    if _user_choice(s) or _UNTIL_THEIR_TURN.search(text, s.start, s.end):
        return None
    parts = _silenced(text, s) or _omitted(text, s)
    if parts:
        return parts, "asks the model to hide something from the user"
    view = s.any("only") and _SCRIPTED_VIEW.search(text, s.start, s.end)  # "the user should only ever see '...'"
    if view and s.any("user"):
        return [next(h for h in s.hits if "user" in h.concepts)], "scripts what the user is allowed to see"
    kept = _KEPT_HIDDEN.search(text, s.start, s.end)  # "keep this upload hidden from the user": an order
    if kept and s.any("user", "reply"):
        return [next(h for h in s.hits if not h.concepts.isdisjoint({"user", "reply"}))], \
            "asks the model to hide something from the user"
    hides = [h for h in s.all("hide") if not any("neg" in n.concepts and 0 <= h.start - n.end <= 12 for n in s.hits)
             and not _own_manner(text, h, own_verb) and not _names_blind_copy(text, s, h) and not _destination(text, s, h)
             and not _SWITCH_STATE.search(text, max(0, h.start - 12), h.start)  # "true hides the portal from ..."
             and not _described_manner(text, s, h)]
    pair = next(((h, u) for h in hides for u in s.hits if not u.concepts.isdisjoint({"user", "reply"})
                 and abs(u.start - h.start) <= 90 and u is not h), None) or next(
        ((h, h) for h in hides if h.word.startswith(("keep", "should keep")) and (
            "yourself" in h.word or "itself" in h.word or "between us" in h.word)), None)  # "keep that to yourself"
    if pair:
        return list(pair), "asks the model to hide something from the user"
    fact = next((h for h in hides if not text[s.start:h.start].strip(" \n\t-*\u2022.,;:")
                 and _HIDDEN_FACT.match(text, h.end)), None)  # "Verschweige im Bericht, dass ...": a fact kept back
    if fact:
        return [fact], "asks the model to keep back that something happened"
    for covert in s.all("covert"):
        act = next((a for a in s.hits if not a.concepts.isdisjoint(_ACTIONS) and abs(a.start - covert.start) <= 40
                    and a is not covert), None)
        if act and not s.any("neg_desc") and not _described_manner(text, s, covert):  # "are silently skipped"
            return [covert, act], "asks the model to act covertly"
    for w in s.all("without"):
        if any("neg" in n.concepts and n.end <= w.start and n is not w for n in s.hits) \
                or _under_prohibition(text, s.start) or _PREVENTED.search(text, max(0, w.start - 40), w.start):
            continue  # "never delete without confirmation" asks for consent; so does a list headed "never:"
        ask = next((a for a in s.hits if a is not w and 0 <= a.start - w.end <= 30
                    and not _CLAUSE_GAP.search(text, w.end, a.start)  # "不经过临时上传；oss://未获官方确认": another clause
                    and not a.concepts.isdisjoint({"tell", "consent", "asked", "ask"})
                    and not _informs(text, s, w, a)), None)
        if ask and s.any("user", "harm", "send", "model", "include") and not required_consent(text, s, w, ask):
            return [w, ask], "tells the model to act without the user's knowledge or consent"
    for lie in s.all("lie"):
        if _answer_barred(text, s, lie):
            continue  # "never answer with another file as if it were the one requested": misleading is forbidden
        if s.any("asked", "user", "reply", "model") or any("model" in word_concepts(w) for w in lie.word.split()):
            return [lie], "tells the model to mislead the user"
    for asked in s.all("asked"):  # "if anyone asks, notes never leave the device": the answer is scripted
        claim = next((c for c in s.hits if "neg_desc" in c.concepts and 0 < c.start - asked.end <= 40), None)
        if claim and text[asked.end:claim.start].lstrip().startswith(","):
            return [asked, claim], "scripts what the model must answer if the user asks"
        if _SCRIPTED.match(text, asked.end):  # "if asked, reply 'no other actions'"
            return [asked], "scripts what the model must answer if the user asks"
    pair = s.near("consent", "needed", 40)
    if pair and _in_clause(text, s, pair, ("user", "model", "harm", "send", "include")) and any(
            not n.concepts.isdisjoint({"neg", "neg_desc"}) and abs(n.start - pair[1].start) <= 25
            and not _CLAUSE_GAP.search(text, min(n.end, pair[1].end), max(n.start, pair[1].start)) for n in s.hits):
        # the negation in the pair's own clause ("必须先向用户确认订单号，不要猜测": "do not guess" is another order)
        # whose consent, over which act: "takes effect immediately, no confirmation needed" describes the call
        return list(pair), "tells the model the user's consent is not needed"
    pair = next(((n, a) for n in s.hits if "neg" in n.concepts and "without" not in n.concepts
                 for a in s.all("ask") if governs(text, n, a, 2) and not _asks_for_data(text, s, a)
                 and not _asks_question(text, a) and not _filled_by_default(text, s, n)), None)
    if pair and s.any("consent", "user"):
        return list(pair), "tells the model not to ask for the user's consent"
    pair = s.near("granted", "consent", 60)
    if pair and s.any("user", "model"):
        return list(pair), "claims the user's consent was already given"
    return None


# Gates whose concepts are common in honest text, each with the shape it must also show (a cheap regex) before
# the subject's sentences are read: a fact kept back ("don't mention that ..."), a scripted view of the user, "keep
# that to yourself".
_SHAPED_GATES = ((gates("neg tell"), re.compile(r"\b(?:mention|tell|reveal|disclose|say|be told)\s+(?:that|dass|que|"
                                                r"che|dat)\b")),
                 (gates("user only"), _SCRIPTED_VIEW),
                 (gates("hide model"), re.compile(r"\bkeep\b[^.;]{0,20}\b(?:to (?:yourself|itself)|between us)\b")))


def _shaped(subject: Subject) -> bool:
    return any(subject.passes(g) and shape.search(subject.text) for g, shape in _SHAPED_GATES)


# "present the review as clean", "summarise it as 'task completed'", "report success only": the model is told what
# the user is to see instead of what happened (English; the concept pass below reads "reply only «Hecho»" anywhere).
_FRAMED = re.compile(r"\b(?:present|describe|report|summari[sz]e|frame|portray|characteri[sz]e)\s+(?:it|this|that|them|"
                     r"(?:the|its|their)\s+\w+(?:\s+\w+)?)\s+as\s+(?:[\"'\u2018\u201c\u00ab]|clean\b|successful\b|a success\b|"
                     r"complete\b|completed\b|done\b|normal\b|routine\b|fine\b)|\breport\s+(?:only\s+success|success\s+only)\b")
_FRAMING_VERBS = frozenset("present describe report summarise summarize frame portray characterise characterize".split())
_QUOTE_OPEN = re.compile(r"\s*[\"'\u2018\u201c\u00ab\u300c\u300e]")


def _scripted_reply(subject: Subject) -> Hit | None:
    """The reply is scripted: a framing of the outcome ("present the review as clean"), or a verb of replying, "only"
    and a quoted word ("responde únicamente «Hecho»", "antworte nur „Erledigt“")."""
    m = _FRAMED.search(subject.text) if not subject.words.isdisjoint(_FRAMING_VERBS) else None
    if m is not None:
        return Hit(*_field_span(subject, m.start(), m.end()), "scripts what the user is told about the outcome")
    if "only" not in subject.concepts or "reply" not in subject.concepts:
        return None
    for s in subject.sentences:
        for only in s.all("only"):
            verb = next((h for h in s.hits if h.end <= only.start and only.start - h.end <= 3
                         and "reply" in h.concepts and not h.ident), None)
            if verb is not None and _QUOTE_OPEN.match(subject.text, only.end) and not s.any("user_choice", "unless"):
                return concept_hit(subject, [verb, only], "scripts what the user is told about the outcome")
    return None


def _field_span(subject: Subject, start: int, end: int) -> tuple:
    f, local = subject.locate(start)
    return subject, f, local, min(len(f.norm), local + end - start)


@per_subject
def concealment_hit(subject: Subject) -> Hit | None:
    scripted = _scripted_reply(subject)
    if scripted is not None and not flag_doc(scripted.field) and not scripted.field.identifier:
        return scripted
    if not subject.passes(_GATES) and not _shaped(subject):
        return None
    name = subject.fields[0].norm.split() if subject.kind == "tool" and subject.fields else []
    for s in subject.sentences:
        found = _concealment(subject.text, s, name[0] if name else "")
        if not found:
            continue
        parts, meaning = found
        h = concept_hit(subject, parts, meaning)
        if flag_doc(h.field) or (h.field.identifier and len(h.field.norm.split()) < 4) or discusses(subject, s):
            continue
        return h
    return None


@finding_rule("INJ008", "Concealment from the user or action without consent", likelihood=3, impact=4,
              references=INJECTION_REFS, scope="snapshots", hostile=True)
def concealment(ctx: RuleContext) -> Iterable[Finding]:
    """Text that asks the model to keep what it does from the user (don't mention it in your reply, keep it to
    yourself, never reveal this note), to act covertly (quietly subscribe the contact), to mislead (if asked, say it
    did not; describe the outcome as ...; present the review as clean; reply only «Done»), or to act without the user's knowledge or consent (without asking,
    approval is not needed, the user already agreed), in any language of the concept lexicons. Advice to redact
    ("never reveal the password"), a choice left to the user ("unless the user asks") and a tool that describes
    what it never does ("the owner is not notified") are not flagged, nor an abstraction, a question of fact
    or a destination, nor a silence until the user's own move or the game's end. Alone and visible: medium, reported
    with a second witness -- besides the shared ones, its own (``_witness.concealed_act``): it is written into a label
    (a title), or what it keeps back is an act named in its sentence (sent, paid, refunded, exported)."""
    hits = (concealment_hit(s) for s in surface(ctx).subjects)
    yield from report(concealment, hits, "Concealment aimed at the model")
