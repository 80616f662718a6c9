"""Launch hygiene (LCH0xx): what a launch line fetches and reaches, the findings it raises, where they point
(SARIF on the config line), and no finding on honest, pinned entries."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from mcprisk import ServerSpec
from mcprisk.assessment import assess
from mcprisk.cli import main
from mcprisk.configs import load_config, parse_config
from mcprisk.introspection import introspect
from mcprisk.launch import broad_roots, packages, plain_http
from mcprisk.rules import rule_info
from mcprisk.rules.launch import lookalike, spec_findings

DATA = Path(__file__).resolve().parent.parent / "data" / "configs"


def stdio(*argv: str) -> ServerSpec:
    return ServerSpec.stdio(list(argv), name="s")


@pytest.mark.parametrize(("argv", "name", "version", "pinned"), [
    (("npx", "-y", "@modelcontextprotocol/server-filesystem", "/srv"), "@modelcontextprotocol/server-filesystem", None, False),
    (("npx", "-y", "@modelcontextprotocol/server-filesystem@2026.8.31", "/srv"), "@modelcontextprotocol/server-filesystem",
     "2026.8.31", True),
    (("npx", "@playwright/mcp@latest"), "@playwright/mcp", "latest", False),
    (("npx", "-y", "tavily-mcp@^0.2"), "tavily-mcp", "^0.2", False),
    (("npx", "--yes", "-p", "mcp-remote@0.15.1", "mcp-remote", "https://h/mcp"), "mcp-remote", "0.15.1", True),
    (("/usr/local/bin/npx.cmd", "-y", "firecrawl-mcp"), "firecrawl-mcp", None, False),
    (("cmd", "/c", "npx", "-y", "exa-mcp-server@1.0.0"), "exa-mcp-server", "1.0.0", True),
    (("pnpm", "dlx", "chrome-devtools-mcp"), "chrome-devtools-mcp", None, False),
    (("bunx", "chrome-devtools-mcp@1.11.0"), "chrome-devtools-mcp", "1.11.0", True),
    (("npx", "-y", "github:someone/mcp-thing"), "github:someone/mcp-thing", None, False),
    (("uvx", "mcp-server-fetch"), "mcp-server-fetch", None, False),
    (("uvx", "mcp-server-fetch==2026.10.24"), "mcp-server-fetch", "2026.10.24", True),
    (("uvx", "mcp-server-time@2026.10.19", "--local-timezone=UTC"), "mcp-server-time", "2026.10.19", True),
    (("uvx", "--from", "mcp-server-git==2026.10.19", "mcp-server-git"), "mcp-server-git", "2026.10.19", True),
    (("uvx", "mcp-server-git@latest"), "mcp-server-git", "latest", False),
    (("uv", "tool", "run", "mcp-server-sqlite>=0.6"), "mcp-server-sqlite", ">=0.6", False),
    (("pipx", "run", "--spec", "mcp-atlassian==0.11.9", "mcp-atlassian"), "mcp-atlassian", "0.11.9", True),
    (("docker", "run", "-i", "--rm", "-e", "TOKEN", "ghcr.io/github/github-mcp-server"),
     "ghcr.io/github/github-mcp-server", None, False),
    (("podman", "run", "-i", "--rm", "mcp/fetch:1.2"), "mcp/fetch", "1.2", False),
    (("docker", "run", "-i", "mcp/fetch@sha256:" + "a" * 64), "mcp/fetch", None, True),
])
def test_runner_packages_and_whether_they_are_pinned(argv, name, version, pinned):
    """npx/pnpm/bunx/uvx/uv/pipx/docker/podman launches yield the package, its version and whether it is pinned."""
    [p] = packages(stdio(*argv))
    assert (p.name, p.version, p.pinned) == (name, version, pinned)


@pytest.mark.parametrize("argv", [
    ("npx", "-y", "./server.js"), ("node", "build/index.js"), ("python", "-m", "mcprisk.demo", "support-desk"),
    ("uvx", "--from", "/home/dev/src/tool", "tool"), ("docker", "ps"), ("uv", "run", "server.py"),
])
def test_local_code_and_other_commands_fetch_no_package(argv):
    """Local paths, plain interpreters and other sub-commands are not registry packages."""
    assert packages(stdio(*argv)) == []


def test_plain_http_to_remote_hosts_but_not_loopback():
    """http:// to another host is reported (private ranges marked), loopback and https are not; args too."""
    assert plain_http(ServerSpec.http("http://mcp.example.com/mcp"))[0].private is False
    assert plain_http(ServerSpec.http("http://10.0.0.5:8080/mcp"))[0].private is True
    assert plain_http(ServerSpec.http("http://db.internal/mcp"))[0].private is True
    for url in ("http://127.0.0.1:3001/mcp", "http://localhost:8080/sse", "http://[::1]:9/mcp", "https://h.example/mcp"):
        assert plain_http(ServerSpec.http(url)) == []
    [reach] = plain_http(stdio("npx", "-y", "mcp-remote@0.15.1", "http://tools.example.org/sse"))
    assert (reach.host, reach.field) == ("tools.example.org", "args/2")


@pytest.mark.parametrize(("arg", "what"), [
    ("/", "the whole file system"), ("C:\\", "a whole drive"), ("D:/", "a whole drive"), ("~", "the home folder"),
    ("${userHome}", "the home folder"), ("/Users/sam", "the home folder"), ("/home/dev/", "the home folder"),
    ("/root", "the home folder"), ("--root=/", "the whole file system"),
])
def test_broad_roots(arg, what):
    """The whole disk, a drive or the home folder handed to a server is found, with what it is."""
    [root] = broad_roots(stdio("npx", "-y", "@modelcontextprotocol/server-filesystem@2026.8.31", arg))
    assert root.what == what and root.field == "args/2"


def test_narrow_roots_and_container_mounts():
    """A project folder is fine; a container bind-mount of / is not."""
    assert broad_roots(stdio("npx", "-y", "x@1.0.0", "/home/dev/projects/shop", "/Users/sam/code")) == []
    [root] = broad_roots(stdio("docker", "run", "-i", "-v", "/:/host:ro", "mcp/filesystem@sha256:" + "b" * 64))
    assert root.value == "/" and root.field == "args/3"


@pytest.mark.parametrize(("name", "ecosystem", "original"), [
    ("@modelcontextprotocol/server-filesytem", "npm", "@modelcontextprotocol/server-filesystem"),
    ("@modelcontextprotoco1/server-filesystem", "npm", "@modelcontextprotocol/server-filesystem"),
    ("@mcp-tools/server-filesystem", "npm", "@modelcontextprotocol/server-filesystem"),
    ("mcp-server-fecth", "pypi", "mcp-server-fetch"),
    ("mcp_server_gti", "pypi", "mcp-server-git"),
    ("ghcr.io/githib/github-mcp-server", "container", "ghcr.io/github/github-mcp-server"),
])
def test_lookalike_names_are_caught(name, ecosystem, original):
    """One or two edits away, a folded look-alike, or the same name under another scope: the original is named."""
    runner = {"npm": ("npx", "-y"), "pypi": ("uvx",), "container": ("docker", "run", "-i")}[ecosystem]
    [p] = packages(stdio(*runner, name))
    assert lookalike(p) == original


@pytest.mark.parametrize("argv", [
    ("npx", "-y", "@modelcontextprotocol/server-filesystem"), ("npx", "-y", "@modelcontextprotocol/server-gitlab"),
    ("uvx", "mcp-server-git"), ("uvx", "mcp-server-time"), ("npx", "-y", "my-company-crm-mcp"),
    ("docker", "run", "-i", "mcp/github"), ("npx", "-y", "@acme/internal-tools"),
])
def test_well_known_and_unrelated_names_are_not_lookalikes(argv):
    """A listed package, or one nothing like a listed one, raises nothing (a security tool must not cry wolf)."""
    [p] = packages(stdio(*argv))
    assert lookalike(p) is None


def test_an_unscoped_community_package_named_after_a_vendors_server_is_not_a_lookalike():
    """An unscoped package with the bare name of a vendor's scoped server is how community servers are commonly
    named; only the same name under another *scope* imitates (``@mcp-tools/server-filesystem`` above)."""
    [p] = packages(stdio("npx", "-y", "server-filesystem-extra"))
    assert lookalike(p) is None
    [p] = packages(stdio("npx", "-y", "notion-mcp-server"))
    assert lookalike(p) is None
    [p] = packages(stdio("npx", "-y", "@someone/notion-mcp-server"))
    assert lookalike(p) == "@notionhq/notion-mcp-server"


def test_vendor_servers_named_like_every_other_vendors_are_not_lookalikes():
    """``@vendor/mcp-server`` is what many vendors call their own server: the same generic bare name under
    another scope is not imitation."""
    for name in ("@rollbar/mcp-server", "@qase/mcp-server", "@runpod/mcp-server", "@acme/mcp"):
        [p] = packages(stdio("npx", "-y", name))
        assert lookalike(p) is None, name


def test_no_real_server_of_the_labelled_corpus_is_called_a_lookalike():
    """The 155 published packages collected for the classifier corpus are what they say they are: none draws a
    look-alike finding."""
    from mcprisk.snapshot import load_snapshot

    corpus = sorted((Path(__file__).parent / "data" / "corpus").glob("*/*.snapshot.json"))
    assert len(corpus) > 150
    hits = [(path.name, p.name, lookalike(p)) for path in corpus for p in packages(load_snapshot(path).server)
            if lookalike(p) is not None]
    assert hits == []


# Launch findings each sample raises on its own; every other entry (honest, pinned) must raise none.
UNPINNED = {
    "claude_desktop_config.json": {"filesystem", "github", "linear", "postgres", "slack"},
    "claude_code.mcp.json": {"filesystem", "postgres", "slack"},
    "cursor.mcp.json": {"filesystem", "postgres", "puppeteer", "slack"},
    "vscode.mcp.json": {"filesystem", "postgres", "slack"},
    "windsurf.mcp_config.json": {"brave-search", "filesystem", "github", "postgres", "slack"},
}


@pytest.mark.parametrize("sample", sorted(p.name for p in DATA.iterdir() if p.name != "README.md"))
def test_samples_raise_launch_findings_only_where_due(sample):
    """Unpinned npx entries raise LCH001, the Docker image without digest LCH002; pinned entries raise nothing."""
    for spec in load_config(DATA / sample):
        codes = sorted(f.code for f in spec_findings(spec))
        if sample == "cursor.mcp.json" and spec.name == "github":
            assert codes == ["LCH002"]
        elif spec.name in UNPINNED.get(sample, ()):
            assert codes == ["LCH001"], spec.name
        else:
            assert codes == [], (spec.name, codes)


def test_each_finding_quotes_its_evidence_and_points_at_the_value():
    """Every launch finding quotes the config text behind it and names the entry field it is about."""
    text = json.dumps({"mcpServers": {"all": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesytem",
                                                                           "/", "http://10.1.1.1/x"]}}})
    [spec] = parse_config(text, client="cursor")
    found = {f.code: f for f in spec_findings(spec)}
    assert set(found) == {"LCH001", "LCH003", "LCH004", "LCH006"}
    assert found["LCH004"].location == "args/2" and found["LCH004"].evidence[0].text == "/"
    assert found["LCH006"].evidence[0].text == "@modelcontextprotocol/server-filesytem"
    assert all(f.location and f.evidence for f in found.values())


def test_launch_rules_are_registered_with_the_control_that_clears_them():
    """LCH001-LCH006 are registered, cite OWASP MCP items by id and title, and name the control they ask for."""
    info = rule_info()
    assert [c for c in info if c.startswith("LCH")] == [f"LCH00{i}" for i in range(1, 7)]
    assert info["LCH001"].control == "version_pinning" and info["LCH003"].control == "https"
    assert "MCP04:2025 Software Supply Chain Attacks & Dependency Tampering" in info["LCH001"].references
    assert info["LCH006"].severity == "high" and info["LCH001"].severity == "medium"


def test_auto_approval_of_tools_that_change_things_is_a_finding(tmp_path):
    """A live server whose client auto-approves a destructive tool raises LCH005 naming it; read-only ones do not."""
    sample = {s.name: s for s in load_config(DATA / "cline_mcp_settings.json")}["support-desk"]
    cline = replace(sample, command=sys.executable)  # this interpreter, which has mcprisk installed
    reader = replace(cline, name="reader", auto_approve=("search_tickets",))
    snaps = [introspect(cline), introspect(reader)]
    assert all(s.ok for s in snaps)
    found = [f for f in assess(snaps).findings if f.code == "LCH005"]
    assert [f.server for f in found] == ["support-desk"]
    assert "delete_customer_record (destructive)" in found[0].message
    assert found[0].tools == ("support-desk/delete_customer_record",)


def _npx_shim(folder: Path) -> Path:
    """An executable named npx that starts the bundled demo server whatever it is asked for: the launch line is
    what is under test, not the registry."""
    shim = folder / "npx"
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m mcprisk.demo support-desk\n", encoding="utf-8")
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return shim


@pytest.mark.skipif(os.name == "nt", reason="the npx stand-in is a POSIX shell script")
def test_only_the_unpinned_server_carries_the_pinning_finding_on_its_config_line_in_sarif(tmp_path):
    """Scanning `npx -y pkg` beside the same package pinned: LCH001 only for the first, located on its args line."""
    shim = _npx_shim(tmp_path)
    config = tmp_path / "cursor.mcp.json"
    config.write_text(
        "{\n"
        '  "mcpServers": {\n'
        '    "unpinned": {\n'
        f'      "command": "{shim}",\n'
        '      "args": [\n'
        '        "-y",\n'
        '        "@modelcontextprotocol/server-everything"\n'
        "      ]\n"
        "    },\n"
        '    "pinned": {\n'
        f'      "command": "{shim}",\n'
        '      "args": ["-y", "@modelcontextprotocol/server-everything@2026.8.31"]\n'
        "    }\n"
        "  }\n"
        "}\n", encoding="utf-8")
    out = tmp_path / "report"
    code = main(["scan", "--config", str(config), "--format", "sarif,json", "-o", str(out), "--no-probe"],
                out=io.StringIO(), err=io.StringIO())
    assert code == 0
    sarif = json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "LCH001"]
    assert [r["properties"]["server"] for r in results] == ["unpinned"]
    [location] = results[0]["locations"]
    assert location["physicalLocation"]["region"]["startLine"] == 7  # the "@modelcontextprotocol/..." line
    assert location["physicalLocation"]["artifactLocation"]["uri"].endswith("cursor.mcp.json")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    [finding] = [f for f in report["findings"] if f["code"] == "LCH001"]
    assert finding["location"] == "args/1" and finding["server"] == "unpinned"


def test_launch_findings_and_listings_never_show_a_secret(tmp_path):
    """A password in a plain-http URL, a token in an arg and an env secret never reach a finding or `--list`."""
    canary = "sk-canary-0123456789abcdefXYZ"
    text = json.dumps({"mcpServers": {
        "remote": {"url": f"http://svc:{canary}@tools.example.org/mcp?api_key={canary}"},
        "local": {"command": "npx", "args": ["-y", "mcp-remote", f"http://tools.example.org/sse?token={canary}",
                                             "--header", f"Authorization: Bearer {canary}"],
                  "env": {"API_TOKEN": canary}}}})
    specs = parse_config(text, client="cursor")
    findings = [f for s in specs for f in spec_findings(s)]
    assert {f.code for f in findings} >= {"LCH001", "LCH003"}
    assert canary not in json.dumps([f.to_dict() for f in findings])
    config = tmp_path / "mcp.json"
    config.write_text(text, encoding="utf-8")
    out = io.StringIO()
    assert main(["inspect", "--list", "--config", str(config)], out=out, err=io.StringIO()) == 0
    assert canary not in out.getvalue() and "LCH003" in out.getvalue()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.1.2.3", "192.168.0.9", "mcp.corp",
                                  "intranet", "203.0.113.7", "8.8.8.8", "api.example.com", "[fd00::1]"])
def test_launch_and_placement_read_a_host_alike(host):
    """Launch hygiene and placement read a URL's host from one definition: a plain-HTTP URL is skipped as this
    machine exactly where placement counts it local, and called private exactly where placement says internal.
    (0.0.0.0 differs on purpose: the client reaching it stays on its machine; a server bound to it is on the network.)"""
    from mcprisk.placement import current_pattern

    url = f"http://{host}:8080/mcp"
    pattern = current_pattern("http", url)
    reach = plain_http(ServerSpec.http(url, name="s"))
    if pattern == "local_stdio":
        assert reach == []
    else:
        assert len(reach) == 1 and reach[0].private == (pattern == "internal_http"), (host, pattern, reach)


def test_a_community_package_named_for_a_vendor_is_no_lookalike_but_a_slip_of_it_is():
    """``<vendor>-mcp`` beside the vendor's ``@<vendor>/mcp`` is how community servers are named, not a squat; the
    same name with a look-alike letter (``1`` for ``l``) still is one."""
    from mcprisk.launch import Package
    from mcprisk.rules.launch import known_packages

    def npm(name: str) -> Package:
        return Package("npx", "npm", name, name, None, "args/1", False)

    vendor = next(n for n in sorted(known_packages()["npm"]) if n.startswith("@") and n.endswith("/mcp") and "l" in n)
    flat = vendor[1:].replace("/", "-")
    assert lookalike(npm(flat)) is None
    slipped = flat.replace("l", "1", 1)
    assert lookalike(npm(slipped)) == vendor
