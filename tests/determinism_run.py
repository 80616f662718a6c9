"""One run of the determinism check (tests/test_determinism.py starts it under several PYTHONHASHSEEDs).

It introspects the demo servers (served in process), loads a handful of development-corpus snapshots,
assesses them all with the example inventory and an approved baseline, and writes the JSON, SARIF,
Markdown and HTML (charts included) reports into the directory named by argv[1]. Reports are stamped
with a fixed time; nothing else in them may depend on the process.
"""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))

from mcprisk import load_inventory, load_snapshot  # noqa: E402
from mcprisk.assessment import assess  # noqa: E402
from mcprisk.render import render_html, render_json, render_markdown, render_sarif  # noqa: E402

from inprocess import demo_snapshots  # noqa: E402

CORPUS_DEV = TESTS / "data" / "corpus" / "dev"
# Small but varied: shell, SQL, SSH, browser automation, a password vault (resources and prompts), weather.
CORPUS_SERVERS = ("npm-bash-command-mcp", "npm-mcp-sqlite", "npm-ssh-mcp", "npm-angiejones__mcp-selenium",
                  "npm-takescake__1password-mcp", "npm-open-meteo-mcp-server")
STAMP = "2026-01-01T00:00:00Z"


def main(out: Path) -> None:
    approved, current, research = demo_snapshots(
        "support-desk", ("support-desk", {"insecure": "lying-annotations,poisoned"}), "web-research")
    corpus = [load_snapshot(CORPUS_DEV / f"{name}.snapshot.json") for name in CORPUS_SERVERS]
    a = assess([current, research, *corpus], inventory=load_inventory(TESTS.parent / "data" / "inventory.example.yaml"),
               baseline=[approved])
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(render_json(a, timestamp=STAMP), encoding="utf-8")
    (out / "report.sarif").write_text(render_sarif(a, timestamp=STAMP, base="."), encoding="utf-8")
    (out / "report.md").write_text(render_markdown(a, timestamp=STAMP), encoding="utf-8")
    (out / "report.html").write_text(render_html(a, timestamp=STAMP), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
