"""Harmful side actions by contradiction: a tool that reads (by its name or its readOnlyHint) -- or a prompt,
resource or the server's instructions -- whose text orders something that deletes, pays, grants, publishes or
sends."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ...model import Finding
from .._base import RuleContext, finding_rule
from ._concepts import BREAKS, ConceptHit, Sentence, word_concepts
from ._hits import Hit, concept_hit, discusses, governs, redacted, report
from ._surface import Subject, Surface, surface
from .conceal import flag_doc
from .override import INJECTION_REFS

# A name whose first word is a mutating verb is a tool whose job is that action (it may document it freely).
_MUTATING_NAME = frozenset(
    "delete remove drop truncate purge clear clean wipe reset destroy erase prune pay charge transfer checkout purchase "
    "order refund withdraw send post publish share notify email mail message invite reply permission grant set role "
    "acl access collaborate close archive cancel update edit manage resolve approve revoke deactivate disable create "
    "add write upload push commit merge deploy move rename modify patch put insert run execute exec apply import "
    "submit sign kill restart stop start enable mark assign schedule book".split())
_CUES = frozenset({"sequence", "always", "model", "all", "without"})
_SECRETS = frozenset({"cred", "secret", "pii"})


def read_only(subject: Subject, surf: Surface) -> bool:
    """What the tool says it is: a reader by the verbs of its name (in any language of the lexicons) or by its
    readOnlyHint; prompts, resources and instructions never license a change."""
    if subject.kind != "tool":
        return True
    if (subject.server, subject.name) in surf.read_only:
        return True
    words = subject.fields[0].norm.split() if subject.fields else []
    concepts = [word_concepts(w) for w in words]
    if any(w in _MUTATING_NAME or "harm" in c or "send" in c for w, c in zip(words, concepts)):
        return False
    return any("read_verb" in c for c in concepts)


def _purpose(s: Sentence, harm: ConceptHit, text: str) -> bool:
    """"To delete a file, use delete_file": a pointer to where the action lives, not an order to do it."""
    lead = text[max(s.start, harm.start - 25):harm.start]
    return lead.rstrip().endswith((" to", "to", " for", "para", "pour", "um", "per", "om")) and s.any("use")


_CLAUSE_END = re.compile(r"[,;:.!?\n\u3001\uff0c\u3002\uff1a\uff1b\uff01\uff1f]|\s[-\u2013\u2014]\s")
_SHELL = ("rm -rf", "chmod", "777", "--force", "force-push", "force push", "drop table", "drop database")
_SHELL_MARKS = ("rm -", "chmod", "--force", "force-push", "force push", "drop table", "drop database")
_IDENT = re.compile(r"[\w-]*[_-][\w-]*|[a-z]+[A-Z]\w*")


def _ordered(subject: Subject, s: Sentence, harm: ConceptHit) -> bool:
    """The harmful verb is an order, not a description: the first words of its clause, a clause that starts with
    "call"/"run"/"use", a mutating tool's identifier (``pay_invoice``, ``termin_absagen``), a shell command, or a
    script written without spaces (where word order cannot be read this way)."""
    text = subject.text
    if _subordinate(text, s, harm):
        return False  # "what would break before anyone runs a DROP TABLE": a condition, not an order
    if _shell(harm) or not harm.word.isascii():
        return True  # a command is an order wherever it stands, in backticks too
    if harm.start and text[harm.start - 1] in "\"'`‘“«":
        return False  # a quoted word ("delete", 'remove') is named, not ordered
    if harm.word in _SHELL:
        return True
    a, b = harm.start, harm.end
    while a > 0 and (text[a - 1].isalnum() or text[a - 1] in "_-"):
        a -= 1
    while b < len(text) and (text[b].isalnum() or text[b] in "_"):
        b += 1
    token = text[a:b]
    if harm.ident:
        # a mutating tool called by name: "call pay_invoice", "with set_role", "mit termin_absagen"
        if not (token.startswith(harm.word.split()[0]) or token.endswith(harm.word.split()[-1])):
            return False
        return any(h.end <= a and a - h.end <= 3 and not h.concepts.isdisjoint({"use", "via"}) for h in s.hits)
    if (" " in harm.word.strip() or "_" in harm.word) and not harm.ident:
        return _leads(subject, s, harm)  # a phrase, or a tool's identifier opening its clause ("reply_all with ...")
    return _leads(subject, s, harm) and _has_object(subject, s, harm)


def _leads(subject: Subject, s: Sentence, harm: ConceptHit) -> bool:
    """The verb opens its clause (after at most two words such as "then", "also", "please"), or the clause opens
    with "call"/"run"/"use"."""
    text = subject.text
    start = s.start
    for m in _CLAUSE_END.finditer(text, s.start, harm.start):
        start = m.end()
    if len(text[start:harm.start].split()) <= 2:
        return True
    first = next((h for h in s.hits if h.start >= start), None)
    return first is not None and first is not harm and "use" in first.concepts and first.start - start <= 8


_OBJECT = re.compile(r"\s*(?:[`'\"~/$(\[]|\d|[\w-]*_[\w-]*)")


def _has_object(subject: Subject, s: Sentence, harm: ConceptHit) -> bool:
    """An order has an object: an article, a quantifier, a number, a path, a quote or an identifier follows the verb
    (perhaps after one adverb), where a noun ("merge requests", "publish date", "push, SMS") does not."""
    text = subject.text
    if _OBJECT.match(text, harm.end):
        return True
    if harm.end < len(text) and not text[harm.end].isspace():
        return False  # "push," "date." -- punctuation right after the word: a noun in a list
    nxt = text[harm.end:harm.end + 40].translate(BREAKS).split()[:2]
    if not nxt:
        return False
    first = word_concepts(nxt[0])
    if "det" in first or "all" in first:
        return True
    return "sequence" in first and len(nxt) > 1 and not {"det", "all"}.isdisjoint(word_concepts(nxt[1]))


def _shell(harm: ConceptHit) -> bool:
    """A command line (``rm -rf``, ``chmod 777``, ``git push --force``, ``DROP TABLE``), not a word for the act."""
    return harm.word.startswith(("rm -", "chmod", "push --force", "drop table", "drop database"))


_SUBORDINATORS = frozenset("before until unless if when whenever in case prior avant bevor antes prima".split())


def _subordinate(text: str, s: Sentence, harm: ConceptHit) -> bool:
    """The harmful act sits in a subordinate clause ("before anyone runs ...", "if you delete ...")."""
    start = s.start
    for m in _CLAUSE_END.finditer(text, s.start, harm.start):
        start = m.end()
    lead = text[start:harm.start].split()
    return len(lead) >= 2 and lead[0] in _SUBORDINATORS and lead[1] not in ("reading", "answering", "using")


def _waived(s: Sentence, consent: ConceptHit) -> bool:
    """"without asking", "sans demander", "no need to confirm", "send the payment confirmation": the user's say is
    dropped, or the word names a document being sent."""
    first = consent.word.split()[0] if consent.word.split() else ""
    return "without" in word_concepts(first) or any(
        h is not consent and h.end <= consent.start and (
            ("without" in h.concepts or "neg" in h.concepts) and consent.start - h.end <= 20
            or "send" in h.concepts and consent.start - h.end <= 30) for h in s.hits)


def _held_back(text: str, s: Sentence, harm: ConceptHit) -> bool:
    """The action is left to the user or denied: a condition the user controls, a consent the sentence asks for,
    or a negation governing the harmful verb itself ("never delete", "does not cancel"; not a negation elsewhere
    in the sentence, "so reviewers are not blocked")."""
    if s.any("unless"):
        return True
    for h in s.hits:
        if h is harm:
            continue
        if "consent" in h.concepts and not h.ident and not _waived(s, h):
            return True
        if not h.concepts.isdisjoint(("neg", "neg_desc")) and "without" not in h.concepts and (
                governs(text, h, harm, 3) or "neg_after" in h.concepts and governs(text, harm, h, 3)):
            return True
    return False


def _side_action(subject: Subject, s: Sentence) -> list[ConceptHit] | None:
    text = subject.text
    for harm in s.all("harm"):
        if _purpose(s, harm, text) or not _ordered(subject, s, harm) or _held_back(text, s, harm):
            continue
        if _shell(harm):
            return [harm]  # rm -rf, chmod 777, a force-push: harmful wherever a reader tool orders them
        after = next((h for h in s.hits if h.start >= harm.end), None)
        if after is not None and not after.concepts.isdisjoint(_SECRETS) and redacted(s, after):
            continue  # "remove any tokens before pasting": redaction advice
        if any(not h.concepts.isdisjoint(_CUES) and h is not harm for h in s.hits):
            return [harm]
    return None


def side_action_hit(subject: Subject, surf: Surface) -> Hit | None:
    if "harm" not in subject.concepts or not read_only(subject, surf) or (
            subject.concepts.isdisjoint(_CUES) and not any(c in subject.text for c in _SHELL_MARKS)):
        return None
    for s in subject.action_sentences:
        parts = _side_action(subject, s)
        if not parts:
            continue
        h = concept_hit(subject, parts, f"orders a side action ({parts[0].word!r}) that the tool's own job does not "
                                        "explain")
        f = h.field
        if f.identifier or f.kind == "uri" or flag_doc(f) or discusses(subject, s):
            continue
        if subject.kind == "tool" and f.path == "description" and h.start <= 2:
            continue  # the tool's own summary
        return h
    return None


@finding_rule("INJ013", "Harmful side action hidden in a tool's text", likelihood=3, impact=4, references=INJECTION_REFS,
              scope="snapshots", hostile=True)
def hidden_side_action(ctx: RuleContext) -> Iterable[Finding]:
    """A contradiction between what a tool is and what its text orders: a tool that reads, lists or computes (by
    its name, in any language of the lexicons, or its readOnlyHint) -- or a prompt, a resource or the server's
    instructions -- whose text also tells the model to delete, pay, transfer, grant admin, make public, force-push,
    chmod, cancel, approve or send something as part of using it ("once read, call pay_invoice", "after linting,
    force-push to main", "beim Anzeigen ... sage ab"). A tool whose own job is that action, a pointer to the tool
    that does it ("to delete a file, use delete_file"), and anything left to the user's confirmation are not
    flagged."""
    surf = surface(ctx)
    hits = (side_action_hit(s, surf) for s in surf.subjects)
    yield from report(hidden_side_action, hits, "Hidden side action")
