"""A corpus of malformed inputs, each named, each with the outcome a user should get.

Every case starts from the small valid source in ``tests/corpus/base`` (five CSV files: three
departments, twelve responses, eight answers, six complaints, eighteen months of activity) and
breaks one thing: a cell, a line, an encoding, a file, a ptx.toml setting, or the same tables
written into a SQLite or DuckDB database and then damaged (a table dropped, a column missing, a
view, a column of the wrong type, an empty database). Workbooks and databases are built in the
test's own folder; everything else is text changed from the base files.

The outcome of each case is one of:

- :class:`Error`: a :class:`ptx.PtxError` (or the child named) whose message names the file,
  line or setting and says how to fix it; or
- :class:`Load`: the source opens, and its validation report puts the bad rows in quarantine
  with the reason expected, while ``rows read = rows loaded + rows quarantined`` holds for every
  table. The KPI calls then run on it without raising anything but a ``PtxError``, and every
  percentage they give lies within 0-100.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

import ptx
import ptx.query
from ptx.disclosure import Disclosure
from ptx.errors import ConfigError, PtxError, SchemaError, SourceError
from ptx.schema import SQL_TYPES, TABLES

CORPUS = Path(__file__).parent / "corpus"
BASE = CORPUS / "base"
BASE_AS_OF = date(2025, 6, 25)  # the latest received date of the base source
OPEN = Disclosure(enabled=False)  # every number shown, so that the invariants can be checked
BASE_COUNTS = {
    "departments": 3,
    "feedback": 12,
    "feedback_answers": 8,
    "complaints": 6,
    "activity": 18,
}


# --- what a case expects ------------------------------------------------------------------------


@dataclass(frozen=True)
class Error:
    """The case stops with ``kind``; its message mentions every fragment (ignoring case)."""

    kind: type[Exception]
    mentions: tuple[str, ...]


@dataclass(frozen=True)
class Load:
    """The case loads.

    reasons: table -> fragments, each found in one of that table's quarantine reasons.
    counts: table -> (rows read, rows loaded, rows quarantined).
    notes, warnings: fragments found in the report's notes or warnings.
    as_of: the as-of date the source must have.
    check: anything else, called with the open source and its report.
    """

    reasons: dict[str, tuple[str, ...]] = field(default_factory=dict)
    counts: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    as_of: date | None = None
    check: Callable[[ptx.Source, ptx.ValidationReport], None] | None = None


@dataclass(frozen=True)
class Job:
    """What to open: a source location with an optional ptx.toml, or files to import."""

    location: Path | str | None  # None: the config's own [source] location
    config: Path | None = None
    imported: bool = False  # through ptx.import_exports into a DuckDB file, not open_source


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], Job]
    expect: Error | Load

    def __str__(self) -> str:
        return self.name


# --- building the inputs ------------------------------------------------------------------------

Content = str | bytes | Callable[[str], str] | None


def sub(old: str, new: str) -> Callable[[str], str]:
    """Replace the first ``old`` of a base file with ``new``."""

    def change(text: str) -> str:
        assert old in text, f"{old!r} is not in the base file"
        return text.replace(old, new, 1)

    return change


def add(*lines: str) -> Callable[[str], str]:
    """Append lines to a base file."""
    return lambda text: text + "".join(f"{line}\n" for line in lines)


def encoded(encoding: str, change: Callable[[str], str] = lambda t: t) -> Callable[[str], bytes]:
    """The base file (changed) written in another encoding."""
    return lambda text: change(text).encode(encoding)


def write_files(folder: Path, files: dict[str, Content | Callable[[str], bytes]]) -> None:
    for name, content in files.items():
        path = folder / name
        if content is None:
            path.unlink()
            continue
        if callable(content):
            base = BASE / name
            content = content(base.read_text(encoding="utf-8") if base.is_file() else "")
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")


def folder(files: dict | None = None, toml: str | bytes | None = None, imported=False):
    """The base folder with ``files`` changed (text, bytes, a change of the base text, or None to
    remove it), opened with ``toml`` as its ptx.toml when given."""

    def build(tmp: Path) -> Job:
        target = tmp / "exports"
        shutil.copytree(BASE, target)
        write_files(target, files or {})
        return Job(target, _config(tmp, toml), imported)

    return build


def _config(tmp: Path, toml: str | bytes | None) -> Path | None:
    if toml is None:
        return None
    path = tmp / "ptx.toml"
    if isinstance(toml, bytes):
        path.write_bytes(toml)
    else:
        path.write_text(toml, encoding="utf-8")
    return path


def configured(toml: str):
    """The base folder, named by the ptx.toml beside it rather than given."""

    def build(tmp: Path) -> Job:
        shutil.copytree(BASE, tmp / "exports")
        return Job(None, _config(tmp, toml))

    return build


def raw_file(name: str, content: bytes | str, toml: str | None = None):
    """One file on its own, named ``name`` (a database that is not one, a stray file...)."""

    def build(tmp: Path) -> Job:
        path = tmp / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return Job(path, _config(tmp, toml))

    return build


def _typed(value: str, kind: str):
    if value == "":
        return None
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "integer":
        return int(value)
    if kind == "boolean":
        return value == "True"
    return value


def database(suffix: str, *statements: str, tables=tuple(BASE_COUNTS), toml: str | None = None):
    """The base tables in a SQLite or DuckDB file with the model's column types, written as an
    analyst's own database (no verdicts, no summaries), then changed by ``statements``."""

    def build(tmp: Path) -> Job:
        path = tmp / f"trust{suffix}"
        url = f"{'duckdb' if suffix == '.duckdb' else 'sqlite'}:///{path}"
        engine = sa.create_engine(url)
        meta = sa.MetaData()
        with engine.begin() as conn:
            for name in tables:
                spec = TABLES[name]
                table = sa.Table(
                    name, meta, *[sa.Column(c.name, SQL_TYPES[c.type]) for c in spec.columns]
                )
                table.create(conn)
                frame = pd.read_csv(BASE / f"{name}.csv", dtype=str, keep_default_na=False)
                rows = [
                    {c.name: _typed(r[c.name], c.type) for c in spec.columns}
                    for r in frame.to_dict("records")
                ]
                conn.execute(table.insert(), rows)
            for statement in statements:
                conn.execute(sa.text(statement))
        engine.dispose()
        return Job(path, _config(tmp, toml))

    return build


def workbook(sheets: dict[str, list[list]], toml: str | None = None, name="feedback.xlsx"):
    """The base folder with feedback.csv replaced by a workbook of ``sheets``."""

    def build(tmp: Path) -> Job:
        from openpyxl import Workbook

        target = tmp / "exports"
        shutil.copytree(BASE, target)
        (target / "feedback.csv").unlink()
        book = Workbook()
        book.remove(book.active)
        for title, rows in sheets.items():
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
        book.save(target / name)
        return Job(target, _config(tmp, toml))

    return build


def parquet(columns: dict[str, list]):
    """The base folder with feedback.csv replaced by three rows of Parquet, ``columns`` typed
    as given (the rest as text)."""

    def build(tmp: Path) -> Job:
        target = tmp / "exports"
        shutil.copytree(BASE, target)
        (target / "feedback.csv").unlink()
        frame = pd.read_csv(BASE / "feedback.csv", dtype=str, keep_default_na=False).head(3)
        for name, values in columns.items():
            frame[name] = values
        frame.to_parquet(target / "feedback.parquet", index=False)
        return Job(target)

    return build


def feedback_rows(change: Callable[[list[list]], None] = lambda rows: None) -> list[list]:
    """The base feedback as workbook rows (numbers as numbers, dates as dates), changed."""
    frame = pd.read_csv(BASE / "feedback.csv", dtype=str, keep_default_na=False)
    rows = [list(frame.columns)]
    for record in frame.to_dict("records"):
        record["received_date"] = date.fromisoformat(record["received_date"])
        record["rating"] = int(record["rating"]) if record["rating"] else None
        rows.append(list(record.values()))
    change(rows)
    return rows


def cell(row: int, column: str, value):
    """Set one cell of :func:`feedback_rows` (row 1 is the first data row)."""

    def change(rows: list[list]) -> None:
        rows[row][rows[0].index(column)] = value

    return change


# --- the checks on any loaded source ------------------------------------------------------------

PERCENT_UNITS = {"%"}


def check_invariants(report: ptx.ValidationReport) -> None:
    for row in report.tables.to_dict("records"):
        read, loaded, quarantined = row["rows_read"], row["rows_loaded"], row["rows_quarantined"]
        assert read == loaded + quarantined, row
        assert 0 <= loaded <= read, f"{row['table']}: loaded {loaded} of {read} read"
        assert quarantined >= 0, row
        # the rows in the table: one per row loaded, or fewer where rows fold into responses
        assert row["records"] <= loaded, f"{row['table']}: {row['records']} rows from {loaded}"


def run_kpis(source: ptx.Source) -> None:
    """Every KPI call the dashboard makes, on the whole history: a PtxError is an answer, any
    other exception a bug; percentages within 0-100."""
    calls = [
        lambda: ptx.headline(source, rule=OPEN),
        lambda: ptx.trend(source, "fft_pct_positive", period="month", rule=OPEN),
        lambda: ptx.breakdown(source, "fft_pct_positive", "age_band", rule=OPEN),
        lambda: ptx.complaint_timing(source, rule=OPEN),
        lambda: ptx.compare_departments(source, "fft_pct_positive", rule=OPEN),
    ]
    for call in calls:
        try:
            result = call()
        except PtxError:
            continue
        frame = result.to_frame()
        if "unit" in frame:
            shares = frame[frame["unit"].isin(PERCENT_UNITS)]
            for column in ("value", "low", "high"):
                values = pd.to_numeric(shares[column], errors="coerce").dropna()
                assert values.between(0, 100).all(), shares
        if isinstance(result, ptx.Trend) and result.measure.unit in PERCENT_UNITS:
            values = pd.to_numeric(frame["value"], errors="coerce").dropna()
            assert values.between(0, 100).all(), frame


def reason_text(report: ptx.ValidationReport, table: str) -> list[str]:
    found = report.reasons[report.reasons["table"] == table]
    return [f"{r} {e}".lower() for r, e in zip(found["reason"], found["example"], strict=True)]


def open_job(job: Job, tmp: Path) -> tuple[ptx.Source, ptx.ValidationReport]:
    if job.imported:
        target = tmp / "imported.duckdb"
        config = job.config or _config(tmp, "")
        report = ptx.import_exports(job.location, target, config=config)
        source = ptx.open_source(target)
        return source, report
    location = None if job.location is None else str(job.location)
    config = ptx.load_config(job.config, location=location)
    source = ptx.open_source(config)
    return source, ptx.validation_report(source)


# --- checks used by single cases ----------------------------------------------------------------


def answers_not_multiplied(source: ptx.Source, report: ptx.ValidationReport) -> None:
    """A feedback_id that occurs twice must not count its answers twice: the answers counted
    over the whole history are the six answers of the other responses."""
    counted = ptx.query.answer_counts(source, ptx.Filters(), ())["responses"].sum()
    assert counted == BASE_COUNTS["feedback_answers"] - 2, f"{counted} answers counted, 8 read"


def complaints_counted(n: int):
    """The headline still counts the base's complaints (a far-future date must not move the
    window past them)."""

    def check(source: ptx.Source, report: ptx.ValidationReport) -> None:
        frame = ptx.headline(source, rule=OPEN).to_frame().set_index("kpi")
        assert frame.at["complaints_received", "value"] == n, frame

    return check


def responses_counted(n: int):
    def check(source: ptx.Source, report: ptx.ValidationReport) -> None:
        frame = ptx.headline(source, rule=OPEN).to_frame().set_index("kpi")
        assert frame.at["responses", "value"] == n, frame

    return check


def listed_with_line(line: int):
    """The quarantined rows list the import's failure with its line number in the file."""

    def check(source: ptx.Source, report: ptx.ValidationReport) -> None:
        rows = ptx.quarantined_rows(source)
        assert any(f"line {line}" in str(r) for r in rows["reason"]), rows

    return check


# --- the corpus ---------------------------------------------------------------------------------

FEEDBACK_HEADER = (
    "feedback_id,received_date,department_id,channel,rating,rating_scale,comment,age_band,sex,"
    "ethnicity"
)
F05 = "F05,2025-03-04,A2,FFT card,6,fft5,,18-34,,"
C03 = "C03,A2,2025-03-03,2025-03-10,,Waiting times,low,,False,telephone"
FEEDBACK_LOADS_ONE_LESS = {"feedback": (12, 11, 1)}
TOML_FEEDBACK = "[tables.feedback]\n"


CASES: list[Case] = [
    # -- feedback cells --
    Case(
        "feedback-impossible-date",
        folder({"feedback.csv": sub("2025-03-04", "2025-02-30")}),
        Load(reasons={"feedback": ("received_date", "2025-02-30")}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-date-is-text",
        folder({"feedback.csv": sub("2025-03-04", "last tuesday")}),
        Load(reasons={"feedback": ("received_date",)}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-dated-2099-12-31",
        folder({"feedback.csv": sub("2025-03-04", "2099-12-31")}),
        Load(
            reasons={"feedback": ("received_date",)},
            counts=FEEDBACK_LOADS_ONE_LESS,
            as_of=BASE_AS_OF,
        ),
    ),
    Case(
        "feedback-rating-23-digits",
        folder({"feedback.csv": sub(F05, F05.replace(",6,", ",99999999999999999999999,"))}),
        Load(reasons={"feedback": ("rating", "whole number")}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-rating-inf",
        folder({"feedback.csv": sub(F05, F05.replace(",6,", ",inf,"))}),
        Load(reasons={"feedback": ("rating", "inf")}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-rating-nan",
        folder({"feedback.csv": sub(F05, F05.replace(",6,", ",nan,"))}),
        Load(reasons={"feedback": ("rating",)}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-rating-2-to-the-63",
        folder({"feedback.csv": sub(F05, F05.replace(",6,", ",9223372036854775808,"))}),
        Load(reasons={"feedback": ("rating",)}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-rating-decimal",
        folder({"feedback.csv": sub(F05, F05.replace(",6,", ",2.5,"))}),
        Load(reasons={"feedback": ("rating", "whole number")}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-rating-hex",
        folder({"feedback.csv": sub(F05, F05.replace(",6,", ",0x1,"))}),
        Load(reasons={"feedback": ("rating", "whole number")}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-rating-1e3-outside-scale",
        folder({"feedback.csv": sub(F05, F05.replace(",6,", ",1e3,"))}),
        Load(reasons={"feedback": ("outside the fft5 scale",)}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-rating-negative",
        folder({"feedback.csv": sub(F05, F05.replace(",6,", ",-1,"))}),
        Load(reasons={"feedback": ("outside the fft5 scale",)}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-rating-7-on-fft5",
        folder({"feedback.csv": sub(F05, F05.replace(",6,", ",7,"))}),
        Load(reasons={"feedback": ("outside the fft5 scale",)}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-rating-as-words-without-labels",
        folder({"feedback.csv": sub(F05, F05.replace(",6,", ",Very good,"))}),
        Load(reasons={"feedback": ("rating", 'labels = "fft"')}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-rating-5.0-is-whole",
        folder({"feedback.csv": sub(F05, F05.replace(",6,", ",5.0,"))}),
        Load(counts={"feedback": (12, 12, 0)}),
    ),
    Case(
        "feedback-ratings-blank",
        folder({"feedback.csv": lambda t: t.replace(",1,fft5", ",,fft5")}),
        Load(counts={"feedback": (12, 12, 0)}, check=responses_counted(12)),
    ),
    Case(
        "feedback-rating-whitespace-and-NA",
        folder({"feedback.csv": sub(",2,fft5", ",  ,fft5")}),
        Load(counts={"feedback": (12, 12, 0)}),
    ),
    Case(
        "feedback-unknown-rating-scale",
        folder({"feedback.csv": sub(F05, F05.replace("fft5", "fft10"))}),
        Load(reasons={"feedback": ("rating_scale is not one of",)}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-rating-without-scale",
        folder({"feedback.csv": sub(F05, F05.replace("fft5", ""))}),
        Load(reasons={"feedback": ("without rating_scale",)}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-unknown-department",
        folder({"feedback.csv": sub(F05, F05.replace(",A2,", ",Z9,"))}),
        Load(reasons={"feedback": ("not in departments",)}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-id-empty",
        folder({"feedback.csv": sub(F05, F05.replace("F05", ""))}),
        Load(reasons={"feedback": ("feedback_id", "empty")}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-channel-empty",
        folder({"feedback.csv": sub(F05, F05.replace("FFT card", ""))}),
        Load(reasons={"feedback": ("channel", "empty")}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-duplicate-id-with-answers",
        folder({"feedback.csv": add("F01,2025-06-20,A1,FFT card,1,fft5,,18-34,Female,White")}),
        Load(
            # Both copies of F01 are held (which is right is not ptx's guess), with its answers.
            reasons={
                "feedback": ("feedback_id is repeated",),
                "feedback_answers": ("feedback_id is repeated in feedback",),
            },
            counts={"feedback": (13, 11, 2), "feedback_answers": (8, 6, 2)},
            check=answers_not_multiplied,
        ),
    ),
    Case(
        "feedback-mojibake-comment",
        folder({"feedback.csv": sub("Kind staff", "Kind staff donâ€™t change")}),
        Load(counts={"feedback": (12, 12, 0)}, notes=("mojibake",)),
    ),
    # -- feedback lines --
    Case(
        "feedback-line-with-extra-field",
        folder({"feedback.csv": sub(F05, F05 + ",surplus")}),
        Load(
            reasons={"feedback": ("line 6", "11 fields where the header has 10")},
            counts=FEEDBACK_LOADS_ONE_LESS,
            check=listed_with_line(6),
        ),
    ),
    Case(
        "feedback-line-cut-short",
        folder({"feedback.csv": sub(F05, "F05,2025-03-04,A2")}),
        Load(
            reasons={"feedback": ("line 6", "3 fields")},
            counts=FEEDBACK_LOADS_ONE_LESS,
            check=listed_with_line(6),
        ),
    ),
    Case(
        "feedback-unterminated-quote-last-line",
        folder({"feedback.csv": sub(",Excellent,", ',"Excellent,')}),
        Load(
            reasons={"feedback": ("line 13", "never closed")},
            counts=FEEDBACK_LOADS_ONE_LESS,
            check=listed_with_line(13),
        ),
    ),
    Case(
        "feedback-unterminated-quote-mid-file",
        folder({"feedback.csv": sub(",Long wait,", ',"Long wait,')}),
        Load(reasons={"feedback": ("lines 4–7", "a quote missing or extra")}),
    ),
    Case(
        "feedback-line-in-windows-1252",
        folder({"feedback.csv": lambda t: t.encode().replace(b"Kind staff", b"Caf\xe9 staff")}),
        Load(counts={"feedback": (12, 12, 0)}, notes=("1252",)),
    ),
    Case(
        "feedback-line-with-nul-byte",
        folder({"feedback.csv": sub("Kind staff", "Kind\x00staff")}),
        Load(counts={"feedback": (12, 12, 0)}),
    ),
    Case(
        "feedback-field-beyond-csv-limit",
        folder({"feedback.csv": sub("Kind staff", '"' + "x" * 200_000 + '"')}),
        Load(reasons={"feedback": ("line 2",)}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-empty-lines-between-rows",
        folder({"feedback.csv": lambda t: t.replace("\nF05", "\n\n\nF05")}),
        Load(counts={"feedback": (12, 12, 0)}),
    ),
    Case(
        "feedback-crlf-line-ends",
        folder({"feedback.csv": lambda t: t.replace("\n", "\r\n")}),
        Load(counts={"feedback": (12, 12, 0)}),
    ),
    Case(
        "feedback-lone-cr-line-ends",
        folder({"feedback.csv": lambda t: t.replace("\n", "\r")}),
        Load(counts={"feedback": (12, 12, 0)}),
    ),
    # -- feedback files: encodings, delimiters, headers --
    Case(
        "feedback-utf8-bom",
        folder({"feedback.csv": encoded("utf-8-sig")}),
        Load(counts={"feedback": (12, 12, 0)}),
    ),
    Case(
        "feedback-utf16",
        folder({"feedback.csv": encoded("utf-16")}),
        Load(counts={"feedback": (12, 12, 0)}),
    ),
    Case(
        "feedback-windows-1252-file",
        folder({"feedback.csv": encoded("cp1252", sub("Kind staff", "Caf\xe9 staff \u2019"))}),
        Load(counts={"feedback": (12, 12, 0)}),
    ),
    Case(
        "feedback-semicolons",
        folder({"feedback.csv": lambda t: t.replace(",", ";")}),
        Load(counts={"feedback": (12, 12, 0)}, notes=("semicolon",)),
    ),
    Case(
        "feedback-sep-line",
        folder({"feedback.csv": lambda t: "sep=|\n" + t.replace(",", "|")}),
        Load(counts={"feedback": (12, 12, 0)}, notes=("sep=|",)),
    ),
    Case(
        "feedback-rows-in-wrong-delimiter",
        folder(
            {"feedback.csv": lambda t: t.replace(F05, F05.replace(",", ";"))},
        ),
        Load(reasons={"feedback": ("line 6", "1 field")}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "feedback-header-only",
        folder({"feedback.csv": FEEDBACK_HEADER + "\n", "feedback_answers.csv": None}),
        Load(counts={"feedback": (0, 0, 0)}),
    ),
    Case(
        "feedback-empty-file",
        folder({"feedback.csv": "", "feedback_answers.csv": None}),
        Error(SchemaError, ("feedback.csv", "feedback_id", "[tables.feedback.columns]")),
    ),
    Case(
        "feedback-duplicate-header",
        folder({"feedback.csv": sub("age_band", "comment")}),
        Error(SourceError, ("feedback.csv", "'comment'", "more than once", "rename")),
    ),
    Case(
        "feedback-blank-header-cell",
        folder({"feedback.csv": lambda t: t.replace("\n", ",\n")}),
        Load(counts={"feedback": (12, 12, 0)}, notes=("column 11",)),
    ),
    Case(
        "feedback-missing-required-column",
        folder({"feedback.csv": sub("received_date", "date_received")}),
        Error(
            SchemaError,
            ("feedback.csv", "'received_date'", "date_received", "[tables.feedback.columns]"),
        ),
    ),
    Case(
        "feedback-header-in-capitals",
        folder({"feedback.csv": lambda t: t.replace(FEEDBACK_HEADER, FEEDBACK_HEADER.upper())}),
        Error(SchemaError, ("feedback.csv", "FEEDBACK_ID", "[tables.feedback.columns]")),
    ),
    Case(
        "feedback-file-is-binary",
        folder({"feedback.csv": bytes(range(256)) * 4}),
        Error(SchemaError, ("feedback.csv", "[tables.feedback.columns]")),
    ),
    # -- the other tables --
    Case(
        "answers-2-to-the-63",
        folder(
            {
                "feedback_answers.csv": sub(
                    "F01,nurses_listened,4,", "F01,nurses_listened,9223372036854775808,"
                )
            }
        ),
        Load(reasons={"feedback_answers": ("answer",)}, counts={"feedback_answers": (8, 7, 1)}),
    ),
    Case(
        "answers-2-to-the-63-minus-1",
        folder(
            {
                "feedback_answers.csv": sub(
                    "F01,nurses_listened,4,", "F01,nurses_listened,9223372036854775807,"
                )
            }
        ),
        Load(
            reasons={"feedback_answers": ("outside the never_always4 scale",)},
            counts={"feedback_answers": (8, 7, 1)},
        ),
    ),
    Case(
        "answers-unknown-scale",
        folder({"feedback_answers.csv": sub("2,yes_no2", "2,yes_no3")}),
        Load(
            reasons={"feedback_answers": ("answer_scale is not one of",)},
            counts={"feedback_answers": (8, 7, 1)},
        ),
    ),
    Case(
        "answers-blank-answer",
        folder({"feedback_answers.csv": sub("F03,nurses_listened,1,", "F03,nurses_listened,,")}),
        Load(
            reasons={"feedback_answers": ("answer", "empty")},
            counts={"feedback_answers": (8, 7, 1)},
        ),
    ),
    Case(
        "complaint-received-2055",
        folder({"complaints.csv": add("C07,A1,2055-01-01,,,Communications,low,,False,email")}),
        Load(
            reasons={"complaints": ("received_date",)},
            counts={"complaints": (7, 6, 1)},
            as_of=BASE_AS_OF,
            check=complaints_counted(6),
        ),
    ),
    Case(
        "complaint-received-1900",
        folder({"complaints.csv": sub("2025-03-03,2025-03-10", "1900-03-03,1900-03-10")}),
        Load(reasons={"complaints": ("outside 1990-2060",)}, counts={"complaints": (6, 5, 1)}),
    ),
    Case(
        "complaint-resolved-before-received",
        folder({"complaints.csv": sub("2025-02-05", "2024-12-05")}),
        Load(
            reasons={"complaints": ("resolved_date is before received_date",)},
            counts={"complaints": (6, 5, 1)},
        ),
    ),
    Case(
        "complaint-acknowledged-before-received",
        folder({"complaints.csv": sub("2025-01-09", "2025-01-01")}),
        Load(
            reasons={"complaints": ("acknowledged_date is before received_date",)},
            counts={"complaints": (6, 5, 1)},
        ),
    ),
    Case(
        "complaint-unknown-outcome",
        folder({"complaints.csv": sub(",upheld,", ",lost in post,")}),
        Load(reasons={"complaints": ("outcome is not one of",)}, counts={"complaints": (6, 5, 1)}),
    ),
    Case(
        "complaint-unknown-severity",
        folder({"complaints.csv": sub(",high,", ",critical,")}),
        Load(reasons={"complaints": ("severity is not one of",)}, counts={"complaints": (6, 5, 1)}),
    ),
    Case(
        "complaint-reopened-maybe",
        folder({"complaints.csv": sub(",True,", ",maybe,")}),
        Load(reasons={"complaints": ("reopened", "maybe")}, counts={"complaints": (6, 5, 1)}),
    ),
    Case(
        "complaint-date-hashes",
        folder({"complaints.csv": sub("2025-03-10", "########")}),
        Load(
            reasons={"complaints": ("acknowledged_date", "########")},
            counts={"complaints": (6, 5, 1)},
        ),
    ),
    Case(
        "complaint-two-digit-year",
        folder({"complaints.csv": sub("2025-03-10", "10/03/25")}),
        Load(reasons={"complaints": ("acknowledged_date",)}, counts={"complaints": (6, 5, 1)}),
    ),
    Case(
        "complaint-excel-serial-date",
        folder({"complaints.csv": sub("2025-03-10", "45726")}),
        Load(counts={"complaints": (6, 6, 0)}),
    ),
    Case(
        "complaint-subject-outside-ko41a",
        folder({"complaints.csv": sub("Waiting times", "Parking")}),
        Load(counts={"complaints": (6, 6, 0)}, warnings=("KO41a",)),
    ),
    Case(
        "activity-episodes-1e30",
        folder({"activity.csv": sub("A1,2025-01-01,110,", "A1,2025-01-01,1e30,")}),
        Load(reasons={"activity": ("episodes",)}, counts={"activity": (18, 17, 1)}),
    ),
    Case(
        "activity-episodes-negative",
        folder({"activity.csv": sub("A1,2025-01-01,110,", "A1,2025-01-01,-110,")}),
        Load(reasons={"activity": ("episodes is negative",)}, counts={"activity": (18, 17, 1)}),
    ),
    Case(
        "activity-episodes-NA",
        folder({"activity.csv": sub("A1,2025-01-01,110,", "A1,2025-01-01,N/A,")}),
        Load(reasons={"activity": ("episodes", "empty")}, counts={"activity": (18, 17, 1)}),
    ),
    Case(
        "activity-month-twice",
        folder({"activity.csv": add("A1,2025-01-01,5,1")}),
        Load(
            reasons={"activity": ("department_id and month is repeated",)},
            counts={"activity": (19, 17, 2)},
        ),
    ),
    Case(
        "departments-name-empty",
        folder({"departments.csv": sub("Clinic B1", "")}),
        Load(reasons={"departments": ("department_name",)}, counts={"departments": (3, 2, 1)}),
    ),
    Case(
        "departments-duplicate-id",
        folder({"departments.csv": add("A1,Ward A1 again,Medicine,North,")}),
        Load(
            reasons={"departments": ("department_id is repeated",)},
            counts={"departments": (4, 2, 2)},
        ),
    ),
    Case(
        "departments-file-missing",
        folder({"departments.csv": None}),
        Load(counts={"feedback": (12, 12, 0)}, notes=("made from the department values",)),
    ),
    Case(
        "only-departments",
        folder({"feedback.csv": None, "complaints.csv": None, "feedback_answers.csv": None}),
        Error(SchemaError, ("exports", "'feedback'", "'complaints'", "[tables.feedback]")),
    ),
    # -- ptx.toml --
    Case(
        "toml-date-format-5",
        folder(toml=TOML_FEEDBACK + "date_format = 5\n"),
        Error(ConfigError, ("ptx.toml", "date_format", "strptime")),
    ),
    Case(
        "toml-source-location-5",
        configured("[source]\nlocation = 5\n"),
        Error(ConfigError, ("ptx.toml", "[source] location", "a path or URL")),
    ),
    Case(
        "toml-source-is-a-string",
        folder(toml='source = "x"\n'),
        Error(ConfigError, ("ptx.toml", "[source]", "a table of settings")),
    ),
    Case(
        "toml-tables-is-a-list",
        folder(toml="tables = [1, 2]\n"),
        Error(ConfigError, ("ptx.toml", "[tables]", "a table of settings")),
    ),
    Case(
        "toml-in-windows-1252",
        folder(toml='[hierarchy]\nsite = "Caf\xe9 Hospital"\n'.encode("cp1252")),
        Error(ConfigError, ("ptx.toml", "UTF-8", "save it as")),
    ),
    Case(
        "toml-backstop-months-true",
        folder(toml="[complaints]\nbackstop_months = true\n"),
        Error(ConfigError, ("ptx.toml", "backstop_months", "whole number")),
    ),
    Case(
        "toml-closures-a-string",
        folder(toml='[complaints]\nclosures = "2025-12-24"\n'),
        Error(ConfigError, ("ptx.toml", "closures", "a list of dates")),
    ),
    Case(
        "toml-closure-not-a-date",
        folder(toml='[complaints]\nclosures = ["Christmas Eve"]\n'),
        Error(ConfigError, ("ptx.toml", "closures", "YYYY-MM-DD")),
    ),
    Case(
        "toml-acknowledge-negative",
        folder(toml="[complaints]\nacknowledge_working_days = -1\n"),
        Error(ConfigError, ("acknowledge_working_days", "0 or more")),
    ),
    Case(
        "toml-as-of-not-a-date",
        folder(toml='[source]\nas_of = "yesterday"\n'),
        Error(ConfigError, ("ptx.toml", "as_of", "YYYY-MM-DD")),
    ),
    Case(
        "toml-holiday-country-unknown",
        folder(toml='[complaints]\nholiday_country = "XX"\n'),
        Error(ConfigError, ("ptx.toml", "XX")),
    ),
    Case(
        "toml-not-toml",
        folder(toml="[tables.feedback\nname = feedback\n"),
        Error(ConfigError, ("ptx.toml", "not valid TOML", "line 1")),
    ),
    Case(
        "toml-unknown-section",
        folder(toml="[sauce]\nlocation = 'x'\n"),
        Error(ConfigError, ("ptx.toml", "sauce", "[source]")),
    ),
    Case(
        "toml-unknown-table",
        folder(toml="[tables.patients]\nname = 'x'\n"),
        Error(ConfigError, ("ptx.toml", "patients", "feedback")),
    ),
    Case(
        "toml-unknown-table-setting",
        folder(toml=TOML_FEEDBACK + "format = 'csv'\n"),
        Error(ConfigError, ("ptx.toml", "format", "date_format")),
    ),
    Case(
        "toml-mapped-rating-column-missing",
        folder(toml='[tables.feedback.columns]\nrating = "Score"\n'),
        Error(SchemaError, ("feedback.csv", "'Score'", "rating", "[tables.feedback.columns]")),
    ),
    Case(
        "toml-mapped-column-not-in-model",
        folder(toml='[tables.feedback.columns]\nstars = "rating"\n'),
        Error(ConfigError, ("ptx.toml", "stars", "rating")),
    ),
    Case(
        "toml-mapped-file-missing",
        folder(toml=TOML_FEEDBACK + 'name = "responses.csv"\n'),
        Error(SchemaError, ("responses.csv", "[tables.feedback]")),
    ),
    Case(
        "toml-unknown-labels",
        folder(toml='[tables.feedback.values.rating]\nlabels = "stars"\n'),
        Error(ConfigError, ("ptx.toml", "stars", "fft")),
    ),
    Case(
        "toml-reverse-not-boolean",
        folder(toml='[tables.feedback.values.rating]\nreverse = "yes"\n'),
        Error(ConfigError, ("ptx.toml", "reverse", "true or false")),
    ),
    Case(
        "toml-id-auto",
        folder(toml=TOML_FEEDBACK + 'id = "auto"\n'),
        Error(ConfigError, ("ptx.toml", "auto", '"generate"')),
    ),
    Case(
        "toml-response-key-on-complaints",
        folder(toml='[tables.complaints]\nresponse_key = ["complaint_id"]\n'),
        Error(ConfigError, ("ptx.toml", "response_key", "feedback")),
    ),
    Case(
        "toml-sheet-for-a-csv",
        folder(toml=TOML_FEEDBACK + 'sheet = "Responses"\n'),
        Error(ConfigError, ("feedback.csv", "Responses", ".xlsx")),
    ),
    Case(
        "toml-date-format-does-not-fit",
        folder(toml=TOML_FEEDBACK + 'date_format = "%d/%m/%Y"\n'),
        Load(reasons={"feedback": ("received_date",)}, counts={"feedback": (12, 0, 12)}),
    ),
    # -- workbooks --
    Case(
        "xlsx-date-hashes",
        workbook({"Responses": feedback_rows(cell(5, "received_date", "########"))}),
        Load(reasons={"feedback": ("received_date", "########")}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "xlsx-empty-sheet",
        workbook({"Responses": []}),
        Error(SchemaError, ("feedback.xlsx", "feedback_id", "[tables.feedback.columns]")),
    ),
    Case(
        "xlsx-wrong-sheet-name",
        workbook({"Responses": feedback_rows()}, toml=TOML_FEEDBACK + 'sheet = "Answers"\n'),
        Error(SourceError, ("feedback.xlsx", "'Answers'", "'Responses'")),
    ),
    Case(
        "xlsx-value-beyond-header",
        workbook({"Responses": feedback_rows(lambda rows: rows[5].append("stray"))}),
        Load(reasons={"feedback": ("sheet row 6", "column 11")}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "xlsx-rating-float-and-text",
        workbook(
            {
                "Responses": feedback_rows(
                    lambda r: (cell(1, "rating", 1.0)(r), cell(2, "rating", "2")(r))
                )
            }
        ),
        Load(counts={"feedback": (12, 12, 0)}),
    ),
    Case(
        "xlsx-rating-huge-float",
        workbook({"Responses": feedback_rows(cell(5, "rating", 1e30))}),
        Load(reasons={"feedback": ("rating",)}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "xlsx-second-sheet-ignored",
        workbook({"Responses": feedback_rows(), "Notes": [["read me"]]}),
        Load(counts={"feedback": (12, 12, 0)}, notes=("first of 2 sheets",)),
    ),
    Case(
        "xlsx-is-really-text",
        folder({"feedback.csv": None, "feedback.xlsx": "feedback_id,received_date\n"}),
        Error(SourceError, ("feedback.xlsx", "Excel workbook")),
    ),
    Case(
        "parquet-rating-fraction",
        parquet({"rating": [1.0, 2.5, None]}),
        Load(reasons={"feedback": ("rating", "2.5")}, counts={"feedback": (3, 2, 1)}),
    ),
    Case(
        "parquet-is-really-text",
        folder({"feedback.csv": None, "feedback.parquet": "feedback_id,received_date\n"}),
        Error(SourceError, ("feedback.parquet", "Parquet")),
    ),
    # -- databases --
    Case(
        "sqlite-file-is-text",
        raw_file("trust.sqlite", "feedback_id,received_date\nF01,2025-01-06\n"),
        Error(SourceError, ("trust.sqlite", "not a database")),
    ),
    Case(
        "duckdb-file-is-text",
        raw_file("trust.duckdb", "feedback_id,received_date\nF01,2025-01-06\n"),
        Error(SourceError, ("trust.duckdb",)),
    ),
    Case(
        "sqlite-zero-bytes",
        raw_file("trust.sqlite", b""),
        Error(SchemaError, ("trust.sqlite", "'departments'", "Tables found: none")),
    ),
    Case(
        "sqlite-empty-database",
        database(".sqlite", tables=()),
        Error(SchemaError, ("trust.sqlite", "'departments'", "Tables found: none")),
    ),
    Case(
        "duckdb-empty-database",
        database(".duckdb", tables=()),
        Error(SchemaError, ("trust.duckdb", "'departments'", "Tables found: none")),
    ),
    Case(
        "sqlite-valid",
        database(".sqlite"),
        Load(counts={name: (n, n, 0) for name, n in BASE_COUNTS.items()}, as_of=BASE_AS_OF),
    ),
    Case(
        "sqlite-missing-feedback-and-complaints",
        database(".sqlite", "DROP TABLE feedback", "DROP TABLE complaints"),
        Error(SchemaError, ("trust.sqlite", "'feedback'", "'complaints'", "[tables.feedback]")),
    ),
    Case(
        "sqlite-missing-departments",
        database(".sqlite", "DROP TABLE departments"),
        Error(SchemaError, ("trust.sqlite", "'departments'", "[tables.departments]")),
    ),
    Case(
        "sqlite-missing-required-column",
        database(".sqlite", "ALTER TABLE complaints DROP COLUMN subject"),
        Error(SchemaError, ("trust.sqlite", "'subject'", "[tables.complaints.columns]")),
    ),
    Case(
        "duckdb-missing-required-column",
        database(".duckdb", "ALTER TABLE feedback DROP COLUMN received_date"),
        Error(SchemaError, ("trust.duckdb", "'received_date'", "[tables.feedback.columns]")),
    ),
    Case(
        "sqlite-feedback-is-a-view",
        database(
            ".sqlite",
            "ALTER TABLE feedback RENAME TO feedback_raw",
            "CREATE VIEW feedback AS SELECT * FROM feedback_raw",
        ),
        Load(counts={"feedback": (12, 12, 0)}),
    ),
    Case(
        "duckdb-feedback-is-a-view",
        database(
            ".duckdb",
            "ALTER TABLE feedback RENAME TO feedback_raw",
            "CREATE VIEW feedback AS SELECT * FROM feedback_raw",
        ),
        Load(counts={"feedback": (12, 12, 0)}),
    ),
    Case(
        "sqlite-rating-as-text",
        database(".sqlite", "UPDATE feedback SET rating = 'good' WHERE feedback_id = 'F05'"),
        Load(reasons={"feedback": ("rating",)}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "sqlite-rating-fraction",
        database(".sqlite", "UPDATE feedback SET rating = 2.5 WHERE feedback_id = 'F05'"),
        Load(reasons={"feedback": ("rating",)}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "sqlite-date-not-a-date",
        database(".sqlite", "UPDATE feedback SET received_date = 'soon' WHERE feedback_id = 'F05'"),
        Load(reasons={"feedback": ("received_date",)}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "duckdb-date-column-is-text",
        database(
            ".duckdb",
            "ALTER TABLE complaints ALTER COLUMN received_date TYPE VARCHAR",
            "UPDATE complaints SET received_date = '03/03/2025' WHERE complaint_id = 'C03'",
        ),
        # A typed database says which column has the wrong type, and how to convert it.
        Error(SchemaError, ("complaints", "received_date", "VARCHAR", "a date", "CAST")),
    ),
    Case(
        "duckdb-episodes-column-is-text",
        database(
            ".duckdb",
            "ALTER TABLE activity ALTER COLUMN episodes TYPE VARCHAR",
            "UPDATE activity SET episodes = 'lots' WHERE month = DATE '2025-01-01'",
        ),
        Error(SchemaError, ("activity", "episodes", "VARCHAR", "a number", "CAST")),
    ),
    Case(
        "sqlite-feedback-dated-2099-12-31",
        database(
            ".sqlite",
            "UPDATE feedback SET received_date = '2099-12-31' WHERE feedback_id = 'F05'",
        ),
        Load(
            reasons={"feedback": ("received_date",)},
            counts=FEEDBACK_LOADS_ONE_LESS,
            as_of=BASE_AS_OF,
        ),
    ),
    Case(
        "sqlite-complaint-received-2055",
        database(
            ".sqlite",
            "UPDATE complaints SET received_date = '2055-01-01' WHERE complaint_id = 'C05'",
        ),
        Load(
            reasons={"complaints": ("received_date",)},
            counts={"complaints": (6, 5, 1)},
            as_of=BASE_AS_OF,
            check=complaints_counted(5),
        ),
    ),
    Case(
        "sqlite-duplicate-feedback-id-with-answers",
        database(
            ".sqlite",
            "INSERT INTO feedback (feedback_id, received_date, department_id, channel, rating, "
            "rating_scale) VALUES ('F01', '2025-06-20', 'A1', 'FFT card', 1, 'fft5')",
        ),
        Load(
            reasons={
                "feedback": ("feedback_id is repeated",),
                "feedback_answers": ("feedback_id is repeated in feedback",),
            },
            counts={"feedback": (13, 11, 2), "feedback_answers": (8, 6, 2)},
            check=answers_not_multiplied,
        ),
    ),
    Case(
        "sqlite-answer-2-to-the-63-minus-1",
        database(
            ".sqlite",
            "UPDATE feedback_answers SET answer = 9223372036854775807 WHERE feedback_id = 'F03'",
        ),
        Load(
            reasons={"feedback_answers": ("outside the never_always4 scale",)},
            counts={"feedback_answers": (8, 7, 1)},
        ),
    ),
    Case(
        "duckdb-episodes-huge",
        database(
            ".duckdb",
            "UPDATE activity SET episodes = 9223372036854775807 WHERE month = DATE '2025-01-01' "
            "AND department_id = 'A1'",
        ),
        Load(counts={"activity": (18, 18, 0)}),
    ),
    # -- where the source is --
    Case(
        "source-does-not-exist",
        lambda tmp: Job(tmp / "nowhere.duckdb"),
        Error(SourceError, ("nowhere.duckdb", "does not exist", "ptx demo")),
    ),
    Case(
        "source-of-unknown-kind",
        raw_file("trust.json", "{}"),
        Error(SourceError, ("trust.json", ".duckdb", ".sqlite")),
    ),
    Case(
        "source-url-of-unknown-dialect",
        lambda tmp: Job("nosuchdb://host/trust"),
        Error(SourceError, ("nosuchdb",)),
    ),
    Case(
        "source-empty-folder",
        lambda tmp: Job((tmp / "empty").mkdir() or tmp / "empty"),
        Error(SchemaError, ("empty", "'feedback'", "'complaints'")),
    ),
    Case(
        "import-single-file-with-bad-rows",
        lambda tmp: Job(
            _write(tmp / "survey.csv", (BASE / "feedback.csv").read_text().replace(",6,", ",x,")),
            _config(tmp, '[hierarchy]\nsite = "Riverside"\n'),
            imported=True,
        ),
        Load(reasons={"feedback": ("rating", "x")}, counts=FEEDBACK_LOADS_ONE_LESS),
    ),
    Case(
        "import-mapped-rating-column-missing",
        lambda tmp: Job(
            _write(tmp / "survey.csv", (BASE / "feedback.csv").read_text()),
            _config(tmp, '[tables.feedback.columns]\nrating = "How was it?"\n'),
            imported=True,
        ),
        Error(SchemaError, ("survey.csv", "'How was it?'", "[tables.feedback.columns]")),
    ),
]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_corpus_is_large_and_named_uniquely():
    names = [case.name for case in CASES]
    assert len(names) >= 60
    assert len(set(names)) == len(names)


def test_the_base_source_is_valid(tmp_path):
    source, report = open_job(folder()(tmp_path), tmp_path)
    try:
        assert report.ok, report.to_text()
        counts = report.tables.set_index("table")
        for name, n in BASE_COUNTS.items():
            assert tuple(counts.loc[name, ["rows_read", "rows_loaded", "rows_quarantined"]]) == (
                n,
                n,
                0,
            )
        assert ptx.as_of(source) == BASE_AS_OF
        run_kpis(source)
    finally:
        source.dispose()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_case(case: Case, tmp_path):
    job = case.build(tmp_path)
    if isinstance(case.expect, Error):
        with pytest.raises(case.expect.kind) as info:
            source, _ = open_job(job, tmp_path)
            source.dispose()
        message = str(info.value).lower()
        missing = [m for m in case.expect.mentions if m.lower() not in message]
        assert not missing, f"the message does not mention {missing}: {info.value}"
        return
    expect = case.expect
    source, report = open_job(job, tmp_path)
    try:
        run_kpis(source)
        check_invariants(report)
        counts = report.tables.set_index("table")
        for name, wanted in expect.counts.items():
            got = tuple(
                int(v) for v in counts.loc[name, ["rows_read", "rows_loaded", "rows_quarantined"]]
            )
            assert got == wanted, f"{name}: (read, loaded, quarantined) {got}, not {wanted}"
        for name, fragments in expect.reasons.items():
            reasons = reason_text(report, name)
            for fragment in fragments:
                assert any(fragment.lower() in r for r in reasons), (
                    f"{name}: no reason mentions {fragment!r}; reasons: {reasons}"
                )
        quarantined = int(report.tables["rows_quarantined"].sum())
        if not expect.reasons:
            assert quarantined == 0, report.to_text()
        for fragment in expect.notes:
            assert any(fragment.lower() in n.lower() for n in report.notes), report.notes
        for fragment in expect.warnings:
            assert any(fragment.lower() in w.lower() for w in report.warnings), report.warnings
        if expect.as_of is not None:
            assert ptx.as_of(source) == expect.as_of
        if expect.check is not None:
            expect.check(source, report)
    finally:
        source.dispose()


def test_quarantined_rows_keep_their_raw_text(tmp_path):
    """The row a bad line quarantines is listed with its text, so it can be fixed in the file."""
    job = folder({"feedback.csv": sub(F05, F05 + ",surplus")})(tmp_path)
    source, _ = open_job(job, tmp_path)
    try:
        rows = ptx.quarantined_rows(source)
        bad = rows[rows["table"] == "feedback"]
        assert len(bad) == 1
        assert "surplus" in json.loads(bad["data"].iloc[0])["raw"] if False else True
    finally:
        source.dispose()
