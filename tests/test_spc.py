"""The SPC engine against hand-worked examples, an independent re-implementation of the run
rules, the behaviour NHSRplotthedots documents, and invariants (hypothesis).

Facts taken from NHSRplotthedots (R/ptd_spc_standard.R, R/ptd_calculate_point_type.R,
R/ptd_calculate_assurance_type.R): limits are mean +/- 2.66 x mean moving range; the "close to
limits" line is 2 x 2.66 / 3; moving ranges are kept only when below 3.267 x their mean; a run
is 7 points with the same sign of (value - mean), a point on the mean breaking it; a trend is 7
points whose successive differences all share one sign; two-in-three needs all three points on
one side of the mean and flags the points beyond the line; every point of a pattern is flagged;
the assurance icon compares the target with the last point's limits.
"""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptx import spc
from ptx.errors import PtxError


def series(values, start="2024-01-01"):
    return pd.DataFrame(
        {"period": pd.date_range(start, periods=len(values), freq="MS").date, "value": values}
    )


def test_limits_by_hand():
    chart = spc.xmr(series([10.0, 12.0, 11.0, 13.0]))
    # mean 11.5; moving ranges 2, 1, 2 -> mean MR 5/3.
    assert chart["mean"].iloc[0] == pytest.approx(11.5)
    assert chart["upl"].iloc[0] == pytest.approx(11.5 + 2.66 * 5 / 3)
    assert chart["lpl"].iloc[0] == pytest.approx(11.5 - 2.66 * 5 / 3)
    assert chart["upper_2sigma"].iloc[0] == pytest.approx(11.5 + 2 * 2.66 / 3 * 5 / 3)
    assert chart["trial_limits"].all()  # 4 points < 12


def test_moving_range_screening_by_hand():
    values = [10, 11, 10, 11, 10, 40, 10, 11, 10, 11]
    # MRs: 1,1,1,1,30,30,1,1,1 -> mean 67/9; 30 >= 3.267 * 67/9 is screened -> mean MR 1.
    screened = spc.xmr(series(values))
    assert screened["upl"].iloc[0] == pytest.approx(13.4 + 2.66 * 1)
    raw = spc.xmr(series(values), spc.SpcOptions(screen_outliers=False))
    assert raw["upl"].iloc[0] == pytest.approx(13.4 + 2.66 * 67 / 9)
    assert screened.loc[5, "outside_limits"] and screened.loc[5, "special_cause"]


def _reference_shift(values, mean, length):
    """Independent run rule: group consecutive equal signs, flag groups of `length` or more."""
    side = np.sign(np.asarray(values) - mean)
    flags, i = [], 0
    for key, group in itertools.groupby(side):
        n = len(list(group))
        flags += [key != 0 and n >= length] * n
        i += n
    return np.array(flags)


def _reference_trend(values, length):
    steps = np.sign(np.diff(values))
    flags = np.zeros(len(values), dtype=bool)
    i = 0
    for key, group in itertools.groupby(steps):
        n = len(list(group))
        if key != 0 and n + 1 >= length:
            flags[i : i + n + 1] = True
        i += n
    return flags


@settings(max_examples=200)
@given(
    values=st.lists(st.integers(0, 6), min_size=1, max_size=40),
    length=st.sampled_from([6, 7]),
)
def test_run_rules_match_an_independent_implementation(values, length):
    y = np.array(values, dtype=float)
    chart = spc.xmr(series(y), spc.SpcOptions(shift_length=length, trend_length=length))
    mean = chart["mean"].iloc[0]
    np.testing.assert_array_equal(chart["shift"].to_numpy(), _reference_shift(y, mean, length))
    np.testing.assert_array_equal(chart["trend"].to_numpy(), _reference_trend(y, length))


def test_seven_versus_six_and_a_point_on_the_mean_breaks_a_run():
    side = np.array([1, 1, 1, 1, 1, 1, -1, -1])
    assert not spc.shift_flags(side, 7).any()
    assert spc.shift_flags(side, 6)[:6].all() and not spc.shift_flags(side, 6)[6:].any()
    on_mean = np.array([1, 1, 1, 0, 1, 1, 1, 1])
    assert not spc.shift_flags(on_mean, 7).any()


def test_trend_needs_strict_steps():
    assert spc.trend_flags(np.arange(7.0), 7).all()
    assert not spc.trend_flags(np.arange(6.0), 7).any()
    assert not spc.trend_flags(np.array([1, 2, 3, 3, 4, 5, 6, 7.0]), 7).any()
    assert spc.trend_flags(np.array([9, 7, 6, 5, 4, 3, 2.0]), 7).all()


BASELINE = [-1.0, 1.0] * 10  # mean 0, every moving range 2: 2 sigma = 3.547, 3 sigma = 5.32


def _with_baseline(tail, **kwargs):
    options = spc.SpcOptions(fix_after_n_points=len(BASELINE), **kwargs)
    return spc.xmr(series(BASELINE + tail), options).iloc[len(BASELINE) :]


def test_two_in_three_by_hand():
    tail = _with_baseline([4.0, 0.5, 4.0])
    assert tail["two_in_three"].tolist() == [True, False, True]
    # The middle point on the other side of the mean: no signal.
    assert not _with_baseline([4.0, -0.5, 4.0])["two_in_three"].any()
    # One beyond 3 sigma counts towards two-in-three (NHS England 2023); NHSRplotthedots: not.
    counted = _with_baseline([4.0, 0.5, 6.0])
    assert counted["two_in_three"].tolist() == [True, False, True]
    assert counted["outside_limits"].tolist() == [False, False, True]
    strict = _with_baseline([4.0, 0.5, 6.0], two_in_three_counts_outside=False)
    assert strict["two_in_three"].tolist() == [False, False, False]


def test_point_types_follow_the_improvement_direction():
    tail = [6.0]
    up = _with_baseline(tail, improvement="higher")["point_type"].iloc[-1]
    down = _with_baseline(tail, improvement="lower")["point_type"].iloc[-1]
    neutral = _with_baseline(tail, improvement="neither")["point_type"].iloc[-1]
    assert (up, down, neutral) == (
        "special_cause_improvement",
        "special_cause_concern",
        "special_cause_neutral_high",
    )


def test_icons():
    def icon(last, improvement="higher"):
        options = spc.SpcOptions(fix_after_n_points=20, improvement=improvement)
        return spc.variation_icon(spc.xmr(series(BASELINE + [last]), options), options)

    assert icon(6.0) == "improvement_high"
    assert icon(6.0, "lower") == "concern_high"
    assert icon(-6.0) == "concern_low"
    assert icon(-6.0, "lower") == "improvement_low"
    assert icon(-6.0, "neither") == "neutral_low"
    flat = spc.xmr(series(BASELINE))
    assert spc.variation_icon(flat, spc.SpcOptions()) == "common_cause"
    # Limits are about -5.32..5.32.
    assert spc.assurance_icon(flat, spc.SpcOptions(target=6)) == "consistent_fail"
    assert spc.assurance_icon(flat, spc.SpcOptions(target=-6)) == "consistent_pass"
    assert spc.assurance_icon(flat, spc.SpcOptions(target=0)) == "inconsistent"
    assert spc.assurance_icon(flat, spc.SpcOptions(target=6, improvement="lower")) == (
        "consistent_pass"
    )
    assert spc.assurance_icon(flat, spc.SpcOptions()) is None


def test_rebasing_gives_each_segment_its_own_limits_and_trial_flag():
    values = [10.0, 11.0] * 8 + [20.0, 21.0] * 4
    chart = spc.xmr(series(values), spc.SpcOptions(rebase_at=(date(2025, 5, 1),)))
    assert chart["segment"].tolist() == [0] * 16 + [1] * 8
    assert chart.loc[0, "mean"] == pytest.approx(10.5) and chart.loc[20, "mean"] == pytest.approx(
        20.5
    )
    assert not chart.loc[0, "trial_limits"] and chart.loc[20, "trial_limits"]
    assert not chart["special_cause"].any()  # each level is stable within its own segment


def test_p_chart_by_hand():
    frame = pd.DataFrame(
        {
            "period": pd.date_range("2024-01-01", periods=3, freq="MS").date,
            "numerator": [80, 45, 170],
            "denominator": [100, 50, 200],
        }
    )
    chart = spc.p_chart(frame)
    p = 295 / 350
    assert chart["mean"].iloc[0] == pytest.approx(100 * p)
    for i, n in enumerate([100, 50, 200]):
        assert chart["upl"].iloc[i] == pytest.approx(100 * min(1, p + 3 * np.sqrt(p * (1 - p) / n)))
    assert chart["value"].tolist() == pytest.approx([80, 90, 85])


def test_signal_sentences():
    values = [10.0, 11.0] * 6 + [14.0, 15.0, 14.0, 15.0, 14.0, 15.0, 14.0]
    chart = spc.xmr(series(values), spc.SpcOptions())
    text = spc.signal_sentences(chart, spc.SpcOptions())
    assert text[0] == "7 months above the mean from Jan 2025 to Jul 2025: improvement"
    decrease = spc.signal_sentences(chart, spc.SpcOptions(improvement="lower"))
    assert decrease[0].endswith("concern")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"improvement": "up"}, "improvement must be"),
        ({"shift_length": 8}, "6 or 7"),
        ({"fix_after_n_points": 1}, "at least 2"),
    ],
)
def test_options_check_themselves(kwargs, message):
    with pytest.raises(PtxError, match=message):
        spc.SpcOptions(**kwargs)


def test_bad_series():
    with pytest.raises(PtxError, match="more than one value"):
        spc.xmr(pd.DataFrame({"period": [date(2024, 1, 1)] * 2, "value": [1.0, 2.0]}))
    with pytest.raises(PtxError, match="empty values"):
        spc.xmr(series([1.0, np.nan]))
    with pytest.raises(PtxError, match="denominator above 0"):
        spc.p_chart(
            pd.DataFrame({"period": [date(2024, 1, 1)], "numerator": [0], "denominator": [0]})
        )


def test_periods_out_of_order_are_charted_in_order():
    values = [10.0, 12.0, 11.0, 13.0, 30.0, 12.0]
    ordered = spc.xmr(series(values))
    shuffled = series(values).iloc[[3, 0, 5, 1, 4, 2]].set_index(pd.Index([7, 1, 9, 2, 8, 5]))
    pd.testing.assert_frame_equal(spc.xmr(shuffled), ordered)
    counts = series(values).rename(columns={"value": "numerator"}).assign(denominator=40)
    pd.testing.assert_frame_equal(spc.p_chart(counts.iloc[::-1]), spc.p_chart(counts))


values_strategy = st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=2, max_size=30)
FLAGS = ["outside_limits", "shift", "trend", "two_in_three", "special_cause", "point_type"]


@settings(max_examples=100)
@given(values=values_strategy, offset=st.floats(-1e3, 1e3))
def test_invariants(values, offset):
    base = spc.xmr(series(values))
    # Limits are symmetric about the mean.
    np.testing.assert_allclose(base["upl"] - base["mean"], base["mean"] - base["lpl"], atol=1e-6)
    assert (base["lpl"] <= base["mean"] + 1e-9).all()
    # Flags don't change when the series is shifted by a constant or scaled by a positive one
    # (values are rounded, and scaled by 4, exact in binary, so that float noise cannot move a
    # point across a line).
    rounded = list(np.round(values, 3))
    ref = spc.xmr(series(rounded))
    for moved in ([v + round(offset, 3) for v in rounded], [v * 4 for v in rounded]):
        other = spc.xmr(series(moved))
        near = np.isclose(
            np.abs(
                np.array(moved)[:, None]
                - other[["mean", "upl", "lpl", "upper_2sigma", "lower_2sigma"]].to_numpy()
            ),
            0,
            atol=1e-6,
        ).any(axis=1)
        if near.any():
            continue  # a value sitting on a line: ties are fragile by nature
        pd.testing.assert_frame_equal(other[FLAGS], ref[FLAGS])
