"""The use-case facade: one call per question a user asks, each returning a frozen result.

Every call takes an open :class:`~ptx.sources.Source`, the measure (a catalog key or label)
where one applies, and :class:`~ptx.query.Filters` (departments by id or name; no dates means
the last 12 months to the as-of date for the headline, the whole history otherwise). Each
result holds the numbers with the small-number rule already applied, the method used, what
was suppressed, ``to_frame()`` (the numbers), ``table()`` (the same for a reader: headings in
words, counts of 1-7 as "*", rounded for export) and ``figure()`` (plotly). Filters may carry
the viewer's :class:`~ptx.access.Access` (``Filters(access=...)``): every statement a call
sends is then restricted to the departments it allows, and suppression stays on unless it
allows switching it off.

>>> import ptx
>>> source = ptx.open_source("data/demo.duckdb")                      # doctest: +SKIP
>>> ptx.trend(source, "fft_pct_positive", ptx.Filters(departments=["Respiratory Ward"]))
... # doctest: +SKIP
"""

from ptx.api._common import (
    as_of,
    available_measures,
    default_window,
    format_value,
    missing_data,
    unavailable,
)
from ptx.api.changes import Changes, Signal, TileTrend, what_changed
from ptx.api.complaints import (
    COMPARE_BY,
    Backlog,
    ComplaintMix,
    ComplaintTiming,
    OldestOpen,
    complaint_backlog,
    complaint_mix,
    complaint_timing,
    oldest_open,
)
from ptx.api.departments import Comparison, Heatmap, compare_departments, department_heatmap
from ptx.api.headline import Headline, Tile, headline
from ptx.api.organisation import Department, Hierarchy, channels, data_range, hierarchy
from ptx.api.trends import BREAKDOWN_LABELS, Breakdown, Trend, breakdown, trend, trend_measures

__all__ = [
    "Changes",
    "Signal",
    "TileTrend",
    "what_changed",
    "BREAKDOWN_LABELS",
    "COMPARE_BY",
    "Backlog",
    "Breakdown",
    "Comparison",
    "ComplaintMix",
    "ComplaintTiming",
    "Department",
    "Headline",
    "Heatmap",
    "Hierarchy",
    "OldestOpen",
    "Tile",
    "Trend",
    "as_of",
    "available_measures",
    "breakdown",
    "channels",
    "compare_departments",
    "complaint_backlog",
    "complaint_mix",
    "complaint_timing",
    "data_range",
    "default_window",
    "department_heatmap",
    "format_value",
    "headline",
    "hierarchy",
    "missing_data",
    "oldest_open",
    "trend",
    "trend_measures",
    "unavailable",
]
