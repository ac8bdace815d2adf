"""The Comments page in a real Chromium at 1920x1080: the list, a search, the trends tab."""

from __future__ import annotations

import pytest

from tests.test_browser import browser, server, settle, shot  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


@pytest.fixture
def wide(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def test_search_highlights_terms_and_the_trends_tab_draws(server, wide):  # noqa: F811
    wide.goto(f"{server}/comments?q=parking")
    settle(wide)
    wide.wait_for_selector('[data-testid="stMarkdownContainer"] >> text=comments match')
    count = wide.get_by_text("comments match").first.inner_text()
    assert count.split(" ")[0].replace(",", "").isdigit()
    highlighted = wide.locator('[data-testid="stMarkdownContainer"] span').filter(
        has_text="Parking"
    )
    assert highlighted.count() >= 1
    shot(wide, "comments")
    wide.get_by_role("tab", name="Theme trends").click()
    settle(wide)
    wide.wait_for_selector(".js-plotly-plot")
    assert wide.locator(".js-plotly-plot").count() == 2
    assert "comments_tab=Theme+trends" in wide.url or "comments_tab=Theme%20trends" in wide.url
    shot(wide, "comments-trends")
