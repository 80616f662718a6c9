"""Reports: golden files per format from the demo servers, schemas, escaping, secrets, determinism."""

from __future__ import annotations

import copy
import csv
import html
import io
import json
import re
import unicodedata
from dataclasses import replace

import jsonschema
import pytest

import mcprisk.render._html
from mcprisk import (RenderError, ServerSpec, SpecSource, introspect_many, render_csv, render_html, render_json,
                     render_markdown, render_sarif, write_report)
from mcprisk.assessment import assess
from mcprisk.demo import serve_http
from mcprisk.inventory import parse_inventory
from mcprisk.probes import probe
from mcprisk.render import (FORMATS, REPORT_FILES, check_formats, expand_report, render_format, report_evidence,
                            report_schema)
from mcprisk._text import terminal_safe
from mcprisk.render._shapes import message_in, message_out
from mcprisk.render._compact import compact
from mcprisk.render._csv import safe_cell
from mcprisk.tracking import parse_tracking

from inprocess import demo_snapshot, demo_snapshots
from report_support import (HOSTILE_TEXT, ROOT, check_golden, hostile_snapshot, parse_html, report_facts,
                            sarif_validator, snapshot, tool)

TRACKING = """\
version: 1
risks:
  "ANN001@support-desk@issue_refund":
    status: accepted
    justification: refunds are capped at 50 EUR upstream
    ticket: SEC-7
    reviewer: a.reviewer
  "NOGO99@nowhere":
    status: mitigated
"""
CANARY = "canary-5ecret-9f3a71c2"


@pytest.fixture(scope="module")
def demo():
    """support-desk with planted problems and web-research, against an honest approved snapshot, with the
    example inventory and a tracking file: every section of every report has something to show."""
    approved, current, research = demo_snapshots(
        "support-desk", ("support-desk", {"insecure": "lying-annotations,poisoned"}), "web-research")
    inventory = parse_inventory((ROOT / "data" / "inventory.example.yaml").read_text(encoding="utf-8"),
                                path="data/inventory.example.yaml")
    return assess([current, research], inventory=inventory, tracking=parse_tracking(TRACKING), baseline=[approved])


@pytest.fixture(scope="module")
def hostile():
    return assess([hostile_snapshot()])


# -- golden files ---------------------------------------------------------------------------------


def test_json_golden(demo):
    """The JSON report of the demo servers matches tests/golden/report.json byte for byte."""
    check_golden("report.json", render_json(demo))


def test_markdown_golden(demo):
    """The Markdown report of the demo servers matches its golden file."""
    check_golden("report.md", render_markdown(demo))


def test_html_golden(demo):
    """The HTML report, its inline SVG charts included (drawn by mcprisk, no matplotlib), matches its golden."""
    check_golden("report.html", render_html(demo))


def test_sarif_golden(demo):
    """The SARIF log of the demo servers matches its golden file."""
    check_golden("report.sarif", render_sarif(demo))


def test_csv_golden(demo):
    """tools.csv and findings.csv of the demo servers match their golden files."""
    for name, text in render_csv(demo).items():
        check_golden(name, text)


def test_goldens_hold_no_timings_or_machine_paths():
    """Golden files carry no machine paths, home directories or timings."""
    for path in (ROOT / "tests" / "golden").iterdir():
        text = path.read_text(encoding="utf-8")
        assert str(ROOT) not in text and "/home/" not in text and "/tmp/" not in text, path.name
        assert '"timings"' not in text and "generated_at" not in text, path.name


# -- determinism ----------------------------------------------------------------------------------


def test_same_inputs_give_identical_bytes(demo):
    """Rendering twice gives identical output in every format, charts included; no time unless asked."""
    assert render_json(demo) == render_json(demo)
    assert render_markdown(demo) == render_markdown(demo)
    assert render_sarif(demo) == render_sarif(demo)
    assert render_csv(demo) == render_csv(demo)
    html = render_html(demo)
    assert html == render_html(demo)
    assert "generated_at" not in render_json(demo) and "endTimeUtc" not in render_sarif(demo)


def test_timestamp_only_when_asked(demo):
    """A timestamp appears in JSON, Markdown, HTML and SARIF only when one is passed."""
    ts = "2026-05-04T10:00:00Z"
    assert json.loads(render_json(demo, timestamp=ts))["generated_at"] == ts
    assert ts in render_markdown(demo, timestamp=ts) and ts in render_html(demo, timestamp=ts, charts=False)
    assert json.loads(render_sarif(demo, timestamp=ts))["runs"][0]["invocations"][0]["endTimeUtc"] == ts


# -- schemas --------------------------------------------------------------------------------------


def test_json_report_validates_against_its_schema(demo, hostile):
    """The JSON report validates against the shipped draft 2020-12 schema (and the schema is valid)."""
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for a in (demo, hostile, replace(demo, placements=())):
        validator.validate(json.loads(render_json(a)))
    report = json.loads(render_json(demo))
    assert not validator.is_valid({k: v for k, v in report.items() if k != "findings"})  # the schema has teeth
    assert not validator.is_valid({**report, "no_such_key": 1})


def test_json_report_shape(demo):
    """The JSON report carries servers with tools, evidence and placement, findings with status, flows, drift."""
    data = json.loads(render_json(demo))
    assert (data["format"], data["format_version"]) == ("mcprisk.report", 4)
    server = next(s for s in data["servers"] if s["name"] == "support-desk")
    run_sql = next(t for t in server["tools"] if t["name"] == "run_sql")
    assert run_sql["primary"] == "destructive" and "code_execution" in run_sql["flags"]
    evidence = report_evidence(data, run_sql["evidence"])
    assert {e["rule"] for e in evidence} == {e.rule for e in demo.tool("support-desk", "run_sql").evidence}
    assert all(set(e) == {"rule", "source", "text", "detail", "effect", "flag", "weight"} for e in evidence)
    whole = expand_report(data)
    placement = next(s for s in whole["servers"] if s["name"] == "support-desk")["placement"]
    assert placement["recommended"] in placement["allowed"] and placement["recommended"] == server["placement"][
        "recommended"]
    assert {c["status"] for c in placement["required_controls"]} <= {"verified", "declared", "missing",
                                                                     "not_applicable"}
    accepted = next(f for f in whole["findings"] if f["id"] == "ANN001@support-desk@issue_refund")
    assert accepted["status"] == "accepted" and "SEC-7" in accepted["tracking_note"]
    assert data["flows"] and data["drift"]["changed"]
    assert data["rules"]["ANN001"]["description"]


def test_sarif_validates_against_the_official_schema(demo, hostile):
    """SARIF output validates against the OASIS SARIF 2.1.0 schema."""
    validator = sarif_validator()
    for a in (demo, hostile):
        errors = sorted(validator.iter_errors(json.loads(render_sarif(a))), key=lambda e: list(e.path))
        assert not errors, errors[0]


def test_sarif_rules_results_and_suppressions(demo):
    """SARIF rules carry the rule docstrings; results map severity to level, fingerprint the id, and
    accepted findings carry a suppression."""
    run = json.loads(render_sarif(demo))["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert "tool poisoning" in rules["INJ001"]["fullDescription"]["text"].lower()
    results = {r["properties"]["findingId"]: r for r in run["results"]}
    assert set(results) == {f.id for f in demo.findings}
    for f in demo.findings:
        r = results[f.id]
        assert r["ruleId"] == f.code and run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == f.code
        assert r["level"] == {"critical": "error", "high": "error", "medium": "warning"}.get(f.severity, "note")
        assert re.fullmatch(r"[0-9a-f]{64}", r["partialFingerprints"]["mcpriskFindingId/v1"])
    accepted = results["ANN001@support-desk@issue_refund"]
    assert accepted["suppressions"][0]["status"] == "accepted"
    assert "logicalLocations" in results["DRIFT001@support-desk@add_internal_note"]["locations"][0]


def test_sarif_points_at_the_config_line(tmp_path):
    """A server read from a client config gets a physical location: its config file (relative) and line."""
    source = SpecSource(path=str(tmp_path / ".vscode" / "mcp.json"), client="vscode", pointer="/servers/evil",
                        line=12)
    a = assess([snapshot("evil", tool("run_shell", "Run any shell command.",
                                      inputSchema={"type": "object", "properties": {"command": {"type": "string"}}}),
                         source=source)])
    run = json.loads(render_sarif(a, base=tmp_path))["runs"][0]
    assert run["results"]
    for r in run["results"]:
        physical = r["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": ".vscode/mcp.json", "uriBaseId": "%SRCROOT%"}
        assert physical["region"] == {"startLine": 12}
    validator = sarif_validator()
    assert validator.is_valid(json.loads(render_sarif(a, base=tmp_path)))
    outside = json.loads(render_sarif(a, base=tmp_path / "elsewhere"))  # not under base: an absolute file URI
    assert validator.is_valid(outside)
    assert outside["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
        "file:///")


# -- escaping -------------------------------------------------------------------------------------

ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "nav", "a",
                "section", "div", "article", "dl", "dt", "dd", "span", "b", "i", "code", "ul", "li", "figure",
                "figcaption", "table", "thead", "tbody", "tr", "th", "td", "br", "wbr", "footer", "details", "summary"}
SVG_TAGS = {"svg", "g", "rect", "text", "tspan", "path", "line", "circle", "polygon"}


def test_server_text_is_text_in_html(hostile):
    """Markup in tool names, descriptions, annotations and instructions shows as text, never as elements."""
    page = render_html(hostile)
    doc = parse_html(page)
    tags = {t for t, _ in doc.tags}
    assert tags <= ALLOWED_TAGS | SVG_TAGS, tags - ALLOWED_TAGS - SVG_TAGS
    assert "<script" not in page.lower() and "<textarea" not in page.lower() and "<img" not in page.lower()
    assert page.count("<svg") == page.count('<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img"') == 4
    assert "run_&lt;script&gt;x&lt;/script&gt;" in page  # a server name drawn in a chart is text there too
    for tag, attrs in doc.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert not any("href" in k for k in attrs) or tag == "a", (tag, attrs)
        if tag == "a":
            assert attrs["href"].startswith("#")
    text = "".join(doc.text)
    assert "<script>alert(1)</script></textarea><img src=x onerror=alert(2)>" in text
    assert "\x1b" not in page and "\x07" not in page
    assert "⟨U+202E⟩evil⟨U+202C⟩" in text  # a bidi override is shown, not obeyed


def test_html_is_self_contained(hostile):
    """The page declares a CSP that forbids fetching, has no script and references nothing outside itself."""
    page = render_html(hostile)
    assert ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
            "style-src 'unsafe-inline'") in page
    doc = parse_html(page)
    for tag, attrs in doc.tags:
        for key in ("src", "href", "action", "srcset", "poster", "data"):
            value = attrs.get(key) or ""
            assert not value or value.startswith(("#", "data:")), (tag, key, value)
    assert "@media print" in page and "url(" not in page.split("<style>")[1].split("</style>")[0]


def test_no_control_characters_in_any_format(hostile):
    """ANSI escapes and control characters from server text appear in no text report."""
    texts = [render_html(hostile), render_markdown(hostile), *render_csv(hostile).values()]
    for text in texts:
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text.replace("\r\n", "\n"))
    # JSON and SARIF keep the evidence, as JSON escapes: parseable, never a raw escape character.
    assert "\x1b" not in render_json(hostile) and "\x1b" not in render_sarif(hostile)


def test_markdown_escapes_pipes_and_backticks(hostile):
    """A `|` or backtick in server text neither splits a table cell nor breaks out of a code span."""
    md = render_markdown(hostile)
    header = next(line for line in md.splitlines() if line.startswith("| server | tool |"))
    width = len(re.split(r"(?<!\\)\|", header))
    rows = [line for line in md.splitlines() if line.startswith("| `evil")]
    assert rows
    for row in rows:
        if "delete" in row or "lookup" in row:
            assert len(re.split(r"(?<!\\)\|", row)) == width, row
    assert "| `` delete\\|all`rows` `` |" in md  # a longer fence, padded because the text ends in a backtick
    outside_code = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", md)  # code spans show their content verbatim
    assert "<" not in outside_code.replace("&lt;", "") and "&lt;script>" in md


def test_csv_guards_formulas(hostile):
    """Cells a spreadsheet would evaluate (= + - @) start with a quote; other text is unchanged."""
    tables = {name: list(csv.DictReader(io.StringIO(text))) for name, text in render_csv(hostile).items()}
    names = {row["tool"] for row in tables["tools.csv"]}
    assert "'=HYPERLINK(\"http://evil.example\")" in names
    descriptions = {row["description"] for row in tables["tools.csv"]}
    assert "'+SUM(A1:A9) exfiltrate" in descriptions and "'-2+3 Deletes every row permanently." in descriptions
    for table in tables.values():
        for row in table:
            for value in row.values():
                assert not value.startswith(("=", "+", "-", "@")), value
    assert safe_cell("@SUM(1)") == "'@SUM(1)" and safe_cell("plain") == "plain" and safe_cell(None) == ""


# -- secrets --------------------------------------------------------------------------------------


def test_secret_values_appear_in_no_format(tmp_path):
    """Env values of a stdio server and the bearer token of an HTTP server appear in no report, only names."""
    stdio = ServerSpec.stdio(["mcprisk-demo", "support-desk"], name="support-desk",
                             env={"SUPPORT_DB_URL": f"postgres://admin:{CANARY}@db/prod", "API_TOKEN": CANARY})
    with serve_http("web-research", token=CANARY + "-http") as server:
        spec = server.spec()
        snaps = introspect_many([stdio, spec])
        postures = {spec.name: probe(spec)}
    a = assess(snaps, postures=postures)
    written = write_report(a, tmp_path / "out")
    assert {p.name for p in written} == {n for names in REPORT_FILES.values() for n in names}
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert CANARY not in text, path.name
    assert "SUPPORT_DB_URL" in (tmp_path / "out" / "report.json").read_text(encoding="utf-8")  # the name stays


# -- robustness -----------------------------------------------------------------------------------


def test_placement_not_computed_renders_gracefully(demo):
    """Without placements every format still renders, saying placement was not computed."""
    bare = replace(demo, placements=())
    assert "Placement not computed" in render_html(bare, charts=True)
    assert "placement not computed" in render_markdown(bare)
    assert all(s["placement"] is None for s in json.loads(render_json(bare))["servers"])
    render_sarif(bare)
    render_csv(bare)


def test_failed_server_is_reported():
    """A server that could not be introspected is named in every report, not silently left out."""
    failed = replace(snapshot("broken"), status="failed", tools=())
    a = assess([failed, snapshot("fine", tool("get_item", "Read one item."))])
    for text in (render_html(a, charts=False), render_markdown(a)):
        assert "broken" in text and "failed" in text
    sarif = json.loads(render_sarif(a))
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_write_report_writes_only_into_outdir(tmp_path, hostile):
    """write_report creates the directory and writes fixed file names there, whatever servers are called."""
    out = tmp_path / "nested" / "reports"
    written = write_report(hostile, out, ["json", "md"])
    assert [p.name for p in written] == ["report.md", "report.json"]
    assert {p for p in tmp_path.rglob("*") if p.is_file()} == set(written)


def test_written_reports_are_the_rendered_text(tmp_path, hostile):
    """Reports written piece by piece (HTML, JSON, CSV streamed) hold exactly the bytes the renderers return."""
    written = write_report(hostile, tmp_path, FORMATS)
    rendered = {name: text for fmt in FORMATS for name, text in render_format(hostile, fmt).items()}
    assert {p.name: p.read_bytes() for p in written} == {k: v.encode("utf-8") for k, v in rendered.items()}


def test_a_renderer_failing_half_way_leaves_the_earlier_report(tmp_path, hostile, monkeypatch):
    """An HTML section that raises after the page began leaves the earlier report.html as it was, and no partial."""
    write_report(hostile, tmp_path, ["html"])
    before = (tmp_path / "report.html").read_bytes()

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("planted in a late section")

    monkeypatch.setattr(mcprisk.render._html, "record_section", broken)
    with pytest.raises(RenderError, match="planted"):
        write_report(hostile, tmp_path, ["html"])
    assert (tmp_path / "report.html").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_format_names_are_checked():
    """Formats are normalised to FORMATS order; unknown names are a ValueError."""
    assert check_formats("json, md,markdown") == ("md", "json")
    assert check_formats(FORMATS) == FORMATS
    with pytest.raises(ValueError, match="pdf"):
        check_formats("pdf,html")


def test_hostile_text_survives_to_json(hostile):
    """The JSON report keeps what the server sent (as data), for the record."""
    data = json.loads(render_json(hostile))
    descriptions = [t["description"] for s in data["servers"] for t in s["tools"]]
    assert HOSTILE_TEXT in descriptions


def test_real_server_report_renders():
    """A plain scan of the honest demo renders in every format (the README's main job)."""
    a = assess(demo_snapshot("support-desk"))
    assert "support-desk" in render_html(a) and render_markdown(a).startswith("# mcprisk report")


V3_REPORT = ROOT / "tests" / "data" / "reports" / "demo-v3.json"  # the demo's report as version 3 wrote it


def test_version_3_report_is_still_read():
    """A report written as format_version 3 reads back whole: the same shape as a version 4 report read back,
    its evidence resolved, and version 4's compaction of it reads back to the very same body."""
    v3 = json.loads(V3_REPORT.read_text(encoding="utf-8"))
    assert v3["format_version"] == 3
    whole = expand_report(v3)
    assert whole["format_version"] == 3 and "evidence_kinds" not in whole and "defaults" not in whole
    assert all(len(row) == 7 for row in whole["evidence"])
    tool = whole["servers"][0]["tools"][0]
    assert report_evidence(v3, tool["evidence"]) == report_evidence(whole, tool["evidence"])
    assert all({"id", "title", "message", "tools", "tools_count"} <= set(f) for f in whole["findings"])
    again = expand_report(compact({**copy.deepcopy(whole), "format_version": 4}))
    assert again == {**whole, "format_version": 4}


def test_json_v4_keys_match_a_version_3_report_read_back(demo):
    """Read back, a version 4 report has the keys a version 3 report had (top level, server, placement, tool,
    finding): readers of the whole body see no difference."""
    v3 = expand_report(json.loads(V3_REPORT.read_text(encoding="utf-8")))
    v4 = expand_report(json.loads(render_json(demo)))

    def keys(d):
        s, p = d["servers"][0], d["servers"][0]["placement"]
        return (set(d), set(s), set(p), set(p["no_go"][0]), set(s["tools"][0]), set(d["findings"][0]))

    assert keys(v4) == keys(v3)


def test_message_fields_read_back_exactly():
    """A finding message that repeats its control's words names them, braces in it doubled, and reads back word
    for word; a finding about no control of its server's placement keeps its message."""
    ctx = {"billing-srv": {"audit_logs": {"why": "calls must be traceable", "status": "not declared"}}}
    message = "billing-srv {x} runs as local_stdio: calls must be traceable {why}. Status: not declared."
    f = {"server": "billing-srv", "subject": "audit_logs", "message": message}
    message_out(f, ctx)
    assert f["message_fields"] is True and f["message"] == (
        "billing-srv {{x}} runs as local_stdio: {why} {{why}}. Status: {status}.")
    message_in(f, ctx)
    assert f == {"server": "billing-srv", "subject": "audit_logs", "message": message}
    other = {"server": "billing-srv", "subject": "tool_scopes", "message": message}
    message_out(other, ctx)
    assert other["message"] == message and "message_fields" not in other


def test_json_report_carries_tool_placements_split_plans_resources_and_prompts(demo):
    """Per tool: placement.allowed / recommended / missing_controls; per server: split_plan; resources with
    flags and prompts with what they drive."""
    data = expand_report(json.loads(render_json(demo)))
    server = next(s for s in data["servers"] if s["name"] == "support-desk")
    slack = next(t for t in server["tools"] if t["name"] == "post_to_slack")["placement"]
    assert slack["recommended"] == "local_stdio" and slack["allowed"] == ["local_stdio"]
    assert {"NOGO05", "NOGO07"} <= set(slack["own_blockers"])
    assert "internal_http" in server["placement"]["missing_by_pattern"]
    plan = server["split_plans"][0]
    assert plan["target_pattern"] == "internal_http" and "post_to_slack" in plan["move"]
    assert "post_to_slack" in plan["reasons"]
    assert plan["keep_count"] == len(demo.split_plan("support-desk").keep)
    assert server["placement"]["held_back_by"]
    schema = next(r for r in server["resources"] if r["uri"] == "support://customers/schema")
    assert schema["flags"] == ["private_data"] and report_evidence(data, schema["evidence"])
    refund = next(p for p in server["prompts"] if p["name"] == "refund_customer")
    assert refund["drives"] == ["issue_refund", "reply_to_ticket"] and refund["weight"] == "destructive"
    assert {"RES101", "PRM101"} <= set(data["rules"])


def test_markdown_and_html_show_placements_split_plans_resources_and_prompts(demo):
    """Both reports carry the per-tool placement column, the split plan under the verdict, and the resources
    and prompts sections."""
    md = render_markdown(demo)
    assert "own placement" in md and "**Split plan for `internal_http`:** Move `add_internal_note`" in md
    assert "## Resources" in md and "## Prompts" in md and "`support://customers/schema`" in md
    page = render_html(demo, charts=False)
    doc = parse_html(page)
    assert {"resources", "prompts"} <= {a.get("id") for _, a in doc.tags}
    assert "Split plan for internal_http" in page and "Held back by" in page
    assert '<span class="mono">post_to_slack</span>' in page


# -- reading: folds, facts, prose -------------------------------------------------------------------


def test_folded_report_keeps_every_fact(demo):
    """Every finding id, tool name and control status the assessment holds is in the HTML, folds closed by
    default, and five findings of one rule on one server read as one card listing its subjects."""
    page = render_html(demo)
    names = {t.tool for t in demo.tools}
    facts = report_facts(page, names)
    assert facts["findings"] == {f.id for f in demo.findings}
    assert facts["tools"] == names
    assert facts["controls"] == {(p.server, i, c.status) for p in demo.placements
                                 for i, c in enumerate(p.required_controls)}
    assert "<details" in page and "<details open" not in page and " open>" not in page
    groups = {(f.code, f.server) for f in demo.findings}
    assert page.count('<details class="finding') == len(groups) < len(demo.findings)
    plc = [f for f in demo.findings if f.code == "PLC003" and f.server == "support-desk"]
    assert len(plc) >= 2 and f"{len(plc)} subjects: " in page


def _prose_text(page: str) -> str:
    """The page's text without what servers wrote (descriptions, quotes, names in code)."""
    page = re.sub(r'<div class="desc">.*?</div>', " ", page, flags=re.S)
    page = re.sub(r"&ldquo;.*?&rdquo;", " ", page, flags=re.S)
    page = re.sub(r"<(code|b class=\"mono\"|span class=\"mono[^\"]*\")>.*?</(code|b|span)>", " ", page, flags=re.S)
    return " ".join("".join(parse_html(page).text).split())


def test_generated_sentences_read_right(demo):
    """On the demo servers: articles follow the sound of the next word (an issue, a refund), rule
    documentation shows code instead of raw backticks, and no pattern is said twice in one breath."""
    page = render_html(demo)
    text = _prose_text(page)
    assert not re.findall(r"\b[Aa] (?:[aeio]\w+)", text), re.findall(r"\b[Aa] (?:[aeio]\w+)", text)[:5]
    assert not re.findall(r"\b[Aa]n (?:[bcdfgjklmnpqrstvwxz]\w+)", text)
    assert "``" not in text and "<code>readOnlyHint: true</code>" in page
    assert "creating a issue" not in page and "creating an issue reaches other people" in page
    assert not re.search(r"(local_stdio|internal_http)\W+\(runs as \1\)", text)


def _plain(text: str) -> str:
    """Text as words: the markers rules and reports put for invisible characters and newlines taken out."""
    text = re.sub(r"[⟨<]U\+[0-9A-F]{4,6}[⟩>]", "", text).replace("⏎", " ")
    return " ".join("".join(c for c in text if unicodedata.category(c) != "Cf").split())


def test_quotes_start_and_end_on_words(demo):
    """An evidence quote cut from a description or the instructions starts and ends at whole words of it."""
    page = render_html(demo)
    raw = {t.name: t.description or "" for s in demo.snapshots for t in s.tools}
    raw.update({r.uri: r.description or "" for s in demo.snapshots for r in s.resources})
    raw.update({r.uri_template: r.description or "" for s in demo.snapshots for r in s.resource_templates})
    raw.update({p.name: p.description or "" for s in demo.snapshots for p in s.prompts})
    raw.update({s.name: s.instructions or "" for s in demo.snapshots})
    quotes = [html.unescape(q) for q in re.findall(r"(?:description|server): &ldquo;(.*?)&rdquo;", page)]
    assert quotes
    texts = [_plain(d) for d in raw.values()]
    checked = 0
    for q in quotes:
        body = _plain(re.sub(r"^[\w.]+ @\d+: ", "", q).strip("…"))
        where = [(d, d.find(body)) for d in texts if len(body) > 8 and body in d]
        if not where:
            continue  # a server name or a short word, not a cut quote
        checked += 1
        d, i = where[0]
        assert i == 0 or not d[i - 1].isalnum(), q
        end = i + len(body)
        assert end == len(d) or not d[end].isalnum() or not q.endswith("…"), q
    assert checked >= 10


def test_cut_lists_say_how_many_were_left_out(demo):
    """A list the report cuts ends with 'and N more': flows, a finding group's subjects, evidence lines."""
    page = render_html(demo)
    assert re.search(r"and \d+ more", page)
    for cut in re.findall(r"([^<>]{0,80}) and (\d+) more", page):
        assert int(cut[1]) >= 1
    assert "…</code>" not in page
