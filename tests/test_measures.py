from datetime import date

import pandas as pd
import pytest

import ptx
from ptx import catalog, counts, demo, measures, spc
from tests.conftest import open_location


def test_period_starts():
    days = pd.Series([date(2025, 1, 1), date(2025, 1, 5), date(2025, 1, 6), date(2025, 5, 31)])
    assert list(measures.period_start(days, "week")) == [
        date(2024, 12, 30),
        date(2024, 12, 30),
        date(2025, 1, 6),
        date(2025, 5, 26),
    ]
    assert list(measures.period_start(days, "month"))[-1] == date(2025, 5, 1)
    assert list(measures.period_start(days, "quarter"))[-1] == date(2025, 4, 1)
    with pytest.raises(ptx.PtxError):
        measures.query_grain("fortnight")


def _counts():
    return pd.DataFrame(
        {
            "month": [date(2025, 1, 1)] * 4 + [date(2025, 2, 1)] * 2,
            "rating_scale": ["fft5", "fft5", "fft5", "ltr11", "fft5", "ltr11"],
            "rating": [1.0, 4.0, 6.0, 10.0, 2.0, 3.0],
            "responses": [6, 2, 2, 5, 10, 5],
        }
    )


def _series(key, frames, period):
    return measures.series(catalog.measure(key), frames, period)


def test_measure_series_by_hand():
    frames = {"feedback": _counts()}
    pos = _series("fft_pct_positive", frames, "month")
    assert pos["value"].tolist() == [60.0, 100.0]  # 6 of 10, 10 of 10
    assert pos["denominator"].tolist() == [10, 10]
    assert (pos["low"] <= pos["value"]).all() and (pos["high"] >= pos["value"]).all()
    nps = _series("nps", frames, "month")
    assert nps["value"].tolist() == [100.0, -100.0]
    volume = _series("responses", frames, "quarter")
    assert volume["value"].tolist() == [30.0]
    with pytest.raises(ptx.PtxError, match="measured by month, quarter"):
        _series("complaints_received", {"complaints": pd.DataFrame()}, "week")


def test_complaint_measures_by_hand():
    received = pd.DataFrame(
        {"month": [date(2025, 1, 1), date(2025, 2, 1)], "received": [4, 12], "open": [1, 2]}
    )
    activity = pd.DataFrame({"month": [date(2025, 1, 1), date(2025, 2, 1)], "episodes": [2000, 0]})
    frames = {"complaints": received, "activity": activity}
    per_1000 = _series("complaints_per_1000", frames, "month")
    assert per_1000["value"].tolist() == [2.0]  # February has no episodes: no rate
    stage = pd.DataFrame(
        {
            "month": [date(2025, 1, 1)] * 4,
            "working_days": [2, 10, 30, 40],
            "beyond_backstop": [0, 0, 0, 0],
            "done": [3, 2, 1, 0],
            "pending": [0, 1, 0, 2],  # 1 pending at 10 days is not due yet; 2 at 40 are late
        }
    )
    resolved = _series("complaints_resolved_pct", {"resolved": stage}, "month")
    assert resolved["numerator"].tolist() == [5] and resolved["denominator"].tolist() == [8]
    from_stage = _series("complaints_received", {"resolved": stage}, "month")
    assert from_stage["value"].tolist() == [9.0]  # done + pending


def test_top_box_and_mean_answer():
    answers = pd.DataFrame(
        {
            "month": [date(2025, 1, 1)] * 3,
            "question_id": ["q"] * 3,
            "answer_scale": ["never_always4"] * 3,
            "answer": [4, 3, 1],
            "responses": [5, 3, 2],
        }
    )
    top = _series("top_box:q", {"answers": answers}, "month")
    assert top["value"].iloc[0] == 50.0
    mean = _series("mean_answer:q", {"answers": answers}, "month")
    assert mean["value"].iloc[0] == pytest.approx((20 + 9 + 2) / 10)
    assert set(catalog.question_measures(answers["question_id"])) == {"top_box:q", "mean_answer:q"}


def test_whole_periods_drop_part_weeks():
    s = pd.DataFrame(
        {
            "period": [date(2024, 12, 30), date(2025, 1, 6), date(2025, 1, 13)],
            "value": [1.0, 2.0, 3.0],
        }
    )
    kept = measures.whole_periods(s, date(2025, 1, 1), date(2025, 1, 15), "week")
    assert kept["period"].tolist() == [date(2025, 1, 6)]


def _spc(key, frames, **kwargs):
    m = catalog.measure(key)
    options = dict(period="month", start=None, end=None, options=spc.SpcOptions())
    return measures.spc_trend(m, measures.series(m, frames, "month"), **{**options, **kwargs})


def test_trend_hides_small_periods_and_checks_chart_type():
    frames = {"feedback": _counts().assign(responses=[1, 1, 1, 1, 20, 5])}
    t = _spc("fft_pct_positive", frames, start=date(2025, 1, 1), end=date(2025, 2, 28))
    assert t.hidden_periods == 1 and t.series["period"].tolist() == [date(2025, 2, 1)]
    with pytest.raises(ptx.PtxError, match="needs a proportion"):
        _spc("nps", frames, chart_type="p")


def test_small_counts_are_left_out_of_count_trends_too():
    """Complaint charts follow the same rule as feedback: a month of 1-7 complaints is hidden."""
    months = [date(2025, m, 1) for m in range(1, 7)]
    received = pd.DataFrame({"month": months, "received": [7, 7, 5, 12, 0, 30]})
    t = _spc("complaints_received", {"complaints": received})
    # Limits from the three larger months alone would mislead: no chart, every month hidden.
    assert t.hidden_periods == 6 and t.series.empty and t.chart.empty and t.signals == ()
    larger = received.assign(received=[8, 9, 12, 12, 0, 30])
    drawn = _spc("complaints_received", {"complaints": larger})
    assert drawn.hidden_periods == 0 and len(drawn.chart) == 6
    everything = _spc("complaints_received", {"complaints": received}, rule=ptx.Disclosure(False))
    assert everything.hidden_periods == 0 and len(everything.series) == 6


def test_an_empty_trend_has_no_variation_icon():
    empty = {"feedback": _counts().iloc[0:0]}
    t = _spc("fft_pct_positive", empty)
    assert t.chart.empty and t.variation is None and t.assurance is None and t.signals == ()


def _demo_trend(source, change):
    f = ptx.Filters(start=demo.DEMO_START, end=demo.DEMO_AS_OF, departments=(change.department_id,))
    return ptx.trend(source, "fft_pct_positive", f).spc


def test_planted_improvement_and_deterioration_show_as_signals(demo_default):
    source = open_location(demo_default)
    up = _demo_trend(source, demo.IMPROVING)
    first_up = up.chart[up.chart["shift"] & (up.chart["value"] > up.chart["mean"])]
    assert first_up["period"].iloc[0] == date(2025, 6, 1)  # the month of the planted action
    assert up.variation == "improvement_high"
    assert any(
        "above the mean from Jun 2025" in s and s.endswith("improvement") for s in up.signals
    )
    down = _demo_trend(source, demo.DETERIORATING)
    first_down = down.chart[down.chart["shift"] & (down.chart["value"] < down.chart["mean"])]
    assert first_down["period"].iloc[0] == date(2025, 3, 1)
    assert down.variation == "concern_low"
    assert any("below the mean from Mar 2025" in s and s.endswith("concern") for s in down.signals)


def test_breakdown_by_demographic(demo_duckdb):
    source = open_location(demo_duckdb)
    frames = counts.fetch(source, ("feedback",), ptx.Filters(), demo.DEMO_AS_OF, ("age_band",))
    m = catalog.measure("fft_pct_positive")
    table = measures.breakdown(m, frames["feedback"], "age_band")
    assert "Not recorded" in set(table["group"]) and "75+" in set(table["group"])
    overall = measures.evaluate(m, frames)
    assert table["denominator"].sum() == overall["denominator"].iloc[0]
    assert ((table["low"] <= table["value"]) & (table["value"] <= table["high"])).all()
    with pytest.raises(ptx.PtxError, match="no breakdown"):
        measures.breakdown(catalog.measure("responses"), frames["feedback"], "age_band")
