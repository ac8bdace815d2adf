"""Feedback KPIs computed from answer-value counts (see :func:`ptx.query.feedback_counts`).

Definitions
-----------
- NHS Friends and Family Test (NHS England, "Using the FFT to improve patient experience",
  2019 guidance): % positive = (very good + good) / all responses; % negative =
  (poor + very poor) / all responses; "don't know" stays in the denominator.
- Net Promoter Score on a 0-10 likelihood-to-recommend scale: % promoters (9-10) minus
  % detractors (0-6).
Every proportion carries a 95% Wilson score interval.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ptx.schema import FFT_DONT_KNOW, FFT_GOOD, FFT_POOR, FFT_VERY_GOOD, FFT_VERY_POOR
from ptx.stats import percent, wilson_interval

FFT_POSITIVE = (FFT_VERY_GOOD, FFT_GOOD)
FFT_NEGATIVE = (FFT_POOR, FFT_VERY_POOR)
NPS_PROMOTER_MIN = 9  # 9-10
NPS_DETRACTOR_MAX = 6  # 0-6


def _sums(frame: pd.DataFrame, by: Sequence[str], masks: dict[str, pd.Series]) -> pd.DataFrame:
    """Responses summed per group, one column per mask (one grouping pass for all of them)."""
    weights = frame["responses"]
    data = pd.DataFrame({name: weights.where(mask, 0) for name, mask in masks.items()})
    if not by:
        return data.sum().to_frame().T
    return data.groupby([frame[b] for b in by], dropna=False).sum()


def fft_summary(counts: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """FFT % positive and % negative per group, with 95% Wilson intervals.

    Parameters
    ----------
    counts
        Output of ``feedback_counts``: columns ``*by, rating_scale, rating, responses``.
    by
        Columns of ``counts`` to group by; empty for one overall row.

    Returns
    -------
    DataFrame with columns ``*by, responses, positive, negative, dont_know, pct_positive,
    pct_positive_low, pct_positive_high, pct_negative, pct_negative_low, pct_negative_high``.
    Percentages are 0-100 and NaN where a group has no FFT responses.
    """
    by = list(by)
    fft = counts["rating_scale"] == "fft5"
    rating = counts["rating"]
    out = _sums(
        counts,
        by,
        {
            "responses": fft,
            "positive": fft & rating.isin(FFT_POSITIVE),
            "negative": fft & rating.isin(FFT_NEGATIVE),
            "dont_know": fft & (rating == FFT_DONT_KNOW),
        },
    ).astype("int64")
    out = out.reset_index(drop=not by)
    for what in ("positive", "negative"):
        low, high = wilson_interval(out[what], out["responses"])
        out[f"pct_{what}"] = percent(out[what], out["responses"])
        out[f"pct_{what}_low"] = 100 * low
        out[f"pct_{what}_high"] = 100 * high
    return out[[*by, *[c for c in out.columns if c not in by]]]


def nps_summary(counts: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Net Promoter Score per group from 0-10 likelihood-to-recommend answers.

    Returns columns ``*by, responses, promoters, detractors, pct_promoters, pct_detractors, nps``
    (NPS runs from -100 to 100; NaN where a group has no 0-10 answers).
    """
    by = list(by)
    ltr = counts["rating_scale"] == "ltr11"
    rating = counts["rating"]
    out = _sums(
        counts,
        by,
        {
            "responses": ltr,
            "promoters": ltr & (rating >= NPS_PROMOTER_MIN),
            "detractors": ltr & (rating <= NPS_DETRACTOR_MAX),
        },
    ).astype("int64")
    out = out.reset_index(drop=not by)
    out["pct_promoters"] = percent(out["promoters"], out["responses"])
    out["pct_detractors"] = percent(out["detractors"], out["responses"])
    out["nps"] = out["pct_promoters"] - out["pct_detractors"]
    return out
