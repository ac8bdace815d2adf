"""Which statements serve which inputs: only those a measure needs, and the same numbers."""

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

import ptx
from ptx import counts, query, timing
from ptx.validate import valid
from tests.builders import write_source
from tests.conftest import open_location


@pytest.fixture()
def tiny(tmp_path):
    source = open_location(write_source(tmp_path / "s.duckdb"))
    for table in source.tables:  # whether every row has its verdict: asked once per source
        valid(source, table)
    return source


def _statements(source, run) -> list[str]:
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(source.engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        sa.event.remove(source.engine, "before_cursor_execute", record)
    return seen


def test_only_the_inputs_asked_for_are_queried(tiny):
    f = ptx.Filters(date(2025, 1, 1), date(2025, 1, 31))
    query.departments(tiny)  # read once per source, before counting
    as_of = date(2025, 1, 31)
    one = _statements(tiny, lambda: counts.fetch(tiny, ("feedback",), f, as_of, ("month",)))
    assert len(one) == 1 and "feedback" in one[0]
    # Complaints received come from the resolution stage when it is fetched anyway.
    both = _statements(
        tiny, lambda: counts.fetch(tiny, ("complaints", "resolved"), f, as_of, ("month",))
    )
    assert len(both) == 1


def test_episodes_and_eligible_over_whole_months_are_one_statement(tiny):
    query.departments(tiny)
    as_of = date(2025, 2, 28)
    frames: dict[str, pd.DataFrame] = {}

    def fetched(f, inputs) -> list[str]:
        frames.clear()
        run = lambda: frames.update(counts.fetch(tiny, inputs, f, as_of, ["month"]))  # noqa: E731
        return _statements(tiny, run)

    whole = ptx.Filters(date(2025, 1, 1), date(2025, 2, 28))
    # Responses in the eligible months, and one statement for episodes and eligible patients.
    assert len(fetched(whole, ("activity", "eligible"))) == 2
    both = dict(frames)
    assert len(fetched(whole, ("activity",))) == 1
    pd.testing.assert_frame_equal(both["activity"], frames["activity"])
    pd.testing.assert_frame_equal(both["activity"], both["eligible"])
    # Part months: the eligible counts cover the whole months inside, the episodes every month.
    part = ptx.Filters(date(2025, 1, 16), date(2025, 2, 28))
    assert len(fetched(part, ("activity", "eligible"))) == 3
    months = {k: pd.to_datetime(frame["month"]).dt.month.tolist() for k, frame in frames.items()}
    assert 1 in months["activity"] and 1 not in months["eligible"]


def test_period_activity_counts_every_month_overlapping_each_window(tiny):
    f = ptx.Filters(date(2025, 1, 16), date(2025, 2, 14)).with_previous()
    frames = counts.fetch(tiny, ("activity",), f, date(2025, 2, 14), ("period",))
    by_period = frames["activity"].set_index("period")["episodes"]
    # January overlaps both windows (16 Dec - 15 Jan and 16 Jan - 14 Feb): it counts for each.
    assert by_period["current"] == by_period["previous"] == 1750


def test_open_complaints_ignore_the_dates(tiny):
    f = ptx.Filters(date(2025, 1, 20), date(2025, 1, 31))
    as_of = date(2025, 1, 31)
    frames = counts.fetch(tiny, ("open",), f, as_of, ("period", "department_id"))
    everything = query.complaint_counts(tiny, ptx.Filters(), as_of, ("department_id",))
    pd.testing.assert_frame_equal(frames["open"], everything)
    stage = counts.fetch(tiny, ("resolved",), f, as_of, by_input={"resolved": ("month",)})
    pd.testing.assert_frame_equal(
        stage["resolved"], timing.stage_counts(tiny, f, as_of, "resolved", ("month",))
    )
