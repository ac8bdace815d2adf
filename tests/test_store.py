"""ptx.store: what the Writer puts in a DuckDB or SQLite file is what it was given, conform()
gives the model's columns and types, and normalise_url() picks psycopg 3 for PostgreSQL URLs."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from ptx.errors import SourceError
from ptx.rules import REASON_COLUMN
from ptx.schema import SQL_TYPES, TABLES
from ptx.store import Writer, conform, normalise_url
from tests import builders

# Values that tend to get lost on the way: NULLs in every optional column, both booleans, a
# 64-bit integer, the calendar's first and last days, non-ASCII text, quotes and an empty string.
DEPARTMENTS = pd.concat(
    [
        builders.DEPARTMENTS,
        pd.DataFrame(
            {
                "department_id": ["C9"],
                "department_name": ["Urgences pédiatriques – Nord"],
                "division": ['Children\'s "Acute"'],
                "site": ["South"],
                "unit": ["Bay 3"],
            }
        ),
    ],
    ignore_index=True,
)
FEEDBACK = builders.feedback_rows(
    [
        ("f1", "2025-01-02", "A1", "FFT card", 1, "fft5"),
        ("f2", "1990-01-01", "A2", "FFT SMS", 6, "fft5"),
        ("f3", "2026-01-31", "B1", "Online survey", 0, "ltr11"),
        ("f4", "2025-01-13", "C9", "Suggestion box", None, None),
    ]
).assign(
    comment=["Très bien, merci 😊", None, "", "line one\nline two"],
    age_band=["18-34", None, "65+", None],
    sex=[None, "Female", None, "Male"],
    ethnicity=["White", None, None, "Asian or Asian British"],
)
FEEDBACK_ANSWERS = pd.DataFrame(
    {
        "feedback_id": ["f1", "f1", "f3"],
        "question_id": ["q1", "q2", "q1"],
        "answer": [4, 2, 10],
        "answer_scale": ["never_always4", "yes_no2", "rating0_10"],
    }
)
COMPLAINTS = builders.complaint_rows(
    [
        ("c1", "A1", "2025-01-06", "2025-01-07", "2025-01-20", "upheld"),
        ("c2", "A2", "2025-01-08", "2025-01-09", None, None),
        ("c3", "B1", "2025-01-09", None, None, None),
    ]
).assign(
    severity=["low", None, "extreme"],
    reopened=[True, False, None],
    channel=["letter", None, "online form"],
)
ACTIVITY = pd.DataFrame(
    {
        "department_id": ["A1", "A2", "C9"],
        "month": [date(2025, 1, 1), date(2025, 1, 1), date(2025, 2, 1)],
        "episodes": [2**40, 0, 250],
    }
)
FRAMES = {
    "departments": DEPARTMENTS,
    "feedback": FEEDBACK,
    "feedback_answers": FEEDBACK_ANSWERS,
    "complaints": COMPLAINTS,
    "activity": ACTIVITY,
}


def _in_key_order(name: str, rows) -> list[tuple]:
    at = [TABLES[name].column_names.index(c) for c in TABLES[name].key]
    return sorted((tuple(r) for r in rows), key=lambda r: [r[i] for i in at])


def _records(name: str, frame: pd.DataFrame) -> list[tuple]:
    """The rows as given (not through conform), as Python values with NULL as None."""
    plain = frame.reindex(columns=TABLES[name].column_names).astype(object)
    return _in_key_order(name, plain.where(plain.notna(), None).itertuples(index=False))


def _write(target, frames: dict[str, pd.DataFrame], *, chunks: int = 2) -> None:
    """Write ``frames``, each appended in ``chunks`` pieces as a large import would be."""
    writer = Writer(target, tuple(frames))
    for name, frame in frames.items():
        size = max(1, -(-len(frame) // chunks))
        for start in range(0, len(frame), size):
            writer.append(name, frame.iloc[start : start + size])
    writer.close()


def _read(url: str, name: str) -> tuple[list[tuple], list[str]]:
    """(rows of the model's columns in key order, each row's stored verdict) of one table."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            # Typed by the model, not reflected: SQLite stores dates as text, booleans as 0/1.
            columns = [sa.column(c.name, SQL_TYPES[c.type]) for c in TABLES[name].columns]
            table = sa.table(name, *columns, sa.column(REASON_COLUMN, sa.Text))
            rows = _in_key_order(name, conn.execute(sa.select(table)).all())
    finally:
        engine.dispose()
    return [r[:-1] for r in rows], [r[-1] for r in rows]


@pytest.fixture(scope="module", params=["duckdb", "sqlite"])
def written(request, tmp_path_factory) -> str:
    """The SQLAlchemy URL of the frames written to a file of each kind (read only)."""
    path = tmp_path_factory.mktemp("store") / f"source.{request.param}"
    _write(path, FRAMES)
    return f"{request.param}:///{path}"


@pytest.mark.parametrize("name", list(FRAMES))
def test_writing_keeps_every_value(written, name):
    rows, reasons = _read(written, name)
    assert rows == _records(name, FRAMES[name])
    assert reasons == [""] * len(FRAMES[name])  # every row here is valid


def test_values_keep_their_python_types(written):
    rows, _ = _read(written, "complaints")
    c1 = dict(zip(TABLES["complaints"].column_names, rows[0], strict=True))
    assert c1["complaint_id"] == "c1" and c1["received_date"] == date(2025, 1, 6)
    assert type(c1["received_date"]) is date and c1["reopened"] is True
    (big,) = [r for r in _read(written, "activity")[0] if r[0] == "A1"]
    assert big[2] == 2**40 and isinstance(big[2], int)


@pytest.mark.parametrize("kind", ["duckdb", "sqlite"])
def test_writing_again_replaces_what_was_written(tmp_path, kind):
    path = tmp_path / f"source.{kind}"
    _write(path, FRAMES)
    _write(path, FRAMES | {"feedback": FEEDBACK.iloc[:1]}, chunks=1)
    rows, reasons = _read(f"{kind}:///{path}", "feedback")
    assert rows == _records("feedback", FEEDBACK.iloc[:1]) and reasons == [""]


def test_a_bad_row_is_kept_with_its_reason(tmp_path):
    path = tmp_path / "bad.sqlite"
    bad = builders.ACTIVITY.assign(episodes=[1000, -5, 250])
    _write(path, FRAMES | {"activity": bad}, chunks=1)
    rows, reasons = _read(f"sqlite:///{path}", "activity")
    assert [(r[0], r[2]) for r in rows] == [("A1", 1000), ("A2", -5), ("B1", 250)]
    assert reasons == ["", "episodes is negative", ""]


@pytest.mark.parametrize(
    ("target", "message"),
    [("out.xlsx", "Cannot tell what to write"), ("folder", "say --format csv or --format parquet")],
)
def test_targets_it_cannot_write(tmp_path, target, message):
    with pytest.raises(SourceError, match=message):
        Writer(tmp_path / target, ("departments",))


def test_conform_casts_to_the_model_types():
    frame = pd.DataFrame(
        {
            "episodes": [1.0, None, 3],  # float with a gap, as a CSV reader gives it
            "extra": ["dropped", "dropped", "dropped"],
            "month": ["2025-01-01", pd.Timestamp("2025-02-01"), date(2025, 3, 1)],
            "department_id": [7, "A1", None],  # a numeric-looking id stays text
        }
    )
    out = conform(frame, TABLES["activity"])
    assert list(out.columns) == ["department_id", "month", "episodes", "eligible"]
    assert out.dtypes.astype(str).tolist() == ["string", "object", "Int64", "Int64"]
    assert out["eligible"].isna().all()  # an optional column the frame lacks: empty
    assert out["department_id"].tolist()[:2] == ["7", "A1"] and out["department_id"].isna()[2]
    assert out["month"].tolist() == [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
    assert all(type(d) is date for d in out["month"])
    assert out["episodes"].tolist()[::2] == [1, 3] and out["episodes"].isna()[1]
    assert out.index.equals(frame.index)


def test_conform_fills_missing_columns_and_casts_booleans():
    out = conform(
        pd.DataFrame({"complaint_id": ["c1", "c2"], "reopened": [True, None]}),
        TABLES["complaints"],
    )
    assert list(out.columns) == list(TABLES["complaints"].column_names)
    assert str(out["reopened"].dtype) == "boolean"
    assert out["reopened"].isna().tolist() == [False, True] and bool(out["reopened"].iloc[0])
    for col in ("subject", "severity", "resolved_date"):
        assert out[col].isna().all()
    assert str(out["subject"].dtype) == "string"


def test_conform_of_no_rows_has_the_model_columns():
    for name, spec in TABLES.items():
        out = conform(pd.DataFrame(), spec)
        assert out.empty and list(out.columns) == list(spec.column_names), name


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://user:password@host:5432/px",
            "postgresql+psycopg://user:password@host:5432/px",
        ),
        ("postgresql://px@db.example.org/px", "postgresql+psycopg://px@db.example.org/px"),
        ("postgres://px@db.example.org/px", "postgresql+psycopg://px@db.example.org/px"),
        (
            "postgresql://u:p%40ss@h/px?sslmode=require",
            "postgresql+psycopg://u:p%40ss@h/px?sslmode=require",
        ),
        # A driver already named is kept, as is any other dialect.
        ("postgresql+psycopg2://px@h/px", "postgresql+psycopg2://px@h/px"),
        ("postgresql+psycopg://px@h/px", "postgresql+psycopg://px@h/px"),
        ("sqlite:///trust.sqlite", "sqlite:///trust.sqlite"),
        ("mysql+pymysql://px@h/px", "mysql+pymysql://px@h/px"),
    ],
)
def test_normalise_url(url, expected):
    assert normalise_url(url) == expected
    parsed = sa.engine.make_url(normalise_url(url))
    assert parsed.render_as_string(hide_password=False) == expected


def test_duckdb_writes_under_its_memory_limit_spilling_to_disk(tmp_path, monkeypatch):
    """A build bigger than DuckDB's memory limit sorts on disk and gives the same file: the
    default limit (80 % of the machine) let a 100-million-response build be killed for memory."""
    import duckdb

    from ptx import demo, store

    monkeypatch.delenv("PTX_DUCKDB_MEMORY", raising=False)
    assert store.duckdb_write_config() == {"memory_limit": f"{store._memory_mb() // 2}MB"}
    demo.write_demo(tmp_path / "roomy.duckdb", rows=300_000)
    monkeypatch.setenv("PTX_DUCKDB_MEMORY", "64MB")
    writer = Writer(tmp_path / "probe.duckdb", ("departments",))
    limit = writer._duck.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    writer.discard()
    assert limit == "61.0 MiB"  # 64,000,000 bytes
    demo.write_demo(tmp_path / "tight.duckdb", rows=300_000)
    tables = ("feedback", "feedback_answers", "complaints")
    read = {}
    for name in ("roomy", "tight"):
        with duckdb.connect(str(tmp_path / f"{name}.duckdb"), read_only=True) as conn:
            read[name] = {t: conn.sql(f"SELECT * FROM {t}").df() for t in tables}
    for t in tables:
        pd.testing.assert_frame_equal(read["tight"][t], read["roomy"][t])  # rows in one order
