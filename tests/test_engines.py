"""The same KPI numbers from DuckDB, SQLite, a CSV folder, a real PostgreSQL server and a real
Spark SQL cluster (a Thrift server before a master and two workers; see .ci/spark.sh).

Every Spark statement costs tens to hundreds of milliseconds, so the Spark tests are few, run
on the small demo, and ask each question once."""

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

import ptx
from ptx import kpis, query
from ptx.store import normalise_url
from ptx.workdays import WorkingCalendar, calendar_rows
from tests.conftest import open_location

FILTER_CASES = [
    ptx.Filters(),
    ptx.Filters(start=date(2024, 4, 1), end=date(2025, 3, 31), divisions=("Medicine",)),
    ptx.Filters(departments=("HVH-SUR-ORTH",), channels=("FFT SMS", "FFT card")),
    ptx.Filters(sites=("Hillview Hospital",), start=date(2026, 1, 1), end=date(2026, 9, 30)),
]


def _numbers(source, cases=FILTER_CASES):
    as_of = query.as_of_date(source)
    out = []
    for f in cases:
        out.append(kpis.headline_kpis(source, f, as_of))
        out.append(query.feedback_counts(source, f, by=("month", "department_id")))
        out.append(query.complaint_counts(source, f, as_of, by=("month", "department_id")))
    return as_of, out


@pytest.fixture(scope="module")
def reference(demo_duckdb):
    return _numbers(open_location(demo_duckdb))


def _assert_same(numbers, reference, first_case: int = 0):
    """``numbers`` equal the reference's, from its ``first_case`` (three frames a case)."""
    as_of, frames = numbers
    assert as_of == reference[0]
    wanted = reference[1][3 * first_case : 3 * first_case + len(frames)]
    for got, want in zip(frames, wanted, strict=True):
        pd.testing.assert_frame_equal(
            got.reset_index(drop=True),
            want.reset_index(drop=True),
            check_dtype=False,
            rtol=1e-12,
        )


def test_sqlite_matches_duckdb(demo_sqlite, reference):
    _assert_same(_numbers(open_location(demo_sqlite)), reference)


def test_csv_folder_matches_duckdb(demo_csv, reference):
    _assert_same(_numbers(open_location(demo_csv)), reference)


@pytest.mark.postgres
def test_postgres_matches_duckdb(demo_postgres, reference):
    source = open_location(demo_postgres)
    assert source.kind == "postgresql"
    assert ptx.validation_report(source).ok
    _assert_same(_numbers(source), reference)
    source.dispose()


# The facade's answers a page shows, each asked once (on the whole demo).
FACADE = {
    "headline": lambda s: ptx.headline(s).to_frame(),
    "trend": lambda s: ptx.trend(s, "fft_pct_positive").to_frame(),
    "breakdown": lambda s: ptx.breakdown(s, "fft_pct_positive", "age_band").to_frame(),
    "complaint timing": lambda s: _timing_frame(ptx.complaint_timing(s, by="severity")),
    "department comparison": lambda s: ptx.compare_departments(s, "fft_pct_positive").to_frame(),
    "validation": lambda s: _validation_frame(ptx.validation_report(s)),
    "comments searched": lambda s: _comments_frame(ptx.comments(s, search="parking expensive")),
    "comments by theme": lambda s: _comments_frame(
        ptx.comments(s, themes="staff_attitude", sentiment="negative")
    ),
    "theme trends": lambda s: ptx.theme_trends(s).to_frame(),
}


def _comments_frame(found) -> pd.DataFrame:
    """One page of comments (newest first), with the matches counted by sentiment beside it."""
    return found.to_frame().assign(
        total=found.total, **{f"n_{k}": v for k, v in found.by_sentiment.items()}
    )


def _timing_frame(timing) -> pd.DataFrame:
    """Time to resolution per group, with the tiles' counts beside it."""
    return timing.to_frame().assign(
        received=timing.received,
        open_now=timing.open_now,
        open_beyond_backstop=timing.open_beyond_backstop,
    )


def _validation_frame(report) -> pd.DataFrame:
    """Rows read, loaded and quarantined per table, then the quarantine reasons."""
    return pd.concat([report.tables, report.reasons], keys=["tables", "reasons"])


def _assert_facade_same(source, reference_source) -> None:
    for name, answer in FACADE.items():
        got, want = answer(source), answer(reference_source)
        assert len(want), name
        pd.testing.assert_frame_equal(
            got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False, obj=name
        )


@pytest.mark.spark
def test_spark_matches_duckdb(demo_spark, demo_duckdb, reference):
    """The demo written to Spark (Parquet tables, stored verdicts, summaries) gives DuckDB's
    numbers: every page's facade answer, and the KPIs and counts under a filter."""
    source = open_location(demo_spark)
    assert source.kind == "spark"
    assert set(source.summaries) == {"feedback", "feedback_answers"}
    _assert_same(_numbers(source, FILTER_CASES[1:2]), reference, first_case=1)
    _assert_facade_same(source, open_location(demo_duckdb))
    source.dispose()


@pytest.mark.spark
def test_spark_warehouse_ptx_did_not_write_is_read_from_the_rows(spark_url, demo_dir, reference):
    """Parquet files registered by someone else (no stored verdicts, no summaries, nothing ptx
    may write): ptx evaluates the rules and counts from the rows, with the same numbers."""
    from ptx.demo import write_demo
    from tests.conftest import TEST_COMPLAINTS, TEST_ROWS

    folder = demo_dir / "spark-foreign"
    write_demo(folder, rows=TEST_ROWS, complaints=TEST_COMPLAINTS, fmt="parquet")
    database = "ptx_foreign_" + sa.engine.make_url(spark_url).database.removeprefix("ptx_test_")
    url = sa.engine.make_url(spark_url).set(database=database).render_as_string(False)
    engine = sa.create_engine(normalise_url(spark_url))
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {database}")
        for file in sorted(folder.glob("*.parquet")):
            # A folder per table, as a warehouse keeps them.
            (folder / file.stem).mkdir()
            file.rename(folder / file.stem / file.name)
            conn.exec_driver_sql(
                f"CREATE TABLE {database}.{file.stem} USING parquet LOCATION '{folder / file.stem}'"
            )
    try:
        source = open_location(url)
        assert source.summaries == {} and not source.imported
        assert "_ptx_reason" not in source.table("feedback").c
        # The counts every page is drawn from (the headline's are checked on ptx's tables).
        as_of = query.as_of_date(source)
        counts = [
            query.feedback_counts(source, ptx.Filters(), by=("month", "department_id")),
            query.complaint_counts(source, ptx.Filters(), as_of, by=("month", "department_id")),
        ]
        source.dispose()
        for got, want in zip(counts, reference[1][1:3], strict=True):
            pd.testing.assert_frame_equal(
                got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False
            )
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {database} CASCADE")
        engine.dispose()


@pytest.mark.spark
def test_spark_calendar_view_equals_the_python_calendar(demo_spark):
    """The working-day calendar Spark generates per session is the one ptx computes, row for
    row (weekends, bank holidays, the six-month backstop); and string parameters reach Spark
    as they were, quotes and backslashes included."""
    rows = calendar_rows(WorkingCalendar(), 6)
    source = open_location(demo_spark)
    calendar = sa.table(
        "ptx_calendar",
        sa.column("day", sa.Date),
        *[sa.column(c, sa.Integer) for c in rows.columns[1:]],
    )
    tricky = "St Mary's \\ ward\\' OR 1=1 --"
    with source.engine.connect() as conn:
        got = conn.execute(sa.select(calendar).order_by(calendar.c.day)).all()
        (echo,) = conn.execute(sa.select(sa.literal(tricky, sa.Text))).one()
    source.dispose()
    assert echo == tricky
    pd.testing.assert_frame_equal(
        pd.DataFrame(got, columns=list(rows.columns)), rows, check_dtype=False
    )


def test_reference_is_not_empty(reference):
    _, frames = reference
    headline = frames[0].set_index("kpi")
    assert headline.loc["responses", "value"] > 1000
    assert 0 < headline.loc["fft_pct_positive", "value"] < 100
