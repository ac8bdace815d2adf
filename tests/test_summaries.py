"""The daily summaries give the same numbers as counting the rows, and step aside when stale."""

import shutil
from datetime import date

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ptx
from ptx import query
from ptx.summaries import SUMMARIES
from tests.conftest import open_location


@pytest.fixture(scope="module")
def pair(demo_duckdb, tmp_path_factory):
    """The demo with its summaries, and a copy without them (every query counts rows)."""
    bare = tmp_path_factory.mktemp("bare") / "bare.duckdb"
    shutil.copy(demo_duckdb, bare)
    with duckdb.connect(str(bare)) as conn:
        for summary in SUMMARIES.values():
            conn.execute(f'DROP TABLE "{summary.name}"')
    with_summaries, rows_only = open_location(demo_duckdb), open_location(bare)
    assert set(with_summaries.summaries) == {"feedback", "feedback_answers"}
    assert not rows_only.summaries
    return with_summaries, rows_only


DEPARTMENTS = ("RVH-MED-RESP", "HVH-SUR-ORTH", "RVH-UEC-ED")
GROUPINGS = ("period", "day", "month", "department_id", "channel")
filters = st.builds(
    lambda start, days, departments, channels, compare: (
        ptx.Filters(
            start=start,
            end=date.fromordinal(start.toordinal() + days),
            departments=tuple(departments),
            channels=tuple(channels),
        ),
        compare,
    ),
    start=st.dates(date(2023, 10, 1), date(2026, 9, 1)),
    days=st.integers(0, 400),
    departments=st.lists(st.sampled_from(DEPARTMENTS), max_size=2, unique=True),
    channels=st.lists(st.sampled_from(["FFT SMS", "Inpatient survey"]), max_size=1),
    compare=st.booleans(),
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chosen=filters, by=st.lists(st.sampled_from(GROUPINGS), max_size=2, unique=True))
def test_summaries_equal_counting_rows(pair, chosen, by):
    with_summaries, rows_only = pair
    f, compare = chosen
    if compare:
        f = f.with_previous()
    for call in (query.feedback_counts, query.answer_counts):
        got = call(with_summaries, f, by=tuple(by))
        want = call(rows_only, f, by=tuple(by))
        pd.testing.assert_frame_equal(
            got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False
        )


def test_groupings_the_summary_cannot_answer_count_rows(pair):
    with_summaries, rows_only = pair
    f = ptx.Filters(start=date(2025, 1, 1), end=date(2025, 12, 31))
    pd.testing.assert_frame_equal(
        query.feedback_counts(with_summaries, f, by=("age_band",)),
        query.feedback_counts(rows_only, f, by=("age_band",)),
    )


def test_rows_added_later_switch_the_summaries_off(demo_duckdb, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(demo_duckdb, copy)
    before = open_location(copy)
    total = query.feedback_counts(before, ptx.Filters(), by=())["responses"].sum()
    before.dispose()
    with duckdb.connect(str(copy)) as conn:  # another tool appends a row: it has no verdict
        conn.execute(
            "INSERT INTO feedback (feedback_id, received_date, department_id, channel, rating, "
            "rating_scale) VALUES ('X1', DATE '2025-05-05', 'RVH-MED-RESP', 'FFT SMS', 1, 'fft5')"
        )
    after = open_location(copy)
    assert not after.summaries
    assert query.feedback_counts(after, ptx.Filters(), by=())["responses"].sum() == total + 1


def test_range_and_channels_read_from_the_summary_agree(pair):
    with_summaries, rows_only = pair
    assert query.data_range(with_summaries) == query.data_range(rows_only)
    assert query.channels(with_summaries) == query.channels(rows_only)


def test_writing_again_replaces_what_ptx_wrote(tmp_path):
    """A database written twice (a URL target is not deleted first) ends with one copy of
    everything, summaries included."""
    from tests.builders import write_source

    url = f"sqlite:///{tmp_path / 'twice.sqlite'}"
    write_source(url)
    write_source(url)
    source = open_location(url)
    assert set(source.summaries) == {"feedback"}
    assert query.feedback_counts(source, ptx.Filters(), by=())["responses"].sum() == 7
