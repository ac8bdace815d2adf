"""The facade a notebook uses: the README's example, results, names and errors."""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

import ptx
from ptx import demo, kpis, query
from tests.builders import write_source
from tests.conftest import ROOT, open_location


def readme_example() -> str:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Use ptx from Python", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_runs_and_says_what_its_comments_say(demo_default, tmp_path, capsys):
    code = readme_example()
    assert len(code.strip().splitlines()) <= 10
    (tmp_path / "data").mkdir()
    os.symlink(demo_default, tmp_path / "data" / "demo.duckdb")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        namespace: dict = {}
        exec(compile(code, "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    printed = capsys.readouterr().out.splitlines()
    comments = re.findall(r"print\(.*\)  # (.*)", code)
    assert printed == comments
    assert isinstance(namespace["chart"], go.Figure) and len(namespace["numbers"]) >= 30


@pytest.fixture(scope="module")
def source(demo_duckdb):
    return open_location(demo_duckdb)


def test_results_are_frozen_and_say_their_method(source):
    ward = ptx.Filters(departments=["Respiratory Ward"])
    results = [
        ptx.headline(source, ward),
        ptx.trend(source, "fft_pct_positive", ward),
        ptx.breakdown(source, "nps", "channel", ward),
        ptx.complaint_timing(source, ward, by="subject"),
        ptx.complaint_backlog(source, ward),
        ptx.complaint_mix(source, ward),
        ptx.oldest_open(source, ward),
        ptx.compare_departments(source, "FFT % negative", ward),
        ptx.department_heatmap(source, ward),
    ]
    for result in results:
        assert dataclasses.is_dataclass(result)
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.rule = None  # type: ignore[misc]
        assert isinstance(result.method, str) and result.method
        assert isinstance(result.suppressed, int) and result.suppressed >= 0
        assert isinstance(result.to_frame(), pd.DataFrame)
        table = result.table()
        assert not any("_" in str(c) for c in table.columns), table.columns  # words, not keys
        assert not table.isin(["None", "inf", "Infinity"]).any().any()
        figure = getattr(result, "figure", lambda: go.Figure())()
        assert figure is None or isinstance(figure, go.Figure)


def test_a_department_by_name_gives_the_numbers_of_its_id(source):
    by_name = ptx.trend(source, "FFT % positive", ptx.Filters(departments=["Respiratory Ward"]))
    by_id = ptx.trend(source, "fft_pct_positive", ptx.Filters(departments=["RVH-MED-RESP"]))
    pd.testing.assert_frame_equal(by_name.to_frame(), by_id.to_frame())
    with pytest.raises(ptx.PtxError, match="Did you mean 'Respiratory Ward'"):
        ptx.headline(source, ptx.Filters(departments=["Respiratry Ward"]))


def test_the_headline_equals_the_kpi_table(source):
    as_of = query.as_of_date(source)
    window = ptx.Filters(*kpis.default_window(as_of))
    head = ptx.headline(source)
    pd.testing.assert_frame_equal(head.to_frame(), kpis.headline_kpis(source, window, as_of))
    assert [t.key for t in head.tiles()] == list(ptx.measures_for("tile"))


def test_wrong_choices_raise_ptx_errors_that_say_what_to_do(source):
    with pytest.raises(ptx.PtxError, match="measured by month, quarter"):
        ptx.trend(source, "complaints_received", period="week")
    with pytest.raises(ptx.PtxError, match="not by day"):
        ptx.trend(source, "fft_pct_positive", period="day")
    with pytest.raises(ptx.PtxError, match="no trend"):
        ptx.trend(source, "complaints_open")
    with pytest.raises(ptx.PtxError, match="not compared across departments"):
        ptx.compare_departments(source, "responses")
    with pytest.raises(ptx.PtxError, match="Break down by one of"):
        ptx.breakdown(source, "nps", "postcode")
    with pytest.raises(ptx.PtxError, match="Compare by one of"):
        ptx.complaint_timing(source, by="outcome")
    with pytest.raises(ptx.PtxError, match="Unknown measure"):
        ptx.trend(source, "happiness")


def test_a_measure_added_to_the_catalog_appears_where_it_applies(source, monkeypatch):
    """A new catalog entry reaches the tiles and the trend list without touching anything else."""
    from ptx import catalog

    extra = dataclasses.replace(
        ptx.CATALOG["responses"],
        key="responses_again",
        label="Responses again",
        views=frozenset({"tile", "trend"}),
        formula="responses",
    )
    monkeypatch.setattr(
        catalog, "CATALOG", type(catalog.CATALOG)({**catalog.CATALOG, extra.key: extra})
    )
    head = ptx.headline(source)
    assert "Responses again" in head.table()["Measure"].tolist()
    assert "responses_again" in ptx.trend_measures(source, subject="feedback")


def test_an_empty_selection_has_no_signal_and_no_icon(tmp_path):
    tiny = open_location(write_source(tmp_path / "s.duckdb"))
    t = ptx.trend(tiny, "fft_pct_positive", ptx.Filters(date(2025, 1, 1), date(2025, 1, 31)))
    assert t.chart.empty and t.variation is None and t.signals == ()


def test_open_source_takes_a_path_and_names_the_planted_ward(demo_duckdb):
    source = ptx.open_source(demo_duckdb)
    labels = ptx.hierarchy(source).labels()
    assert labels[demo.IMPROVING.department_id] == "Respiratory Ward"


def test_a_chart_whose_every_bar_is_hidden_is_not_drawn_and_says_why(source):
    ward = ptx.complaint_backlog(source, ptx.Filters(departments=["Respiratory Ward"]))
    assert ward.ageing["open"].sum() > 0 and "ageing" not in ward.figures()
    assert ward.empty_note("ageing").startswith("Too few open complaints")
    off = ptx.complaint_backlog(
        source, ptx.Filters(departments=["Respiratory Ward"]), rule=ptx.Disclosure(False)
    )
    assert "ageing" in off.figures()
    none_open = ptx.complaint_backlog(source, ptx.Filters(departments=["Pain Clinic"]))
    assert none_open.ageing["open"].sum() == 0 and "ageing" not in none_open.figures()
    assert none_open.empty_note("ageing").startswith("No complaints open")


def test_review_regressions_nothing_small_reaches_a_notebook_either(source):
    """Rates per 1,000 episodes are judged on complaints, not episodes; the mix, the oldest
    open list and open-ended intervals follow the rule too."""
    rate = ptx.compare_departments(source, "complaints_per_1000")
    frame = rate.to_frame()
    few = rate.ranking["events"] < 10  # complaints, whatever the episodes
    assert few.any() and frame.loc[few, "value"].isna().all()
    assert frame.loc[~few, "value"].notna().all()
    drawn = rate.figure()
    drawn_n = [n for trace in drawn.data if trace.mode == "markers" for n in trace.x]
    assert len(drawn_n) == int((~few).sum())
    heat = ptx.department_heatmap(source).to_frame()
    cells = ptx.department_heatmap(source, rule=ptx.Disclosure(False)).to_frame()
    small = cells[(cells["key"] == "complaints_per_1000") & (cells["events"] < 10)]
    assert len(small) and heat.loc[small.index, "value"].isna().all()
    ward = ptx.Filters(departments=["Respiratory Ward"])
    mix = ptx.complaint_mix(source, ward).to_frame()
    assert not mix["complaints"].between(1, 7).any()
    oldest = ptx.oldest_open(source, ward)
    everything = ptx.oldest_open(source, ward, rule=ptx.Disclosure(False))
    assert 1 <= len(everything.rows) <= 7  # the ward has a few open: listing them tells how many
    assert oldest.rows.empty and oldest.suppressed == len(everything.rows)
    assert oldest.note.startswith("Too few")
    assert ptx.format_value(float("inf"), "days") == "–"
    # A change of one working day reads "1 day" (the Overview printed "1 days").
    assert ptx.format_value(1.0, "days") == "1 day" and ptx.format_value(-1.2, "days") == "-1 day"
    assert ptx.format_value(0.0, "days") == "0 days" and ptx.format_value(26, "days") == "26 days"
    assert ptx.format_value(float("nan"), "%") == "–"
