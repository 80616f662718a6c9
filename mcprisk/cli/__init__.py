"""The ``mcprisk`` command: a thin shell over the library's calls.

Exit codes: 0 clean (for ``probe``: the probe ran, whatever it found); 1 findings at or above --fail-on
(``scan``; accepted, mitigated and false_positive findings do not count) or drift found (``diff``); 2 usage or
input error; 3 a server could not be (fully) introspected (the others are still reported) or the probed
endpoint could not be reached; 4 mcprisk failed inside: a rule, the placement or a probe raised (``scan``: named
on stderr and in the report, as a failure of that server), or a renderer did (no report in that format).
``scan`` returns 3 before 4 before 1: an incomplete scan cannot be called clean, nor one whose rules did not all run.

A package: ``parser`` (the grammar), ``targets`` (which servers), ``output`` (what is printed),
``commands`` (inspect, probe, diff) and ``scan``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from .._errors import MCPRiskError, RenderError
from .._terminal import TerminalStream, sdk_notes
from .._text import terminal_safe
from .commands import cmd_diff, cmd_inspect, cmd_probe, cmd_rules
from .parser import EXIT_INTERNAL, EXIT_USAGE, UsageError, build_parser
from .scan import cmd_scan

__all__ = ["entry", "main"]


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
    parser = build_parser()
    with sdk_notes(err):
        try:
            args = parser.parse_args(argv)
            args.secret_values = secrets
            if args.command is None:
                parser.print_help(out)  # type: ignore[arg-type]
                return EXIT_USAGE
            args.listing_stream = out if args.command == "inspect" else err
            if args.command == "inspect":
                return cmd_inspect(args, command, out)
            if args.command == "probe":
                return cmd_probe(args, command, out)
            if args.command == "scan":
                return cmd_scan(args, command, out, err)
            if args.command == "diff":
                return cmd_diff(args, command, out)
            if args.command == "rules":
                return cmd_rules(args, out)
            raise UsageError(f"unknown command {args.command!r}")
        except UsageError as exc:
            err.write(f"mcprisk: error: {exc}\n")
            return EXIT_USAGE
        except RenderError as exc:
            err.write(f"mcprisk: error: {terminal_safe(str(exc))}\n")
            return EXIT_INTERNAL
        except MCPRiskError as exc:
            err.write(f"mcprisk: error: {terminal_safe(str(exc))}\n")
            return EXIT_USAGE
        except KeyboardInterrupt:
            err.write("mcprisk: interrupted\n")
            return 130


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
