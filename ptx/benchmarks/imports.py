"""Import published results files into ``benchmark_results``, with an import report.

Each file is read as any export is (:func:`ptx.importing.readers.read_file`: UTF-8 or
Windows-1252 line by line, a row with the wrong number of fields rejected with its line), its
layout recognised from its header (:mod:`ptx.benchmarks.cms`, :mod:`ptx.benchmarks.nhs`), and
its rows checked. What the import found is returned and stored beside the table:

- rows read, stored and rejected per file, each rejected row with its reason and raw text;
- notes: bands of completed surveys, cells published without a number, % signs, dates
  damaged by Excel, columns not kept;
- boxes of a measure that do not add to 100 (beyond rounding), and units whose whole score set
  is identical to another unit's (imputed: flagged, and left out of percentiles by default).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from ptx.benchmarks import cms, nhs
from ptx.benchmarks.model import (
    BENCHMARK_RESULTS,
    COLUMNS,
    RESULTS_TABLE,
    ROUNDING_PER_BOX,
    conform,
)
from ptx.errors import SchemaError, SourceError
from ptx.importing.readers import SUFFIXES, read_file
from ptx.store import database_url, shown

IMPORT_TABLE = "_ptx_benchmark_import"
NOTES_TABLE = "_ptx_benchmark_notes"
REJECTED_TABLE = "_ptx_benchmark_rejected"
KEY = list(BENCHMARK_RESULTS.key)
# A unit's score set counts as imputed when at least this many values are identical to another
# unit's in the same release: hospitals with real results do not agree on every box.
MIN_IMPUTED_VALUES = 6
IMPUTED_LEVELS = ("facility", "trust", "ward", "site")
AUXILIARY = ("release windows", "measure list", "state list", "question list")


@dataclass
class FileReport:
    file: Path
    layout: str
    encoding: str = ""
    rows_read: int = 0
    rows_stored: int = 0  # benchmark rows made from the file (several per wide row)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class BenchmarkImport:
    """What importing published results found; :meth:`to_text` prints it."""

    target: str
    files: list[FileReport]
    rows: int  # rows in the table after the import
    notes: list[str] = field(default_factory=list)  # about the rows as a whole
    imputed_units: tuple[str, ...] = ()
    box_problems: int = 0

    @property
    def rejected(self) -> int:
        return sum(len(f.rejected) for f in self.files)

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    def to_text(self) -> str:
        out = [f"Published results imported into {shown(self.target)}: {self.rows:,} rows."]
        for f in self.files:
            if f.layout in AUXILIARY:
                out.append(f"\n{f.file.name} ({f.layout}): {f.rows_read:,} rows read.")
                continue
            out.append(
                f"\n{f.file.name} ({f.layout}, {f.encoding}): {f.rows_read:,} rows read, "
                f"{f.rows_stored:,} result rows stored, {len(f.rejected):,} rejected."
            )
            out += [f"  - {note}" for note in f.notes]
            reasons = pd.Series([r for _, r, _ in f.rejected]).value_counts()
            for reason, n in reasons.head(10).items():
                first = next(row for row, r, _ in f.rejected if r == reason)
                out.append(f"  ! {n:,} row(s): {reason} (e.g. row {first})")
        if self.notes:
            out.append("\nAcross the files:")
            out += [f"  - {note}" for note in self.notes]
        return "\n".join(out)


def _files(paths) -> list[Path]:
    out = []
    for path in map(Path, paths):
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            out.append(path)
        else:
            raise SourceError(f"{path} does not exist.")
    if not out:
        raise SourceError("No published results files given.")
    return out


def _read(path: Path) -> tuple[pd.DataFrame, FileReport]:
    chunks, log = read_file(path)
    raw = pd.concat(list(chunks))
    report = FileReport(path, "", log.encoding, log.rows_read)
    report.rejected += [(row + 1, reason, text) for row, reason, text in log.rejected]
    report.notes += log.notes
    raw = raw.assign(_row=raw.index + 1).reset_index(drop=True)
    return raw, report


OWN_LAYOUT = "ptx benchmark results"  # benchmark_results as ptx writes it (ptx demo --format)
REQUIRED = tuple(c.name for c in BENCHMARK_RESULTS.columns if c.required)


def layout_of(columns) -> str | None:
    """The published-results layout a header is in (CMS, NHS England, or ptx's own
    ``benchmark_results`` columns), or None."""
    if set(COLUMNS) <= set(columns):
        return OWN_LAYOUT
    if nhs.is_fft_provider_layout(columns):
        return "nhs fft provider"
    return cms.layout_of(columns)


def read_own(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Rows of a file in ptx's own ``benchmark_results`` layout (text cells): the rows, the
    rejected (row_number, reason) and notes. A row without a required cell is rejected."""
    text = raw[list(COLUMNS)].apply(lambda c: c.str.strip()).replace("", None)
    lacking = text[list(REQUIRED)].isna()
    bad = lacking.any(axis=1).to_numpy()
    rejected = pd.DataFrame(
        {
            "row_number": raw.loc[bad, "_row"].astype("int64").to_numpy(),
            "reason": [
                "no " + ", ".join(c for c in REQUIRED if row[c])
                for _, row in lacking[bad].iterrows()
            ],
        }
    )
    rows = text[~bad].copy()
    rows["imputed"] = rows["imputed"].str.casefold().isin(("true", "1", "yes"))
    return rows, rejected, []


def read_results(paths, *, release: str | None = None) -> tuple[pd.DataFrame, BenchmarkImport]:
    """Read published results files into one frame of ``benchmark_results`` rows, and the
    report (its ``rows`` is the frame's length).

    Raises
    ------
    SchemaError
        A file is in no layout ptx knows (the message names the columns it looks for).
    """
    context = cms.Context.empty()
    read = []
    for path in _files(paths):
        raw, report = _read(path)
        report.layout = layout_of([c for c in raw.columns if c != "_row"]) or ""
        if not report.layout:
            raise SchemaError(
                f"{path}: not a published results layout ptx knows. Columns found: "
                f"{', '.join(c for c in raw.columns if c != '_row')}. ptx reads CMS HCAHPS files "
                "(HCAHPS Measure ID with Facility ID or State; a wide file with measure-answer "
                "ids such as H_COMP_1_A_P as columns; release files with Release Period and "
                "Top-box Percentage) and NHS England FFT data by provider (Org code, Total "
                "Responses, Percentage Positive); see docs/BENCHMARKS.md."
            )
        if report.layout in AUXILIARY:
            context.learn(report.layout, raw.drop(columns="_row"))
        read.append((raw, report))
    frames = []
    for raw, report in read:
        if report.layout in AUXILIARY:
            continue
        if report.layout == OWN_LAYOUT:
            rows, rejected, notes = read_own(raw)
        elif report.layout == "nhs fft provider":
            rows, rejected, notes = nhs.read_fft(raw.drop(columns="_row"), release=release)
        else:
            rows, rejected, notes = cms.read_layout(report.layout, raw, context, release=release)
        rows = rows.assign(source_file=report.file.name)
        raw_text = raw.set_index("_row").drop(columns=[], errors="ignore")
        for row, reason in zip(rejected["row_number"], rejected["reason"], strict=True):
            cells = raw_text.loc[row].to_dict() if row in raw_text.index else {}
            report.rejected.append((int(row), reason, json.dumps(cells)))
        report.notes += notes
        report.rows_stored = len(rows)
        frames.append(rows)
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    rows = _name_states(rows, context)
    reports = [r for _, r in read]
    result = BenchmarkImport("", reports, 0)
    rows = _repeated_keys(rows, result)
    rows = conform(rows)
    # Rows in ptx's own layout keep the imputed flags they were written with; the others are
    # checked for identical score sets.
    own = rows["source_file"].isin([r.file.name for r in reports if r.layout == OWN_LAYOUT])
    checked, result.imputed_units = flag_imputed(rows[~own.to_numpy()], result.notes)
    rows = pd.concat([rows[own.to_numpy()], checked]) if own.any() else checked
    rows = conform(rows)
    result.box_problems = check_boxes(rows, result.notes)
    result.rows = len(rows)
    return rows, result


def _name_states(rows: pd.DataFrame, context: cms.Context) -> pd.DataFrame:
    """States get their names and census regions from a states file (their peer group)."""
    if not context.states or "unit_level" not in rows:
        return rows
    state = rows["unit_level"] == "state"
    names = rows["unit_id"].map(lambda s: context.states.get(s, (None, None))[0])
    regions = rows["unit_id"].map(lambda s: context.states.get(s, (None, None))[1])
    rows = rows.copy()
    rows["unit_name"] = rows.get("unit_name", pd.Series(None, index=rows.index)).where(
        ~state, names
    )
    rows["parent_id"] = rows.get("parent_id", pd.Series(None, index=rows.index)).where(
        ~state, regions
    )
    return rows


def _repeated_keys(rows: pd.DataFrame, result: BenchmarkImport) -> pd.DataFrame:
    """Exact copies of a row are kept once; rows of one key that disagree are all rejected."""
    if rows.empty:
        return rows
    values = [c for c in ("percent", "score", "value_text") if c in rows]
    exact = rows.duplicated(KEY + values, keep="first")
    if exact.any():
        result.notes.append(f"{int(exact.sum()):,} row(s) repeated exactly: kept once.")
    rows = rows[~exact]
    clash = rows.duplicated(KEY, keep=False)
    if clash.any():
        for name, part in rows[clash].groupby("source_file"):
            report = next(f for f in result.files if f.file.name == name)
            for r in part.itertuples():
                report.rejected.append(
                    (
                        0,
                        f"{r.unit_id} {r.measure_id} {r.category} in {r.release} is given more "
                        "than once with different values: which is right is not known",
                        "",
                    )
                )
        rows = rows[~clash]
    return rows


def flag_imputed(rows: pd.DataFrame, notes: list[str]) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Flag units whose whole score set in a release is identical to another unit's."""
    rows = rows.copy()
    rows["imputed"] = rows["imputed"].fillna(False).astype(bool)
    units = rows[rows["unit_level"].isin(IMPUTED_LEVELS) & (rows["measure_id"] != "RESPONSE_RATE")]
    units = units.assign(v=units["percent"].fillna(units["score"])).dropna(subset=["v"])
    if units.empty:
        return rows, ()
    signature = (
        units.sort_values(["measure_id", "category"])
        .groupby(["release", "unit_level", "unit_id"], sort=False)
        .apply(
            lambda g: (len(g), tuple(zip(g["measure_id"], g["category"], g["v"], strict=True))),
            include_groups=False,
        )
    )
    signature = signature[signature.map(lambda s: s[0] >= MIN_IMPUTED_VALUES)]
    shared = signature.map(lambda s: s[1])
    repeated = shared[shared.duplicated(keep=False)]
    if repeated.empty:
        return rows, ()
    flagged = set(repeated.index)
    mark = pd.Series(
        list(zip(rows["release"], rows["unit_level"], rows["unit_id"], strict=True)),
        index=rows.index,
    ).isin(flagged)
    rows.loc[mark, "imputed"] = True
    ids = tuple(sorted({unit for _, _, unit in flagged}))
    sets = repeated.nunique()
    notes.append(
        f"{len(flagged):,} unit-release(s) share an identical score set with another unit "
        f"({sets} set(s); imputed): {', '.join(ids[:20])}{' ...' if len(ids) > 20 else ''}. "
        "Flagged, and left out of percentiles unless asked for."
    )
    return rows, ids


def check_boxes(rows: pd.DataFrame, notes: list[str]) -> int:
    """Count (and note) measures whose boxes do not add to 100 beyond rounding."""
    boxes = rows[rows["category"].isin(("top", "middle", "bottom")) & rows["percent"].notna()]
    if boxes.empty:
        return 0
    sums = boxes.groupby(["release", "unit_level", "unit_id", "measure_id"])["percent"].agg(
        ["sum", "count"]
    )
    sums = sums[sums["count"] >= 2]
    off = sums[(sums["sum"] - 100).abs() > ROUNDING_PER_BOX * sums["count"]]
    if len(off):
        examples = "; ".join(
            f"{unit} {measure} in {release}: {total:g}"
            for (release, _, unit, measure), total in off["sum"].head(5).items()
        )
        notes.append(
            f"{len(off):,} measure(s) whose top, middle and bottom boxes do not add to 100 "
            f"(beyond rounding), e.g. {examples}. Kept as published."
        )
    return len(off)


def _engine(target) -> sa.Engine:
    return sa.create_engine(database_url(target))


def existing_rows(engine: sa.Engine) -> pd.DataFrame | None:
    if RESULTS_TABLE not in sa.inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        return conform(
            pd.read_sql(sa.select(sa.table(RESULTS_TABLE, *map(sa.column, COLUMNS))), conn)
        )


def write_results(
    target, rows: pd.DataFrame, report: BenchmarkImport | None = None, *, replace: bool = False
) -> int:
    """Write rows into ``benchmark_results`` at a DuckDB or SQLite file or a URL, beside
    whatever else is there. Rows already there with the same key are replaced by the new ones
    (``replace``: the table is emptied first). Returns the rows in the table."""
    if Path(str(target)).suffix.lower() in SUFFIXES or (
        "://" not in str(target) and Path(str(target)).is_dir()
    ):
        raise SourceError(
            f"{target}: published results are written into a database (a .duckdb or .sqlite "
            "file, or a URL), not a folder or an export file."
        )
    engine = _engine(target)
    try:
        before = None if replace else existing_rows(engine)
        if before is not None and len(before):
            merged = pd.concat([before, rows], ignore_index=True)
            rows = merged.drop_duplicates(KEY, keep="last")
        rows = conform(rows)
        frames = {RESULTS_TABLE: rows}
        if report is not None:
            frames |= _report_frames(report)
        _replace_tables(engine, frames)
    finally:
        engine.dispose()
    return len(rows)


def replace_tables(target, frames: dict[str, pd.DataFrame]) -> None:
    """Write (replacing) tables at a DuckDB or SQLite file or a URL."""
    engine = _engine(target)
    try:
        _replace_tables(engine, frames)
    finally:
        engine.dispose()


def _replace_tables(engine: sa.Engine, frames: dict[str, pd.DataFrame]) -> None:
    """Write (replacing) tables; on DuckDB from the frames in one statement each (inserting
    row by row through SQLAlchemy takes a minute for one CMS file)."""
    if engine.dialect.name == "duckdb":
        raw = engine.raw_connection()
        try:
            duck = raw.driver_connection
            for name, frame in frames.items():
                duck.register("_ptx_frame", frame)
                duck.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _ptx_frame')
                duck.unregister("_ptx_frame")
            raw.commit()
        finally:
            raw.close()
        return
    with engine.begin() as conn:
        for name, frame in frames.items():
            frame.to_sql(name, conn, if_exists="replace", index=False, chunksize=10_000)


def _report_frames(report: BenchmarkImport) -> dict[str, pd.DataFrame]:
    return {
        IMPORT_TABLE: pd.DataFrame(
            [
                (str(f.file), f.layout, f.encoding, f.rows_read, f.rows_stored, len(f.rejected))
                for f in report.files
            ],
            columns=["file", "layout", "encoding", "rows_read", "rows_stored", "rows_rejected"],
        ),
        NOTES_TABLE: pd.DataFrame(
            [(f.file.name, n) for f in report.files for n in f.notes]
            + [("", n) for n in report.notes],
            columns=["file", "note"],
        ),
        REJECTED_TABLE: pd.DataFrame(
            [
                (f.file.name, row, reason, raw)
                for f in report.files
                for row, reason, raw in f.rejected
            ],
            columns=["file", "row_number", "reason", "raw"],
        ),
    }


def import_benchmarks(
    paths, target, *, release: str | None = None, replace: bool = False
) -> BenchmarkImport:
    """Read published results files (CMS HCAHPS layouts, NHS England FFT by provider) and
    write them into ``benchmark_results`` at ``target``; return the import report.

    >>> report = import_benchmarks(["hcahps/"], "data/benchmarks.duckdb")  # doctest: +SKIP
    >>> print(report.to_text())  # doctest: +SKIP
    """
    rows, report = read_results(paths, release=release)
    report.target = str(target)
    report.rows = write_results(target, rows, report, replace=replace)
    return report
