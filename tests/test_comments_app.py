"""The Comments page under AppTest on the demo data: the list, its filters, trends, heatmap."""

from __future__ import annotations

import json

import pytest

import ptx
from tests.conftest import open_location
from tests.test_app import run_app

PAGE = "pages/comments.py"


@pytest.fixture(autouse=True)
def _demo_source(monkeypatch, demo_duckdb):
    monkeypatch.setenv("PTX_SOURCE", str(demo_duckdb))


def _markdown(at) -> list[str]:
    return [m.value for m in at.main.markdown]


def test_the_list_shows_counts_and_comments_with_their_details(demo_duckdb):
    at = run_app(demo_duckdb, PAGE)
    expected = ptx.comments(open_location(demo_duckdb), ptx.Filters()).total
    count = _markdown(at)[0]
    assert count.startswith("**") and "comments match" in count
    shown_total = int(count.strip("*").split(" ")[0].replace(",", ""))
    # The page's default range is the last 12 months: fewer than the whole history
    assert 0 < shown_total <= expected
    details = [c.value for c in at.main.caption][1:]
    assert len(details) >= 25  # a page of comments, each with its date and department
    assert any(" · " in d and "20" in d for d in details)
    assert not any("None" in d or "nan" in d for d in details)


def _shown_count(at) -> int:
    return int(_markdown(at)[0].strip("*").split(" ")[0].replace(",", ""))


def test_search_highlights_and_filters_narrow_the_list(demo_duckdb):
    source = open_location(demo_duckdb)
    start, end = ptx.default_window(ptx.as_of(source))
    window = ptx.Filters(start=start, end=end)  # the page's default dates
    at = run_app(demo_duckdb, PAGE)
    at.text_input(key="q").set_value("parking").run()
    assert not at.exception
    assert _shown_count(at) == ptx.comments(source, window, search="parking").total > 0
    comments = _markdown(at)[1:]
    assert comments and all(":orange-background[" in t for t in comments)
    at.multiselect(key="sentiment").set_value(["positive"]).run()
    expected = ptx.comments(source, window, search="parking", sentiment="positive").total
    assert _markdown(at)[0].startswith(f"**{expected:,} comment")
    at.multiselect(key="sentiment").set_value([]).run()
    at.multiselect(key="rating").set_value([4, 5]).run()
    expected = ptx.comments(source, window, search="parking", ratings=[4, 5]).total
    assert _shown_count(at) == expected


def test_a_url_opens_the_trends_tab_with_its_charts(demo_duckdb):
    at = run_app(demo_duckdb, PAGE, comments_tab="Theme trends")
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    share = json.loads(charts[0].proto.spec)
    assert share["layout"]["title"]["text"] == "Share of comments by theme"
    assert len(share["data"]) == 5  # the five most common themes
    headers = list(at.dataframe[0].value.columns)
    assert "% of comments" in headers and "Theme" in headers


def test_the_heatmap_tab_names_departments(demo_duckdb):
    at = run_app(demo_duckdb, PAGE, comments_tab="Themes by department")
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert spec["data"][0]["type"] == "heatmap"
    table = at.dataframe[0].value
    assert list(table.columns)[:2] == ["Department", "Theme"]
    assert not table.isna().any().any()


def test_a_rising_theme_opens_the_page_on_it(tmp_path, monkeypatch):
    from tests.builders import write_source
    from tests.test_comments import _months_of_comments

    location = write_source(tmp_path / "rising.duckdb", feedback=_months_of_comments())
    monkeypatch.setenv("PTX_SOURCE", location)
    filters = ptx.Filters(start="2024-01-01", end="2025-06-30")
    signal = ptx.theme_trends(open_location(location), filters).rising[0]
    at = run_app(location, signal.page, dates=["2024-01-01", "2025-06-30"], **dict(signal.params))
    assert at.selectbox(key="trend_theme").value == "transport_parking"
    assert f"- {ptx.escape_markdown(signal.sentence)}" in _markdown(at)
