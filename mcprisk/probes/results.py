"""The probe results: one Check per observation, one Posture per endpoint, and the check catalogue."""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .._errors import SnapshotError
from .._text import json_text_safe

__all__ = ["CHECKS", "CHECK_TEXT", "FORMAT", "FORMAT_VERSION", "OUTCOMES", "SEVERITIES", "Check", "Outcome", "Posture",
           "Severity"]

Outcome = Literal["pass", "fail", "unknown", "skipped"]
Severity = Literal["low", "medium", "high", "critical"]
OUTCOMES: tuple[str, ...] = ("pass", "fail", "unknown", "skipped")
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")

FORMAT = "mcprisk.posture"
FORMAT_VERSION = 1

# Every check: the DESIGN.md control it informs (None: evidence only, it cannot verify a control on its
# own) and how bad a failure is. Order is the order of the report.
CHECKS: dict[str, tuple[str | None, Severity]] = {
    "auth.unauthenticated_rejected": ("authn_authz", "critical"),
    "auth.www_authenticate": (None, "low"),
    "auth.resource_metadata": (None, "medium"),
    "auth.metadata_resource_matches": (None, "medium"),
    "origin.foreign_rejected": ("origin_validation", "high"),
    "host.foreign_rejected": ("origin_validation", "high"),
    "cors.no_wildcard": (None, "medium"),
    "tls.https": ("https", "high"),
    "tls.certificate": ("https", "high"),
    "bind.loopback_only": ("localhost_binding", "high"),
    "session.id_entropy": (None, "high"),
    "session.bound_to_credentials": ("authn_authz", "high"),
    "rate.burst_limited": ("rate_limits", "medium"),
}

# What each check asks of the endpoint and why it matters: (title, description).
CHECK_TEXT: dict[str, tuple[str, str]] = {
    "auth.unauthenticated_rejected": ("Unauthenticated requests rejected", "An initialize sent with no credentials "
        "must get 401 or 403; an endpoint that answers it lets anyone who can reach it list and call its tools."),
    "auth.www_authenticate": ("401 names how to authenticate", "A 401 should carry a WWW-Authenticate header (with "
        "resource_metadata for MCP's OAuth discovery) so clients can find the authorization server."),
    "auth.resource_metadata": ("Protected-resource metadata published", "The RFC 9728 metadata document the 401 points "
        "to is fetched (never from internal or metadata addresses) and must name its authorization servers."),
    "auth.metadata_resource_matches": ("Metadata names this resource", "The metadata's resource must be the endpoint "
        "itself; a mismatch lets tokens minted for another resource be replayed here."),
    "origin.foreign_rejected": ("Foreign Origin rejected", "A request with an Origin from another site must be "
        "refused; accepting it opens the server to DNS rebinding from any web page the user visits."),
    "host.foreign_rejected": ("Foreign Host rejected", "A request with a Host header naming another site must be "
        "refused, the second half of the DNS-rebinding defence."),
    "cors.no_wildcard": ("No wildcard CORS", "The server must not answer cross-origin requests with "
        "Access-Control-Allow-Origin: * (or echo any origin with credentials)."),
    "tls.https": ("Encrypted in transit", "An endpoint reached beyond the loopback interface must use HTTPS."),
    "tls.certificate": ("Valid certificate", "The HTTPS certificate must verify against the system's trust store "
        "for the endpoint's host name."),
    "bind.loopback_only": ("Bound to loopback only", "A server meant for one machine must listen on 127.0.0.1 / ::1 "
        "only; one listening on every interface is reachable from the network."),
    "session.id_entropy": ("Unguessable session ids", "Session ids handed out must be long and random; guessable "
        "ids let one caller ride another's session."),
    "session.bound_to_credentials": ("Sessions bound to their caller", "A session id presented with other "
        "credentials (or none) must be refused."),
    "rate.burst_limited": ("Bursts limited", "An opt-in burst of list requests must meet a rate limit (429) before "
        "it is served in full."),
}


@dataclass(frozen=True)
class Check:
    """One observation about an endpoint: what was sent, what came back, and what it means."""

    id: str  # stable, e.g. "origin.foreign_rejected"
    control: str | None  # the DESIGN.md control it informs, or None
    outcome: Outcome
    sent: str  # one line: what was sent (header names only, never values)
    received: str  # one line: status and the headers that matter (secrets scrubbed)
    meaning: str  # one sentence for an architect
    severity_if_failed: Severity

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"check {self.id}: outcome must be one of {', '.join(OUTCOMES)}; got {self.outcome!r}")
        if self.severity_if_failed not in SEVERITIES:
            raise ValueError(f"check {self.id}: severity must be one of {', '.join(SEVERITIES)}")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "control": self.control, "outcome": self.outcome, "sent": self.sent,
                "received": self.received, "meaning": self.meaning, "severity_if_failed": self.severity_if_failed}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Check":
        return cls(id=str(d["id"]), control=d.get("control"), outcome=d["outcome"], sent=str(d.get("sent", "")),
                   received=str(d.get("received", "")), meaning=str(d.get("meaning", "")),
                   severity_if_failed=d["severity_if_failed"])


@dataclass(frozen=True)
class Posture:
    """What one endpoint enforces, check by check. ``error`` says why it could not be reached, if so."""

    name: str
    url: str | None  # display form (redacted); None for stdio
    transport: str
    checks: tuple[Check, ...] = ()
    error: str | None = None

    def __post_init__(self) -> None:
        # Sorted once here, so equal observations give equal objects and byte-identical JSON.
        object.__setattr__(self, "checks", tuple(sorted(self.checks, key=lambda c: c.id)))

    @property
    def reachable(self) -> bool:
        return self.error is None

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.outcome == "fail")

    def check(self, check_id: str) -> Check:
        for c in self.checks:
            if c.id == check_id:
                return c
        raise KeyError(f"posture of {self.name!r} has no check {check_id!r}")

    def control_status(self, control_id: str) -> Literal["verified", "missing"] | None:
        """``missing`` when a check informing the control failed, ``verified`` when one passed and none
        failed, None when the probes say nothing about it (skipped, unknown, or no such check)."""
        outcomes = {c.outcome for c in self.checks if c.control == control_id}
        if "fail" in outcomes:
            return "missing"
        return "verified" if "pass" in outcomes else None

    # -- JSON ---------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "format_version": FORMAT_VERSION, "name": self.name, "url": self.url,
                "transport": self.transport, "error": self.error, "checks": [c.to_dict() for c in self.checks]}

    def to_json(self, *, indent: int | None = 2) -> str:
        return json_text_safe(json.dumps(self.to_dict(), indent=indent, sort_keys=True, ensure_ascii=False)) + "\n"

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, source: str = "<data>") -> "Posture":
        if not isinstance(d, Mapping) or d.get("format") != FORMAT:
            raise SnapshotError(f"{source}: not an mcprisk posture (expected \"format\": \"{FORMAT}\")")
        if d.get("format_version") != FORMAT_VERSION:
            raise SnapshotError(f"{source}: posture format_version {d.get('format_version')!r} is not supported")
        try:
            return cls(name=str(d["name"]), url=d.get("url"), transport=str(d["transport"]), error=d.get("error"),
                       checks=tuple(Check.from_dict(c) for c in d.get("checks") or ()))
        except (KeyError, TypeError, ValueError) as exc:
            raise SnapshotError(f"{source}: malformed posture ({type(exc).__name__}: {exc})") from None

    @classmethod
    def from_json(cls, text: str, *, source: str = "<string>") -> "Posture":
        try:
            return cls.from_dict(json.loads(text), source=source)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise SnapshotError(f"{source}: not valid JSON ({exc})") from None

    # -- notebook views -----------------------------------------------------------------------

    def to_frame(self):
        """The checks as a pandas DataFrame, one row each."""
        import pandas as pd

        columns = ["id", "control", "outcome", "severity_if_failed", "sent", "received", "meaning"]
        return pd.DataFrame([{k: c.to_dict()[k] for k in columns} for c in self.checks], columns=columns)

    def _repr_html_(self) -> str:
        e = html.escape
        counts = Counter(c.outcome for c in self.checks)
        head = (f"<b>{e(self.name)}</b> · {e(self.transport)} · {e(self.url or '')} · "
                + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES))
        rows = "".join(
            f"<tr><td>{e(c.id)}</td><td>{e(c.control or '')}</td><td><b>{e(c.outcome)}</b></td>"
            f"<td>{e(c.severity_if_failed)}</td><td>{e(c.sent)}</td><td>{e(c.received)}</td>"
            f"<td>{e(c.meaning)}</td></tr>"
            for c in self.checks)
        error = f"<p>error: {e(self.error)}</p>" if self.error else ""
        return (f"<div class=\"mcprisk-posture\"><p>{head}</p>{error}<table><thead><tr><th>check</th>"
                f"<th>control</th><th>outcome</th><th>if failed</th><th>sent</th><th>received</th><th>meaning</th>"
                f"</tr></thead><tbody>{rows}</tbody></table></div>")

    def __repr__(self) -> str:
        counts = Counter(c.outcome for c in self.checks)
        return (f"Posture(name={self.name!r}, url={self.url!r}, "
                + ", ".join(f"{o}={counts[o]}" for o in OUTCOMES) + (", unreachable" if self.error else "") + ")")


# --------------------------------------------------------------------------------------------
