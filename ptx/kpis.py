"""The headline KPIs: every catalog measure that applies to a tile, for the chosen dates and
for the range of the same length just before it, so a reader sees what changed. A measure the
source has no data for (no complaints table, say) has a row with no value and a note saying so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ptx import counts as count_frames
from ptx import query
from ptx.catalog import Measure, measures_for
from ptx.config import ComplaintSettings
from ptx.disclosure import Disclosure, apply, hidden
from ptx.query import Filters
from ptx.sources import Source

COLUMNS = [
    "kpi",
    "label",
    "value",
    "low",
    "high",
    "n",
    "previous",
    "change",
    "unit",
    "better",
    "method",
    "suppressed",
    "note",  # why there is no value at all: the source lacks the data ("" when it has it)
]


def default_window(as_of: date, months: int = 12) -> tuple[date, date]:
    """The last ``months`` whole-or-part months ending at ``as_of``."""
    start = (pd.Timestamp(as_of) - pd.DateOffset(months=months) + pd.Timedelta(days=1)).date()
    return start, as_of


def tile_measures() -> dict[str, Measure]:
    return measures_for("tile")


def missing_tiles(source: Source) -> dict[str, str]:
    """Tile measure key -> why this source has no data for it."""
    found = {key: count_frames.missing(source, m) for key, m in tile_measures().items()}
    return {key: why for key, why in found.items() if why}


@dataclass(frozen=True)
class HeadlineCounts:
    """The aggregates behind the headline KPIs (and the Overview's monthly charts).

    ``frames``: feedback and the resolution stage by period and month, the acknowledgement
    stage by period, activity by period, and the open backlog at the as-of date; none for a
    measure in ``missing`` (key -> why the source has no data for it)."""

    start: date
    end: date
    as_of: date
    frames: dict[str, pd.DataFrame]
    missing: Mapping[str, str] = field(default_factory=dict)

    def current(self, name: str) -> pd.DataFrame:
        """A period-grouped frame's rows for the chosen range, without the period column."""
        frame = self.frames[name]
        return frame[frame["period"] == "current"].drop(columns="period").reset_index(drop=True)


def headline_counts(source: Source, filters: Filters, as_of: date) -> HeadlineCounts:
    """One statement per input of the tile measures, each serving both periods (grouped by
    period; feedback and the resolution stage by month too, for the monthly charts)."""
    start, end = filters.start, filters.end
    if start is None or end is None:
        first, _ = query.data_range(source)
        start, end = start or first or as_of, end or as_of
    both = filters.between(start, end).with_previous()
    missing = missing_tiles(source)
    inputs = {name for k, m in tile_measures().items() if k not in missing for name in m.inputs}
    by_month = ("period", "month")
    frames = count_frames.fetch(
        source,
        inputs,
        both,
        as_of,
        ("period",),
        by_input={"resolved": by_month, "feedback": by_month},
    )
    return HeadlineCounts(start, end, as_of, frames, missing)


def _side(rows: dict, period: str, kind: str) -> dict:
    """One period's values; a period with no rows has a count of 0 and no rate."""
    if period in rows:
        return rows[period]
    none = 0.0 if kind == "count" else np.nan
    return {"value": none, "low": np.nan, "high": np.nan, "denominator": 0}


def headline_table(
    counts: HeadlineCounts, settings: ComplaintSettings, rule: Disclosure = Disclosure()
) -> pd.DataFrame:
    """The headline KPIs from their counts, the small-number rule applied; see
    :func:`headline_kpis`."""
    from ptx.measures import evaluate

    rows = []
    by_period: dict = {}  # summaries the measures share (FFT, complaints received)
    for key, m in tile_measures().items():
        if key in counts.missing:
            numbers = [np.nan] * 6  # value, low, high, n, previous, change
            rows.append([key, m.label, *numbers, m.unit, m.direction, m.method, False])
            rows[-1].append(counts.missing[key])
            continue
        if not set(m.inputs) <= set(counts.frames) | {"complaints"}:
            continue
        if m.inputs == ("open",):  # at the as-of date: no previous period to compare with
            values = evaluate(m, counts.frames, (), settings).assign(period="current")
        else:
            values = evaluate(m, counts.frames, ("period",), settings, by_period)
        mask = hidden(values, m.roles, rule)
        shown = apply(values, m.roles, rule, mask)
        sides = {r["period"]: r for r in shown.to_dict("records")}
        now, before = _side(sides, "current", m.kind), _side(sides, "previous", m.kind)
        if m.inputs == ("open",):  # at the as-of date: no previous period to compare with
            before = {"value": np.nan}
        current = (values["period"] == "current").to_numpy()
        suppressed = bool(mask["value"].to_numpy()[current].any())
        n = np.nan if m.kind == "count" else now["denominator"]
        rows.append(
            [
                key,
                m.label,
                now["value"],
                now["low"],
                now["high"],
                n,
                before["value"],
                now["value"] - before["value"],
                m.unit,
                m.direction,
                m.method,
                suppressed,
                "",
            ]
        )
    out = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("value", "low", "high", "n", "previous", "change"):
        out[col] = out[col].astype("float64")
    return out


def headline_kpis(
    source: Source, filters: Filters, as_of: date, rule: Disclosure = Disclosure()
) -> pd.DataFrame:
    """Headline KPIs for the filters' date range, beside the previous range of equal length.

    Returns
    -------
    DataFrame with one row per tile measure of the catalog and columns ``kpi, label, value,
    low, high, n, previous, change, unit, better, method, suppressed, note``. ``low``/``high``
    are the 95% interval where there is one; ``n`` is the denominator (episodes for a rate per
    1,000); ``change`` = value - previous. Under the disclosure rule, a count of 1-7 or a rate
    from fewer than the minimum is left empty and ``suppressed`` is true. A measure the source
    has no data for has no numbers and ``note`` says why ("No complaints data in this
    source.").
    """
    return headline_table(headline_counts(source, filters, as_of), source.config.complaints, rule)
