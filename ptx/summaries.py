"""Daily summary tables: feedback counted once at the grain the dashboard filters by.

Most feedback queries ask for counts per answer value by day, month or department, filtered by
date, department and channel. On the sources ptx writes itself (the demo, the import cache,
``ptx demo`` into SQLite or PostgreSQL) it stores those counts once, for valid rows only:

- ``_ptx_feedback_daily``: responses per received_date, department_id, channel, rating_scale,
  rating;
- ``_ptx_answers_daily``: question-level answers per received_date, department_id, channel,
  question_id, answer_scale, answer.

A query whose grouping and filters these columns cover reads the summary (tens of times fewer
rows) and gives the same numbers; any other (by age band, say) reads the rows. A summary is used
only while every row of its tables has a stored verdict (see :mod:`ptx.rules`): rows added to
the tables later, by another tool, switch it off until the source is written again. On a
warehouse, the same tables can be kept as materialised views under these names.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ptx.rules import REASON_COLUMN, VALID, model_table
from ptx.schema import SQL_TYPES, TABLES


@dataclass(frozen=True)
class Summary:
    name: str  # the summary table
    table: str  # the model table it counts
    dimensions: tuple[str, ...]  # its columns besides ``responses``
    groupings: frozenset[str]  # the groupings (see ptx.query.GROUPINGS) it can answer
    sources: tuple[str, ...]  # the model tables whose rows it counts


_FILTERED = ("received_date", "department_id", "channel")
SUMMARIES = {
    "feedback": Summary(
        "_ptx_feedback_daily",
        "feedback",
        (*_FILTERED, "rating_scale", "rating"),
        frozenset({"period", "day", "month", "department_id", "channel"}),
        ("feedback",),
    ),
    "feedback_answers": Summary(
        "_ptx_answers_daily",
        "feedback_answers",
        (*_FILTERED, "question_id", "answer_scale", "answer"),
        frozenset({"period", "day", "month", "department_id", "channel"}),
        ("feedback", "feedback_answers"),
    ),
}


def _type(column: str):
    for name in ("feedback", "feedback_answers"):
        if column in TABLES[name].column_names:
            return SQL_TYPES[TABLES[name].column(column).type]
    raise KeyError(column)


def summary_table(summary: Summary) -> sa.Table:
    """The summary's table (model types; ``responses`` a count)."""
    return sa.Table(
        summary.name,
        sa.MetaData(),
        *[sa.Column(c, _type(c)) for c in summary.dimensions],
        sa.Column("responses", sa.BigInteger, nullable=False),
    )


def _counted_rows(summary: Summary) -> sa.Select:
    """The statement that counts the valid rows into the summary, in the store's row order."""
    f = model_table("feedback", REASON_COLUMN)
    dims = [f.c[c] for c in _FILTERED]
    checks = [f.c[REASON_COLUMN] == VALID]
    if summary.table == "feedback":
        dims += [f.c.rating_scale, f.c.rating]
        from_ = f
    else:
        a = model_table("feedback_answers", REASON_COLUMN)
        dims += [a.c.question_id, a.c.answer_scale, a.c.answer]
        checks.append(a.c[REASON_COLUMN] == VALID)
        from_ = a.join(f, f.c.feedback_id == a.c.feedback_id)
    return (
        sa.select(*dims, sa.func.count().label("responses"))
        .select_from(from_)
        .where(*checks)
        .group_by(*dims)
        .order_by(f.c.department_id, f.c.received_date, *dims[2:])
    )


def build_summaries(conn: sa.Connection, tables: tuple[str, ...]) -> None:
    """Create the summaries whose model tables were all written (after their verdicts)."""
    for summary in SUMMARIES.values():
        if not set(summary.sources) <= set(tables):
            continue
        table = summary_table(summary)
        table.create(conn)
        conn.execute(
            table.insert().from_select([*summary.dimensions, "responses"], _counted_rows(summary))
        )
        if conn.dialect.name != "duckdb":  # row stores; DuckDB has the rows in this order
            sa.Index(f"ix{summary.name}", table.c.department_id, table.c.received_date).create(conn)


def has_unchecked(conn: sa.Connection, table) -> bool:
    """Whether any row of the table has no stored verdict (added after ptx wrote it)."""
    first = sa.select(sa.literal(1)).where(table.c[REASON_COLUMN].is_(None)).limit(1)
    return conn.execute(first).first() is not None


def usable_summaries(conn: sa.Connection, source_tables: dict, present: set[str]) -> dict:
    """model table -> summary Table, for the summaries present and complete.

    ``source_tables``: the source's mapped tables; ``present``: raw table names found. A
    summary is complete while every row of the tables it counts has a stored verdict."""
    usable = {}
    for key, summary in SUMMARIES.items():
        if summary.name not in present or not all(s in source_tables for s in summary.sources):
            continue
        complete = all(
            REASON_COLUMN in source_tables[name].c and not has_unchecked(conn, source_tables[name])
            for name in summary.sources
        )
        if complete:
            usable[key] = summary_table(summary)
    return usable
