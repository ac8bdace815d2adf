"""ptx.importing.dates: one date column read in two passes, where the column may mix formats."""

from __future__ import annotations

import contextlib
import re
from datetime import date

import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ptx.importing.dates import DAY_FIRST, MONTH_FIRST, DateColumn

FFT_FILE = "nhs_fft_comments_v6.csv"
ACCEPTED = (
    "write YYYY-MM-DD (a time after it is fine), DD/MM/YYYY or MM/DD/YYYY (with /, - or .), "
    "YYYY/MM/DD, or an Excel serial day number"
)

# A file with a day-first block, then a month-first block; ambiguous values inside both.
MIXED_BLOCKS = [
    ("28/09/2021", date(2021, 9, 28)),
    ("30/09/2021", date(2021, 9, 30)),
    ("03/10/2021", date(2021, 10, 3)),  # between two day-first rows
    ("15/10/2021", date(2021, 10, 15)),
    ("04/11/2021", date(2021, 11, 4)),  # day-first row 1 back, month-first row 3 ahead
    ("05/11/2021", date(2021, 11, 5)),  # 2 rows from each: most of the column is day-first
    ("06/11/2021", date(2021, 6, 11)),  # month-first row 1 ahead, day-first row 3 back
    ("11/20/2021", date(2021, 11, 20)),
    ("12/01/2021", date(2021, 12, 1)),  # between two month-first rows
    ("12/25/2021", date(2021, 12, 25)),
    ("07/07/2021", date(2021, 7, 7)),  # same day and month: either reading
    ("01/02/2022", date(2022, 1, 2)),  # last row: only a month-first row before it
]


def read_column(
    values, context=None, date_format=None, chunk_rows=None, first_row=0, context_name="Ward"
):
    """(dates, problems, column) after both passes over ``values`` in chunks of ``chunk_rows``."""
    index = pd.RangeIndex(first_row, first_row + len(values))
    text = pd.Series(values, index=index, dtype=object)
    groups = None if context is None else pd.Series(context, index=index, name=context_name)
    column = DateColumn("Date", date_format)
    size = chunk_rows or max(len(values), 1)
    starts = range(0, len(values), size)

    def chunk(series, start):
        return None if series is None else series.iloc[start : start + size]

    for start in starts:
        column.observe(chunk(text, start), chunk(groups, start))
    parsed = [column.parse(chunk(text, start), chunk(groups, start)) for start in starts]
    dates = pd.concat([d for d, _ in parsed]) if parsed else pd.Series(dtype=object)
    problems = pd.concat([p for _, p in parsed]) if parsed else pd.Series(dtype=object)
    assert dates.index.equals(index) and problems.index.equals(index)
    return dates.tolist(), problems.tolist(), column


def test_mixed_blocks_are_read_like_the_rows_around_them():
    values = [text for text, _ in MIXED_BLOCKS]
    dates, problems, column = read_column(values)
    assert dates == [expected for _, expected in MIXED_BLOCKS]
    assert problems == [None] * len(values)
    assert column.notes() == [
        "Date: the column mixes day-first dates (3, such as 28/09/2021) and month-first dates "
        "(2, such as 11/20/2021).",
        "Date: 6 values such as 03/10/2021 could be day-first or month-first.",
        "Date: 2 were read as day-first, like the nearest unambiguous rows around them "
        "(such as 03/10/2021, read as 3 October 2021).",
        "Date: 3 were read as month-first, like the nearest unambiguous rows around them "
        "(such as 06/11/2021, read as 11 June 2021).",
        "Date: 1 was read as day-first, the format of most of the column (3 day-first against 2 "
        "month-first), because the rows around them did not settle it (such as 05/11/2021, read "
        "as 5 November 2021).",
        "Date: 1 value with equal day and month (such as 07/07/2021) read the same either way.",
    ]


def test_the_rows_around_a_value_are_those_of_its_own_context():
    values = ["13/01/2022", "01/14/2022", "02/03/2022", "02/03/2022", "20/01/2022", "04/05/2022"]
    wards = ["A", "B", "A", "B", "A", "C"]
    dates, problems, column = read_column(values, context=wards)
    # Ward A is day-first and ward B month-first, though the rows alternate; ward C has no
    # unambiguous value of its own, so it takes the column's majority (day-first).
    assert dates == [
        date(2022, 1, 13),
        date(2022, 1, 14),
        date(2022, 3, 2),
        date(2022, 2, 3),
        date(2022, 1, 20),
        date(2022, 5, 4),
    ]
    assert problems == [None] * 6
    assert "with the same Ward" in column.notes()[2]
    without_context, _, _ = read_column(values)
    assert without_context[3] == date(2022, 3, 2)  # nearest row overall is ward A's day-first


def test_iso_and_year_first_dates_keep_the_date_as_written():
    values = [
        "2024-03-05",
        "2024-03-05T14:02",
        "2024-03-05 14:02:11",
        "2024-03-05T23:30:00Z",
        "2024-03-05T23:30:00.250-05:00",
        "2024-03-05T00:30+01:00",
        "2024/03/05",
        "2024-3-5",
        "30/09/2021 14:02",
        "9/30/2021 2:02 PM",
        "2024-03-05T25:00",
    ]
    dates, problems, column = read_column(values)
    assert dates == [date(2024, 3, 5)] * 8 + [date(2021, 9, 30)] * 2 + [None]
    assert problems[:10] == [None] * 10
    assert problems[10] == f"Date: '2024-03-05T25:00' is not a date ptx can read; {ACCEPTED}"
    assert (
        "Date: 7 values with a time of day (such as 2024-03-05T14:02): the time was dropped, "
        "keeping the date as written."
    ) in column.notes()


def test_excel_serial_numbers_count_days_from_30_december_1899():
    values = ["45000", "45000.75", "36526", "44197", "20000", "80000", "19999", "80001", "12"]
    dates, problems, column = read_column(values)
    assert dates[:6] == [
        date(2023, 3, 15),
        date(2023, 3, 15),
        date(2000, 1, 1),
        date(2021, 1, 1),
        date(1954, 10, 3),
        date(2119, 1, 11),
    ]
    assert dates[6:] == [None] * 3
    assert problems[:6] == [None] * 6
    assert problems[6] == f"Date: '19999' is not a date ptx can read; {ACCEPTED}"
    assert (
        "Date: 6 values read as Excel serial day numbers, counted from 30 December 1899 (such as "
        "45000, read as 15 March 2023)."
    ) in column.notes()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (
            "########",
            "Date: '########' is Excel's sign of a column too narrow to show the date; widen "
            "the column and save the export again",
        ),
        (
            "#",
            "Date: '#' is Excel's sign of a column too narrow to show the date; widen the column "
            "and save the export again",
        ),
        ("31/02/2024", "Date: '31/02/2024' is not a real date"),
        ("13/13/2024", "Date: '13/13/2024' is not a real date"),
        ("00/05/2024", "Date: '00/05/2024' is not a real date"),
        ("2023-02-29", "Date: '2023-02-29' is not a real date"),
        ("05/03/24", "Date: '05/03/24' has a 2-digit year; write the year with 4 digits"),
        ("5/3-2024", f"Date: '5/3-2024' is not a date ptx can read; {ACCEPTED}"),
        ("next Tuesday", f"Date: 'next Tuesday' is not a date ptx can read; {ACCEPTED}"),
    ],
)
def test_unreadable_values_say_why(value, problem):
    dates, problems, _ = read_column(["30/09/2021", value, ""])
    assert dates == [date(2021, 9, 30), None, None]
    assert problems == [None, problem, None]


def test_leap_day_is_a_real_date():
    dates, problems, _ = read_column(["29/02/2024", "2024-02-29"])
    assert dates == [date(2024, 2, 29)] * 2
    assert problems == [None, None]


def test_a_column_of_only_ambiguous_values_is_not_guessed():
    dates, problems, column = read_column(["03/04/2022", "05/06/2022", "07/07/2022", ""])
    assert dates == [None, None, date(2022, 7, 7), None]
    assert problems == [
        "Date: '03/04/2022' could be 3 April or 4 March and nothing in the file says which; "
        "write dates as YYYY-MM-DD or set date_format",
        "Date: '05/06/2022' could be 5 June or 6 May and nothing in the file says which; "
        "write dates as YYYY-MM-DD or set date_format",
        None,
        None,
    ]
    assert (
        "Date: 2 were not read, because nothing in the file says which format they use (such "
        "as 03/04/2022); they are listed as problems."
    ) in column.notes()


def test_equally_near_rows_that_disagree_in_an_even_column_are_not_guessed():
    dates, problems, _ = read_column(["13/01/2022", "03/04/2022", "01/13/2022"])
    assert dates == [date(2022, 1, 13), None, date(2022, 1, 13)]
    assert problems[1].startswith("Date: '03/04/2022' could be 3 April or 4 March")


def test_a_date_format_is_followed_without_guessing():
    values = ["05/03/2024", "5/3/2024", "05/03/2024 14:02", "31/12/2024", "2024-03-05", ""]
    dates, problems, _ = read_column(values, date_format="%m/%d/%Y")
    assert dates == [date(2024, 5, 3), date(2024, 5, 3), date(2024, 5, 3), None, None, None]
    expected = "is not a date written as %m/%d/%Y (the date format set for this column)"
    assert problems == [
        None,
        None,
        None,
        f"Date: '31/12/2024' {expected}",
        f"Date: '2024-03-05' {expected}",
        None,
    ]


def test_a_date_format_still_explains_a_too_narrow_column():
    _, problems, _ = read_column(["####"], date_format="%d/%m/%Y")
    assert problems[0].startswith("Date: '####' is Excel's sign of a column too narrow")


@pytest.mark.parametrize("chunk_rows", [1, 2, 3, 5, 7])
def test_chunks_give_the_same_result_as_one_chunk(chunk_rows):
    values = [text for text, _ in MIXED_BLOCKS] * 3 + ["31/02/2024", "45000", ""]
    wards = ["A", "B", "A"] * 12 + ["A", "B", None]
    whole = read_column(values, context=wards, first_row=100)
    chunked = read_column(values, context=wards, chunk_rows=chunk_rows, first_row=100)
    assert chunked[:2] == whole[:2]
    assert chunked[2].notes() == whole[2].notes()


def test_parse_returns_object_series_of_dates_and_none():
    column = DateColumn("Date")
    text = pd.Series(["2024-03-05", ""], index=[7, 8])
    column.observe(text)
    dates, problems = column.parse(text)
    assert dates.dtype == object and problems.dtype == object
    assert type(dates[7]) is date and dates[8] is None and problems[8] is None


def test_passes_must_come_in_order_and_agree_on_context():
    column = DateColumn("Date")
    text = pd.Series(["2024-03-05"])
    column.observe(text)
    with pytest.raises(ValueError, match="context"):
        column.parse(text, pd.Series(["A"]))
    column.parse(text)
    with pytest.raises(RuntimeError, match="before the first parse"):
        column.observe(text)


def written(day: date, form: str, separator: str, padded: bool) -> str:
    d, m = (f"{day.day:02d}", f"{day.month:02d}") if padded else (str(day.day), str(day.month))
    if form == "iso":
        return day.isoformat()
    first, second = (d, m) if form == DAY_FIRST else (m, d)
    return f"{first}{separator}{second}{separator}{day.year}"


@given(
    days=st.lists(st.dates(date(1900, 1, 1), date(2100, 12, 31)), min_size=1, max_size=60),
    form=st.sampled_from(["iso", DAY_FIRST, MONTH_FIRST]),
    separator=st.sampled_from(["/", "-", "."]),
    padding=st.lists(st.booleans(), min_size=60, max_size=60),
    chunk_rows=st.integers(1, 60),
)
def test_one_format_in_any_order_reads_back_exactly(days, form, separator, padding, chunk_rows):
    # Unambiguous: the day is over 12 (day-first or month-first), or it is ISO.
    assume(form == "iso" or any(day.day > 12 for day in days))
    values = [written(day, form, separator, pad) for day, pad in zip(days, padding, strict=False)]
    dates, problems, _ = read_column(values, chunk_rows=chunk_rows)
    assert dates == days
    assert problems == [None] * len(days)


def readings(text: str) -> set[date]:
    """The real dates ``a/b/Y`` can be: read day-first and month-first."""
    first, second, year = (int(part) for part in text.split("/"))
    found = set()
    for day, month in ((first, second), (second, first)):
        with contextlib.suppress(ValueError):  # not a real date this way round
            found.add(date(year, month, day))
    return found


def test_the_real_fft_file_reads_every_respondent_on_one_date(shared_data):
    raw = pd.read_csv(shared_data / FFT_FILE, dtype=str, keep_default_na=False)
    text = raw["Date"].str.strip()
    assert text.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}").all()
    column = DateColumn("Date")
    column.observe(text, raw["Service type 1"])
    dates, problems = column.parse(text, raw["Service type 1"])

    possible = text.map(readings)
    unambiguous = possible.map(len) == 1
    assert unambiguous.sum() > 5000
    assert (dates[unambiguous] == possible[unambiguous].map(min)).all()
    impossible = possible.map(len) == 0
    assert (problems.notna() == impossible).all()
    assert dates[~impossible].notna().all()
    assert (dates[~impossible].combine(possible[~impossible], lambda d, p: d in p)).all()

    frame = pd.DataFrame({"respondent": raw["Respondent ID"], "date": dates, "text": text})
    per_respondent = frame.groupby("respondent").agg(
        rows=("date", "size"), dates=("date", "nunique"), texts=("text", "nunique")
    )
    several = per_respondent[per_respondent["rows"] > 1]
    assert (several["dates"] == 1).all()
    # The check is not empty: these respondents' rows write their one date both ways round.
    assert (several["texts"] > 1).sum() > 400
    assert len(several) > 3000


def test_the_real_fft_file_reads_the_same_in_chunks(shared_data):
    raw = pd.read_csv(shared_data / FFT_FILE, dtype=str, keep_default_na=False)
    values, services = raw["Date"].str.strip().tolist(), raw["Service type 1"].tolist()
    whole = read_column(values, context=services, context_name="Service type 1")
    chunked = read_column(values, context=services, chunk_rows=1000, context_name="Service type 1")
    assert chunked[:2] == whole[:2]
    assert any(
        re.fullmatch(
            r"Date: [\d,]+ were read as month-first, like the nearest .* Service type 1 .*", n
        )
        for n in chunked[2].notes()
    )


def test_a_date_format_with_differing_utc_offsets_keeps_the_dates_as_written():
    values = ["2024-03-05T23:30+01:00", "2024-03-05T23:30-05:00", "2024-03-05"]
    dates, problems, _ = read_column(values, date_format="%Y-%m-%dT%H:%M%z")
    assert dates == [date(2024, 3, 5), date(2024, 3, 5), None]
    assert problems[:2] == [None, None]


def test_an_empty_or_blank_chunk_reads_as_nothing():
    assert read_column([])[:2] == ([], [])
    assert read_column(["", ""])[:2] == ([None, None], [None, None])
