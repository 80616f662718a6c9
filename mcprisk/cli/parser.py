"""The command line's grammar: every command and option, and the usage error that exits 2."""

from __future__ import annotations

import argparse

from .. import __version__
from ..model import SEVERITIES
from ..probes import MAX_BURST

__all__ = ["EXIT_FINDINGS", "EXIT_INTERNAL", "EXIT_OK", "EXIT_UNREACHABLE", "EXIT_USAGE", "Parser", "UsageError", "add_target_options", "build_parser"]


EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_INTERNAL = 0, 1, 2, 3, 4


class UsageError(Exception):
    """A problem with how the command was called; exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would exit(2) itself; keep control here
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="mcprisk", description="Where may this MCP server run, and what must be in place first?")
    parser.add_argument("--version", action="version", version=f"mcprisk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    inspect = sub.add_parser("inspect", help="connect to servers (never calling their tools) and show what they expose",
                             description="Introspect MCP servers from a client config, a command, a URL, the bundled "
                                         "demo, or read saved snapshots.")
    add_target_options(inspect)
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
    add_target_options(scan)
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

    rules = sub.add_parser("rules", help="list every code mcprisk can emit, or explain some (mcprisk rules INJ004)",
                           description="Every finding rule, classification rule, decision-tree step, no-go sign, cap "
                                       "and probe check, with its title, kind, severity and description.",
                           epilog="Exit codes: 0 listed; 2 a code that is not registered.")
    rules.add_argument("codes", nargs="*", metavar="CODE", help="codes to explain (default: list every code)")
    shape = rules.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print the codes as JSON")
    shape.add_argument("--markdown", action="store_true", help="print the rules reference (docs/RULES.md)")
    return parser


def add_target_options(p: argparse.ArgumentParser) -> None:
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
