"""Writing model tables to a target: a DuckDB or SQLite file, a SQLAlchemy URL, or a folder.

Used by the demo generator and by the CSV/Parquet import. Writers append chunk by chunk, so a
ten-million-row source never has to sit in memory at once.
"""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from ptx.errors import SourceError
from ptx.rules import record_reasons
from ptx.schema import SQL_TYPES, TABLES, Table
from ptx.summaries import SUMMARIES, build_summaries, summary_table

# The comment index's tables (ptx.comments), dropped when a URL target is written again.
INDEX_TABLES = ("_ptx_comment_themes", "_ptx_comments", "_ptx_comment_meta")

DUCKDB_TYPES = {"string": "VARCHAR", "date": "DATE", "integer": "BIGINT", "boolean": "BOOLEAN"}
PANDAS_TYPES = {"string": "string", "integer": "Int64", "boolean": "boolean"}

# Indexes ptx creates on the SQLite and PostgreSQL sources it writes, and recommends for row-store
# sources it does not own: every aggregate query filters on the received date and department.
RECOMMENDED_INDEXES = {
    "feedback": ("received_date", "department_id"),
    "complaints": ("received_date", "department_id"),
    "feedback_answers": ("feedback_id",),
}
# The row order of the DuckDB files ptx writes. DuckDB keeps the minimum and maximum of every
# column per row group (about 120,000 rows) and skips the groups a filter rules out, so rows
# stored by department, then date, let a department's query read its own few groups. Answers are
# stored in the order of their responses, so a department's answers sit together too.
CLUSTER_ORDER = {
    "feedback": "SELECT * FROM feedback ORDER BY department_id, received_date, feedback_id",
    "complaints": "SELECT * FROM complaints ORDER BY department_id, received_date, complaint_id",
    "feedback_answers": (
        # One row per feedback_id on the right, so a repeated id cannot repeat answers.
        "SELECT a.* FROM feedback_answers AS a LEFT JOIN (SELECT feedback_id, "
        "min(department_id) AS department_id, min(received_date) AS received_date "
        "FROM feedback GROUP BY feedback_id) AS f USING (feedback_id) "
        "ORDER BY f.department_id, f.received_date, a.feedback_id, a.question_id"
    ),
}


def _memory_mb() -> int:
    """The memory this process may use in all, in MB: the machine's, or its control group's
    limit when that is lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        total = min(total, int(limit))
    except (OSError, ValueError):  # no cgroup v2 file, or "max"
        pass
    return total // 2**20


def duckdb_write_config() -> dict[str, str]:
    """Settings for the DuckDB connections that write a file: a memory limit of half this
    machine's memory, or ``PTX_DUCKDB_MEMORY`` (e.g. ``8GB``).

    DuckDB's own default, 80 %, leaves too little for the frames ptx holds beside it while it
    writes: a 100-million-response build was stopped by the kernel at 20.8 GB while sorting into
    row order. Under the limit, DuckDB spills its sorts and joins to a temporary folder beside
    the file (``<file>.tmp``) and removes it when done.
    """
    return {"memory_limit": os.environ.get("PTX_DUCKDB_MEMORY") or f"{_memory_mb() // 2}MB"}


def model_metadata(tables: tuple[str, ...] = tuple(TABLES)) -> sa.MetaData:
    """SQLAlchemy tables for the data model, with the model's column names and types."""
    meta = sa.MetaData()
    for name in tables:
        spec = TABLES[name]
        sa.Table(
            name,
            meta,
            *[sa.Column(c.name, SQL_TYPES[c.type], nullable=not c.required) for c in spec.columns],
        )
    return meta


def conform(frame: pd.DataFrame, spec: Table) -> pd.DataFrame:
    """Return the frame with exactly the model's columns, in order, with the model's dtypes."""
    out = pd.DataFrame(index=frame.index)
    for col in spec.columns:
        values = frame[col.name] if col.name in frame else pd.Series(None, index=frame.index)
        if col.type == "date":
            out[col.name] = pd.to_datetime(values).dt.date if len(values) else values
        else:
            out[col.name] = values.astype(PANDAS_TYPES[col.type])
    return out


class Writer:
    """Creates the model's tables at a target and appends frames to them."""

    def __init__(
        self,
        target: str | Path,
        tables: tuple[str, ...],
        *,
        fmt: str | None = None,
        latest: date | None = None,
        tagger=None,
    ):
        self.target = str(target)
        self.tagger = tagger  # tags the comments (ptx.themes.Tagger); None: the default's
        self.tables = tables
        self.latest = latest  # the last plausible date (see ptx.rules.latest_plausible)
        self.kind = _target_kind(self.target, fmt)
        if self.kind == "spark":  # Spark updates no Parquet rows: see ptx.spark.staged
            raise SourceError(
                f"{shown(self.target)}: Spark tables are written through ptx.spark.staged "
                "(`ptx demo` and `ptx import` do that)."
            )
        self._written: set[str] = set()
        if self.kind == "duckdb":
            import duckdb

            # A duckdb:/// URL names a file as a path does: both are written the same way.
            path = self._path = _duckdb_file(self.target)
            path.parent.mkdir(parents=True, exist_ok=True)
            for stale in (path, path.with_name(path.name + ".wal")):
                stale.unlink(missing_ok=True)
            self._duck = duckdb.connect(str(path), config=duckdb_write_config())
            for name in tables:
                cols = ", ".join(f'"{c.name}" {DUCKDB_TYPES[c.type]}' for c in TABLES[name].columns)
                self._duck.execute(f'CREATE TABLE "{name}" ({cols})')
        elif self.kind in ("csv", "parquet"):
            Path(self.target).mkdir(parents=True, exist_ok=True)
            for name in tables:
                (Path(self.target) / f"{name}.{self.kind}").unlink(missing_ok=True)
            self._parts: dict[str, list[pd.DataFrame]] = {name: [] for name in tables}
        else:
            url = self.target if "://" in self.target else f"sqlite:///{self.target}"
            if self.kind == "sqlite" and "://" not in self.target:
                Path(self.target).unlink(missing_ok=True)  # a URL's tables are replaced below
            self._engine = sa.create_engine(normalise_url(url))
            self._meta = model_metadata(tables)
            with self._engine.begin() as conn:
                # Writing replaces what ptx wrote before: its summaries and comment index,
                # then the tables.
                for name in INDEX_TABLES:
                    sa.Table(name, sa.MetaData()).drop(conn, checkfirst=True)
                for summary in SUMMARIES.values():
                    summary_table(summary).drop(conn, checkfirst=True)
                self._meta.drop_all(conn)
                self._meta.create_all(conn)

    def append(self, name: str, frame: pd.DataFrame) -> None:
        frame = conform(frame, TABLES[name])
        if frame.empty:  # nothing to add (an empty insert is a DEFAULT VALUES row on SQLite)
            self._written.add(name)
            return
        if self.kind == "duckdb":
            self._duck.register("_ptx_chunk", frame)
            self._duck.execute(f'INSERT INTO "{name}" SELECT * FROM _ptx_chunk')
            self._duck.unregister("_ptx_chunk")
        elif self.kind in ("csv", "parquet"):
            self._parts[name].append(frame)
        elif self.kind == "postgresql":
            self._copy_postgres(name, frame)
        else:
            records = frame.astype(object).where(frame.notna(), None).to_dict("records")
            with self._engine.begin() as conn:
                conn.execute(self._meta.tables[name].insert(), records)
        self._written.add(name)

    def _cluster(self) -> None:
        """Rewrite the large DuckDB tables in CLUSTER_ORDER (answers before their responses,
        whose order they follow)."""
        for name in ("feedback_answers", "feedback", "complaints"):
            if name not in self.tables or (
                name == "feedback_answers" and "feedback" not in self.tables
            ):
                continue
            self._duck.execute(f'CREATE TABLE "_ptx_sorted" AS {CLUSTER_ORDER[name]}')
            self._duck.execute(f'DROP TABLE "{name}"')
            self._duck.execute(f'ALTER TABLE "_ptx_sorted" RENAME TO "{name}"')

    def _copy_postgres(self, name: str, frame: pd.DataFrame) -> None:
        buf = io.StringIO()
        frame.to_csv(buf, index=False, header=False, na_rep="\\N")
        buf.seek(0)
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        raw = self._engine.raw_connection()
        try:
            with raw.cursor() as cur:
                copy_sql = f"COPY \"{name}\" ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
                with cur.copy(copy_sql) as copy:
                    while chunk := buf.read(1 << 20):
                        copy.write(chunk)
            raw.commit()
        finally:
            raw.close()

    def close(self) -> None:
        if self.kind == "duckdb":
            # No indexes: DuckDB's aggregate scans use its min/max zone maps, not ART indexes;
            # what helps them is the row order (see CLUSTER_ORDER).
            self._cluster()
            self._duck.close()
            engine = sa.create_engine(
                f"duckdb:///{self._path}", connect_args={"config": duckdb_write_config()}
            )
            with engine.begin() as conn:
                record_reasons(conn, self._checked_tables(), latest=self.latest)
                build_summaries(conn, self._checked_tables())
            self._index_comments(engine)
            with engine.connect() as conn:
                conn.exec_driver_sql("CHECKPOINT")
            engine.dispose()
        elif self.kind in ("csv", "parquet"):
            for name, parts in self._parts.items():
                frame = pd.concat(parts) if parts else conform(pd.DataFrame(), TABLES[name])
                path = Path(self.target) / f"{name}.{self.kind}"
                if self.kind == "csv":
                    frame.to_csv(path, index=False)
                else:
                    frame.to_parquet(path, index=False)
        else:
            with self._engine.begin() as conn:
                record_reasons(conn, self._checked_tables(), latest=self.latest)
                build_summaries(conn, self._checked_tables())
                for name, cols in RECOMMENDED_INDEXES.items():
                    if name in self.tables:
                        table = self._meta.tables[name]
                        sa.Index(f"ix_{name}", *[table.c[c] for c in cols]).create(conn)
            self._index_comments(self._engine)
            if self.kind == "postgresql":
                # The verdicts were written as updates: reclaim the old row versions.
                with self._engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql("VACUUM ANALYZE")
            self._engine.dispose()

    def _index_comments(self, engine: sa.Engine) -> None:
        """Tag the comments once, beside them (see :mod:`ptx.comments`), committed batch by
        batch."""
        if "feedback" in self._checked_tables():
            from ptx.comments import build_index  # it reads sources, which import this module

            with engine.connect() as conn:
                build_index(conn, self.tagger, commit=True)
                conn.commit()

    def discard(self) -> None:
        """Give up a write that failed part way: close what is open (the caller removes the
        file it was writing, if it wants to)."""
        if self.kind == "duckdb":
            self._duck.close()
        elif self.kind not in ("csv", "parquet"):
            self._engine.dispose()

    def _checked_tables(self) -> tuple[str, ...]:
        """The tables whose verdicts can be stored: all, when departments was written too."""
        return self.tables if "departments" in self.tables else ()


# spark:// (and hive://, the Thrift server's usual scheme): PyHive mended for Spark SQL, loaded
# only when such a URL is opened (see ptx.spark).
sa.dialects.registry.register("spark", "ptx.spark", "SparkDialect")
SPARK_SCHEMES = ("spark", "hive")


def normalise_url(url: str) -> str:
    """Use psycopg 3 for a bare postgresql:// URL, and ptx's Spark dialect for spark:// and
    hive://."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if is_spark(url):
        return "spark://" + url.split("://", 1)[1]
    return url


def is_spark(target: str | Path) -> bool:
    """Whether a source or write target is a Spark Thrift server URL."""
    scheme, sep, _ = str(target).partition("://")
    return bool(sep) and scheme.lower() in SPARK_SCHEMES


def shown(location: str | Path) -> str:
    """A path or URL as ptx prints it: a URL's password replaced by ``***``."""
    location = str(location)
    if "://" not in location:
        return location
    try:
        return sa.engine.make_url(location).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:  # not a URL SQLAlchemy reads: show no part after the scheme
        return location.split("://", 1)[0] + "://***"


def database_url(target: str | Path) -> str:
    """The SQLAlchemy URL of a write target: a .duckdb or .sqlite file, or a URL."""
    target = str(target)
    if "://" in target:
        return normalise_url(target)
    kind = _target_kind(target, None)
    return f"{kind}:///{target}"


DUCKDB_SUFFIXES = (".duckdb", ".ddb")
SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


def is_database(target: str | Path) -> bool:
    """Whether a target names a database: a SQLAlchemy URL or a DuckDB or SQLite file."""
    target = str(target)
    return "://" in target or Path(target).suffix.lower() in DUCKDB_SUFFIXES + SQLITE_SUFFIXES


def _duckdb_file(target: str) -> Path:
    """The file a DuckDB target (a path or a duckdb:/// URL) names."""
    if "://" not in target:
        return Path(target)
    database = sa.engine.make_url(target).database
    if not database or database == ":memory:":
        raise SourceError(
            f"'{shown(target)}' names no DuckDB file: write duckdb:///path/to/file.duckdb "
            "(four slashes before an absolute path)."
        )
    return Path(database).expanduser()


def _target_kind(target: str, fmt: str | None) -> str:
    if "://" in target:
        return sa.engine.make_url(normalise_url(target)).get_backend_name()
    suffix = Path(target).suffix.lower()
    if suffix in DUCKDB_SUFFIXES:
        return "duckdb"
    if suffix in SQLITE_SUFFIXES:
        return "sqlite"
    if suffix:
        raise SourceError(
            f"Cannot tell what to write from '{shown(target)}': use a .duckdb or .sqlite file, "
            "a folder (with --format csv or parquet) or a SQLAlchemy URL."
        )
    if fmt not in ("csv", "parquet"):
        raise SourceError(f"'{target}' is a folder: say --format csv or --format parquet.")
    return fmt
