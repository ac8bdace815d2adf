"""Regression tests for the trust findings: each test names the finding it would have caught.

F1 a date past the working-day calendar crashed the KPIs; F3 a repeated feedback_id multiplied
its answers; F4 one future-dated complaint moved the as-of date and zeroed every figure; F7 two
imports of one folder at once crashed each other; F10/F11 database faults and credentials.
Caches: private files, one per source, ``ptx cache clear``.
"""

from __future__ import annotations

import multiprocessing
import stat
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

import ptx
from ptx import cache
from ptx.cli import main
from ptx.demo import write_demo
from tests.builders import COMPLAINTS, FEEDBACK, complaint_rows, feedback_rows, write_source
from tests.conftest import ROOT, open_location


def _future_rows():
    feedback = pd.concat(
        [FEEDBACK, feedback_rows([("f99", "2099-12-31", "A1", "FFT card", 1, "fft5")])]
    )
    complaints = pd.concat(
        [COMPLAINTS, complaint_rows([("c99", "A1", "2055-01-01", None, None, None)])]
    )
    return feedback, complaints


@pytest.mark.parametrize("fmt", ["duckdb", "sqlite", "csv"])
def test_f4_a_future_date_is_held_and_does_not_move_the_as_of_date(tmp_path, fmt):
    feedback, complaints = _future_rows()
    target = tmp_path / ("src" if fmt == "csv" else f"src.{fmt}")
    source = open_location(
        write_source(
            target, fmt="csv" if fmt == "csv" else None, feedback=feedback, complaints=complaints
        )
    )
    assert ptx.as_of(source) == date(2025, 1, 13)  # the latest plausible row, not 2099
    report = ptx.validation_report(source)
    reasons = report.reasons.set_index(["table", "reason"])["rows"]
    after = f"after {date.today():%Y-%m-%d}"
    assert reasons[("feedback", f"received_date is in the future ({after})")] == 1
    assert reasons[("complaints", f"received_date is in the future ({after})")] == 1
    t = report.tables
    assert (t.rows_read == t.rows_loaded + t.rows_quarantined).all()
    kpis = ptx.headline(source, rule=ptx.Disclosure(enabled=False)).kpis.set_index("kpi")
    assert kpis.at["responses", "value"] == len(FEEDBACK)  # F1: no crash


def test_f1_an_as_of_date_past_the_calendar_is_a_clear_error(tmp_path):
    source = open_location(write_source(tmp_path / "s.duckdb"))
    for call in (ptx.headline, ptx.complaint_timing, ptx.oldest_open, ptx.complaint_backlog):
        with pytest.raises(ptx.PtxError, match="outside ptx's working-day calendar"):
            call(source, as_of=date(2100, 1, 1))


def test_f1_a_configured_future_as_of_date_is_a_config_error(tmp_path):
    config = tmp_path / "ptx.toml"
    config.write_text('[source]\nas_of = "2100-01-01"\n')
    with pytest.raises(ptx.ConfigError, match=r"as_of = 2100-01-01 is in the future"):
        ptx.load_config(config, location=str(tmp_path))


def test_f1_the_overview_shows_figures_with_a_future_dated_row(tmp_path, monkeypatch):
    feedback, complaints = _future_rows()
    location = write_source(tmp_path / "s.duckdb", feedback=feedback, complaints=complaints)
    monkeypatch.setenv("PTX_SOURCE", location)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.metric  # the tiles are drawn


def test_f3_a_repeated_feedback_id_does_not_repeat_its_answers(tmp_path):
    """Read 138 answers, loaded 168: the store joined each answer to every copy of its response."""
    folder = tmp_path / "csv"
    write_demo(folder, rows=400, complaints=40, fmt="csv")
    feedback = pd.read_csv(folder / "feedback.csv")
    answers = pd.read_csv(folder / "feedback_answers.csv")
    repeated = feedback[feedback.feedback_id.isin(answers.feedback_id)].head(5)
    pd.concat([feedback, repeated]).to_csv(folder / "feedback.csv", index=False)
    source = open_location(folder)
    t = ptx.validation_report(source).tables.set_index("table")
    assert t.at["feedback_answers", "rows_read"] == len(answers)
    assert t.at["feedback_answers", "rows_loaded"] + t.at[
        "feedback_answers", "rows_quarantined"
    ] == len(answers)
    held = answers.feedback_id.isin(repeated.feedback_id).sum()
    assert t.at["feedback_answers", "rows_quarantined"] == held > 0
    assert t.at["feedback", "rows_quarantined"] == 2 * len(repeated)
    with source.engine.connect() as conn:  # the cache holds each answer once
        stored = conn.execute(sa.text("SELECT count(*) FROM feedback_answers")).scalar_one()
    assert stored == len(answers)


def _validate(folder: str, cache_dir: str, queue) -> None:
    import os

    os.environ["PTX_CACHE_DIR"] = cache_dir
    try:
        queue.put(main(["validate", folder]))
    except BaseException as exc:  # anything but an exit status is the failure under test
        queue.put(repr(exc))


def test_f7_two_validations_of_one_folder_at_once_both_finish(tmp_path):
    folder = tmp_path / "csv"
    write_demo(folder, rows=20_000, complaints=500, fmt="csv")
    cache_dir = tmp_path / "cache"
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    runs = [
        context.Process(target=_validate, args=(str(folder), str(cache_dir), queue))
        for _ in range(2)
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join(300)
    results = [queue.get(timeout=5) for _ in runs]
    assert all(r in (0, 1) for r in results), results
    assert len(list(cache_dir.glob("*.duckdb"))) == 1  # built once, by one of them


def test_caches_are_private_replaced_and_cleared(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PTX_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "csv"
    write_demo(folder, rows=500, complaints=50, fmt="csv")
    open_location(folder).dispose()
    (first,) = (tmp_path / "cache").glob("*.duckdb")
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    frame = pd.read_csv(folder / "complaints.csv")
    frame.head(10).to_csv(folder / "complaints.csv", index=False)  # an edit: a new cache
    open_location(folder).dispose()
    (second,) = (tmp_path / "cache").glob("*.duckdb")  # the old one is gone
    assert second != first and stat.S_IMODE(second.stat().st_mode) == 0o600
    assert main(["cache", "clear"]) == 0
    assert "Deleted 1 cached source(s)" in capsys.readouterr().out
    assert not list((tmp_path / "cache").glob("*.duckdb"))
    assert cache.clear() == []


def test_f11_a_password_is_never_printed(capsys):
    url = "postgresql://ptx:S3cret-Pw@127.0.0.1:1/ptx"
    assert main(["demo", url, "--rows", "10", "--quiet"]) == 2
    assert main(["kpis", url]) == 2
    out = capsys.readouterr()
    assert "S3cret-Pw" not in out.out + out.err
    assert "Connection refused" in out.err or "connection" in out.err.lower()


def test_f11_a_text_file_named_sqlite_is_a_clear_error(tmp_path, capsys):
    fake = tmp_path / "survey.sqlite"
    fake.write_text("respondent,rating\n1,5\n")
    with pytest.raises(ptx.SourceError, match="file is not a database"):
        open_location(fake)
    assert main(["validate", str(fake)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_f10_connections_are_checked_before_use(tmp_path):
    source = open_location(write_source(tmp_path / "s.sqlite"))
    assert source.engine.pool._pre_ping


def test_f10_a_runaway_postgresql_statement_is_cancelled(demo_postgres, tmp_path):
    config = tmp_path / "ptx.toml"
    config.write_text("[source]\nstatement_timeout_seconds = 0.5\n")
    source = ptx.open_source(ptx.load_config(config, location=demo_postgres))
    with (
        pytest.raises(sa.exc.OperationalError, match="statement timeout"),
        source.engine.connect() as conn,
    ):
        conn.execute(sa.text("SELECT pg_sleep(3)"))
    source.dispose()


@pytest.mark.parametrize(
    "setting, message",
    [
        ("future_days = -1", "future_days must be 0 or more"),
        ('future_days = "2"', "future_days must be a whole number"),
        ("statement_timeout_seconds = 0", "statement_timeout_seconds must be more than 0"),
        ("statement_timeout_seconds = true", "statement_timeout_seconds must be a number"),
    ],
)
def test_source_settings_are_checked(tmp_path, setting, message):
    config = tmp_path / "ptx.toml"
    config.write_text(f"[source]\n{setting}\n")
    with pytest.raises(ptx.ConfigError, match=message):
        ptx.load_config(config, location=str(tmp_path))


def test_future_days_allows_rows_a_little_ahead(tmp_path):
    ahead = date.fromordinal(date.today().toordinal() + 2)
    feedback = pd.concat(
        [FEEDBACK, feedback_rows([("f99", ahead.isoformat(), "A1", "FFT card", 1, "fft5")])]
    )
    location = write_source(tmp_path / "csv", fmt="csv", feedback=feedback)
    config = tmp_path / "ptx.toml"
    config.write_text("[source]\nfuture_days = 3\n")
    tolerant = ptx.open_source(ptx.load_config(config, location=location))
    assert ptx.validation_report(tolerant).quarantined == 0
    assert ptx.validation_report(open_location(location)).quarantined == 1
