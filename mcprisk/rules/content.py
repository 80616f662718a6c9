"""Hostile text in what the model reads: descriptions, titles, schemas, prompts, resources and instructions.

Every string a server sends to be shown to the model is a prompt-injection surface. These rules look
for instructions aimed at the model, text hidden from the human, and references to other servers' tools.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .._text import clip
from ..model import Evidence, Finding
from ..snapshot import Snapshot
from ._base import RuleContext, finding_rule, make

INJECTION_REFS = ("OWASP MCP Top 10: MCP03 Tool Poisoning", "OWASP LLM01 Prompt Injection", "CWE-74")

HIDDEN_INSTRUCTIONS = [
    (re.compile(r"\b(ignore|disregard|forget|override)\b[^.\n]{0,30}\b(previous|prior|above|earlier|all|any|other|system)\b[^.\n]{0,20}\b(instructions?|prompts?|rules|directions)", re.I),
     "tells the model to ignore its instructions"),
    (re.compile(r"<\s*/?\s*(important|system|instructions?|secret|hidden|admin)\s*>", re.I),
     "uses a pseudo-tag to address the model"),
    (re.compile(r"\b(do not|don't|never|must not)\s+(tell|inform|mention|reveal|show|notify|alert)\b[^.\n]{0,20}\b(the )?(user|human|operator)", re.I),
     "asks the model to hide something from the user"),
    (re.compile(r"\bwithout (telling|informing|asking|notifying) (the )?(user|human)", re.I),
     "asks the model to act without the user knowing"),
    (re.compile(r"(~/\.ssh|id_rsa|id_ed25519|\.aws/credentials|/etc/passwd|/etc/shadow|\.env\b|\.netrc|\.npmrc|"
                r"mcp\.json|claude_desktop_config)", re.I),
     "points the model at secret files"),
    (re.compile(r"\b(before|after|when) (using|calling|running) (this|any|the)\b[^.\n]{0,60}\b(read|send|include|pass|upload|call|fetch)\b", re.I),
     "chains a hidden step onto a tool call"),
    (re.compile(r"\byou (must|should|are required to|have to) (always |first |also )?(call|use|send|include|read|pass|forward)\b", re.I),
     "gives the model an order"),
]
SHADOWING = re.compile(r"\b(instead of|rather than|replaces?|overrides?|whenever you use|when using|before using)\s+"
                       r"(the|any|other|another|all)\s+[\w-]+\s+(tools?|servers?|functions?)\b", re.I)
INVISIBLE = re.compile("[\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]")
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BLOB = re.compile(r"(?<![A-Za-z0-9+/=])(?:[A-Za-z0-9+/]{60,}={0,2}|(?:[0-9a-fA-F]{2}){40,}|(?:%[0-9a-fA-F]{2}){20,})"
                  r"(?![A-Za-z0-9+/=])")
TOKENS = re.compile(r"[\w.-]+")
OVERSIZED = 4000  # characters; typical descriptions are a few hundred


def texts(snap: Snapshot) -> Iterator[tuple[str, str, str]]:
    """(subject, where, text) for every model-visible string a server sent."""
    if snap.instructions:
        yield snap.name, "server instructions", snap.instructions
    for tool in snap.tools:
        for where, value in (("description", tool.description), ("title", tool.title)):
            if value:
                yield tool.name, f"tool {where}", value
        for path, value in _schema_strings(tool.input_schema):
            yield tool.name, f"input schema {path}", value
        for key, value in tool.extra.items():
            for path, text in _schema_strings({key: value}):
                yield tool.name, f"unknown field {path}", text
    for prompt in snap.prompts:
        if prompt.description:
            yield f"prompt:{prompt.name}", "prompt description", prompt.description
        for arg in prompt.arguments:
            if isinstance(arg.get("description"), str):
                yield f"prompt:{prompt.name}", f"argument {arg.get('name')}", arg["description"]
    for res in (*snap.resources, *snap.resource_templates):
        if res.description:
            yield f"resource:{res.name}", "resource description", res.description


def _schema_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path or "(value)", value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            if k in ("type", "format", "$schema", "$id", "$ref", "pattern"):
                continue
            yield from _schema_strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:50]):
            yield from _schema_strings(v, f"{path}[{i}]")


def _tool_key(snap: Snapshot, subject: str) -> tuple[str, ...]:
    return (f"{snap.name}/{subject}",) if ":" not in subject and subject != snap.name else ()


def _show(text: str, m: re.Match[str]) -> str:
    a, b = max(0, m.start() - 30), min(len(text), m.end() + 30)
    return clip(text[a:b].replace("\n", " "), 160)[0]


@finding_rule("INJ001", "Hidden instructions aimed at the model", likelihood=3, impact=4, references=INJECTION_REFS,
              scope="snapshots")
def hidden_instructions(ctx: RuleContext) -> Iterable[Finding]:
    """Text that orders the model around (ignore previous instructions, read ~/.ssh, don't tell the user) in
    a description, schema, prompt or the server's instructions: classic tool poisoning."""
    for snap in ctx.snapshots:
        seen: set[str] = set()
        for subject, where, text in texts(snap):
            for pattern, meaning in HIDDEN_INSTRUCTIONS:
                m = pattern.search(text)
                if m and subject not in seen:
                    seen.add(subject)
                    yield make(hidden_instructions, server=snap.name, subject=subject,
                               message=f"The {where} of {subject} {meaning}: “{_show(text, m)}”.",
                               evidence=(Evidence("INJ001", "description", _show(text, m), meaning),),
                               tools=_tool_key(snap, subject))
                    break


@finding_rule("INJ002", "Invisible or direction-changing Unicode", likelihood=3, impact=3, references=INJECTION_REFS,
              scope="snapshots")
def invisible_unicode(ctx: RuleContext) -> Iterable[Finding]:
    """Zero-width characters, Unicode tag characters and bidi controls hide text from a human reviewer while
    the model still reads it."""
    for snap in ctx.snapshots:
        seen: set[str] = set()
        for subject, where, text in texts(snap):
            found = INVISIBLE.findall(text)
            if found and subject not in seen:
                seen.add(subject)
                codes = sorted({f"U+{ord(c):04X}" for c in found})
                yield make(invisible_unicode, server=snap.name, subject=subject,
                           message=f"The {where} of {subject} contains {len(found)} invisible character(s): "
                                   f"{', '.join(codes[:6])}.",
                           evidence=(Evidence("INJ002", "description", ", ".join(codes[:6]), "invisible characters"),),
                           tools=_tool_key(snap, subject))


@finding_rule("INJ003", "Terminal escape sequences or control characters", likelihood=2, impact=3,
              references=("CWE-150",), scope="snapshots")
def control_characters(ctx: RuleContext) -> Iterable[Finding]:
    """ANSI escapes and control characters can rewrite what a terminal shows a reviewer."""
    for snap in ctx.snapshots:
        seen: set[str] = set()
        for subject, where, text in texts(snap):
            if ANSI.search(text) and subject not in seen:
                seen.add(subject)
                yield make(control_characters, server=snap.name, subject=subject,
                           message=f"The {where} of {subject} contains terminal escape or control characters.",
                           evidence=(Evidence("INJ003", "description", repr(ANSI.search(text).group(0)),
                                              "control sequence"),),
                           tools=_tool_key(snap, subject))


@finding_rule("INJ004", "Encoded blob in model-visible text", likelihood=2, impact=2, references=INJECTION_REFS,
              scope="snapshots")
def encoded_blob(ctx: RuleContext) -> Iterable[Finding]:
    """Long base64, hex or percent-encoded runs are unreadable to a reviewer and can smuggle instructions."""
    for snap in ctx.snapshots:
        seen: set[str] = set()
        for subject, where, text in texts(snap):
            m = BLOB.search(text)
            if m and subject not in seen and "://" not in text[max(0, m.start() - 12):m.start()]:
                seen.add(subject)
                yield make(encoded_blob, server=snap.name, subject=subject,
                           message=f"The {where} of {subject} holds a {len(m.group(0))}-character encoded run.",
                           evidence=(Evidence("INJ004", "description", clip(m.group(0), 40)[0], "encoded run"),),
                           tools=_tool_key(snap, subject))


@finding_rule("INJ005", "Oversized description", likelihood=2, impact=1, references=INJECTION_REFS, scope="snapshots",
              hostile=False)
def oversized(ctx: RuleContext) -> Iterable[Finding]:
    """Very long descriptions crowd the model's context and hide content from review."""
    for snap in ctx.snapshots:
        items = [(t.name, t.description_length) for t in snap.tools] + \
                [(f"prompt:{p.name}", p.description_length) for p in snap.prompts]
        if snap.instructions_length > OVERSIZED:
            items.append((snap.name, snap.instructions_length))
        for subject, length in items:
            if length > OVERSIZED:
                yield make(oversized, server=snap.name, subject=subject,
                           message=f"{subject} has a {length:,}-character description (over {OVERSIZED:,}).",
                           evidence=(Evidence("INJ005", "description", f"{length} characters", "oversized"),),
                           tools=_tool_key(snap, subject), impact=2 if length > 50_000 else 1)


@finding_rule("INJ006", "Description refers to other tools or servers", likelihood=3, impact=3,
              references=("OWASP MCP Top 10: MCP03 Tool Poisoning", "tool shadowing"), scope="snapshots")
def shadowing(ctx: RuleContext) -> Iterable[Finding]:
    """A description that names another server's tools, or tells the model how to use other tools, can
    hijack those tools ("shadowing") when several servers are loaded together."""
    owners: dict[str, set[str]] = {}  # tool name -> servers that have it
    for snap in ctx.snapshots:
        for tool in snap.tools:
            if len(tool.name) > 3:
                owners.setdefault(tool.name, set()).add(snap.name)
    for snap in ctx.snapshots:
        own = {t.name for t in snap.tools}
        for subject, where, text in texts(snap):
            # Word-like runs of the text, looked up in the name table: linear in the text, whatever the
            # number of servers and tools loaded together.
            words = {w.strip(".-") for w in TOKENS.findall(text)}
            hits = sorted(w for w in words if w in owners and w not in own and owners[w] - {snap.name})
            hit = hits[0] if hits else None
            m = SHADOWING.search(text)
            if hit is None and m is None:
                continue
            detail = f"names {hit!r}, a tool of another server" if hit else f"“{_show(text, m)}”"
            yield make(shadowing, server=snap.name, subject=subject,
                       message=f"The {where} of {subject} {detail}.",
                       evidence=(Evidence("INJ006", "description", hit or _show(text, m), "refers to other tools"),),
                       tools=_tool_key(snap, subject), likelihood=3 if hit else 2)
            break
