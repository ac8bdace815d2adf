"""Working days: weekends, public holidays and local closures excluded.

A calendar table gives every date a running working-day number (the count of working days up to
and including it). The working days between two dates are then the difference of their numbers:
a portable join the database can do, so time-to-acknowledge and time-to-resolve are counted
where the data lives. Day 0 is the day of receipt; a complaint received on a Saturday and
resolved on the Monday took 1 working day, as did one received on a Monday and resolved on the
Tuesday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import holidays
import numpy as np
import pandas as pd
import sqlalchemy as sa

from ptx.errors import PtxError

DEFAULT_COUNTRY = "GB"
DEFAULT_SUBDIVISION = "ENG"  # England and Wales bank holidays


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days: Monday to Friday, less public holidays of a country (and
    region) from the ``holidays`` package, less local closure dates."""

    country: str = DEFAULT_COUNTRY
    subdivision: str | None = DEFAULT_SUBDIVISION
    closures: tuple[date, ...] = ()

    def __post_init__(self) -> None:
        try:
            holidays.country_holidays(self.country, subdiv=self.subdivision, years=2025)
        except NotImplementedError as exc:
            raise PtxError(
                f"No public-holiday calendar for country {self.country!r}"
                f"{f' and region {self.subdivision!r}' if self.subdivision else ''}: {exc}. "
                "Use an ISO country code the holidays package knows, e.g. GB with ENG, SCT, WLS "
                "or NIR."
            ) from None
        object.__setattr__(self, "closures", tuple(sorted(set(self.closures))))

    def holidays_between(self, start: date, end: date) -> list[date]:
        years = range(start.year, end.year + 1)
        public = holidays.country_holidays(self.country, subdiv=self.subdivision, years=years)
        days = set(public) | set(self.closures)
        return sorted(d for d in days if start <= d <= end)

    def frame(self, start: date, end: date) -> pd.DataFrame:
        """Columns ``day, is_working, working_day_number`` for every date from start to end.

        The number counts working days from ``start`` up to and including the day, so it only
        ever means something as a difference between two days of the same frame.
        """
        if end < start:
            raise PtxError(f"Calendar end {end} is before its start {start}.")
        days = np.arange(np.datetime64(start), np.datetime64(end) + 1, dtype="datetime64[D]")
        off = np.array(self.holidays_between(start, end), dtype="datetime64[D]")
        working = np.is_busday(days, holidays=off)
        return pd.DataFrame(
            {
                "day": pd.to_datetime(days).date,
                "is_working": working,
                "working_day_number": np.cumsum(working).astype("int64"),
            }
        )

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 on the same day)."""
        if end < start:
            raise PtxError(f"{end} is before {start}.")
        frame = self.frame(start, end)
        return int(frame["working_day_number"].iloc[-1] - frame["working_day_number"].iloc[0])


def padded_frame(calendar: WorkingCalendar, start: date, end: date) -> pd.DataFrame:
    """The calendar frame from a week before ``start`` to a week after ``end``."""
    return calendar.frame(start - timedelta(days=7), end + timedelta(days=7))


def calendar_table(frame: pd.DataFrame, name: str, backstop_months: int = 6) -> sa.CTE:
    """A calendar frame as an inline table (a VALUES common table expression with bound
    parameters), to join in any database: ``WITH name(...) AS (VALUES ...)`` is understood by
    DuckDB, SQLite and PostgreSQL alike.

    Columns: ``day``, ``working_day_number``, ``day_number`` (calendar days since the frame's
    first day) and ``backstop_day_number`` (the day number ``backstop_months`` calendar months
    after the day, for the six-month backstop of the complaints regulations).
    """
    origin = pd.Timestamp(frame["day"].iloc[0])
    days = pd.to_datetime(frame["day"])
    day_number = (days - origin).dt.days
    backstop = (days + pd.DateOffset(months=backstop_months) - origin).dt.days
    rows = zip(
        frame["day"],
        frame["working_day_number"].astype(int).tolist(),
        day_number.tolist(),
        backstop.tolist(),
        strict=True,
    )
    return (
        sa.values(
            sa.column("day", sa.Date),
            sa.column("working_day_number", sa.Integer),
            sa.column("day_number", sa.Integer),
            sa.column("backstop_day_number", sa.Integer),
            name=f"{name}_values",
        )
        .data(list(rows))
        .cte(name)
    )
