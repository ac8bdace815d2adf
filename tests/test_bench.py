"""The benchmark runs end to end at the smallest size (a smoke test: no timing is asserted)."""

import os
import subprocess
import sys

from tests.conftest import ROOT


def test_bench_smoke(tmp_path):
    out = tmp_path / "PERFORMANCE.md"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ptx.cli",
            "bench",
            "--sizes",
            "2000",
            "--engines",
            "duckdb,sqlite",
            "--runs",
            "1",
            "--data-dir",
            str(tmp_path / "data"),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| duckdb | 2,000 |" in done.stdout and "| sqlite | 2,000 |" in done.stdout
    text = out.read_text()
    assert text.startswith("# Performance") and "cores" in text
    assert "bench: measuring duckdb at 2,000 responses" in done.stderr
    if os.environ.get("PTX_REQUIRE_BROWSER") == "1":  # CI: the browser column must be measured
        assert "first chart not measured" not in done.stderr, done.stderr[-3000:]
        # each page's first chart beside the floor, measured in the same run
        assert "| floor: one constant plotly figure |" in done.stdout
        assert "| overview, fresh server |" in done.stdout


def test_report_keeps_the_text_around_the_markers(tmp_path):
    from ptx.bench import END, START, write_report

    out = tmp_path / "PERFORMANCE.md"
    out.write_text(f"# Performance\n\nintro\n\n{START}\nold table\n{END}\n\n## Analysis\nkept\n")
    write_report(out, [], 1, "| new table |")
    text = out.read_text()
    assert "old table" not in text and "| new table |" in text
    assert text.startswith("# Performance\n\nintro") and text.endswith("## Analysis\nkept\n")
