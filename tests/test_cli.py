import json

import pytest

from ptx.cli import build_parser, main
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
        (["kpis", "{src}", "--department", "NOPE"], "NOPE"),  # names the unknown department
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
    assert "### `complaints` (optional)" in capsys.readouterr().out


# Every target form `ptx demo --help` documents, but PostgreSQL (the demo_postgres fixture in
# tests/conftest.py writes one): (how the help names it, the arguments).
DEMO_TARGETS = [
    (".duckdb", ["{tmp}/d.duckdb"]),
    (".sqlite", ["{tmp}/d.sqlite"]),
    ("csv", ["{tmp}/csv", "--format", "csv"]),
    ("parquet", ["{tmp}/parquet", "--format", "parquet"]),
    ("duckdb:///", ["duckdb:///{tmp}/u.duckdb"]),
    ("sqlite:///", ["sqlite:///{tmp}/u.sqlite"]),
]


def _demo_help() -> str:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return " ".join(sub.choices["demo"].format_help().split())


def test_demo_help_documents_the_target_forms_tested_here():
    text = _demo_help()
    for named, _ in DEMO_TARGETS:
        assert named in text, named
    assert "postgresql://" in text and "data/demo.duckdb in the current folder" in text


@pytest.mark.parametrize(("named", "target"), DEMO_TARGETS, ids=[n for n, _ in DEMO_TARGETS])
def test_every_documented_demo_target_validates(tmp_path, monkeypatch, capsys, named, target):
    monkeypatch.chdir(tmp_path)  # so that a URL misread as a relative path would show up here
    argv = [a.format(tmp=tmp_path) for a in target]
    assert main(["demo", *argv, "--rows", "2000", "--quiet"]) == 0
    assert "2,000 feedback" in capsys.readouterr().out
    assert main(["validate", argv[0]]) == 0
    assert "Result: OK" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir() if ":" in p.name) == []


def test_demo_default_target_is_data_demo_duckdb_here(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ptx: error: No source given") and err.count("\n") == 1
    assert "`ptx demo`" in err
    assert main(["demo", "--rows", "2000", "--quiet"]) == 0  # creates data/
    assert (tmp_path / "data" / "demo.duckdb").is_file()
    capsys.readouterr()
    assert main(["validate"]) == 0
    assert str(tmp_path / "data" / "demo.duckdb") in capsys.readouterr().out


def test_bench_outside_a_checkout_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["bench", "--sizes", "2000"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ptx: error: `ptx bench` must be run from a ptx repository checkout")
    assert err.count("\n") == 1
    # A folder that only looks like one (bench/app_timing.py, another project) is not one.
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "app_timing.py").touch()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n')
    assert main(["bench"]) == 2


def test_bench_finds_the_checkout_from_a_folder_inside_it(tmp_path):
    from ptx.bench import find_checkout
    from tests.conftest import ROOT

    assert find_checkout(ROOT / "docs") == ROOT
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "app_timing.py").touch()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "ptx"\n')
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert find_checkout(tmp_path / "a" / "b") == tmp_path
