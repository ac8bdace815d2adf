import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ptx
from tests.builders import COMPLAINTS, FEEDBACK, complaint_rows, feedback_rows, write_source
from tests.conftest import open_location


def _report(tmp_path, **tables):
    return ptx.validation_report(open_location(write_source(tmp_path / "s.sqlite", **tables)))


def test_clean_source_passes(tmp_path):
    report = _report(tmp_path)
    assert report.ok and report.quarantined == 0 and not report.warnings
    assert "Result: OK" in report.to_text()


@pytest.mark.parametrize("suffix", [".sqlite", ".duckdb"])
def test_each_rule_quarantines_with_its_reason(tmp_path, suffix):
    complaints = pd.concat(
        [
            COMPLAINTS,
            complaint_rows(
                [
                    ("c9", "A1", "2025-02-10", "2025-02-11", "2025-02-07", "upheld"),
                    ("c10", "A1", "2025-02-10", "2025-02-07", None, None),
                    ("c11", "A1", "2025-02-10", None, "2025-02-12", "dismissed"),
                ]
            ),
        ]
    )
    feedback = pd.concat(
        [
            FEEDBACK,
            feedback_rows(
                [
                    ("f8", "2025-01-02", "A1", "FFT card", 0, "fft5"),
                    ("f9", "2025-01-02", "A1", "FFT card", 11, "ltr11"),
                    ("f10", "2025-01-02", "A1", "FFT card", 3, None),
                    ("f11", "2025-01-02", "A1", "FFT card", 3, "stars"),
                    ("f12", "2025-01-02", "Z9", "FFT card", 1, "fft5"),
                ]
            ),
        ]
    )
    location = write_source(tmp_path / f"s{suffix}", complaints=complaints, feedback=feedback)
    report = ptx.validation_report(open_location(location))
    reasons = dict(zip(report.reasons["reason"], report.reasons["rows"], strict=True))
    assert reasons == {
        "resolved_date is before received_date": 1,
        "acknowledged_date is before received_date": 1,
        "outcome is not one of upheld, partially upheld, not upheld, withdrawn": 1,
        "rating outside the fft5 scale (1-6)": 1,
        "rating outside the ltr11 scale (0-10)": 1,
        "rating given without rating_scale": 1,
        "rating_scale is not one of fft5, ltr11": 1,
        "department_id is not in departments": 1,
    }
    counts = report.tables.set_index("table")
    assert counts.loc["complaints", "rows_quarantined"] == 3
    assert counts.loc["feedback", "rows_loaded"] == len(FEEDBACK)
    # Reasons as often as each other are listed by name: the same order on every engine
    # (databases group in different orders).
    for _, reasons in report.reasons.groupby("table"):
        ordered = reasons.sort_values(["rows", "reason"], ascending=[False, True])
        assert list(reasons["reason"]) == list(ordered["reason"])


def test_unknown_subjects_are_warnings(tmp_path):
    report = _report(tmp_path, complaints=COMPLAINTS.assign(subject="Parking"))
    assert report.ok and report.quarantined == 0  # warnings do not quarantine
    assert any("outside the KO41a list" in w for w in report.warnings)


def test_duplicate_keys_are_quarantined_every_copy(tmp_path):
    """F3: a complaint_id given twice is held twice (not counted twice, nor guessed between)."""
    complaints = pd.concat([COMPLAINTS, COMPLAINTS.iloc[:1]])
    report = _report(tmp_path, complaints=complaints)
    row = report.tables.set_index("table").loc["complaints"]
    assert (row.rows_read, row.rows_quarantined) == (len(complaints), 2)
    assert row.rows_read == row.rows_loaded + row.rows_quarantined
    reasons = report.reasons.set_index("reason")["rows"]
    assert reasons["complaint_id is repeated (every row with it is held)"] == 2


ratings = st.tuples(
    st.sampled_from(["A1", "A2", "B1", "X"]),
    st.one_of(st.none(), st.integers(-2, 12)),
    st.sampled_from(["fft5", "ltr11", None, "bogus"]),
)


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(ratings, min_size=1, max_size=30))
def test_rows_read_equal_loaded_plus_quarantined(tmp_path_factory, rows):
    feedback = feedback_rows(
        [(f"f{i}", "2025-01-05", d, "FFT card", r, s) for i, (d, r, s) in enumerate(rows)]
    )
    folder = tmp_path_factory.mktemp("prop")
    source = open_location(write_source(folder / "s.duckdb", feedback=feedback))
    report = ptx.validation_report(source)
    t = report.tables
    assert (t.rows_read == t.rows_loaded + t.rows_quarantined).all()
    fb = t.set_index("table").loc["feedback"]
    assert fb.rows_read == len(rows)
    listed = ptx.quarantined_rows(source)
    assert (listed["table"] == "feedback").sum() == fb.rows_quarantined
    source.dispose()


BAD_FEEDBACK = feedback_rows(
    [
        ("f8", "2025-01-02", "A1", "FFT card", 0, "fft5"),
        ("f9", "2025-01-02", "Z9", "FFT card", 1, "fft5"),
        ("f10", "2025-01-02", "A1", "FFT card", 3, None),
    ]
)


def test_with_every_verdict_stored_no_statement_evaluates_the_rules(tmp_path):
    """The rules' duplicate and reference checks read the whole table whatever the filters (at
    10 million responses, most of one department's complaint timing): while every row has its
    stored verdict they are left out of the statements, and the counts do not change."""
    import duckdb

    from ptx import query
    from ptx.validate import quarantine_reason, valid

    def sql(expression) -> str:
        return str(expression.compile(compile_kwargs={"literal_binds": True})).upper()

    path = write_source(tmp_path / "s.duckdb", feedback=pd.concat([FEEDBACK, BAD_FEEDBACK]))
    source = open_location(path)
    for name in ("feedback", "complaints"):
        assert "HAVING" not in sql(valid(source, name)), name
        assert "HAVING" not in sql(quarantine_reason(source, name)), name
    counted = query.feedback_counts(source, ptx.Filters(), by=("department_id",))
    assert ptx.validation_report(source).quarantined == 3
    source.dispose()
    # A row added by another tool has no verdict: the source opened again checks the rules.
    with duckdb.connect(path) as conn:
        conn.execute(
            "INSERT INTO feedback (feedback_id, received_date, department_id, channel, rating, "
            "rating_scale) VALUES ('f99', DATE '2025-01-03', 'A1', 'FFT card', 9, 'fft5')"
        )
    again = open_location(path)
    assert "HAVING" in sql(valid(again, "feedback"))
    assert "HAVING" not in sql(valid(again, "complaints"))  # its rows all have verdicts
    pd.testing.assert_frame_equal(
        query.feedback_counts(again, ptx.Filters(), by=("department_id",)), counted
    )
    assert ptx.validation_report(again).quarantined == 4


def test_stored_verdicts_equal_the_rules_and_later_rows_are_still_checked(tmp_path):
    """ptx stores each row's verdict when it writes a source; a copy without them (rules
    evaluated per query) must report and count the same, and a row added afterwards, which
    has no verdict, must still be checked."""
    from ptx import query
    from ptx.rules import REASON_COLUMN
    from ptx.schema import TABLES
    from ptx.summaries import SUMMARIES

    stored = write_source(tmp_path / "stored.sqlite", feedback=pd.concat([FEEDBACK, BAD_FEEDBACK]))
    bare = tmp_path / "bare.sqlite"
    bare.write_bytes(Path(stored).read_bytes())
    with sqlite3.connect(bare) as conn:
        for summary in SUMMARIES.values():
            conn.execute(f'DROP TABLE IF EXISTS "{summary.name}"')
        written = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        for table in set(TABLES) & written:
            conn.execute(f'DROP INDEX "ix_{table}_unchecked"')
            conn.execute(f'ALTER TABLE "{table}" DROP COLUMN "{REASON_COLUMN}"')
    with_verdicts, rules_only = open_location(stored), open_location(bare)
    assert REASON_COLUMN in with_verdicts.table("feedback").c
    assert REASON_COLUMN not in rules_only.table("feedback").c
    for name in ("tables", "reasons"):
        pd.testing.assert_frame_equal(
            getattr(ptx.validation_report(with_verdicts), name),
            getattr(ptx.validation_report(rules_only), name),
        )
    pd.testing.assert_frame_equal(
        query.feedback_counts(with_verdicts, ptx.Filters(), by=("department_id",)),
        query.feedback_counts(rules_only, ptx.Filters(), by=("department_id",)),
    )
    assert ptx.validation_report(with_verdicts).quarantined == 3

    # A row added by another tool after ptx wrote the table: no verdict, so the rules decide.
    with sqlite3.connect(stored) as conn:
        conn.execute(
            "INSERT INTO feedback (feedback_id, received_date, department_id, channel, rating, "
            "rating_scale) VALUES ('f99', '2025-01-03', 'A1', 'FFT card', 9, 'fft5')"
        )
    with_verdicts.dispose()
    report = ptx.validation_report(open_location(stored))
    assert report.quarantined == 4
    assert (
        dict(zip(report.reasons["reason"], report.reasons["rows"], strict=True))[
            "rating outside the fft5 scale (1-6)"
        ]
        == 2
    )
