"""The inspect, probe, diff and rules commands."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TextIO

from .._text import json_text_safe, terminal_safe
from ..introspection import Limits
from ..model import SEVERITIES
from ..probes import MAX_BURST, probe
from ..snapshot import load_snapshots, snapshots_to_json
from ..specs import ServerSpec, redact_args
from .parser import EXIT_FINDINGS, EXIT_OK, EXIT_UNREACHABLE, UsageError
from .output import list_specs, posture_summary, snapshot_summary, write_output
from .targets import gather, listed, pairs, remember_secrets

__all__ = ["cmd_diff", "cmd_inspect", "cmd_probe", "cmd_rules"]


def cmd_inspect(args: argparse.Namespace, command: Sequence[str], out: TextIO) -> int:
    if args.list:
        if args.snapshots or command or args.url or args.demo:
            raise UsageError("--list shows configured servers: use it with --config or --discover only")
        if not (args.config or args.discover):
            raise UsageError("--list needs --config or --discover")
        return list_specs(listed(args), out)
    snapshots = gather(args, command)
    if args.output:
        write_output(args.output, snapshots[0].to_json() if len(snapshots) == 1 else snapshots_to_json(snapshots))
    if args.json:
        if not args.output:
            out.write(snapshots[0].to_json() if len(snapshots) == 1 else snapshots_to_json(snapshots))
    else:
        for i, snap in enumerate(snapshots):
            if i:
                out.write("\n")
            snapshot_summary(snap, out)
        if args.output:
            out.write(f"\nwrote {args.output}\n")
    return EXIT_OK if all(s.ok for s in snapshots) else EXIT_UNREACHABLE


def cmd_probe(args: argparse.Namespace, command: Sequence[str], out: TextIO) -> int:
    if command:
        raise UsageError(f"unexpected arguments after --: {' '.join(redact_args(command))}")
    if args.burst < 0:
        raise UsageError(f"--burst must be 0 or more (at most {MAX_BURST} are sent); got {args.burst}")
    spec = ServerSpec.http(args.url, headers=pairs(args.header, "--header"), transport="sse" if args.sse else "http")
    remember_secrets(args, [spec])
    limits = Limits(total_timeout=args.timeout) if args.timeout else Limits()
    try:
        posture = probe(spec, limits=limits, allow_origins=args.allow_origin, burst=args.burst,
                        inputs=pairs(args.input, "--input"))
    except ValueError as exc:  # a malformed --allow-origin
        raise UsageError(str(exc)) from None
    if args.output:
        write_output(args.output, posture.to_json())
    if args.json:
        if not args.output:
            out.write(posture.to_json())
    else:
        posture_summary(posture, out)
        if args.output:
            out.write(f"\nwrote {args.output}\n")
    return EXIT_UNREACHABLE if posture.error else EXIT_OK


# --------------------------------------------------------------------------------------------
# scan and diff


def cmd_diff(args: argparse.Namespace, command: Sequence[str], out: TextIO) -> int:
    from ..drift import diff_snapshots, drift_findings

    if command:
        raise UsageError(f"unexpected arguments after --: {' '.join(redact_args(command))}")
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


def cmd_rules(args: argparse.Namespace, out: TextIO) -> int:
    """List every registered code, or explain the ones named; an unknown code is a usage error naming near ones."""
    import json
    import textwrap

    from ..registry import codes, explain, rules_markdown

    if args.markdown:
        if args.codes:
            raise UsageError("--markdown prints the whole reference: give no CODE with it")
        out.write(rules_markdown())
        return EXIT_OK
    try:
        chosen = [explain(c) for c in args.codes] if args.codes else list(codes().values())
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None
    if args.json:
        out.write(json.dumps([i.to_dict() for i in chosen], indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    if not args.codes:
        for i in chosen:
            out.write(f"{i.code:<32} {i.kind:<14} {(i.severity or '-'):<8} {i.title}\n")
        out.write(f"{len(chosen)} codes; `mcprisk rules CODE` explains one\n")
        return EXIT_OK
    for i in chosen:
        out.write(f"{i.code} — {i.title}\n  {i.kind}, family {i.family}"
                  + (f", severity {i.severity}" if i.severity else "") + (f", control {i.control}" if i.control else "")
                  + "\n" + textwrap.fill(i.description, 100, initial_indent="  ", subsequent_indent="  ") + "\n"
                  + (f"  References: {', '.join(i.references)}\n" if i.references else ""))
    return EXIT_OK

