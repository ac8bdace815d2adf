"""Trends as SPC charts, and feedback breakdowns by channel and demographics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from ptx import charts, counts, query, spc
from ptx.api._common import bounds, dates, readable, rule_for
from ptx.catalog import Measure, measure, measures_for
from ptx.disclosure import Disclosure, apply, as_table, hidden
from ptx.errors import PtxError
from ptx.measures import BREAKDOWNS, SERIES_COLUMNS, SpcResult, query_grain, series, spc_trend
from ptx.measures import breakdown as breakdown_values
from ptx.query import Filters
from ptx.sources import Source

BREAKDOWN_LABELS = {
    "channel": "Channel",
    "age_band": "Age band",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
}
XMR_METHOD = "XmR chart, Making Data Count rules (NHS England 2023 update)"
P_METHOD = "p-chart with limits from each period's own denominator"


@dataclass(frozen=True)
class Trend:
    """A measure per period as an SPC chart, with its signals in words."""

    measure: Measure
    period: str
    spc: SpcResult
    rule: Disclosure
    target: float | None = None
    unavailable: str | None = None  # why there are no numbers: the source lacks the data

    @property
    def chart(self) -> pd.DataFrame:
        return self.spc.chart

    @property
    def signals(self) -> tuple[str, ...]:
        return self.spc.signals

    @property
    def variation(self) -> str | None:
        return self.spc.variation

    @property
    def assurance(self) -> str | None:
        return self.spc.assurance

    @property
    def suppressed(self) -> int:
        """Periods left out because the small-number rule hides them."""
        return self.spc.hidden_periods

    @property
    def method(self) -> str:
        if self.unavailable:
            return self.unavailable
        chart = XMR_METHOD if self.spc.chart_type == "xmr" else P_METHOD
        return f"{self.measure.label}: {self.measure.definition}. {chart}. {self.measure.method}."

    def to_frame(self) -> pd.DataFrame:
        """The numbers behind the chart: each period's value and interval, with its limits."""
        return apply(self._numbers(), self.measure.roles, self.rule)

    def _numbers(self) -> pd.DataFrame:
        limits = self.spc.chart[["period", "mean", "lpl", "upl", "point_type"]]
        return self.spc.series.merge(limits, on="period", how="left")

    def table(self, *, export: bool = False) -> pd.DataFrame:
        shown = as_table(self._numbers(), self.measure.roles, self.rule, export=export)
        shown["point_type"] = shown["point_type"].map(charts.POINT_NAMES).fillna("")
        return readable(
            shown,
            {
                "period": "Period",
                "value": self.measure.label,
                "low": "95% low",
                "high": "95% high",
                "numerator": "Numerator",
                "denominator": "Denominator",
                "mean": "Mean",
                "lpl": "Lower limit",
                "upl": "Upper limit",
                "point_type": "Variation",
            },
        )

    def figure(self):
        return charts.spc_chart(
            self.spc.chart,
            title=f"{self.measure.label} by {self.period}",
            y_title=self.measure.label,
            band=self.to_frame() if self.measure.proportion else None,
            target=self.target,
            bounds=bounds(self.measure),
        )


def trend(
    source: Source,
    measure_key: str,
    filters: Filters = Filters(),
    *,
    period: str = "month",
    chart: str = "xmr",
    target: float | None = None,
    rebase_at: tuple[date, ...] = (),
    run_length: int = 7,
    rule: Disclosure = Disclosure(),
    as_of: date | None = None,
) -> Trend:
    """A measure's SPC trend (XmR by default, or a p-chart for a proportion) by week, month or
    quarter, over whole periods in the dates (default: the whole history). Where the source
    has no data for the measure, no periods, and ``unavailable`` says why."""
    m = measure(measure_key)
    rule = rule_for(rule, filters)
    if not m.applies("trend"):
        raise PtxError(f"{m.label} has no trend; trends: {', '.join(measures_for('trend'))}.")
    filters, end_of_data = dates(source, filters, whole_history=True, as_of=as_of)
    if period not in m.periods:
        raise PtxError(f"{m.label} is measured by {', '.join(m.periods)}, not by {period}.")
    grain = query_grain(period)
    missing = counts.missing(source, m)
    if missing:
        values = pd.DataFrame(columns=SERIES_COLUMNS)
    else:
        frames = counts.fetch(source, m.inputs, filters, end_of_data, (grain,))
        values = series(m, frames, period, source.config.complaints)
    options = spc.SpcOptions(
        improvement=m.direction,
        shift_length=run_length,
        trend_length=run_length,
        target=target,
        rebase_at=tuple(rebase_at),
    )
    result = spc_trend(
        m,
        values,
        period=period,
        start=filters.start,
        end=filters.end,
        options=options,
        chart_type=chart,
        rule=rule,
    )
    return Trend(
        measure=m, period=period, spc=result, rule=rule, target=target, unavailable=missing
    )


def trend_measures(source: Source, subject: str | None = None) -> dict[str, Measure]:
    """The measures with a trend in this source: the catalog's it has the data for, and two per
    survey question the source holds answers to; about ``subject`` ("feedback" or
    "complaints") or both.

    The list does not depend on the filters, so it stays put while a user changes them (a
    question with no answers in a department shows no data there)."""
    questions = ()
    if source.has("feedback_answers") and subject in (None, "feedback"):
        questions = query.answer_counts(source, Filters(), ())["question_id"].unique()
    found = measures_for("trend", questions)
    return {
        k: m
        for k, m in found.items()
        if subject in (None, m.subject) and (m.question or not counts.missing(source, m))
    }


@dataclass(frozen=True)
class Breakdown:
    """A feedback measure per channel or demographic group, with 95% intervals."""

    measure: Measure
    by: str
    values: pd.DataFrame  # group, numerator, denominator, value, low, high, as computed
    rule: Disclosure

    @property
    def suppressed(self) -> int:
        return int(hidden(self.values, self.measure.roles, self.rule)["value"].sum())

    @property
    def method(self) -> str:
        return f"{self.measure.label}: {self.measure.definition}. {self.measure.method}."

    def to_frame(self) -> pd.DataFrame:
        return apply(self.values, self.measure.roles, self.rule)

    def table(self, *, export: bool = False) -> pd.DataFrame:
        return readable(
            as_table(self.values, self.measure.roles, self.rule, export=export),
            {
                "group": BREAKDOWN_LABELS[self.by],
                "denominator": "Responses",
                "value": self.measure.label,
                "low": "95% low",
                "high": "95% high",
            },
        )

    def figure(self):
        return charts.breakdown_dots(
            self.to_frame(),
            group="group",
            value="value",
            low="low",
            high="high",
            title=f"{self.measure.label} by {BREAKDOWN_LABELS[self.by].lower()}",
            x_title=self.measure.label,
            bounds=bounds(self.measure),
        )


def breakdown(
    source: Source,
    measure_key: str,
    by: str,
    filters: Filters = Filters(),
    *,
    rule: Disclosure = Disclosure(),
    as_of: date | None = None,
) -> Breakdown:
    """A feedback measure by channel, age band, sex or ethnicity (default dates: all)."""
    m = measure(measure_key)
    rule = rule_for(rule, filters)
    if by not in BREAKDOWNS:
        raise PtxError(f"Break down by one of {', '.join(BREAKDOWNS)}, not {by!r}.")
    filters, _ = dates(source, filters, whole_history=True, as_of=as_of)
    feedback = query.feedback_counts(source, filters, (by,))
    return Breakdown(m, by, breakdown_values(m, feedback, by), rule)
