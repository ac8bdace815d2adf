"""What every page shares: the open source, the sidebar filters, and cached calls into ptx.

The sidebar widgets are bound to the URL (``bind="query-params"``), so a copied link restores
the view and the choice holds across pages. Only small aggregate frames are cached, keyed by the
source and the filter values.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

import ptx
from ptx.disclosure import Disclosure, disclosure_table
from ptx.kpis import default_window

CACHE_TTL_SECONDS = 600
ALL = "All"


@dataclass(frozen=True)
class View:
    """The state every page renders from."""

    source: ptx.Source
    source_key: tuple[str, str]
    as_of: date
    filters: ptx.Filters
    scope: str  # the filters in words, for titles and captions
    disclosure: Disclosure  # small-number suppression, on unless switched off


def _config_key() -> tuple[str, str]:
    config = ptx.load_config()
    return config.location, str(config.path or "")


@st.cache_resource(show_spinner="Opening the data source…")
def _open_source(location: str, config_path: str) -> ptx.Source:
    config = ptx.load_config(config_path or None, location=location)
    return ptx.open_source(config)


def source_for(key: tuple[str, str]) -> ptx.Source:
    return _open_source(*key)


# What a slow call is doing, shown in a spinner (Streamlit shows one only after half a second,
# so cache hits and quick queries never flash it).
DOING = {
    "headline_counts": "Counting this period and the one before",
    "feedback_counts": "Counting feedback responses",
    "answer_counts": "Counting answers to survey questions",
    "complaint_counts": "Counting complaints",
    "stage_counts": "Timing complaints in working days",
    "activity_totals": "Adding up patient episodes",
    "resolutions_by_month": "Counting resolved complaints by month",
    "oldest_open": "Finding the oldest open complaints",
    "validation_report": "Checking every row of the source",
    "quarantined_rows": "Listing the quarantined rows",
    "data_range": "Reading the first and last dates in the source",
    "departments": "Reading the departments",
}


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _cached(module: str, function: str, source_key: tuple[str, str], *args, **kwargs):
    func = getattr(importlib.import_module(module), function)
    return func(source_for(source_key), *args, **kwargs)


def compute(func, view: View, *args, **kwargs):
    """Call a ptx function ``func(source, *args)`` through the cache, saying what it does
    while it is slow."""
    with st.spinner(DOING.get(func.__name__, "Querying the source") + "…", show_time=True):
        return _cached(func.__module__, func.__name__, view.source_key, *args, **kwargs)


def _choice(value: str | None) -> tuple[str, ...]:
    return () if value in (None, ALL) else (value,)


def sidebar() -> View:
    """Draw the shared filters and return the view they describe."""
    key = _config_key()
    source = source_for(key)
    with st.spinner("Reading the dates and departments in the source…", show_time=True):
        as_of = _cached("ptx.query", "as_of_date", key)
        first, _ = _cached("ptx.query", "data_range", key)
        deps = _cached("ptx.query", "departments", key)
    start_default, end_default = default_window(as_of)
    start_default = max(start_default, first or start_default)

    bar = st.sidebar
    bar.header("Filters")
    dates = bar.date_input(
        "Dates",
        value=(start_default, end_default),
        # No min/max: a bookmarked range that starts before the data must still load.
        key="dates",
        bind="query-params",
        format="YYYY-MM-DD",
    )
    start, end = (tuple(dates) + (None, None))[:2] if dates else (None, None)
    if start is not None and end is None:  # the second date is still being picked
        end = as_of

    sites = [ALL, *sorted(deps["site"].unique())]
    site = bar.selectbox("Site", sites, key="site", bind="query-params")
    in_site = deps if site == ALL else deps[deps["site"] == site]
    division = bar.selectbox(
        "Division",
        [ALL, *sorted(in_site["division"].unique())],
        key="division",
        bind="query-params",
    )
    in_division = in_site if division == ALL else in_site[in_site["division"] == division]
    labels = department_labels(in_division)

    def follow_department() -> None:
        # Choosing a department also sets its site and division, so the URL names all three.
        chosen = st.session_state.get("dept")
        if chosen and chosen != ALL:
            row = deps.loc[deps["department_id"] == chosen].iloc[0]
            st.session_state["site"] = row["site"]
            st.session_state["division"] = row["division"]

    department = bar.selectbox(
        "Department",
        [ALL, *sorted(labels, key=labels.get)],
        format_func=lambda d: labels.get(d, d),
        key="dept",
        bind="query-params",
        on_change=follow_department,
    )
    channel_options = _cached("ptx.query", "channels", key)
    chosen_channels = bar.multiselect(
        "Feedback channel",
        channel_options,
        key="channel",
        bind="query-params",
        placeholder="All channels",
    )
    filters = ptx.Filters(
        start=start,
        end=end,
        sites=_choice(site),
        divisions=_choice(division),
        departments=_choice(department),
        channels=tuple(chosen_channels),
    )
    if department != ALL:  # a department names its own site and division
        row = deps.loc[deps["department_id"] == department].iloc[0]
        parts = [row["site"], row["division"], labels[department]]
    else:
        parts = [p for p in (site, division) if p != ALL]
    scope = " › ".join(parts) if parts else "Whole organisation"
    if chosen_channels:
        scope += " · " + ", ".join(chosen_channels)
    suppress = bar.toggle(
        "Suppress small numbers",
        value=True,
        key="suppress",
        bind="query-params",
        help="Counts of 1-7 shown as *, exported counts rounded to 5, and no percentage for "
        "fewer than 10 responses (NHS Digital disclosure-control practice).",
    )
    bar.caption(f"Source: {source.label}  \nData as of {as_of:%d %b %Y}")
    return View(
        source=source,
        source_key=key,
        as_of=as_of,
        filters=filters,
        scope=scope,
        disclosure=Disclosure(enabled=suppress),
    )


def department_labels(deps: pd.DataFrame) -> dict[str, str]:
    """department_id -> the name shown (and put in the URL); duplicates get their division."""
    counts = deps["department_name"].value_counts()
    return {
        row.department_id: row.department_name
        if counts[row.department_name] == 1
        else f"{row.department_name} ({row.division}, {row.site})"
        for row in deps.itertuples()
    }


def show_error(exc: ptx.PtxError) -> None:
    st.error(str(exc), icon="⚠️")
    st.stop()


def frame_done(current: View) -> None:
    """Called by dashboard.py once the frame has drawn the filters for this run."""
    st.session_state["_ptx_view"] = current
    st.session_state["_ptx_frame_ran"] = True


def view() -> View:
    """The view the frame drew for this run.

    With a folder named ``pages/`` beside the entry file, Streamlit 1.67 starts a fresh server
    (and every AppTest run after the first) in its legacy multipage mode, which runs a page file
    without the entry file when the URL names a page. The run then starts again with that mode
    off, so the frame (navigation and filters) runs first.
    """
    if not st.session_state.pop("_ptx_frame_ran", False):
        if st.session_state.get("_ptx_frame_retry"):
            raise RuntimeError("The dashboard frame did not run before the page.")
        from streamlit.runtime.pages_manager import PagesManager

        st.session_state["_ptx_frame_retry"] = True
        PagesManager.uses_pages_directory = False
        st.rerun()
    st.session_state.pop("_ptx_frame_retry", None)
    return st.session_state["_ptx_view"]


def format_value(value: float, unit: str) -> str:
    if pd.isna(value):
        return "–"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def table(
    frame: pd.DataFrame,
    *,
    key: str,
    file_name: str,
    rule: Disclosure | None = None,
    count_cols: Sequence[str] = (),
    rate_cols: Sequence[str] = (),
    n_col: str | None = None,
    decimals: int = 1,
    label: str = "Download (CSV)",
) -> None:
    """A table and its CSV download. With a disclosure ``rule``, the screen shows suppressed
    counts and rates and the download rounds counts too, as NHS Digital practice asks."""
    shown, exported = frame, frame
    if rule is not None:
        options = dict(
            count_cols=count_cols, rate_cols=rate_cols, n_col=n_col, rule=rule, decimals=decimals
        )
        shown = disclosure_table(frame, **options)
        exported = disclosure_table(frame, export=True, **options)
    st.dataframe(shown, hide_index=True, key=key)
    st.download_button(
        label, csv_bytes(exported), file_name=file_name, mime="text/csv", key=f"download_{key}"
    )
