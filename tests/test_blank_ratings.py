"""A response without a rating counts in the response volume and in no rate's denominator.

Real exports set ``rating_scale`` once for a whole source (``[tables.feedback.constants]``), so a
comment-only response carries a scale but no rating. Every number here is worked out by hand;
each source is a real DuckDB or SQLite file, its scale either stored in the column or set as a
constant by ptx.toml.
"""

from __future__ import annotations

from datetime import date
from math import sqrt

import pytest
import sqlalchemy as sa

import ptx
from tests.builders import feedback_rows, write_source

JANUARY = ptx.Filters(start=date(2025, 1, 1), end=date(2025, 1, 31))
EVERYTHING = ptx.Disclosure(enabled=False)  # a handful of rows: the rule would hide them all


def _rows(department: str, scale: str, ratings: list[int | None]) -> list[tuple]:
    return [
        (f"{department}-{i}", f"2025-01-{i % 28 + 1:02d}", department, "FFT SMS", r, scale)
        for i, r in enumerate(ratings)
    ]


@pytest.fixture(params=["duckdb", "sqlite"])
def engine(request) -> str:
    return request.param


@pytest.fixture(params=["stored", "constant"])
def scale_from(request) -> str:
    return request.param


def blank_source(tmp_path, engine: str, scale_from: str, scale: str, rows: list[tuple]):
    """A source whose feedback is ``rows``, all on ``scale``: the scale stored in each row, or
    (as a survey export has it) absent from the table and set by a constant in ptx.toml."""
    path = write_source(tmp_path / f"s.{engine}", feedback=feedback_rows(rows))
    if scale_from == "stored":
        return ptx.open_source(path)
    url = f"{engine}:///{path}"
    db = sa.create_engine(url)
    with db.begin() as conn:
        conn.execute(sa.text("DROP TABLE _ptx_feedback_daily"))  # counts the stored scales
        conn.execute(sa.text("ALTER TABLE feedback DROP COLUMN rating_scale"))
    db.dispose()
    config = tmp_path / "ptx.toml"
    config.write_text(
        f'[source]\nlocation = "{path}"\n[tables.feedback.constants]\nrating_scale = "{scale}"\n'
    )
    source = ptx.open_source(ptx.load_config(config))
    with source.engine.connect() as conn:  # the comment-only rows really carry the scale
        fb = source.table("feedback").c
        blank = conn.execute(
            sa.select(sa.func.count()).where(fb.rating.is_(None), fb.rating_scale == scale)
        ).scalar_one()
    assert blank == sum(r[4] is None for r in rows)
    return source


def _tile(source, key: str) -> tuple[float, float]:
    row = ptx.headline(source, JANUARY, rule=EVERYTHING).to_frame().set_index("kpi").loc[key]
    return row["value"], row["n"]


def _responses(source) -> float:
    return (
        ptx.headline(source, JANUARY, rule=EVERYTHING)
        .to_frame()
        .set_index("kpi")
        .loc["responses", "value"]
    )


def test_fft_pct_positive_leaves_blank_ratings_out(tmp_path, engine, scale_from):
    # 8 very good and 2 comment-only responses: 8 of 8 positive, not 8 of 10.
    rows = _rows("A1", "fft5", [1] * 8 + [None] * 2)
    source = blank_source(tmp_path, engine, scale_from, "fft5", rows)
    assert _tile(source, "fft_pct_positive") == (100.0, 8)
    assert _responses(source) == 10  # the volume still counts every response
    month = ptx.trend(source, "fft_pct_positive", JANUARY, rule=EVERYTHING).to_frame()
    assert month[["value", "denominator"]].values.tolist() == [[100.0, 8]]
    by_channel = ptx.breakdown(source, "fft_pct_positive", "channel", JANUARY, rule=EVERYTHING)
    assert by_channel.to_frame()[["value", "denominator"]].values.tolist() == [[100.0, 8]]


def test_fft_pct_negative_leaves_blank_ratings_out(tmp_path, engine, scale_from):
    # 6 good, 2 very poor, 3 comment-only: 2 of 8 negative = 25%, not 2 of 11.
    rows = _rows("A1", "fft5", [2] * 6 + [5] * 2 + [None] * 3)
    source = blank_source(tmp_path, engine, scale_from, "fft5", rows)
    assert _tile(source, "fft_pct_negative") == (25.0, 8)
    assert _responses(source) == 11
    comparison = ptx.compare_departments(source, "fft_pct_negative", JANUARY, rule=EVERYTHING)
    ward = comparison.to_frame().set_index("department").loc["Ward A1"]
    assert (ward["value"], ward["n"]) == (25.0, 8)


def test_nps_leaves_blank_ratings_out(tmp_path, engine, scale_from):
    # 10, 9, 9 (promoters), 5 (detractor) and 4 without a rating: (3 - 1) / 4 = +50, n = 4.
    rows = _rows("B1", "ltr11", [10, 9, 9, 5] + [None] * 4)
    source = blank_source(tmp_path, engine, scale_from, "ltr11", rows)
    assert _tile(source, "nps") == (50.0, 4)
    assert _responses(source) == 8
    by_channel = ptx.breakdown(source, "nps", "channel", JANUARY, rule=EVERYTHING).to_frame()
    assert by_channel[["value", "denominator"]].values.tolist() == [[50.0, 4]]


def test_ltr_mean_leaves_blank_ratings_out(tmp_path, engine, scale_from):
    # A1: six 10s, four 4s and 3 blanks -> 76 / 10 = 7.6; B1: five 8s, five 6s, 2 blanks -> 7.0.
    rows = _rows("A1", "ltr11", [10] * 6 + [4] * 4 + [None] * 3)
    rows += _rows("B1", "ltr11", [8] * 5 + [6] * 5 + [None] * 2)
    source = blank_source(tmp_path, engine, scale_from, "ltr11", rows)
    result = ptx.compare_departments(source, "ltr_mean", JANUARY, rule=EVERYTHING)
    frame = result.to_frame().set_index("department")
    assert frame.loc["Ward A1", ["value", "n"]].tolist() == [pytest.approx(7.6), 10]
    assert frame.loc["Clinic B1", ["value", "n"]].tolist() == [7.0, 10]
    assert result.organisation == pytest.approx(146 / 20)  # (76 + 70) / 20 answers
    # Pooled within-department SD: squared deviations 6 x 2.4^2 + 4 x 3.6^2 = 86.4 (A1) and
    # 10 x 1^2 = 10 (B1), over 20 answers - 2 departments; the mean's 95% interval is +/- 1.96
    # SD / sqrt(10).
    half = 1.959963984540054 * sqrt(96.4 / 18) / sqrt(10)
    assert frame.loc["Ward A1", "low"] == pytest.approx(7.6 - half)
    assert frame.loc["Clinic B1", "high"] == pytest.approx(7.0 + half)
    assert _responses(source) == 25
