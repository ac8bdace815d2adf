"""NHS England's published Friends and Family Test data by provider (and by ward or site).

NHS England publishes FFT results monthly per setting (inpatient, A&E, maternity...), one row
per organisation (and, in the ward and site sheets, per ward or site): the organisation code
and name, its region, the total responses, and the % positive (very good + good) and %
negative (poor + very poor) of them, as NHS England's FFT guidance (2019) defines them. Column
names vary between sheets and years; the first of each list below that a file has is read.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ptx.benchmarks.model import number, published_text

NATION_ID = "ENG"
ORG_CODE = ("Org code", "Org Code", "Organisation code", "ORG_CODE", "Trust code", "Provider code")
ORG_NAME = ("Org name", "Org Name", "Organisation name", "ORG_NAME", "Trust name", "Provider name")
REGION = ("Region Code", "Region code", "NHS England region", "Region")
WARD_CODE = ("Ward code", "Site code", "Ward Code", "Site Code")
WARD_NAME = ("Ward name", "Site name", "Ward Name", "Site Name")
RESPONSES = ("Total Responses", "Total responses", "Responses")
POSITIVE = ("Percentage Positive", "% positive", "Prop_Pos", "Percentage positive")
NEGATIVE = ("Percentage Negative", "% negative", "Prop_Neg", "Percentage negative")
PERIOD = ("Period", "Periodname", "Month")
SETTING = ("Setting", "Service", "Collection")


def _first(columns, names) -> str | None:
    return next((c for c in names if c in columns), None)


def is_fft_provider_layout(columns) -> bool:
    cols = set(columns)
    return bool(_first(cols, ORG_CODE) and _first(cols, RESPONSES) and _first(cols, POSITIVE))


def _fraction_or_percent(values: pd.Series) -> pd.Series:
    """Percentages 0-100; NHS England's files give some as fractions (0.94)."""
    as_number = values.map(number)
    written_as_fraction = as_number.dropna().le(1).all() and not values.str.contains("%").any()
    return as_number * 100 if written_as_fraction and as_number.notna().any() else as_number


def read_fft(raw: pd.DataFrame, *, release: str | None = None):
    """Rows of ``benchmark_results`` (positive and negative per unit), rejected rows, notes."""
    raw = raw.apply(lambda s: s.astype(str).str.strip()).assign(_row=np.arange(1, len(raw) + 1))
    cols = raw.columns
    notes: list[str] = []
    ward = _first(cols, WARD_CODE)
    period = _first(cols, PERIOD)
    setting = _first(cols, SETTING)
    label = raw[setting] if setting else pd.Series("FFT", index=raw.index)
    measure = "FFT_" + label.str.upper().map(lambda s: re.sub(r"[^A-Z0-9]+", "_", s).strip("_"))
    measure = measure.str.replace("FFT_FFT", "FFT", regex=False)
    base = pd.DataFrame(
        {
            "release": raw[period] if period else (release or "unknown"),
            "unit_level": "ward" if ward else "trust",
            "unit_id": raw[ward] if ward else raw[_first(cols, ORG_CODE)],
            "unit_name": raw[_first(cols, WARD_NAME)]
            if ward and _first(cols, WARD_NAME)
            else raw[_first(cols, ORG_NAME)]
            if _first(cols, ORG_NAME)
            else None,
            "parent_id": raw[_first(cols, ORG_CODE)]
            if ward
            else raw[_first(cols, REGION)]
            if _first(cols, REGION)
            else None,
            "measure_id": measure,
            "measure_label": "Friends and Family Test"
            + label.map(lambda x: "" if x == "FFT" else f" ({x})"),
            "denominator": raw[_first(cols, RESPONSES)].map(number),
            "_row": raw["_row"],
        }
    )
    base["completed_surveys"] = base["denominator"]
    base["surveys_low"] = base["surveys_high"] = base["denominator"]
    base["surveys_text"] = raw[_first(cols, RESPONSES)]
    if period:  # a month such as "September 2024": its first and last days
        month = pd.to_datetime(raw[period], format="mixed", errors="coerce")
        base["period_start"] = month.dt.to_period("M").dt.start_time.dt.date
        base["period_end"] = month.dt.to_period("M").dt.end_time.dt.date
    frames = []
    for names, category in ((POSITIVE, "positive"), (NEGATIVE, "negative")):
        column = _first(cols, names)
        if column is None:
            continue
        part = base.assign(category=category, percent=_fraction_or_percent(raw[column]))
        part["value_text"] = raw[column].map(published_text)
        part["numerator"] = (part["percent"] * part["denominator"] / 100).round()
        frames.append(part)
    rows = pd.concat(frames, ignore_index=True)
    suppressed = rows["value_text"].dropna().value_counts()
    if len(suppressed):
        notes.append(
            "cells with no number, stored as published: "
            + ", ".join(f"'{t}' {n:,}" for t, n in suppressed.items())
            + "."
        )
    empty = rows["unit_id"].isna() | (rows["unit_id"] == "")
    rejected = pd.DataFrame(
        {
            "row_number": rows.loc[empty, "_row"],
            "reason": "organisation code: required value is empty",
        }
    ).drop_duplicates("row_number")
    return rows[~empty].drop(columns="_row"), rejected, notes
