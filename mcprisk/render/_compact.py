"""Version 3 of the JSON report (version 4 adds ``_shapes``): what version 2 wrote many times, stored once, and a
reader that puts it back (versions 3 and 4).

``compact`` turns the report's full body (every entry whole, as ``_data`` builds it) into what is written;
``expand_report`` turns a written report back into that full body, so nothing is lost: a test pins
``expand_report(compact(full)) == full``. What is stored once (report.schema.json documents each):

- ``evidence``: rows of (kind, text); the parts that repeat (rule, source, detail, effect, flag, weight) are
  an ``evidence_kinds`` row each. ``annotations``: each distinct set of tool annotations once, a tool names
  its row.
- ``defaults``: per id, the value most entries of that id carry (a no-go sign's title and severity, a decision
  step's question, a control's why and evidence, a ceiling answer's text, what a cap does); an entry leaves out a
  field that equals its id's default. A ceiling's ``held_by`` entry says what the cap ``does`` for a ``why`` that
  is the tool's name and that. A finding leaves out a title and references equal to its rule's (``rules``).
- a tool leaves out a null title, null annotations and the placement ``TOOL_PLACEMENT`` (only local_stdio, no
  blockers of its own); a no-go sign or decision step leaves out ``assumed: false`` and an ``evidence_count``
  equal to the lines listed; a control leaves out empty ``tools``; a finding a null ``tracking_note``.
- a control or no-go sign whose tools are those of an earlier one in the same placement (no-go signs first,
  then the controls) says ``tools_as`` instead; a split plan's ``reasons`` are grouped by what the tools add.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from ._shapes import (answers_in, answers_out, contexts, evidence_in, evidence_out, finding_tools_in,
                      finding_tools_out, flows_in, flows_out, message_in, message_out, moved, owners, placement_in,
                      placement_out, says_in, says_out)

__all__ = ["KIND_FIELDS", "TOOL_PLACEMENT", "compact", "expand_report", "whole_kind", "whole_kinds"]

TOOL_PLACEMENT = {"allowed": ["local_stdio"], "own_blockers": [], "recommended": "local_stdio"}
ROW_FIELDS = ("rule", "source", "text", "detail", "effect", "flag", "weight")  # a whole evidence item
KIND_FIELDS = ("rule", "source", "detail", "effect", "flag", "weight")  # what evidence items share (version 3)
CLASS_FIELDS = ("rule", "source", "effect", "flag", "weight")  # what evidence kinds share (version 4)
# defaults table -> (the field naming an entry's id, the fields that take a default)
BY_ID = {"no_go": ("id", ("title", "severity", "evidence", "says")),
         "rationale": ("id", ("question", "answer", "evidence", "says")),
         "controls": ("control", ("why", "evidence")), "ceiling_answers": ("id", ("text",)),
         "ceiling_held_by": ("cap", ("does",))}
COUNTED = ("no_go", "rationale")  # entries with assumed / evidence_count


def _entries(report: dict[str, Any], table: str) -> Iterator[dict[str, Any]]:
    """The entries of every server placement that a ``defaults`` table serves."""
    for server in report["servers"]:
        p = server.get("placement")
        if p is None:
            continue
        if table == "controls":
            for key in ("required_controls", "current_controls", "contradicted"):
                yield from p.get(key) or ()
        elif table.startswith("ceiling_"):
            yield from (p.get("ceiling") or {}).get(table.removeprefix("ceiling_"), ())
        else:
            yield from p.get(table, ())


def _defaults(report: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per table and id, the value most entries carry for each field (only values carried twice or more, and only
    fields every entry of the id has, so leaving one out is never ambiguous)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for table, (key, fields) in BY_ID.items():
        seen: dict[tuple[str, str], Counter[str]] = {}
        missing: set[tuple[str, str]] = set()
        for e in _entries(report, table):
            for f in fields:
                if f in e:
                    seen.setdefault((e[key], f), Counter())[json.dumps(e[f], sort_keys=True)] += 1
                else:
                    missing.add((e[key], f))
        chosen = out.setdefault(table, {})
        for (ident, f), values in seen.items():
            value, n = values.most_common(1)[0]
            if n > 1 and (ident, f) not in missing:
                chosen.setdefault(ident, {})[f] = json.loads(value)
    return out


def _pattern_defaults(report: dict[str, Any]) -> dict[str, list[str]]:
    """Per pattern, the missing controls most placements list (carried twice or more)."""
    placements = [s["placement"] for s in report["servers"] if s.get("placement") is not None]
    seen: dict[str, Counter[str]] = {}
    for p in placements:
        for pattern, missing in p["missing_by_pattern"].items():
            seen.setdefault(pattern, Counter())[json.dumps(missing)] += 1
    out = {}
    for pattern, values in seen.items():
        value, n = values.most_common(1)[0]
        if n > 1 and values.total() == len(placements):
            out[pattern] = json.loads(value)
    return out


def compact(full: dict[str, Any]) -> dict[str, Any]:
    """The full report body made version 4 (changes ``full`` in place and returns it: it is built for this)."""
    for h in _entries(full, "ceiling_held_by"):  # "<tool> <what the cap does>": the cap's part is shared
        if h["tool"] is not None and h["why"].startswith(f"{h['tool']} "):
            h["does"] = h.pop("why")[len(h["tool"]) + 1:]
    missing_by_pattern = _pattern_defaults(full)
    own_tools, control_words = owners(full), contexts(full)
    annotations: dict[str, int] = {}
    for server in full["servers"]:
        for tool in server["tools"]:
            _compact_tool(tool, annotations)
            if tool.get("confirm") == confirm_at(server["name"], tool["name"]):
                tool["confirm"] = True
        held_back, moved_tools = [], moved(server)
        if server.get("placement") is not None:
            if server["placement"].get("ceiling") is not None:
                answers_out(server["name"], server["placement"]["ceiling"])
            _compact_placement(server["placement"], missing_by_pattern)
            held_back = _reasons(server["placement"]["held_back_by"])
        for plan in server["split_plans"]:
            if plan["move"] == moved_tools:
                del plan["move"]
            groups: dict[tuple[str, ...], list[str]] = {}
            for tool, adds in plan["reasons"].items():
                groups.setdefault(tuple(adds), []).append(tool)
            plan["reasons"] = [{"adds": list(adds), "tools": tools} for adds, tools in groups.items()]
            if _reasons(plan["reasons"]) == held_back:
                del plan["reasons"]
    says_out(full)
    defaults: dict[str, Any] = _defaults(full)
    defaults["missing_by_pattern"] = missing_by_pattern
    for table, (key, _) in BY_ID.items():
        for e in _entries(full, table):
            for f, value in defaults[table].get(e[key], {}).items():
                if e[f] == value:
                    del e[f]
    defaults["placement"] = placement_out(full)
    flows_out(full["flows"])
    for f in full["findings"]:
        rule = full["rules"].get(f["code"], {})
        for k in ("title", "references"):
            if k in rule and f[k] == rule[k]:
                del f[k]
        if f["tracking_note"] is None:
            del f["tracking_note"]
        message_out(f, control_words)
        _compact_finding_tools(f)
        finding_tools_out(f, own_tools.get(f["server"], {}))
    kinds: dict[tuple[Any, ...], int] = {}
    classes: dict[tuple[Any, ...], int] = {}
    rows = []
    for row in full["evidence"]:
        item = dict(zip(ROW_FIELDS, row))
        kind = (classes.setdefault(tuple(item[k] for k in CLASS_FIELDS), len(classes)), item["detail"])
        rows.append([kinds.setdefault(kind, len(kinds)), item["text"]])
    full.update({"evidence": evidence_out(rows), "evidence_fields": ["kind", "text"],
                 "evidence_kinds": [list(k) for k in kinds], "evidence_kind_fields": ["class", "detail"],
                 "evidence_classes": [list(c) for c in classes], "evidence_class_fields": list(CLASS_FIELDS),
                 "defaults": defaults, "annotations": [json.loads(a) for a in annotations]})
    return full


def confirm_at(server: str, tool: str) -> str:
    """Where an operator confirms a tool's unsettled classification (``ToolAssessment.confirm``)."""
    return f"inventory servers.{server}.tools.{tool}.classification"


def _reasons(groups: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Per tool, what it adds: from groups of tools that add the same things (held_back_by, a plan's reasons)."""
    return {t: g["adds"] for g in groups for t in g["tools"]}


def _compact_finding_tools(f: dict[str, Any]) -> None:
    """Tools all of the finding's own server are named without the ``server/`` prefix (``server_tools``); a count
    equal to the names listed is left out."""
    if f["tools_count"] == len(f["tools"]):
        del f["tools_count"]
    prefix = f"{f['server']}/"
    if f["tools"] and all(t.startswith(prefix) for t in f["tools"]):
        f["server_tools"] = [t[len(prefix):] for t in f.pop("tools")]


def _compact_tool(tool: dict[str, Any], annotations: dict[str, int]) -> None:
    if tool["title"] is None:
        del tool["title"]
    if tool["annotations"] is None:
        del tool["annotations"]
    else:
        key = json.dumps(tool["annotations"], sort_keys=True)
        tool["annotations"] = annotations.setdefault(key, len(annotations))
    placement = tool["placement"]
    if placement is not None:
        for k, value in TOOL_PLACEMENT.items():
            if placement[k] == value:
                del placement[k]
        if not placement:
            del tool["placement"]


def _compact_placement(p: dict[str, Any], missing: dict[str, list[str]]) -> None:
    for pattern, value in missing.items():
        if p["missing_by_pattern"][pattern] == value:
            del p["missing_by_pattern"][pattern]
    if p.get("ceiling") is not None and p["ceiling"]["confirm"] == p["unconfirmed"]:
        del p["ceiling"]["confirm"]
    for table in COUNTED:
        for e in p[table]:
            if e.get("assumed") is False:
                del e["assumed"]
            if e.get("evidence_count") == len(e["evidence"]):
                del e["evidence_count"]
    owners: dict[tuple[str, ...], str] = {}
    for e, ident in [*((n, n["id"]) for n in p["no_go"]), *((c, c["control"]) for c in p["required_controls"])]:
        tools = tuple(e.get("tools", ()))
        if tools and tools in owners:
            e["tools_as"] = owners[tools]
            del e["tools"]
        elif tools:
            owners[tools] = ident
        else:
            e.pop("tools", None)
    for key in ("current_controls", "contradicted"):
        for c in p.get(key) or ():
            if c["tools"] == []:
                del c["tools"]


def expand_report(report: dict[str, Any]) -> dict[str, Any]:
    """A JSON report (as loaded) with every entry whole: what ``format_version`` 3 and 4 store once put back in
    place, evidence as rows of all seven ``evidence_fields`` (the shape of version 2; ``format_version`` stays). A
    version 2 report is returned as it is (it stores every entry whole already); any other raises ``ValueError``."""
    if report.get("format") != "mcprisk.report":
        raise ValueError('not an mcprisk report (expected "format": "mcprisk.report")')
    version = report.get("format_version")
    if version == 2:
        return copy.deepcopy(report)
    if version not in (3, 4):
        raise ValueError(f"report format_version {version!r} is not supported (this mcprisk reads 2, 3 and 4)")
    full = copy.deepcopy(report)
    defaults = full.pop("defaults")
    annotations = full.pop("annotations")
    placement_in(full, defaults.get("placement", {}))
    for table, (key, _) in BY_ID.items():
        for e in _entries(full, table):
            for f, value in defaults.get(table, {}).get(e[key], {}).items():
                e.setdefault(f, copy.deepcopy(value))
    says_in(full)
    for server in full["servers"]:
        for tool in server["tools"]:
            if tool.get("confirm") is True:
                tool["confirm"] = confirm_at(server["name"], tool["name"])
            tool.setdefault("title", None)
            tool["annotations"] = annotations[tool["annotations"]] if "annotations" in tool else None
            if tool.get("placement", {}) is not None:
                tool["placement"] = {**copy.deepcopy(TOOL_PLACEMENT), **tool.get("placement", {})}
        if server.get("placement") is not None:
            _expand_placement(server["placement"], defaults.get("missing_by_pattern", {}))
            if server["placement"].get("ceiling") is not None:
                answers_in(server["name"], server["placement"]["ceiling"])
        moved_tools = moved(server)
        for plan in server["split_plans"]:
            plan.setdefault("move", moved_tools)
            plan["reasons"] = _reasons(plan["reasons"] if "reasons" in plan else server["placement"]["held_back_by"])
    for h in _entries(full, "ceiling_held_by"):
        if "does" in h:
            h["why"] = f"{h['tool']} {h.pop('does')}"
    own_tools, control_words = owners(full), contexts(full)
    for f in full["findings"]:
        rule = full["rules"].get(f["code"], {})
        for k in ("title", "references"):
            if k not in f:
                f[k] = rule[k]
        f.setdefault("tracking_note", None)
        message_in(f, control_words)
        finding_tools_in(f, own_tools.get(f["server"], {}))
        if "server_tools" in f:
            f["tools"] = [f"{f['server']}/{t}" for t in f.pop("server_tools")]
        f.setdefault("tools_count", len(f["tools"]))
    flows_in(full["flows"])
    kinds = whole_kinds(full.pop("evidence_kinds"), full.pop("evidence_classes", None))
    full.pop("evidence_kind_fields")
    full.pop("evidence_class_fields", None)
    full["evidence"] = [[*kinds[k][:2], text, *kinds[k][2:]] for k, text in evidence_in(full["evidence"])]
    full["evidence_fields"] = list(ROW_FIELDS)
    return full


def whole_kinds(kinds: list[list[Any]], classes: list[list[Any]] | None) -> list[list[Any]]:
    """Evidence kinds as rows of ``KIND_FIELDS``: version 4 writes them as (class, detail), version 3 whole."""
    return kinds if classes is None else [whole_kind(k, classes) for k in kinds]


def whole_kind(kind: list[Any], classes: list[list[Any]] | None) -> list[Any]:
    """One evidence kind as a row of ``KIND_FIELDS`` (``classes``: version 4's evidence_classes)."""
    if classes is None:
        return kind
    c, detail = kind
    return [*classes[c][:2], detail, *classes[c][2:]]


def _expand_placement(p: dict[str, Any], missing: dict[str, list[str]]) -> None:
    for pattern, value in missing.items():
        p["missing_by_pattern"].setdefault(pattern, list(value))
    if p.get("ceiling") is not None:
        p["ceiling"].setdefault("confirm", list(p["unconfirmed"]))
    for table in COUNTED:
        for e in p[table]:
            e.setdefault("assumed", False)
            e.setdefault("evidence_count", len(e["evidence"]))
    owners: dict[str, list[str]] = {}
    for e, ident in [*((n, n["id"]) for n in p["no_go"]), *((c, c["control"]) for c in p["required_controls"])]:
        if "tools_as" in e:
            e["tools"] = list(owners[e.pop("tools_as")])
        e.setdefault("tools", [])
        owners.setdefault(ident, e["tools"])
    for key in ("current_controls", "contradicted"):
        for c in p.get(key) or ():
            c.setdefault("tools", [])
