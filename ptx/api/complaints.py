"""Complaint timing in working days, the backlog, outcomes and the oldest open.

On a source without complaints every result is empty and its ``unavailable`` says so ("No
complaints data in this source.")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ptx import charts, complaints, query, survival, timing
from ptx.api._common import (
    HIDDEN_NOTE,
    dates,
    department_names,
    format_value,
    readable,
    rule_for,
    unavailable,
)
from ptx.api.headline import Tile
from ptx.catalog import measure
from ptx.disclosure import Disclosure, Roles, apply, as_table, count_text, hidden
from ptx.errors import PtxError
from ptx.query import Filters
from ptx.sources import Source

COMPARE_BY = {"department_id": "Department", "subject": "Subject", "severity": "Severity"}
MAX_CURVES = 6
SEVERITY_ORDER = ("low", "moderate", "high", "extreme")


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
    as_of: date
    method: str = (
        "Kaplan-Meier, open complaints censored at their age; Brookmeyer-Crowley 95% interval"
    )
    unavailable: str | None = None  # why there are no complaints: the source has none
    # The same numbers over the range of equal length just before the dates, for the tiles'
    # change: received, acknowledged, resolved, and the overall median (None without one).
    previous: tuple[int, complaints.Share, complaints.Share, float] | None = None
    longest: str | None = None  # the group drawn for its longest median, not for its size

    @property
    def suppressed(self) -> int:
        hide = as_table(self.summary, SURVIVAL_ROLES, self.rule)
        return int((hide["complaints"] == "*").sum()) if len(hide) else 0

    def share_text(self, share: complaints.Share) -> str:
        if self.rule.too_few(share.due):
            return "–"
        return format_value(share.pct, "%")

    def median_text(self) -> str:
        if self.rule.too_few(self.received):
            return "–"
        return format_value(self.overall["median"], "days")

    def count(self, value: float) -> str:
        return count_text(value, self.rule)

    def why_medians_differ(self) -> str:
        if self.unavailable:
            return self.unavailable
        if self.rule.too_few(self.received):
            return "Too few complaints to show a median without identifying people."
        return complaints.why_medians_differ(self.overall, count=self.count)

    def _share_note(self, share: complaints.Share) -> str:
        if self.rule.too_few(share.due):
            return HIDDEN_NOTE
        return (
            f"{self.count(share.met)} of {self.count(share.due)} due; 95% interval "
            f"{format_value(share.low, '%')} to {format_value(share.high, '%')}."
        )

    def tiles(self) -> list[Tile]:
        """Received, acknowledged in time, resolved in target, the median and the open backlog,
        as tiles whose notes show nothing the rule hides."""
        ack_days, resolve_days, backstop_months = self.targets
        row = self.overall
        if self.rule.too_few(self.received):
            median_note = HIDDEN_NOTE
        else:
            median_note = (
                f"{self.method}: 95% interval {format_value(row['median_low'], 'days')} to "
                f"{format_value(row['median_high'], 'days')}. Median of resolved complaints "
                f"only: {format_value(row['naive_median'], 'days')}. 90th percentile: "
                f"{format_value(row['p90'], 'days')}."
            )
        backstop = f" Within the {backstop_months}-month backstop: "
        backstop += f"{self.share_text(self.backstop)}."
        changes = self._changes()
        return [
            Tile(
                "complaints_received",
                "Received",
                self.count(self.received),
                changes[0],
                _judged(changes[0], "complaints_received"),
                "Complaints received in the dates.",
            ),
            Tile(
                "complaints_ack_pct",
                "Acknowledged in time",
                self.share_text(self.acknowledged),
                changes[1],
                _judged(changes[1], "complaints_ack_pct"),
                f"Acknowledged within {ack_days} working days. "
                + self._share_note(self.acknowledged),
            ),
            Tile(
                "complaints_resolved_pct",
                "Resolved in time",
                self.share_text(self.resolved),
                changes[2],
                _judged(changes[2], "complaints_resolved_pct"),
                f"Resolved within {resolve_days} working days. "
                + self._share_note(self.resolved)
                + ("" if self.rule.too_few(self.resolved.due) else backstop),
            ),
            Tile(
                "complaints_median_days",
                "Median to resolve",
                self.median_text(),
                changes[3],
                _judged(changes[3], "complaints_median_days"),
                "Median working days from receipt to resolution. " + median_note,
            ),
            Tile(
                "complaints_open",
                "Open now",
                self.count(self.open_now),
                None,
                "lower",
                f"Open at {self.as_of:%d %b %Y}, whenever received; "
                f"{self.count(self.open_beyond_backstop)} open for more than {backstop_months} "
                "months.",
            ),
        ]

    def _changes(self) -> tuple[str | None, str | None, str | None, str | None]:
        """The change since the previous period of each of the first four tiles, as the
        Overview writes it ("-87", "-2.4 pp", "0 days"); None where either side is hidden by
        the rule or missing."""
        if self.previous is None:
            return None, None, None, None
        received, acknowledged, resolved, median = self.previous
        count = None
        if not (self.rule.too_few(self.received) or self.rule.too_few(received)):
            count = format_value(self.received - received, "count")

        def share(now: complaints.Share, before: complaints.Share) -> str | None:
            if self.rule.too_few(now.due) or self.rule.too_few(before.due):
                return None
            change = now.pct - before.pct
            return None if pd.isna(change) else format_value(change, "%").replace("%", " pp")

        days = None
        hidden = self.rule.too_few(self.received) or self.rule.too_few(received)
        change = self.overall["median"] - median
        if not hidden and pd.notna(change) and abs(change) != float("inf"):
            days = format_value(change, "days")
        return (
            count,
            share(self.acknowledged, acknowledged),
            share(self.resolved, resolved),
            days,
        )

    @property
    def curves_note(self) -> str:
        if self.unavailable:
            return self.unavailable
        if not self.curves:
            return "Too few complaints to draw a curve without identifying people."
        largest = len(self.curves) - 1 - (self.longest is not None)
        if largest <= 0 and self.longest is None:
            return "Kaplan-Meier curve for all complaints."
        kind = {"department_id": "department", "subject": "subject", "severity": "severity"}
        noun = kind.get(self.by or "", "group")
        parts = []
        if largest == 1:
            parts.append(f"the largest {noun}")
        elif largest > 1:
            plural = "severities" if noun == "severity" else f"{noun}s"
            parts.append(f"the {largest} largest {plural}")
        if self.longest is not None:
            parts.append(f"the one with the longest median ({self.longest})")
        return (
            f"Kaplan-Meier curves for all complaints, {' and '.join(parts)}, among those with "
            "enough complaints to show."
        )

    def to_frame(self) -> pd.DataFrame:
        return apply(self.summary, SURVIVAL_ROLES, self.rule)

    def table(self, *, export: bool = False) -> pd.DataFrame:
        shown = as_table(self.summary, SURVIVAL_ROLES, self.rule, export=export, decimals=0)
        headings = {**SURVIVAL_HEADINGS, "group": COMPARE_BY.get(self.by or "", "Group")}
        return readable(shown, headings, decimals=0)

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
    as_of: date | None = None,
) -> ComplaintTiming:
    """Complaint tiles and, with ``by`` (department_id, subject or severity), time to
    resolution per group: Kaplan-Meier medians, 90th percentiles and curves."""
    if by is not None and by not in COMPARE_BY:
        raise PtxError(f"Compare by one of {', '.join(COMPARE_BY)}, not {by!r}.")
    rule = rule_for(rule, filters)
    filters, end_of_data = dates(source, filters, whole_history=False, as_of=as_of)
    settings = source.config.complaints
    # One statement per stage serves both the dates and the range just before them.
    both = filters.with_previous()
    ack_both = timing.stage_counts(source, both, end_of_data, "acknowledged", ("period",))
    grouping = (by,) if by else ()
    resolved_both = timing.stage_counts(
        source, both, end_of_data, "resolved", ("period", *grouping)
    )
    ack, ack_before = _periods(ack_both)
    resolved, resolved_before = _periods(resolved_both)
    open_stage = timing.stage_counts(
        source, filters.between(None, end_of_data), end_of_data, "resolved"
    )
    overall = complaints.resolution_summary(resolved).iloc[0]
    summary = pd.DataFrame(columns=["group", *survival.SUMMARY_COUNTS, *survival.SUMMARY_DAYS])
    curves = {"All complaints": survival.curve(resolved)}
    longest = None
    if by:
        names = department_names(source, filters.access) if by == "department_id" else {}
        per_group = complaints.resolution_summary(resolved, grouping)
        per_group = per_group.sort_values("complaints", ascending=False).reset_index(drop=True)
        labels = per_group[by].map(lambda g: names.get(g, g)).fillna("Not recorded")
        summary = per_group.drop(columns=[by]).assign(group=labels)[summary.columns]
        drawn, worst = _groups_drawn(per_group, rule)
        if worst is not None:
            longest = str(labels[worst])
        for key, label in zip(drawn[by], labels[drawn.index], strict=True):
            curves[str(label)] = survival.curve(resolved[resolved[by] == key])
    received = int(resolved["done"].sum() + resolved["pending"].sum())
    if rule.too_few(received):
        curves, longest = {}, None
    received_before = int(resolved_before["done"].sum() + resolved_before["pending"].sum())
    median_before = (
        complaints.resolution_summary(resolved_before).iloc[0]["median"]
        if received_before
        else float("nan")
    )
    return ComplaintTiming(
        previous=(
            received_before,
            complaints.within_target(ack_before, settings.acknowledge_working_days),
            complaints.within_target(resolved_before, settings.resolve_working_days),
            float(median_before),
        ),
        longest=longest,
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
        as_of=end_of_data,
        unavailable=unavailable(source, "complaints"),
    )


def _judged(change: str | None, key: str) -> str:
    """Which way a tile's change is good: the catalog measure ``key``'s direction, as on the
    Overview; "neither" (no colour) when there is no change, or none that shows at the
    precision written ("0 days", "0.0 pp")."""
    if change is None or change.lstrip("+-").split()[0] in ("0", "0.0"):
        return "neither"
    return measure(key).direction


def _periods(stage: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A stage grouped by period split into (the dates, the range before), without period."""
    parts = tuple(
        stage[stage["period"] == side].drop(columns="period").reset_index(drop=True)
        for side in ("current", "previous")
    )
    return parts[0], parts[1]


def _groups_drawn(per_group: pd.DataFrame, rule: Disclosure) -> tuple[pd.DataFrame, int | None]:
    """The groups given a curve of their own (``per_group`` largest first): the largest with
    enough complaints to show, and the one with the longest median among those if it is not
    one of them (the worst, which a list of the largest would leave out); with the index of
    that one, or None. A lone group is all complaints: it gets no second, identical curve."""
    shown = per_group[~rule.too_few(per_group["complaints"])]
    if len(per_group) <= 1 or shown.empty:
        return shown.iloc[0:0], None
    largest = shown.head(MAX_CURVES - 1)
    # A median never reached (most still open) is the longest of all.
    medians = shown["median"].astype(float).fillna(np.inf)
    worst = medians.idxmax() if medians.notna().any() else None
    if worst is None or worst in largest.index:
        return largest, None
    return pd.concat([shown.head(MAX_CURVES - 2), shown.loc[[worst]]]), int(worst)


@dataclass(frozen=True)
class Backlog:
    """Open complaints at each month end, and those open now by working days open."""

    by_month: pd.DataFrame  # month, month_end, received, resolved, open
    ageing: pd.DataFrame  # bucket, open
    as_of: date
    rule: Disclosure
    method: str = "received minus resolved, running over the whole history"
    unavailable: str | None = None  # why there are no complaints: the source has none

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
        return readable(
            as_table(self.by_month, self.ROLES, self.rule, export=export),
            {
                "month_end": "Month end",
                "received": "Received",
                "resolved": "Resolved",
                "open": "Open",
            },
        )

    def figures(self) -> dict[str, object]:
        """The charts with something to draw: "backlog" (each month end) and "ageing"."""
        by_month = self.to_frame()
        ageing = apply(self.ageing, self.ROLES, self.rule)
        out = {}
        if by_month["open"].notna().any():
            out["backlog"] = charts.count_bars(
                by_month,
                x="month_end",
                y="open",
                title="Open complaints at each month end",
                y_title="open complaints",
            )
        if ageing["open"].notna().any() and ageing["open"].sum() > 0:
            out["ageing"] = charts.count_bars(
                ageing,
                x="bucket",
                y="open",
                title=f"Open at {self.as_of:%d %b %Y} by working days open",
                y_title="open complaints",
            )
        return out

    def empty_note(self, name: str) -> str:
        """Why a chart ("backlog" or "ageing") has nothing to draw."""
        if self.unavailable:
            return self.unavailable
        frame = self.by_month if name == "backlog" else self.ageing
        if frame["open"].sum() == 0:
            return (
                f"No complaints open at {self.as_of:%d %b %Y}."
                if name == "ageing"
                else ("No complaints open in these months.")
            )
        return "Too few open complaints to show without identifying people."

    def figure(self):
        return self.figures().get("backlog")


def complaint_backlog(
    source: Source,
    filters: Filters = Filters(),
    *,
    rule: Disclosure = Disclosure(),
    as_of: date | None = None,
) -> Backlog:
    """The open backlog at each month end in the dates, and the ageing of what is open now."""
    rule = rule_for(rule, filters)
    filters, end_of_data = dates(source, filters, whole_history=False, as_of=as_of)
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
        unavailable=unavailable(source, "complaints"),
    )


@dataclass(frozen=True)
class ComplaintMix:
    """Shares of outcomes, KO41a subjects and severities, and reopenings."""

    shares: dict[str, pd.DataFrame]  # outcome/subject/severity -> group, complaints, pct
    reopened: int
    closed: int
    rule: Disclosure
    method: str = "share of the complaints received in the dates; open ones have no outcome"
    unavailable: str | None = None  # why there are no complaints: the source has none

    ROLES = Roles(counts=("complaints",), rates=("pct",), n="complaints")

    @property
    def suppressed(self) -> int:
        return int(hidden(self._long(), self.ROLES, self.rule).to_numpy().sum())

    def _long(self) -> pd.DataFrame:
        frames = [f.assign(category=k) for k, f in self.shares.items()]
        return pd.concat(frames, ignore_index=True)[["category", "group", "complaints", "pct"]]

    def to_frame(self) -> pd.DataFrame:
        return apply(self._long(), self.ROLES, self.rule)

    def table(self, *, export: bool = False) -> pd.DataFrame:
        frame = self.to_frame()
        return readable(
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
    source: Source,
    filters: Filters = Filters(),
    *,
    rule: Disclosure = Disclosure(),
    as_of: date | None = None,
) -> ComplaintMix:
    """Outcome, subject and severity shares of the complaints received in the dates."""
    rule = rule_for(rule, filters)
    filters, end_of_data = dates(source, filters, whole_history=False, as_of=as_of)
    categories = ("outcome", "subject", "severity")
    c = query.complaint_counts(source, filters, end_of_data, categories)
    orders = {"outcome": complaints.OUTCOME_ORDER, "subject": (), "severity": SEVERITY_ORDER}
    shares = {k: complaints.mix(c, k, orders[k]) for k in categories}
    return ComplaintMix(
        shares=shares,
        reopened=int(c["reopened"].sum()),
        closed=int(c["received"].sum() - c["open"].sum()),
        rule=rule,
        unavailable=unavailable(source, "complaints"),
    )


@dataclass(frozen=True)
class OldestOpen:
    """The longest-open complaints at the as-of date (no complainant details)."""

    rows: pd.DataFrame  # empty when the rule hides how many there are
    method: str = "open at the as-of date, oldest first, at most 50"
    suppressed: int = 0  # rows not listed: fewer than the rule lets a list show
    unavailable: str | None = None  # why there are no complaints: the source has none
    withheld: str | None = None  # why the viewer's role lists no complaint

    @property
    def note(self) -> str:
        if self.withheld:
            return self.withheld
        if self.unavailable:
            return self.unavailable
        if self.suppressed:
            return "Too few open complaints to list without identifying people."
        return "" if len(self.rows) else "None open."

    def to_frame(self) -> pd.DataFrame:
        return self.rows.copy()

    def table(self, *, export: bool = False) -> pd.DataFrame:
        return readable(
            self.rows,
            {
                "complaint_id": "Complaint",
                "department": "Department",
                "subject": "Subject",
                "severity": "Severity",
                "received_date": "Received",
                "working_days_open": "Working days open",
            },
        )


def oldest_open(
    source: Source,
    filters: Filters = Filters(),
    *,
    limit: int = 50,
    rule: Disclosure = Disclosure(),
    as_of: date | None = None,
) -> OldestOpen:
    """The ``limit`` oldest complaints still open at the as-of date, whenever received. A list
    of 1-7 would tell how many are open, so under the rule it is not shown. A viewer whose
    access allows no row-level list (an executive) gets none, and ``note`` says why."""
    rule = rule_for(rule, filters)
    if not filters.access.may_see_row_level:
        columns = ["complaint_id", "department", "subject", "severity", "received_date"]
        return OldestOpen(
            pd.DataFrame(columns=[*columns, "working_days_open"]),
            withheld=f"Individual complaints are not listed for the {filters.access.role} role.",
        )
    filters, end_of_data = dates(source, filters, whole_history=False, as_of=as_of)
    rows = timing.oldest_open(source, filters.between(None, end_of_data), end_of_data, limit)
    names = department_names(source, filters.access)
    rows.insert(1, "department", rows["department_id"].map(lambda d: names.get(d, d)))
    rows = rows.drop(columns="department_id")
    if rule.small_count(len(rows)):
        return OldestOpen(rows.iloc[0:0], suppressed=len(rows))
    return OldestOpen(rows, unavailable=unavailable(source, "complaints"))
