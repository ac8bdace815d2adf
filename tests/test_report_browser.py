"""In a real Chromium: the board pack opens with the network off and asks for nothing, a printed
page holds every row of its tables and no sidebar, and the dashboard's PNG and Excel buttons
give the files they name."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

import ptx
from tests.test_browser import (  # noqa: F401 - the shared browser fixtures
    SCREENSHOTS,
    browser,
    page,
    server,
    settle,
    shot,
)

pytestmark = pytest.mark.browser


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


def test_the_board_pack_opens_offline_and_asks_the_network_for_nothing(
    browser,  # noqa: F811 - the shared browser fixture
    demo_duckdb,
    tmp_path,
):
    source = ptx.open_source(demo_duckdb)
    path = tmp_path / "pack.html"
    path.write_bytes(ptx.board_pack(source))
    context = browser.new_context(offline=True, viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    blocked: list[str] = []
    context.route(
        re.compile(r"^(?!file:).*"),
        lambda route: (blocked.append(route.request.url), route.abort()),
    )
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.as_uri())
        figures = page.locator('div.figure [id^="ptx-figure-"]')
        count = figures.count()
        assert count >= 15  # every key chart of every page
        page.wait_for_function(
            "n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n", arg=count
        )
        drawn = page.locator(".js-plotly-plot").count()
        assert drawn == count  # each chart drawn by the inlined plotly.js
        for section in ("overview", "feedback", "complaints", "departments", "methods"):
            assert page.locator(f"section#{section} h2").is_visible(), section
        assert page.locator("section#overview .tile").count() == 11
        ranking = page.locator("table.ptx-table").filter(has_text="Ranking, with intervals")
        assert ranking.locator("tbody tr").count() == 25  # every department
        assert page.locator("#as-of").inner_text().startswith("Data as of:")
        assert not errors, errors
        page.screenshot(path=str(SCREENSHOTS / "board-pack.png"))
    finally:
        context.close()
    assert requests == [path.as_uri()], requests  # the file itself, nothing else
    assert not blocked


def test_a_printed_page_holds_every_table_row_and_no_sidebar(
    server,  # noqa: F811 - the shared browser fixtures
    page,  # noqa: F811
    demo_default,
):
    page.goto(f"{server}/departments")
    settle(page)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=90_000)
    grid_rows = page.locator('[data-testid="stDataFrame"]').first.bounding_box()["height"] / 35
    assert grid_rows < 25  # on screen the table scrolls: not every row is in view
    funnel = page.locator('[data-testid="stPlotlyChart"]').first
    last_tick = funnel.locator(".xtick text").last.text_content().strip()
    assert last_tick.replace(",", "").isdigit() and len(last_tick) >= 4  # in the thousands
    # What the browser does when a person prints (Ctrl+P): "beforeprint", then print media.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    zoom = page.locator('[data-testid="stPlotlyChart"]').first.evaluate("e => e.style.zoom")
    assert 0 < float(zoom) < 1  # drawn wider than the paper on this 1600-pixel screen
    pdf = page.pdf(prefer_css_page_size=True)
    text = pdf_text(pdf)
    assert last_tick in text  # the funnel's last x tick: the chart is whole, not cut at the edge
    source = ptx.open_source(demo_default)
    names = ptx.compare_departments(source, "fft_pct_positive").table()["Department"]
    assert len(names) == 25
    missing = [n for n in names if n not in text]
    assert not missing, missing  # every row of the ranking, not only those in view
    for chrome in ("Suppress small numbers", "Feedback channel", "Download (CSV)", "Deploy"):
        assert chrome not in text, chrome  # no sidebar, toolbar or buttons
    assert "Ranking, with intervals" in text
    page.emulate_media(media="print")
    shot(page, "departments-print")
    page.emulate_media(media="screen")
    assert not page.locator(".ptx-print-only").first.is_visible()  # on screen: the grid only


def test_the_chart_and_table_buttons_download_png_and_excel(
    server,  # noqa: F811 - the shared browser fixtures
    page,  # noqa: F811
):
    page.goto(f"{server}/departments")
    settle(page)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=90_000)
    buttons = page.locator('[data-testid="stDownloadButton"]')
    with page.expect_download() as png:
        buttons.filter(has_text="PNG").first.click()
    assert png.value.suggested_filename == "ptx-funnel.png"
    with open(png.value.path(), "rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as excel:
        buttons.filter(has_text="Download (Excel)").first.click()
    assert excel.value.suggested_filename == "ptx-ranking-fft_pct_positive.xlsx"
    sheet = load_workbook(io.BytesIO(excel.value.path().read_bytes())).worksheets[0]
    assert sheet.max_row == 26 and sheet["B1"].value == "Department"
