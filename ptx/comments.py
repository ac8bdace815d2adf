"""The comment index: each comment's themes and sentiment, computed once, and the queries on it.

Tagging a comment (a taxonomy's keywords or a trained model, and VADER; see :mod:`ptx.themes`)
costs a fraction of a millisecond; doing it on every filter change would cost seconds. So ptx
computes the tags once and stores them beside the comments:

- ``_ptx_comments``: one row per valid response with a comment: feedback_id, received_date,
  department_id, channel, rating_scale, rating, comment, sentiment (positive, neutral,
  negative), sentiment_score (VADER's compound) and themes (the keys, ``|``-separated);
- ``_ptx_comment_themes``: one row per comment and theme, with the filter columns and the
  sentiment, so theme counts and trends are a GROUP BY on one narrow table;
- ``_ptx_comment_meta``: the tagger's fingerprint, how many comments, the last date.

Where ptx writes the source itself (the demo, an import, ``ptx demo`` into SQLite or
PostgreSQL), :class:`ptx.store.Writer` builds the index in the source when it closes. For a
source ptx only reads (a hospital's SQL database), or when the taxonomy or model changed since
the source was written, the index is a private DuckDB file in ptx's cache folder (see
:mod:`ptx.cache`), built on first use and brought up to date incrementally: comments whose
feedback_id it has not seen are tagged and added, those gone from the source are dropped.

Every query here filters with :func:`ptx.query._where` on the index's own columns, so the
viewer's access and the shared filters restrict it exactly as they restrict the other pages;
search terms are bound parameters of ``LIKE`` patterns, never SQL text.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from ptx import cache
from ptx.errors import SourceError
from ptx.query import Filters, _where, rows_frame
from ptx.rules import REASON_COLUMN, VALID, model_table
from ptx.sources import Source
from ptx.store import INDEX_TABLES
from ptx.themes import Tagger, tagger_for
from ptx.validate import valid

COMMENT_THEMES, COMMENTS, COMMENT_META = INDEX_TABLES
CHUNK = 20_000  # comments tagged and written at a time
READ = 200_000  # comments read at a time while the index is built in a source ptx writes
MAX_PAGE_SIZE = 200  # a page never holds more, whatever is asked for ("all" included)
MAX_TERMS = 8  # search words and phrases used; more are ignored (each is a LIKE)
THEME_SEPARATOR = "|"
# The index's layout: part of the fingerprint it is stored with, so that an index written by
# an older ptx is rebuilt rather than misread.
INDEX_FORMAT = "2"


def theme_bits(labels) -> dict[str, int]:
    """theme key -> its bit in ``theme_bits`` (the taxonomy's order): a theme filter is then
    one bitwise AND on the comments table, not a join (tens of times faster)."""
    return {key: 1 << i for i, key in enumerate(labels)}


def index_fingerprint(tagger: Tagger) -> str:
    return f"{INDEX_FORMAT}/{tagger.fingerprint}"


_FILTER_COLUMNS = ("feedback_id", "received_date", "department_id", "channel")


def index_metadata() -> tuple[sa.Table, sa.Table, sa.Table]:
    """The index's three tables (comments, comment themes, meta)."""
    meta = sa.MetaData()

    def common() -> list[sa.Column]:
        return [
            sa.Column("feedback_id", sa.String),
            sa.Column("received_date", sa.Date),
            sa.Column("department_id", sa.String),
            sa.Column("channel", sa.String),
            sa.Column("rating_scale", sa.String),
            sa.Column("rating", sa.BigInteger),
        ]

    comments = sa.Table(
        COMMENTS,
        meta,
        *common(),
        sa.Column("comment", sa.Text),
        sa.Column("sentiment", sa.String),
        sa.Column("sentiment_score", sa.Float),
        sa.Column("themes", sa.String),
        sa.Column("theme_bits", sa.BigInteger),
    )
    themes = sa.Table(
        COMMENT_THEMES,
        meta,
        *common(),
        sa.Column("sentiment", sa.String),
        sa.Column("theme", sa.String),
    )
    info = sa.Table(
        COMMENT_META,
        meta,
        sa.Column("fingerprint", sa.String),
        sa.Column("comments", sa.BigInteger),
        sa.Column("last_date", sa.Date),
    )
    return comments, themes, info


def _tagged(frame: pd.DataFrame, tagger: Tagger) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(comment rows, comment-theme rows) of a frame of comments. Each distinct text is tagged
    once (many comments are short and repeat: "Very good", "Nothing")."""
    texts = frame["comment"].astype(str)
    distinct = pd.unique(texts)
    tags = tagger.tag(list(distinct))
    where = pd.Index(distinct).get_indexer(texts)
    themes = [tags.themes[i] for i in where]
    rows = frame.copy()
    rows["sentiment"] = [tags.sentiment[i] for i in where]
    rows["sentiment_score"] = [tags.score[i] for i in where]
    rows["themes"] = [THEME_SEPARATOR.join(t) for t in themes]
    bit = theme_bits(tagger.labels)
    rows["theme_bits"] = [sum(bit[k] for k in t) for t in themes]
    counts = [len(t) for t in themes]
    long = rows.loc[rows.index.repeat(counts), [*_FILTER_COLUMNS, "rating_scale", "rating"]]
    long["sentiment"] = rows["sentiment"].repeat(counts).to_numpy()
    long["theme"] = [key for t in themes for key in t]
    return rows, long


def _insert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    frame = frame[[c.name for c in table.columns]]
    if conn.dialect.name == "duckdb":  # a bulk insert from the frame, not row by row
        raw = conn.connection.driver_connection
        raw.register("_ptx_tags_chunk", frame)
        raw.execute(f'INSERT INTO "{table.name}" SELECT * FROM _ptx_tags_chunk')
        raw.unregister("_ptx_tags_chunk")
        return
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    conn.execute(table.insert(), records)


def _add(conn: sa.Connection, tables, chunks: Iterator[pd.DataFrame], tagger: Tagger) -> None:
    comments, themes, _ = tables
    for chunk in chunks:
        rows, long = _tagged(chunk, tagger)
        _insert(conn, comments, rows)
        _insert(conn, themes, long)


def _write_meta(conn: sa.Connection, tables, fingerprint: str) -> None:
    comments, _, info = tables
    count, last = conn.execute(
        sa.select(sa.func.count(), sa.func.max(comments.c.received_date))
    ).one()
    conn.execute(info.delete())
    conn.execute(
        info.insert(), [{"fingerprint": fingerprint, "comments": count, "last_date": last}]
    )


def _create(conn: sa.Connection) -> tuple[sa.Table, sa.Table, sa.Table]:
    tables = index_metadata()
    for table in reversed(tables):
        table.drop(conn, checkfirst=True)
    for table in tables:
        table.create(conn)
    return tables


def _chunks(conn: sa.Connection, stmt: sa.Select) -> Iterator[pd.DataFrame]:
    result = conn.execution_options(stream_results=True).execute(stmt)
    columns = list(result.keys())
    while rows := result.fetchmany(CHUNK):
        frame = pd.DataFrame.from_records([tuple(r) for r in rows], columns=columns)
        frame["received_date"] = pd.to_datetime(frame["received_date"]).dt.date
        yield frame


def _commented(t, validity) -> sa.Select:
    """The valid responses with a comment, by date and department (the index's row order)."""
    return (
        sa.select(*[t.c[c] for c in _FILTER_COLUMNS], t.c.rating_scale, t.c.rating, t.c.comment)
        .where(validity, t.c.comment.is_not(None), sa.func.trim(t.c.comment) != "")
        .order_by(t.c.department_id, t.c.received_date, t.c.feedback_id)
    )


def read_batches(day_counts, limit: int) -> Iterator[tuple[str, date, date]]:
    """(department, first day, last day) spans of consecutive days of one department, each of
    about ``limit`` rows or fewer (a single day with more is a span of its own), from rows of
    (department, day, rows) in department and day order."""
    span = None  # [department, first day, last day, rows]
    for department, day, rows in day_counts:
        if span is not None and (span[0] != department or span[3] + rows > limit):
            yield span[0], span[1], span[2]
            span = None
        if span is None:
            span = [department, day, day, 0]
        span[2], span[3] = day, span[3] + rows
    if span is not None:
        yield span[0], span[1], span[2]


def build_index(conn: sa.Connection, tagger: Tagger | None = None, *, commit: bool = False) -> None:
    """Create the index in a database ptx has just written (its ``feedback`` table carries the
    stored verdicts). Called by :class:`ptx.store.Writer` after the summaries.

    With ``commit``, each batch is committed as it is written: DuckDB holds a transaction's
    new rows in memory (building the index of 10 million responses in one transaction held
    2.4 GB, in batches 0.8 GB). The index counts as built only once its fingerprint is
    written, last, so an index cut short is never used."""
    tagger = tagger or tagger_for(None)
    tables = _create(conn)
    f = model_table("feedback", REASON_COLUMN)
    stmt = _commented(f, f.c[REASON_COLUMN] == VALID)
    # Read a batch of whole days' comments of one department before writing it: a pending
    # result on the same connection would be cut short by the inserts. Batches of about READ
    # comments keep a large build's memory small (reading a department at a time, the build
    # of 100 million responses ran out of memory here).
    day_counts = conn.execute(
        sa.select(f.c.department_id, f.c.received_date, sa.func.count())
        .where(stmt.whereclause)
        .group_by(f.c.department_id, f.c.received_date)
        .order_by(f.c.department_id, f.c.received_date)
    ).all()

    for department, first, last in read_batches(day_counts, READ):
        where = f.c.department_id == department, f.c.received_date.between(first, last)
        batch = rows_frame(conn, stmt.where(*where))
        batch["received_date"] = pd.to_datetime(batch["received_date"]).dt.date
        _add(conn, tables, [batch], tagger)
        if commit:
            conn.commit()
    _write_meta(conn, tables, index_fingerprint(tagger))
    if conn.dialect.name != "duckdb":  # row stores; DuckDB's zone maps use the row order
        comments, themes, _ = tables
        sa.Index("ix_ptx_comments", comments.c.department_id, comments.c.received_date).create(conn)
        sa.Index("ix_ptx_comment_themes", themes.c.theme, themes.c.received_date).create(conn)


@dataclass(frozen=True, eq=False)
class Index:
    """Where a source's comment index is: the engine to ask, and its tables."""

    engine: sa.Engine
    comments: sa.Table
    themes: sa.Table
    tagger: Tagger
    in_source: bool  # in the source ptx wrote, or in ptx's cache

    @property
    def labels(self) -> dict[str, str]:
        return self.tagger.labels


def _stored_fingerprint(engine: sa.Engine) -> str | None:
    """The fingerprint of the index a database holds, or None when it holds none."""
    if not {COMMENTS, COMMENT_META} <= set(sa.inspect(engine).get_table_names()):
        return None
    _, _, info = index_metadata()
    with engine.connect() as conn:
        return conn.execute(sa.select(info.c.fingerprint)).scalar()


def comment_index(source: Source) -> Index:
    """The source's comment index: the one ptx wrote in it, while it matches the tagger the
    config gives and every row still has its stored verdict; else the cache's, brought up to
    date. Worked out once per open source."""
    return source.remember(("comment_index",), lambda: _open_index(source))


def _open_index(source: Source) -> Index:
    tagger = tagger_for(source.config)
    comments, themes, _ = index_metadata()
    untouched = source.summary("feedback") is not None  # every row has its stored verdict
    if untouched and _stored_fingerprint(source.engine) == index_fingerprint(tagger):
        return Index(source.engine, comments, themes, tagger, in_source=True)
    return _cached_index(source, tagger)


def _cache_name(source: Source, tagger: Tagger) -> str:
    where = f"{source.label}\n{source.config.location}"
    digest = hashlib.sha256(f"{where}\n{index_fingerprint(tagger)}".encode()).hexdigest()[:16]
    return f"comments-{digest}"


# One engine per cache file in this process: DuckDB lets a process open a file once, with one
# configuration, so every Source opened on the same data shares it.
_ENGINES: dict[str, sa.Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _cache_engine(name: str) -> sa.Engine:
    """The engine of the cache file ``name``, opened once per process. When another process
    holds the file (two dashboard servers on one machine), this one keeps its own copy, named
    by its process id, rather than wait for it."""
    with _ENGINES_LOCK:
        if name not in _ENGINES:
            for candidate in (name, f"{name}-{os.getpid()}"):
                path = cache.private_dir() / f"{candidate}{cache.SUFFIX}"
                engine = sa.create_engine(f"duckdb:///{path}")
                try:
                    with engine.connect():
                        pass
                except sa.exc.DBAPIError:  # the file is another process's: its lock
                    engine.dispose()
                    continue
                cache.keep_private(path)
                _ENGINES[name] = engine
                break
            else:
                raise SourceError(f"Cannot open the comment index {name} in {cache.cache_dir()}.")
        return _ENGINES[name]


def _cached_index(source: Source, tagger: Tagger) -> Index:
    name = _cache_name(source, tagger)
    with cache.locked(name):
        engine = _cache_engine(name)
        with engine.begin() as conn:
            refresh_index(conn, source, tagger)
    comments, themes, _ = index_metadata()
    return Index(engine, comments, themes, tagger, in_source=False)


def refresh_index(conn: sa.Connection, source: Source, tagger: Tagger) -> int:
    """Bring an index (in ``conn``'s database, not the source's) up to date with the source:
    comments not yet in it tagged and added, comments gone from the source dropped. Returns
    how many were added."""
    present = set(INDEX_TABLES) <= set(sa.inspect(conn).get_table_names())
    tables = index_metadata() if present else _create(conn)
    comments, themes, _ = tables
    f = source.table("feedback")
    stmt = _commented(f, valid(source, "feedback"))
    with source.engine.connect() as src:
        wanted = {r[0] for r in src.execute(sa.select(stmt.subquery().c.feedback_id))}
    have = {r[0] for r in conn.execute(sa.select(comments.c.feedback_id))}
    gone = list(have - wanted)
    for start in range(0, len(gone), CHUNK):
        ids = gone[start : start + CHUNK]
        conn.execute(comments.delete().where(comments.c.feedback_id.in_(ids)))
        conn.execute(themes.delete().where(themes.c.feedback_id.in_(ids)))
    new = wanted - have
    added = 0
    if new:
        with source.engine.connect() as src:

            def fresh() -> Iterator[pd.DataFrame]:
                nonlocal added
                for chunk in _chunks(src, stmt):
                    chunk = chunk[chunk["feedback_id"].isin(new)]
                    added += len(chunk)
                    yield chunk

            _add(conn, tables, fresh(), tagger)
    _write_meta(conn, tables, index_fingerprint(tagger))
    return added


# -- queries ---------------------------------------------------------------------------------

_TERM = re.compile(r'"([^"]+)"|(\S+)')


def search_terms(search: str | None) -> tuple[str, ...]:
    """The words and "quoted phrases" of a search box, lower case, each once, at most
    MAX_TERMS.

    >>> search_terms('Parking "car park" parking')
    ('parking', 'car park')
    """
    if not search:
        return ()
    found = (a or b for a, b in _TERM.findall(search.lower()))
    terms = (t.strip() for t in found)
    return tuple(dict.fromkeys(t for t in terms if t))[:MAX_TERMS]


# The LIKE patterns' escape character. Not a backslash: Spark SQL reads one in a string literal
# as an escape, so ``ESCAPE '\\'`` does not parse there; ``!`` means nothing in any engine's
# string literals.
LIKE_ESCAPE = "!"


def _contains(comment: sa.ColumnElement, terms: Sequence[str]) -> list:
    """Conditions that the lower-cased ``comment`` holds every term, each term's own %, _ and
    escape character taken literally."""
    e = LIKE_ESCAPE
    literal = (term.replace(e, e + e).replace("%", e + "%").replace("_", e + "_") for term in terms)
    text = sa.func.lower(comment)
    return [text.like(f"%{pattern}%", escape=e) for pattern in literal]


@dataclass(frozen=True)
class Choice:
    """What the comment filters add to the shared ones (empty means all)."""

    themes: tuple[str, ...] = ()
    sentiments: tuple[str, ...] = ()
    ratings: tuple[int, ...] = ()  # FFT answers (1 very good ... 5 very poor, 6 don't know)
    terms: tuple[str, ...] = ()


def conditions(
    index: Index, source: Source, filters: Filters, choice: Choice, table: sa.Table | None = None
) -> list:
    """The WHERE conditions on an index table (the comments, or the comment themes)."""
    table = index.comments if table is None else table
    t = table.c
    conds = _where(source, "feedback", filters, "received_date", channels=True, summary=table)
    if choice.sentiments:
        conds.append(
            t.sentiment.in_(sa.bindparam("sentiments", list(choice.sentiments), expanding=True))
        )
    if choice.ratings:
        fft = t.rating.in_(sa.bindparam("ratings", list(choice.ratings), expanding=True))
        conds.append(sa.and_(t.rating_scale == "fft5", fft))
    if choice.themes and table is index.comments:
        bit = theme_bits(index.labels)
        mask = sum(bit[k] for k in choice.themes)
        conds.append(t.theme_bits.bitwise_and(sa.bindparam("theme_mask", mask)) != 0)
    elif choice.themes:
        th = index.themes.c
        tagged = sa.select(th.feedback_id).where(
            th.theme.in_(sa.bindparam("themes", list(choice.themes), expanding=True))
        )
        conds.append(t.feedback_id.in_(tagged))
    if choice.terms:
        if table is index.comments:
            conds += _contains(t.comment, choice.terms)
        else:  # the theme rows carry no text: those of the comments that match
            c = index.comments.c
            found = sa.select(c.feedback_id).where(*_contains(c.comment, choice.terms))
            conds.append(t.feedback_id.in_(found))
    return conds


def comment_rows(
    source: Source, filters: Filters, choice: Choice, *, page: int, page_size: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one page of matching comments, newest first; the matches counted by sentiment).

    The page is read with LIMIT and OFFSET: feedback_id, received_date, department_id,
    channel, rating_scale, rating, comment (as stored: mask it before showing it), sentiment,
    sentiment_score, themes. The counts: sentiment, comments."""
    index = comment_index(source)
    t = index.comments.c
    where = conditions(index, source, filters, choice)
    size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    stmt = (
        sa.select(*[t[c.name] for c in index.comments.columns])
        .where(*where)
        .order_by(t.received_date.desc(), t.feedback_id)
        .limit(size)
        .offset(max(0, int(page)) * size)
    )
    counts = sa.select(t.sentiment, sa.func.count().label("comments")).where(*where)
    counts = counts.group_by(t.sentiment).order_by(t.sentiment)
    with index.engine.connect() as conn:
        rows = rows_frame(conn, stmt)
        totals = rows_frame(conn, counts)
    if len(rows):
        rows["received_date"] = pd.to_datetime(rows["received_date"]).dt.date
    return rows, totals.astype({"comments": "int64"})


def theme_counts(
    source: Source, filters: Filters, choice: Choice, by: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(comments per group, theme and sentiment; all comments per group and sentiment).

    ``by``: "month" and/or "department_id". Columns: ``*by, theme, sentiment, comments`` and
    ``*by, sentiment, comments``."""
    index = comment_index(source)
    out = []
    for table, extra in ((index.themes, ("theme",)), (index.comments, ())):
        t = table.c
        groups, cols = [], []
        for key in by:
            if key == "month":
                year, month = (
                    sa.extract("year", t.received_date),
                    sa.extract("month", t.received_date),
                )
                groups += [year, month]
                cols += [year.label("_year"), month.label("_month")]
            else:
                groups.append(t[key])
                cols.append(t[key].label(key))
        dims = [t[c] for c in extra] + [t.sentiment]
        stmt = (
            sa.select(*cols, *dims, sa.func.count().label("comments"))
            .where(*conditions(index, source, filters, choice, table))
            .group_by(*groups, *dims)
            .order_by(*groups, *dims)
        )
        with index.engine.connect() as conn:
            frame = rows_frame(conn, stmt)
        if "_year" in frame:
            months = [
                date(int(y), int(m), 1)
                for y, m in zip(frame["_year"], frame["_month"], strict=True)
            ]
            frame = frame.drop(columns=["_year", "_month"])
            frame.insert(0, "month", months)
        out.append(frame.astype({"comments": "int64"}))
    return out[0], out[1]
