"""The board pack: every section and every table row for the filters, the filters in words,
the methods as footnotes, nothing from the data live in the HTML, suppression kept, and the
`ptx report` command (HTML, and PDF printed by Chromium)."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest

import ptx
from ptx.cli import main
from ptx.report import SECTIONS, filters_in_words
from tests.test_browser import _chromium
from tests.test_hostile import FORMULAS, HTML, LINK, hostile_source

SECTION_IDS = (
    "overview",
    "what-changed",
    "feedback",
    "complaints",
    "departments",
    "benchmarks",
    "comments",
    "methods",
)


class Tables(HTMLParser):
    """The pack's tables (caption, rows of cell text), its tags and its section ids."""

    def __init__(self):
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.tags: set[str] = set()
        self.sections: list[str] = []
        self.sources: list[str] = []  # every src and href
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._script = False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        self.sources += [attrs[a] for a in ("src", "href") if attrs.get(a)]
        if tag == "section":
            self.sections.append(attrs.get("id"))
        elif tag == "table":
            self.tables.append(("", []))
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self.tables[-1][1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "script":
            self._script = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][1][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            caption = re.sub(r"\[\d+\]$", "", "".join(self._caption))  # its footnote marker
            self.tables[-1] = (caption, self.tables[-1][1])
            self._caption = None
        elif tag == "script":
            self._script = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)


def read(pack: bytes) -> Tables:
    parsed = Tables()
    parsed.feed(pack.decode("utf-8"))
    return parsed


@pytest.fixture(scope="module")
def source(demo_duckdb):
    return ptx.open_source(demo_duckdb)


@pytest.fixture(scope="module")
def pack(source) -> bytes:
    return ptx.board_pack(source)


def expected_tables(source, filters: ptx.Filters | None = None) -> dict[str, object]:
    """The export tables the pack should hold in full, by caption."""
    f = filters or ptx.Filters()
    head = ptx.headline(source, f)
    f = f.between(head.start, head.end)
    out = {"Every headline measure": head.table(export=True)}
    scope = filters_in_words(source, f.between(head.start, head.end))
    changes = ptx.what_changed(source, f, scope=scope)
    if changes.signals:
        out["Every signal"] = changes.table(export=True)
    out["FFT % positive by month"] = ptx.trend(source, "fft_pct_positive", f).table(export=True)
    for by, label in ptx.BREAKDOWNS.items():
        result = ptx.breakdown(source, "fft_pct_positive", by, f)
        out[f"FFT % positive by {label.lower()}"] = result.table(export=True)
    timing = ptx.complaint_timing(source, f, by="department_id")
    out["Time to resolution by department"] = timing.table(export=True)
    out["Open complaints at each month end"] = ptx.complaint_backlog(source, f).table(export=True)
    out["Outcomes, subjects and severities"] = ptx.complaint_mix(source, f).table(export=True)
    out["Oldest open complaints"] = ptx.oldest_open(source, f).table(export=True)
    ranking = ptx.compare_departments(source, "fft_pct_positive", f)
    out["Ranking, with intervals"] = ranking.table(export=True)
    heat = ptx.department_heatmap(source, f)
    out["Funnel verdict by department and measure"] = heat.table(export=True)
    published = ptx.published_results(source)
    assert not published.unavailable and len(published.rows)  # the demo's own unit
    out["Published results and percentile ranks"] = published.table(export=True)
    themes = ptx.theme_trends(source, f)
    out["Comments by theme and month"] = themes.table(export=True)
    return out


def test_the_pack_holds_every_section_and_every_row_of_every_table(source, pack):
    parsed = read(pack)
    assert parsed.sections == list(SECTION_IDS)
    assert len(SECTIONS) == len(SECTION_IDS) - 1  # the methods close the pack
    tables = dict(parsed.tables)
    expected = expected_tables(source)
    assert set(tables) == set(expected)
    for caption, frame in expected.items():
        heading, *rows = tables[caption]
        assert heading == [str(c) for c in frame.columns], caption
        assert len(rows) == len(frame), caption  # every row, not the first few
        assert rows == [["" if v is None else str(v) for v in r] for r in frame.to_numpy()], caption
    assert len(tables["Ranking, with intervals"]) - 1 == 25  # every department of the demo


def test_the_pack_quotes_masked_comments_on_the_most_frequent_themes(tmp_path):
    """A few recent comments per top theme, negative and positive, personal details masked."""
    from tests.builders import write_source
    from tests.test_comments import _months_of_comments

    feedback = _months_of_comments()
    parking = feedback["comment"].str.startswith("Parking")
    feedback.loc[parking, "comment"] = (
        "Parking was impossible, call me on 07700 900123 or jo.bloggs@example.org"
    )
    source = ptx.open_source(write_source(tmp_path / "c.duckdb", feedback=feedback))
    text = ptx.board_pack(source, ptx.Filters()).decode()
    section = text[text.index('id="comments"') :]
    assert "recent comments" in section and "Negative · " in section
    assert "Parking was impossible, call me on [phone] or [email]" in section  # quoted, masked
    assert "07700 900123" not in text and "jo.bloggs@example.org" not in text


def test_the_pack_names_the_as_of_date_the_filters_and_the_methods(source, pack):
    text = pack.decode("utf-8")
    as_of = ptx.as_of(source)
    assert f"<strong>Data as of:</strong> {as_of:%d %b %Y}" in text
    assert "<strong>Filters:</strong> Whole organisation" in text
    notes = re.findall(r'<li id="method-(\d+)">(.*?)</li>', text)
    assert len(notes) >= 8 and [int(n) for n, _ in notes] == list(range(1, len(notes) + 1))
    cited = set(re.findall(r'<a href="#method-(\d+)">', text))
    assert cited == {n for n, _ in notes}  # every footnote is cited, every citation has one
    for method in ("Wilson", "Kaplan-Meier", "Spiegelhalter", "Making Data Count"):
        assert method in text, method
    tiles = re.findall(r'<div class="tile" data-key="([^"]+)"', text)
    head = ptx.headline(source)
    # The Overview's tiles carry their Making Data Count icons, as ptx.what_changed reads them.
    trends = ptx.what_changed(source).trends
    icons = re.findall(r'<span class="icon" data-kind="([^"]+)">', text)
    expected = [
        i.kind
        for t in head.tiles()
        if t.key in trends
        for i in (trends[t.key].variation, trends[t.key].assurance)
        if i is not None
    ]
    assert icons == expected and len(icons) >= 5
    assert 'role="img" aria-label=' in text  # each icon named for screen readers
    changes = ptx.what_changed(source)
    section = text.split('<section id="what-changed">', 1)[1].split("</section>", 1)[0]
    assert changes.summary() in section
    assert section.count("<li>") == len(changes.signals)
    timing = ptx.complaint_timing(source)
    assert tiles == [t.key for t in head.tiles()] + [t.key for t in timing.tiles()]


def test_the_pack_is_self_contained(pack):
    parsed = read(pack)
    # Only links within the pack (its footnotes, its contents) and an empty icon.
    assert all(s.startswith("#") or s == "data:," for s in parsed.sources), parsed.sources
    text = pack.decode("utf-8")
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert text.count('class="js-plotly-plot"') == 0  # drawn by the inlined plotly.js
    body = text.split("</script></head>", 1)[1]  # after the inlined plotly.js
    assert body.count("Plotly.newPlot") >= 10 and "https://" not in body


def test_filters_in_words_and_a_filtered_pack(source):
    hierarchy = ptx.hierarchy(source)
    ward = next(d for d in hierarchy.departments if d.name == "Respiratory Ward")
    filters = ptx.Filters(departments=[ward.department_id], channels=["SMS"])
    assert filters_in_words(source, filters) == (
        "Department: Respiratory Ward · feedback channels: SMS"
    )
    words = filters_in_words(source, ptx.Filters(sites=[ward.site], divisions=[ward.division]))
    assert words == f"Site: {ward.site} › Division: {ward.division}"
    pack = ptx.board_pack(source, ptx.Filters(departments=[ward.department_id]))
    assert "<strong>Filters:</strong> Department: Respiratory Ward" in pack.decode()
    tables = dict(read(pack).tables)
    expected = expected_tables(source, ptx.Filters(departments=[ward.department_id]))
    for caption, frame in expected.items():
        if frame.empty:  # e.g. too few open complaints to list: the pack says so instead
            assert caption not in tables, caption
            continue
        assert len(tables[caption]) - 1 == len(frame), caption


def test_suppressed_cells_stay_suppressed_in_the_pack(source):
    """A month of one small department: the rule hides counts, and the pack shows them hidden
    exactly as the export tables do; without the rule the same cells hold the numbers."""
    timing = ptx.complaint_timing(
        source, by="department_id", rule=ptx.Disclosure(enabled=False)
    ).summary
    small = timing[timing["complaints"] > 0].sort_values("complaints").iloc[0]["group"]
    department = next(d for d in ptx.hierarchy(source).departments if d.label == small)
    filters = ptx.Filters(departments=[department.department_id])
    with_rule = dict(read(ptx.board_pack(source, filters)).tables)
    without = dict(read(ptx.board_pack(source, filters, rule=ptx.Disclosure(enabled=False))).tables)
    caption = "Time to resolution by department"
    heading, *rows = with_rule[caption]
    assert heading[1:4] == ["Complaints", "Resolved", "Open"]
    counts = [cell for row in rows for cell in row[1:4]]
    assert "*" in counts  # the rule hid something here
    assert all(c in ("*", "") or int(c.replace(",", "")) % 5 == 0 for c in counts), counts
    bare = [cell for row in without[caption][1:] for cell in row[1:4]]
    assert any(re.fullmatch(r"[1-7]", c) for c in bare)  # the numbers the rule hides


def test_data_strings_are_escaped_in_the_pack(tmp_path):
    folder = tmp_path / "hostile"
    hostile_source(folder)
    source = ptx.open_source(folder)
    pack = ptx.board_pack(source).decode("utf-8")
    body = pack.split("</script></head>", 1)[1]  # after plotly.js
    for raw in ("<a href='http://evil.example'", "<img src=http://evil.example", "<img src"):
        assert raw not in body
    parsed = read(pack.encode())
    assert not {"img", "iframe", "object", "embed"} & parsed.tags
    assert all(s.startswith("#") or s == "data:," for s in parsed.sources)
    cells = {cell for _, rows in parsed.tables for row in rows for cell in row}
    assert any(LINK in c for c in cells) and any(HTML in c for c in cells)  # shown as text
    assert any(FORMULAS[0] in c for c in cells)


def test_ptx_report_writes_the_html_pack_for_the_filters(demo_duckdb, tmp_path, capsys):
    out = tmp_path / "packs" / "pack.html"
    status = main(
        [
            "report",
            str(demo_duckdb),
            "--out",
            str(out),
            "--division",
            "Medicine",
            "--from",
            "2026-01-01",
            "--to",
            "2026-06-30",
        ]
    )
    assert status == 0
    text = out.read_text(encoding="utf-8")
    assert "<strong>Filters:</strong> Division: Medicine" in text
    assert "01 Jan 2026 to 30 Jun 2026" in text
    assert "Wrote the board pack" in capsys.readouterr().out
    assert not list(out.parent.glob("*.partial"))


def test_ptx_report_refuses_another_kind_of_file(demo_duckdb, tmp_path, capsys):
    assert main(["report", str(demo_duckdb), "--out", str(tmp_path / "pack.docx")]) == 2
    assert "name a .html or .pdf file" in capsys.readouterr().err
    with pytest.raises(ptx.PtxError, match="html or pdf"):
        ptx.board_pack(ptx.open_source(demo_duckdb), fmt="docx")


def test_ptx_report_prints_every_table_row_to_pdf(demo_duckdb, tmp_path):
    _chromium()  # skips (or fails when required) without Chromium
    from pypdf import PdfReader

    out = tmp_path / "pack.pdf"
    assert main(["report", str(demo_duckdb), "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in reader.pages))
    source = ptx.open_source(demo_duckdb)
    for caption, frame in expected_tables(source).items():
        assert caption in text, caption
        for row in frame.to_numpy():
            # Each row's first cell (a period, group or department) is printed.
            assert re.sub(r"\s+", " ", str(row[0])) in text, (caption, row[0])
    ranking = ptx.compare_departments(source, "fft_pct_positive").table(export=True)
    assert all(name in text for name in ranking["Department"])  # all 25 departments


def test_the_board_pack_button_gives_the_pack_of_the_view(demo_duckdb, monkeypatch):
    """pages._shared.board_pack_button, as the Overview calls it: an HTML and a PDF button whose
    files are made on click, for the view's filters and suppression."""
    from streamlit.testing.v1 import AppTest

    from tests.downloads import record_downloads

    def app(location: str) -> None:
        import ptx
        from pages._shared import View, board_pack_button

        source = ptx.open_source(location)
        filters = ptx.Filters(divisions=["Medicine"], start="2026-01-01", end="2026-06-30")
        view = View(
            source=source,
            source_key=(location, ""),
            as_of=ptx.as_of(source),
            filters=filters,
            scope="Medicine",
            disclosure=ptx.Disclosure(),
            access=ptx.Access(),
        )
        board_pack_button(view)

    content = record_downloads(monkeypatch)
    at = AppTest.from_function(app, args=(str(demo_duckdb),), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["Board pack (HTML)", "Board pack (PDF)"]
    pack = content(buttons[0]).decode("utf-8")
    assert "<strong>Filters:</strong> Division: Medicine" in pack
    assert "01 Jan 2026 to 30 Jun 2026" in pack
    assert [s for s in read(pack.encode()).sections] == list(SECTION_IDS)
