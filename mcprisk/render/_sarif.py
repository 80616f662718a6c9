"""SARIF 2.1.0 for code-scanning UIs: one run, rules from the rule registry, one result per finding.

A finding about a server that came from a client config points at that server's entry in the file (path
relative to ``base``, line of the entry), so the annotation lands on the right line; otherwise the result
carries a logical location (``server/tool``). ``partialFingerprints`` derive from the finding's stable id,
and findings the tracking file accepted, mitigated or marked false positive carry a suppression.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path, PurePosixPath
from urllib.parse import quote
from typing import TYPE_CHECKING, Any

from .. import __version__
from .._text import sha256_hex
from ..model import RESOLVED
from ._common import json_safe, one_line, rule_docs, severity_rank, stamp

if TYPE_CHECKING:
    from ..assessment import Assessment

__all__ = ["SARIF_SCHEMA", "render_sarif"]

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub code scanning reads properties.security-severity (0.1-3.9 low, 4-6.9 medium, 7-8.9 high, 9+ critical).
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
_SUPPRESSION = {**{status: "accepted" for status in RESOLVED}, "in_discussion": "underReview"}


def _rule_name(title: str) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in title).split()
    return "".join(w[:1].upper() + w[1:] for w in words) or "Rule"


def _tags(references: list[str]) -> list[str]:
    tags = ["security", "mcp"]
    for ref in references:
        if ref.upper().startswith("CWE-"):
            tags.append("external/cwe/cwe-" + ref[4:].strip())
    return tags


def _rule(code: str, doc: dict[str, Any]) -> dict[str, Any]:
    severity = doc.get("severity") or "medium"
    refs = list(doc.get("references") or [])
    help_text = doc["description"] + (("\n\nReferences: " + "; ".join(refs)) if refs else "")
    help_md = doc["description"] + (("\n\n**References:** " + "; ".join(refs)) if refs else "")
    props: dict[str, Any] = {"tags": _tags(refs), "severity": severity}
    if severity in _SECURITY_SEVERITY:
        props["security-severity"] = _SECURITY_SEVERITY[severity]
    return {"id": code, "name": _rule_name(doc["title"]), "shortDescription": {"text": doc["title"]},
            "fullDescription": {"text": doc["description"] or doc["title"]},
            "help": {"text": help_text or doc["title"], "markdown": help_md or doc["title"]},
            "defaultConfiguration": {"level": _LEVEL.get(severity, "warning")}, "properties": props}


def _uri(path: str, base: Path | None) -> tuple[str, bool]:
    """(URI, relative?) of a config file: relative to ``base`` when inside it, else as given (or file:).

    Either way a URI reference as RFC 3986 spells it: every segment percent-encoded (UTF-8), so a ``#``,
    ``?``, ``%``, space or ``:`` in a directory name is part of the path, not a fragment, query or scheme.
    """
    p = Path(path)
    if p.is_absolute():
        if base is not None:
            try:
                return _relative_ref(p.relative_to(Path(os.path.abspath(base))).parts), True
            except ValueError:
                pass
        return p.as_uri(), False
    return _relative_ref(PurePosixPath(path.replace(os.sep, "/")).parts), True


def _relative_ref(parts: tuple[str, ...]) -> str:
    # "safe" is RFC 3986 pchar minus ":" (a colon in the first segment would read as a scheme).
    return "/".join(quote(x, safe="!$&'()*+,;=@") for x in parts if x != ".")


def _locations(a: Assessment, f: Any, base: Path | None) -> list[dict[str, Any]]:
    snaps = {s.name: s for s in a.snapshots}
    tools = list(f.tools)
    logical = []
    if tools:
        for key in tools:
            server, _, tool = key.partition("/")
            logical.append({"name": tool, "fullyQualifiedName": key, "kind": "function"})
    elif f.subject and f.subject != f.server:
        logical.append({"name": f.subject, "fullyQualifiedName": f"{f.server}/{f.subject}", "kind": "member"})
    else:
        logical.append({"name": f.server, "fullyQualifiedName": f.server, "kind": "module"})
    involved = [t.partition("/")[0] for t in tools] + f.server.split("+")
    location: dict[str, Any] = {"logicalLocations": logical[:10]}
    source = next((snaps[s].server.source for s in involved if s in snaps and snaps[s].server.source), None)
    if source is not None:
        uri, relative = _uri(source.path, base)
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri, **({"uriBaseId": "%SRCROOT%"} if relative else {})}}
        line = source.line_of(f.location)
        if line and line >= 1:  # the value the finding is about (launch findings), else the server's entry
            physical["region"] = {"startLine": int(line)}
        location["physicalLocation"] = physical
    return [location]


def _result(a: Assessment, f: Any, rule_index: dict[str, int], base: Path | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": rule_index[f.code],
        "level": _LEVEL.get(f.severity, "warning"),
        "kind": "fail",
        "message": {"text": one_line(f"{f.title}: {f.message}")},
        "locations": _locations(a, f, base),
        "partialFingerprints": {"mcpriskFindingId/v1": sha256_hex(f.id)},
        "properties": {"findingId": f.id, "severity": f.severity, "server": f.server, "subject": f.subject,
                       "status": f.status,
                       "evidence": [one_line(f"{e.rule} {e.source}: {e.text} ({e.detail})", 400) for e in f.evidence]},
    }
    if f.status in _SUPPRESSION:
        sup: dict[str, Any] = {"kind": "external", "status": _SUPPRESSION[f.status]}
        if f.tracking_note:
            sup["justification"] = one_line(f.tracking_note, 1000)
        result["suppressions"] = [sup]
    return result


def render_sarif(a: Assessment, *, timestamp: str | dt.datetime | None = None, base: str | os.PathLike[str] | None = None
                 ) -> str:
    """The assessment as a SARIF 2.1.0 log (JSON text). ``base``: the directory config paths are made
    relative to (the repository root in CI); relative paths are kept as given."""
    base_path = Path(base) if base is not None else None
    docs = rule_docs(a)
    codes = sorted({f.code for f in a.findings}, key=lambda c: c)
    rules = []
    for code in codes:
        doc = docs.get(code) or {"title": code, "description": code, "severity": None, "references": []}
        if doc.get("severity") is None:
            doc = {**doc, "severity": max((f.severity for f in a.findings if f.code == code), key=severity_rank)}
        rules.append(_rule(code, doc))
    rule_index = {code: i for i, code in enumerate(codes)}
    notifications = []
    for snap in a.snapshots:
        for e in snap.errors:
            notifications.append({"level": "error" if e.fatal else "note",
                                  "message": {"text": one_line(f"{snap.name}: {e.stage}: {e.code}: {e.message}", 600)},
                                  "descriptor": {"id": f"introspection/{e.code}"}})
    for r in a.rule_failures:
        notifications.append({"level": "error", "message": {"text": one_line(f"rule {r.rule} failed on {r.subject}: "
                                                                             f"{r.error}", 600)},
                              "descriptor": {"id": f"rule-failure/{r.rule}"}})
    invocation: dict[str, Any] = {
        "executionSuccessful": all(s.status == "complete" for s in a.snapshots) and not a.rule_failures}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    ts = stamp(timestamp)
    if ts is not None:
        invocation["endTimeUtc"] = ts
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "mcprisk", "version": __version__, "semanticVersion": __version__,
                            "rules": rules}},
        "invocations": [invocation],
        "results": [_result(a, f, rule_index, base_path) for f in a.findings],
        "properties": {"servers": [s.name for s in a.snapshots]},
    }
    if any(s.server.source for s in a.snapshots):
        run["originalUriBaseIds"] = {"%SRCROOT%": {"description": {"text": "The directory mcprisk was run in "
                                                                             "(the repository root in CI)."}}}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json_safe(json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"
