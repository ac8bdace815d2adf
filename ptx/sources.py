"""Open a source and present its tables under the data model's names and types.

Supported: a DuckDB file (the embedded default), a SQLite file, any SQLAlchemy URL (PostgreSQL
is tested), and a folder of export files or one export file (CSV, Excel, Parquet; imported once
into a DuckDB cache, see :mod:`ptx.ingest`).

A source needs departments and feedback, complaints or both. An optional table it lacks (feedback,
complaints, activity, question-level answers) is presented as a stand-in with the model's
columns and no rows, so that every query runs and counts nothing; :attr:`Source.absent` names
such tables, and the facade says which measures they leave out. Departments without a site or a
division column are all in one site and one division ("All sites", "All divisions", or the
config's ``[hierarchy]``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType

import sqlalchemy as sa

from ptx.benchmarks.guard import refuse_published
from ptx.config import Config, TableMapping
from ptx.errors import SchemaError, SourceError, SourceUnavailable
from ptx.ingest import FILE_SUFFIXES, IMPORT_COUNTS_TABLE, Progress, import_folder
from ptx.rules import REASON_COLUMN
from ptx.schema import SQL_TYPES, TABLES
from ptx.store import DUCKDB_SUFFIXES, SQLITE_SUFFIXES, normalise_url
from ptx.summaries import usable_summaries
from ptx.workdays import CALENDAR_TABLE, calendar_rows, install_calendar

# The site and division of departments whose source records none (unless the config's
# [hierarchy] names others).
DEFAULT_SITE = "All sites"
DEFAULT_DIVISION = "All divisions"
CONNECT_TIMEOUT_SECONDS = 10  # PostgreSQL: how long to wait for the server to answer


@dataclass(frozen=True, eq=False)
class Source:
    """An open source: an engine plus one selectable per model table present.

    ``tables[name]`` is a subquery whose columns carry the model's names and types, whatever the
    source calls them; queries are written against it (through :meth:`table`, which stands in
    for a missing optional table) and never against the raw tables.
    """

    engine: sa.Engine
    kind: str  # duckdb, sqlite, postgresql, csv, parquet or another SQLAlchemy backend
    label: str  # where it is, safe to show (no password)
    tables: MappingProxyType
    config: Config
    imported: bool = False  # export files read through the import cache
    # model table -> its daily summary table (see ptx.summaries), when complete
    summaries: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    # What is worked out once per open source (the departments, the validity predicates);
    # emptied by dispose(). Caching of query results belongs to the application.
    _memo: dict = field(default_factory=dict, repr=False)
    _memo_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def remember(self, key: tuple, make: Callable[[], object]) -> object:
        """``make()`` the first time ``key`` is asked for on this source, then the same value."""
        with self._memo_lock:
            if key not in self._memo:
                self._memo[key] = make()
            return self._memo[key]

    def table(self, name: str) -> sa.Subquery:
        """The model table ``name``; for an optional table the source lacks, a stand-in with
        the model's columns and no rows."""
        if name in self.tables:
            return self.tables[name]
        if name not in TABLES:
            raise KeyError(name)
        return self.remember(("stand_in", name), lambda: stand_in(name))

    def summary(self, name: str) -> sa.Table | None:
        """The daily summary of a model table, when the source has a complete one."""
        return self.summaries.get(name)

    def has(self, name: str) -> bool:
        """Whether the source has the model table (it may still hold no rows; see ``absent``)."""
        return name in self.tables

    @property
    def absent(self) -> frozenset[str]:
        """The model tables this source has no rows of: not there at all, or there but empty
        (a header-only CSV file). Worked out once per open source."""
        return self.remember(("absent",), self._absent)

    def _absent(self) -> frozenset[str]:
        missing = {name for name in TABLES if name not in self.tables}
        with self.engine.connect() as conn:
            for name, table in self.tables.items():
                if not TABLES[name].required and _empty(conn, sa.select(sa.literal(1)), table):
                    missing.add(name)
        return frozenset(missing)

    def filled(self, name: str, column: str) -> bool:
        """Whether any row of the model table has a value in ``column`` (an optional column
        may be mapped, or written by ptx, and still be empty throughout)."""

        def any_value() -> bool:
            if name in self.absent:
                return False
            table = self.table(name)
            with self.engine.connect() as conn:
                first = sa.select(sa.literal(1)).where(table.c[column].is_not(None))
                return not _empty(conn, first, table)

        return bool(self.remember(("filled", name, column), any_value))

    @property
    def as_of_configured(self) -> date | None:
        return self.config.as_of

    def dispose(self) -> None:
        """Close the connections, those of any other engine remembered on the source (the
        ``[benchmarks] location`` database) too, and forget what was remembered."""
        with self._memo_lock:
            remembered = list(self._memo.values())
            self._memo.clear()
        for value in remembered:
            if isinstance(value, sa.Engine) and value is not self.engine:
                value.dispose()
        self.engine.dispose()


def _empty(conn: sa.Connection, first: sa.Select, table: sa.Subquery) -> bool:
    return conn.execute(first.select_from(table).limit(1)).first() is None


def stand_in(name: str) -> sa.Subquery:
    """A model table with no rows: its columns, names and types, and ``WHERE false``."""
    columns = [sa.cast(sa.null(), SQL_TYPES[c.type]()).label(c.name) for c in TABLES[name].columns]
    return sa.select(*columns).where(sa.false()).subquery(name)


def _split_name(name: str) -> tuple[str | None, str]:
    if "." in name:
        schema, table = name.rsplit(".", 1)
        return schema, table
    return None, name


def _mapped_table(
    name: str,
    mapping: TableMapping,
    available: dict[str, str],
    label: str,
    defaults: dict[str, str] | None = None,
    types: dict[str, str] | None = None,
) -> sa.Subquery:
    """A subquery over the source table that renames and types its columns as the model does.

    ``defaults``: the value of a model column where the source's is empty or absent; ``types``:
    the source's column types, where the database keeps them (a date column stored as text
    is an error naming the column, not a failure in the middle of a query)."""
    spec = TABLES[name]
    defaults = defaults or {}
    schema, raw_name = _split_name(mapping.name)
    cols = []
    missing = []
    for col in spec.columns:
        typ = SQL_TYPES[col.type]()
        if col.name in mapping.constants:
            cols.append(sa.literal(mapping.constants[col.name], typ).label(col.name))
            continue
        wanted = mapping.source_column(col.name)
        actual = available.get(wanted) or available.get(wanted.lower())
        if col.name in defaults:
            default = sa.literal(defaults[col.name], typ)
            value = default if actual is None else sa.func.coalesce(sa.column(actual, typ), default)
            cols.append(value.label(col.name))
        elif actual is None:
            if col.required:
                missing.append((col.name, wanted))
            cols.append(sa.cast(sa.null(), typ).label(col.name))
        else:
            _check_type(label, mapping.name, name, col, actual, (types or {}).get(actual))
            cols.append(sa.column(actual, typ).label(col.name))
    if REASON_COLUMN in available:  # verdicts ptx stored when it wrote the table
        cols.append(sa.column(REASON_COLUMN, sa.Text).label(REASON_COLUMN))
    if missing:
        model, wanted = missing[0]
        raise SchemaError(
            f"{label}: table '{mapping.name}' has no column "
            + ", ".join(f"'{w}'" for _, w in missing)
            + f" (model column(s) {', '.join(m for m, _ in missing)} of '{name}'). "
            f"Columns found: {', '.join(sorted(available.values()))}. Fix: add the column, or map "
            f'it in ptx.toml under [tables.{name}.columns], e.g. {model} = "<your column>".'
        )
    raw = sa.table(raw_name, schema=schema)
    return sa.select(*cols).select_from(raw).subquery(name)


# What a model column's type needs from the source's column, where the database types it: the
# start of the type's name in information_schema (DuckDB and PostgreSQL spellings).
_TYPE_NEEDS = {
    "date": (("DATE", "TIMESTAMP"), "a date"),
    "integer": (
        (
            "INT",
            "BIGINT",
            "SMALLINT",
            "TINYINT",
            "HUGEINT",
            "UINT",
            "UBIGINT",
            "USMALLINT",
            "UTINYINT",
            "DOUBLE",
            "REAL",
            "FLOAT",
            "DECIMAL",
            "NUMERIC",
        ),
        "a number",
    ),
}


def _check_type(label, table, name, col, actual, found: str | None) -> None:
    """A SchemaError when a date or number column of the model is stored as something else."""
    if found is None or col.type not in _TYPE_NEEDS:
        return
    kinds, what = _TYPE_NEEDS[col.type]
    if found.upper().startswith(kinds):
        return
    sql = "DATE" if col.type == "date" else "INTEGER"
    raise SchemaError(
        f"{label}: column '{actual}' of table '{table}' (the model's {name}.{col.name}) is "
        f"{found}, but it must be {what}. Fix: change the column's type, read it through a "
        f"view that converts it (CAST({actual} AS {sql})), or load the file with `ptx import`, "
        "which quarantines the values that are not."
    )


def _engine_for(location: str, config: Config, progress: Progress | None):
    """Return (engine, kind, label, imported) for a path or URL."""
    if "://" in location:
        try:
            url = sa.engine.make_url(normalise_url(location))
        except sa.exc.ArgumentError:
            raise SourceError(
                "The source URL cannot be read: write it as dialect://user@host/database "
                "(for example postgresql://ptx@db.example.org/px)."
            ) from None
        kind = url.get_backend_name()
        connect_args: dict = {}
        if kind == "duckdb":
            if url.database and url.database != ":memory:" and not Path(url.database).is_file():
                raise SourceError(f"DuckDB file {url.database} does not exist.")
            connect_args = {"read_only": True}
        elif kind == "postgresql":
            # A stopped or unreachable server fails in seconds; a runaway query is cancelled.
            timeout_ms = round(config.statement_timeout_seconds * 1000)
            connect_args = {
                "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                "options": f"-c statement_timeout={timeout_ms}",
            }
        try:
            # pool_pre_ping: a connection the server dropped (a restart while the dashboard was
            # idle) is replaced before use, not handed to the next query to fail on.
            engine = sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            raise SourceError(
                f"No database driver for '{url.drivername}': install the SQLAlchemy dialect "
                f"package for it ({exc.name} is missing)."
            ) from exc
        except sa.exc.NoSuchModuleError:
            raise SourceError(
                f"'{url.drivername}' is not a database SQLAlchemy knows: use a URL such as "
                "postgresql://user@host/db, sqlite:///path.sqlite or duckdb:///path.duckdb, or "
                "install the dialect package for it."
            ) from None
        return engine, kind, url.render_as_string(hide_password=True), False
    path = Path(location).expanduser()
    if not path.exists():
        hint = " Build it with `ptx demo`." if path.suffix == ".duckdb" else ""
        raise SourceError(f"Source {path} does not exist.{hint} Or point PTX_SOURCE elsewhere.")
    suffix = path.suffix.lower()
    if path.is_dir() or suffix in FILE_SUFFIXES:  # export files: imported once into a cache
        cache = import_folder(path, config, progress=progress)
        files = path.iterdir() if path.is_dir() else [path]
        kinds = {p.suffix.lower() for p in files if p.suffix.lower() in FILE_SUFFIXES}
        kind = "parquet" if kinds == {".parquet"} else "xlsx" if kinds == {".xlsx"} else "csv"
        engine = sa.create_engine(f"duckdb:///{cache}", connect_args={"read_only": True})
        return engine, kind, str(path), True
    if suffix in DUCKDB_SUFFIXES:
        engine = sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
        return engine, "duckdb", str(path), False
    if suffix in SQLITE_SUFFIXES:
        engine = sa.create_engine(f"sqlite:///{path}", pool_pre_ping=True)
        return engine, "sqlite", str(path), False
    raise SourceError(
        f"Cannot tell what kind of source {path} is: use .duckdb, .sqlite, a folder of export "
        f"files or one export file ({', '.join(FILE_SUFFIXES)})."
    )


TYPED = ("duckdb", "postgresql")  # databases whose columns keep the type they were given


def _column_types(engine: sa.Engine, name: str, schema: str | None) -> dict[str, str] | None:
    """The declared type of each column (information_schema's name for it), or None where the
    database cannot say."""
    c = sa.table(
        "columns",
        sa.column("table_name"),
        sa.column("table_schema"),
        sa.column("column_name"),
        sa.column("data_type"),
        schema="information_schema",
    )
    where_schema = c.c.table_schema == (schema if schema else sa.func.current_schema())
    stmt = sa.select(c.c.column_name, c.c.data_type).where(c.c.table_name == name, where_schema)
    try:
        with engine.connect() as conn:
            return {column: str(kind) for column, kind in conn.execute(stmt)} or None
    except sa.exc.DBAPIError:
        return None


def _column_names(engine: sa.Engine, name: str, schema: str | None) -> list[str]:
    """The columns of a table, read from an empty result (portable where reflection is not)."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(sa.text("*")).select_from(sa.table(name, schema=schema)).limit(0)
            ).keys()
        )


def _hierarchy_defaults(config: Config) -> dict[str, str]:
    """The site and division of departments whose source has none: the config's
    ``[hierarchy]``, else "All sites" and "All divisions"."""
    hierarchy = getattr(config, "hierarchy", None)
    return {
        "site": getattr(hierarchy, "site", None) or DEFAULT_SITE,
        "division": getattr(hierarchy, "division", None) or DEFAULT_DIVISION,
    }


def open_source(config: Config, *, progress: Progress | None = None) -> Source:
    """Open the configured source and check it has every required table and column (an
    optional table may be missing: see :meth:`Source.table`).

    Raises
    ------
    SourceError
        The source cannot be reached or read.
    SchemaError
        A required table or column is missing; the message names it and the fix.
    """
    engine, kind, label, imported = _engine_for(config.location, config, progress)
    settings = config.complaints
    calendar = calendar_rows(settings.calendar, settings.backstop_months)
    dialect = engine.dialect.name

    @sa.event.listens_for(engine, "connect")
    def _install_calendar(dbapi_connection, _record) -> None:
        install_calendar(dbapi_connection, dialect, calendar)

    try:
        inspector = sa.inspect(engine)
        tables: dict[str, sa.Subquery] = {}
        schemas: dict[str | None, set[str]] = {}
        # What an import wrote (a cache, or `ptx import`'s target) already holds the model's
        # names: the mapping was applied on import.
        imported = imported or IMPORT_COUNTS_TABLE in inspector.get_table_names()
        for name, spec in TABLES.items():
            mapping = TableMapping(name) if imported else config.mapping(name)
            schema, raw_name = _split_name(mapping.name)
            if schema not in schemas:
                schemas[schema] = set(inspector.get_table_names(schema=schema)) | set(
                    inspector.get_view_names(schema=schema)
                )
            if raw_name not in schemas[schema]:
                if spec.required:
                    found = sorted(schemas[schema] - {CALENDAR_TABLE})  # not ptx's own
                    raise SchemaError(
                        f"{label}: no table '{mapping.name}' for the model's '{name}' table. "
                        f"Tables found: {', '.join(found) or 'none'}. Fix: "
                        f'create it, or map it in ptx.toml with [tables.{name}] name = "...".'
                    )
                continue
            available = {}
            for col in _column_names(engine, raw_name, schema):
                available[col] = col
                available.setdefault(col.lower(), col)
            # A table of published results (CMS HCAHPS, NHS FFT) is never read as responses.
            refuse_published(f"{label}: table '{mapping.name}'", name, list(available.values()))
            defaults = _hierarchy_defaults(config) if name == "departments" else None
            types = _column_types(engine, raw_name, schema) if dialect in TYPED else None
            tables[name] = _mapped_table(name, mapping, available, label, defaults, types)
        if not {"feedback", "complaints"} & set(tables):
            found = sorted(set().union(*schemas.values()) - {CALENDAR_TABLE})
            raise SchemaError(
                f"{label}: no table '{config.mapping('feedback').name}' or "
                f"'{config.mapping('complaints').name}': a source needs feedback, complaints or "
                f"both. Tables found: {', '.join(found) or 'none'}. Fix: create them, or map them "
                'in ptx.toml with [tables.feedback] name = "...".'
            )
        with engine.connect() as conn:
            summaries = usable_summaries(conn, tables, schemas.get(None, set()))
    except sa.exc.DBAPIError as exc:  # unreachable, refused, not a database file...
        engine.dispose()
        fault = SourceUnavailable.from_error(exc)
        if fault is not None:  # a passing fault, in words: no address, statement or path
            raise SourceUnavailable(f"Cannot open {label}. {fault}", at=fault.at) from exc
        raise SourceError(f"Cannot read {label}: {str(exc.orig).strip()}") from exc
    except BaseException:
        engine.dispose()
        raise
    return Source(
        engine=engine,
        kind=kind,
        label=label,
        tables=MappingProxyType(tables),
        config=config,
        imported=imported,
        summaries=MappingProxyType(summaries),
    )
