"""The benchmark runs end to end at the smallest size (a smoke test: no timing is asserted)."""

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def test_bench_smoke(tmp_path):
    out = tmp_path / "PERFORMANCE.md"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ptx.cli",
            "bench",
            "--sizes",
            "2000",
            "--engines",
            "duckdb,sqlite",
            "--runs",
            "1",
            "--data-dir",
            str(tmp_path / "data"),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| duckdb | 2,000 |" in done.stdout and "| sqlite | 2,000 |" in done.stdout
    text = out.read_text()
    assert text.startswith("# Performance") and "cores" in text
    assert "bench: measuring duckdb at 2,000 responses" in done.stderr
    assert "comments theme change ms" in done.stdout and "comments search change ms" in done.stdout
    if os.environ.get("PTX_REQUIRE_BROWSER") == "1":  # CI: the browser column must be measured
        assert "first chart not measured" not in done.stderr, done.stderr[-3000:]
        # each page's first chart beside the floor, measured in the same run
        assert "| floor: one constant plotly figure |" in done.stdout
        assert "| overview, fresh server |" in done.stdout


def test_report_keeps_the_text_around_the_markers(tmp_path):
    from ptx.bench import END, START, write_report

    out = tmp_path / "PERFORMANCE.md"
    out.write_text(f"# Performance\n\nintro\n\n{START}\nold table\n{END}\n\n## Analysis\nkept\n")
    write_report(out, [], 1, "| new table |")
    text = out.read_text()
    assert "old table" not in text and "| new table |" in text
    assert text.startswith("# Performance\n\nintro") and text.endswith("## Analysis\nkept\n")


def _result(**over) -> dict:
    from ptx.bench import PAGES

    timing = {"median": 0.1, "p95": 0.2}
    return {
        "engine": "duckdb",
        "rows": 100_000_000,
        "cold_run": 2.0,
        "cold_total": 3.0,
        "startup": 1.0,
        "bare": 1.5,
        "first_chart": None,
        "browser_note": "no browser",
        "naive": 30.0,
        "naive_rss": 2048.0,
        "rss": 900.0,
        "pages": {p: timing for p in PAGES},
    } | over


def test_the_table_has_the_comments_filters_and_says_when_naive_was_not_run():
    from ptx.bench import table

    ran = table([_result()])
    assert "comments theme change ms median / p95" in ran
    assert "comments search change ms median / p95" in ran
    assert "| 30.00 | 15× |" in ran and "| 900 / 2048 |" in ran
    # 100 million responses read whole into pandas: about 98 GB, more than the machine has
    skipped = table([_result(naive=None, naive_rss=100_000_000 * 0.001)])
    assert "not run: needs about 98 GB | n/a |" in skipped and "| 900 / n/a |" in skipped
    assert "None" not in skipped and "inf" not in skipped.lower()


def test_a_failed_naive_pattern_is_reported_with_the_engines_reason():
    from ptx.bench import failure, table

    # What bench/naive.py printed when a 3 GB Thrift server collected 10 million rows.
    stderr = (
        "pyhive.exc.OperationalError: TExecuteStatementResp(status=TStatus(statusCode=3, "
        "errorMessage='org.apache.hive.service.cli.HiveSQLException: Error running query: "
        "java.lang.OutOfMemoryError: Java heap space', sqlState=None)\n[SQL: SELECT * FROM "
        "feedback]\n(Background on this error at: https://sqlalche.me/e/21/e3q8)\n"
    )
    said = failure(stderr)
    assert said == "java.lang.OutOfMemoryError: Java heap space"
    assert failure("Traceback ...\nMemoryError: a | b\n\n") == "MemoryError: a / b"
    failed = table([_result(naive=None, naive_rss=None, naive_failed=said)])
    assert f"| failed: {said} | n/a |" in failed and "| 900 / n/a |" in failed
    assert "None" not in failed


def test_each_measured_source_is_written_before_the_next_is_measured(monkeypatch, tmp_path):
    from ptx import bench

    def measure(engine, rows, location, runs, checkout):
        if engine == "spark":
            raise RuntimeError("the cluster went away")
        return _result(engine=engine, rows=rows)

    monkeypatch.setattr(bench, "build", lambda engine, rows, *rest: f"{engine}-{rows}")
    monkeypatch.setattr(bench, "measure", measure)
    out = tmp_path / "PERFORMANCE.md"
    with pytest.raises(RuntimeError, match="went away"):
        bench.run(
            [1000],
            ["duckdb", "spark"],
            runs=1,
            data_dir=tmp_path,
            postgres_url=None,
            out=out,
            checkout=tmp_path,
            floor=False,
            block="bench-large",
        )
    assert "| duckdb | 1,000 |" in out.read_text()  # the row measured before the failure


def test_the_naive_pattern_runs_only_where_it_fits(monkeypatch):
    from ptx import bench

    monkeypatch.setattr(bench, "available_mb", lambda: 20_000.0)
    assert bench.naive_fits(10_000_000)  # about 10 GB of 20
    assert not bench.naive_fits(100_000_000)  # about 100 GB


def test_a_named_block_is_replaced_or_added_and_other_blocks_stay(tmp_path):
    from ptx.bench import END, START, markers, write_report

    out = tmp_path / "PERFORMANCE.md"
    out.write_text(f"# Performance\n\n{START}\nsmall sizes\n{END}\n\n## Analysis\nkept\n")
    write_report(out, [], 1, "| large table |", block="bench-large")
    text = out.read_text()
    start, end = markers("bench-large")
    assert "small sizes" in text and "## Analysis\nkept" in text
    assert text.rstrip().endswith(end) and text.index(start) < text.index("| large table |")
    write_report(out, [], 1, "| large table, again |", block="bench-large")
    text = out.read_text()
    assert "| large table |" not in text and text.count(start) == 1
    assert "| large table, again |" in text and "small sizes" in text


def test_spark_publishes_the_duckdb_engine_s_source_instead_of_writing_it_again(
    spark_url, tmp_path
):
    import sqlalchemy as sa

    from ptx.bench import build
    from ptx.store import normalise_url

    said = []
    built = build("duckdb", 2_000, tmp_path, None, said.append)
    try:
        _published_once(spark_url, built, tmp_path, said)
    finally:  # the benchmark's own database on the cluster, not the test's
        admin = sa.create_engine(normalise_url(spark_url))
        with admin.connect() as conn:
            conn.exec_driver_sql("DROP DATABASE IF EXISTS ptx_bench_2000 CASCADE")
        admin.dispose()


def _published_once(spark_url, built, tmp_path, said):
    import sqlalchemy as sa

    from ptx.bench import _spark_source
    from ptx.store import normalise_url

    url = _spark_source(spark_url, 2_000, tmp_path, said.append)
    assert said[-1].startswith("publishing bench-2000.duckdb to Spark")
    counts = "SELECT count(*), count(DISTINCT department_id), min(received_date) FROM feedback"
    duck = sa.create_engine(f"duckdb:///{built}")
    spark = sa.create_engine(normalise_url(url))
    try:
        with duck.connect() as d, spark.connect() as s:
            expected = d.exec_driver_sql(counts).one()
            got = s.exec_driver_sql(counts).one()
    finally:
        duck.dispose()
        spark.dispose()
    assert (got[0], got[1], str(got[2])[:10]) == (expected[0], expected[1], str(expected[2]))
    # built once: a second call reuses what Spark holds
    said.clear()
    assert _spark_source(spark_url, 2_000, tmp_path, said.append) == url and said == []


def test_the_floor_app_draws_the_parts_asked_for_in_order(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PTX_FLOOR_PARTS", "filters,tiles,chart")
    at = AppTest.from_file(str(ROOT / "bench" / "floor_app.py"), default_timeout=60).run()
    assert not at.exception
    assert len(at.sidebar.selectbox) == 3 and len(at.sidebar.date_input) == 1
    assert len(at.sidebar.multiselect) == 1 and len(at.sidebar.toggle) == 1
    assert len(at.metric) == 6
    kinds = [node.type for node in at.main.children.values()]
    assert kinds == ["flex_container", "plotly_chart"]  # the tiles' columns, then the chart
    monkeypatch.delenv("PTX_FLOOR_PARTS")
    alone = AppTest.from_file(str(ROOT / "bench" / "floor_app.py"), default_timeout=60).run()
    assert [node.type for node in alone.main.children.values()] == ["plotly_chart"]
    assert not alone.sidebar.children


def test_a_page_that_shows_an_error_stops_the_timing():
    """A statement that fails makes a page quick: the benchmark must say so, not time it (the
    Comments search on Spark once failed in 50 ms and was reported as a timing)."""
    from streamlit.testing.v1 import AppTest

    from bench.app_timing import failed

    shown = AppTest.from_string("import streamlit as st\nst.error('no such table')").run()
    with pytest.raises(SystemExit, match="the Comments page showed an error: no such table"):
        failed(shown, "the Comments page")
    failed(AppTest.from_string("import streamlit as st\nst.write('fine')").run(), "a page")
