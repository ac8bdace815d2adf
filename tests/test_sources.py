import re

import duckdb
import pytest
import sqlalchemy as sa

import ptx
from ptx import query
from ptx.errors import SchemaError, SourceError
from ptx.schema import TABLES
from tests.builders import COMPLAINTS, DEPARTMENTS, write_source
from tests.conftest import open_location


@pytest.mark.parametrize("suffix", [".duckdb", ".sqlite"])
def test_opens_database_files_with_model_columns(tmp_path, suffix):
    source = open_location(write_source(tmp_path / f"s{suffix}"))
    assert source.kind == suffix[1:]
    assert set(source.tables) == {"departments", "feedback", "complaints", "activity"}
    with source.engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(source.table("feedback"))).scalar()
    assert n == 7


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_opens_a_folder_of_files(tmp_path, fmt):
    source = open_location(write_source(tmp_path / "folder", fmt=fmt))
    assert source.kind == fmt and source.imported
    report = ptx.validation_report(source)
    assert report.tables.set_index("table").loc["feedback", "rows_loaded"] == 7


def test_column_and_table_names_are_mapped_by_config(tmp_path):
    db = tmp_path / "other.duckdb"
    write_source(db)
    con = duckdb.connect(str(db))
    con.execute('ALTER TABLE feedback RENAME TO "FFT Responses"')
    con.execute('ALTER TABLE "FFT Responses" RENAME COLUMN received_date TO "Date"')
    con.execute('ALTER TABLE "FFT Responses" DROP COLUMN rating_scale')
    con.close()
    cfg = tmp_path / "ptx.toml"
    cfg.write_text(
        f'[source]\nlocation = "{db}"\n'
        '[tables.feedback]\nname = "FFT Responses"\n'
        '[tables.feedback.columns]\nreceived_date = "Date"\n'
        '[tables.feedback.constants]\nrating_scale = "fft5"\n'
    )
    source = ptx.open_source(ptx.load_config(cfg))
    fb = source.table("feedback")
    with source.engine.connect() as conn:
        rows = conn.execute(sa.select(fb.c.received_date, fb.c.rating_scale)).all()
    assert len(rows) == 7 and {r.rating_scale for r in rows} == {"fft5"}


def test_missing_required_column_names_table_column_and_fix(tmp_path):
    db = tmp_path / "s.duckdb"
    write_source(db)
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE complaints DROP COLUMN received_date")
    con.close()
    with pytest.raises(SchemaError) as err:
        open_location(db)
    text = str(err.value)
    assert (
        "complaints" in text and "received_date" in text and "[tables.complaints.columns]" in text
    )


def test_missing_required_table(tmp_path):
    db = tmp_path / "s.duckdb"
    write_source(db)
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE _ptx_feedback_daily")
    con.execute("DROP TABLE feedback")
    con.close()
    complaints_only = open_location(db)
    assert "feedback" in complaints_only.absent  # complaints alone are a source
    complaints_only.dispose()
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE complaints")
    con.close()
    with pytest.raises(SchemaError, match="no table 'feedback' or 'complaints'"):
        open_location(db)


def test_optional_table_may_be_absent(tmp_path):
    source = open_location(write_source(tmp_path / "s.duckdb"))
    assert not source.has("feedback_answers")
    assert source.absent == {"feedback_answers"}


@pytest.mark.parametrize("suffix", [".duckdb", ".sqlite"])
def test_a_missing_or_empty_optional_table_is_absent_and_stood_in_for(tmp_path, suffix):
    """Complaints and activity may be missing (or header-only): queries run on a stand-in with
    the model's columns and no rows, and the source says which tables it lacks."""
    empty = COMPLAINTS.iloc[0:0]
    source = open_location(
        write_source(tmp_path / f"s{suffix}", without=("activity",), complaints=empty)
    )
    assert set(source.tables) == {"departments", "feedback", "complaints"}
    assert not source.has("activity") and source.has("complaints")
    assert source.absent == {"activity", "complaints", "feedback_answers"}
    stand_in = source.table("activity")
    assert [c.name for c in stand_in.c] == list(TABLES["activity"].column_names)
    with source.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(stand_in)).scalar() == 0
    assert not source.filled("activity", "eligible")
    # An optional column present and empty is told apart from one with values.
    full = open_location(write_source(tmp_path / f"full{suffix}"))
    assert full.absent == {"feedback_answers"} and not full.filled("activity", "eligible")
    assert full.filled("activity", "episodes")


def test_departments_without_site_or_division_are_in_one_of_each(tmp_path):
    db = tmp_path / "s.duckdb"
    write_source(db, departments=DEPARTMENTS.drop(columns=["site", "division"]))
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE departments DROP COLUMN site")
    con.execute("ALTER TABLE departments DROP COLUMN division")
    con.close()
    deps = query.departments(open_location(db))
    assert set(deps["site"]) == {"All sites"} and set(deps["division"]) == {"All divisions"}
    config = tmp_path / "ptx.toml"
    config.write_text(
        f'[source]\nlocation = "{db}"\n[hierarchy]\nsite = "Riverside Surgery"\n'
        'division = "General practice"\n'
    )
    deps = query.departments(ptx.open_source(ptx.load_config(config)))
    assert set(deps["site"]) == {"Riverside Surgery"}
    assert set(deps["division"]) == {"General practice"}


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("nowhere.duckdb", "does not exist. Build it with `ptx demo`."),
        ("nowhere.sqlite", "does not exist. Or point PTX_SOURCE elsewhere."),
    ],
)
def test_missing_locations(tmp_path, location, message):
    with pytest.raises(SourceError, match=re.escape(message)):
        open_location(tmp_path / location)


def test_existing_file_of_an_unknown_kind_is_refused_with_the_kinds_it_can_read(tmp_path):
    document = tmp_path / "thing.docx"
    document.write_bytes(b"PK\x03\x04")  # exists, so only its suffix can refuse it
    with pytest.raises(SourceError) as caught:
        open_location(document)
    assert str(caught.value) == (
        f"Cannot tell what kind of source {document} is: use .duckdb, .sqlite, a folder of "
        "export files or one export file (.csv, .tsv, .txt, .xlsx, .parquet)."
    )


def test_single_export_file_is_imported_as_its_table_and_misfits_are_named(tmp_path):
    f = tmp_path / "feedback.csv"
    f.write_text("a\n1\n")
    with pytest.raises(SchemaError, match="has no column 'feedback_id', 'received_date'"):
        open_location(f)


def test_unreachable_server_is_a_source_error():
    """In words of ptx's own (the server passes; the driver's text holds the address)."""
    with pytest.raises(SourceError, match="could not be reached: the connection was refused"):
        open_location("postgresql://nobody:pw@127.0.0.1:9/none")
