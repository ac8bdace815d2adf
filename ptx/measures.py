"""Feedback measures as time series: one value per week, month or quarter.

Each measure turns the counts of :mod:`ptx.query` into ``period, value, low, high, numerator,
denominator`` (interval bounds where the measure is a proportion), ready for an SPC chart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ptx import spc
from ptx.disclosure import Disclosure
from ptx.errors import PtxError
from ptx.feedback import fft_summary, nps_summary
from ptx.schema import ANSWER_SCALES
from ptx.stats import percent, wilson_interval

PERIODS = ("week", "month", "quarter")
SERIES_COLUMNS = ["period", "value", "low", "high", "numerator", "denominator"]


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str  # "%", "score", "count" or "mean"
    improvement: str  # "increase", "decrease" or "neutral"
    proportion: bool  # numerator / denominator: a p-chart and intervals apply
    definition: str


FIXED = {
    m.key: m
    for m in (
        Measure(
            "fft_pct_positive",
            "FFT % positive",
            "%",
            "increase",
            True,
            "(very good + good) / all FFT responses, don't know included (NHS England)",
        ),
        Measure(
            "fft_pct_negative",
            "FFT % negative",
            "%",
            "decrease",
            True,
            "(poor + very poor) / all FFT responses, don't know included (NHS England)",
        ),
        Measure(
            "nps",
            "Net Promoter Score",
            "score",
            "increase",
            False,
            "% promoters (9-10) - % detractors (0-6) of 0-10 answers",
        ),
        Measure(
            "responses",
            "Responses",
            "count",
            "neutral",
            False,
            "feedback responses received, rated or not",
        ),
    )
}


def question_measures(answers: pd.DataFrame) -> dict[str, Measure]:
    """Top-box % and mean answer for each question present in ``answer_counts`` output."""
    out: dict[str, Measure] = {}
    for question in sorted(answers["question_id"].unique()) if len(answers) else []:
        name = question.replace("_", " ")
        out[f"top_box:{question}"] = Measure(
            f"top_box:{question}",
            f"Top box % · {name}",
            "%",
            "increase",
            True,
            "share giving the best answer (HCAHPS convention: 'Always', 9-10)",
        )
        out[f"mean_answer:{question}"] = Measure(
            f"mean_answer:{question}",
            f"Mean answer · {name}",
            "mean",
            "increase",
            False,
            "mean answer value on the question's scale",
        )
    return out


def query_grain(period: str) -> str:
    """The grouping to ask the database for: days for weeks, months otherwise."""
    if period not in PERIODS:
        raise PtxError(f"period must be one of {', '.join(PERIODS)}, not {period!r}.")
    return "day" if period == "week" else "month"


def period_start(dates: pd.Series, period: str) -> pd.Series:
    """The first day of each date's week (Monday), month or quarter."""
    d = pd.to_datetime(pd.Series(dates))
    if period == "week":
        start = d - pd.to_timedelta(d.dt.day_of_week, unit="D")
    elif period == "month":
        start = d.dt.to_period("M").dt.start_time
    elif period == "quarter":
        start = d.dt.to_period("Q").dt.start_time
    else:
        raise PtxError(f"period must be one of {', '.join(PERIODS)}, not {period!r}.")
    return start.dt.date


def _with_period(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    grain = query_grain(period)
    return frame.assign(period=period_start(frame[grain], period) if len(frame) else frame[grain])


def _proportion(period, numerator, denominator) -> pd.DataFrame:
    low, high = wilson_interval(numerator, denominator)
    return pd.DataFrame(
        {
            "period": period,
            "value": percent(numerator, denominator),
            "low": 100 * low,
            "high": 100 * high,
            "numerator": numerator,
            "denominator": denominator,
        }
    )


def measure_series(
    key: str, counts: pd.DataFrame, answers: pd.DataFrame, period: str
) -> pd.DataFrame:
    """One measure per period.

    Parameters
    ----------
    key
        A key of :data:`FIXED` or of :func:`question_measures`.
    counts, answers
        ``feedback_counts`` and ``answer_counts`` grouped by ``query_grain(period)``.
    period
        "week", "month" or "quarter".

    Returns
    -------
    DataFrame with columns :data:`SERIES_COLUMNS`, one row per period that has data; ``low``
    and ``high`` are 95% Wilson bounds for proportions, NaN otherwise.
    """
    if key in ("fft_pct_positive", "fft_pct_negative", "nps", "responses"):
        c = _with_period(counts, period)
        if key == "responses":
            total = c.groupby("period", as_index=False)["responses"].sum()
            return pd.DataFrame(
                {
                    "period": total["period"],
                    "value": total["responses"].astype(float),
                    "low": np.nan,
                    "high": np.nan,
                    "numerator": total["responses"],
                    "denominator": total["responses"],
                }
            )[SERIES_COLUMNS]
        if key == "nps":
            s = nps_summary(c, by=["period"])
            s = s[s["responses"] > 0]
            return pd.DataFrame(
                {
                    "period": s["period"],
                    "value": s["nps"],
                    "low": np.nan,
                    "high": np.nan,
                    "numerator": s["promoters"] - s["detractors"],
                    "denominator": s["responses"],
                }
            )[SERIES_COLUMNS]
        s = fft_summary(c, by=["period"])
        s = s[s["responses"] > 0]
        what = "positive" if key == "fft_pct_positive" else "negative"
        return _proportion(s["period"], s[what], s["responses"]).reset_index(drop=True)
    kind, _, question = key.partition(":")
    if kind not in ("top_box", "mean_answer") or not question:
        raise PtxError(f"Unknown measure {key!r}.")
    a = _with_period(answers, period)
    a = a[a["question_id"] == question]
    if a.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    best = a["answer_scale"].map(lambda s: ANSWER_SCALES[s][1])
    a = a.assign(
        top=a["responses"].where(a["answer"] == best, 0), weighted=a["responses"] * a["answer"]
    )
    g = a.groupby("period", as_index=False)[["top", "responses", "weighted"]].sum()
    if kind == "top_box":
        return _proportion(g["period"], g["top"], g["responses"]).reset_index(drop=True)
    return pd.DataFrame(
        {
            "period": g["period"],
            "value": g["weighted"] / g["responses"],
            "low": np.nan,
            "high": np.nan,
            "numerator": g["weighted"],
            "denominator": g["responses"],
        }
    )[SERIES_COLUMNS]


def whole_periods(series: pd.DataFrame, start, end, period: str) -> pd.DataFrame:
    """Keep the periods that lie wholly inside ``start``..``end`` (a part-period at either edge
    would look like a fall in volume or a wider swing than it is)."""
    if series.empty or start is None or end is None:
        return series
    starts = pd.to_datetime(series["period"])
    length = {
        "week": pd.DateOffset(weeks=1),
        "month": pd.DateOffset(months=1),
        "quarter": pd.DateOffset(months=3),
    }[period]
    ends = starts + length - pd.Timedelta(days=1)
    keep = (starts >= pd.Timestamp(start)) & (ends <= pd.Timestamp(end))
    return series[keep.to_numpy()].reset_index(drop=True)


@dataclass(frozen=True)
class Trend:
    """A measure's SPC trend, ready to draw and to read out."""

    measure: Measure
    series: pd.DataFrame  # SERIES_COLUMNS, periods hidden by disclosure control removed
    chart: pd.DataFrame  # spc.COLUMNS
    chart_type: str  # "xmr" or "p"
    variation: str
    assurance: str | None
    signals: tuple[str, ...]
    hidden_periods: int  # periods left out for having fewer than the minimum responses

    def numbers(self) -> pd.DataFrame:
        """The numbers behind the chart: the series with each period's limits and type."""
        limits = self.chart[["period", "mean", "lpl", "upl", "point_type"]]
        return self.series.merge(limits, on="period", how="left")


def trend(
    measure: Measure,
    counts: pd.DataFrame,
    answers: pd.DataFrame,
    *,
    period: str,
    start,
    end,
    options: spc.SpcOptions,
    chart_type: str = "xmr",
    rule: Disclosure = Disclosure(),
) -> Trend:
    """The measure per whole period in the range, checked by SPC.

    Periods with fewer than ``rule.min_rate_n`` responses are left out of rates (and counted in
    ``hidden_periods``) when disclosure control is on; counts are never hidden from the chart of
    volume, since its points are totals, not small cells.
    """
    if chart_type not in ("xmr", "p"):
        raise PtxError("chart_type must be 'xmr' or 'p'.")
    if chart_type == "p" and not measure.proportion:
        raise PtxError(f"A p-chart needs a proportion; {measure.label} is not one.")
    series = whole_periods(measure_series(measure.key, counts, answers, period), start, end, period)
    hidden = 0
    if rule.enabled and measure.key != "responses" and len(series):
        small = series["denominator"] < rule.min_rate_n
        hidden = int(small.sum())
        series = series[~small].reset_index(drop=True)
    if options.rebase_at:  # a rebase starts with the period that holds its date
        starts = tuple(period_start(pd.Series(options.rebase_at), period))
        options = replace(options, rebase_at=starts)
    if series.empty:
        chart = pd.DataFrame(columns=spc.COLUMNS)
    elif chart_type == "p":
        chart = spc.p_chart(series[["period", "numerator", "denominator"]], options)
    else:
        chart = spc.xmr(series[["period", "value"]], options)
    noun = {"week": "week", "month": "month", "quarter": "quarter"}[period]
    return Trend(
        measure=measure,
        series=series,
        chart=chart,
        chart_type=chart_type,
        variation=spc.variation_icon(chart, options),
        assurance=spc.assurance_icon(chart, options),
        signals=tuple(spc.signal_sentences(chart, options, period_name=noun)) if len(chart) else (),
        hidden_periods=hidden,
    )


BREAKDOWNS = ("channel", "age_band", "sex", "ethnicity")


def breakdown(counts: pd.DataFrame, by: str, key: str, rule: Disclosure = Disclosure()):
    """A measure per group of ``by`` (a channel or demographic column of ``counts``).

    Returns columns ``group, responses, value, low, high``; FFT measures carry Wilson bounds;
    groups below the disclosure minimum have no value. Unrecorded groups show as "Not recorded".
    """
    from ptx.disclosure import hide_small_rates

    c = counts.assign(**{by: counts[by].fillna("Not recorded")})
    if key == "nps":
        s = nps_summary(c, by=[by])
        out = pd.DataFrame(
            {
                "group": s[by],
                "responses": s["responses"],
                "value": s["nps"],
                "low": np.nan,
                "high": np.nan,
            }
        )
    else:
        s = fft_summary(c, by=[by])
        what = "negative" if key == "fft_pct_negative" else "positive"
        out = pd.DataFrame(
            {
                "group": s[by],
                "responses": s["responses"],
                "value": s[f"pct_{what}"],
                "low": s[f"pct_{what}_low"],
                "high": s[f"pct_{what}_high"],
            }
        )
    out = out[out["responses"] > 0].sort_values("group").reset_index(drop=True)
    return hide_small_rates(out, "responses", ["value", "low", "high"], rule)
