from datetime import date

import numpy as np
import pandas as pd
import pytest

import ptx
from ptx import demo, measures, query, spc
from ptx.disclosure import SUPPRESSED, Disclosure, count_text, disclosure_table, hide_small_rates
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


def test_measure_series_by_hand():
    counts, answers = (
        _counts(),
        pd.DataFrame(columns=["month", "question_id", "answer_scale", "answer", "responses"]),
    )
    pos = measures.measure_series("fft_pct_positive", counts, answers, "month")
    assert pos["value"].tolist() == [60.0, 100.0]  # 6 of 10, 10 of 10
    assert pos["denominator"].tolist() == [10, 10]
    assert (pos["low"] <= pos["value"]).all() and (pos["high"] >= pos["value"]).all()
    nps = measures.measure_series("nps", counts, answers, "month")
    assert nps["value"].tolist() == [100.0, -100.0]
    volume = measures.measure_series("responses", counts, answers, "quarter")
    assert volume["value"].tolist() == [30.0]


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
    top = measures.measure_series("top_box:q", _counts(), answers, "month")
    assert top["value"].iloc[0] == 50.0
    mean = measures.measure_series("mean_answer:q", _counts(), answers, "month")
    assert mean["value"].iloc[0] == pytest.approx((20 + 9 + 2) / 10)
    assert set(measures.question_measures(answers)) == {"top_box:q", "mean_answer:q"}


def test_whole_periods_drop_part_weeks():
    s = pd.DataFrame(
        {
            "period": [date(2024, 12, 30), date(2025, 1, 6), date(2025, 1, 13)],
            "value": [1.0, 2.0, 3.0],
        }
    )
    kept = measures.whole_periods(s, date(2025, 1, 1), date(2025, 1, 15), "week")
    assert kept["period"].tolist() == [date(2025, 1, 6)]


def test_disclosure_rules():
    frame = pd.DataFrame({"n": [0, 3, 9, 12, 23], "rate": [np.nan, 33.3, 50.0, 75.0, 60.0]})
    rule = Disclosure()
    shown = disclosure_table(frame, count_cols=["n"], rate_cols=["rate"], n_col="n", rule=rule)
    assert shown["n"].tolist() == ["0", SUPPRESSED, "9", "12", "23"]
    assert shown["rate"].isna().tolist() == [True, True, True, False, False]
    exported = disclosure_table(
        frame, count_cols=["n"], rate_cols=["rate"], n_col="n", rule=rule, export=True
    )
    assert exported["n"].tolist() == ["0", SUPPRESSED, "10", "10", "25"]
    off = disclosure_table(
        frame,
        count_cols=["n"],
        rate_cols=["rate"],
        n_col="n",
        rule=Disclosure(enabled=False),
        export=True,
    )
    assert off["n"].tolist() == ["0", "3", "9", "12", "23"] and off["rate"].notna().sum() == 4
    assert count_text(5, rule) == SUPPRESSED and count_text(5, Disclosure(enabled=False)) == "5"
    assert hide_small_rates(frame, "n", ["rate"], rule)["rate"].notna().sum() == 2


def test_trend_hides_small_periods_and_checks_chart_type(tmp_path):
    counts = _counts().assign(responses=[1, 1, 1, 1, 20, 5])
    t = measures.trend(
        measures.FIXED["fft_pct_positive"],
        counts,
        pd.DataFrame(),
        period="month",
        start=date(2025, 1, 1),
        end=date(2025, 2, 28),
        options=spc.SpcOptions(),
    )
    assert t.hidden_periods == 1 and t.series["period"].tolist() == [date(2025, 2, 1)]
    with pytest.raises(ptx.PtxError, match="needs a proportion"):
        measures.trend(
            measures.FIXED["nps"],
            counts,
            pd.DataFrame(),
            period="month",
            start=None,
            end=None,
            options=spc.SpcOptions(),
            chart_type="p",
        )


def _demo_trend(source, change):
    f = ptx.Filters(start=demo.DEMO_START, end=demo.DEMO_AS_OF, departments=(change.department_id,))
    counts = query.feedback_counts(source, f, by=("month",))
    answers = query.answer_counts(source, f, by=("month",))
    return measures.trend(
        measures.FIXED["fft_pct_positive"],
        counts,
        answers,
        period="month",
        start=f.start,
        end=f.end,
        options=spc.SpcOptions(),
    )


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
    counts = query.feedback_counts(source, ptx.Filters(), by=("age_band",))
    table = measures.breakdown(counts, "age_band", "fft_pct_positive")
    assert "Not recorded" in set(table["group"]) and "75+" in set(table["group"])
    assert table["responses"].sum() == measures.fft_summary(counts)["responses"].iloc[0]
    assert ((table["low"] <= table["value"]) & (table["value"] <= table["high"])).all()
