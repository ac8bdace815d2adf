"""Comments flagged for follow-up, with a note: ptx's own small store, never the hospital's source.

A flag is kept in a SQLite file beside the config (``ptx-flags.sqlite``; the current folder
without a config), so it survives restarts and is never written into a source that ptx only
reads. A flag names the source (its label) and the response's feedback_id; the listing joins
the comment from the comment index (:mod:`ptx.comments`) so it shows the date, department and
the comment's text, masked, and exports as CSV through :func:`ptx.csv_bytes`.

Only a viewer allowed row-level lists may flag or see flags, and only for the departments their
access allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from ptx.api._common import department_names, readable
from ptx.comments import comment_index
from ptx.errors import PtxError
from ptx.privacy import mask_personal_text
from ptx.query import Filters, department_ids, rows_frame
from ptx.sources import Source
from ptx.themes import settings_folder

FLAGS_FILE = "ptx-flags.sqlite"
MAX_NOTE = 2_000  # characters of a note kept
MAX_LISTED = 500  # flags listed at once, newest first

_META = sa.MetaData()
FLAGS = sa.Table(
    "flags",
    _META,
    sa.Column("source", sa.String, primary_key=True),
    sa.Column("feedback_id", sa.String, primary_key=True),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("flagged_by", sa.String, nullable=False),
    sa.Column("flagged_at", sa.DateTime, nullable=False),
)


def flags_path(source: Source) -> Path:
    """The flags file of a source's config."""
    return settings_folder(source.config) / FLAGS_FILE


def _engine(source: Source) -> sa.Engine:
    def make() -> sa.Engine:
        path = flags_path(source)
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(f"sqlite:///{path}")
        _META.create_all(engine)
        return engine

    return source.remember(("flags_engine",), make)


def _check(source: Source, filters: Filters, feedback_id: str) -> None:
    """That the viewer may flag this response: row-level lists, and its department allowed."""
    if not filters.access.may_see_row_level:
        raise PtxError(f"The {filters.access.role} role cannot flag comments.")
    index = comment_index(source)
    c = index.comments.c
    stmt = sa.select(c.department_id).where(c.feedback_id == feedback_id)
    with index.engine.connect() as conn:
        department = conn.execute(stmt).scalar()
    allowed = department_ids(source, Filters(access=filters.access))
    if department is None or (allowed is not None and department not in allowed):
        raise PtxError(f"No comment {feedback_id!r} among the comments you may see.")


def flag_comment(
    source: Source, feedback_id: str, note: str, *, filters: Filters = Filters(), user: str = ""
) -> None:
    """Flag a comment for follow-up with a note (flagging it again replaces the note)."""
    _check(source, filters, feedback_id)
    row = {
        "source": source.label,
        "feedback_id": str(feedback_id),
        "note": (note or "").strip()[:MAX_NOTE],
        "flagged_by": user or filters.access.user or "",
        "flagged_at": datetime.now(UTC).replace(tzinfo=None, microsecond=0),
    }
    with _engine(source).begin() as conn:
        conn.execute(
            FLAGS.delete().where(
                FLAGS.c.source == row["source"], FLAGS.c.feedback_id == row["feedback_id"]
            )
        )
        conn.execute(FLAGS.insert(), [row])


def unflag_comment(source: Source, feedback_id: str, *, filters: Filters = Filters()) -> None:
    """Remove a comment's flag (nothing happens when it has none)."""
    _check(source, filters, feedback_id)
    with _engine(source).begin() as conn:
        conn.execute(
            FLAGS.delete().where(FLAGS.c.source == source.label, FLAGS.c.feedback_id == feedback_id)
        )


@dataclass(frozen=True)
class Flags:
    """The flagged comments the viewer may see, newest flag first."""

    rows: pd.DataFrame  # feedback_id, flagged_at, flagged_by, note, received_date, department,
    # comment (masked)
    withheld: str | None = None

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self.rows["feedback_id"])

    def choices(self) -> dict[str, str]:
        """feedback_id -> a line naming the flag (date, department, note), for a list."""
        return {
            row.feedback_id: f"{row.received_date:%d %b %Y} · {row.department} · {row.note[:60]}"
            for row in self.rows.itertuples()
        }

    def to_frame(self) -> pd.DataFrame:
        return self.rows.copy()

    def table(self, *, export: bool = False) -> pd.DataFrame:
        out = self.rows.assign(flagged_at=self.rows["flagged_at"].astype(str))
        return readable(
            out,
            {
                "flagged_at": "Flagged (UTC)",
                "flagged_by": "Flagged by",
                "note": "Note",
                "received_date": "Date",
                "department": "Department",
                "comment": "Comment",
            },
        )


def flags(source: Source, filters: Filters = Filters()) -> Flags:
    """The flagged comments of this source in the departments the viewer may see."""
    columns = ["feedback_id", "flagged_at", "flagged_by", "note", "received_date", "department"]
    empty = pd.DataFrame(columns=[*columns, "comment"])
    if not filters.access.may_see_row_level:
        return Flags(empty, withheld=f"Flags are not listed for the {filters.access.role} role.")
    stmt = (
        sa.select(FLAGS.c.feedback_id, FLAGS.c.flagged_at, FLAGS.c.flagged_by, FLAGS.c.note)
        .where(FLAGS.c.source == source.label)
        .order_by(FLAGS.c.flagged_at.desc(), FLAGS.c.feedback_id)
        .limit(MAX_LISTED)
    )
    with _engine(source).connect() as conn:
        flagged = rows_frame(conn, stmt)
    if flagged.empty:
        return Flags(empty)
    index = comment_index(source)
    c = index.comments.c
    ids = sa.bindparam("ids", list(flagged["feedback_id"]), expanding=True)
    found = sa.select(c.feedback_id, c.received_date, c.department_id, c.comment).where(
        c.feedback_id.in_(ids)
    )
    allowed = department_ids(source, Filters(access=filters.access))
    if allowed is not None:
        found = found.where(c.department_id.in_(sa.bindparam("allowed", allowed, expanding=True)))
    with index.engine.connect() as conn:
        comments = rows_frame(conn, found)
    rows = flagged.merge(comments, on="feedback_id", how="inner")
    names = department_names(source, filters.access)
    rows["department"] = rows.pop("department_id").map(lambda d: names.get(d, d))
    rows["comment"] = rows["comment"].map(mask_personal_text)
    rows["received_date"] = pd.to_datetime(rows["received_date"]).dt.date
    return Flags(rows[[*columns, "comment"]].reset_index(drop=True))
