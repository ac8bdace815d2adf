"""Where a source's published results are, what they offer, and which unit is the organisation's.

Published results live in ``benchmark_results`` (see :mod:`ptx.benchmarks.model`): in the
source's own database, or in the database ``[benchmarks] location`` names in ptx.toml (its
engine is remembered on the source and closed with it). Which unit is the organisation's: the
call's ``unit``, else ``[benchmarks] unit``, else the unit the import or the demo recorded
(``ptx benchmarks import --unit``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from ptx.benchmarks.model import COLUMNS, RESULTS_TABLE
from ptx.errors import ConfigError
from ptx.sources import Source
from ptx.store import normalise_url

OWN_UNIT_TABLE = "_ptx_benchmark_own_unit"  # unit_id: the organisation's, as recorded
SETTINGS = ("location", "unit")
NO_BENCHMARKS = (
    "No published benchmark results in this source. Import CMS HCAHPS or NHS England FFT "
    "files with `ptx benchmarks import FILES --to DATABASE` (and name that database in "
    "ptx.toml's [benchmarks] location if it is not the source itself); a demo source built "
    "before benchmarks existed gets its synthetic set from `ptx demo` again."
)
CATEGORY_ORDER = (
    "top",
    "positive",
    "linear mean",
    "star rating",
    "response rate",
    "middle",
    "bottom",
    "negative",
)
RESULTS = sa.table(RESULTS_TABLE, *[sa.column(c) for c in COLUMNS])


def _settings(source: Source) -> dict:
    """The [benchmarks] section of the source's ptx.toml (location, unit)."""
    path = source.config.path
    if path is None:
        return {}
    raw = tomllib.loads(Path(path).read_bytes().decode("utf-8-sig")).get("benchmarks", {})
    unknown = set(raw) - set(SETTINGS)
    if unknown:
        raise ConfigError(
            f"{path}: [benchmarks] has unknown setting(s) {sorted(unknown)}; allowed: "
            f"{', '.join(SETTINGS)}."
        )
    location = raw.get("location")
    if isinstance(location, str) and "://" not in location and not Path(location).is_absolute():
        raw["location"] = str((Path(path).parent / location).resolve())
    return raw


def results_engine(source: Source) -> sa.Engine | None:
    """The engine holding ``benchmark_results`` for this source, or None. An engine opened
    for ``[benchmarks] location`` is closed by ``source.dispose()``."""

    def find() -> sa.Engine | None:
        location = _settings(source).get("location")
        if location:
            if "://" in location:
                engine = sa.create_engine(normalise_url(location))
            elif location.endswith((".duckdb", ".ddb")):
                if not Path(location).is_file():
                    raise ConfigError(f"[benchmarks] location {location} does not exist.")
                engine = sa.create_engine(f"duckdb:///{location}", connect_args={"read_only": True})
            else:
                if not Path(location).is_file():
                    raise ConfigError(f"[benchmarks] location {location} does not exist.")
                engine = sa.create_engine(f"sqlite:///{location}")
        else:
            engine = source.engine
        if RESULTS_TABLE not in sa.inspect(engine).get_table_names():
            if engine is not source.engine:
                engine.dispose()
            return None
        return engine

    # Remembered on the source: one engine per source and location, disposed with the source.
    return source.remember(("benchmarks", "engine"), find)


def read_frame(engine: sa.Engine, statement) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(statement, conn)


@dataclass(frozen=True)
class BenchmarkChoices:
    """What a source's published results offer: measures, categories, releases and units."""

    measures: dict[str, str] = field(default_factory=dict)  # id -> label
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)  # id -> categories
    releases: dict[str, str] = field(default_factory=dict)  # release -> its window in words
    units: dict[str, str] = field(default_factory=dict)  # unit id -> "name (level)"
    own_unit: str | None = None
    unavailable: str | None = None
    # What the import of the published files read and found, in sentences (stored beside the
    # table by ptx benchmarks import): one line per file, then its notes.
    report: tuple[str, ...] = ()


def benchmark_choices(source: Source) -> BenchmarkChoices:
    """The measures, answer categories, releases (oldest first) and units of the source's
    published results, and the organisation's unit if one is recorded or configured."""
    engine = results_engine(source)
    if engine is None:
        return BenchmarkChoices(unavailable=NO_BENCHMARKS)
    r = RESULTS.c
    measures = read_frame(
        engine,
        sa.select(r.measure_id, sa.func.max(r.measure_label).label("label"), r.category)
        .group_by(r.measure_id, r.category)
        .order_by(r.measure_id),
    )
    releases = read_frame(
        engine,
        sa.select(
            r.release,
            sa.func.min(r.period_start).label("start"),
            sa.func.max(r.period_end).label("end"),
        )
        .group_by(r.release)
        .order_by(sa.func.max(r.period_end), r.release),
    )
    units = read_frame(
        engine,
        sa.select(r.unit_level, r.unit_id, sa.func.max(r.unit_name).label("name"))
        .where(r.unit_level != "nation")
        .group_by(r.unit_level, r.unit_id)
        .order_by(r.unit_level, r.unit_id),
    )
    own = _settings(source).get("unit")
    if own is None and OWN_UNIT_TABLE in sa.inspect(engine).get_table_names():
        recorded = read_frame(
            engine, sa.select(sa.column("unit_id")).select_from(sa.table(OWN_UNIT_TABLE))
        )
        own = str(recorded["unit_id"].iloc[0]) if len(recorded) else None
    if own is not None and not (units["unit_id"] == str(own)).any():
        own = None  # recorded for results since replaced: the user chooses again
    report = _import_report(engine)
    categories: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for m, label, category in measures.itertuples(index=False):
        categories.setdefault(m, []).append(category)
        labels[m] = f"{label} ({m})" if label and label == label else m
    ordered = {
        m: tuple(sorted(c, key=lambda x: CATEGORY_ORDER.index(x) if x in CATEGORY_ORDER else 99))
        for m, c in categories.items()
    }
    return BenchmarkChoices(
        measures=labels,
        categories=ordered,
        releases={rel: _window(s, e, rel) for rel, s, e in releases.itertuples(index=False)},
        units={
            u: f"{n} ({u}, {level})" if n and n == n and n != u else f"{u} ({level})"
            for level, u, n in units.itertuples(index=False)
        },
        own_unit=own,
        report=report,
    )


def _import_report(engine: sa.Engine) -> tuple[str, ...]:
    """The stored import report in sentences, or nothing (the demo writes none)."""
    from ptx.benchmarks.imports import IMPORT_TABLE, NOTES_TABLE

    names = set(sa.inspect(engine).get_table_names())
    if not {IMPORT_TABLE, NOTES_TABLE} <= names:
        return ()
    files = read_frame(engine, sa.select(sa.text("*")).select_from(sa.table(IMPORT_TABLE)))
    notes = read_frame(engine, sa.select(sa.text("*")).select_from(sa.table(NOTES_TABLE)))
    out = [
        f"{Path(f.file).name} ({f.layout}): {f.rows_read:,} rows read, {f.rows_stored:,} "
        f"result rows stored, {f.rows_rejected:,} rejected."
        for f in files.itertuples()
    ]
    return tuple(out + [note for note in notes["note"]])


def _window(start, end, release: str) -> str:
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return release
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    span = f"{start:%d %b %Y} to {end:%d %b %Y}"
    return release if release == f"{start:%b %Y} to {end:%b %Y}" else f"{release} ({span})"


def record_own_unit(target, unit: str) -> None:
    """Record the organisation's published unit beside the results at ``target``."""
    from ptx.benchmarks.imports import replace_tables

    replace_tables(target, {OWN_UNIT_TABLE: pd.DataFrame({"unit_id": [str(unit)]})})


__all__ = ["BenchmarkChoices", "benchmark_choices", "record_own_unit"]
