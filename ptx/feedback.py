"""Feedback KPIs computed from answer-value counts (see :func:`ptx.query.feedback_counts`).

Definitions
-----------
- NHS Friends and Family Test (NHS England, "Using the FFT to improve patient experience",
  2019 guidance): % positive = (very good + good) / all responses; % negative =
  (poor + very poor) / all responses; "don't know" stays in the denominator.
- Net Promoter Score on a 0-10 likelihood-to-recommend scale: % promoters (9-10) minus
  % detractors (0-6).
Every proportion carries a 95% Wilson score interval.

A response answers a scale only when it has a rating on it. Exports often set the scale once for
a whole source, so a comment-only response carries a scale and no rating: it counts in the
response volume and in no denominator (:func:`feedback_sums` and :func:`rated` decide this for
every measure).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ptx.schema import FFT_DONT_KNOW, FFT_GOOD, FFT_POOR, FFT_VERY_GOOD, FFT_VERY_POOR
from ptx.stats import percent, wilson_interval

FFT_POSITIVE = (FFT_VERY_GOOD, FFT_GOOD)
FFT_NEGATIVE = (FFT_POOR, FFT_VERY_POOR)
NPS_PROMOTER_MIN = 9  # 9-10
NPS_DETRACTOR_MAX = 6  # 0-6


def rated(counts: pd.DataFrame, scale: str) -> pd.DataFrame:
    """The rows of ``counts`` that answer ``scale``: on that scale and with a rating."""
    return counts[(counts["rating_scale"] == scale) & counts["rating"].notna()]


def feedback_sums(counts: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Every count the feedback measures need, per group, in one grouping pass.

    Returns columns ``*by, all, fft, positive, negative, dont_know, ltr, promoters,
    detractors, ltr_total``: all responses, rated or not; FFT answers and their kinds; 0-10
    answers, their kinds and the sum of their values. A response without a rating is in
    ``all`` only, whatever its scale says.
    """
    by = list(by)
    weights = counts["responses"].to_numpy(dtype="int64")
    scale = counts["rating_scale"].to_numpy(dtype=object)
    rating = counts["rating"].to_numpy(dtype="float64")
    answered = ~np.isnan(rating)
    fft, ltr = (scale == "fft5") & answered, (scale == "ltr11") & answered
    masks = {
        "all": np.ones(len(counts), dtype=bool),
        "fft": fft,
        "positive": fft & np.isin(rating, FFT_POSITIVE),
        "negative": fft & np.isin(rating, FFT_NEGATIVE),
        "dont_know": fft & (rating == FFT_DONT_KNOW),
        "ltr": ltr,
        "promoters": ltr & (rating >= NPS_PROMOTER_MIN),
        "detractors": ltr & (rating <= NPS_DETRACTOR_MAX),
    }
    data = pd.DataFrame({name: np.where(mask, weights, 0) for name, mask in masks.items()})
    data["ltr_total"] = np.where(ltr, weights * np.where(ltr, rating, 0), 0).astype("int64")
    if not by:
        return data.sum().to_frame().T.astype("int64")
    grouped = data.groupby([counts[b].to_numpy() for b in by], dropna=False).sum()
    grouped.index.names = by
    return grouped.reset_index()


def _frame(sums: pd.DataFrame, by: list[str], columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """One frame built at once (assigning columns one by one costs more than the arithmetic)."""
    keys = {b: sums[b].to_numpy() for b in by}
    return pd.DataFrame({**keys, **columns}, index=pd.RangeIndex(len(sums)))


def fft_from_sums(sums: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """:func:`fft_summary` from :func:`feedback_sums`."""
    by = list(by)
    n = sums["fft"].to_numpy(dtype="int64")
    columns = {"responses": n}
    for what in ("positive", "negative", "dont_know"):
        columns[what] = sums[what].to_numpy(dtype="int64")
    for what in ("positive", "negative"):
        low, high = wilson_interval(columns[what], n)
        columns[f"pct_{what}"] = percent(columns[what], n)
        columns[f"pct_{what}_low"] = 100 * np.asarray(low, dtype="float64")
        columns[f"pct_{what}_high"] = 100 * np.asarray(high, dtype="float64")
    return _frame(sums, by, columns)


def nps_from_sums(sums: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """:func:`nps_summary` from :func:`feedback_sums`."""
    by = list(by)
    n = sums["ltr"].to_numpy(dtype="int64")
    promoters = sums["promoters"].to_numpy(dtype="int64")
    detractors = sums["detractors"].to_numpy(dtype="int64")
    pct_promoters, pct_detractors = percent(promoters, n), percent(detractors, n)
    return _frame(
        sums,
        by,
        {
            "responses": n,
            "promoters": promoters,
            "detractors": detractors,
            "pct_promoters": pct_promoters,
            "pct_detractors": pct_detractors,
            "nps": pct_promoters - pct_detractors,
        },
    )


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
    return fft_from_sums(feedback_sums(counts, by), by)


def nps_summary(counts: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Net Promoter Score per group from 0-10 likelihood-to-recommend answers.

    Returns columns ``*by, responses, promoters, detractors, pct_promoters, pct_detractors, nps``
    (NPS runs from -100 to 100; NaN where a group has no 0-10 answers).
    """
    return nps_from_sums(feedback_sums(counts, by), by)
