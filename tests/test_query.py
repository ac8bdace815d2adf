from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

import ptx
from ptx import query
from ptx.errors import PtxError
from tests.builders import write_source
from tests.conftest import open_location


@pytest.fixture
def tiny(tmp_path):
    return open_location(write_source(tmp_path / "s.duckdb"))


def test_department_filter_resolves_the_hierarchy(tiny):
    assert query.department_ids(tiny, ptx.Filters()) is None
    assert query.department_ids(tiny, ptx.Filters(sites=("North",))) == ["A1", "A2"]
    assert query.department_ids(tiny, ptx.Filters(divisions=("Surgery",))) == ["B1"]
    assert (
        query.department_ids(tiny, ptx.Filters(divisions=("Medicine",), departments=("B1",))) == []
    )


def test_feedback_counts_per_month_and_value(tiny):
    counts = query.feedback_counts(tiny, ptx.Filters(), by=("month",))
    assert set(counts["month"]) == {date(2025, 1, 1)}
    assert counts["responses"].sum() == 7
    fft = counts[counts["rating_scale"] == "fft5"]
    assert dict(zip(fft["rating"], fft["responses"], strict=True)) == {1: 1, 2: 1, 4: 1, 6: 1}


def test_filters_narrow_the_counts(tiny):
    f = ptx.Filters(start=date(2025, 1, 3), end=date(2025, 1, 10), channels=("FFT SMS",))
    counts = query.feedback_counts(tiny, f, by=("day", "department_id"))
    assert sorted(zip(counts["day"], counts["department_id"], strict=True)) == [
        (date(2025, 1, 3), "A1"),
        (date(2025, 1, 10), "A2"),
    ]


def test_filter_values_are_bound_never_formatted_into_sql(tiny):
    evil = "x' OR '1'='1"
    f = ptx.Filters(channels=(evil,), sites=("North",))
    counts = query.feedback_counts(tiny, f, by=())
    assert counts["responses"].sum() == 0
    # A department is looked up among the known ones before any statement is built.
    with pytest.raises(ptx.PtxError, match="No department"):
        query.feedback_counts(tiny, ptx.Filters(departments=(evil,)), by=())


def test_departments_by_id_or_name_and_unknown_ones_named(tiny):
    by_id = query.feedback_counts(tiny, ptx.Filters(departments=("A1",)), by=())
    by_name = query.feedback_counts(tiny, ptx.Filters(departments=("Ward A1",)), by=())
    assert by_id.equals(by_name) and by_id["responses"].sum() > 0
    with pytest.raises(ptx.PtxError, match="Did you mean .*'Ward A1'"):
        query.feedback_counts(tiny, ptx.Filters(departments=("Ward A!",)), by=())
    with pytest.raises(ptx.PtxError, match="No site 'Nort'.*Did you mean 'North'"):
        query.feedback_counts(tiny, ptx.Filters(sites=("Nort",)), by=())
    with pytest.raises(ptx.PtxError, match="No division"):
        query.feedback_counts(tiny, ptx.Filters(divisions=("Nowhere",)), by=())


def test_departments_cannot_be_changed_by_a_caller(tiny):
    first = query.departments(tiny)
    first.loc[:, "department_name"] = "changed"
    assert "changed" not in set(query.departments(tiny)["department_name"])


def test_complaints_open_at_as_of(tiny):
    counts = query.complaint_counts(tiny, ptx.Filters(), date(2025, 1, 31), by=("department_id",))
    assert dict(zip(counts["department_id"], counts["open"], strict=True)) == {
        "A1": 0,
        "A2": 1,
        "B1": 1,
    }
    # Before c1 was resolved, it was open too.
    earlier = query.complaint_counts(tiny, ptx.Filters(), date(2025, 1, 15), by=())
    assert earlier["open"].sum() == 3


def test_activity_totals(tiny):
    assert query.activity_totals(tiny, ptx.Filters())["episodes"].sum() == 1750
    north = query.activity_totals(tiny, ptx.Filters(sites=("North",)), by=("department_id",))
    assert north["episodes"].tolist() == [1000, 500]


def test_as_of_and_range(tiny):
    assert query.data_range(tiny) == (date(2025, 1, 2), date(2025, 1, 13))
    assert query.as_of_date(tiny) == date(2025, 1, 13)


def test_bad_grouping_and_range_are_errors(tiny):
    with pytest.raises(PtxError, match="Cannot group by"):
        query.feedback_counts(tiny, ptx.Filters(), by=("colour",))
    with pytest.raises(PtxError, match="swap them"):
        ptx.Filters(start=date(2025, 2, 1), end=date(2025, 1, 1))


def test_queries_return_aggregates_not_rows(demo_duckdb):
    source = open_location(demo_duckdb)
    counts = query.feedback_counts(source, ptx.Filters(), by=("month",))
    # 36 months x (6 FFT values + 11 NPS values + unrated) at most, whatever the row count.
    assert len(counts) <= 36 * 18
    with source.engine.connect() as conn:
        rows = conn.execute(
            sa.select(sa.func.count()).select_from(source.table("feedback"))
        ).scalar()
    assert counts["responses"].sum() == rows


def test_period_grouping_equals_each_window_queried_alone(demo_duckdb):
    from ptx import timing

    source = open_location(demo_duckdb)
    as_of = query.as_of_date(source)
    chosen = ptx.Filters(start=date(2025, 11, 10), end=date(2026, 2, 3), divisions=("Medicine",))
    both = chosen.with_previous()
    before = chosen.between(*query.previous_window(chosen.start, chosen.end))
    assert both.start == before.start == date(2025, 8, 16) and both.end == chosen.end
    calls = {
        "feedback": lambda f, by: query.feedback_counts(source, f, by=by),
        "complaints": lambda f, by: query.complaint_counts(source, f, as_of, by=by),
        "answers": lambda f, by: query.answer_counts(source, f, by=by),
        "resolved": lambda f, by: timing.stage_counts(source, f, as_of, "resolved", by=by),
    }
    for name, call in calls.items():
        grouped = call(both, ("period", "department_id"))
        assert set(grouped["period"]) == {"previous", "current"}, name
        for period, window in (("current", chosen), ("previous", before)):
            alone = call(window, ("department_id",))
            got = grouped[grouped["period"] == period].drop(columns="period")
            pd.testing.assert_frame_equal(
                got.reset_index(drop=True), alone.reset_index(drop=True), obj=f"{name} {period}"
            )
    # Without a comparison every row is current.
    assert set(query.feedback_counts(source, chosen, by=("period",))["period"]) == {"current"}
    with pytest.raises(PtxError, match="start and an end"):
        ptx.Filters(end=date(2026, 1, 1)).with_previous()


def test_filters_read_one_name_as_one_choice_and_dates_as_text():
    f = ptx.Filters(start="2025-01-01", end="2025-01-31", departments="Ward A1", sites=["North"])
    assert f.departments == ("Ward A1",) and f.sites == ("North",)
    assert (f.start, f.end) == (date(2025, 1, 1), date(2025, 1, 31))
    with pytest.raises(ptx.PtxError, match="not a date; write YYYY-MM-DD"):
        ptx.Filters(start="31/01/2025")
