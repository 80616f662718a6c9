"""Names that imitate other names: confusable and mixed-script identifiers (Unicode TR39 skeletons), and tool
names equal to or one edit from another loaded server's tool.

Skeletons use the Unicode confusables table shipped by ``confusable-homoglyphs`` (thousands of look-alikes
across scripts, digits and mathematical/fullwidth forms), read once per process.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from confusable_homoglyphs import categories
from confusable_homoglyphs import utils as homoglyph_data

from ...model import Finding
from .._base import RuleContext, finding_rule
from ._hits import Hit, report
from ._surface import Subject, Surface, surface

SHADOW_REFS = ("OWASP MCP Top 10: MCP03 Tool Poisoning", "tool shadowing", "Unicode TR39")
_SAFE_MIX = {"COMMON", "INHERITED", "UNKNOWN"}
# Latin mixed with these is normal writing (Japanese, Chinese, Korean names beside Latin ones).
_CJK = {"HAN", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO"}


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    """Character -> its ASCII look-alike, from the Unicode confusables data (built once)."""
    out: dict[str, str] = {}
    for char, glyphs in homoglyph_data.load("confusables.json").items():
        if len(char) != 1 or (char.isascii() and char.isalpha()):
            continue
        for g in glyphs:
            c = g["c"].strip("\u200e")
            if len(c) == 1 and c.isascii() and c.isalnum():
                out[char] = c.lower()
                break
    return out


def skeleton(name: str) -> str:
    """A TR39-style skeleton: NFKC, look-alikes mapped to their ASCII letter, case-folded."""
    table = _table()
    text = unicodedata.normalize("NFKC", name)
    return "".join(table.get(c, c) for c in text).casefold()


def loose(name: str) -> str:
    """Skeleton without separators or case: ``ListFiles``, ``list-files`` and ``list_files`` are one name."""
    return re.sub(r"[\s_\-.:/]+", "", skeleton(name))


def scripts(word: str) -> set[str]:
    return {categories.alias(c) for c in word if c.isalpha()} - _SAFE_MIX


def mixed_script(text: str) -> str | None:
    """The first word mixing Latin with a look-alike script (Cyrillic, Greek, Armenian, ...), if any."""
    for word in re.split(r"[\s_\-.:/()]+", text):
        if word.isascii():
            continue
        found = scripts(word)
        if len(found) >= 2 and "LATIN" in found and not (found & _CJK):
            return word
    return None


def _name_fields(subject: Subject) -> Iterator:
    for f in subject.fields:
        if f.kind in ("name", "title") and f.path in ("name", "title", "annotations.title", "server.name"):
            yield f


def _confusable_hits(subject: Subject, owners: dict[str, str], own: set[str]) -> Iterator[Hit]:
    for f in _name_fields(subject):
        raw = f.raw
        if raw.isascii():
            continue
        word = mixed_script(raw)
        if word:
            yield Hit(subject, f, 0, len(f.norm), f"mixes scripts in {word!r} (skeleton {skeleton(word)!r})")
            return
        skel = loose(raw)
        twin = owners.get(skel)
        if f.kind == "name" and twin and twin not in own:
            yield Hit(subject, f, 0, len(f.norm), f"looks like {twin!r} (same skeleton {skel!r})", impact=4, likelihood=4)
            return
        folded = unicodedata.normalize("NFKC", raw)
        if folded != raw and folded.isascii():
            yield Hit(subject, f, 0, len(f.norm), f"spells {folded!r} with fullwidth or mathematical look-alike letters")
            return


@finding_rule("INJ017", "Confusable or mixed-script name", likelihood=3, impact=4, references=SHADOW_REFS,
              scope="snapshots", hostile=True)
def confusable_name(ctx: RuleContext) -> Iterable[Finding]:
    """A tool, prompt, resource or server name (or a title) that mixes Latin with look-alike letters of another
    script (Cyrillic ``е`` in ``rеad_file``), spells an ASCII name in fullwidth or mathematical letters, or
    whose Unicode TR39 skeleton equals another loaded tool's name (``lıst_repos`` beside ``list_repos``): the
    user reads one name and the model may call the other. Names written wholly in one script (``поиск_заказа``,
    ``créer_facture``, ``検索``) are not flagged."""
    surf = surface(ctx)
    by_skeleton: dict[str, list[tuple[str, str]]] = {}
    for server, names in surf.tools_by_server.items():
        for n in names:
            if not n.isascii():
                continue
            by_skeleton.setdefault(loose(n), []).append((n, server))
    hits = []
    for s in surf.subjects:
        if all(f.raw.isascii() for f in _name_fields(s)):
            continue
        owners = {k: next((n for n, srv in v if srv != s.server), "") for k, v in by_skeleton.items()}
        h = next(_confusable_hits(s, {k: v for k, v in owners.items() if v}, set(surf.tools_by_server.get(s.server, ()))), None)
        if h:
            hits.append(h)
    yield from report(confusable_name, hits, "Confusable name")


def damerau1(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one insertion, deletion, substitution or adjacent swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i:i + 2] == b[i:i + 2][::-1] and a[i + 2:] == b[i + 2:])
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[i + 1:] == shorter[i:]


@dataclass(frozen=True)
class Twin:
    """Two tools of different servers whose names are equal or one edit apart (after skeleton and separators)."""

    server: str
    tool: str
    other_server: str
    other_tool: str
    exact: bool


def name_twins(surf: Surface) -> list[Twin]:
    """Every cross-server pair of equal or one-edit tool names; linear in the tools (deletion neighbours)."""
    index: dict[str, list[tuple[str, str, str]]] = {}
    for server, names in surf.tools_by_server.items():
        for n in names:
            key = loose(n)
            keys = {key} | ({key[:i] + key[i + 1:] for i in range(len(key))} if len(key) >= 5 else set())
            for k in keys:
                index.setdefault(k, []).append((server, n, key))
    pairs: dict[tuple[str, str, str, str], Twin] = {}
    for group in index.values():
        if len(group) < 2 or len(group) > 50:
            continue
        for s1, n1, k1 in group:
            for s2, n2, k2 in group:
                if s1 == s2 or not damerau1(k1, k2):
                    continue
                pairs.setdefault((s1, n1, s2, n2), Twin(s1, n1, s2, n2, k1 == k2))
    return sorted(pairs.values(), key=lambda t: (t.server, t.tool, t.other_server, t.other_tool))


SUPERIOR = re.compile(
    r"\b(official|officially|replacement|supersed\w*|preferred over|recommended over|recommends|authoritative|"
    r"maintained version|v2 of|mirror of|use this (one|instead)|always use this|identical behaviou?r|forwarded here|"
    r"the variant|prefers|retired|legacy shim)\b")
# Weaker claims count only for a look-alike name (read_fi1e beside read_file), not for two servers' same name.
SUPERIOR_WEAK = re.compile(r"\b(verified|trusted|enhanced|improved|faster|better|safer|secure)\b")
CLAIM_REACH = 240  # a claim to be the real one sits at the start of a description


def shadow_signal(subject: Subject, twin: Twin) -> Hit | None:
    """The second signal that turns a name collision into shadowing: superiority or replacement language, or a
    reference to the other server or its tool."""
    # weak claims only for a look-alike of the same length (read_fi1e, send_mesasge), not for a plural or the same name
    same_name = twin.tool.lower() == twin.other_tool.lower() or len(twin.tool) != len(twin.other_tool)
    for f in subject.fields:
        if f.kind not in ("description", "title") or f.schema:
            continue
        head = f.norm[:CLAIM_REACH]
        m = SUPERIOR.search(head) or (None if same_name else SUPERIOR_WEAK.search(head))
        if m:
            return Hit(subject, f, m.start(), m.end(),
                       f"shares a name with {twin.other_tool!r} of {twin.other_server} and claims to be the better one")
        other = twin.other_server.lower()
        if f"{other} server" in f.norm or f"{other}'s" in f.norm:
            i = f.norm.find(other)
            return Hit(subject, f, i, i + len(other),
                       f"shares a name with {twin.other_tool!r} of {twin.other_server} and refers to that server")
    return None


def _title_claims(subject: Subject, surf: Surface) -> Hit | None:
    for f in subject.fields:
        if f.path in ("title", "annotations.title"):
            for word in re.findall(r"[a-z0-9][a-z0-9_-]+", f.norm):
                owner = surf.owner_elsewhere(word, subject.server) if ("_" in word or "-" in word) else None
                if owner and word != subject.name.lower():
                    i = f.norm.find(word)
                    return Hit(subject, f, i, i + len(word), f"titles itself as {word!r}, a tool of the {owner} server")
    return None


@finding_rule("INJ006", "Tool shadowing: a name twin that claims to be the real one", likelihood=3, impact=4,
              references=SHADOW_REFS, scope="snapshots", hostile=True)
def shadowing(ctx: RuleContext) -> Iterable[Finding]:
    """A tool whose name equals or is one edit from another loaded server's tool (after TR39 skeletons,
    case and separators: ``get_user_role``/``get_user_roles``, ``search_issues``/``search-issues``) and that
    also claims to be the better, official or replacing one, or points at the other server; or a tool that
    titles itself with another server's tool name. A bare collision between honest servers (both expose
    ``search``) is hygiene, reported as HYG002."""
    surf = surface(ctx)
    by_key = {(s.server, s.name): s for s in surf.subjects if s.kind == "tool"}
    hits: dict[tuple[str, str], Hit] = {}
    for twin in name_twins(surf):
        subject = by_key.get((twin.server, twin.tool))
        if subject is not None and (twin.server, twin.tool) not in hits:
            h = shadow_signal(subject, twin)
            if h:
                hits[(twin.server, twin.tool)] = h
    for key, subject in by_key.items():
        if key not in hits:
            h = _title_claims(subject, surf)
            if h:
                hits[key] = h
    yield from report(shadowing, hits.values(), "Tool shadowing")
