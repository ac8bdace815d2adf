"""Each page's first chart in a real browser beside Streamlit's floor, measured in one run.

Run by ``ptx bench`` (or ``python bench/page_floor.py RUNS`` with ``PTX_SOURCE`` set). Two
servers start: the dashboard, and ``bench/floor_app.py`` (one constant plotly figure). Each
page is opened once to warm the server; then, ``RUNS`` times, each page and the floor are
opened in a fresh browser context at 1920x1080 (in turn, so a noisy moment hits all of them)
and timed from navigation to the first Plotly chart drawn. A fresh dashboard server's Overview
is timed too. Prints one JSON object: medians in seconds, and each page's ratio to the floor.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.browser_timing import (  # noqa: E402 - run as a script from the checkout
    CHROMIUM_FLAGS,
    FIRST_CHART,
    ROOT,
    chromium_path,
    start_server,
    stop_server,
)

PAGES = {
    "overview": "",
    "feedback": "feedback",
    "complaints": "complaints",
    "departments": "departments",
    # Its first tab lists comments (no chart): timed on the theme trends, its first chart.
    "comments": "comments?comments_tab=Theme+trends",
    "benchmarks": "benchmarks",
}
VIEWPORT = {"width": 1920, "height": 1080}


def first_chart(browser, url: str) -> float:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(600_000)
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(FIRST_CHART, state="visible")
    seconds = time.perf_counter() - started
    context.close()
    return seconds


def main(runs: int) -> dict:
    chromium = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"floor": None, "reason": "Playwright is not installed"}
    if not Path(chromium).is_file():
        return {"floor": None, "reason": "Chromium is not installed"}
    times: dict[str, list[float]] = {name: [] for name in ["floor", *PAGES]}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        fresh_proc, fresh_url, _ = start_server()
        try:
            fresh = first_chart(browser, fresh_url)  # the Overview on a fresh server
        finally:
            stop_server(fresh_proc)
        app, app_url, _ = start_server()
        floor, floor_url, _ = start_server(script=ROOT / "bench" / "floor_app.py")
        try:
            for path in ["", *PAGES.values()]:  # warm both servers
                first_chart(browser, f"{app_url}/{path}")
            first_chart(browser, floor_url)
            for _ in range(runs):
                times["floor"].append(first_chart(browser, floor_url))
                for name, path in PAGES.items():
                    times[name].append(first_chart(browser, f"{app_url}/{path}"))
        finally:
            stop_server(app)
            stop_server(floor)
        browser.close()
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {
        "runs": runs,
        "floor": medians["floor"],
        "pages": {name: medians[name] for name in PAGES},
        "ratio": {name: medians[name] / medians["floor"] for name in PAGES},
        "fresh_overview": fresh,
        "fresh_ratio": fresh / medians["floor"],
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)))
