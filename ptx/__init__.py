"""ptx: patient-experience metrics over SQL or CSV sources.

The facade a notebook, a scheduled job, the ``ptx`` command and the dashboard use::

    import ptx

    source = ptx.open_source("data/demo.duckdb")
    ward = ptx.Filters(departments=["Respiratory Ward"])
    fft = ptx.trend(source, "fft_pct_positive", ward, period="month")
    fft.signals, fft.to_frame(), fft.figure()

One call per question: :func:`headline`, :func:`trend`, :func:`breakdown`,
:func:`complaint_timing`, :func:`complaint_backlog`, :func:`complaint_mix`,
:func:`oldest_open`, :func:`compare_departments`, :func:`department_heatmap`,
:func:`comments` (a page of patient comments, searched and filtered by theme, sentiment and
rating, personal details masked), :func:`theme_trends`, :func:`validation_report`;
:func:`what_changed` (Making Data Count icons for the tiles and the recent special-cause
signals across departments and measures); :func:`board_pack` puts them all in one HTML or
PDF file, and :func:`excel_bytes` and :func:`figure_image` export a table or a chart;
:func:`benchmark` places the organisation's published unit among its peers in published
results (CMS HCAHPS, NHS England FFT; :func:`import_benchmarks`).
Each returns a frozen result with the numbers (the small-number rule applied), the method,
what was suppressed, ``to_frame()``, ``table()`` and ``figure()``.
Every measure is defined once, in :data:`CATALOG`. A source may lack complaints, activity or
eligible counts: :func:`unavailable`, :func:`available_measures` and :func:`missing_data` say
what it can show, and each result says when it has nothing for that reason.

What the modules own:

- access: who may see what (an Access every statement is restricted to; the roles file);
- sources, config, ingest, store, summaries, rules, schema, validate, workdays: finding,
  opening, importing, writing and checking sources; the data model; the working-day calendar;
- query, timing, counts: filters to SQLAlchemy Core aggregate statements, small frames back;
- stats, spc, compare, survival, feedback, complaints: pure, cited statistics;
- catalog, measures, kpis, departments, disclosure: the measure catalog, each measure's
  arithmetic, the headline, department comparisons, and the small-number rule;
- themes, theme_model, theme_eval, comments, flags, privacy: comment themes and sentiment (an
  editable taxonomy, a trained classifier, their evaluation), the comment index, flags for
  follow-up, and personal details masked;
- charts: plotly figures drawn from results; exports, report: Excel, images, the board
  pack; api/: the facade's calls and results by topic;
  cli, demo, bench: the command, the demo source, the benchmark.
"""

from pathlib import Path

from ptx.access import Access, RoleMap, load_roles, viewer_is_local, without_sign_in
from ptx.api import BREAKDOWN_LABELS as BREAKDOWNS
from ptx.api import (
    COMPARE_BY,
    Backlog,
    Breakdown,
    Changes,
    Comparison,
    ComplaintMix,
    ComplaintTiming,
    Headline,
    Heatmap,
    OldestOpen,
    Signal,
    Tile,
    TileTrend,
    Trend,
    as_of,
    available_measures,
    breakdown,
    channels,
    compare_departments,
    complaint_backlog,
    complaint_mix,
    complaint_timing,
    data_range,
    default_window,
    department_heatmap,
    format_value,
    headline,
    hierarchy,
    missing_data,
    oldest_open,
    trend,
    trend_measures,
    unavailable,
    what_changed,
)
from ptx.api.comments import (
    FFT_ANSWERS,
    SENTIMENT_LABELS,
    CommentCard,
    Comments,
    ThemeSignal,
    ThemeTrends,
    comments,
    theme_labels,
    theme_trends,
)
from ptx.api.imports import import_exports, import_target
from ptx.benchmarks.api import Benchmark, benchmark
from ptx.benchmarks.choices import BenchmarkChoices, benchmark_choices
from ptx.benchmarks.imports import BenchmarkImport, import_benchmarks
from ptx.benchmarks.summary import PublishedResults, published_results
from ptx.catalog import CATALOG, Measure, measure, measures_for
from ptx.charts import presentation
from ptx.config import Config, load_config
from ptx.disclosure import Disclosure
from ptx.errors import (
    ConfigError,
    PtxError,
    SchemaError,
    SourceError,
    SourceUnavailable,
)
from ptx.exports import EXCEL_MIME, IMAGE_FORMATS, excel_bytes, figure_image, table_html
from ptx.flags import Flags, flag_comment, flags, unflag_comment
from ptx.icons import Icon
from ptx.meeting import Meeting, Slide
from ptx.privacy import mask_personal_text, mask_quarantined_rows, mask_reasons
from ptx.query import Filters
from ptx.report import board_pack
from ptx.safety import csv_bytes, escape_markdown
from ptx.sources import Source
from ptx.sources import open_source as _open_configured
from ptx.targets import Targets
from ptx.validate import ValidationReport, quarantined_rows, validation_report


def open_source(location: "str | Path | Config | None" = None) -> Source:
    """Open a source: a path (DuckDB, SQLite, a folder of CSV/Parquet), a SQLAlchemy URL, or a
    :class:`Config`; with nothing, the configured one (PTX_SOURCE, ptx.toml, the demo)."""
    if isinstance(location, Config):
        return _open_configured(location)
    return _open_configured(load_config(location=None if location is None else str(location)))


__all__ = [
    "Access",
    "BREAKDOWNS",
    "COMPARE_BY",
    "FFT_ANSWERS",
    "SENTIMENT_LABELS",
    "CATALOG",
    "EXCEL_MIME",
    "IMAGE_FORMATS",
    "Backlog",
    "Benchmark",
    "BenchmarkChoices",
    "BenchmarkImport",
    "Breakdown",
    "Changes",
    "CommentCard",
    "Comments",
    "Comparison",
    "ComplaintMix",
    "ComplaintTiming",
    "Config",
    "ConfigError",
    "Disclosure",
    "Filters",
    "Flags",
    "Headline",
    "Heatmap",
    "Icon",
    "Measure",
    "Meeting",
    "OldestOpen",
    "Signal",
    "PtxError",
    "RoleMap",
    "SchemaError",
    "Slide",
    "Source",
    "SourceError",
    "SourceUnavailable",
    "Targets",
    "ThemeSignal",
    "ThemeTrends",
    "Tile",
    "TileTrend",
    "Trend",
    "ValidationReport",
    "as_of",
    "available_measures",
    "benchmark",
    "benchmark_choices",
    "board_pack",
    "breakdown",
    "channels",
    "data_range",
    "default_window",
    "format_value",
    "hierarchy",
    "import_benchmarks",
    "published_results",
    "PublishedResults",
    "import_exports",
    "import_target",
    "comments",
    "compare_departments",
    "csv_bytes",
    "escape_markdown",
    "flag_comment",
    "flags",
    "excel_bytes",
    "figure_image",
    "mask_personal_text",
    "mask_quarantined_rows",
    "mask_reasons",
    "complaint_backlog",
    "complaint_mix",
    "complaint_timing",
    "department_heatmap",
    "headline",
    "load_config",
    "load_roles",
    "measure",
    "measures_for",
    "missing_data",
    "oldest_open",
    "open_source",
    "presentation",
    "quarantined_rows",
    "theme_labels",
    "theme_trends",
    "table_html",
    "trend",
    "trend_measures",
    "unavailable",
    "unflag_comment",
    "validation_report",
    "what_changed",
    "viewer_is_local",
    "without_sign_in",
]
__version__ = "0.1.0"
