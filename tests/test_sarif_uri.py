"""SARIF ``artifactLocation.uri`` is a percent-encoded URI reference (RFC 3986), whatever the config path holds."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest

from mcprisk.assessment import assess
from mcprisk.render import render_sarif
from mcprisk.specs import SpecSource

from report_support import sarif_validator, snapshot, tool

ODD = ["team #1/mcp.json", "100% sure/mcp.json", "why?/mcp.json", "my configs/mcp.json", "café/ü.json",
       "a:b/mcp.json", "[x]/{y}/mcp.json", "tab\there/mcp.json"]


def _uris(tmp_path: Path, relative: str, base: Path) -> list[str]:
    source = SpecSource(path=str(tmp_path / relative), client="vscode", pointer="/servers/evil", line=3)
    a = assess([snapshot("evil", tool("run_shell", "Run any shell command.",
                                      inputSchema={"type": "object", "properties": {"command": {"type": "string"}}}),
                         source=source)])
    log = json.loads(render_sarif(a, base=base))
    validator = jsonschema.Draft4Validator(sarif_validator().schema, format_checker=jsonschema.FormatChecker())
    errors = list(validator.iter_errors(log))
    assert not errors, errors[0]
    return [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]


def test_the_format_checker_really_checks_uri_references():
    """The schema check below can fail: a raw space or '#' in a uri-reference is refused by the checker."""
    checker = jsonschema.FormatChecker()
    assert "uri-reference" in checker.checkers
    assert not checker.conforms("my configs/a#b%.json", "uri-reference")


@pytest.mark.parametrize("relative", ODD)
def test_relative_config_paths_are_percent_encoded(tmp_path, relative):
    """Inside the base directory: a relative reference whose decoded path is the file's path."""
    for uri in _uris(tmp_path, relative, tmp_path):
        assert not urlsplit(uri).scheme and "?" not in uri and "#" not in uri and " " not in uri and uri.isascii()
        assert unquote(uri) == relative


@pytest.mark.parametrize("relative", ODD)
def test_absolute_config_paths_are_file_uris(tmp_path, relative):
    """Outside the base directory: a file: URI whose decoded path is the file's absolute path."""
    for uri in _uris(tmp_path, relative, tmp_path / "elsewhere"):
        parts = urlsplit(uri)
        assert parts.scheme == "file" and not parts.query and not parts.fragment and uri.isascii()
        assert unquote(parts.path) == str(tmp_path / relative)
