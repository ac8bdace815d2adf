"""The Benchmarks page in a real browser: its charts are drawn (dot plot, funnel, trend)."""

from __future__ import annotations

import pytest

from tests.test_browser import browser, kpi_values, page, settle, shot, streamlit_server

pytestmark = pytest.mark.browser
__all__ = ["browser", "page"]  # fixtures, used by name
DRAWN = ".js-plotly-plot .scatterlayer .trace"


@pytest.fixture(scope="module")
def server(browser, demo_duckdb):
    with streamlit_server(demo_duckdb) as url:
        yield url


def test_the_benchmarks_page_draws_the_demo_trust_among_its_peers(server, page):
    page.goto(f"{server}/benchmarks")
    settle(page)
    page.wait_for_selector(DRAWN)
    tiles = kpi_values(page)
    assert tiles["National"].endswith("%") and "Percentile of 300 trusts" in tiles
    # Other trusts, those in the demo trust's region, and the demo trust itself.
    assert page.locator(DRAWN).count() == 3
    shot(page, "benchmarks")


@pytest.mark.parametrize(
    "view, traces",
    # Four limit lines, the trusts and the demo trust; the trust, its region and England.
    [("Funnel+by+completed+surveys", 6), ("Across+releases", 3)],
)
def test_the_funnel_and_the_trend_open_from_their_links(server, page, view, traces):
    # The URL holds the labels shown, as for every other choice of the dashboard.
    measure = "Communication+with+Nurses+%28H_COMP_1%29"
    page.goto(f"{server}/benchmarks?bench_measure={measure}&bench_view={view}")
    settle(page)
    page.wait_for_selector(DRAWN)
    assert page.locator(DRAWN).count() == traces
    assert "Communication with Nurses" in page.locator(".js-plotly-plot .gtitle").text_content()
    shot(page, f"benchmarks-{view.split('+')[0].lower()}")
