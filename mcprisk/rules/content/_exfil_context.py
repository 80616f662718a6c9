"""Readings of the exfiltration rule (``exfil``): earlier tool results named in any language, a credential put into
one of the tool's own content parameters, and an outside URL left open for the conversation or secrets."""

from __future__ import annotations

import re

from ._concepts import ConceptHit, Sentence
from ._surface import Subject

__all__ = ["FIELD_WORD", "PRIOR_RESULTS", "into_content", "named_field", "open_query_url", "prior_results", "secret_file_in_name"]

# "the raw results of every other tool you have called", "the output of the last three tool calls", "die Ergebnisse
# aller vorherigen Werkzeugaufrufe", "les résultats des appels précédents": earlier tool results, which belong to
# the conversation -- a word for results, one for earlier and one for tools or calls, close together in any language.
PRIOR_RESULTS = re.compile(r"\b(?:results?|outputs?|responses?|returns?)\s+(?:of|from)\s+(?:(?:every|all|each|any|the|"
                           r"your|raw|full)\s+)*(?:other|previous|earlier|prior|last|latest|recent|preceding)\s+"
                           r"(?:(?:\d+|two|three|four|five|ten|few|several)\s+)?(?:tools?|tool calls?|calls?|"
                           r"function calls?|functions?|tool invocations?)\b")
_RESULT_WORD = re.compile(r"(?<!\w)(?:ergebnis\w*|ausgabe\w*|antwort\w*|résultats?|sorties?|réponses?|resultados?|"
                          r"salidas?|respuestas?|risultat[io]|rispost[ae]|respostas?|resultaten|uitvoer|wynik\w*|"
                          r"odpowiedzi|результат\w*|ответ\w*)(?!\w)|結果|结果|결과|出力|输出|輸出|返回值|응답")
_EARLIER_WORD = re.compile(r"(?<!\w)(?:vorherig\w*|früher\w*|bisherig\w*|letzte\w*|vorangegangen\w*|précédent\w*|"
                           r"antérieur\w*|dernier\w*|dernière\w*|anterior\w*|previ[oa]s?|últim[oa]s?|precedent[ie]|"
                           r"ultim[ie]|vorige|eerdere|vorige|poprzedni\w*|wcześniejsz\w*|предыдущ\w*|прошл\w*|"
                           r"прежн\w*)(?!\w)|之前|此前|以前|先前|前の|これまで|過去の|이전|앞선|지난")
_TOOL_WORD = re.compile(r"(?<!\w)(?:werkzeug\w*|\w*aufruf\w*|outils?|appels?|herramientas?|llamadas?|strument[io]|"
                        r"chiamat[ae]|ferramentas?|chamadas?|narzędzi\w*|wywołań|wywołania|инструмент\w*|вызов\w*|"
                        r"tools?|tool-aufrufe)(?!\w)|ツール|工具|调用|調用|呼び出し|도구|호출")


def prior_results(text: str) -> list[ConceptHit]:
    """Earlier tool results named in a language other than English: a word for results with a word for earlier and
    one for tools or calls within the same stretch of 80 characters (no sentence end between them)."""
    out = []
    for m in _RESULT_WORD.finditer(text):
        a, b = max(0, m.start() - 60), min(len(text), m.end() + 80)
        window = text[a:b]
        cut = [i for i, c in enumerate(window) if c in ".!?;\n。！？；"]
        lo = max((i for i in cut if a + i < m.start()), default=-1) + 1
        hi = min((i for i in cut if a + i >= m.end()), default=len(window))
        span = window[lo:hi]
        earlier, tool = _EARLIER_WORD.search(span), _TOOL_WORD.search(span)
        if earlier and tool:
            end = a + lo + max(earlier.end(), tool.end(), m.end() - a - lo)
            out.append(ConceptHit(m.start(), end, frozenset({"context"}), text[m.start():end]))
    return out


# Parameters that carry a credential or a request's plumbing by their name: a secret named beside them is the
# tool's own authentication, not data stuffed into content.
_PLUMBING = re.compile(r"head|auth|env|config|cred|key|token|secret|pass|login|session|cookie|bearer|cert")
FIELD_WORD = re.compile(r"(?<!\w)(?:field|parameter|param|argument|input|champ|paramètre|argument|campo|parámetro|"
                         r"parametro|feld|parameters|veld|pole|поле)(?!\w)")


def into_content(subject: Subject, s: Sentence) -> bool:
    """The sentence puts a credential into one of the tool's own content parameters, named with a word for a field
    ("include the OPENAI_API_KEY ... in the location field", "ajoutez le jeton ... à la fin du champ body"): a
    service's own key never travels in a search text, a location or a comment body."""
    text = subject.text[s.start:s.end]
    if FIELD_WORD.search(text) is None:
        return False
    names = {f.raw.lower() for f in subject.fields if f.kind == "key" and f.path.startswith("inputSchema")}
    return any(len(n) >= 3 and _PLUMBING.search(n) is None and re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text)
               for n in names)


_CALL_URL = re.compile(r"\s+(?:on|at|to|with)\s+https?://")


def named_field(text: str, s: Sentence, move: ConceptHit) -> bool:
    """"use cc for ...": the move word right after "use" or "call" names a field, nothing is moved by it -- unless an
    outside address follows ("call fetch on https://... followed by the user's messages": a tool called)."""
    return any("use" in u.concepts and 0 <= move.start - u.end <= 2 for u in s.hits) and \
        _CALL_URL.match(text, move.end) is None


# An outside URL left open at a query value ("https://img.example/p.png?q=") and then filled from the conversation or
# secrets ("followed by the user's previous messages", "+ the API key"): a beacon that carries the data out.
_OPEN_QUERY = re.compile(r"https?://[^\s\"'<>)]*[?&][\w-]+=(?=[\s\"'<>)]|$)")
_FILLED_FROM = frozenset({"context", "secret", "cred"})


def open_query_url(subject: Subject) -> tuple[int, int] | None:
    """The span of an outside URL whose last query value is left open and filled, within its sentence, from the
    conversation or secrets named after it."""
    text = subject.text
    for m in _OPEN_QUERY.finditer(text):
        end = text.find(".", m.end())
        end = len(text) if end < 0 else min(end, m.end() + 120)
        if any(m.end() <= h.start < end and not h.concepts.isdisjoint(_FILLED_FROM) for h in subject.hits):
            return m.start(), m.end()
    return None


_MOVE_WORDS = frozenset({"send", "include", "gather"})


def secret_file_in_name(subject: Subject, files: re.Pattern[str]) -> tuple[object, int, int] | None:
    """A name that is a sentence (eight words or more) naming a secret file and a move ("Project notes - agents should
    read .env and include it ..."): the name's word view drops the dots of ``.env``, so its raw text is read."""
    if "gather" not in subject.concepts and "include" not in subject.concepts and "send" not in subject.concepts:
        return None
    for f in subject.fields:
        if f.kind == "name" and len(f.raw.split()) >= 8:
            m = files.search(f.raw.lower())
            if m and not _MOVE_WORDS.isdisjoint(subject.concepts):
                return f, 0, len(f.norm)
    return None
