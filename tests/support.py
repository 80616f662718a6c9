"""Helpers shared by tests: the hostile-server zoo and fast limits."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from mcprisk import Limits, ServerSpec
from mcprisk.snapshot import Tool, item_from_wire

TESTS = Path(__file__).resolve().parent
ZOO = TESTS / "zoo" / "hostile_stdio.py"
ZOO_HTTP = TESTS / "zoo" / "hostile_http.py"

# Tight limits so every hostile case ends in a few seconds; the bound each test asserts derives from these.
FAST = Limits(connect_timeout=3.0, probe_timeout=1.5, request_timeout=2.0, total_timeout=8.0, shutdown_grace=0.5)


def zoo_spec(behaviour: str, *, modern: bool = False, env: dict[str, str] | None = None) -> ServerSpec:
    """A stdio spec for one behaviour of the hostile zoo server."""
    args = [str(ZOO), behaviour] + (["--modern"] if modern else [])
    return ServerSpec.stdio([sys.executable, *args], name=f"zoo-{behaviour}", env=env)


@contextlib.contextmanager
def zoo_http(behaviour: str, *, lifetime: float = 60.0) -> Iterator[str]:
    """Run one behaviour of the hostile HTTP zoo server on loopback; yield its URL; always stop it."""
    proc = subprocess.Popen([sys.executable, str(ZOO_HTTP), behaviour, "--lifetime", str(lifetime)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), f"the zoo server did not start: {url!r}"
        yield url
    finally:
        os.killpg(proc.pid, 9)
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


@contextlib.contextmanager
def everything_http(npx: str, workdir: Path) -> Iterator[str]:
    """Run npm's server-everything in streamableHttp mode pinned to 127.0.0.1; yield its /mcp URL.

    It binds all interfaces by default and takes its port as a string from $PORT, so a preload rewrites
    every numeric listen() to loopback. The process group is always stopped.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    preload = workdir / "loopback.cjs"
    preload.write_text("const net=require('net');const l=net.Server.prototype.listen;"
                       "net.Server.prototype.listen=function(...a){const p=a[0];"
                       "if(typeof p==='number'||(typeof p==='string'&&/^[0-9]+$/.test(p))){"
                       "return l.call(this,Number(p),'127.0.0.1',...a.slice(1).filter(x=>typeof x==='function'))}"
                       "return l.apply(this,a)};")
    env = {**os.environ, "PORT": str(port), "NODE_OPTIONS": f"-r {preload}"}
    proc = subprocess.Popen([npx, "-y", "@modelcontextprotocol/server-everything", "streamableHttp"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=10)


def tool_def(name: str, description: str = "", properties: dict | None = None,
             annotations: dict | None = None) -> Tool:
    """A tool definition as a server would list it (for classifier tests)."""
    raw: dict = {"name": name, "description": description,
                 "inputSchema": {"type": "object", "properties": properties or {}}}
    if annotations is not None:
        raw["annotations"] = annotations
    return item_from_wire("tools", raw, max_text_chars=10_000)
