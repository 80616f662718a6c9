"""Content matching in one pass: which regexes can match a text, from the literals they need, found by one
multi-pattern scan per distinct string.

A phrase pattern such as ``\\b(delete|remove)s?\\s+(all|every)\\b`` can match only a text that holds ``delete`` or
``remove``. ``required_literals`` reads that off the parsed pattern (``re._parser``, the parser ``re.compile`` itself
uses, the same in CPython 3.11-3.13): a set of strings at least one of which every match contains. Every such set of
every registered pattern group -- the classifier lexicon's phrase categories (``Lexicon.may_say``), the content rules'
triggers (``trigger``) -- goes into one Aho-Corasick automaton (``pyahocorasick``, a C extension), which finds every
literal of every group in one scan of a string; the scan is kept per distinct string (descriptions and schema texts
repeat across servers and re-assessments). A group whose literals are all absent cannot match, so its regexes are
skipped; a group that may match still runs its regexes, which decide: results are exactly the regexes'.

The contract for a rule: declare a trigger at module level, ``_MARKS = trigger(r"...")`` (any regex; the flags it
is compiled with), and ask ``_MARKS.may(text)`` before running that regex or the costlier ones it guards; or hand
it to ``first_match(..., trigger=_MARKS)``. ``may`` is False only when the text cannot match ``_MARKS``'s pattern.
A pattern with no literal of at least ``MIN_LITERAL`` characters in every match gets no prefilter: ``may`` is then
always True and the regex runs as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

try:  # the multi-pattern matcher (a C extension with wheels for every platform we support); without it, a slower loop
    import ahocorasick as _ahocorasick
except ImportError:  # pragma: no cover
    _ahocorasick = None

try:  # the parser re.compile uses; private, so a Python without it simply gets no prefilters
    from re import _constants as _C
    from re import _parser as _P
except ImportError:  # pragma: no cover - CPython 3.11-3.13 have both
    _C = _P = None  # type: ignore[assignment]

__all__ = ["LiteralGate", "Trigger", "required_literals", "trigger"]

MIN_LITERAL = 3  # shorter required strings ("at", "to") are in almost every text: no gate
_CAP = 64  # the most alternatives one literal set may hold (a class or alternation multiplies the set)


def _sequence(items: Iterable[tuple]) -> tuple[set[str] | None, set[str] | None]:
    """(every string the sequence can match, when few; a set one of which every match contains) for a parsed
    sequence. Consecutive exact items are joined into literal runs; the best run or requirement is kept."""
    candidates: list[set[str]] = []
    run: set[str] = {""}
    exact = True
    for op, av in items:
        ex, req = _node(op, av)
        if ex is not None and len(run) * len(ex) <= _CAP:
            run = {a + b for a in run for b in ex}
            continue
        exact = False
        candidates.append(run)
        if ex is not None:
            run = set(ex)
        else:
            run = {""}
            if req is not None:
                candidates.append(req)
    if exact:
        return run, run
    candidates.append(run)
    best: tuple[int, set[str]] | None = None
    for c in candidates:
        if not c or "" in c:
            continue
        score = min(len(s) for s in c)
        if best is None or score > best[0] or (score == best[0] and len(c) < len(best[1])):
            best = (score, c)
    return None, (best[1] if best else None)


def _node(op: object, av: object) -> tuple[set[str] | None, set[str] | None]:
    """(exact strings, requirement) of one parsed item; (None, None) when nothing is known."""
    C = _C
    if op is C.LITERAL:
        return {chr(av)}, {chr(av)}  # type: ignore[arg-type]
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):  # zero-width: adds nothing to what the match holds
        return {""}, None
    if op is C.SUBPATTERN:
        flags_on, flags_off = av[1], av[2]  # type: ignore[index]
        if (flags_on | flags_off) & _P.SRE_FLAG_IGNORECASE:  # a case toggle inside: not read
            return None, None
        return _sequence(av[-1].data)  # type: ignore[index]
    if op is C.IN:
        chars: set[str] = set()
        for o, a in av:  # type: ignore[attr-defined]
            if o is C.LITERAL:
                chars.add(chr(a))
            elif o is C.RANGE and a[1] - a[0] < 10:
                chars |= {chr(x) for x in range(a[0], a[1] + 1)}
            else:  # a negation, a category (\w, \s) or a wide range
                return None, None
        return chars, chars
    if op is C.BRANCH:
        exacts, reqs = [], []
        for alt in av[1]:  # type: ignore[index]
            ex, req = _sequence(alt.data)
            exacts.append(ex)
            reqs.append(ex if ex is not None else req)
        ex_all = set().union(*exacts) if all(e is not None for e in exacts) else None
        req_all = set().union(*reqs) if all(r is not None for r in reqs) else None
        return (ex_all if ex_all is not None and len(ex_all) <= _CAP else None), req_all
    if op in _REPEATS:
        low, high, sub = av  # type: ignore[misc]
        if low == 0:
            return ({""} if high == 0 else None), None
        ex, req = _sequence(sub.data)
        if low == high == 1:
            return ex, req
        return None, (ex if ex is not None else req)
    return None, None


_REPEATS = tuple(getattr(_C, n) for n in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(_C, n)) if _C else ()


def required_literals(source: str, flags: int = 0) -> tuple[frozenset[str], bool] | None:
    """(strings at least one of which every match of ``source`` contains, whether they are lower-cased for a
    case-insensitive pattern), or None when there is no such set of strings of at least ``MIN_LITERAL`` characters
    (then the pattern must always run). A case-insensitive pattern's literals are tested in lower-cased ASCII text
    only (exact there); a case-sensitive pattern's are tested in the text as it is searched, any script."""
    if _P is None:
        return None
    try:
        parsed = _P.parse(source, flags)
    except Exception:  # noqa: BLE001 - an unreadable pattern is run as it is
        return None
    _, req = _sequence(parsed.data)
    if not req or any(len(s) < MIN_LITERAL for s in req):
        return None
    if parsed.state.flags & _P.SRE_FLAG_IGNORECASE:
        if any(not s.isascii() for s in req):
            return None  # "ſ" and "K" (Kelvin) match ASCII letters case-insensitively: no substring test for those
        return frozenset(s.lower() for s in req), True
    return frozenset(req), False


class _Scanner:
    """Every registered literal in one automaton; ``found(text)`` is the ids of the literals a string holds, kept per
    distinct string (bounded). Registering a literal set after a scan rebuilds the automaton and forgets the kept
    scans (groups are registered when modules are imported, so this happens before the first scan)."""

    MEMO_MAX = 2_048  # strings kept (descriptions and schema texts repeat across servers and re-assessments)
    LONG = 1_000  # longer strings are kept one at a time, not in the memo (bounded memory)

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._automaton: Any = None
        self._memo: dict[str, frozenset[int]] = {}
        self._last: tuple[str, frozenset[int]] = ("", frozenset())

    def ids(self, literals: Iterable[str]) -> frozenset[int]:
        out = []
        for lit in literals:
            i = self._ids.get(lit)
            if i is None:
                i = self._ids[lit] = len(self._ids)
                self._automaton = None
            out.append(i)
        return frozenset(out)

    def _build(self) -> Any:
        self._memo.clear()
        self._last = ("", frozenset())
        if _ahocorasick is None:
            self._automaton = False
            return False
        automaton = _ahocorasick.Automaton()
        for lit, i in self._ids.items():
            automaton.add_word(lit, i)
        automaton.make_automaton()
        self._automaton = automaton
        return automaton

    def found(self, text: str) -> frozenset[int]:
        got = self._memo.get(text)
        if got is not None:
            return got
        if len(text) > self.LONG and self._last[0] == text:
            return self._last[1]
        automaton = self._automaton
        if automaton is None:
            automaton = self._build()
        if automaton is False:  # no C extension: one substring test per literal (the same answer, slower)
            got = frozenset(i for lit, i in self._ids.items() if lit in text)
        else:
            got = frozenset({i for _, i in automaton.iter(text)})
        if len(text) > self.LONG:  # a subject's whole text: asked by the triggers one after another, then never again
            self._last = (text, got)
            return got
        if len(self._memo) >= self.MEMO_MAX:
            self._memo.clear()
        self._memo[text] = got
        return got


_SCANNER = _Scanner()


class Trigger:
    """A regex and the literals it needs: ``may(text)`` is False only when ``text`` cannot match the pattern."""

    __slots__ = ("pattern", "_ids", "_folded")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        req = required_literals(pattern.pattern, pattern.flags)
        self._ids = _SCANNER.ids(req[0]) if req else None
        self._folded = bool(req and req[1])

    def may(self, text: str) -> bool:
        ids = self._ids
        if ids is None:
            return True
        if self._folded:
            if not text.isascii():
                return True
            text = text.lower()
        return not ids.isdisjoint(_SCANNER.found(text))

    def search(self, text: str, *args: int) -> re.Match[str] | None:
        """``pattern.search``, skipped where the literals say it cannot match."""
        return self.pattern.search(text, *args) if self.may(text) else None


def trigger(pattern: str | re.Pattern[str], flags: int = 0) -> Trigger:
    """A rule's trigger, declared at module level (see the module docstring)."""
    return Trigger(pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags))


class LiteralGate:
    """Named groups of patterns (a lexicon's phrase categories), each pattern with the literals it needs:
    ``search(name, text, lowered)`` is whether some pattern of the group matches, running only the patterns whose
    literals ``lowered`` holds (every pattern with no prefilter runs). The patterns are case-insensitive: ASCII text
    is searched lower-cased by patterns written in lower case (exact for ASCII), other text by the case-insensitive
    patterns as given."""

    __slots__ = ("_groups",)

    def __init__(self, groups: Mapping[str, Iterable[str]]) -> None:
        self._groups: dict[str, tuple[tuple[frozenset[int] | None, re.Pattern[str]], ...]] = {}
        for name, patterns in groups.items():
            out = []
            for source in patterns:
                req = required_literals(source, re.IGNORECASE)
                lowered = source.isascii() and not any(c.isupper() for c in re.sub(r"\\.", "", source))
                out.append((_SCANNER.ids(req[0]) if req else None,
                            re.compile(source) if lowered else re.compile(source, re.IGNORECASE)))
            self._groups[name] = tuple(out)

    def search(self, name: str, lowered: str) -> bool:
        """Whether a pattern of group ``name`` matches the ASCII text whose lower-cased form is ``lowered``."""
        found = _SCANNER.found(lowered)
        for ids, pattern in self._groups[name]:
            if (ids is None or not ids.isdisjoint(found)) and pattern.search(lowered) is not None:
                return True
        return False
