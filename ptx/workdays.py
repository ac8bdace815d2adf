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
from datetime import date
from functools import lru_cache

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


CALENDAR_TABLE = "ptx_calendar"
# Spark SQL's dialects: ptx's (PyHive, spark:// and hive://) and Databricks' own.
SPARK_DIALECTS = ("spark", "databricks")
# The calendar every connection carries: dates outside it are quarantined (see ptx.validate).
CALENDAR_START, CALENDAR_END = date(1990, 1, 1), date(2060, 12, 31)
_CALENDAR_COLUMNS = (
    ("day", sa.Date),
    ("working_day_number", sa.Integer),
    ("day_number", sa.Integer),
    ("backstop_day_number", sa.Integer),
)


@lru_cache(maxsize=8)
def calendar_rows(calendar: WorkingCalendar, backstop_months: int = 6) -> pd.DataFrame:
    """The full calendar table: ``day, working_day_number, day_number, backstop_day_number``.

    ``day_number`` counts calendar days from the first day; ``backstop_day_number`` is the day
    number ``backstop_months`` calendar months after the day (the complaints regulations'
    six-month backstop).
    """
    frame = calendar.frame(CALENDAR_START, CALENDAR_END)
    days = pd.to_datetime(frame["day"])
    origin = days.iloc[0]
    frame["day_number"] = (days - origin).dt.days.astype("int64")
    frame["backstop_day_number"] = (
        (days + pd.DateOffset(months=backstop_months)) - origin
    ).dt.days.astype("int64")
    return frame.drop(columns="is_working")


def calendar_table() -> sa.TableClause:
    """The per-connection temporary calendar table, for joins."""
    return sa.table(CALENDAR_TABLE, *[sa.column(name, typ) for name, typ in _CALENDAR_COLUMNS])


def _backstop_months(rows: pd.DataFrame) -> int:
    """The backstop, in months, the calendar rows were made with (see ptx.workdays)."""
    first = rows["backstop_day_number"].iloc[0] - rows["day_number"].iloc[0]
    start = pd.Timestamp(rows["day"].iloc[0])
    for months in range(0, 241):
        if ((start + pd.DateOffset(months=months)) - start).days == first:
            return months
    raise ValueError(f"no whole number of months is {first} days after {start.date()}")


def calendar_view_sql(rows: pd.DataFrame) -> str:
    """Spark SQL's ``CREATE OR REPLACE TEMPORARY VIEW ptx_calendar``: the rows of
    :func:`calendar_rows`, generated by Spark from the first and last day, the
    weekdays that are not working days (public holidays, closures) and the backstop."""
    days = pd.to_datetime(rows["day"])
    start, end = days.iloc[0].date(), days.iloc[-1].date()
    step = rows["working_day_number"].diff().fillna(rows["working_day_number"].iloc[0])
    off = sorted(d.date() for d, s in zip(days, step, strict=True) if s == 0 and d.weekday() < 5)
    holidays = ", ".join(f"DATE'{d.isoformat()}'" for d in off) or "NULL"
    months = _backstop_months(rows)
    return (
        f"CREATE OR REPLACE TEMPORARY VIEW {CALENDAR_TABLE} AS "
        f"WITH days AS (SELECT explode(sequence(DATE'{start}', DATE'{end}')) AS day), "
        "flags AS (SELECT day, CASE WHEN dayofweek(day) IN (1, 7) "  # Sunday, Saturday
        f"OR day IN ({holidays}) THEN 0 ELSE 1 END AS working FROM days) "
        "SELECT day, CAST(sum(working) OVER (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING "
        "AND CURRENT ROW) AS INT) AS working_day_number, "
        f"datediff(day, DATE'{start}') AS day_number, "
        f"datediff(add_months(day, {months}), DATE'{start}') AS backstop_day_number FROM flags"
    )


def install_calendar(dbapi_connection, dialect: str, rows: pd.DataFrame) -> None:
    """Create and fill the temporary calendar table on a new database connection.

    A temporary table is private to the connection and needs no write access to the source, so
    a read-only DuckDB file or a PostgreSQL role without CREATE on the schema works too; the
    working-day joins then run in the database as ordinary, cacheable SQL.
    """
    columns = ", ".join(
        f"{name} {'DATE' if typ is sa.Date else 'INTEGER'}" for name, typ in _CALENDAR_COLUMNS
    )
    cursor = dbapi_connection.cursor()
    try:
        if dialect in SPARK_DIALECTS:  # no temporary tables: a view Spark makes (one statement)
            cursor.execute(calendar_view_sql(rows))
            return
        if dialect == "duckdb":
            dbapi_connection.register("_ptx_calendar_rows", rows)
            cursor.execute(
                f"CREATE TEMP TABLE {CALENDAR_TABLE} AS SELECT * FROM _ptx_calendar_rows"
            )
            dbapi_connection.unregister("_ptx_calendar_rows")
            return
        # A key on the day, and (PostgreSQL) statistics: the planner joins on it twice a query.
        cursor.execute(f"CREATE TEMP TABLE {CALENDAR_TABLE} ({columns}, PRIMARY KEY (day))")
        if dialect == "postgresql":
            with cursor.copy(f"COPY {CALENDAR_TABLE} FROM STDIN") as copy:
                for row in rows.itertuples(index=False):
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {CALENDAR_TABLE}")
        else:
            marker = "?" if dialect == "sqlite" else "%s"
            values = [
                (d.isoformat(), int(w), int(n), int(b))
                for d, w, n, b in rows.itertuples(index=False)
            ]
            cursor.executemany(
                f"INSERT INTO {CALENDAR_TABLE} VALUES ({', '.join([marker] * 4)})", values
            )
        dbapi_connection.commit()
    finally:
        cursor.close()
