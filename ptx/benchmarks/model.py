"""Published aggregate results: the ``benchmark_results`` table and how its cells are read.

Published survey results (CMS HCAHPS on Care Compare, NHS England's monthly Friends and Family
Test data) are percentages per published unit — a hospital, a state, the nation, an NHS trust or
ward — not patient responses. They live in their own optional table, ``benchmark_results``,
beside the model's tables (see :data:`BENCHMARK_RESULTS`): it is keyed by published units, not by
the organisation's departments, so the validation rules, daily summaries and department access
that iterate over :data:`ptx.schema.TABLES` do not apply to it, and no feedback measure is ever
computed from its rows.

"Not Available", "Not Applicable" and footnotes are data-quality facts: they are stored as
published (``value_text``, ``footnote_codes``, ``footnote_text``), never read as errors or zeros.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ptx.schema import Column, Table

RESULTS_TABLE = "benchmark_results"
UNIT_LEVELS = ("facility", "trust", "ward", "site", "state", "region", "nation")
# The answer categories of a measure. A named answer ("Always", "Definitely yes") is kept in
# answer_label; the category says which box it is.
CATEGORIES = (
    "top",
    "middle",
    "bottom",
    "linear mean",
    "star rating",
    "response rate",
    "positive",
    "negative",
)
PERCENT_CATEGORIES = ("top", "middle", "bottom", "response rate", "positive", "negative")
LOWER_IS_BETTER = ("bottom", "negative")  # the answers where a lower share is better
# Boxes of one measure add to 100; published whole percentages may each be 0.5 off.
ROUNDING_PER_BOX = 0.5

BENCHMARK_RESULTS = Table(
    RESULTS_TABLE,
    "Optional: published aggregate survey results (CMS HCAHPS, NHS England FFT) per published "
    "unit — facility, state, nation, trust, ward — for the Benchmarks page. Keyed by published "
    "units, not departments; never read as patient responses. Written by `ptx benchmarks "
    "import` and `ptx demo`.",
    (
        Column("release", "string", True, "The publication the row is from, e.g. 07_2015."),
        Column("period_start", "date", False, "First day of the measurement window."),
        Column("period_end", "date", False, "Last day of the measurement window."),
        Column(
            "unit_level",
            "string",
            True,
            "facility, trust, ward, site, state, region or nation.",
            allowed=UNIT_LEVELS,
        ),
        Column("unit_id", "string", True, "Facility ID, state code, ODS code; 'US' or 'ENG'."),
        Column("unit_name", "string", False, "Name of the unit as published."),
        Column("parent_id", "string", False, "The unit's state or region (peer group)."),
        Column("measure_id", "string", True, "Published measure, e.g. H_COMP_1, FFT_INPATIENT."),
        Column("measure_label", "string", False, "The measure in words."),
        Column(
            "category",
            "string",
            True,
            "top, middle or bottom box, linear mean, star "
            "rating, response rate, positive or negative.",
            allowed=CATEGORIES,
        ),
        Column("answer_label", "string", False, "The published answer, e.g. Always."),
        Column("percent", "number", False, "The category's percentage (0-100), as published."),
        Column("numerator", "integer", False, "Responses in the category, where published."),
        Column("denominator", "integer", False, "Responses counted, where published."),
        Column("score", "number", False, "Linear mean score (0-100) or star rating (1-5)."),
        Column("completed_surveys", "integer", False, "Completed surveys, when a number."),
        Column("surveys_low", "integer", False, "Lower bound of completed surveys (a band's)."),
        Column("surveys_high", "integer", False, "Upper bound; empty for '300 or more'."),
        Column("surveys_text", "string", False, "Completed surveys as published, e.g. a band."),
        Column("response_rate", "number", False, "Survey response rate (%), as published."),
        Column(
            "value_text",
            "string",
            False,
            "The published text where there is no number (Not Available, Not Applicable).",
        ),
        Column("footnote_codes", "string", False, "Footnote numbers as published."),
        Column("footnote_text", "string", False, "What the footnotes say."),
        Column(
            "imputed",
            "boolean",
            False,
            "One of several units with an identical score "
            "set (imputed): left out of percentiles unless asked for.",
        ),
        Column("source_file", "string", False, "The file the row was read from."),
    ),
    key=("release", "unit_level", "unit_id", "measure_id", "category"),
    required=False,
)
COLUMNS = BENCHMARK_RESULTS.column_names
NUMBER_COLUMNS = ("percent", "score", "response_rate")
INTEGER_COLUMNS = ("numerator", "denominator", "completed_surveys", "surveys_low", "surveys_high")
DATE_COLUMNS = ("period_start", "period_end")

# CMS Care Compare footnotes (HCAHPS), as CMS words them in its data dictionary.
CMS_FOOTNOTES = {
    "1": "The number of cases/patients is too few to report.",
    "2": "Data submitted were based on a sample of cases/patients.",
    "3": "Results are based on a shorter time period than required.",
    "5": "Results are not available for this reporting period.",
    "6": "Fewer than 100 patients completed the HCAHPS survey; use these scores with caution.",
    "10": "Very few patients were eligible for the HCAHPS survey; the scores may not reflect "
    "the hospital's performance.",
    "11": "There were discrepancies in the data collection process.",
    "15": "The number of cases/patients is too few to report a star rating.",
    "29": "This measure was calculated using partial performance period data.",
}
NOT_PUBLISHED = ("not available", "not applicable", "n/a", "na", "--", "-", "*", "")
EXCEL_DAMAGE = re.compile(r"^#+$")  # '########': Excel's mark for a column too narrow

_BAND_PATTERNS = (
    (re.compile(r"^(\d[\d,]*)\s*(or more|\+|and over)$", re.I), lambda a: (a, None)),
    (re.compile(r"^between\s+(\d[\d,]*)\s+and\s+(\d[\d,]*)$", re.I), lambda a, b: (a, b)),
    (re.compile(r"^(\d[\d,]*)\s*(?:-|–|to)\s*(\d[\d,]*)$", re.I), lambda a, b: (a, b)),
    # A unit with results had at least one completed survey.
    (re.compile(r"^(?:fewer|less) than\s+(\d[\d,]*)$", re.I), lambda a: (1, a - 1)),
)


def number(text: object) -> float:
    """A published number: ``72``, ``72%``, ``72.0``, `` 1,234 ``; NaN for anything else."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return np.nan
    value = str(text).strip().rstrip("%").replace(",", "").strip()
    try:
        return float(value)
    except ValueError:
        return np.nan


def published_text(text: object) -> str | None:
    """The published words where a cell holds no number ('Not Available'), else None."""
    if text is None:
        return None
    value = str(text).strip()
    if value == "" or not np.isnan(number(value)):
        return None
    return value


def survey_band(text: object) -> tuple[int | None, int | None, int | None]:
    """(completed, low, high) from a completed-surveys cell: an integer gives all three; a
    band such as ``300 or more``, ``Between 100 and 299``, ``FEWER THAN 50`` gives its bounds
    (high None when open); Not Available gives none."""
    value = "" if text is None else str(text).strip()
    n = number(value)
    if np.isfinite(n) and n == round(n) and n >= 0:
        return int(n), int(n), int(n)
    for pattern, bounds in _BAND_PATTERNS:
        found = pattern.match(value)
        if found:
            numbers = [int(g.replace(",", "")) for g in found.groups() if g and g[0].isdigit()]
            low, high = bounds(*numbers)
            return None, low, high
    return None, None, None


def footnote_text(codes: str) -> str:
    """What CMS's footnote numbers say, joined; unknown numbers as 'footnote N'."""
    out = []
    for code in re.findall(r"\d+", codes or ""):
        out.append(CMS_FOOTNOTES.get(code, f"footnote {code}"))
    return " ".join(out)


def empty_frame() -> pd.DataFrame:
    return conform(pd.DataFrame(columns=COLUMNS))


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with exactly the table's columns, in order, with their types."""
    out = pd.DataFrame(index=frame.index)
    for col in BENCHMARK_RESULTS.columns:
        values = frame[col.name] if col.name in frame else pd.Series(None, index=frame.index)
        if col.type == "number":
            out[col.name] = pd.to_numeric(values, errors="coerce").astype("float64")
        elif col.type == "integer":
            out[col.name] = pd.to_numeric(values, errors="coerce").round().astype("Int64")
        elif col.type == "date":
            out[col.name] = pd.to_datetime(values, errors="coerce").dt.date
        elif col.type == "boolean":
            out[col.name] = [bool(v) if v is not None and v == v else False for v in values]
        else:
            out[col.name] = values.astype(object).where(values.notna(), None)
    return out.reset_index(drop=True)
