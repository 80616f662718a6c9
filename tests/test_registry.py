"""One registry of every code: unique, complete (nothing emitted that is not registered), documented, explained by
``mcprisk rules``, and the generated reference docs/RULES.md kept current."""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

from mcprisk import assess
from mcprisk.cli import main
from mcprisk.registry import DuplicateCode, codes, explain, gather, rules_markdown
from mcprisk.rules import FINDING_RULES

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mcprisk"
CODE = re.compile(r"^(?:EFF|FLG|ANN|INJ|HYG|CRED|CLS|SNAP|FLOW|RES|PRM|LCH|PLC|NOGO|DRIFT|DT|CAP)\d{1,3}$")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from content_eval import real_servers  # noqa: E402


def run(*argv: str) -> tuple[int, str, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


def test_a_code_registered_twice_is_refused():
    """Two registrations of one code raise DuplicateCode naming both; the real table has every code once."""
    info = FINDING_RULES[0].info  # type: ignore[attr-defined]
    with pytest.raises(DuplicateCode, match=info.code):
        gather([info, info])
    table = codes()
    assert len(table) == len(set(table)) and len(table) >= 100


def test_every_code_has_title_kind_and_description():
    """Each registered code has a title, a known kind, a family and a description of at least a sentence."""
    for code, info in codes().items():
        assert info.code == code
        assert info.title and info.family, code
        assert len(info.description.split()) >= 8, (code, info.description)
        if info.kind in ("sign", "check"):
            assert info.severity in ("low", "medium", "high", "critical"), code


def _literal_codes() -> dict[str, str]:
    """Every string literal in mcprisk/ (docstrings aside) and every catalog id that has the shape of a code."""
    found: dict[str, str] = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs \
                    and CODE.match(node.value):
                found.setdefault(node.value, str(path.relative_to(ROOT)))
    for path in (PACKAGE / "catalog").glob("*.yaml"):
        def walk(doc):
            if isinstance(doc, dict):
                if isinstance(doc.get("id"), str) and CODE.match(doc["id"]):
                    found.setdefault(doc["id"], str(path.relative_to(ROOT)))
                for v in doc.values():
                    walk(v)
            elif isinstance(doc, list):
                for v in doc:
                    walk(v)
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def test_every_code_written_in_the_source_is_registered():
    """A code spelled anywhere in mcprisk's code or catalog (an Evidence, a Finding, a catalog id) is registered:
    a new rule that forgets to register fails here, naming the file."""
    missing = {code: where for code, where in _literal_codes().items() if code not in codes()}
    assert not missing, missing


def test_every_code_an_assessment_emits_is_registered(demo_assessment):
    """Assessing 150 real servers together, and the demo servers with an inventory: every finding code, evidence
    rule, decision step, no-go sign and cap that comes out is registered."""
    emitted: set[str] = set()
    for a in (assess(real_servers()), demo_assessment):
        emitted |= {f.code for f in a.findings} | {e.rule for f in a.findings for e in f.evidence}
        for item in (*a.tools, *a.resources, *a.prompts):
            emitted |= {e.rule for e in item.evidence}
        for p in a.placements:
            emitted |= {s.id for s in p.rationale} | {n.id for n in p.no_go}
            if p.ceiling is not None:
                emitted |= {h.cap for h in p.ceiling.held_by}
    assert len(emitted) >= 40
    assert not emitted - set(codes()), sorted(emitted - set(codes()))


@pytest.fixture(scope="module")
def demo_assessment():
    """The poisoned, lying support-desk and web-research introspected live, with the example inventory (which
    says where they run, so placement findings and no-go signs come out)."""
    from mcprisk import introspect_many
    from mcprisk.demo import demo_spec
    from mcprisk.inventory import parse_inventory

    current, research = introspect_many([demo_spec("support-desk", insecure="lying-annotations,poisoned"),
                                         demo_spec("web-research")])
    inventory = parse_inventory((ROOT / "data" / "inventory.example.yaml").read_text(encoding="utf-8"),
                                path="data/inventory.example.yaml")
    return assess([current, research], inventory=inventory)


def test_rules_cli_lists_explains_and_refuses():
    """`mcprisk rules` lists every code, `rules INJ004` explains one, --json gives them all, an unknown code exits 2
    naming near ones."""
    rc, out, _ = run("rules")
    assert rc == 0 and f"{len(codes())} codes" in out and "NOGO01" in out
    rc, out, _ = run("rules", "inj004")
    info = explain("INJ004")
    assert rc == 0 and out.startswith(f"INJ004 — {info.title}") and "severity" in out
    rc, out, _ = run("rules", "--json")
    listed = json.loads(out)
    assert rc == 0 and [r["code"] for r in listed] == list(codes()) and all(r["description"] for r in listed)
    rc, out, err = run("rules", "INJ999")
    assert rc == 2 and "no code 'INJ999'" in err and "INJ001" in err and not out


def test_rules_reference_is_current():
    """docs/RULES.md is what `mcprisk rules --markdown` prints today (regenerate it when a rule changes)."""
    path = ROOT / "docs" / "RULES.md"
    assert path.read_text(encoding="utf-8") == rules_markdown(), \
        "docs/RULES.md is stale: run `mcprisk rules --markdown > docs/RULES.md`"
    assert "docs/RULES.md" in (ROOT / "README.md").read_text(encoding="utf-8")
