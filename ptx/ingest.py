"""Import a folder of CSV or Parquet files into a DuckDB cache, quarantining rows that don't parse.

Each model table is read from ``<name>.csv`` or ``<name>.parquet`` (the name may be mapped in the
config). Every value is parsed to the model's type; a row with any value that fails is kept, with
its reason and raw text, in the ``_ptx_quarantine`` table rather than dropped, so that
``rows read = rows loaded + rows quarantined`` always holds.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ptx.config import Config, TableMapping
from ptx.errors import SchemaError, SourceError
from ptx.schema import TABLES, Table
from ptx.store import Writer

QUARANTINE_TABLE = "_ptx_quarantine"
IMPORT_COUNTS_TABLE = "_ptx_import"
CHUNK_ROWS = 250_000
TRUE_WORDS = {"true", "t", "yes", "y", "1"}
FALSE_WORDS = {"false", "f", "no", "n", "0"}

Progress = Callable[[str, int], None]  # (table, rows done so far)


def cache_dir() -> Path:
    return Path(os.environ.get("PTX_CACHE_DIR", Path.home() / ".cache" / "ptx"))


def find_table_file(folder: Path, mapping: TableMapping) -> Path | None:
    """The file holding a table: ``<name>.csv`` or ``.parquet`` in the folder, or the file the
    mapping names (a path ending in .csv or .parquet, relative to the folder or absolute)."""
    named = Path(mapping.name)
    if named.suffix in (".csv", ".parquet"):
        path = named if named.is_absolute() else folder / named
        return path if path.is_file() else None
    for suffix in (".csv", ".parquet"):
        path = folder / f"{mapping.name}{suffix}"
        if path.is_file():
            return path
    return None


def cache_path(folder: Path, config: Config) -> Path:
    """A cache file name that changes when any input file or the mapping changes."""
    h = hashlib.sha256(str(folder.resolve()).encode())
    for name in TABLES:
        path = find_table_file(folder, config.mapping(name))
        if path is not None:
            st = path.stat()
            h.update(f"{path.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    h.update(repr(sorted((k, repr(v)) for k, v in config.tables.items())).encode())
    h.update(b"ptx-ingest-1")
    return cache_dir() / f"{folder.name}-{h.hexdigest()[:16]}.duckdb"


def parse_chunk(raw: pd.DataFrame, spec: Table, mapping: TableMapping, file: Path):
    """Parse one chunk of text columns to the model's types.

    Returns ``(parsed, quarantined)``: the rows that parsed, with model column names, and the
    rows that did not, as ``table, row_number, reason, raw``; row numbers count data rows from 1,
    taken from the chunk's index (which runs on across chunks).
    """
    missing = [
        c.name
        for c in spec.columns
        if c.required
        and c.name not in mapping.constants
        and mapping.source_column(c.name) not in raw.columns
    ]
    if missing:
        wanted = ", ".join(f"'{mapping.source_column(m)}'" for m in missing)
        raise SchemaError(
            f"{file}: table '{spec.name}' has no column {wanted} (model column(s) "
            f"{', '.join(missing)}). Columns found: {', '.join(map(str, raw.columns))}. "
            f"Fix: rename the column, or map it in ptx.toml under "
            f'[tables.{spec.name}.columns], e.g. {missing[0]} = "<your column>".'
        )
    reason = pd.Series(pd.NA, index=raw.index, dtype="object")
    parsed = pd.DataFrame(index=raw.index)
    for col in spec.columns:
        if col.name in mapping.constants:
            text = pd.Series(str(mapping.constants[col.name]), index=raw.index)
        elif mapping.source_column(col.name) in raw.columns:
            text = raw[mapping.source_column(col.name)].fillna("").astype(str).str.strip()
        else:
            parsed[col.name] = pd.Series(pd.NA, index=raw.index, dtype="object")
            continue
        blank = text == ""
        if col.type == "string":
            values = text.where(~blank, pd.NA)
            bad = pd.Series(False, index=raw.index)
            expected = ""
        elif col.type == "date":
            fmt = mapping.date_format or "ISO8601"
            values = pd.to_datetime(text.where(~blank), format=fmt, errors="coerce").dt.date
            bad = ~blank & values.isna()
            expected = f"a date as {mapping.date_format or 'YYYY-MM-DD'}"
        elif col.type == "integer":
            number = pd.to_numeric(text.where(~blank), errors="coerce")
            bad = ~blank & (number.isna() | (number.round() != number))
            values = number.where(~bad).astype("Int64")
            expected = "a whole number"
        else:  # boolean
            lower = text.str.lower()
            values = lower.map(
                lambda v: True if v in TRUE_WORDS else (False if v in FALSE_WORDS else pd.NA)
            )
            bad = ~blank & values.isna()
            expected = "true/false, yes/no or 1/0"
        if col.required:
            bad_missing = blank & reason.isna()
            reason = reason.mask(bad_missing, f"{col.name}: required value is empty")
        bad = bad & reason.isna()
        if bad.any():
            shown = mapping.source_column(col.name)
            reason = reason.mask(
                bad, text.map(lambda v, s=shown, e=expected: f"{s}: '{v}' is not {e}")
            )
        parsed[col.name] = values
    failed = reason.notna()
    quarantined = pd.DataFrame(
        {
            "table_name": spec.name,
            "row_number": (raw.index[failed] + 1).astype("int64"),
            "reason": reason[failed].astype(str),
            "raw": [json.dumps(r, default=str) for r in raw[failed].to_dict("records")],
        }
    )
    return parsed[~failed].reset_index(drop=True), quarantined


def _read_chunks(path: Path):
    if path.suffix == ".csv":
        yield from pd.read_csv(
            path, dtype=str, keep_default_na=False, chunksize=CHUNK_ROWS, encoding="utf-8-sig"
        )
    else:
        frame = pd.read_parquet(path)
        for start in range(0, max(len(frame), 1), CHUNK_ROWS):
            chunk = frame.iloc[start : start + CHUNK_ROWS]
            yield chunk.astype("string").fillna("").astype(str)


def import_folder(folder: Path, config: Config, *, progress: Progress | None = None) -> Path:
    """Import a CSV/Parquet folder into its DuckDB cache (once) and return the cache path."""
    target = cache_path(folder, config)
    if target.is_file():
        return target
    files: dict[str, Path] = {}
    for name, spec in TABLES.items():
        path = find_table_file(folder, config.mapping(name))
        if path is None:
            if spec.required:
                raise SchemaError(
                    f"{folder}: no file for table '{name}'. Expected "
                    f"{config.mapping(name).name}.csv or .parquet; map another file in "
                    f'ptx.toml with [tables.{name}] name = "<file stem or path>".'
                )
            continue
        files[name] = path
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.stem + ".partial.duckdb")
    writer = Writer(partial, tuple(files))
    quarantine: list[pd.DataFrame] = []
    counts: list[dict] = []
    try:
        for name, path in files.items():
            mapping = config.mapping(name)
            read = 0
            try:
                for chunk in _read_chunks(path):
                    chunk.index = pd.RangeIndex(read, read + len(chunk))
                    parsed, bad = parse_chunk(chunk, TABLES[name], mapping, path)
                    writer.append(name, parsed)
                    quarantine.append(bad)
                    read += len(chunk)
                    if progress:
                        progress(name, read)
            except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
                if isinstance(exc, SchemaError):
                    raise
                raise SourceError(f"{path}: cannot be read as {path.suffix[1:]}: {exc}") from exc
            counts.append({"table_name": name, "file": str(path), "rows_read": read})
        writer.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    import duckdb

    con = duckdb.connect(str(partial))
    try:
        q = (
            pd.concat(quarantine)
            if quarantine
            else pd.DataFrame(columns=["table_name", "row_number", "reason", "raw"])
        )
        q = q.astype({"table_name": str, "row_number": "int64", "reason": str, "raw": str})
        con.register("_q", q)
        con.execute(f"CREATE TABLE {QUARANTINE_TABLE} AS SELECT * FROM _q")
        con.register("_c", pd.DataFrame(counts))
        con.execute(f"CREATE TABLE {IMPORT_COUNTS_TABLE} AS SELECT * FROM _c")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    partial.rename(target)
    return target
