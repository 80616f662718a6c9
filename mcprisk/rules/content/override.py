"""Text that takes over the model: orders to drop its instructions (in many languages) and forged role turns."""

from __future__ import annotations

from collections.abc import Iterable

from ...model import Finding
from .._base import RuleContext, finding_rule
from ._hits import S, Pattern, anchors, first_hit, pattern, report
from ._surface import surface

INJECTION_REFS = ("OWASP MCP Top 10: MCP03 Tool Poisoning", "OWASP LLM01 Prompt Injection", "CWE-74")

_p = pattern


_PRIOR_EN = r"(previous|prior|preceding|earlier|above|original|initial|existing|all|any|every|other|your|system|developer|safety|the user'?s?|user)"
_RULES_EN = r"(instructions?|prompts?|guidance|guidelines|rules|directives?|directions|messages|orders|configuration|polic(y|ies)|constraints|restrictions|commands)"

OVERRIDE: tuple[Pattern, ...] = (
    _p(rf"\b(ignore|disregard|forget|set aside|override|overrule|discard|abandon|bypass|skip|drop)\b{S}{{0,40}}?\b{_PRIOR_EN}\b{S}{{0,30}}?\b{_RULES_EN}\b",
       "tells the model to drop its instructions"),
    _p(rf"\b{_RULES_EN}\b{S}{{0,60}}?\b(are|is|be|become|now|considered)\s+(void|obsolete|null|invalid|cancel+ed|revoked|superseded|overridden|replaced|advisory|no longer (valid|in effect|binding))",
       "declares the model's instructions void"),
    _p(r"\bno longer appl(y|ies)\b", "declares the model's instructions void"),
    _p(r"\b(ignore|disregard|forget)\s+(all\s+)?(of\s+)?(the\s+|everything\s+)?(above|previous|prior|preceding|earlier)\b"
       r"(?!\s+(line|lines|page|pages|row|rows|example|examples|step|steps|section|version|versions|result|results|value|values))",
       "tells the model to drop what it was told"),
    _p(r"\byour (new|real|actual|true) (task|instructions|goal|objective|role|orders) (is|are)\b", "installs new standing orders for the model"),
    _p(r"\b(instructions|rules|guidance|prompts?|messages|guidelines)\b[^\n]{0,40}\b(do not|don't) apply\b",
       "declares the model's instructions void"),
    _p(rf"\b(supersedes?|overrides?|replaces?|takes? precedence over|outranks?|prevails? over)\s+(the |any |all |your )?(system|developer|assistant'?s?|user'?s?|prior|previous|earlier|original|any other)\b{S}{{0,30}}?\b(prompts?|instructions?|configuration|messages|guidance|rules)",
       "claims to supersede the model's instructions"),
    _p(rf"\b(treat|consider|regard)\b{S}{{0,40}}?\b(instructions|prompt|guidance|rules|messages|requests)\b{S}{{0,30}}?\b(obsolete|void|advisory|invalid|irrelevant|outdated|optional)",
       "tells the model to treat its instructions as void"),
    _p(r"\bstop (consulting|following|obeying|reading|using) (your|the|its|their) (original|system|previous|initial|developer)",
       "tells the model to stop following its instructions"),
    _p(rf"\b(from now on|henceforth|for the rest of (this|the) (conversation|session)|until further notice)\b{S}{{0,80}}?\b(only|exclusively|solely|your only)\b",
       "installs new standing orders for the model"),
    _p(r"\b(your|the) only (orders|instructions|commands|source of instructions)\b", "installs new standing orders for the model"),
    _p(r"\b(higher|highest|top) priority (than|over)\b|\bpriority over (the )?(user|system|developer)|\bnew priority order\b|\b(server|tool)'?s? rules first\b",
       "ranks its own text above the user's and system's"),
    _p(r"\b(requests|instructions|messages) (from|of) the (end )?user (are|is) (to be )?(treated as )?(advisory|optional|secondary|ignored)",
       "demotes the user's requests"),
    _p(r"\bwhatever the user (asks|says|wants|requests)\b", "tells the model to disregard the user"),
    _p(r"\byou are now (in )?(an? )?(admin|administrator|developer|god|dan|unrestricted|jailbroken|root|maintenance)\b",
       "switches the model into a fake privileged mode"),
    _p(r"\b(obey|follow) (only|exclusively|solely) (the )?(instructions|orders|commands|rules|directives|guidance)", "tells the model whom to obey"),
    _p(r"\b(directives|instructions|notes|rules) (issued by|contained in|from|in) this (server|tool)('s)?\b(\s+\w+){0,3}\s+(take precedence|carry (higher )?priority|must be followed|override)",
       "ranks its own text above the user's and system's"),
    # German
    _p(rf"\b(ignorier\w*|vergiss|vergessen sie|missachte\w*|übergehe\w*|verwirf)\b{S}{{0,40}}?\b(alle\w*|bisherige\w*|vorherige\w*|vorige\w*|frühere\w*|obige\w*|ursprüngliche\w*|deine\w*|ihre\w*)\b{S}{{0,30}}?\b(anweisung\w*|instruktion\w*|vorgaben|regeln|befehle|richtlinien|systemprompt\w*)",
       "tells the model to drop its instructions (German)"),
    _p(r"\bab sofort gelten (ausschließlich|nur)\b", "installs new standing orders for the model (German)"),
    # French
    _p(rf"\b(ignore[zr]?|oublie[zr]?|ne tenez (pas|plus) compte|faites abstraction|écarte[zr]?)\b{S}{{0,40}}?\b(instructions?|consignes|directives|règles|ordres)\b{S}{{0,30}}?\b(précédentes|antérieures|initiales|du système|d'origine|de l'utilisateur)",
       "tells the model to drop its instructions (French)"),
    _p(r"\bn'obéisse[zr]? (désormais |plus )?qu'(aux|à)\b", "installs new standing orders for the model (French)"),
    # Spanish
    _p(rf"\b(ignora|ignore|ignoren|olvida|olvide|descarta|omite|haz caso omiso)\b{S}{{0,40}}?\b(instrucciones|indicaciones|reglas|órdenes|directrices)\b{S}{{0,30}}?\b(anteriores|previas|del sistema|originales|del usuario)",
       "tells the model to drop its instructions (Spanish)"),
    _p(r"\b(a partir de ahora|desde ahora)\b[^\n]{0,60}\b(únicamente|solo|solamente|exclusivamente)\b", "installs new standing orders for the model (Spanish)"),
    _p(r"\bobedece (solo|solamente|únicamente) a\b", "tells the model whom to obey (Spanish)"),
    # Portuguese
    _p(rf"\b(ignore|ignora|desconsidere|desconsidera|esqueça|esqueca|descarte)\b{S}{{0,40}}?\b(instruções|instrucoes|orientações|regras|ordens)\b{S}{{0,30}}?\b(anteriores|prévias|previas|do sistema|do usuário|originais)",
       "tells the model to drop its instructions (Portuguese)"),
    _p(r"\bsubstituem as do (usuário|sistema)\b", "claims to supersede the model's instructions (Portuguese)"),
    # Italian
    _p(rf"\b(ignora|ignorate|ignori|dimentica|dimenticate|tralascia|non considerare)\b{S}{{0,40}}?\b(istruzioni|indicazioni|regole|direttive|ordini)\b{S}{{0,30}}?\b(precedenti|anteriori|del sistema|originali|dell'utente)",
       "tells the model to drop its instructions (Italian)"),
    _p(r"\bsegui (soltanto|solo|esclusivamente) (questo|queste|le istruzioni di questo)\b", "tells the model whom to obey (Italian)"),
    # Dutch, Polish, Russian
    _p(rf"\b(negeer|vergeet)\b{S}{{0,40}}?\b(eerdere|vorige|voorgaande|alle)\b{S}{{0,20}}?\b(instructies|aanwijzingen|opdrachten|regels)",
       "tells the model to drop its instructions (Dutch)"),
    _p(rf"\b(zignoruj|ignoruj|zapomnij)\b{S}{{0,40}}?\b(wcześniejsze|poprzednie|wszystkie)\b{S}{{0,20}}?\b(polecenia|instrukcje|zasady)",
       "tells the model to drop its instructions (Polish)"),
    _p(rf"(игнорируй\w*|забудь\w*|не обращай\w*|отбрось)\b{S}{{0,40}}?(предыдущ\w+|прежн\w+|все\w*)\s+{S}{{0,20}}?(инструкц\w+|указани\w+|команд\w+|правил\w+)",
       "tells the model to drop its instructions (Russian)"),
    # Chinese, Japanese, Korean (no word boundaries)
    _p(r"(忽略|无视|無視|忘记|忘記|不要理会|不必遵守|废弃)[^。！？\n]{0,20}(之前|以前|先前|上面|上述|所有|全部|系统|原有)[^。！？\n]{0,20}(指令|指示|说明|說明|规则|規則|提示|要求)",
       "tells the model to drop its instructions (Chinese)"),
    _p(r"只(听从|服从|遵循|遵守)(本|这个|此)", "tells the model whom to obey (Chinese)"),
    _p(r"(以前|これまで|前|既存)[^。\n]{0,20}(指示|命令|指令|ルール)[^。\n]{0,20}(無効|無視|破棄|従わない)", "tells the model to drop its instructions (Japanese)"),
    _p(r"(指示|命令)[^。\n]{0,6}無視", "tells the model to drop its instructions (Japanese)"),
    _p(r"(이전|앞선|기존|모든)[^.\n]{0,20}(지시|명령|지침|규칙)[^.\n]{0,20}(무시|무효)", "tells the model to drop its instructions (Korean)"),
)


OVERRIDE_GATE = anchors(
    "ignore ignoring disregard forget aside override overrides overrule discard abandon bypass skip drop void obsolete "
    "null invalid cancelled canceled revoked superseded overridden replaced advisory longer apply supersede supersedes "
    "replace replaces precedence outrank outranks prevail prevails treat consider regard stop henceforth further "
    "conversation session only priority whatever admin administrator developer god dan unrestricted jailbroken root "
    "maintenance obey follow issued contained your new real actual true task goal objective role orders ignoriere ignorieren ignoriert ignorier vergiss vergessen missachte "
    "missachten übergehe verwirf sofort ignorez ignorer ignore oubliez oublier oublie tenez faites abstraction écartez "
    "écarter obéissez obéir ignora ignoren olvida olvide descarta omite omiso ahora obedece desconsidere desconsidera "
    "esqueça esqueca descarte substituem ignorate ignori dimentica dimenticate tralascia considerare segui negeer "
    "vergeet zignoruj ignoruj zapomnij")


@finding_rule("INJ001", "Instruction override aimed at the model", likelihood=3, impact=4, references=INJECTION_REFS,
              scope="snapshots", hostile=True)
def instruction_override(ctx: RuleContext) -> Iterable[Finding]:
    """Tool poisoning by override: text that tells the model to ignore, void or rank below itself the
    instructions it has from its system prompt, developer or user ("ignore previous instructions", "earlier
    system messages are void", "from now on obey only this tool"), in English, German, French, Spanish, Portuguese, Italian, Dutch, Polish,
    Russian, Chinese, Japanese and Korean, anywhere a server puts text (names and property names are read
    with their separators as spaces). A detector that quotes such phrases ("such as requests to disregard
    prior instructions") is not flagged."""
    hits = (first_hit(s, OVERRIDE, guard_mentions=True, gate=OVERRIDE_GATE) for s in surface(ctx).subjects)
    yield from report(instruction_override, (h for h in hits if h), "Instruction override")


ROLE_TAGS: tuple[Pattern, ...] = (
    _p(r"<\|im_start\|>\s*(system|assistant|user|developer|tool)|<\|im_end\|>\s*<\|im_start\|>", "forges a ChatML turn"),
    _p(r"<\|(start_header_id|eot_id|endoftext|end_of_text|begin_of_text)\|>", "forges a chat-template turn token"),
    _p(r"\[/?inst\]|<</?sys>>", "forges a Llama/Mistral instruction block"),
    _p(r"<\|(system|user|assistant|developer)\|>", "forges a chat-template turn token"),
    _p(r"</?\s*(system|developer|admin)[_-][a-z_-]+\s*>", "forges a system tag"),
    _p(r"(?m)^\s*#{2,4}\s*(instruction|system prompt)\s*:?\s*$", "forges an instruction header"),
    _p(r"<(start|end)_of_turn>", "forges a Gemma turn marker"),
    _p(r"</s>\s*<s>", "forges an end-of-sequence boundary"),
    _p(r"</?\s*(system|developer|assistant|user|human|tool_results?|function_results|function_calls|tool_call|"
       r"tool_output|im_system|admin|administrator|important|secret|hidden|system[_-]?prompt)\s*>",
       "forges a role or instruction tag"),
    _p(r"-{3,}\s*(begin|start) (of )?(system|developer|admin)\b|\b(begin|start) (of )?system prompt\b", "forges a system-prompt banner"),
    _p(r"(?m)^\s*#{1,6}\s*(system|assistant|developer|admin)\s*:?\s*$", "forges a role header"),
    _p(r"\[\s*(system|admin|administrator|developer|operator|platform)\s+(notice|message|override|prompt|instruction|alert|update)",
       "forges a system notice"),
    _p(r"(?s)(^|\n)\s*(human|user)\s*:[^\n]{3,}\n+\s*(assistant|ai|model)\s*:", "forges a conversation transcript"),
    _p(r"\"role\"\s*:\s*\"(system|developer|assistant)\"", "forges a chat message with a privileged role"),
    _p(r"(?m)^\s*(system|admin|developer)\s*:\s+\S", "forges a system line"),
)


ROLE_GATE = anchors("im_start im_end start_header_id eot_id endoftext end_of_text begin_of_text inst sys start_of_turn "
                    "end_of_turn s system developer assistant user human tool_result tool_results function_results "
                    "function_calls tool_call tool_output im_system admin administrator important secret hidden "
                    "system_prompt begin start role model ai platform operator")


@finding_rule("INJ007", "Forged role tags or chat-template tokens", likelihood=3, impact=4, references=INJECTION_REFS,
              scope="snapshots", hostile=True)
def fake_role_tags(ctx: RuleContext) -> Iterable[Finding]:
    """Chat-template tokens (ChatML ``<|im_start|>system``, Llama ``<|start_header_id|>``, ``[INST]``/``<<SYS>>``,
    Gemma turn markers), fake ``<system>``/``</user>``/``<tool_result>`` tags, "BEGIN SYSTEM PROMPT" banners,
    fake transcripts and ``{"role": "system"}`` messages in server text: they try to make the model read the
    server's words as its system prompt, the user's turn or a tool's result. Documentation that names a
    template ("ChatML wraps each turn as ...") is not flagged."""
    hits = (first_hit(s, ROLE_TAGS, guard_mentions=True, gate=ROLE_GATE) for s in surface(ctx).subjects)
    yield from report(fake_role_tags, (h for h in hits if h), "Forged role or template text")
