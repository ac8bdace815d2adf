"""The naive dashboard pattern, for comparison: read whole tables into pandas, group there.

Run by ``ptx bench`` in a fresh process: ``python bench/naive.py URL``. Prints seconds and peak
resident memory as JSON. This is what many Streamlit dashboards do on every rerun.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

url = sys.argv[1]
engine = sa.create_engine(url, connect_args={"read_only": True} if url.startswith("duckdb") else {})
start = time.perf_counter()
with engine.connect() as conn:
    tables = {
        name: pd.read_sql_query(sa.text(f"SELECT * FROM {name}"), conn)
        for name in ("departments", "feedback", "complaints", "activity")
    }
fb = tables["feedback"]
fb["month"] = pd.to_datetime(fb["received_date"]).dt.to_period("M")
fft = fb[fb["rating_scale"] == "fft5"]
summary = fft.groupby(["month", "department_id"]).agg(
    responses=("rating", "size"), positive=("rating", lambda r: r.isin([1, 2]).sum())
)
complaints = tables["complaints"]
complaints["month"] = pd.to_datetime(complaints["received_date"]).dt.to_period("M")
received = complaints.groupby(["month", "department_id"]).size()
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
for line in Path("/proc/self/status").read_text().splitlines():
    if line.startswith("VmHWM:"):  # unlike ru_maxrss, not inherited from the parent at fork
        peak = int(line.split()[1]) / 1024
groups = int(len(summary) + len(received))
print(json.dumps({"seconds": elapsed, "peak_rss_mb": peak, "groups": groups}))
