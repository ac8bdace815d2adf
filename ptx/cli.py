"""The ``ptx`` command: build demo data, import exports, validate a source, print the KPIs.

Each command opens, calls one library function and prints; known problems (any
:class:`ptx.PtxError`) become a one-line message and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from ptx import query
from ptx.config import DEMO_SOURCE, load_config
from ptx.errors import PtxError, SourceError
from ptx.sources import open_source
from ptx.store import shown


def _progress_bar(label: str):
    """A text progress bar on stderr: call with (done, total)."""

    def show(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def _status(text: str) -> None:
    sys.stderr.write(f"{text}…\n")
    sys.stderr.flush()


def _import_progress(table: str, rows: int) -> None:
    sys.stderr.write(f"\rimporting {table}: {rows:,} rows read")
    sys.stderr.flush()


def _open(args):
    config = load_config(args.config, location=args.source)
    source = open_source(config, progress=_import_progress)
    sys.stderr.write("\r\033[K") if source.imported else None
    return source


def cmd_demo(args) -> int:
    from ptx.demo import write_demo

    written = write_demo(
        args.target,
        rows=args.rows,
        complaints=args.complaints,
        seed=args.seed,
        fmt=args.format,
        progress=None if args.quiet else _progress_bar("feedback"),
        status=None if args.quiet else _status,
    )
    summary = ", ".join(f"{n:,} {t}" for t, n in written.items())
    print(f"Wrote demo source {shown(args.target)}: {summary}.")
    return 0


def cmd_validate(args) -> int:
    from ptx.validate import validation_report

    source = _open(args)
    report = validation_report(source)
    print(report.to_text())
    return 0 if report.ok else 1


def cmd_import(args) -> int:
    from ptx.api.imports import import_exports

    # The target is --to or the config file's own [source] location, never PTX_SOURCE (the
    # source being looked at is not overwritten by accident).
    looked_at = os.environ.pop("PTX_SOURCE", None)
    try:
        config = load_config(args.config, location=args.to)
    except SourceError:  # no source named and no demo: the import writes ptx.duckdb
        config = load_config(args.config, location="ptx.duckdb")
    finally:
        if looked_at is not None:
            os.environ["PTX_SOURCE"] = looked_at
    target = args.to or _import_target(config)
    report = import_exports(
        args.source, target, config=config, table=args.table, progress=_import_progress
    )
    sys.stderr.write("\r\033[K")
    print(report.to_text())
    where = shown(report.source)
    print(f"\nWrote {where}. Open it with: PTX_SOURCE={where} make run")
    return 0 if report.ok else 1


def _import_target(config) -> str:
    """Where `ptx import` writes without --to: the config's [source] location when it is a
    database, else ptx.duckdb in the current folder."""
    from ptx.store import is_database

    location = config.location if config.named else ""
    return location if location and is_database(location) else "ptx.duckdb"


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write YYYY-MM-DD") from None


def _whole_counts(row: dict) -> dict:
    """A KPI record with its counts as whole numbers (55096, not 55096.0): a count measure's
    value, previous value and change, and every measure's denominator n."""
    counts = ("value", "previous", "change", "n") if row.get("unit") == "count" else ("n",)
    return {
        key: int(value)
        if key in counts and isinstance(value, float) and value.is_integer()
        else value
        for key, value in row.items()
    }


def _filters(args) -> query.Filters:
    """The filter options of `ptx kpis` and `ptx report` as Filters."""
    return query.Filters(
        start=args.start,
        end=args.end,
        sites=tuple(args.site or ()),
        divisions=tuple(args.division or ()),
        departments=tuple(args.department or ()),
        channels=tuple(args.channel or ()),
    )


def cmd_kpis(args) -> int:
    from ptx.api import headline
    from ptx.benchmarks.summary import published_results

    source = _open(args)
    filters = _filters(args)
    head = headline(source, filters)
    published = published_results(source)  # the unit's published results, labelled so
    if args.format == "json":
        out = {
            "source": source.label,
            "as_of": head.as_of.isoformat(),
            "from": head.start.isoformat(),
            "to": head.end.isoformat(),
            "filters": {
                "site": list(filters.sites),
                "division": list(filters.divisions),
                "department": list(filters.departments),
                "channel": list(filters.channels),
            },
            "kpis": [
                _whole_counts(row) for row in json.loads(head.to_frame().to_json(orient="records"))
            ],
            "published": json.loads(published.rows.to_json(orient="records")),
        }
        print(json.dumps(out, indent=2))
    else:
        print(f"{source.label}  as of {head.as_of}  from {head.start} to {head.end}")
        print(head.table().to_string(index=False))
        if not published.unavailable:
            print(
                f"\nPublished results of {published.unit} (as published, not computed from "
                "the responses above):"
            )
            print(published.table().to_string(index=False))
    return 0


def cmd_report(args) -> int:
    from ptx.report import board_pack

    fmt = args.out.suffix.lower().lstrip(".")
    if fmt not in ("html", "pdf"):
        raise PtxError(f"--out {args.out}: name a .html or .pdf file.")
    source = _open(args)
    pack = board_pack(source, _filters(args), fmt=fmt)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_name(args.out.name + ".partial")
    partial.write_bytes(pack)
    partial.replace(args.out)  # a scheduled run never leaves half a pack under the real name
    print(f"Wrote the board pack {args.out} ({len(pack) / 1e6:.1f} MB) for {source.label}.")
    return 0


def cmd_bench(args) -> int:
    from ptx.bench import ENGINES, find_checkout, run

    checkout = find_checkout()  # first: outside a checkout nothing else matters

    def progress(message: str) -> None:
        sys.stderr.write(f"bench: {message}\n")
        sys.stderr.flush()

    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    except ValueError:
        raise PtxError(f"--sizes {args.sizes}: write whole numbers, e.g. 100000,1000000.") from None
    engines = args.engines.split(",")
    unknown = set(engines) - set(ENGINES)
    if unknown:
        raise PtxError(f"Unknown engine(s) {sorted(unknown)}: use {', '.join(ENGINES)}.")
    if "postgresql" in engines and not args.postgres_url:
        raise PtxError("--engines postgresql needs --postgres-url (or PTX_BENCH_POSTGRES_URL).")
    if "spark" in engines and not args.spark_url:
        raise PtxError("--engines spark needs --spark-url (or PTX_BENCH_SPARK_URL).")
    out = args.out or checkout / "docs" / "PERFORMANCE.md"
    print(
        run(
            sizes,
            engines,
            runs=args.runs,
            checkout=checkout,
            data_dir=args.data_dir or checkout / "bench-data",
            postgres_url=args.postgres_url,
            spark_url=args.spark_url,
            out=out,
            progress=progress,
            floor=not args.no_floor,
            block=args.block,
        )
    )
    print(f"\nWritten to {out}")
    return 0


def cmd_measures(args) -> int:
    from ptx.catalog import catalog_markdown

    print(catalog_markdown())
    return 0


def cmd_schema(args) -> int:
    from ptx.schema import schema_markdown

    print(schema_markdown())
    return 0


def cmd_cache(args) -> int:
    from ptx import cache

    if args.action == "clear":
        removed = cache.clear()
        print(f"Deleted {len(removed)} cached source(s) from {cache.cache_dir()}.")
    else:
        folder = cache.cache_dir()
        files = sorted(folder.glob(f"*{cache.SUFFIX}")) if folder.is_dir() else []
        for path in files:
            print(f"{path.stat().st_size / 1e6:10.1f} MB  {path.name}")
        print(f"{len(files)} cached source(s) in {folder}.")
    return 0


def cmd_benchmarks(args) -> int:
    from ptx.benchmarks.choices import record_own_unit
    from ptx.benchmarks.imports import import_benchmarks

    report = import_benchmarks(args.files, args.to, release=args.release, replace=args.replace)
    if args.unit:
        record_own_unit(args.to, args.unit)
    print(report.to_text())
    print(f"\nWrote {shown(args.to)}. Open the Benchmarks page on it, or name it in ptx.toml.")
    return 0 if report.ok else 1


def cmd_themes(args) -> int:
    from ptx import theme_eval, theme_model, themes

    where = args.config
    taxonomy = themes.load_taxonomy(themes.taxonomy_path(where))
    if args.action == "train":
        if args.labelled is None:
            raise PtxError("Name the labelled CSV file: ptx themes train LABELLED.csv")
        texts, keys = theme_model.read_labelled(args.labelled, taxonomy.labels, args.text)
        model = theme_model.fit(texts, keys, list(taxonomy.labels))
        path = theme_model.save_model(model, themes.model_path(where))
        print(
            f"Trained on {model.trained_on:,} labelled comments; themes learnt: "
            f"{', '.join(taxonomy.labels[k] for k in model.themes)}."
        )
        if model.skipped:
            print(
                f"Too few examples to learn ({theme_model.MIN_EXAMPLES} needed): "
                f"{', '.join(taxonomy.labels[k] for k in model.skipped)}."
            )
        print(
            f"Saved {path}: ptx assigns themes with it from now on (delete it to go back to "
            "the taxonomy's keywords)."
        )
        return 0
    if args.action == "evaluate":
        folder = args.data or Path(os.environ.get("PTX_SHARED_DATA", "../shared/data/real"))
        results = theme_eval.evaluate_folder(folder, taxonomy)
        print(theme_eval.report_markdown(results, taxonomy.labels))
        return 0
    tagger = themes.tagger_for(where)
    print(f"Taxonomy: {taxonomy.path}\nThemes assigned by: {tagger.method}")
    for theme in taxonomy.themes:
        print(f"- {theme.label} ({theme.key}): {len(theme.keywords)} keywords")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ptx", description="Patient-experience analytics.")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_source(p):
        p.add_argument(
            "source",
            nargs="?",
            help="path or SQLAlchemy URL (default: PTX_SOURCE, "
            "the config file's [source] location, or the demo source)",
        )
        p.add_argument(
            "--config", type=Path, help="config file (default: PTX_CONFIG or ./ptx.toml)"
        )
        return p

    demo = sub.add_parser(
        "demo",
        help="write the deterministic demo source",
        description="Write the deterministic demo source. Targets: a .duckdb or .sqlite file "
        "(data/demo.duckdb, out.sqlite), a folder with --format csv or parquet, or a SQLAlchemy "
        "URL (duckdb:///path/x.duckdb, sqlite:///path/x.sqlite, postgresql://user@host/db).",
    )
    demo.add_argument(
        "target",
        nargs="?",
        default=DEMO_SOURCE.as_posix(),
        help=f"a .duckdb or .sqlite file, a folder, or a SQLAlchemy URL (default: "
        f"{DEMO_SOURCE.as_posix()} in the current folder, the source ptx opens when none is "
        "given)",
    )
    demo.add_argument(
        "--rows", type=int, default=150_000, help="feedback responses (default 150,000)"
    )
    demo.add_argument("--complaints", type=int, help="complaints (default: one per 40 responses)")
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--format", choices=("csv", "parquet"), help="for a folder target")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(func=cmd_demo)

    validate = with_source(
        sub.add_parser("validate", help="check a source; exit 1 if rows are quarantined")
    )
    validate.set_defaults(func=cmd_validate)

    imp = sub.add_parser(
        "import",
        help="read export files into a database, with a report of what was read",
        description="Read a folder of export files (CSV, Excel .xlsx, Parquet), or one export "
        "file, map it with the config file, check every row and write it into a database; print "
        "the import report (rows read, loaded and quarantined per table, each reason with "
        "examples, each answer value as read). Exit 1 if rows were quarantined.",
    )
    imp.add_argument("source", type=Path, help="a folder of export files, or one file")
    imp.add_argument("--config", type=Path, help="config file (default: PTX_CONFIG or ./ptx.toml)")
    imp.add_argument(
        "--to",
        help="a .duckdb or .sqlite file or a SQLAlchemy URL (default: the config's [source] "
        "location when it is a database, else ptx.duckdb here)",
    )
    imp.add_argument("--table", help="the model table a single file holds (default: feedback)")
    imp.set_defaults(func=cmd_import)

    def with_filters(p):
        p.add_argument("--department", action="append", help="department id (repeatable)")
        p.add_argument("--division", action="append", help="division (repeatable)")
        p.add_argument("--site", action="append", help="site (repeatable)")
        p.add_argument("--channel", action="append", help="feedback channel (repeatable)")
        p.add_argument(
            "--from",
            dest="start",
            type=_date,
            help="first date (default: 12 months before the as-of date)",
        )
        p.add_argument("--to", dest="end", type=_date, help="last date (default: the as-of date)")
        return p

    kpis = with_filters(with_source(sub.add_parser("kpis", help="print the headline KPIs")))
    kpis.add_argument("--format", choices=("table", "json"), default="table")
    kpis.set_defaults(func=cmd_kpis)

    report = with_filters(
        with_source(
            sub.add_parser(
                "report",
                help="write the board pack: one HTML or PDF file for the filters",
                description="Write the board pack for the filters: the Overview's tiles, each "
                "page's key charts and every row of their tables, the as-of date, the filters "
                "in words and the methods as footnotes. A .html file is self-contained (it "
                "opens offline); a .pdf is printed by headless Chromium. Small numbers are "
                "suppressed.",
            )
        )
    )
    report.add_argument(
        "--out", type=Path, required=True, help="the file to write: pack.html or pack.pdf"
    )
    report.set_defaults(func=cmd_report)

    bench = sub.add_parser(
        "bench",
        help="benchmark the dashboard against the bare scan and the naive pattern",
        description="Benchmark the dashboard against the bare scan and the naive pattern. Runs "
        "from a ptx repository checkout (the current folder or one above it): it times the "
        "dashboard with the scripts in its bench/ folder.",
    )
    bench.add_argument(
        "--sizes",
        default="100000,1000000,10000000",
        help="feedback responses per source, comma-separated",
    )
    bench.add_argument(
        "--engines",
        default="duckdb,sqlite",
        help="comma-separated: duckdb, sqlite, postgresql, spark",
    )
    bench.add_argument(
        "--postgres-url",
        default=os.environ.get("PTX_BENCH_POSTGRES_URL"),
        help="a PostgreSQL server for the postgresql engine",
    )
    bench.add_argument(
        "--spark-url",
        default=os.environ.get("PTX_BENCH_SPARK_URL"),
        help="a Spark Thrift server (hive://host:port/default) for the spark engine",
    )
    bench.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    bench.add_argument(
        "--data-dir",
        type=Path,
        help="where the benchmark sources are built (and reused) (default: bench-data/ in the "
        "checkout)",
    )
    bench.add_argument(
        "--out",
        type=Path,
        help="Markdown file for the table (default: docs/PERFORMANCE.md in the checkout)",
    )
    bench.add_argument(
        "--block",
        default="bench",
        help="the marked block of --out the table replaces (<!-- NAME:start --> ... "
        "<!-- NAME:end -->; added at the end when missing) (default: bench)",
    )
    bench.add_argument(
        "--no-floor",
        action="store_true",
        help="do not time each page's first chart beside Streamlit's floor",
    )
    bench.set_defaults(func=cmd_bench)

    caches = sub.add_parser(
        "cache",
        help="list or delete the private copies ptx makes of export-file sources",
        description="ptx reads a folder of export files (or one export file) into a DuckDB copy "
        "in its cache folder (PTX_CACHE_DIR, else ~/.cache/ptx), readable by its owner only. "
        "The copy holds everything the files do, free text included: `ptx cache clear` deletes "
        "every copy (the next open makes a new one).",
    )
    caches.add_argument("action", choices=("list", "clear"))
    caches.set_defaults(func=cmd_cache)

    benchmarks = sub.add_parser(
        "benchmarks",
        help="import published results (CMS HCAHPS, NHS England FFT) for the Benchmarks page",
        description="Read published aggregate results files (CMS HCAHPS Care Compare long, "
        "state, national and wide layouts; HCAHPS release files; NHS England FFT data by "
        "provider) into the benchmark_results table of a database, beside anything else there; "
        "print the import report. Exit 1 if rows were rejected.",
    )
    benchmarks.add_argument("action", choices=("import",))
    benchmarks.add_argument("files", nargs="+", type=Path, help="files or folders of them")
    benchmarks.add_argument(
        "--to", required=True, help="a .duckdb or .sqlite file or a SQLAlchemy URL"
    )
    benchmarks.add_argument("--release", help="the release name (default: from the file)")
    benchmarks.add_argument("--unit", help="record your organisation's published unit id")
    benchmarks.add_argument(
        "--replace", action="store_true", help="empty the table first (default: add)"
    )
    benchmarks.set_defaults(func=cmd_benchmarks)

    theme = sub.add_parser(
        "themes",
        help="show the comment themes, train a classifier on your coding, or score them",
        description="show: the taxonomy in use (themes.toml beside the config, PTX_THEMES, or "
        "the default) and how themes are assigned. train LABELLED.csv: fit a classifier "
        "(TF-IDF + logistic regression) on comments your staff coded (a text column and a "
        "'themes' column, or one column per theme) and save it beside the config; ptx then "
        "assigns themes with it. evaluate: score the keyword taxonomy, VADER and a trained "
        "classifier against labelled NHS comments (docs/COMMENTS.md).",
    )
    theme.add_argument("action", choices=("show", "train", "evaluate"))
    theme.add_argument("labelled", nargs="?", type=Path, help="train: the labelled CSV file")
    theme.add_argument("--text", default="comment", help="train: the text column (comment)")
    theme.add_argument(
        "--data", type=Path, help="evaluate: the folder of labelled files (../shared/data/real)"
    )
    theme.add_argument(
        "--config", type=Path, help="config file whose folder holds themes.toml and the model"
    )
    theme.set_defaults(func=cmd_themes)

    schema = sub.add_parser("schema", help="print the data model as Markdown")
    schema.set_defaults(func=cmd_schema)
    measures = sub.add_parser("measures", help="print the measure catalog as Markdown")
    measures.set_defaults(func=cmd_measures)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PtxError as exc:
        print(f"ptx: error: {exc}", file=sys.stderr)
        return 2
    except sa.exc.DBAPIError as exc:  # a database fault: what the server said, no statement
        print(f"ptx: error: the database failed: {str(exc.orig).strip()}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
