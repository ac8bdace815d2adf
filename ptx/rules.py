"""The quarantine rules, as SQL expressions, and their verdicts stored once per row.

Each model table has rules written as SQL, so the database checks them wherever the data lives
(:mod:`ptx.validate` applies them to a source). On the sources ptx writes itself (the demo, the
import cache, ``ptx demo`` into SQLite or PostgreSQL) the verdict is also stored once, in a
``_ptx_reason`` column: an empty string for a valid row, else the reason. Every aggregate then
tests one column instead of evaluating the rules per row; rows added to such a table later have
no verdict and are checked against the rules as before.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from ptx.schema import (
    ANSWER_SCALES,
    COMPLAINT_OUTCOMES,
    COMPLAINT_SEVERITIES,
    RATING_SCALES,
    TABLES,
)
from ptx.workdays import CALENDAR_END, CALENDAR_START

REASON_COLUMN = "_ptx_reason"
VALID = ""  # the stored verdict of a row that passes every rule


def latest_plausible(future_days: int = 0) -> date:
    """The last date a row may carry: today, plus ``future_days`` of tolerance (a clock or a
    time zone ahead of this machine's). Later rows are quarantined, never taken as the latest
    data: one mistyped year must not move the as-of date to 2055 and every figure to zero."""
    return date.today() + timedelta(days=future_days)


def _joined(columns, key: tuple[str, ...]) -> sa.ColumnElement:
    """One value per key, so a check of repeated keys is one uncorrelated GROUP BY."""
    if len(key) == 1:
        return columns[key[0]]
    parts = [sa.cast(columns[k], sa.String) for k in key]
    out = parts[0]
    for part in parts[1:]:
        out = out.op("||")(sa.literal("\x1f")).op("||")(part)
    return out


def _repeated(columns, key: tuple[str, ...]) -> sa.Select:
    """The key values that more than one row of the table of ``columns`` has."""
    other = columns[key[0]].table.alias()
    return (
        sa.select(_joined(other.c, key))
        .where(*[other.c[k].is_not(None) for k in key])
        .group_by(*[other.c[k] for k in key])
        .having(sa.func.count() > 1)
        .correlate(None)
    )


def _repeated_key(name: str, t) -> tuple[sa.ColumnElement, str] | None:
    """A row whose key another row also has: every such row is quarantined (which of them
    is right is not ptx's guess), so no response or answer is counted twice."""
    key = TABLES[name].key
    if not all(k in t for k in key):
        return None
    what = " and ".join(key)
    return _joined(t, key).in_(_repeated(t, key)), f"{what} is repeated (every row with it is held)"


def _scale_rules(value: sa.ColumnElement, scale: sa.ColumnElement, scales: dict, what: str):
    # Answers are codes: 2.5 on a 1-6 scale is no answer (a float column in a database ptx did
    # not write can hold one). Checked after the range, so 1e30 is said to be out of range.
    fraction = (
        sa.and_(value.is_not(None), sa.cast(value, sa.BigInteger) != value),
        f"{what} is not a whole number",
    )
    rules = [
        (
            sa.and_(scale.is_not(None), scale.not_in(list(scales))),
            f"{what}_scale is not one of {', '.join(scales)}",
        ),
    ]
    for name, (low, high) in scales.items():
        rules.append(
            (
                sa.and_(scale == name, value.is_not(None), sa.not_(value.between(low, high))),
                f"{what} outside the {name} scale ({low}-{high})",
            )
        )
    return [*rules, fraction]


def rules(
    name: str, t, departments, *, latest: date | None = None, feedback=None
) -> list[tuple[sa.ColumnElement, str]]:
    """(condition that marks a row bad, reason) pairs, in the order they are reported.

    ``t`` and ``departments`` are the column collections of the table and of the departments
    table (a source's mapped tables, or the tables themselves when ptx writes them);
    ``latest`` is the last plausible date (default :func:`latest_plausible`); ``feedback``
    the feedback table's columns, for the answers' check of their response."""
    spec = TABLES[name]
    latest = latest or latest_plausible()
    rules = [(t[c.name].is_(None), f"{c.name} is empty") for c in spec.columns if c.required]
    repeated = _repeated_key(name, t)
    if repeated is not None:
        rules.append(repeated)
    if "department_id" in t and name != "departments":
        known = sa.select(departments.department_id).where(departments.department_id.is_not(None))
        rules.append((t.department_id.not_in(known), "department_id is not in departments"))
    if name == "feedback":
        rules.append(
            (
                sa.and_(t.rating.is_not(None), t.rating_scale.is_(None)),
                "rating given without rating_scale",
            )
        )
        rules += _scale_rules(t.rating, t.rating_scale, RATING_SCALES, "rating")
    elif name == "feedback_answers":
        if feedback is not None:
            # The answers of a held response are held with it, and said so.
            rules.append(
                (
                    t.feedback_id.in_(_repeated(feedback, ("feedback_id",))),
                    "feedback_id is repeated in feedback (its responses are held)",
                )
            )
        rules += _scale_rules(t.answer, t.answer_scale, ANSWER_SCALES, "answer")
    elif name == "complaints":
        # Working days are counted against a calendar from 1990 to 2060; outside it, say so.
        rules += [
            (
                sa.or_(t[col] < CALENDAR_START, t[col] > CALENDAR_END),
                f"{col} is outside {CALENDAR_START.year}-{CALENDAR_END.year}",
            )
            for col in ("received_date", "acknowledged_date", "resolved_date")
        ]
        rules += [
            (t.acknowledged_date < t.received_date, "acknowledged_date is before received_date"),
            (t.resolved_date < t.received_date, "resolved_date is before received_date"),
            (
                sa.and_(t.outcome.is_not(None), t.outcome.not_in(COMPLAINT_OUTCOMES)),
                "outcome is not one of " + ", ".join(COMPLAINT_OUTCOMES),
            ),
            (
                sa.and_(t.severity.is_not(None), t.severity.not_in(COMPLAINT_SEVERITIES)),
                "severity is not one of " + ", ".join(COMPLAINT_SEVERITIES),
            ),
        ]
    elif name == "activity":
        rules.append((t.episodes < 0, "episodes is negative"))
        rules.append((t.eligible < 0, "eligible is negative"))
    dated = [c.name for c in spec.columns if c.type == "date" and c.name in t]
    # A date written as text where the database keeps no types (SQLite): "soon", or a number.
    rules += [
        (
            sa.not_(sa.cast(t[col], sa.String).like("____-__-__%")),
            f"{col} is not a date (YYYY-MM-DD)",
        )
        for col in dated
    ]
    # Nothing is received tomorrow: a later date is a mistyped one.
    rules += [
        (t[col] > latest, f"{col} is in the future (after {latest:%Y-%m-%d})") for col in dated
    ]
    return rules


def reason_expression(
    name: str, t, departments, *, latest: date | None = None, feedback=None
) -> sa.ColumnElement:
    """SQL expression: why a row of ``name`` breaks a rule (the first, in report order), or NULL."""
    return sa.case(*rules(name, t, departments, latest=latest, feedback=feedback), else_=sa.null())


def model_table(name: str, *extra: str) -> sa.TableClause:
    """A model table under its own name, with its columns (and ``extra`` ones)."""
    return sa.table(name, *[sa.column(c) for c in (*TABLES[name].column_names, *extra)])


def record_reasons(
    conn: sa.Connection, names: tuple[str, ...], *, latest: date | None = None
) -> None:
    """Evaluate the rules once and store every row's verdict in ``_ptx_reason``.

    For tables ptx has just written under the model's names, with a departments table."""
    for name in names:
        conn.execute(sa.text(f'ALTER TABLE "{name}" ADD COLUMN "{REASON_COLUMN}" TEXT'))
        table = model_table(name, REASON_COLUMN)
        reason = reason_expression(
            name,
            table.c,
            model_table("departments").c,
            latest=latest,
            feedback=model_table("feedback").c if "feedback" in names else None,
        )
        conn.execute(sa.update(table).values({REASON_COLUMN: sa.func.coalesce(reason, VALID)}))
        if conn.dialect.name != "duckdb":
            # Row stores: finding rows without a verdict (added later) must not scan the table.
            conn.execute(
                sa.text(
                    f'CREATE INDEX "ix_{name}_unchecked" ON "{name}" ("{REASON_COLUMN}") '
                    f'WHERE "{REASON_COLUMN}" IS NULL'
                )
            )
