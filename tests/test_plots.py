"""Figures of an assessment: real figures, byte-identical saves, no pyplot state, graceful when empty."""

from __future__ import annotations

import html
import re
import sys
from dataclasses import replace

import matplotlib
import pytest
from matplotlib.figure import Figure

from mcprisk import plots
from mcprisk.assessment import assess

from inprocess import demo_snapshots
from report_support import hostile_snapshot

FIGURES = ("graph_figure", "effects_figure", "controls_figure", "findings_figure")


def drawn_text(svg: str) -> set[str]:
    """The strings an SVG figure draws (text is kept as text: svg.fonttype is 'none')."""
    return {html.unescape(t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)}


@pytest.fixture(scope="module")
def pair():
    return assess(demo_snapshots(("support-desk", {"profile": "internal"}), "web-research"))


@pytest.mark.parametrize("name", FIGURES)
def test_figures_save_identically(pair, name):
    """Each figure is a Figure whose PNG and SVG bytes are the same when saved twice or rebuilt."""
    fig = getattr(plots, name)(pair)
    assert isinstance(fig, Figure)
    png = plots.figure_png(fig)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png == plots.figure_png(fig) == plots.figure_png(getattr(plots, name)(pair))
    svg = plots.figure_svg(fig)
    assert svg == plots.figure_svg(getattr(plots, name)(pair))
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg and b"Software" not in png


def test_no_pyplot_state_is_left_behind(pair):
    """Building figures never imports pyplot, so notebooks and servers keep their own figure managers."""
    for name in FIGURES:
        getattr(plots, name)(pair)
    assert "matplotlib.pyplot" not in sys.modules or not __import__("matplotlib.pyplot").pyplot.get_fignums()


def test_figures_ignore_the_callers_style(pair):
    """A caller's rcParams (another style) do not change the bytes of a figure."""
    before = plots.figure_png(plots.effects_figure(pair))
    with matplotlib.rc_context({"font.size": 20, "axes.facecolor": "black"}):
        assert plots.figure_png(plots.effects_figure(pair)) == before


def test_graph_of_one_server(pair):
    """graph_figure(server=...) draws one server; an unknown server is a KeyError."""
    one = plots.figure_png(plots.graph_figure(pair, server="web-research"))
    assert one != plots.figure_png(plots.graph_figure(pair))
    with pytest.raises(KeyError):
        plots.graph_figure(pair, server="nope")


def test_empty_and_unplaced_assessments_still_draw(pair):
    """No servers, no findings, or no placements give a figure that says so instead of failing."""
    empty = assess([])
    said = {name: drawn_text(plots.figure_svg(getattr(plots, name)(empty))) for name in FIGURES}
    assert said == {"graph_figure": {"no servers"}, "effects_figure": {"no tools were listed"},
                    "controls_figure": {"placement not computed: no control statuses to show"},
                    "findings_figure": {"no findings"}}
    unplaced = drawn_text(plots.figure_svg(plots.controls_figure(replace(pair, placements=()))))
    assert unplaced == {"placement not computed: no control statuses to show"}


def test_server_names_are_drawn_as_plain_text():
    """Dollar signs and markup in server and tool names are drawn literally, as the names themselves."""
    snap = hostile_snapshot()
    a = assess([snap])
    drawn = {name: drawn_text(plots.figure_svg(getattr(plots, name)(a))) for name in FIGURES}
    for name in ("graph_figure", "effects_figure", "controls_figure"):
        assert snap.name in drawn[name], name  # evil<b>server</b>, not markup
    assert {t.name for t in snap.tools} <= drawn["graph_figure"]  # price_$x^2$_{calc} is not mathtext
