"""Filters -> SQLAlchemy Core -> small frames of sufficient statistics.

Every function here sends one aggregate statement to the database and returns a frame whose size
depends on the grouping (periods x departments x answer values), never on the number of rows in
the source. Filter values are bound parameters; only valid rows (see :mod:`ptx.validate`) count.

A viewer's :class:`~ptx.access.Access` (``Filters.access``) is ANDed into every statement's
WHERE clause as the departments it allows, including the statements that leave the chosen
department out on purpose (a comparison of departments, the hierarchy, the channels, the data
range) and the row-level list of the oldest open complaints. Only the as-of date is read over
the whole source: it is the date the extract is complete to, the same for every viewer, so a
department's numbers do not change with who looks at them.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa

from ptx.access import Access
from ptx.errors import PtxError
from ptx.sources import Source
from ptx.summaries import SUMMARIES
from ptx.validate import valid

GROUPINGS = (
    "period",
    "day",
    "month",
    "department_id",
    "channel",
    "age_band",
    "sex",
    "ethnicity",
    "subject",
    "severity",
    "outcome",
)


@dataclass(frozen=True)
class Filters:
    """What the user has chosen. Empty tuples mean "all"; dates are inclusive.

    ``access`` is not a choice: it is what the viewer may see (see :class:`ptx.access.Access`),
    and every statement is restricted to it, whatever the other filters say."""

    start: date | None = None
    end: date | None = None
    sites: tuple[str, ...] = ()
    divisions: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()  # department ids or names
    channels: tuple[str, ...] = ()  # feedback channels
    current_from: date | None = None  # set by with_previous(): where the chosen range starts
    access: Access = Access()  # what the viewer may see; kept by between() and replace()

    def __post_init__(self) -> None:
        if self.access is None:
            object.__setattr__(self, "access", Access())
        elif not isinstance(self.access, Access):
            raise PtxError(f"access is a ptx.Access, not {type(self.access).__name__}.")
        for f in fields(self):
            if f.name == "access":
                continue
            value = getattr(self, f.name)
            if f.name in ("sites", "divisions", "departments", "channels"):
                # One name on its own is a choice of one, not a sequence of letters.
                choice = (value,) if isinstance(value, str) else tuple(value or ())
                object.__setattr__(self, f.name, choice)
            elif isinstance(value, str):  # a date written as YYYY-MM-DD
                try:
                    object.__setattr__(self, f.name, date.fromisoformat(value))
                except ValueError:
                    raise PtxError(f"{f.name} {value!r} is not a date; write YYYY-MM-DD.") from None
        if self.start and self.end and self.start > self.end:
            raise PtxError(
                f"The date range starts ({self.start}) after it ends ({self.end}); swap them."
            )

    def between(self, start: date | None, end: date | None) -> Filters:
        """The same filters over another date range."""
        return replace(self, start=start, end=end, current_from=None)

    def with_previous(self) -> Filters:
        """The chosen range together with the range of equal length just before it.

        Group by ``"period"`` to tell them apart: rows before the chosen start are "previous",
        the rest "current". One statement then serves both sides of a comparison.
        """
        if self.start is None or self.end is None:
            raise PtxError("A comparison with the previous period needs a start and an end date.")
        before, _ = previous_window(self.start, self.end)
        return replace(self, start=before, current_from=self.start)


def previous_window(start: date, end: date) -> tuple[date, date]:
    """The range of the same number of days that ends the day before ``start``."""
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def _read_departments(source: Source, allowed: tuple[str, ...] | None = None) -> pd.DataFrame:
    t = source.table("departments")
    stmt = (
        sa.select(t.c.department_id, t.c.department_name, t.c.division, t.c.site, t.c.unit)
        .where(valid(source, "departments"))
        .order_by(t.c.site, t.c.division, t.c.department_name)
    )
    if allowed is not None:
        stmt = stmt.where(_in(t.c.department_id, "allowed_ids", allowed))
    with source.engine.connect() as conn:
        return rows_frame(conn, stmt)


def _all_departments(source: Source) -> pd.DataFrame:
    """Every valid department, for resolving names (never returned to a restricted caller)."""
    return source.remember(("departments",), lambda: _read_departments(source))


def departments(source: Source, access: Access | None = None) -> pd.DataFrame:
    """The valid departments the access allows (all by default): department_id,
    department_name, division, site, unit.

    Read once per open source and access (the hierarchy is small and every filter needs it);
    each call returns a copy, so changing it changes nothing else."""
    allowed = allowed_department_ids(source, access)
    if allowed is None:
        return _all_departments(source).copy()
    key = ("departments", allowed)
    return source.remember(key, lambda: _read_departments(source, allowed)).copy()


def _in(column, name: str, values) -> sa.ColumnElement:
    """``column IN (...)`` as one expanding bound parameter (an empty list matches nothing)."""
    return column.in_(sa.bindparam(name, list(values), expanding=True))


def allowed_department_ids(source: Source, access: Access | None) -> tuple[str, ...] | None:
    """The department ids an access allows, or None when it allows every department.

    The access's sites, divisions and departments (ids or names) are resolved against the
    source's departments; one that is not there raises PtxError naming the close matches."""
    if access is None or access.every_department:
        return None
    key = ("allowed_ids", access.sites, access.divisions, access.departments)
    return source.remember(key, lambda: _allowed(source, access))


def _allowed(source: Source, access: Access) -> tuple[str, ...]:
    deps = _all_departments(source)
    keep = pd.Series(False, index=deps.index)
    for what, values, column in (
        ("site", access.sites, "site"),
        ("division", access.divisions, "division"),
    ):
        for value in values:
            if value not in set(deps[column]):
                raise _not_granted(what, value, deps[column])
        keep |= deps[column].isin(values)
    for value in access.departments:
        match = (deps["department_id"] == value) | (deps["department_name"] == value)
        if not match.any():
            raise _not_granted("department", value, deps["department_name"])
        keep |= match
    return tuple(deps.loc[keep, "department_id"])


def _not_granted(what: str, value: str, known) -> PtxError:
    # The close matches only, not the list: the reader may be a team lead.
    close = difflib.get_close_matches(value, sorted({str(k) for k in known}), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return PtxError(
        f"The access (the roles file) gives the {what} {value!r}, which is not in this "
        f"source.{hint} Ask whoever keeps the roles file to correct it."
    )


def _unknown(what: str, value: str, known, where: str = "in this source") -> PtxError:
    known = sorted({str(k) for k in known})
    close = difflib.get_close_matches(value, known, n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return PtxError(f"No {what} {value!r} {where}.{hint} Known: {', '.join(known)}.")


def _resolve(source: Source, filters: Filters) -> tuple[tuple[str, ...], ...]:
    """(sites, divisions, department ids) with every department given by id or by name;
    anything unknown raises PtxError naming the close matches. Under a restricted access, a
    name is looked for among the departments it allows only (a name outside them is unknown,
    whether or not it exists, so an error tells nothing about other departments)."""
    deps = departments(source, filters.access)
    where = "among the departments you may see" if filters.access.restricted else "in this source"
    for what, values, column in (
        ("site", filters.sites, "site"),
        ("division", filters.divisions, "division"),
    ):
        for value in values:
            if value not in set(deps[column]):
                raise _unknown(what, value, deps[column], where)
    ids, names = set(deps["department_id"]), {}
    for row in deps.itertuples():
        names.setdefault(row.department_name, []).append(row.department_id)
    resolved = []
    for value in filters.departments:
        if value in ids:
            resolved.append(value)
        elif len(names.get(value, [])) == 1:
            resolved.append(names[value][0])
        elif value in names:
            raise PtxError(
                f"{len(names[value])} departments are called {value!r} "
                f"({', '.join(names[value])}); give the id instead."
            )
        else:
            raise _unknown("department", value, names, where)
    return filters.sites, filters.divisions, tuple(resolved)


def department_ids(source: Source, filters: Filters) -> list[str] | None:
    """The department ids the filters allow, or None when they allow every department.

    Departments may be given by id or by name. Raises PtxError for an unknown site, division
    or department, naming the close matches."""
    allowed = allowed_department_ids(source, filters.access)
    if not (filters.sites or filters.divisions or filters.departments):
        return None if allowed is None else list(allowed)
    key = ("department_ids", filters.sites, filters.divisions, filters.departments, allowed)
    chosen = source.remember(key, lambda: _department_ids(source, *_resolve(source, filters)))
    return [d for d in chosen if allowed is None or d in allowed]


def _department_ids(
    source: Source, sites: tuple[str, ...], divisions: tuple[str, ...], ids: tuple[str, ...]
) -> tuple[str, ...]:
    deps = _all_departments(source)
    keep = pd.Series(True, index=deps.index)
    if sites:
        keep &= deps["site"].isin(sites)
    if divisions:
        keep &= deps["division"].isin(divisions)
    if ids:
        keep &= deps["department_id"].isin(ids)
    return tuple(deps.loc[keep, "department_id"])


def _where(
    source: Source,
    name: str,
    filters: Filters,
    date_col: str,
    *,
    channels: bool,
    summary: sa.Table | None = None,
):
    """The WHERE conditions for the filters (a summary holds valid rows only)."""
    t = (source.table(name) if summary is None else summary).c
    conds = [valid(source, name)] if summary is None else []
    if filters.start:
        conds.append(t[date_col] >= filters.start)
    if filters.end:
        conds.append(t[date_col] <= filters.end)
    ids = department_ids(source, filters)  # the access ANDed in
    if ids is not None:
        conds.append(_in(t.department_id, "department_ids", ids))
    if channels and filters.channels:
        conds.append(
            t.channel.in_(sa.bindparam("channels", list(filters.channels), expanding=True))
        )
    return conds


def _group_columns(t, by: Sequence[str], date_col: str, current_from: date | None = None):
    """(select columns, group-by expressions) for the requested grouping."""
    cols, groups = [], []
    for key in by:
        if key not in GROUPINGS or (key not in ("period", "day", "month") and key not in t):
            raise PtxError(f"Cannot group by '{key}'; use one of {', '.join(GROUPINGS)}.")
        if key == "period":
            # Without a comparison (Filters.with_previous) every row is in the current period.
            if current_from is None:
                cols.append(sa.literal("current").label("period"))
                continue
            period = sa.case((t[date_col] < current_from, "previous"), else_="current")
            cols.append(period.label("period"))
            groups.append(period)
        elif key == "day":
            cols.append(t[date_col].label("day"))
            groups.append(t[date_col])
        elif key == "month":
            # extract() is portable (DuckDB, SQLite, PostgreSQL); date_trunc is not.
            year = sa.extract("year", t[date_col])
            month = sa.extract("month", t[date_col])
            cols += [year.label("_year"), month.label("_month")]
            groups += [year, month]
        else:
            cols.append(t[key].label(key))
            groups.append(t[key])
    return cols, groups


def _ordered(*exprs) -> list:
    """Order with NULLs last on every engine (SQLite puts them first by default)."""
    return [sa.nulls_last(e) for e in exprs]


def rows_frame(conn: sa.Connection, stmt) -> pd.DataFrame:
    """The statement's result as a frame. Rows become plain tuples first: pandas probes each
    SQLAlchemy Row for attributes, which costs more than the query on results of some
    thousand rows."""
    rows = [tuple(row) for row in conn.execute(stmt)]
    return pd.DataFrame.from_records(rows, columns=list(stmt.selected_columns.keys()))


def _frame(source: Source, stmt) -> pd.DataFrame:
    with source.engine.connect() as conn:
        frame = rows_frame(conn, stmt)
    if "_year" in frame:
        frame.insert(
            0,
            "month",
            pd.to_datetime(
                {
                    "year": frame.pop("_year").astype(int),
                    "month": frame.pop("_month").astype(int),
                    "day": 1,
                }
            ).dt.date
            if len(frame)
            else pd.Series(dtype="object"),
        )
        frame = frame.drop(columns=[c for c in ("_year", "_month") if c in frame])
    if "day" in frame and len(frame):
        frame["day"] = pd.to_datetime(frame["day"]).dt.date
    return frame


def _summary_for(source: Source, name: str, by: Sequence[str]) -> sa.Table | None:
    """The daily summary that can answer this grouping, if the source has one."""
    summary = source.summary(name)
    return summary if summary is not None and set(by) <= SUMMARIES[name].groupings else None


def feedback_counts(
    source: Source, filters: Filters, by: Sequence[str] = ("month",)
) -> pd.DataFrame:
    """Responses per group and answer value.

    Returns columns ``*by, rating_scale, rating, responses``; rows with no rating (suggestion
    box, direct, or a comment-only answer where the scale is set for the whole source) have
    rating empty and count in no rate (see :func:`ptx.feedback.feedback_sums`). Sorted by the
    grouping. Read from the daily summary where the source has one that covers the grouping
    (see :mod:`ptx.summaries`).
    """
    return _feedback_counts(source, filters, by, eligible_only=False)


def eligible_feedback_counts(
    source: Source, filters: Filters, by: Sequence[str] = ("month",)
) -> pd.DataFrame:
    """:func:`feedback_counts` of the responses received in the department-months that have an
    eligible count in ``activity``: the FFT response rate's numerator, over the same
    department-months as its denominator (see :func:`activity_totals`)."""
    return _feedback_counts(source, filters, by, eligible_only=True)


def _eligible_months(source: Source) -> sa.Subquery:
    """The valid department-months of ``activity`` that have an eligible count: department_id,
    year, month (numbers, so that a received date's can be compared on every engine)."""
    t = source.table("activity").c
    year, month = sa.extract("year", t.month), sa.extract("month", t.month)
    return (
        sa.select(t.department_id, year.label("year"), month.label("month"))
        .where(valid(source, "activity"), t.eligible.is_not(None))
        .group_by(t.department_id, year, month)
        .subquery("eligible_months")
    )


def _feedback_counts(
    source: Source, filters: Filters, by: Sequence[str], *, eligible_only: bool
) -> pd.DataFrame:
    summary = _summary_for(source, "feedback", by)
    table = source.table("feedback") if summary is None else summary
    t = table.c
    count = sa.func.count() if summary is None else sa.func.sum(t.responses)
    if eligible_only:
        months = _eligible_months(source)
        table = table.join(
            months,
            sa.and_(
                months.c.department_id == t.department_id,
                months.c.year == sa.extract("year", t.received_date),
                months.c.month == sa.extract("month", t.received_date),
            ),
        )
    cols, groups = _group_columns(t, by, "received_date", filters.current_from)
    stmt = (
        sa.select(*cols, t.rating_scale, t.rating, count.label("responses"))
        .select_from(table)
        .where(
            *_where(source, "feedback", filters, "received_date", channels=True, summary=summary)
        )
        .group_by(*groups, t.rating_scale, t.rating)
        .order_by(*_ordered(*groups, t.rating_scale, t.rating))
    )
    frame = _frame(source, stmt)
    frame["rating"] = pd.to_numeric(frame["rating"]).astype("float64")  # NaN where unrated
    return frame.astype({"responses": "int64"})


def complaint_counts(
    source: Source, filters: Filters, as_of: date, by: Sequence[str] = ("month",)
) -> pd.DataFrame:
    """Complaints received per group, with how many are still open at ``as_of``.

    Returns columns ``*by, received, open, reopened, upheld`` (upheld counts upheld and partially
    upheld). A complaint is open when it has no resolved date or one after ``as_of``.
    """
    t = source.table("complaints").c
    cols, groups = _group_columns(t, by, "received_date", filters.current_from)
    is_open = sa.or_(t.resolved_date.is_(None), t.resolved_date > as_of)

    def count_if(condition) -> sa.ColumnElement:
        # COALESCE: SUM over no rows is NULL, and "none" should read as 0.
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    stmt = (
        sa.select(
            *cols,
            sa.func.count().label("received"),
            count_if(is_open).label("open"),
            count_if(t.reopened.is_(True)).label("reopened"),
            count_if(t.outcome.in_(("upheld", "partially upheld"))).label("upheld"),
        )
        .where(
            *_where(source, "complaints", filters, "received_date", channels=False),
            t.received_date <= as_of,
        )
        .group_by(*groups)
        .order_by(*_ordered(*groups))
    )
    frame = _frame(source, stmt)
    return frame.astype({c: "int64" for c in ("received", "open", "reopened", "upheld")})


def activity_totals(source: Source, filters: Filters, by: Sequence[str] = ()) -> pd.DataFrame:
    """Patient episodes, and patients eligible for the FFT, per group for the months that
    overlap the date range.

    Returns columns ``*by, episodes, eligible`` (``by`` may be "month" and "department_id");
    ``eligible`` sums the department-months that have an eligible count (0 where none has).
    """
    t = source.table("activity").c
    conds = [valid(source, "activity")]
    if filters.start:
        conds.append(t.month >= filters.start.replace(day=1))
    if filters.end:
        conds.append(t.month <= filters.end)
    ids = department_ids(source, filters)  # the access ANDed in
    if ids is not None:
        conds.append(_in(t.department_id, "department_ids", ids))
    cols, groups = [], []
    for key in by:
        col = t.month if key == "month" else t[key]
        cols.append(col.label(key))
        groups.append(col)
    stmt = (
        sa.select(
            *cols,
            sa.func.coalesce(sa.func.sum(t.episodes), 0).label("episodes"),
            sa.func.coalesce(sa.func.sum(t.eligible), 0).label("eligible"),
        )
        .where(*conds)
        .group_by(*groups)
        .order_by(*_ordered(*groups))
    )
    frame = _frame(source, stmt)
    if "month" in frame and len(frame):
        frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame.astype({"episodes": "int64", "eligible": "int64"})


def data_range(source: Source, access: Access | None = None) -> tuple[date | None, date | None]:
    """First and last received date over the valid feedback and complaints of the departments
    the access allows (all by default)."""
    allowed = allowed_department_ids(source, access)
    lows, highs = [], []
    with source.engine.connect() as conn:
        for name in ("feedback", "complaints"):
            summary = source.summary(name)
            t = (source.table(name) if summary is None else summary).c
            stmt = sa.select(sa.func.min(t.received_date), sa.func.max(t.received_date))
            if summary is None:
                stmt = stmt.where(valid(source, name))
            if allowed is not None:
                stmt = stmt.where(_in(t.department_id, "allowed_ids", allowed))
            try:
                low, high = conn.execute(stmt).one()
                low, high = (None if d is None else pd.Timestamp(d).date() for d in (low, high))
            except (ValueError, TypeError) as exc:  # a text date no rule could read
                raise PtxError(
                    f"{source.label}: a {name}.received_date cannot be read as a date ({exc}). "
                    "Fix: write dates as YYYY-MM-DD, or load the file with `ptx import`, which "
                    "quarantines the dates it cannot read."
                ) from None
            lows += [low] if low is not None else []
            highs += [high] if high is not None else []
    return (min(lows) if lows else None, max(highs) if highs else None)


def as_of_date(source: Source) -> date:
    """The date the data is taken to be complete to: configured, else the latest received date
    in the whole source. The same for every viewer (see the module's note on access)."""
    if source.as_of_configured:
        return source.as_of_configured
    _, last = data_range(source)
    if last is None:
        raise PtxError(f"{source.label} holds no valid feedback or complaints, so no as-of date.")
    return last


def channels(source: Source, access: Access | None = None) -> list[str]:
    """The feedback channels present in the departments the access allows (all by default)."""
    allowed = allowed_department_ids(source, access)
    summary = source.summary("feedback")
    if summary is not None:
        t = summary.c
        stmt = sa.select(t.channel).group_by(t.channel)
    else:
        t = source.table("feedback").c
        stmt = sa.select(t.channel).where(valid(source, "feedback")).group_by(t.channel)
    if allowed is not None:
        stmt = stmt.where(_in(t.department_id, "allowed_ids", allowed))
    with source.engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(stmt).all())


def answer_counts(source: Source, filters: Filters, by: Sequence[str] = ("month",)) -> pd.DataFrame:
    """Question-level answers per group, question and value (feedback_answers joined to the
    response for its date, department and channel).

    Returns columns ``*by, question_id, answer_scale, answer, responses``; empty when the source
    has no ``feedback_answers`` table.
    """
    if not source.has("feedback_answers"):
        return pd.DataFrame(columns=[*by, "question_id", "answer_scale", "answer", "responses"])
    summary = _summary_for(source, "feedback_answers", by)
    if summary is not None:
        d = summary.c
        cols, groups = _group_columns(d, by, "received_date", filters.current_from)
        dims = (d.question_id, d.answer_scale, d.answer)
        stmt = (
            sa.select(*cols, *dims, sa.func.sum(d.responses).label("responses"))
            .where(
                *_where(
                    source, "feedback", filters, "received_date", channels=True, summary=summary
                )
            )
            .group_by(*groups, *dims)
            .order_by(*_ordered(*groups, *dims))
        )
        return _frame(source, stmt).astype({"responses": "int64"})
    f = source.table("feedback")
    a = source.table("feedback_answers").c
    cols, groups = _group_columns(f.c, by, "received_date", filters.current_from)
    stmt = (
        sa.select(
            *cols, a.question_id, a.answer_scale, a.answer, sa.func.count().label("responses")
        )
        .select_from(source.table("feedback_answers").join(f, f.c.feedback_id == a.feedback_id))
        .where(
            valid(source, "feedback_answers"),
            *_where(source, "feedback", filters, "received_date", channels=True),
        )
        .group_by(*groups, a.question_id, a.answer_scale, a.answer)
        .order_by(*_ordered(*groups, a.question_id, a.answer_scale, a.answer))
    )
    return _frame(source, stmt).astype({"responses": "int64"})


def resolutions_by_month(source: Source, filters: Filters, as_of: date) -> pd.DataFrame:
    """Complaints resolved per calendar month of resolution, up to ``as_of``.

    Returns columns ``month, resolved``. With complaints received per month, this gives the
    open backlog at every month end.
    """
    t = source.table("complaints").c
    cols, groups = _group_columns(t, ("month",), "resolved_date")
    stmt = (
        sa.select(*cols, sa.func.count().label("resolved"))
        .where(
            *_where(source, "complaints", filters, "received_date", channels=False),
            t.resolved_date.is_not(None),
            t.resolved_date <= as_of,
        )
        .group_by(*groups)
        .order_by(*_ordered(*groups))
    )
    return _frame(source, stmt).astype({"resolved": "int64"})
