"""Time the dashboard's script runs with Streamlit's AppTest, in a fresh process.

Run by ``ptx bench`` (it is not part of the library, which never imports streamlit):

    python bench/app_timing.py cold            # one Overview run with empty caches
    python bench/app_timing.py warm RUNS       # filter changes on every page, caches warm

Prints one JSON object: seconds per run and the process's peak resident memory.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path

START = time.perf_counter()
# Start-up: what a server process loads once, before its first script run: Streamlit, ptx and
# its libraries, the database dialect, and the working-day calendar's public holidays.
import duckdb_engine  # noqa: E402, F401
from streamlit.testing.v1 import AppTest  # noqa: E402

import ptx  # noqa: E402
import ptx.charts  # noqa: E402, F401
import ptx.kpis  # noqa: E402, F401
from ptx.workdays import WorkingCalendar  # noqa: E402

WorkingCalendar()

ROOT = Path(__file__).resolve().parent.parent
# A script run may take minutes on a cluster at 100 million responses; a hung one still ends.
TIMEOUT_S = 1800
PAGES = (
    "pages/overview.py",
    "pages/feedback.py",
    "pages/complaints.py",
    "pages/departments.py",
    "pages/comments.py",
    "pages/data.py",
)
DEPARTMENTS = (
    "RVH-UEC-ED",
    "HVH-SUR-ORTH",
    "RVH-MED-RESP",
    "HVH-WAC-MAT",
    "RVH-MED-CARD",
    "HVH-SUR-OPH",
    "RVH-MED-ELD",
    "HVH-SUR-GEN",
    "RVH-UEC-AMU",
    "HVH-WAC-PAED",
)
SEARCHES = ("waiting", '"very kind"', "parking", "food cold")
DATES = (("2025-10-01", "2026-09-30"), ("2025-04-01", "2026-03-31"), ("2024-10-01", "2025-09-30"))


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited at fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def failed(at: AppTest, what: str) -> None:
    """Stop when the run raised or showed an error: a page that says a statement failed is
    quick, and its time is no measurement."""
    for kind, found in (("failed", at.exception), ("showed an error", at.error)):
        if found:
            raise SystemExit(f"{what} {kind}: {found[0].value}")


def cold() -> dict:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT_S)
    t = time.perf_counter()
    at.run()
    failed(at, "the Overview")
    done = time.perf_counter()
    return {
        "run": done - t,
        "since_start": done - START,
        "import": t - START,
        "peak_rss_mb": peak_rss_mb(),
    }


def warm(runs: int) -> dict:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT_S)
    at.run()
    times: dict[str, list[float]] = {page: [] for page in PAGES}
    for page in PAGES:
        at.switch_page(page).run()
        for i in range(runs):
            # Back to the whole organisation (untimed), so every department is on offer.
            for key in ("site", "division", "dept"):
                at.selectbox(key=key).set_value("All")
            at.run()
            at.selectbox(key="dept").set_value(DEPARTMENTS[i % len(DEPARTMENTS)])
            start, end = DATES[i % len(DATES)]
            at.date_input(key="dates").set_value((start, end))
            t = time.perf_counter()
            at.run()
            times[page].append(time.perf_counter() - t)
            failed(at, page)
    times |= comment_filters(at, runs)
    out = {
        page: {"median": statistics.median(v), "p95": sorted(v)[max(0, round(0.95 * len(v)) - 1)]}
        for page, v in times.items()
    }
    return {"pages": out, "peak_rss_mb": peak_rss_mb()}


def comment_filters(at: AppTest, runs: int) -> dict[str, list[float]]:
    """The Comments page's own filters, whole organisation and the default dates, caches warm:
    a theme and sentiment change (read from the comment index), and a search (the text)."""
    at.switch_page("pages/comments.py").run()
    for key in ("site", "division", "dept"):
        at.selectbox(key=key).set_value("All")
    at.date_input(key="dates").set_value(DATES[0])
    at.run()
    themes = list(ptx.theme_labels(ptx.open_source()))
    out: dict[str, list[float]] = {"comments theme": [], "comments search": []}
    for i in range(runs):
        at.text_input(key="q").set_value("")
        at.multiselect(key="theme").set_value([themes[i % len(themes)]])
        at.multiselect(key="sentiment").set_value([("negative", "positive", "neutral")[i % 3]])
        t = time.perf_counter()
        at.run()
        out["comments theme"].append(time.perf_counter() - t)
        failed(at, "the Comments page")
        at.multiselect(key="theme").set_value([])
        at.multiselect(key="sentiment").set_value([])
        at.text_input(key="q").set_value(SEARCHES[i % len(SEARCHES)])
        t = time.perf_counter()
        at.run()
        out["comments search"].append(time.perf_counter() - t)
        failed(at, "the Comments page")
    return out


if __name__ == "__main__":
    mode = sys.argv[1]
    result = cold() if mode == "cold" else warm(int(sys.argv[2]))
    print(json.dumps(result))
