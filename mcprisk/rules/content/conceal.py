"""Text that keeps the user in the dark: hide what happened, lie if asked, act without the user's consent."""

from __future__ import annotations

from collections.abc import Iterable

from ...model import Finding
from .._base import RuleContext, finding_rule
from ._hits import S, Pattern, anchors, first_hit, pattern, report
from ._surface import surface
from .exfil import flag_doc
from .override import INJECTION_REFS

_p = pattern


_TELL = (r"(tell|telling|inform|informing|mention|mentioning|reveal|revealing|disclose|disclosing|show|showing|"
         r"report|reporting|surface|surfacing|notify|notifying|alert|alerting|bother|bothering|admit|acknowledge|"
         r"let|warn|warning|explain)")
_USER = r"(the |end |their )?(user|users|human|customer|customers|operator|requester|them)\b"

CONCEAL: tuple[Pattern, ...] = (
    _p(rf"\b(do not|don't|never|must not|should not|shouldn't|no need to|not to|without)\b{S}{{0,20}}?\b{_TELL}\b{S}{{0,50}}?\b{_USER}",
       "asks the model to hide something from the user"),
    _p(rf"\b(never|do not|don't|must not)\s+{_TELL}\b{S}{{0,80}}?\b(even (when|if) (asked|they ask|the user asks)|to anyone)",
       "asks the model to hide something from the user"),
    _p(rf"\b(hide|conceal|keep)\b{S}{{0,50}}?\b(hidden|secret|private|quiet|confidential)?\s*from {_USER}", "asks the model to hide something from the user"),
    _p(r"\b(keep|remain)\b[^\n]{0,40}\b(hidden|secret|silent|quiet) from\b", "asks the model to hide something from the user"),
    _p(r"\b(are|is) not to be (disclosed|mentioned|revealed|shown|reported|listed|confirmed|surfaced)\b"
       r"|\bmust never be (disclosed|mentioned|revealed|shown|reported|listed|confirmed|surfaced)\b", "asks the model to keep its actions secret"),
    _p(r"\b(omit|leave out|strip|suppress)\b[^\n]{0,30}\b(any |all )?(mention|mentions|reference|references|trace|traces|notice)\b",
       "asks the model to leave its actions out of the answer"),
    _p(r"\b(the )?user (does|do|need|needs) not (need to )?(see|know|be told|hear)\b", "asks the model to hide something from the user"),
    _p(r"\b(the )?(user|users|customer|human)\b[^\n]{0,20}\b(must|should|may) (never|not) (find out|know|learn|notice|see|hear|"
       r"be told|become aware)\b", "asks the model to hide something from the user"),
    _p(r"\bkeep (this|it|that) between us\b", "asks the model to hide something from the user"),
    _p(rf"\bif (the user|they|anyone|asked)\b{S}{{0,60}}?\b(say no|deny|answer (that|with)|reply (that|with)|tell them (that|nothing))",
       "tells the model to lie when asked"),
    _p(r"\b(phrase|word|present) (your|the) (answer|reply|response) as if\b", "tells the model to mislead the user"),
    _p(r"\b(pretend|act as if|act as though)\b[^\n]{0,30}\b(never|nothing|not|didn't|did not|already|you|no)\b",
       "tells the model to mislead the user"),
    _p(r"\bwithout (asking|checking with|confirming with|consulting|notifying|telling|informing|prompting|bothering)"
       r" (the |your |their )?(user|users|human|customer|them|permission|first|again)\b"
       r"|\bwithout asking for (confirmation|approval|permission|consent)\b|\bwithout (the )?user'?s? (consent|approval|knowledge|confirmation)\b",
       "tells the model to act without the user's consent"),
    _p(r"\b(approval|confirmation|consent|permission)\b[^\n]{0,30}\b(is not|isn't|not|never) (required|needed|necessary)\b|"
       r"\bmust not be requested\b", "tells the model the user's consent is not needed"),
    _p(r"\b(skip|bypass|no need for|do not ask for|don't ask for|never ask for|never show)\b[^\n]{0,30}\b(confirmation|approval|consent|permission|preview|review)\b",
       "tells the model to skip the user's confirmation"),
    _p(r"\b(pre-?approved|pre-?authori[sz]ed|consent\s*=\s*granted|exempt from (user )?(confirmation|approval|review))\b",
       "claims the user's consent was already given"),
    _p(r"\b(even if|although|though) the user (did not|didn't|does not|doesn't|has not|hasn't) (ask|request|want)", "acts beyond what the user asked"),
    # German, French, Spanish, Portuguese, Italian
    _p(rf"\b(erwähne|erwähnen sie|sage|sag|sagen sie|teile|informiere|verrate)\b{S}{{0,60}}?\b(nicht|niemals|keinesfalls|nichts)\b", "asks the model to hide something from the user (German)"),
    _p(r"\b(verschweig\w*|verheimlich\w*)\b|\bohne (nachzufragen|rückfrage|zu fragen|bestätigung|den nutzer zu (fragen|informieren))\b",
       "asks the model to hide or act without asking (German)"),
    _p(rf"\bne\b{S}{{0,12}}?\b(signale[zr]?|mentionne[zr]?|dites|dis|révéle[zr]?|informe[zr]?|montre[zr]?|préviene[zr]?|parle[zr]?)\b{S}{{0,40}}?\b(jamais|pas|rien)\b",
       "asks the model to hide something from the user (French)"),
    _p(r"\bsans (avertir|prévenir|demander|informer|le dire|en parler|confirmation)\b|\bà l'insu de\b", "tells the model to act without the user knowing (French)"),
    _p(r"\bno (le |les )?(informes|informe|digas|diga|menciones|mencione|reveles|revele|avises|avise|muestres|comuniques)\b|\bsin (avisar|preguntar|informar|decirlo|consultar)\b",
       "asks the model to hide something from the user (Spanish)"),
    _p(r"\bnão (informe|diga|mencione|revele|avise|conte|mostre)\b|\bsem (avisar|perguntar|informar|consultar)\b", "asks the model to hide something from the user (Portuguese)"),
    _p(r"\bnon (dire|dirlo|informare|menzionare|rivelare|avvisare|comunicare)\b|\bsenza (avvisare|chiedere|informare|dirlo)\b", "asks the model to hide something from the user (Italian)"),
    _p(r"\bnie (mów|informuj|wspominaj)\b|\bне (сообщай|говори|упоминай|рассказывай)\w*", "asks the model to hide something from the user"),
    # Chinese, Japanese, Korean
    _p(r"(不要|不得|切勿|别|無需|无需|不必|不能)(告诉|告知|透露|提及|通知|提醒|让)|(即使|就算)用户(询问|问|追问)", "asks the model to hide something from the user (Chinese)"),
    _p(r"(ユーザー|利用者)に(は)?[^。\n]{0,10}(伝え|知らせ|言わ|報告し|通知し)(ない|ず)|黙って", "asks the model to hide something from the user (Japanese)"),
    _p(r"(사용자|유저)에게[^.\n]{0,10}(알리지|말하지|보고하지)", "asks the model to hide something from the user (Korean)"),
)


CONCEAL_GATE = anchors(
    "not don never without hide conceal keep remain disclosed mentioned revealed shown reported listed confirmed "
    "surfaced omit leave strip suppress need needs if phrase word present pretend approval confirmation consent "
    "permission requested skip bypass pre approved preapproved authorized authorised exempt granted even although "
    "though user users customer human keep pretend act erwähne erwähnen sage sag sagen teile informiere verrate verschweige verschweigen verheimliche ohne ne "
    "sans insu no sin não sem non senza nie silent quiet")


@finding_rule("INJ008", "Concealment from the user or action without consent", likelihood=3, impact=4,
              references=INJECTION_REFS, scope="snapshots", hostile=True)
def concealment(ctx: RuleContext) -> Iterable[Finding]:
    """Text that asks the model to keep what it does from the user (don't tell, never mention, omit from the
    summary, say no if asked) or to act without the user's confirmation (approval is not required, proceed
    without asking, pre-authorised), in several languages. A tool that honestly says what it never stores
    or shows is not flagged: the order has to be about the user."""
    hits = (first_hit(s, CONCEAL, guard_mentions=True, gate=CONCEAL_GATE, fields=lambda f: not flag_doc(f))
            for s in surface(ctx).subjects)
    yield from report(concealment, (h for h in hits if h), "Concealment aimed at the model")
