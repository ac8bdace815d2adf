"""The one validation boundary every source passes.

Each model table has rules written as SQL expressions, so the database checks them wherever the
data lives. A row that breaks a rule is quarantined: counted, listed with its reason, and left
out of every KPI query (they all select through :func:`valid`). Nothing is dropped silently:
for every table, rows read = rows loaded + rows quarantined.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from ptx.rules import REASON_COLUMN, VALID, reason_expression
from ptx.schema import KO41A_SUBJECTS, TABLES
from ptx.sources import Source

QUARANTINE_LIST_LIMIT = 10_000
HIDDEN = ("_reason", REASON_COLUMN)  # not part of a listed row's data


def _rules_and_verdict(source: Source, name: str):
    """(the rules' reason expression, the stored verdict column or None)."""
    t = source.table(name).c
    live = reason_expression(name, t, source.table("departments").c)
    return live, t.get(REASON_COLUMN)


def quarantine_reason(source: Source, name: str) -> sa.ColumnElement:
    """SQL expression: why a row of ``name`` is quarantined, or NULL when it is valid.

    Where ptx wrote the table it stored each row's verdict (see :mod:`ptx.rules`); rows without
    one (added to the table later) are checked against the rules here. Built once per open source
    and table (every aggregate statement embeds it)."""

    def make() -> sa.ColumnElement:
        live, stored = _rules_and_verdict(source, name)
        if stored is None:
            return live
        return sa.case((stored == VALID, sa.null()), (stored.is_(None), live), else_=stored)

    return source.remember(("quarantine_reason", name), make)


def valid(source: Source, name: str) -> sa.ColumnElement:
    """SQL predicate true for the rows of ``name`` that pass validation (built once per open
    source and table)."""

    def make() -> sa.ColumnElement:
        live, stored = _rules_and_verdict(source, name)
        if stored is None:
            return live.is_(None)
        # The stored verdict first: the rules run only for rows that have none.
        return sa.or_(stored == VALID, sa.and_(stored.is_(None), live.is_(None)))

    return source.remember(("valid", name), make)


@dataclass(frozen=True)
class ValidationReport:
    """Counts per table, quarantine reasons, and warnings that do not quarantine rows.

    ``tables`` columns: table, rows_read, rows_loaded, rows_quarantined.
    ``reasons`` columns: table, reason, rows.
    """

    source: str
    tables: pd.DataFrame
    reasons: pd.DataFrame
    warnings: tuple[str, ...]

    @property
    def quarantined(self) -> int:
        return int(self.tables["rows_quarantined"].sum())

    @property
    def ok(self) -> bool:
        return self.quarantined == 0

    def to_text(self) -> str:
        lines = [f"Source: {self.source}", ""]
        lines.append(self.tables.to_string(index=False))
        if len(self.reasons):
            lines += ["", "Quarantined rows by reason:", self.reasons.to_string(index=False)]
        for w in self.warnings:
            lines.append(f"warning: {w}")
        verdict = "OK" if self.ok else f"{self.quarantined} row(s) quarantined"
        lines += ["", f"Result: {verdict}"]
        return "\n".join(lines)


def _import_counts(source: Source) -> tuple[dict[str, int], pd.DataFrame]:
    counts_t, q_t = source.import_counts_table(), source.import_quarantine_table()
    if counts_t is None or q_t is None:
        return {}, pd.DataFrame(columns=["table", "reason", "rows"])
    with source.engine.connect() as conn:
        read = dict(conn.execute(sa.select(counts_t.c.table_name, counts_t.c.rows_read)).all())
        reasons = pd.DataFrame(
            conn.execute(
                sa.select(q_t.c.table_name, q_t.c.reason, sa.func.count()).group_by(
                    q_t.c.table_name, q_t.c.reason
                )
            ).all(),
            columns=["table", "reason", "rows"],
        )
    # Import reasons name the value ("x: 'abc' is not a date"); group them by their column.
    reasons["reason"] = reasons["reason"].str.replace(
        r": '.*' is not", ": value is not", regex=True
    )
    reasons = reasons.groupby(["table", "reason"], as_index=False)["rows"].sum()
    return read, reasons


def validation_report(source: Source) -> ValidationReport:
    """Check every table of the source and count what passes and what is quarantined."""
    read_in_files, import_reasons = _import_counts(source)
    rows, reason_frames, warnings = [], [import_reasons], []
    with source.engine.connect() as conn:
        for name in source.tables:
            reason = quarantine_reason(source, name).label("reason")
            by_reason = conn.execute(
                sa.select(reason, sa.func.count().label("rows")).group_by(reason)
            ).all()
            total = sum(n for _, n in by_reason)
            bad = pd.DataFrame(
                [(name, r, n) for r, n in by_reason if r is not None],
                columns=["table", "reason", "rows"],
            )
            reason_frames.append(bad)
            parse_failed = int(import_reasons.loc[import_reasons["table"] == name, "rows"].sum())
            rows.append(
                {
                    "table": name,
                    "rows_read": read_in_files.get(name, total),
                    "rows_loaded": total - int(bad["rows"].sum()),
                    "rows_quarantined": int(bad["rows"].sum()) + parse_failed,
                }
            )
            t = source.table(name).c
            key = [t[k] for k in TABLES[name].key]
            dupes = conn.execute(
                sa.select(sa.func.count()).select_from(
                    sa.select(*key).group_by(*key).having(sa.func.count() > 1).subquery()
                )
            ).scalar_one()
            if dupes:
                warnings.append(
                    f"{name}: {dupes} value(s) of {', '.join(TABLES[name].key)} occur more than "
                    "once; each row still counts as its own record."
                )
        if source.has("complaints"):
            c = source.table("complaints").c
            other = conn.execute(
                sa.select(sa.func.count()).where(
                    c.subject.is_not(None), c.subject.not_in(KO41A_SUBJECTS)
                )
            ).scalar_one()
            if other:
                warnings.append(
                    f"complaints: {other} row(s) have a subject outside the KO41a list; they are "
                    "kept and shown under their own subject."
                )
    reasons = pd.concat([f for f in reason_frames if len(f)] or [reason_frames[0]])
    return ValidationReport(
        source=source.label,
        tables=pd.DataFrame(rows),
        reasons=reasons.sort_values(["table", "rows"], ascending=[True, False]).reset_index(
            drop=True
        ),
        warnings=tuple(warnings),
    )


def quarantined_rows(source: Source, *, limit: int = QUARANTINE_LIST_LIMIT) -> pd.DataFrame:
    """The quarantined rows themselves (at most ``limit`` per table and stage).

    Columns: table, row (file row number for import failures, else the row's key), reason,
    data (the row's values as JSON).
    """
    parts = []
    q_t = source.import_quarantine_table()
    with source.engine.connect() as conn:
        if q_t is not None:
            parts.append(
                pd.DataFrame(
                    conn.execute(
                        sa.select(q_t.c.table_name, q_t.c.row_number, q_t.c.reason, q_t.c.raw)
                        .order_by(q_t.c.table_name, q_t.c.row_number)
                        .limit(limit)
                    ).all(),
                    columns=["table", "row", "reason", "data"],
                ).astype({"row": str})
            )
        for name in source.tables:
            t = source.table(name)
            reason = quarantine_reason(source, name)
            found = (
                conn.execute(
                    sa.select(t, reason.label("_reason")).where(reason.is_not(None)).limit(limit)
                )
                .mappings()
                .all()
            )
            key = TABLES[name].key
            parts.append(
                pd.DataFrame(
                    [
                        {
                            "table": name,
                            "row": " / ".join(str(r[k]) for k in key),
                            "reason": r["_reason"],
                            "data": json.dumps(
                                {k: v for k, v in r.items() if k not in HIDDEN}, default=str
                            ),
                        }
                        for r in found
                    ],
                    columns=["table", "row", "reason", "data"],
                )
            )
    return pd.concat(parts, ignore_index=True)
