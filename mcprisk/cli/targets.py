"""Which servers a command works on: saved snapshots, a command after --, config files, discovery, the demo."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from .._errors import SpecError
from .._text import terminal_safe
from ..introspection import Limits, introspect_many
from ..snapshot import Snapshot, load_snapshots
from ..specs import ServerSpec, redact_args
from .parser import UsageError

__all__ = ["discovered", "gather", "listed", "pairs", "remember_secrets", "saved_and_specs", "selected", "switches", "target_specs"]


def pairs(values: Sequence[str], what: str) -> dict[str, str]:
    """NAME=VALUE options; VALUE ``env:VAR`` becomes a ``${env:VAR}`` reference (resolved at connect)."""
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"{what} {redact_args([item])[0]!r}: expected NAME=VALUE")
        out[name] = "${env:" + value[4:] + "}" if value.startswith("env:") else value
    return out


def target_specs(args: argparse.Namespace, command: Sequence[str]) -> list[ServerSpec]:
    """The live targets the options name, through ``mcprisk.targets`` (the notebooks' way in too)."""
    if args.stdio and not command:
        raise UsageError("--stdio needs a command after --, e.g. mcprisk inspect --stdio -- npx -y PACKAGE")
    if command and not args.stdio:
        raise UsageError(f"unexpected arguments after --: {' '.join(redact_args(command))} (did you mean --stdio?)")
    if args.server and not (args.config or args.discover):
        raise UsageError("--server selects servers from --config or --discover; give one of them")
    if getattr(args, "demo_insecure", "") and not args.demo:
        args.demo = "support-desk"  # planted problems only exist in a demo server: --demo-insecure implies --demo
    found = discovered(args) if args.discover else []
    if not (args.config or command or args.url or args.demo):
        return selected(found, args.server) if args.discover else []
    from ..targeting import targets

    try:
        specs = targets(config=args.config or None, servers=(args.server or None) if args.config else None,
                        command=list(command) or None, env=pairs(args.env, "--env"), url=args.url,
                        headers=pairs(args.header, "--header"), sse=args.sse, name=args.name, demo=args.demo,
                        demo_insecure=getattr(args, "demo_insecure", "") or ())
    except ValueError as exc:  # unknown demo server or switch
        raise UsageError(f"--demo: {exc}") from None
    except SpecError as exc:
        raise UsageError(str(exc)) from None
    specs = specs + (selected(found, args.server) if args.discover else [])
    remember_secrets(args, specs)
    return specs


def switches(text: str) -> set[str]:
    return {w.strip() for w in (text or "").split(",") if w.strip()}


def discovered(args: argparse.Namespace) -> list[ServerSpec]:
    """Every server ``--discover`` finds (disabled ones included, marked), after listing where they came from."""
    from ..discovery import discover

    found = discover()
    stream = args.listing_stream
    stream.write(f"mcprisk: --discover: {len(found.configs)} config file(s) found under {found.home} and "
                 f"{found.project}\n")
    for line in found.lines():
        stream.write(f"  {terminal_safe(line)}\n")
    stream.flush()
    return found.servers(include_disabled=True)


def selected(found: list[ServerSpec], names: Sequence[str]) -> list[ServerSpec]:
    """The discovered servers to use: those named by --server (disabled or not), else every enabled one."""
    if not names:
        return [s for s in found if not s.disabled]
    missing = set(names) - {s.name for s in found}
    if missing:
        raise UsageError(f"server(s) {', '.join(sorted(missing))} not found by --discover "
                          f"(found: {', '.join(s.name for s in found) or 'none'})")
    return [s for s in found if s.name in set(names)]


def remember_secrets(args: argparse.Namespace, specs: Sequence[ServerSpec]) -> None:
    """Teach the command's output streams the secret values these specs carry (resolved where possible)."""
    from .._resolve import ResolvedLaunch

    known: list[str] = getattr(args, "secret_values", [])
    inputs = pairs(getattr(args, "input", []), "--input")
    for spec in specs:
        try:
            known.extend(ResolvedLaunch.resolve(spec, None, inputs).secret_values(spec))
        except SpecError:  # an input not given yet: the literal parts are still secrets
            known.extend([*spec.secrets.env.values(), *spec.secrets.headers.values()])
    known.extend(v for v in inputs.values() if not v.startswith("${"))


def saved_and_specs(args: argparse.Namespace, command: Sequence[str], verb: str
                     ) -> tuple[list[Snapshot], list[ServerSpec]]:
    """Saved snapshots named on the command line, and the live targets; at least one of them."""
    snapshots: list[Snapshot] = []
    for path in args.snapshots:
        snapshots.extend(load_snapshots(path))
    specs = target_specs(args, command)
    if not snapshots and not specs and not getattr(args, "discover", False):
        raise UsageError(f"nothing to {verb}: give --config, --discover, --stdio -- CMD, --url, --demo or a "
                          "snapshot file")
    if not snapshots and not specs:
        raise UsageError(f"nothing to {verb}: --discover found no MCP server to start")
    return snapshots, specs


def gather(args: argparse.Namespace, command: Sequence[str]) -> list[Snapshot]:
    snapshots, specs = saved_and_specs(args, command, "inspect")
    if specs:
        limits = Limits(total_timeout=args.timeout) if args.timeout else Limits()
        snapshots.extend(introspect_many(specs, concurrency=args.concurrency, limits=limits,
                                         inputs=pairs(args.input, "--input")))
    return snapshots


def listed(args: argparse.Namespace) -> list[ServerSpec]:
    """Every configured server --config and --discover name, disabled ones included (marked)."""
    from ..configs import load_config

    specs = [s for path in args.config for s in load_config(str(Path(path).expanduser()))]
    specs += discovered(args) if args.discover else []
    if args.server:
        missing = set(args.server) - {s.name for s in specs}
        if missing:
            raise UsageError(f"server(s) {', '.join(sorted(missing))} not found "
                              f"(servers: {', '.join(s.name for s in specs) or 'none'})")
        specs = [s for s in specs if s.name in set(args.server)]
    return specs
