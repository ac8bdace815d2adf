"""Time importing a CSV export against the bare read it is built on, in the same run.

    python bench/import_timing.py [ROWS ...]     # default: 100000 1000000

For each size it writes the demo source as a folder of CSV files once (bench-data/csv-<rows>/),
then times, three times each (the median is printed):

- ``pandas read``: ``pandas.read_csv(dtype=str)`` of every file, nothing else: the floor;
- ``ptx import``: ``ptx.import_exports`` into a new DuckDB file, with everything an import does
  (per-row dates read in two passes, missing tokens, checks, the report tables).

Prints a Markdown table. Run it with nothing else busy on the machine.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import ptx
from ptx.demo import write_demo

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3


def _timed(action) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _read(files: list[Path]) -> None:
    for path in files:
        pd.read_csv(path, dtype=str, keep_default_na=False)


def _import(folder: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        ptx.import_exports(folder, Path(scratch) / "x.duckdb", config=ptx.Config("x"))


def main(sizes: list[int]) -> None:
    print("| feedback rows | pandas read (s) | ptx import (s) | ratio | rows/s imported |")
    print("|---:|---:|---:|---:|---:|")
    for rows in sizes:
        folder = ROOT / "bench-data" / f"csv-{rows}"
        if not (folder / "feedback.csv").is_file():
            write_demo(folder, rows=rows, fmt="csv")
        files = sorted(folder.glob("*.csv"))

        floor, ours = _timed(lambda f=files: _read(f)), _timed(lambda d=folder: _import(d))
        total = sum(len(pd.read_csv(p, usecols=[0])) for p in files)
        print(f"| {rows:,} | {floor:.2f} | {ours:.2f} | {ours / floor:.1f} | {total / ours:,.0f} |")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
