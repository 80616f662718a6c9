"""Bundled demo MCP servers (support-desk, web-research) and helpers to launch them for notebooks and tests.

Importing this package loads no MCP SDK code; the servers themselves live in ``support_desk`` and
``research`` and run in a child process (``python -m mcprisk.demo``).
"""

from __future__ import annotations

import contextlib
import os
import queue
import secrets
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # pragma: no cover
    from mcprisk.specs import ServerSpec

__all__ = [
    "DEMO_SERVERS",
    "INSECURE_SWITCHES",
    "PROFILES",
    "READY_MARKER",
    "TOKEN_ENV",
    "TRANSPORTS",
    "DemoHTTPServer",
    "check_options",
    "demo_command",
    "demo_spec",
    "normalize_insecure",
    "serve_http",
]

DEMO_SERVERS = ("support-desk", "web-research")
TRANSPORTS = ("stdio", "http", "sse")
PROFILES = ("full", "internal")

# Switches that weaken the HTTP endpoint, and switches that change what the server lists.
HTTP_SWITCHES = ("bind-all", "cors", "no-auth", "no-origin")
LISTING_SWITCHES = ("drift", "lying-annotations", "no-annotations", "poisoned")
INSECURE_SWITCHES = tuple(sorted(HTTP_SWITCHES + LISTING_SWITCHES))

_SERVER_PROFILES = {"support-desk": ("full", "internal"), "web-research": ("full",)}
_SERVER_LISTING_SWITCHES = {"support-desk": LISTING_SWITCHES, "web-research": ("no-annotations",)}

TOKEN_ENV = "MCPRISK_DEMO_TOKEN"
"""Environment variable holding the bearer token a secure HTTP demo server expects."""

READY_MARKER = "MCPRISK_DEMO_READY"
"""Prefix of the one line an HTTP demo server writes to stderr once it accepts connections."""

_READY_TIMEOUT = 20.0
_STOP_TIMEOUT = 5.0


def normalize_insecure(insecure: str | Iterable[str] = ()) -> tuple[str, ...]:
    """Turn ``"cors,no-auth"`` or ``["no-auth", "cors"]`` into a sorted tuple of known switch names."""
    items = insecure.split(",") if isinstance(insecure, str) else list(insecure)
    switches = {item.strip() for item in items if item and item.strip()}
    unknown = sorted(switches.difference(INSECURE_SWITCHES))
    if unknown:
        raise ValueError(f"unknown insecure switch(es) {', '.join(unknown)}; known: {', '.join(INSECURE_SWITCHES)}")
    return tuple(sorted(switches))


def check_options(server: str, *, transport: str = "stdio", profile: str = "full",
                  insecure: str | Iterable[str] = (), host: str | None = None,
                  port: int | None = None) -> tuple[str, ...]:
    """Validate one combination of demo options and return the normalised insecure switches.

    Raises ``ValueError`` naming the offending option, so mistakes surface before a process starts.
    """
    if server not in DEMO_SERVERS:
        raise ValueError(f"unknown demo server {server!r}; choose one of {', '.join(DEMO_SERVERS)}")
    if transport not in TRANSPORTS:
        raise ValueError(f"unknown transport {transport!r}; choose one of {', '.join(TRANSPORTS)}")
    if profile not in _SERVER_PROFILES[server]:
        raise ValueError(f"{server} has no profile {profile!r}; choose one of {', '.join(_SERVER_PROFILES[server])}")
    switches = normalize_insecure(insecure)
    unsupported = [s for s in switches if s in LISTING_SWITCHES and s not in _SERVER_LISTING_SWITCHES[server]]
    if unsupported:
        raise ValueError(f"{server} does not support --insecure {', '.join(unsupported)}")
    if "lying-annotations" in switches and "no-annotations" in switches:
        raise ValueError("--insecure lying-annotations and no-annotations contradict each other; pick one")
    if "drift" in switches and profile == "internal":
        raise ValueError("--insecure drift changes send_customer_email, which the internal profile leaves out")
    if transport == "stdio":
        http_only = [s for s in switches if s in HTTP_SWITCHES]
        if http_only:
            raise ValueError(f"--insecure {', '.join(http_only)} only applies to the http and sse transports")
        if host is not None or port is not None:
            raise ValueError("--host and --port only apply to the http and sse transports")
    if port is not None and not 0 <= port <= 65535:
        raise ValueError(f"port {port} is out of range (0-65535; 0 picks a free port)")
    if "bind-all" in switches and host not in (None, "0.0.0.0"):
        raise ValueError("--insecure bind-all binds 0.0.0.0; do not combine it with another --host")
    return switches


def demo_command(server: str = "support-desk", *, transport: str = "stdio", profile: str = "full",
                 insecure: str | Iterable[str] = (), port: int | None = None,
                 host: str | None = None) -> list[str]:
    """The argv that runs one demo server with this interpreter: ``[python, "-m", "mcprisk.demo", ...]``.

    Only non-default options are spelled out, so equal options give equal commands.
    """
    switches = check_options(server, transport=transport, profile=profile, insecure=insecure, host=host, port=port)
    cmd = [sys.executable, "-m", "mcprisk.demo", server]
    if transport != "stdio":
        cmd += ["--transport", transport]
    if profile != "full":
        cmd += ["--profile", profile]
    if switches:
        cmd += ["--insecure", ",".join(switches)]
    if host is not None:
        cmd += ["--host", host]
    if port is not None:
        cmd += ["--port", str(port)]
    return cmd


def _import_root() -> Path:
    """The directory ``mcprisk`` was imported from, so a child process runs this very code."""
    return Path(__file__).resolve().parents[2]


def demo_spec(server: str = "support-desk", *, profile: str = "full",
              insecure: str | Iterable[str] = ()) -> ServerSpec:
    """A stdio ``ServerSpec`` for a demo server (for HTTP, use ``serve_http(...)`` and its ``.spec()``)."""
    from mcprisk.specs import ServerSpec

    # The `mcprisk-demo` console script (installed with the package) keeps machine paths out of
    # the spec, so snapshots, reports and notebook outputs read the same on every machine.
    cmd = ["mcprisk-demo", *demo_command(server, profile=profile, insecure=insecure)[3:]]
    return ServerSpec.stdio(cmd, name=server)


@dataclass(frozen=True)
class DemoHTTPServer:
    """A demo server listening over HTTP in a child process; see ``serve_http``."""

    name: str
    transport: str
    url: str
    port: int
    token: str | None = field(repr=False)
    process: subprocess.Popen[str] = field(repr=False, compare=False)

    @property
    def headers(self) -> dict[str, str]:
        """The request headers a client needs (empty when the server runs with ``no-auth``)."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def spec(self, name: str | None = None) -> ServerSpec:
        """An HTTP ``ServerSpec`` pointing at this server, carrying the token as a header."""
        from mcprisk.specs import ServerSpec

        return ServerSpec.http(self.url, name=name or self.name, headers=self.headers, transport=self.transport)


@contextlib.contextmanager
def serve_http(server: str = "support-desk", *, profile: str = "full", insecure: str | Iterable[str] = (),
               token: str | None = None, host: str | None = None, transport: str = "http",
               ready_timeout: float = _READY_TIMEOUT) -> Iterator[DemoHTTPServer]:
    """Run a demo server over HTTP (``"http"``) or legacy SSE (``"sse"``) on a free port for the ``with`` block.

    ``host`` defaults to 127.0.0.1 (0.0.0.0 with ``bind-all``). Unless ``no-auth`` is among the insecure
    switches the server requires ``Authorization: Bearer <token>``; the token (random when not given)
    reaches the child only through the ``MCPRISK_DEMO_TOKEN`` environment variable. The child is
    always stopped and reaped on exit, exceptions included.
    """
    if transport not in ("http", "sse"):
        raise ValueError(f"serve_http needs transport 'http' or 'sse', not {transport!r}")
    switches = check_options(server, transport=transport, profile=profile, insecure=insecure, host=host, port=0)
    auth = "no-auth" not in switches
    token = (token or secrets.token_urlsafe(32)) if auth else None

    env = dict(os.environ)
    env.pop(TOKEN_ENV, None)
    if token:
        env[TOKEN_ENV] = token
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_import_root()), env.get("PYTHONPATH")) if p)

    cmd = demo_command(server, transport=transport, profile=profile, insecure=switches, host=host, port=0)
    process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=env, text=True, encoding="utf-8", errors="replace")
    watcher = _StderrWatcher(process)
    try:
        url = watcher.wait_ready(ready_timeout, what=f"demo server {server} ({transport})")
        yield DemoHTTPServer(name=server, transport=transport, url=url, port=urlsplit(url).port or 0,
                             token=token, process=process)
    finally:
        _stop(process)
        watcher.join()


class _StderrWatcher:
    """Drains a child's stderr on a thread (so it can never block on a full pipe) and spots the READY line."""

    def __init__(self, process: subprocess.Popen[str]):
        self._process = process
        self._ready: queue.Queue[str] = queue.Queue()
        self._tail: deque[str] = deque(maxlen=20)
        self._thread = threading.Thread(target=self._drain, name="mcprisk-demo-stderr", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        stream = self._process.stderr
        assert stream is not None
        with stream:
            for line in stream:
                line = line.rstrip("\n")
                if line.startswith(READY_MARKER + " "):
                    self._ready.put(line.split(" ", 1)[1].strip())
                else:
                    self._tail.append(line)

    def wait_ready(self, timeout: float, *, what: str) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self._ready.get(timeout=0.05)
            except queue.Empty:
                pass
            code = self._process.poll()
            if code is not None:
                self._thread.join(timeout=1.0)  # collect the last lines it wrote
                raise RuntimeError(f"{what} exited with code {code} before it was ready{self._last_words()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} was not ready within {timeout:g} s{self._last_words()}")

    def _last_words(self) -> str:
        lines = [line for line in self._tail if line.strip()]
        return (":\n" + "\n".join(lines[-10:])) if lines else ""

    def join(self) -> None:
        self._thread.join(timeout=_STOP_TIMEOUT)


def _stop(process: subprocess.Popen[str]) -> None:
    """Terminate, wait, then kill: the child is reaped whatever state it is in."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait()
