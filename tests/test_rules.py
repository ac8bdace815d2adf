"""Each quarantine rule of ptx.rules on a one-row table in an in-memory SQLite and DuckDB database.

A case is a valid row with one thing broken; the reason the database gives for it must be the
rule's own text, both evaluated live (reason_expression, NULL when valid) and stored once per
row by record_reasons (the empty string when valid).
"""

from __future__ import annotations

import functools
from datetime import date

import pytest
import sqlalchemy as sa

from ptx.rules import REASON_COLUMN, VALID, model_table, reason_expression, record_reasons, rules
from ptx.schema import SQL_TYPES, TABLES

ENGINES = ("sqlite", "duckdb")
AFTER = f"after {date.today():%Y-%m-%d}"
DEPARTMENTS = [
    {"department_id": "A1", "department_name": "Ward A1", "division": "Medicine", "site": "North"},
]
VALID_ROWS = {
    "departments": {
        "department_id": "B1",
        "department_name": "Clinic B1",
        "division": "Surgery",
        "site": "South",
        "unit": None,
    },
    "feedback": {
        "feedback_id": "f1",
        "received_date": date(2025, 1, 2),
        "department_id": "A1",
        "channel": "FFT card",
        "rating": 1,
        "rating_scale": "fft5",
        "comment": None,
        "age_band": None,
        "sex": None,
        "ethnicity": None,
    },
    "feedback_answers": {
        "feedback_id": "f1",
        "question_id": "q1",
        "answer": 4,
        "answer_scale": "never_always4",
    },
    "complaints": {
        "complaint_id": "c1",
        "department_id": "A1",
        "received_date": date(2025, 1, 6),
        "acknowledged_date": date(2025, 1, 7),
        "resolved_date": date(2025, 1, 20),
        "subject": "Communications",
        "severity": "low",
        "outcome": "upheld",
        "reopened": False,
        "channel": "letter",
    },
    "activity": {"department_id": "A1", "month": date(2025, 1, 1), "episodes": 1000},
}
# Other valid rows: every scale at both ends, open complaints, no rating at all, zero episodes.
MORE_VALID = [
    ("feedback", {"rating": 6}),
    ("feedback", {"rating": 0, "rating_scale": "ltr11"}),
    ("feedback", {"rating": 10, "rating_scale": "ltr11"}),
    ("feedback", {"rating": None, "rating_scale": None}),
    ("feedback", {"rating": None, "rating_scale": "fft5"}),
    ("feedback_answers", {"answer": 1}),
    ("feedback_answers", {"answer": 2, "answer_scale": "yes_no2"}),
    ("feedback_answers", {"answer": 0, "answer_scale": "rating0_10"}),
    ("feedback_answers", {"answer": 10, "answer_scale": "rating0_10"}),
    ("complaints", {"acknowledged_date": None, "resolved_date": None, "outcome": None}),
    ("complaints", {"severity": None, "reopened": None, "channel": None}),
    ("activity", {"eligible": 0}),
    ("activity", {"eligible": 400}),
    ("departments", {"site": None, "division": None}),  # one site and division for all
    ("complaints", {"acknowledged_date": date(2025, 1, 6), "resolved_date": date(2025, 1, 6)}),
    ("complaints", {"received_date": date(1990, 1, 1), "resolved_date": date(1990, 1, 2)}),
    ("complaints", {"resolved_date": date.today()}),  # the latest plausible day
    ("complaints", {"outcome": "withdrawn", "severity": "extreme"}),
    ("activity", {"episodes": 0}),
    ("departments", {"unit": "Bay 3"}),
]


def _required_empty_cases():
    for name, table in TABLES.items():
        for col in table.columns:
            if col.required:
                yield name, {col.name: None}, f"{col.name} is empty"


BROKEN = [
    *_required_empty_cases(),
    ("feedback", {"department_id": "ZZ"}, "department_id is not in departments"),
    ("complaints", {"department_id": "ZZ"}, "department_id is not in departments"),
    ("activity", {"department_id": "ZZ"}, "department_id is not in departments"),
    ("feedback", {"rating_scale": None}, "rating given without rating_scale"),
    ("feedback", {"rating_scale": "stars5"}, "rating_scale is not one of fft5, ltr11"),
    (
        "feedback",
        {"rating_scale": "stars5", "rating": None},
        "rating_scale is not one of fft5, ltr11",
    ),
    ("feedback", {"rating": 0}, "rating outside the fft5 scale (1-6)"),
    ("feedback", {"rating": 7}, "rating outside the fft5 scale (1-6)"),
    ("feedback", {"rating": -1, "rating_scale": "ltr11"}, "rating outside the ltr11 scale (0-10)"),
    ("feedback", {"rating": 11, "rating_scale": "ltr11"}, "rating outside the ltr11 scale (0-10)"),
    (
        "feedback_answers",
        {"answer_scale": "stars5"},
        "answer_scale is not one of never_always4, yes_no2, rating0_10, agree5",
    ),
    (
        "feedback_answers",
        {"answer": 6, "answer_scale": "agree5"},
        "answer outside the agree5 scale (1-5)",
    ),
    ("feedback_answers", {"answer": 0}, "answer outside the never_always4 scale (1-4)"),
    ("feedback_answers", {"answer": 5}, "answer outside the never_always4 scale (1-4)"),
    (
        "feedback_answers",
        {"answer": 3, "answer_scale": "yes_no2"},
        "answer outside the yes_no2 scale (1-2)",
    ),
    (
        "feedback_answers",
        {"answer": 11, "answer_scale": "rating0_10"},
        "answer outside the rating0_10 scale (0-10)",
    ),
    (
        "complaints",
        {"received_date": date(1989, 12, 31)},
        "received_date is outside 1990-2060",
    ),
    (
        "complaints",
        {"acknowledged_date": date(2061, 1, 1)},
        "acknowledged_date is outside 1990-2060",
    ),
    (
        "complaints",
        {"resolved_date": date(2061, 1, 1)},
        "resolved_date is outside 1990-2060",
    ),
    (
        "complaints",
        {"acknowledged_date": date(2025, 1, 5)},
        "acknowledged_date is before received_date",
    ),
    (
        "complaints",
        {"acknowledged_date": None, "resolved_date": date(2025, 1, 5)},
        "resolved_date is before received_date",
    ),
    (
        "complaints",
        {"outcome": "sorted"},
        "outcome is not one of upheld, partially upheld, not upheld, withdrawn",
    ),
    (
        "complaints",
        {"severity": "minor"},
        "severity is not one of low, moderate, high, extreme",
    ),
    ("activity", {"episodes": -1}, "episodes is negative"),
    ("activity", {"eligible": -1}, "eligible is negative"),
    # F4/F1: a mistyped year is held, never taken as the latest data.
    (
        "feedback",
        {"received_date": date(2099, 12, 31)},
        f"received_date is in the future ({AFTER})",
    ),
    (
        "complaints",
        {"received_date": date(2055, 1, 1), "acknowledged_date": None, "resolved_date": None},
        f"received_date is in the future ({AFTER})",
    ),
    (
        "complaints",
        {"acknowledged_date": date(2055, 1, 1), "resolved_date": None},
        f"acknowledged_date is in the future ({AFTER})",
    ),
    (
        "complaints",
        {"resolved_date": date(2055, 1, 1)},
        f"resolved_date is in the future ({AFTER})",
    ),
    ("activity", {"month": date(2055, 1, 1)}, f"month is in the future ({AFTER})"),
]
# F3: rows that share a key are all held (which is right is not ptx's guess): two copies of a
# table's valid row give this reason for both.
REPEATED = {
    "departments": "department_id is repeated (every row with it is held)",
    "feedback": "feedback_id is repeated (every row with it is held)",
    "feedback_answers": "feedback_id and question_id is repeated (every row with it is held)",
    "complaints": "complaint_id is repeated (every row with it is held)",
    "activity": "department_id and month is repeated (every row with it is held)",
}
ANSWER_OF_REPEATED = "feedback_id is repeated in feedback (its responses are held)"


def _source_tables(names: tuple[str, ...]) -> sa.MetaData:
    """Model tables as a source outside ptx may hold them: every column may be NULL."""
    meta = sa.MetaData()
    for name in names:
        columns = [sa.Column(c.name, SQL_TYPES[c.type]) for c in TABLES[name].columns]
        sa.Table(name, meta, *columns)
    return meta


def _case_id(case) -> str:
    name, changes, _ = case
    return f"{name}:" + ",".join(f"{k}={v}" for k, v in changes.items())


@functools.cache
def _engine(kind: str) -> sa.Engine:
    """One in-memory database per engine for the module (opening a DuckDB one costs ~35 ms)."""
    return sa.create_engine("sqlite://" if kind == "sqlite" else "duckdb:///:memory:")


def _reasons(
    kind: str, name: str, rows: list[dict], departments: list[dict] = DEPARTMENTS
) -> tuple[list, list]:
    """(live reasons, stored reasons) of ``rows`` put into ``name`` beside ``departments``,
    in the order of the table's key."""
    engine = _engine(kind)
    meta = _source_tables(tuple(dict.fromkeys(("departments", name))))
    try:
        with engine.begin() as conn:
            meta.create_all(conn)
            if name != "departments":  # the departments' own rules do not look them up
                conn.execute(meta.tables["departments"].insert(), departments)
            conn.execute(meta.tables[name].insert(), rows)
            table = model_table(name, REASON_COLUMN)
            key = [table.c[c] for c in TABLES[name].key]
            live = reason_expression(name, table.c, model_table("departments").c)
            live_reasons = conn.execute(sa.select(live).order_by(*key)).scalars().all()
            record_reasons(conn, tuple(meta.tables))
            stored = sa.select(table.c[REASON_COLUMN]).order_by(*key)
            stored_reasons = conn.execute(stored).scalars().all()
    finally:
        with engine.begin() as conn:
            meta.drop_all(conn)  # with the stored verdicts and the index record_reasons made
    return live_reasons, stored_reasons


def test_every_rule_has_a_case():
    """BROKEN covers every reason rules() can give, so a new rule needs a new case."""
    reasons = set()
    for name in TABLES:
        table = model_table(name)
        departments, feedback = model_table("departments").c, model_table("feedback").c
        reasons |= {text for _, text in rules(name, table.c, departments, feedback=feedback)}
    expected = {text for _, _, text in BROKEN} | set(REPEATED.values()) | {ANSWER_OF_REPEATED}
    expected |= {"rating is not a whole number", "answer is not a whole number"}
    expected |= {f"{c} is not a date (YYYY-MM-DD)" for c in NOT_A_DATE}
    assert reasons == expected


@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize("name", list(REPEATED))
def test_rows_that_share_a_key_are_all_held(kind, name):
    """F3: a key given twice holds both rows (a repeated feedback_id multiplied its answers)."""
    other = VALID_ROWS[name] | ({"department_name": "Copy"} if name == "departments" else {})
    live, stored = _reasons(kind, name, [VALID_ROWS[name], other])
    assert live == stored == [REPEATED[name]] * 2


@pytest.mark.parametrize("kind", ENGINES)
def test_answers_of_a_repeated_response_are_held_with_it(kind):
    """F3: the answers of a feedback_id given twice are held, counted once in the report."""
    engine = _engine(kind)
    meta = _source_tables(("departments", "feedback", "feedback_answers"))
    try:
        with engine.begin() as conn:
            meta.create_all(conn)
            conn.execute(meta.tables["departments"].insert(), DEPARTMENTS)
            conn.execute(meta.tables["feedback"].insert(), [VALID_ROWS["feedback"]] * 2)
            conn.execute(meta.tables["feedback_answers"].insert(), [VALID_ROWS["feedback_answers"]])
            answers = model_table("feedback_answers", REASON_COLUMN)
            live = reason_expression(
                "feedback_answers",
                answers.c,
                model_table("departments").c,
                feedback=model_table("feedback").c,
            )
            assert conn.execute(sa.select(live)).scalars().all() == [ANSWER_OF_REPEATED]
            record_reasons(conn, tuple(meta.tables))
            stored = conn.execute(sa.select(answers.c[REASON_COLUMN])).scalars().all()
            assert stored == [ANSWER_OF_REPEATED]
    finally:
        with engine.begin() as conn:
            meta.drop_all(conn)


@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize("case", BROKEN, ids=_case_id)
def test_each_rule_gives_its_reason(kind, case):
    name, changes, reason = case
    live, stored = _reasons(kind, name, [VALID_ROWS[name] | changes])
    assert live == [reason]
    assert stored == [reason]


@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize(
    "case", [*((name, {}) for name in VALID_ROWS), *MORE_VALID], ids=lambda c: _case_id((*c, ""))
)
def test_valid_rows_get_the_empty_reason(kind, case):
    name, changes = case
    live, stored = _reasons(kind, name, [VALID_ROWS[name] | changes])
    assert live == [None]
    assert stored == [""] and VALID == ""


@pytest.mark.parametrize("kind", ENGINES)
def test_a_row_breaking_several_rules_reports_the_first_in_report_order(kind):
    broken = {"department_id": "ZZ", "acknowledged_date": date(2025, 1, 1), "severity": "minor"}
    row = VALID_ROWS["complaints"] | broken
    _, stored = _reasons(kind, "complaints", [row | {"subject": None}])
    assert stored == ["subject is empty"]
    _, stored = _reasons(kind, "complaints", [row])
    assert stored == ["department_id is not in departments"]
    _, stored = _reasons(kind, "complaints", [row | {"department_id": "A1"}])
    assert stored == ["acknowledged_date is before received_date"]


@pytest.mark.parametrize("kind", ENGINES)
def test_a_department_without_an_id_does_not_make_every_row_unknown(kind):
    # NOT IN over a list holding NULL is never true in SQL: the rule must leave NULL ids out.
    nameless = DEPARTMENTS[0] | {"department_id": None, "department_name": "No id"}
    rows = [VALID_ROWS["activity"], VALID_ROWS["activity"] | {"department_id": "ZZ"}]
    live, stored = _reasons(kind, "activity", rows, [*DEPARTMENTS, nameless])
    assert live == [None, "department_id is not in departments"]
    assert stored == ["", "department_id is not in departments"]


@pytest.mark.parametrize(
    ("name", "changes", "reason"),
    [
        ("feedback", {"rating": 2.5}, "rating is not a whole number"),
        ("feedback_answers", {"answer": 1.5}, "answer is not a whole number"),
    ],
)
def test_a_fraction_is_not_an_answer(name, changes, reason):
    """A database ptx did not write may hold 2.5 in a rating column (SQLite keeps it; DuckDB
    and PostgreSQL round or refuse it on insert into an integer column)."""
    live, stored = _reasons("sqlite", name, [VALID_ROWS[name] | changes])
    assert live == stored == [reason]


NOT_A_DATE = ("received_date", "acknowledged_date", "resolved_date", "month")


@pytest.mark.parametrize("value", ["soon", 5, "31/01/2025"])
def test_text_that_is_not_a_date_is_held(value):
    """SQLite keeps whatever a date column is given: a word or a number is no date."""
    engine = sa.create_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE departments (department_id TEXT)"))
        conn.execute(sa.text("INSERT INTO departments VALUES ('A1')"))
        conn.execute(
            sa.text(
                "CREATE TABLE feedback (feedback_id TEXT, received_date DATE, department_id TEXT, "
                "channel TEXT, rating INTEGER, rating_scale TEXT, comment TEXT, age_band TEXT, "
                "sex TEXT, ethnicity TEXT)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO feedback VALUES ('f1', :d, 'A1', 'card', 1, 'fft5', '', '', '', '')"
            ),
            {"d": value},
        )
        live = reason_expression(
            "feedback", model_table("feedback").c, model_table("departments").c
        )
        assert conn.execute(sa.select(live)).scalars().all() == [
            "received_date is not a date (YYYY-MM-DD)"
        ]
