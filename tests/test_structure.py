"""The shape of the package, read from its source with ``ast``: small modules, no import cycle, and nothing
private reached into from another module or package."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path


PACKAGE = Path(__file__).resolve().parent.parent / "mcprisk"
MAX_LINES = 500

# Modules another change still owns, each to be removed from here when that change lands. The test prints them.
KNOWN_LONG: dict[str, str] = {}
KNOWN_PRIVATE_IMPORTS: dict[tuple[str, str], str] = {}


def _modules() -> dict[str, tuple[Path, bool]]:
    """Every module of the package: dotted name -> (path, is a package ``__init__``)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


MODULES = _modules()


def _target(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module an ``import from`` names, relative levels resolved."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(body: list[ast.stmt] | None, module: str, is_package: bool) -> Iterator[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every import among ``body`` (or anywhere, when None)."""
    path, _ = MODULES[module]
    nodes = ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if body is None else body
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            yield _target(node, module, is_package), [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def _runtime_edges(module: str) -> set[str]:
    """Modules of the package that ``module`` imports when it is itself imported: its top-level statements,
    ``from . import x`` naming the submodule x. Imports inside functions and ``if TYPE_CHECKING`` do not run
    at import time, so they cannot close a cycle."""
    path, is_package = MODULES[module]
    body = ast.parse(path.read_text(encoding="utf-8")).body
    edges = set()
    for target, names in _imports(body, module, is_package):
        if not target.startswith("mcprisk"):
            continue
        submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
        edges.update(submodules or [target])
        if len(submodules) < len(names) and submodules:
            edges.add(target)
    return {e for e in edges if e in MODULES and e != module}


def _cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    edges = {m: sorted(_runtime_edges(m)) for m in MODULES}

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in MODULES:
        if module not in index:
            visit(module)
    return groups


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_the_walk_sees_the_package():
    """The structural tests read the real package: its known modules and their imports are found."""
    assert {"mcprisk", "mcprisk.cli", "mcprisk.probes.exchange", "mcprisk.introspection"} <= set(MODULES)
    assert "mcprisk.probes.exchange" in _runtime_edges("mcprisk.probes.auth")
    assert "mcprisk.introspection" in _runtime_edges("mcprisk.probes.run")


def test_no_module_is_over_500_lines(capsys):
    """No module in mcprisk/ is over 500 lines, except the named ones another change still owns."""
    lines = {m: len(path.read_text(encoding="utf-8").splitlines()) for m, (path, _) in MODULES.items()}
    long = {m: n for m, n in lines.items() if n > MAX_LINES}
    with capsys.disabled():
        for module, why in sorted(KNOWN_LONG.items()):
            print(f"\nknown exception to the {MAX_LINES}-line rule: {module} ({lines.get(module)} lines): {why}")
    assert {m: n for m, n in long.items() if m not in KNOWN_LONG} == {}
    stale = [m for m in KNOWN_LONG if lines.get(m, 0) <= MAX_LINES]
    assert stale == [], f"no longer over {MAX_LINES} lines: remove from KNOWN_LONG"


def test_no_import_cycle():
    """No cycle among the modules of mcprisk through the imports that run when a module is imported."""
    assert _cycles() == []


def test_a_cycle_would_be_found(monkeypatch):
    """The cycle search is not blind: two modules importing each other are reported."""
    real = _runtime_edges

    def edges(module: str) -> set[str]:
        extra = {"mcprisk.probes.auth"} if module == "mcprisk.probes.exchange" else set()
        return real(module) | extra

    monkeypatch.setitem(globals(), "_runtime_edges", edges)
    assert ["mcprisk.probes.auth", "mcprisk.probes.exchange"] in _cycles()


def test_no_private_name_is_imported_from_another_module():
    """No module imports a name starting with ``_`` from another module (dunders such as __version__ aside)."""
    offenders = []
    for module, (_, is_package) in MODULES.items():
        for target, names in _imports(None, module, is_package):
            if target.startswith("mcprisk"):
                offenders += [f"{module}: from {target} import {n}" for n in names if _is_private(n)]
    assert offenders == []


def test_no_private_module_is_imported_from_outside_its_package():
    """A ``_private`` module is imported only from inside the package directory that holds it."""
    offenders = {}
    for module, (_, is_package) in MODULES.items():
        for target, names in _imports(None, module, is_package):
            if not target.startswith("mcprisk"):
                continue
            for imported in [target, *(f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES)]:
                parts = imported.split(".")
                first = next((i for i, part in enumerate(parts) if _is_private(part)), None)
                if first is None:
                    continue
                owner = ".".join(parts[:first])
                if module != owner and not module.startswith(owner + "."):
                    offenders[(module, ".".join(parts[:first + 1]))] = imported
    unexpected = sorted(k for k in offenders if k not in KNOWN_PRIVATE_IMPORTS)
    assert unexpected == []
    stale = sorted(k for k in KNOWN_PRIVATE_IMPORTS if k not in offenders)
    assert stale == [], "fixed: remove from KNOWN_PRIVATE_IMPORTS"


def test_public_entry_points_stay_where_the_api_has_them():
    """The package's probe and introspection names are the probes/ and introspection functions; the console
    script's entry point is the cli package's."""
    import tomllib

    import mcprisk
    import mcprisk.cli
    import mcprisk.introspection
    import mcprisk.probes

    assert mcprisk.probe is mcprisk.probes.probe and mcprisk.probe_async is mcprisk.probes.probe_async
    assert mcprisk.Posture is mcprisk.probes.Posture and mcprisk.Check is mcprisk.probes.Check
    assert mcprisk.introspect is mcprisk.introspection.introspect
    assert mcprisk.Limits is mcprisk.introspection.Limits
    scripts = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    module, _, name = scripts["mcprisk"].partition(":")
    assert (module, name) == ("mcprisk.cli", "entry") and callable(mcprisk.cli.entry)
