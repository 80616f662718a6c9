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


# Runs ``mcprisk scan`` in one process with its stages timed (CPU of the thread running each, and wall), and writes
# them as JSON to a file: start-up (interpreter and imports until the command starts), introspection (wall; the
# main thread's CPU in it is priming, ``assessment.prime``, as each server answers), priming, the assessment, each
# format written, and the whole process's CPU (its own, and the replayed servers' it waited for). The stages are the
# scan command's own functions, wrapped here for the measurement only.
PHASES = ("import json, os, sys, time\n"
          "T0 = time.perf_counter()\n"
          "out = sys.argv[1]\n"
          "marks = {}\n"
          "def wrap(mod, attr, name):\n"
          "    fn = getattr(mod, attr)\n"
          "    def timed(*a, **k):\n"
          "        key = name(a) if callable(name) else name\n"
          "        w0, c0 = time.perf_counter(), time.thread_time()\n"
          "        try:\n"
          "            return fn(*a, **k)\n"
          "        finally:\n"
          "            m = marks.setdefault(key, [0.0, 0.0])\n"
          "            m[0] += time.perf_counter() - w0\n"
          "            m[1] += time.thread_time() - c0\n"
          "    setattr(mod, attr, timed)\n"
          "import mcprisk.cli as cli, mcprisk.cli.scan as scan, mcprisk.render._write as write\n"
          "wrap(scan, '_prime', 'prime')\n"
          "wrap(scan, 'introspect_with_progress', 'introspect')\n"
          "wrap(write, '_write_one', lambda a: 'write ' + a[1])\n"
          "real_cmd = cli.cmd_scan\n"
          "def cmd(*a, **k):\n"
          "    marks['start-up'] = [time.perf_counter() - T0, time.process_time()]\n"
          "    import mcprisk.assessment as assessment\n"
          "    wrap(assessment, 'assess', 'assess')\n"
          "    return real_cmd(*a, **k)\n"
          "cli.cmd_scan = cmd\n"
          "code = cli.main(['scan', *sys.argv[2:]])\n"
          "own, kids = os.times()[0] + os.times()[1], os.times()[2] + os.times()[3]\n"
          "marks['process'] = [time.perf_counter() - T0, own]\n"
          "marks['servers'] = [0.0, kids]\n"
          "with open(out, 'w') as fh:\n"
          "    json.dump(marks, fh)\n"
          "sys.exit(code)\n")


def scan_phases(args: list[str]) -> dict[str, tuple[float, float]]:
    """Stage -> (wall seconds, CPU seconds) of one fresh ``mcprisk scan`` process (see PHASES)."""
    with tempfile.NamedTemporaryFile(prefix="mcprisk-phases-", suffix=".json", delete=False) as fh:
        out = Path(fh.name)
    try:
        proc = subprocess.run([sys.executable, "-c", PHASES, str(out), *args], cwd=REPO, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, check=False)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"scan exited {proc.returncode}: {proc.stderr.decode('utf-8', 'replace')[-500:]}")
        return {k: (float(v[0]), float(v[1])) for k, v in json.loads(out.read_text()).items()}
    finally:
        out.unlink(missing_ok=True)


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
        phases = [scan_phases(scan[1:]) for _ in range(1 if quick else 3)]
    shape = f"{n_servers} servers, {n_tools:,} tools over stdio"
    wall = median([s[0] / i[0] for i, s in zip(ins, sca)])
    rss = median([s[1] / i[1] for i, s in zip(ins, sca)])
    mib = 2 ** 20
    return [*_phase_figures(phases, n_tools), 
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


PHASE_ORDER = ("start-up", "introspect", "prime", "assess", "write html", "write md", "write json", "write sarif",
               "write csv")


def _phase_figures(runs: list[dict[str, tuple[float, float]]], n_tools: int) -> list[Figure]:
    """One row per stage of the scan: its CPU as a share of the scan process's own CPU (median over the runs), the
    CPU and wall seconds in the note (the machine may be shared: the shares are what compare)."""
    out = []
    for name in PHASE_ORDER:
        if not all(name in r for r in runs):
            continue
        share = median([r[name][1] / r["process"][1] for r in runs])
        cpu, wall = median([r[name][1] for r in runs]), median([r[name][0] for r in runs])
        what = {"start-up": "interpreter and imports until the command starts (process CPU)",
                "introspect": "introspecting every server (CPU of the main thread: mostly priming)",
                "prime": "priming each server's tools as it answers (within introspect)"}.get(name, "")
        note = f"CPU {cpu:.2f} s, wall {wall:.2f} s" + (f"; {cpu / n_tools * 1000:.2f} ms per tool" if name in (
            "prime", "assess") else "") + (f"; {what}" if what else "")
        out.append(Figure(f"scan stage: {name}", share, "x", baseline="the scan process's own CPU", note=note))
    own = median([r["process"][1] for r in runs])
    servers = median([r["servers"][1] for r in runs])
    out.append(Figure("scan stage: whole process", own, "s", baseline="CPU of the scan process (not its servers)",
                      note=f"wall {median([r['process'][0] for r in runs]):.2f} s; the replayed servers' CPU "
                           f"{servers:.2f} s; runs {len(runs)}"))
    return out
