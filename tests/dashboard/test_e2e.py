"""End to end: the dashboard server in a subprocess, Debian's Chromium driven
by Playwright through every page and one what-if re-solve, asserting on what
a planner sees. Screenshots go to $SUNROSTER_SCREENSHOT_DIR (docs/screenshots
for the README: see docs/dashboard.md), else to the test's temporary folder.

The scenario is scenarios/tiny.yaml solved once per session; set
SUNROSTER_E2E_SCENARIO / SUNROSTER_E2E_OUT / SUNROSTER_E2E_TIME_LIMIT to run
it on another scenario (the README's screenshots are of the global baseline)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dashboard.conftest import REPO, TINY

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)"
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """`streamlit run dashboard/app.py -- SCENARIO` on a free port; yields its URL."""
    scenario = os.environ.get("SUNROSTER_E2E_SCENARIO", str(TINY))
    out = os.environ.get("SUNROSTER_E2E_OUT") or str(request.getfixturevalue("tiny_out"))
    tmp = tmp_path_factory.mktemp("e2e")
    port = free_port()
    env = {
        **os.environ,
        "SUNROSTER_OUT": out,
        "SUNROSTER_DB_URL": f"sqlite:///{tmp / 'runs.sqlite'}",
        "PYTHONPATH": str(REPO),
    }
    env.pop("SUNROSTER_SCENARIO", None)
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "app.py"),
            "--server.address", "127.0.0.1", "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--client.toolbarMode", "viewer", "--", scenario,
        ],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
            if proc.poll() is not None:
                pytest.fail(f"the dashboard exited: {(tmp / 'server.log').read_text()}")
        else:
            pytest.fail("the dashboard did not answer within 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = os.environ.get("SUNROSTER_SCREENSHOT_DIR")
    path = Path(d) if d else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def settle(page, charts: int = 0) -> None:
    """Wait until the script run is over and `charts` Plotly charts are drawn."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
    )
    if charts:
        page.wait_for_function(
            f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}",
            timeout=60_000,
        )
    page.wait_for_timeout(800)


def open_page(page, url: str, path: str, title: str, charts: int = 0) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}/{path}")
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=120_000)
    settle(page, charts)


def test_every_page_and_a_whatif_resolve(server: str, browser, shots: Path):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1440, "height": 1800})
    url = server

    open_page(page, url, "", "Overview", charts=1)
    expect(page.get_by_text("Solve status")).to_be_visible()
    expect(page.get_by_role("heading", name="By tier")).to_be_visible()
    expect(page.get_by_text("agents rostered")).to_be_visible()
    expect(page.get_by_role("heading", name="Roster quality")).to_be_visible()
    page.screenshot(path=shots / "overview.png")

    open_page(page, url, "coverage", "Coverage", charts=2)
    expect(page.get_by_role("heading", name="Service level over time")).to_be_visible()
    expect(page.get_by_text("agent-hours short in the window shown")).to_be_visible()
    page.screenshot(path=shots / "coverage.png")

    open_page(page, url, "follow_the_sun", "Follow the sun", charts=2)
    expect(page.get_by_text("Hand-over order (east → west):")).to_be_visible()
    expect(page.get_by_role("heading", name="Site clocks")).to_be_visible()
    page.screenshot(path=shots / "follow_the_sun.png")

    open_page(page, url, "roster", "Roster", charts=1)
    expect(page.get_by_text("shifts in the selection")).to_be_visible()
    page.screenshot(path=shots / "roster.png")

    open_page(page, url, "starts", "Start times", charts=1)
    expect(page.get_by_role("heading", name="Nights and daytime by site")).to_be_visible()
    page.screenshot(path=shots / "starts.png")

    open_page(page, url, "cost", "Cost", charts=1)
    expect(page.get_by_text("By premium type")).to_be_visible()
    expect(page.get_by_text("Total cost")).to_be_visible()
    page.screenshot(path=shots / "cost.png")

    # what-if: +20 % volume, re-solved in the background with live progress
    open_page(page, url, "whatif", "What-ifs")
    page.get_by_label("Variant name").fill("volume +20%")
    volume = page.locator('[data-testid="stSlider"]').filter(has_text="Volume (%)")
    volume.get_by_role("slider").focus()
    for _ in range(4):  # step 5 %
        page.keyboard.press("ArrowRight")
    limit = page.locator('[data-testid="stSlider"]').filter(has_text="Time limit (s)")
    limit.get_by_role("slider").focus()
    target = int(os.environ.get("SUNROSTER_E2E_TIME_LIMIT", "5"))
    page.keyboard.press("Home")
    for _ in range((target - 5) // 5):
        page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Re-solve").click()
    expect(page.get_by_text("Solving volume +20% in the background: volume=+20%")).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_text("saved as variant volume +20%")).to_be_visible(
        timeout=(target + 120) * 1000
    )
    settle(page)
    page.screenshot(path=shots / "whatif.png")

    open_page(page, url, "compare", "Compare", charts=2)
    expect(page.get_by_role("heading", name="Coverage difference")).to_be_visible()
    expect(page.get_by_text("Run store: 1 runs of this scenario")).to_be_visible()
    expect(page.get_by_text("volume +20%").first).to_be_visible()
    page.screenshot(path=shots / "compare.png")

    open_page(page, url, "scenario", "Scenario & downloads")
    page.get_by_role("button", name="Prepare downloads").click()
    expect(page.get_by_role("button", name="All files (zip)")).to_be_visible(timeout=120_000)
    expect(page.get_by_role("button", name="roster.csv", exact=False).first).to_be_visible()
    # a broken upload: the issues table names file, row and field
    bad = (
        (REPO / "scenarios" / "tiny.yaml")
        .read_text()
        .replace("max_hours_week: 40}", "max_hours_week: -1}", 1)
    )
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        [{"name": "tiny.yaml", "mimeType": "application/x-yaml", "buffer": bad.encode()},
         {"name": "tiny-demand.csv", "mimeType": "text/csv", "buffer": (REPO / "scenarios" / "tiny-demand.csv").read_bytes()}]
    )  # fmt: skip
    page.get_by_role("button", name="Validate").click()
    expect(page.get_by_text("The scenario does not load")).to_be_visible(timeout=60_000)
    settle(page)
    page.screenshot(path=shots / "scenario.png")
    page.close()
