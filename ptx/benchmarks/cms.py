"""CMS HCAHPS published results: the Care Compare layouts and the national/state release files.

Layouts read (recognised by their header, see :func:`layout_of`):

- ``hcahps long`` — Care Compare "HCAHPS - Hospital": one row per facility and measure-answer
  (Facility ID, Facility Name, ..., HCAHPS Measure ID, HCAHPS Answer Percent, HCAHPS Linear
  Mean Value, Patient Survey Star Rating, Number of Completed Surveys, Survey Response Rate
  Percent, each with a Footnote, Start Date, End Date; older releases say Provider ID, Hospital
  Name, Measure Start Date, Measure End Date);
- ``hcahps state`` / ``hcahps national`` — the same columns per state, or for the nation;
- ``hcahps wide`` — one row per facility, one column per measure-answer id (unpivoted);
- ``release national`` / ``release state`` / ``release responses`` — results by release
  period (``07_2015``) with top/middle/bottom-box percentages, and facility completed surveys
  and response rates, with ``reports`` (release windows), ``measures`` and ``states`` files
  giving windows, labels and regions.

The measure and box come from the measure id's ending (``_A_P`` always, ``_U_P`` usually,
``_SN_P`` sometimes or never; ``_Y_P``/``_N_P``; ``_9_10``/``_7_8``/``_0_6``; ``_DY``/``_PY``/
``_DN``; ``_SA``/``_A``/``_D_SD``; ``_LINEAR_SCORE``; ``_STAR_RATING``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ptx.benchmarks.model import (
    EXCEL_DAMAGE,
    footnote_text,
    number,
    published_text,
    survey_band,
)

NATION_ID = "US"
NATION_NAME = "United States"
# CMS HCAHPS measures (CMS, HCAHPS Star Ratings technical notes), keyed as the release files
# key them; the hospital files' H_CLEAN and H_QUIET rows are the same measures.
MEASURE_LABELS = {
    "H_COMP_1": "Communication with Nurses",
    "H_COMP_2": "Communication with Doctors",
    "H_COMP_3": "Responsiveness of Hospital Staff",
    "H_COMP_5": "Communication about Medicines",
    "H_COMP_6": "Discharge Information",
    "H_COMP_7": "Care Transition",
    "H_CLEAN_HSP": "Cleanliness of Hospital Environment",
    "H_QUIET_HSP": "Quietness of Hospital Environment",
    "H_HSP_RATING": "Overall Hospital Rating",
    "H_RECMND": "Willingness to Recommend the Hospital",
    "H_STAR_RATING": "Summary star rating",
    "RESPONSE_RATE": "Survey response rate",
}
BASE_ALIASES = {"H_CLEAN": "H_CLEAN_HSP", "H_QUIET": "H_QUIET_HSP"}
# Measure-id endings, longest first: (ending, category, published answer).
ENDINGS = (
    ("_LINEAR_SCORE", "linear mean", "Linear mean score"),
    ("_STAR_RATING", "star rating", "Star rating"),
    ("_SN_P", "bottom", "Sometimes or never"),
    ("_D_SD", "bottom", "Disagree or strongly disagree"),
    ("_9_10", "top", "9 or 10"),
    ("_7_8", "middle", "7 or 8"),
    ("_0_6", "bottom", "6 or lower"),
    ("_A_P", "top", "Always"),
    ("_U_P", "middle", "Usually"),
    ("_Y_P", "top", "Yes"),
    ("_N_P", "bottom", "No"),
    ("_DY", "top", "Definitely yes"),
    ("_PY", "middle", "Probably yes"),
    ("_DN", "bottom", "Definitely or probably no"),
    ("_SA", "top", "Strongly agree"),
    ("_A", "middle", "Agree"),
)
MEASURE_ID = re.compile(r"^H_[A-Z0-9_]+$")
# Column names across releases: the first found wins.
FACILITY_ID = ("Facility ID", "Provider ID", "CMS Certification Number (CCN)")
FACILITY_NAME = ("Facility Name", "Hospital Name")
START = ("Start Date", "Measure Start Date")
END = ("End Date", "Measure End Date")
COMPLETED = ("Number of Completed Surveys",)
RATE = ("Survey Response Rate Percent",)
KEPT_ELSEWHERE = (
    "Address",
    "City/Town",
    "City",
    "ZIP Code",
    "County/Parish",
    "County Name",
    "Telephone Number",
    "Phone Number",
)


def per_value(values: pd.Series, func) -> pd.Series:
    """``values.map(func)``, calling ``func`` once per distinct value (published files repeat
    the same few values hundreds of thousands of times)."""
    distinct = pd.unique(values)
    return values.map(dict(zip(distinct, map(func, distinct), strict=True)))


def split_measure(measure_id: str) -> tuple[str, str, str] | None:
    """(measure, category, answer) from a CMS HCAHPS measure-answer id, or None."""
    mid = str(measure_id).strip().upper()
    if mid == "H_STAR_RATING":
        return mid, "star rating", "Summary star rating"
    if not MEASURE_ID.match(mid):
        return None
    for ending, category, answer in ENDINGS:
        if mid.endswith(ending) and len(mid) > len(ending) + 2:
            base = mid[: -len(ending)]
            return BASE_ALIASES.get(base, base), category, answer
    return None


def _first(columns, names) -> str | None:
    return next((c for c in names if c in columns), None)


def layout_of(columns) -> str | None:
    """The CMS layout a header is in, or None."""
    cols = set(columns)
    measure_columns = [c for c in cols if split_measure(c)]
    if "HCAHPS Measure ID" in cols:
        if _first(cols, FACILITY_ID):
            return "hcahps long"
        return "hcahps state" if "State" in cols else "hcahps national"
    if _first(cols, FACILITY_ID) and len(measure_columns) >= 3:
        return "hcahps wide"
    if {"Release Period", "Measure ID", "Top-box Percentage"} <= cols:
        return "release state" if "State" in cols else "release national"
    if {"Release Period", "Facility ID", "Completed Surveys"} <= cols:
        return "release responses"
    if cols == {"Release Period", "Start Date", "End Date"}:
        return "release windows"
    if {"Measure ID", "Measure", "Type"} <= cols:
        return "measure list"
    if {"State", "State Name", "Region"} <= cols:
        return "state list"
    if {"Question Num", "Measure ID", "Question"} <= cols:
        return "question list"
    return None


@dataclass
class Context:
    """What the auxiliary files say: release windows, measure labels, state names and regions."""

    windows: dict  # release -> (start, end)
    labels: dict  # measure id -> label
    states: dict  # state code -> (name, region)

    @classmethod
    def empty(cls) -> Context:
        return cls({}, dict(MEASURE_LABELS), {})

    def learn(self, layout: str, raw: pd.DataFrame) -> None:
        if layout == "release windows":
            for r in raw.itertuples(index=False):
                self.windows[r[0].strip()] = (_date(r[1]), _date(r[2]))
        elif layout == "measure list":
            self.labels.update(
                zip(raw["Measure ID"].str.strip(), raw["Measure"].str.strip(), strict=True)
            )
        elif layout == "state list":
            for code, name, region in zip(
                raw["State"], raw["State Name"], raw["Region"], strict=True
            ):
                self.states[code.strip()] = (name.strip(), region.strip())


def _date(text: str):
    value = pd.to_datetime(str(text).strip(), format="mixed", errors="coerce")
    return None if pd.isna(value) else value.date()


def _dates(text: pd.Series) -> pd.Series:
    return pd.to_datetime(text.str.strip(), format="mixed", errors="coerce").dt.date


def read_layout(
    layout: str, raw: pd.DataFrame, context: Context, *, release: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Rows of ``benchmark_results`` from one file's text cells.

    Returns ``(rows, rejected, notes)``: rejected has ``row_number, reason`` (row numbers from
    1), notes are sentences for the import report."""
    if "_row" not in raw:
        raw = raw.assign(_row=np.arange(1, len(raw) + 1))
    raw = raw.apply(lambda s: s if s.name == "_row" else s.astype(str).str.strip())
    if layout.startswith("release"):
        return _release_file(layout, raw, context)
    if layout == "hcahps wide":
        raw = _unpivot(raw)
    return _care_compare(layout, raw, context, release)


def _release_file(layout: str, raw: pd.DataFrame, context: Context):
    notes: list[str] = []
    release = raw["Release Period"]
    start = release.map(lambda r: context.windows.get(r, (None, None))[0])
    end = release.map(lambda r: context.windows.get(r, (None, None))[1])
    if start.isna().any():
        notes.append(
            f"{int(start.isna().sum()):,} row(s) of release(s) with no window in a reports file "
            "(give reports.csv too): stored without their measurement window."
        )
    if layout == "release responses":
        completed = raw["Completed Surveys"].map(survey_band)
        rate = raw["Response Rate (%)"]
        rows = pd.DataFrame(
            {
                "release": release,
                "period_start": start,
                "period_end": end,
                "unit_level": "facility",
                "unit_id": raw["Facility ID"],
                "parent_id": raw["State"],
                "measure_id": "RESPONSE_RATE",
                "measure_label": MEASURE_LABELS["RESPONSE_RATE"],
                "category": "response rate",
                "percent": rate.map(number),
                "completed_surveys": completed.map(lambda b: b[0]),
                "surveys_low": completed.map(lambda b: b[1]),
                "surveys_high": completed.map(lambda b: b[2]),
                "surveys_text": raw["Completed Surveys"],
                "response_rate": rate.map(number),
                "value_text": rate.map(published_text),
                "_row": raw["_row"],
            }
        )
        unpublished = raw["Completed Surveys"].map(published_text)
        unpublished = unpublished[rows["surveys_low"].isna().to_numpy()].dropna().value_counts()
        if len(unpublished):
            notes.append(
                "completed surveys published without a number: "
                + ", ".join(f"'{t}' {n:,}" for t, n in unpublished.items())
                + " (stored as published)."
            )
        banded = rows["completed_surveys"].isna() & rows["surveys_low"].notna()
        if banded.any():
            bands = raw.loc[banded, "Completed Surveys"].value_counts()
            notes.append(
                f"{int(banded.sum()):,} facility row(s) give completed surveys as a band ("
                + ", ".join(f"'{b}' {n:,}" for b, n in bands.items())
                + "), kept as the band with its bounds."
            )
        return _checked(rows, notes)
    frames = []
    for column, category in (
        ("Top-box Percentage", "top"),
        ("Middle-box Percentage", "middle"),
        ("Bottom-box Percentage", "bottom"),
    ):
        state = layout == "release state"
        frames.append(
            pd.DataFrame(
                {
                    "release": release,
                    "period_start": start,
                    "period_end": end,
                    "unit_level": "state" if state else "nation",
                    "unit_id": raw["State"] if state else NATION_ID,
                    "unit_name": None if state else NATION_NAME,
                    "measure_id": raw["Measure ID"],
                    "category": category,
                    "percent": raw[column].map(number),
                    "value_text": raw[column].map(published_text),
                    "_row": raw["_row"],
                }
            )
        )
    rows = pd.concat(frames, ignore_index=True)
    # H_COMP_6 (yes/no) has no middle box: the release files write 0 there.
    no_middle = (rows["measure_id"] == "H_COMP_6") & (rows["category"] == "middle")
    rows = rows[~no_middle]
    rows["measure_label"] = rows["measure_id"].map(context.labels)
    return _checked(rows, notes)


def _unpivot(raw: pd.DataFrame) -> pd.DataFrame:
    """A wide file (one column per measure-answer id) as the long layout's columns."""
    ids = [c for c in raw.columns if split_measure(c)]
    keep = [c for c in raw.columns if c not in ids]
    long = raw.melt(id_vars=keep, value_vars=ids, var_name="HCAHPS Measure ID", value_name="_v")
    category = long["HCAHPS Measure ID"].map(lambda m: split_measure(m)[1])
    long["HCAHPS Answer Percent"] = long["_v"].where(~category.isin(["linear mean", "star rating"]))
    long["HCAHPS Linear Mean Value"] = long["_v"].where(category == "linear mean")
    long["Patient Survey Star Rating"] = long["_v"].where(category == "star rating")
    return long.drop(columns="_v").fillna("Not Applicable")


def _care_compare(layout: str, raw: pd.DataFrame, context: Context, release: str | None):
    notes: list[str] = []
    cols = raw.columns
    level = {"hcahps state": "state", "hcahps national": "nation"}.get(layout, "facility")
    split = per_value(raw["HCAHPS Measure ID"], split_measure)
    known = split.notna()
    rows = pd.DataFrame({"_row": raw["_row"]})
    rows["unit_level"] = level
    if level == "facility":
        rows["unit_id"] = raw[_first(cols, FACILITY_ID)]
        name = _first(cols, FACILITY_NAME)
        rows["unit_name"] = raw[name] if name else None
        rows["parent_id"] = raw["State"] if "State" in cols else None
    elif level == "state":
        rows["unit_id"] = raw["State"]
    else:
        rows["unit_id"] = NATION_ID
        rows["unit_name"] = NATION_NAME
    rows["measure_id"] = split.map(lambda s: s[0] if s else None)
    rows["category"] = split.map(lambda s: s[1] if s else None)
    answer = raw.get("HCAHPS Answer Description")
    rows["answer_label"] = (
        answer if answer is not None else split.map(lambda s: s[2] if s else None)
    )
    rows["measure_label"] = rows["measure_id"].map(context.labels)
    value_column = np.select(
        [rows["category"] == "linear mean", rows["category"] == "star rating"],
        ["HCAHPS Linear Mean Value", "Patient Survey Star Rating"],
        default="HCAHPS Answer Percent",
    )
    cell = pd.Series("", index=raw.index, dtype=object)
    for column in set(value_column):
        if column in cols:
            cell = cell.mask(value_column == column, raw[column])
    as_number = per_value(cell, number).astype("float64")
    is_percent = ~rows["category"].isin(["linear mean", "star rating"])
    rows["percent"] = as_number.where(is_percent)
    rows["score"] = as_number.where(~is_percent)
    rows["value_text"] = per_value(cell, published_text)
    texts = rows["value_text"].dropna().value_counts()
    if len(texts):
        notes.append(
            "cells with no number, stored as published: "
            + ", ".join(f"'{t}' {n:,}" for t, n in texts.head(6).items())
            + "."
        )
    percent_signs = int(cell.str.endswith("%").sum())
    if percent_signs:
        notes.append(f"{percent_signs:,} percentage(s) written with a % sign, read as numbers.")
    completed = _first(cols, COMPLETED)
    if completed:
        band = per_value(raw[completed], survey_band)
        rows["completed_surveys"] = band.map(lambda b: b[0])
        rows["surveys_low"] = band.map(lambda b: b[1])
        rows["surveys_high"] = band.map(lambda b: b[2])
        rows["surveys_text"] = raw[completed]
    rate = _first(cols, RATE)
    if rate:
        rows["response_rate"] = per_value(raw[rate], number).astype("float64")
    footnotes = [c for c in cols if c.endswith("Footnote")]
    if footnotes:
        given = raw[footnotes].replace({"": None, "nan": None}).stack().dropna()
        codes = given.groupby(level=0).agg(lambda v: "; ".join(dict.fromkeys(v)))
        rows["footnote_codes"] = codes.reindex(raw.index)
        rows["footnote_text"] = rows["footnote_codes"].map(
            lambda c: footnote_text(c) if isinstance(c, str) and c else None
        )
    rows = _windows(rows, raw, notes, release)
    ignored = [c for c in cols if c in KEPT_ELSEWHERE]
    if ignored:
        notes.append(f"columns not kept (not results): {', '.join(ignored)}.")
    reason = pd.Series(None, index=raw.index, dtype=object)
    reason = reason.mask(
        ~known,
        "HCAHPS Measure ID: '"
        + raw["HCAHPS Measure ID"].astype(str)
        + "' is not a measure-answer id ptx knows (it ends in none of "
        + ", ".join(e for e, _, _ in ENDINGS)
        + ")",
    )
    return _checked(rows, notes, reason)


def _windows(rows: pd.DataFrame, raw: pd.DataFrame, notes: list[str], release: str | None):
    cols = raw.columns
    start_col, end_col = _first(cols, START), _first(cols, END)
    if start_col is None or end_col is None:
        rows["period_start"] = rows["period_end"] = None
        rows["release"] = release or "unknown"
        notes.append("no start and end dates: the measurement window is not known.")
        return rows
    damaged = raw[start_col].str.match(EXCEL_DAMAGE) | raw[end_col].str.match(EXCEL_DAMAGE)
    start, end = _dates(raw[start_col]), _dates(raw[end_col])
    unread = start.isna() | end.isna()
    windows = pd.DataFrame({"s": start, "e": end})[~unread].drop_duplicates()
    if unread.any() and len(windows) == 1:
        start = start.mask(unread, windows.iloc[0, 0])
        end = end.mask(unread, windows.iloc[0, 1])
        what = "'########' (Excel's mark for a column too narrow)" if damaged.any() else "no date"
        notes.append(
            f"{int(unread.sum()):,} row(s) with {what} in the dates: the file's one window, "
            f"{windows.iloc[0, 0]:%d %b %Y} to {windows.iloc[0, 1]:%d %b %Y}, was used."
        )
        unread = unread & False
    rows["period_start"], rows["period_end"] = start, end
    rows["_undated"] = unread
    if release:
        rows["release"] = release
    else:
        window = pd.Series(list(zip(start, end, strict=True)), index=rows.index)
        rows["release"] = per_value(
            window,
            lambda w: (
                f"{w[0]:%b %Y} to {w[1]:%b %Y}" if pd.notna(w[0]) and pd.notna(w[1]) else "unknown"
            ),
        )
    return rows


def _checked(rows: pd.DataFrame, notes: list[str], reason: pd.Series | None = None):
    """Rows that can be stored, and the rejected ones with their reason."""
    rows = rows.reset_index(drop=True)
    reason = (
        pd.Series(None, index=rows.index, dtype=object)
        if reason is None
        else reason.reset_index(drop=True).reindex(rows.index)
    )
    for column in ("unit_id", "measure_id", "release"):
        empty = rows[column].isna() | (rows[column].astype(str).str.strip() == "")
        reason = reason.mask(empty & reason.isna(), f"{column}: required value is empty")
    if "_undated" in rows:
        reason = reason.mask(
            rows["_undated"] & reason.isna(),
            "Start/End Date: not a date, and the file's rows give more than one window",
        )
        rows = rows.drop(columns="_undated")
    bad = reason.notna()
    rejected = pd.DataFrame({"row_number": rows.loc[bad, "_row"], "reason": reason[bad]})
    return rows[~bad].drop(columns="_row"), rejected, notes
