"""What the facade's calls share: the dates a call covers, department names, readable tables,
values in their units, and what a source has no data for."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from ptx import counts, kpis, query
from ptx.access import Access
from ptx.catalog import CATALOG, Measure, measure, measures_for
from ptx.disclosure import Disclosure
from ptx.query import Filters
from ptx.schema import TABLES
from ptx.sources import Source

default_window = kpis.default_window
HIDDEN_NOTE = "Not shown: too few to show without identifying people."


def as_of(source: Source) -> date:
    """The date the source is complete to: configured, else its latest received date."""
    return query.as_of_date(source)


def dates(
    source: Source, filters: Filters, whole_history: bool, as_of: date | None = None
) -> tuple[Filters, date]:
    """The filters with both dates set, and the as-of date (the source's, unless given)."""
    end_of_data = as_of or query.as_of_date(source)
    start, end = filters.start, filters.end
    if start is None or end is None:
        if whole_history:
            first, _ = query.data_range(source, filters.access)
            start, end = start or first or end_of_data, end or end_of_data
        else:
            default_start, default_end = kpis.default_window(end_of_data)
            start, end = start or default_start, end or default_end
    return filters.between(start, end), end_of_data


def unavailable(source: Source, what: str | Measure) -> str | None:
    """Why this source cannot show ``what``, as a sentence for the reader; None when it can.

    ``what`` is a measure (key, label or :class:`~ptx.catalog.Measure`) or a model table
    ("complaints", "activity"): a table the source lacks, or holds no rows of, and a measure
    computed from one (or, for the FFT response rate, from eligible counts the source lacks).

    >>> ptx.unavailable(survey_export, "complaints")                     # doctest: +SKIP
    'No complaints data in this source.'
    """
    if isinstance(what, str) and what in TABLES:
        return counts.NO_TABLE[what] if what in source.absent else None
    return counts.missing(source, measure(what))


def available_measures(source: Source, view: str) -> dict[str, Measure]:
    """The catalog measures of a view (tile, trend, breakdown, funnel) this source has the data
    for, in catalog order."""
    return {k: m for k, m in measures_for(view).items() if counts.missing(source, m) is None}


def missing_data(source: Source, view: str | None = None) -> tuple[str, ...]:
    """What this source lacks for the measures of a view (every measure without one), each
    sentence once, in catalog order: empty when it has everything."""
    chosen = CATALOG if view is None else measures_for(view)
    found = (counts.missing(source, m) for m in chosen.values())
    return tuple(dict.fromkeys(why for why in found if why))


def rule_for(rule: Disclosure, filters: Filters) -> Disclosure:
    """The small-number rule a call applies: the one asked for, unless it is switched off and
    the viewer's access does not let them switch it off (then it is on)."""
    if rule.enabled or filters.access.may_switch_suppression:
        return rule
    return replace(rule, enabled=True)


def department_names(source: Source, access: Access | None = None) -> dict[str, str]:
    """department id -> name, for the departments the access allows."""
    deps = query.departments(source, access)
    return dict(zip(deps["department_id"], deps["department_name"], strict=True))


def readable(
    frame: pd.DataFrame, headings: dict[str, str], decimals: int | dict[str, int] = 1
) -> pd.DataFrame:
    """The columns named in ``headings``, headed in words, for a reader or a spreadsheet:
    fractional numbers written with ``decimals`` places (per column, by its key, if a dict), and
    an empty cell, never "None", "nan" or "inf", where there is no number."""
    out = frame[[c for c in headings if c in frame]].copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            places = decimals.get(col, 1) if isinstance(decimals, dict) else decimals
            values = out[col].replace([np.inf, -np.inf], np.nan)
            out[col] = values.map(lambda v, p=places: "" if pd.isna(v) else f"{v:.{p}f}")
        elif out[col].dtype == object:
            out[col] = out[col].map(lambda v: "" if v is None or v is pd.NA or v != v else v)
    return out.rename(columns=headings)


def bounds(m: Measure) -> tuple[float, float] | None:
    """The values a measure can take, for drawing it: 0-100 for a percentage (a process limit
    may lie beyond them, a value cannot); None when a chart need not hold it in."""
    return (0.0, 100.0) if m.unit == "%" else None


def format_value(value: float, unit: str) -> str:
    """A value for a tile or a sentence, in its unit; "–" when there is none."""
    if value is None or not np.isfinite(value):  # missing, or an open-ended interval
        return "–"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "days":
        shown = f"{value:,.0f}"
        return f"{shown} day" if shown in ("1", "-1") else f"{shown} days"
    return f"{value:,.1f}"
