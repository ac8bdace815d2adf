from datetime import date

import numpy as np
import pandas as pd
import pytest

import ptx
from ptx import demo, query
from ptx.feedback import fft_summary
from ptx.schema import KO41A_SUBJECTS
from tests.conftest import open_location


def test_same_seed_same_rows():
    a, _ = demo.feedback_chunk(7, 0, 2000, 1)
    b, _ = demo.feedback_chunk(7, 0, 2000, 1)
    c, _ = demo.feedback_chunk(8, 0, 2000, 1)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    pd.testing.assert_frame_equal(demo.complaints_frame(7, 500), demo.complaints_frame(7, 500))


def test_hierarchy_shape():
    deps = demo.departments_frame()
    assert deps["site"].nunique() == 2 and deps["division"].nunique() == 4
    assert 20 <= len(deps) <= 30 and deps["department_id"].is_unique
    # Every division sits in one site: a strict hierarchy.
    assert (deps.groupby("division")["site"].nunique() == 1).all()


def test_demo_source_validates_and_spans_three_years(demo_duckdb):
    source = open_location(demo_duckdb)
    assert ptx.validation_report(source).ok
    assert query.data_range(source) == (demo.DEMO_START, demo.DEMO_AS_OF)


def _pct_positive(source, change, before: bool):
    since = change.since
    f = ptx.Filters(
        start=date(since.year - 1, since.month, since.day) if before else since,
        end=since if before else date(since.year + 1, since.month, since.day),
        departments=(change.department_id,),
    )
    return fft_summary(query.feedback_counts(source, f, by=())).iloc[0]


def test_planted_changes_are_in_the_data(demo_duckdb):
    source = open_location(demo_duckdb)
    up_before = _pct_positive(source, demo.IMPROVING, True)
    up_after = _pct_positive(source, demo.IMPROVING, False)
    assert up_after["pct_positive_low"] > up_before["pct_positive_high"]
    down_before = _pct_positive(source, demo.DETERIORATING, True)
    down_after = _pct_positive(source, demo.DETERIORATING, False)
    assert down_after["pct_positive_high"] < down_before["pct_positive_low"]


def test_complaints_follow_working_days_and_stay_open_at_about_five_percent():
    frame = demo.complaints_frame(2026, 20_000)
    holidays = np.array(demo.bank_holidays(demo.DEMO_START, demo.DEMO_AS_OF), dtype="datetime64[D]")
    for col in ("acknowledged_date", "resolved_date"):
        days = pd.to_datetime(frame[col].dropna()).values.astype("datetime64[D]")
        assert np.is_busday(days, holidays=holidays).all(), col
    open_share = frame["resolved_date"].isna().mean()
    assert 0.03 <= open_share <= 0.07
    assert frame.loc[frame["resolved_date"].isna(), "outcome"].isna().all()
    assert set(frame["subject"]) <= set(KO41A_SUBJECTS)
    assert (
        frame["reopened"].any() and not frame.loc[frame["resolved_date"].isna(), "reopened"].any()
    )
    assert (frame["received_date"] <= demo.DEMO_AS_OF).all()


def test_comments_have_themes_that_follow_the_rating():
    frame, answers = demo.feedback_chunk(1, 0, 20_000, 1)
    with_comment = frame[frame["comment"].notna()]
    assert 0.25 < len(with_comment) / len(frame) < 0.45
    very_poor = with_comment[
        (with_comment["rating_scale"] == "fft5") & (with_comment["rating"] == 5)
    ]
    assert (
        very_poor["comment"]
        .str.contains(
            "|".join(
                [
                    "four hours",
                    "rude",
                    "cold",
                    "Parking",
                    "explained",
                    "noisy",
                    "cancelled",
                    "Discharge",
                    "okay",
                    "crowded",
                    "too busy",
                ]
            )
        )
        .all()
    )
    assert set(answers["feedback_id"]) <= set(frame["feedback_id"])


def test_rows_option_scales(tmp_path):
    written = demo.write_demo(tmp_path / "small.duckdb", rows=3000)
    assert written["feedback"] == 3000 and written["complaints"] == 75
    with pytest.raises(ValueError):
        demo.write_demo(tmp_path / "none.duckdb", rows=0)
