"""``ptx bench``: measure the dashboard against the bare database scan and the naive pattern.

For each engine and size it builds a demo source (complaints at one tenth of the responses) and
measures, each as the median of several runs where it says so:

1. cold first render: a new process with empty caches runs the Overview page (Streamlit's
   AppTest), beside the time that process takes just to start and import;
   and, in Chromium, the time from opening the Overview on a new server to its first chart;
2. filter change: server-side rerun time of every page after changing the department and the
   date range, caches warm (median and 95th percentile);
3. peak resident memory of that process;
4. the limit: one bare ``GROUP BY`` over the same columns, straight to the database;
5. the naive pattern: read whole tables into pandas and group there, in a new process.

The app is timed by ``bench/app_timing.py``, the browser by ``bench/browser_timing.py`` and the
naive pattern by ``bench/naive.py``, each in its own process: the library never imports
streamlit. Those scripts and the dashboard they time are not part of the installed package, so
the benchmark runs from a ptx repository checkout (see :func:`find_checkout`).
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from ptx.demo import write_demo
from ptx.errors import PtxError
from ptx.store import is_spark, normalise_url

TIMING_SCRIPT = Path("bench") / "app_timing.py"  # marks a checkout, beside pyproject.toml
# Each page's change of department and dates, then the Comments page's own filters (a theme and
# sentiment, read from the comment index; a search, which reads the text).
PAGES = (
    "overview",
    "feedback",
    "complaints",
    "departments",
    "comments",
    "data",
    "comments theme",
    "comments search",
)
NAIVE_MB_PER_ROW = 0.001  # the naive pattern's peak memory: 9,618 MB at 10 million responses
BARE_SQL = (
    "SELECT EXTRACT(year FROM received_date) AS y, EXTRACT(month FROM received_date) AS m, "
    "department_id, rating_scale, rating, COUNT(*) FROM feedback GROUP BY 1, 2, 3, 4, 5"
)
BARE_SQL_SQLITE = (
    "SELECT strftime('%Y', received_date), strftime('%m', received_date), department_id, "
    "rating_scale, rating, COUNT(*) FROM feedback GROUP BY 1, 2, 3, 4, 5"
)


def find_checkout(start: Path | None = None) -> Path:
    """The ptx repository checkout that holds ``start`` (default: the current folder).

    A checkout is a folder with ``bench/app_timing.py`` beside a ``pyproject.toml`` that names
    the project ``ptx``; ``start`` and each folder above it are tried in turn.

    Raises
    ------
    PtxError
        ``start`` is not inside a checkout (e.g. ptx was installed with pip into a notebook
        environment, which has the library and the command but not the benchmark).
    """
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / TIMING_SCRIPT).is_file() and _names_ptx(folder / "pyproject.toml"):
            return folder
    raise PtxError(
        f"`ptx bench` must be run from a ptx repository checkout (a folder with "
        f"{TIMING_SCRIPT.as_posix()} and the dashboard); {start} is not inside one."
    )


def _names_ptx(pyproject: Path) -> bool:
    try:
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["name"] == "ptx"
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError):
        return False


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30
        memory = f"{pages:.0f} GiB"
    except (ValueError, OSError):
        memory = "unknown memory"
    import duckdb

    return (
        f"{os.cpu_count()} cores ({cpu}), {memory}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, DuckDB "
        f"{duckdb.__version__}, SQLAlchemy {sa.__version__}"
    )


ENGINES = ("duckdb", "sqlite", "postgresql", "spark")


def _spark_source(spark_url: str | None, rows: int, data_dir: Path, progress) -> str:
    """The benchmark's database on a Spark Thrift server (``ptx_bench_<rows>``), built once."""
    if not spark_url:
        raise ValueError("the spark engine needs --spark-url")
    name = f"ptx_bench_{rows}"
    admin = sa.create_engine(normalise_url(spark_url))
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE IF NOT EXISTS {name}")
    admin.dispose()
    target_url = sa.engine.make_url(spark_url).set(database=name)
    target_url = target_url.render_as_string(hide_password=False)
    marker = data_dir / f"bench-{rows}.spark.done"
    if not marker.exists() or marker.read_text() != target_url:
        built = data_dir / f"bench-{rows}.duckdb"
        if built.exists():  # the same demo, already written for the duckdb engine: publish it
            progress(f"publishing {built.name} to Spark (Parquet, registered in {name})")
            from ptx.spark import publish, warehouse_folder

            engine = sa.create_engine(normalise_url(target_url))
            try:
                with engine.connect() as conn:
                    folder = warehouse_folder(conn, name)
                publish(built, engine, folder)
            finally:
                engine.dispose()
        else:
            progress(f"building {rows:,} responses on Spark (Parquet, registered in {name})")
            write_demo(target_url, rows=rows, complaints=max(1, rows // 10))
        marker.write_text(target_url)
    return target_url


def build(
    engine: str,
    rows: int,
    data_dir: Path,
    postgres_url: str | None,
    progress: Callable[[str], None],
    spark_url: str | None = None,
) -> str:
    """Create (or reuse) the demo source for an engine and size; return its location."""
    complaints = max(1, rows // 10)
    if engine == "duckdb":
        target = data_dir / f"bench-{rows}.duckdb"
    elif engine == "sqlite":
        target = data_dir / f"bench-{rows}.sqlite"
    elif engine == "spark":
        return _spark_source(spark_url, rows, data_dir, progress)
    else:
        if not postgres_url:
            raise ValueError("the postgresql engine needs --postgres-url")
        admin = sa.create_engine(normalise_url(postgres_url), isolation_level="AUTOCOMMIT")
        name = f"ptx_bench_{rows}"
        with admin.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = sa.engine.make_url(normalise_url(postgres_url)).set(database=name)
        target_url = url.render_as_string(hide_password=False)
        marker = data_dir / f"bench-{rows}.postgresql.done"
        if not marker.exists():
            progress(f"building {rows:,} responses on PostgreSQL")
            write_demo(target_url, rows=rows, complaints=complaints)
            marker.write_text(target_url)
        return target_url
    if not target.exists():
        progress(f"building {rows:,} responses as {target.name}")
        partial = target.with_name(f"partial-{target.name}")
        write_demo(partial, rows=rows, complaints=complaints)
        partial.rename(target)  # an interrupted build is never mistaken for a finished one
    return str(target)


def _subprocess_json(args: list[str], location: str, checkout: Path) -> dict:
    env = os.environ | {"PTX_SOURCE": location}
    env.pop("PTX_CONFIG", None)
    done = subprocess.run(
        [sys.executable, *args],
        cwd=checkout,
        env=env,
        text=True,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _url(location: str) -> str:
    if is_spark(location):  # PyHive's own dialect: the bare scan and the naive script need no ptx
        return location
    if "://" in location:
        return normalise_url(location)
    prefix = "duckdb" if location.endswith(".duckdb") else "sqlite"
    return f"{prefix}:///{location}"


def bare_scan(location: str, runs: int) -> float:
    """Median seconds of one GROUP BY over the feedback columns the dashboard aggregates."""
    url = _url(location)
    engine = sa.create_engine(url, connect_args={"read_only": True} if "duckdb" in url else {})
    sql = BARE_SQL_SQLITE if url.startswith("sqlite") else BARE_SQL
    times = []
    with engine.connect() as conn:
        for _ in range(runs):
            start = time.perf_counter()
            conn.execute(sa.text(sql)).fetchall()
            times.append(time.perf_counter() - start)
    engine.dispose()
    return statistics.median(times)


def available_mb() -> float:
    """Memory the kernel says a new process could use now (MemAvailable), in MB."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")  # not Linux: no estimate, run it


def naive_fits(rows: int) -> bool:
    """Whether the naive pattern's whole tables would fit in memory (with a fifth to spare)."""
    return rows * NAIVE_MB_PER_ROW <= 0.8 * available_mb()


def measure(engine: str, rows: int, location: str, runs: int, checkout: Path) -> dict:
    bench = checkout / "bench"

    def script(name: str, *args: str) -> dict:
        return _subprocess_json([str(bench / name), *args], location, checkout)

    cold = [script("app_timing.py", "cold") for _ in range(runs)]
    warm = script("app_timing.py", "warm", str(max(runs, 3)))
    browser = script("browser_timing.py", str(runs))
    # Whole tables in pandas need about 1 MB per thousand responses: beyond the machine's
    # memory the naive pattern is not slow but impossible, and is reported so; where the engine
    # refuses to hand over whole tables (a Spark Thrift server's heap), it failed, and why.
    if naive_fits(rows):
        try:
            naive = script("naive.py", _url(location))
        except RuntimeError as failed:
            naive = {"seconds": None, "peak_rss_mb": None, "failed": failure(str(failed))}
    else:
        naive = {"seconds": None, "peak_rss_mb": rows * NAIVE_MB_PER_ROW}
    return {
        "engine": engine,
        "rows": rows,
        "cold_run": statistics.median(c["run"] for c in cold),
        "cold_total": statistics.median(c["since_start"] for c in cold),
        "startup": statistics.median(c["import"] for c in cold),
        "bare": bare_scan(location, runs),
        "first_chart": browser["first_chart"],
        "browser_note": browser.get("reason"),
        "naive": naive["seconds"],
        "naive_rss": naive["peak_rss_mb"],
        "naive_failed": naive.get("failed"),
        "rss": max(warm["peak_rss_mb"], max(c["peak_rss_mb"] for c in cold)),
        "pages": {p.split("/")[-1].removesuffix(".py"): v for p, v in warm["pages"].items()},
    }


def failure(stderr: str) -> str:
    """A script's failure in a few words for the table: the database's own error where it gave
    one (``Error running query: java.lang.OutOfMemoryError: Java heap space``), else the last
    line it printed."""
    said = re.search(r"Error running query: ([^'\"\n]+)", stderr)
    if said:
        return said.group(1).strip()[:80].replace("|", "/")
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1][:80].replace("|", "/") if lines else "no message"


def _ratio(x: float) -> str:
    return f"{x:.1f}×" if x < 10 else f"{x:.0f}×"


def table(results: list[dict]) -> str:
    """The results as a Markdown table."""
    head = (
        "| engine | responses | cold render s (run / with start-up) | start-up s | browser "
        "first chart s | bare GROUP BY s | cold run ÷ bare | naive s | naive ÷ cold run | "
        + " | ".join(f"{p} change ms median / p95" for p in PAGES)
        + " | peak RSS MB (app / naive) |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        pages = " | ".join(
            f"{1000 * r['pages'][p]['median']:.0f} / {1000 * r['pages'][p]['p95']:.0f}"
            for p in PAGES
        )
        chart = "n/a" if r["first_chart"] is None else f"{r['first_chart']:.2f}"
        over_bare = _ratio(r["cold_run"] / r["bare"])
        if r.get("naive_failed"):
            naive, naive_rss = f"failed: {r['naive_failed']} | n/a", "n/a"
        elif r["naive"] is None:
            gb = r["naive_rss"] / 1024
            naive = f"not run: needs about {gb:.0f} GB | n/a"
            naive_rss = "n/a"
        else:
            naive = f"{r['naive']:.2f} | {_ratio(r['naive'] / r['cold_run'])}"
            naive_rss = f"{r['naive_rss']:.0f}"
        lines.append(
            f"| {r['engine']} | {r['rows']:,} | {r['cold_run']:.2f} / {r['cold_total']:.2f} | "
            f"{r['startup']:.2f} | {chart} | {r['bare']:.3f} | {over_bare} | "
            f"{naive} | {pages} | {r['rss']:.0f} / {naive_rss} |"
        )
    return "\n".join(lines)


def run(
    sizes: list[int],
    engines: list[str],
    *,
    runs: int,
    data_dir: Path,
    postgres_url: str | None,
    out: Path | None,
    progress: Callable[[str], None] = lambda s: None,
    checkout: Path | None = None,
    spark_url: str | None = None,
    floor: bool = True,
    block: str = "bench",
) -> str:
    """Build, measure and tabulate; ``checkout`` defaults to :func:`find_checkout`. ``floor``:
    also time each page's first chart beside Streamlit's floor (on the first source);
    ``block``: the name of the marked block of ``out`` the table replaces."""
    checkout = checkout or find_checkout()
    data_dir.mkdir(parents=True, exist_ok=True)
    results, floor_timing = [], None
    for rows in sizes:
        for engine in engines:
            location = build(engine, rows, data_dir, postgres_url, progress, spark_url)
            progress(f"measuring {engine} at {rows:,} responses")
            results.append(measure(engine, rows, location, runs, checkout))
            if out is not None:  # each source's row kept as soon as it is measured
                write_report(out, results, runs, table(results), block)
            if results[-1]["browser_note"]:
                progress(f"browser first chart not measured: {results[-1]['browser_note']}")
            if floor and floor_timing is None:  # each page against the floor, on the first source
                progress(f"timing each page's first chart beside the floor ({engine})")
                floor_timing = _subprocess_json(
                    [str(checkout / "bench" / "page_floor.py"), str(runs)],
                    location,
                    checkout,
                )
                floor_timing |= {"engine": engine, "rows": rows}
    text = table(results)
    if floor_timing is not None:
        text += "\n\n" + floor_table(floor_timing)
    if out is not None:
        write_report(out, results, runs, text, block)
    return text


def floor_table(floor: dict) -> str:
    """Each page's first chart in Chromium beside the floor (bench/page_floor.py)."""
    if floor.get("floor") is None:
        return f"Pages against the floor: not measured ({floor.get('reason')})."
    lines = [
        f"First chart in Chromium at 1920x1080, warm server ({floor['engine']}, "
        f"{floor['rows']:,} responses; median of {floor['runs']} fresh contexts each):",
        "",
        "| view | first chart s | ÷ floor |",
        "|---|---|---|",
        f"| floor: one constant plotly figure | {floor['floor']:.2f} | 1.00× |",
    ]
    for name, seconds in floor["pages"].items():
        lines.append(f"| {name} | {seconds:.2f} | {floor['ratio'][name]:.2f}× |")
    lines.append(
        f"| overview, fresh server | {floor['fresh_overview']:.2f} | {floor['fresh_ratio']:.2f}× |"
    )
    return "\n".join(lines)


def markers(block: str = "bench") -> tuple[str, str]:
    """The comments that mark a measured block in a Markdown file."""
    return f"<!-- {block}:start -->", f"<!-- {block}:end -->"


START, END = markers()


def write_report(
    out: Path, results: list[dict], runs: int, text: str, block: str = "bench"
) -> None:
    """Write the table to ``out``. If the file has the block's markers, only the part between
    them is replaced, so the analysis written around it (and other blocks) stays; otherwise the
    block is added at the end."""
    start, end = markers(block)
    measured = (
        f"{start}\nMeasured by `ptx bench` on {date.today():%d %B %Y}: {machine()}.\n"
        f"Each cold render and bare scan is the median of {runs} run(s); each filter change the "
        f"median (and 95th percentile) of {max(runs, 3)} changes of department and dates per "
        "page, caches warm. Complaints are one tenth of the responses.\n\n"
        f"{text}\n{end}"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    old = out.read_text() if out.exists() else ""
    if start in old and end in old:
        new = old[: old.index(start)] + measured + old[old.index(end) + len(end) :]
    elif old:
        new = f"{old.rstrip()}\n\n{measured}\n"
    else:
        new = f"# Performance\n\n{measured}\n"
    out.write_text(new)
