"""`mcprisk scan` and `mcprisk diff`: reports, exit codes, gating, drift, and nothing written outside -o."""

from __future__ import annotations

import io
import json
import sys

import pytest

from mcprisk.cli import main
from mcprisk.render import REPORT_FILES

from support import ZOO

ALL_FILES = {n for names in REPORT_FILES.values() for n in names}


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*argv: str, tty: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), (_Tty() if tty else io.StringIO())
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def approved(tmp_path_factory) -> str:
    """The honest support-desk demo, introspected once and saved: the approved snapshot."""
    path = tmp_path_factory.mktemp("snaps") / "approved.json"
    code, _, _ = run("inspect", "--demo", "--json", "-o", str(path))
    assert code == 0
    return str(path)


def test_scan_demo_writes_every_format(tmp_path, monkeypatch):
    """`scan --demo -o report/` (the README's main job) writes all six files into report/ only and exits 0."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run("scan", "--demo", "-o", "report")
    assert code == 0, err
    assert {p.name for p in (tmp_path / "report").iterdir()} == ALL_FILES
    assert {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*")} == {"report"}
    assert "support-desk  [complete]  NEEDS CONTROLS  run as local_stdio" in out and "wrote report/report.html" in out
    assert "mcprisk: [1/1] support-desk: complete" in err  # plain progress lines when stderr is not a terminal


def test_progress_is_one_line_on_a_terminal(tmp_path):
    """On a terminal the progress rewrites one line (carriage return, erase) instead of printing many."""
    code, _, err = run("scan", "--demo", "--format", "md", "-o", str(tmp_path), tty=True)
    assert code == 0
    assert "\r\x1b[K" in err and "mcprisk: [1/1]" not in err


def test_fail_on_gates_on_open_findings(approved, tmp_path):
    """--fail-on high exits 1 while high findings are open; without --fail-on findings never fail the scan."""
    assert run("scan", approved)[0] == 0
    code, _, err = run("scan", approved, "--fail-on", "high")
    assert code == 1 and "at or above high" in err
    assert run("scan", approved, "--fail-on", "critical")[0] == 1  # the demo's trifecta flow is critical


def test_accepted_findings_do_not_gate(approved, tmp_path):
    """Findings the tracking file accepts (or mitigates, or marks false positive) do not count for --fail-on."""
    tracking = tmp_path / "tracking.yaml"
    tracking.write_text('version: 1\nrisks:\n  "*@support-desk*":\n    status: accepted\n'
                        "    justification: demo data only\n", encoding="utf-8")
    code, out, _ = run("scan", approved, "--tracking", str(tracking), "--fail-on", "info", "--format", "json")
    assert code == 0
    assert {f["status"] for f in json.loads(out)["findings"]} == {"accepted"}


def test_one_format_goes_to_stdout(approved):
    """Without -o, one --format prints that report to stdout (JSON here, parseable)."""
    code, out, _ = run("scan", approved, "--format", "json")
    assert code == 0 and json.loads(out)["format"] == "mcprisk.report"
    code, out, _ = run("scan", approved, "--format", "sarif", "--timestamp", "2026-01-02T03:04:05Z")
    assert json.loads(out)["runs"][0]["invocations"][0]["endTimeUtc"] == "2026-01-02T03:04:05Z"


def test_baseline_drift_gates(approved, tmp_path):
    """Scanning the demo's drift switch against the approved snapshot finds the rug pull and exits 1."""
    code, out, err = run("scan", "--demo", "--demo-insecure", "drift", "--baseline", approved, "--fail-on", "high",
                         "--format", "json")
    assert code == 1, err
    ids = {f["id"] for f in json.loads(out)["findings"]}
    assert "DRIFT001@support-desk@send_customer_email" in ids
    assert "DRIFT001@support-desk@send_customer_email" in err


def test_unreachable_server_exits_3_and_is_reported(approved, tmp_path):
    """A server that cannot be introspected exits 3; the report still covers it and the others."""
    code, out, err = run("scan", approved, "--timeout", "5", "-o", str(tmp_path), "--stdio", "--", sys.executable,
                         str(ZOO), "exits-at-start")
    assert code == 3, err
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert {s["name"]: s["status"] for s in data["servers"]}["support-desk"] == "complete"
    assert "failed" in {s["status"] for s in data["servers"]}
    assert "could not introspect completely" in err


@pytest.mark.parametrize("argv, message", [
    (("scan",), "nothing to scan"),
    (("scan", "--demo", "--format", "pdf"), "pdf"),
    (("scan", "--demo", "--format", "json,md"), "need -o"),
    (("scan", "--demo", "--format", "csv"), "two files"),
    (("scan", "--demo", "--fail-on", "severe"), "invalid choice"),
    (("scan", "--demo", "--inventory", "/nonexistent/risk.yaml"), "no such file"),
    (("scan", "nope.json"), "no such file"),
    (("scan", "--demo", "no-such-demo"), "no-such-demo"),
    (("scan", "--demo", "--demo-insecure", "everything"), "everything"),
    (("diff", "/nonexistent/a.json", "/nonexistent/b.json"), "no such file"),
])
def test_usage_and_input_errors_exit_2(argv, message):
    """Bad formats, missing files, unknown demo switches and missing targets exit 2 with a message."""
    code, _, err = run(*argv)
    assert code == 2 and message in err, err


def test_output_must_be_a_directory(approved, tmp_path):
    """-o naming an existing file is a usage error, and the file is left alone."""
    target = tmp_path / "report"
    target.write_text("keep me", encoding="utf-8")
    assert run("scan", approved, "-o", str(target))[0] == 2
    assert target.read_text(encoding="utf-8") == "keep me"


def test_diff_command(approved, tmp_path):
    """`mcprisk diff` exits 0 without drift and 1 with it, naming what changed."""
    assert run("diff", approved, approved)[:2] == (0, "no drift: every server, tool, resource, template and prompt "
                                                      "matches\n")
    newer = tmp_path / "new.json"
    assert run("inspect", "--demo", "support-desk", "--json", "-o", str(newer))[0] == 0
    code, out, _ = run("diff", approved, str(newer))
    assert code == 0 and "no drift" in out
    text = json.loads((tmp_path / "new.json").read_text(encoding="utf-8"))
    text["tools"][0]["description"] = "Changed after approval."
    text["tools"][0]["fingerprint"] = "sha256:changed"
    newer.write_text(json.dumps(text), encoding="utf-8")
    code, out, _ = run("diff", approved, str(newer))
    assert code == 1 and f"~ tool {text['tools'][0]['name']}" in out and "description reworded" in out
    code, out, _ = run("diff", approved, str(newer), "--json")
    assert code == 1 and json.loads(out)["changed"] is True


def test_sarif_from_a_config_points_at_the_entry(tmp_path, monkeypatch):
    """Scanning a client config, each SARIF result is annotated on the server's line in that config file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "mcp.json").write_text(
        '{\n  "servers": {\n    "support-desk": {\n      "command": "mcprisk-demo",\n'
        '      "args": ["support-desk"]\n    }\n  }\n}\n', encoding="utf-8")
    code, out, err = run("scan", "--config", ".vscode/mcp.json", "--format", "sarif")
    assert code == 0, err
    results = json.loads(out)["runs"][0]["results"]
    assert results
    for r in results:
        physical = r["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == ".vscode/mcp.json"
        assert physical["region"]["startLine"] == 3


def test_demo_insecure_implies_demo():
    """`--demo-insecure poisoned` alone scans the planted support-desk demo instead of saying there is nothing
    to scan."""
    code, out, err = run("scan", "--demo-insecure", "poisoned", "--format", "json")
    assert "nothing to scan" not in err
    data = json.loads(out)
    assert [s["name"] for s in data["servers"]] == ["support-desk"]
    assert any(f["code"].startswith("INJ") for f in data["findings"]) and code == 0


def test_drift_switch_without_baseline_explains_itself(approved):
    """The drift switch without --baseline says that drift shows only against an approved snapshot; with a
    baseline it says nothing and the drift finding appears."""
    code, out, err = run("scan", "--demo", "--demo-insecure", "drift")
    assert code == 0 and "--baseline approved.json" in err and "DRIFT" not in out
    code, out, err = run("scan", "--demo", "--demo-insecure", "drift", "--baseline", approved)
    assert "--baseline approved.json" not in err and "DRIFT001@support-desk@send_customer_email" in out


def test_verdict_line_says_where_it_runs_once():
    """The verdict line reads 'run as local_stdio (as it does now)', never the pattern twice."""
    code, out, _ = run("scan", "--demo")
    assert "run as local_stdio (as it does now)" in out and "(runs as local_stdio)" not in out
