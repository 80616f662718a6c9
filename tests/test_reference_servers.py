"""The official reference servers, installed and introspected live: mcprisk accuses none of them.

A false accusation on an honest, official server is a defect as real as a miss: no annotation finding
(ANN001, ANN002, ANN004) and no content finding above info on filesystem, git, memory, everything, fetch,
time, sqlite and sequential-thinking, at pinned versions.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mcprisk import Limits, ServerSpec, introspect
from mcprisk.assessment import assess
from mcprisk.snapshot import Snapshot

pytestmark = pytest.mark.slow  # live npm and PyPI reference servers

NPM_VERSION = "2026.8.31"
NPM = {
    "everything": "@modelcontextprotocol/server-everything",
    "filesystem": "@modelcontextprotocol/server-filesystem",
    "memory": "@modelcontextprotocol/server-memory",
    "sequential-thinking": "@modelcontextprotocol/server-sequential-thinking",
}
PYPI = ("mcp-server-fetch", "mcp-server-git", "mcp-server-time")  # `test` extras, run from this environment
# mcp-server-sqlite (last release 2025.4.25) is written against the mcp 1.x server API, which mcprisk's own
# mcp 2.x does not offer: it runs from a virtual environment of its own, built once per session.
SQLITE = "mcp-server-sqlite==2025.4.25"
ACCUSATIONS = ("ANN001", "ANN002", "ANN004")
SLOW = Limits(connect_timeout=120, total_timeout=180)


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _assert_not_accused(snap: Snapshot) -> None:
    # A list the server advertises but does not implement (sqlite's resource templates) leaves it partial.
    assert snap.status != "failed" and snap.tools, snap.errors
    a = assess([snap])
    accused = [f"{f.code} {f.subject}: {f.message}" for f in a.findings if f.code in ACCUSATIONS]
    assert not accused
    content = [f"{f.code} {f.severity} {f.subject}" for f in a.findings if f.code.startswith("INJ")
               and f.severity != "info"]
    assert not content


def _tool(snap: Snapshot, name: str):
    return assess([snap]).tool(snap.name, name)


@pytest.mark.node
@pytest.mark.parametrize("name", sorted(NPM))
def test_npm_reference_server_is_not_accused(name, npx, tmp_path):
    """An npm reference server at its pinned version gets no annotation accusation and no content finding."""
    args = [str(tmp_path)] if name == "filesystem" else []
    snap = introspect(ServerSpec.stdio([npx, "-y", f"{NPM[name]}@{NPM_VERSION}", *args], name=name), limits=SLOW)
    _assert_not_accused(snap)
    if name == "memory":
        # "open" a node reads it: the name's verb takes the sense its object selects.
        assert _tool(snap, "open_nodes").primary == "read_only"


@pytest.mark.parametrize("package", PYPI)
def test_pypi_reference_server_is_not_accused(package):
    """A PyPI reference server (a test extra) gets no annotation accusation and no content finding."""
    snap = introspect(ServerSpec.stdio([_bin(package)], name=package), limits=SLOW)
    _assert_not_accused(snap)
    if package == "mcp-server-git":
        # "branch" is a noun in git_branch ("List Git branches"): the description settles it.
        assert _tool(snap, "git_branch").primary == "read_only"


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory) -> Path:
    """mcp-server-sqlite installed into a virtual environment of its own (skipped when PyPI is unreachable)."""
    venv = tmp_path_factory.mktemp("sqlite-venv")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", SQLITE, "mcp>=1.2,<2"], check=True,
                       capture_output=True, timeout=600)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"could not install {SQLITE} into its own environment: {type(exc).__name__}")
    return venv / "bin" / "mcp-server-sqlite"


def test_sqlite_reference_server_is_not_accused(sqlite_server, tmp_path):
    """mcp-server-sqlite gets no annotation accusation and no content finding; its SELECT-only query tool
    reads (with code execution) and its write tool destroys."""
    snap = introspect(ServerSpec.stdio([str(sqlite_server), "--db-path", str(tmp_path / "db.sqlite")],
                                       name="sqlite"), limits=SLOW)
    _assert_not_accused(snap)
    read, write = _tool(snap, "read_query"), _tool(snap, "write_query")
    assert read.primary == "read_only" and "code_execution" in read.flags
    assert write.primary == "destructive" and "code_execution" in write.flags
