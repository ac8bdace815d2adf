"""What the pages showed wrong on screen, checked under AppTest on the demo data: every table of
every page and tab board-readable, the funnel's comparison group kept when a department is
chosen, percentages drawn within 0-100, the complaint tiles with their change, the worst
department's curve, and no widget or filter offered where it does nothing."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import ptx
from tests.test_app import run_app
from tests.test_charts import numbers

RAW_CELLS = {"none", "nan", "nat", "<na>", "inf", "-inf", "infinity", "-infinity", "null"}
SNAKE_CASE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


@pytest.fixture(autouse=True)
def _demo_source(monkeypatch, demo_default):
    monkeypatch.setenv("PTX_SOURCE", str(demo_default))


def run(page: str | None = None, **query_params) -> AppTest:
    """The dashboard under AppTest on the default demo, on ``page`` with the URL's params."""
    return run_app(None, page, **query_params)


def specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def shown_tables(at: AppTest):
    """(headers as shown, the table) of every table on the page: a column's configured label
    where it has one, else its name."""
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        headers = []
        for column in frame.value.columns:
            label = config.get(str(column), {}).get("label")
            headers.append(label or str(column))
        yield headers, frame.value


# A short range of one department: small numbers, medians never reached, empty intervals.
SMALL = {"dept": "Respiratory Ward", "dates": ["2026-07-01", "2026-09-30"]}
VIEWS = [
    ("pages/overview.py", {}),
    *[("pages/feedback.py", {"breakdown": tab}) for tab in ("Channel", "Age band", "Sex")],
    ("pages/feedback.py", {"breakdown": "Ethnicity", **SMALL}),
    ("pages/feedback.py", {"measure": "Net Promoter Score", "chart": "p", **SMALL}),
    *[("pages/complaints.py", {"compare": by}) for by in ("Department", "Subject", "Severity")],
    ("pages/complaints.py", {"compare": "Subject", **SMALL}),
    *[
        ("pages/complaints.py", {"section": section})
        for section in ("Trend", "Backlog", "Outcomes and subjects", "Oldest open")
    ],
    ("pages/complaints.py", {"section": "Backlog", **SMALL}),
    *[
        ("pages/departments.py", {"compare_measure": m.label})
        for m in ptx.measures_for("funnel").values()
    ],
    ("pages/departments.py", {"view": "Every measure at a glance"}),
    ("pages/departments.py", {"view": "Every measure at a glance", **SMALL}),
    *[
        ("pages/benchmarks.py", {"bench_view": tab})
        for tab in ("Among all units", "Funnel by completed surveys", "Across releases")
    ],
    ("pages/data.py", {}),
]


def test_no_table_on_any_page_or_tab_shows_raw_values(demo_default):
    ids = {d.department_id for d in ptx.hierarchy(ptx.open_source(demo_default)).departments}
    checked = 0
    for page, params in VIEWS:
        at = run(page, **params)
        for headers, table in shown_tables(at):
            where = f"{page} {params} {headers}"
            snake = [h for h in headers if SNAKE_CASE.match(h)]
            assert not snake, f"{where}: snake_case headers {snake}"
            cells = {str(v).strip() for v in table.astype(str).to_numpy().ravel()}
            raw = {c for c in cells if c.lower() in RAW_CELLS}
            assert not raw, f"{where}: raw values {raw}"
            assert not cells & ids, f"{where}: department ids {cells & ids}"
            checked += 1
    assert checked >= 20  # the views above have tables to check


def _organisation_line(spec: dict) -> float:
    (line,) = spec["layout"]["shapes"]
    return line["y0"]


def _funnel_points(spec: dict) -> set[str]:
    return {
        point[0]
        for trace in spec["data"]
        if isinstance(trace.get("customdata"), list)
        for point in trace["customdata"]
    }


def test_a_chosen_department_does_not_narrow_the_comparison(demo_default):
    whole = run("pages/departments.py")
    (before,) = specs(whole)
    # A click sets the department only (select_department): the site and division stay "All".
    chosen = run("pages/departments.py", dept="Trauma & Orthopaedics")
    (after,) = specs(chosen)
    assert _organisation_line(after) == pytest.approx(_organisation_line(before))
    assert _funnel_points(after) == _funnel_points(before) and len(_funnel_points(after)) == 25
    assert "Compared within: Whole organisation" in chosen.caption[0].value
    # The chosen department is ringed and named among the rest.
    ring = after["data"][-1]
    assert ring["name"] == "selected: Trauma &amp; Orthopaedics"
    assert ring["marker"]["symbol"] == "circle-open"
    # A division the user chose is the group compared, and the caption names it.
    surgery = run("pages/departments.py", division="Surgery", dept="Trauma & Orthopaedics")
    (within,) = specs(surgery)
    assert len(_funnel_points(within)) < 25
    assert "Compared within: Surgery" in surgery.caption[0].value


def test_the_funnel_is_zoomed_to_the_departments(demo_default):
    (spec,) = specs(run("pages/departments.py"))
    low, high = spec["layout"]["yaxis"]["range"]
    assert low > 40 and high <= 100  # FFT % positive: not 0-100
    x_low, x_high = spec["layout"]["xaxis"]["range"]
    assert x_low > 1 and 10**x_high < 20_000  # the departments' sizes: not from n = 1
    labelled = {t for trace in spec["data"] for t in trace.get("text") or [] if t}
    assert "Trauma &amp; Orthopaedics" in labelled  # the one worse than its limits


def test_a_percentage_trend_is_drawn_within_0_100(demo_default):
    # Respiratory Ward over six months: the upper process limit is computed above 100%.
    at = run("pages/feedback.py", dept="Respiratory Ward", dates=["2026-04-01", "2026-09-30"])
    spec = specs(at)[0]
    low, high = spec["layout"]["yaxis"]["range"]
    assert low >= 0 and high <= 100
    upl = next(t for t in spec["data"] if t.get("legendgroup") == "upl" and t.get("showlegend"))
    assert numbers(upl["y"]).max() == 100
    assert "lies above 100: drawn at 100" in spec["layout"]["annotations"][0]["text"]
    behind = at.dataframe[-1].value
    assert (behind["Upper limit"].astype(float) > 100).any()  # the table keeps the limit


def test_the_breakdown_is_a_zoomed_dot_plot(demo_default):
    spec = specs(run("pages/feedback.py"))[-1]
    assert spec["data"][0]["type"] == "scatter" and spec["data"][0]["mode"] == "markers"
    low, _ = spec["layout"]["xaxis"]["range"]
    assert low > 50  # every channel near 89%: an axis from 0 would hide the differences


def test_complaint_tiles_show_the_change_like_the_overview(demo_default):
    complaints = run("pages/complaints.py")
    overview = run()
    # The change, and its colour (none for a change that rounds to nothing), as the Overview.
    change = {m.label: (m.delta, m.proto.color) for m in complaints.metric}
    overall = {m.label: (m.delta, m.proto.color) for m in overview.metric}
    assert change["Received"] == overall["Complaints received"]
    assert change["Acknowledged in time"] == overall["% acknowledged in time"]
    assert change["Resolved in time"] == overall["% resolved in target"]
    assert change["Median to resolve"] == overall["Median working days to resolve"]
    assert all(len(label) <= 20 for label in change)  # whole on a tile at 1440 pixels


def test_time_to_resolution_draws_the_worst_department(demo_default):
    at = run("pages/complaints.py")
    table = at.dataframe[0].value
    medians = table.set_index("Department")["Median days"].replace("", np.nan).astype(float)
    worst = medians.idxmax()
    (spec,) = specs(at)
    names = [t["name"] for t in spec["data"] if "interval" not in t["name"]]
    assert worst.replace("&", "&amp;") in names
    assert len(names) == len(set(names))
    note = " ".join(c.value for c in at.caption)
    assert "the 4 largest departments and the one with the longest median" in note


def test_one_department_has_one_curve_and_a_grammatical_note(demo_default):
    at = run("pages/complaints.py", dept="Trauma & Orthopaedics")
    (spec,) = specs(at)
    curves = [t for t in spec["data"] if "interval" not in t["name"]]
    assert [t["name"] for t in curves] == ["All complaints"]
    note = " ".join(c.value for c in at.caption)
    assert "Kaplan-Meier curve for all complaints." in note and "(s)" not in note
    subjects = run("pages/complaints.py", compare="Severity")
    note = " ".join(c.value for c in subjects.caption)
    assert "largest severities" in note or "largest severity" in note


def test_the_heatmap_tab_offers_no_funnel_options(demo_default):
    heat = run("pages/departments.py", view="Every measure at a glance")
    keys = {w.key for w in [*heat.selectbox, *heat.toggle]}
    assert not keys & {"compare_measure", "overdispersion"}
    funnel = run("pages/departments.py")
    keys = {w.key for w in [*funnel.selectbox, *funnel.toggle]}
    assert {"compare_measure", "overdispersion"} <= keys


@pytest.mark.parametrize("page", ["pages/data.py", "pages/benchmarks.py"])
def test_a_page_without_filters_folds_them_away_and_keeps_them(demo_default, page):
    at = run(page, dept="Trauma & Orthopaedics")
    (folded,) = [e for e in at.sidebar.expander if "not used on this page" in e.label]
    assert not folded.proto.expanded
    assert folded.selectbox(key="dept").value == "HVH-SUR-ORTH"  # kept for the next page
    assert "Filters" not in [h.value for h in at.sidebar.header]
    feedback = run("pages/feedback.py")
    assert [h.value for h in feedback.sidebar.header] == ["Filters"]
    assert not [e for e in feedback.sidebar.expander if "not used" in e.label]


def test_kpis_prints_counts_as_whole_numbers(demo_duckdb, capsys):
    from ptx.cli import main

    assert main(["kpis", str(demo_duckdb), "--format", "json"]) == 0
    kpis = {k["kpi"]: k for k in json.loads(capsys.readouterr().out)["kpis"]}
    for key in ("responses", "complaints_received"):
        for field in ("value", "previous", "change"):
            assert isinstance(kpis[key][field], int), (key, field, kpis[key][field])
    assert isinstance(kpis["fft_pct_positive"]["n"], int)
    assert isinstance(kpis["fft_pct_positive"]["value"], float)  # a rate stays a rate
    assert main(["kpis", str(demo_duckdb)]) == 0
    table = capsys.readouterr().out
    assert not re.search(r"\d,\d{3}\.0\b", table)  # "55,096", never "55,096.0"
