"""A server's own vocabulary: the identifiers its own schemas define, so that a server describing its own tools and
their actions is not read as giving orders about another loaded server's tool of the same name (INJ011).

Honest servers name the values their own parameters take all the time: an ``action`` whose choices include
``set_property``, ``add_tag`` or ``add_source``, written in an enum of another of their tools, after the parameter's
name (``action=add_source``) or in a list of the values a parameter documents ("click, fill, press_key (requires key),
upload_file (requires selector)"). When another loaded server happens to expose a tool of that name, the text still
speaks of the writer's own vocabulary.
"""

from __future__ import annotations

import re

from ._surface import Subject, Surface

__all__ = ["listed_value", "server_vocabulary"]

_CHOICE = re.compile(r"\.(?:enum|examples)\[\d+\]$|\.(?:const|default)$")


def server_vocabulary(surf: Surface, server: str) -> frozenset[str]:
    """Identifiers ``server``'s own schemas define, over all its subjects: property names, choice, example, constant
    and default values, and values written after one of its property names (``action=add_source``,
    ``operation: list_nodes``); worked out once per server and surface."""
    memo = surf.memo.setdefault("own_vocabulary", {})
    got = memo.get(server)
    if got is not None:
        return got
    fields = [f for s in surf.subjects if s.server == server for f in s.fields]
    keys = {f.raw.lower() for f in fields if f.kind == "key" and len(f.raw) <= 64}
    values = {f.raw.lower() for f in fields if f.schema and len(f.raw) <= 64 and _CHOICE.search(f.path)}
    if keys:
        assigned = re.compile(r"\b(?:%s)\s*(?:=|==|:)\s*[`'\"]?([a-z0-9][\w.-]*)" % "|".join(
            re.escape(k) for k in sorted(keys, key=len, reverse=True)[:200]))
        for f in fields:
            if f.kind in ("description", "title", "instructions", "value") and ("=" in f.norm or ":" in f.norm):
                values.update(m.group(1) for m in assigned.finditer(f.norm))
    got = memo[server] = frozenset(keys | values)
    return got


# Two or more list items before the word on its line ("scroll, press_key (requires key), upload_file"): a value list
_LIST_BEFORE = re.compile(r"(?:[\w-]+(?:\s*\([^()\n]{0,60}\))?\s*,\s*){2,}$")


def listed_value(subject: Subject, start: int) -> bool:
    """The word at ``start`` is one item of a list of values documented in a schema description (an ``action``
    parameter's "click, fill, press_key, upload_file"), not a tool the text gives orders about."""
    f, local = subject.locate(start)
    return f.schema and f.path.endswith(".description") and _LIST_BEFORE.search(f.norm, max(0, local - 160), local) is not None
