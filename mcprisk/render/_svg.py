"""The report's charts as inline SVG, drawn straight from the assessment: crisp at any zoom, legible (text at
11-12 px on the page), deterministic, and without matplotlib (which stays for notebooks, ``mcprisk.plots``).

Every chart is one ``<svg class="chart">`` whose width in the page equals its viewBox width, so a 12-unit font
reads as 12 px. Server-supplied names are escaped text in ``<text>`` elements, cut with ``…`` (the full name
in a ``<title>``). No script, no link, no external reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..model import CONTROLS, EFFECTS, PATTERNS, RESOLVED, SEVERITIES, effect_rank
from ._common import visible
from ._markup import text as _esc

if TYPE_CHECKING:
    from ..assessment import Assessment

__all__ = ["controls_chart", "effects_chart", "findings_chart", "graph_chart"]

EFFECT_COLOURS = {"read_only": "#009E73", "reversible": "#56B4E9", "high_cost": "#E69F00",
                  "customer_visible": "#CC79A7", "destructive": "#D55E00"}
SEVERITY_COLOURS = {"critical": "#8B1A1A", "high": "#D55E00", "medium": "#E69F00", "low": "#56B4E9",
                    "info": "#9E9E9E"}
STATUS_STYLE = {  # fill, text colour, label
    "verified": ("#009E73", "#ffffff", "verified"),
    "declared": ("#cfe3fb", "#1f2328", "declared"),
    "missing": ("#D55E00", "#ffffff", "MISSING"),
    "not_applicable": ("#f1f3f5", "#8c959f", "n/a"),
}
NEXT_STYLE = ("#fff1e0", "#9a4a00")  # not applicable here, but missing for the next pattern the server needs
EDGE_COLOURS = {"exposes": "#b0b7bf", "credential": "#B8860B", "reads": "#7F7F7F", "writes": "#0072B2",
                "deletes": "#D55E00", "sends_to": "#CC79A7", "fetches_from": "#E69F00"}
_SHORT = {"internal_http": "internal", "public_remote": "public", "managed_gateway": "gateway",
          "local_stdio": "local"}

HALF, WIDE = 552, 1124  # the page's content width is 1124 px: two charts side by side, or one across
MAX_TOOL_NODES = 60  # past this many tools the graph shows one node per server and effect
_FONT = 12


def _w(text: str, size: float = _FONT) -> float:
    """Estimated width of ``text`` in the report's sans-serif font (no font metrics in a report renderer)."""
    return sum(0.3 if c in "iljt.,:;'|!" else 0.9 if c in "MWmw@" else 0.7 if c.isupper() or c in "_-"
               else 0.6 if c.isdigit() else 0.57 for c in text) * size


def _cut(text: Any, limit: int) -> tuple[str, str | None]:
    """A label of at most ``limit`` characters, and the full text when it was cut (for a hover title)."""
    full = " ".join(visible(text).split())
    if len(full) <= limit:
        return full, None
    return full[: limit - 1] + "…", full


def _label(x: float, y: float, text: Any, limit: int = 40, *, size: float = _FONT, anchor: str = "start",
           weight: str = "", fill: str = "#1f2328") -> str:
    shown, full = _cut(text, limit)
    attrs = f' text-anchor="{anchor}"' if anchor != "start" else ""
    attrs += f' font-weight="{weight}"' if weight else ""
    attrs += f' fill="{fill}"' if fill != "#1f2328" else ""
    attrs += f' font-size="{size:g}"' if size != _FONT else ""
    tip = f"<title>{_esc(full)}</title>" if full else ""
    return f'<text x="{x:.0f}" y="{y:.0f}"{attrs}>{tip}{_esc(shown)}</text>'


def _svg(width: float, height: float, label: str, body: Iterable[str]) -> str:
    return (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{_esc(label)}" '
            f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'font-family="system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif" '
            f'font-size="{_FONT}" fill="#1f2328"><title>{_esc(label)}</title>{"".join(body)}</svg>')


def _legend(items: Sequence[tuple[str, str]], x: float, y: float, width: float, *, dashed: Sequence[bool] = ()
            ) -> tuple[list[str], float]:
    """Swatches with labels, wrapped to ``width``; returns the parts and the height used."""
    parts, cx, cy = [], x, y
    for i, (colour, label) in enumerate(items):
        step = 18 + _w(label) + 16
        if cx + step > x + width and cx > x:
            cx, cy = x, cy + 18
        if dashed and dashed[i]:
            parts.append(f'<line x1="{cx:.1f}" y1="{cy - 4:.1f}" x2="{cx + 12:.1f}" y2="{cy - 4:.1f}" '
                         f'stroke="{colour}" stroke-width="2" stroke-dasharray="3 2"/>')
        elif colour.startswith("line:"):
            parts.append(f'<line x1="{cx:.1f}" y1="{cy - 4:.1f}" x2="{cx + 12:.1f}" y2="{cy - 4:.1f}" '
                         f'stroke="{colour[5:]}" stroke-width="2"/>')
        else:
            parts.append(f'<rect x="{cx:.1f}" y="{cy - 10:.1f}" width="12" height="12" rx="2" fill="{colour}"/>')
        parts.append(_label(cx + 17, cy, label, 60))
        cx += step
    return parts, cy - y + 18


# --------------------------------------------------------------------------------------------
# Bars


def effects_chart(a: Assessment) -> str:
    """Tools per server, stacked by their most severe effect (most severe to the right)."""
    servers = list(a.servers)
    title = "What a call can do: tools per server by most severe effect"
    if not a.tools:
        return _svg(HALF, 60, title, [_label(HALF / 2, 34, "no tools were listed", anchor="middle", fill="#59636e")])
    counts = {s: {e: 0 for e in EFFECTS} for s in servers}
    for t in a.tools:
        counts.setdefault(t.server, {e: 0 for e in EFFECTS})[t.primary] += 1
    legend, lh = _legend([(EFFECT_COLOURS[e], e.replace("_", " ")) for e in EFFECTS], 0, 14, HALF)
    label_w = min(170.0, max(_w(_cut(s, 26)[0]) for s in servers) + 8)
    top, row = lh + 8, 22
    most = max(sum(c.values()) for c in counts.values()) or 1
    span = HALF - label_w - 40
    body = legend
    for i, s in enumerate(servers):
        y = top + i * row
        body.append(_label(label_w - 6, y + 14, s, 26, anchor="end"))
        x = label_w
        for e in EFFECTS:
            n = counts[s][e]
            if not n:
                continue
            w = n / most * span
            body.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="16" fill="{EFFECT_COLOURS[e]}"/>')
            if w >= _w(str(n), 11) + 6:
                body.append(_label(x + w / 2, y + 15, n, size=11, anchor="middle", weight="600", fill="#ffffff"))
            x += w
        body.append(_label(x + 5, y + 15, sum(counts[s].values()), size=11, fill="#59636e"))
    return _svg(HALF, top + len(servers) * row + 4, title, body)


def findings_chart(a: Assessment) -> str:
    """Findings by severity: open ones solid, resolved ones (accepted, mitigated, false positive) pale."""
    title = "Findings by severity"
    if not a.findings:
        return _svg(HALF, 60, title, [_label(HALF / 2, 34, "no findings", anchor="middle", fill="#59636e")])
    severities = list(reversed(SEVERITIES))
    open_n = {s: sum(1 for f in a.findings if f.severity == s and f.status not in RESOLVED) for s in severities}
    done_n = {s: sum(1 for f in a.findings if f.severity == s and f.status in RESOLVED) for s in severities}
    legend, lh = _legend([("#8c959f", "open"), ("#e5e7eb", "accepted, mitigated or false positive")], 0, 14, HALF)
    top, row, label_w = lh + 8, 24, 70
    most = max(open_n[s] + done_n[s] for s in severities) or 1
    span = HALF - label_w - 70
    body = legend
    for i, s in enumerate(severities):
        y = top + i * row
        body.append(_label(label_w - 8, y + 15, s, anchor="end"))
        w_open, w_done = open_n[s] / most * span, done_n[s] / most * span
        colour = SEVERITY_COLOURS[s]
        if w_open:
            body.append(f'<rect x="{label_w}" y="{y + 4}" width="{w_open:.1f}" height="16" fill="{colour}"/>')
        if w_done:
            body.append(f'<rect x="{label_w + w_open:.1f}" y="{y + 4.5}" width="{w_done:.1f}" height="15" '
                        f'fill="#f3f4f6" stroke="{colour}" stroke-dasharray="3 2"/>')
        if open_n[s] + done_n[s]:
            note = f"{open_n[s]}" + (f" (+{done_n[s]} resolved)" if done_n[s] else "")
            body.append(_label(label_w + w_open + w_done + 6, y + 16, note, size=11, fill="#59636e"))
    return _svg(HALF, top + len(severities) * row + 4, title, body)


# --------------------------------------------------------------------------------------------
# Controls


def _next_pattern(p: Any) -> str | None:
    """The next pattern more exposed than the recommendation that the server's audience calls for."""
    ranked = [x for x in PATTERNS if x in p.missing_by_pattern and x not in p.allowed]
    return ranked[0] if ranked else None


_CELL_CSS = ("<style>.hm rect{rx:2px}.hm text{font-size:10.5px;text-anchor:middle}"
             + "".join(f".hm .{s[:2]} rect{{fill:{fill}}}.hm .{s[:2]} text{{fill:{ink}}}"
                       for s, (fill, ink, _) in STATUS_STYLE.items())
             + f".hm .mi text{{font-weight:700}}.hm .nx rect{{fill:{NEXT_STYLE[0]};stroke:{NEXT_STYLE[1]};"
               f"stroke-dasharray:3 2}}.hm .nx text{{fill:{NEXT_STYLE[1]}}}</style>")


def controls_chart(a: Assessment, controls: Sequence[str] = CONTROLS) -> str:
    """Servers x controls: each control's status for the recommended placement; a control that does not apply
    there but is missing for the next pattern the server needs is marked "for <pattern>"."""
    title = "Controls for the recommended placement (and what the next pattern adds)"
    if not a.placements:
        return _svg(WIDE, 60, title, [_label(WIDE / 2, 34, "placement not computed: no control statuses to show",
                                             anchor="middle", fill="#59636e")])
    by_server = {p.server: p for p in a.placements}
    servers = list(a.servers)
    label_w = round(min(190.0, max(_w(_cut(s, 26)[0]) for s in servers) + 54))
    cell = (WIDE - label_w) / len(controls)
    legend_items = [(STATUS_STYLE[s][0], STATUS_STYLE[s][2].lower() if s != "missing" else "missing")
                    for s in STATUS_STYLE] + [(NEXT_STYLE[0], "not needed here, missing for the next pattern")]
    legend, lh = _legend(legend_items, 0, 14, WIDE)
    head = lh + 36
    body = [_CELL_CSS, *legend]
    for j, control in enumerate(controls):
        first, _, rest = control.partition("_")
        cx = label_w + j * cell + cell / 2
        body.append(f'<text x="{cx:.0f}" y="{lh + 14:.0f}" text-anchor="middle" font-size="11" fill="#59636e">'
                    f'<title>{_esc(control)}</title><tspan x="{cx:.0f}">{_esc(first)}</tspan>'
                    + (f'<tspan x="{cx:.0f}" dy="13">{_esc(rest)}</tspan>' if rest else "") + "</text>")
    row = 24
    for i, server in enumerate(servers):
        y = head + i * row
        p = by_server.get(server)
        body.append(f'<g class="hm" transform="translate(0 {y})">' + _label(6, 16, server, 26, weight="600"))
        if p is None:
            body.append(_label(label_w + 6, 16, "placement not computed", fill="#59636e") + "</g>")
            continue
        body.append(_label(label_w - 6, 16, _SHORT.get(p.recommended, p.recommended), size=10.5, anchor="end",
                           fill="#59636e"))
        statuses = {c.control: c.status for c in p.required_controls}
        nxt = _next_pattern(p)
        needed = set(p.missing_by_pattern.get(nxt, ())) if nxt else set()
        for j, control in enumerate(controls):
            status = statuses.get(control, "not_applicable")
            cls, word = status[:2], STATUS_STYLE.get(status, STATUS_STYLE["not_applicable"])[2]
            if status == "not_applicable" and control in needed:
                cls, word = "nx", f"for {_SHORT.get(nxt or '', nxt)}"
            x = label_w + j * cell
            body.append(f'<g class="{cls}"><rect x="{x + 1:.0f}" y="1" width="{cell - 2:.0f}" height="{row - 2}"/>'
                        f'<text x="{x + cell / 2:.0f}" y="16">{_esc(word)}</text></g>')
        body.append("</g>")
    return _svg(WIDE, head + len(servers) * row + 4, title, body)


# --------------------------------------------------------------------------------------------
# The graph


def _spread(wanted: list[tuple[float, str]], top: float, bottom: float, gap: float) -> dict[str, float]:
    """Place nodes in a column near the heights they want, in that order, never closer than ``gap``."""
    wanted = sorted(wanted, key=lambda w: (w[0], w[1]))
    out: dict[str, float] = {}
    y = top - gap
    for want, name in wanted:
        y = max(want, y + gap)
        out[name] = y
    overflow = y - bottom
    if overflow > 0:  # pushed past the bottom: shift the column up, as far as the top allows
        shift = min(overflow, max(0.0, min(out.values()) - top))
        out = {n: v - shift for n, v in out.items()}
    return out


_EDGE_CLASS = {"exposes": "ex", "credential": "cr", "reads": "rd", "writes": "wr", "deletes": "de", "sends_to": "se",
               "fetches_from": "fe"}
_GRAPH_CSS = ("<style>.gr path,.gr line{fill:none;stroke-width:1.2;stroke-opacity:.8}"
              + "".join(f".gr .{c}{{stroke:{EDGE_COLOURS[k]}}}" for k, c in _EDGE_CLASS.items())
              + ".gr .ex{stroke-width:1;stroke-opacity:.9}.gr .cr{stroke-width:1.3;stroke-opacity:.7}"
                ".gr .de{stroke-width:1.6}.gr .fe{stroke-dasharray:4 3}.gr line{stroke-opacity:.5;stroke-width:1}"
                "</style>")


def _curve(x1: float, y1: float, x2: float, y2: float, kind: str) -> str:
    mid = (x1 + x2) / 2
    return (f'<path class="{_EDGE_CLASS[kind]}" d="M{x1:.0f} {y1:.0f}C{mid:.0f} {y1:.0f} {mid:.0f} {y2:.0f} '
            f'{x2:.0f} {y2:.0f}"/>')


def graph_chart(a: Assessment) -> str:
    """Credentials -> servers -> tools -> data stores and outside parties, in columns. Tools are coloured by
    their most severe effect; edges by what they mean. Every label sits in a gutter no edge crosses: credential
    names left of their node, server names inside their box, tool names right of their node with the edges to
    the last column leaving from the far side of the widest name."""
    g, servers = a.graph, list(a.servers)
    title = "Capability graph: credentials, servers, tools, data stores and outside parties"
    if not servers or not a.tools:
        return _svg(WIDE, 60, title, [_label(WIDE / 2, 34, "no tools to draw", anchor="middle", fill="#59636e")])
    grouped = len(a.tools) > MAX_TOOL_NODES
    nodes: dict[str, list[Any]] = {}
    for s in servers:
        for t in sorted(a.tools_of(s), key=lambda t: (-effect_rank(t.primary), t.tool)):
            nodes.setdefault(f"{s}/[{t.primary}]" if grouped else f"{s}/{t.tool}", []).append(t)

    def tool_text(key: str) -> str:
        group = nodes[key]
        if grouped:
            return f"{len(group)} {group[0].primary.replace('_', ' ')} tool{'s' if len(group) > 1 else ''}"
        return group[0].tool + (" (disabled)" if group[0].disabled else "")

    # Rows: tools by server, most severe first, a gap between servers.
    row, gap, top = 22, 14, 52
    ty: dict[str, float] = {}
    sy: dict[str, float] = {}
    y = top
    for s in servers:
        keys = [k for k in nodes if k.startswith(f"{s}/")]
        first = y
        for k in keys:
            ty[k] = y
            y += row
        sy[s] = (first + y - row) / 2 if keys else y
        y += gap
    bottom = max(y - gap - row, top)

    # Credentials: to the server when every tool of it can use one, else to the tools it is narrowed to.
    cred_edges: list[tuple[str, str, bool]] = []  # (credential node, server or tool key, to a server)
    cred_want: dict[str, list[float]] = {}
    right_edges: list[tuple[str, str, str]] = []  # (tool key, right node, kind)
    right_want: dict[str, list[float]] = {}
    for s in servers:
        keys = [k for k in nodes if k.startswith(f"{s}/")]
        users: dict[str, set[str]] = {}
        counts: dict[str, int] = {}
        for k in keys:
            for t in nodes[k]:
                tid = f"tool:{s}/{t.tool}"
                if tid not in g:
                    continue
                for _, c, kind in g.out_edges(tid, keys=True):
                    if kind == "uses_credential":
                        users.setdefault(c, set()).add(k)
                        counts[c] = counts.get(c, 0) + 1
        for c, ks in sorted(users.items()):
            if counts[c] == len(a.tools_of(s)):
                cred_edges.append((c, s, True))
                cred_want.setdefault(c, []).append(sy[s])
            else:
                for k in sorted(ks):
                    cred_edges.append((c, k, False))
                    cred_want.setdefault(c, []).append(ty[k])
        for k in keys:
            kinds: dict[str, set[str]] = {}
            for t in nodes[k]:
                tid = f"tool:{s}/{t.tool}"
                if tid not in g:
                    continue
                for _, v, kind in g.out_edges(tid, keys=True):
                    if kind in ("reads", "writes", "deletes", "sends_to"):
                        kinds.setdefault(v, set()).add(kind)
                for u, _, kind in g.in_edges(tid, keys=True):
                    if kind == "fetches_from":
                        kinds.setdefault(u, set()).add(kind)
            for target, ks in sorted(kinds.items()):
                strongest = next((x for x in ("deletes", "writes", "reads") if x in ks), None)
                for kind in [x for x in ("fetches_from", "sends_to") if x in ks] + ([strongest] if strongest else []):
                    right_edges.append((k, target, kind))
                right_want.setdefault(target, []).append(ty[k])

    cred_y = _spread([(sum(v) / len(v), c) for c, v in cred_want.items()], top, bottom, row)
    right_y = _spread([(sum(v) / len(v), n) for n, v in right_want.items()], top, bottom, row)
    height = max([bottom, *cred_y.values(), *right_y.values()]) + 24

    def name(node: str) -> str:
        return str(g.nodes[node].get("label", node)) if node in g else node

    cred_w = max([_w(_cut(name(c), 26)[0]) for c in cred_y] or [0.0])
    server_w = max(_w(_cut(s, 24)[0], 13.5) for s in servers) + 20  # bold
    tool_w = max(_w(_cut(tool_text(k), 34)[0]) for k in nodes)
    right_w = max([_w(_cut(name(n), 34)[0]) for n in right_y] or [0.0])
    fixed = 8 + cred_w + 10 + server_w + 10 + tool_w + 8 + 12 + right_w + 8
    spare = max(0.0, WIDE - fixed)  # the gaps between columns share what the labels leave of the width
    gaps = [min(140.0, spare * w) for w in ((0.28 if cred_y else 0.0), 0.3, 0.42)]
    x_cred = 8 + cred_w + 10
    x_srv = x_cred + max(gaps[0], 50 if cred_y else 0)
    x_tool = x_srv + server_w + max(gaps[1], 50)
    x_gutter = x_tool + 10 + tool_w + 8
    x_right = x_gutter + max(gaps[2], 60)
    width = max(WIDE, x_right + 12 + right_w + 8)

    edges, shapes = ['<g class="gr">'], []
    for s in servers:
        for k in (k for k in nodes if k.startswith(f"{s}/")):
            edges.append(_curve(x_srv + server_w, sy[s], x_tool - 6, ty[k], "exposes"))
    for c, target, to_server in cred_edges:
        end = (x_srv, sy[target]) if to_server else (x_tool - 6, ty[target])
        edges.append(_curve(x_cred + 6, cred_y[c], *end, "credential"))
    for k, target, kind in right_edges:
        label_end = x_tool + 10 + _w(_cut(tool_text(k), 34)[0]) + 4
        edges.append(f'<line class="{_EDGE_CLASS[kind]}" x1="{label_end:.0f}" y1="{ty[k]:.0f}" x2="{x_gutter:.0f}" '
                     f'y2="{ty[k]:.0f}"/>')
        edges.append(_curve(x_gutter, ty[k], x_right - 8, right_y[target], kind))
    edges.append("</g>")

    for c, yy in cred_y.items():
        shapes.append(f'<rect x="{x_cred - 5:.1f}" y="{yy - 5:.1f}" width="10" height="10" '
                      f'transform="rotate(45 {x_cred:.1f} {yy:.1f})" fill="#F0E442" stroke="#8C7A00"/>')
        shapes.append(_label(x_cred - 10, yy + 4, name(c), 26, anchor="end"))
    for s in servers:
        shapes.append(f'<rect x="{x_srv:.1f}" y="{sy[s] - 11:.1f}" width="{server_w:.1f}" height="22" rx="4" '
                      f'fill="#4D4D4D"/>')
        shapes.append(_label(x_srv + 10, sy[s] + 4.5, s, 24, size=12.5, weight="600", fill="#ffffff"))
    for k, yy in ty.items():
        group = nodes[k]
        colour = EFFECT_COLOURS[group[0].primary]
        off = all(t.disabled for t in group)
        shapes.append(f'<circle cx="{x_tool:.1f}" cy="{yy:.1f}" r="{7 if grouped else 6}" '
                      f'fill="{"#ffffff" if off else colour}" stroke="{colour if off else "#333333"}" '
                      f'stroke-width="1.2"/>')
        shapes.append(_label(x_tool + 10, yy + 4, tool_text(k), 34, fill="#8c959f" if off else "#1f2328"))
    for n, yy in right_y.items():
        kind = g.nodes[n].get("kind") if n in g else ""
        if kind == "datastore":
            shapes.append(f'<rect x="{x_right - 7:.1f}" y="{yy - 7:.1f}" width="14" height="14" rx="3" '
                          f'fill="#6B4226"/>')
        else:
            shapes.append(f'<polygon points="{x_right - 7:.1f},{yy + 6:.1f} {x_right + 7:.1f},{yy + 6:.1f} '
                          f'{x_right:.1f},{yy - 7:.1f}" fill="#7F7F7F"/>')
        shapes.append(_label(x_right + 12, yy + 4, name(n), 34))

    heads = [(x_cred, "credentials", "end"), (x_srv + server_w / 2, "servers", "middle"),
             (x_tool, "tools" + (" (grouped by effect)" if grouped else ""), "start"),
             (x_right, "data stores and outside parties", "start")]
    legend, _ = _legend([(EFFECT_COLOURS[e], e.replace("_", " ")) for e in EFFECTS]
                        + [("line:" + EDGE_COLOURS[k], w) for k, w in (
                            ("credential", "can use"), ("reads", "reads"), ("writes", "writes"),
                            ("deletes", "deletes"), ("sends_to", "sends to"))]
                        + [(EDGE_COLOURS["fetches_from"], "untrusted content in")], 0, 14, width,
                        dashed=[False] * 10 + [True])
    head = [_label(x, 40, t, anchor=anchor if anchor != "start" else "start", size=11.5, fill="#59636e")
            for x, t, anchor in heads if t != "credentials" or cred_y]
    return _svg(width, height, title, [_GRAPH_CSS, *legend, *head, *edges, *shapes])

