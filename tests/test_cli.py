import json

import pytest

from ptx.cli import main
from tests.builders import write_source
from tests.test_ingest import _break_feedback


def test_demo_then_validate_then_kpis(tmp_path, capsys):
    target = tmp_path / "demo.sqlite"
    assert main(["demo", str(target), "--rows", "3000", "--quiet"]) == 0
    assert "3,000 feedback" in capsys.readouterr().out
    assert main(["validate", str(target)]) == 0
    assert "Result: OK" in capsys.readouterr().out
    assert main(["kpis", str(target), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["as_of"] == "2026-09-30" and out["from"] == "2025-10-01"
    kpis = {k["kpi"]: k for k in out["kpis"]}
    assert kpis["responses"]["value"] > 0 and 0 <= kpis["fft_pct_positive"]["value"] <= 100


def test_kpis_filters_and_table(tmp_path, capsys):
    target = tmp_path / "demo.duckdb"
    main(["demo", str(target), "--rows", "3000", "--quiet"])
    capsys.readouterr()
    assert (
        main(
            [
                "kpis",
                str(target),
                "--department",
                "HVH-SUR-ORTH",
                "--from",
                "2025-01-01",
                "--to",
                "2025-12-31",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "from 2025-01-01 to 2025-12-31" in out and "FFT % positive" in out
    assert main(["kpis", str(target), "--format", "json", "--division", "Surgery"]) == 0
    assert json.loads(capsys.readouterr().out)["filters"]["division"] == ["Surgery"]


def test_progress_bar_for_demo(tmp_path, capsys):
    assert main(["demo", str(tmp_path / "p.duckdb"), "--rows", "2000"]) == 0
    err = capsys.readouterr().err
    assert "feedback [" in err and "2,000/2,000" in err
    assert "validation verdict, and the daily summaries…" in err  # the steps after the bar
    assert main(["demo", str(tmp_path / "q.duckdb"), "--rows", "2000", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_validate_fails_on_quarantined_rows(tmp_path, capsys):
    folder = tmp_path / "csv"
    write_source(folder, fmt="csv")
    _break_feedback(folder)
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "5 row(s) quarantined" in out and "department_id is not in departments" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["validate", "/nonexistent/x.duckdb"], "does not exist"),
        (["kpis", "{src}", "--department", "NOPE"], "Unknown department id(s): NOPE"),
        (["kpis", "{src}", "--from", "2025-02-01", "--to", "2025-01-01"], "swap them"),
        (["demo", "{tmp}/x.xlsx"], "Cannot tell what to write"),
    ],
)
def test_known_errors_are_one_line_and_exit_2(tmp_path, capsys, argv, message):
    src = write_source(tmp_path / "s.duckdb")
    argv = [a.format(src=src, tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("ptx: error:") and message in err and "Traceback" not in err


def test_bad_date_argument(capsys):
    with pytest.raises(SystemExit):
        main(["kpis", "--from", "last week"])
    assert "write YYYY-MM-DD" in capsys.readouterr().err


def test_schema_prints_the_data_model(capsys):
    assert main(["schema"]) == 0
    assert "### `complaints` (required)" in capsys.readouterr().out
