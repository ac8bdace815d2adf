"""Property-based fuzzing of the reader, the import, validation and the KPI calls.

Each property has a fixed budget (``max_examples``): 100 examples where one costs milliseconds,
20 where one is a whole import into a database.
What must hold, whatever the input:

- nothing escapes but a :class:`ptx.PtxError`;
- for every table, rows read = rows loaded + rows quarantined (none negative);
- every percentage lies within 0-100;
- on valid data, the KPIs do not depend on the order of the rows, and the counts add up.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from builders import DEPARTMENTS, complaint_rows, feedback_rows, write_source
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import ptx
from ptx.disclosure import Disclosure
from ptx.errors import PtxError
from ptx.importing.readers import read_file
from ptx.ingest import BIGGEST, whole_numbers

BASE = Path(__file__).parent / "corpus" / "base"
OPEN = Disclosure(enabled=False)
QUICK = settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
# An import takes about a second on a busy 2-core machine: 20 examples each, and no shrinking
# (which can run for minutes on a failure); the failing example is printed as generated.
IMPORTS = settings(
    max_examples=20,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)

# Values that broke, or could break, an import: overflow, non-finite numbers, far dates,
# ambiguous dates, Excel's hashes, delimiters, quotes, line ends, NUL, right-to-left marks,
# formulas, SQL, and very long text.
HOSTILE = [
    "",
    " ",
    "NA",
    "-",
    "99999999999999999999999",
    "inf",
    "-inf",
    "nan",
    "1e30",
    "1e308",
    "9223372036854775808",
    "9223372036854775807",
    "-9223372036854775809",
    "0",
    "-1",
    "2.5",
    "5.0",
    "6",
    "10",
    "2099-12-31",
    "2055-01-01",
    "1900-01-01",
    "0001-01-01",
    "9999-12-31",
    "31/02/2025",
    "03/04/2025",
    "12/31/2025",
    "45678",
    "########",
    "05/03/25",
    "\x00",
    '"',
    '""',
    "a,b",
    "a;b",
    "\t",
    "\r",
    "\n",
    "café",
    "donâ€™t",
    "\U0001f4a5",
    "\u202e",
    "\ufeff",
    "=1+1",
    "'; DROP TABLE feedback; --",
    "True",
    "maybe",
    "None",
    "null",
    "x" * 5000,
    "A1",
    "Z9",
    "fft5",
    "ltr11",
    "yes_no2",
    "upheld",
]
TABLE_FILES = ("feedback.csv", "complaints.csv", "activity.csv", "feedback_answers.csv")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252")


def base_rows(name: str) -> list[list[str]]:
    lines = (BASE / name).read_text(encoding="utf-8").splitlines()
    return [line.split(",") for line in lines]  # the base quotes nothing but one comment


edit = st.tuples(
    st.sampled_from(TABLE_FILES),
    st.integers(min_value=1, max_value=20),  # data row (wrapped to the file's length)
    st.integers(min_value=0, max_value=12),  # field (wrapped to the row's width)
    st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)),
)
line_change = st.tuples(
    st.sampled_from(TABLE_FILES),
    st.integers(min_value=1, max_value=20),
    st.sampled_from(["drop field", "extra field", "open quote", "blank line", "duplicate"]),
)


def mutate(folder: Path, edits, line_changes, encoding: str) -> None:
    files = {name: base_rows(name) for name in TABLE_FILES}
    for name, row, column, value in edits:
        rows = files[name]
        cells = rows[1 + (row - 1) % (len(rows) - 1)]
        cells[column % len(cells)] = value
    for name, row, change in line_changes:
        rows = files[name]
        at = 1 + (row - 1) % (len(rows) - 1)
        if change == "drop field":
            rows[at] = rows[at][:-1]
        elif change == "extra field":
            rows[at] = [*rows[at], "surplus"]
        elif change == "open quote":
            rows[at] = ['"' + rows[at][0], *rows[at][1:]]
        elif change == "blank line":
            rows.insert(at, [])
        else:
            rows.insert(at, list(rows[at]))
    for name, rows in files.items():
        text = "".join(",".join(cells) + "\n" for cells in rows)
        (folder / name).write_bytes(text.encode(encoding, errors="replace"))


def check_report(report: ptx.ValidationReport) -> None:
    for row in report.tables.to_dict("records"):
        assert row["rows_read"] == row["rows_loaded"] + row["rows_quarantined"], row
        assert 0 <= row["rows_loaded"] <= row["rows_read"], row
        assert row["records"] <= row["rows_loaded"], row


def check_percentages(frame: pd.DataFrame) -> None:
    shares = frame[frame["unit"] == "%"]
    for column in ("value", "low", "high"):
        values = pd.to_numeric(shares[column], errors="coerce").dropna()
        assert values.between(0, 100).all(), shares


# --- the reader ---------------------------------------------------------------------------------


@QUICK
@given(
    cells=st.lists(st.lists(st.text(max_size=8), min_size=0, max_size=5), max_size=8),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(ENCODINGS),
    noise=st.binary(max_size=20),
)
def test_the_reader_reads_any_text_into_rows_or_rejections(cells, delimiter, encoding, noise):
    """Any text, in any supported encoding, with some raw bytes: every row seen is kept or
    rejected with its line number, and nothing but a PtxError escapes."""
    text = "a,b,c\n".replace(",", delimiter) + "".join(delimiter.join(row) + "\n" for row in cells)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "export.csv"
        path.write_bytes(text.encode(encoding, errors="replace") + noise)
        try:
            chunks, log = read_file(path, chunk_rows=3)
            kept = sum(len(chunk) for chunk in chunks)
        except PtxError:
            return
        assert kept + len(log.rejected) == log.rows_read
        for number, reason, _raw in log.rejected:
            assert "line" in reason, reason
            assert 0 <= number < log.rows_read


@QUICK
@given(st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=25)), max_size=20))
def test_whole_numbers_are_exact_or_refused(texts):
    """Only text that is a whole number a database holds is read, and read exactly."""
    text = pd.Series(texts, dtype=object).astype(str).str.strip()
    values, bad = whole_numbers(text, text == "")
    for raw, value, refused in zip(text, values, bad, strict=True):
        if raw == "":
            assert not refused
            continue
        assert refused == pd.isna(value)
        if not refused:
            assert -BIGGEST - 1 <= int(value) <= BIGGEST
            assert float(raw.replace("+", "")) == pytest.approx(int(value), rel=1e-12)


# --- the import, validation and the headline ----------------------------------------------------


@IMPORTS
@given(
    edits=st.lists(edit, min_size=1, max_size=5),
    line_changes=st.lists(line_change, max_size=2),
    encoding=st.sampled_from(ENCODINGS),
)
def test_hostile_exports_are_loaded_or_quarantined(edits, line_changes, encoding):
    """Hostile cells and broken lines in a small valid source: the import loads what it can,
    quarantines the rest with reasons, and the KPI calls answer or raise a PtxError."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "exports"
        shutil.copytree(BASE, folder)
        mutate(folder, edits, line_changes, encoding)
        try:
            source = ptx.open_source(ptx.load_config(None, location=str(folder)))
        except PtxError:
            return
        try:
            report = ptx.validation_report(source)
            check_report(report)
            assert report.reasons["rows"].sum() >= 0
            for call in (
                lambda: check_percentages(ptx.headline(source, rule=OPEN).to_frame()),
                lambda: ptx.complaint_timing(source, rule=OPEN),
                lambda: ptx.trend(source, "fft_pct_positive", period="month", rule=OPEN),
                lambda: ptx.compare_departments(source, "fft_pct_positive", rule=OPEN),
            ):
                with contextlib.suppress(PtxError):
                    call()
        finally:
            source.dispose()


# --- the KPIs on valid data ---------------------------------------------------------------------

START = date(2025, 1, 1)
SCALES = {"fft5": (1, 6), "ltr11": (0, 10)}
CHANNELS = ("FFT card", "FFT SMS", "Online survey")


@st.composite
def feedback_data(draw) -> pd.DataFrame:
    n = draw(st.integers(min_value=1, max_value=40))
    rows = []
    for i in range(n):
        scale = draw(st.sampled_from([*SCALES, None]))
        rating = None if scale is None else draw(st.integers(*SCALES[scale]))
        if scale is not None and draw(st.booleans()) and draw(st.booleans()):
            rating = None  # a comment only
        rows.append(
            (
                f"f{i}",
                (START + timedelta(days=draw(st.integers(0, 180)))).isoformat(),
                draw(st.sampled_from(list(DEPARTMENTS["department_id"]))),
                draw(st.sampled_from(CHANNELS)),
                rating,
                scale,
            )
        )
    frame = feedback_rows(rows)
    frame["rating"] = frame["rating"].astype("Int64")
    return frame


@st.composite
def complaint_data(draw) -> pd.DataFrame:
    n = draw(st.integers(min_value=0, max_value=25))
    rows = []
    for i in range(n):
        received = START + timedelta(days=draw(st.integers(0, 180)))
        ack = draw(st.one_of(st.none(), st.integers(0, 20)))
        resolved = draw(st.one_of(st.none(), st.integers(0, 120)))
        rows.append(
            (
                f"c{i}",
                draw(st.sampled_from(list(DEPARTMENTS["department_id"]))),
                received.isoformat(),
                None if ack is None else (received + timedelta(days=ack)).isoformat(),
                None if resolved is None else (received + timedelta(days=resolved)).isoformat(),
                None if resolved is None else draw(st.sampled_from(["upheld", "not upheld"])),
            )
        )
    return complaint_rows(rows) if rows else complaint_rows([]).iloc[:0]


def headline_numbers(location: str) -> pd.DataFrame:
    source = ptx.open_source(location)
    try:
        check_report(ptx.validation_report(source))
        frame = ptx.headline(source, rule=OPEN).to_frame()
        timing = ptx.complaint_timing(source, rule=OPEN).to_frame()
        funnel = ptx.compare_departments(source, "fft_pct_positive", rule=OPEN).to_frame()
    finally:
        source.dispose()
    return frame, timing, funnel


@IMPORTS
@given(feedback=feedback_data(), complaints=complaint_data(), seed=st.integers(0, 2**16))
def test_kpis_add_up_and_do_not_depend_on_row_order(feedback, complaints, seed):
    with tempfile.TemporaryDirectory() as scratch:
        tables = {"feedback": feedback, "complaints": complaints}
        one = write_source(Path(scratch) / "one.duckdb", **tables)
        order = random.Random(seed)
        shuffled = {
            name: frame.sample(frac=1, random_state=order.randrange(2**16))
            for name, frame in tables.items()
        }
        two = write_source(Path(scratch) / "two.duckdb", **shuffled)
        first, timing, funnel = headline_numbers(one)
        second, timing_2, funnel_2 = headline_numbers(two)
    pd.testing.assert_frame_equal(first, second)
    pd.testing.assert_frame_equal(timing, timing_2)
    pd.testing.assert_frame_equal(funnel, funnel_2)
    check_percentages(first)
    values = first.set_index("kpi")
    # the headline's window is the 12 months to the latest received date: every row here
    assert values.at["responses", "value"] == len(feedback)
    fft = feedback[(feedback["rating_scale"] == "fft5") & feedback["rating"].notna()]
    if len(fft):
        positive = 100 * fft["rating"].isin([1, 2]).sum() / len(fft)
        assert values.at["fft_pct_positive", "value"] == pytest.approx(positive)
        assert values.at["fft_pct_positive", "n"] == len(fft)
    counted = funnel["n"].fillna(0).sum() if len(funnel) else 0
    assert counted == len(fft)
    if len(complaints):
        assert values.at["complaints_received", "value"] == len(complaints)


# --- a database the analyst owns ----------------------------------------------------------------

DB_CELLS = {  # table -> (key column, keys, columns that may be damaged)
    "feedback": ("feedback_id", [f"F{i:02d}" for i in range(1, 13)], ("rating", "received_date")),
    "complaints": (
        "complaint_id",
        [f"C{i:02d}" for i in range(1, 7)],
        ("received_date", "resolved_date", "acknowledged_date", "reopened"),
    ),
    "feedback_answers": ("feedback_id", ["F01", "F03", "F06"], ("answer",)),
    "activity": ("department_id", ["A1", "A2", "B1"], ("episodes", "eligible", "month")),
}
DB_VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
)


@IMPORTS
@given(
    damage=st.lists(
        st.tuples(
            st.sampled_from(sorted(DB_CELLS)),
            st.integers(min_value=0, max_value=11),
            st.integers(min_value=0, max_value=3),
            DB_VALUES,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_damaged_sqlite_cells_are_quarantined_or_refused(damage):
    """SQLite keeps whatever a column is given (text in a date column, a fraction in an integer
    one): validation and the headline answer, or raise a PtxError, and the counts add up."""
    from test_corpus import database  # the base tables in a database of the analyst's own

    statements = []
    for table, row, column, value in damage:
        key, keys, columns = DB_CELLS[table]
        name = columns[column % len(columns)]
        literal = "NULL" if value is None else repr(value) if not isinstance(value, str) else None
        if isinstance(value, float) and value != value:
            literal = "NULL"
        elif isinstance(value, float) and value in (float("inf"), float("-inf")):
            literal = "9e999" if value > 0 else "-9e999"
        if literal is None:
            literal = "'" + value.replace("\x00", "").replace("'", "''") + "'"
        statements.append(
            f"UPDATE {table} SET {name} = {literal} WHERE {key} = '{keys[row % len(keys)]}'"
        )
    with tempfile.TemporaryDirectory() as scratch:
        job = database(".sqlite", *statements)(Path(scratch))
        try:
            source = ptx.open_source(str(job.location))
        except PtxError:
            return
        try:
            check_report(ptx.validation_report(source))
            with contextlib.suppress(PtxError):
                check_percentages(ptx.headline(source, rule=OPEN).to_frame())
        finally:
            source.dispose()
