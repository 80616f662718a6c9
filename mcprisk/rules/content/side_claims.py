"""Hidden side actions read against the whole tool: what one call can do (a reader by its name's verb or its
readOnlyHint, a schema with no parameter naming the act) set against what its text -- any field -- claims the call
also does or orders the model to do. Used by ``side.py`` after its phrase-and-structure reading.

An act is *severe* when the classifier's verb classes put it above a reversible edit (``high_cost``,
``customer_visible``, ``destructive``: send, pay, delete, publish ...) or it is one of the few reversible verbs that
hand something to someone else (grant, share, subscribe, fork, enable, reassign); in the other languages, the
concept lexicons' act families (``harm``, ``act``, ``acted``, ``send``, ``harm_any``). The text claims it when the
sentence ties it to the call or to the model -- a sequence or "byproduct" word before it ("after reading",
"попутно", "取得後"), an address to the model, the act opening its clause (an imperative), or the user's say
waived in the subject ("no need to ask", "確認は不要") -- and the act is not held back (a negation, a user
condition, a consent asked), not a capability ("you can delete"), not a pointer or a purpose ("to delete, use"),
not a relative or attributive word ("deleted items", "messages that were sent") and not explained by the tool's own
parameters.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from importlib import resources

from ...classify.lexicon import lexicon
from ..._packaged import load_yaml
from ._concepts import BREAKS, ConceptHit, Sentence, fold, glued_script, word_concepts
from ._concepts import lexicon as concept_lexicon
from ._consent import governs_other_verb, required_consent
from ._surface import Subject, Surface

__all__ = ["claimed_act", "glued_nominal", "own_switch", "severe_verbs", "waived_say"]

# Classifier verbs of a severe class that, in prose, mostly name something else ("run the query", "write a summary").
_NOT_ACTS = frozenset("run runs exec execute executes eval evaluate evaluates write writes replace replaces force "
                      "script shell bash sql invoke invokes spawn release releases quote mention like merge merges "
                      "empty clear clears order orders reset resets review_submit react reacts launch launches "
                      "train trains map block blocks comment comments reply replies respond responds message messages "
                      "push pushes migrate migrates alter alters finalize finalise halt abort aborts expire taint "
                      "cordon drain evict dial page_someone nudge remind reminds greet rate unlike clean void discard discards "
                      "provision provisions deploy deploys kill kills destroy destroys uninstall uninstalls rotate "
                      "rotates flush flushes ban bans kick kicks dispose recycle refuse spend spends bid rent mint "
                      "vote unpublish decline declines reject rejects announce promote advertise escalate escalates "
                      "rm rmdir del unlink nuke shred cleanup prune prunes terminate terminates".split())
# Reversible verbs that hand something to someone else or widen access: as severe as a send on a reader.
_HANDING = ("grant grants granted share shares shared subscribe subscribes subscribed enrol enrols enroll enrolls "
            "enrolled enrolled fork forks forked reassign reassigns reassigned invite invites invited upgrade upgrades "
            "upgraded star stars approve approves transfer transfers transferred publish publishes published forward forwards forwarded upload "
            "uploads uploaded pay pays paid charge charges charged deleted removed sent posted emailed notified "
            "cancelled canceled revoked purged wiped erased destroyed refunded purchased bought emailed texted").split()


@functools.lru_cache(maxsize=1)
def severe_verbs() -> frozenset[str]:
    """English words of a severe act: the classifier's high-cost, customer-visible and destructive verbs (less
    those that in prose name something harmless) and the handing-over verbs."""
    verbs = {w for w, effect in lexicon().verbs.items() if effect in ("high_cost", "customer_visible", "destructive")
             and "_" not in w and w not in _NOT_ACTS}
    return frozenset(verbs | set(_HANDING))


_ACT_CONCEPTS = frozenset({"harm", "act", "acted", "send", "harm_any"})
_TIES = frozenset({"sequence", "byproduct", "model", "always"})
_WORD = re.compile(r"[a-z]+")
# Words right before an act that make it a capability, a condition, a purpose or a thing, not a claim.
_NOT_CLAIM = frozenset("can could may might able allows allow lets let possible if when whenever unless before after "
                       "until without for to not never no don't doesn't won't cannot nor the a an of with from by in "
                       "on its their your all any recently previously already being been whether how what which "
                       "that who whose where".split())
_LEADERS = frozenset("then also and please immediately automatically silently quietly additionally finally next "
                     "now first afterwards".split())
_CAPABILITY = re.compile(r"\b(?:can|could|may|might|able to|allows?|lets?|possible|optional(?:ly)?|supports?|"
                         r"kann|können|peut|peuvent|puede|pueden|pode|podem|può|possono|kan|mogą|может)\b")
_CLAUSE = re.compile(r"[,;:.!?()\n\u3001\uff0c\u3002\uff1a\uff1b\u2014\u2013\u0964]")
_WAIVER_WORDS = frozenset({"consent", "needed", "ask"})
_CLAUSE_END_AFTER = re.compile(r"\s*(?:[,;:.!?\n\u3002\uff0c\uff1b]|$)")


@functools.lru_cache(maxsize=1)
def _grammar() -> tuple[frozenset[str], frozenset[str]]:
    """The classifier's noun-like verbs ("post", "email", "charge") and the words that show a verb takes an object."""
    lex = lexicon()
    return frozenset(lex.noun_verbs), frozenset(lex.grammar.get("determiners", ()))


# "call billing.upgrade", "invoke crm.share": a tool called by a dotted name whose last word is a severe act
_CALLED = re.compile(r"\b(?:call|invoke|trigger|run)\s+[a-z][a-z0-9_]*\.$")
# Words after which a base form is an order or a finite verb ("then delete", "you must share", "it also sends").
_SUBJECTS = frozenset("you must should will shall it this also then and please automatically additionally silently "
                      "quietly immediately finally afterwards next now always".split())
_EXAMPLE_BEFORE = re.compile(r"\b(?:e\.\s?g\.|i\.\s?e\.|for (?:example|instance)|such as)[,:]?\s*\(?$")
_PARTICIPLE = frozenset("sent paid bought shared posted published deleted removed forwarded uploaded".split())


def _english_acts(subject: Subject, s: Sentence) -> Iterator[ConceptHit]:
    """Severe English act words in the sentence, as verbs: a base form opening its clause or after a word that makes
    it an order or a finite verb ("then delete", "it also sends"), with an object when the word is as often a noun
    ("email the customer", not "a contact email"); participles are left to the described-act reading."""
    text, verbs = subject.text, severe_verbs()
    present = subject.memo.get("severe_words")
    if present is None:
        present = subject.memo["severe_words"] = tuple(subject.words & verbs)
    segment = text[s.start:s.end]
    if not present or not any(w in segment for w in present):
        return
    nouns, dets = _grammar()
    for m in _WORD.finditer(text, s.start, s.end):
        w = m.group(0)
        if w not in verbs or w in _PARTICIPLE or w.endswith("ed") or text[m.end():m.end() + 1] in ("_", "-", "'", '"', "`"):
            continue
        if m.start() and text[m.start() - 1] in "_-'\"`/.":
            if _CALLED.search(text, max(s.start, m.start() - 60), m.start()):
                yield ConceptHit(m.start(), m.end(), frozenset({"harm"}), w)  # "call billing.upgrade with ..."
            continue
        if _EXAMPLE_BEFORE.search(text, max(s.start, m.start() - 16), m.start()):
            continue  # "(e.g., forward slashes on Unix)": an example of a value, not an act
        start = s.start
        for c in _CLAUSE.finditer(text, s.start, m.start()):
            start = c.end()
        lead = text[start:m.start()].translate(BREAKS).split()
        if lead and lead[-1] not in _SUBJECTS:
            continue
        if lead and lead[-1] in _NOT_CLAIM:
            continue
        nxt = text[m.end():m.end() + 30].translate(BREAKS).split()[:1]
        if (w in nouns or w.endswith("s")) and not (nxt and (nxt[0] in dets or "det" in word_concepts(nxt[0]))):
            continue
        yield ConceptHit(m.start(), m.end(), frozenset({"harm"}), w)


@functools.lru_cache(maxsize=1)
def _english_entries() -> frozenset[str]:
    """The English lexicon's act words (read by the verb classes above, with English grammar)."""
    data = load_yaml(resources.files("mcprisk.catalog").joinpath("concepts/en.yaml").read_text(encoding="utf-8"))
    concepts = data.get("concepts") or {}
    return frozenset(fold(str(w)).rstrip("*") for c in _ACT_CONCEPTS - {"harm_any"} for w in concepts.get(c) or ()
                     if " " not in str(w))


_EN_FUNCTION = re.compile(r"\b(?:the|and|of|is|are|with|for|your|this)\b")
_CLITIC = re.compile(r"-(?:o|a|os|as|lo|la|los|las|le|les|se|me|te|nos|lhe|lhes)\b")


def _concept_acts(subject: Subject, s: Sentence) -> Iterator[ConceptHit]:
    """Act words the concept lexicons find in the other languages (English single words are read by the verb classes
    above); a Romance imperative with its pronoun ("cancele-o", "envíalo") is a verb, not an identifier."""
    text, english = subject.text, _english_entries()
    in_english = len(_EN_FUNCTION.findall(text, s.start, s.end)) >= 2
    participles = {(h.start, h.end) for h in s.hits if "acted" in h.concepts}
    for h in s.hits:
        if h.concepts.isdisjoint(_ACT_CONCEPTS) or h.word in english or in_english and h.word.isascii():
            continue  # "configured by your administrator": an English word another language spells alike
        if h.ident and not (_CLITIC.match(text, h.end) and text[h.start - 1:h.start] not in ("_", "-")):
            continue
        if (h.start, h.end) in participles and not _after_aux(text, s, h):
            continue  # "платежи, отменённые до обработки", "(envoyé à l'API)": a participle describing a noun
        if _attributive(text, h):
            continue  # "Платежи, отменённые до обработки", "アーカイブ済みのビルド": a state of what is read
        yield h


def _after_aux(text: str, s: Sentence, h: ConceptHit) -> bool:
    """A passive or perfect auxiliary stands in the participle's clause before it ("wird ... gelöscht", "sera
    envoyé"): the participle is the clause's verb, not an attribute of a noun."""
    start = s.start
    for m in _CLAUSE.finditer(text, s.start, h.start):
        start = m.end()
    return any("aux" in word_concepts(w) for w in text[start:h.start].translate(BREAKS).split()[-6:])


# Scripts written without spaces drop the subject, so an act word opening its clause is as often a statement of what
# the service does ("覆盖深圳等10+城市": covers ten cities) or the head of a noun ("提交起始时间": commit time) as an
# order. An order there shows itself: a polite imperative, or the act's object marked right after it.
_GLUED_POLITE = re.compile(r"请|請|ください|下さい|しなさい|세요|십시오|주세요|하라")
_GLUED_OBJECT = re.compile(r"\s*(?:所有|全部|一切|该|該|此|这|這|其|掉|给|給|至|到|を|을|를|すべて|全て|모든)")
# ...and an act word is a noun or an attribute when a relative or resultative marker, a topic particle or the noun
# it qualifies follows it ("发布的", "アーカイブ済み", "삭제된", "削除は … を使用", "发布时间"), when "all" stands
# right before it ("所有发布流程": all release workflows), or when it lies in the object of the read verb that opens
# its clause, with no chaining word between ("查询应用下所有发布流程").
_GLUED_ATTRIBUTE = re.compile(r"的|[\u3041-\u3093]?済|された|된\b|된\s|한\s|は|には|では|는\s|은\s|"
                              r"(?:时间|日期|时刻|状态|人|者|版本|流程|历史|进度|方式|日時|状況|履歴|件数|일시|날짜|상태|내역|"
                              r"기?\s?(?:저장소|모드|옵션|기능|방식|권한|여부))")  # Korean: "덮어쓰기 저장소", an overwrite store
_GLUED_ALL_BEFORE = re.compile(r"(?:所有|全部|一切|すべての|全ての|모든\s?)$")
# A verb of basing, offering or sourcing, then (no chaining word, clause end or polite imperative) the act word: the
# act word qualifies that verb's object ("基于公开接口" built on public APIs, "提供公开内容" offers public content).
_GLUED_FRAME = re.compile(r"(?:基于|基於|提供|来自|來自|依据|依據|源自|に基づ|を提供|기반으로|제공하는)"
                          r"[^\n，。；：、,.;:请請后後并並再然]{0,12}?(?:[和与與及][^\n，。；：、,.;:请請后後并並再然]{0,8})?$")
_GLUED_CHAIN = re.compile(r"[后後并並再且然又还還就便]|して|してから|した|하고|한\s?후|고\s|뒤|後に|後で|、|，")


def glued_nominal(subject: Subject, s: Sentence, act: ConceptHit) -> bool:
    """In a script written without spaces, the act word names a thing or a state rather than an act: followed by a
    relative or resultative marker, right after "all", or inside the object of the read verb opening its clause."""
    text = subject.text
    if _GLUED_ATTRIBUTE.match(text, act.end) or _GLUED_ALL_BEFORE.search(text, max(s.start, act.start - 4), act.start):
        return True
    if _GLUED_FRAME.search(text, max(s.start, act.start - 16), act.start):
        return True  # "基于…公开接口和公开页面提供公开内容": public APIs and content the service is built on or offers
    start = s.start
    for m in _CLAUSE.finditer(text, s.start, act.start):
        start = m.end()
    read = next((h for h in s.hits if start <= h.start < act.start and "read_verb" in h.concepts), None)
    if read is None or act.start - read.end > 12 or _GLUED_CHAIN.search(text, read.end, act.start):
        return False
    return not any(read.end <= h.start < act.start and not h.concepts.isdisjoint(_TIES | {"byproduct"})
                   for h in s.hits)


def _glued_order(subject: Subject, s: Sentence, act: ConceptHit) -> bool:
    """A glued-script act is an order: a polite imperative in its sentence or its object marked right after it."""
    return bool(_GLUED_OBJECT.match(subject.text, act.end) or _GLUED_POLITE.search(subject.text, s.start, s.end))


# A participle that describes a noun rather than tells an act: Slavic adjectival participle endings, Japanese
# "済み" (already done) and Chinese "已…的" after the act word.
_SLAVIC_ADJECTIVAL = re.compile(r"(?:нн|т|вш|щ)(?:ый|ий|ая|яя|ое|ее|ые|ие|ых|их|ым|им|ой|ую|юю)$")
_WORD_END = re.compile(r"\w*")


def _attributive(text: str, h: ConceptHit) -> bool:
    """The act word is an adjectival participle ("отменённые платежи") or a state marker follows it ("削除済み")."""
    after = text[h.end:h.end + 2]
    if after.startswith(("済", "ずみ")):
        return True
    word = text[h.start:_WORD_END.match(text, h.end).end()]
    return bool(_SLAVIC_ADJECTIVAL.search(word))


def _tied(subject: Subject, s: Sentence, act: ConceptHit, waived: bool) -> bool:
    """The sentence ties the act to the call or the model: a sequence, "byproduct" or "always" word or an address to
    the model before it, or the user's say waived in the subject; or the act opens its clause as an order with an
    object ("remove any object older than ...", not "send raw `<`", "hide: remove from view")."""
    text = subject.text
    nxt = text[act.end:act.end + 30].translate(BREAKS).split()[:1]
    obj = bool(nxt) and (not {"det", "all", "user"}.isdisjoint(word_concepts(nxt[0])) or nxt[0][:1].isdigit()
                         or text[act.end:act.end + 2].strip()[:1] in ("'", '"', "$", "/"))
    if _CLITIC.match(text, act.end) and text[act.end - 1:act.end].isalpha():
        obj = True  # "cancele-o", "envíalo": the pronoun after the imperative is its object
    if glued_script(act.word):
        if glued_nominal(subject, s, act):
            return False
        obj = _glued_order(subject, s, act)
    elif not act.word.isascii() and not obj:
        # an inflected verb of another language carries its object in its ending or after it; after a copula the
        # word is a state ("sind öffentlich zugänglich")
        lead = text[max(s.start, act.start - 30):act.start].translate(BREAKS).split()
        obj = not (lead and "aux" in word_concepts(lead[-1]))
    if obj and nxt and nxt[0] in _PRONOUNS and subject.locate(act.start)[0].schema:
        return False  # "send it raw" in a parameter's description: "it" is the value passed
    if any(not h.concepts.isdisjoint(("byproduct", "model")) and h.start < act.start for h in s.hits):
        return True
    if waived or any(h.start < act.start and not h.concepts.isdisjoint(_TIES) for h in s.hits):
        return obj  # "after receiving a reply, send acknowledgement": an order needs its object
    start = s.start
    for m in _CLAUSE.finditer(text, s.start, act.start):
        start = m.end()
    if text[start - 1:start] == ":":
        return False  # "hide: remove from view": a definition
    lead = [w for w in text[start:act.start].translate(BREAKS).split() if w not in _LEADERS]
    verbs = lexicon().verbs
    chained = 2 <= len(lead) <= 3 and lead[0] in verbs and text[start:act.start].rstrip().endswith((" and", " then"))
    return (not lead or chained) and obj and subject.kind == "tool"  # a guide's steps ("remove the legacy header") are its topic


_PRONOUNS = frozenset("it this them these that".split())
_LISTED_WORD = re.compile(r"\s*(?:[,)/]|etc\b|(?:and|or)\s+(?:[a-z]+\s*,|[a-z]+\s*\)))")


def _in_list(subject: Subject, s: Sentence, act: ConceptHit) -> bool:
    """The act word is an item of a list ("upload, list, delete, etc.", "select, insert, delete"), or the sentence
    opens with a negation that the list carries ("does not poll, read a local path, upload a file")."""
    text = subject.text
    if _LISTED_WORD.match(text, act.end) or text[max(s.start, act.start - 2):act.start] == ", " and \
            re.match(r"\s*(?:,|and\b|or\b)", text[act.end:]):
        return True
    return text[max(s.start, act.start - 2):act.start] == ", " and _NEG_LIST.search(
        text, max(0, act.start - 160), act.start) is not None


# "does not poll, read a local path, upload a file": a negation whose list reaches the act
_NEG_LIST = re.compile(r"\b(?:not|never|no|n't|nor)\b[^.;:!?]*$")


# "Upstage로 전송 없음" (no sending to Upstage), "无需发送", "送信なし": a noun of the act, then "none" -- it does not happen
_NONE_AFTER = re.compile(r"\s?(?:없음|없이|없습니다|없다|하지 않|되지 않|안 함|なし|無し|しない|されない|不会|无|無)")


# "yyyy-MM-dd al enviar", "beim Senden", "lors de l'envoi": the act is the time a format or rule applies
_WHEN_DOING = re.compile(r"(?:^|\s)(?:al|ao|beim|lors de l'|lors de|lors du|au moment de|nell'atto di)\s*$")


def _held(subject: Subject, s: Sentence, act: ConceptHit) -> bool:
    """A negation governs the act, a condition the user holds or a consent asked for stands in the sentence, the act
    is a capability, or someone else does it ("by the nightly job")."""
    text = subject.text
    if s.any("unless"):
        return True
    near = text[max(s.start, act.start - 30):act.start]
    if _CAPABILITY.search(near) or _NONE_AFTER.match(text, act.end) or _WHEN_DOING.search(near):
        return True
    for h in s.hits:
        if h.start >= act.start and h.start - act.end > 12:
            continue
        if not h.concepts.isdisjoint(("neg", "neg_desc")) and "without" not in h.concepts \
                and (0 <= act.start - h.end <= 16 or "neg_after" in h.concepts and 0 <= h.start - act.end <= 12):
            return True
    if _CLAUSE_END_AFTER.match(text, act.end) and any(
            not h.concepts.isdisjoint(("neg", "neg_desc")) and h.end <= act.start
            and not _CLAUSE.search(text, h.end, act.start) for h in s.hits):
        return True  # "Bitte keine Koordinaten ... senden;": a verb-final clause its opening negation governs
    for c in s.all("consent"):
        if not any(n is not c and not n.concepts.isdisjoint(("neg", "neg_after", "without", "needed"))
                   and abs(n.start - c.start) <= 24 for n in s.hits):
            return True  # "after the user confirms": the user's say is asked for, not dropped
    follow = text[act.end:act.end + 24].split()
    return len(follow) >= 2 and follow[0] in ("by", "von", "par", "por", "door", "da") and \
        "det" in word_concepts(follow[1])


def _waivers(subject: Subject) -> list[int]:
    """Where the subject drops the user's say: a consent, a need or an ask beside a negation or a "without" ("no
    need to ask", "do not ask", "確認は不要", "अनुमति ... ज़रूरत नहीं", "hoeft niet ... voorgelegd"), by sentence start."""
    if "consent" not in subject.concepts and "ask" not in subject.concepts and "needed" not in subject.concepts:
        return []
    out = []
    for s in subject.sentences:
        asks = [h for h in s.hits if not h.concepts.isdisjoint(_WAIVER_WORDS)]
        if any(not n.concepts.isdisjoint(("neg", "neg_after", "without")) and abs(n.start - a.start) <= 24
               and n is not a and not _kept_say(subject.text, s, n, a) for a in asks for n in s.hits) \
                and not s.any("unless"):
            out.append(s.start)
    return out


def _kept_say(text: str, s: Sentence, n: ConceptHit, ask: ConceptHit) -> bool:
    """The negation near the consent word keeps the user's say: "nothing is sent without approval" (a double
    negation) or "確認なしに共有しないで" (the negation governs the sharing), ``_consent``."""
    if "without" in n.concepts:
        return ask.start > n.start and required_consent(text, s, n, ask)
    return governs_other_verb(text, s.hits, n, ask)


def waived_say(subject: Subject) -> bool:
    """Whether the subject drops the user's say anywhere ("no need to ask", "do not ask before purging")."""
    got = subject.memo.get("side_claims.waived")
    if got is None:
        got = subject.memo["side_claims.waived"] = bool(_waivers(subject))
    return got


def _explained(subject: Subject, act: ConceptHit) -> bool:
    """The tool's own parameters name the act ("notify": true, "delete_after"): the schema says a call can do it."""
    stem = act.word[:5]
    return len(stem) >= 4 and any(f.kind == "key" and f.path.startswith("inputSchema") and any(
        w.startswith(stem) for w in f.norm.split()) for f in subject.fields)


_LISTED = re.compile(r"\benum\b|\bexamples?\b|\banyOf\b|\boneOf\b|\bconst\b|\[\d+\]")


def _prose(subject: Subject, act: ConceptHit) -> bool:
    """The act stands in prose the model reads as a statement: not a short name, key or value (an enum choice, a
    status filter), not a listed example, and not a word of the subject's own name (``prompt:create_and_upload``)."""
    f, _ = subject.locate(act.start)
    if f.kind in ("name", "key") or _LISTED.search(f.path) or len(f.norm.split()) < 4 and len(f.norm) < 24:
        return False
    return act.word[:4] not in subject.name.lower()


def _own_tool(subject: Subject, surf: Surface, act: ConceptHit) -> bool:
    """Another tool of the same server does the act by its name (``send_message`` beside a server's "after reading,
    send an acknowledgement"): a workflow pointer to the server's own tools, not a hidden act."""
    stem = act.word.split()[0][:4]
    return len(stem) >= 4 and any(n.lower() != subject.name.lower() and stem in n.lower()
                                  for n in surf.tools_by_server.get(subject.server, ()))


@functools.lru_cache(maxsize=512)
def _word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(word)}\b")


@functools.lru_cache(maxsize=1)
def _foreign_act_starts() -> frozenset[str]:
    """Words (and first words of phrases and stems) that open an act of the lexicons in a language other than English:
    a cheap look at a subject's word set before its concept positions are worked out."""
    lex, english = concept_lexicon(), _english_entries()
    out = {w for w, cs in lex.exact.items() if not cs.isdisjoint(_ACT_CONCEPTS) and w not in english}
    out |= {pair[0] for pair, entries in lex.phrases.items() for _, joined, cs in entries
            if not cs.isdisjoint(_ACT_CONCEPTS) and joined.strip() not in english}
    return frozenset(out)


def _foreign_candidate(subject: Subject) -> bool:
    """An act word of another language may stand in the subject: a glued script, a non-English act word or stem."""
    if subject.concepts.isdisjoint(_ACT_CONCEPTS):
        return False
    if subject.glued or not subject.words.isdisjoint(_foreign_act_starts()):
        return True
    stems = concept_lexicon().stems
    english = _english_entries()
    return any(stem not in english and w.startswith(stem) and not cs.isdisjoint(_ACT_CONCEPTS)
               for w in subject.words if len(w) >= 4 and not w.isascii() or w[:4] in stems
               for stem, cs in stems.get(w[:4], ()))


def _english_candidate(subject: Subject) -> bool:
    """A cheap first look, before the subject's sentences are built: a severe English word stands where an order or
    a finite verb can (after "then", "also", "you" ... or opening a clause)."""
    present = subject.memo.get("severe_words")
    if present is None:
        present = subject.memo["severe_words"] = tuple(subject.words & severe_verbs())
    text = subject.text
    waiver = not subject.concepts.isdisjoint(_WAIVER_WORDS) and "neg" in subject.concepts
    for w in present:
        for m in _word_pattern(w).finditer(text):
            if m.start() and text[m.start() - 1] in "._":
                if _CALLED.search(text, max(0, m.start() - 60), m.start()):
                    return True
                continue
            before = re.split(r"[.!?\n]\s", text[max(0, m.start() - 80):m.start()])[-1]
            words = before.translate(BREAKS).split()
            opening = not words or _CLAUSE.search(before[-3:]) is not None
            if not (opening or words[-1] in _SUBJECTS):
                continue
            if waiver or _TIE_WORDS.search(before) or opening and _DET_NEXT.match(text, m.end()):
                return True
    return False


# Words that tie an act to the call or the model, read on the raw window before a candidate act (a cheap look).
_TIE_WORDS = re.compile(r"\b(?:also|then|after|afterwards|once|you|your|please|automatically|additionally|each|every|"
                        r"whenever|while|too|part of|assistants?|agents?|model|finally|first|next|now|always|before)\b")
_DET_NEXT = re.compile(r"\s+(?:the|a|an|all|any|every|each|this|these|those|its|their|it|them|[0-9'\"$/])")


def claimed_act(subject: Subject, surf: Surface) -> tuple[Sentence, ConceptHit] | None:
    """The first sentence of a reader's text that claims the call also performs, or orders the model to perform, a
    severe act its effect and schema do not explain, with the act's words."""
    concepts = subject.concepts
    english = _english_candidate(subject)
    if not english and not _foreign_candidate(subject):
        return None
    waivers = _waivers(subject)
    for s in subject.action_sentences:
        waived = any(s.start <= w <= s.end + 2 for w in waivers)  # the act's sentence or the one right after it
        if not waived and not s.any(*_TIES) and not s.any(*_ACT_CONCEPTS) and not english:
            continue
        for act in (*_english_acts(subject, s), *_concept_acts(subject, s)):
            if _tied(subject, s, act, waived) and not _held(subject, s, act) and not _explained(subject, act) \
                    and _prose(subject, act) and not _in_list(subject, s, act) and not _own_tool(subject, surf, act):
                return s, act
    return None


_SWITCH = re.compile(r"`?([A-Za-z_][\w-]*)`?\s*(?:=|:)\s*(?:true|false|yes|no|on|off|1|0)\b", re.IGNORECASE)


def own_switch(subject: Subject, s: Sentence, act: ConceptHit) -> bool:
    """The act's clause sets one of the tool's own parameters ("覆盖已有文件需 overwrite=True", "deletes the source
    when keep_source: false"): the schema offers the act as a choice, which is documented, not hidden."""
    end = _CLAUSE.search(subject.text, act.end)
    clause = subject.text[max(s.start, act.start - 60):end.start() if end and end.start() < s.end else s.end]
    keys = {f.raw.lower() for f in subject.fields if f.kind == "key"
            and f.path.startswith("inputSchema")}
    return any(m.group(1).lower() in keys for m in _SWITCH.finditer(clause))
