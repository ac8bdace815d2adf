"""Statistical process control: NHS England's "Making Data Count" (MDC) XmR chart and a p-chart.

The XmR chart follows MDC as implemented by the NHS-R Community's NHSRplotthedots package:

- centre line: the mean of the values; moving ranges MR_i = |x_i - x_(i-1)|;
- moving ranges of 3.267 x mean MR or more are screened out and the mean MR recomputed
  (3.267 is the D4 constant for n = 2), unless every range left is 0 (a rare event, mostly 0%
  with a few jumps): limits from no variation would flag every point that is not the mean;
- process limits: mean +/- 2.66 x mean MR (2.66 = 3 / 1.128, three sigma); the "2 sigma" lines
  are mean +/- (2/3) x 2.66 x mean MR.

Special-cause rules (each flags every point of the pattern):

- a point outside the process limits;
- a shift: 7 points in a row (option: 6) on the same side of the mean (a point on the mean
  breaks the run);
- a trend: 7 points in a row (option: 6) each strictly higher, or each strictly lower, than
  the one before;
- two out of three: of three consecutive points, all on one side of the mean, at least two
  beyond the 2-sigma line on that side. NHS England's 2023 MDC update counts points beyond the
  3-sigma limits towards the two (ptx's default); NHSRplotthedots counts only points between
  2 and 3 sigma (``two_in_three_counts_outside=False``).

A signal on the side of the improvement direction is an improvement, on the other side a
concern; with no direction it is neutral (high or low). The variation icon is the last point's
type; the assurance icon compares a target with the last segment's limits. Limits computed from
fewer than 12 points are trial limits. Rebasing starts a new segment with its own limits and
rules at each given date.

The p-chart (for proportions whose period sizes vary a lot) uses the pooled proportion p and
limits p +/- 3 sqrt(p (1 - p) / n_i) for each period's own n_i, with the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ptx.errors import PtxError

LIMIT = 2.66  # MDC: mean +/- 2.66 x mean moving range = three sigma
LIMIT_CLOSE = 2 * LIMIT / 3  # two sigma
MR_SCREEN = 3.267  # D4 for subgroups of 2: moving ranges this large are screened out
MIN_BASELINE = 12  # MDC: at least 12 points for limits that are not trial limits
DIRECTIONS = {"higher": 1, "lower": -1, "neither": 0}  # which way is better (ptx.catalog)

COLUMNS = [
    "period",
    "value",
    "segment",
    "mean",
    "lpl",
    "upl",
    "lower_2sigma",
    "upper_2sigma",
    "outside_limits",
    "shift",
    "trend",
    "two_in_three",
    "special_cause",
    "point_type",
    "trial_limits",
]


@dataclass(frozen=True)
class SpcOptions:
    """How to run the chart; checks itself.

    Parameters
    ----------
    improvement
        Which way is better: "higher", "lower" or "neither" (the catalog's vocabulary).
    shift_length, trend_length
        Points in a run (7 by default; 6 is the other common choice).
    screen_outliers
        Screen large moving ranges before computing the limits (MDC default: yes).
    two_in_three_counts_outside
        Count points beyond 3 sigma towards "two out of three" (NHS England 2023 update).
    target
        A target value for the assurance icon, or None.
    rebase_at
        Dates at which a new segment (with its own limits) starts.
    fix_after_n_points
        Compute each segment's limits from its first n points only (a baseline); None: all.
    """

    improvement: str = "higher"
    shift_length: int = 7
    trend_length: int = 7
    screen_outliers: bool = True
    two_in_three_counts_outside: bool = True
    target: float | None = None
    rebase_at: tuple[date, ...] = ()
    fix_after_n_points: int | None = None

    def __post_init__(self) -> None:
        if self.improvement not in DIRECTIONS:
            raise PtxError(
                f"improvement must be one of {', '.join(DIRECTIONS)}, not {self.improvement!r}."
            )
        for name in ("shift_length", "trend_length"):
            if getattr(self, name) not in (6, 7):
                raise PtxError(f"{name} must be 6 or 7 (the MDC rules), not {getattr(self, name)}.")
        if self.fix_after_n_points is not None and self.fix_after_n_points < 2:
            raise PtxError("fix_after_n_points needs at least 2 points to compute a moving range.")
        object.__setattr__(self, "rebase_at", tuple(sorted(self.rebase_at)))

    @property
    def direction(self) -> int:
        return DIRECTIONS[self.improvement]


def _check(frame: pd.DataFrame, needed: tuple[str, ...]) -> pd.DataFrame:
    missing = [c for c in needed if c not in frame]
    if missing:
        raise PtxError(f"The SPC series needs column(s) {', '.join(missing)}.")
    if frame["period"].duplicated().any():
        raise PtxError("The SPC series has more than one value for a period; aggregate first.")
    if not frame["period"].is_monotonic_increasing:
        frame = frame.sort_values("period")
    frame = frame.reset_index(drop=True)
    if any(frame[c].isna().to_numpy().any() for c in needed[1:]):
        raise PtxError("The SPC series has empty values; drop or fill those periods first.")
    return frame


def _segments(periods: pd.Series, rebase_at: tuple[date, ...]) -> np.ndarray:
    when = pd.to_datetime(periods)
    return (
        np.searchsorted(pd.to_datetime(list(rebase_at)), when, side="right")
        if rebase_at
        else (np.zeros(len(periods), dtype=int))
    )


def _runs_flag(ends: np.ndarray, length: int) -> np.ndarray:
    """Mark every point of a pattern whose last point is flagged in ``ends``."""
    flags = np.zeros(len(ends), dtype=bool)
    for i in np.flatnonzero(ends):
        flags[max(0, i - length + 1) : i + 1] = True
    return flags


def shift_flags(side: np.ndarray, length: int) -> np.ndarray:
    """Points in a run of ``length`` or more on one side of the mean (side = sign(x - mean))."""
    ends = np.zeros(len(side), dtype=bool)
    for i in range(length - 1, len(side)):
        window = side[i - length + 1 : i + 1]
        ends[i] = window[0] != 0 and (window == window[0]).all()
    return _runs_flag(ends, length)


def trend_flags(values: np.ndarray, length: int) -> np.ndarray:
    """Points in a run of ``length`` each strictly above (or below) the one before."""
    steps = np.sign(np.diff(values))
    ends = np.zeros(len(values), dtype=bool)
    for i in range(length - 1, len(values)):
        window = steps[i - length + 1 : i]
        ends[i] = window[0] != 0 and (window == window[0]).all()
    return _runs_flag(ends, length)


def two_in_three_flags(beyond: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Points beyond 2 sigma that make 2 of 3 consecutive such points, all three on one side."""
    flags = np.zeros(len(beyond), dtype=bool)
    for start in range(len(beyond) - 2):
        window = slice(start, start + 3)
        if beyond[window].sum() >= 2 and abs(side[window].sum()) == 3:
            flags[window] |= beyond[window]
    return flags


def _chart(
    period: pd.Series,
    y: np.ndarray,
    segments: np.ndarray,
    limits: dict[str, np.ndarray],
    options: SpcOptions,
) -> pd.DataFrame:
    """The chart frame (:data:`COLUMNS`): values, limits, and each rule's flags and point type,
    the rules applied per segment."""
    mean = limits["mean"]
    side = np.sign(y - mean)
    outside = (y > limits["upl"]) | (y < limits["lpl"])
    beyond_2 = (y > limits["upper_2sigma"]) | (y < limits["lower_2sigma"])
    if not options.two_in_three_counts_outside:
        beyond_2 &= ~outside
    shift, trend, two_in_three, trial = (np.zeros(len(y), dtype=bool) for _ in range(4))
    for seg_id in np.unique(segments):  # the rules never look across a rebase
        rows = np.flatnonzero(segments == seg_id)
        shift[rows] = shift_flags(side[rows], options.shift_length)
        trend[rows] = trend_flags(y[rows], options.trend_length)
        two_in_three[rows] = two_in_three_flags(beyond_2[rows], side[rows])
        trial[rows] = len(rows) < MIN_BASELINE
    special = outside | shift | trend | two_in_three
    direction = options.direction
    types = np.where(
        ~special,
        "common_cause",
        np.where(
            direction == 0,
            np.where(side > 0, "special_cause_neutral_high", "special_cause_neutral_low"),
            np.where(side == direction, "special_cause_improvement", "special_cause_concern"),
        ),
    )
    columns = {
        "period": period.to_numpy(),
        "value": y,
        "segment": segments,
        **limits,
        "outside_limits": outside,
        "shift": shift,
        "trend": trend,
        "two_in_three": two_in_three,
        "special_cause": special,
        "point_type": types,
        "trial_limits": trial,
    }
    return pd.DataFrame({c: columns[c] for c in COLUMNS})


def xmr(series: pd.DataFrame, options: SpcOptions = SpcOptions()) -> pd.DataFrame:
    """An XmR (individuals) chart with MDC limits and special-cause flags.

    Parameters
    ----------
    series
        Columns ``period`` (date) and ``value``; one row per period.

    Returns
    -------
    DataFrame with columns :data:`COLUMNS`: the limits per point (constant within a segment),
    each rule's flag, ``special_cause``, ``point_type`` and ``trial_limits``.

    Examples
    --------
    >>> s = pd.DataFrame({"period": pd.date_range("2024-01-01", periods=4, freq="MS"),
    ...                   "value": [10.0, 12.0, 11.0, 13.0]})
    >>> round(float(xmr(s)["upl"].iloc[0]), 3)  # 11.5 + 2.66 * mean(2, 1, 2)
    15.933
    """
    frame = _check(series, ("period", "value"))
    segments = _segments(frame["period"], options.rebase_at)
    y = frame["value"].to_numpy(float)
    limits = {
        c: np.full(len(y), np.nan) for c in ("mean", "lpl", "upl", "lower_2sigma", "upper_2sigma")
    }
    for seg_id in np.unique(segments):
        rows = np.flatnonzero(segments == seg_id)
        seg = y[rows]
        base = seg[: options.fix_after_n_points] if options.fix_after_n_points else seg
        mean = base.mean()
        mr = np.abs(np.diff(base))
        amr = mr.mean() if len(mr) else np.nan
        if options.screen_outliers and len(mr):
            kept = mr[mr < MR_SCREEN * amr]
            # A screen that leaves no variation at all (a rare event: every kept range 0)
            # would put the limits on the mean and flag every other point; keep them all then.
            amr = kept.mean() if len(kept) and kept.mean() > 0 else amr
        limits["mean"][rows] = mean
        limits["lpl"][rows] = mean - LIMIT * amr
        limits["upl"][rows] = mean + LIMIT * amr
        limits["lower_2sigma"][rows] = mean - LIMIT_CLOSE * amr
        limits["upper_2sigma"][rows] = mean + LIMIT_CLOSE * amr
    return _chart(frame["period"], y, segments, limits, options)


def p_chart(series: pd.DataFrame, options: SpcOptions = SpcOptions()) -> pd.DataFrame:
    """A p-chart of a proportion, in percent, with limits from each period's own n.

    Parameters
    ----------
    series
        Columns ``period``, ``numerator`` and ``denominator`` (denominator > 0).

    Returns
    -------
    The columns of :func:`xmr`, ``value`` being 100 x numerator / denominator.
    """
    frame = _check(series, ("period", "numerator", "denominator"))
    if (frame["denominator"] <= 0).any():
        raise PtxError("A p-chart needs a denominator above 0 in every period.")
    numerator = frame["numerator"].to_numpy(float)
    n = frame["denominator"].to_numpy(float)
    segments = _segments(frame["period"], options.rebase_at)
    limits = {
        c: np.full(len(n), np.nan) for c in ("mean", "lpl", "upl", "lower_2sigma", "upper_2sigma")
    }
    for seg_id in np.unique(segments):
        rows = np.flatnonzero(segments == seg_id)
        base = rows[: options.fix_after_n_points] if options.fix_after_n_points else rows
        p = numerator[base].sum() / n[base].sum()
        sigma = np.sqrt(p * (1 - p) / n[rows])
        limits["mean"][rows] = 100 * p
        limits["lpl"][rows] = 100 * np.clip(p - 3 * sigma, 0, 1)
        limits["upl"][rows] = 100 * np.clip(p + 3 * sigma, 0, 1)
        limits["lower_2sigma"][rows] = 100 * np.clip(p - 2 * sigma, 0, 1)
        limits["upper_2sigma"][rows] = 100 * np.clip(p + 2 * sigma, 0, 1)
    return _chart(frame["period"], 100 * numerator / n, segments, limits, options)


def variation_icon(chart: pd.DataFrame, options: SpcOptions) -> str:
    """MDC variation icon from the last point: common_cause, improvement_high/low,
    concern_high/low, or neutral_high/low. ``options`` are those the chart was made with."""
    if chart.empty:
        return "common_cause"
    last = chart["point_type"].iloc[-1]
    high_is_better = options.direction >= 0
    return {
        "common_cause": "common_cause",
        "special_cause_neutral_high": "neutral_high",
        "special_cause_neutral_low": "neutral_low",
        "special_cause_improvement": "improvement_high" if high_is_better else "improvement_low",
        "special_cause_concern": "concern_low" if high_is_better else "concern_high",
    }[last]


def assurance_icon(chart: pd.DataFrame, options: SpcOptions) -> str | None:
    """MDC assurance icon against the target, from the last point's limits: consistent_pass,
    consistent_fail or inconsistent; None without a target or direction."""
    if options.target is None or options.direction == 0 or chart.empty:
        return None
    last = chart.iloc[-1]
    increasing = options.direction > 0
    if options.target > last["upl"]:
        return "consistent_fail" if increasing else "consistent_pass"
    if options.target < last["lpl"]:
        return "consistent_pass" if increasing else "consistent_fail"
    return "inconsistent"


def _runs(mask: np.ndarray, side: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of flagged points on one side of the mean."""
    key = np.where(mask, np.where(side == 0, 2, side), 0)  # 2: on the mean, its own kind
    runs, start = [], None
    for i in range(len(key) + 1):
        current = key[i] if i < len(key) else 0
        if start is not None and current != key[start]:
            runs.append((start, i - 1))
            start = None
        if start is None and current != 0:
            start = i
    return runs


def _verdict(side: float, options: SpcOptions) -> str:
    if options.direction == 0:
        return "neutral"
    return "improvement" if np.sign(side) == options.direction else "concern"


RULE_WEIGHT = {"outside_limits": 4, "two_in_three": 3, "shift": 2, "trend": 1}  # by rarity


@dataclass(frozen=True)
class SignalRun:
    """One special cause: which rule, the points it covers, which side, and what it means."""

    rule: str  # outside_limits, shift, trend or two_in_three (RULE_WEIGHT's keys)
    first: int  # index of its first point in the chart
    last: int  # index of its last point
    side: int  # 1: above the mean (or rising), -1: below (or falling)
    verdict: str  # improvement, concern or neutral
    text: str  # in words, e.g. "7 months above the mean from Mar 2025 to Sep 2025: improvement"


def signal_runs(
    chart: pd.DataFrame, options: SpcOptions, *, period_name: str = "month", fmt: str = "%b %Y"
) -> list[SignalRun]:
    """Each special cause of a chart, newest first (by its last point)."""
    runs: list[SignalRun] = []
    periods = pd.to_datetime(chart["period"])
    y = chart["value"].to_numpy(float)
    side = np.sign(y - chart["mean"].to_numpy(float))

    def span(a: int, b: int) -> str:
        if a == b:
            return f"in {periods[a]:{fmt}}"
        return f"from {periods[a]:{fmt}} to {periods[b]:{fmt}}"

    def add(rule: str, a: int, b: int, towards: float, text: str) -> None:
        verdict = _verdict(towards, options)
        runs.append(SignalRun(rule, a, b, int(np.sign(towards)), verdict, f"{text}: {verdict}"))

    for a, b in _runs(chart["shift"].to_numpy(), side):
        where = "above" if side[b] > 0 else "below"
        add("shift", a, b, side[b], f"{b - a + 1} {period_name}s {where} the mean {span(a, b)}")
    for a, b in _runs(chart["trend"].to_numpy(), np.ones(len(y))):
        rising = 1 if y[b] > y[a] else -1
        word = "rising" if rising > 0 else "falling"
        add("trend", a, b, rising, f"{b - a + 1} {period_name}s {word} {span(a, b)}")
    for i in np.flatnonzero(chart["outside_limits"].to_numpy()):
        where = "above the upper" if side[i] > 0 else "below the lower"
        add("outside_limits", i, i, side[i], f"{periods[i]:{fmt}} {where} process limit")
    for a, b in _runs(chart["two_in_three"].to_numpy(), side):
        where = "upper" if side[b] > 0 else "lower"
        text = f"2 of 3 {period_name}s near or beyond the {where} limit {span(a, b)}"
        add("two_in_three", a, b, side[b], text)
    return sorted(runs, key=lambda r: periods[r.last], reverse=True)


def signal_sentences(
    chart: pd.DataFrame, options: SpcOptions, *, period_name: str = "month", fmt: str = "%b %Y"
) -> list[str]:
    """Each special cause in words, newest first, e.g.
    "7 months above the mean from Mar 2025 to Sep 2025: improvement"."""
    return [run.text for run in signal_runs(chart, options, period_name=period_name, fmt=fmt)]
