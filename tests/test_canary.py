"""Canary secrets reach no output channel: stdout, stderr (tracebacks included), every report format, snapshots,
posture JSON, notebook outputs and log records; and no raw escape or bidi control reaches them either.

The secrets travel every way a user hands them over (env, headers, a bearer token, secret-named query
parameters and options), and the zoo servers echo them back everywhere a server can: 401 challenges,
instructions, descriptions, tool names, an SSE event name, an invalid message the SDK logs with a traceback,
stderr.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mcprisk import ServerSpec, introspect_many, probe
from mcprisk.assessment import assess

from support import FAST, ZOO, zoo_http

CANARIES = {
    "ZK": "canary-header-5b0e7d21",  # X-Api-Key, echoed by the HTTP server
    "ZB": "canary-bearer-a94c3f60",  # Authorization: Bearer ...
    "ZENV": "canary-env-3e8f1a92",  # the stdio server's env, echoed in a description and on stderr
    "ZQKEY": "canary-qkey-71d2b6e4",  # ?key=
    "ZQSIG": "canary-qsig-0c5a9e13",  # ?sig=
    "ZARG": "canary-arg-d7e24b58",  # --key V
    "ZARGK": "canary-argk-49f1c7a0",  # -k V
}
RAW = ("\x1b", "\x07", "\u202e", "\u202c")


def leaks(text: str) -> list[str]:
    """The canaries and raw control characters found in ``text``."""
    return [name for name, value in CANARIES.items() if value in text] + [repr(c) for c in RAW if c in text]


@pytest.fixture
def canary_env(monkeypatch: pytest.MonkeyPatch):
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ZOO_CANARY", CANARIES["ZK"])


@pytest.fixture
def url(canary_env):
    with zoo_http("canary") as base:
        yield f"{base}?key={CANARIES['ZQKEY']}&sig={CANARIES['ZQSIG']}&page=1"


def stdio_command() -> list[str]:
    return [sys.executable, str(ZOO), "echo-secret", "--key", CANARIES["ZARG"], "-k", CANARIES["ZARGK"]]


def specs(url: str) -> list[ServerSpec]:
    return [ServerSpec.http(url, name="canary-http", headers={"X-Api-Key": "${env:ZK}",
                                                                "Authorization": "Bearer ${env:ZB}"}),
            ServerSpec.stdio(stdio_command(), name="canary-stdio", env={"ZOO_SECRET": "${env:ZENV}"})]


def run_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mcprisk", *argv], capture_output=True, text=True, timeout=180,
                          env=os.environ.copy())


@pytest.mark.slow
def test_no_canary_on_the_command_lines_outputs(url, tmp_path):
    """scan (every report format), inspect (snapshot) and probe (posture JSON): files, stdout and stderr."""
    target = ["--url", url, "--header", "X-Api-Key=env:ZK", "--header", "Authorization=Bearer ${env:ZB}",
              "--env", "ZOO_SECRET=env:ZENV", "--timeout", "30", "--stdio"]
    runs = [
        run_cli("scan", *target, "-o", str(tmp_path / "report"), "--", *stdio_command()),
        run_cli("scan", *target, "--format", "json", "--", *stdio_command()),
        run_cli("inspect", *target, "--json", "-o", str(tmp_path / "snapshot.json"), "--", *stdio_command()),
        run_cli("inspect", *target, "--", *stdio_command()),
        run_cli("probe", url, "--header", "X-Api-Key=env:ZK", "--json", "-o", str(tmp_path / "posture.json")),
        run_cli("probe", url, "--header", "X-Api-Key=env:ZK"),
    ]
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert {p.name for p in files} >= {"report.html", "report.md", "report.json", "report.sarif", "tools.csv",
                                       "findings.csv", "snapshot.json", "posture.json"}
    for proc in runs:
        assert proc.returncode in (0, 1, 3), proc.stderr
        assert not leaks(proc.stdout) and not leaks(proc.stderr), (proc.args[3:5], leaks(proc.stdout + proc.stderr))
        assert "Traceback" not in proc.stderr
        assert all(line.startswith("mcprisk: ") for line in proc.stderr.splitlines()), proc.stderr
    for path in files:
        assert not leaks(path.read_text(encoding="utf-8")), (path.name, leaks(path.read_text(encoding="utf-8")))
    report = (tmp_path / "report" / "report.json").read_text(encoding="utf-8")
    assert "run_***" in report and "key=***&sig=***" in report  # the echoes were there, and were scrubbed


def test_no_canary_in_log_records(url):
    """An application logging everything at DEBUG, tracebacks included, sees no canary and no raw escape."""
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(logging.Formatter("%(name)s %(levelname)s %(message)s").format(record))

    root = logging.getLogger()
    handler, old_level = Collect(logging.DEBUG), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        snaps = introspect_many(specs(url), limits=FAST)
        posture = probe(specs(url)[0], limits=FAST)
        assess(snaps, postures={"canary-http": posture})
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    text = "\n".join(records)
    assert "Traceback" in text and "Unknown SSE event" in text  # the SDK did log the hostile parts...
    assert not leaks(text), leaks(text)  # ...scrubbed
    for snap in snaps:
        assert not leaks(snap.to_json()) and not leaks(repr(snap))
    assert not leaks(posture.to_json())


NOTEBOOK = [
    "import logging, os, sys\n"
    "logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format='%(name)s %(message)s')\n"
    "import mcprisk\nfrom mcprisk.assessment import assess\nfrom test_canary import specs, FAST\n"
    "spec, stdio = specs(os.environ['CANARY_URL'])\nprint(spec, stdio, repr(spec.secrets))",
    "snaps = mcprisk.introspect_many([spec, stdio], limits=FAST)\nsnaps[0]",
    "snaps[1]",
    "snaps[0].to_frame()",
    "posture = mcprisk.probe(spec, limits=FAST)\nposture",
    "a = assess(snaps, postures={spec.name: posture})\na",
    "print(snaps[1].stderr)\nprint(snaps[0].errors)\nsnaps[0].instructions",
]


@pytest.mark.slow
def test_no_canary_in_notebook_outputs(url, monkeypatch):
    """A notebook doing the same work, with DEBUG logging to the kernel's stderr, shows no canary in any output."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("CANARY_URL", url)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in NOTEBOOK])
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3", allow_errors=False).execute()
    outputs = [o for cell in nb.cells for o in cell.outputs]
    kinds = {o.output_type for o in outputs}
    assert {"stream", "execute_result"} <= kinds
    text = "\n".join(str(o) for o in outputs)
    assert "text/html" in text and "Traceback" in text  # the displays ran, and the SDK's logs reached the cell
    assert not leaks(text), leaks(text)
