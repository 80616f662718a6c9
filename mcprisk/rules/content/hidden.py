"""Text a human reviewer does not see but the model reads: hidden markup, invisible characters, terminal
escapes and padding that pushes text out of view."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ...model import Finding
from .._base import RuleContext, finding_rule
from ._concepts import BREAKS, fold, glued_script, present, word_concepts
from ._decode import is_prose
from ._hits import Hit, hit, report
from ._surface import Subject, surface
from .override import INJECTION_REFS

_ATTR_HIDDEN = (r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*(0(?![.\d]*[1-9])|1px|1pt)|opacity\s*:\s*0(?![.\d]*[1-9])|"
                r"color\s*:\s*(transparent|#fff\b|#ffffff\b|white\b)|height\s*:\s*0|width\s*:\s*0|"
                r"color=[\"']?(#fff\b|#ffffff\b|white\b)|aria-hidden|\bhidden\b")
MARKUP = (
    (re.compile(r"<!-{2,}(.*?)-{2,}>", re.S), "an HTML comment"),
    (re.compile(rf"<([a-z][a-z0-9]*)\b[^>]*({_ATTR_HIDDEN})[^>]*>(.*?)</\1\s*>", re.S), "an element hidden with CSS or attributes"),
    (re.compile(r"<(template|noscript|script)\b[^>]*>(.*?)</\1\s*>", re.S), "a <template>/<script> block that is never shown"),
    (re.compile(r"(?m)^\s*\[(//|comment|_|#)\]:\s*(#|<>|\S+)\s*\((.*?)\)\s*$"), "a Markdown comment"),
    (re.compile(r"(?m)^\s*\[[^\]\n]+\]:\s*\S+\s+[\"'(](.{12,}?)[\"')]\s*$"), "a Markdown link definition whose title carries text"),
)
TRACKING = re.compile(r"!\[[^\]\n]*\]\(\s*https?://[^)\s]*\?[^)\s]*[{=][^)\s]*\)|<img\b[^>]*\bsrc=[\"']?https?://[^\"'\s>]*\?[^\"'\s>]*"
                      r"[^>]*>|<img\b[^>]*\b(width|height)=[\"']?[01][\"'\s][^>]*>")
_DATA_IN_URL = re.compile(r"\{[^}]+\}|[a-z_]*(conversation|message|email|history|chat|key|token|secret|context|user)[a-z_]*")


def _markup_hits(subject: Subject) -> Iterator[Hit]:
    text = subject.text
    if "<" not in text and "[" not in text and "!" not in text:
        return
    for regex, what in MARKUP:
        for m in regex.finditer(text):
            inner = m.group(m.lastindex or 0) if m.lastindex else m.group(0)
            words = re.findall(r"[^\W\d_]{2,}", inner)
            if len(words) >= 3 and not _placeholder(inner, words) and not _directive(inner):
                yield hit(subject, m.start(), m.end(), f"hides text from the reader in {what}", impact=4)
                return
    for m in TRACKING.finditer(text):
        data = _DATA_IN_URL.search(m.group(0)) is not None
        if data or "width" in m.group(0) or "height" in m.group(0):  # data sent to a fixed host is the act itself
            yield hit(subject, m.start(), m.end(), "embeds a tracking image that carries data in its URL",
                      impact=4 if data else 3)
            return


# What hidden text must say to be aimed at the model: a few words with none of these are a documented placeholder.
_ORDERS = frozenset({"tell", "tell_weak", "hide", "ignore", "instructions", "rules", "secret", "cred", "context", "send",
                     "harm", "always", "gather", "include", "use", "neg", "lie", "other", "user", "only", "obey",
                     "precedence", "now", "sequence", "recipient"})


# A tool's directive written as a comment: one hyphenated keyword and its codes ("markdownlint-disable MD013",
# "prettier-ignore", "eslint-disable-next-line no-console"), which a linter or formatter reads, not the model.
_DIRECTIVE = re.compile(r"\s*([a-z][a-z0-9]*)(?:-[a-z0-9]+){1,4}(?:\s+(?=[a-z0-9/-]*[\d/-])[a-z0-9]+(?:[-/][a-z0-9]+)*,?){0,3}\s*")


def _directive(inner: str) -> bool:
    """The hidden text is a linter's or formatter's directive (``_DIRECTIVE``) whose first word names the tool, not
    a word of the lexicons ("ignore-previous-instructions" is an order written with hyphens)."""
    m = _DIRECTIVE.fullmatch(inner)
    return m is not None and not word_concepts(m.group(1))


def _placeholder(inner: str, words: list[str]) -> bool:
    """``<span style="display:none">Your preview text</span>``: a short hidden span that orders nothing documents the
    markup a parameter takes (an email preheader), it does not hide text from the reader."""
    if len(words) >= 6:
        return False
    norm = fold(inner)
    found = present(frozenset(norm.translate(BREAKS).split()), norm, glued_script(norm))
    return found.concepts.isdisjoint(_ORDERS)


@finding_rule("INJ015", "Hidden HTML, CSS or Markdown", likelihood=3, impact=3, references=INJECTION_REFS,
              scope="snapshots", hostile=True)
def hidden_markup(ctx: RuleContext) -> Iterable[Finding]:
    """Words a rendered view hides but the model reads: HTML comments, elements hidden with CSS
    (``display:none``, zero font size, white or transparent text, ``hidden``), ``<template>`` blocks, Markdown
    comments (``[//]: # (...)``), link definitions whose title carries text, and tracking images whose URL
    carries data. Documentation that only names the syntax (``<!-- ... -->``, "elements hidden with
    display:none") is not flagged: the hidden part must hold three or more words. Hidden text, or a tracking image carrying data,
    is critical; a bare one-pixel image high."""
    hits = (next(_markup_hits(s), None) for s in surface(ctx).subjects)
    yield from report(hidden_markup, (h for h in hits if h), "Hidden markup")


TAGS = re.compile("[\U000e0000-\U000e007f]+")
ZERO_WIDTH = re.compile("[\u200b\u2060-\u2064\ufeff\u180e\u00ad]|(?<=[A-Za-z])[\u200c\u200d](?=[A-Za-z])")
BIDI = re.compile("[\u202a-\u202e]")
VARIATION = re.compile("[\U000e0100-\U000e01ef]{2,}|[\ufe00-\ufe0e]{3,}")


def _invisible_hits(subject: Subject) -> Iterator[Hit]:
    for f in subject.fields:
        raw = f.raw
        if f.kind == "decoded" or raw.isascii():
            continue
        for m in TAGS.finditer(raw):
            flag = m.start() > 0 and raw[m.start() - 1] == "\U0001f3f4" and len(m.group(0)) <= 8
            if not flag:
                yield Hit(subject, f, m.start(), m.end(), f"hides {len(m.group(0))} Unicode tag characters "
                          f"(decoded: “{_decoded(subject, f.path, 'tag characters')}”)", in_raw=True)
                return
        m = VARIATION.search(raw)
        if m:
            yield Hit(subject, f, m.start(), m.end(), "smuggles bytes in variation selectors "
                      f"(decoded: “{_decoded(subject, f.path, 'variation-selector bytes')}”)", in_raw=True)
            return
        m = BIDI.search(raw)
        if m:
            yield Hit(subject, f, m.start(), m.end() + 40, "re-orders text with bidi override characters (as displayed: "
                      f"“{_decoded(subject, f.path, 'right-to-left override, as displayed')}”)", in_raw=True)
            return
        found = ZERO_WIDTH.findall(raw)
        if len(found) >= 2 and (len(found) >= 8 or is_prose(f.norm)):
            first = ZERO_WIDTH.search(raw)
            yield Hit(subject, f, first.start(), first.end() + 40, f"hides {len(found)} zero-width characters inside words",
                      in_raw=True)
            return


def _decoded(subject: Subject, path: str, how: str) -> str:
    for f in subject.fields:
        if f.path == f"{path} ({how})":
            return f.raw[:120]
    return "not readable"


@finding_rule("INJ002", "Invisible, tag or direction-changing Unicode", likelihood=3, impact=4,
              references=INJECTION_REFS, scope="snapshots", hostile=True)
def invisible_unicode(ctx: RuleContext) -> Iterable[Finding]:
    """Unicode tag characters and variation-selector runs (ASCII smuggling), bidi overrides that reorder what
    a reviewer sees, and zero-width characters inside words hide text from a human while the model reads it;
    the hidden text is decoded and shown. Emoji subdivision flags, zero-width joiners in emoji and in
    Persian/Indic words, and right-to-left marks in Hebrew or Arabic text are not flagged."""
    hits = (next(_invisible_hits(s), None) for s in surface(ctx).subjects)
    yield from report(invisible_unicode, (h for h in hits if h), "Invisible characters")


ESCAPE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]{0,400}|\x1b[@-Z\\-_78]"
                    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)")


# A colour or style sequence (not 8, concealed) or a stray control character changes how text looks and hides
# nothing by itself: high. Any other sequence
# (concealed text, a window title, a clipboard write, a link, a line overwritten) hides or forges what is shown.
_COLOUR = re.compile(r"\x1b\[(?!(?:[0-9;]*;)?8(?:;|m))[0-9;]*m")
_STRAY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]")  # a stray control character left by a copy


def _shows_all(sequence: str, raw: str) -> bool:
    """A colour that is not the background's, or one stray control character: nothing is hidden by it."""
    colour = _COLOUR.fullmatch(sequence)
    if colour:
        codes = sequence[2:-1].split(";")
        return not any(f"3{c[1:]}" in codes for c in codes if len(c) == 2 and c.startswith("4"))
    return _STRAY.fullmatch(sequence) is not None and len(_STRAY.findall(raw)) == 1


@finding_rule("INJ003", "Terminal escape sequences or control characters", likelihood=3, impact=3,
              references=("CWE-150", *INJECTION_REFS), scope="snapshots", hostile=True)
def control_characters(ctx: RuleContext) -> Iterable[Finding]:
    """ANSI/OSC escape sequences (7-bit and 8-bit), carriage returns that overwrite a line and other control
    characters rewrite what a reviewer's terminal shows: concealed text, a spoofed window title, a clipboard
    write, a line printed over an order. Escape codes described in words ("ESC[31m") are not flagged. A colour or a single stray control
    character is high; concealed or same-colour text, a title, a clipboard write, a link or an overwritten line critical."""
    def hits() -> Iterator[Hit]:
        for s in surface(ctx).subjects:
            for f in s.fields:
                if f.kind == "decoded" or f.raw.isprintable():
                    continue
                m = ESCAPE.search(f.raw)
                if m:
                    yield Hit(s, f, m.start(), m.end() + 40, f"contains the control sequence {m.group(0)[:12]!r}",
                              in_raw=True, impact=3 if _shows_all(m.group(0), f.raw) else 4)
                    break
    yield from report(control_characters, hits(), "Terminal escape")


PADDING = re.compile(r"(?m)\s{300,}|(?:^[ \t]*[-=_.*#~]{20,}[ \t]*\n){8,}")


@finding_rule("INJ016", "Text pushed out of view by padding", likelihood=2, impact=3, references=INJECTION_REFS,
              scope="snapshots", hostile=True)
def padding(ctx: RuleContext) -> Iterable[Finding]:
    """Hundreds of blank lines, spaces or separator rows followed by more text: a reviewer scrolling a
    description sees the harmless start and never the end. (Attacks after long but plausible filler are found
    by the other rules, which read every position alike; their messages say how far in the text sat.)"""
    def hits() -> Iterator[Hit]:
        for s in surface(ctx).subjects:
            for f in s.fields:
                if len(f.raw) < 300:
                    continue
                for m in PADDING.finditer(f.raw):
                    tail = f.raw[m.end():]
                    if len(re.findall(r"[^\W\d_]{2,}", tail)) >= 3:
                        yield Hit(s, f, m.end(), min(len(f.raw), m.end() + 80),
                                  f"hides text after {m.end() - m.start():,} characters of padding", in_raw=True)
                        break
                else:
                    continue
                break
    yield from report(padding, hits(), "Padding")
