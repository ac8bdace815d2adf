"""The facade's benchmark call: one unit among its published peers, for a measure and release.

Where the published results are and which unit is the organisation's is
:mod:`ptx.benchmarks.choices`. The rows are public, published results keyed by published units,
so department access does not restrict them and the small-number rule is the publisher's (what
it did not publish is shown as it said so).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ptx import compare
from ptx.api._common import format_value, readable
from ptx.benchmarks import figures, stats
from ptx.benchmarks.choices import (
    RESULTS,
    benchmark_choices,
    read_frame,
    results_engine,
)
from ptx.benchmarks.model import LOWER_IS_BETTER, PERCENT_CATEGORIES
from ptx.errors import PtxError
from ptx.sources import Source

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
        first in :data:`ptx.benchmarks.choices.CATEGORY_ORDER`.
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
    engine = results_engine(source)
    r = RESULTS.c
    mine = read_frame(
        engine,
        sa.select(r.unit_level, r.unit_name, r.parent_id)
        .where(r.unit_id == unit, r.unit_level != "nation")
        .limit(1),
    ).iloc[0]
    level = mine["unit_level"]
    rows = read_frame(
        engine,
        sa.select(RESULTS).where(
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
    r = RESULTS.c
    found = read_frame(
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
    r = RESULTS.c
    names = read_frame(
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
    r = RESULTS.c
    who = [unit] + ([parent] if parent else [])
    rows = read_frame(
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


__all__ = ["Benchmark", "benchmark"]
