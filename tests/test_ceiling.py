"""Controls tied to what tools do at every placement, and how far a server could go (its ceiling): over the
installed reference servers (mcp-server-time, and execkit-mcp as a real published shell server) and over
hand-built tool sets."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from mcprisk import ServerSpec, introspect, parse_inventory
from mcprisk.assessment import assess
from mcprisk.model import CONTROLS
from mcprisk.placement import place

from placement_kit import clean, inventory, tool

pytestmark = pytest.mark.slow  # live PyPI reference servers (mcp-server-time, execkit-mcp)

SHELL_SCOPE = ("consent_approvals", "off_switch", "tool_scopes")


def statuses(p, pattern_controls=None) -> dict[str, str]:
    return {c.control: c.status for c in (pattern_controls or p.required_controls)}


@pytest.fixture(scope="module")
def time_server():
    """The reference time server from PyPI, introspected live."""
    snap = introspect(ServerSpec.stdio(["mcp-server-time"], name="time"))
    assert snap.status == "complete", snap.errors
    return snap


def execkit() -> str:
    """The execkit-mcp shell server (a `test` extra: a binary shipped in its PyPI wheel), or skip."""
    found = shutil.which("execkit-mcp") or shutil.which("execkit-mcp", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("execkit-mcp is not installed (it ships wheels for Linux and macOS only)")
    return found


@pytest.fixture(scope="module")
def shell_server():
    """execkit-mcp, introspected live. Its SDK exits when the first message is the modern server/discover probe,
    so the legacy handshake is asked for directly."""
    snap = introspect(ServerSpec.stdio([execkit()], name="shell"), era="legacy")
    assert snap.status == "complete", snap.errors
    return snap


def test_time_server_could_go_public(time_server):
    """mcp-server-time is ready at local_stdio (nothing it does needs a control there), and its ceiling is
    public_remote, with the controls and inventory answers that takes and nothing holding it."""
    a = assess(time_server)
    p, v = a.placement("time"), a.verdict("time")
    assert v.state == "ready" and v.pattern == "local_stdio"
    assert all(c.status == "not_applicable" for c in p.required_controls)
    c = p.ceiling
    assert c.pattern == "public_remote" and c.held_by == () and c.beyond == ()
    assert {"authn_authz", "audit_logs", "rate_limits", "https"} <= set(c.controls)
    assert {x.id for x in c.answers} >= {"DT1", "NOGO01", "audience"}
    assert "could reach public_remote" in c.summary


def test_shell_server_stays_local_and_needs_its_controls_there(shell_server):
    """A real shell server's ceiling is local_stdio, held by its command tool (CAP01, with why); at local_stdio
    approval, off switch and scope controls are missing and name the tools that call for them."""
    a = assess(shell_server)
    p = a.placement("shell")
    assert p.recommended == "local_stdio"
    assert p.ceiling.pattern == "local_stdio"
    held = {h.tool: h for h in p.ceiling.held_by}
    assert "session_exec" in held and held["session_exec"].cap == "CAP01"
    assert "runs whatever code or command its caller writes" in held["session_exec"].why
    assert "can go no further than local_stdio" in p.ceiling.summary
    for control in SHELL_SCOPE:
        status = p.control(control)
        assert status.status == "missing", control
        assert "session_exec" in status.tools
    assert {f.id for f in a.findings} >= {"PLC003@shell@consent_approvals", "PLC003@shell@tool_scopes"}


def test_shell_server_controls_declared_in_the_inventory(shell_server):
    """Declaring the approval gates, off switches and a bounded scope turns those controls to declared at
    local_stdio; the ceiling stays local_stdio whatever is declared."""
    tools = "\n".join(f"      {t.name}: {{approval: true, off_switch: true}}" for t in shell_server.tools)
    inv = parse_inventory("servers:\n  shell:\n    controls:\n"
                          "      tool_scopes: {status: in_place, evidence: allow-list of commands per session}\n"
                          f"    tools:\n{tools}\n")
    p = assess(shell_server, inventory=inv).placement("shell")
    assert {c: statuses(p)[c] for c in SHELL_SCOPE} == dict.fromkeys(SHELL_SCOPE, "declared")
    assert p.ceiling.pattern == "local_stdio"


def test_read_only_server_and_shell_server_do_not_read_the_same():
    """Same (empty) inventory: a read-only, credential-free server and a shell server are both local today,
    but their ceilings, required controls and verdicts differ."""
    reader = place("svc", transport="stdio", url=None, tools=[tool("get_time"), tool("convert_time")],
                   tool_credentials={})
    shell = place("svc", transport="stdio", url=None,
                  tools=[tool("run_command", "destructive", flags=["code_execution"])], tool_credentials={})
    assert reader.recommended == shell.recommended == "local_stdio"
    assert (reader.ceiling.pattern, shell.ceiling.pattern) == ("public_remote", "local_stdio")
    assert [c.control for c in reader.missing] == []
    assert [c.control for c in shell.missing] == ["tool_scopes", "consent_approvals", "off_switch"]


def test_splitting_off_the_held_tools_opens_the_rest():
    """A server with a shell tool, a file tool and a reader: CAP01 holds it local; splitting off the shell tool
    opens internal_http (the file tool's cap), splitting off both opens public_remote."""
    tools = [tool("run_command", "destructive", flags=["code_execution"]),
             tool("write_file", "destructive", flags=["private_data"]), tool("get_time")]
    p = place("svc", transport="stdio", url=None, tools=tools, tool_credentials={},
              reach={"write_file": {"files"}})
    c = p.ceiling
    assert c.pattern == "local_stdio"
    assert {(h.tool, h.cap, h.pattern) for h in c.held_by} == {("run_command", "CAP01", "local_stdio"),
                                                                ("write_file", "CAP02", "internal_http")}
    assert [(b.pattern, b.split_off) for b in c.beyond] == [("internal_http", ("run_command",)),
                                                           ("public_remote", ("run_command", "write_file"))]
    assert p.control("tool_scopes").tools == ("run_command", "write_file")


def test_an_incomplete_listing_holds_the_ceiling():
    """When the listing did not complete, no declaration clears NOGO01: the ceiling is local_stdio, held by it."""
    p = place("svc", transport="stdio", url=None, tools=[tool("get_time")], tool_credentials={}, complete=False)
    assert p.ceiling.pattern == "local_stdio"
    assert [(h.tool, h.cap) for h in p.ceiling.held_by] == [(None, "NOGO01")]


def test_tool_controls_apply_everywhere_but_the_http_floor_does_not():
    """At local_stdio over stdio the tool-tied controls are required, and only those; the network controls
    (authn_authz, rate_limits, origin_validation, https, localhost_binding) stay not_applicable."""
    p = place("svc", transport="stdio", url=None, tool_credentials={"send_email": {"SMTP_KEY"}},
              tools=[tool("send_email", "customer_visible", flags=["external_egress"])])
    required = {c for c, s in statuses(p).items() if s != "not_applicable"}
    assert required == {"consent_approvals", "off_switch", "credential_rotation"}
    assert p.control("credential_rotation").tools == ("send_email",)
    assert "wherever the server runs" in p.control("consent_approvals").why
    local_http = place("svc", transport="http", url="http://127.0.0.1:8000/mcp", tool_credentials={},
                       tools=[tool("get_time")])
    assert {c for c, s in statuses(local_http).items() if s != "not_applicable"} == {"origin_validation",
                                                                                     "localhost_binding"}
    assert set(CONTROLS) == set(statuses(p))


def test_a_cap_holds_today_too_and_the_split_plan_moves_the_tool():
    """With every control declared and a team audience, a server with a shell tool still may not leave the
    machine (its ceiling is where it is); the split plan moves that tool, giving the cap as the reason."""
    shell = tool("run_command", "destructive", flags=["code_execution"])
    gated = {"run_command": {"approval": True, "off_switch": True}}
    doc = clean(tools=gated, controls_in_place=CONTROLS)
    p = place("svc", transport="stdio", url=None, tools=[shell, tool("get_time")], tool_credentials={},
              inventory=inventory(doc))
    assert p.allowed == ("local_stdio",) and p.recommended == "local_stdio" and p.blocked_by == ()
    assert p.ceiling.pattern == "local_stdio"
    assert "internal_http is out of reach while run_command is on board" in p.summary
    plan = p.split_plan
    assert plan.target_pattern == "internal_http" and plan.move == ("run_command",)
    assert plan.reasons["run_command"] == ("CAP01",)
    alone = p.tool("get_time")
    assert alone.recommended == "internal_http"
