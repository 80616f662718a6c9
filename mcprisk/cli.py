"""The ``mcprisk`` command: a thin shell over the library's calls.

Exit codes: 0 clean; 1 findings at or above --fail-on; 2 usage or input error; 3 a server could not
be (fully) introspected (the others are still reported).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from ._errors import MCPRiskError
from ._text import terminal_safe
from .introspect import Limits, introspect_many
from .snapshot import Snapshot, load_snapshots, snapshots_to_json
from .specs import ServerSpec

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
    inspect.add_argument("--json", action="store_true", help="print snapshot JSON instead of a summary")
    inspect.add_argument("-o", "--output", metavar="FILE", help="write the JSON snapshot(s) to FILE")
    return parser


def _add_target_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("snapshots", nargs="*", metavar="SNAPSHOT.json", help="saved snapshot files to read (offline)")
    p.add_argument("--config", action="append", default=[], metavar="FILE",
                   help="an MCP client config (Claude Desktop/Code, VS Code, Cursor, Windsurf); repeatable")
    p.add_argument("--server", action="append", default=[], metavar="NAME",
                   help="only these servers from --config; repeatable")
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
            raise _UsageError(f"{what} {name or item!r}: expected NAME=VALUE")
        out[name] = "${env:" + value[4:] + "}" if value.startswith("env:") else value
    return out


def _specs(args: argparse.Namespace, command: Sequence[str]) -> list[ServerSpec]:
    specs: list[ServerSpec] = []
    if args.config:
        from .configs import load_config

        for path in args.config:
            specs.extend(load_config(path))
        if args.server:
            wanted = set(args.server)
            missing = wanted - {s.name for s in specs}
            if missing:
                known = ", ".join(sorted(s.name for s in specs)) or "none"
                raise _UsageError(f"--server {', '.join(sorted(missing))}: not in the config (servers: {known})")
            specs = [s for s in specs if s.name in wanted]
    elif args.server:
        raise _UsageError("--server selects servers from --config; give a --config")
    if args.stdio:
        if not command:
            raise _UsageError("--stdio needs a command after --, e.g. mcprisk inspect --stdio -- npx -y PACKAGE")
        specs.append(ServerSpec.stdio(list(command), name=args.name, env=_pairs(args.env, "--env")))
    elif command:
        raise _UsageError(f"unexpected arguments after --: {' '.join(command)} (did you mean --stdio?)")
    headers = _pairs(args.header, "--header")
    for url in args.url:
        specs.append(ServerSpec.http(url, name=args.name if len(args.url) == 1 else None, headers=headers,
                                     transport="sse" if args.sse else "http"))
    if args.demo:
        from .demo import demo_spec

        specs.append(demo_spec(args.demo))
    names = [s.name for s in specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise _UsageError(f"two servers are named {', '.join(dupes)}; give --name or select with --server")
    return specs


def _gather(args: argparse.Namespace, command: Sequence[str]) -> list[Snapshot]:
    snapshots: list[Snapshot] = []
    for path in args.snapshots:
        snapshots.extend(load_snapshots(path))
    specs = _specs(args, command)
    if not snapshots and not specs:
        raise _UsageError("nothing to inspect: give --config, --stdio -- CMD, --url, --demo or a snapshot file")
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


def _cmd_inspect(args: argparse.Namespace, command: Sequence[str], out: TextIO) -> int:
    snapshots = _gather(args, command)
    if args.output:
        path = Path(args.output)
        text = snapshots[0].to_json() if len(snapshots) == 1 else snapshots_to_json(snapshots)
        path.write_text(text, encoding="utf-8")
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


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    out = out or sys.stdout
    err = err or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    command: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, command = argv[:cut], argv[cut + 1:]
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(out)
            return EXIT_USAGE
        if args.command == "inspect":
            return _cmd_inspect(args, command, out)
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
