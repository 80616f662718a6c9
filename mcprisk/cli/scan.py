"""The scan command: introspect (and probe) every server with progress, assess, and report or gate."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from .._errors import MCPRiskError
from .._files import FileRefused, check_writable
from .._resolve import ResolvedLaunch
from .._scrub import Scrubber
from ..classify import RuleFailure
from ..introspection import Limits
from ..probes import Posture, probe
from ..snapshot import Snapshot, load_snapshots
from ..specs import ServerSpec
from .parser import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_UNREACHABLE, UsageError
from .output import Progress, scan_summary
from .targets import pairs, saved_and_specs, switches

__all__ = ["cmd_scan", "introspect_with_progress", "scan_one"]


def scan_one(spec: ServerSpec, limits: Limits, inputs: dict[str, str], run_probe: bool
             ) -> tuple[Snapshot, Posture | RuleFailure | None]:
    """Introspect one server and, for HTTP, probe it: the posture, or the probe's crash as a failure of that server."""
    from ..introspection import introspect

    snap = introspect(spec, limits=limits, inputs=inputs)
    if not run_probe or spec.transport not in ("http", "sse"):
        return snap, None
    try:
        return snap, probe(spec, limits=limits, inputs=inputs)
    except Exception as exc:  # noqa: BLE001 - recorded as this server's failure and reported; the others go on
        return snap, probe_failure(spec, inputs, exc)


def probe_failure(spec: ServerSpec, inputs: dict[str, str], exc: Exception) -> RuleFailure:
    """A probe that raised, as a failure of its server (rule ``probe``), its text scrubbed of the spec's secrets."""
    try:
        secrets = ResolvedLaunch.resolve(spec, None, inputs).secret_values(spec)
    except MCPRiskError:  # the secrets cannot be filled: then the probe never held them either
        secrets = []
    return RuleFailure("probe", spec.name, Scrubber(secrets).text(f"{type(exc).__name__}: {exc}"))


def introspect_with_progress(specs: Sequence[ServerSpec], args: argparse.Namespace, progress: Progress,
                             on_snapshot: Callable[[Snapshot], None] | None = None
                             ) -> tuple[list[Snapshot], dict[str, Posture], list[RuleFailure]]:
    """Introspect (and, for HTTP, probe) every spec, ``--concurrency`` at a time, reporting each as it ends; a
    probe that crashed is noted at once and handed back as a failure of its server. ``on_snapshot`` gets each
    snapshot as it arrives, while the others are still being introspected."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    if args.concurrency < 1:
        raise UsageError("--concurrency must be 1 or more")
    limits = Limits(total_timeout=args.timeout) if args.timeout else Limits()
    inputs = pairs(args.input, "--input")
    results: list[Snapshot | None] = [None] * len(specs)
    postures: dict[str, Posture] = {}
    crashed: list[RuleFailure] = []
    progress.step(f"introspecting {len(specs)} server(s)…")
    with ThreadPoolExecutor(max_workers=min(args.concurrency, len(specs)), thread_name_prefix="mcprisk-scan") as pool:
        futures = {pool.submit(scan_one, spec, limits, inputs, not args.no_probe): i for i, spec in enumerate(specs)}
        for done, future in enumerate(as_completed(futures), 1):
            i = futures[future]
            snap, posture = future.result()
            results[i] = snap
            extra = ""
            if isinstance(posture, RuleFailure):
                crashed.append(posture)
                progress.note(f"the probe of {snap.name} crashed: {posture.error}")
                extra = ", probe crashed"
            elif posture is not None:
                postures[snap.name] = posture
                extra = f", probed ({len(posture.failed)} check(s) failed)"
            progress.step(f"[{done}/{len(specs)}] {snap.name}: {snap.status}, {len(snap.tools)} tool(s){extra}")
            if on_snapshot is not None:
                on_snapshot(snap)
    return [s for s in results if s is not None], postures, crashed


def _prime(snap: Snapshot) -> None:
    """``assessment.prime``, imported when the first server has answered: the assessment's modules (a third of a
    second) load while the other servers start, not before the first one is launched."""
    from ..assessment import prime

    prime(snap)


def cmd_scan(args: argparse.Namespace, command: Sequence[str], out: TextIO, err: TextIO) -> int:
    from .._gcpace import fewer_collections
    from ..render import FORMATS, REPORT_FILES, check_formats, now, render_format, write_report

    progress = Progress(err)
    try:
        formats = check_formats(args.format) if args.format else None
    except ValueError as exc:
        raise UsageError(f"--format: {exc}") from None
    if args.output is None and formats is not None and len(formats) > 1:
        raise UsageError("several --format values need -o DIR (only one format can go to stdout)")
    if args.output is None and formats == ("csv",):
        raise UsageError("--format csv writes two files (tools.csv, findings.csv); give -o DIR")
    inventory = tracking = baseline = None
    if args.inventory:
        from ..inventory import load_inventory

        inventory = load_inventory(args.inventory)
    if args.tracking:
        from ..tracking import load_tracking

        tracking = load_tracking(args.tracking)
    if args.baseline:
        baseline = load_snapshots(args.baseline)
    snapshots, specs = saved_and_specs(args, command, "scan")
    if "drift" in switches(getattr(args, "demo_insecure", "")) and baseline is None:
        progress.note("--demo-insecure drift changes the demo's definitions, which only a comparison shows: approve "
                      "a snapshot first (mcprisk inspect --demo --json -o approved.json), then add "
                      "--baseline approved.json to this scan")
    postures: dict[str, Posture] = {}
    crashed: list[RuleFailure] = []
    if specs:
        live, postures, crashed = introspect_with_progress(specs, args, progress, on_snapshot=_prime)
        snapshots.extend(live)
    from ..assessment import assess

    progress.step("assessing…")
    try:
        a = assess(snapshots, inventory=inventory, postures=postures, tracking=tracking, baseline=baseline)
    except ValueError as exc:  # two snapshots with one name
        raise UsageError(str(exc)) from None
    if crashed:  # reported with the rules that failed, in every format
        a = dataclasses.replace(a, rule_failures=(*a.rule_failures, *crashed))
    timestamp = None if args.timestamp is None else (now() if args.timestamp == "now" else args.timestamp)
    if args.output is not None:
        outdir = Path(args.output)
        if outdir.exists() and not outdir.is_dir():
            raise UsageError(f"-o {args.output}: exists and is not a directory")
        progress.step(f"writing {', '.join(formats or FORMATS)} to {outdir}…")
        try:
            for fmt in formats or FORMATS:
                for name in REPORT_FILES[fmt]:
                    check_writable(outdir / name)
            with fewer_collections():  # the reports' strings and trees live until written
                written = write_report(a, outdir, formats or FORMATS, timestamp=timestamp, base=Path.cwd())
        except OSError as exc:
            reason = exc.reason if isinstance(exc, FileRefused) else (exc.strerror or exc)
            raise UsageError(f"-o {args.output}: cannot write ({reason})") from None
        progress.clear()
        scan_summary(a, out, args.fail_on)
        out.write("\nwrote " + ", ".join(str(p) for p in written) + "\n")
    elif formats is not None:
        progress.clear()
        [(_, text)] = render_format(a, formats[0], timestamp=timestamp, base=Path.cwd()).items()
        out.write(text)
    else:
        progress.clear()
        scan_summary(a, out, args.fail_on)
    for entry in a.unmatched_tracking:
        progress.note(f"tracking entry {entry.pattern} matched no finding")
    for failure in a.rule_failures:
        if failure not in crashed:  # a crashed probe was noted when it ended
            progress.note(f"{failure.rule} failed on {failure.subject}: {failure.error}")
    incomplete = [s.name for s in a.snapshots if s.status != "complete"]
    gating = a.findings_at_least(args.fail_on) if args.fail_on else ()
    if incomplete:
        progress.note(f"could not introspect completely: {', '.join(incomplete)}")
        return EXIT_UNREACHABLE
    if a.rule_failures:
        progress.note(f"{len(a.rule_failures)} failure(s) inside mcprisk, named above and in the report: its "
                      "findings may be incomplete")
        return EXIT_INTERNAL
    if gating:
        progress.note(f"{len(gating)} open finding(s) at or above {args.fail_on}: "
                      + ", ".join(f.id for f in gating[:10]) + (" …" if len(gating) > 10 else ""))
        return EXIT_FINDINGS
    return EXIT_OK
