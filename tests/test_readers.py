"""Reading one export file into chunks of text: ptx.importing.readers.read_file.

Every file is hand-made in tmp_path, byte by byte where the bytes matter, and every test states
the exact cells, row numbers, rejections and notes it expects.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptx.errors import ConfigError, SourceError
from ptx.importing.readers import read_file


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_all(path, **options):
    """(columns, row numbers, rows, log) of a whole file, and the chunks themselves."""
    chunks, log = read_file(path, **options)
    frames = list(chunks)
    frame = pd.concat(frames)
    return list(frame.columns), frame.index.tolist(), frame.to_numpy().tolist(), log, frames


# --- CSV: encodings -----------------------------------------------------------------------------


def test_bom_and_crlf(tmp_path):
    path = write(tmp_path, "a.csv", b"\xef\xbb\xbfid,comment\r\n1,good\r\n2,kind staff\r\n")
    columns, numbers, rows, log, frames = read_all(path)
    assert columns == ["id", "comment"]
    assert numbers == [0, 1]
    assert rows == [["1", "good"], ["2", "kind staff"]]
    assert isinstance(frames[0].index, pd.RangeIndex)
    assert all(frames[0].dtypes == "str")
    assert log.encoding == "utf-8 with byte-order mark"
    assert (log.rows_read, log.rejected, log.notes) == (2, [], [])


def test_embedded_newline_in_quoted_field_keeps_physical_line_numbers(tmp_path):
    data = b'id,comment\n1,"line one\nline two"\n2,"say ""hi"", then, go"\n3,x,y\n'
    columns, numbers, rows, log, _ = read_all(write(tmp_path, "a.csv", data))
    assert rows == [["1", "line one\nline two"], ["2", 'say "hi", then, go']]
    assert numbers == [0, 1]
    # the header is line 1 and row 1 takes lines 2-3, so the bad row is on line 5
    assert log.rejected == [
        (
            2,
            "line 5: 3 fields where the header has 2 (a stray delimiter or an unquoted comma?)",
            "3,x,y",
        )
    ]
    assert log.rows_read == 3


def test_cp1252_file(tmp_path):
    data = b"id,comment\n1,Caf\xe9\n2,\x80 5 \x93fee\x94\n3,odd \x81 byte\n"
    columns, numbers, rows, log, _ = read_all(write(tmp_path, "a.csv", data))
    assert rows == [["1", "Café"], ["2", "€ 5 “fee”"], ["3", "odd \x81 byte"]]
    assert log.encoding == "cp1252 (Windows-1252)"
    assert log.notes == ["read as Windows-1252: 3 lines were not valid UTF-8 (first: line 2)"]


def test_one_cp1252_line_in_a_utf8_file(tmp_path):
    data = b"id,comment\n1,caf\xc3\xa9\n2,Caf\xe9\n3,plain\n"
    columns, numbers, rows, log, _ = read_all(write(tmp_path, "a.csv", data))
    assert rows == [["1", "café"], ["2", "Café"], ["3", "plain"]]
    assert log.encoding == "utf-8"
    assert log.notes == [
        "read as UTF-8, except that 1 line was not valid UTF-8 and read as Windows-1252 "
        "(first: line 3)"
    ]


def test_utf16(tmp_path):
    data = 'id,comment\r\n1,Café\r\n2,"two\r\nlines"\r\n'.encode("utf-16")
    assert data[:2] == b"\xff\xfe"
    columns, numbers, rows, log, _ = read_all(write(tmp_path, "a.csv", data))
    assert columns == ["id", "comment"]
    assert rows == [["1", "Café"], ["2", "two\r\nlines"]]
    assert log.encoding == "utf-16"


def test_mojibake_is_repaired_and_real_accents_are_left_alone(tmp_path):
    text = "id,comment\n1,donâ€™t\n2,CafÃ©\n3,Café\n4,Â£5 and £5\n5,pâte\n6,didnÃ¢â‚¬â„¢t\n"
    columns, numbers, rows, log, _ = read_all(write(tmp_path, "a.csv", text.encode()))
    assert [comment for _, comment in rows] == [
        "don’t",
        "Café",
        "Café",
        "Â£5 and £5",  # a real £ beside it: not all of the cell is mojibake, so none is touched
        "pâte",
        "didn’t",  # decoded wrongly twice
    ]
    assert log.repaired == 3
    assert log.repaired_example == ("donâ€™t", "don’t")


def test_mojibake_alone_is_repaired(tmp_path):
    path = write(tmp_path, "a.csv", "id,price\n1,Â£5\n".encode())
    _, _, rows, log, _ = read_all(path)
    assert rows == [["1", "£5"]]
    assert (log.repaired, log.repaired_example) == (1, ("Â£5", "£5"))


# --- CSV: rows that cannot be read --------------------------------------------------------------


def test_wrong_field_counts_are_rejected_and_the_rest_kept(tmp_path):
    data = b"id,comment\n1,a\n2,b,c\n\n3,d\n4\n5,e\n"
    columns, numbers, rows, log, frames = read_all(write(tmp_path, "a.csv", data))
    assert rows == [["1", "a"], ["3", "d"], ["5", "e"]]
    assert numbers == [0, 2, 4]  # rejected rows keep their numbers; the empty line is no row
    assert log.rejected == [
        (
            1,
            "line 3: 3 fields where the header has 2 (a stray delimiter or an unquoted comma?)",
            "2,b,c",
        ),
        (
            3,
            "line 6: 1 field where the header has 2 (a missing delimiter, or a row cut short?)",
            "4",
        ),
    ]
    assert log.rows_read == len(rows) + len(log.rejected) == 5
    assert not isinstance(frames[0].index, pd.RangeIndex)


def test_unterminated_quote_rejects_what_it_swallowed(tmp_path):
    data = b'id,comment\n1,fine\n2,"never closed\n3,swallowed\n\n4,also\n'
    columns, numbers, rows, log, _ = read_all(write(tmp_path, "a.csv", data))
    assert rows == [["1", "fine"]]
    reason = (
        "line 3: a quote opened here is never closed, so lines 3–6 (to the end of the file) "
        "could not be read as rows"
    )
    assert log.rejected == [
        (1, reason, '2,"never closed'),
        (2, reason, "3,swallowed"),
        (3, reason, "4,also"),
    ]
    assert log.rows_read == 4


def test_unclosed_quote_in_the_header_is_an_error(tmp_path):
    path = write(tmp_path, "a.csv", b'id,"comment\n1,a\n')
    with pytest.raises(SourceError, match=r"quote in the header \(lines 1–2\) is never closed"):
        read_file(path)


# --- CSV: delimiters ----------------------------------------------------------------------------


def test_semicolon_delimited(tmp_path):
    data = b'id;comment;score\n1;good, really;5\n2;"a;b";4\n'
    columns, numbers, rows, log, _ = read_all(write(tmp_path, "a.csv", data))
    assert columns == ["id", "comment", "score"]
    assert rows == [["1", "good, really", "5"], ["2", "a;b", "4"]]
    assert log.notes == ["columns are separated by semicolons (';')"]


def test_tab_delimited(tmp_path):
    data = b"id\tcomment\n1\tgood, kind; quick\n"
    columns, numbers, rows, log, _ = read_all(write(tmp_path, "a.tsv", data))
    assert columns == ["id", "comment"]
    assert rows == [["1", "good, kind; quick"]]
    assert log.notes == ["columns are separated by tabs ('\\t')"]


def test_pipe_delimited_txt_with_commas_in_quoted_header(tmp_path):
    data = b'id|"Score, 1-5"|ward\n1|5|A\n'
    columns, numbers, rows, log, _ = read_all(write(tmp_path, "a.txt", data))
    assert columns == ["id", "Score, 1-5", "ward"]
    assert rows == [["1", "5", "A"]]


def test_excel_sep_line(tmp_path):
    data = b"sep=;\nid;comment\n1;a,b\n2;c;d\n"
    columns, numbers, rows, log, _ = read_all(write(tmp_path, "a.csv", data))
    assert (columns, rows) == (["id", "comment"], [["1", "a,b"]])
    assert log.notes == [
        "line 1 says 'sep=;': used it as the delimiter",
        "columns are separated by semicolons (';')",
    ]
    assert log.rejected == [
        (
            1,
            "line 4: 3 fields where the header has 2 (a stray delimiter or an unquoted semicolon?)",
            "2;c;d",
        )
    ]


# --- CSV: headers, empty files, chunks ----------------------------------------------------------


def test_duplicate_header_names_are_an_error(tmp_path):
    path = write(tmp_path, "a.csv", b"id,score,ward,score,id\n1,2,A,3,4\n")
    with pytest.raises(SourceError, match=r"names 'score', 'id' more than once"):
        read_file(path)


def test_blank_header_cells_are_named(tmp_path):
    columns, _, rows, log, _ = read_all(write(tmp_path, "a.csv", b"id,,score,\n1,x,5,y\n"))
    assert columns == ["id", "column 2", "score", "column 4"]
    assert rows == [["1", "x", "5", "y"]]
    assert log.notes == [
        "header cells 2, 4 were blank (empty or merged): named 'column 2', 'column 4'"
    ]


def test_header_only_file_yields_one_empty_frame_with_its_columns(tmp_path):
    chunks, log = read_file(write(tmp_path, "a.csv", b"id,comment\r\n"))
    frames = list(chunks)
    assert len(frames) == 1
    assert list(frames[0].columns) == ["id", "comment"]
    assert len(frames[0]) == 0
    assert (log.rows_read, log.rejected, log.notes) == (0, [], [])


def test_empty_file_yields_one_frame_without_columns(tmp_path):
    chunks, log = read_file(write(tmp_path, "a.csv", b""))
    frames = list(chunks)
    assert [frame.shape for frame in frames] == [(0, 0)]
    assert log.notes == ["the file is empty"]


def test_chunks_number_rows_continuously(tmp_path):
    data = "id\n" + "".join(f"{i}\n" for i in range(7))
    chunks, log = read_file(write(tmp_path, "a.csv", data.encode()), chunk_rows=3)
    first = next(chunks)
    assert log.rows_read == 3  # the log fills in as the chunks are read
    frames = [first, *chunks]
    assert all(isinstance(frame.index, pd.RangeIndex) for frame in frames)
    assert [frame.index.tolist() for frame in frames] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [frame["id"].tolist() for frame in frames] == [["0", "1", "2"], ["3", "4", "5"], ["6"]]
    assert log.rows_read == 7


def test_chunks_keep_the_number_of_a_rejected_row(tmp_path):
    data = "id,x\n" + "".join(f"{i},x\n" if i != 4 else "4,x,x\n" for i in range(8))
    chunks, log = read_file(write(tmp_path, "a.csv", data.encode()), chunk_rows=3)
    assert [frame.index.tolist() for frame in chunks] == [[0, 1, 2], [3, 5, 6], [7]]
    assert [number for number, _, _ in log.rejected] == [4]
    assert log.rows_read == 8


def test_exactly_full_chunks_yield_no_empty_tail(tmp_path):
    chunks, log = read_file(write(tmp_path, "a.csv", b"id\n1\n2\n3\n4\n"), chunk_rows=2)
    assert [len(frame) for frame in chunks] == [2, 2]


def test_a_sheet_for_a_csv_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="only .xlsx files have sheets"):
        read_file(write(tmp_path, "a.csv", b"id\n"), sheet="Responses")


def test_unsupported_and_missing_files(tmp_path):
    with pytest.raises(SourceError, match="cannot read '.json' files"):
        read_file(write(tmp_path, "a.json", b"{}"))
    with pytest.raises(SourceError, match="no such file"):
        read_file(tmp_path / "missing.csv")


cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="ÃÂâ\ufeff"),
    max_size=12,
)


@given(st.lists(st.lists(cell_text, min_size=3, max_size=3), max_size=20))
def test_any_text_written_by_csv_writer_reads_back_exactly(tmp_path_factory, rows):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["a", "b", "c"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "a.csv"
    path.write_bytes(buffer.getvalue().encode())
    chunks, log = read_file(path, chunk_rows=7)
    frames = list(chunks)
    assert pd.concat(frames).to_numpy().tolist() == rows
    assert pd.concat(frames).index.tolist() == list(range(len(rows)))
    assert (log.rows_read, log.rejected, log.repaired) == (len(rows), [], 0)


# --- xlsx ---------------------------------------------------------------------------------------


@pytest.fixture
def workbook_path(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    responses = workbook.active
    responses.title = "Responses"
    responses.append(["date", "score", "note", None, "flag", "when"])
    responses.append(
        [dt.datetime(2024, 3, 5), 5.0, "########", "x", True, dt.datetime(2024, 3, 5, 14, 30)]
    )
    responses.append([dt.date(2024, 3, 6), 4.5, None, None, False, None])
    responses.append([None] * 6)  # an empty row in the middle is no row
    responses.append([None, 7, "only a score", None, None, None])
    responses.append([None, None, None, None, None, None, None, "beyond the header"])
    responses.append([None] * 6)  # trailing empty rows
    responses.append([None] * 6)
    lookup = workbook.create_sheet("Lookup")
    lookup.append(["code", "label"])
    lookup.append([1, "Very good"])
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    return path


def test_xlsx_cells_as_text(workbook_path):
    columns, numbers, rows, log, _ = read_all(workbook_path)
    assert columns == ["date", "score", "note", "column 4", "flag", "when"]
    assert rows == [
        ["2024-03-05", "5", "########", "x", "true", "2024-03-05 14:30:00"],
        ["2024-03-06", "4.5", "", "", "false", ""],
        ["", "7", "only a score", "", "", ""],
    ]
    assert numbers == [0, 1, 2]
    assert log.rejected == [
        (
            3,
            "sheet row 6: a value in column 8, beyond the last column with a header (column 6)",
            "\t\t\t\t\t\t\tbeyond the header",
        )
    ]
    assert log.rows_read == 4
    assert log.encoding == "not applicable (Excel workbook)"
    assert log.notes == [
        "header cell 4 was blank (empty or merged): named 'column 4'",
        "read the first of 2 sheets, 'Responses' (the others: 'Lookup')",
    ]


def test_xlsx_sheet_by_name(workbook_path):
    columns, numbers, rows, log, _ = read_all(workbook_path, sheet="Lookup")
    assert (columns, rows) == (["code", "label"], [["1", "Very good"]])
    assert log.notes == []


def test_xlsx_missing_sheet_names_the_sheets_there_are(workbook_path):
    with pytest.raises(
        SourceError, match=r"no sheet named 'Answers'. Its sheets are: 'Responses', 'Lookup'"
    ):
        read_file(workbook_path, sheet="Answers")


def test_xlsx_chunks(workbook_path):
    chunks, log = read_file(workbook_path, chunk_rows=2)
    assert [frame.index.tolist() for frame in chunks] == [[0, 1], [2]]


# --- Parquet ------------------------------------------------------------------------------------


def test_parquet_values_as_text_and_nulls_as_empty(tmp_path):
    frame = pd.DataFrame(
        {
            "id": pd.array([1, 2, None], dtype="Int64"),
            "name": ["a", None, "CafÃ©"],
            "score": [5.0, None, 2.5],
            "when": pd.to_datetime(["2024-03-05", None, "2024-03-05 14:30"], format="ISO8601"),
            "day": [dt.date(2024, 3, 5), None, dt.date(2024, 3, 6)],
            "flag": pd.array([True, None, False], dtype="boolean"),
        }
    )
    path = tmp_path / "a.parquet"
    frame.to_parquet(path)
    columns, numbers, rows, log, frames = read_all(path)
    assert columns == ["id", "name", "score", "when", "day", "flag"]
    assert rows == [
        ["1", "a", "5", "2024-03-05", "2024-03-05", "true"],
        ["2", "", "", "", "", ""],
        ["", "Café", "2.5", "2024-03-05 14:30:00", "2024-03-06", "false"],
    ]
    assert numbers == [0, 1, 2]
    assert all(frames[0].dtypes == "str")
    assert (log.rows_read, log.repaired, log.encoding) == (3, 1, "not applicable (Parquet)")


def test_parquet_chunks(tmp_path):
    path = tmp_path / "a.parquet"
    pd.DataFrame({"id": range(5)}).to_parquet(path)
    chunks, log = read_file(path, chunk_rows=2)
    frames = list(chunks)
    assert all(isinstance(frame.index, pd.RangeIndex) for frame in frames)
    assert [frame.index.tolist() for frame in frames] == [[0, 1], [2, 3], [4]]
    assert log.rows_read == 5


# --- the shared real data, read in place --------------------------------------------------------


def test_real_nhs_fft_export(shared_data):
    chunks, log = read_file(shared_data / "nhs_fft_comments_v6.csv", chunk_rows=5_000)
    frame = pd.concat(list(chunks))
    assert frame.shape == (7908, 61)
    assert frame.index.equals(pd.RangeIndex(0, 7908))
    assert log.rows_read == 7908
    assert log.rejected == []
    assert log.encoding == "utf-8"
    assert (
        "Please describe any things about the 111 service that\n"
        "you were particularly satisfied and/or dissatisfied with"
    ) in set(frame["FFT question"])
    # nine comments in the export were double-encoded ("Iâ€™ve"); they come back as written
    assert log.repaired == 9
    assert not frame["FFT answer"].str.contains("â€™").any()


def test_damaged_workbook_and_parquet_are_source_errors(tmp_path):
    with pytest.raises(SourceError, match="cannot be opened as an Excel workbook"):
        read_file(write(tmp_path, "a.xlsx", b"not a zip"))
    with pytest.raises(SourceError, match="cannot be read as Parquet"):
        read_file(write(tmp_path, "a.parquet", b"not parquet"))
