"""What each kind of element costs the first chart, on Streamlit alone (no ptx).

``python bench/floor_parts.py RUNS [VARIANT ...]`` starts one ``bench/floor_app.py`` server per
variant (``PTX_FLOOR_PARTS``: the parts drawn, in order) and opens each in turn, RUNS times, in a
fresh Chromium context at 1920x1080, timing navigation to the first Plotly chart drawn, as
``bench/page_floor.py`` times the dashboard's pages. Prints a Markdown table: each variant's
median and its ratio to the first variant (by default the chart alone).

It answers what the floor comparison cannot: how much of a page's distance from the floor its
sidebar filters alone cost, and whether drawing them after the chart helps.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.browser_timing import (  # noqa: E402 - run as a script from the checkout
    CHROMIUM_FLAGS,
    ROOT,
    chromium_path,
    start_server,
    stop_server,
)
from bench.page_floor import first_chart  # noqa: E402

VARIANTS = ("chart", "filters,chart", "chart,filters", "chart,tiles", "filters,tiles,chart")


def main(runs: int, variants: tuple[str, ...] = VARIANTS) -> dict[str, float]:
    """Each variant's median seconds to its first chart."""
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {v: [] for v in variants}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        servers = {}
        try:
            for variant in variants:
                servers[variant] = start_server(
                    script=ROOT / "bench" / "floor_app.py", extra_env={"PTX_FLOOR_PARTS": variant}
                )
            for _, url, _ in servers.values():  # warm each server
                first_chart(browser, url)
            for _ in range(runs):  # in turn, so that a noisy moment hits every variant
                for variant, (_, url, _) in servers.items():
                    times[variant].append(first_chart(browser, url))
        finally:
            for proc, _, _ in servers.values():
                stop_server(proc)
            browser.close()
    return {v: statistics.median(t) for v, t in times.items()}


if __name__ == "__main__":
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    medians = main(runs, tuple(sys.argv[2:]) or VARIANTS)
    base = next(iter(medians.values()))
    print(f"| parts, in the order drawn | first chart s (median of {runs}) | ÷ first row |")
    print("|---|---|---|")
    for variant, seconds in medians.items():
        print(f"| {variant.replace(',', ', ')} | {seconds:.2f} | {seconds / base:.2f}× |")
