"""The use-case facade: one call per question a user asks, each returning a frozen result.

Every call takes an open :class:`~ptx.sources.Source`, the measure (a catalog key or label)
where one applies, and :class:`~ptx.query.Filters` (departments by id or name; no dates means
the last 12 months to the as-of date for the headline, the whole history otherwise). Each
result holds the numbers with the small-number rule already applied, the method used, what
was suppressed, ``to_frame()`` (the numbers), ``table()`` (the same for a reader: headings in
words, counts of 1-7 as "*", rounded for export) and ``figure()`` (plotly).

>>> import ptx
>>> source = ptx.open_source("data/demo.duckdb")                      # doctest: +SKIP
>>> ptx.trend(source, "fft_pct_positive", ptx.Filters(departments=["Respiratory Ward"]))
... # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from ptx import charts, compare, complaints, counts, departments, kpis, query, spc, survival, timing
from ptx.catalog import CATALOG, Measure, measure, measures_for
from ptx.disclosure import SUPPRESSED, Disclosure, Roles, apply, as_table, count_text, hidden
from ptx.errors import PtxError
from ptx.measures import BREAKDOWNS, SpcResult, evaluate, query_grain, series, spc_trend
from ptx.measures import breakdown as breakdown_values
from ptx.query import Filters
from ptx.sources import Source

COMPARE_BY = {"department_id": "Department", "subject": "Subject", "severity": "Severity"}
BREAKDOWN_LABELS = {
    "channel": "Channel",
    "age_band": "Age band",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
}
MAX_CURVES = 6
MONTHLY = ("fft_pct_positive", "complaints_received")  # the headline's monthly charts
SEVERITY_ORDER = ("low", "moderate", "high", "extreme")
XMR_METHOD = "XmR chart, Making Data Count rules (NHS England 2023 update)"
P_METHOD = "p-chart with limits from each period's own denominator"


default_window = kpis.default_window


def as_of(source: Source) -> date:
    """The date the source is complete to: configured, else its latest received date."""
    return query.as_of_date(source)


def _dates(source: Source, filters: Filters, whole_history: bool) -> tuple[Filters, date]:
    """The filters with both dates set, and the as-of date."""
    end_of_data = as_of(source)
    start, end = filters.start, filters.end
    if start is None or end is None:
        if whole_history:
            first, _ = query.data_range(source)
            start, end = start or first or end_of_data, end or end_of_data
        else:
            default_start, default_end = kpis.default_window(end_of_data)
            start, end = start or default_start, end or default_end
    return filters.between(start, end), end_of_data


def _names(source: Source) -> dict[str, str]:
    deps = query.departments(source)
    return dict(zip(deps["department_id"], deps["department_name"], strict=True))


def _readable(frame: pd.DataFrame, headings: dict[str, str]) -> pd.DataFrame:
    """Headings in words, and no None or infinity for a reader."""
    out = frame[[c for c in headings if c in frame]].rename(columns=headings)
    return out.replace([np.inf, -np.inf], np.nan)


# --- headline -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    """One KPI as shown on a tile."""

    key: str
    label: str
    value: str
    change: str | None
    better: str  # higher, lower or neither: which way a change is good
    note: str


@dataclass(frozen=True)
class Headline:
    """Every tile measure for the dates, beside the previous period of the same length."""

    start: date
    end: date
    as_of: date
    rule: Disclosure
    kpis: pd.DataFrame  # kpis.COLUMNS, the rule applied
    fft_by_month: pd.DataFrame  # month, numerator, denominator, value, low, high
    complaints_by_month: pd.DataFrame  # the same for complaints received
    method: str = "each tile's own definition; previous period of the same length"

    @property
    def suppressed(self) -> int:
        """Tiles whose value the small-number rule hides."""
        return int(self.kpis["suppressed"].sum())

    def to_frame(self) -> pd.DataFrame:
        return self.kpis.copy()

    def table(self, *, export: bool = False) -> pd.DataFrame:
        """The KPIs as text in their units: "*" for a hidden count, "–" for a hidden rate."""
        rows = []
        for tile, row in zip(self.tiles(), self.kpis.itertuples(), strict=True):
            interval = (
                ""
                if pd.isna(row.low)
                else f"{format_value(row.low, row.unit)} to {format_value(row.high, row.unit)}"
            )
            rows.append(
                {
                    "Measure": row.label,
                    "Value": tile.value,
                    "95% interval": interval,
                    "n": "" if pd.isna(row.n) else f"{row.n:,.0f}",
                    "Previous period": format_value(row.previous, row.unit),
                    "Change": tile.change or "–",
                }
            )
        return pd.DataFrame(rows)

    def value_text(self, key: str) -> str:
        """A tile's value as shown: "*" for a suppressed count, "–" where hidden."""
        row = self.kpis.set_index("kpi").loc[key]
        if row["suppressed"] and row["unit"] == "count":
            return SUPPRESSED
        return format_value(row["value"], row["unit"])

    def tiles(self) -> list[Tile]:
        """Each KPI as a tile: value, change since the previous period, and a note with its
        interval, denominator and previous value."""
        out = []
        for row in self.kpis.itertuples():
            has_previous = not pd.isna(row.change)
            change = format_value(row.change, row.unit)
            if row.unit == "%":
                change = change.replace("%", " pp")  # a change of a percentage is in points
            notes = []
            if not pd.isna(row.low):
                kind = "Wilson" if row.unit == "%" else "Kaplan-Meier, open complaints counted"
                notes.append(
                    f"95% interval ({kind}) {format_value(row.low, row.unit)} to "
                    f"{format_value(row.high, row.unit)}."
                )
            if not pd.isna(row.n):
                notes.append(f"Denominator: {row.n:,.0f}.")
            if has_previous:
                notes.append(f"Previous period: {format_value(row.previous, row.unit)}.")
            if row.suppressed:
                notes.insert(0, "Not shown: too few to show without identifying people.")
            notes.append(f"Method: {row.method}.")
            out.append(
                Tile(
                    key=row.kpi,
                    label=row.label,
                    value=self.value_text(row.kpi),
                    change=change if has_previous else None,
                    better=row.better,
                    note=" ".join(notes),
                )
            )
        return out

    def figures(self) -> dict[str, object]:
        """The monthly charts: FFT % positive with its interval, complaints received."""
        out = {}
        fft, received = (CATALOG[k] for k in MONTHLY)
        if len(self.fft_by_month):
            out["fft"] = charts.interval_trend(
                self.fft_by_month,
                x="month",
                y="value",
                low="low",
                high="high",
                title=f"{fft.label} by month",
                y_title=fft.label,
                name=fft.label,
            )
        if len(self.complaints_by_month):
            out["complaints"] = charts.count_bars(
                self.complaints_by_month,
                x="month",
                y="value",
                title=f"{received.label} by month",
                y_title=received.label,
            )
        return out

    def figure(self):
        return next(iter(self.figures().values()), None)


def format_value(value: float, unit: str) -> str:
    """A value for a tile or a sentence, in its unit; "–" when there is none."""
    if pd.isna(value):
        return "–"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "days":
        return f"{value:,.0f} days"
    return f"{value:,.1f}"


def headline(
    source: Source, filters: Filters = Filters(), *, rule: Disclosure = Disclosure()
) -> Headline:
    """The headline KPIs (every catalog measure shown as a tile) and the monthly charts."""
    filters, end_of_data = _dates(source, filters, whole_history=False)
    c = kpis.headline_counts(source, filters, end_of_data)
    table = kpis.headline_table(c, source.config.complaints, rule)
    monthly = {}  # the Overview's two monthly charts
    for key, frame in zip(MONTHLY, ("feedback", "resolved"), strict=True):
        m = measure(key)
        values = evaluate(m, {frame: c.current(frame)}, ["month"], source.config.complaints)
        shown = apply(values, m.roles, rule)
        monthly[key] = shown[shown["value"].notna()].reset_index(drop=True)
    return Headline(
        start=filters.start,
        end=filters.end,
        as_of=end_of_data,
        rule=rule,
        kpis=table,
        fft_by_month=monthly[MONTHLY[0]],
        complaints_by_month=monthly[MONTHLY[1]],
    )


# --- trends ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """A measure per period as an SPC chart, with its signals in words."""

    measure: Measure
    period: str
    spc: SpcResult
    rule: Disclosure
    target: float | None = None

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
        return _readable(
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
) -> Trend:
    """A measure's SPC trend (XmR by default, or a p-chart for a proportion) by week, month or
    quarter, over whole periods in the dates (default: the whole history)."""
    m = measure(measure_key)
    if not m.applies("trend"):
        raise PtxError(f"{m.label} has no trend; trends: {', '.join(measures_for('trend'))}.")
    filters, end_of_data = _dates(source, filters, whole_history=True)
    if period not in m.periods:
        raise PtxError(f"{m.label} is measured by {', '.join(m.periods)}, not by {period}.")
    grain = query_grain(period)
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
    return Trend(measure=m, period=period, spc=result, rule=rule, target=target)


def trend_measures(
    source: Source, filters: Filters = Filters(), subject: str | None = None
) -> dict[str, Measure]:
    """The measures with a trend in this source (the catalog's, and two per survey question
    answered in the filters), about ``subject`` ("feedback" or "complaints") or both."""
    questions = ()
    if source.has("feedback_answers") and subject in (None, "feedback"):
        filters, _ = _dates(source, filters, whole_history=True)
        questions = query.answer_counts(source, filters, ())["question_id"].unique()
    found = measures_for("trend", questions)
    return {k: m for k, m in found.items() if subject in (None, m.subject)}


# --- breakdowns -----------------------------------------------------------------------------


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
        return _readable(
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
        return charts.breakdown_bars(
            self.to_frame(),
            group="group",
            value="value",
            low="low",
            high="high",
            title=f"{self.measure.label} by {BREAKDOWN_LABELS[self.by].lower()}",
            x_title=self.measure.label,
        )


def breakdown(
    source: Source,
    measure_key: str,
    by: str,
    filters: Filters = Filters(),
    *,
    rule: Disclosure = Disclosure(),
) -> Breakdown:
    """A feedback measure by channel, age band, sex or ethnicity (default dates: all)."""
    m = measure(measure_key)
    if by not in BREAKDOWNS:
        raise PtxError(f"Break down by one of {', '.join(BREAKDOWNS)}, not {by!r}.")
    filters, _ = _dates(source, filters, whole_history=True)
    feedback = query.feedback_counts(source, filters, (by,))
    return Breakdown(m, by, breakdown_values(m, feedback, by), rule)


# --- complaints -----------------------------------------------------------------------------

SURVIVAL_HEADINGS = {
    "group": "Group",
    "complaints": "Complaints",
    "resolved": "Resolved",
    "open": "Open",
    "median": "Median days",
    "median_low": "Median 95% low",
    "median_high": "Median 95% high",
    "p90": "90th percentile days",
    "p90_low": "90th pct 95% low",
    "p90_high": "90th pct 95% high",
    "naive_median": "Median of resolved only",
}
SURVIVAL_ROLES = Roles(counts=survival.SUMMARY_COUNTS, rates=survival.SUMMARY_DAYS, n="complaints")


@dataclass(frozen=True)
class ComplaintTiming:
    """Acknowledgement and resolution in working days: the tiles, and Kaplan-Meier summaries
    and curves per group."""

    received: int
    acknowledged: complaints.Share
    resolved: complaints.Share
    backstop: complaints.Share
    overall: pd.Series  # survival.summary's row for all complaints
    open_now: int
    open_beyond_backstop: int
    by: str | None
    summary: pd.DataFrame  # per group (by), survival.summary columns with "group" names
    curves: dict[str, pd.DataFrame]
    rule: Disclosure
    targets: tuple[int, int, int]  # acknowledge, resolve (working days), backstop (months)
    method: str = (
        "Kaplan-Meier, open complaints censored at their age; Brookmeyer-Crowley 95% interval"
    )

    @property
    def suppressed(self) -> int:
        hide = as_table(self.summary, SURVIVAL_ROLES, self.rule)
        return int((hide["complaints"] == "*").sum()) if len(hide) else 0

    def share_text(self, share: complaints.Share) -> str:
        if self.rule.too_few(share.due):
            return "–"
        return f"{share.pct:.1f}%"

    def median_text(self) -> str:
        if self.rule.too_few(self.received):
            return "–"
        return format_value(self.overall["median"], "days")

    def count(self, value: float) -> str:
        return count_text(value, self.rule)

    def why_medians_differ(self) -> str:
        if self.rule.too_few(self.received):
            return "Too few complaints to show a median without identifying people."
        return complaints.why_medians_differ(self.overall)

    def to_frame(self) -> pd.DataFrame:
        return apply(self.summary, SURVIVAL_ROLES, self.rule)

    def table(self, *, export: bool = False) -> pd.DataFrame:
        shown = as_table(self.summary, SURVIVAL_ROLES, self.rule, export=export, decimals=0)
        headings = {**SURVIVAL_HEADINGS, "group": COMPARE_BY.get(self.by or "", "Group")}
        return _readable(shown, headings)

    def figure(self):
        return charts.survival_curves(
            self.curves,
            title="Share still open by working days since receipt",
            target=self.targets[1],
        )


def complaint_timing(
    source: Source,
    filters: Filters = Filters(),
    *,
    by: str | None = None,
    rule: Disclosure = Disclosure(),
) -> ComplaintTiming:
    """Complaint tiles and, with ``by`` (department_id, subject or severity), time to
    resolution per group: Kaplan-Meier medians, 90th percentiles and curves."""
    if by is not None and by not in COMPARE_BY:
        raise PtxError(f"Compare by one of {', '.join(COMPARE_BY)}, not {by!r}.")
    filters, end_of_data = _dates(source, filters, whole_history=False)
    settings = source.config.complaints
    ack = timing.stage_counts(source, filters, end_of_data, "acknowledged")
    grouping = (by,) if by else ()
    resolved = timing.stage_counts(source, filters, end_of_data, "resolved", grouping)
    open_stage = timing.stage_counts(
        source, filters.between(None, end_of_data), end_of_data, "resolved"
    )
    overall = complaints.resolution_summary(resolved).iloc[0]
    summary = pd.DataFrame(columns=["group", *survival.SUMMARY_COUNTS, *survival.SUMMARY_DAYS])
    curves = {"All complaints": survival.curve(resolved)}
    if by:
        names = _names(source) if by == "department_id" else {}
        per_group = complaints.resolution_summary(resolved, grouping)
        per_group = per_group.sort_values("complaints", ascending=False).reset_index(drop=True)
        labels = per_group[by].map(lambda g: names.get(g, g)).fillna("Not recorded")
        summary = per_group.drop(columns=[by]).assign(group=labels)[summary.columns]
        drawn = per_group[~rule.too_few(per_group["complaints"])].head(MAX_CURVES - 1)
        for key, label in zip(drawn[by], labels[drawn.index], strict=True):
            curves[str(label)] = survival.curve(resolved[resolved[by] == key])
    received = int(resolved["done"].sum() + resolved["pending"].sum())
    if rule.too_few(received):
        curves = {}
    return ComplaintTiming(
        received=received,
        acknowledged=complaints.within_target(ack, settings.acknowledge_working_days),
        resolved=complaints.within_target(resolved, settings.resolve_working_days),
        backstop=complaints.within_backstop(resolved),
        overall=overall,
        open_now=int(open_stage["pending"].sum()),
        open_beyond_backstop=int(
            open_stage.loc[open_stage["beyond_backstop"] == 1, "pending"].sum()
        ),
        by=by,
        summary=summary,
        curves=curves,
        rule=rule,
        targets=(
            settings.acknowledge_working_days,
            settings.resolve_working_days,
            settings.backstop_months,
        ),
    )


@dataclass(frozen=True)
class Backlog:
    """Open complaints at each month end, and those open now by working days open."""

    by_month: pd.DataFrame  # month, month_end, received, resolved, open
    ageing: pd.DataFrame  # bucket, open
    as_of: date
    rule: Disclosure
    method: str = "received minus resolved, running over the whole history"

    ROLES = Roles(counts=("received", "resolved", "open"))

    @property
    def suppressed(self) -> int:
        return int(
            hidden(self.by_month, self.ROLES, self.rule).to_numpy().sum()
            + hidden(self.ageing, self.ROLES, self.rule).to_numpy().sum()
        )

    def to_frame(self) -> pd.DataFrame:
        return apply(self.by_month, self.ROLES, self.rule)

    def table(self, *, export: bool = False) -> pd.DataFrame:
        return _readable(
            as_table(self.by_month, self.ROLES, self.rule, export=export),
            {
                "month_end": "Month end",
                "received": "Received",
                "resolved": "Resolved",
                "open": "Open",
            },
        )

    def figures(self) -> dict[str, object]:
        return {
            "backlog": charts.count_bars(
                self.to_frame(),
                x="month_end",
                y="open",
                title="Open complaints at each month end",
                y_title="open complaints",
            ),
            "ageing": charts.count_bars(
                apply(self.ageing, self.ROLES, self.rule),
                x="bucket",
                y="open",
                title=f"Open at {self.as_of:%d %b %Y} by working days open",
                y_title="open complaints",
            ),
        }

    def figure(self):
        return self.figures()["backlog"]


def complaint_backlog(
    source: Source, filters: Filters = Filters(), *, rule: Disclosure = Disclosure()
) -> Backlog:
    """The open backlog at each month end in the dates, and the ageing of what is open now."""
    filters, end_of_data = _dates(source, filters, whole_history=False)
    history = filters.between(None, end_of_data)
    received = query.complaint_counts(source, history, end_of_data, ("month",))
    resolutions = query.resolutions_by_month(source, history, end_of_data)
    by_month = complaints.backlog(received, resolutions, end_of_data)
    by_month = by_month[by_month["month"] >= filters.start.replace(day=1)].reset_index(drop=True)
    open_stage = timing.stage_counts(source, history, end_of_data, "resolved")
    return Backlog(
        by_month=by_month,
        ageing=complaints.ageing(open_stage),
        as_of=end_of_data,
        rule=rule,
    )


@dataclass(frozen=True)
class ComplaintMix:
    """Shares of outcomes, KO41a subjects and severities, and reopenings."""

    shares: dict[str, pd.DataFrame]  # outcome/subject/severity -> group, complaints, pct
    reopened: int
    closed: int
    rule: Disclosure
    method: str = "share of the complaints received in the dates; open ones have no outcome"

    ROLES = Roles(counts=("complaints",), rates=("pct",), n="complaints")

    @property
    def suppressed(self) -> int:
        return sum(int(f["pct"].isna().sum()) for f in self.shares.values())

    def to_frame(self) -> pd.DataFrame:
        return pd.concat([f.assign(category=k) for k, f in self.shares.items()], ignore_index=True)[
            ["category", "group", "complaints", "pct"]
        ]

    def table(self, *, export: bool = False) -> pd.DataFrame:
        frame = self.to_frame()
        return _readable(
            as_table(frame, self.ROLES, self.rule, export=export),
            {"category": "Category", "group": "Group", "complaints": "Complaints", "pct": "%"},
        )

    def figures(self) -> dict[str, object]:
        titles = {"outcome": "Outcome", "subject": "Subject (KO41a)", "severity": "Severity"}
        return {
            k: charts.share_bars(
                apply(f, self.ROLES, self.rule),
                group="group",
                value="pct",
                title=titles[k],
                x_title="% of complaints",
            )
            for k, f in self.shares.items()
        }

    def figure(self):
        return self.figures()["outcome"]

    def reopened_text(self) -> str:
        return (
            f"Reopened: {count_text(self.reopened, self.rule)} of "
            f"{count_text(self.closed, self.rule)} closed complaints. Open complaints have no "
            "outcome yet ('not recorded')."
        )


def complaint_mix(
    source: Source, filters: Filters = Filters(), *, rule: Disclosure = Disclosure()
) -> ComplaintMix:
    """Outcome, subject and severity shares of the complaints received in the dates."""
    filters, end_of_data = _dates(source, filters, whole_history=False)
    categories = ("outcome", "subject", "severity")
    c = query.complaint_counts(source, filters, end_of_data, categories)
    orders = {"outcome": complaints.OUTCOME_ORDER, "subject": (), "severity": SEVERITY_ORDER}
    shares = {k: complaints.mix(c, k, orders[k]) for k in categories}
    return ComplaintMix(
        shares=shares,
        reopened=int(c["reopened"].sum()),
        closed=int(c["received"].sum() - c["open"].sum()),
        rule=rule,
    )


@dataclass(frozen=True)
class OldestOpen:
    """The longest-open complaints at the as-of date (no complainant details)."""

    rows: pd.DataFrame
    method: str = "open at the as-of date, oldest first, at most 50"
    suppressed: int = 0

    def to_frame(self) -> pd.DataFrame:
        return self.rows.copy()

    def table(self, *, export: bool = False) -> pd.DataFrame:
        return _readable(
            self.rows,
            {
                "complaint_id": "Complaint",
                "department": "Department",
                "subject": "Subject",
                "severity": "Severity",
                "received_date": "Received",
                "working_days_open": "Working days open",
            },
        ).fillna("")


def oldest_open(source: Source, filters: Filters = Filters(), *, limit: int = 50) -> OldestOpen:
    """The ``limit`` oldest complaints still open at the as-of date, whenever received."""
    filters, end_of_data = _dates(source, filters, whole_history=False)
    rows = timing.oldest_open(source, filters.between(None, end_of_data), end_of_data, limit)
    names = _names(source)
    rows.insert(1, "department", rows["department_id"].map(lambda d: names.get(d, d)))
    return OldestOpen(rows.drop(columns="department_id"))


# --- departments ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Departments compared on one measure: a funnel plot and a ranking with intervals."""

    measure: Measure
    funnel: compare.Funnel | None
    ranking: pd.DataFrame  # departments.ranking columns; the rule applied
    names: dict[str, str] = field(repr=False, default_factory=dict)
    rule: Disclosure = Disclosure()
    hidden: int = 0  # departments whose point the small-number rule hides

    @property
    def suppressed(self) -> int:
        return self.hidden

    @property
    def organisation(self) -> float:
        """The organisation's value on the measure's display scale."""
        return np.nan if self.funnel is None else self.funnel.target * self.measure.scale

    @property
    def method(self) -> str:
        if self.funnel is None:
            return "no data"
        ranked = (
            "Estimates shrunk towards the organisation's value (empirical-Bayes beta-binomial) "
            "with 95% posterior intervals."
            if self.measure.kind == "proportion"
            else "Estimates with 95% intervals (exact Poisson for rates, normal for means)."
        )
        return (
            f"Funnel plot (Spiegelhalter 2005) with 95% and 99.8% limits on the "
            f"{self.funnel.kind} scale; {self.funnel.method}. {ranked}"
        )

    ROLES = Roles(counts=("n",), rates=("value", "estimate", "low", "high"), n="n")

    def to_frame(self) -> pd.DataFrame:
        return apply(self.ranking, self.ROLES, self.rule)

    def table(self, *, export: bool = False) -> pd.DataFrame:
        shown = as_table(self.ranking, self.ROLES, self.rule, export=export)
        return _readable(
            shown,
            {
                "rank": "Rank",
                "department": "Department",
                "n": "n",
                "value": self.measure.label,
                "estimate": "Estimate",
                "low": "95% low",
                "high": "95% high",
                "verdict": "Funnel verdict",
            },
        ).fillna({"Rank": ""})

    def figure(self):
        if self.funnel is None:
            return None
        key = self.measure.key
        table = self.funnel.table
        table = table[~self.rule.too_few(table["n"])]
        shown = replace(self.funnel, table=table.reset_index(drop=True))
        return charts.funnel_plot(
            shown,
            names=self.names,
            scores=departments.scores(shown, key),
            title=f"{self.measure.label}: funnel plot",
            x_title="size (n, log scale)",
            y_title=self.measure.label,
            scale=self.measure.scale,
        )


def _scope(filters: Filters) -> Filters:
    """Every department in the chosen site or division: a comparison ignores the department."""
    return replace(filters, departments=())


def compare_departments(
    source: Source,
    measure_key: str,
    filters: Filters = Filters(),
    *,
    adjust: bool = True,
    rule: Disclosure = Disclosure(),
) -> Comparison:
    """Every department in the filters' site or division compared on one measure."""
    m = measure(measure_key)
    if not m.applies("funnel"):
        raise PtxError(
            f"{m.label} is not compared across departments; "
            f"choose one of {', '.join(departments.comparisons())}."
        )
    filters, end_of_data = _dates(source, _scope(filters), whole_history=False)
    frames = counts.fetch(source, m.inputs, filters, end_of_data, ("department_id",))
    inputs, ltr_sd = departments.measure_inputs(frames, source.config.complaints, [m.key])
    funnels = departments.funnels(inputs, ltr_sd, adjust=adjust)
    names = _names(source)
    if m.key not in funnels:
        return Comparison(m, None, pd.DataFrame(), names, rule)
    funnel = funnels[m.key]
    ranking = departments.ranking(inputs, m.key, funnel, ltr_sd, names)
    hidden = int(rule.too_few(funnel.table["n"]).sum())
    return Comparison(m, funnel, ranking.drop(columns=["department_id"]), names, rule, hidden)


@dataclass(frozen=True)
class Heatmap:
    """Every department against every comparison measure: the funnel verdict, oriented."""

    cells: pd.DataFrame  # department_id, department, measure, value, n, verdict, score
    rule: Disclosure
    method: str = "funnel verdict per measure (95% and 99.8% limits), blue better, orange worse"

    @property
    def suppressed(self) -> int:
        return int(self.cells["score"].isna().sum())

    def to_frame(self) -> pd.DataFrame:
        return self.cells.copy()

    def table(self, *, export: bool = False) -> pd.DataFrame:
        roles = Roles(counts=("n",), rates=("value",), n="n")
        frame = self.cells.assign(measure=self.cells["measure"].str.replace("<br>", " "))
        return _readable(
            as_table(frame, roles, self.rule, export=export),
            {
                "department": "Department",
                "measure": "Measure",
                "value": "Value",
                "n": "n",
                "verdict": "Funnel verdict",
            },
        )

    def figure(self):
        return charts.verdict_heatmap(self.cells, title="Funnel verdict by department and measure")


def department_heatmap(
    source: Source,
    filters: Filters = Filters(),
    *,
    adjust: bool = True,
    rule: Disclosure = Disclosure(),
) -> Heatmap:
    """Every department in scope on every comparison measure at once."""
    filters, end_of_data = _dates(source, _scope(filters), whole_history=False)
    inputs_needed = {i for m in departments.comparisons().values() for i in m.inputs}
    frames = counts.fetch(source, inputs_needed, filters, end_of_data, ("department_id",))
    inputs, ltr_sd = departments.measure_inputs(frames, source.config.complaints)
    results = departments.funnels(inputs, ltr_sd, adjust=adjust)
    cells = departments.heatmap_frame(results, _names(source))
    if rule.enabled:
        small = rule.too_few(cells["n"])
        cells = cells.assign(score=cells["score"].mask(small), value=cells["value"].mask(small))
    return Heatmap(cells, rule)


# --- the organisation -----------------------------------------------------------------------


@dataclass(frozen=True)
class Department:
    department_id: str
    name: str
    division: str
    site: str
    label: str  # the name shown (and put in a URL); unique


@dataclass(frozen=True)
class Hierarchy:
    """The organisation's site > division > department tree, for choosing a scope."""

    departments: tuple[Department, ...]

    def sites(self) -> list[str]:
        return sorted({d.site for d in self.departments})

    def divisions(self, site: str | None = None) -> list[str]:
        return sorted({d.division for d in self.departments if site in (None, d.site)})

    def labels(self, site: str | None = None, division: str | None = None) -> dict[str, str]:
        """department id -> label, for the departments in the site and division, by label."""
        chosen = [
            d for d in self.departments if site in (None, d.site) and division in (None, d.division)
        ]
        return {d.department_id: d.label for d in sorted(chosen, key=lambda d: d.label)}

    def get(self, department_id: str) -> Department | None:
        return next((d for d in self.departments if d.department_id == department_id), None)


def hierarchy(source: Source) -> Hierarchy:
    """The valid departments; a name shared by several departments gets its division and
    site in its label."""
    deps = query.departments(source)
    repeated = deps["department_name"].duplicated(keep=False).to_numpy()
    out = []
    for row, twin in zip(deps.itertuples(), repeated, strict=True):
        label = (
            f"{row.department_name} ({row.division}, {row.site})" if twin else row.department_name
        )
        out.append(
            Department(row.department_id, row.department_name, row.division, row.site, label)
        )
    return Hierarchy(tuple(out))


def channels(source: Source) -> list[str]:
    """The feedback channels present in the source."""
    return query.channels(source)


def data_range(source: Source) -> tuple[date | None, date | None]:
    """The first and last received dates of valid feedback and complaints."""
    return query.data_range(source)
