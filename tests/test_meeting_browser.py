"""Meeting mode in a real browser at 1920x1080: every page without the sidebar or Streamlit's
chrome, no text smaller than 24 px and no chart text smaller than 20 px. Screenshots of each
page as the room sees it are saved under test-artifacts/screenshots/meeting-*.png."""

from __future__ import annotations

import pytest

from tests.test_browser import IDLE, SCREENSHOTS, browser, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

PAGES = ("", "feedback", "complaints", "departments", "benchmarks", "data")
BODY_MIN_PX = 24
CHART_MIN_PX = 20

# Every visible element of the page's main area that holds text of its own (outside charts),
# with its computed font size; and every text of the plotly charts.
TEXT_SIZES = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const out = [];
  for (const el of main.querySelectorAll('*')) {
    if (el.closest('svg') || el.closest('[data-testid="stDataFrame"]')) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    if (!own || box.width === 0 || box.height === 0) continue;
    if (getComputedStyle(el).visibility === 'hidden') continue;
    out.push([el.textContent.trim().slice(0, 40), parseFloat(getComputedStyle(el).fontSize)]);
  }
  return out;
}"""
CHART_SIZES = """() => [...document.querySelectorAll('.js-plotly-plot .main-svg text')]
  .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
  .map(t => [t.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(t).fontSize)])"""


@pytest.fixture
def room(browser):  # noqa: F811 - the fixture imported above
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    p = context.new_page()
    p.set_default_timeout(60_000)
    yield p
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_every_page_reads_across_a_room(server, room, path):  # noqa: F811
    room.goto(f"{server}/{path}?mode=meeting")
    room.wait_for_timeout(500)
    room.wait_for_selector(IDLE)
    room.wait_for_function("document.querySelectorAll('[data-testid=stSkeleton]').length === 0")
    room.wait_for_timeout(1500)  # charts draw after the run ends
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    room.screenshot(path=str(SCREENSHOTS / f"meeting-{path or 'overview'}.png"))

    assert room.locator('[data-testid="stSidebar"]').is_hidden()
    assert (
        room.locator('[data-testid="stToolbar"]').count() == 0
        or room.locator('[data-testid="stToolbar"]').first.is_hidden()
    )
    assert room.get_by_role("button", name="Leave meeting mode").is_visible()

    sizes = room.evaluate(TEXT_SIZES)
    assert sizes, "the page shows text"
    small = [(text, px) for text, px in sizes if px < BODY_MIN_PX]
    assert not small, small
    charts = room.evaluate(CHART_SIZES)
    small_chart_text = [(text, px) for text, px in charts if px < CHART_MIN_PX]
    assert not small_chart_text, small_chart_text
