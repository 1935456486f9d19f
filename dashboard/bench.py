"""Render time of every dashboard page on a solved scenario.

    python -m dashboard.bench SCENARIO OUTDIR [--repeat N] [--browser]

`AppTest`: the page script run server-side by Streamlit's test harness, cache
warm (the first run, which loads the scenario and measures the roster, is
reported apart). `--browser`: the same pages served by `streamlit run` and
loaded in Debian's Chromium, from navigation until the script run has ended
and every Plotly chart is drawn (warm server). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

PAGES = [
    ("Overview", "overview", "", 1),
    ("Coverage", "coverage", "coverage", 2),
    ("Follow the sun", "follow_the_sun", "follow_the_sun", 2),
    ("Roster", "roster", "roster", 1),
    ("Cost", "cost", "cost", 1),
    ("What-ifs", "whatif", "whatif", 0),
    ("Compare", "compare", "compare", 0),
    ("Scenario & downloads", "scenario", "scenario", 0),
]
APP = Path(__file__).resolve().parent / "app.py"


def apptest_times(scenario: str, out: str, repeat: int) -> tuple[float, dict[str, list[float]]]:
    from streamlit.testing.v1 import AppTest

    os.environ["SUNROSTER_SCENARIO"] = scenario
    os.environ["SUNROSTER_OUT"] = out
    at = AppTest.from_file(str(APP), default_timeout=600)
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    _add_copy(scenario)
    times: dict[str, list[float]] = {}
    for _ in range(repeat):
        for title, module, _, _ in PAGES:
            at.switch_page(f"views/{module}.py")
            t = time.perf_counter()
            at.run()
            times.setdefault(title, []).append(time.perf_counter() - t)
            if at.exception:
                raise RuntimeError(f"{title}: {at.exception[0].value}")
    return first, times


def _add_copy(scenario: str) -> None:
    """A second variant (the baseline under another name) so Compare draws everything."""
    from dashboard import state
    from dashboard.data.run import fingerprint
    from dashboard.data.variant import Variant

    p = Path(scenario)
    ws = state._workspace(
        str(p), fingerprint(p), tuple(str(r) for r in state.out_roots(p)),
        os.environ.get("SUNROSTER_DB_URL", ""),
    )  # fmt: skip
    base = ws.get("baseline")
    assert base is not None, "no solved baseline found"
    ws.add(Variant("baseline copy", base.output, {}, "bench"))


def browser_times(scenario: str, out: str, repeat: int) -> dict[str, list[float]]:
    import socket
    import subprocess
    import sys
    import tempfile
    import urllib.request

    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "SUNROSTER_OUT": out,
        "SUNROSTER_DB_URL": f"sqlite:///{tempfile.mkdtemp()}/runs.sqlite",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--", scenario],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    times: dict[str, list[float]] = {}
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            b = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            )  # fmt: skip
            page = b.new_page(viewport={"width": 1440, "height": 1200})
            for k in range(repeat + 1):  # the first round warms the server's caches
                for title, _, path, charts in PAGES:
                    t = time.perf_counter()
                    page.goto(f"{url}/{path}")
                    page.get_by_role("heading", name=title, exact=True).wait_for(timeout=600_000)
                    page.wait_for_function(
                        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                        timeout=600_000,
                    )
                    if charts:
                        page.wait_for_function(
                            "() => document.querySelectorAll('.js-plotly-plot .main-svg').length"
                            f" >= {charts}",
                            timeout=600_000,
                        )
                    if k:
                        times.setdefault(title, []).append(time.perf_counter() - t)
                    print(f"{title}: {time.perf_counter() - t:.2f} s", file=sys.stderr)
            b.close()
    finally:
        proc.terminate()
        proc.wait(10)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("out")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--browser", action="store_true")
    a = ap.parse_args()
    first, at = apptest_times(a.scenario, a.out, a.repeat)
    br = browser_times(a.scenario, a.out, a.repeat) if a.browser else {}
    print(f"first run (load scenario, requirements, roster KPIs): {first:.2f} s\n")
    head = "| page | AppTest median (s) | AppTest max (s) |"
    line = "| --- | ---: | ---: |"
    if br:
        head += " browser median (s) | browser max (s) |"
        line += " ---: | ---: |"
    print(head)
    print(line)
    for title, *_ in PAGES:
        row = f"| {title} | {statistics.median(at[title]):.2f} | {max(at[title]):.2f} |"
        if br:
            row += f" {statistics.median(br[title]):.2f} | {max(br[title]):.2f} |"
        print(row)


if __name__ == "__main__":
    main()
