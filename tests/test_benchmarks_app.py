"""The Benchmarks page on the demo source (its synthetic published results), under AppTest."""

from __future__ import annotations

import json

import pytest

from tests.test_app import captions, metrics, plotly_values, run_app, table_downloads


@pytest.fixture(autouse=True)
def _demo_source(monkeypatch, demo_duckdb):
    monkeypatch.setenv("PTX_SOURCE", str(demo_duckdb))


def test_the_page_places_the_demo_trust_among_its_peers(demo_duckdb):
    at = run_app(demo_duckdb, "pages/benchmarks.py")
    shown = metrics(at)
    assert list(shown)[:3] == ["Yours (positive)", "National", "South East"]
    assert shown["Percentile of 300 trusts"] != "–"
    assert at.selectbox(key="bench_unit").value == "R0X"
    assert at.selectbox(key="bench_release").value == "2026"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [trace["name"] for trace in spec["data"]]
    assert "yours" in names and "in South East" in names
    yours = names.index("yours")
    assert list(plotly_values(spec, yours, "y")) == [float(shown["Yours (positive)"][:-1])]
    assert "Percentile rank" in captions(at)
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "Unit",
        "State or region",
        "Friends and Family Test (Inpatient)",
        "Completed surveys",
        "Footnotes",
        "Imputed",
        "Yours",
    ]
    assert "None" not in table.to_csv() and "nan" not in table.to_csv()


def test_measure_release_and_tabs_change_the_view(demo_duckdb):
    at = run_app(demo_duckdb, "pages/benchmarks.py")
    at.selectbox(key="bench_measure").set_value("H_COMP_1").run()
    at.selectbox(key="bench_release").set_value("2024").run()
    assert not at.exception
    shown = metrics(at)
    assert shown["Star rating"].endswith("of 5")
    assert "lower bound of the published band" in captions(at)
    at = run_app(
        demo_duckdb,
        "pages/benchmarks.py",
        bench_measure="Communication with Nurses (H_COMP_1)",
        bench_view="Funnel by completed surveys",
    )
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["text"] == "Communication with Nurses (top): funnel plot"
    at = run_app(demo_duckdb, "pages/benchmarks.py", bench_view="Across releases")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {t["name"] for t in spec["data"]} == {"Yours", "National", "South East"}


def test_a_source_without_published_results_says_so(monkeypatch, tmp_path):
    from ptx.demo import write_demo

    path = tmp_path / "plain.duckdb"
    write_demo(path, rows=500, complaints=20)
    import sqlalchemy as sa

    engine = sa.create_engine(f"duckdb:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE benchmark_results"))
    engine.dispose()
    monkeypatch.setenv("PTX_SOURCE", str(path))
    at = run_app(path, "pages/benchmarks.py")
    assert "ptx benchmarks import" in at.info[0].value


def test_the_import_report_is_on_the_page(monkeypatch, tmp_path):
    import ptx
    from ptx.demo import write_demo
    from tests.test_benchmarks import FILES

    path = tmp_path / "cms.duckdb"
    write_demo(path, rows=500, complaints=20)
    ptx.import_benchmarks([FILES], path, replace=True)
    monkeypatch.setenv("PTX_SOURCE", str(path))
    at = run_app(path, "pages/benchmarks.py")
    report = " ".join(m.value for m in at.expander[0].markdown)
    shown = report.replace("\u2060", "")  # the word joiners that keep names plain text
    assert "hcahps\\_wide.csv (hcahps wide)\\: 8 rows read, 72 result rows stored" in shown
    assert "identical score set" in report and "1 rejected" in report


def test_the_page_works_on_a_demo_folder(monkeypatch, demo_csv):
    monkeypatch.setenv("PTX_SOURCE", str(demo_csv))
    at = run_app(demo_csv, "pages/benchmarks.py")
    unit = at.selectbox(key="bench_unit")
    assert unit.value is None  # a folder records no unit: the page asks for it
    assert any("(R0X, trust)" in option for option in unit.options)
    unit.set_value("R0X").run()
    assert not at.exception
    assert metrics(at)["Percentile of 300 trusts"] != "–"


def test_published_results_beside_the_departments_heatmap_with_their_export(demo_duckdb):
    import ptx

    at = run_app(demo_duckdb, "pages/departments.py", view="Every measure at a glance")
    published = at.dataframe[1].value
    expected = ptx.published_results(ptx.open_source(demo_duckdb)).table()
    assert list(published.columns) == list(expected.columns)
    assert published.to_csv() == expected.to_csv() and len(published) == 5
    assert captions(at).count("as published (release, publisher)") == 1  # said once
    assert len(table_downloads(at)) == 2  # the heatmap's and the published results' CSV/Excel
