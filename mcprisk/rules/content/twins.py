"""When a bare name collision between two loaded servers is evidence of shadowing, and when it is an honest
collision (hygiene, HYG002) -- learned from how honest real servers name their tools.

Two honest servers loaded together share tool names all the time: single words (``search``, ``fetch``, ``query``),
names many servers expose (``list_projects``, ``get_user``, ``read_file``) and the tool sets of two servers fronting
one service (two Bitbucket servers, a JS and a Python port of one API). Across the 369 honest real servers first
read, the pairs sharing one or two names whose tools took the same (non-empty) parameters were single words
(``search``, ``fetch``); a server that copies a distinctive many-word name with its parameters is imitating the other.
The statistic (``tool_name_counts.json``, rebuilt by
``scripts/build_tool_name_counts.py``; 381 servers since ``realfp_i18n`` joined) says how many honest servers expose
each name.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from importlib import resources
from typing import Any

COUNTS_FILE = "tool_name_counts.json"
COMMON_AT = 2  # a name this many honest servers expose is a common name, not a distinctive one
SAME_SERVICE_AT = 2  # two servers sharing this many tool names front one service (or one wraps the other)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = re.compile(r"[\s_\-.:/]+")


@functools.lru_cache(maxsize=1)
def honest_counts() -> dict[str, int]:
    """Loose name -> how many honest real servers expose it (names two or more expose; read once)."""
    body = json.loads(resources.files("mcprisk.catalog").joinpath(COUNTS_FILE).read_text(encoding="utf-8"))
    return dict(body["names"])


def words(name: str) -> list[str]:
    """The words of a tool name: ``createCheckoutSession`` and ``create-checkout-session`` are three."""
    return [w for w in _SPLIT.split(_CAMEL.sub("_", name)) if w]


def common(name: str, key: str) -> bool:
    """A name honest servers commonly share: one word (``search``, ``calculate``), or a name that two or more honest
    servers in the statistic expose (``key`` is its loose form)."""
    return len(words(name)) < 2 or honest_counts().get(key, 0) >= COMMON_AT


def shared_counts(pairs: Sequence[tuple[str, str, str]]) -> dict[frozenset[str], int]:
    """Per pair of servers, how many of one server's tools have a twin on the other (from (server, tool, other
    server) triples): two servers that share several names front one service."""
    tools: dict[frozenset[str], set[tuple[str, str]]] = {}
    for server, tool, other in pairs:
        tools.setdefault(frozenset((server, other)), set()).add((server, tool))
    return {pair: max(sum(1 for s, _ in got if s == srv) for srv in pair) for pair, got in tools.items()}


def named_after(server: str, other: str) -> bool:
    """``server`` carries ``other``'s name with a suffix (``stripe-enhanced`` after ``stripe``, ``git-tools-plus``
    after ``git``): a variant of the other server by its own name."""
    s, o = server.casefold(), other.casefold()
    return len(o) >= 3 and s != o and s.startswith(o) and s[len(o)] in "-_ ."


# Praise of one's own copy as the faster, newer, better or preferred one, in the languages of the lexicons.
PRAISE = re.compile(
    r"\b(?:verified|trusted|enhanced|improved|upgraded|faster|quicker|better than|the better|newer|smarter|optimi[sz]ed|preferred|"
    r"prefer (?:this|it)|use this one|recommended|schneller\w*|verbessert\w*|bessere\w*|neuere\w*|aktueller\w*|"
    r"bevorzug\w*|empfohlen\w*|optimiert\w*|plus rapide\w*|amélioré\w*|meilleur\w*|plus récent\w*|préfér\w*|"
    r"recommandé\w*|más rápid\w*|mejorad\w*|mejor|actualizad\w*|preferid\w*|recomendad\w*|mais rápid\w*|"
    r"melhorad\w*|melhor|atualizad\w*|più veloc\w*|migliorat\w*|migliore|aggiornat\w*|consigliat\w*|"
    r"szybsz\w*|ulepszon\w*|быстрее|улучшенн\w*|daha hızlı|geliştirilmiş)\b|"
    r"增强版|增強版|推荐|推薦|优先|優先|更快|高速版|升级版|优化版|新版|加速版|推奨|改良版|強化版|더 빠른|개선된|권장|향상된")
# A claim to replace the other copy ("replaces the kubectl-mcp one"), or that the other copy is retired ("the
# original is deprecated"); a tool's own "(Deprecated)" or an edit tool that "replaces text" is neither.
REPLACES = re.compile(
    r"\bsupersedes\b|\breplaces\b[^.;\n]{0,40}\b(?:tool|server|version|one|implementation)s?\b|"
    r"\bersetzt\b[^.;\n]{0,40}\b(?:werkzeug|tool|server|version)|\bremplace\b[^.;\n]{0,40}\b(?:outil|serveur|version)|"
    r"\breemplaza\b[^.;\n]{0,40}\b(?:herramienta|servidor|versión)|\bsubstitui\b[^.;\n]{0,40}\b(?:ferramenta|servidor|versão)|"
    r"\bsostituisce\b[^.;\n]{0,40}\b(?:strumento|server|versione)|"
    r"\b(?:original|other|old|older|previous|anterior|antigua|alte|ältere|ancienne|vecchia)\b[^.;\n]{0,40}"
    r"\b(?:deprecated|obsolete|obsolet[ao]|veraltet|obsolète|retired)\b|取代|替代")


# What "official" may qualify when it speaks of the tool itself: its version, implementation, server or the like.
_SELF_NOUNS = frozenset({"version", "versions", "implementation", "tool", "server", "one", "copy", "release", "build",
                         "edition", "client", "api", "integration", "connector", "endpoint", "variant", "fork", "port",
                         "versión", "versão", "versione", "versie", "wersja", "версия", "werkzeug", "outil",
                         "herramienta", "ferramenta", "strumento", "and", "und", "et", "y", "e"})


def about_itself(f: Any, m: re.Match[str], tool: str) -> bool:
    """An authenticity word speaks of the tool itself -- in a title, at the end of a clause, before a word of the tool's
    own name or a noun such as "version" -- not of the data it serves ("official Korean tax rulings", "official
    data")."""
    return said_of_itself(f, m.start(), m.end(), tool)


_LINKS = frozenset({"for", "of", "to", "für", "de", "pour", "para", "per", "di", "van", "dla", "для"})


def said_of_itself(f: Any, start: int, end: int, tool: str, link: bool = False) -> bool:
    """The word at ``start:end`` of field ``f`` speaks of the tool itself (see ``about_itself``); with ``link``, also
    through a preposition to such a noun or an identifier ("the replacement for read_file", "successor of the tool")."""
    if f.kind == "title":
        return True
    while end < len(f.norm) and f.norm[end].isalpha():
        end += 1  # "offiziell" of "offizielle"
    rest = f.norm[end:end + 40]
    if not rest[:1].isspace():
        return not rest[:1].isalnum()  # "official," / "official." / end of text
    nxt = re.match(r"\s+([^\W\d_]+)", rest)
    if nxt is None:
        return True
    word = nxt.group(1)
    own = [w.casefold() for w in words(tool) if len(w) >= 3]
    if word in _SELF_NOUNS or any(w.startswith(word) or word.startswith(w) for w in own):  # "role" of get_user_roles
        return True
    if not link or word not in _LINKS:
        return False
    after = re.match(r"\s+(?:(?:the|a|an|this|that|der|die|das|le|la|el|il)\s+)?([\w.-]+)", rest[nxt.end():])
    return after is not None and (after.group(1) in _SELF_NOUNS or bool(re.search(r"[_-]", after.group(1)))
                                  or any(w.startswith(after.group(1)) for w in own))


def whole_word(text: str, start: int, length: int) -> bool:
    """``text[start:start + length]`` stands as a word of its own (no letter or digit touches either end)."""
    end = start + length
    return (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())


# Words a server's name carries to present itself as an add-on, port or variant of a service ("git-turbo",
# "mail-tools-community", "almacen-rapido", "kube-plus", "drive-v2"), in the languages of the lexicons. Honest servers
# carry them too; alone they prove nothing -- only beside a copied tool of a server whose name carries none.
_VARIANT_WORDS = frozenset(
    "plus pro turbo enhanced enhancer extra extras ext addon addons add helper helpers helfer tools toolkit utils util "
    "outils herramientas ferramentas strumenti werkzeuge narzedzia bridge sync cache mirror lite fast faster quick "
    "express rapid rapido rapida rapidos rapidas rapide veloce schnell snabb hizli jiasu kuaisu next accelerator "
    "booster boost community insights assistant assistent asistente max ultra premium advanced enterprise extended "
    "ex unofficial alt shortcuts power super smart".split())
_NOT_BRAND = frozenset({"mcp", "server", "servers", "npm", "pypi", "api", "the", "and", "for", "of"})


def _name_words(server: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", server.casefold()) if w} - _NOT_BRAND


def _marked(words: set[str]) -> bool:
    """A server name's words carry an add-on word or a version suffix (``v2``)."""
    return any(w in _VARIANT_WORDS or re.fullmatch(r"v\d{1,2}", w) for w in words)


def variant_of(server: str, other: str) -> bool:
    """``server`` presents itself as a variant of ``other``: named after it with a suffix (``named_after``), or its
    name carries an add-on word (``-turbo``, ``-plus``, ``-helper``, ``-rapido``, ``-v2``) that ``other``'s does not:
    the side of a copied tool that came second. Two servers both so named, or neither, give no side."""
    if named_after(server, other):
        return True
    return _marked(_name_words(server)) and not _marked(_name_words(other))


def claim_of_tool(f: Any, word: str, start: int, end: int, tool: str) -> bool:
    """A claim word (``word`` at ``start:end`` of field ``f``) speaks of the tool: a phrase ("use this one instead",
    "preferred over"), a word in a script the word order is not read in, or a single English word said of the tool
    itself ("the replacement for read_file", "the legacy version") -- not of what the tool handles ("set up a
    replacement hook afterwards", "legacy clients may omit it")."""
    word = word.strip()
    if " " in word or not word.isascii():
        return True
    return said_of_itself(f, start, end, tool, link=True)
