"""Command line for the demo servers: ``python -m mcprisk.demo <server> [options]`` (see ``--help``)."""

from __future__ import annotations

import argparse
import importlib
import sys

from mcprisk.demo import DEMO_SERVERS, INSECURE_SWITCHES, PROFILES, TOKEN_ENV, TRANSPORTS, check_options

_MODULES = {"support-desk": "mcprisk.demo.support_desk", "web-research": "mcprisk.demo.research"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mcprisk.demo",
        description="Run a bundled demo MCP server. Its tools are simulated on fake data and touch nothing outside.",
        epilog=f"Over http/sse the server requires 'Authorization: Bearer ${TOKEN_ENV}' unless --insecure no-auth, "
               "and prints 'MCPRISK_DEMO_READY <url>' to stderr once it is listening.",
    )
    parser.add_argument("server", choices=DEMO_SERVERS)
    parser.add_argument("--transport", choices=TRANSPORTS, default="stdio",
                        help="stdio (default), http (Streamable HTTP at /mcp) or sse (legacy HTTP+SSE at /sse)")
    parser.add_argument("--host", help="interface to bind for http/sse (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port for http/sse (default 0: pick a free one)")
    parser.add_argument("--profile", choices=PROFILES, default="full",
                        help="support-desk only: 'internal' leaves out the tools that reach outside the company")
    parser.add_argument("--insecure", default="", metavar="SWITCH[,SWITCH...]",
                        help=f"weaken the server on purpose, for detection demos: {', '.join(INSECURE_SWITCHES)}")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        switches = check_options(args.server, transport=args.transport, profile=args.profile,
                                 insecure=args.insecure, host=args.host, port=args.port)
    except ValueError as exc:
        parser.error(str(exc))

    module = importlib.import_module(_MODULES[args.server])
    server = module.build_server(profile=args.profile, insecure=switches)
    if args.transport == "stdio":
        try:
            server.run("stdio")
        except KeyboardInterrupt:
            return 130
        return 0

    from mcprisk.demo._http import DemoConfigError, serve

    try:
        serve(server, transport=args.transport, host=args.host, port=args.port or 0, insecure=switches,
              scopes=module.SCOPES, resource_name=module.TITLE)
    except DemoConfigError as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
