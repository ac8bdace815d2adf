import re

import duckdb
import pytest
import sqlalchemy as sa

import ptx
from ptx.errors import SchemaError, SourceError
from tests.builders import write_source
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
    con.execute("DROP TABLE activity")
    con.close()
    with pytest.raises(SchemaError, match="no table 'activity'"):
        open_location(db)


def test_optional_table_may_be_absent(tmp_path):
    source = open_location(write_source(tmp_path / "s.duckdb"))
    assert not source.has("feedback_answers")


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
    spreadsheet = tmp_path / "thing.xlsx"
    spreadsheet.write_bytes(b"PK\x03\x04")  # exists, so only its suffix can refuse it
    with pytest.raises(SourceError) as caught:
        open_location(spreadsheet)
    assert str(caught.value) == (
        f"Cannot tell what kind of source {spreadsheet} is: use .duckdb, .sqlite or a folder."
    )


def test_single_csv_file_is_refused_with_advice(tmp_path):
    f = tmp_path / "feedback.csv"
    f.write_text("a\n1\n")
    with pytest.raises(SourceError, match="point ptx at the folder"):
        open_location(f)


def test_unreachable_server_is_a_source_error():
    with pytest.raises(SourceError, match="Cannot read"):
        open_location("postgresql://nobody@127.0.0.1:9/none")
