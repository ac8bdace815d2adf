"""One AppTest per page on the demo data, plus the shared filters and error display."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ptx
from ptx import demo
from tests.builders import write_source
from tests.conftest import ROOT
from tests.test_ingest import _break_feedback

TIMEOUT = 60
DASHBOARD = ROOT / "dashboard.py"


def run_app(location, page: str | None = None, **query_params) -> AppTest:
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.query_params.update(query_params)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(autouse=True)
def _demo_source(monkeypatch, demo_duckdb):
    monkeypatch.setenv("PTX_SOURCE", str(demo_duckdb))


def captions(at) -> str:
    return "\n".join(c.value for c in at.main.caption)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def plotly_values(spec: dict, trace: int, axis: str) -> np.ndarray:
    """Numbers of one trace axis, whether plain or base64-packed by plotly."""
    values = spec["data"][trace][axis]
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def table_downloads(at) -> list:
    """The CSV download of each table (each also has an Excel one; each chart PNG and SVG)."""
    return [b for b in at.get("download_button") if b.key.startswith("download_")]


def test_overview_shows_headline_kpis_and_charts(demo_duckdb):
    at = run_app(demo_duckdb)
    shown = metrics(at)
    assert list(shown) == [
        "Feedback responses",
        "FFT % positive",
        "FFT % negative",
        "Net Promoter Score",
        "FFT response rate",
        "Complaints received",
        "Complaints per 1,000 episodes",
        "Complaints open at as-of date",
        "% acknowledged in time",
        "% resolved in target",
        "Median working days to resolve",
    ]
    assert list(shown) == [m.label for m in ptx.measures_for("tile").values()]
    assert shown["FFT % positive"].endswith("%") and shown["FFT response rate"].endswith("%")
    assert 15 <= float(shown["FFT response rate"].rstrip("%")) <= 30
    assert not at.info  # the demo has every table: nothing missing to say
    assert int(shown["Feedback responses"].replace(",", "")) > 1000
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    fft = plotly_values(json.loads(charts[0].proto.spec), 1, "y")
    assert len(fft) == 12 and ((fft > 50) & (fft <= 100)).all()  # a point per month


def test_department_in_the_url_changes_the_numbers(demo_duckdb):
    whole = metrics(run_app(demo_duckdb))
    at = run_app(demo_duckdb, dept="Respiratory Ward")
    one = metrics(at)
    assert at.selectbox(key="dept").value == "RVH-MED-RESP"
    assert one["Feedback responses"] != whole["Feedback responses"]
    assert one["FFT % positive"] != whole["FFT % positive"]
    assert "Riverside Hospital › Medicine › Respiratory Ward" in at.caption[0].value


@pytest.fixture(params=["sqlite", "postgresql"])
def other_engine(request):
    return request.getfixturevalue("demo_sqlite" if request.param == "sqlite" else "demo_postgres")


def test_overview_shows_the_same_numbers_on_other_engines(monkeypatch, demo_duckdb, other_engine):
    reference = metrics(run_app(demo_duckdb, dept="Maternity"))
    monkeypatch.setenv("PTX_SOURCE", str(other_engine))
    assert metrics(run_app(other_engine, dept="Maternity")) == reference


def test_changing_the_department_changes_the_numbers_and_fills_its_division(demo_duckdb):
    at = run_app(demo_duckdb)
    before = metrics(at)
    at.selectbox(key="dept").set_value("RVH-MED-RESP").run()
    assert not at.exception
    after = metrics(at)
    assert after["Feedback responses"] != before["Feedback responses"]
    assert at.selectbox(key="division").value == "Medicine"
    assert at.selectbox(key="site").value == "Riverside Hospital"
    at.switch_page("pages/feedback.py").run()
    assert at.selectbox(key="dept").value == "RVH-MED-RESP"  # the choice holds across pages
    assert "Respiratory Ward" in at.caption[0].value


def test_url_restores_every_filter(demo_duckdb):
    at = run_app(
        demo_duckdb,
        site="Hillview Hospital",
        division="Surgery",
        dept="Trauma & Orthopaedics",
        dates=["2025-01-01", "2025-06-30"],
        channel=["FFT SMS"],
    )
    assert at.selectbox(key="site").value == "Hillview Hospital"
    assert at.selectbox(key="division").value == "Surgery"
    assert at.selectbox(key="dept").value == "HVH-SUR-ORTH"
    assert at.multiselect(key="channel").value == ["FFT SMS"]
    assert "01 Jan 2025 to 30 Jun 2025" in at.caption[0].value
    assert "Hillview Hospital › Surgery › Trauma & Orthopaedics · FFT SMS" in at.caption[0].value


def test_division_limits_the_department_choices(demo_duckdb):
    at = run_app(demo_duckdb, division="Surgery")
    options = at.selectbox(key="dept").options
    assert "Trauma & Orthopaedics" in options and "Respiratory Ward" not in options


def test_filters_hold_on_another_page(demo_duckdb):
    at = run_app(demo_duckdb, page="pages/data.py", dept="Trauma & Orthopaedics")
    assert at.session_state["_ptx_view"].filters.departments == ("HVH-SUR-ORTH",)
    assert at.title[0].value == "Data"


def test_feedback_page_shows_the_spc_chart_and_signals(monkeypatch, demo_default):
    monkeypatch.setenv("PTX_SOURCE", str(demo_default))
    at = run_app(
        demo_default,
        page="pages/feedback.py",
        dept="Respiratory Ward",
        dates=["2023-10-01", "2026-09-30"],
    )
    assert at.title[0].value == "Feedback"
    badges = at.markdown[0].value
    assert "improvement (higher)" in badges
    signals = next(m.value for m in at.markdown if m.value.startswith("**What the chart shows"))
    assert "months above the mean from Jun 2025" in signals
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = {t.get("name") for t in spec["data"]}
    assert {"improvement", "process limits", "mean", "95% interval"} <= names
    table = at.dataframe[-1].value
    assert len(table) == 36
    assert {"FFT % positive", "Mean", "Upper limit", "Lower limit", "Variation"} <= set(table)
    assert "improvement" in set(table["Variation"])
    # The SPC chart and the open breakdown tab (the first): only the open tab is computed.
    assert len(table_downloads(at)) == 2
    charts = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert len(charts) == 2 and charts[1].endswith("by channel")


def test_the_url_opens_a_breakdown_tab(demo_duckdb):
    at = run_app(demo_duckdb, page="pages/feedback.py", breakdown="Age band")
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert titles[-1].endswith("by age band") and not any("by channel" in t for t in titles)


def test_feedback_measure_period_and_chart_type_change_the_chart(demo_duckdb):
    at = run_app(demo_duckdb, page="pages/feedback.py")
    at.selectbox(key="measure").set_value("nps").run()
    assert (
        not at.exception and "Net Promoter Score by month" in at.get("plotly_chart")[0].proto.spec
    )
    assert len(at.radio) == 1  # no p-chart for a score
    at.selectbox(key="measure").set_value("top_box:nurses_listened").run()
    at.radio(key="chart").set_value("p").run()
    assert "p-chart with limits from each period's own denominator" in captions(at)
    at.segmented_control(key="period").set_value("quarter").run()
    assert not at.exception
    assert "by quarter" in at.get("plotly_chart")[0].proto.spec
    assert len(at.dataframe[-1].value) == 4  # four whole quarters in the default 12 months


def test_the_response_rate_is_shown_by_month_when_weeks_are_chosen(demo_duckdb):
    at = run_app(demo_duckdb, page="pages/feedback.py", measure="FFT response rate", period="Week")
    assert "FFT response rate is measured by month or quarter: shown by month." in captions(at)
    assert "FFT response rate by month" in at.get("plotly_chart")[0].proto.spec
    assert len(at.dataframe[-1].value) == 12  # the twelve months of the default dates


def test_feedback_suppresses_small_numbers_unless_switched_off(demo_duckdb):
    # A small department by the week: every week has fewer than 10 responses.
    at = run_app(demo_duckdb, page="pages/feedback.py", dept="Pain Clinic", period="Week")
    assert "week(s) not shown: too few to show without identifying people" in at.info[0].value
    by_channel = at.dataframe[0].value
    assert "*" in set(by_channel["Responses"])  # counts of 1-7 hidden
    # ... and no percentage from them: an empty cell, never "None" or "nan".
    assert (by_channel.loc[by_channel["Responses"] == "*", "FFT % positive"] == "").all()
    off = run_app(
        demo_duckdb, page="pages/feedback.py", dept="Pain Clinic", period="Week", suppress="false"
    )
    assert not off.info and "are not shown" not in captions(off)
    assert "*" not in set(off.dataframe[0].value["Responses"])


def test_complaints_page(demo_duckdb):
    at = run_app(demo_duckdb, page="pages/complaints.py")
    shown = metrics(at)
    assert set(shown) == {
        "Received",
        "Acknowledged in time",
        "Resolved in time",
        "Median to resolve",
        "Open now",
    }
    assert shown["Median to resolve"].endswith(" days")
    assert "counts the" in at.info[0].value and "still open" in at.info[0].value
    charts = at.get("plotly_chart")
    assert len(charts) == 1  # only the open section (time to resolution) is computed
    km = json.loads(charts[0].proto.spec)
    assert km["data"][1]["name"] == "All complaints"
    by_department = at.dataframe[0].value
    assert list(by_department.columns[:4]) == ["Department", "Complaints", "Resolved", "Open"]
    names = {d.name for d in ptx.hierarchy(ptx.open_source(demo_duckdb)).departments}
    assert set(by_department["Department"]) <= names  # names, not ids
    assert len(table_downloads(at)) == 1
    # Each section opens from the URL, with its own charts.
    for section, (titles, downloads) in {
        "Trend": (["Complaints received by month"], 0),
        "Backlog": (["Open complaints at each month end", "Open at"], 1),
        "Outcomes and subjects": (["Outcome", "Severity", "Subject (KO41a)"], 1),
    }.items():
        shown = run_app(demo_duckdb, page="pages/complaints.py", section=section)
        # The tiles sum whichever grouping the open section queried: the same numbers.
        assert metrics(shown) == metrics(at), section
        got = [
            json.loads(c.proto.spec)["layout"]["title"]["text"] for c in shown.get("plotly_chart")
        ]
        assert len(got) == len(titles) and all(
            g.startswith(t) for g, t in zip(got, titles, strict=True)
        ), (section, got)
        assert len(table_downloads(shown)) == downloads, section
    at = run_app(demo_duckdb, page="pages/complaints.py", section="Oldest open")
    oldest = at.dataframe[-1].value
    assert list(oldest.columns) == [
        "Complaint",
        "Department",
        "Subject",
        "Severity",
        "Received",
        "Working days open",
    ]
    assert oldest["Working days open"].is_monotonic_decreasing
    assert set(oldest["Department"]) <= names  # names, not ids
    assert len(table_downloads(at)) == 1


def test_complaints_page_follows_filters_and_compare(demo_duckdb):
    whole = metrics(run_app(demo_duckdb, page="pages/complaints.py"))
    at = run_app(
        demo_duckdb,
        page="pages/complaints.py",
        dept="Emergency Department",
        compare="Subject",
        complaint_measure="% resolved in target",
    )
    one = metrics(at)
    assert one["Received"] != whole["Received"]
    table = at.dataframe[0].value
    assert "Clinical treatment" in set(table["Subject"])
    trend = run_app(
        demo_duckdb,
        page="pages/complaints.py",
        dept="Emergency Department",
        section="Trend",
        complaint_measure="% resolved in target",
    )
    assert "% resolved in target" in trend.get("plotly_chart")[0].proto.spec


def test_departments_page(monkeypatch, demo_default):
    monkeypatch.setenv("PTX_SOURCE", str(demo_default))
    at = run_app(demo_default, page="pages/departments.py")
    charts = at.get("plotly_chart")
    assert len(charts) == 1  # the funnel; the heatmap is in the other (closed) tab
    funnel = json.loads(charts[0].proto.spec)
    names = {t.get("name") for t in funnel["data"]}
    assert {"99.8% limits", "95% limits", "better (95%)", "worse (95%)"} <= names
    assert list(at.dataframe[0].value.columns) == [
        "Rank",
        "Department",
        "n",
        "FFT % positive",
        "Estimate",
        "95% low",
        "95% high",
        "Funnel verdict",
    ]
    assert len(table_downloads(at)) == 1
    ranking = at.dataframe[0].value.set_index("Department")
    assert ranking.loc["Respiratory Ward", "Funnel verdict"].startswith("above")
    assert ranking.loc["Trauma & Orthopaedics", "Funnel verdict"].startswith("below")
    rank = pd.to_numeric(ranking["Rank"], errors="coerce")  # unranked: empty
    assert (ranking.loc[rank.isna(), "Funnel verdict"] == "too few responses").all()
    assert rank.notna().sum() >= 20
    assert "widened for overdispersion" in captions(at)
    assert not at.get("page_link")  # no department chosen yet
    heat = run_app(demo_default, page="pages/departments.py", view="Every measure at a glance")
    (chart,) = heat.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["data"][0]["type"] == "heatmap"
    assert len(spec["data"][0]["x"]) == len(ptx.measures_for("funnel"))
    cells = heat.dataframe[0].value
    assert list(cells.columns) == ["Department", "Measure", "Value", "n", "Funnel verdict"]
    # Every department on every measure, but the response rate of those without eligible counts.
    without_eligible = len(ranking) - len(demo.ELIGIBLE_COUNTED)
    assert len(cells) == len(ranking) * len(ptx.measures_for("funnel")) - without_eligible
    assert len(table_downloads(heat)) == 2  # and the published results beside them


def test_departments_page_measure_and_selected_department(monkeypatch, demo_default):
    monkeypatch.setenv("PTX_SOURCE", str(demo_default))
    at = run_app(
        demo_default,
        page="pages/departments.py",
        dept="Respiratory Ward",
        compare_measure="Complaints per 1,000 episodes",
        overdispersion="false",
    )
    assert "Complaints per 1,000 episodes: funnel plot" in at.get("plotly_chart")[0].proto.spec
    assert "unadjusted limits" in captions(at)
    links = at.get("page_link")
    assert [link.proto.label for link in links] == ["Feedback", "Complaints"]
    # Every department is still compared although one is selected.
    assert len(at.dataframe[0].value) == 25


def test_data_page_on_the_demo(demo_duckdb):
    at = run_app(demo_duckdb, page="pages/data.py")
    shown = metrics(at)
    assert shown["Source"] == "duckdb" and shown["As-of date"] == "30 Sep 2026"
    tables = at.dataframe[0].value
    assert set(tables["table"]) >= {"departments", "feedback", "complaints", "activity"}
    assert (tables["rows_read"] == tables["rows_loaded"] + tables["rows_quarantined"]).all()
    assert any("passed validation" in s.value for s in at.success)


def test_data_page_shows_quarantined_rows(monkeypatch, tmp_path):
    folder = tmp_path / "csv"
    write_source(folder, fmt="csv")
    _break_feedback(folder)
    monkeypatch.setenv("PTX_SOURCE", str(folder))
    at = run_app(folder, page="pages/data.py")
    assert any("5 row(s) quarantined" in w.value for w in at.warning)
    frames = [d.value for d in at.dataframe]
    (quarantine,) = [f for f in frames if "data" in f.columns]
    assert len(quarantine) == 5 and set(quarantine["table"]) == {"feedback"}
    # How each answer value was read is shown beside the reasons.
    (values,) = [f for f in frames if "source_value" in f.columns]
    assert set(values["source_value"]) >= {"1", "2"} and "Very good" in set(values["label"])
    assert len(table_downloads(at)) == 1


def test_a_bad_source_is_shown_as_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PTX_SOURCE", str(tmp_path / "missing.duckdb"))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert "does not exist" in at.error[0].value


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"dept": "No Such Ward"}, "department “No Such Ward”"),
        ({"site": "Nowhere Hospital"}, "site “Nowhere Hospital”"),
        ({"division": "Astrology"}, "division “Astrology”"),
    ],
)
def test_a_link_naming_what_is_not_there_says_so(demo_duckdb, params, named):
    """A mistyped or stale bookmark (/complaints?dept=No+Such+Ward) showed the whole
    organisation without a word; it says what it could not find."""
    at = run_app(demo_duckdb, "pages/complaints.py", **params)
    warnings = [w.value for w in at.sidebar.warning]
    assert any(named in w and "not among those offered" in w for w in warnings), warnings
    assert "Whole organisation" in captions(at)


def test_a_link_naming_a_department_that_is_there_says_nothing(demo_duckdb):
    at = run_app(demo_duckdb, "pages/complaints.py", dept="Maternity")
    assert not [w.value for w in at.sidebar.warning if "not among" in w.value]
