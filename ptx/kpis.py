"""The headline KPIs: the Overview page's tiles and the ``ptx kpis`` command's output.

Each KPI is computed for the chosen date range and for the range of the same length just
before it, so a reader sees what changed since the last period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ptx import query, timing
from ptx.complaints import resolution_summary, within_target
from ptx.config import ComplaintSettings
from ptx.disclosure import Disclosure
from ptx.feedback import fft_summary, nps_summary
from ptx.query import Filters, previous_window
from ptx.sources import Source

# kpi key -> (label, unit, which direction is better)
HEADLINE = {
    "responses": ("Feedback responses", "count", None),
    "fft_pct_positive": ("FFT % positive", "%", "higher"),
    "fft_pct_negative": ("FFT % negative", "%", "lower"),
    "nps": ("Net Promoter Score", "score", "higher"),
    "complaints_received": ("Complaints received", "count", None),
    "complaints_per_1000": ("Complaints per 1,000 episodes", "rate", "lower"),
    "complaints_open": ("Complaints open at as-of date", "count", "lower"),
    "complaints_ack_pct": ("% acknowledged in time", "%", "higher"),
    "complaints_resolved_pct": ("% resolved in target", "%", "higher"),
    "complaints_median_days": ("Median working days to resolve", "days", "lower"),
}
FEEDBACK_TILES = ("responses", "fft_pct_positive", "fft_pct_negative", "nps")
COMPLAINT_TILES = (
    "complaints_received",
    "complaints_per_1000",
    "complaints_open",
    "complaints_resolved_pct",
)
COLUMNS = ["kpi", "label", "value", "low", "high", "n", "previous", "change", "unit", "better"]


def default_window(as_of: date, months: int = 12) -> tuple[date, date]:
    """The last ``months`` whole-or-part months ending at ``as_of``."""
    start = (pd.Timestamp(as_of) - pd.DateOffset(months=months) + pd.Timedelta(days=1)).date()
    return start, as_of


def _period_values(frames: dict[str, pd.DataFrame], period: str, window, settings) -> dict:
    """kpi -> (value, low, high, n) for one side of the comparison.

    ``frames`` hold the statements' results grouped by period (activity by month)."""
    counts, resolved_stage = (
        frames[k][frames[k]["period"] == period].drop(columns="period")
        for k in ("feedback", "resolved")
    )
    fft = fft_summary(counts).iloc[0]
    nps = nps_summary(counts).iloc[0]
    # Every complaint received is either resolved by the as-of date or still pending.
    received = int(resolved_stage["done"].sum() + resolved_stage["pending"].sum())
    months = frames["activity"]["month"]
    overlapping = (months >= window[0].replace(day=1)) & (months <= window[1])
    episodes = int(frames["activity"].loc[overlapping, "episodes"].sum())
    per_1000 = 1000 * received / episodes if episodes else np.nan
    resolved = within_target(resolved_stage, settings.resolve_working_days)
    median = resolution_summary(resolved_stage).iloc[0]
    values = {
        "complaints_resolved_pct": (resolved.pct, resolved.low, resolved.high, resolved.due),
        "complaints_median_days": (
            median["median"],
            median["median_low"],
            median["median_high"],
            median["complaints"],
        ),
        "responses": (int(counts["responses"].sum()), np.nan, np.nan, None),
        "fft_pct_positive": (
            fft["pct_positive"],
            fft["pct_positive_low"],
            fft["pct_positive_high"],
            int(fft["responses"]),
        ),
        "fft_pct_negative": (
            fft["pct_negative"],
            fft["pct_negative_low"],
            fft["pct_negative_high"],
            int(fft["responses"]),
        ),
        "nps": (nps["nps"], np.nan, np.nan, int(nps["responses"])),
        "complaints_received": (received, np.nan, np.nan, None),
        "complaints_per_1000": (per_1000, np.nan, np.nan, episodes),
    }
    if "acknowledged" in frames:
        stage = frames["acknowledged"]
        ack_stage = stage[stage["period"] == period].drop(columns="period")
        ack = within_target(ack_stage, settings.acknowledge_working_days)
        values["complaints_ack_pct"] = (ack.pct, ack.low, ack.high, ack.due)
    return values


@dataclass(frozen=True)
class HeadlineCounts:
    """The aggregates behind the headline KPIs (and the Overview's monthly charts).

    ``frames``: feedback and the resolution stage by period and month, the acknowledgement
    stage by period, activity by month, and the open backlog at the as-of date."""

    start: date
    end: date
    as_of: date
    frames: dict[str, pd.DataFrame]

    def current(self, name: str) -> pd.DataFrame:
        """A period-grouped frame's rows for the chosen range, without the period column."""
        frame = self.frames[name]
        return frame[frame["period"] == "current"].drop(columns="period").reset_index(drop=True)

    def complaints_by_month(self) -> pd.DataFrame:
        """Complaints received per month of the chosen range: columns ``month, received``."""
        stage = self.current("resolved")
        received = (stage["done"] + stage["pending"]).groupby(stage["month"]).sum()
        return received.rename("received").reset_index().astype({"received": "int64"})


def headline_counts(
    source: Source, filters: Filters, as_of: date, stages: tuple[str, ...] = timing.STAGES
) -> HeadlineCounts:
    """Up to five statements: feedback and activity once for both periods (grouped by period),
    the complaint ``stages`` (the resolution stage, always, by period and month: it also counts
    the complaints received; without "acknowledged" there is no acknowledgement KPI), and the
    backlog. Without dates, the range runs from the first data to ``as_of``."""
    start, end = filters.start, filters.end
    if start is None or end is None:
        first, _ = query.data_range(source)
        start, end = start or first or as_of, end or as_of
    both = filters.between(start, end).with_previous()
    frames = {
        "feedback": query.feedback_counts(source, both, by=("period", "month")),
        "activity": query.activity_totals(source, both, by=("month",)),
        "backlog": query.complaint_counts(source, filters.between(None, as_of), as_of, by=()),
    }
    frames["resolved"] = timing.stage_counts(source, both, as_of, "resolved", ("period", "month"))
    if "acknowledged" in stages:
        frames["acknowledged"] = timing.stage_counts(
            source, both, as_of, "acknowledged", ("period",)
        )
    return HeadlineCounts(start, end, as_of, frames)


def headline_table(
    counts: HeadlineCounts, settings: ComplaintSettings, rule: Disclosure = Disclosure()
) -> pd.DataFrame:
    """The headline KPIs from their counts; see :func:`headline_kpis`."""
    start, end = counts.start, counts.end
    current = _period_values(counts.frames, "current", (start, end), settings)
    before = _period_values(counts.frames, "previous", previous_window(start, end), settings)
    backlog = counts.frames["backlog"]
    current["complaints_open"] = (int(backlog["open"].sum()), np.nan, np.nan, None)
    rows = []
    for key, (label, unit, better) in HEADLINE.items():
        if key not in current:
            continue  # its counts were not asked for
        value, low, high, n = current[key]
        previous = before[key][0] if key in before else np.nan
        if rule.enabled and unit in ("%", "score", "days"):
            if n < rule.min_rate_n:
                value = low = high = np.nan
            if before[key][3] < rule.min_rate_n:
                previous = np.nan
        rows.append([key, label, value, low, high, n, previous, value - previous, unit, better])
    out = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("value", "low", "high", "previous", "change"):
        out[col] = out[col].astype("float64")
    return out


def headline_kpis(
    source: Source, filters: Filters, as_of: date, rule: Disclosure = Disclosure()
) -> pd.DataFrame:
    """Headline KPIs for the filters' date range, beside the previous range of equal length.

    Returns
    -------
    DataFrame with one row per KPI in :data:`HEADLINE` and columns ``kpi, label, value, low,
    high, n, previous, change, unit, better``. ``low``/``high`` are 95% Wilson bounds where the
    KPI is a proportion; ``n`` is its denominator; ``change`` = value - previous. Under the
    disclosure rule, a percentage or score with fewer than ``rule.min_rate_n`` responses (in
    either period) is left empty.
    """
    counts = headline_counts(source, filters, as_of)
    return headline_table(counts, source.config.complaints, rule)
