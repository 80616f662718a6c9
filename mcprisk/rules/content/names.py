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
from typing import Any, NamedTuple
from importlib import resources

from confusable_homoglyphs import categories
from confusable_homoglyphs import utils as homoglyph_data

from ..._packaged import load_yaml
from ...model import Finding
from .._base import RuleContext, finding_rule
from ._hits import Hit, report
from ._surface import Field, Subject, Surface, surface
from .twins import (PRAISE, REPLACES, SAME_SERVICE_AT, about_itself, claim_of_tool, common, named_after,
                    shared_counts, variant_of, whole_word)

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
    text = unicodedata.normalize("NFKC", name)
    return text.translate(_translation()).casefold()


@functools.lru_cache(maxsize=1)
def _translation() -> dict[int, str]:
    return {ord(c): a for c, a in _table().items()}


_NAME_SEPARATORS = re.compile(r"[\s_\-.:/]+")


@functools.lru_cache(maxsize=65536)
def loose(name: str) -> str:
    """Skeleton without separators or case: ``ListFiles``, ``list-files`` and ``list_files`` are one name."""
    return _NAME_SEPARATORS.sub("", skeleton(name))


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


def _plain(name: str) -> str:
    """Case and separators dropped, nothing folded: two names equal here differ only in spelling style."""
    return _NAME_SEPARATORS.sub("", name.casefold())


def folded(name: str) -> str:
    """``loose`` plus the ASCII look-alikes a skeleton keeps apart: ``rn`` for ``m``, ``vv`` for ``w``, and a capital
    ``I`` for ``l`` in an otherwise lower-case name (``Iist_issues``)."""
    if "I" in name and name.replace("I", "").islower():
        name = name.replace("I", "l")
    return loose(name).replace("rn", "m").replace("vv", "w").replace("|", "l")


@functools.lru_cache(maxsize=1)
def well_known() -> dict[str, str]:
    """Folded form -> name, for the packaged list of widely used tool names (read once)."""
    data = load_yaml(resources.files("mcprisk.catalog").joinpath("well_known_tools.yaml").read_text("utf-8"))
    return {folded(n): n for n in data["tools"]}


def _name_fields(subject: Subject) -> Iterator:
    for f in subject.fields:
        if f.kind in ("name", "title") and f.path in ("name", "title", "annotations.title", "server.name"):
            yield f


def _confusable_hits(subject: Subject, twins: dict[str, str], own: set[str]) -> Iterator[Hit]:
    for f in _name_fields(subject):
        raw = f.raw
        if not raw.isascii():
            word = mixed_script(raw)
            if word:
                yield Hit(subject, f, 0, len(f.norm), f"mixes scripts in {word!r} (skeleton {skeleton(word)!r})")
                return
        if f.kind == "name" and subject.kind == "tool":
            key = folded(raw)
            twin = twins.get(key) or well_known().get(key)
            if twin and twin not in own and _plain(twin) != _plain(raw) != key:  # the look-alike, not the original
                yield Hit(subject, f, 0, len(f.norm), f"looks like {twin!r} (same skeleton {key!r})", impact=4,
                          likelihood=4)
                return
        if not raw.isascii():
            plain = unicodedata.normalize("NFKC", raw)
            if plain != raw and plain.isascii():
                yield Hit(subject, f, 0, len(f.norm), f"spells {plain!r} with fullwidth or mathematical look-alike letters")
                return


@finding_rule("INJ017", "Confusable or mixed-script name", likelihood=3, impact=4, references=SHADOW_REFS,
              scope="snapshots", hostile=True)
def confusable_name(ctx: RuleContext) -> Iterable[Finding]:
    """A tool, prompt, resource or server name (or a title) that mixes Latin with look-alike letters of another
    script (Cyrillic ``е`` in ``rеad_file``), spells an ASCII name in fullwidth or mathematical letters, or whose
    skeleton -- Unicode TR39 plus the ASCII folds ``1``/``I`` for ``l``, ``0`` for ``o``, ``rn`` for ``m``, ``vv`` for
    ``w`` -- equals another loaded server's tool or a widely used tool name (``get_fi1e_contents``,
    ``add_cornment``, ``vvrite_file``): the user reads one name and the model may call the other. Names written
    wholly in one script (``поиск_заказа``, ``créer_facture``, ``検索``) and honest digits (``i18n``, ``s3``) are
    not flagged."""
    surf = surface(ctx)
    by_key: dict[str, list[tuple[str, str]]] = {}
    for server, names in surf.tools_by_server.items():
        for n in names:
            if n.isascii():
                by_key.setdefault(folded(n), []).append((n, server))
    hits = []
    for s in surf.subjects:
        own = set(surf.tools_by_server.get(s.server, ()))
        twins = {}
        if s.kind == "tool":
            key = folded(s.name)
            twins = {key: n for n, srv in by_key.get(key, ()) if srv != s.server}
        elif all(f.raw.isascii() for f in _name_fields(s)):
            continue
        h = next(_confusable_hits(s, twins, own), None)
        if h:
            hits.append(h)
    yield from report(confusable_name, hits, "Confusable name")


def damerau1(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one insertion, deletion, substitution or adjacent swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i, n = 0, min(len(a), len(b))
    while i < n and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i:i + 2] == b[i:i + 2][::-1] and a[i + 2:] == b[i + 2:])
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[i + 1:] == shorter[i:]


_PLURALS = ("en", "es")


def plural(a: str, b: str) -> bool:
    """One name is the other with a two-letter plural ending (``sende_nachricht``/``sende_nachrichten``,
    ``get_branch``/``get_branches``): a look-alike one edit cannot see."""
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return len(shorter) >= 8 and len(longer) == len(shorter) + 2 and longer.startswith(shorter) \
        and longer.endswith(_PLURALS)


@dataclass(frozen=True)
class Twin:
    """Two tools of different servers whose names are equal or one edit apart (after skeleton and separators)."""

    server: str
    tool: str
    other_server: str
    other_tool: str
    exact: bool


def name_twins(surf: Surface) -> list[Twin]:
    """Every cross-server pair of equal or one-edit tool names; linear in the tools (deletion neighbours), worked out
    once per surface (HYG002 and INJ006 both ask)."""
    cached = surf.memo.get("twins")
    if cached is not None:
        return cached
    entries: dict[str, list[tuple[str, str]]] = {}  # loose key -> (server, name) of every tool with that key
    for server, names in surf.tools_by_server.items():
        for n in names:
            entries.setdefault(loose(n), []).append((server, n))
    index: dict[str, Any] = {}  # neighbour -> the key under it (a str), or the keys (a list, a key once per way in)
    for key in entries:
        neighbours = [key]
        if len(key) >= 8:
            neighbours += [key[:i] + key[i + 1:] for i in range(len(key))]
        if len(key) >= 10 and key.endswith(_PLURALS):
            neighbours.append(key[:-2])
        for nb in neighbours:
            got = index.get(nb)
            if got is None:
                index[nb] = key  # most neighbours hold one key: no list for them
            elif type(got) is str:
                index[nb] = [got, key]
            else:
                got.append(key)
    pairs: dict[tuple[str, str, str, str], bool] = {}  # (server, tool, other server, other tool) -> same key
    close: dict[tuple[str, str], bool] = {}  # key pairs already compared: the same names recur on many servers
    for got in index.values():
        if type(got) is str:  # one key: its copies on several servers are exact twins
            keys, group = (got,), entries[got]
        else:
            keys, group = got, [e for k in got for e in entries[k]]  # every tool under this neighbour, once per way in
        if len(group) < 2 or len(group) > 12 or all(e[0] == group[0][0] for e in group):
            continue  # one server's names, or a key so generic that it joins a dozen names
        distinct = dict.fromkeys(keys)
        for k1 in distinct:  # compared key by key: a key's copies on many servers share one answer
            for k2 in distinct:
                near = k1 == k2 or close.get((k1, k2))
                if near is None:
                    near = close[(k1, k2)] = damerau1(k1, k2) or plural(k1, k2)
                if near:
                    exact = k1 == k2
                    for s1, n1 in entries[k1]:
                        for s2, n2 in entries[k2]:
                            if s1 != s2:
                                pairs.setdefault((s1, n1, s2, n2), exact)
    found = [Twin(*key, exact) for key, exact in sorted(pairs.items())]
    surf.memo["twins"] = found
    return found


CLAIM_REACH = 240  # a claim to be the real one sits at the start of a description
_CLAIMS = frozenset({"endorse", "successor"})
# Claims of authenticity count for any twin; praise ("verified", "faster") only for a look-alike name.
_AUTHENTIC = re.compile(r"\b(official|officially|canonical|genuine|authentic|authoritative|the real)\b|offiziell|officiel|oficial|"
                        r"auténtic|autêntic|autentic|authentique|\becht\b|подлинн|настоящ|gerçek|आधिकारिक|असली|正版|真正的|本物|진짜|"
                        r"ufficiale|officieel|officiell|oficjaln|официальн|resmi|chính thức|官方|公式|공식")


# "official Korean tax rulings", "including official data", "verified(bool)": the word qualifies the data a tool
# serves, or names a field it returns -- a claim about the tool is written of the tool ("the official server")
_DATA_AFTER = re.compile(r"\s*(?:[\w-]+\s+){0,2}?(?:data|datasets?|rulings?|records?|documents?|docs|documentation|"
                         r"sources?|statistics|figures|rates?|information|info|registry|registers?|publications?|"
                         r"gazettes?|texts?|decisions?|judgments?|judgements?|filings?|laws?|citations?|releases?|"
                         r"datos|dados|documentos|fuentes|fontes|données|daten|quellen|dati|fonti)\b")
_FIELD_AFTER = re.compile(r"[(`_:=]")


def _said_of_tool(regex: re.Pattern[str], head: str) -> re.Match[str] | None:
    """The first match of ``regex`` in ``head`` that is said of the tool: not a field's name, not the data's kind."""
    for m in regex.finditer(head):
        if not (_FIELD_AFTER.match(head, m.end()) or _DATA_AFTER.match(head, m.end())):
            return m
    return None


class _Claims(NamedTuple):
    """What one description or title field of a subject claims, whatever the twin: read once per subject."""

    field: Field
    claim: tuple[int, int] | None  # a claim to be the real one (offsets into the field)
    authentic: re.Match[str] | None
    weak: re.Match[str] | None
    replaces: re.Match[str] | None


def _claims(subject: Subject) -> list[_Claims]:
    """Per description/title field, its claims of authenticity and praise: the part of ``shadow_signal`` that does not
    depend on the twin, kept on the subject (a name shared by many servers has one twin per copy)."""
    found = subject.memo.get("claims")
    if found is not None:
        return found
    found = []
    concepts = subject.concepts
    for f, a in zip(subject.fields, subject.starts):
        if f.kind not in ("description", "title") or f.schema:
            continue
        head = f.norm[:CLAIM_REACH]
        end = min(a + len(f.norm), a + CLAIM_REACH)
        claim = None
        if not concepts.isdisjoint(_CLAIMS | {"disparage"}):
            for h in subject.hits:
                if a <= h.start < end and (not h.concepts.isdisjoint(_CLAIMS) and claim_of_tool(f, h.word, h.start - a, h.end - a, subject.name)
                                           or ("disparage" in h.concepts and any("other" in o.concepts and a <= o.start
                                                                                 < end for o in subject.hits))):
                    claim = (h.start - a, h.end - a)
                    break
        found.append(_Claims(f, claim, _said_of_tool(_AUTHENTIC, head), _said_of_tool(PRAISE, head),
                             REPLACES.search(head)))
    subject.memo["claims"] = found
    return found


def shadow_signal(subject: Subject, twin: Twin, distinctive: bool = False, apart: bool = True) -> Hit | None:
    """The second signal that turns a name collision into shadowing: a claim to be the official, current or better
    one (in any language of the lexicons), other copies called legacy or deprecated, a reference to the other
    server -- or, for a look-alike or a distinctive name (``twins.common``), praise of its own copy as the faster,
    newer or preferred one, or the other server named anywhere near the start -- unless the two servers front one
    service (``apart`` false: they share several names, and a port may well be the faster one)."""
    look_alike = apart and twin.tool.lower() != twin.other_tool.lower()
    for f, claim, authentic, weak, replaces in _claims(subject):
        if claim is not None or replaces is not None:
            a, b = claim if claim is not None else replaces.span()
            return Hit(subject, f, a, b,
                       f"shares a name with {twin.other_tool!r} of {twin.other_server} and claims to be the real one")
        if authentic is not None and not about_itself(f, authentic, twin.tool):
            authentic = None
        if weak is not None and weak.end() < len(f.norm) and f.norm[weak.end()] in "(_[":
            weak = None  # a field name (``verified(bool)``), not praise
        m = authentic or (weak if look_alike or distinctive else None)
        if m:
            return Hit(subject, f, m.start(), m.end(),
                       f"imitates the name {twin.other_tool!r} of {twin.other_server} and claims to be the better one")
        other = twin.other_server.lower()
        i = f.norm.find(other)
        if i >= 0 and (f"{other} server" in f.norm or f"{other}'s" in f.norm or (
                (look_alike or distinctive) and i < CLAIM_REACH and whole_word(f.norm, i, len(other)))):
            return Hit(subject, f, i, i + len(other),
                       f"shares a name with {twin.other_tool!r} of {twin.other_server} and refers to that server")
    return None


def typo(a: str, b: str) -> bool:
    """``a`` is ``b`` with two neighbouring letters swapped or a doubled letter dropped or added (``git_comit``):
    the slips a typosquat imitates, unlike a plural or another word (``list_tags``/``list_dags``)."""
    if len(a) == len(b):
        i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
        return i < len(a) - 1 and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    if len(longer) != len(shorter) + 1:
        return False
    i = next((k for k in range(len(shorter)) if longer[k] != shorter[k]), len(shorter))
    return longer[i + 1:] == shorter[i:] and i > 0 and longer[i] == longer[i - 1] and longer[i].isalpha()


def _param_index(snapshots) -> dict[tuple[str, str], frozenset[str]]:
    """Every tool's parameter names by (server, tool), built once per assessment (twins look them up by key)."""
    out: dict[tuple[str, str], frozenset[str]] = {}
    for snap in snapshots:
        for t in snap.tools:
            props = (t.input_schema or {}).get("properties")
            out.setdefault((snap.name, t.name), frozenset(props) if isinstance(props, dict) else frozenset())
    return out


def _impersonation(subject: Subject, twin: Twin, params: dict[tuple[str, str], frozenset[str]]) -> Hit | None:
    """A look-alike name (not the same name) whose parameters copy the other tool's, or that is a typing slip of it."""
    if twin.tool.lower() == twin.other_tool.lower() or not damerau1(loose(twin.tool), loose(twin.other_tool)):
        return None  # a plural look-alike counts only with a claim (either side may have come first)
    mine = params.get((twin.server, twin.tool), frozenset())
    theirs = params.get((twin.other_server, twin.other_tool), frozenset())
    copied = len(mine) >= 2 and mine == theirs
    if copied or (len(loose(twin.tool)) >= 8 and typo(loose(twin.tool), loose(twin.other_tool))):
        why = "copies its parameters" if copied else "is a typing slip of it"
        return Hit(subject, subject.fields[0], 0, len(subject.fields[0].norm),
                   f"imitates {twin.other_tool!r} of {twin.other_server}: the name is one edit away and {why}")
    return None


def _twin_context(surf: Surface, snapshots) -> tuple[dict[tuple[str, str], frozenset[str]], dict[frozenset[str], int]]:
    """(parameter names by tool, tool names shared per server pair), worked out once per surface (INJ006 and HYG002)."""
    got = surf.memo.get("twin_context")
    if got is None:
        triples = [(t.server, t.tool, t.other_server) for t in name_twins(surf)]
        got = surf.memo["twin_context"] = (_param_index(snapshots), shared_counts(triples))
    return got


def distinctive(twin: Twin) -> bool:
    """Neither name of the twin is one honest servers commonly share (``twins.common``)."""
    return not common(twin.tool, loose(twin.tool)) and not common(twin.other_tool, loose(twin.other_tool))


def _bare_twin(subject: Subject, twin: Twin, params: dict[tuple[str, str], frozenset[str]]) -> Hit | None:
    """A distinctive name shared with an unrelated server whose tool takes the same parameters, or whose server
    this one is named after (``stripe-enhanced`` beside ``stripe``): the collision itself is the imitation."""
    mine = params.get((twin.server, twin.tool), frozenset())
    if mine and mine == params.get((twin.other_server, twin.other_tool)):
        why = f"takes the same parameters ({', '.join(sorted(mine)[:4])})"
    elif named_after(twin.server, twin.other_server):
        why = f"its server is named after {twin.other_server}"
    else:
        return None
    return Hit(subject, subject.fields[0], 0, len(subject.fields[0].norm),
               f"has the distinctive name of {twin.other_tool!r} of {twin.other_server}, a name honest servers do not "
               f"share, and {why}")


def _variant_twin(subject: Subject, twin: Twin, params: dict[tuple[str, str], frozenset[str]]) -> Hit | None:
    """The tool copies another server's (the same or a one-edit name; the same parameters, or the other's with some
    added or left out) on a server named as a variant of the other (``git-turbo`` beside ``git``,
    ``mail-tools-community`` beside ``mail-core``)."""
    mine, theirs = params.get((twin.server, twin.tool)), params.get((twin.other_server, twin.other_tool))
    if not (mine and theirs and mine & theirs and (mine <= theirs or theirs <= mine)) or not variant_of(
            twin.server, twin.other_server):
        return None  # no parameters is no copy: "get_system_info" on a "-enhanced" server beside a system monitor
    return Hit(subject, subject.fields[0], 0, len(subject.fields[0].norm),
               f"copies {twin.other_tool!r} of {twin.other_server} with its parameters, on a server named as a "
               f"variant of it")


def twin_evidence(subject: Subject, twin: Twin, surf: Surface, snapshots) -> Hit | None:
    """What makes one name twin shadowing (None: an honest collision, hygiene): a look-alike that copies the other
    tool or slips a letter, a claim to be the real or better one, or -- for a distinctive name on a server that does
    not front the same service (fewer than ``SAME_SERVICE_AT`` shared names) -- copied parameters or a server
    named after the other."""
    params, shared = _twin_context(surf, snapshots)
    if subject.kind != "tool":
        return shadow_signal(subject, twin)
    hit = _impersonation(subject, twin, params)
    if hit:
        return hit
    apart = shared.get(frozenset((twin.server, twin.other_server)), 0) < SAME_SERVICE_AT
    own = apart and distinctive(twin)
    return shadow_signal(subject, twin, own, apart) or (_bare_twin(subject, twin, params) if own else None) or (
        _variant_twin(subject, twin, params) if apart else None)


def _title_claims(subject: Subject, surf: Surface) -> Hit | None:
    for f in subject.fields:
        if f.path in ("title", "annotations.title"):
            for word in re.findall(r"[a-z0-9][a-z0-9_-]+", f.norm):
                owner = surf.owner_elsewhere(word, subject.server) if ("_" in word or "-" in word) else None
                if owner and word != subject.name.lower():
                    i = f.norm.find(word)
                    return Hit(subject, f, i, i + len(word), f"titles itself as {word!r}, a tool of the {owner} server")
    return None


def _prompt_twins(surf: Surface) -> list[Twin]:
    by_name: dict[str, list[tuple[str, str]]] = {}
    for s in surf.subjects:
        if s.kind == "prompt":
            by_name.setdefault(loose(s.name.split(":", 1)[1]), []).append((s.server, s.name))
    return [Twin(s1, n1, s2, n2, True) for group in by_name.values() if len(group) > 1
            for s1, n1 in group for s2, n2 in group if s1 != s2]


@finding_rule("INJ006", "Tool shadowing: a name twin that imitates another server's tool", likelihood=3, impact=4,
              references=SHADOW_REFS, scope="snapshots", hostile=True)
def shadowing(ctx: RuleContext) -> Iterable[Finding]:
    """A tool (or prompt) whose name equals or is one edit from another loaded server's (after TR39 skeletons, case
    and separators: ``get_user_role``/``get_user_roles``, ``search_issues``/``search-issues``) with evidence that it
    imitates the other: a look-alike name that copies the other tool's parameters or is a typing slip of it
    (``git_comit``: critical); a claim to be the official, current or replacing one, or calling the other copy
    deprecated (high); praise of its own copy as the faster, newer or preferred one, or a pointer to the other server
    (medium); or -- for a *distinctive* name that no two honest real servers share (``twins.common``:
    ``tool_name_counts.json``) on a server that does not front the same service -- the other tool's parameters taken
    one for one, or a server named after the other (``stripe-enhanced`` beside ``stripe``; medium, needs review); or
    -- for any name -- the other tool copied (the same parameters, or the other's with some added or left out) by a
    server whose name marks it as a variant where the other's does not (``git-turbo``, ``mail-tools-community``,
    ``almacen-rapido``; medium). A
    bare collision on a name honest servers commonly share (``search``, ``read_file``, ``list_projects``), or between
    two servers sharing several names, is hygiene (HYG002). A tool that titles itself with another server's tool
    name is shadowing too."""
    surf = surface(ctx)
    by_key = {(s.server, s.name): s for s in surf.subjects if s.kind in ("tool", "prompt")}
    hits: dict[tuple[str, str], Hit] = {}
    for twin in (*name_twins(surf), *_prompt_twins(surf)):
        subject = by_key.get((twin.server, twin.tool))
        if subject is not None and (twin.server, twin.tool) not in hits:
            h = twin_evidence(subject, twin, surf, ctx.snapshots)
            if h:
                hits[(twin.server, twin.tool)] = h
    for key, subject in by_key.items():
        if key not in hits and subject.kind == "tool":
            h = _title_claims(subject, surf)
            if h:
                hits[key] = h
    yield from report(shadowing, hits.values(), "Tool shadowing")
