"""The finding rules, registered explicitly. A duplicate or missing code fails a test.

Classification rules (EFF1xx, FLG2xx) live in ``mcprisk.classify``, resource and prompt rules (RES1xx,
PRM1xx) in ``mcprisk.surfaces``; placement findings (PLC, NOGO) in ``mcprisk.placement``; drift findings
(DRIFT) in ``mcprisk.drift``. Launch hygiene (LCH0xx) reads how the client config starts or reaches a server.
"""

from __future__ import annotations

from ._base import FindingRule, RuleContext, RuleInfo, finding_rule, make
from .annotations import closed_world_contradicted, destructive_denied, missing_annotations, read_only_claim_contradicted
from .content import CONTENT_RULES
from .coverage import incomplete, spec_invalid, unclassified
from .credentials import inline_secret, shared_by_readers_and_writers
from .flows import find_flows, lethal_trifecta
from .hygiene import name_collision, oversized
from .launch import (auto_approved, broad_root, image_without_digest, lookalike_package, plain_http_remote,
                     unpinned_package)
from .surfaces import prompt_drives_ungated, resource_credentials, resource_unaudited

__all__ = ["FINDING_RULES", "FindingRule", "RuleContext", "RuleInfo", "find_flows", "finding_rule", "make", "rule_info"]

FINDING_RULES: tuple[FindingRule, ...] = (
    read_only_claim_contradicted,
    destructive_denied,
    missing_annotations,
    closed_world_contradicted,
    *CONTENT_RULES,
    oversized,
    name_collision,
    shared_by_readers_and_writers,
    inline_secret,
    incomplete,
    spec_invalid,
    unclassified,
    lethal_trifecta,
    resource_credentials,
    resource_unaudited,
    prompt_drives_ungated,
    unpinned_package,
    image_without_digest,
    plain_http_remote,
    broad_root,
    auto_approved,
    lookalike_package,
)


def rule_info() -> dict[str, RuleInfo]:
    """Every finding rule's documentation by code."""
    return {fn.info.code: fn.info for fn in FINDING_RULES}  # type: ignore[attr-defined]
