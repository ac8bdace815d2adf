"""Spark SQL through its Thrift server: every difference from the other engines, in one place.

ptx reaches a Spark Thrift server (on-premise Spark, or the same server a Databricks or Synapse
deployment runs) with a SQLAlchemy URL, ``spark://host:port/database`` or
``hive://host:port/database``, through PyHive (``pip install 'ptx[spark]'``). Its SQLAlchemy
dialect has faults that matter to ptx; :class:`SparkDialect` mends them:

- ``CAST(x AS DATE)`` was compiled as ``CAST(x AS TIMESTAMP)``: DATE is DATE;
- DATE columns come back as ISO strings: they are read as dates;
- ``get_table_names`` returned the namespace column of ``SHOW TABLES`` (``default``, ...), and
  ``has_table`` raised on Spark's TABLE_OR_VIEW_NOT_FOUND: both read ``SHOW TABLES``;
- ``pandas.read_sql`` asks ``has_table`` whether a statement is a table name: a statement is
  answered "no" without a round trip;
- string parameters were quoted for Hive, where a backslash is an ordinary character; Spark
  reads it as an escape, so a value ending in a backslash could end the quoted string early;
- the pool's pre-ping (``SELECT 1`` before each checkout, so a connection the server dropped is
  replaced) is a Thrift round trip of 0.2-0.3 s, paid before every statement of a page: a
  connection used in the last :data:`PING_AFTER_IDLE_SECONDS` is not pinged again.

Besides the dialect:

- the working-day calendar is a per-session temporary view that Spark generates itself from
  ``sequence()``, the weekday and the holiday list (:func:`ptx.workdays.calendar_view_sql`,
  beside the other engines' calendar tables), not a temporary table filled row by row (Spark
  has no temporary tables without a provider, and 26,000 single-row inserts take an hour);
- Spark cannot update rows of a Parquet table, so ptx never writes through the Thrift server:
  :func:`staged` writes the demo or an import (the tables, each row's stored verdict, the daily
  summaries, the import's report) into a DuckDB file as for any other target, then
  :func:`publish` copies every table to Parquet in the database's warehouse folder (feedback
  and complaints partitioned by month of receipt) and registers it
  (``CREATE TABLE ... USING parquet LOCATION ...``). A warehouse ptx did not write has no stored
  verdicts or summaries; ptx then evaluates the rules and counts from the rows, and writes
  nothing.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import time
import weakref
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlparse

import sqlalchemy as sa
from pyhive import hive
from pyhive.common import ParamEscaper
from pyhive.sqlalchemy_hive import HiveDialect, HiveTypeCompiler

from ptx.errors import SourceError
from ptx.summaries import SUMMARIES

# Tables published partitioned by the year and month of this date column (an integer yyyymm in
# a column ``received_month``, one folder each), once they hold PARTITION_MIN_ROWS rows. Each
# file is at least one task, and on small data the tasks, not the rows, are what a query waits
# for (a 20,000-row feedback table in 36 monthly files counted in 4-11 s, in one file in about
# 1 s, on a two-worker cluster on loopback); on large data Spark skips a month's files by their
# Parquet min/max statistics of received_date, and prunes folders when a query names the
# partition column.
PARTITIONED = {"feedback": "received_date", "complaints": "received_date"}
PARTITION_COLUMN = "received_month"
PARTITION_MIN_ROWS = 2_000_000
# A connection that ran a statement this recently is taken to be alive without a ping: a server
# restart within this time fails one statement (shown as the source being unavailable, and the
# next rerun reconnects) instead of every statement paying a round trip.
PING_AFTER_IDLE_SECONDS = 30.0


class _SparkDate(sa.types.Date):
    """DATE, read back from the ISO string the Thrift server sends."""

    def result_processor(self, dialect, coltype):
        def process(value):
            if value is None or isinstance(value, date):
                return value
            return date.fromisoformat(str(value)[:10])

        return process


class _SparkTypeCompiler(HiveTypeCompiler):
    def visit_DATE(self, type_, **kw):
        return "DATE"


class _SparkEscaper(ParamEscaper):
    """Parameters rendered as Spark SQL literals: a backslash is an escape character there."""

    def escape_string(self, item):
        if isinstance(item, bytes):
            item = item.decode("utf-8")
        return "'" + item.replace("\\", "\\\\").replace("'", "\\'") + "'"


_ESCAPER = _SparkEscaper()


class SparkDialect(HiveDialect):
    """PyHive's Hive dialect, mended for Spark SQL (see the module's note)."""

    name = "spark"
    supports_statement_cache = True
    type_compiler = type_compiler_cls = _SparkTypeCompiler
    colspecs = {sa.types.Date: _SparkDate}

    @classmethod
    def import_dbapi(cls):
        return hive

    # DB-API connection -> when it last answered (time.monotonic()); see do_ping.
    _answered: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _executed(self, cursor) -> None:
        connection = getattr(cursor, "_connection", None)
        if connection is not None:
            self._answered[connection] = time.monotonic()

    def do_execute(self, cursor, statement, parameters, context=None):
        if parameters is not None:
            # pyformat, as PyHive does it, with Spark's quoting ("%%" becomes "%" too).
            statement = statement % _ESCAPER.escape_args(parameters)
        cursor.execute(statement)
        self._executed(cursor)

    def do_execute_no_params(self, cursor, statement, context=None):
        cursor.execute(statement)
        self._executed(cursor)

    def do_ping(self, dbapi_connection) -> bool:
        """Ping (a round trip) only a connection idle for PING_AFTER_IDLE_SECONDS or more."""
        answered = self._answered.get(dbapi_connection)
        if answered is not None and time.monotonic() - answered < PING_AFTER_IDLE_SECONDS:
            return True
        alive = super().do_ping(dbapi_connection)
        self._answered[dbapi_connection] = time.monotonic()
        return alive

    def do_executemany(self, cursor, statement, parameters, context=None):
        for params in parameters:
            self.do_execute(cursor, statement, params, context)

    def _names(self, connection, what: str, schema: str | None) -> list[str]:
        query = f"SHOW {what}"
        if schema:
            query += " IN " + self.identifier_preparer.quote_identifier(schema)
        # (namespace, name, isTemporary): the session's temporary views are not the database's.
        return [row[1] for row in connection.exec_driver_sql(query) if not row[2]]

    def get_table_names(self, connection, schema=None, **kw):
        return self._names(connection, "TABLES", schema)

    def get_view_names(self, connection, schema=None, **kw):
        return self._names(connection, "VIEWS", schema)

    def has_table(self, connection, table_name, schema=None, **kw):
        if not isinstance(table_name, str) or re.search(r"\s", table_name):
            return False  # a statement (pandas.read_sql asks), not a table name
        return table_name.lower() in {n.lower() for n in self._names(connection, "TABLES", schema)}


# --- writing: stage in DuckDB, publish as Parquet ------------------------------------------------


def _engine(url: str) -> sa.Engine:
    from ptx.store import normalise_url

    return sa.create_engine(normalise_url(url))


def warehouse_folder(conn: sa.Connection, database: str) -> Path:
    """The local folder of a Spark database (where its tables' files go)."""
    rows = conn.exec_driver_sql(f"DESCRIBE NAMESPACE `{database}`").all()
    location = next((str(v) for k, v in rows if str(k).lower() == "location"), "")
    parsed = urlparse(location)
    if parsed.scheme not in ("file", "") or not parsed.path:
        raise SourceError(
            f"Spark keeps database '{database}' at {location or 'no location'}, which ptx cannot "
            "write from this machine: ptx writes Parquet into a warehouse folder it can reach "
            "(file:). Write the files elsewhere (`ptx demo --format parquet DIR`, or your own "
            "pipeline) and register them with CREATE TABLE ... USING parquet LOCATION '...'."
        )
    return Path(unquote(parsed.path))


@contextlib.contextmanager
def staged(target: str) -> Iterator[Path]:
    """A DuckDB file to write instead of the Spark ``target``; published when the block ends
    without an error. The file sits in the warehouse folder (the same disk as the Parquet it
    becomes) and is removed afterwards."""
    engine = _engine(target)
    try:
        database = engine.url.database or "default"
        with engine.connect() as conn:
            folder = warehouse_folder(conn, database)
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".ptx-staging-", dir=folder) as staging:
            path = Path(staging) / "staged.duckdb"
            yield path
            publish(path, engine, folder)
    finally:
        engine.dispose()


def _copy_statement(name: str, columns: list[str], folder: Path, partitioned: bool) -> str:
    if partitioned:
        date_column = PARTITIONED[name]
        month = f"CAST(strftime(\"{date_column}\", '%Y%m') AS INTEGER) AS {PARTITION_COLUMN}"
        return (
            f"COPY (SELECT *, {month} FROM \"{name}\") TO '{folder}' "
            f"(FORMAT parquet, PARTITION_BY ({PARTITION_COLUMN}), OVERWRITE_OR_IGNORE)"
        )
    return f"COPY \"{name}\" TO '{folder}/part-0.parquet' (FORMAT parquet)"


def publish(
    staging: Path, engine: sa.Engine, folder: Path, *, partition_min_rows: int = PARTITION_MIN_ROWS
) -> list[str]:
    """Copy every table of the DuckDB file ``staging`` to Parquet under ``folder`` and register
    it in Spark under its own name, replacing what ptx wrote there before (its summaries too).
    Feedback and complaints of ``partition_min_rows`` rows or more are partitioned by month.
    Returns the tables published."""
    import duckdb

    from ptx.store import duckdb_write_config  # the store registers this module's dialect

    # Writing Parquet partitioned by month holds a buffer per partition: under the writers'
    # memory limit, as the staging file was written.
    duck = duckdb.connect(str(staging), read_only=True, config=duckdb_write_config())
    try:
        tables = {
            name: [
                c
                for (c,) in duck.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                    "ORDER BY ordinal_position",
                    [name],
                ).fetchall()
            ]
            for (name,) in duck.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        }
        with engine.connect() as conn:
            for name in sorted({*tables, *(s.name for s in SUMMARIES.values())}):
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS `{name}`")
            for name, columns in tables.items():
                where = folder / name
                shutil.rmtree(where, ignore_errors=True)
                where.mkdir(parents=True)
                (rows,) = duck.execute(f'SELECT count(*) FROM "{name}"').fetchone()
                partitioned = PARTITIONED.get(name) in columns and rows >= partition_min_rows
                duck.execute(_copy_statement(name, columns, where, partitioned))
                conn.exec_driver_sql(f"CREATE TABLE `{name}` USING parquet LOCATION '{where}'")
                if partitioned:  # the metastore learns a table's partitions from a repair
                    conn.exec_driver_sql(f"MSCK REPAIR TABLE `{name}`")
    finally:
        duck.close()
    return sorted(tables)
