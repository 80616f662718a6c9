"""The ``mcprisk`` command: a thin shell over the library's calls.

Exit codes: 0 clean (for ``probe``: the probe ran, whatever it found); 1 findings at or above --fail-on
(``scan``; accepted, mitigated and false_positive findings do not count) or drift found (``diff``); 2 usage or
input error; 3 a server could not be (fully) introspected (the others are still reported) or the probed
endpoint could not be reached. ``scan`` returns 3 before 1: an incomplete scan cannot be called clean.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from ._errors import MCPRiskError, SpecError
from ._files import FileRefused, check_writable
from ._terminal import TerminalStream, sdk_notes
from ._text import json_text_safe, terminal_safe
from .introspection import Limits, introspect_many
from .model import SEVERITIES
from .posture import MAX_BURST, Posture, probe
from .snapshot import Snapshot, load_snapshots, snapshots_to_json
from .specs import ServerSpec, redact_args

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3


class _UsageError(Exception):
    """A problem with how the command was called; exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would exit(2) itself; keep control here
        raise _UsageError(message)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mcprisk", description="Where may this MCP server run, and what must be in place first?")
    parser.add_argument("--version", action="version", version=f"mcprisk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    inspect = sub.add_parser("inspect", help="connect to servers (never calling their tools) and show what they expose",
                             description="Introspect MCP servers from a client config, a command, a URL, the bundled "
                                         "demo, or read saved snapshots.")
    _add_target_options(inspect)
    inspect.add_argument("--list", action="store_true",
                         help="with --config or --discover: list the servers, where each is configured and its "
                              "launch findings, without starting any")
    inspect.add_argument("--json", action="store_true", help="print snapshot JSON instead of a summary")
    inspect.add_argument("-o", "--output", metavar="FILE", help="write the JSON snapshot(s) to FILE")

    posture = sub.add_parser("probe", help="check what an HTTP endpoint enforces (auth, Origin, TLS, binding, CORS)",
                             description="Probe one Streamable HTTP (or --sse) endpoint with handshakes and listings "
                                         "only; never calls a tool.")
    posture.add_argument("url", metavar="URL", help="the endpoint, e.g. http://127.0.0.1:3001/mcp")
    posture.add_argument("--header", action="append", default=[], metavar="NAME=VALUE",
                         help="HTTP header to send (credentials); VALUE may be env:VAR to read it from the environment")
    posture.add_argument("--input", action="append", default=[], metavar="ID=VALUE",
                         help="value for a ${input:ID} placeholder in the URL or headers; VALUE may be env:VAR")
    posture.add_argument("--sse", action="store_true", help="the endpoint uses the legacy HTTP+SSE transport")
    posture.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                         help="another origin whose OAuth metadata may be fetched (default: the endpoint's own only)")
    posture.add_argument("--burst", type=int, default=0, metavar="N",
                         help=f"send N listing requests to look for a rate limit (opt-in, at most {MAX_BURST})")
    posture.add_argument("--timeout", type=float, default=None, metavar="SECONDS", help="whole-probe time limit")
    posture.add_argument("--json", action="store_true", help="print the posture as JSON instead of a summary")
    posture.add_argument("-o", "--output", metavar="FILE", help="write the posture JSON to FILE")

    scan = sub.add_parser(
        "scan", help="assess servers and write reports (HTML, Markdown, JSON, SARIF, CSV); gate CI with --fail-on",
        description="Introspect servers (never calling their tools), probe HTTP endpoints, classify every tool, "
                    "find risks and recommend where each server may run; print a summary or write reports. "
                    "--demo scans the bundled support-desk demo server (honest by default; --demo web-research "
                    "for the other one, --demo-insecure lying-annotations,poisoned,drift for one with planted "
                    "problems). Put every option before -- when using --stdio.",
        epilog="Exit codes: 0 clean; 1 open findings at or above --fail-on (accepted, mitigated and false_positive "
               "tracking statuses do not count) or drift findings that reach it; 2 usage or input error; 3 a server "
               "could not be (fully) introspected (the others are still reported).")
    _add_target_options(scan)
    scan.add_argument("--demo-insecure", metavar="SWITCHES", default="",
                      help="comma list of problems to plant in the demo server (lying-annotations, no-annotations, "
                           "poisoned, drift); implies --demo. drift shows only against --baseline")
    scan.add_argument("--inventory", metavar="FILE", help="the operator's inventory (YAML): credentials, data stores, "
                                                          "audience, controls in place")
    scan.add_argument("--tracking", metavar="FILE", help="risk tracking (YAML): findings accepted, mitigated, ...")
    scan.add_argument("--baseline", metavar="SNAPSHOT.json",
                      help="the approved snapshot(s): report what was added, removed or changed since (DRIFT findings)")
    scan.add_argument("--format", metavar="LIST",
                      help="comma list of html, md, json, sarif, csv (default with -o: all; without -o: one format "
                           "to stdout, or a summary when not given)")
    scan.add_argument("-o", "--output", metavar="DIR", help="write the reports into DIR (created; nothing is written "
                                                             "outside it)")
    scan.add_argument("--fail-on", choices=SEVERITIES, metavar="SEVERITY",
                      help="exit 1 when an open finding is at or above SEVERITY (info, low, medium, high, critical); "
                           "default: findings never fail the command")
    scan.add_argument("--no-probe", action="store_true", help="do not probe HTTP endpoints (probes only handshake and "
                                                                "list; they are on by default)")
    scan.add_argument("--timestamp", nargs="?", const="now", metavar="ISO8601",
                      help="put a time in the reports: now, or the time given (reports carry none by default)")

    diff = sub.add_parser("diff", help="what changed between two saved snapshots (drift, the rug pull)",
                          description="Compare an approved snapshot with a newer one: servers, tools, resources, "
                                      "templates and prompts added, removed or changed, field by field.",
                          epilog="Exit codes: 0 no drift; 1 drift found; 2 usage or input error.")
    diff.add_argument("old", metavar="APPROVED.json", help="the approved snapshot (or snapshot set)")
    diff.add_argument("new", metavar="CURRENT.json", help="the snapshot to compare with it")
    diff.add_argument("--json", action="store_true", help="print the drift as JSON")
    return parser


def _add_target_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("snapshots", nargs="*", metavar="SNAPSHOT.json", help="saved snapshot files to read (offline)")
    p.add_argument("--config", action="append", default=[], metavar="FILE",
                   help="an MCP client config of any supported client (data/configs/README.md); repeatable")
    p.add_argument("--discover", action="store_true",
                   help="every MCP client config under your home folder and in the current folder (Claude, VS Code, "
                        "Cursor, Windsurf, Zed, Codex, Gemini, Goose, Continue, Cline, Roo, opencode, Amazon Q, "
                        "LM Studio, Junie); lists what it found, then uses its servers")
    p.add_argument("--server", action="append", default=[], metavar="NAME",
                   help="only these servers from --config or --discover; repeatable")
    p.add_argument("--stdio", action="store_true",
                   help="launch the command after -- as a stdio server: --stdio -- npx -y PACKAGE")
    p.add_argument("--url", action="append", default=[], help="a Streamable HTTP endpoint; repeatable")
    p.add_argument("--sse", action="store_true", help="the --url endpoints use the legacy HTTP+SSE transport")
    p.add_argument("--header", action="append", default=[], metavar="NAME=VALUE",
                   help="HTTP header for --url; VALUE may be env:VAR to read it from the environment")
    p.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                   help="environment variable for --stdio; VALUE may be env:VAR")
    p.add_argument("--input", action="append", default=[], metavar="ID=VALUE",
                   help="value for a VS Code ${input:ID} placeholder; VALUE may be env:VAR")
    p.add_argument("--name", help="a name for the --stdio/--url server")
    p.add_argument("--demo", nargs="?", const="support-desk", metavar="SERVER",
                   help="the bundled demo server (support-desk or web-research)")
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="whole-server time limit (default 90)")
    p.add_argument("--concurrency", type=int, default=8, help="servers introspected at once (default 8)")


def _pairs(values: Sequence[str], what: str) -> dict[str, str]:
    """NAME=VALUE options; VALUE ``env:VAR`` becomes a ``${env:VAR}`` reference (resolved at connect)."""
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise _UsageError(f"{what} {redact_args([item])[0]!r}: expected NAME=VALUE")
        out[name] = "${env:" + value[4:] + "}" if value.startswith("env:") else value
    return out


def _specs(args: argparse.Namespace, command: Sequence[str]) -> list[ServerSpec]:
    """The live targets the options name, through ``mcprisk.targets`` (the notebooks' way in too)."""
    if args.stdio and not command:
        raise _UsageError("--stdio needs a command after --, e.g. mcprisk inspect --stdio -- npx -y PACKAGE")
    if command and not args.stdio:
        raise _UsageError(f"unexpected arguments after --: {' '.join(redact_args(command))} (did you mean --stdio?)")
    if args.server and not (args.config or args.discover):
        raise _UsageError("--server selects servers from --config or --discover; give one of them")
    if getattr(args, "demo_insecure", "") and not args.demo:
        args.demo = "support-desk"  # planted problems only exist in a demo server: --demo-insecure implies --demo
    found = _discovered(args) if args.discover else []
    if not (args.config or command or args.url or args.demo):
        return _selected(found, args.server) if args.discover else []
    from .targeting import targets

    try:
        specs = targets(config=args.config or None, servers=(args.server or None) if args.config else None,
                        command=list(command) or None, env=_pairs(args.env, "--env"), url=args.url,
                        headers=_pairs(args.header, "--header"), sse=args.sse, name=args.name, demo=args.demo,
                        demo_insecure=getattr(args, "demo_insecure", "") or ())
    except ValueError as exc:  # unknown demo server or switch
        raise _UsageError(f"--demo: {exc}") from None
    except SpecError as exc:
        raise _UsageError(str(exc)) from None
    specs = specs + (_selected(found, args.server) if args.discover else [])
    _remember_secrets(args, specs)
    return specs


def _switches(text: str) -> set[str]:
    return {w.strip() for w in (text or "").split(",") if w.strip()}


def _discovered(args: argparse.Namespace) -> list[ServerSpec]:
    """Every server ``--discover`` finds (disabled ones included, marked), after listing where they came from."""
    from .discovery import discover

    found = discover()
    stream = args.listing_stream
    stream.write(f"mcprisk: --discover: {len(found.configs)} config file(s) found under {found.home} and "
                 f"{found.project}\n")
    for line in found.lines():
        stream.write(f"  {terminal_safe(line)}\n")
    stream.flush()
    return found.servers(include_disabled=True)


def _selected(found: list[ServerSpec], names: Sequence[str]) -> list[ServerSpec]:
    """The discovered servers to use: those named by --server (disabled or not), else every enabled one."""
    if not names:
        return [s for s in found if not s.disabled]
    missing = set(names) - {s.name for s in found}
    if missing:
        raise _UsageError(f"server(s) {', '.join(sorted(missing))} not found by --discover "
                          f"(found: {', '.join(s.name for s in found) or 'none'})")
    return [s for s in found if s.name in set(names)]


def _remember_secrets(args: argparse.Namespace, specs: Sequence[ServerSpec]) -> None:
    """Teach the command's output streams the secret values these specs carry (resolved where possible)."""
    from .introspection import _Launch

    known: list[str] = getattr(args, "secret_values", [])
    inputs = _pairs(getattr(args, "input", []), "--input")
    for spec in specs:
        try:
            known.extend(_Launch.resolve(spec, None, inputs).secret_values(spec))
        except SpecError:  # an input not given yet: the literal parts are still secrets
            known.extend([*spec.secrets.env.values(), *spec.secrets.headers.values()])
    known.extend(v for v in inputs.values() if not v.startswith("${"))


def _saved_and_specs(args: argparse.Namespace, command: Sequence[str], verb: str
                     ) -> tuple[list[Snapshot], list[ServerSpec]]:
    """Saved snapshots named on the command line, and the live targets; at least one of them."""
    snapshots: list[Snapshot] = []
    for path in args.snapshots:
        snapshots.extend(load_snapshots(path))
    specs = _specs(args, command)
    if not snapshots and not specs and not getattr(args, "discover", False):
        raise _UsageError(f"nothing to {verb}: give --config, --discover, --stdio -- CMD, --url, --demo or a "
                          "snapshot file")
    if not snapshots and not specs:
        raise _UsageError(f"nothing to {verb}: --discover found no MCP server to start")
    return snapshots, specs


def _gather(args: argparse.Namespace, command: Sequence[str]) -> list[Snapshot]:
    snapshots, specs = _saved_and_specs(args, command, "inspect")
    if specs:
        limits = Limits(total_timeout=args.timeout) if args.timeout else Limits()
        snapshots.extend(introspect_many(specs, concurrency=args.concurrency, limits=limits,
                                         inputs=_pairs(args.input, "--input")))
    return snapshots


def _summary(snap: Snapshot, out: TextIO) -> None:
    """A human summary of one snapshot; every server-supplied string is made terminal-safe."""
    s = terminal_safe
    info = snap.server_info or {}
    era = f"{snap.era} {snap.protocol_version}" if snap.era else "-"
    out.write(f"{s(snap.name)}  [{snap.status}]  {era}  {s(snap.server.transport)}: {s(snap.server.target)}\n")
    if info:
        title = f' "{s(str(info["title"]))}"' if info.get("title") else ""
        out.write(f"  server: {s(str(info.get('name', '?')))} {s(str(info.get('version', '')))}{title}\n")
    counts = ", ".join(f"{len(getattr(snap, k))} {k.replace('_', ' ')}"
                       for k in ("tools", "resources", "resource_templates", "prompts"))
    timing = f"  ({snap.timings['total']:.2f} s)" if "total" in snap.timings else ""
    out.write(f"  {counts}{timing}\n")
    width = max((len(t.name) for t in snap.tools), default=0)
    for tool in snap.tools:
        desc = s((tool.description or "").strip().splitlines()[0] if (tool.description or "").strip() else "")
        out.write(f"    {s(tool.name).ljust(min(width, 32))}  {desc[:90]}\n")
    for issue in snap.errors:
        mark = "error" if issue.fatal else "note"
        out.write(f"  {mark}: {issue.stage}: {issue.code}: {s(issue.message)}\n")


def _listed(args: argparse.Namespace) -> list[ServerSpec]:
    """Every configured server --config and --discover name, disabled ones included (marked)."""
    from .configs import load_config

    specs = [s for path in args.config for s in load_config(str(Path(path).expanduser()))]
    specs += _discovered(args) if args.discover else []
    if args.server:
        missing = set(args.server) - {s.name for s in specs}
        if missing:
            raise _UsageError(f"server(s) {', '.join(sorted(missing))} not found "
                              f"(servers: {', '.join(s.name for s in specs) or 'none'})")
        specs = [s for s in specs if s.name in set(args.server)]
    return specs


def _list_specs(specs: Sequence[ServerSpec], out: TextIO) -> int:
    """``inspect --list``: each server, where it is configured, and what its launch alone shows; nothing starts."""
    from .rules.launch import spec_findings

    s = terminal_safe
    for spec in specs:
        src = spec.source
        where = f"{src.client} {src.scope or ''}: {src.path}:{src.line}".replace(" :", ":") if src else "command line"
        flags = (" [disabled]" if spec.disabled else "") + (
            f" [auto-approves: {', '.join(spec.auto_approve[:5])}]" if spec.auto_approve else "")
        out.write(f"{s(spec.name)}{flags}  {s(spec.transport)}: {s(spec.target)}\n  from {s(where)}\n")
        for f in spec_findings(spec):
            line = src.line_of(f.location) if src else None
            out.write(f"  {f.severity:<8} {f.code} {s(f.title)}" + (f" (line {line})" if line else "") + "\n")
            out.write(f"           {s(f.message)}\n")
    if not specs:
        out.write("no servers\n")
    return EXIT_OK


def _cmd_inspect(args: argparse.Namespace, command: Sequence[str], out: TextIO) -> int:
    if args.list:
        if args.snapshots or command or args.url or args.demo:
            raise _UsageError("--list shows configured servers: use it with --config or --discover only")
        if not (args.config or args.discover):
            raise _UsageError("--list needs --config or --discover")
        return _list_specs(_listed(args), out)
    snapshots = _gather(args, command)
    if args.output:
        _write_output(args.output, snapshots[0].to_json() if len(snapshots) == 1 else snapshots_to_json(snapshots))
    if args.json:
        if not args.output:
            out.write(snapshots[0].to_json() if len(snapshots) == 1 else snapshots_to_json(snapshots))
    else:
        for i, snap in enumerate(snapshots):
            if i:
                out.write("\n")
            _summary(snap, out)
        if args.output:
            out.write(f"\nwrote {args.output}\n")
    return EXIT_OK if all(s.ok for s in snapshots) else EXIT_UNREACHABLE


def _write_output(path: str, text: str) -> None:
    """Write ``-o FILE``: a regular file only (writing to a FIFO would block until someone reads it)."""
    try:
        check_writable(path)
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        reason = exc.reason if isinstance(exc, FileRefused) else (exc.strerror or type(exc).__name__)
        raise _UsageError(f"-o {path}: cannot write: {reason}") from None


def _posture_summary(posture: Posture, out: TextIO) -> None:
    """One line per check; failures add what they mean. Server-supplied text is made terminal-safe."""
    s = terminal_safe
    out.write(f"{s(posture.name)}  {s(posture.transport)}: {s(posture.url or '-')}\n")
    if posture.error:
        out.write(f"  error: {s(posture.error)}\n")
    width = max(len(c.id) for c in posture.checks)
    for c in posture.checks:
        severity = f" [{c.severity_if_failed}]" if c.outcome == "fail" else ""
        out.write(f"  {c.outcome:<8} {c.id.ljust(width)}  {s(c.received)}{severity}\n")
        if c.outcome == "fail" or (c.outcome == "unknown" and c.received != "not run"):
            out.write(f"  {'':<8} {''.ljust(width)}  -> {s(c.meaning)}\n")
    not_run = [c for c in posture.checks if c.received == "not run"]
    if not_run:
        out.write(f"  {s(not_run[0].meaning)}\n")
    controls = sorted({c.control for c in posture.checks if c.control})
    statuses = [f"{name} {posture.control_status(name)}" for name in controls if posture.control_status(name)]
    if statuses:
        out.write(f"  controls: {', '.join(statuses)}\n")


def _cmd_probe(args: argparse.Namespace, command: Sequence[str], out: TextIO) -> int:
    if command:
        raise _UsageError(f"unexpected arguments after --: {' '.join(redact_args(command))}")
    if args.burst < 0:
        raise _UsageError(f"--burst must be 0 or more (at most {MAX_BURST} are sent); got {args.burst}")
    spec = ServerSpec.http(args.url, headers=_pairs(args.header, "--header"), transport="sse" if args.sse else "http")
    _remember_secrets(args, [spec])
    limits = Limits(total_timeout=args.timeout) if args.timeout else Limits()
    try:
        posture = probe(spec, limits=limits, allow_origins=args.allow_origin, burst=args.burst,
                        inputs=_pairs(args.input, "--input"))
    except ValueError as exc:  # a malformed --allow-origin
        raise _UsageError(str(exc)) from None
    if args.output:
        _write_output(args.output, posture.to_json())
    if args.json:
        if not args.output:
            out.write(posture.to_json())
    else:
        _posture_summary(posture, out)
        if args.output:
            out.write(f"\nwrote {args.output}\n")
    return EXIT_UNREACHABLE if posture.error else EXIT_OK


# --------------------------------------------------------------------------------------------
# scan and diff


class _Progress:
    """Progress on stderr: one self-rewriting line on a terminal, plain lines otherwise (CI logs)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        isatty = getattr(stream, "isatty", None)
        self.tty = bool(isatty and isatty())
        self._open = False

    def step(self, message: str) -> None:
        message = terminal_safe(message)
        if self.tty:
            self._control("\r\x1b[K")
            self.stream.write(message[:150])
            self._open = True
        else:
            self.stream.write(f"mcprisk: {message}\n")
        self.stream.flush()

    def note(self, message: str) -> None:
        """A line that stays, also on a terminal."""
        self.clear()
        self.stream.write(f"mcprisk: {terminal_safe(message)}\n")
        self.stream.flush()

    def clear(self) -> None:
        if self._open:
            self._control("\r\x1b[K")
            self.stream.flush()
            self._open = False

    def _control(self, codes: str) -> None:
        """Cursor codes of the progress line itself: the one thing written to a terminal unescaped."""
        control = getattr(self.stream, "control", None)
        (control or self.stream.write)(codes)


def _scan_one(spec: ServerSpec, limits: Limits, inputs: dict[str, str], run_probe: bool) -> tuple[Snapshot, Any]:
    from .introspection import introspect

    snap = introspect(spec, limits=limits, inputs=inputs)
    posture = None
    if run_probe and spec.transport in ("http", "sse"):
        try:
            posture = probe(spec, limits=limits, inputs=inputs)
        except Exception:  # noqa: BLE001 - a failed probe leaves the controls unverified, never stops the scan
            posture = None
    return snap, posture


def _introspect_with_progress(specs: Sequence[ServerSpec], args: argparse.Namespace, progress: _Progress
                              ) -> tuple[list[Snapshot], dict[str, Any]]:
    """Introspect (and, for HTTP, probe) every spec, ``--concurrency`` at a time, reporting each as it ends."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    if args.concurrency < 1:
        raise _UsageError("--concurrency must be 1 or more")
    limits = Limits(total_timeout=args.timeout) if args.timeout else Limits()
    inputs = _pairs(args.input, "--input")
    results: list[Snapshot | None] = [None] * len(specs)
    postures: dict[str, Any] = {}
    progress.step(f"introspecting {len(specs)} server(s)…")
    with ThreadPoolExecutor(max_workers=min(args.concurrency, len(specs)), thread_name_prefix="mcprisk-scan") as pool:
        futures = {pool.submit(_scan_one, spec, limits, inputs, not args.no_probe): i for i, spec in enumerate(specs)}
        for done, future in enumerate(as_completed(futures), 1):
            i = futures[future]
            snap, posture = future.result()
            results[i] = snap
            if posture is not None:
                postures[snap.name] = posture
            extra = f", probed ({len(posture.failed)} check(s) failed)" if posture is not None else ""
            progress.step(f"[{done}/{len(specs)}] {snap.name}: {snap.status}, {len(snap.tools)} tool(s){extra}")
    return [s for s in results if s is not None], postures


def _verdict_line(a: Any, snap: Snapshot) -> str:
    """The verdict first (DO NOT USE / NEEDS CONTROLS / READY and its sentence), then where it may run, what
    blocks it, what is missing, how far it could go; every code with its meaning."""
    from .placement import describe

    s = terminal_safe
    p = next((p for p in a.placements if p.server == snap.name), None)
    v = next((v for v in getattr(a, "verdicts", ()) if v.server == snap.name), None)
    mine = [f for f in a.findings if f.server == snap.name or snap.name in f.server.split("+")]
    open_ = [f for f in mine if f.status not in ("accepted", "mitigated", "false_positive")]
    per = [(sev, sum(1 for f in open_ if f.severity == sev)) for sev in reversed(SEVERITIES)]
    counts = ", ".join(f"{n} {sev}" for sev, n in per if n) or "no open findings"
    head = f"{s(snap.name)}  [{snap.status}]" + (f"  {v.label.upper()}" if v is not None else "")
    tail = [s(v.summary)] if v is not None else []
    if p is None:
        return f"{head}  placement not computed  ({counts})" + "".join(f"\n    {t}" for t in tail)
    if p.current == p.recommended:
        now = "as it does now"
    else:
        now = f"runs as {p.current} now" if p.current else "runs as ? now"
    line = f"{head}  run as {p.recommended} ({now})"
    if p.current is not None and p.current not in p.allowed:
        line += "  MOVE IT"
    missing = [c.control for c in getattr(p, "current_controls", ()) if c.status == "missing"]
    if p.blocked_by:
        tail.append("remote blocked by: " + "; ".join(describe(b, lower=True) for b in p.blocked_by))
    if missing:
        tail.append("missing now: " + "; ".join(describe(c, lower=True) for c in missing))
    if p.ceiling is not None:
        tail.append(f"ceiling {p.ceiling.pattern}: {s(p.ceiling.summary)}")
    plan = getattr(p, "split_plan", None)
    if plan is not None and plan.move:
        tail.append(f"split for {plan.target_pattern}: {s(plan.text)}")
    return line + f"  ({counts})" + "".join(f"\n    {t}" for t in tail)


def _scan_summary(a: Any, out: TextIO, fail_on: str | None) -> None:
    s = terminal_safe
    for snap in a.snapshots:
        out.write(_verdict_line(a, snap) + "\n")
    gating = {f.id for f in a.findings_at_least(fail_on)} if fail_on else set()
    shown = [f for f in a.findings if f.severity in ("critical", "high") or f.id in gating]
    if shown:
        out.write("\n")
    for f in shown[:25]:
        mark = "" if f.status == "open" else f" [{f.status}]"
        out.write(f"  {f.severity:<8} {s(f.id)}{mark}\n           {s(f.title)}\n")
    if len(shown) > 25:
        out.write(f"  … and {len(shown) - 25} more\n")
    for r in a.rule_failures:
        out.write(f"  rule {r.rule} failed on {s(r.subject)}: {s(r.error)}\n")


def _cmd_scan(args: argparse.Namespace, command: Sequence[str], out: TextIO, err: TextIO) -> int:
    from .assessment import assess
    from .render import FORMATS, check_formats, write_report
    from .render._write import REPORT_FILES
    from .render._common import now
    from .render._write import render

    progress = _Progress(err)
    try:
        formats = check_formats(args.format) if args.format else None
    except ValueError as exc:
        raise _UsageError(f"--format: {exc}") from None
    if args.output is None and formats is not None and len(formats) > 1:
        raise _UsageError("several --format values need -o DIR (only one format can go to stdout)")
    if args.output is None and formats == ("csv",):
        raise _UsageError("--format csv writes two files (tools.csv, findings.csv); give -o DIR")
    inventory = tracking = baseline = None
    if args.inventory:
        from .inventory import load_inventory

        inventory = load_inventory(args.inventory)
    if args.tracking:
        from .tracking import load_tracking

        tracking = load_tracking(args.tracking)
    if args.baseline:
        baseline = load_snapshots(args.baseline)
    snapshots, specs = _saved_and_specs(args, command, "scan")
    if "drift" in _switches(getattr(args, "demo_insecure", "")) and baseline is None:
        progress.note("--demo-insecure drift changes the demo's definitions, which only a comparison shows: approve "
                      "a snapshot first (mcprisk inspect --demo --json -o approved.json), then add "
                      "--baseline approved.json to this scan")
    postures: dict[str, Any] = {}
    if specs:
        live, postures = _introspect_with_progress(specs, args, progress)
        snapshots.extend(live)
    progress.step("assessing…")
    try:
        a = assess(snapshots, inventory=inventory, postures=postures, tracking=tracking, baseline=baseline)
    except ValueError as exc:  # two snapshots with one name
        raise _UsageError(str(exc)) from None
    timestamp = None if args.timestamp is None else (now() if args.timestamp == "now" else args.timestamp)
    if args.output is not None:
        outdir = Path(args.output)
        if outdir.exists() and not outdir.is_dir():
            raise _UsageError(f"-o {args.output}: exists and is not a directory")
        progress.step(f"writing {', '.join(formats or FORMATS)} to {outdir}…")
        try:
            for fmt in formats or FORMATS:
                for name in REPORT_FILES[fmt]:
                    check_writable(outdir / name)
            written = write_report(a, outdir, formats or FORMATS, timestamp=timestamp, base=Path.cwd())
        except OSError as exc:
            reason = exc.reason if isinstance(exc, FileRefused) else (exc.strerror or exc)
            raise _UsageError(f"-o {args.output}: cannot write ({reason})") from None
        progress.clear()
        _scan_summary(a, out, args.fail_on)
        out.write("\nwrote " + ", ".join(str(p) for p in written) + "\n")
    elif formats is not None:
        progress.clear()
        [(_, text)] = render(a, formats[0], timestamp=timestamp, base=Path.cwd()).items()
        out.write(text)
    else:
        progress.clear()
        _scan_summary(a, out, args.fail_on)
    for entry in a.unmatched_tracking:
        progress.note(f"tracking entry {getattr(entry, 'pattern', entry)} matched no finding")
    incomplete = [s.name for s in a.snapshots if s.status != "complete"]
    gating = a.findings_at_least(args.fail_on) if args.fail_on else ()
    if incomplete:
        progress.note(f"could not introspect completely: {', '.join(incomplete)}")
        return EXIT_UNREACHABLE
    if gating:
        progress.note(f"{len(gating)} open finding(s) at or above {args.fail_on}: "
                      + ", ".join(f.id for f in gating[:10]) + (" …" if len(gating) > 10 else ""))
        return EXIT_FINDINGS
    return EXIT_OK


def _cmd_diff(args: argparse.Namespace, command: Sequence[str], out: TextIO) -> int:
    from .drift import diff_snapshots, drift_findings

    if command:
        raise _UsageError(f"unexpected arguments after --: {' '.join(redact_args(command))}")
    drift = diff_snapshots(load_snapshots(args.old), load_snapshots(args.new))
    if args.json:
        import json

        out.write(json_text_safe(json.dumps(drift.to_dict(), indent=2, sort_keys=True, ensure_ascii=False)) + "\n")
        return EXIT_FINDINGS if drift.changed else EXIT_OK
    s = terminal_safe
    if not drift.changed:
        out.write("no drift: every server, tool, resource, template and prompt matches\n")
        return EXIT_OK
    for name in drift.added_servers:
        out.write(f"+ server {s(name)}\n")
    for name in drift.removed_servers:
        out.write(f"- server {s(name)}\n")
    for sd in drift.servers:
        if not sd.changed and not sd.not_compared:
            continue
        out.write(f"{s(sd.server)}\n")
        if sd.instructions is not None:
            out.write(f"  ~ instructions: {s(sd.instructions.summary)}\n")
        for item in sd.items:
            mark = {"added": "+", "removed": "-", "changed": "~"}[item.change]
            out.write(f"  {mark} {item.kind.rstrip('s').replace('_', ' ')} {s(item.key)}\n")
            for fc in item.fields:
                out.write(f"      {s(fc.summary)}\n")
        if sd.not_compared:
            out.write(f"  not compared (not listed): {', '.join(sd.not_compared)}\n")
    findings = drift_findings(drift)
    worst = max((SEVERITIES.index(f.severity) for f in findings), default=0)
    out.write(f"\n{len(findings)} drift finding(s), worst {SEVERITIES[worst]}\n")
    return EXIT_FINDINGS


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it).

    Everything written to ``out`` and ``err`` passes through the one scrubbing point (known secrets and
    credential shapes removed, control and invisible characters made visible); log records of the mcp SDK
    and warnings become single ``mcprisk:`` lines on ``err``, never tracebacks.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    secrets: list[str] = []
    out = TerminalStream(out or sys.stdout, secrets)
    err = TerminalStream(err or sys.stderr, secrets)
    command: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, command = argv[:cut], argv[cut + 1:]
    parser = _build_parser()
    with sdk_notes(err):
        try:
            args = parser.parse_args(argv)
            args.secret_values = secrets
            if args.command is None:
                parser.print_help(out)  # type: ignore[arg-type]
                return EXIT_USAGE
            args.listing_stream = out if args.command == "inspect" else err
            if args.command == "inspect":
                return _cmd_inspect(args, command, out)
            if args.command == "probe":
                return _cmd_probe(args, command, out)
            if args.command == "scan":
                return _cmd_scan(args, command, out, err)
            if args.command == "diff":
                return _cmd_diff(args, command, out)
            raise _UsageError(f"unknown command {args.command!r}")
        except _UsageError as exc:
            err.write(f"mcprisk: error: {exc}\n")
            return EXIT_USAGE
        except MCPRiskError as exc:
            err.write(f"mcprisk: error: {terminal_safe(str(exc))}\n")
            return EXIT_USAGE
        except KeyboardInterrupt:
            err.write("mcprisk: interrupted\n")
            return 130


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
