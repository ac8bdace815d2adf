"""Working days counted in the database agree with Python, and on every engine."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

import ptx
from ptx import complaints, query, timing
from ptx.workdays import WorkingCalendar
from tests.builders import complaint_rows, write_source
from tests.conftest import open_location

CAL = WorkingCalendar()


def test_tiny_source_by_hand(tmp_path):
    rows = complaint_rows(
        [
            # received Fri 3 Jan 2025: acknowledged Mon 6 (1 wd), resolved Fri 10 (5 wd)
            ("c1", "A1", "2025-01-03", "2025-01-06", "2025-01-10", "upheld"),
            # received Sat 4 Jan: acknowledged the same day (0), resolved Tue 7 (2 wd)
            ("c2", "A1", "2025-01-04", "2025-01-04", "2025-01-07", "not upheld"),
            # received Mon 13 Jan, still open at as-of Fri 17 Jan: 4 wd so far, not acknowledged
            ("c3", "A2", "2025-01-13", None, None, None),
            # resolved after the as-of date: open at as-of
            ("c4", "B1", "2025-01-14", "2025-01-15", "2025-02-20", "upheld"),
            # resolved before it was received: quarantined, never counted
            ("c5", "B1", "2025-01-14", None, "2025-01-10", "upheld"),
        ]
    )
    source = open_location(write_source(tmp_path / "s.sqlite", complaints=rows))
    as_of = date(2025, 1, 17)
    res = timing.stage_counts(source, ptx.Filters(), as_of, "resolved")
    got = {(r.working_days, r.done, r.pending) for r in res.itertuples()}
    assert got == {(5, 1, 0), (2, 1, 0), (4, 0, 1), (3, 0, 1)}
    ack = timing.stage_counts(source, ptx.Filters(), as_of, "acknowledged")
    # c1 and c4 after 1 working day, c2 the same day, c3 still waiting after 4.
    assert {(r.working_days, r.done, r.pending) for r in ack.itertuples()} == {
        (1, 2, 0),
        (0, 1, 0),
        (4, 0, 1),
    }
    # Acknowledged within 3 days: c1 (1), c2 (0), c4 (1) done; c3 pending 4 > 3 is due and late.
    share = complaints.within_target(ack, 3)
    assert (share.met, share.due) == (3, 4)
    oldest = timing.oldest_open(source, ptx.Filters(), as_of)
    assert oldest["complaint_id"].tolist() == ["c3", "c4"]
    assert oldest["working_days_open"].tolist() == [4, 3]
    report = ptx.validation_report(source)
    assert "resolved_date is before received_date" in set(report.reasons["reason"])


def _python_working_days(source, as_of, stage):
    """The same counts computed row by row in Python, from a bounded read of the tiny demo."""
    c = source.table("complaints")
    with source.engine.connect() as conn:
        rows = pd.DataFrame(
            conn.execute(
                __import__("sqlalchemy").select(c).where(ptx.validate.valid(source, "complaints"))
            )
            .mappings()
            .all()
        )
    rows = rows[pd.to_datetime(rows["received_date"]).dt.date <= as_of]
    out = []
    for r in rows.itertuples():
        received = pd.Timestamp(r.received_date).date()
        when = getattr(r, f"{stage}_date")
        done = when is not None and not pd.isna(when) and pd.Timestamp(when).date() <= as_of
        end = pd.Timestamp(when).date() if done else as_of
        out.append((CAL.working_days_between(received, end), int(done), int(not done)))
    frame = pd.DataFrame(out, columns=["working_days", "done", "pending"])
    return frame.groupby("working_days", as_index=False)[["done", "pending"]].sum()


@pytest.mark.parametrize("stage", timing.STAGES)
def test_database_join_matches_python(tmp_path, stage):
    from ptx.demo import write_demo

    path = tmp_path / "small.duckdb"
    write_demo(path, rows=2000, complaints=300)
    source = open_location(path)
    as_of = query.as_of_date(source)
    db = timing.stage_counts(source, ptx.Filters(), as_of, stage)
    db = db.groupby("working_days", as_index=False)[["done", "pending"]].sum()
    pd.testing.assert_frame_equal(db, _python_working_days(source, as_of, stage), check_dtype=False)


def test_ageing_adds_up_to_the_open_count(demo_duckdb):
    source = open_location(demo_duckdb)
    as_of = query.as_of_date(source)
    stage = timing.stage_counts(source, ptx.Filters(), as_of, "resolved")
    open_count = query.complaint_counts(source, ptx.Filters(), as_of, ())["open"].sum()
    assert complaints.ageing(stage)["open"].sum() == open_count == stage["pending"].sum()
    assert open_count > 0


def _all_numbers(source):
    as_of = query.as_of_date(source)
    f = ptx.Filters(divisions=("Surgery",))
    out = [timing.stage_counts(source, f, as_of, s, ("department_id",)) for s in timing.STAGES]
    out.append(complaints.resolution_summary(out[0], ("department_id",)))
    out.append(timing.oldest_open(source, f, as_of))
    out.append(query.resolutions_by_month(source, f, as_of))
    return out


def _same(a, b):
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(
            x.reset_index(drop=True), y.reset_index(drop=True), check_dtype=False
        )


def test_sqlite_gives_identical_numbers(demo_duckdb, demo_sqlite):
    _same(_all_numbers(open_location(demo_sqlite)), _all_numbers(open_location(demo_duckdb)))


@pytest.mark.postgres
def test_postgres_gives_identical_numbers(demo_duckdb, demo_postgres):
    _same(_all_numbers(open_location(demo_postgres)), _all_numbers(open_location(demo_duckdb)))


def test_backlog_by_hand():
    received = pd.DataFrame({"month": [date(2025, 1, 1), date(2025, 2, 1)], "received": [5, 3]})
    resolved = pd.DataFrame({"month": [date(2025, 2, 1), date(2025, 3, 1)], "resolved": [4, 2]})
    out = complaints.backlog(received, resolved, date(2025, 3, 20))
    assert out["open"].tolist() == [5, 4, 2]
    assert out["month_end"].tolist() == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 20)]


def test_mix_orders_and_shares():
    counts = pd.DataFrame({"outcome": ["not upheld", "upheld", None], "received": [2, 1, 1]})
    out = complaints.mix(counts, "outcome", complaints.OUTCOME_ORDER)
    assert out["group"].tolist() == ["upheld", "not upheld", "not recorded"]
    assert out["pct"].tolist() == [25.0, 50.0, 25.0]
