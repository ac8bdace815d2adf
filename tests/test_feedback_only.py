"""A feedback-only source (a survey export): departments without a site or division, feedback,
and nothing else. Every call works on it, and what needs complaints or activity says so."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

import ptx
from ptx.counts import NO_COMPLAINTS, NO_ELIGIBLE
from tests.builders import DEPARTMENTS, feedback_rows, write_source
from tests.test_app import run_app

EVERYTHING = ptx.Disclosure(enabled=False)
MONTHS = ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06")
# Each department, each month: 6 very good, 2 good, 1 poor and 1 comment-only response.
RATINGS = [1] * 6 + [2] * 2 + [4] + [None]


def survey_rows() -> pd.DataFrame:
    rows = [
        (f"{dep}-{month}-{i}", f"{month}-{i + 1:02d}", dep, "FFT SMS", rating, "fft5")
        for dep in ("A1", "A2", "B1")
        for month in MONTHS
        for i, rating in enumerate(RATINGS)
    ]
    return feedback_rows(rows)


def write_survey_export(folder_or_file, kind: str) -> str:
    """Departments (id and name only) and feedback, as a DuckDB or SQLite file or CSV files."""
    departments = DEPARTMENTS[["department_id", "department_name"]]
    if kind == "csv":
        write_source(folder_or_file, fmt="csv", without=("complaints", "activity"))
        departments.to_csv(folder_or_file / "departments.csv", index=False)
        survey_rows().to_csv(folder_or_file / "feedback.csv", index=False)
        return str(folder_or_file)
    path = write_source(
        folder_or_file,
        without=("complaints", "activity"),
        departments=departments,
        feedback=survey_rows(),
    )
    engine = sa.create_engine(f"{kind}:///{path}")
    with engine.begin() as conn:  # the table has no such columns at all
        conn.execute(sa.text("ALTER TABLE departments DROP COLUMN site"))
        conn.execute(sa.text("ALTER TABLE departments DROP COLUMN division"))
    engine.dispose()
    return path


@pytest.fixture(params=["duckdb", "sqlite", "csv"])
def survey(request, tmp_path):
    kind = request.param
    target = tmp_path / "export" if kind == "csv" else tmp_path / f"survey.{kind}"
    location = write_survey_export(target, kind)
    source = ptx.open_source(location)
    yield source, location
    source.dispose()


def test_a_survey_export_opens_with_one_site_and_division(survey):
    source, _ = survey
    assert {"complaints", "activity"} <= source.absent
    assert not source.has("complaints") and not source.has("activity")
    tree = ptx.hierarchy(source)
    assert tree.sites() == ["All sites"] and tree.divisions() == ["All divisions"]
    assert set(tree.labels()) == {"A1", "A2", "B1"}
    report = ptx.validation_report(source)
    assert report.ok and set(report.tables["table"]) == {"departments", "feedback"}


def test_feedback_measures_are_computed_as_usual(survey):
    source, _ = survey
    # 3 departments x 6 months x 10 responses; 9 of each 10 rated, 8 of them positive.
    head = ptx.headline(source, rule=EVERYTHING).to_frame().set_index("kpi")
    assert head.loc["responses", "value"] == 180
    assert head.loc["fft_pct_positive", "value"] == pytest.approx(100 * 8 / 9)
    assert head.loc["fft_pct_positive", "n"] == 162
    assert head.loc["fft_pct_negative", "value"] == pytest.approx(100 / 9)
    sites = ptx.Filters(sites=["All sites"], divisions=["All divisions"])
    trend = ptx.trend(source, "fft_pct_positive", sites, rule=EVERYTHING).to_frame()
    assert len(trend) == 5  # January to May; June is a part-month at the end of the data
    assert trend["value"].to_numpy() == pytest.approx([100 * 8 / 9] * 5)
    by_channel = ptx.breakdown(source, "fft_pct_positive", "channel", rule=EVERYTHING)
    assert by_channel.to_frame()["denominator"].tolist() == [162]
    compared = ptx.compare_departments(source, "fft_pct_positive", rule=EVERYTHING)
    assert compared.unavailable is None
    assert compared.to_frame()["n"].tolist() == [54, 54, 54]


def test_what_needs_complaints_or_activity_says_there_is_none(survey):
    source, _ = survey
    head = ptx.headline(source)
    assert head.notes == (NO_ELIGIBLE, NO_COMPLAINTS)
    shown = [t.key for t in head.tiles()]
    assert shown == ["responses", "fft_pct_positive", "fft_pct_negative", "nps"]
    assert "complaints" not in head.charts() and head.empty_note("complaints") == NO_COMPLAINTS
    table = head.table().set_index("Measure")
    assert table.loc["Complaints received", "Note"] == NO_COMPLAINTS
    assert table.loc["Complaints per 1,000 episodes", "Value"] == "–"
    assert table.loc["Feedback responses", "Note"] == ""
    assert ptx.unavailable(source, "complaints") == NO_COMPLAINTS
    assert ptx.unavailable(source, "fft_pct_positive") is None
    for result in (
        ptx.complaint_timing(source, by="subject"),
        ptx.complaint_backlog(source),
        ptx.complaint_mix(source),
        ptx.oldest_open(source),
        ptx.trend(source, "complaints_per_1000"),
        ptx.compare_departments(source, "complaints_resolved_pct"),
    ):
        assert result.unavailable == NO_COMPLAINTS, type(result).__name__
        assert result.to_frame().empty or not result.to_frame().notna().any().any()
    assert ptx.compare_departments(source, "fft_response_rate").unavailable == NO_ELIGIBLE
    assert ptx.complaint_timing(source).why_medians_differ() == NO_COMPLAINTS
    assert ptx.oldest_open(source).note == NO_COMPLAINTS
    assert set(ptx.available_measures(source, "funnel")) == {
        "fft_pct_positive",
        "fft_pct_negative",
        "ltr_mean",
    }
    assert ptx.missing_data(source, "funnel") == (NO_ELIGIBLE, NO_COMPLAINTS)
    assert set(ptx.trend_measures(source)) == {
        "responses",
        "fft_pct_positive",
        "fft_pct_negative",
        "nps",
    }
    heat = ptx.department_heatmap(source)
    assert heat.notes == (NO_ELIGIBLE, NO_COMPLAINTS)
    assert set(heat.to_frame()["key"]) == {"fft_pct_positive", "fft_pct_negative"}


def test_ptx_kpis_says_there_is_no_complaints_data(survey, capsys):
    from ptx.cli import main

    _, location = survey
    assert main(["kpis", location]) == 0
    printed = capsys.readouterr().out
    assert printed.count(NO_COMPLAINTS) == 6 and NO_ELIGIBLE in printed
    assert main(["kpis", location, "--format", "json"]) == 0
    kpis = {k["kpi"]: k for k in json.loads(capsys.readouterr().out)["kpis"]}
    assert kpis["complaints_received"]["note"] == NO_COMPLAINTS
    assert kpis["complaints_received"]["value"] is None and kpis["responses"]["note"] == ""


def test_only_activity_missing_says_rates_per_episode_need_it(tmp_path):
    source = ptx.open_source(write_source(tmp_path / "s.duckdb", without=("activity",)))
    head = ptx.headline(source, ptx.Filters(date(2025, 1, 1), date(2025, 1, 31)))
    assert ptx.unavailable(source, "complaints_per_1000") == (
        "No activity data in this source: rates per 1,000 episodes need it."
    )
    assert head.notes[-1] == ptx.unavailable(source, "activity")
    assert "complaints_received" in [t.key for t in head.tiles()]
    assert "complaints_per_1000" not in [t.key for t in head.tiles()]


@pytest.mark.parametrize("kind", ["duckdb", "sqlite"])
def test_every_page_runs_and_says_what_is_missing(monkeypatch, tmp_path, kind):
    location = write_survey_export(tmp_path / f"survey.{kind}", kind)
    monkeypatch.setenv("PTX_SOURCE", location)
    overview = run_app(location)
    assert [m.label for m in overview.metric] == [
        "Feedback responses",
        "FFT % positive",
        "FFT % negative",
        "Net Promoter Score",
    ]
    # As the reader sees it: without the escapes that keep the sentences plain text.
    shown = [i.value.replace("\u2060", "").replace("\\:", ":") for i in overview.info]
    assert shown == [f"{NO_ELIGIBLE}  \n{NO_COMPLAINTS}"]
    assert len(overview.get("plotly_chart")) == 1  # FFT % positive by month; no complaints
    assert overview.selectbox(key="site").options == ["All", "All sites"]

    complaints = run_app(location, page="pages/complaints.py")
    assert [i.value for i in complaints.info] == [NO_COMPLAINTS]
    assert not complaints.metric and not complaints.tabs and not complaints.get("plotly_chart")

    departments = run_app(location, page="pages/departments.py")
    assert any(NO_COMPLAINTS in c.value for c in departments.caption)
    options = departments.selectbox(key="compare_measure").options
    assert options == ["FFT % positive", "FFT % negative", "Mean likelihood to recommend (0-10)"]
    assert len(departments.get("plotly_chart")) == 1  # the funnel
    heat = run_app(location, page="pages/departments.py", view="Every measure at a glance")
    assert len(heat.get("plotly_chart")) == 1

    feedback = run_app(location, page="pages/feedback.py")
    labels = feedback.selectbox(key="measure").options
    assert "FFT response rate" not in labels and "FFT % positive" in labels
    data = run_app(location, page="pages/data.py")
    assert data.title[0].value == "Data"
