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
    future_days = 0               # rows dated later than today + this are quarantined
    statement_timeout_seconds = 60  # PostgreSQL cancels a statement running longer

    [tables.feedback]
    name = "fft_responses"        # the table (or CSV/Parquet file stem) in the source
    date_format = "%d/%m/%Y"      # exports only, to insist on one format; default: row by row

    [tables.feedback.columns]     # model column = source column
    received_date = "Date"
    department_id = "Ward code"

    [tables.feedback.constants]   # a model column the source lacks, with one value for all rows
    rating_scale = "fft5"

    [tables.feedback.values.rating]   # how the source writes answers (see ptx.importing.values)
    labels = "fft"                # ready words: fft, nps, likert5, never_always4, yes_no2
    map = { "7" = 6 }             # more source values onto model values
    reverse = false               # true: the source's codes run the other way (5 = best)

    [import]                      # CSV/Excel/Parquet imports
    missing = ["", "NA", "N/A"]   # read as missing (default: ptx.importing.values.DEFAULT_MISSING)

    [hierarchy]                   # for sources whose departments have no site or division
    site = "All sites"
    division = "All divisions"
    site_column = "Trust"         # or: each department's value of this export column

    [complaints]
    acknowledge_working_days = 3  # NHS complaints regulations: acknowledge within 3 working days
    resolve_working_days = 25     # the organisation's own resolution target
    holiday_country = "GB"        # public holidays from the holidays package
    holiday_region = "ENG"        # England and Wales bank holidays; "" for a whole country
    closures = ["2025-12-24"]     # local closure dates, also not working days

    [targets]                     # targets per measure, for the assurance icon (ptx.targets)
    fft_pct_positive = 90
    [targets.departments."Respiratory Ward"]
    fft_pct_positive = 85

    [meeting]                     # the dashboard's meeting mode (ptx.meeting)
    slide_seconds = 60            # the slideshow moves to the next view after this long
    refresh_minutes = 15          # and reads the data again at most this often
    slides = ["/", "/feedback?measure=fft_pct_positive", "/departments"]
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
from ptx.importing.values import DEFAULT_MISSING, LABEL_SETS, ValueMap
from ptx.meeting import Meeting, meeting_settings
from ptx.rules import latest_plausible
from ptx.schema import TABLES
from ptx.targets import Targets
from ptx.workdays import CALENDAR_END, CALENDAR_START, WorkingCalendar

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
    sheet: str | None = None  # the worksheet of an .xlsx file (default: the first)
    generate_id: bool = False  # id = "generate": the key column is a hash of the row
    response_key: tuple[str, ...] = ()  # source columns whose values make one response
    values: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))  # ValueMap
    missing: tuple[str, ...] | None = None  # this table's missing-value tokens

    def source_column(self, model_column: str) -> str:
        return self.columns.get(model_column, model_column)

    def value_map(self, model_column: str) -> ValueMap:
        return self.values.get(model_column) or ValueMap()


@dataclass(frozen=True)
class Hierarchy:
    """The site and division of departments whose source has none."""

    site: str = "All sites"
    division: str = "All divisions"
    # Made from the export instead: a source column of the feedback or complaints table whose
    # value (the most frequent, per department) is the department's site or division.
    site_column: str | None = None
    division_column: str | None = None


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
    missing: tuple[str, ...] = DEFAULT_MISSING  # read as missing on import
    hierarchy: Hierarchy = field(default_factory=Hierarchy)
    named: bool = True  # the location was given (argument, PTX_SOURCE, config), not the demo
    future_days: int = 0  # rows dated more than this many days after today are quarantined
    statement_timeout_seconds: float = 60.0  # PostgreSQL cancels a statement running longer
    targets: Targets = field(default_factory=Targets)
    meeting: Meeting = field(default_factory=Meeting)

    @property
    def latest_date(self) -> date:
        """The last plausible date of a row (today plus ``future_days``); see ptx.rules."""
        return latest_plausible(self.future_days)

    def mapping(self, table: str) -> TableMapping:
        return self.tables.get(table) or TableMapping(name=table)

    def missing_tokens(self, table: str, model_column: str) -> tuple[str, ...]:
        """The values read as missing in one column: the column's own, else the table's, else
        the [import] list."""
        mapping = self.mapping(table)
        own = mapping.value_map(model_column).missing
        if own is not None:
            return own
        return mapping.missing if mapping.missing is not None else self.missing


TABLE_SETTINGS = {
    "name": "the table, or the file's stem or path",
    "columns": "model column = source column",
    "constants": "model column = one value for every row",
    "date_format": 'a strptime format such as "%d/%m/%Y"',
    "sheet": "the worksheet of an .xlsx file",
    "id": '"generate" to make the key column from a hash of each row',
    "response_key": "a list of source columns whose values make one response",
    "values": "[tables.<table>.values.<model column>] settings",
    "missing": "a list of values read as missing",
}
VALUE_SETTINGS = ("labels", "map", "reverse", "missing")


def _expect(value: Any, kind: type | tuple, where: str, what: str) -> Any:
    """``value`` when it is of ``kind`` (bool is not a number), else a ConfigError saying what
    was wanted."""
    ok = isinstance(value, kind) and not (isinstance(value, bool) and bool not in _kinds(kind))
    if not ok:
        raise ConfigError(f"{where} must be {what}, not {value!r}.")
    return value


def _known(raw: dict, allowed, at: str) -> None:
    """A ConfigError naming the settings of ``raw`` that are not ``allowed`` (each allowed entry
    a name, optionally followed by a description in brackets)."""
    names = {a.split(" (")[0] for a in allowed}
    unknown = set(raw) - names
    if unknown:
        raise ConfigError(
            f"{at} has unknown setting(s) {sorted(unknown)}; allowed: {', '.join(allowed)}."
        )


def _kinds(kind: type | tuple) -> tuple:
    return kind if isinstance(kind, tuple) else (kind,)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    _expect(value, list, where, "a list of strings")
    for item in value:
        _expect(item, str, where, "a list of strings")
    return tuple(value)


def _value_map(table: str, column: str, raw: Any, where: str) -> ValueMap:
    at = f"{where}: [tables.{table}.values.{column}]"
    _expect(raw, dict, at, "a table of settings (labels, map, reverse, missing)")
    _known(raw, VALUE_SETTINGS, at)
    labels = raw.get("labels")
    if labels is not None and labels not in LABEL_SETS:
        raise ConfigError(
            f"{at} labels = {labels!r} is not a ready label set; use one of "
            f"{', '.join(LABEL_SETS)}, or list the values under map."
        )
    kind = TABLES[table].column(column).type
    mapped = _expect(raw.get("map", {}), dict, f"{at} map", 'a table such as { "Yes" = 2 }')
    for key, value in mapped.items():
        wanted = (int, "a whole number") if kind == "integer" else (str, "a string")
        _expect(value, wanted[0], f"{at} map: {key!r}", wanted[1])
    reverse = _expect(raw.get("reverse", False), bool, f"{at} reverse", "true or false")
    if reverse and column not in ("rating", "answer"):
        raise ConfigError(f"{at} reverse: only rating and answer have a scale to reverse.")
    if labels is not None and column not in ("rating", "answer"):
        raise ConfigError(f"{at} labels: answer words are for rating and answer; use map.")
    missing = raw.get("missing")
    return ValueMap(
        labels=labels,
        map=MappingProxyType(dict(mapped)),
        reverse=reverse,
        missing=None if missing is None else _strings(missing, f"{at} missing"),
    )


def _table_mapping(table: str, raw: Any, where: str) -> TableMapping:
    if table not in TABLES:
        raise ConfigError(
            f"{where}: [tables.{table}] is not a table of the data model; "
            f"use one of {', '.join(TABLES)}."
        )
    at = f"{where}: [tables.{table}]"
    _expect(raw, dict, at, "a table of settings")
    _known(raw, [f"{k} ({v})" for k, v in TABLE_SETTINGS.items()], at)
    model_columns = set(TABLES[table].column_names)
    for section in ("columns", "constants", "values"):
        _expect(raw.get(section, {}), dict, f"{at} {section}", "a table of settings")
        bad = set(raw.get(section, {})) - model_columns
        if bad:
            raise ConfigError(
                f"{where}: [tables.{table}.{section}] names {sorted(bad)}, which are not columns "
                f"of '{table}'; the model's columns are {', '.join(sorted(model_columns))}."
            )
    for model, source in raw.get("columns", {}).items():
        _expect(source, str, f"{where}: [tables.{table}.columns] {model}", "a column name")
    for model, value in raw.get("constants", {}).items():
        _expect(value, (str, int, bool), f"{where}: [tables.{table}.constants] {model}", "a value")
    for key in ("name", "date_format", "sheet"):
        if key in raw:
            _expect(raw[key], str, f"{at} {key}", TABLE_SETTINGS[key])
    generate = raw.get("id")
    if generate is not None and generate != "generate":
        raise ConfigError(f'{at} id = {generate!r}: the only choice is id = "generate".')
    key_column = TABLES[table].key[0]
    if generate and (len(TABLES[table].key) > 1 or key_column in raw.get("columns", {})):
        raise ConfigError(
            f'{at} id = "generate" needs a table with one key column that is not also mapped '
            f"(here {', '.join(TABLES[table].key)})."
        )
    values = {c: _value_map(table, c, v, where) for c, v in raw.get("values", {}).items()}
    for value, scale in (("rating", "rating_scale"), ("answer", "answer_scale")):
        labels = values[value].labels if value in values else None
        fixed = raw.get("constants", {}).get(scale)
        if labels and fixed is not None and LABEL_SETS[labels].scale != fixed:
            raise ConfigError(
                f"{at}: labels = {labels!r} reads {value} onto the {LABEL_SETS[labels].scale} "
                f"scale, but the constant {scale} is {fixed!r}: remove the constant (the labels "
                "set the scale) or choose the label set of that scale."
            )
    response_key = _strings(raw.get("response_key", []), f"{at} response_key")
    if response_key and table != "feedback":
        raise ConfigError(f"{at} response_key: only feedback rows are grouped into responses.")
    missing = raw.get("missing")
    return TableMapping(
        name=str(raw.get("name", table)),
        columns=MappingProxyType(dict(raw.get("columns", {}))),
        constants=MappingProxyType(dict(raw.get("constants", {}))),
        date_format=raw.get("date_format"),
        sheet=raw.get("sheet"),
        generate_id=generate == "generate",
        response_key=response_key,
        values=MappingProxyType(values),
        missing=None if missing is None else _strings(missing, f"{at} missing"),
    )


def _parse_as_of(value: Any, where: str) -> date | None:
    """A date setting (written as a TOML date or "YYYY-MM-DD"); ``where`` names the key."""
    if value is None or (isinstance(value, date) and not hasattr(value, "hour")):
        return value
    try:
        return date.fromisoformat(_expect(value, str, where, "a date"))
    except ValueError:
        raise ConfigError(f"{where} = {value!r} is not a date; write it as YYYY-MM-DD.") from None


def _check_as_of(as_of: date, future_days: int, where: str) -> None:
    """An as-of date is a day the data can be complete to: not in the future, and inside the
    working-day calendar (see ptx.workdays)."""
    latest = latest_plausible(future_days)
    if as_of > latest:
        raise ConfigError(
            f"{where} = {as_of} is in the future: data cannot be complete to a day that has "
            f"not come. Use a date up to {latest}, or remove it to use the latest date in the data."
        )
    if as_of < CALENDAR_START:
        raise ConfigError(
            f"{where} = {as_of} is before {CALENDAR_START}, where ptx's working-day calendar "
            f"starts; use a later date (the calendar runs to {CALENDAR_END})."
        )


def read_settings_text(path: Path) -> str:
    """A settings file's text (UTF-8, with or without a BOM), or a ConfigError saying how to
    save it."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 text (byte {exc.start}): save it as UTF-8."
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
        text = read_settings_text(path)
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    where = str(path) if path else "configuration"
    unknown = set(raw) - set(SECTIONS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown section(s) {sorted(unknown)}; use "
            + ", ".join(f"[{s}]" for s in SECTIONS)
            + "."
        )
    for section in SECTIONS:
        _expect(raw.get(section, {}), dict, f"{where}: [{section}]", "a table of settings")
    source = raw.get("source", {})
    _known(
        source,
        ("location", "as_of", "future_days", "statement_timeout_seconds"),
        f"{where}: [source]",
    )
    loc = location or os.environ.get("PTX_SOURCE")
    if not loc and "location" in source:
        loc = _expect(source["location"], str, f"{where}: [source] location", "a path or URL")
        if "://" not in loc and not Path(loc).is_absolute():
            loc = str((path.parent / loc).resolve())  # relative to the config file, not the cwd
    tables = {
        name: _table_mapping(name, spec, where) for name, spec in raw.get("tables", {}).items()
    }
    as_of = _parse_as_of(source.get("as_of"), f"{where}: [source] as_of")
    future_days = _expect(
        source.get("future_days", 0), int, f"{where}: [source] future_days", "a whole number"
    )
    if future_days < 0:
        raise ConfigError(f"{where}: [source] future_days must be 0 or more, not {future_days}.")
    timeout = _expect(
        source.get("statement_timeout_seconds", 60.0),
        (int, float),
        f"{where}: [source] statement_timeout_seconds",
        "a number of seconds",
    )
    if not timeout > 0:
        raise ConfigError(
            f"{where}: [source] statement_timeout_seconds must be more than 0, not {timeout}."
        )
    if as_of is not None:
        _check_as_of(as_of, future_days, f"{where}: [source] as_of")
    complaints = _complaint_settings(raw.get("complaints", {}), where)
    missing = _import_settings(raw.get("import", {}), where)
    hierarchy = _hierarchy(raw.get("hierarchy", {}), where)
    targets = _targets(raw.get("targets", {}), where)
    meeting = meeting_settings(raw.get("meeting", {}), where)
    return Config(
        location=str(loc or default_source()),  # last: a wrong setting is the first thing to fix
        as_of=as_of,
        tables=MappingProxyType(tables),
        path=path,
        complaints=complaints,
        missing=missing,
        hierarchy=hierarchy,
        named=bool(loc),
        future_days=future_days,
        statement_timeout_seconds=float(timeout),
        targets=targets,
        meeting=meeting,
    )


SECTIONS = (
    "source",
    "tables",
    "complaints",
    "import",
    "hierarchy",
    "benchmarks",
    "targets",
    "meeting",
)


def _import_settings(raw: dict[str, Any], where: str) -> tuple[str, ...]:
    _known(raw, ("missing",), f"{where}: [import]")
    if "missing" not in raw:
        return DEFAULT_MISSING
    return _strings(raw["missing"], f"{where}: [import] missing")


def _targets(raw: dict[str, Any], where: str) -> Targets:
    """``[targets]``: measure key = target, and ``[targets.departments."name"]`` overrides."""
    departments = _expect(
        raw.get("departments", {}), dict, f"{where}: [targets.departments]", "a table"
    )
    own = {}
    for name, values in departments.items():
        at = f'{where}: [targets.departments."{name}"]'
        own[name] = MappingProxyType(dict(_expect(values, dict, at, "a table of targets")))
    organisation = {k: v for k, v in raw.items() if k != "departments"}
    try:
        return Targets(MappingProxyType(organisation), MappingProxyType(own))
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _hierarchy(raw: dict[str, Any], where: str) -> Hierarchy:
    allowed = ("site", "division", "site_column", "division_column")
    _known(raw, allowed, f"{where}: [hierarchy]")
    for key in raw:
        _expect(raw[key], str, f"{where}: [hierarchy] {key}", "a name")
        if not raw[key].strip():
            raise ConfigError(f"{where}: [hierarchy] {key} must not be empty.")
    return Hierarchy(**raw)


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
    _known(raw, sorted(allowed), f"{where}: [complaints]")
    closures = []
    listed = _expect(
        raw.get("closures", []), list, f"{where}: [complaints] closures", "a list of dates"
    )
    for value in listed:
        closures.append(_parse_as_of(value, f"{where}: [complaints] closures"))
    for key in ("holiday_country", "holiday_region"):
        if key in raw:
            _expect(raw[key], str, f"{where}: [complaints] {key}", "a string")
    for key in ("acknowledge_working_days", "resolve_working_days", "backstop_months"):
        if key in raw:
            _expect(raw[key], int, f"{where}: [complaints] {key}", "a whole number")
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
