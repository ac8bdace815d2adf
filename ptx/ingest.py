"""Import export files (CSV, Excel, Parquet) into a database, quarantining what does not read.

Each model table is read from ``<name>.csv`` (or ``.tsv``, ``.txt``, ``.xlsx``, ``.parquet``) in a
folder, or from the file its ``[tables.<table>] name`` names. Every cell passes, in order:

1. the missing-value tokens (``NA``, ``N/A``, ``-`` ...; see :mod:`ptx.importing.values`);
2. the column's value map (answer words, codes onto the model's codes);
3. parsing to the model's type (dates row by row, see :mod:`ptx.importing.dates`);
4. ``reverse = true`` for a scale that runs the other way.

A row with any value that fails is kept, with its reason and raw text, in ``_ptx_quarantine``
rather than dropped, so that ``rows read = rows loaded + rows quarantined`` always holds. What the
import found (files, rows, value mappings, notes) is stored beside the tables and printed by
``ptx validate`` (see :mod:`ptx.validate`).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ptx import cache
from ptx.benchmarks.guard import refuse_published
from ptx.config import Config, TableMapping
from ptx.errors import PtxError, SchemaError, SourceError
from ptx.importing.dates import DateColumn
from ptx.importing.readers import SUFFIXES as FILE_SUFFIXES
from ptx.importing.readers import ReadLog, read_file
from ptx.importing.values import missing_mask, reverse_codes, suggest_labels, translate
from ptx.schema import TABLES, Table
from ptx.store import Writer, is_spark
from ptx.themes import tagger_for

QUARANTINE_TABLE = "_ptx_quarantine"
IMPORT_COUNTS_TABLE = "_ptx_import"
VALUES_TABLE = "_ptx_values"
NOTES_TABLE = "_ptx_notes"
RESPONSES_TABLE = "_ptx_responses"  # feedback_id, rows: export rows folded into each response
# The columns of the tables an import stores beside the model's (and ptx validate reads).
REPORT_COLUMNS = {
    QUARANTINE_TABLE: ("table_name", "row_number", "reason", "raw"),
    IMPORT_COUNTS_TABLE: ("table_name", "file", "rows_read", "rows_loaded", "records", "encoding"),
    VALUES_TABLE: ("table_name", "column_name", "source_value", "model_value", "scale", "rows"),
    NOTES_TABLE: ("table_name", "note"),
    RESPONSES_TABLE: ("feedback_id", "rows"),
}
CHUNK_ROWS = 250_000
TRUE_WORDS = {"true", "t", "yes", "y", "1"}
FALSE_WORDS = {"false", "f", "no", "n", "0"}
ANSWER_COLUMNS = {"rating": "rating_scale", "answer": "answer_scale"}  # value -> its scale
BIGGEST = 2**63 - 1  # the largest whole number a database column holds

Progress = Callable[[str, int], None]  # (table, rows done so far)


def find_table_file(folder: Path, mapping: TableMapping) -> Path | None:
    """The file holding a table: ``<name>`` with one of :data:`FILE_SUFFIXES` in the folder, or
    the file the mapping names (a path with such a suffix, relative to the folder or absolute)."""
    named = Path(mapping.name)
    if named.suffix.lower() in FILE_SUFFIXES:
        path = named if named.is_absolute() else folder / named
        return path if path.is_file() else None
    for suffix in FILE_SUFFIXES:
        path = folder / f"{mapping.name}{suffix}"
        if path.is_file():
            return path
    return None


# Published results files (CMS HCAHPS, NHS England FFT, ptx's own benchmark_results) found in a
# folder beside the model's tables: ``files[PUBLISHED]`` holds them, and the import writes them
# into their own table (see ptx.benchmarks), never into a table of responses.
PUBLISHED = "benchmark_results"


def other_files(folder: Path, claimed) -> list[Path]:
    """The export files in a folder that no model table claims, in name order."""
    taken = {Path(p).resolve() for p in claimed}
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in FILE_SUFFIXES and p.resolve() not in taken
    )


def published_files(folder: Path, claimed) -> tuple[Path, ...]:
    """The files in a folder, beside the model tables' (``claimed``), whose header is a
    published results layout; none when only auxiliary CMS lists (measures, states) are there."""
    from ptx.benchmarks.imports import AUXILIARY, layout_of

    found = {}
    for path in other_files(folder, claimed):
        try:
            chunks, _log = read_file(path, chunk_rows=1)
            layout = layout_of(list(next(iter(chunks), pd.DataFrame()).columns))
        except (PtxError, OSError, ValueError):  # not a table ptx reads: left alone, as before
            continue
        if layout is not None:
            found[path] = layout
    if all(layout in AUXILIARY for layout in found.values()):
        return ()
    return tuple(found)


def cache_family(folder: Path) -> str:
    """The name every cache of one source folder (or file) starts with."""
    where = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:8]
    return f"{folder.name}-{where}"


def cache_path(folder: Path, config: Config) -> Path:
    """A cache file name that changes when any input file or the mapping changes."""
    h = hashlib.sha256(str(folder.resolve()).encode())
    for name in TABLES:
        path = folder if folder.is_file() else find_table_file(folder, config.mapping(name))
        if path is not None:
            st = path.stat()
            h.update(f"{path.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    if folder.is_dir():  # published results files beside them (see published_files)
        claimed = [find_table_file(folder, config.mapping(n)) for n in TABLES]
        for path in other_files(folder, [p for p in claimed if p is not None]):
            st = path.stat()
            h.update(f"{path.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    h.update(repr(sorted((k, repr(v)) for k, v in config.tables.items())).encode())
    h.update(repr((config.missing, config.hierarchy, config.latest_date)).encode())
    h.update(b"ptx-ingest-2")
    return cache.private_dir() / f"{cache_family(folder)}-{h.hexdigest()[:16]}{cache.SUFFIX}"


@dataclass
class Tally:
    """What one table's import found, beyond its rows."""

    values: Counter = field(default_factory=Counter)  # (column, source, model, scale) -> rows
    notes: list[str] = field(default_factory=list)
    department_ids: set = field(default_factory=set)
    # (site or division, department, export value) -> rows, for departments made from exports
    hierarchy: Counter = field(default_factory=Counter)
    seen_ids: Counter = field(default_factory=Counter)  # generated id -> times seen


class TableReader:
    """Reads one model table from one file: the mapping, the date columns and the tallies."""

    def __init__(self, spec: Table, mapping: TableMapping, config: Config, file: Path):
        self.spec, self.mapping, self.config, self.file = spec, mapping, config, file
        self.tally = Tally()
        self.dates = {
            c.name: DateColumn(mapping.source_column(c.name), mapping.date_format)
            for c in spec.columns
            if c.type == "date" and c.name not in mapping.constants
        }
        self.scale_from_labels = {
            value: mapping.value_map(value).scale
            for value, scale in ANSWER_COLUMNS.items()
            if value in spec.column_names
            and mapping.value_map(value).scale
            and scale not in mapping.constants
            and scale not in mapping.columns
        }

    def chunks(self) -> tuple:
        return read_file(self.file, sheet=self.mapping.sheet, chunk_rows=CHUNK_ROWS)

    def check_columns(self, raw: pd.DataFrame) -> None:
        """Raise SchemaError naming every mapped or required column the file lacks (or saying
        that the file holds published results, not responses)."""
        refuse_published(self.file, self.spec.name, raw.columns)
        wanted = []
        for col in self.spec.columns:
            if col.name in self.mapping.constants or self._supplied(col.name):
                continue
            source = self.mapping.source_column(col.name)
            if source in raw.columns:
                continue
            if col.required or col.name in self.mapping.columns:
                wanted.append((col.name, source))
        wanted += [
            (f"response_key {key}", key)
            for key in self.mapping.response_key
            if key not in raw.columns
        ]
        hierarchy = self.config.hierarchy
        if self.spec.name in ("feedback", "complaints"):
            wanted += [
                (f"[hierarchy] {level}_column", column)
                for level, column in (
                    ("site", hierarchy.site_column),
                    ("division", hierarchy.division_column),
                )
                if column and column not in raw.columns
            ]
        if wanted:
            names = ", ".join(f"'{s}'" for _, s in wanted)
            raise SchemaError(
                f"{self.file}: table '{self.spec.name}' has no column {names} (model column(s) "
                f"{', '.join(m for m, _ in wanted)}). Columns found: "
                f"{', '.join(map(str, raw.columns))}. Fix: rename the column, or map it in "
                f"ptx.toml under [tables.{self.spec.name}.columns], e.g. "
                f'{wanted[0][0]} = "<your column>".'
            )

    def _supplied(self, column: str) -> bool:
        """A column ptx fills itself when the source has none: a generated id, a scale implied
        by a label set, or the default site and division."""
        if column == self.spec.key[0] and (self.mapping.generate_id or self.mapping.response_key):
            return True
        if column in (ANSWER_COLUMNS[v] for v in self.scale_from_labels):
            return True
        return self.spec.name == "departments" and column in ("site", "division")

    def _text(self, raw: pd.DataFrame, column: str) -> pd.Series | None:
        """A column's stripped source text with missing-value tokens as '', or None."""
        source = self.mapping.source_column(column)
        if column in self.mapping.constants:
            return pd.Series(str(self.mapping.constants[column]), index=raw.index)
        if source not in raw.columns:
            return None
        text = raw[source].astype(str).str.strip()
        tokens = self.config.missing_tokens(self.spec.name, column)
        return text.mask(missing_mask(text, tokens), "")

    def _context(self, raw: pd.DataFrame) -> pd.Series | None:
        return (
            self._text(raw, "department_id") if "department_id" in self.spec.column_names else None
        )

    def observe(self, raw: pd.DataFrame) -> None:
        """First pass: let each date column see its values in file order."""
        context = self._context(raw)
        for name, column in self.dates.items():
            text = self._text(raw, name)
            if text is not None:
                column.observe(text, context)

    def parse(self, raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Parse one chunk. Returns ``(parsed, quarantined)``: the rows that parsed, with model
        column names, and the rows that did not, as ``table_name, row_number, reason, raw``; row
        numbers count data rows from 1, taken from the chunk's index."""
        self.check_columns(raw)
        reason = pd.Series(pd.NA, index=raw.index, dtype="object")
        parsed = pd.DataFrame(index=raw.index)
        sources: dict[str, pd.Series] = {}
        translated: dict[str, pd.Series] = {}
        context = self._context(raw)
        for col in self.spec.columns:
            text = self._text(raw, col.name)
            if text is None:
                parsed[col.name] = self._filled(raw, col.name)
                continue
            if col.name not in self.mapping.constants:
                sources[col.name] = (
                    raw[self.mapping.source_column(col.name)].astype(str).str.strip()
                )
                text, translated[col.name] = translate(text, self.mapping.value_map(col.name))
            blank = text == ""
            values, problem = self._typed(col, text, blank, context)
            if col.required:
                reason = reason.mask(blank & reason.isna(), f"{col.name}: required value is empty")
            reason = reason.fillna(problem)
            parsed[col.name] = values
        for value, scale in self.scale_from_labels.items():
            column = ANSWER_COLUMNS[value]
            parsed[column] = parsed[column].mask(parsed[value].notna(), scale)
        for value, scale in ANSWER_COLUMNS.items():
            if value not in parsed:
                continue
            if self.mapping.value_map(value).reverse:  # codes as written; words are mapped
                as_written = ~translated.get(value, pd.Series(False, index=raw.index))
                parsed[value] = parsed[value].mask(
                    as_written, reverse_codes(parsed[value], parsed[scale])
                )
            if value in sources:
                self._count_values(value, sources[value], parsed[value], parsed[scale], reason)
        keys = {key: self._key_text(raw, key) for key in self.mapping.response_key}
        for key, text in keys.items():
            reason = reason.mask(
                (text == "") & reason.isna(),
                f"{key}: empty, so the rows of this row's response cannot be told apart",
            )
        if "department_id" in parsed:
            loaded = reason.isna()
            self.tally.department_ids.update(parsed.loc[loaded, "department_id"].dropna().unique())
            self._count_hierarchy(raw, parsed["department_id"], loaded)
        if keys:
            parsed["_response"] = pd.DataFrame(keys).agg(" / ".join, axis=1)
            parsed["_row"] = raw.index + 1
            parsed["_raw"] = [json.dumps(r, default=str) for r in raw.to_dict("records")]
        failed = reason.notna()
        quarantined = quarantine_frame(
            self.spec.name, raw.index[failed] + 1, reason[failed], raw[failed]
        )
        return parsed[~failed].reset_index(drop=True), quarantined

    def _key_text(self, raw: pd.DataFrame, column: str) -> pd.Series:
        """A response-key column's stripped text, missing-value tokens as ''."""
        text = raw[column].astype(str).str.strip()
        return text.mask(missing_mask(text, self.config.missing), "")

    def _count_hierarchy(self, raw: pd.DataFrame, departments: pd.Series, ok: pd.Series) -> None:
        for level in ("site", "division"):
            column = getattr(self.config.hierarchy, f"{level}_column")
            if column is None or column not in raw.columns:
                continue
            pairs = pd.DataFrame({"d": departments[ok], "v": self._key_text(raw, column)[ok]})
            for (department, value), n in pairs.value_counts().items():
                if value:
                    self.tally.hierarchy[(level, department, value)] += int(n)

    def _filled(self, raw: pd.DataFrame, column: str) -> pd.Series:
        """Values for a column the source lacks (see :meth:`_supplied`), else empty."""
        if column == self.spec.key[0] and self.mapping.generate_id:
            return self._generated_ids(raw)
        if self.spec.name == "departments" and column in ("site", "division"):
            return pd.Series(getattr(self.config.hierarchy, column), index=raw.index, dtype=object)
        return pd.Series(pd.NA, index=raw.index, dtype="object")

    def _generated_ids(self, raw: pd.DataFrame) -> pd.Series:
        """A stable id per row: a hash of its cells, plus the number of the repeat for rows that
        are identical, so that importing the same file again gives the same ids."""
        hashes = pd.util.hash_pandas_object(raw.astype(str), index=False).map("{:016x}".format)
        before = hashes.map(lambda h: self.tally.seen_ids.get(h, 0))  # in earlier chunks
        n = before + hashes.groupby(hashes).cumcount() + 1
        self.tally.seen_ids.update(hashes.value_counts().to_dict())
        return hashes.where(n == 1, hashes + "-" + n.astype(str)).astype(object)

    def _typed(self, col, text: pd.Series, blank: pd.Series, context) -> tuple:
        """(values, problem per row or NA) for one column's text."""
        shown = self.mapping.source_column(col.name)
        problem = pd.Series(pd.NA, index=text.index, dtype="object")
        if col.type == "string":
            return text.where(~blank, pd.NA), problem
        if col.type == "date":
            if col.name in self.mapping.constants:
                constant = DateColumn(col.name, None)
                constant.observe(text)
                values, problems = constant.parse(text)
            else:
                values, problems = self.dates[col.name].parse(text, context)
            return values, problems.where(problems.notna(), pd.NA)
        if col.type == "integer":
            values, bad = whole_numbers(text, blank)
            if bad.any():
                hint = self._label_hint(col.name, text[bad])
                problem = problem.mask(
                    bad, text.map(lambda v: f"{shown}: '{v}' is not a whole number{hint}")
                )
            return values, problem
        lower = text.str.lower()
        values = lower.map(
            lambda v: True if v in TRUE_WORDS else (False if v in FALSE_WORDS else pd.NA)
        )
        bad = ~blank & values.isna()
        problem = problem.mask(
            bad, text.map(lambda v: f"{shown}: '{v}' is not true/false, yes/no or 1/0")
        )
        return values, problem

    def _label_hint(self, column: str, bad: pd.Series) -> str:
        """How to read answer words, when the bad values look like them."""
        if column not in ANSWER_COLUMNS:
            return ""
        where = f"[tables.{self.spec.name}.values.{column}]"
        found = suggest_labels(bad)
        if found:
            return f'; the column holds answer words: add {where} labels = "{found}" to ptx.toml'
        return f"; to read words as answers, map them in ptx.toml under {where} map"

    def _count_values(self, column, source, values, scales, reason) -> None:
        """Tally source value -> model value (with its scale) for the rows that parsed."""
        ok = reason.isna()
        frame = pd.DataFrame(
            {
                "source": source[ok],
                "model": values[ok].astype("Float64"),
                "scale": scales[ok].astype(object),
            }
        )
        for (src, model, scale), n in frame.value_counts(dropna=False).items():
            model = None if pd.isna(model) else int(model)
            scale = None if scale is None or pd.isna(scale) else str(scale)
            self.tally.values[(column, str(src), model, scale)] += int(n)

    def notes(self) -> list[str]:
        out = [note for column in self.dates.values() for note in column.notes()]
        if self.mapping.generate_id:
            repeats = sum(n - 1 for n in self.tally.seen_ids.values())
            out.append(
                f"{self.spec.key[0]} generated from a hash of each row"
                + (f"; {repeats} row(s) repeat another row exactly" if repeats else "")
                + "."
            )
        for value, scale in self.scale_from_labels.items():
            out.append(
                f"{ANSWER_COLUMNS[value]} set to '{scale}' for rows with a {value} (labels)."
            )
        return out + self.tally.notes


def whole_numbers(text: pd.Series, blank: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(Int64 values, bad mask): text that is a whole number a database column holds, written
    as digits (``12``, ``-3``, ``+4``) or as a number with a zero fraction (``5.0``, ``1e3``)."""
    digits = text.str.fullmatch(r"[+-]?\d{1,19}")
    exact = pd.Series(pd.NA, index=text.index, dtype="Int64")
    small = digits & (text.str.lstrip("+-").str.len() < 19)
    exact[small] = text[small].astype("int64")
    big = digits & ~small  # 19 digits may or may not fit: compare as Python ints
    for i in text.index[big]:
        value = int(text[i])
        if -BIGGEST - 1 <= value <= BIGGEST:
            exact[i] = value
    other = ~blank & ~digits
    number = pd.to_numeric(text.where(other), errors="coerce")
    fits = np.isfinite(number) & (number == number.round()) & (number.abs() < 2**53)
    exact = exact.mask(other & fits.fillna(False), number.round().astype("Float64").astype("Int64"))
    return exact, ~blank & exact.isna()


def quarantine_frame(table: str, rows, reasons, raw: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "table_name": table,
            "row_number": np.asarray(rows, dtype="int64"),
            "reason": np.asarray(reasons, dtype=object).astype(str),
            "raw": [json.dumps(r, default=str) for r in raw.to_dict("records")],
        }
    )


def fold_responses(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fold the rows of one response (same ``_response``) into one feedback row.

    Rows of one response must agree on date, department and rating (rows without a rating
    agree with any); their comments are all kept, joined by blank lines in file order. Returns
    ``(responses, quarantined)``: a response whose rows disagree is quarantined whole, with the
    values they disagree on.
    """
    agreed = ("received_date", "department_id", "rating")
    groups = frame.groupby("_response", sort=False)
    differ = groups[list(agreed)].nunique(dropna=True) > 1
    reasons = {}
    for response in differ.index[differ.any(axis=1)]:
        rows = groups.get_group(response)
        column = next(c for c in agreed if differ.at[response, c])
        values = ", ".join(map(str, pd.unique(rows[column].dropna())))
        reasons[response] = f"the rows of response '{response}' disagree on {column}: {values}"
    bad = frame["_response"].isin(reasons)
    quarantined = pd.DataFrame(
        {
            "table_name": "feedback",
            "row_number": frame.loc[bad, "_row"].to_numpy(dtype="int64"),
            "reason": frame.loc[bad, "_response"].map(reasons).to_numpy(dtype=object),
            "raw": frame.loc[bad, "_raw"].to_numpy(dtype=object),
        }
    )
    columns = [c for c in TABLES["feedback"].column_names if c != "comment"]
    good = frame[~bad].groupby("_response", sort=False)
    folded = good[columns].first()  # the first value given, skipping empty ones
    folded["comment"] = good["comment"].agg(lambda v: "\n\n".join(pd.unique(v.dropna())) or None)
    folded["feedback_id"] = folded.index.astype(str)
    folded["_rows"] = good.size().astype("int64")
    return folded.reset_index(drop=True), quarantined


@dataclass
class TableResult:
    """One table's import: its file, what reading it found, and its rows."""

    name: str
    file: Path | None
    rows_read: int = 0
    rows_loaded: int = 0  # source rows that reached the table (several per folded response)
    records: int = 0  # rows written (responses, when rows were folded)
    log: ReadLog | None = None
    notes: list[str] = field(default_factory=list)
    responses: pd.DataFrame | None = None  # feedback_id, rows: when rows were folded


def table_files(folder: Path, config: Config, only: dict[str, Path] | None = None) -> dict:
    """The file of each model table in the folder (or ``only`` those given), checking that the
    required ones are there."""
    files = dict(only or {})
    if only is None:
        for name in TABLES:
            path = find_table_file(folder, config.mapping(name))
            if path is not None:
                files[name] = path
        published = published_files(folder, files.values())
        if published:
            files[PUBLISHED] = published
    for name in config.tables:
        if name not in files and (only is None or Path(config.mapping(name).name).suffix):
            raise SchemaError(
                f"{folder}: ptx.toml maps table '{name}' to '{config.mapping(name).name}', "
                f"which is not there (looked for it with {', '.join(FILE_SUFFIXES)}). Fix the "
                f"name under [tables.{name}], or remove the section."
            )
    if not {"feedback", "complaints"} & set(files):
        expected = " or ".join(f"'{config.mapping(n).name}'" for n in ("feedback", "complaints"))
        raise SchemaError(
            f"{folder}: no file for table 'feedback' or 'complaints' (a source needs one or "
            f"both). Expected {expected} with one of {', '.join(FILE_SUFFIXES)}; map another "
            'file in ptx.toml with [tables.feedback] name = "<file stem or path>".'
        )
    return files


def files_for(location: Path, config: Config, table: str | None = None) -> dict[str, Path]:
    """The file of each table: a folder's files (see :func:`table_files`), or one export file
    as the table ``table`` (default: the table whose mapping names the file, else feedback),
    with any other tables the config maps to files beside it."""
    if location.is_dir():
        return table_files(location, config)
    if location.suffix.lower() not in FILE_SUFFIXES:
        raise SourceError(
            f"{location}: ptx reads {', '.join(FILE_SUFFIXES)} files or a folder of them."
        )
    if table is None:
        named = [n for n in TABLES if Path(config.mapping(n).name).name == location.name]
        table = named[0] if named else "feedback"
    if table not in TABLES:
        raise SourceError(
            f"'{table}' is not a table of the data model: use one of {', '.join(TABLES)}."
        )
    files = {table: location}
    for name in TABLES:
        path = find_table_file(location.parent, config.mapping(name))
        if name != table and name in config.tables and path is not None:
            files[name] = path
    return table_files(location.parent, config, only=files)


def import_files(
    files: dict[str, Path],
    config: Config,
    target: str | Path,
    *,
    progress: Progress | None = None,
) -> list[TableResult]:
    """Read, map and check each table's file and write them, with the import's report tables,
    to ``target`` (a DuckDB or SQLite file or a SQLAlchemy URL). Without a departments file,
    departments are made from the department values the other tables use."""
    files = dict(files)
    published = files.pop(PUBLISHED, ())
    derive = "departments" not in files
    names = tuple(files) + (("departments",) if derive else ())
    writer = Writer(target, names, latest=config.latest_date, tagger=tagger_for(config))
    results, quarantine, values, department_ids = [], [], [], set()
    hierarchy: Counter = Counter()
    try:
        for name, path in files.items():
            reader = TableReader(TABLES[name], config.mapping(name), config, path)
            result = _import_table(reader, writer, quarantine, progress)
            results.append(result)
            department_ids |= reader.tally.department_ids
            hierarchy += reader.tally.hierarchy
            values += [
                (name, column, src, model, scale, n)
                for (column, src, model, scale), n in sorted(
                    reader.tally.values.items(), key=lambda kv: (kv[0][0], -kv[1])
                )
            ]
        if derive:
            results.append(_derived_departments(sorted(department_ids), hierarchy, config, writer))
        writer.close()
        if published:
            results += _import_published(published, target, quarantine)
        _write_report(target, results, quarantine, values)
    except BaseException:
        writer.discard()
        raise
    return results


def _import_table(reader: TableReader, writer: Writer, quarantine: list, progress) -> TableResult:
    name, path = reader.spec.name, reader.file
    result = TableResult(name, path)
    if reader.dates and reader.mapping.date_format is None:  # resolve by the whole column
        chunks, _ = reader.chunks()
        for chunk in chunks:
            reader.observe(chunk)
    chunks, log = reader.chunks()
    responses = []
    for chunk in chunks:
        parsed, bad = reader.parse(chunk)
        quarantine.append(bad)
        result.rows_loaded += len(parsed)
        if reader.mapping.response_key:
            responses.append(parsed)
        else:
            writer.append(name, parsed)
            result.records += len(parsed)
        if progress:
            progress(name, log.rows_read)
    if log.rejected:
        rejected = pd.DataFrame(log.rejected, columns=["row_number", "reason", "raw"])
        quarantine.append(rejected.assign(table_name=name, row_number=rejected.row_number + 1))
    if reader.mapping.response_key:
        frame = pd.concat(responses, ignore_index=True)
        folded, bad = fold_responses(frame)
        quarantine.append(bad)
        result.rows_loaded -= len(bad)
        writer.append(name, folded)
        result.records = len(folded)
        result.responses = pd.DataFrame(
            {"feedback_id": folded["feedback_id"], "rows": folded["_rows"]}
        ).astype({"feedback_id": str, "rows": "int64"})
        reader.tally.notes.append(
            f"{result.rows_loaded:,} rows are {result.records:,} responses (rows with the same "
            f"{' / '.join(reader.mapping.response_key)} are one response; every comment is kept)."
        )
    result.rows_read = log.rows_read
    result.log = log
    result.notes = _read_notes(log) + reader.notes()
    return result


def _import_published(paths, target, quarantine: list) -> list[TableResult]:
    """Published results files into ``benchmark_results`` at the target, the way
    ``ptx benchmarks import`` does (one code path), with each file's rows read, loaded and
    quarantined (and why) in the import's report."""
    from ptx.benchmarks.imports import AUXILIARY, read_results, write_results

    rows, report = read_results(paths)
    write_results(target, rows, report)
    out = []
    for f in report.files:
        if f.layout in AUXILIARY:
            continue
        if f.rejected:
            numbers, reasons, raw = zip(*f.rejected, strict=True)
            quarantine.append(
                pd.DataFrame(
                    {"table_name": PUBLISHED, "row_number": numbers, "reason": reasons, "raw": raw}
                ).astype({"row_number": "int64"})
            )
        result = TableResult(PUBLISHED, f.file, f.rows_read, f.rows_read - len(f.rejected))
        result.records = f.rows_stored
        result.notes = [f"{f.file.name} ({f.layout}): {note}" for note in f.notes]
        out.append(result)
    if out:
        out[-1].notes += report.notes
    return out


def _read_notes(log: ReadLog) -> list[str]:
    notes = list(log.notes)
    if log.repaired:
        before, after = log.repaired_example or ("", "")
        notes.append(
            f"{log.repaired:,} cell(s) held text encoded twice (mojibake) and were repaired, "
            f"e.g. '{before}' -> '{after}'."
        )
    return notes


def _derived_departments(ids: list, found: Counter, config: Config, writer: Writer) -> TableResult:
    """Departments made from the department values the other tables use, with their site and
    division from the [hierarchy] settings (a fixed name, or the most frequent value of an
    export column per department)."""
    levels = {}
    notes = []
    for level in ("site", "division"):
        fixed = getattr(config.hierarchy, level)
        column = getattr(config.hierarchy, f"{level}_column")
        best: dict = {}
        for (lvl, department, value), _rows in sorted(found.items(), key=lambda kv: -kv[1]):
            if lvl == level:
                best.setdefault(department, value)
        levels[level] = [best.get(d, fixed) for d in ids]
        if column:
            missing = sum(d not in best for d in ids)
            notes.append(
                f"{level} of each department from the export column '{column}'"
                + (f"; {missing} department(s) without one are under '{fixed}'" if missing else "")
                + "."
            )
        else:
            notes.append(f"{level}: '{fixed}' for every department.")
    frame = pd.DataFrame(
        {
            "department_id": ids,
            "department_name": ids,
            "division": levels["division"],
            "site": levels["site"],
        }
    )
    writer.append("departments", frame)
    return TableResult(
        "departments",
        None,
        records=len(frame),
        notes=[
            f"no departments file: {len(frame)} department(s) made from the department values "
            "the other tables use.",
            *notes,
        ],
    )


def _write_report(target, results: list[TableResult], quarantine: list, values: list) -> None:
    """Store what the import found beside the tables (see :mod:`ptx.validate`)."""
    empty = quarantine_frame("", [], [], pd.DataFrame())
    q = pd.concat([empty, *[f for f in quarantine if len(f)]], ignore_index=True)
    frames = {
        QUARANTINE_TABLE: q[["table_name", "row_number", "reason", "raw"]].astype(
            {"table_name": str, "row_number": "int64", "reason": str, "raw": str}
        ),
        IMPORT_COUNTS_TABLE: pd.DataFrame(
            [
                {
                    "table_name": r.name,
                    "file": str(r.file) if r.file else "",
                    "rows_read": r.rows_read if r.file else r.records,
                    "rows_loaded": r.rows_loaded if r.file else r.records,
                    "records": r.records,
                    "encoding": r.log.encoding if r.log else "",
                }
                for r in results
            ]
        ),
        VALUES_TABLE: _values_frame(values),
        NOTES_TABLE: pd.DataFrame(
            [(r.name, note) for r in results for note in r.notes],
            columns=["table_name", "note"],
        ),
    }
    for r in results:
        if r.responses is not None:
            frames[RESPONSES_TABLE] = r.responses
    write_frames(target, frames)


def write_frames(target, frames: dict[str, pd.DataFrame]) -> None:
    """Write (replacing) plain tables beside the model's, in a DuckDB file or a SQL database."""
    import sqlalchemy as sa

    from ptx.store import database_url

    engine = sa.create_engine(database_url(target))
    try:
        with engine.begin() as conn:
            for name, frame in frames.items():
                frame.to_sql(name, conn, if_exists="replace", index=False)
    finally:
        engine.dispose()


def _values_frame(values: list) -> pd.DataFrame:
    """The answer values as read; codes kept exact (a float column would round 2**63 - 1)."""
    columns = ["table_name", "column_name", "source_value", "model_value", "scale", "rows"]
    frame = pd.DataFrame(values, columns=columns, dtype=object)
    codes = [None if pd.isna(v) else int(v) for v in frame["model_value"]]
    frame["model_value"] = pd.array(  # a code no column holds is listed without one
        [v if v is not None and -(2**63) <= v < 2**63 else None for v in codes], dtype="Int64"
    )
    return frame.astype({"rows": "int64"})


def import_folder(folder: Path, config: Config, *, progress: Progress | None = None) -> Path:
    """Import a folder (or one export file) into its DuckDB cache (once); return the cache.

    One process at a time builds a folder's cache; another waiting for it then reuses it. The
    cache is private (0600) and replaces the folder's older caches."""
    target = cache_path(folder, config)
    if target.is_file():
        return target
    family = cache_family(folder)
    with cache.locked(family):
        if not target.is_file():
            files = files_for(folder, config)
            import_into(files, config, target, progress=progress, private=True)
            cache.prune(family, keep=target)
    return target


def import_into(
    files: dict[str, Path],
    config: Config,
    target: str | Path,
    *,
    progress: Progress | None = None,
    private: bool = False,
) -> None:
    """:func:`import_files` into a new file beside a file target, moved into place only when
    the import succeeded: a failed import leaves the target as it was, and a reader of the old
    file keeps reading it. Each import writes its own new file, so two at once never write the
    same one. ``private``: the file is made readable by its owner only. (A URL target is
    written in place: its ptx tables are replaced.)"""
    if is_spark(target):  # written into DuckDB, then published as Parquet (see ptx.spark)
        from ptx.spark import staged

        with staged(str(target)) as staging:
            import_files(files, config, staging, progress=progress)
        return
    if "://" in str(target):
        import_files(files, config, target, progress=progress)
        return
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    unique = f"{os.getpid()}-{secrets.token_hex(4)}"
    partial = target.with_name(f".{target.stem}.{unique}.partial{target.suffix}")
    try:
        import_files(files, config, partial, progress=progress)
        if private:
            cache.keep_private(partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
        partial.with_name(partial.name + ".wal").unlink(missing_ok=True)
