"""What only a browser shows of the on-screen defects: where Plotly puts legends, tick labels
and tooltips, whether a tile's label fits, how wide a chart gets in its column, the dark theme,
and what a click on a funnel point leaves of the comparison. Real Chromium against a real
Streamlit server on the demo (fixtures of tests/test_browser.py)."""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qs, urlparse

import pytest

from tests.test_browser import browser, server, settle, shot, wait_count  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

# Every chart's parts as boxes on the page: the legend, the x tick labels, the axis titles,
# the plot area and the whole figure.
PARTS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(plot => {
    const box = e => { const r = e.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                width: r.width, height: r.height}; };
    const all = sel => [...plot.querySelectorAll(sel)].filter(e => e.getBBox().width > 0)
        .map(box);
    return {
        title: (plot.querySelector('.gtitle') || {}).textContent || '',
        figure: box(plot.querySelector('.main-svg')),
        legend: all('g.legend .bg'),
        ticks: all('.xaxislayer-above .xtick text'),
        // Upright labels only: turned ones (Plotly turns them when they would collide) have
        // boxes wider than their text, and Plotly spaces them itself.
        upright: all('.xaxislayer-above .xtick text:not([transform*="rotate"])'),
        titles: all('.g-xtitle text, .g-ytitle text'),
        plot: box(plot.querySelector('.nsewdrag') || plot.querySelector('.main-svg')),
    };
})"""


# Tile labels cut short: the laid-out text wider than the box that shows it with an ellipsis.
TRUNCATED_LABELS = """() => [...document.querySelectorAll(
        '[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"]')]
    .filter(box => { const text = document.createRange(); text.selectNodeContents(box);
        return text.getBoundingClientRect().width > box.getBoundingClientRect().width + 1; })
    .map(box => box.textContent)"""


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["right"] <= b["left"]
        or b["right"] <= a["left"]
        or a["bottom"] <= b["top"]
        or b["bottom"] <= a["top"]
    )


def _inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (
        inner["left"] >= outer["left"] - slack
        and inner["right"] <= outer["right"] + slack
        and inner["top"] >= outer["top"] - slack
        and inner["bottom"] <= outer["bottom"] + slack
    )


@contextlib.contextmanager
def _window(browser, width: int, height: int, **options):  # noqa: F811 - the fixture
    """A page in a fresh browser context of that window size, closed afterwards."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
    finally:
        context.close()


def _open(page, url: str) -> list[dict]:
    """Go to ``url``, wait for its charts, and return their parts (see PARTS)."""
    page.goto(url)
    settle(page)
    page.wait_for_selector(
        ".js-plotly-plot .scatterlayer .trace, .js-plotly-plot .barlayer, "
        ".js-plotly-plot .heatmaplayer",
        state="attached",
    )
    page.wait_for_timeout(500)  # the figures settle to their column width
    return page.evaluate(PARTS)


def _box(found: dict) -> dict:
    """A Playwright bounding box as edges."""
    return {
        "left": found["x"],
        "right": found["x"] + found["width"],
        "top": found["y"],
        "bottom": found["y"] + found["height"],
    }


@pytest.mark.parametrize("width", [1440, 1123])
def test_legends_stay_clear_of_ticks_and_axis_titles(server, browser, width):  # noqa: F811
    views = [
        "/feedback?dept=Respiratory+Ward&dates=2026-04-01&dates=2026-09-30",  # a short range
        "/departments",
        "/departments?view=Every+measure+at+a+glance",
        "/complaints",
    ]
    checked = 0
    with _window(browser, width, 900) as page:
        for view in views:
            for chart in _open(page, server + view):
                for legend in chart["legend"]:
                    assert _inside(legend, chart["figure"]), (view, chart["title"])
                    for other in chart["ticks"] + chart["titles"]:
                        assert not _overlap(legend, other), (view, chart["title"], other)
                    checked += 1
                for title in chart["titles"]:
                    assert _inside(title, chart["figure"]), (view, chart["title"], "clipped")
                ticks = chart["upright"]
                for i, tick in enumerate(ticks):  # no two tick labels drawn on each other
                    assert not any(_overlap(tick, other) for other in ticks[i + 1 :]), (
                        view,
                        chart["title"],
                        tick,
                    )
    assert checked >= 3


def test_the_funnel_tooltip_stays_inside_the_figure(server, browser):  # noqa: F811
    with _window(browser, 1440, 900) as page:
        (funnel,) = _open(page, f"{server}/departments")
        points = page.locator(".js-plotly-plot .scatterlayer path.point")
        label = page.locator(".js-plotly-plot .hoverlayer .hovertext").first
        checked = 0
        for i in range(points.count()):  # the rightmost, the topmost... every one
            point = points.nth(i).bounding_box()
            page.mouse.move(point["x"] + point["width"] / 2, point["y"] + point["height"] / 2)
            label.wait_for(state="visible")
            tip = _box(label.bounding_box())
            assert _inside(tip, funnel["figure"]), (i, tip, funnel["figure"])
            checked += 1
            page.mouse.move(0, 0)
        assert checked >= 25
        shot(page, "defects-funnel-tooltip")


def test_complaint_tiles_fit_at_1440(server, browser):  # noqa: F811
    with _window(browser, 1440, 900) as page:
        page.goto(f"{server}/complaints")
        settle(page)
        page.wait_for_selector('[data-testid="stMetricLabel"]')
        cut = page.evaluate(TRUNCATED_LABELS)
        assert not cut, f"truncated tile labels: {cut}"
        # The change since the previous period, as on the Overview.
        assert wait_count(page, '[data-testid="stMetricDelta"]', 4) >= 4
        shot(page, "defects-complaints-1440")


def test_the_subject_chart_gets_its_width_at_1440(server, browser):  # noqa: F811
    with _window(browser, 1440, 900) as page:
        charts = _open(page, f"{server}/complaints?section=Outcomes+and+subjects")
        subject = next(c for c in charts if c["title"].startswith("Subject"))
        assert subject["plot"]["width"] > 300  # was about 45 pixels beside its long labels
        for title in subject["titles"]:
            assert _inside(title, subject["figure"])
        shot(page, "defects-subjects-1440")


def test_charts_follow_the_dark_theme(server, browser):  # noqa: F811
    with _window(browser, 1440, 900, color_scheme="dark") as page:
        _open(page, f"{server}/feedback")
        backgrounds = page.evaluate(
            """() => [...document.querySelectorAll('.js-plotly-plot .main-svg')]
                .filter(s => s.querySelector('.bg, .gtitle'))
                .map(s => getComputedStyle(s).backgroundColor)"""
        )
        assert backgrounds and set(backgrounds) <= {"rgba(0, 0, 0, 0)", "transparent"}
        fill = page.locator(".js-plotly-plot .gtitle").first.evaluate(
            "e => getComputedStyle(e).fill"
        )
        red, green, blue = (int(c) for c in fill[fill.index("(") + 1 : -1].split(",")[:3])
        assert min(red, green, blue) > 180  # light text on the dark page
        shot(page, "defects-feedback-dark")


def test_a_click_on_a_funnel_point_keeps_the_comparison(server, browser):  # noqa: F811
    with _window(browser, 1600, 1000) as page:
        page.goto(f"{server}/departments")
        settle(page)
        page.wait_for_selector(".js-plotly-plot .scatterlayer .trace")
        points = page.locator(".js-plotly-plot .scatterlayer path.point")
        before = points.count()
        worse = page.locator('.js-plotly-plot .scatterlayer path.point[style*="rgb(242, 192, 98)"]')
        worse.first.click(force=True)
        page.wait_for_function("() => location.search.includes('dept=')")
        settle(page)
        page.wait_for_selector(".js-plotly-plot .scatterlayer .trace")
        query = parse_qs(urlparse(page.url).query)
        assert query["dept"] == ["Trauma & Orthopaedics"]
        assert "division" not in query and "site" not in query  # the group compared is kept
        page.get_by_text("Compared within: Whole organisation").wait_for()
        # Every department is still drawn, and the chosen one is ringed besides.
        assert points.count() == before + 1
        assert page.get_by_text("selected: Trauma & Orthopaedics").count() >= 1
        shot(page, "defects-funnel-selected")
