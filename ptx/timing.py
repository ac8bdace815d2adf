"""Complaint timing in working days, counted in the database.

The working-day calendar (see :mod:`ptx.workdays`) is a temporary table on every connection,
joined on the received date and on the acknowledged or resolved date; the difference of the
running working-day numbers is the elapsed working days. Complaints not yet acknowledged or
resolved at the as-of date are counted at their age then (censored), never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import sqlalchemy as sa

from ptx.errors import PtxError
from ptx.query import Filters, _frame, _group_columns, _ordered, _where
from ptx.sources import Source
from ptx.workdays import (
    CALENDAR_END,
    CALENDAR_START,
    WorkingCalendar,
    calendar_rows,
    calendar_table,
)

STAGES = ("acknowledged", "resolved")


def _numbers_on(day: date, calendar: WorkingCalendar, backstop_months: int) -> tuple[int, int]:
    """(working_day_number, day_number) of a date in the calendar table."""
    if not CALENDAR_START <= day <= CALENDAR_END:
        raise PtxError(
            f"The as-of date {day} is outside ptx's working-day calendar "
            f"({CALENDAR_START} to {CALENDAR_END}); complaint times cannot be counted from it. "
            "Choose an as-of date inside it."
        )
    rows = calendar_rows(calendar, backstop_months)
    row = rows.iloc[(pd.Timestamp(day) - pd.Timestamp(rows["day"].iloc[0])).days]
    return int(row["working_day_number"]), int(row["day_number"])


def stage_counts(
    source: Source,
    filters: Filters,
    as_of: date,
    stage: str = "resolved",
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Complaints per whole working day from receipt to acknowledgement or resolution.

    Returns columns ``*by, working_days, beyond_backstop, done, pending``: ``done`` were
    acknowledged (or resolved) that many working days after receipt, on or before ``as_of``;
    ``pending`` were not yet, and had been waiting that many working days at ``as_of``.
    ``beyond_backstop`` is 1 where that took (or has taken) more than the backstop (six
    calendar months by default). Only complaints received on or before ``as_of`` count. The
    working-day calendar and backstop are the source's (``[complaints]`` in the config).
    """
    settings = source.config.complaints
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}")
    t = source.table("complaints")
    c = t.c
    calendar_days = calendar_table()
    received_day = calendar_days.alias("received_day")
    done_day = calendar_days.alias("done_day")
    as_of_number, as_of_day_number = _numbers_on(as_of, settings.calendar, settings.backstop_months)
    when = c[f"{stage}_date"]
    is_done = sa.and_(when.is_not(None), when <= as_of)
    end_number = sa.case((is_done, done_day.c.working_day_number), else_=as_of_number)
    working_days = (end_number - received_day.c.working_day_number).label("working_days")
    end_day = sa.case((is_done, done_day.c.day_number), else_=as_of_day_number)
    beyond = sa.case((end_day > received_day.c.backstop_day_number, 1), else_=0).label(
        "beyond_backstop"
    )
    cols, groups = _group_columns(c, by, "received_date", filters.current_from)
    stmt = (
        sa.select(
            *cols,
            working_days,
            beyond,
            sa.func.sum(sa.case((is_done, 1), else_=0)).label("done"),
            sa.func.sum(sa.case((is_done, 0), else_=1)).label("pending"),
        )
        .select_from(
            t.join(received_day, received_day.c.day == c.received_date).outerjoin(
                done_day, done_day.c.day == when
            )
        )
        .where(
            *_where(source, "complaints", filters, "received_date", channels=False),
            c.received_date <= as_of,
        )
        .group_by(*groups, working_days, beyond)
        .order_by(*_ordered(*groups, working_days, beyond))
    )
    frame = _frame(source, stmt)
    return frame.astype(
        {"working_days": "int64", "beyond_backstop": "int64", "done": "int64", "pending": "int64"}
    )


def oldest_open(source: Source, filters: Filters, as_of: date, limit: int = 50) -> pd.DataFrame:
    """The longest-open complaints at ``as_of`` (at most ``limit``): complaint_id,
    department_id, subject, severity, received_date and age in working days. No personal data."""
    t = source.table("complaints")
    c = t.c
    received_day = calendar_table().alias("received_day")
    settings = source.config.complaints
    as_of_number, _ = _numbers_on(as_of, settings.calendar, settings.backstop_months)
    stmt = (
        sa.select(
            c.complaint_id,
            c.department_id,
            c.subject,
            c.severity,
            c.received_date,
            (as_of_number - received_day.c.working_day_number).label("working_days_open"),
        )
        .select_from(t.join(received_day, received_day.c.day == c.received_date))
        .where(
            *_where(source, "complaints", filters, "received_date", channels=False),
            c.received_date <= as_of,
            sa.or_(c.resolved_date.is_(None), c.resolved_date > as_of),
        )
        .order_by(c.received_date, c.complaint_id)
        .limit(limit)
    )
    out = _frame(source, stmt)
    if len(out):
        out["received_date"] = pd.to_datetime(out["received_date"]).dt.date
    return out.astype({"working_days_open": "int64"})
