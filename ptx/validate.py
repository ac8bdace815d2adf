"""The one validation boundary every source passes.

Each model table has rules written as SQL expressions, so the database checks them wherever the
data lives. A row that breaks a rule is quarantined: counted, listed with its reason, and left
out of every KPI query (they all select through :func:`valid`). Nothing is dropped silently:
for every table, rows read = rows loaded + rows quarantined.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from ptx.importing.guard import comment_checks
from ptx.importing.values import code_label
from ptx.ingest import (
    IMPORT_COUNTS_TABLE,
    NOTES_TABLE,
    PUBLISHED,
    QUARANTINE_TABLE,
    REPORT_COLUMNS,
    RESPONSES_TABLE,
    VALUES_TABLE,
)
from ptx.rules import REASON_COLUMN, VALID, reason_expression
from ptx.schema import KO41A_SUBJECTS, TABLES
from ptx.sources import Source
from ptx.summaries import SUMMARIES, has_unchecked

QUARANTINE_LIST_LIMIT = 10_000
HIDDEN = ("_reason", REASON_COLUMN)  # not part of a listed row's data


def _rules_and_verdict(source: Source, name: str):
    """(the rules' reason expression, the stored verdict column or None); the rules are None
    when every row has its stored verdict (see :func:`all_checked`)."""
    t = source.table(name).c
    if all_checked(source, name):
        return None, t[REASON_COLUMN]
    live = reason_expression(
        name,
        t,
        source.table("departments").c,
        latest=source.config.latest_date,
        feedback=source.table("feedback").c,
    )
    return live, t.get(REASON_COLUMN)


def all_checked(source: Source, name: str) -> bool:
    """Whether every row of ``name`` has the verdict ptx stored when it wrote the table (no row
    added since by another tool). Then the stored verdicts alone say which rows are valid, and
    no statement evaluates the rules, whose duplicate and reference checks read the whole table
    whatever the filters (at 10 million complaints, most of a department's query). Asked once
    per open source and table, like the summaries' completeness (see ptx.summaries)."""

    def ask() -> bool:
        table = source.table(name)
        if REASON_COLUMN not in table.c:
            return False
        if any(name in SUMMARIES[key].sources for key in source.summaries):
            return True  # a usable summary was found complete when the source was opened
        with source.engine.connect() as conn:
            return not has_unchecked(conn, table)

    return source.remember(("all_checked", name), ask)


def quarantine_reason(source: Source, name: str) -> sa.ColumnElement:
    """SQL expression: why a row of ``name`` is quarantined, or NULL when it is valid.

    Where ptx wrote the table it stored each row's verdict (see :mod:`ptx.rules`); rows without
    one (added to the table later) are checked against the rules here. Built once per open source
    and table (every aggregate statement embeds it)."""

    def make() -> sa.ColumnElement:
        live, stored = _rules_and_verdict(source, name)
        if stored is None:
            return live
        if live is None:
            return sa.case((stored == VALID, sa.null()), else_=stored)
        return sa.case((stored == VALID, sa.null()), (stored.is_(None), live), else_=stored)

    return source.remember(("quarantine_reason", name), make)


def valid(source: Source, name: str) -> sa.ColumnElement:
    """SQL predicate true for the rows of ``name`` that pass validation (built once per open
    source and table)."""

    def make() -> sa.ColumnElement:
        live, stored = _rules_and_verdict(source, name)
        if stored is None:
            return live.is_(None)
        if live is None:
            return stored == VALID
        # The stored verdict first: the rules run only for rows that have none.
        return sa.or_(stored == VALID, sa.and_(stored.is_(None), live.is_(None)))

    return source.remember(("valid", name), make)


def report_table(source: Source, name: str) -> sa.TableClause | None:
    """A table an import stored beside the model's (see :mod:`ptx.ingest`), if the source has it."""

    def make():
        present = set(sa.inspect(source.engine).get_table_names())
        return {
            n: sa.table(n, *map(sa.column, columns))
            for n, columns in REPORT_COLUMNS.items()
            if n in present
        }

    return source.remember(("report_tables",), make).get(name)


@dataclass(frozen=True)
class ValidationReport:
    """Counts per table, quarantine reasons, what an import read, and warnings.

    ``tables`` columns: table, rows_read, rows_loaded, rows_quarantined, records (rows in the
    table: responses, where several rows of an export were one response).
    ``reasons`` columns: table, reason, rows, example.
    ``values`` columns: table, column, source_value, model_value, label, rows, share (%): how an
    import read each answer value, so a reversed or misread scale shows at a glance.
    ``notes``: plain sentences on how the source was read (encodings, dates, generated ids...).
    ``warnings``: what looks wrong but quarantines nothing.
    """

    source: str
    tables: pd.DataFrame
    reasons: pd.DataFrame
    warnings: tuple[str, ...]
    values: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=VALUE_COLUMNS))
    notes: tuple[str, ...] = ()
    alarms: tuple[str, ...] = ()  # the warnings that make the source not OK

    @property
    def quarantined(self) -> int:
        return int(self.tables["rows_quarantined"].sum())

    @property
    def ok(self) -> bool:
        """No row quarantined, nothing alarming (a scale that looks reversed, nothing loaded)."""
        return self.quarantined == 0 and not self.alarms

    def to_text(self) -> str:
        lines = [f"Source: {self.source}", ""]
        lines.append(self.tables.to_string(index=False))
        if len(self.reasons):
            lines += ["", "Quarantined rows by reason:", self.reasons.to_string(index=False)]
        if len(self.values):
            lines += ["", "Answer values as read:", self.values.to_string(index=False)]
        if self.notes:
            lines += ["", "How the source was read:"] + [f"- {n}" for n in self.notes]
        if self.warnings:
            lines.append("")
        for w in self.warnings:
            lines.append(f"warning: {w}")
        verdict = "OK" if self.ok else f"{self.quarantined} row(s) quarantined"
        if self.alarms:
            verdict = f"{verdict}; {len(self.alarms)} warning(s) to act on"
        lines += ["", f"Result: {verdict}"]
        return "\n".join(lines)


VALUE_COLUMNS = ["table", "column", "source_value", "model_value", "label", "rows", "share"]


def _import_counts(source: Source) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per table: rows_read and rows_loaded in the files; reasons the import quarantined rows,
    with an example value each)."""
    counts_t, q_t = (
        report_table(source, IMPORT_COUNTS_TABLE),
        report_table(source, QUARANTINE_TABLE),
    )
    if counts_t is None or q_t is None:
        return pd.DataFrame(
            columns=["table_name", "rows_read", "rows_loaded", "records"]
        ), pd.DataFrame(columns=["table", "reason", "rows", "example"])
    with source.engine.connect() as conn:
        read = pd.DataFrame(
            conn.execute(
                sa.select(
                    counts_t.c.table_name,
                    counts_t.c.rows_read,
                    counts_t.c.rows_loaded,
                    counts_t.c.records,
                )
            ).all(),
            columns=["table_name", "rows_read", "rows_loaded", "records"],
        )
        reasons = pd.DataFrame(
            conn.execute(
                sa.select(q_t.c.table_name, q_t.c.reason, sa.func.count()).group_by(
                    q_t.c.table_name, q_t.c.reason
                )
            ).all(),
            columns=["table", "reason", "rows"],
        )
    # Import reasons name the value ("x: 'abc' is not a date"); group them by their column and
    # keep one value as the example.
    found = reasons["reason"].str.extract(r"^(?P<head>[^']*?): '(?P<value>.*)' (?P<tail>is .*)$")
    has_value = found["value"].notna()
    reasons["example"] = found["value"].where(has_value, "")
    reasons["reason"] = reasons["reason"].where(
        ~has_value, found["head"] + ": value " + found["tail"]
    )
    reasons = reasons.groupby(["table", "reason"], as_index=False).agg(
        rows=("rows", "sum"), example=("example", "first")
    )
    return read, reasons


def _value_table(source: Source) -> pd.DataFrame:
    values_t = report_table(source, VALUES_TABLE)
    if values_t is None:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    with source.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(sa.select(values_t)).mappings().all())
    if frame.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    frame = frame.rename(columns={"table_name": "table", "column_name": "column"})
    frame["source_value"] = frame["source_value"].replace("", "(empty)")
    frame["label"] = [
        code_label(scale, code) if code is not None and not pd.isna(code) else "(missing)"
        for scale, code in zip(frame["scale"], frame["model_value"], strict=True)
    ]
    frame["model_value"] = [
        "" if code is None or pd.isna(code) else str(int(code)) for code in frame["model_value"]
    ]
    total = frame.groupby(["table", "column"])["rows"].transform("sum")
    frame["share"] = (100 * frame["rows"] / total).round(1)
    return frame[VALUE_COLUMNS].reset_index(drop=True)


def _import_notes(source: Source) -> list[str]:
    notes_t = report_table(source, NOTES_TABLE)
    if notes_t is None:
        return []
    with source.engine.connect() as conn:
        return [
            f"{t}: {n}" for t, n in conn.execute(sa.select(notes_t.c.table_name, notes_t.c.note))
        ]


def _rows_behind(conn, source: Source, name: str, reason) -> int | None:
    """Source rows behind the quarantined records of a table whose rows were folded into
    responses (several export rows per record), or None when the table was not folded."""
    folded = report_table(source, RESPONSES_TABLE)
    if folded is None or name != "feedback":
        return None
    t = source.table(name)
    return int(
        conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(folded.c.rows), 0))
            .select_from(t.join(folded, folded.c.feedback_id == t.c.feedback_id))
            .where(reason.is_not(None))
        ).scalar_one()
    )


def validation_report(source: Source) -> ValidationReport:
    """Check every table of the source and count what passes and what is quarantined."""
    in_files, import_reasons = _import_counts(source)
    in_files = in_files.set_index("table_name")
    rows, reason_frames, warnings = [], [import_reasons], []
    with source.engine.connect() as conn:
        for name in source.tables:
            reason = quarantine_reason(source, name).label("reason")
            by_reason = conn.execute(
                sa.select(reason, sa.func.count().label("rows")).group_by(reason)
            ).all()
            total = sum(n for _, n in by_reason)
            bad = pd.DataFrame(
                [(name, r, n, "") for r, n in by_reason if r is not None],
                columns=["table", "reason", "rows", "example"],
            )
            reason_frames.append(bad)
            ruled_out = int(bad["rows"].sum())
            if name in in_files.index:
                read = int(in_files.at[name, "rows_read"])
                behind = _rows_behind(conn, source, name, quarantine_reason(source, name))
                loaded = int(in_files.at[name, "rows_loaded"]) - (
                    ruled_out if behind is None else behind
                )
            else:
                read, loaded = total, total - ruled_out
            rows.append(
                {
                    "table": name,
                    "rows_read": read,
                    "rows_loaded": loaded,
                    "rows_quarantined": read - loaded,
                    "records": total - ruled_out,
                }
            )
        if PUBLISHED in in_files.index:  # published results files: as their import read them
            files = in_files.loc[[PUBLISHED]]
            read, loaded = int(files["rows_read"].sum()), int(files["rows_loaded"].sum())
            rows.append(
                {
                    "table": PUBLISHED,
                    "rows_read": read,
                    "rows_loaded": loaded,
                    "rows_quarantined": read - loaded,
                    "records": int(files["records"].sum()),
                }
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
    comment_notes, comment_warnings = comment_checks(source, valid(source, "feedback"))
    shown = {r["table"]: r["records"] for r in rows}
    if not shown.get("feedback") and not shown.get("complaints"):
        comment_warnings.append(
            "nothing to show: no feedback or complaint was loaded (see the reasons above)."
        )
    reasons = pd.concat([f for f in reason_frames if len(f)] or [reason_frames[0]])
    return ValidationReport(
        source=source.label,
        tables=pd.DataFrame(rows),
        # Ties in rows by reason: engines group in different orders.
        reasons=reasons.sort_values(
            ["table", "rows", "reason"], ascending=[True, False, True]
        ).reset_index(drop=True),
        warnings=tuple(warnings + comment_warnings),
        alarms=tuple(comment_warnings),
        values=_value_table(source),
        notes=tuple(_import_notes(source) + comment_notes),
    )


def quarantined_rows(source: Source, *, limit: int = QUARANTINE_LIST_LIMIT) -> pd.DataFrame:
    """The quarantined rows themselves (at most ``limit`` per table and stage).

    Columns: table, row (file row number for import failures, else the row's key), reason,
    data (the row's values as JSON).
    """
    parts = []
    q_t = report_table(source, QUARANTINE_TABLE)
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
