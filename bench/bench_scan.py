"""A whole scan against talking to the servers: ``mcprisk scan`` (all formats) vs ``mcprisk inspect`` of the same
45-server client config, whole process, wall time and peak RSS, interleaved.

The config is the issue's shape: the 45 real servers of ``tests/fleet.py`` (about 1,400 tools from the dev
corpus), each replayed over stdio by ``tests/zoo/replay_stdio.py`` (raw JSON-RPC, so the servers start in tens
of milliseconds and the client's own cost shows). Both commands run as fresh processes; peak RSS is the
process's own (its VmHWM at exit: ``ru_maxrss`` would carry the large bench process's peak across exec).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import REPO, Figure, interleaved, median, spread

TESTS = REPO / "tests"
REPLAY = TESTS / "zoo" / "replay_stdio.py"


def write_config(folder: Path) -> tuple[Path, int, int]:
    """The fleet's snapshots and a Claude-style config replaying each of them; (config, servers, tools)."""
    sys.path.insert(0, str(TESTS))
    try:
        from fleet import fleet
    finally:
        sys.path.remove(str(TESTS))
    servers = {}
    snaps = fleet()
    for snap in snaps:
        path = folder / f"{snap.name}.snapshot.json"
        snap.save(path)
        servers[snap.name] = {"command": sys.executable, "args": [str(REPLAY), str(path)]}
    config = folder / "mcp.json"
    config.write_text(json.dumps({"mcpServers": servers}), encoding="utf-8")
    return config, len(snaps), sum(len(s.tools) for s in snaps)


# Runs mcprisk with its arguments and, at exit, writes the process's own peak RSS (VmHWM, in KiB) to a file.
# ``ru_maxrss`` would not do: Linux carries the forking parent's peak across exec, and the bench process is large.
PEAK = ("import atexit, runpy, sys\n"
        "out = sys.argv[1]\n"
        "def peak():\n"
        "    with open('/proc/self/status') as fh:\n"
        "        kib = next(line.split()[1] for line in fh if line.startswith('VmHWM:'))\n"
        "    with open(out, 'w') as fh:\n"
        "        fh.write(kib)\n"
        "atexit.register(peak)\n"
        "sys.argv = ['mcprisk', *sys.argv[2:]]\n"
        "runpy.run_module('mcprisk', run_name='__main__', alter_sys=True)\n")


def run_process(args: list[str]) -> tuple[float, int]:
    """(wall seconds, peak RSS bytes of the process itself) of one fresh ``mcprisk`` process; raises when it fails."""
    with tempfile.NamedTemporaryFile(prefix="mcprisk-peak-", delete=False) as fh:
        peak_file = Path(fh.name)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", PEAK, str(peak_file), *args], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    try:
        peak = int(peak_file.read_text() or 0) * 1024
    finally:
        peak_file.unlink(missing_ok=True)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode not in (0, 1):  # scan exits 1 when --fail-on trips; not used here, but not a crash
        raise RuntimeError(f"{args[0]} exited {proc.returncode}: {err[-500:]}")
    return wall, peak or usage.ru_maxrss * 1024


def run(quick: bool) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="mcprisk-bench-scan-") as tmp:
        folder = Path(tmp)
        config, n_servers, n_tools = write_config(folder)
        inspect = ["inspect", "--config", str(config), "--json", "-o", str(folder / "inspect.json")]
        scan = ["scan", "--config", str(config), "--no-probe", "-o", str(folder / "reports")]
        run_process(inspect)  # warm the page cache and the replay servers' imports
        ins, sca = interleaved(2 if quick else 5, lambda: run_process(inspect), lambda: run_process(scan))
        sizes = {p.name: p.stat().st_size for p in (folder / "reports").iterdir()}
    shape = f"{n_servers} servers, {n_tools:,} tools over stdio"
    wall = median([s[0] / i[0] for i, s in zip(ins, sca)])
    rss = median([s[1] / i[1] for i, s in zip(ins, sca)])
    mib = 2 ** 20
    return [
        Figure(f"scan (all formats) vs inspect, {shape}: wall", wall, "x", target="<= 1.5x",
               baseline="mcprisk inspect --config --json of the same config, interleaved",
               note=f"median scan {median([s[0] for s in sca]):.2f} s vs inspect {median([i[0] for i in ins]):.2f} s; "
                    f"pair ratios {spread([s[0] / i[0] for i, s in zip(ins, sca)])}"),
        Figure(f"scan (all formats) vs inspect, {shape}: peak RSS", rss, "x", target="<= 1.5x",
               baseline="the same inspect runs (whole process: its own VmHWM at exit)",
               note=f"median scan {median([s[1] for s in sca]) / mib:.0f} MiB vs inspect "
                    f"{median([i[1] for i in ins]) / mib:.0f} MiB; reports: "
                    + ", ".join(f"{k} {v / 1e6:.2f} MB" for k, v in sorted(sizes.items()))),
    ]
