"""Failures inside mcprisk surface as typed, reported errors: a crashed probe, a renderer that raises."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest

import mcprisk
import mcprisk.cli.scan
import mcprisk.render._html
from mcprisk import RenderError, assess, introspect_many, write_report
from mcprisk.render import render_format
from mcprisk.cli import main
from mcprisk.cli.parser import EXIT_INTERNAL
from mcprisk.demo import demo_spec, serve_http

CANARY = "failcanary-7d1e0b"


@pytest.fixture(scope="module")
def demo():
    return assess(introspect_many([demo_spec("support-desk")]))


def test_a_renderer_failure_is_a_render_error_naming_the_format(demo, tmp_path):
    """A placement naming a pattern the catalog lacks makes the HTML renderer raise: a RenderError for html, no file."""
    broken = replace(demo, placements=tuple(replace(p, recommended="nowhere") for p in demo.placements))
    with pytest.raises(RenderError) as caught:
        render_format(broken, "html")
    assert caught.value.format == "html" and "nowhere" in str(caught.value)
    assert isinstance(caught.value.cause, KeyError)
    with pytest.raises(RenderError):
        write_report(broken, tmp_path / "out", "html")
    assert not (tmp_path / "out" / "report.html").exists()


def test_the_cli_exits_4_when_a_renderer_fails(demo, tmp_path, monkeypatch):
    """``scan --format html`` whose renderer raises prints the failed format on stderr and exits 4, not 1 or 0."""
    path = tmp_path / "snap.json"
    path.write_text(demo.snapshots[0].to_json(), encoding="utf-8")

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("planted in the html renderer")

    monkeypatch.setattr(mcprisk.render._html, "render_html", broken)
    out, err = io.StringIO(), io.StringIO()
    assert main(["scan", str(path), "--format", "html"], out=out, err=err) == EXIT_INTERNAL
    assert "cannot render the html report: ZeroDivisionError: planted in the html renderer" in err.getvalue()
    assert out.getvalue() == ""


def test_a_crashed_probe_is_reported_as_that_servers_failure(tmp_path, monkeypatch):
    """A probe that raises is named on stderr and in every report as a ``probe`` failure of its server (its
    text scrubbed of the bearer token), the scan still reports the server, and exits 4."""
    def crash(spec, **_kwargs):
        raise RuntimeError(f"planted probe bug holding {spec.name} and Bearer {CANARY}")

    monkeypatch.setattr(mcprisk.cli.scan, "probe", crash)
    with serve_http("web-research", token=CANARY) as server:
        config = tmp_path / "mcp.json"
        config.write_text(json.dumps({"mcpServers": {"web": {"url": server.url,
                                                             "headers": {"Authorization": f"Bearer {CANARY}"}}}}),
                          encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        code = main(["scan", "--config", str(config), "--format", "json,md", "-o", str(tmp_path / "out")],
                    out=out, err=err)
    assert code == EXIT_INTERNAL, err.getvalue()
    assert "the probe of web crashed: RuntimeError: planted probe bug holding web" in err.getvalue()
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    [failure] = report["rule_failures"]
    assert failure["rule"] == "probe" and failure["subject"] == "web"
    assert failure["error"].startswith("RuntimeError: planted probe bug holding web")
    assert [s["name"] for s in report["servers"]] == ["web"] and report["servers"][0]["tools"]
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "rule `probe` failed on `web`" in markdown
    for text in (err.getvalue(), out.getvalue(), json.dumps(report), markdown):
        assert CANARY not in text
