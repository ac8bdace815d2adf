"""The small-number rule on every page and tab: no count of 1-7 reaches a reader.

Each page and each tab (opened from the URL, as a shared link would) runs under AppTest on a
department with small counts, and every count it shows is collected: count tiles, the counts
in tile help and sentences, count columns of tables, the CSV of every download, and the count
traces of charts. With suppression on (the default) none may be 1-7; with ``suppress=false``
the same walk must show some, or the walk would prove nothing.

What is a count here: people or complaints (responses, complaints received, resolved or open,
numerators and denominators, a comparison's n). Percentages, scores, rates, working days, axis
limits, SPC means and limits, and counts of periods or departments ("3 week(s) not shown") are
not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ptx
from tests.downloads import download_table, record_downloads
from tests.test_app import DASHBOARD, TIMEOUT, plotly_values

RULE = ptx.Disclosure()
SMALL = range(1, RULE.suppress_max + 1)

COUNT_MEASURES = {m.label for m in ptx.CATALOG.values() if m.kind == "count"}
# Table and CSV headings whose cells are counts (a trend of a count measure is headed by its
# label). "Received" is also the oldest-open table's date column: dates are not numbers.
COUNT_COLUMNS = {
    "Responses",
    "Numerator",
    "Denominator",
    "Complaints",
    "Received",
    "Resolved",
    "Open",
    "n",
    *COUNT_MEASURES,
}
COUNT_TILES = {*COUNT_MEASURES, "Received", "Open now"}
# Counts inside tile help, captions and notes. Each group is one count.
COUNT_SENTENCES = (
    re.compile(r"([\d,]+) of ([\d,]+) due"),
    re.compile(r"counts the ([\d,]+) complaints still open"),
    re.compile(r"Fewer than half of the ([\d,]+) complaints"),
    re.compile(r"Reopened: (\S+) of (\S+) closed"),
    re.compile(r"([\d,]+) open for more than"),
    re.compile(r"Denominator: ([\d,]+)"),
    # A count tile's previous value ("39."), not a percentage, score or days ("96.3%.").
    re.compile(r"Previous period: ([\d,]+)\.(?!\d)"),
)
# The number a tile hides, given away in its help: an interval, a median, a percentile.
HIDDEN_IN_HELP = re.compile(r"(?:95% interval|only:|percentile:)\s*(?:\(.*?\)\s*)?(\d[\d.,]*)")
HIDDEN = {"*", "–"}
NUMBER = re.compile(r"-?[\d,]+(\.\d+)?")
SPC_LINES = {"upl", "lpl", "mean"}  # an SPC chart's limit and mean traces (hover "upl: ...")


@dataclass(frozen=True)
class Shown:
    """One count as a reader sees it."""

    where: str  # the page and tab
    kind: str  # tile, text, table, download, chart, or "hidden tile help" (any number)
    what: str  # the tile, column, sentence or trace
    value: float


def number(cell) -> float | None:
    """A cell as a number, or None for "*", "–", "", dates and NaN."""
    if isinstance(cell, (bool, np.bool_)):
        return None
    if isinstance(cell, (int, float, np.number)):
        return None if np.isnan(cell) else float(cell)
    if isinstance(cell, str) and NUMBER.fullmatch(cell.strip()):
        return float(cell.strip().replace(",", ""))
    return None


def frame_counts(frame: pd.DataFrame, where: str, kind: str) -> Iterator[Shown]:
    for column in COUNT_COLUMNS & set(frame.columns):
        for cell in frame[column]:
            value = number(cell)
            if value is not None:
                yield Shown(where, kind, column, value)


def chart_counts(spec: dict, where: str) -> Iterator[Shown]:
    """The numbers of a chart's count traces: vertical bars (count_bars: complaints by month,
    the backlog and its ageing), the values of an SPC chart of a count measure, and the
    departments' sizes (x) on a funnel plot. Horizontal bars (shares, breakdowns), survival
    curves, interval trends and the heatmap draw percentages, days, rates or verdicts."""
    title = spec["layout"].get("title", {}).get("text", "")
    count_trend = any(title.startswith(f"{label} by ") for label in COUNT_MEASURES)
    for i, trace in enumerate(spec["data"]):
        axis = None
        if trace.get("type") == "bar" and trace.get("orientation") != "h":
            axis = "y"
        elif trace.get("type") == "scatter" and "customdata" in trace:  # funnel points
            axis = "x"
        elif count_trend and trace.get("type") == "scatter":
            line = trace.get("hovertemplate", "").split(":")[0]
            axis = None if line in SPC_LINES or trace.get("name") == "95% interval" else "y"
        if axis is None:
            continue
        values = pd.to_numeric(pd.Series(plotly_values(spec, i, axis)), errors="coerce")
        for value in values.dropna():
            yield Shown(where, "chart", f"{title}: {trace.get('name')}", float(value))


def text_counts(text: str, where: str, what: str) -> Iterator[Shown]:
    for sentence in COUNT_SENTENCES:
        for match in sentence.finditer(text):
            for group in match.groups():
                value = number(group)
                if value is not None:
                    yield Shown(where, "text", f"{what}: {match.group(0)}", value)


def shown_counts(at: AppTest, where: str, downloads) -> Iterator[Shown]:
    """Every count the run shows."""
    for tile in at.metric:
        if tile.label in COUNT_TILES:
            value = number(tile.value)
            if value is not None:
                yield Shown(where, "tile", tile.label, value)
        # A tile's change is a difference, not a count; its help text is read below.
        yield from text_counts(tile.proto.help, where, f"help of {tile.label}")
        if tile.value in HIDDEN:
            for match in HIDDEN_IN_HELP.finditer(tile.proto.help):
                value = float(match.group(1).rstrip(".").replace(",", ""))
                yield Shown(where, "hidden tile help", f"{tile.label}: {match.group(0)}", value)
    for element in (*at.caption, *at.markdown, *at.info, *at.warning, *at.success):
        yield from text_counts(element.value, where, type(element).__name__)
    for table in at.dataframe:
        yield from frame_counts(table.value, where, "table")
    for button in at.get("download_button"):
        exported = download_table(button, downloads)  # CSV and Excel; images draw no table
        if exported is not None:
            yield from frame_counts(exported, where, f"download {button.proto.label}")
    for chart in at.get("plotly_chart"):
        yield from chart_counts(json.loads(chart.proto.spec), where)


def views(source: ptx.Source) -> list[tuple[str | None, dict[str, str]]]:
    """Every page and every tab, as the page and the URL parameters that open it (options are
    named by their labels, as bound widgets put them in the URL)."""
    complaint_measures = ptx.trend_measures(source, subject="complaints")
    return [
        (None, {}),
        *[("pages/feedback.py", {"breakdown": label}) for label in ptx.BREAKDOWNS.values()],
        *[
            ("pages/feedback.py", {"measure": "Feedback responses", "period": period})
            for period in ("Week", "Month", "Quarter")
        ],
        *[
            ("pages/complaints.py", {"section": "Time to resolution", "compare": label})
            for label in ptx.COMPARE_BY.values()
        ],
        *[
            ("pages/complaints.py", {"section": "Trend", "complaint_measure": m.label})
            for m in complaint_measures.values()
        ],
        ("pages/complaints.py", {"section": "Backlog"}),
        ("pages/complaints.py", {"section": "Outcomes and subjects"}),
        ("pages/complaints.py", {"section": "Oldest open"}),
        *[
            ("pages/departments.py", {"view": "Funnel and ranking", "compare_measure": m.label})
            for m in ptx.measures_for("funnel").values()
        ],
        ("pages/departments.py", {"view": "Every measure at a glance"}),
        ("pages/data.py", {}),
    ]


def label_of(value) -> str:
    """A widget's value as its option label (what the URL names)."""
    if value in ptx.COMPARE_BY:
        return ptx.COMPARE_BY[value]
    if value in ("week", "month", "quarter"):
        return value.capitalize()
    try:
        return ptx.measure(value).label
    except ptx.PtxError:
        return str(value)  # a tab's value is its label


def walk(location, department: str, **extra) -> list[Shown]:
    """Every count shown on every page and tab for one department."""
    source = ptx.open_source(location)
    found: list[Shown] = []
    with pytest.MonkeyPatch.context() as monkeypatch:
        # Module-scoped, so before conftest's per-test isolation: isolate here too.
        monkeypatch.delenv("PTX_CONFIG", raising=False)
        monkeypatch.setenv("PTX_CACHE_DIR", str(Path(location).parent / "ptx-cache"))
        monkeypatch.setenv("PTX_SOURCE", str(location))
        downloads = record_downloads(monkeypatch)
        for page, params in views(source):
            at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
            at.query_params.update({"dept": department, **params, **extra})
            at.run()
            if page:
                at.switch_page(page).run()
            where = f"{page or 'overview'} {params}"
            assert not at.exception, (where, at.exception)
            # A misspelt option would be ignored and the default tab walked instead.
            assert {k: label_of(at.session_state[k]) for k in params} == params, where
            found.extend(shown_counts(at, where, downloads))
    return found


def smallest_department(location) -> str:
    """The department with the fewest complaints (at least one) in the default 12 months."""
    source = ptx.open_source(location)
    timing = ptx.complaint_timing(source, by="department_id", rule=ptx.Disclosure(enabled=False))
    summary = timing.summary[timing.summary["complaints"] > 0]
    return summary.sort_values(["complaints", "group"]).iloc[0]["group"]


# Each walk is shared by the module's tests (one walk is some 20 page runs).
@pytest.fixture(scope="module", params=["fewest complaints", "Respiratory Ward"])
def department(request, demo_duckdb) -> str:
    if request.param == "fewest complaints":
        return smallest_department(demo_duckdb)
    return request.param


@pytest.fixture(scope="module")
def with_rule(demo_duckdb, department) -> list[Shown]:
    return walk(demo_duckdb, department)


@pytest.fixture(scope="module")
def without_rule(demo_duckdb, department) -> list[Shown]:
    return walk(demo_duckdb, department, suppress="false")


def describe(shown: list[Shown]) -> str:
    return "\n".join(f"{s.where} · {s.kind} · {s.what} = {s.value:g}" for s in shown)


def test_no_count_of_1_to_7_is_shown_anywhere(with_rule, department):
    small = [s for s in with_rule if s.value in SMALL and s.kind != "hidden tile help"]
    assert not small, f"counts of 1-7 shown for {department}:\n{describe(small)}"


def test_exported_counts_are_rounded_to_5(with_rule):
    # A 5 could only come from a hidden 3-7, so no exported count is 1-7 either.
    exported = [s for s in with_rule if s.kind.startswith("download")]
    assert exported
    assert not [s for s in exported if s.value % RULE.round_to], describe(exported)


def test_the_funnel_plot_draws_no_department_too_small_for_a_rate(with_rule):
    funnel = [s for s in with_rule if s.kind == "chart" and "funnel plot" in s.what]
    assert funnel, "no funnel point was read"
    small = [s for s in funnel if s.value < RULE.min_rate_n]
    assert not small, describe(small)


def test_a_hidden_tile_does_not_give_its_number_away_in_its_help(with_rule, department):
    leaks = [s for s in with_rule if s.kind == "hidden tile help"]
    assert not leaks, f"hidden tiles explained with their numbers for {department}:\n" + describe(
        leaks
    )


def test_the_same_walk_shows_small_counts_with_suppression_off(without_rule, department):
    small = [s for s in without_rule if s.value in SMALL]
    assert small, f"no count of 1-7 for {department} even with suppression off"
    # Every kind of place was read, so a check above that finds nothing means something.
    kinds = {s.kind.split()[0] for s in without_rule}
    assert kinds >= {"tile", "text", "table", "download", "chart"}
