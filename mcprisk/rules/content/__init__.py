"""Hostile text in what the model reads: one module per technique family, one registry (``CONTENT_RULES``).

Every rule reads the same shared pass (``_surface``): every model-visible string of every server with its
field path, normalised once, with its encoded and invisible payloads decoded. The language rules combine
concepts from the packaged multilingual lexicons (``_concepts``, ``mcprisk/catalog/concepts/``) by structure. Codes: INJ001 override,
INJ002 invisible characters, INJ003 terminal escapes, INJ004 encoded payloads, INJ006 shadowing, INJ007
forged role tags, INJ008 concealment, INJ009 exfiltration, INJ010 recipient tampering, INJ011 cross-server
coercion, INJ012 preference manipulation, INJ013 hidden side actions, INJ014 parameter poisoning, INJ015
hidden markup, INJ016 padding, INJ017 confusable names, INJ018 the learned reading (a linear model of hostile text,
a second witness only where no other rule spoke: ``alone``). (INJ005 "oversized" moved to hygiene as HYG001.)
Severity is graded by the kind of evidence (``grading``): an act no honest text needs is critical, one visible
technique high, a visible phrase medium; ``corroborate`` raises a capped finding when a second technique stands on
the same subject (to critical in the same passage or beside hidden text, to high elsewhere).

The contract for a rule module (what the engine offers, so a rule's cost stays in shared, cached work):
- read subjects from ``surface(ctx)``; gate on concepts with ``subject.passes(gates(...))`` before any sentence work;
- a function that reads one subject alone (its fields, text, concepts, sentences -- no other subject, no surface, no
  server list) is declared ``@per_subject`` (``_local``, re-exported by ``_surface``): its result is kept on the
  subject and worked out ahead of the assessment while ``mcprisk scan`` waits for other servers (a generator of
  hits is kept for its first hit);
- a regex guarded by a cheap test declares that test as a trigger, ``_X = trigger(r"...")`` at module level
  (``mcprisk._literals``), and asks ``_X.may(text)`` / ``_X.search(text)`` or passes it to ``first_match(...,
  trigger=_X)``: the literals every trigger needs are found in one Aho-Corasick pass per distinct string, shared with
  the classifier's phrase gates, and the regex runs only where they occur (exact: same matches as the bare regex).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...model import Finding
from .._base import FindingRule
from ._surface import forget_primed, prime_subjects, surface
from .conceal import concealment
from .encoded import encoded_payload
from .exfil import exfiltration, recipient_tampering
from .grading import corroborate, witnessed
from .hidden import control_characters, hidden_markup, invisible_unicode, padding
from .learned import alone, learned_reading
from .names import confusable_name, shadowing
from .override import fake_role_tags, instruction_override
from .params import parameter_poisoning
from .side import hidden_side_action
from .steering import cross_tool_coercion, preference_manipulation

__all__ = ["CONTENT_RULES", "alone", "corroborate", "forget_primed", "prime_subjects", "settle", "surface"]

CONTENT_RULES: tuple[FindingRule, ...] = (
    instruction_override,
    invisible_unicode,
    control_characters,
    encoded_payload,
    shadowing,
    fake_role_tags,
    concealment,
    exfiltration,
    recipient_tampering,
    cross_tool_coercion,
    preference_manipulation,
    hidden_side_action,
    parameter_poisoning,
    hidden_markup,
    padding,
    confusable_name,
    learned_reading,
)


def settle(findings: Iterable[Finding], rules: Mapping[str, Any]) -> list[Finding]:
    """The content findings of one run as reported: the learned reading only where no other hostile content rule
    spoke (``alone``), lone phrases without a second witness dropped (``witnessed``), then lone phrases raised where a
    second rule corroborates them (``corroborate``)."""
    return corroborate(witnessed(alone(findings, rules), rules), rules)
