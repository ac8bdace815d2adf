import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptx.feedback import fft_summary, nps_summary


def counts(rows):
    return pd.DataFrame(rows, columns=["group", "rating_scale", "rating", "responses"]).astype(
        {"rating": "float64"}
    )


def test_fft_definition_keeps_dont_know_in_the_denominator():
    # 50 very good, 30 good, 5 neither, 5 poor, 5 very poor, 5 don't know = 100 responses.
    c = counts([("x", "fft5", r, n) for r, n in [(1, 50), (2, 30), (3, 5), (4, 5), (5, 5), (6, 5)]])
    row = fft_summary(c).iloc[0]
    assert row["responses"] == 100 and row["positive"] == 80 and row["negative"] == 10
    assert row["pct_positive"] == 80.0 and row["pct_negative"] == 10.0
    assert row["dont_know"] == 5
    assert row["pct_positive_low"] < 80 < row["pct_positive_high"]


def test_other_scales_and_unrated_rows_do_not_count_as_fft():
    c = counts([("x", "fft5", 1, 3), ("x", "ltr11", 10, 50), ("x", None, np.nan, 9)])
    row = fft_summary(c).iloc[0]
    assert row["responses"] == 3 and row["pct_positive"] == 100


def test_nps_definition():
    # promoters 9-10: 60; passives 7-8: 20; detractors 0-6: 20 -> NPS 40.
    c = counts(
        [("x", "ltr11", r, n) for r, n in [(10, 40), (9, 20), (8, 10), (7, 10), (6, 5), (0, 15)]]
    )
    row = nps_summary(c).iloc[0]
    assert (row["promoters"], row["detractors"], row["nps"]) == (60, 20, 40.0)


def test_grouped_and_empty_groups():
    c = counts([("a", "fft5", 1, 4), ("b", "ltr11", 9, 2)])
    out = fft_summary(c, by=["group"]).set_index("group")
    assert out.loc["a", "pct_positive"] == 100
    assert out.loc["b", "responses"] == 0 and np.isnan(out.loc["b", "pct_positive"])


rows = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from(["fft5", "ltr11"]),
        st.integers(0, 10),
        st.integers(1, 500),
    ),
    min_size=1,
    max_size=40,
)


def _valid(r):
    group, scale, rating, n = r
    return scale == "ltr11" or 1 <= rating <= 6


@settings(max_examples=60)
@given(data=rows.map(lambda rs: [r for r in rs if _valid(r)]).filter(bool), seed=st.integers(0, 99))
def test_invariants(data, seed):
    c = counts(data)
    out = fft_summary(c, by=["group"])
    nps = nps_summary(c, by=["group"])
    # Rates stay within 0-100 and intervals contain them.
    for col in ("pct_positive", "pct_negative"):
        v = out[col].dropna()
        assert ((v >= 0) & (v <= 100)).all()
        ok = out[col].notna()
        assert (out.loc[ok, f"{col}_low"] <= out.loc[ok, col] + 1e-9).all()
        assert (out.loc[ok, f"{col}_high"] >= out.loc[ok, col] - 1e-9).all()
    assert ((nps["nps"].dropna() >= -100) & (nps["nps"].dropna() <= 100)).all()
    # Counts add up: groups sum to the total.
    total = fft_summary(c).iloc[0]
    assert out["responses"].sum() == total["responses"]
    assert out["positive"].sum() == total["positive"]
    # Row order does not matter.
    shuffled = c.sample(frac=1, random_state=seed)
    pd.testing.assert_frame_equal(fft_summary(shuffled, by=["group"]), out)
    assert positive_le_responses(out)


def positive_le_responses(out):
    return bool((out["positive"] + out["negative"] + out["dont_know"] <= out["responses"]).all())


@pytest.mark.parametrize("func", [fft_summary, nps_summary])
def test_no_rows_gives_one_empty_row(func):
    out = func(counts([]))
    assert len(out) == 1 and out["responses"].iloc[0] == 0
