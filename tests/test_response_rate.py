"""The FFT response rate: FFT responses / patients eligible, over the department-months that
have an eligible count; by hand on a tiny source, and recounted with pandas on the demo."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import ptx
from ptx.stats import Z_95
from tests.builders import feedback_rows, write_source
from tests.conftest import open_location

EVERYTHING = ptx.Disclosure(enabled=False)
JAN_FEB = ptx.Filters(start=date(2025, 1, 1), end=date(2025, 2, 28))


def _rows(department: str, month: str, ratings: list, scale: str = "fft5") -> list[tuple]:
    return [
        (
            f"{department}-{month}-{scale}-{i}",
            f"{month}-{i + 1:02d}",
            department,
            "FFT SMS",
            r,
            scale,
        )
        for i, r in enumerate(ratings)
    ]


@pytest.fixture(params=["duckdb", "sqlite"])
def tiny(request, tmp_path):
    """Eligible counts for A1 in January (40) and A2 in January and February (20, 10); none for
    A1 in February or for B1, whose responses therefore count nowhere in the rate."""
    activity = pd.DataFrame(
        {
            "department_id": ["A1", "A1", "A2", "A2", "B1", "B1"],
            "month": pd.to_datetime(["2025-01-01", "2025-02-01"] * 3).date,
            "episodes": [100, 100, 50, 50, 80, 80],
            "eligible": pd.array([40, None, 20, 10, None, None], dtype="Int64"),
        }
    )
    rows = (
        _rows("A1", "2025-01", [1] * 8 + [4, 6] + [None] * 2)  # 10 FFT answers, 2 comment-only
        + _rows("A1", "2025-01", [10, 9, 3], scale="ltr11")  # not FFT answers
        + _rows("A1", "2025-02", [1] * 5)  # a month without an eligible count
        + _rows("A2", "2025-01", [1, 2, 2, 5])
        + _rows("A2", "2025-02", [1, 1, 3, None])
        + _rows("B1", "2025-01", [1] * 6)  # a department without eligible counts
    )
    path = write_source(
        tmp_path / f"s.{request.param}", feedback=feedback_rows(rows), activity=activity
    )
    source = open_location(path)
    yield source
    source.dispose()


def _wilson(x: float, n: float) -> tuple[float, float]:
    p, z2 = x / n, Z_95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_95 * np.sqrt(p * (1 - p) / n + z2 / (4 * n**2)) / (1 + z2 / n)
    return 100 * (centre - half), 100 * (centre + half)


def test_response_rate_by_hand(tiny):
    # Counted department-months: A1 January (10 of 40), A2 January (4 of 20), A2 February
    # (3 of 10): 17 of 70. A1's February and B1 have responses but no eligible count.
    row = ptx.headline(tiny, JAN_FEB, rule=EVERYTHING).to_frame().set_index("kpi")
    row = row.loc["fft_response_rate"]
    assert row["value"] == pytest.approx(100 * 17 / 70) and row["n"] == 70
    low, high = _wilson(17, 70)
    assert (row["low"], row["high"]) == (pytest.approx(low), pytest.approx(high))
    assert row["note"] == ""
    monthly = ptx.trend(tiny, "fft_response_rate", JAN_FEB, rule=EVERYTHING).to_frame()
    assert monthly["numerator"].tolist() == [14, 3] and monthly["denominator"].tolist() == [60, 10]
    assert monthly["value"].to_numpy() == pytest.approx([100 * 14 / 60, 30.0])
    compared = ptx.compare_departments(tiny, "fft_response_rate", JAN_FEB, rule=EVERYTHING)
    by_department = compared.to_frame().set_index("department")
    assert sorted(by_department.index) == ["Ward A1", "Ward A2"]  # B1 has no eligible count
    assert by_department.loc["Ward A1", "value"] == pytest.approx(25.0)
    assert by_department.loc["Ward A2", ["value", "n"]].tolist() == [pytest.approx(70 / 3), 30]
    assert compared.organisation == pytest.approx(100 * 17 / 70)


def test_a_response_rate_from_few_responses_is_hidden_however_many_were_eligible(tiny):
    ward = ptx.Filters(start=date(2025, 1, 1), end=date(2025, 2, 28), departments=["A2"])
    shown = ptx.headline(tiny, ward).to_frame().set_index("kpi").loc["fft_response_rate"]
    assert np.isnan(shown["value"]) and shown["suppressed"]  # 7 responses of 30 eligible
    assert ptx.headline(tiny, ward, rule=EVERYTHING).to_frame().set_index("kpi").loc[
        "fft_response_rate", "value"
    ] == pytest.approx(70 / 3)
    ranking = ptx.compare_departments(tiny, "fft_response_rate", JAN_FEB)
    values = ranking.to_frame().set_index("department")["value"]
    assert values["Ward A1"] == 25.0 and np.isnan(values["Ward A2"])  # 10 responses; 7
    assert ranking.suppressed == 1


def test_no_eligible_counts_means_no_response_rate(tmp_path):
    source = open_location(write_source(tmp_path / "s.duckdb"))  # activity without eligible
    why = ptx.unavailable(source, "FFT response rate")
    assert why == "No eligible-patient counts in this source: the FFT response rate needs them."
    head = ptx.headline(source, JAN_FEB)
    assert why in head.notes and "fft_response_rate" not in [t.key for t in head.tiles()]
    assert ptx.trend(source, "fft_response_rate").unavailable == why
    assert "fft_response_rate" not in ptx.trend_measures(source)
    assert "fft_response_rate" not in ptx.available_measures(source, "funnel")


def test_the_demo_response_rate_equals_a_pandas_recount(demo_duckdb):
    """Recount from the raw demo tables, without ptx's queries: FFT answers (a rating on the
    fft5 scale) in the department-months that have an eligible count, over those months'
    eligible patients."""
    source = open_location(demo_duckdb)
    with source.engine.connect() as conn:  # plain SQL on the stored tables, nothing of ptx's
        feedback = pd.read_sql(
            sa.text("SELECT department_id, received_date, rating, rating_scale FROM feedback"),
            conn,
        )
        activity = pd.read_sql(sa.text("SELECT department_id, month, eligible FROM activity"), conn)
    feedback["received_date"] = pd.to_datetime(feedback["received_date"])
    as_of = ptx.as_of(source)
    start, end = ptx.default_window(as_of)
    fft = feedback[(feedback["rating_scale"] == "fft5") & feedback["rating"].notna()]
    fft = fft[
        (fft["received_date"] >= pd.Timestamp(start)) & (fft["received_date"] <= pd.Timestamp(end))
    ]
    fft = fft.assign(month=fft["received_date"].dt.to_period("M").dt.start_time)
    counted = activity[activity["eligible"].notna()].assign(month=pd.to_datetime(activity["month"]))
    counted = counted[(counted["month"] >= pd.Timestamp(start).replace(day=1))]
    counted = counted[counted["month"] <= pd.Timestamp(end)]
    answered = fft.merge(counted[["department_id", "month"]], on=["department_id", "month"])
    responses = answered.groupby("department_id").size()
    eligible = counted.groupby("department_id")["eligible"].sum().astype("float64")
    expected = (100 * responses / eligible).dropna()
    assert 10 <= len(expected) < activity["department_id"].nunique()  # not every department

    head = ptx.headline(source, rule=EVERYTHING).to_frame().set_index("kpi")
    assert head.loc["fft_response_rate", "value"] == pytest.approx(
        100 * responses.sum() / eligible.sum()
    )
    assert head.loc["fft_response_rate", "n"] == eligible.sum()
    assert 15 <= head.loc["fft_response_rate", "value"] <= 30  # a plausible NHS response rate

    compared = ptx.compare_departments(source, "fft_response_rate", rule=EVERYTHING)
    ours = compared.ranking.assign(
        department_id=compared.ranking["department"].map(
            {name: dep for dep, name in compared.names.items()}
        )
    ).set_index("department_id")
    pd.testing.assert_series_equal(
        ours.loc[expected.index, "value"], expected, check_names=False, rtol=1e-12
    )
    assert (ours.loc[expected.index, "n"] == eligible[expected.index]).all()

    monthly = ptx.trend(source, "fft_response_rate", ptx.Filters(start, end), rule=EVERYTHING)
    by_month = answered.groupby("month").size() / counted.groupby("month")["eligible"].sum()
    assert len(by_month) == 12
    assert monthly.to_frame()["value"].to_numpy() == pytest.approx(100 * by_month.to_numpy())


def test_a_window_that_cuts_months_counts_whole_months_on_both_sides(tmp_path):
    """Regression: 2 responses and 4 eligible patients a day is 50 % in every window; a window
    from 16 March to 15 March used to give 46.1 % (12 months of responses over 13 months of
    eligible patients) and a made-up change of +5.0 points against the year before."""
    days = pd.date_range("2024-01-01", "2026-03-15", freq="D")
    feedback = pd.DataFrame(
        {
            "feedback_id": [f"f{i}" for i in range(2 * len(days))],
            "received_date": list(days.date) * 2,
            "department_id": "A1",
            "channel": "FFT card",
            "rating": 1,
            "rating_scale": "fft5",
        }
    )
    months = pd.date_range("2024-01-01", "2026-03-01", freq="MS")
    activity = pd.DataFrame(
        {
            "department_id": "A1",
            "month": months.date,
            "episodes": 1000,
            "eligible": 4 * months.days_in_month,
        }
    )
    source = ptx.open_source(
        write_source(tmp_path / "s.duckdb", feedback=feedback, activity=activity)
    )
    window = ptx.Filters(start=date(2025, 3, 16), end=date(2026, 3, 15))
    kpis = ptx.headline(source, window).to_frame().set_index("kpi")
    assert round(kpis.at["fft_response_rate", "value"], 6) == 50.0
    assert round(kpis.at["fft_response_rate", "previous"], 6) == 50.0
