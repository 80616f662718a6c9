"""The HTML report in a real browser (Debian's chromium via Playwright): it loads nothing, runs nothing, and reads.

Needs ``apt-get install -y chromium`` (never a browser download: Playwright only drives the system binary).
Screenshots go to ``artifacts/`` (git-ignored) for a human to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mcprisk import introspect, introspect_many, write_report
from mcprisk.assessment import assess
from mcprisk.demo import demo_spec

from report_support import ROOT, hostile_snapshot

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = ROOT / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install -y chromium)"),
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def open_report(browser, path: Path, width: int = 1280, height: int = 900):
    """Load a report as a file:// page, recording every request, console error, page error and dialog."""
    context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=True)
    page = context.new_page()
    seen = {"requests": [], "errors": [], "dialogs": []}
    context.on("request", lambda r: seen["requests"].append(r.url))
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    return context, page, seen


def network_requests(seen: dict, page_url: str) -> list[str]:
    """Requests other than the page itself (inline data: images are not fetched from anywhere)."""
    return [u for u in seen["requests"] if u != page_url and not u.startswith("data:")]


def test_demo_report_reads_as_a_verdict(browser, tmp_path):
    """The demo report loads with no request and no console error, opens with a verdict, draws its charts as
    inline SVG with legible text, and is screenshotted (screen and print)."""
    a = assess(introspect_many([demo_spec("support-desk", profile="internal"), demo_spec("web-research")]))
    [path] = write_report(a, tmp_path, ["html"])
    context, page, seen = open_report(browser, path)
    try:
        assert network_requests(seen, path.as_uri()) == []
        assert seen["errors"] == [] and seen["dialogs"] == []
        first = page.locator("section").first
        assert first.get_attribute("id") == "verdict"
        assert page.locator("article.verdict").count() == 2
        assert "Verdict" in page.locator("#verdict h2").inner_text()
        assert page.locator("img").count() == 0 and page.locator("svg.chart").count() == 4
        smallest = page.evaluate("Math.min(...[...document.querySelectorAll('svg.chart text')]"
                                 ".filter(t => t.getBoundingClientRect().height > 0)"
                                 ".map(t => parseFloat(getComputedStyle(t).fontSize) * "
                                 "t.ownerSVGElement.getBoundingClientRect().width / t.ownerSVGElement.viewBox.baseVal.width))")
        assert smallest >= 9.5, smallest  # legible on the page, not 7 px
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#verdict").screenshot(path=str(ARTIFACTS / "report-verdict.png"))
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        assert (ARTIFACTS / "report.png").read_bytes().startswith(b"\x89PNG")
        page.emulate_media(media="print")
        page.screenshot(path=str(ARTIFACTS / "report-print.png"), full_page=True)
    finally:
        context.close()


def test_demo_report_is_at_most_six_screens_and_every_fact_is_a_click_away(browser, tmp_path):
    """At 1400x900 the honest demo's report, everything folded, is at most 6 screens tall; opening every fold
    shows every finding id, tool name and control status the assessment holds (the facts the unfolded report
    showed), as visible text."""
    a = assess(introspect(demo_spec("support-desk")))
    [path] = write_report(a, tmp_path, ["html"])
    context, page, seen = open_report(browser, path, 1400, 900)
    try:
        assert seen["errors"] == []
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = false)")
        folded = page.evaluate("document.documentElement.scrollHeight")
        assert folded <= 6 * 900, f"{folded} px is {folded / 900:.1f} screens"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-folded-1400x900.png"), full_page=True)
        hidden = page.locator("body").inner_text()
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        shown = page.locator("body").inner_text()
        for f in a.findings:
            assert f.id in shown, f.id
        assert any(f.id not in hidden for f in a.findings)  # they were folded away, and a click brings them back
        for t in a.tools:
            assert t.tool in shown, t.tool
        cells = page.locator("table.matrix tbody tr").first.locator("td[class^=st-]")
        statuses = [c.get_attribute("class").removeprefix("st-") for c in cells.all()]
        assert statuses == [c.status for c in a.placement("support-desk").required_controls]
        assert all(c.is_visible() for c in cells.all())
    finally:
        context.close()


def test_verdict_state_is_above_the_fold(browser, tmp_path):
    """At 1400x900 the planted demo's verdict state (DO NOT USE) and the sentence saying why are on the first
    screen, before any scrolling; the honest demo beside it shows its own state in its card."""
    a = assess(introspect_many([demo_spec("support-desk", insecure="lying-annotations,poisoned"),
                                demo_spec("web-research")]))
    [path] = write_report(a, tmp_path, ["html"])
    context, page, seen = open_report(browser, path, 1400, 900)
    try:
        assert seen["errors"] == []
        badge = page.locator("article.verdict .badge").first
        box = badge.bounding_box()
        assert badge.inner_text().strip().upper() == "DO NOT USE"
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 900
        headline = page.locator("article.verdict .headline").first
        hbox = headline.bounding_box()
        assert hbox is not None and hbox["y"] < 900
        assert headline.inner_text().startswith("Do not use support-desk: hostile content aimed at the model")
        assert page.locator("article.verdict .badge").nth(1).inner_text().strip().upper() == "NEEDS CONTROLS"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-fold-1400x900.png"))
    finally:
        context.close()


def test_script_in_a_description_is_text(browser, tmp_path):
    """<script> and <img onerror> in server text render as visible text: no element, no alert, no request."""
    [path] = write_report(assess([hostile_snapshot()]), tmp_path, ["html"])
    context, page, seen = open_report(browser, path)
    try:
        assert network_requests(seen, path.as_uri()) == []
        assert seen["dialogs"] == [] and seen["errors"] == []
        assert page.evaluate("document.scripts.length") == 0
        assert page.evaluate("document.querySelectorAll('textarea, iframe, object, embed, form, img').length") == 0
        assert page.evaluate("[...document.querySelectorAll('svg')].every(s => s.classList.contains('chart'))")
        assert page.evaluate("document.querySelectorAll('svg a, svg foreignObject, svg script, svg use').length") == 0
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        body = page.locator("body").inner_text()
        assert "<script>alert(1)</script></textarea><img src=x onerror=alert(2)>" in body
        assert "run_<script>x</script>" in body
    finally:
        context.close()
