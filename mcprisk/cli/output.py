"""What the commands print: snapshot and posture summaries, scan progress and the per-server verdict lines."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .._files import FileRefused, check_writable
from .._text import terminal_safe
from ..model import RESOLVED, SEVERITIES
from ..probes import Posture
from ..snapshot import Snapshot
from ..specs import ServerSpec
from .parser import EXIT_OK, UsageError

if TYPE_CHECKING:
    from ..assessment import Assessment

__all__ = ["Progress", "list_specs", "posture_summary", "scan_summary", "snapshot_summary", "verdict_line", "write_output"]


def snapshot_summary(snap: Snapshot, out: TextIO) -> None:
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


def list_specs(specs: Sequence[ServerSpec], out: TextIO) -> int:
    """``inspect --list``: each server, where it is configured, and what its launch alone shows; nothing starts."""
    from ..rules.launch import spec_findings

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


def write_output(path: str, text: str) -> None:
    """Write ``-o FILE``: a regular file only (writing to a FIFO would block until someone reads it)."""
    try:
        check_writable(path)
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        reason = exc.reason if isinstance(exc, FileRefused) else (exc.strerror or type(exc).__name__)
        raise UsageError(f"-o {path}: cannot write: {reason}") from None


def posture_summary(posture: Posture, out: TextIO) -> None:
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


class Progress:
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


def verdict_line(a: Assessment, snap: Snapshot) -> str:
    """The verdict first (DO NOT USE / NEEDS CONTROLS / READY and its sentence), then where it may run, what
    blocks it, what is missing, how far it could go; every code with its meaning."""
    from ..placement import describe

    s = terminal_safe
    p = next((p for p in a.placements if p.server == snap.name), None)
    v = next((v for v in a.verdicts if v.server == snap.name), None)
    mine = [f for f in a.findings if f.server == snap.name or snap.name in f.server.split("+")]
    open_ = [f for f in mine if f.status not in RESOLVED]
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
    missing = [c.control for c in p.current_controls if c.status == "missing"]
    if p.blocked_by:
        tail.append("remote blocked by: " + "; ".join(describe(b, lower=True) for b in p.blocked_by))
    if missing:
        tail.append("missing now: " + "; ".join(describe(c, lower=True) for c in missing))
    if p.ceiling is not None:
        tail.append(f"ceiling {p.ceiling.pattern}: {s(p.ceiling.summary)}")
    plan = p.split_plan
    if plan is not None and plan.move:
        tail.append(f"split for {plan.target_pattern}: {s(plan.text)}")
    return line + f"  ({counts})" + "".join(f"\n    {t}" for t in tail)


def scan_summary(a: Assessment, out: TextIO, fail_on: str | None) -> None:
    s = terminal_safe
    for snap in a.snapshots:
        out.write(verdict_line(a, snap) + "\n")
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
