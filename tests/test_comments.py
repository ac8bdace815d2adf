"""The comment index, ptx.comments and ptx.theme_trends on real DuckDB and SQLite files."""

from __future__ import annotations

import importlib
import shutil
import sqlite3
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

import ptx
from ptx.api.comments import rating_text, segments
from ptx.comments import MAX_PAGE_SIZE, comment_index, read_batches, search_terms
from tests.builders import DEPARTMENTS, feedback_rows, write_source
from tests.conftest import open_location


@pytest.fixture(scope="module")
def demo(demo_duckdb):
    return open_location(demo_duckdb)


def _commented(source) -> int:
    with source.engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT count(*) FROM feedback WHERE comment IS NOT NULL AND trim(comment) <> '' "
                "AND _ptx_reason = ''"
            )
        ).scalar()


def test_the_source_ptx_wrote_holds_the_index(demo):
    index = comment_index(demo)
    assert index.in_source
    found = ptx.comments(demo, ptx.Filters(start="2000-01-01", end="2100-01-01"))
    assert found.total == _commented(demo) > 1000
    assert sum(found.by_sentiment.values()) == found.total
    assert set(found.by_sentiment) <= {"positive", "neutral", "negative"}


def test_read_batches_are_whole_days_of_one_department_within_the_limit():
    d = [date(2025, 1, day) for day in range(1, 6)]
    counts = [("a", d[0], 3), ("a", d[1], 4), ("a", d[2], 9), ("a", d[3], 1), ("b", d[0], 2)]
    assert list(read_batches(counts, 8)) == [
        ("a", d[0], d[1]),  # 7 rows; the next day would make 16
        ("a", d[2], d[2]),  # a day above the limit is read on its own
        ("a", d[3], d[3]),
        ("b", d[0], d[0]),  # a new department starts a new batch
    ]
    assert list(read_batches([], 8)) == []


def test_the_index_built_in_small_batches_is_the_same(demo, demo_duckdb, tmp_path, monkeypatch):
    """Built in batches of a few days, the index holds every comment and theme of one built
    a department at a time (the way it was built before batches)."""
    module = importlib.import_module("ptx.comments")  # ptx.comments is also a facade function
    copy = tmp_path / "copy.duckdb"
    shutil.copy(demo_duckdb, copy)
    monkeypatch.setattr(module, "READ", 500)
    engine = sa.create_engine(f"duckdb:///{copy}")
    with engine.begin() as conn:
        module.build_index(conn)
    tables = ("_ptx_comments", "_ptx_comment_themes")
    read = {}
    for name, e in (("batched", engine), ("whole", demo.engine)):
        with e.connect() as conn:
            read[name] = {
                t: pd.read_sql_query(sa.text(f"SELECT * FROM {t}"), conn)
                .sort_values(["feedback_id", *(["theme"] if "themes" in t else [])])
                .reset_index(drop=True)
                for t in tables
            }
    engine.dispose()
    for t in tables:
        assert len(read["batched"][t]) > 1000
        pd.testing.assert_frame_equal(read["batched"][t], read["whole"][t])


def test_a_page_is_newest_first_bounded_and_masked(demo):
    found = ptx.comments(demo, page_size=10_000)
    assert len(found.rows) == found.page_size == MAX_PAGE_SIZE
    dates = list(found.rows["received_date"])
    assert dates == sorted(dates, reverse=True)
    second = ptx.comments(demo, page=1, page_size=50)
    first = ptx.comments(demo, page=0, page_size=50)
    assert not set(first.rows["feedback_id"]) & set(second.rows["feedback_id"])
    table = first.table()
    assert list(table.columns) == ["Date", "Department", "Rating", "Themes", "Sentiment", "Comment"]
    assert not table.isna().any().any()
    assert set(table["Department"]) <= set(DEMO_NAMES(demo))


def DEMO_NAMES(source) -> list[str]:  # noqa: N802 (a constant's worth of names)
    from ptx.query import departments

    return list(departments(source)["department_name"])


def test_a_page_past_the_end_is_the_last_page(demo):
    parking = ptx.comments(demo, search="parking", page_size=10)
    past = ptx.comments(demo, search="parking", page=10_000, page_size=10)
    assert past.page == parking.pages - 1 and len(past.rows) >= 1
    assert past.rows["feedback_id"].tolist() == (
        ptx.comments(demo, search="parking", page=parking.pages - 1, page_size=10)
        .rows["feedback_id"]
        .tolist()
    )


def test_filters_narrow_and_counts_add_up(demo):
    every = ptx.comments(demo)
    parts = [ptx.comments(demo, sentiment=s).total for s in ("positive", "neutral", "negative")]
    assert sum(parts) == every.total
    parking = ptx.comments(demo, themes="transport_parking")
    by_label = ptx.comments(demo, themes=["Transport and parking"])
    assert parking.total == by_label.total > 0
    assert all("Transport and parking" in t for t in parking.rows["themes"])
    rated = ptx.comments(demo, ratings=[4, "Very poor"], page_size=200)
    assert set(rated.rows["rating"]) == {"Poor", "Very poor"}  # FFT answers, not 4 of 10
    with pytest.raises(ptx.PtxError, match="FFT answer 9"):
        ptx.comments(demo, ratings=9)
    with pytest.raises(ptx.PtxError, match="No theme 'Weather'"):
        ptx.comments(demo, themes="Weather")


def test_search_finds_every_word_and_is_only_ever_a_parameter(demo):
    found = ptx.comments(demo, search="PARKING expensive")
    assert found.total > 0
    for text in found.rows["comment"]:
        assert "parking" in text.lower() and "expensive" in text.lower()
    assert found.terms == ("parking", "expensive")
    # SQL and LIKE wildcards are text to look for, not SQL: nothing matches, nothing breaks.
    for hostile in ("'; DROP TABLE feedback; --", "%", "_", "100%", '"a \\ b"'):
        assert ptx.comments(demo, search=hostile).total == 0
    assert ptx.comments(demo).total == _commented(demo)  # the table is still there


def test_wildcards_and_the_escape_character_are_searched_for_as_text(tmp_path):
    texts = ["Sure 100% of the time!", "Ward a_b was fine", "Slash \\ here", "Nothing else"]
    texts = [t for t in texts for _ in range(8)]  # eight of each: not suppressed
    rows = [(f"f{i}", "2025-01-02", "A1", "FFT card", 1, "fft5") for i in range(len(texts))]
    feedback = feedback_rows(rows).assign(comment=texts)
    source = open_location(write_source(tmp_path / "marks.duckdb", feedback=feedback))
    for search, want in [("100%", 8), ("time!", 8), ("!", 8), ("a_b", 8), ("\\", 8), ("_", 8)]:
        assert ptx.comments(source, search=search).total == want, search
    assert ptx.comments(source, search="%").total == 8  # only the comment with a % in it


def test_the_sentiment_split_is_not_shown_when_a_part_is_hidden(demo, tmp_path):
    rows = [(f"f{i}", "2025-01-02", "A1", "FFT card", 1, "fft5") for i in range(15)]
    texts = ["Excellent, thank you"] * 12 + ["Awful and rude"] * 3
    feedback = feedback_rows(rows).assign(comment=texts)
    source = open_location(write_source(tmp_path / "split.duckdb", feedback=feedback))
    found = ptx.comments(source)
    assert dict(found.by_sentiment) == {"positive": 12, "negative": 3}
    # "15 (12 positive, * negative)" would tell the 3: no split at all
    assert found.count_text == "15 comments match"
    off = ptx.comments(source, rule=ptx.Disclosure(enabled=False))
    assert off.count_text == "15 comments match (12 positive, 3 negative)"
    every = ptx.comments(demo)
    assert all(f"{n:,} {s}" in every.count_text for s, n in every.by_sentiment.items())


def test_search_terms_and_segments():
    assert search_terms('Parking "car park"  parking') == ("parking", "car park")
    assert search_terms(None) == ()
    assert segments("Parking and parking", ("parking",)) == [
        ("Parking", True),
        (" and ", False),
        ("parking", True),
    ]
    assert rating_text("fft5", 1) == "Very good" and rating_text("ltr11", 9) == "9 of 10"
    assert rating_text(None, None) == ""


def test_access_restricts_the_list_and_the_counts(demo):
    names = DEMO_NAMES(demo)
    one = names[0]
    access = ptx.Access(every_department=False, departments=(one,), role="team lead")
    mine = ptx.comments(demo, ptx.Filters(access=access), page_size=200)
    chosen = ptx.comments(demo, ptx.Filters(departments=(one,)))
    assert mine.total == chosen.total > 0
    assert set(mine.rows["department"]) == {one}
    trends = ptx.theme_trends(demo, ptx.Filters(access=access))
    assert set(trends.departments["department"]) == {one}


def test_a_role_without_row_level_lists_gets_counts_only(demo):
    executive = ptx.Access(may_see_row_level=False, may_switch_suppression=False, role="executive")
    found = ptx.comments(demo, ptx.Filters(access=executive))
    assert found.rows.empty and found.total > 0
    assert found.note == "Comments are not listed for the executive role."


def test_few_matches_are_not_listed_under_the_rule(tmp_path):
    feedback = feedback_rows([("f1", "2025-01-02", "A1", "FFT card", 1, "fft5")]).assign(
        comment="Dr Patel was lovely, call me on 07700 900123"
    )
    source = open_location(write_source(tmp_path / "one.duckdb", feedback=feedback))
    hidden = ptx.comments(source)
    assert hidden.suppressed and hidden.rows.empty and hidden.count_text.startswith("*")
    shown = ptx.comments(source, rule=ptx.Disclosure(enabled=False))
    assert shown.rows["comment"].tolist() == ["Dr [name] was lovely, call me on [phone]"]


def _months_of_comments() -> pd.DataFrame:
    """18 months of 40 comments each; parking complaints jump in the last three."""
    rows, texts = [], []
    for m in range(18):
        month = f"{2024 + m // 12}-{m % 12 + 1:02d}-05"
        parking = 30 if m >= 15 else 4
        for i in range(40):
            rows.append((f"m{m}-{i}", month, "A1", "FFT card", 1, "fft5"))
            texts.append("Parking was impossible." if i < parking else "The nurses were kind.")
    return feedback_rows(rows).assign(comment=texts)


def test_theme_trends_flag_a_rising_theme(tmp_path):
    source = open_location(write_source(tmp_path / "trend.duckdb", feedback=_months_of_comments()))
    trends = ptx.theme_trends(source, ptx.Filters(start="2024-01-01", end="2025-06-30"))
    parking = trends.months[trends.months["theme"] == "transport_parking"]
    assert len(parking) == 18 and parking["all_comments"].eq(40).all()
    assert parking["share"].iloc[-1] == pytest.approx(75.0)
    assert [s.theme for s in trends.rising] == ["transport_parking"]
    signal = trends.rising[0]
    assert signal.page == "pages/comments.py"
    assert dict(signal.params) == {
        "comments_tab": "Theme trends",
        "trend_theme": "Transport and parking",
    }
    assert signal.sentence.startswith("Transport and parking:")
    assert trends.figure().data and trends.heatmap_figure().data


def test_theme_trends_hide_small_counts_and_their_shares(demo):
    trends = ptx.theme_trends(demo)
    assert ((trends.months["share"] >= 0) & (trends.months["share"] <= 100)).all()
    table = trends.table()
    small = table["Comments"] == "*"
    assert small.any() and (table.loc[small, "% of comments"] == "").all()
    shown = trends.to_frame()
    assert shown.loc[small.to_numpy(), "share"].isna().all()
    # counts per theme agree with the list filtered by that theme
    theme = trends.top_themes(1)[0]
    total = int(trends.months.loc[trends.months["theme"] == theme, "comments"].sum())
    assert total == ptx.comments(demo, themes=theme).total


def test_sqlite_gives_the_same_answers(demo, demo_sqlite):
    lite = open_location(demo_sqlite)
    assert comment_index(lite).in_source
    for kwargs in ({}, {"search": "kind"}, {"themes": "staff_attitude", "sentiment": "negative"}):
        a, b = ptx.comments(demo, **kwargs), ptx.comments(lite, **kwargs)
        assert (a.total, dict(a.by_sentiment)) == (b.total, dict(b.by_sentiment))
        assert a.rows["feedback_id"].tolist() == b.rows["feedback_id"].tolist()


def test_a_source_ptx_only_reads_is_indexed_in_the_cache_incrementally(demo_sqlite, tmp_path):
    copy = tmp_path / "theirs.sqlite"
    shutil.copy(demo_sqlite, copy)
    with sqlite3.connect(copy) as db:
        for table in ("_ptx_comment_themes", "_ptx_comments", "_ptx_comment_meta"):
            db.execute(f"DROP TABLE {table}")
    source = open_location(copy)
    index = comment_index(source)
    assert not index.in_source
    before = ptx.comments(source)
    assert before.total == ptx.comments(open_location(demo_sqlite)).total
    with sqlite3.connect(copy) as db:  # another tool adds a response, and removes one
        db.execute(
            "INSERT INTO feedback (feedback_id, received_date, department_id, channel, rating, "
            "rating_scale, comment) SELECT 'new-1', max(received_date), min(department_id), "
            "'FFT card', 5, 'fft5', 'Parking was a nightmare' FROM feedback"
        )
        gone = db.execute(
            "SELECT feedback_id FROM feedback WHERE comment IS NOT NULL LIMIT 1"
        ).fetchone()[0]
        db.execute("DELETE FROM feedback WHERE feedback_id = ?", (gone,))
    after = ptx.comments(open_location(copy))
    assert after.total == before.total  # one added, one gone
    off = ptx.Disclosure(enabled=False)
    newest = ptx.comments(open_location(copy), search="nightmare", rule=off)
    assert newest.rows["feedback_id"].tolist() == ["new-1"]


def test_a_changed_taxonomy_is_used_without_rewriting_the_source(
    demo_duckdb, tmp_path, monkeypatch
):
    path = tmp_path / "themes.toml"
    path.write_text('[themes.beds]\nlabel = "Beds"\nkeywords = ["bed", "beds"]\n')
    monkeypatch.setenv("PTX_THEMES", str(path))
    source = open_location(demo_duckdb)
    assert not comment_index(source).in_source
    assert ptx.theme_labels(source) == {"beds": "Beds"}
    found = ptx.comments(source, themes="beds")
    assert all("bed" in c.lower() for c in found.rows["comment"])
    assert ptx.comments(source).total == _commented(source)


def test_departments_fixture_names_are_shown_not_ids(tmp_path):
    feedback = _months_of_comments()
    source = open_location(write_source(tmp_path / "names.duckdb", feedback=feedback))
    found = ptx.comments(source, page_size=5)
    assert set(found.rows["department"]) == {DEPARTMENTS.loc[0, "department_name"]}


@pytest.mark.postgres
def test_postgresql_gives_the_same_answers(demo, demo_postgres):
    pg = open_location(demo_postgres)
    assert comment_index(pg).in_source
    for kwargs in ({}, {"search": "Kind"}, {"themes": "staff_attitude", "sentiment": "negative"}):
        a, b = ptx.comments(demo, **kwargs), ptx.comments(pg, **kwargs)
        assert (a.total, dict(a.by_sentiment)) == (b.total, dict(b.by_sentiment))
        assert a.rows["feedback_id"].tolist() == b.rows["feedback_id"].tolist()
    assert ptx.theme_trends(demo).table().equals(ptx.theme_trends(pg).table())
