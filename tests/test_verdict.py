"""The verdict per server (do_not_use / needs_controls / ready) over the live demo servers, through the CLI a new
user would run: why it says so in its first sentence, and how a tracking decision lifts do_not_use."""

from __future__ import annotations

import io
import json
import re
import sys
from dataclasses import replace

import jsonschema
import pytest

from mcprisk.cli import main
from mcprisk.model import VERDICT_STATES, Finding
from mcprisk.placement import place, verdict_for
from mcprisk.render import report_schema
from mcprisk.rules import RuleInfo, rule_info

from placement_kit import tool

INSECURE = "lying-annotations,poisoned,drift"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def first_sentence(text: str) -> str:
    return re.split(r"(?<=\.)\s", text, maxsplit=1)[0]


@pytest.fixture(scope="module")
def approved(tmp_path_factory) -> str:
    """The honest support-desk demo, introspected live and saved: the approved baseline."""
    path = tmp_path_factory.mktemp("verdict") / "approved.json"
    assert run("inspect", "--demo", "--json", "-o", str(path))[0] == 0
    return str(path)


@pytest.fixture(scope="module")
def insecure(approved) -> dict:
    """`mcprisk scan --demo --demo-insecure lying-annotations,poisoned,drift --baseline approved.json` as JSON."""
    code, out, err = run("scan", "--demo", "--demo-insecure", INSECURE, "--baseline", approved, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def verdict(data: dict, server: str = "support-desk") -> dict:
    return next(s["verdict"] for s in data["servers"] if s["name"] == server)


def test_poisoned_lying_drifted_demo_is_do_not_use_and_says_why_first(insecure):
    """The planted demo is do_not_use; its first sentence names the hostile text, the lying annotations and the
    redefinitions with their tools, and every decisive finding id is a reason."""
    v = verdict(insecure)
    assert v["state"] == "do_not_use" and v["pattern"] is None
    first = first_sentence(v["summary"])
    assert first.startswith("Do not use support-desk: hostile content aimed at the model (the server instructions and "
                            "add_internal_note)")
    assert "annotations that deny a destructive effect (delete_customer_record, issue_refund and run_sql)" in first
    assert "definitions changed since the approved baseline" in first
    assert {"INJ009@support-desk@add_internal_note", "INJ007@support-desk@add_internal_note", "INJ001@support-desk",
            "ANN001@support-desk@run_sql", "DRIFT001@support-desk@send_customer_email",
            "DRIFT004@support-desk"} <= set(v["reasons"])
    assert {"add_internal_note", "run_sql", "send_customer_email"} <= set(v["tools"])
    assert v["meanings"]["INJ009@support-desk@add_internal_note"] == "Exfiltration ask: secrets, files or the conversation sent out"


def test_report_schema_documents_verdict_and_ceiling(insecure):
    """The JSON schema requires servers[].verdict with its three states, documents placement.ceiling, and the
    planted demo's report validates against it."""
    schema = report_schema()
    defs = schema["$defs"]
    assert "verdict" in defs["server"]["required"]
    assert tuple(defs["verdict"]["properties"]["state"]["enum"]) == VERDICT_STATES
    assert set(defs["verdict"]["required"]) == {"state", "pattern", "reasons", "summary"}
    assert "ceiling" in defs["placement"]["properties"] and "held_by" in defs["ceiling"]["required"]
    jsonschema.Draft202012Validator(schema).validate(insecure)
    ceiling = insecure["servers"][0]["placement"]["ceiling"]
    assert ceiling["pattern"] == "local_stdio" and ceiling["held_by"][0]["cap"] == "CAP01"


def test_the_cli_line_leads_with_the_verdict(approved):
    """The scan summary opens with DO NOT USE, then the verdict's sentence, before any placement detail."""
    code, out, _ = run("scan", "--demo", "--demo-insecure", INSECURE, "--baseline", approved)
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("support-desk  [complete]  DO NOT USE")
    assert lines[1].strip().startswith("Do not use support-desk: hostile content aimed at the model")


def test_honest_demo_is_not_do_not_use():
    """The honest support-desk and web-research demos need controls at local_stdio; neither is do_not_use."""
    code, out, err = run("scan", "--demo", "--format", "json")
    v = verdict(json.loads(out))
    assert code == 0, err
    assert v["state"] == "needs_controls" and v["pattern"] == "local_stdio"
    assert {"consent_approvals", "off_switch", "tool_scopes"} <= set(v["reasons"])
    assert first_sentence(v["summary"]).startswith("support-desk may run as local_stdio once")
    code, out, _ = run("scan", "--demo", "web-research", "--format", "json")
    assert verdict(json.loads(out), "web-research")["state"] != "do_not_use"


def test_tracking_decisions_lift_do_not_use(approved, insecure, tmp_path):
    """Deciding every decisive finding (false_positive, mitigated, accepted) lifts do_not_use, and the state then
    follows the placement; leaving one undecided keeps do_not_use, naming only that one."""
    reasons = verdict(insecure)["reasons"]
    status = {"INJ": "false_positive", "ANN": "mitigated"}
    entries = "".join(f'  "{r}":\n    status: {status.get(r[:3], "accepted")}\n'
                      "    justification: planted on purpose in the demo\n" for r in reasons)
    tracking = tmp_path / "tracking.yaml"
    tracking.write_text("version: 1\nrisks:\n" + entries, encoding="utf-8")
    code, out, err = run("scan", "--demo", "--demo-insecure", INSECURE, "--baseline", approved,
                         "--tracking", str(tracking), "--format", "json")
    assert code == 0, err
    lifted = verdict(json.loads(out))
    assert lifted["state"] == "needs_controls" and lifted["pattern"] == "local_stdio"
    assert not set(lifted["reasons"]) & set(reasons)

    partial = "".join(f'  "{r}":\n    status: accepted\n    justification: reviewed\n'
                      for r in reasons if r != "DRIFT004@support-desk")
    tracking.write_text("version: 1\nrisks:\n" + partial, encoding="utf-8")
    code, out, _ = run("scan", "--demo", "--demo-insecure", INSECURE, "--baseline", approved,
                       "--tracking", str(tracking), "--format", "json")
    kept = verdict(json.loads(out))
    assert kept["state"] == "do_not_use" and kept["reasons"] == ["DRIFT004@support-desk"]


def test_a_secret_written_into_the_client_config_is_do_not_use(tmp_path):
    """A literal token in the client config makes the (otherwise honest) demo server do_not_use, naming the
    variable and never its value."""
    secret = "rk-live-7f3c9a1b2d4e6f80"
    config = tmp_path / "mcp.json"
    config.write_text(json.dumps({"mcpServers": {"research": {
        "command": sys.executable, "args": ["-m", "mcprisk.demo", "web-research"],
        "env": {"RESEARCH_API_TOKEN": secret}}}}), encoding="utf-8")
    code, out, err = run("scan", "--config", str(config), "--format", "json")
    assert code == 0, err
    v = verdict(json.loads(out), "research")
    assert v["state"] == "do_not_use" and v["reasons"] == ["CRED002@research@RESEARCH_API_TOKEN"]
    assert "a secret written into the client config (RESEARCH_API_TOKEN)" in first_sentence(v["summary"])
    assert secret not in out and secret not in err


# -- the rule behind do_not_use: families and the hostile marker, not a list of codes ------------------------


def finding(code: str, severity: str, subject: str = "peek") -> Finding:
    return Finding(code, "A new kind of hidden instruction", severity, "svc", subject, "message",
                   tools=(f"svc/{subject}",))


def test_a_new_content_rule_counts_without_being_listed():
    """A content-family code mcprisk has never seen (hostile by its family) at critical makes do_not_use; the same
    at high or medium (one visible technique: needs review), and a high finding of a family that is not hostile, do
    not."""
    p = place("svc", transport="stdio", url=None, tools=[tool("peek")], tool_credentials={})
    rules = {**rule_info(), "INJ999": RuleInfo("INJ999", "new", 3, 3, family="content", hostile=True)}
    assert rule_info()["INJ001"].hostile and rule_info()["INJ001"].family == "content"
    assert not rule_info()["CRED001"].hostile and not rule_info()["HYG001"].hostile
    v = verdict_for("svc", p, [finding("INJ999", "critical")], rules)
    assert v.state == "do_not_use" and v.reasons == ("INJ999@svc@peek",) and v.tools == ("peek",)
    for severity in ("high", "medium"):
        review = verdict_for("svc", p, [finding("INJ999", severity)], rules)
        assert review.state == "needs_controls" and "INJ999@svc@peek" in review.reasons
    assert verdict_for("svc", p, [finding("CRED001", "high", "KEY")], rules).state != "do_not_use"
    decided = replace(finding("INJ999", "critical"), status="accepted")
    assert verdict_for("svc", p, [decided], rules).state == "ready"


def test_rule_family_survives_a_package_of_content_rules():
    """A rule's family is the package right under mcprisk.rules, so content rules split into one module per
    technique stay in the hostile family; rules outside mcprisk.rules take their module's name."""
    from mcprisk.rules._base import HOSTILE_FAMILIES, rule_family

    assert rule_family("mcprisk.rules.content") == rule_family("mcprisk.rules.content.override") == "content"
    assert rule_family("mcprisk.drift") == "drift" and rule_family("mcprisk.rules.annotations") == "annotations"
    assert HOSTILE_FAMILIES == ("content",)


def test_only_annotations_that_deny_a_destructive_effect_decide():
    """An annotation finding decides do_not_use when its evidence shows a destructive effect the hint denies; a
    read-only claim on a tool that only updates (reversible) is a finding, not a reason to stop."""
    from mcprisk.model import Evidence

    p = place("svc", transport="stdio", url=None, tools=[tool("peek")], tool_credentials={})
    claim = Evidence("ANN001", "annotation", "readOnlyHint: true", "the author claims it changes nothing")

    def ann(effect: str) -> Finding:
        shown = Evidence("EFF101", "name", "peek", f"verb means {effect}", effect=effect)
        return replace(finding("ANN001", "high"), evidence=(claim, shown))

    assert verdict_for("svc", p, [ann("destructive")], rule_info()).state == "do_not_use"
    assert verdict_for("svc", p, [ann("reversible")], rule_info()).state == "ready"


def test_unsettled_tools_are_read_at_their_worst_and_named():
    """A read-only tool of low or contested confidence is placed as destructive: it needs an approval gate at
    local_stdio, the ceiling and the verdict name it for confirmation; an operator override settles it."""
    for confidence in ("low", "contested"):
        shaky = replace(tool("peek"), confidence=confidence)
        p = place("svc", transport="stdio", url=None, tools=[shaky], tool_credentials={})
        assert p.control("consent_approvals").status == "missing"
        assert p.control("consent_approvals").tools == ("peek",)
        assert p.unconfirmed == ("peek",) and p.ceiling.confirm == ("peek",)
        assert any(a.id == "confirm" and "peek" in a.text for a in p.ceiling.answers)
        v = verdict_for("svc", p, [], rule_info())
        assert v.confirm == ("peek",) and "Needs confirmation by an operator override: peek" in v.summary
    settled = replace(tool("peek"), confidence="low", overridden=True)
    p = place("svc", transport="stdio", url=None, tools=[settled], tool_credentials={})
    assert p.unconfirmed == () and p.control("consent_approvals").status == "not_applicable"
    assert verdict_for("svc", p, [], rule_info()).state == "ready"


def test_a_launch_finding_is_a_control_to_add_not_a_reason_to_stop():
    """An unpinned package runner (LCH001) keeps an otherwise ready server at needs_controls, saying what to fix
    in the config; it never makes it do_not_use."""
    p = place("svc", transport="stdio", url=None, tools=[tool("peek")], tool_credentials={})
    unpinned = Finding("LCH001", "Package runner starts whatever version the registry serves", "medium", "svc",
                       "@acme/peek-mcp", "npx runs it with no version.")
    assert verdict_for("svc", p, [], rule_info()).state == "ready"
    v = verdict_for("svc", p, [unpinned], rule_info())
    assert v.state == "needs_controls" and unpinned.id in v.reasons
    assert "Fix how its client config launches it: package runner starts whatever version the registry serves " \
           "(@acme/peek-mcp)." in v.summary
    assert verdict_for("svc", p, [replace(unpinned, status="accepted")], rule_info()).state == "ready"
