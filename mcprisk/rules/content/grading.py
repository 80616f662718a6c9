"""How severe a content finding is: a hostile act aimed at the model and corroborated is high or critical; one
visible phrase that an honest author could have written is medium, which a verdict reads as needs-review.

A finding is corroborated when its own evidence is hidden or encoded (decoded text, invisible characters), when
its rule's signal cannot be honest wording (an instruction override, a forged system turn, hidden markup,
padding, a look-alike or shadowing name, orders about another server's distinctive tool, an ask for secrets or
the conversation, an outside address fixed as a recipient, a poisoned schema key or value), or when a second,
independent content rule fires on the same subject. Everything else -- a concealment, a side action, a
preference or a recipient phrase standing alone in visible prose -- is graded medium (``report`` caps it), and
``corroborate`` raises it back once another rule's finding stands on the same subject.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from ...model import SEVERITIES, Finding, severity_from

__all__ = ["LONE_PHRASE", "PHRASE_RULES", "corroborate", "lone_phrase"]

# Rules whose signal is wording an honest author could write in plain view (a concealment, a side action, a
# preference, a recipient phrase, an order in a parameter's prose); the others are corroborated by what they are.
PHRASE_RULES = frozenset({"INJ008", "INJ010", "INJ012", "INJ013", "INJ014"})
LONE_PHRASE = " Graded medium: a lone visible phrase."  # short: reports of large fleets carry it many times
_CAP = SEVERITIES.index("medium")
# INJ014 meanings that are themselves the act (a secret, the conversation, an outside address, a command)
_SCHEMA_ACTS = ("secret", "conversation", "outside", "command", "metadata", "send data out")


def lone_phrase(code: str, hit: Any) -> bool:
    """Whether a hit of ``code`` is a lone visible phrase: a phrase rule's hit in plain text (not decoded, not in
    hidden characters), not an outside address or a poisoned schema key or value."""
    if code not in PHRASE_RULES or hit.field.origin or hit.in_raw:
        return False
    if code == "INJ010":
        span = hit.field.norm[hit.start:hit.end]
        return not any(mark in span for mark in ("@", "://", "0x")) and not any(c.isdigit() for c in span)
    if code == "INJ014":
        return hit.field.kind not in ("key", "value", "uri") and not any(w in hit.meaning for w in _SCHEMA_ACTS)
    return True


def capped(likelihood: int, impact: int) -> tuple[int, int] | None:
    """Likelihood x impact lowered to medium when they grade above it (None: already medium or below)."""
    if SEVERITIES.index(severity_from(likelihood, impact)) <= _CAP:
        return None
    return 2, 3  # medium


def corroborate(findings: Iterable[Finding], rules: Mapping[str, Any]) -> list[Finding]:
    """Raise every lone-phrase finding whose subject also has a finding of another hostile content rule back to
    its rule's own severity, saying which rule corroborated it; other findings pass unchanged."""
    findings = list(findings)
    codes: dict[tuple[str, str], set[str]] = {}
    for f in findings:
        info = rules.get(f.code)
        if getattr(info, "family", None) == "content" and getattr(info, "hostile", False):
            codes.setdefault((f.server, f.subject), set()).add(f.code)
    out = []
    for f in findings:
        others = sorted(codes.get((f.server, f.subject), set()) - {f.code})
        if f.message.endswith(LONE_PHRASE) and others:
            info = rules[f.code]
            f = dataclasses.replace(f, severity=severity_from(info.likelihood, info.impact),
                                    message=f.message[: -len(LONE_PHRASE)]
                                    + f" Corroborated by {', '.join(others)}.")
        out.append(f)
    return out
