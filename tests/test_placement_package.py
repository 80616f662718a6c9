"""The placement package's shape (no import cycle, no private name crossing modules, small modules), and codes
shown in words wherever a person reads them (CLI line, HTML card, Markdown, explorer)."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import networkx as nx
import pytest

import mcprisk
from mcprisk.assessment import assess
from mcprisk.catalog import catalog
from mcprisk.cli import main
from mcprisk.explore import Explorer
from mcprisk.placement import describe

from inprocess import demo_snapshots

PACKAGE = Path(mcprisk.__file__).parent / "placement"


def internal_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every ``from .module import name`` in a file, lazy imports inside functions included."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            out += [(node.module or "__init__", alias.name) for alias in node.names]
    return out


def test_placement_modules_form_no_cycle_and_share_no_private_names():
    """Within mcprisk/placement/ imports only go one way, never name a private (_x) symbol, and every module is
    under 400 lines."""
    graph = nx.DiGraph()
    for path in sorted(PACKAGE.glob("*.py")):
        graph.add_node(path.stem)
        for module, name in internal_imports(path):
            assert not name.startswith("_"), f"{path.name} imports private {module}.{name}"
            if path.stem != "__init__":
                graph.add_edge(path.stem, module)
        assert len(path.read_text(encoding="utf-8").splitlines()) < 400, path.name
    assert {"facts", "tree", "nogo", "controls", "decide", "split", "ceiling", "verdict", "place"} <= set(graph)
    assert nx.is_directed_acyclic_graph(graph), list(nx.simple_cycles(graph))
    assert not (Path(mcprisk.__file__).parent / "split.py").exists()


CODE = re.compile(r"\b(DT[1-5]|NOGO0[1-8]|CAP0[1-9]|" + "|".join(catalog().ids()["controls"]) + r")\b")


def bare_codes(text: str) -> list[str]:
    """Catalog ids that do not stand in parentheses right after their meaning."""
    out = []
    for m in CODE.finditer(text):
        words = describe(m.group(1))
        before = text[max(0, m.start() - len(words) - 2):m.start()]
        if not (before.endswith("(") and before[:-2].lower().endswith(words.split(" (")[0].lower()[-20:])):
            out.append(m.group(1))
    return out


@pytest.fixture(scope="module")
def planted():
    snaps = demo_snapshots(("support-desk", {"insecure": "lying-annotations,poisoned"}))
    return assess(snaps)


def test_cli_lines_show_every_code_with_its_meaning(planted, tmp_path):
    """In the scan summary every DT / NOGO / CAP / control id follows its meaning, in parentheses."""
    path = tmp_path / "snap.json"
    path.write_text(planted.snapshots[0].to_json(), encoding="utf-8")
    out = io.StringIO()
    assert main(["scan", str(path)], out=out, err=io.StringIO()) == 0
    summary = out.getvalue().split("\n\n")[0]
    assert CODE.search(summary) and bare_codes(summary) == []


def test_explorer_shows_codes_with_their_meaning(planted):
    """The explorer's verdict banner leads, and its placement, ceiling, held-back text and control checkboxes
    show codes with their meaning."""
    ex = Explorer(planted)
    assert ex.right.children[0] is ex.verdict_html and "DO NOT USE" in ex.verdict_html.value
    assert ex.verdict_html.value.index("DO NOT USE") < ex.verdict_html.value.index("recommended")
    for text in (ex.placement_text(), ex.ceiling_text(), ex.split_html.value):
        assert bare_codes(text) == [], text
    assert ex.controls["consent_approvals"].description == "Human approval gates (consent_approvals)"


def test_html_card_shows_codes_with_their_meaning(planted):
    """Inside the HTML verdict card every catalog id stands beside its meaning (or as a hover title)."""
    page = mcprisk.render_html(planted, charts=False)
    card = page[page.index('<article class="verdict'):page.index("</article>")]
    plain = re.sub(r"<[^>]+>", "", card).replace("&#x27;", "'")
    assert CODE.search(plain) and bare_codes(plain) == []
