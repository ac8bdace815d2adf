"""The same KPI numbers from DuckDB, SQLite, a CSV folder and a real PostgreSQL server."""

from datetime import date

import pandas as pd
import pytest

import ptx
from ptx import kpis, query
from tests.conftest import open_location

FILTER_CASES = [
    ptx.Filters(),
    ptx.Filters(start=date(2024, 4, 1), end=date(2025, 3, 31), divisions=("Medicine",)),
    ptx.Filters(departments=("HVH-SUR-ORTH",), channels=("FFT SMS", "FFT card")),
    ptx.Filters(sites=("Hillview Hospital",), start=date(2026, 1, 1), end=date(2026, 9, 30)),
]


def _numbers(source):
    as_of = query.as_of_date(source)
    out = []
    for f in FILTER_CASES:
        out.append(kpis.headline_kpis(source, f, as_of))
        out.append(query.feedback_counts(source, f, by=("month", "department_id")))
        out.append(query.complaint_counts(source, f, as_of, by=("month", "department_id")))
    return as_of, out


@pytest.fixture(scope="module")
def reference(demo_duckdb):
    return _numbers(open_location(demo_duckdb))


def _assert_same(numbers, reference):
    as_of, frames = numbers
    assert as_of == reference[0]
    for got, want in zip(frames, reference[1], strict=True):
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


def test_reference_is_not_empty(reference):
    _, frames = reference
    headline = frames[0].set_index("kpi")
    assert headline.loc["responses", "value"] > 1000
    assert 0 < headline.loc["fft_pct_positive", "value"] < 100
