import json

import pandas as pd
import pytest

import ptx
from ptx.errors import SchemaError
from tests.builders import write_source
from tests.conftest import open_location


def _break_feedback(folder):
    path = folder / "feedback.csv"
    lines = path.read_text().splitlines()
    lines += [
        "bad1,2025-13-45,A1,FFT card,1,fft5,,,,",  # impossible date
        "bad2,2025-01-05,A1,FFT card,very good,fft5,,,,",  # rating is not a number
        "bad3,,A1,FFT card,1,fft5,,,,",  # required date empty
        "bad4,2025-01-05,A1,FFT card,9,fft5,,,,",  # parses, but outside the FFT scale
        "bad5,2025-01-05,ZZ,FFT card,1,fft5,,,,",  # unknown department
    ]
    path.write_text("\n".join(lines) + "\n")


def test_malformed_rows_are_quarantined_not_dropped(tmp_path):
    folder = tmp_path / "csv"
    write_source(folder, fmt="csv")
    _break_feedback(folder)
    source = open_location(folder)
    report = ptx.validation_report(source)
    fb = report.tables.set_index("table").loc["feedback"]
    assert (fb.rows_read, fb.rows_loaded, fb.rows_quarantined) == (12, 7, 5)
    assert (
        report.tables.rows_read == report.tables.rows_loaded + report.tables.rows_quarantined
    ).all()
    assert not report.ok

    rows = ptx.quarantined_rows(source)
    by_id = {json.loads(r.data).get("feedback_id"): r.reason for r in rows.itertuples()}
    assert "'2025-13-45' is not a real date" in by_id["bad1"]
    assert "'very good' is not a whole number" in by_id["bad2"]
    assert by_id["bad3"] == "received_date: required value is empty"
    assert by_id["bad4"] == "rating outside the fft5 scale (1-6)"
    assert by_id["bad5"] == "department_id is not in departments"
    # File row numbers point at the line to fix (data rows counted from 1).
    assert set(rows.loc[rows["reason"].str.contains("not a real date"), "row"]) == {"8"}


def test_quarantined_rows_never_reach_the_kpis(tmp_path):
    folder = tmp_path / "csv"
    write_source(folder, fmt="csv")
    _break_feedback(folder)
    from ptx import query

    counts = query.feedback_counts(open_location(folder), ptx.Filters(), by=())
    assert counts["responses"].sum() == 7


def test_missing_column_in_csv_is_a_clear_error(tmp_path):
    folder = tmp_path / "csv"
    write_source(folder, fmt="csv")
    frame = pd.read_csv(folder / "complaints.csv").drop(columns=["department_id"])
    frame.to_csv(folder / "complaints.csv", index=False)
    with pytest.raises(SchemaError) as err:
        open_location(folder)
    text = str(err.value)
    assert "complaints.csv" in text and "'department_id'" in text and "Fix:" in text


def test_missing_file_is_a_clear_error(tmp_path):
    folder = tmp_path / "csv"
    write_source(folder, fmt="csv")
    (folder / "feedback.csv").unlink()
    (folder / "complaints.csv").unlink()
    with pytest.raises(SchemaError, match="no file for table 'feedback' or 'complaints'"):
        open_location(folder)


def test_import_is_cached_until_a_file_changes(tmp_path):
    folder = tmp_path / "csv"
    write_source(folder, fmt="csv")
    first = open_location(folder)
    first.dispose()
    again = open_location(folder)
    assert again.engine.url == first.engine.url
    again.dispose()
    _break_feedback(folder)
    changed = open_location(folder)
    assert changed.engine.url != first.engine.url


def test_mapped_csv_with_day_first_dates(tmp_path):
    folder = tmp_path / "csv"
    write_source(folder, fmt="csv")
    fb = pd.read_csv(folder / "feedback.csv")
    fb["received_date"] = pd.to_datetime(fb["received_date"]).dt.strftime("%d/%m/%Y")
    fb = fb.rename(columns={"received_date": "Date", "department_id": "Ward"})
    fb.to_csv(folder / "responses.csv", index=False)
    (folder / "feedback.csv").unlink()
    cfg = tmp_path / "ptx.toml"
    cfg.write_text(
        f'[source]\nlocation = "{folder}"\n[tables.feedback]\nname = "responses"\n'
        'date_format = "%d/%m/%Y"\n[tables.feedback.columns]\nreceived_date = "Date"\n'
        'department_id = "Ward"\n'
    )
    source = ptx.open_source(ptx.load_config(cfg))
    assert ptx.validation_report(source).ok
