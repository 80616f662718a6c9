"""The explorer notebook in a real JupyterLab, driven in Debian's chromium: run all, toggle a control, see it move.

JupyterLab runs on 127.0.0.1 with a token and throwaway config/data/runtime directories; Playwright only
drives the system chromium (never a browser download). The screenshot lands in ``artifacts/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
NOTEBOOK = "04_explore.ipynb"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install -y chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 - loopback only
            return r.status
    except Exception:  # noqa: BLE001
        return 0


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a copy of the explorer notebook; stopped and reaped after."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    root.mkdir()
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, root / NOTEBOOK)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(base / "conf"), "JUPYTER_DATA_DIR": str(base / "data"),
           "JUPYTER_RUNTIME_DIR": str(base / "run"), "JUPYTER_PLATFORM_DIRS": "1"}
    env.pop("PYTEST_CURRENT_TEST", None)
    # The kernel must be this interpreter (with mcprisk installed), whatever python3 kernels exist elsewhere.
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(base / "data" / ".."),
                    "--name", "python3"], env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "jupyter", "labextension", "disable",
                    "@jupyterlab/apputils-extension:announcements"], env=env, capture_output=True)
    port, token = _free_port(), "mcprisk-test-token"
    log = open(base / "lab.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
         "--LabApp.news_url=None", "--ServerApp.disable_check_xsrf=False"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while _get(f"{base_url}/api/status?token={token}") != 200:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("JupyterLab did not start:\n" + (base / "lab.log").read_text()[-2000:])
            time.sleep(0.5)
        yield base_url, token
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        log.close()


def _kernel_idle(page, base_url: str, token: str) -> bool:
    sessions = page.request.get(f"{base_url}/api/sessions?token={token}").json()
    return any(s["path"].endswith(NOTEBOOK) and s["kernel"]["execution_state"] == "idle" for s in sessions)


CONTROLS = ("authn_authz", "audit_logs", "origin_validation", "https", "network_isolation", "rate_limits",
            "tool_scopes", "off_switch", "secret_redaction", "consent_approvals", "proxy_consent")


def _show_top(element) -> None:
    """Scroll JupyterLab's notebook panel so ``element`` starts at the top of the view (a page screenshot shows
    what is in view; an element screenshot of a tall widget inside the panel does not)."""
    element.evaluate("e => e.scrollIntoView({block: 'start'})")
    element.page.wait_for_timeout(300)


def _check(scope, label: str) -> None:
    box = scope.locator(".widget-checkbox", has_text=label).first.locator("input")
    box.scroll_into_view_if_needed()
    box.check()


def test_explorer_closes_the_what_if_loop_in_the_browser(lab):
    """Run all cells in JupyterLab: the explorer shows support-desk as it was assessed (local_stdio). Then, in
    the widget, describe its credentials and data store, list them as complete, say its proxying was reviewed,
    tick the controls and disable run_sql: the banner moves it beyond local_stdio. Before and after screenshots
    land in artifacts/."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    base_url, token = lab
    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2400})
            page.goto(f"{base_url}/lab/tree/{NOTEBOOK}?reset&token={token}")
            page.wait_for_selector(".jp-Notebook", timeout=90_000)
            deadline = time.monotonic() + 90
            while not _kernel_idle(page, base_url, token):
                assert time.monotonic() < deadline, "the notebook's kernel never became idle"
                page.wait_for_timeout(500)
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            explorer = page.locator(".mcprisk-explorer").first
            placement = explorer.locator(".mcprisk-placement").first
            sync_api.expect(placement).to_contain_text("support-desk: recommended local_stdio", timeout=120_000)
            # The later cells drive another explorer: this one still shows its starting state.
            sync_api.expect(explorer.locator(".mcprisk-banner")).to_contain_text("(as when opened)")
            _show_top(explorer)
            page.screenshot(path=str(artifacts / "lab-explorer-before.png"))

            rows = explorer.locator(".mcprisk-credential")
            assert rows.count() >= 5
            for i in range(rows.count()):
                row = rows.nth(i)
                row.scroll_into_view_if_needed()
                selects = row.locator("select")
                selects.nth(1).select_option("narrow")
                _check(row, "in a secrets store")
                selects.nth(0).select_option("static_api_key")
            stores = explorer.locator(".mcprisk-datastore")
            assert stores.count() >= 1
            for i in range(stores.count()):
                _check(stores.nth(i), "holds customer data")
                stores.nth(i).locator("input[type=checkbox]").first.check()
            _check(explorer, "credentials and data stores fully listed")
            _check(explorer, "third-party consent reviewed")
            for control in CONTROLS:
                _check(explorer, f"({control})")
            sync_api.expect(placement).to_contain_text("recommended local_stdio", timeout=60_000)
            tool = explorer.locator(".widget-dropdown", has_text="tool").first.locator("select")
            tool.scroll_into_view_if_needed()
            tool.select_option("run_sql")
            _check(explorer, "disable this tool")
            sync_api.expect(placement).to_contain_text("support-desk: recommended internal_http", timeout=60_000)
            sync_api.expect(placement).to_contain_text("was local_stdio")
            after = placement.inner_text()
            _show_top(explorer)
            page.screenshot(path=str(artifacts / "lab-explorer-after.png"))
        finally:
            browser.close()
    assert "now internal_http" in after
    for name in ("lab-explorer-before.png", "lab-explorer-after.png"):
        assert (artifacts / name).stat().st_size > 10_000
