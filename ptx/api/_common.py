"""What the facade's calls share: the dates a call covers, department names, readable tables
and values in their units."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ptx import kpis, query
from ptx.query import Filters
from ptx.sources import Source

default_window = kpis.default_window


def as_of(source: Source) -> date:
    """The date the source is complete to: configured, else its latest received date."""
    return query.as_of_date(source)


def dates(source: Source, filters: Filters, whole_history: bool) -> tuple[Filters, date]:
    """The filters with both dates set, and the as-of date."""
    end_of_data = as_of(source)
    start, end = filters.start, filters.end
    if start is None or end is None:
        if whole_history:
            first, _ = query.data_range(source)
            start, end = start or first or end_of_data, end or end_of_data
        else:
            default_start, default_end = kpis.default_window(end_of_data)
            start, end = start or default_start, end or default_end
    return filters.between(start, end), end_of_data


def department_names(source: Source) -> dict[str, str]:
    deps = query.departments(source)
    return dict(zip(deps["department_id"], deps["department_name"], strict=True))


def readable(frame: pd.DataFrame, headings: dict[str, str]) -> pd.DataFrame:
    """Headings in words, and no None or infinity for a reader."""
    out = frame[[c for c in headings if c in frame]].rename(columns=headings)
    return out.replace([np.inf, -np.inf], np.nan)


def format_value(value: float, unit: str) -> str:
    """A value for a tile or a sentence, in its unit; "–" when there is none."""
    if pd.isna(value):
        return "–"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "days":
        return f"{value:,.0f} days"
    return f"{value:,.1f}"
