"""Kaplan-Meier from counts against statsmodels' SurvfuncRight (an independent implementation)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.duration.survfunc import SurvfuncRight

from ptx import survival, timing
from ptx.query import Filters, as_of_date
from tests.conftest import open_location


def _counts(times, events) -> pd.DataFrame:
    return pd.DataFrame(
        {"working_days": times, "done": events.astype(int), "pending": (~events).astype(int)}
    )


def assert_matches_statsmodels(times: np.ndarray, events: np.ndarray) -> None:
    table = survival.kaplan_meier(_counts(times, events))
    if not events.any():
        # All censored: no event time, so S stays at 1 and no quantile or interval exists.
        assert table.empty and list(table.columns) == survival.KM_COLUMNS
        for p in (0.5, 0.9):
            assert np.isnan(survival.quantile(table, p))
            assert all(np.isnan(survival.quantile_ci(table, p)))
        return
    ref = SurvfuncRight(times, events.astype(int))
    warnings.filterwarnings("ignore", category=RuntimeWarning, module="statsmodels")
    np.testing.assert_array_equal(table["working_days"].to_numpy(), ref.surv_times)
    np.testing.assert_allclose(table["survival"].to_numpy(), ref.surv_prob, atol=1e-9, rtol=0)
    np.testing.assert_allclose(table["se"].to_numpy(), ref.surv_prob_se, atol=1e-9, rtol=0)
    np.testing.assert_array_equal(table["at_risk"].to_numpy(), ref.n_risk)
    np.testing.assert_array_equal(table["events"].to_numpy(), ref.n_events)
    for p in (0.5, 0.9):
        ours, theirs = survival.quantile(table, p), ref.quantile(p)
        at_tie = np.isclose(ref.surv_prob, 1 - p, atol=1e-9, rtol=0).any()
        if not at_tie:  # S(t) exactly 1 - p: rounding decides statsmodels' strict inequality
            assert ours == pytest.approx(theirs, nan_ok=True)
        low, high = survival.quantile_ci(table, p)
        ref_low, ref_high = ref.quantile_ci(p)
        assert low == pytest.approx(ref_low, nan_ok=True)
        assert high == pytest.approx(ref_high, nan_ok=True)


def test_exact_tie_at_the_median_is_not_below_it():
    # 2 of 4 resolved at day 1 leaves S = 0.5 exactly: the median is the next event time.
    table = survival.kaplan_meier(_counts(np.array([1, 1, 2, 3]), np.array([True] * 4)))
    assert table["survival"].iloc[0] == 0.5 and survival.quantile(table, 0.5) == 2


def test_hand_example():
    # Durations 1, 2, 2 (one censored), 3, 5: S(1)=4/5, S(2)=4/5*3/4=0.6, S(3)=0.6*1/2, S(5)=0.
    times = np.array([1, 2, 2, 3, 5])
    events = np.array([True, True, False, True, True])
    table = survival.kaplan_meier(_counts(times, events))
    assert table["survival"].tolist() == pytest.approx([0.8, 0.6, 0.3, 0.0])
    assert table["at_risk"].tolist() == [5, 4, 2, 1]
    assert survival.quantile(table, 0.5) == 3  # first time S < 0.5
    assert_matches_statsmodels(times, events)


@settings(max_examples=150)
@given(
    data=st.lists(st.tuples(st.integers(0, 40), st.booleans()), min_size=1, max_size=120),
)
def test_random_data_with_ties_and_censoring(data):
    times = np.array([t for t, _ in data])
    events = np.array([e for _, e in data])
    assert_matches_statsmodels(times, events)


def test_all_censored_group_and_naive_median():
    counts = pd.DataFrame(
        {
            "g": ["a", "a", "b", "b"],
            "working_days": [3, 8, 5, 9],
            "done": [0, 0, 4, 1],
            "pending": [2, 1, 0, 5],
        }
    )
    out = survival.summary(counts, ("g",)).set_index("g")
    assert np.isnan(out.loc["a", "median"]) and out.loc["a", "open"] == 3
    assert out.loc["b", "naive_median"] == 5  # resolved ones only: 5,5,5,5,9
    # Counting the five still open past 9 days: S(5)=6/10, S(9)=6/10*5/6=0.5 -> not below 0.5.
    assert np.isnan(out.loc["b", "median"])


def test_demo_matches_statsmodels_per_department(demo_duckdb):
    source = open_location(demo_duckdb)
    as_of = as_of_date(source)
    stage = timing.stage_counts(source, Filters(), as_of, "resolved", ("department_id",))
    assert stage["pending"].sum() > 0  # open complaints are in
    for _, part in stage.groupby("department_id"):
        times = np.repeat(part["working_days"].to_numpy(), part["done"] + part["pending"])
        events = np.concatenate(
            [
                np.repeat([True, False], [d, p])
                for d, p in zip(part["done"], part["pending"], strict=True)
            ]
        )
        assert_matches_statsmodels(times, events)


@settings(max_examples=60)
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 5), st.integers(0, 3), st.sampled_from("ab")),
        min_size=1,
        max_size=40,
    )
)
def test_naive_median_and_counts_per_group_match_numpy(rows):
    counts = pd.DataFrame(rows, columns=["working_days", "done", "pending", "group"])
    out = survival.summary(counts, ("group",)).set_index("group")
    for group, part in counts.groupby("group"):
        durations = np.repeat(part["working_days"].to_numpy(), part["done"].to_numpy())
        want = np.median(durations) if len(durations) else np.nan
        got = out.loc[group, "naive_median"]
        assert (np.isnan(want) and np.isnan(got)) or got == want
        assert out.loc[group, "complaints"] == part["done"].sum() + part["pending"].sum()
