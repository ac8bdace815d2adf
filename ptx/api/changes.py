"""What changed: each tile measure's Making Data Count icons and recent values for the view,
and the special-cause signals of recent months across its departments and measures, ranked.

Every chart is a monthly SPC chart (XmR; a p-chart for the complaint percentages, whose monthly
numbers are small and uneven) over the two years to the end of the view's dates, so that its
limits rest on at least 12 points. A signal counts as recent when its last point falls in a
month from ``since`` on (default: the last three months of the charts). Department charts with
fewer than 12 points shown (after the small-number rule) give no signals: their limits would
be trial limits.

The measures, departments and charts come from one statement per input, grouped by month and
department; the view's own chart sums the departments' counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

import numpy as np
import pandas as pd

from ptx import counts, icons, query, spc
from ptx.api._common import dates, department_names, readable, rule_for
from ptx.catalog import Measure, measures_for
from ptx.disclosure import Disclosure
from ptx.icons import Icon
from ptx.measures import SERIES_COLUMNS, evaluate, spc_trend, whole_periods, with_period
from ptx.query import Filters
from ptx.sources import Source

HISTORY_MONTHS = 24  # the charts cover at least this many months to the view's end
RECENT_MONTHS = 3  # signals ending in this many last months are "recent" by default
SPARK_POINTS = 12  # months drawn in a tile's sparkline
VERDICT_ORDER = {"concern": 0, "improvement": 1, "neutral": 2}  # concerns first
METHOD = (
    "Monthly SPC charts (Making Data Count: XmR; p-chart for complaint percentages), rules: a "
    "point beyond the process limits, 7 points on one side of the mean, 7 points rising or "
    "falling, 2 of 3 points beyond two sigma. Ranked: concerns first, then by the rarity of the "
    "rule and the distance of the last point from the mean in sigma."
)


def chart_type(m: Measure) -> str:
    """The SPC chart ptx draws for a measure by default: a p-chart for a complaint percentage,
    an XmR chart (Making Data Count's default) for everything else."""
    return "p" if m.subject == "complaints" and m.proportion else "xmr"


@dataclass(frozen=True)
class TileTrend:
    """A tile measure's SPC reading for the view: icons, target and recent monthly values."""

    key: str
    variation: Icon | None
    assurance: Icon | None
    target: float | None
    recent: tuple[float, ...]  # the last months' values (months hidden by the rule left out)
    trial: bool  # limits from fewer than 12 points

    @property
    def colour(self) -> str:
        """The colour of the tile's change: the variation icon's, grey without one."""
        return self.variation.colour if self.variation else "gray"


@dataclass(frozen=True)
class Signal:
    """A recent special cause on one measure in one place, and what shows it: the trend of
    ``measure`` on ``page`` ("feedback" or "complaints") for ``department`` (None: the view's
    own filters) by month from ``start`` to ``end``, as a ``chart`` ("xmr" or "p") against
    ``target``."""

    measure: Measure
    place: str  # a department's name, or the view's scope
    department: str | None  # the department's name when the signal is a department's
    department_id: str | None
    run: spc.SignalRun
    month: date  # the month of its last point
    strength: float  # the last point's distance from the mean, in sigma
    page: str
    start: date
    end: date
    chart: str
    target: float | None = None

    @property
    def text(self) -> str:
        return f"{self.place} · {self.measure.label}: {self.run.text}"

    def rank(self) -> tuple:
        return (
            VERDICT_ORDER[self.run.verdict],
            -spc.RULE_WEIGHT[self.run.rule],
            -self.strength,
            -pd.Timestamp(self.month).value,
        )


@dataclass(frozen=True)
class Changes:
    """Tile icons for the view and its recent signals, ranked."""

    start: date  # the charts' first month
    end: date
    since: date
    trends: Mapping[str, TileTrend] = field(default_factory=lambda: MappingProxyType({}))
    signals: tuple[Signal, ...] = ()
    rule: Disclosure = Disclosure()
    method: str = METHOD

    def counts(self) -> dict[str, int]:
        """How many signals of each verdict."""
        found = {"concern": 0, "improvement": 0, "neutral": 0}
        for s in self.signals:
            found[s.run.verdict] += 1
        return found

    def summary(self) -> str:
        """The signals in one sentence: "3 concerns and 2 improvements since Jul 2026."."""
        n = self.counts()
        parts = [
            f"{n[v]} {word if n[v] == 1 else word + 's'}"
            for v, word in (("concern", "concern"), ("improvement", "improvement"))
            if n[v]
        ]
        if n["neutral"]:
            parts.append(f"{n['neutral']} other special cause{'s' if n['neutral'] > 1 else ''}")
        if not parts:
            return f"No special-cause signals since {self.since:%b %Y}."
        said = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"{said} since {self.since:%b %Y}."

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "place": s.place,
                    "measure": s.measure.label,
                    "verdict": s.run.verdict,
                    "rule": s.run.rule,
                    "signal": s.run.text,
                    "month": s.month,
                    "strength": s.strength,
                }
                for s in self.signals
            ],
            columns=[
                "place",
                "measure",
                "verdict",
                "rule",
                "signal",
                "month",
                "strength",
            ],
        )

    def table(self, *, export: bool = False) -> pd.DataFrame:
        frame = self.to_frame()
        frame["verdict"] = frame["verdict"].str.capitalize()
        frame["month"] = frame["month"].map(lambda m: f"{m:%b %Y}")
        return readable(
            frame,
            {
                "verdict": "Verdict",
                "place": "Where",
                "measure": "Measure",
                "signal": "Signal",
                "month": "Latest month",
                "strength": "Sigma from mean",
            },
        )


def _month(day: date) -> date:
    return day.replace(day=1)


def _months_before(day: date, months: int) -> date:
    return (pd.Timestamp(day).replace(day=1) - pd.DateOffset(months=months)).date()


def _strength(chart: pd.DataFrame, i: int) -> float:
    row = chart.iloc[i]
    sigma = (row["upl"] - row["mean"]) / 3
    if not np.isfinite(sigma) or sigma <= 0:
        return 0.0
    return float(abs(row["value"] - row["mean"]) / sigma)


def what_changed(
    source: Source,
    filters: Filters = Filters(),
    *,
    since: date | None = None,
    rule: Disclosure = Disclosure(),
    as_of: date | None = None,
    scope: str = "Whole organisation",
    departments: bool = True,
) -> Changes:
    """The tile measures' Making Data Count icons for the view, and the special-cause signals
    since ``since`` across the view's departments and measures, concerns first.

    With ``departments=False``, the view's own charts only (the tiles' icons and the view's
    signals, without each department's): one statement per input grouped by month alone, for a
    page that draws its tiles before the signals.

    ``scope`` names the view in signals about it as a whole ("Whole organisation", a division).
    Targets come from the source's config (``[targets]``): the organisation's, or the
    department's own for a view of one department.

    >>> changes = ptx.what_changed(source, ptx.Filters(divisions=["Medicine"]))  # doctest: +SKIP
    >>> changes.summary()                                                        # doctest: +SKIP
    '2 concerns and 1 improvement since Jul 2026.'
    """
    rule = rule_for(rule, filters)
    view, end_of_data = dates(source, filters, whole_history=False, as_of=as_of)
    first, _ = query.data_range(source, filters.access)
    start = min(_month(view.start), _months_before(view.end, HISTORY_MONTHS - 1))
    if first is not None:
        start = max(start, _month(first))
    history = view.between(start, view.end)
    chosen = {
        k: m
        for k, m in measures_for("trend").items()
        if "tile" in m.views and "month" in m.periods and not counts.missing(source, m)
    }
    inputs = {i for m in chosen.values() for i in m.inputs}
    grouping = ("month", "department_id") if departments else ("month",)
    frames = counts.fetch(source, inputs, history, end_of_data, grouping)
    settings = source.config.complaints
    targets = source.config.targets
    names = department_names(source, filters.access)
    in_view = query.department_ids(source, filters)
    ids = sorted(set(names) if in_view is None else set(in_view) & set(names), key=names.get)
    one = ids[0] if len(ids) == 1 else None
    view_names = (names[one],) if one else tuple(filters.departments)

    by_period = {name: with_period(frame, "month") for name, frame in frames.items()}
    charts = {}  # (department id or None, measure key) -> (SPC result, options)
    for key, m in chosen.items():
        # Every chart covers the same months: keep the whole ones once, for all of them.
        view_values = whole_periods(
            evaluate(m, by_period, ["period"], settings), start, view.end, "month"
        )
        values = {None: view_values[SERIES_COLUMNS]}
        if departments and one is None:  # each department's series too, in one evaluation
            per_department = evaluate(m, by_period, ["department_id", "period"], settings)
            per_department = whole_periods(per_department, start, view.end, "month")
            columns = per_department[SERIES_COLUMNS]
            groups = per_department.groupby("department_id", sort=False).indices
            for dep in pd.unique(per_department["department_id"]):
                values[dep] = columns.take(groups[dep]).reset_index(drop=True)
        for dep, series_values in values.items():
            target = targets.for_view(key, (names[dep],) if dep else view_names)
            options = spc.SpcOptions(improvement=m.direction, target=target)
            result = spc_trend(
                m,
                series_values,
                period="month",
                start=None,  # whole months only, kept above
                end=None,
                options=options,
                chart_type=chart_type(m),
                rule=rule,
            )
            charts[dep, key] = (result, options)

    trends = {}
    for key in chosen:
        result, options = charts[None, key]
        chart = result.chart
        trends[key] = TileTrend(
            key=key,
            variation=icons.variation(result.variation),
            assurance=icons.assurance(result.assurance),
            target=options.target,
            recent=tuple(chart["value"].astype(float).tail(SPARK_POINTS)),
            trial=bool(chart["trial_limits"].any()) if len(chart) else False,
        )

    last = max(
        (pd.Timestamp(c.chart["period"].max()).date() for c, _ in charts.values() if len(c.chart)),
        default=_month(view.end),
    )
    since = _month(since) if since else _months_before(last, RECENT_MONTHS - 1)
    signals = []
    for (dep, key), (result, options) in charts.items():
        chart = result.chart
        if dep is not None and len(ids) > 1 and len(chart) < spc.MIN_BASELINE:
            continue
        if dep is None and len(ids) > 1 and chart.empty:
            continue
        periods = pd.to_datetime(chart["period"]).dt.date.to_numpy() if len(chart) else []
        recent = [r for r in result.runs if periods[r.last] >= since]
        if not recent:
            continue
        run = min(recent, key=lambda r: (-spc.RULE_WEIGHT[r.rule], -_strength(chart, r.last)))
        m = chosen[key]
        department = names[dep] if dep else (names[one] if one else None)
        signals.append(
            Signal(
                measure=m,
                place=department or scope,
                department=department,
                department_id=dep if dep else one,
                run=run,
                month=periods[run.last],
                strength=_strength(chart, run.last),
                page="complaints" if m.subject == "complaints" else "feedback",
                start=start,
                end=view.end,
                chart=chart_type(m),
                target=options.target,
            )
        )
    signals.sort(key=Signal.rank)
    return Changes(
        start=start,
        end=view.end,
        since=since,
        trends=MappingProxyType(trends),
        signals=tuple(signals),
        rule=rule,
    )
