"""The origin family: a foreign Origin or Host must be refused (DNS rebinding), and a loopback server must
not answer on this machine's other addresses."""

from __future__ import annotations

import anyio
import anyio.to_thread

from .addresses import local_addresses
from .exchange import Probe, Reply

__all__ = ["FOREIGN_ORIGIN", "binding", "foreign_host", "foreign_origin"]

FOREIGN_ORIGIN = "http://evil.example"
_FOREIGN_HOST = "evil.example"
_KNOCK_TIMEOUT = 2.0


async def foreign_origin(p: Probe) -> Reply:
    """DNS-rebinding defence: a foreign Origin must get 403. Credentials go along, or auth would mask it."""
    extra = {"Origin": FOREIGN_ORIGIN}
    reply = await p.opening(creds=True, extra=extra)
    sent = f"{p.opening_name()}, Origin: {FOREIGN_ORIGIN}, {p.creds_note}"
    judge_rejection(p, "origin.foreign_rejected", reply, sent,
                         passed="A request from a foreign web origin is refused, which blocks DNS-rebinding "
                                "attacks from web pages.",
                         failed="A web page on any origin can drive this server through a user's browser (DNS "
                                "rebinding): the Origin header is not validated.")
    return reply


async def foreign_host(p: Probe) -> None:
    check = "host.foreign_rejected"
    if not p.private:
        p.add(check, "skipped", "nothing", "the endpoint resolves to public addresses",
                 "The Host check guards loopback and internal servers against DNS rebinding; this endpoint is "
                 "public, where a foreign Host only selects another virtual host.")
        return
    foreign = f"{_FOREIGN_HOST}:{p.port}"
    reply = await p.opening(creds=True, extra={"Host": foreign})
    judge_rejection(p, check, reply, f"{p.opening_name()}, Host: {foreign}, {p.creds_note}",
                         passed="A request naming a foreign host is refused, so a DNS-rebound name cannot reach "
                                "this server.",
                         failed="A request for a foreign host name is served, so a DNS-rebinding attack can "
                                "reach this server.")


def judge_rejection(p: Probe, check: str, reply: Reply, sent: str, *, passed: str, failed: str) -> None:
    """Compare a request carrying a foreign Origin/Host with the same request without it."""
    base = p.base
    received = f"{reply.line()}; without it: {base.line()}"
    if reply.status is None:
        p.add(check, "unknown", sent, received, "The request got no answer, so the check could not be judged.")
    elif reply.ok:
        p.add(check, "fail", sent, received, failed)
    elif reply.status == base.status:
        masked = reply.refused_for_auth and not (p.creds and base.ok)
        p.add(check, "unknown", sent, received,
                 ("An authentication check answers first (the same refusal with and without the foreign value) "
                  + ("and mcprisk has no credentials; give them (--header) to see the check behind it."
                     if not p.creds else "even with the spec's credentials; check them.")) if masked else
                 f"The server answers {reply.status} with and without the foreign value, so the check could "
                 "not be told apart from other errors.")
    elif 400 <= reply.status < 500:
        p.add(check, "pass", sent, received, passed)
    else:
        p.add(check, "unknown", sent, received,
                 f"The server failed with {reply.status}, so the check could not be judged.")


async def binding(p: Probe) -> None:
    """A loopback server must not answer on this machine's other addresses (a 0.0.0.0 bind)."""
    check = "bind.loopback_only"
    if not p.loopback:
        p.add(check, "skipped", "nothing", f"{p.host} is not a loopback address",
                 "Applies to servers on 127.0.0.1/localhost; this endpoint is meant to be reached over the "
                 "network.")
        return
    addresses: list[str] = []
    with anyio.move_on_after(p.limits.connect_timeout):  # the hostname lookup may hang on a bad resolver
        addresses = await anyio.to_thread.run_sync(local_addresses, abandon_on_cancel=True)
    if not addresses:
        p.add(check, "unknown", "nothing", "this machine has no non-loopback address",
                 "There is no other local address to test from, so the bind address could not be judged.")
        return
    sent = f"TCP connect to port {p.port} on this machine's own addresses: {', '.join(addresses)}"
    states = ["silent"] * len(addresses)

    async def knock_one(index: int) -> None:
        states[index] = await _knock(p, addresses[index])

    async with anyio.create_task_group() as tg:  # together, so firewalled addresses cost one timeout
        for i in range(len(addresses)):
            tg.start_soon(knock_one, i)
    answers = list(zip(addresses, states))
    listening = [f"{a} {state}" for a, state in answers if state not in ("refused", "silent")]
    received = "; ".join(f"{a} {state}" for a, state in answers)
    if listening:
        p.add(check, "fail", sent, received,
                 f"The server also listens on {listening[0].split()[0]}: it is bound to all interfaces, so "
                 "other machines on the network can reach it.")
    elif all(state == "refused" for _, state in answers):
        p.add(check, "pass", sent, received,
                 "The server answers only on loopback, so other machines cannot reach it.")
    else:
        p.add(check, "unknown", sent, received,
                 "Some addresses neither answered nor refused, so the bind address could not be judged.")


async def _knock(p: Probe, address: str) -> str:
    """``refused``, ``silent`` or what answered on ``address``: one TCP connect and a HEAD / at most."""
    try:
        with anyio.fail_after(_KNOCK_TIMEOUT):
            stream = await anyio.connect_tcp(address, p.port)
    except TimeoutError:
        return "silent"
    except OSError:
        return "refused"
    async with stream:
        host = f"[{address}]" if ":" in address else address
        try:
            with anyio.fail_after(_KNOCK_TIMEOUT):
                await stream.send(f"HEAD / HTTP/1.1\r\nHost: {host}:{p.port}\r\nConnection: close\r\n\r\n"
                                  .encode())
                first = (await stream.receive(1024)).split(b"\r\n", 1)[0].decode("latin-1")
        except (TimeoutError, OSError, anyio.EndOfStream, anyio.BrokenResourceError):
            return "accepts connections"
    status = first.split(" ", 2)[1] if first.startswith("HTTP/") and first.count(" ") >= 1 else ""
    return f"answers HTTP {status}" if status.isdigit() else "accepts connections"
