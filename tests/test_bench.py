"""The benchmark runs end to end at the smallest size (a smoke test: no timing is asserted)."""

import subprocess
import sys

from tests.conftest import ROOT


def test_bench_smoke(tmp_path):
    out = tmp_path / "PERFORMANCE.md"
    done = subprocess.run(
        [sys.executable, "-m", "ptx.cli", "bench", "--sizes", "2000", "--engines",
         "duckdb,sqlite", "--runs", "1", "--data-dir", str(tmp_path / "data"), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| duckdb | 2,000 |" in done.stdout and "| sqlite | 2,000 |" in done.stdout
    text = out.read_text()
    assert text.startswith("# Performance") and "cores" in text
    assert "bench: measuring duckdb at 2,000 responses" in done.stderr
