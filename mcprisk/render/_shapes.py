"""Version 4 of the JSON report: what version 3 still wrote once per server or per finding, stored once.

``_compact`` calls these on the way out (``compact``) and back (``expand_report``); each ``*_out`` has an
``*_in`` that undoes it exactly, and a version 3 report carries none of their marks, so reading one back passes
through them unchanged. What they store once (report.schema.json documents each):

- ``says``: a no-go sign's or decision step's evidence lines that all read "<tool> <the same words>" keep the
  tool names in ``evidence`` and the words once in ``says`` (a per-id default when most entries of the id say
  them); a sign whose names are its own tools, in order, leaves ``evidence`` out.
- ``defaults.placement``: per placement field, the value most servers carry (the assumptions, the current
  reason, the required controls of a read-only stdio server...); a placement leaves out a field equal to it.
  ``server``, ``summary``, ``recommended`` and ``current`` are always written.
- a finding's tools that are a no-go sign's or control's of its placement (or all the server's) name it
  (``tools_as``); a message about a control names the control's why and status (``message_fields``).
- a ceiling's confirm answer names its tool (``confirm_text``); a split plan leaves out ``move`` when it moves
  every tool ``held_back_by`` names; a flow leaves out a list equal to the flow before's.
- a quote two evidence rows share is written once: the second row names the first (an integer for the text).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

__all__ = ["FINDING_TOOLS", "KEPT", "LISTED", "answers_in", "answers_out", "contexts", "evidence_in", "evidence_out",
           "fill", "finding_tools_in", "finding_tools_out", "flows_in", "flows_out",
           "message_in", "message_out", "moved", "owners", "placement_in", "placement_out", "says_in", "says_out"]

KEPT = ("server", "summary", "recommended", "current")  # placement fields always written (the pattern, the why)
SAID = ("no_go", "rationale")  # placement entries whose evidence lines may share their words (``says``)
FINDING_TOOLS = 25  # tools named per finding; tools_count says how many there are
LISTED = 8  # evidence lines of a decision step or no-go sign kept; evidence_count says how many there are


def _placements(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [s["placement"] for s in report["servers"] if s.get("placement") is not None]


def says_out(report: dict[str, Any]) -> None:
    """Evidence lines "<tool> <words>" with the same words: the tool names kept, the words once (``says``)."""
    for server in report["servers"]:
        p = server.get("placement")
        if p is None:
            continue
        names = sorted((t["name"] for t in server["tools"]), key=len, reverse=True)
        for e in (e for table in SAID for e in p[table]):
            split = [_split(line, names) for line in e["evidence"]]
            if split and all(s is not None for s in split) and len({s[1] for s in split}) == 1:
                e["evidence"], e["says"] = [s[0] for s in split], split[0][1]
                tools = _tools(p, e)
                if e["evidence"] == tools[:LISTED] and e.get("evidence_count", len(e["evidence"])) == len(tools):
                    del e["evidence"]  # the sign's own tools, in order: said once


def _split(line: str, names: list[str]) -> tuple[str, str] | None:
    """``line`` as (tool, words) when it starts with one of the server's tool names (the longest) and a space."""
    name = next((n for n in names if line.startswith(f"{n} ")), None)
    return None if name is None else (name, line[len(name) + 1:])


def _tools(p: dict[str, Any], e: dict[str, Any]) -> list[str]:
    """A no-go sign's tools, its own or (``tools_as``) an earlier sign's or control's of the same placement."""
    if "tools_as" not in e:
        return e.get("tools", [])
    return next(x.get("tools", []) for x in (*p["no_go"], *p.get("required_controls", ()))
                if e["tools_as"] in (x.get("id"), x.get("control")))


def says_in(report: dict[str, Any]) -> None:
    for p in _placements(report):
        for e in (e for table in SAID for e in p[table]):
            if "says" in e:
                says = e.pop("says")
                names = e["evidence"] if "evidence" in e else _tools(p, e)[:LISTED]
                e["evidence"] = [f"{tool} {says}" for tool in names]


def placement_out(report: dict[str, Any]) -> dict[str, Any]:
    """Leave out placement fields equal to the value most placements carry (twice or more, every placement having
    the field); returns those values (``defaults.placement``)."""
    placements = _placements(report)
    seen: dict[str, Counter[str]] = {}
    for p in placements:
        for f, value in p.items():
            if f not in KEPT:
                seen.setdefault(f, Counter())[json.dumps(value, sort_keys=True)] += 1
    shared = {}
    for f, values in sorted(seen.items()):
        value, n = values.most_common(1)[0]
        if n > 1 and values.total() == len(placements):
            shared[f] = json.loads(value)
    for p in placements:
        for f, value in shared.items():
            if p[f] == value:
                del p[f]
    return shared


def placement_in(report: dict[str, Any], shared: dict[str, Any]) -> None:
    for p in _placements(report):
        for f, value in shared.items():
            if f not in p:
                p[f] = json.loads(json.dumps(value))


def evidence_out(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows of (kind, text): a text an earlier row has is written as that row's index."""
    first: dict[str, int] = {}
    out = []
    for i, (kind, text) in enumerate(rows):
        j = first.setdefault(text, i)
        out.append([kind, text if j == i else j])
    return out


def evidence_in(rows: list[list[Any]]) -> list[list[Any]]:
    return [[kind, rows[text][1] if isinstance(text, int) else text] for kind, text in rows]


def owners(report: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """Per server, the tools of each no-go sign and control of its (whole) placement, and ``*``: all its tools."""
    out = {}
    for server in report["servers"]:
        p = server.get("placement") or {}
        own = {"*": [t["name"] for t in server["tools"]]}
        for e in p.get("no_go", ()):
            own.setdefault(e["id"], e.get("tools", []))
        for c in p.get("current_controls") or p.get("required_controls") or ():
            own.setdefault(c["control"], c.get("tools", []))
        out[server["name"]] = own
    return out


def finding_tools_out(f: dict[str, Any], own: dict[str, list[str]]) -> None:
    """A finding's ``server_tools`` that are (the first ``listed`` of) a no-go sign's or control's tools, or all the
    server's tools, say ``tools_as`` instead."""
    tools = f.get("server_tools")
    if not tools:
        return
    count = f.get("tools_count", len(tools))
    ident = next((k for k, v in own.items() if v[:FINDING_TOOLS] == tools and len(v) == count), None)
    if ident is not None:
        del f["server_tools"]
        f["tools_as"] = ident


def finding_tools_in(f: dict[str, Any], own: dict[str, list[str]]) -> None:
    if "tools_as" in f:
        f["server_tools"] = own[f.pop("tools_as")][:FINDING_TOOLS]


def contexts(report: dict[str, Any]) -> dict[str, dict[str, dict[str, str]]]:
    """Per server and control, the words a finding about that control repeats from the (whole) placement: the
    control's ``why`` and its ``status`` (evidence)."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for server in report["servers"]:
        p = server.get("placement") or {}
        ctx = out[server["name"]] = {}
        for c in p.get("current_controls") or p.get("required_controls") or ():
            ctx[c["control"]] = {"why": c.get("why", ""), "status": c.get("evidence", "")}
    return out


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


_FIELD = re.compile(r"\{\{|\}\}|\{(\w+)\}")


def fill(template: str, values: dict[str, str]) -> str:
    """A message template back to its words: ``{name}`` is ``values[name]``, ``{{`` and ``}}`` single braces."""
    return _FIELD.sub(lambda m: values[m[1]] if m[1] else m[0][0], template)


def message_out(f: dict[str, Any], ctx: dict[str, dict[str, dict[str, str]]]) -> None:
    """A message of a finding about a control that repeats the control's why and status names them (``{why}``,
    ``{status}``, braces doubled) and says so with ``message_fields: true``; kept word for word when that would
    not read back exactly."""
    values = ctx.get(f["server"], {}).get(f["subject"])
    if not values:
        return
    template = _escape(f["message"])
    for name, value in sorted(values.items(), key=lambda kv: -len(kv[1])):
        if len(value) > 8:
            template = template.replace(_escape(value), f"{{{name}}}")
    if template != _escape(f["message"]) and fill(template, values) == f["message"]:
        f["message"], f["message_fields"] = template, True


def message_in(f: dict[str, Any], ctx: dict[str, dict[str, dict[str, str]]]) -> None:
    if f.pop("message_fields", False):
        f["message"] = fill(f["message"], ctx[f["server"]][f["subject"]])


def confirm_text(server: str, tool: str) -> str:
    """A ceiling's answer for a tool read as destructive until confirmed (``mcprisk.placement.ceiling``)."""
    return (f"Confirm what {tool} does with an operator override (servers.{server}.tools.{tool}.classification): "
            "until then it is read as destructive.")


def answers_out(server: str, ceiling: dict[str, Any]) -> None:
    """A ceiling's confirm answers that say ``confirm_text`` name the tool (``tool``) instead of the sentence."""
    for a in ceiling["answers"]:
        tool = next((t for t in ceiling.get("confirm", ()) if a.get("text") == confirm_text(server, t)), None)
        if a["id"] == "confirm" and tool is not None:
            a["tool"] = tool
            del a["text"]


def answers_in(server: str, ceiling: dict[str, Any]) -> None:
    for a in ceiling["answers"]:
        if "tool" in a:
            a["text"] = confirm_text(server, a.pop("tool"))


def moved(server: dict[str, Any]) -> list[str]:
    """The tools a split plan moves when it moves every tool that holds the server back (``held_back_by``)."""
    return sorted({t for h in (server.get("placement") or {}).get("held_back_by", ()) for t in h["tools"]})


CARRIED = ("private", "servers", "sources")  # flow lists that often repeat the flow before


def flows_out(flows: list[dict[str, Any]]) -> None:
    """A flow leaves out a list (``CARRIED``) equal to the one the flow before it has."""
    prev: dict[str, Any] = {}
    for f in flows:
        for k in CARRIED:
            value = f[k]
            if prev.get(k) == value:
                del f[k]
            prev[k] = value


def flows_in(flows: list[dict[str, Any]]) -> None:
    prev: dict[str, Any] = {}
    for f in flows:
        for k in CARRIED:
            if k not in f:
                f[k] = list(prev[k])
            prev[k] = f[k]
