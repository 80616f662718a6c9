"""Classify each tool by what a call can do (effects) and what it touches (flags), with evidence.

Each rule is a small function with a stable code that looks at one source (the name, the description,
the input schema, the server's identity, the annotations) and returns Evidence; ``decide`` weighs it.
The modules: ``lexicon`` (the packaged word lists, parsed once), ``language`` (words and verbs of names
and descriptions), ``server`` and ``context`` (what every rule sees of one server and of one tool,
computed once), the rules by source (``name``, ``description``, ``schema``, ``service``, ``actions``,
``annotation``, ``flags_data``, ``flags_reach``), ``weighing`` and ``registry`` (the registered rules and
``classify_tool``), and ``learned`` (a linear model trained on labelled servers, consulted after the rules: it may
raise an effect or add a flag, never lower one; ``training`` fits it, with numpy).
"""

from __future__ import annotations

from .context import ToolContext, build_context, noise_words
from .server import ServerContext, server_context
from .language import split_words
from .lexicon import Lexicon, Service, lexicon
from .registry import CLASSIFICATION_RULES, DERIVED_RULES, RuleFailure, classify_tool
from .weighing import decide

__all__ = [
    "CLASSIFICATION_RULES",
    "DERIVED_RULES",
    "Lexicon",
    "RuleFailure",
    "ServerContext",
    "Service",
    "ToolContext",
    "build_context",
    "classify_tool",
    "decide",
    "lexicon",
    "noise_words",
    "server_context",
    "split_words",
]
