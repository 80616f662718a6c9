"""The README's two commands stay true: CI runs the same test command a newcomer is given."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_gives_exactly_two_commands():
    """The README's 'Two commands' section holds exactly two one-line commands: main job, then tests."""
    commands = readme_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert "pytest" in commands[1] and "pytest" not in commands[0]


def test_ci_runs_the_readme_test_command():
    """.ci/run executes the README's test command verbatim."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert readme_commands()[1] in ci.splitlines()
