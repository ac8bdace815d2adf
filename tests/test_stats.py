import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from ptx.stats import percent, wilson_interval


def test_wilson_hand_example():
    # 8 of 10: centre (0.8 + 1.92/10)/(1 + 3.84/10) = 0.7165, half-width 0.2266.
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)


@given(n=st.integers(1, 100_000), frac=st.floats(0, 1))
def test_wilson_matches_statsmodels(n, frac):
    x = int(round(frac * n))
    low, high = wilson_interval(x, n)
    ref_low, ref_high = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert low == pytest.approx(ref_low, abs=1e-9)
    assert high == pytest.approx(ref_high, abs=1e-9)
    assert 0 <= low <= x / n <= high <= 1


def test_wilson_and_percent_with_no_data():
    low, high = wilson_interval(np.array([0, 1]), np.array([0, 2]))
    assert np.isnan(low[0]) and np.isnan(high[0]) and not np.isnan(low[1])
    assert np.isnan(percent(1, 0)) and percent(1, 4) == 25
