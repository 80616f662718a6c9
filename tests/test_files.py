"""Files the user names (configs, inventories, tracking files, snapshots): regular files of bounded size only.

Every case runs in a child process with a memory ceiling and a deadline, so a reader that blocks on a FIFO
or reads /dev/zero without end fails the test instead of hanging or exhausting the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LOADERS = {
    "config": "from mcprisk.configs import load_config as load",
    "inventory": "from mcprisk.inventory import load_inventory as load",
    "tracking": "from mcprisk.tracking import load_tracking as load",
    "snapshot": "from mcprisk.snapshot import load_snapshot as load",
    "snapshots": "from mcprisk.snapshot import load_snapshots as load",
}

# Each loader, run on each path given: prints {"path": [error class, message]} or "loaded".
CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
{import_line}
out = {{}}
for path in sys.argv[1:]:
    try:
        load(path)
        out[path] = "loaded"
    except Exception as exc:
        out[path] = [type(exc).__name__, str(exc)]
print(json.dumps(out))
"""


def run_loader(loader: str, paths: list[str]) -> dict[str, object]:
    """The outcome of one loader on every path, from a child process that must finish within 60 s."""
    code = CHILD.format(import_line=LOADERS[loader])
    proc = subprocess.run([sys.executable, "-c", code, *paths], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


@pytest.fixture
def hostile_paths(tmp_path: Path) -> dict[str, str]:
    """A FIFO nobody writes to, a character device, a directory, and a sparse file past every size cap."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as fh:
        fh.truncate(1 << 40)  # 1 TiB of holes: no disk used, but far past any cap
    (tmp_path / "dir").mkdir()
    return {"fifo": str(fifo), "device": "/dev/zero", "directory": str(tmp_path / "dir"), "huge": str(huge)}


WHY = {"fifo": "FIFO", "device": "device", "directory": "directory", "huge": "larger than"}


@pytest.mark.parametrize("loader", list(LOADERS))
def test_only_regular_files_of_bounded_size_are_read(loader, hostile_paths):
    """A FIFO, a device, a directory or a 1 TiB file is refused at once with a message saying which."""
    outcomes = run_loader(loader, list(hostile_paths.values()))
    for case, path in hostile_paths.items():
        kind, message = outcomes[path]
        assert kind.endswith("Error") and kind != "MemoryError", (case, kind, message)
        assert path in message and WHY[case] in message, (case, message)


@pytest.mark.slow
@pytest.mark.parametrize("option", ["--inventory", "--tracking", "--baseline", "--config", "snapshot", "diff"])
def test_the_command_line_refuses_them_with_exit_2(option, hostile_paths):
    """Every file option of the CLI gives exit 2 and one clear line for a FIFO or a device."""
    for case in ("fifo", "device"):
        path = hostile_paths[case]
        if option == "snapshot":
            argv = ["inspect", path]
        elif option == "diff":
            argv = ["diff", path, path]
        else:
            argv = ["scan", option, path, "--no-probe"] + ([] if option == "--config" else ["--demo"])
        proc = subprocess.run([sys.executable, "-m", "mcprisk", *argv], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, (option, case, proc.stderr[-500:])
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("mcprisk: error: "), proc.stderr
        assert WHY[case] in lines[0]


@pytest.mark.slow
def test_output_files_that_are_not_regular_are_refused(hostile_paths):
    """``-o`` naming a FIFO is refused (writing would block until someone reads it)."""
    proc = subprocess.run([sys.executable, "-m", "mcprisk", "inspect", "--demo", "--json", "-o", hostile_paths["fifo"]],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "FIFO" in proc.stderr, proc.stderr
