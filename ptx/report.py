"""The board pack: every page's key figures and full tables for one set of filters, in one file.

One self-contained HTML file (plotly's JavaScript inlined, no request to any network: a
content-security policy forbids them), or the same printed to PDF by headless Chromium. It
holds the Overview's tiles with their Making Data Count icons, what changed (the special-cause
signals in words), each page's key charts and every row of their tables, the as-of
date, the filters in words and the methods as numbered footnotes. Every value from the data is
HTML-escaped; the numbers come from the facade's results, with the small-number rule applied.

>>> import ptx
>>> source = ptx.open_source("data/demo.duckdb")                      # doctest: +SKIP
>>> pack = ptx.board_pack(source, ptx.Filters(divisions=["Medicine"]))  # doctest: +SKIP
>>> Path("pack.html").write_bytes(pack)                               # doctest: +SKIP

A section is a function ``(pack) -> None`` that adds blocks to the pack: :data:`SECTIONS` lists
them in order, so a new one is one function and one entry.
"""

from __future__ import annotations

import html
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from ptx.api import (
    BREAKDOWN_LABELS,
    available_measures,
    breakdown,
    compare_departments,
    complaint_backlog,
    complaint_mix,
    complaint_timing,
    department_heatmap,
    headline,
    oldest_open,
    trend,
    unavailable,
    what_changed,
)
from ptx.api._common import department_names, rule_for
from ptx.api.comments import comments, theme_trends
from ptx.benchmarks.summary import published_results
from ptx.disclosure import Disclosure
from ptx.errors import PtxError
from ptx.exports import table_html
from ptx.icons import HEX
from ptx.query import Filters
from ptx.sources import Source

FORMATS = ("html", "pdf")
TITLE = "Patient experience board pack"
KEY_TREND = "fft_pct_positive"  # the Feedback page's default chart
KEY_COMPARISON = "fft_pct_positive"  # the Departments page's default ranking
# Printed on A4 landscape with 10 mm margins: 277 mm of width, 1047 CSS pixels.
PAGE_WIDTH_PX = 1047
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Nothing leaves the page: no script, style, image, font or frame from anywhere but the file.
CONTENT_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; worker-src blob:"
)

STYLE = """
body { font-family: "Segoe UI", Arial, sans-serif; color: #1a1a1a; margin: 24px auto;
       max-width: 1047px; font-size: 14px; line-height: 1.4; }
h1 { font-size: 26px; margin-bottom: 4px; } h2 { font-size: 21px; margin-top: 32px;
  border-bottom: 2px solid #0b5394; padding-bottom: 4px; break-after: avoid; }
h3 { font-size: 16px; margin-top: 20px; break-after: avoid; }
.meta { color: #444; margin: 2px 0; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr));
         gap: 10px; margin: 12px 0; }
.tile { border: 1px solid #bbb; border-radius: 6px; padding: 8px 10px; break-inside: avoid; }
.tile .label { font-size: 13px; color: #333; }
.tile .value { font-size: 24px; font-weight: 600; }
.tile .change { font-size: 13px; color: #333; }
.tile .note { font-size: 11px; color: #555; margin-top: 4px; }
.tile .icons { display: flex; gap: 10px; margin-top: 4px; font-size: 12px; font-weight: 600; }
.tile .icon { display: inline-flex; align-items: center; gap: 4px; }
.figure { break-inside: avoid; margin: 8px 0; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 12px; width: 100%; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
sup a { text-decoration: none; }
.notes li { margin-bottom: 4px; }
@page { size: A4 landscape; margin: 10mm; }
@media print { body { margin: 0; max-width: none; } h2 { break-before: page; }
  section:first-of-type h2 { break-before: auto; } }
"""


def _e(value: object) -> str:
    """Text from the data as HTML text."""
    return html.escape("" if value is None else str(value), quote=True)


@dataclass
class Pack:
    """A board pack being written: the call's inputs and the blocks written so far."""

    source: Source
    filters: Filters  # with both dates set
    rule: Disclosure
    as_of: date
    blocks: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)  # the footnotes, numbered from 1
    sections: list[tuple[str, str]] = field(default_factory=list)  # (id, title)
    figures: int = 0
    answers: dict = field(default_factory=dict)  # answers two sections share, by name

    def changes(self):
        """The view's tile icons and signals (ptx.what_changed), asked once for the pack."""
        if "changes" not in self.answers:
            self.answers["changes"] = what_changed(
                self.source,
                self.filters,
                rule=self.rule,
                as_of=self.as_of,
                scope=filters_in_words(self.source, self.filters),
            )
        return self.answers["changes"]

    def section(self, key: str, title: str) -> None:
        if self.sections:
            self.blocks.append("</section>")
        self.sections.append((key, title))
        self.blocks.append(f'<section id="{key}"><h2>{_e(title)}</h2>')

    def heading(self, text: str) -> None:
        self.blocks.append(f"<h3>{_e(text)}</h3>")

    def text(self, text: str, css: str = "") -> None:
        self.blocks.append(f'<p class="{css}">{_e(text)}</p>' if css else f"<p>{_e(text)}</p>")

    def bullets(self, items) -> None:
        self.blocks.append("<ul>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>")

    def cite(self, method: str) -> str:
        """A footnote marker for a method, each method numbered once."""
        if method not in self.methods:
            self.methods.append(method)
        n = self.methods.index(method) + 1
        return f'<sup><a href="#method-{n}">[{n}]</a></sup>'

    def figure(self, figure, method: str | None = None) -> None:
        if figure is None:
            return
        figure = figure.update_layout(width=None, autosize=True)
        div = figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            include_mathjax=False,
            config={"displayModeBar": False, "responsive": True, "staticPlot": False},
            default_width="100%",
            div_id=f"ptx-figure-{self.figures + 1}",
        )
        self.figures += 1
        cite = self.cite(method) if method else ""
        self.blocks.append(f'<div class="figure">{div}{cite}</div>')

    def table(self, frame: pd.DataFrame, caption: str, method: str | None = None) -> None:
        """Every row of a table, each cell escaped; the caption cites the method."""
        table = table_html(frame, caption)
        if method:
            table = table.replace("</caption>", self.cite(method) + "</caption>", 1)
        self.blocks.append(table)

    def tiles(self, tiles, trends=None) -> None:
        """Tiles with their change and note; with ``trends`` (ptx.what_changed's), each
        tile's Making Data Count icons, its change in the variation icon's colour."""
        cells = []
        for t in tiles:
            trend = (trends or {}).get(t.key)
            colour = f' style="color:{HEX[trend.colour]}"' if trend else ""
            change = f'<div class="change"{colour}>Change: {_e(t.change)}</div>' if t.change else ""
            icons = ""
            if trend is not None:
                shown = [i for i in (trend.variation, trend.assurance) if i is not None]
                icons = (
                    '<div class="icons">'
                    + "".join(
                        f'<span class="icon" data-kind="{_e(i.kind)}">{i.svg(32)}'
                        f'<span style="color:{i.hex}">{_e(i.short)}</span></span>'
                        for i in shown
                    )
                    + "</div>"
                )
            note = f'<div class="note">{_e(t.note)}</div>' if t.note else ""
            cells.append(
                f'<div class="tile" data-key="{_e(t.key)}"><div class="label">{_e(t.label)}</div>'
                f'<div class="value">{_e(t.value)}</div>{change}{icons}{note}</div>'
            )
        self.blocks.append(f'<div class="tiles">{"".join(cells)}</div>')


def filters_in_words(source: Source, filters: Filters) -> str:
    """The filters as a reader says them ("Whole organisation", "Site: North › Division:
    Medicine · channels: SMS"); departments by name."""
    names = department_names(source, filters.access) if filters.departments else {}
    parts = []
    for what, chosen in (("Site", filters.sites), ("Division", filters.divisions)):
        if chosen:
            parts.append(f"{what}: {', '.join(chosen)}")
    if filters.departments:
        shown = [names.get(d, d) for d in filters.departments]
        what = "Department" if len(shown) == 1 else "Departments"
        parts.append(f"{what}: {', '.join(shown)}")
    whole = "All your departments" if filters.access.restricted else "Whole organisation"
    words = " › ".join(parts) if parts else whole
    if filters.channels:
        words += f" · feedback channels: {', '.join(filters.channels)}"
    return words


def _overview(pack: Pack) -> None:
    head = headline(pack.source, pack.filters, rule=pack.rule, as_of=pack.as_of)
    pack.section("overview", "Overview")
    pack.tiles(head.tiles(), pack.changes().trends)
    pack.text(
        "Icons: Making Data Count variation (the latest month against the process limits) and, "
        "where a target is set, assurance (will the process meet it)."
    )
    for note in head.notes:
        pack.text(note)
    figures = head.figures()
    for name in head.charts():
        if name in figures:
            pack.figure(figures[name], head.method)
        else:
            pack.text(head.empty_note(name))
    methods = "; ".join(f"{row.label}: {row.method}" for row in head.kpis.itertuples())
    pack.table(head.table(export=True), "Every headline measure", f"Headline measures. {methods}.")


def _what_changed(pack: Pack) -> None:
    changes = pack.changes()
    pack.section("what-changed", "What changed")
    pack.text(changes.summary())
    pack.bullets(f"{s.run.verdict.capitalize()}: {s.text}" for s in changes.signals)
    if changes.signals:
        pack.table(changes.table(export=True), "Every signal", changes.method)


def _feedback(pack: Pack) -> None:
    pack.section("feedback", "Feedback")
    result = trend(pack.source, KEY_TREND, pack.filters, rule=pack.rule, as_of=pack.as_of)
    pack.heading(f"{result.measure.label} by month")
    if result.chart.empty:
        pack.text(result.unavailable or "No data for this measure and selection.")
    else:
        pack.figure(result.figure(), result.method)
        pack.bullets(result.signals or ("Only common-cause variation: no signal to act on.",))
        pack.table(result.table(export=True), f"{result.measure.label} by month", result.method)
    pack.heading("Breakdowns")
    for by, label in BREAKDOWN_LABELS.items():
        groups = breakdown(
            pack.source, KEY_TREND, by, pack.filters, rule=pack.rule, as_of=pack.as_of
        )
        if groups.values.empty:
            pack.text(f"{label}: no responses for this selection.")
            continue
        pack.figure(groups.figure(), groups.method)
        pack.table(groups.table(export=True), f"{groups.measure.label} by {label.lower()}")


def _complaints(pack: Pack) -> None:
    pack.section("complaints", "Complaints")
    missing = unavailable(pack.source, "complaints")
    if missing:
        pack.text(missing)
        return
    args = (pack.source, pack.filters)
    kwargs = {"rule": pack.rule, "as_of": pack.as_of}
    timing = complaint_timing(*args, by="department_id", **kwargs)
    pack.tiles(timing.tiles())
    pack.text(timing.why_medians_differ())
    pack.heading("Time to resolution")
    if timing.curves:
        pack.figure(timing.figure(), timing.method)
    pack.text(timing.curves_note)
    pack.table(timing.table(export=True), "Time to resolution by department", timing.method)

    backlog = complaint_backlog(*args, **kwargs)
    pack.heading("Backlog")
    figures = backlog.figures()
    for name in ("backlog", "ageing"):
        if name in figures:
            pack.figure(figures[name], backlog.method)
        else:
            pack.text(backlog.empty_note(name))
    pack.table(backlog.table(export=True), "Open complaints at each month end", backlog.method)

    mix = complaint_mix(*args, **kwargs)
    pack.heading("Outcomes and subjects")
    for figure in mix.figures().values():
        pack.figure(figure, mix.method)
    pack.text(mix.reopened_text())
    pack.table(mix.table(export=True), "Outcomes, subjects and severities", mix.method)

    oldest = oldest_open(*args, **kwargs)
    pack.heading("Oldest open complaints")
    if len(oldest.rows):
        pack.table(oldest.table(export=True), "Oldest open complaints", oldest.method)
    else:
        pack.text(oldest.note)


def _departments(pack: Pack) -> None:
    pack.section("departments", "Departments")
    comparisons = available_measures(pack.source, "funnel")
    if not comparisons:
        pack.text("This source has none of the data departments are compared on.")
        return
    key = KEY_COMPARISON if KEY_COMPARISON in comparisons else next(iter(comparisons))
    result = compare_departments(pack.source, key, pack.filters, rule=pack.rule, as_of=pack.as_of)
    pack.heading(f"{result.measure.label}: funnel plot and ranking")
    if result.funnel is None:
        pack.text(result.unavailable or "No data for this measure in the selection.")
    else:
        pack.figure(result.figure(), result.method)
        if result.suppressed:
            pack.text(f"{result.suppressed} department(s) with too few to show are not drawn.")
        pack.table(result.table(export=True), "Ranking, with intervals", result.method)
    heat = department_heatmap(pack.source, pack.filters, rule=pack.rule, as_of=pack.as_of)
    pack.heading("Every measure at a glance")
    for note in heat.notes:
        pack.text(note)
    pack.figure(heat.figure(), heat.method)
    pack.table(heat.table(export=True), "Funnel verdict by department and measure", heat.method)


def _benchmarks(pack: Pack) -> None:
    """The organisation's published results (CMS HCAHPS, NHS England FFT) beside the national
    value: published measures of their own, never computed from the responses above."""
    pack.section("benchmarks", "Published benchmarks")
    result = published_results(pack.source)
    if result.unavailable:
        pack.text(result.unavailable)
        return
    pack.text(
        f"{result.unit}: results as their publishers released them for the whole unit, beside "
        "the national value; they are not computed from the responses in this pack."
    )
    pack.table(result.table(export=True), "Published results and percentile ranks", result.method)


COMMENT_THEMES = 3  # the pack quotes comments on this many of the most frequent themes
COMMENTS_PER_THEME = 2  # and this many of the newest negative and of the newest positive


def _comments(pack: Pack) -> None:
    """The themes of patients' comments (rising ones first), and a few recent comments on each
    of the most frequent themes, personal details masked (ptx.comments masks them; a role that
    may not read comment text gets the counts only)."""
    trends = theme_trends(pack.source, pack.filters, rule=pack.rule)
    pack.section("comments", "Comments")
    if trends.unavailable:
        pack.text(trends.unavailable)
        return
    pack.bullets(signal.sentence for signal in trends.rising)
    pack.figure(trends.figure(), trends.method)
    counts = trends.months.groupby(["theme", "label"], as_index=False)["comments"].sum()
    top = counts.sort_values("comments", ascending=False).head(COMMENT_THEMES)
    for row in top.itertuples():
        pack.heading(f"{row.label}: recent comments")
        for sentiment in ("negative", "positive"):  # both sides, the criticism first
            found = comments(
                pack.source,
                pack.filters,
                themes=(row.theme,),
                sentiment=(sentiment,),
                page_size=COMMENTS_PER_THEME,
                rule=pack.rule,
            )
            if found.note:
                pack.text(found.note)
            pack.bullets(
                f"{sentiment.capitalize()} · {r.received_date:%d %b %Y} · {r.department}: "
                f"{r.comment}"
                for r in found.rows.itertuples()
            )
    pack.table(trends.table(export=True), "Comments by theme and month", trends.method)


# The pack's sections in order: each adds its heading, figures and tables.
SECTIONS: tuple[Callable[[Pack], None], ...] = (
    _overview,
    _what_changed,
    _feedback,
    _complaints,
    _departments,
    _benchmarks,
    _comments,
)


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def board_pack_html(
    source: Source,
    filters: Filters = Filters(),
    *,
    rule: Disclosure = Disclosure(),
    as_of: date | None = None,
) -> str:
    """The board pack as one self-contained HTML document (see :func:`board_pack`)."""
    from ptx.api._common import dates

    rule = rule_for(rule, filters)
    filters, end_of_data = dates(source, filters, whole_history=False, as_of=as_of)
    pack = Pack(source, filters, rule, end_of_data)
    for section in SECTIONS:
        section(pack)
    pack.blocks.append("</section>")
    notes = "".join(
        f'<li id="method-{n}">{_e(m)}</li>' for n, m in enumerate(pack.methods, start=1)
    )
    contents = "".join(f'<li><a href="#{k}">{_e(t)}</a></li>' for k, t in pack.sections)
    scope = filters_in_words(source, filters)
    made = datetime.now().astimezone()
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_POLICY}">'
        '<link rel="icon" href="data:,">'
        f"<title>{_e(TITLE)}: {_e(scope)}</title><style>{STYLE}</style>"
        f'<script type="text/javascript">{_plotly_js()}</script></head><body>'
        f"<header><h1>{_e(TITLE)}</h1>"
        f'<p class="meta" id="scope"><strong>Filters:</strong> {_e(scope)}</p>'
        f'<p class="meta" id="dates"><strong>Dates:</strong> {filters.start:%d %b %Y} to '
        f"{filters.end:%d %b %Y}</p>"
        f'<p class="meta" id="as-of"><strong>Data as of:</strong> {end_of_data:%d %b %Y}</p>'
        f'<p class="meta"><strong>Source:</strong> {_e(source.label)} · made '
        f"{made:%d %b %Y %H:%M}</p>"
        f'<p class="meta"><strong>Small numbers:</strong> {_e(rule.describe())}</p>'
        f'<nav><ol class="contents">{contents}</ol></nav></header>'
        + "".join(pack.blocks)
        + '<section id="methods"><h2>Methods</h2>'
        f'<ol class="notes">{notes}</ol></section></body></html>\n'
    )


def find_chromium() -> str:
    """Where Chromium should be: PTX_CHROMIUM, else ``chromium`` on the PATH, else Debian's
    /usr/bin/chromium (the path may not exist)."""
    return os.environ.get("PTX_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def chromium_path() -> str:
    """The Chromium that prints PDFs (see :func:`find_chromium`); a clear error without one."""
    found = find_chromium()
    if not os.path.isfile(found):
        raise PtxError(
            "A PDF is printed by Chromium, which is not installed here (apt-get install "
            "chromium, or set PTX_CHROMIUM); write --out pack.html for the HTML pack."
        )
    return found


def html_to_pdf(document: str) -> bytes:
    """An HTML document printed to PDF (A4 landscape) by headless Chromium, with the network
    off, once every chart is drawn."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(
                offline=True, viewport={"width": PAGE_WIDTH_PX, "height": 900}
            )
            page = context.new_page()
            page.set_content(document, wait_until="load")
            page.wait_for_function(
                "() => [...document.querySelectorAll('.js-plotly-plot')]"
                ".every(p => p.querySelector('.main-svg'))"
            )
            return page.pdf(prefer_css_page_size=True, print_background=True)
        finally:
            browser.close()


def board_pack(
    source: Source,
    filters: Filters = Filters(),
    *,
    rule: Disclosure = Disclosure(),
    fmt: str = "html",
    as_of: date | None = None,
) -> bytes:
    """The board pack for ``filters``: one self-contained HTML file, or a PDF.

    Parameters
    ----------
    source
        An open source (:func:`ptx.open_source`).
    filters
        Site, division, department, channels and dates (default: the 12 months to the as-of
        date), as on the dashboard; an access in them restricts the pack as it restricts pages.
    rule
        The small-number rule (on by default).
    fmt
        ``"html"`` (opens offline in any browser) or ``"pdf"`` (printed by headless Chromium).
    as_of
        The as-of date (default: the source's).

    Returns
    -------
    bytes
        The file's content (UTF-8 HTML, or PDF).
    """
    if fmt not in FORMATS:
        raise PtxError(f"A board pack is {' or '.join(FORMATS)}, not {fmt!r}.")
    document = board_pack_html(source, filters, rule=rule, as_of=as_of)
    return document.encode("utf-8") if fmt == "html" else html_to_pdf(document)
