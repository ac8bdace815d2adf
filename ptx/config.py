"""Where the data is and how its columns map onto the ptx data model.

A source is named by a path or a SQLAlchemy URL, from (first wins) an explicit argument, the
``PTX_SOURCE`` environment variable, the ``[source] location`` of the config file, or the
demo source ``data/demo.duckdb`` in the current folder (what ``ptx demo`` writes by default, and
what the dashboard opens when started from the repository). When none is given and that file does
not exist, :func:`load_config` raises :class:`~ptx.errors.SourceError` saying how to make one. The
config file is ``PTX_CONFIG`` or ``./ptx.toml`` when present::

    [source]
    location = "postgresql://ptx@db.example.org/patient_experience"
    as_of = "2026-09-30"          # optional; default: the latest date in the data

    [tables.feedback]
    name = "fft_responses"        # the table (or CSV/Parquet file stem) in the source
    date_format = "%d/%m/%Y"      # CSV/Parquet only; default ISO 8601 (YYYY-MM-DD)

    [tables.feedback.columns]     # model column = source column
    received_date = "Date"
    department_id = "Ward code"

    [tables.feedback.constants]   # a model column the source lacks, with one value for all rows
    rating_scale = "fft5"

    [complaints]
    acknowledge_working_days = 3  # NHS complaints regulations: acknowledge within 3 working days
    resolve_working_days = 25     # the organisation's own resolution target
    holiday_country = "GB"        # public holidays from the holidays package
    holiday_region = "ENG"        # England and Wales bank holidays; "" for a whole country
    closures = ["2025-12-24"]     # local closure dates, also not working days
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ptx.errors import ConfigError, PtxError, SourceError
from ptx.schema import TABLES
from ptx.workdays import WorkingCalendar

# The source used when none is given, relative to the current folder (not to the installed
# package, which may sit in any site-packages): `ptx demo` writes it there by default.
DEMO_SOURCE = Path("data") / "demo.duckdb"


@dataclass(frozen=True)
class TableMapping:
    """How one model table is found in a source."""

    name: str
    columns: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    constants: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    date_format: str | None = None

    def source_column(self, model_column: str) -> str:
        return self.columns.get(model_column, model_column)


@dataclass(frozen=True)
class ComplaintSettings:
    """Targets (in working days) and the working-day calendar for complaints."""

    acknowledge_working_days: int = 3  # The Local Authority Social Services and NHS Complaints
    # (England) Regulations 2009, reg. 13: acknowledge no later than 3 working days after receipt
    resolve_working_days: int = 25  # a common local target; the regulations set none
    backstop_months: int = 6  # reg. 14: explain in writing if not resolved within 6 months
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)

    def __post_init__(self) -> None:
        for name in ("acknowledge_working_days", "resolve_working_days", "backstop_months"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ConfigError(f"{name} must be a whole number of 0 or more, not {value!r}.")


@dataclass(frozen=True)
class Config:
    """The resolved configuration: a source location, an optional as-of date and mappings."""

    location: str
    as_of: date | None = None
    tables: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    path: Path | None = None  # the config file it came from, if any
    complaints: ComplaintSettings = field(default_factory=ComplaintSettings)

    def mapping(self, table: str) -> TableMapping:
        return self.tables.get(table) or TableMapping(name=table)


def _table_mapping(table: str, raw: Any, where: str) -> TableMapping:
    if table not in TABLES:
        raise ConfigError(
            f"{where}: [tables.{table}] is not a table of the data model; "
            f"use one of {', '.join(TABLES)}."
        )
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [tables.{table}] must be a table of settings.")
    unknown = set(raw) - {"name", "columns", "constants", "date_format"}
    if unknown:
        raise ConfigError(
            f"{where}: [tables.{table}] has unknown setting(s) {sorted(unknown)}; "
            "allowed: name, columns, constants, date_format."
        )
    model_columns = set(TABLES[table].column_names)
    for section in ("columns", "constants"):
        bad = set(raw.get(section, {})) - model_columns
        if bad:
            raise ConfigError(
                f"{where}: [tables.{table}.{section}] names {sorted(bad)}, which are not columns "
                f"of '{table}'; the model's columns are {', '.join(sorted(model_columns))}."
            )
    return TableMapping(
        name=str(raw.get("name", table)),
        columns=MappingProxyType({k: str(v) for k, v in raw.get("columns", {}).items()}),
        constants=MappingProxyType(dict(raw.get("constants", {}))),
        date_format=raw.get("date_format"),
    )


def _parse_as_of(value: Any, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(
            f"{where}: as_of = {value!r} is not a date; write it as YYYY-MM-DD."
        ) from None


def load_config(path: str | Path | None = None, *, location: str | None = None) -> Config:
    """Resolve the configuration.

    Parameters
    ----------
    path
        A TOML config file. Default: ``PTX_CONFIG``, else ``./ptx.toml`` when it exists.
    location
        A source path or URL that overrides everything else.

    Raises
    ------
    SourceError
        No source was given anywhere and there is no ``data/demo.duckdb`` in the current folder.
    ConfigError
        The config file is missing, not TOML, or has a setting ptx does not know.
    """
    if path is None:
        env = os.environ.get("PTX_CONFIG")
        path = Path(env) if env else (Path("ptx.toml") if Path("ptx.toml").is_file() else None)
    raw: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"Config file {path} does not exist.")
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    where = str(path) if path else "configuration"
    unknown = set(raw) - {"source", "tables", "complaints"}
    if unknown:
        raise ConfigError(
            f"{where}: unknown section(s) {sorted(unknown)}; use [source], [tables], [complaints]."
        )
    source = raw.get("source", {})
    loc = location or os.environ.get("PTX_SOURCE")
    if not loc and source.get("location"):
        loc = str(source["location"])
        if "://" not in loc and not Path(loc).is_absolute():
            loc = str((path.parent / loc).resolve())  # relative to the config file, not the cwd
    tables = {
        name: _table_mapping(name, spec, where) for name, spec in raw.get("tables", {}).items()
    }
    as_of = _parse_as_of(source.get("as_of"), where)
    complaints = _complaint_settings(raw.get("complaints", {}), where)
    return Config(
        location=str(loc or default_source()),  # last: a wrong setting is the first thing to fix
        as_of=as_of,
        tables=MappingProxyType(tables),
        path=path,
        complaints=complaints,
    )


def default_source() -> Path:
    """The demo source in the current folder, used when no source is given.

    Raises
    ------
    SourceError
        It does not exist; the message says how to write it or name another source.
    """
    path = Path.cwd() / DEMO_SOURCE
    if not path.is_file():
        raise SourceError(
            f"No source given, and there is no {DEMO_SOURCE.as_posix()} in {Path.cwd()}: "
            f"run `ptx demo` to write the demo source there, or set PTX_SOURCE, or pass a "
            "source (a path or SQLAlchemy URL)."
        )
    return path


def _complaint_settings(raw: dict[str, Any], where: str) -> ComplaintSettings:
    allowed = {
        "acknowledge_working_days",
        "resolve_working_days",
        "backstop_months",
        "holiday_country",
        "holiday_region",
        "closures",
    }
    unknown = set(raw) - allowed
    if unknown:
        raise ConfigError(
            f"{where}: [complaints] has unknown setting(s) {sorted(unknown)}; allowed: "
            f"{', '.join(sorted(allowed))}."
        )
    closures = []
    for value in raw.get("closures", []):
        parsed = _parse_as_of(value, where)
        closures.append(parsed)
    try:
        calendar = WorkingCalendar(
            country=str(raw.get("holiday_country", "GB")),
            subdivision=str(raw.get("holiday_region", "ENG")) or None,
            closures=tuple(closures),
        )
    except PtxError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    targets = {
        k: raw[k]
        for k in ("acknowledge_working_days", "resolve_working_days", "backstop_months")
        if k in raw
    }
    return ComplaintSettings(calendar=calendar, **targets)
