"""Matplotlib figures of an Assessment: the capability graph, effects, controls coverage and findings.

Every function returns a ``matplotlib.figure.Figure`` built without pyplot (no global figure manager, so
nothing leaks between notebook cells and any backend works) under a fixed style, with a layout that has no
randomness. ``figure_png`` / ``figure_svg`` save byte-identical files for identical figures: no dates or
software versions in the metadata, and SVG ids from a fixed salt. Server-supplied names are drawn as plain
text (math parsing off, control characters stripped).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import matplotlib.style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ._text import terminal_safe
from .model import CONTROL_STATUSES, CONTROLS, EFFECTS, RESOLVED, SEVERITIES, effect_rank

__all__ = [
    "EFFECT_COLOURS",
    "SEVERITY_COLOURS",
    "STATUS_COLOURS",
    "controls_figure",
    "effects_figure",
    "figure_png",
    "figure_svg",
    "findings_figure",
    "graph_figure",
]

if TYPE_CHECKING:
    from .assessment import Assessment

# Okabe-Ito based: distinguishable with the common colour-vision deficiencies.
EFFECT_COLOURS: dict[str, str] = {
    "read_only": "#009E73",
    "reversible": "#56B4E9",
    "high_cost": "#E69F00",
    "customer_visible": "#CC79A7",
    "destructive": "#D55E00",
}
SEVERITY_COLOURS: dict[str, str] = {
    "critical": "#8B1A1A",
    "high": "#D55E00",
    "medium": "#E69F00",
    "low": "#56B4E9",
    "info": "#9E9E9E",
}
STATUS_COLOURS: dict[str, str] = {
    "verified": "#009E73",
    "declared": "#56B4E9",
    "missing": "#D55E00",
    "not_applicable": "#E6E6E6",
}
_STATUS_MARK = {"verified": "verified", "declared": "declared", "missing": "MISSING", "not_applicable": "n/a"}
_EDGE_COLOURS = {
    "held_by": "#B8860B",
    "uses_credential": "#B8860B",
    "exposes": "#9E9E9E",
    "reads": "#7F7F7F",
    "writes": "#0072B2",
    "deletes": "#D55E00",
    "sends_to": "#CC79A7",
    "fetches_from": "#E69F00",
}
_STORE_EDGES = ("deletes", "writes", "reads")  # most severe first: one arrow per tool and store

# A fixed style, on top of matplotlib's defaults (not the caller's rcParams): same figure everywhere.
_RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 11.0,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "text.parse_math": False,
    "text.usetex": False,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "svg.hashsalt": "mcprisk",
    "svg.fonttype": "none",
    "path.simplify": True,
}


@contextlib.contextmanager
def _style() -> Iterator[None]:
    with mpl.style.context("default"), mpl.rc_context(_RC):
        yield


def _new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _frozen(fig: Figure) -> Figure:
    """Lay the figure out once and keep that layout: constrained layout run again on a figure already
    drawn lands a hair elsewhere, and saving twice must give the same bytes."""
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    return fig


def _label(text: Any, limit: int = 40) -> str:
    s = " ".join(terminal_safe(str(text)).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _empty(fig: Figure, message: str) -> Figure:
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=11, color="#555555", transform=ax.transAxes)
    return fig


# --------------------------------------------------------------------------------------------
# Saving


def figure_png(fig: Figure, *, dpi: int = 100) -> bytes:
    """PNG bytes of ``fig``; identical figures give identical bytes (no Software/date metadata)."""
    buf = io.BytesIO()
    with _style():
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None}, facecolor="white")
    return buf.getvalue()


def figure_svg(fig: Figure) -> str:
    """SVG text of ``fig``: fixed id salt, text kept as text, no date or creator in the metadata."""
    buf = io.StringIO()
    with _style():
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, facecolor="white")
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# Effects and findings


def effects_figure(a: Assessment) -> Figure:
    """Tools per server by primary effect, as stacked horizontal bars (most severe to the right)."""
    servers = list(a.servers)
    with _style():
        fig = _new_figure(6.5, 1.6 + 0.45 * max(1, len(servers)))
        if not a.tools:
            return _frozen(_empty(fig, "no tools were listed"))
        ax = fig.add_subplot()
        ys = list(range(len(servers)))[::-1]
        left = [0] * len(servers)
        for effect in EFFECTS:
            n = [sum(1 for t in a.tools_of(s) if t.primary == effect) for s in servers]
            bars = ax.barh(ys, n, left=left, color=EFFECT_COLOURS[effect], label=effect.replace("_", " "),
                           edgecolor="white", height=0.6)
            for bar, k in zip(bars, n):
                if k:
                    ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2, str(k),
                            ha="center", va="center", color="white", fontweight="bold", fontsize=8)
            left = [x + k for x, k in zip(left, n)]
        ax.set_yticks(ys, [_label(s) for s in servers])
        ax.set_xlabel("tools, by their most severe effect")
        ax.set_title("What a call can do")
        ax.xaxis.get_major_locator().set_params(integer=True)
        handles, labels = ax.get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8)
        return _frozen(fig)


def findings_figure(a: Assessment) -> Figure:
    """Findings by severity: open ones solid, accepted / mitigated / false positives hatched."""
    with _style():
        fig = _new_figure(6.5, 2.6)
        if not a.findings:
            return _frozen(_empty(fig, "no findings"))
        ax = fig.add_subplot()
        severities = list(SEVERITIES)  # info at the bottom, critical on top
        ys = list(range(len(severities)))
        open_n = [sum(1 for f in a.findings if f.severity == s and f.status not in RESOLVED) for s in severities]
        done_n = [sum(1 for f in a.findings if f.severity == s and f.status in RESOLVED) for s in severities]
        colours = [SEVERITY_COLOURS[s] for s in severities]
        ax.barh(ys, open_n, color=colours, height=0.6, label="open")
        ax.barh(ys, done_n, left=open_n, color="white", edgecolor=colours, hatch="///", height=0.6,
                label="accepted / mitigated / false positive")
        for y, o, d in zip(ys, open_n, done_n):
            if o + d:
                ax.text(o + d + 0.1, y, f"{o}" + (f" (+{d})" if d else ""), va="center", fontsize=8)
        ax.set_yticks(ys, severities)
        ax.set_xlim(0, max(o + d for o, d in zip(open_n, done_n)) * 1.2 + 0.5)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("findings")
        ax.set_title("Findings by severity")
        if any(done_n):
            ax.legend(loc="lower right", fontsize=8)
        return _frozen(fig)


# --------------------------------------------------------------------------------------------
# Controls


def controls_figure(a: Assessment, controls: Sequence[str] = CONTROLS) -> Figure:
    """Controls coverage: servers x controls, each cell the control's status for the recommended placement."""
    servers = list(a.servers)
    with _style():
        fig = _new_figure(10.0, 1.9 + 0.42 * max(1, len(servers)))
        if not a.placements:
            return _frozen(_empty(fig, "placement not computed: no control statuses to show"))
        ax = fig.add_subplot()
        by_server = {p.server: {c.control: c.status for c in p.required_controls} for p in a.placements}
        rows = len(servers)
        for i, server in enumerate(servers):
            y = rows - 1 - i
            statuses = by_server.get(server)
            for j, control in enumerate(controls):
                status = statuses.get(control) if statuses is not None else None
                colour = STATUS_COLOURS.get(status or "", "#FFFFFF")
                ax.add_patch(Rectangle((j, y), 1, 1, facecolor=colour, edgecolor="white", linewidth=2))
                mark = _STATUS_MARK.get(status or "", "not computed" if statuses is None else "?")
                dark = status in ("verified", "missing")
                ax.text(j + 0.5, y + 0.5, mark, ha="center", va="center", fontsize=7,
                        color="white" if dark else "#333333", fontweight="bold" if status == "missing" else None)
        ax.set_xlim(0, len(controls))
        ax.set_ylim(0, rows)
        ax.set_xticks([j + 0.5 for j in range(len(controls))], list(controls), rotation=35, ha="right",
                      fontsize=8)
        ax.set_yticks([rows - 1 - i + 0.5 for i in range(rows)], [_label(s) for s in servers])
        ax.tick_params(length=0)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_title("Controls for the recommended placement")
        handles = [Patch(facecolor=STATUS_COLOURS[s], label=s.replace("_", " ")) for s in CONTROL_STATUSES]
        fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=8)
        return _frozen(fig)


# --------------------------------------------------------------------------------------------
# The graph


def _spread(wanted: list[tuple[float, str]], top: float, bottom: float) -> dict[str, float]:
    """Place nodes in a column near the heights they want, in that order, evenly spaced and never stacked."""
    wanted = sorted(wanted, key=lambda w: (-w[0], w[1]))
    n = len(wanted)
    if n == 0:
        return {}
    if n == 1:
        return {wanted[0][1]: wanted[0][0]}
    step = (top - bottom) / (n - 1)
    return {name: top - i * step for i, (_, name) in enumerate(wanted)}


MAX_TOOL_NODES = 60  # above this many tools the graph shows one node per server and effect
MAX_ARROWS = 100  # above this many edges they are drawn as plain lines (an arrow patch each is slow)


def graph_figure(a: Assessment, server: str | None = None) -> Figure:
    """The capability / credential / data-store graph in layers: credentials -> servers -> tools -> data
    stores and outside parties. Tools are coloured by their most severe effect; edges by what they mean.

    A credential every tool of a server can use (it sits in the server's process) is drawn once, to the
    server; one narrowed to some tools is drawn to those tools. ``server`` limits the figure to one server.
    """
    g = a.graph
    servers = [s for s in a.servers if server is None or s == server]
    if server is not None and server not in a.servers:
        raise KeyError(f"no server {server!r} in the assessment")
    tools_by_server = {s: sorted(a.tools_of(s), key=lambda t: (-effect_rank(t.primary), t.tool)) for s in servers}
    # Past MAX_TOOL_NODES tools a node per tool is unreadable (and slow to draw): group each server's
    # tools by their most severe effect, one node per group, its edges the union of its members'.
    grouped = sum(len(v) for v in tools_by_server.values()) > MAX_TOOL_NODES
    nodes: dict[str, list[Any]] = {}  # displayed tool node -> the ToolAssessments it stands for
    for s in servers:
        for t in tools_by_server[s]:
            key = f"tool:{s}/[{t.primary}]" if grouped else f"tool:{s}/{t.tool}"
            nodes.setdefault(key, []).append(t)
    n_rows = len(nodes)
    with _style():
        fig = _new_figure(11.0, max(3.5, 0.3 * n_rows + 1.6))
        if not servers:
            return _frozen(_empty(fig, "no servers"))
        ax = fig.add_subplot()
        ax.set_axis_off()

        # Column 2: tools (or tool groups), by server, most severe first; a gap between servers.
        pos: dict[str, tuple[float, float]] = {}
        y = 0.0
        for s in servers:
            for key in (k for k in nodes if k.startswith(f"tool:{s}/")):
                pos[key] = (2.0, -y)
                y += 1.0
            y += 0.8
        top, bottom = 0.0, -(max(y - 1.8, 0.0))
        # Column 1: servers, at the middle of their tools.
        for s in servers:
            ys = [pos[k][1] for k in nodes if k.startswith(f"tool:{s}/")]
            pos[f"server:{s}"] = (1.0, sum(ys) / len(ys) if ys else -len(pos))
        tool_ids = [n for n in pos if n.startswith("tool:")]
        server_ids = [f"server:{s}" for s in servers]

        def members(node: str) -> list[str]:
            return [f"tool:{t.server}/{t.tool}" for t in nodes[node]]

        # Credentials: to the server when every tool of it can use one, else to the tools it is narrowed to.
        cred_edges: list[tuple[str, str]] = []
        cred_want: dict[str, list[float]] = {}
        for s in servers:
            shown = [k for k in nodes if k.startswith(f"tool:{s}/")]
            users: dict[str, set[str]] = {}
            all_users: dict[str, int] = {}
            for node in shown:
                for tid in members(node):
                    for _, c, k in g.out_edges(tid, keys=True):
                        if k == "uses_credential":
                            users.setdefault(c, set()).add(node)
                            all_users[c] = all_users.get(c, 0) + 1
            for c, us in sorted(users.items()):
                if all_users[c] == len(tools_by_server[s]):
                    cred_edges.append((c, f"server:{s}"))
                    cred_want.setdefault(c, []).append(pos[f"server:{s}"][1])
                else:
                    for node in sorted(us):
                        cred_edges.append((c, node))
                        cred_want.setdefault(c, []).append(pos[node][1])
        cred_pos = _spread([(sum(v) / len(v), c) for c, v in cred_want.items()], top, bottom)
        for c, yy in cred_pos.items():
            pos[c] = (0.0, yy)

        # Column 3: data stores and outside parties, near the tools that reach them.
        right_edges: list[tuple[str, str, str]] = []  # (tool, target, kind), kind drawn from the tool's side
        right_want: dict[str, list[float]] = {}
        for node in tool_ids:
            kinds: dict[str, set[str]] = {}
            for tid in members(node):
                for _, v, k in g.out_edges(tid, keys=True):
                    if k in (*_STORE_EDGES, "sends_to"):
                        kinds.setdefault(v, set()).add(k)
                for u, _, k in g.in_edges(tid, keys=True):
                    if k == "fetches_from":
                        kinds.setdefault(u, set()).add(k)
            for target, ks in sorted(kinds.items()):
                for kind in ("fetches_from", "sends_to") + _STORE_EDGES:
                    if kind in ks:
                        right_edges.append((node, target, kind))
                        if kind in _STORE_EDGES:
                            break  # the most severe store edge stands for the others
                right_want.setdefault(target, []).append(pos[node][1])
        right_pos = _spread([(sum(v) / len(v), n) for n, v in right_want.items()], top, bottom)
        for n, yy in right_pos.items():
            pos[n] = (3.0, yy)

        # Edges first, nodes on top. Collected, then drawn as arrows, or as plain line collections when
        # there are too many for one arrow patch each to be worth its drawing time.
        edges: list[tuple[str, str, str, bool, float, float, float]] = []

        def arrow(u: str, v: str, colour: str, *, dashed: bool = False, lw: float = 1.0, alpha: float = 0.75,
                  rad: float = 0.0) -> None:
            edges.append((u, v, colour, dashed, lw, alpha, rad))

        for sid in server_ids:
            for tid in tool_ids:
                if tid.startswith("tool:" + sid[len("server:"):] + "/"):
                    arrow(sid, tid, _EDGE_COLOURS["exposes"], lw=0.7, alpha=0.5)
        for c, target in cred_edges:
            arrow(c, target, _EDGE_COLOURS["held_by"], lw=1.1, alpha=0.7)
        for tid, target, kind in right_edges:
            if kind == "fetches_from":
                arrow(target, tid, _EDGE_COLOURS[kind], dashed=True, lw=1.0, rad=0.08)
            else:
                arrow(tid, target, _EDGE_COLOURS[kind], lw=1.2 if kind == "deletes" else 1.0)

        if len(edges) <= MAX_ARROWS:
            for u, v, colour, dashed, lw, alpha, rad in edges:
                ax.annotate("", xy=pos[v], xytext=pos[u], zorder=1,
                            arrowprops=dict(arrowstyle="-|>", color=colour, lw=lw, alpha=alpha, shrinkA=7, shrinkB=7,
                                            linestyle="--" if dashed else "-", mutation_scale=9,
                                            connectionstyle=f"arc3,rad={rad}"))
        else:
            styles: dict[tuple[str, bool, float, float], list[tuple[tuple[float, float], tuple[float, float]]]] = {}
            for u, v, colour, dashed, lw, alpha, _rad in edges:
                styles.setdefault((colour, dashed, lw, alpha), []).append((pos[u], pos[v]))
            for (colour, dashed, lw, alpha), segments in sorted(styles.items()):
                ax.add_collection(LineCollection(segments, colors=colour, linewidths=lw, alpha=alpha, zorder=1,
                                                 linestyles="--" if dashed else "-"))

        for node in tool_ids:
            group = nodes[node]
            t = group[0]
            off = all(m.disabled for m in group)
            x, yy = pos[node]
            ax.scatter([x], [yy], s=90 if not grouped else 150, marker="o", zorder=3, linewidths=1.2,
                       facecolors="white" if off else EFFECT_COLOURS[t.primary],
                       edgecolors=EFFECT_COLOURS[t.primary] if off else "#333333")
            if grouped:
                text = f"{len(group)} {t.primary.replace('_', ' ')} tool{'s' if len(group) > 1 else ''}"
            else:
                text = _label(t.tool, 34) + (" [off]" if t.disabled else "")
            ax.text(x + 0.06, yy, text, va="center", ha="left", fontsize=8, zorder=4,
                    bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85))
        for sid in server_ids:
            x, yy = pos[sid]
            ax.scatter([x], [yy], s=260, marker="s", color="#4D4D4D", zorder=3)
            ax.text(x, yy + 0.55, _label(g.nodes[sid].get("label", sid), 28), ha="center", va="bottom",
                    fontsize=9, fontweight="bold", zorder=4,
                    bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none", alpha=0.9))
        for c in cred_pos:
            x, yy = pos[c]
            ax.scatter([x], [yy], s=110, marker="D", color="#F0E442", edgecolors="#8C7A00", zorder=3)
            ax.text(x - 0.06, yy, _label(g.nodes[c].get("label", c), 30), va="center", ha="right", fontsize=8,
                    zorder=4)
        for n in right_pos:
            x, yy = pos[n]
            kind = g.nodes[n].get("kind")
            ax.scatter([x], [yy], s=160, marker="h" if kind == "datastore" else "^", zorder=3,
                       color="#6B4226" if kind == "datastore" else "#7F7F7F")
            ax.text(x + 0.07, yy, _label(g.nodes[n].get("label", n), 42), va="center", ha="left", fontsize=8,
                    zorder=4)

        ax.set_xlim(-0.75, 4.05)
        ax.set_ylim(bottom - 0.6, top + 1.3)
        for x, head in ((0.0, "credentials"), (1.0, "servers"), (2.0, "tools"), (3.0, "data stores / outside")):
            ax.text(x, top + 1.25, head, ha="center", va="top", fontsize=9, color="#555555", style="italic")
        title = "Capability graph" + (f": {_label(server)}" if server else "")
        ax.set_title(title, loc="left")
        effect_handles = [Line2D([], [], marker="o", linestyle="", markersize=7, markerfacecolor=EFFECT_COLOURS[e],
                                 markeredgecolor="#333333", label=e.replace("_", " ")) for e in EFFECTS]
        edge_handles = [
            Line2D([], [], color=_EDGE_COLOURS["held_by"], label="credential it can use"),
            Line2D([], [], color=_EDGE_COLOURS["reads"], label="reads"),
            Line2D([], [], color=_EDGE_COLOURS["writes"], label="writes"),
            Line2D([], [], color=_EDGE_COLOURS["deletes"], label="deletes"),
            Line2D([], [], color=_EDGE_COLOURS["sends_to"], label="sends to"),
            Line2D([], [], color=_EDGE_COLOURS["fetches_from"], linestyle="--", label="untrusted content in"),
        ]
        fig.legend(handles=effect_handles + edge_handles, loc="outside lower center", ncols=6, fontsize=7.5)
        return _frozen(fig)
