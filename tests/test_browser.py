"""Real-browser tests: Playwright drives Debian's Chromium against a real Streamlit server.

Screenshots of every page are saved under test-artifacts/screenshots/ (printed at the end).
Without Chromium these tests skip with a reason, unless PTX_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bench.browser_timing import CHROMIUM_FLAGS, chromium_path, start_server, stop_server
from tests.conftest import ROOT, require_or_skip

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _chromium() -> str:
    path = chromium_path()
    if not Path(path).is_file():
        require_or_skip(
            "PTX_REQUIRE_BROWSER", "Chromium is not installed (apt-get install chromium)"
        )
    return path


@contextlib.contextmanager
def streamlit_server(source):
    """A real Streamlit server on a free loopback port, serving the dashboard on ``source``."""
    try:
        proc, url, _ = start_server(source)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield url
    finally:
        stop_server(proc)


@pytest.fixture(scope="module")
def server(browser, demo_default):
    with streamlit_server(demo_default) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield b
        b.close()
    print(f"\nscreenshots saved in {SCREENSHOTS}")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    p = context.new_page()
    p.set_default_timeout(30_000)
    yield p
    context.close()


def settle(page) -> None:
    """Wait until the script run has finished (and has had a moment to start if pending)."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE)


def wait_count(page, selector: str, at_least: int, timeout: float = 30_000) -> int:
    """The number of elements matching ``selector`` once there are at least ``at_least`` (the
    browser may still be drawing a run's elements when the script is idle); fails after
    ``timeout`` ms with the count it reached."""
    from playwright.sync_api import TimeoutError as Timeout

    with contextlib.suppress(Timeout):  # the caller's assertion says how many there were
        page.wait_for_function(
            "([sel, n]) => document.querySelectorAll(sel).length >= n",
            arg=[selector, at_least],
            timeout=timeout,
        )
    return page.locator(selector).count()


def kpi_values(page) -> dict[str, str]:
    page.wait_for_selector('[data-testid="stMetricValue"]')
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    return {label.strip(): value.strip() for label, value in zip(labels, values, strict=True)}


def choose(page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).locator("input")
    box.click()
    box.fill(option)  # the list is virtualised: filter it so the option is drawn
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


# Streamlit scrolls inside its main container, so a full-page screenshot stops at the window:
# the window is made as tall as the content for the shot, then put back.
CONTENT_HEIGHT = """() => Math.max(document.body.scrollHeight,
    ...[...document.querySelectorAll('[data-testid="stMain"]')].map(e => e.scrollHeight))"""


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    window = page.viewport_size
    page.set_viewport_size({"width": window["width"], "height": page.evaluate(CONTENT_HEIGHT)})
    page.wait_for_timeout(500)  # charts and tables redraw for the new size
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(window)


def test_overview_draws_its_charts(server, page):
    page.goto(server)
    settle(page)
    page.wait_for_selector(".js-plotly-plot .scatterlayer .trace")
    assert page.locator(".js-plotly-plot").count() == 2
    assert wait_count(page, ".js-plotly-plot .barlayer .point", 12) >= 12
    assert len(kpi_values(page)) == 11
    # Every tile measure of the catalog: the five feedback tiles in a row, the six complaint
    # tiles in the next (two rows, so that what changed is on the first screen).
    tops = [
        round(tile.bounding_box()["y"]) for tile in page.locator('[data-testid="stMetric"]').all()
    ]
    assert len(tops) == 11 and [tops.count(top) for top in sorted(set(tops))] == [5, 6]
    shot(page, "overview")


def test_data_page_renders_its_tables(server, page):
    page.goto(f"{server}/data")
    settle(page)
    page.wait_for_selector('[data-testid="stDataFrame"]')
    assert page.get_by_text("Every row passed validation.").is_visible()
    shot(page, "data")


def test_data_page_imports_an_uploaded_export(server, page):
    """Upload the GP survey example with its mapping; the report shows each answer as read."""
    example = ROOT / "examples" / "gp-fft-survey"
    written = ROOT / "data" / "imports" / "browser-test-gp.duckdb"
    written.unlink(missing_ok=True)
    page.goto(f"{server}/data")
    settle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        str(example / "survey.csv")
    )
    page.get_by_label("Mapping (ptx.toml)").fill((example / "ptx.toml").read_text())
    page.get_by_label("Name of the import").fill("browser-test-gp")
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Imported into").wait_for(timeout=60_000)
    settle(page)
    assert written.is_file()
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_text("Answer values as read").count() == 1  # the import's report
    shot(page, "data-import")
    written.unlink()


def test_department_filter_updates_url_and_kpis_and_link_restores_view(server, page, browser):
    page.goto(server)
    settle(page)
    page.wait_for_selector(".js-plotly-plot")
    before = kpi_values(page)
    choose(page, "Department", "Respiratory Ward")
    page.wait_for_function("() => location.search.includes('dept=')")
    # The page title line names the scope once the rerun with the new filter has drawn.
    page.locator('[data-testid="stCaptionContainer"]').filter(
        has_text="Medicine › Respiratory Ward"
    ).wait_for()
    settle(page)
    after = kpi_values(page)
    assert after["Feedback responses"] != before["Feedback responses"]
    query = parse_qs(urlparse(page.url).query)
    assert query["dept"] == ["Respiratory Ward"]
    # Choosing the department also sets its site and division, in the widgets and the URL.
    assert query.get("division") == ["Medicine"] and query.get("site") == ["Riverside Hospital"]
    shot(page, "overview-respiratory")

    # Moving to another page keeps the filter.
    page.get_by_role("link", name="Data").click()
    settle(page)
    assert "dept=" in page.url

    # The copied link restores the same view in a fresh browser context.
    link = page.url.replace("/data", "/")
    other = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
    other.goto(link)
    settle(other)
    other.wait_for_selector(".js-plotly-plot")
    assert kpi_values(other) == after
    assert (
        other.locator('[data-testid="stSelectbox"]')
        .filter(has_text="Department")
        .locator("input")
        .input_value()
        == "Respiratory Ward"
    )
    other.context.close()


def test_feedback_page_draws_the_spc_chart_and_breakdowns(server, page):
    page.goto(f"{server}/feedback?dept=Respiratory+Ward&dates=2023-10-01&dates=2026-09-30")
    settle(page)
    page.wait_for_selector(".js-plotly-plot .scatterlayer .trace")
    assert page.get_by_text("Special cause: improvement (higher)").is_visible()
    assert page.get_by_text("months above the mean from Jun 2025").first.is_visible()
    # Improvement points are drawn in the MDC blue.
    assert wait_count(page, '.js-plotly-plot path.point[style*="rgb(0, 114, 178)"]', 10) >= 10
    shot(page, "feedback")
    page.get_by_role("tab", name="Age band").click()
    settle(page)
    assert page.get_by_text("by age band").first.is_visible()
    assert "breakdown=Age+band" in page.url  # the open tab is part of the link


def test_a_deep_link_is_the_first_request_a_fresh_server_sees(browser, demo_duckdb):
    with streamlit_server(demo_duckdb) as url:
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        p = context.new_page()
        p.set_default_timeout(30_000)
        # Bound widgets put their option labels in the URL: period=Quarter, measure=<label>.
        p.goto(f"{url}/feedback?dept=Maternity&period=Quarter&measure=Net+Promoter+Score")
        settle(p)
        p.wait_for_selector(".js-plotly-plot")
        assert p.locator('[data-testid="stException"]').count() == 0
        assert p.get_by_text("Hillview Hospital › Women's & Children's › Maternity").is_visible()
        assert "period=Quarter" in p.url and "dept=Maternity" in p.url
        assert p.get_by_text("Net Promoter Score by quarter").is_visible()
        context.close()


def test_complaints_page_draws_survival_curves_and_backlog(server, page):
    page.goto(f"{server}/complaints?dept=Trauma+%26+Orthopaedics")
    settle(page)
    page.wait_for_selector(".js-plotly-plot .scatterlayer .trace")
    assert page.get_by_text("Share still open by working days since receipt").is_visible()
    values = kpi_values(page)
    assert values["Median to resolve"].endswith("days")
    shot(page, "complaints")
    page.get_by_role("tab", name="Backlog").click()
    settle(page)
    assert page.get_by_text("Open complaints at each month end").is_visible()
    # The backlog; its ageing has only counts of 1-7 for this department: not drawn, and said.
    assert page.locator(".js-plotly-plot").count() == 1
    assert page.get_by_text("Too few open complaints to show without identifying").is_visible()
    assert "section=Backlog" in page.url
    shot(page, "complaints-backlog")


def test_a_funnel_point_selects_the_department_for_every_page(server, page):
    page.goto(f"{server}/departments")
    settle(page)
    page.wait_for_selector(".js-plotly-plot .scatterlayer .trace")
    shot(page, "departments")
    # Trauma & Orthopaedics is the one department worse than expected on FFT % positive.
    worse = page.locator('.js-plotly-plot .scatterlayer path.point[style*="rgb(242, 192, 98)"]')
    assert worse.count() == 1
    worse.first.click(force=True)
    page.wait_for_function("() => location.search.includes('dept=')")
    settle(page)
    assert "dept=Trauma" in page.url
    page.get_by_role("link", name="Complaints").last.click()
    settle(page)
    page.wait_for_selector(".js-plotly-plot")
    assert page.get_by_text(
        "Hillview Hospital › Surgery › Trauma & Orthopaedics"
    ).first.is_visible()
    assert "/complaints" in page.url


def test_departments_heatmap_opens_from_its_link(server, page):
    page.goto(f"{server}/departments?view=Every+measure+at+a+glance")
    settle(page)
    page.wait_for_selector(".js-plotly-plot .heatmaplayer")
    assert page.get_by_text("Funnel verdict by department and measure").is_visible()
    assert page.locator(".js-plotly-plot").count() == 1
    shot(page, "departments-heatmap")
