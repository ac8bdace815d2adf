"""Every catalog measure from its count frames, per group: the one place each is computed.

:func:`evaluate` turns the small count frames of :mod:`ptx.query` and :mod:`ptx.timing`
(grouped by any key: a period, a month, a department, a channel) into ``*by, numerator,
denominator, value, low, high`` for any measure of :mod:`ptx.catalog`. Tiles (grouped by
current/previous period), SPC trends (by period start), breakdowns (by channel or demographic)
and department funnels (by department) all call it, so a measure means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ptx import spc
from ptx.catalog import Measure
from ptx.complaints import resolution_summary, target_counts
from ptx.config import ComplaintSettings
from ptx.disclosure import Disclosure, hidden
from ptx.errors import PtxError
from ptx.feedback import feedback_sums, fft_from_sums, nps_from_sums
from ptx.schema import ANSWER_SCALES
from ptx.stats import percent, wilson_interval

PERIODS = ("week", "month", "quarter")
SERIES_COLUMNS = ["period", "value", "low", "high", "numerator", "denominator"]
BREAKDOWNS = ("channel", "age_band", "sex", "ethnicity")
NOT_RECORDED = "Not recorded"
# The arithmetic evaluate() knows; a catalog measure names one (Measure.formula).
FORMULAS = (
    "responses",
    "fft_pct_positive",
    "fft_pct_negative",
    "fft_response_rate",
    "nps",
    "ltr_mean",
    "top_box",
    "mean_answer",
    "complaints_received",
    "complaints_per_1000",
    "complaints_open",
    "complaints_ack_pct",
    "complaints_resolved_pct",
    "complaints_median_days",
)


def query_grain(period: str) -> str:
    """The grouping to ask the database for: days for weeks, months otherwise."""
    if period not in PERIODS:
        raise PtxError(f"period must be one of {', '.join(PERIODS)}, not {period!r}.")
    return "day" if period == "week" else "month"


def period_start(dates: pd.Series, period: str) -> pd.Series:
    """The first day of each date's week (Monday), month or quarter."""
    query_grain(period)
    d = pd.to_datetime(pd.Series(dates))
    if period == "week":
        start = d - pd.to_timedelta(d.dt.day_of_week, unit="D")
    elif period == "month":
        start = d.dt.to_period("M").dt.start_time
    else:
        start = d.dt.to_period("Q").dt.start_time
    return start.dt.date


def with_period(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    """``frame`` (grouped by day or month) with a ``period`` column: its period's start."""
    grain = query_grain(period)
    if grain not in frame:
        raise PtxError(f"Counts for a {period} trend must be grouped by {grain}.")
    return frame.assign(period=period_start(frame[grain], period) if len(frame) else frame[grain])


def _sum(frame: pd.DataFrame, by: list[str], columns: list[str]) -> pd.DataFrame:
    if not by:
        return frame[columns].sum().to_frame().T
    return frame.groupby(by, as_index=False, dropna=False)[columns].sum()


def _values(keys: pd.DataFrame, numerator, denominator, value, low=np.nan, high=np.nan):
    rows = len(keys)

    def column(v) -> np.ndarray:
        return np.asarray(v, dtype="float64") if np.ndim(v) else np.full(rows, v, dtype="float64")

    data = {name: keys[name].to_numpy() for name in keys.columns}
    data.update(
        numerator=column(numerator),
        denominator=column(denominator),
        value=column(value),
        low=column(low),
        high=column(high),
    )
    return pd.DataFrame(data, index=pd.RangeIndex(rows))


def _proportion(keys: pd.DataFrame, met, due) -> pd.DataFrame:
    low, high = wilson_interval(met, due)
    return _values(keys, met, due, percent(met, due), 100 * low, 100 * high)


def _received(frames: Mapping[str, pd.DataFrame], by: list[str]) -> pd.DataFrame:
    """Complaints received per group: from complaint counts, or from a stage's counts (every
    complaint received is either done or still pending)."""
    if "complaints" in frames:
        return _sum(frames["complaints"], by, ["received"])
    stage = frames["resolved"]
    total = stage.assign(received=stage["done"] + stage["pending"])
    return _sum(total, by, ["received"])


def _answers(answers: pd.DataFrame, question: str, by: list[str]) -> pd.DataFrame:
    a = answers[answers["question_id"] == question]
    best = a["answer_scale"].map(lambda s: ANSWER_SCALES[s][1])
    a = a.assign(
        top=a["responses"].where(a["answer"] == best, 0), weighted=a["responses"] * a["answer"]
    )
    return _sum(a, by, ["top", "responses", "weighted"])


def evaluate(
    measure: Measure,
    frames: Mapping[str, pd.DataFrame],
    by: Sequence[str] = (),
    settings: ComplaintSettings | None = None,
    shared: dict | None = None,
) -> pd.DataFrame:
    """One measure per group.

    Parameters
    ----------
    measure
        A catalog measure.
    frames
        The count frames named in ``measure.inputs``, each grouped by at least ``by``:
        feedback (``feedback_counts``), answers (``answer_counts``), complaints
        (``complaint_counts``), activity and eligible (``activity_totals``),
        eligible_responses (``eligible_feedback_counts``), acknowledged / resolved
        (``stage_counts``), open (``complaint_counts`` of everything received by the as-of
        date). Complaints received may come from the resolved stage instead.
    by
        The grouping columns; empty for one overall row.
    settings
        The complaint targets (for % acknowledged in time and % resolved in target).
    shared
        A dict that calls on the same frames and grouping may share, so that measures built on
        the same summary (FFT % positive and % negative, say) compute it once.

    Returns
    -------
    DataFrame with columns ``*by, numerator, denominator, value, low, high``, one row per group
    with data: ``value`` is a count, a percentage (0-100, with a 95% Wilson interval), a
    score, a mean, a rate per 1,000 or working days (with the Kaplan-Meier interval).
    """
    by = list(by)
    key, kind = measure.formula, measure.kind
    shared = {} if shared is None else shared

    def once(name: str, make):
        if name not in shared:
            shared[name] = make()
        return shared[name]

    if key not in FORMULAS:
        raise PtxError(f"{measure.key}: no formula {key!r}; use one of {', '.join(FORMULAS)}.")
    settings = settings or ComplaintSettings()
    if key in ("responses", "fft_pct_positive", "fft_pct_negative", "nps", "ltr_mean"):
        sums = once("feedback", lambda: feedback_sums(frames["feedback"], by))
    if key == "responses":
        return _values(sums[by], sums["all"], sums["all"], sums["all"])
    if key in ("fft_pct_positive", "fft_pct_negative"):
        s = fft_from_sums(sums, by)
        s = s[s["responses"] > 0]
        what = "positive" if key == "fft_pct_positive" else "negative"
        return _proportion(s[by], s[what], s["responses"])
    if key == "fft_response_rate":
        answered = once(
            "eligible_responses", lambda: feedback_sums(frames["eligible_responses"], by)
        )
        eligible = _sum(frames["eligible"], by, ["eligible"])
        if by:
            g = eligible.merge(answered[[*by, "fft"]], on=by, how="left")
        else:
            g = eligible.join(answered[["fft"]])
        g = g[g["eligible"] > 0]
        return _proportion(g[by], g["fft"].fillna(0), g["eligible"])
    if key == "nps":
        s = nps_from_sums(sums, by)
        s = s[s["responses"] > 0]
        return _values(s[by], s["promoters"] - s["detractors"], s["responses"], s["nps"])
    if key == "ltr_mean":
        g = sums[sums["ltr"] > 0]
        return _values(g[by], g["ltr_total"], g["ltr"], g["ltr_total"] / g["ltr"])
    if key in ("top_box", "mean_answer"):
        g = _answers(frames["answers"], measure.question, by)
        g = g[g["responses"] > 0]
        if kind == "proportion":
            return _proportion(g[by], g["top"], g["responses"])
        return _values(g[by], g["weighted"], g["responses"], g["weighted"] / g["responses"])
    if key == "complaints_received":
        g = once("received", lambda: _received(frames, by))
        return _values(g[by], g["received"], g["received"], g["received"])
    if key == "complaints_per_1000":
        received = once("received", lambda: _received(frames, by))
        episodes = _sum(frames["activity"], by, ["episodes"])
        g = received.merge(episodes, on=by, how="inner") if by else received.join(episodes)
        g = g[g["episodes"] > 0]
        return _values(g[by], g["received"], g["episodes"], 1000 * g["received"] / g["episodes"])
    if key == "complaints_open":
        g = _sum(frames["open"], by, ["open"])
        return _values(g[by], g["open"], g["open"], g["open"])
    if key in ("complaints_ack_pct", "complaints_resolved_pct"):
        stage, target = (
            ("acknowledged", settings.acknowledge_working_days)
            if key == "complaints_ack_pct"
            else ("resolved", settings.resolve_working_days)
        )
        counts = _target_counts(frames[stage], target, by)
        counts = counts[counts["due"] > 0]
        return _proportion(counts[by], counts["met"], counts["due"])
    if key == "complaints_median_days":
        s = resolution_summary(frames["resolved"], tuple(by))
        s = s[s["complaints"] > 0]
        return _values(
            s[by], np.nan, s["complaints"], s["median"], s["median_low"], s["median_high"]
        )
    raise AssertionError(f"formula {key!r} is listed but not computed")


def _target_counts(stage: pd.DataFrame, target: int, by: list[str]) -> pd.DataFrame:
    if not by:
        return target_counts(stage, target).reset_index(drop=True)
    if len(by) == 1:
        return target_counts(stage, target, by[0]).rename_axis(by[0]).reset_index()
    keyed = stage.assign(_key=list(zip(*(stage[b] for b in by), strict=True)))
    counts = target_counts(keyed, target, "_key")
    keys = pd.DataFrame(list(counts.index), columns=by)
    return pd.concat([keys, counts.reset_index(drop=True)], axis=1)


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


def series(
    measure: Measure,
    frames: Mapping[str, pd.DataFrame],
    period: str,
    settings: ComplaintSettings | None = None,
) -> pd.DataFrame:
    """The measure per period (frames grouped by ``query_grain(period)``): SERIES_COLUMNS."""
    if period not in measure.periods:
        raise PtxError(
            f"{measure.label} is measured by {', '.join(measure.periods)}, not by {period}."
        )
    by_period = {name: with_period(frame, period) for name, frame in frames.items()}
    return evaluate(measure, by_period, ["period"], settings)[SERIES_COLUMNS]


@dataclass(frozen=True)
class SpcResult:
    """A measure's SPC chart, read out."""

    series: pd.DataFrame  # SERIES_COLUMNS, hidden periods removed (other cells as computed)
    chart: pd.DataFrame  # spc.COLUMNS
    chart_type: str  # "xmr" or "p"
    variation: str | None  # None when there are no points
    assurance: str | None
    runs: tuple[spc.SignalRun, ...]  # each special cause, newest first
    hidden_periods: int

    @property
    def signals(self) -> tuple[str, ...]:
        """Each special cause in words, newest first."""
        return tuple(run.text for run in self.runs)


def spc_trend(
    measure: Measure,
    values: pd.DataFrame,
    *,
    period: str,
    start,
    end,
    options: spc.SpcOptions,
    chart_type: str = "xmr",
    rule: Disclosure = Disclosure(),
) -> SpcResult:
    """The measure per whole period in the range, checked by SPC.

    With ``start`` or ``end`` None, every period of ``values`` is kept (the caller has kept
    the whole periods already). Periods that the small-number rule hides (a rate from fewer
    than 10) are left out of the chart and counted in ``hidden_periods``; a count chart with
    any period of 1-7 is not drawn at all (its limits from the other periods would mislead),
    and every period counts as hidden.
    """
    if chart_type not in ("xmr", "p"):
        raise PtxError("chart_type must be 'xmr' or 'p'.")
    if chart_type == "p" and not measure.proportion:
        raise PtxError(f"A p-chart needs a proportion; {measure.label} is not one.")
    if options.improvement != measure.direction:
        options = replace(options, improvement=measure.direction)
    values = whole_periods(values, start, end, period)
    hide = hidden(values, measure.roles, rule)["value"].to_numpy()
    if measure.kind == "count" and hide.any():
        # A count chart without its small periods would compute its mean and limits from the
        # large ones only, and flag signals that are not there: no chart at all.
        hide = np.ones(len(values), dtype=bool)
    values = values[~hide].reset_index(drop=True)
    if options.rebase_at:  # a rebase starts with the period that holds its date
        starts = tuple(period_start(pd.Series(options.rebase_at), period))
        options = replace(options, rebase_at=starts)
    if values.empty:
        chart = pd.DataFrame(columns=spc.COLUMNS)
    elif chart_type == "p":
        chart = spc.p_chart(values[["period", "numerator", "denominator"]], options)
    else:
        chart = spc.xmr(values[["period", "value"]], options)
    return SpcResult(
        series=values,
        chart=chart,
        chart_type=chart_type,
        variation=spc.variation_icon(chart, options) if len(chart) else None,
        assurance=spc.assurance_icon(chart, options) if len(chart) else None,
        runs=tuple(spc.signal_runs(chart, options, period_name=period)) if len(chart) else (),
        hidden_periods=int(hide.sum()),
    )


def breakdown(measure: Measure, feedback: pd.DataFrame, by: str) -> pd.DataFrame:
    """A feedback measure per group of ``by`` (a channel or demographic column of the counts).

    Returns columns ``group, numerator, denominator, value, low, high``; unrecorded groups show
    as "Not recorded". The small-number rule is applied by the result that holds it.
    """
    if by not in BREAKDOWNS:
        raise PtxError(f"Break down by one of {', '.join(BREAKDOWNS)}, not {by!r}.")
    if not measure.applies("breakdown"):
        raise PtxError(f"{measure.label} has no breakdown; choose an FFT measure or NPS.")
    counts = feedback.assign(**{by: feedback[by].fillna(NOT_RECORDED)})
    out = evaluate(measure, {"feedback": counts}, [by]).rename(columns={by: "group"})
    return out.sort_values("group").reset_index(drop=True)
