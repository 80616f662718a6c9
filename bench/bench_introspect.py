"""Introspection: overhead against a bare SDK client, concurrency, 200 servers, and memory under a huge message
and an endless HTTP body.

Every ratio compares runs interleaved in this process, so machine noise hits both sides alike.
The memory figures run in fresh subprocesses so each peak RSS is clean.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio

from bench import REPO, Figure, children_cpu, median, median_ci, spread, zoo_http, zoo_spec

MiB = 2**20
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass(frozen=True)
class Run:
    """One measured introspection (or batch): wall seconds, this process's CPU, reaped children's CPU."""

    wall: float
    client_cpu: float
    server_cpu: float
    ok: int = 1
    total: int = 1


async def measured(fn: Callable[[], Awaitable[Any]]) -> Run:
    gc.collect()
    c0, s0, t0 = time.process_time(), children_cpu(), time.perf_counter()
    out = await fn()
    wall = time.perf_counter() - t0
    client, server = time.process_time() - c0, children_cpu() - s0
    snaps = out if isinstance(out, list) else [out]
    ok = sum(1 for s in snaps if getattr(s, "status", "complete") == "complete")
    return Run(wall, client, server, ok, len(snaps))


# --------------------------------------------------------------------------------------------
# The baseline: a minimal hand-written client on the bare mcp SDK doing the same work


async def sdk_listing(server: Any) -> dict[str, int]:
    """Connect (discover, falling back to initialize), list all four kinds with pagination, close."""
    from mcp import Client

    counts: dict[str, int] = {}
    async with Client(server, mode="auto", cache=None) as client:
        caps = client.server_capabilities
        lists = []
        if caps.tools is not None:
            lists.append(("tools", client.list_tools))
        if caps.resources is not None:
            lists += [("resources", client.list_resources), ("resource_templates", client.list_resource_templates)]
        if caps.prompts is not None:
            lists.append(("prompts", client.list_prompts))
        for kind, fetch in lists:
            cursor, n = None, 0
            while True:
                page = await fetch(cursor=cursor)
                n += len(getattr(page, kind))
                cursor = page.next_cursor
                if cursor is None:
                    break
            counts[kind] = n
    return counts


def sdk_stdio_params(spec: Any) -> Any:
    from mcp import StdioServerParameters

    # mcprisk finds a bare command beside this Python too (the venv's console scripts); do the same.
    command = shutil.which(spec.command) or shutil.which(spec.command, path=os.path.dirname(sys.executable))
    return StdioServerParameters(command=command or spec.command, args=list(spec.args))


async def pairs(n: int, a: Callable[[], Awaitable[Any]], b: Callable[[], Awaitable[Any]]) -> tuple[list[Run], list[Run]]:
    """``n`` runs of each, interleaved A B B A A B ... after one warm-up of each."""
    await a()
    await b()
    ra: list[Run] = []
    rb: list[Run] = []
    for i in range(n):
        if i % 2 == 0:
            ra.append(await measured(a))
            rb.append(await measured(b))
        else:
            rb.append(await measured(b))
            ra.append(await measured(a))
    return ra, rb


def overhead_figures(label: str, ours: list[Run], base: list[Run], *, target: str | None) -> list[Figure]:
    ratios = [x.wall / y.wall for x, y in zip(ours, base)]
    cpu_ratios = [x.client_cpu / y.client_cpu for x, y in zip(ours, base) if y.client_cpu > 0]
    failed = sum(r.total - r.ok for r in ours)
    lo, hi = median_ci(ratios)
    note = (f"median wall mcprisk {median([r.wall for r in ours]) * 1000:.0f} ms vs SDK "
            f"{median([r.wall for r in base]) * 1000:.0f} ms over {len(ours)} interleaved pairs; "
            f"pair ratios {spread(ratios)}, 90% CI of the median ratio {lo:.2f}–{hi:.2f}"
            + (f"; {failed} mcprisk run(s) not complete" if failed else ""))
    cpu_note = (f"client-process CPU per introspection: mcprisk {median([r.client_cpu for r in ours]) * 1000:.0f} ms, "
                f"SDK {median([r.client_cpu for r in base]) * 1000:.0f} ms (server process CPU "
                f"{median([r.server_cpu for r in ours]) * 1000:.0f} ms, not included)")
    return [
        Figure(f"overhead vs bare SDK client, {label} (wall)", median(ratios), "x", target,
               "hand-written mcp.Client: connect (auto), list 4 kinds paginated, close", note=note),
        Figure(f"overhead vs bare SDK client, {label} (client CPU)", median(cpu_ratios) if cpu_ratios else None, "x",
               None, "same pairs, CPU time of this process only", note=cpu_note),
    ]


def bench_overhead_stdio(n: int) -> list[Figure]:
    from mcprisk import introspect_async
    from mcprisk.demo import demo_spec

    spec = demo_spec("support-desk")
    params = sdk_stdio_params(spec)

    async def main() -> tuple[list[Run], list[Run]]:
        return await pairs(n, lambda: introspect_async(spec), lambda: sdk_listing(params))

    ours, base = anyio.run(main)
    return overhead_figures("stdio demo", ours, base, target="<= 1.10x")


def bench_overhead_zoo(n: int) -> list[Figure]:
    """The same comparison on a server that starts in ~30 ms, so the client's own cost is not hidden."""
    from mcprisk import introspect_async

    spec = zoo_spec("healthy", modern=True)
    params = sdk_stdio_params(spec)

    async def main() -> tuple[list[Run], list[Run]]:
        return await pairs(n, lambda: introspect_async(spec), lambda: sdk_listing(params))

    ours, base = anyio.run(main)
    return overhead_figures("stdio zoo healthy (fast start)", ours, base, target=None)


def bench_import(reps: int) -> list[Figure]:
    """CPU to import mcprisk in a fresh process (every demo server and every CLI run pays it) vs the mcp SDK."""
    def cpu(code: str) -> float:
        before = children_cpu()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
        return children_cpu() - before

    ours, base = [], []
    for _ in range(reps):
        ours.append(cpu("import mcprisk"))
        base.append(cpu("import mcp.client.session, mcp.client.stdio, mcp.client.streamable_http"))
    return [Figure("import mcprisk, fresh process (CPU)", median(ours), "s", None,
                   f"importing the mcp client SDK alone: {median(base):.2f} s",
                   note=f"{median(ours) / median(base):.1f}x the SDK import; runs {spread(ours)} s. The stdio demo "
                        "server imports the mcprisk package, so this is most of its start-up")]


def bench_overhead_http(n: int) -> list[Figure]:
    from mcprisk import introspect_async
    from mcprisk.demo import serve_http

    with serve_http("support-desk", insecure="no-auth") as server:
        spec, url = server.spec(), server.url

        async def main() -> tuple[list[Run], list[Run]]:
            return await pairs(n, lambda: introspect_async(spec), lambda: sdk_listing(url))

        ours, base = anyio.run(main)
    return overhead_figures("Streamable HTTP demo", ours, base, target="<= 1.10x")


# --------------------------------------------------------------------------------------------
# Concurrency: 20 at once versus the slowest of them alone


def bench_concurrency(label: str, specs: Sequence[Any], reps: int, *, target: str) -> list[Figure]:
    from mcprisk import introspect_async, introspect_many_async

    async def together() -> Run:
        return await measured(lambda: introspect_many_async(specs, concurrency=len(specs)))

    # Each distinct server alone once per round (identical copies would only add samples to the max,
    # flattering the ratio); the slowest of them is the baseline.
    distinct = list({(s.command, s.args, s.url): s for s in specs}.values())

    async def alone() -> list[Run]:
        return [await measured(lambda s=s: introspect_async(s)) for s in distinct]

    async def main() -> list[tuple[Run, list[Run]]]:
        await introspect_many_async(specs[:2], concurrency=2)  # warm-up: imports, caches
        out = []
        for i in range(reps):
            if i % 2 == 0:
                t = await together()
                a = await alone()
            else:
                a = await alone()
                t = await together()
            out.append((t, a))
        return out

    runs = anyio.run(main)
    ratios = [t.wall / max(r.wall for r in a) for t, a in runs]
    slowest = [max(r.wall for r in a) for _, a in runs]
    walls = [t.wall for t, _ in runs]
    # What 2 cores allow: every server's CPU (start-up dominates) queued on the cores, after the
    # longest wait that needs no CPU (measured alone: wall minus CPU). The client cannot beat it.
    model = []
    for t, a in runs:
        wait = max(max(r.wall - r.client_cpu - r.server_cpu, 0.0) for r in a)
        model.append(max(wait + (t.client_cpu + t.server_cpu) / CORES, max(r.wall for r in a)) / max(r.wall for r in a))
    client = [t.client_cpu for t, _ in runs]
    server = [t.server_cpu for t, _ in runs]
    incomplete = sum(t.total - t.ok for t, _ in runs) + sum(r.total - r.ok for _, a in runs for r in a)
    note = (f"{len(specs)} at once {median(walls):.2f} s vs slowest alone {median(slowest):.2f} s "
            f"({reps} interleaved rounds; ratios {spread(ratios)}); batch CPU: servers {median(server):.2f} s, "
            f"client {median(client):.2f} s on {CORES} cores"
            + (f"; {incomplete} introspection(s) not complete" if incomplete else ""))
    share = median([sv / (sv + c) for sv, c in zip(server, client)]) * 100
    figures = [
        Figure(f"{len(specs)} concurrent vs slowest alone, {label}", median(ratios), "x", target,
               f"slowest of the {len(distinct)} distinct servers, each introspected alone, same run",
               note=note),
        Figure(f"  CPU-contention model of that ratio, {label}", median(model), "x", None,
               f"(longest non-CPU wait alone + batch CPU / {CORES} cores) / slowest alone",
               note=f"the server processes use {share:.0f}% of the batch's CPU; the client the rest"),
        Figure(f"  measured / model, {label}", median([r / m for r, m in zip(ratios, model)]), "x", None,
               "the ratio above divided by the CPU-contention model",
               note="near 1.0: the client adds no waiting of its own beyond the CPU the batch needs"),
    ]
    return figures


def delayed_zoo_spec(seconds: float, *, modern: bool = False) -> Any:
    """A zoo healthy server that first waits ``seconds`` without using CPU, as npx/uvx or a slow backend would."""
    from mcprisk import ServerSpec

    spec = zoo_spec("healthy", modern=modern)
    return ServerSpec.stdio(["/bin/sh", "-c", f'sleep {seconds:g}; exec "$0" "$@"', spec.command, *spec.args],
                            name=f"{spec.name}-after-{seconds:g}s")


def per_process_cpu(reps: int) -> list[Figure]:
    """CPU one introspection costs: the server process (start-up + answering) and this client process."""
    from mcprisk import introspect_async
    from mcprisk.demo import demo_spec

    subjects = {"demo support-desk": demo_spec("support-desk"), "zoo healthy": zoo_spec("healthy")}

    async def main() -> dict[str, list[Run]]:
        out: dict[str, list[Run]] = {k: [] for k in subjects}
        for _ in range(reps):
            for k, spec in subjects.items():
                out[k].append(await measured(lambda spec=spec: introspect_async(spec)))
        return out

    runs = anyio.run(main)
    figures = []
    for k, rs in runs.items():
        figures.append(Figure(f"server process CPU per introspection, {k}", median([r.server_cpu for r in rs]) * 1000,
                              "ms", None, "getrusage(RUSAGE_CHILDREN) delta",
                              note=f"wall {median([r.wall for r in rs]) * 1000:.0f} ms, client CPU "
                                   f"{median([r.client_cpu for r in rs]) * 1000:.0f} ms"))
        figures.append(Figure(f"client CPU per introspection, {k}", median([r.client_cpu for r in rs]) * 1000, "ms",
                              None, "time.process_time delta of this process"))
    return figures


# --------------------------------------------------------------------------------------------
# Memory: fresh subprocesses, so ru_maxrss is this one measurement's peak

_MEMORY_SCRIPT = r"""
import gc, json, sys, time, tracemalloc
sys.path.insert(0, sys.argv[1])
from bench import maxrss_bytes, reset_peak_rss, rss_bytes, zoo_spec
from mcprisk import Limits, ServerSpec, introspect_many
job = json.loads(sys.argv[2])
specs = [zoo_spec(b, modern=m) for b, m in job["servers"]] + [ServerSpec.http(u) for u in job.get("urls", ())]
limits = Limits(max_message_bytes=job["cap"]) if job.get("cap") else None
gc.collect()
reset = reset_peak_rss()
rss0, peak0 = rss_bytes(), maxrss_bytes()
if job.get("trace"):
    tracemalloc.start()
t0 = time.perf_counter()
snaps = introspect_many(specs, concurrency=job["concurrency"], limits=limits)
wall = time.perf_counter() - t0
traced = tracemalloc.get_traced_memory()[1] if job.get("trace") else None
print(json.dumps({"wall": wall, "reset": reset, "rss0": rss0, "peak0": peak0, "peak": maxrss_bytes(), "traced_peak": traced,
                  "complete": sum(s.status == "complete" for s in snaps), "n": len(snaps),
                  "codes": sorted({e.code for s in snaps for e in s.errors})}))
"""


def memory_job(servers: list[tuple[str, bool]], *, concurrency: int = 1, cap: int | None = None,
               trace: bool = False, urls: Sequence[str] = ()) -> dict[str, Any]:
    job = {"servers": servers, "concurrency": concurrency, "cap": cap, "trace": trace, "urls": list(urls)}
    proc = subprocess.run([sys.executable, "-c", _MEMORY_SCRIPT, str(REPO), json.dumps(job)],
                          capture_output=True, text=True, timeout=600, cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(f"memory subprocess failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_many(sizes: Sequence[int], reps: int, concurrency: int = 16) -> list[Figure]:
    figures = []
    per: dict[int, dict[str, float]] = {}
    for n in sizes:
        servers = [("healthy", i % 2 == 1) for i in range(n)]
        plain = [memory_job(servers, concurrency=concurrency) for _ in range(reps)]
        traced = memory_job(servers, concurrency=concurrency, trace=True)
        wall = median([r["wall"] for r in plain])
        rss = median([(r["peak"] - r["rss0"]) / MiB for r in plain])
        incomplete = sum(r["n"] - r["complete"] for r in plain) + traced["n"] - traced["complete"]
        per[n] = {"wall": wall, "rss": rss}
        base = f"{n} zoo healthy servers (half legacy, half modern), concurrency {concurrency}"
        figures += [
            Figure(f"{n} servers: wall time", wall, "s", None, base,
                   note=f"{wall / n * 1000:.0f} ms/server; runs {spread([r['wall'] for r in plain])} s"
                        + (f"; {incomplete} not complete" if incomplete else "")),
            Figure(f"{n} servers: peak RSS increase", rss, "MiB", None,
                   "peak RSS (VmHWM, reset at start) minus RSS before, fresh process",
                   note=f"runs {spread([(r['peak'] - r['rss0']) / MiB for r in plain])} MiB"),
            Figure(f"{n} servers: Python heap peak (tracemalloc)", traced["traced_peak"] / MiB, "MiB", None,
                   "tracemalloc peak during introspect_many, separate run",
                   note=f"{traced['traced_peak'] / n / 1024:.0f} KiB/server"),
        ]
    lo, hi = min(sizes), max(sizes)
    if hi > lo:
        figures.append(Figure(f"wall time growth {lo} -> {hi} servers", per[hi]["wall"] / per[lo]["wall"], "x", None,
                              f"{hi / lo:.0f}x the servers: linear would be {hi / lo:.1f}x"))
        figures.append(Figure(f"peak RSS growth {lo} -> {hi} servers", per[hi]["rss"] - per[lo]["rss"], "MiB", None,
                              f"extra peak memory for {hi - lo} more servers at the same concurrency",
                              note=f"{(per[hi]['rss'] - per[lo]['rss']) * 1024 / (hi - lo):.0f} KiB per extra server"))
    return figures


def bench_huge_message(reps: int) -> list[Figure]:
    """Peak RSS while a server sends one 100 MiB line, against the same process on a healthy server."""
    figures = []
    message = 100 * MiB
    for cap in (32 * MiB, 8 * MiB):  # the default cap, and a smaller one to show the peak follows the cap
        huge, healthy = [], []
        for _ in range(reps):
            healthy.append(memory_job([("healthy", False)], cap=cap))
            huge.append(memory_job([("huge-message", False)], cap=cap))
        inc_huge = median([(r["peak"] - r["rss0"]) / MiB for r in huge])
        inc_healthy = median([(r["peak"] - r["rss0"]) / MiB for r in healthy])
        extra = (inc_huge - inc_healthy) * MiB
        codes = sorted(set().union(*(r["codes"] for r in huge)))
        cap_txt = f"max_message_bytes={cap // MiB} MiB" + (" (default)" if cap == 32 * MiB else "")
        figures += [
            Figure(f"100 MiB message, {cap_txt}: peak RSS increase / cap", extra / cap, "x", "<= 1.25x",
                   "same subprocess introspecting zoo healthy",
                   note=f"peak RSS above start: huge-message {inc_huge:.1f} MiB, healthy {inc_healthy:.1f} MiB "
                        f"({reps} runs each); snapshot error codes {codes}"),
            Figure(f"100 MiB message, {cap_txt}: peak RSS increase / message", extra / message, "x", None,
                   "the 100 MiB message the server sent", note=f"extra peak {extra / MiB:.1f} MiB"),
        ]
    return figures


def bench_endless_body(reps: int) -> list[Figure]:
    """Peak RSS while an HTTP server answers tools/list with an application/json body that never ends, against
    the same process on a healthy HTTP server: the counting reader must stop at the message cap."""
    cap = 32 * MiB
    endless, healthy = [], []
    with zoo_http("endless-json") as endless_url, zoo_http("healthy") as healthy_url:
        for _ in range(reps):
            healthy.append(memory_job([], cap=cap, urls=[healthy_url]))
            endless.append(memory_job([], cap=cap, urls=[endless_url]))
    inc_endless = median([(r["peak"] - r["rss0"]) / MiB for r in endless])
    inc_healthy = median([(r["peak"] - r["rss0"]) / MiB for r in healthy])
    extra = (inc_endless - inc_healthy) * MiB
    codes = sorted(set().union(*(r["codes"] for r in endless)))
    return [Figure("endless HTTP body (application/json), max_message_bytes=32 MiB (default): peak RSS increase / "
                   "cap", extra / cap, "x", "<= 1.25x", "same subprocess introspecting the healthy HTTP zoo server",
                   note=f"peak RSS above start: endless {inc_endless:.1f} MiB, healthy {inc_healthy:.1f} MiB "
                        f"({reps} runs each; wall {median([r['wall'] for r in endless]):.2f} s); "
                        f"snapshot error codes {codes}")]


# --------------------------------------------------------------------------------------------


def run(quick: bool) -> list[Figure]:
    from mcprisk.demo import demo_spec

    n_pairs = 4 if quick else 15
    reps = 1 if quick else 5
    figures = []
    figures += bench_overhead_stdio(n_pairs if quick else 25)  # the noisiest pair: seconds of server start-up
    figures += bench_overhead_zoo(n_pairs)
    figures += bench_overhead_http(n_pairs)
    figures += bench_import(2 if quick else 5)
    figures += per_process_cpu(2 if quick else 5)

    demo = demo_spec("support-desk")
    mixed = []
    for i in range(20):  # 10 demo servers and 10 zoo servers, interleaved
        mixed.append(demo if i % 2 == 0 else zoo_spec("healthy", modern=i % 4 == 1))
    figures += bench_concurrency("10 demo + 10 zoo healthy", mixed, reps, target="<= 1.5x")
    zoo_only = [zoo_spec("healthy", modern=i % 2 == 1) for i in range(20)]
    figures += bench_concurrency("20 zoo healthy (cheap to start)", zoo_only, reps, target="<= 1.5x")
    waiting = [delayed_zoo_spec(1.0, modern=i % 2 == 1) for i in range(20)]
    figures += bench_concurrency("20 zoo healthy behind a 1 s start-up wait (no CPU)", waiting, reps,
                                 target="<= 1.5x")

    figures += bench_many((20, 50) if quick else (50, 100, 200), 1 if quick else 3)
    figures += bench_huge_message(1 if quick else 3)
    figures += bench_endless_body(1 if quick else 3)
    return figures
