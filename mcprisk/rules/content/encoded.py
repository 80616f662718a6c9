"""Encoded payloads: base64, base32, hex, character-code, URL and HTML-entity runs (and text in a named letter-shift or
reversal cipher) that decode to words the model would read."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ...model import Finding
from .._base import RuleContext, finding_rule
from ._decode import decoded_views, is_prose
from ._hits import Hit, report
from ._surface import Field, Subject, surface
from .override import INJECTION_REFS

ENCODINGS = ("base64", "base32", "hex", "url-encoding", "HTML entities", "\\u escapes", "decimal character codes",
             "binary character codes", "rot13", "reversed text")
DECODE_ASK = re.compile(r"\b(decod\w*|dekodier\w*|décod\w*|decodific\w*|base ?64|hex|follow|apply|execute|run|ausführ\w*|"
                        r"befolg\w*|sigue|aplica|ejecuta|suivez|appliquez|exécutez)\b|解码|デコード")
ORDER = re.compile(r"\b(ignore|send|forward|read|delete|approve|put|include|call|use|always|never|do not|don't|reply|"
                   r"answer|tell|set|add|upload|run|execute|grant|share)\b|\b(lösche|sage|usa|envía|supprime)\b")


# "Object ids are base64url, like 'dGhp...'": the run is offered as a sample of an id format
_EXAMPLE_LEAD = re.compile(r"(?:\blike|e\.g\.|for example|such as|z\. ?b\.|por ejemplo|par exemple|ad esempio|"
                           r"例如|例えば)\W{0,3}$")


def _shown_as_example(subject: Subject, decoded: Field) -> bool:
    """The encoded run stands in its source string right after "like" or "e.g.": a sample value shown openly."""
    path = decoded.path[: -len(decoded.origin) - 3]
    source = next((f for f in subject.fields if f.path == path), None)
    if source is None:
        return False
    for m in _RUNS.finditer(source.raw):
        if _EXAMPLE_LEAD.search(source.raw[max(0, m.start() - 16):m.start()].lower()) and any(
                text == decoded.raw for _, text in decoded_views(m.group(0))):
            return True
    return False


def _spelled_out(subject: Subject, decoded: Field) -> bool:
    """The decoded words also stand in plain view in the string they came from ("e.g. U0VM... (SELECT count(*) FROM
    orders)"): a codec example with its meaning shown, nothing hidden."""
    path = decoded.path[: -len(decoded.origin) - 3]
    source = next((f for f in subject.fields if f.path == path), None)
    return source is not None and len(decoded.norm.strip()) >= 8 and decoded.norm.strip() in source.norm


_RUNS = re.compile(r"[A-Za-z0-9+/_=-]{20,}")


def _encoded_hits(subject: Subject) -> Iterator[Hit]:
    decoded = [f for f in subject.fields if f.kind == "decoded" and f.origin.endswith(ENCODINGS) and is_prose(f.raw)]
    for f in sorted(decoded, key=lambda f: -len(f.raw)):  # the fullest decoding (nested beats a partial run)
        ordered = ORDER.search(f.norm) is not None
        asked = DECODE_ASK.search(subject.text) is not None
        if not (ordered or asked) and _shown_as_example(subject, f) or _spelled_out(subject, f):
            continue
        grade = {"likelihood": 3, "impact": 4} if ordered or asked else {"likelihood": 2, "impact": 3}
        yield Hit(subject, f, 0, min(len(f.norm), 160), f"hides readable text in {f.origin}", **grade)
        return


@finding_rule("INJ004", "Encoded payload that decodes to text for the model", likelihood=3, impact=4,
              references=INJECTION_REFS, scope="snapshots", hostile=True)
def encoded_payload(ctx: RuleContext) -> Iterable[Finding]:
    """Base64, hex (plain, spaced or ``\\xNN``), percent-encoded and HTML-entity runs are decoded -- nested
    encodings once more -- and the decoded text is re-read by every content rule; this rule reports the
    payload itself when it decodes to words: critical when the words give orders or the text asks the model
    to decode and follow them, medium otherwise. Ids, digests, JWTs, images and short codec examples decode to
    nothing readable (or to fewer than four words) and are not flagged."""
    hits = (next(_encoded_hits(s), None) for s in surface(ctx).subjects)
    yield from report(encoded_payload, (h for h in hits if h), "Encoded payload")
