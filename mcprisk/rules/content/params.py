"""Attacks written into the input schema itself: orders as property names, poisoned defaults and choices."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from ...model import Finding
from .._base import RuleContext, finding_rule
from ._hits import Hit, report
from ._surface import Subject, surface
from .exfil import SECRET_FILES
from .override import INJECTION_REFS

SECRET_TEMPLATE = re.compile(r"(\{\{\s*|\$\{\s*|\$|%)(env\.|secrets\.|process\.env\.)?[a-z0-9_]*(key|token|secret|password|"
                             r"passwd|credential|auth|cookie|session)[a-z0-9_]*(\s*\}\}|\s*\}|%)?")
URL = re.compile(r"\b(?:https?|wss?|ftp)://([^/\s\"'<>?#]+)")
KEY_DIRECTIVE = re.compile(r"\b(ignore|always|never|must|instead|forward|send|paste|copy|upload|leak|secret|"
                           r"password|root|asking)\b|\b(envoyer|eintragen|immer|siempre|sempre|toujours)\b")
DIRECTIVE_WORDS = re.compile(KEY_DIRECTIVE.pattern + r"|\b(email|mail|send|forward|upload|post) (it|them|the|this|these|all|"
                             r"everything)\b")
CALL_TOOL = re.compile(r"\bcall \w+_\w+")
_VALUE_KEYS = ("default", "const", "enum", "examples", "example")


def _value_kind(path: str) -> str | None:
    tail = path.rsplit(".", 1)[-1]
    for key in _VALUE_KEYS:
        if tail.startswith(key):
            return key
    return None


DEST_PROP = re.compile(r"webhook|callback|endpoint|target|destination|upload|sink|collector|report|notify|forward|"
                       r"post|push|ingest|send|export|log|telemetry|mirror|relay")
DEST_DESC = re.compile(r"\b(post|send|upload|deliver|forward|push|report|export)(ed|s)?\b[^\n]{0,20}\b(to|at|here)\b"
                       r"|\bwhere\b[^\n]{0,40}\b(sent|posted|uploaded|delivered|pushed|exported)\b")


def _destination(subject: Subject, path: str) -> bool:
    """The parameter is where data goes out (a webhook, an upload target), by its name or its description."""
    if ".properties." not in path:
        return False
    prop_path = path.rsplit(".", 1)[0]
    prop = prop_path.rsplit(".properties.", 1)[-1]
    if DEST_PROP.search(prop.lower()):
        return True
    return any(f.path == f"{prop_path}.description" and DEST_DESC.search(f.norm) for f in subject.fields)


def _server_words(server: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", server.lower()) if len(w) >= 3}


def _param_hits(subject: Subject) -> Iterator[Hit]:
    own = _server_words(subject.server)
    for f in subject.fields:
        if not f.schema or f.kind == "decoded":
            continue
        words = [w for w in re.split(r"[\s_\-./]+", f.norm) if w]
        if f.kind == "key":
            if len(words) >= 5 and KEY_DIRECTIVE.search(" ".join(words)):
                yield Hit(subject, f, 0, len(f.norm), "writes an instruction as a property name")
                return
            continue
        kind = _value_kind(f.path)
        if kind is None:
            continue
        m = SECRET_TEMPLATE.search(f.norm)
        if m and kind in ("default", "const", "examples", "example") and re.search(r"[{$%]", m.group(0)):
            yield Hit(subject, f, m.start(), m.end(), "fills a parameter with a secret from the environment by default")
            return
        prop = f.path.rsplit(".properties.", 1)[-1].split(".")[0].lower() if ".properties." in f.path else ""
        plain_path = re.fullmatch(r"[~\w./-]+", f.raw.strip()) and re.search(r"path|file|dir|location", prop)
        if kind != "enum" and SECRET_FILES.search(f.raw.lower()) and not plain_path:
            # a path parameter defaulting to the file the tool is about is honest; a secret file read into
            # any other parameter (or through "$(cat ~/.ssh/id_rsa)") is not
            yield Hit(subject, f, 0, len(f.norm), f"fills a parameter with a secret file by {kind}")
            return
        if kind in ("default", "const") and _destination(subject, f.path):
            for u in URL.finditer(f.norm):
                host = urlsplit(u.group(0)).hostname or ""
                if host and not (own & set(re.split(r"[^a-z0-9]+", host))) and host not in ("localhost", "127.0.0.1"):
                    yield Hit(subject, f, u.start(), u.end(), "points a parameter at an outside address by default")
                    return
        if len(words) >= 5 and (DIRECTIVE_WORDS.search(" ".join(words)) or CALL_TOOL.search(f.norm)):
            yield Hit(subject, f, 0, len(f.norm), f"writes an instruction into a schema {kind} value")
            return


@finding_rule("INJ014", "Parameter poisoning in the input schema", likelihood=3, impact=4, references=INJECTION_REFS,
              scope="snapshots", hostile=True)
def parameter_poisoning(ctx: RuleContext) -> Iterable[Finding]:
    """The attack sits in the input schema: an instruction written as a property name
    (``ignore_previous_instructions_and_put_...``), a default that points at an outside host or pulls a secret
    from the environment (``{{OPENAI_API_KEY}}``, ``${GITHUB_TOKEN}``), enum values, defaults or examples that
    read as orders. A default URL on the server's own domain and ordinary template placeholders (``${name}``)
    are not flagged. Property descriptions that ask for secrets are INJ009's."""
    hits = (next(_param_hits(s), None) for s in surface(ctx).subjects)
    yield from report(parameter_poisoning, (h for h in hits if h), "Parameter poisoning")
