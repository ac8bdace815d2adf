"""The facade's benchmark call: one unit among its published peers, for a measure and release.

Published results live in ``benchmark_results`` (see :mod:`ptx.benchmarks.model`): in the
source's own database, or in the database ``[benchmarks] location`` names in ptx.toml. Which
unit is the organisation's: the call's ``unit``, else ``[benchmarks] unit``, else the unit the
import or the demo recorded (``ptx benchmarks import --unit``). The rows are public, published
results keyed by published units, so department access does not restrict them and the
small-number rule is the publisher's (what it did not publish is shown as it said so).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ptx import compare
from ptx.api._common import format_value, readable
from ptx.benchmarks import figures, stats
from ptx.benchmarks.model import COLUMNS, LOWER_IS_BETTER, PERCENT_CATEGORIES, RESULTS_TABLE
from ptx.errors import ConfigError, PtxError
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
PEER_COLUMNS = (
    "unit_id",
    "unit",
    "parent_id",
    "parent",
    "value",
    "n",
    "banded",
    "surveys",
    "imputed",
    "footnotes",
    "is_unit",
    "in_parent",
)
_results = sa.table(RESULTS_TABLE, *[sa.column(c) for c in COLUMNS])


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


def _engine(source: Source) -> sa.Engine | None:
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


def _read(engine: sa.Engine, statement) -> pd.DataFrame:
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
    engine = _engine(source)
    if engine is None:
        return BenchmarkChoices(unavailable=NO_BENCHMARKS)
    r = _results.c
    measures = _read(
        engine,
        sa.select(r.measure_id, sa.func.max(r.measure_label).label("label"), r.category)
        .group_by(r.measure_id, r.category)
        .order_by(r.measure_id),
    )
    releases = _read(
        engine,
        sa.select(
            r.release,
            sa.func.min(r.period_start).label("start"),
            sa.func.max(r.period_end).label("end"),
        )
        .group_by(r.release)
        .order_by(sa.func.max(r.period_end), r.release),
    )
    units = _read(
        engine,
        sa.select(r.unit_level, r.unit_id, sa.func.max(r.unit_name).label("name"))
        .where(r.unit_level != "nation")
        .group_by(r.unit_level, r.unit_id)
        .order_by(r.unit_level, r.unit_id),
    )
    own = _settings(source).get("unit")
    if own is None and OWN_UNIT_TABLE in sa.inspect(engine).get_table_names():
        recorded = _read(
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
    files = _read(engine, sa.select(sa.text("*")).select_from(sa.table(IMPORT_TABLE)))
    notes = _read(engine, sa.select(sa.text("*")).select_from(sa.table(NOTES_TABLE)))
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


@dataclass(frozen=True)
class Benchmark:
    """One unit among its published peers for one measure, answer category and release.

    ``peers`` columns: unit_id, unit, parent_id, parent (its name), value, n, banded, surveys,
    imputed, footnotes, is_unit, in_parent. ``trend`` columns: release, period_end, series, value.
    """

    measure_id: str
    measure_label: str
    category: str
    release: str
    window: str
    unit_id: str
    unit_name: str
    unit_level: str
    parent_id: str | None
    parent_name: str | None
    value: float
    surveys: str  # the unit's completed surveys as published
    n: float  # what the interval and funnel use (a band's lower bound)
    banded: bool
    star_rating: float
    national: float
    parent_value: float
    rank: float  # among every peer at the unit's level
    rank_low: float
    rank_high: float
    rank_in_parent: float
    peers_counted: int
    parent_peers_counted: int
    peers: pd.DataFrame
    trend: pd.DataFrame
    funnel: compare.Funnel | None
    notes: tuple[str, ...] = ()
    unavailable: str | None = None

    @property
    def unit_text(self) -> str:
        return (
            self.unit_name
            if self.unit_name == self.unit_id
            else f"{self.unit_name} ({self.unit_id})"
        )

    @property
    def is_percent(self) -> bool:
        return self.category in PERCENT_CATEGORIES

    @property
    def unit_of_value(self) -> str:
        return "%" if self.is_percent else "score"

    @property
    def lower_is_better(self) -> bool:
        return self.category in LOWER_IS_BETTER

    @property
    def method(self) -> str:
        rank = "Percentile rank: % of peers below plus half those equal (the unit itself left out)"
        if np.isfinite(self.rank_low):
            rank += (
                "; its 95% interval is the ranks of the ends of the Wilson interval of the "
                f"unit's value at n = {self.n:,.0f} completed surveys"
                + (" (the lower bound of the published band)" if self.banded else "")
            )
        funnel = (
            f" Funnel plot (Spiegelhalter 2005) against completed surveys, centred on the "
            f"national value; {self.funnel.method}."
            if self.funnel is not None
            else ""
        )
        direction = " For this answer, lower is better." if self.lower_is_better else ""
        return f"{rank}. Published values are whole percentages.{funnel}{direction}"

    def fmt(self, value: float) -> str:
        return format_value(value, self.unit_of_value)

    def tiles(self) -> list[tuple[str, str, str]]:
        """(label, value, help) for each headline number, in words; "–" where there is none."""
        level = {"facility": "hospitals", "trust": "trusts", "state": "states"}.get(
            self.unit_level, f"{self.unit_level}s"
        )
        rank = f"{self.rank:.0f}" if np.isfinite(self.rank) else "–"
        interval = (
            f"95% interval {self.rank_low:.0f} to {self.rank_high:.0f}. "
            if np.isfinite(self.rank_low)
            else "No interval: the number of completed surveys is not published. "
        )
        parent = self.parent_name or self.parent_id or "state or region"
        out = [
            (
                f"Yours ({self.category})",
                self.fmt(self.value),
                f"{self.unit_text}, {self.window}; completed surveys: "
                f"{self.surveys or 'not published'}.",
            ),
            ("National", self.fmt(self.national), "The published national value."),
            (
                parent,
                self.fmt(self.parent_value),
                "The published value of your state or region, where there is one.",
            ),
            (
                f"Percentile of {self.peers_counted:,} {level}",
                rank,
                interval + "Percentile rank: percent of peers below yours, plus half those equal.",
            ),
            (
                f"Percentile in {parent}",
                f"{self.rank_in_parent:.0f}" if np.isfinite(self.rank_in_parent) else "–",
                f"Among the {self.parent_peers_counted:,} peers in {parent} (none below "
                f"{stats.MIN_PEERS} peers).",
            ),
        ]
        if np.isfinite(self.star_rating):
            out.append(("Star rating", f"{self.star_rating:.0f} of 5", "As published."))
        return out

    def to_frame(self) -> pd.DataFrame:
        return self.peers.copy()

    def table(self, *, export: bool = False) -> pd.DataFrame:
        """Every peer, best first, headed in words."""
        frame = self.peers.sort_values("value", ascending=self.lower_is_better, na_position="last")
        frame = frame.assign(
            yours=np.where(frame["is_unit"], "yours", ""),
            imputed=np.where(frame["imputed"], "imputed", ""),
        )
        return readable(
            frame,
            {
                "unit": "Unit",
                "parent": "State or region",
                "value": self.measure_label,
                "surveys": "Completed surveys",
                "footnotes": "Footnotes",
                "imputed": "Imputed",
                "yours": "Yours",
            },
            decimals={"value": 0 if self.is_percent else 1},
        )

    def figure(self):
        """Every peer's value, sorted, the unit highlighted, national and parent lines."""
        return figures.dot_plot(self)

    def funnel_figure(self):
        return None if self.funnel is None else figures.funnel(self)

    def trend_figure(self):
        return None if self.trend.empty else figures.trend(self)


def _empty(reason: str, **known) -> Benchmark:
    fields = dict(
        measure_id="",
        measure_label="",
        category="",
        release="",
        window="",
        unit_id="",
        unit_name="",
        unit_level="",
        parent_id=None,
        parent_name=None,
        value=np.nan,
        surveys="",
        n=np.nan,
        banded=False,
        star_rating=np.nan,
        national=np.nan,
        parent_value=np.nan,
        rank=np.nan,
        rank_low=np.nan,
        rank_high=np.nan,
        rank_in_parent=np.nan,
        peers_counted=0,
        parent_peers_counted=0,
        peers=pd.DataFrame(columns=list(PEER_COLUMNS)),
        trend=pd.DataFrame(columns=["release", "period_end", "series", "value"]),
        funnel=None,
        unavailable=reason,
    )
    fields.update(known)
    return Benchmark(**fields)


def benchmark(
    source: Source,
    measure: str | None = None,
    *,
    category: str | None = None,
    release: str | None = None,
    unit: str | None = None,
    include_imputed: bool = False,
) -> Benchmark:
    """Where the organisation's unit stands among its published peers.

    Parameters
    ----------
    measure
        A published measure id (``H_COMP_1``, ``FFT_INPATIENT``); default the first.
    category
        The answer category (``top``, ``positive``, ``linear mean``...); default the measure's
        first in :data:`CATEGORY_ORDER`.
    release
        A release; default the latest.
    unit
        The organisation's unit id; default ``[benchmarks] unit`` in ptx.toml, else the one
        recorded on import.
    include_imputed
        Count units flagged as imputed (identical score sets) among the peers.

    Returns
    -------
    Benchmark
        The unit's value against the national and parent (state or region) values, its
        percentile rank among peers at its level (with a 95% interval where its n is known)
        and in its parent, the peers for a dot plot and a funnel, and its trend across
        releases beside its parent's and the nation's. ``unavailable`` says why there is
        nothing (no published results, or no unit chosen).

    >>> result = ptx.benchmark(source, "H_COMP_1", unit="10001")  # doctest: +SKIP
    >>> result.rank, result.national, result.figure()  # doctest: +SKIP
    """
    choices = benchmark_choices(source)
    if choices.unavailable:
        return _empty(choices.unavailable)
    measure = measure or next(iter(choices.measures))
    if measure not in choices.measures:
        raise PtxError(
            f"No published measure '{measure}'. The published results hold: "
            + ", ".join(choices.measures)
            + "."
        )
    category = category or choices.categories[measure][0]
    if category not in choices.categories[measure]:
        raise PtxError(
            f"{measure} has no '{category}' results; it has "
            + ", ".join(choices.categories[measure])
            + "."
        )
    release = release or list(choices.releases)[-1]
    if release not in choices.releases:
        raise PtxError(f"No release '{release}'. Releases: " + ", ".join(choices.releases) + ".")
    unit = unit or choices.own_unit
    if unit is None:
        return _empty(
            'Choose your unit (or name it in ptx.toml: [benchmarks] unit = "<id>").',
            measure_id=measure,
        )
    if unit not in choices.units:
        raise PtxError(f"No published unit '{unit}' in the benchmark results.")
    engine = _engine(source)
    r = _results.c
    mine = _read(
        engine,
        sa.select(r.unit_level, r.unit_name, r.parent_id)
        .where(r.unit_id == unit, r.unit_level != "nation")
        .limit(1),
    ).iloc[0]
    level = mine["unit_level"]
    rows = _read(
        engine,
        sa.select(_results).where(
            r.measure_id == measure, r.release == release, r.category.in_([category, "star rating"])
        ),
    )
    at_level = rows[(rows["unit_level"] == level) & (rows["category"] == category)]
    if at_level.empty:
        published = sorted(set(rows.loc[rows["category"] == category, "unit_level"]))
        return _empty(
            f"{choices.measures[measure]} ({category}) is not published for {level} units in "
            f"{release}; it is published for: {', '.join(published) or 'no units'}. Choose a "
            "unit of that level.",
            measure_id=measure,
            category=category,
            release=release,
            unit_id=unit,
        )
    values = at_level["percent"].where(
        at_level["category"].isin(PERCENT_CATEGORIES), at_level["score"]
    )
    n, banded = stats.survey_n(at_level["completed_surveys"], at_level["surveys_low"])
    peers = pd.DataFrame(
        {
            "unit_id": at_level["unit_id"],
            "unit": [
                nm if isinstance(nm, str) and nm and nm != u else u
                for u, nm in zip(at_level["unit_id"], at_level["unit_name"], strict=True)
            ],
            "parent_id": at_level["parent_id"],
            "value": pd.to_numeric(values, errors="coerce").astype("float64"),
            "n": n,
            "banded": banded,
            "surveys": at_level["surveys_text"].fillna(at_level["value_text"]),
            "imputed": at_level["imputed"].fillna(False).astype(bool),
            "footnotes": at_level["footnote_text"],
        }
    ).reset_index(drop=True)
    peers["parent"] = peers["parent_id"].map(_names(engine, peers["parent_id"].dropna()))
    peers["is_unit"] = peers["unit_id"] == unit
    parent = mine["parent_id"] if isinstance(mine["parent_id"], str) else None
    peers["in_parent"] = peers["parent_id"] == parent if parent else False
    own = peers[peers["is_unit"]]
    notes: list[str] = []
    counted = peers[~peers["is_unit"] & peers["value"].notna()]
    if not include_imputed and counted["imputed"].any():
        notes.append(
            f"{int(counted['imputed'].sum()):,} peer(s) with an imputed score set (identical "
            "to another unit's) are left out of the percentiles."
        )
        counted = counted[~counted["imputed"]]
    unpublished = int(peers["value"].isna().sum())
    if unpublished:
        notes.append(f"{unpublished:,} unit(s) have no published value for this release.")
    value = float(own["value"].iloc[0]) if len(own) else np.nan
    own_n = float(own["n"].iloc[0]) if len(own) else np.nan
    own_banded = bool(own["banded"].iloc[0]) if len(own) else False
    rank = (
        stats.percentile_rank(value, counted["value"])
        if len(counted) >= stats.MIN_PEERS
        else np.nan
    )
    low, high = (
        stats.rank_interval(value, own_n, counted["value"])
        if np.isfinite(rank) and category in PERCENT_CATEGORIES
        else (np.nan, np.nan)
    )
    in_parent = counted[counted["in_parent"]]
    rank_parent = (
        stats.percentile_rank(value, in_parent["value"])
        if len(in_parent) >= stats.MIN_PEERS
        else np.nan
    )
    if own_banded:
        notes.append(
            f"Your completed surveys are published as a band ('{own['surveys'].iloc[0]}'): "
            f"the interval and the funnel use its lower bound, {own_n:,.0f}, so they are wider "
            "than the true n would give, never narrower."
        )
    if len(own) and not np.isfinite(value):
        notes.append(
            f"No published value for your unit in this release ({own['surveys'].iloc[0]})."
        )
    if category in LOWER_IS_BETTER:
        notes.append("For this answer, lower is better: a high percentile rank is a bad place.")
    star = rows[(rows["unit_id"] == unit) & (rows["category"] == "star rating")]["score"]
    national_rows = rows[(rows["unit_level"] == "nation") & (rows["category"] == category)]
    national = _value(national_rows, category)
    parent_rows = rows[
        (rows["unit_id"] == parent) & (rows["unit_level"] != level) & (rows["category"] == category)
    ]
    parent_value = _value(parent_rows, category)
    parent_name = _parent_name(engine, parent)
    funnel = None
    if category in PERCENT_CATEGORIES:
        centre = (
            national
            if np.isfinite(national)
            else float(np.nanmedian(counted["value"]))
            if len(counted)
            else np.nan
        )
        in_funnel = pd.concat([counted, own]).dropna(subset=["value", "n"])
        funnel = stats.peer_funnel(in_funnel, centre)
        if funnel is not None and in_funnel["banded"].any():
            notes.append(
                f"{int(in_funnel['banded'].sum()):,} unit(s) on the funnel publish completed "
                "surveys as a band: drawn at its lower bound (open circles)."
            )
    trend = _trend(engine, measure, category, unit, parent, level, parent_name)
    return Benchmark(
        measure_id=measure,
        measure_label=choices.measures[measure].rsplit(" (", 1)[0],
        category=category,
        release=release,
        window=choices.releases[release],
        unit_id=unit,
        unit_name=str(own["unit"].iloc[0]) if len(own) else unit,
        unit_level=level,
        parent_id=parent,
        parent_name=parent_name,
        value=value,
        surveys=str(own["surveys"].iloc[0])
        if len(own) and isinstance(own["surveys"].iloc[0], str)
        else "",
        n=own_n,
        banded=own_banded,
        star_rating=float(star.iloc[0]) if len(star) and pd.notna(star.iloc[0]) else np.nan,
        national=national,
        parent_value=parent_value,
        rank=rank,
        rank_low=low,
        rank_high=high,
        rank_in_parent=rank_parent,
        peers_counted=len(counted),
        parent_peers_counted=len(in_parent),
        peers=peers,
        trend=trend,
        funnel=funnel,
        notes=tuple(notes),
    )


def _value(rows: pd.DataFrame, category: str) -> float:
    if rows.empty:
        return np.nan
    column = "percent" if category in PERCENT_CATEGORIES else "score"
    value = rows[column].iloc[0]
    return float(value) if pd.notna(value) else np.nan


def _names(engine, ids: pd.Series) -> dict[str, str]:
    """unit id -> its published name (else the id), for a few ids (states, regions)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    r = _results.c
    found = _read(
        engine,
        sa.select(r.unit_id, sa.func.max(r.unit_name).label("name"))
        .where(r.unit_id.in_(wanted), r.unit_name.is_not(None))
        .group_by(r.unit_id),
    )
    names = dict(zip(found["unit_id"], found["name"], strict=True))
    return {u: names.get(u) or u for u in wanted}


def _parent_name(engine, parent: str | None) -> str | None:
    """The published name of a unit's state or region, else its id."""
    if not parent:
        return None
    r = _results.c
    names = _read(
        engine,
        sa.select(r.unit_name).where(r.unit_id == parent, r.unit_name.is_not(None)).limit(1),
    )
    return str(names["unit_name"].iloc[0]) if len(names) else parent


def _trend(
    engine,
    measure: str,
    category: str,
    unit: str,
    parent: str | None,
    level: str,
    parent_name: str | None,
):
    """The unit's, its parent's and the nation's values in every release."""
    r = _results.c
    who = [unit] + ([parent] if parent else [])
    rows = _read(
        engine,
        sa.select(r.release, r.period_end, r.unit_level, r.unit_id, r.percent, r.score).where(
            r.measure_id == measure,
            r.category == category,
            sa.or_(r.unit_id.in_(who), r.unit_level == "nation"),
        ),
    )
    column = "percent" if category in PERCENT_CATEGORIES else "score"
    series = np.select(
        [rows["unit_level"] == "nation", (rows["unit_id"] == unit) & (rows["unit_level"] == level)],
        ["National", "Yours"],
        default=str(parent_name or parent),
    )
    out = pd.DataFrame(
        {
            "release": rows["release"],
            "period_end": pd.to_datetime(rows["period_end"], errors="coerce").astype(
                "datetime64[ns]"
            ),
            "series": series,
            "value": pd.to_numeric(rows[column], errors="coerce"),
        }
    )
    keep = (
        (rows["unit_level"] == "nation")
        | (rows["unit_id"] == unit)
        | ((rows["unit_id"] == parent) & (rows["unit_level"] != level))
    )
    out = out[keep.to_numpy()].dropna(subset=["value"])
    return out.sort_values(["period_end", "release", "series"]).reset_index(drop=True)


def record_own_unit(target, unit: str) -> None:
    """Record the organisation's published unit beside the results at ``target``."""
    from ptx.benchmarks.imports import replace_tables

    replace_tables(target, {OWN_UNIT_TABLE: pd.DataFrame({"unit_id": [str(unit)]})})


__all__ = ["Benchmark", "BenchmarkChoices", "benchmark", "benchmark_choices", "record_own_unit"]
