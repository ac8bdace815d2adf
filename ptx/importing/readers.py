"""Read one export file (CSV, xlsx or Parquet) into chunks of text, never rejecting a whole file.

Hospital exports arrive in many shapes: UTF-8 with or without a byte-order mark, Windows-1252
from an old Excel, UTF-16 from a "Unicode text" save, semicolons from a European locale, a stray
comma in one free-text comment, text that was decoded twice ("donâ€™t"). :func:`read_file` reads
all of them into DataFrames whose every cell is a ``str``, and keeps a :class:`ReadLog` of what it
had to do, so the import report can say so in plain words:

- one line that is not valid UTF-8 is read as Windows-1252 (the rest stay UTF-8), and counted;
- one row with the wrong number of fields is rejected with its line number and raw text, and the
  rows around it are kept;
- cells that were double-encoded are repaired, counted and shown by one example.

The delimiter of a CSV (also ``.txt`` and ``.tsv``) is sniffed from its header line among
``,`` ``;`` tab and ``|``: the one that occurs most often outside quotes wins, ties going to that
order. A file saved with semicolons is therefore read as semicolon-separated even when it is called
``.csv``, instead of arriving as one column named ``"a;b;c"``. Excel's ``sep=;`` first line is
honoured too.

Rows are numbered from 0 in file order, across chunks, over data rows only (the header and empty
lines do not count). A rejected row keeps its number, so the index of a chunk has a gap there.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from encodings import cp1252
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import ParseError

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ptx.errors import ConfigError, SourceError

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
SUFFIXES = (*CSV_SUFFIXES, ".xlsx", ".parquet")
DELIMITERS = (",", ";", "\t", "|")  # sniffing order: the first wins a tie
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
BLOCK_BYTES = 1 << 20

# Python's cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined; Windows and the WHATWG
# Encoding Standard read them as the C1 controls of the same number, so one of those bytes does
# not make a line unreadable.
WINDOWS_1252 = "".join(
    chr(byte) if char == "\ufffe" else char for byte, char in enumerate(cp1252.decoding_table)
)
WINDOWS_1252_ENCODING = codecs.charmap_build(WINDOWS_1252)

# Lead characters of UTF-8 read as Windows-1252: "Ã" and "Â" start accented letters and symbols
# (é -> Ã©, £ -> Â£), "â" starts punctuation and the euro sign (’ -> â€™, € -> â‚¬).
MOJIBAKE_MARKS = "[ÃÂâ]"
MOJIBAKE = re.compile(MOJIBAKE_MARKS)
MOJIBAKE_PASSES = 3  # text decoded wrongly twice ("Ã¢â‚¬â„¢") takes two passes

ENCODING_LABELS = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8 with byte-order mark",
    "utf-16": "utf-16",
    "utf-32": "utf-32",
    "cp1252": "cp1252 (Windows-1252)",
}
EXCEL_ENCODING = "not applicable (Excel workbook)"
PARQUET_ENCODING = "not applicable (Parquet)"
EXCEL_INTEGER_LIMIT = 1e15  # Excel keeps 15 significant digits: larger floats are not counts


@dataclass
class ReadLog:
    """What reading a file found, for the import report.

    Attributes
    ----------
    file : Path
        The file read.
    encoding : str
        How its text was decoded, e.g. ``"utf-8"``, ``"utf-8 with byte-order mark"``,
        ``"cp1252 (Windows-1252)"``, ``"utf-16"``; ``"not applicable (...)"`` for xlsx and
        Parquet.
    rows_read : int
        Data rows seen, kept and rejected; the header and empty lines are not rows.
    rejected : list of (row_number, reason, raw_text)
        Rows that could not be read as rows, numbered like the chunks' index; the reason names the
        physical line (CSV) or sheet row (xlsx) and says what was wrong.
    repaired : int
        Cells whose mojibake (UTF-8 read as Windows-1252) was repaired.
    repaired_example : (before, after) or None
        The first repaired cell.
    notes : list of str
        Plain sentences about anything else the reader had to decide.
    """

    file: Path
    encoding: str
    rows_read: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    repaired: int = 0
    repaired_example: tuple[str, str] | None = None
    notes: list[str] = field(default_factory=list)


def read_file(
    path: Path, *, sheet: str | None = None, chunk_rows: int = 250_000
) -> tuple[Iterator[pd.DataFrame], ReadLog]:
    """Read a CSV, xlsx or Parquet export into chunks of text.

    Yield chunks of the file as DataFrames of str (every cell a str, ``''`` for empty, stripped of
    nothing: the caller strips), indexed by data row number from 0 in file order across chunks
    (a ``RangeIndex`` where no row was rejected; rejected rows keep their number, so the index has
    a gap there). The header is the first row. The :class:`ReadLog` fills in while the iterator
    is consumed; the header is read, and header problems raised, before this function returns.

    Parameters
    ----------
    path : Path
        A ``.csv``, ``.txt`` or ``.tsv`` (delimiter sniffed), ``.xlsx`` or ``.parquet`` file.
    sheet : str, optional
        The worksheet of an xlsx file; the first sheet when not given.
    chunk_rows : int
        At most this many rows per chunk.

    Returns
    -------
    (chunks, log) : (iterator of DataFrame, ReadLog)
        A file with no data rows yields one empty DataFrame with the header's columns.

    Raises
    ------
    SourceError
        The file is missing, of an unsupported type, or cannot be opened; its header names a
        column twice; the named sheet does not exist (the message lists the sheets).
    ConfigError
        A sheet was named for a file that is not a workbook.

    Examples
    --------
    >>> chunks, log = read_file(Path("responses.csv"))  # doctest: +SKIP
    >>> for chunk in chunks:  # doctest: +SKIP
    ...     load(chunk)
    >>> log.rejected[:1]  # doctest: +SKIP
    [(67, 'line 69: 3 fields where the header has 2 (...)', 'a,b,c')]
    """
    path = Path(path)
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows}")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SourceError(
            f"{path}: cannot read '{path.suffix}' files; save it as one of {', '.join(SUFFIXES)}."
        )
    if not path.is_file():
        raise SourceError(f"{path}: no such file.")
    if sheet is not None and suffix != ".xlsx":
        raise ConfigError(
            f"{path}: a sheet ('{sheet}') was named, but only .xlsx files have sheets."
        )
    if suffix == ".xlsx":
        return _read_xlsx(path, sheet, chunk_rows)
    if suffix == ".parquet":
        return _read_parquet(path, chunk_rows)
    return _read_csv(path, chunk_rows)


# --- chunks, shared by every format -------------------------------------------------------------


def _frame(cells: list[str], numbers: list[int], columns: list[str]) -> pd.DataFrame:
    """A chunk of str columns from its cells row after row, indexed by data row number."""
    if not numbers:
        index = pd.RangeIndex(0)
    elif numbers[-1] - numbers[0] + 1 == len(numbers):
        index = pd.RangeIndex(numbers[0], numbers[-1] + 1)
    else:
        index = pd.Index(numbers, dtype="int64")
    # One Arrow array of every cell, then every width-th cell per column: faster than
    # DataFrame(rows), and the columns come out as pandas' Arrow-backed str, as read_csv gives.
    values = pa.array(cells, pa.string())
    width = len(columns)
    arrays = [values.take(np.arange(i, len(cells), width)) for i in range(width)]
    return pa.Table.from_arrays(arrays, names=columns).to_pandas().set_axis(index)


def _unmangle(text: str) -> str | None:
    """``text`` with its mojibake undone, or None when it does not read as mojibake."""
    fixed = text
    for _ in range(MOJIBAKE_PASSES):
        try:
            undone = codecs.charmap_encode(fixed, "strict", WINDOWS_1252_ENCODING)[0].decode()
        except UnicodeError:  # a character outside Windows-1252, or bytes that are not UTF-8
            break
        fixed = undone
        if not MOJIBAKE.search(fixed):
            break
    return fixed if fixed != text else None


def _repair_mojibake(frame: pd.DataFrame, log: ReadLog) -> pd.DataFrame:
    """Repair double-encoded cells in place, looking only at cells with a telltale character."""
    for name in frame.columns:
        column = frame[name]
        suspect = column.str.contains(MOJIBAKE_MARKS, regex=True).to_numpy()
        if not suspect.any():
            continue
        texts = column[suspect].tolist()
        repairs = dict.fromkeys(texts)  # each distinct text once: answers repeat
        for text in repairs:
            repairs[text] = _unmangle(text)
        if not any(repairs.values()):
            continue
        values = column.tolist()
        for position, text in zip(suspect.nonzero()[0].tolist(), texts, strict=True):
            fixed = repairs[text]
            if fixed is not None:
                values[position] = fixed
                log.repaired += 1
                if log.repaired_example is None:
                    log.repaired_example = (text, fixed)
        frame[name] = pd.Series(values, index=frame.index, dtype=str)
    return frame


def _check_header(path: Path, names: list[str], log: ReadLog) -> list[str]:
    """Name blank header cells ``column N`` (1-based) and refuse a name used twice."""
    blank = [position for position, name in enumerate(names, 1) if name == ""]
    names = [name or f"column {position}" for position, name in enumerate(names, 1)]
    if blank:
        shown = ", ".join(str(position) for position in blank)
        plural = "s" if len(blank) > 1 else ""
        log.notes.append(
            f"header cell{plural} {shown} {'were' if plural else 'was'} blank (empty or merged): "
            f"named {', '.join(repr(f'column {position}') for position in blank)}"
        )
    seen: set[str] = set()
    twice = [name for name in names if name in seen or seen.add(name)]
    if twice:
        raise SourceError(
            f"{path}: the header names {', '.join(repr(n) for n in dict.fromkeys(twice))} more "
            "than once, so its columns cannot be told apart. Rename one of each pair in the file."
        )
    return names


def _chunked(
    records: Iterable[tuple[int, list[str]]], columns: list[str], chunk_rows: int
) -> Iterator[pd.DataFrame]:
    """Group ``(row_number, cells)`` into frames of at most ``chunk_rows`` rows; at least one."""
    # The cells are gathered in one flat list of strings rather than a list per row: the
    # garbage collector does not track strings, and walking hundreds of thousands of row lists
    # made reading half as slow again.
    cells: list[str] = []
    numbers: list[int] = []
    yielded = False
    for number, row in records:
        cells.extend(row)
        numbers.append(number)
        if len(numbers) == chunk_rows:
            yield _frame(cells, numbers, columns)
            yielded = True
            cells, numbers = [], []
    if numbers or not yielded:
        yield _frame(cells, numbers, columns)


# --- CSV ----------------------------------------------------------------------------------------


def _physical_lines(handle: BinaryIO) -> Iterator[bytes]:
    """The lines of a binary file, ends kept, split where Python's universal newlines split
    (``\\n``, ``\\r\\n`` or a lone ``\\r``), read a block at a time."""
    rest = b""
    while block := handle.read(BLOCK_BYTES):
        lines = (rest + block).splitlines(keepends=True)
        rest = lines.pop()  # may be cut short, or a "\r" whose "\n" is in the next block
        yield from lines
    if rest:
        yield rest


class _CsvText:
    """The text lines of a CSV, each decoded on its own, remembering the current record's lines.

    ``lines`` holds the text of the record the csv reader is reading (the caller clears it after
    each record), so a rejected row keeps its raw text. ``at_end`` turns true when the reader
    asked for a line past the end of the file, which only happens inside an unclosed quote.
    """

    def __init__(self, handle: BinaryIO):
        self.lines: list[str] = []
        self.at_end = False
        self.windows_1252_lines = 0
        self.first_windows_1252_line = 0
        self.utf8_beyond_ascii = False
        self.mojibake_seen = False  # a line had "Ã", "Â" or "â": chunks from here on are checked
        start = handle.read(4)
        handle.seek(0)
        if start.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
            self.encoding = "utf-32"
        elif start.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.encoding = "utf-16"
        elif start.startswith(codecs.BOM_UTF8):
            self.encoding = "utf-8-sig"
            self.utf8_beyond_ascii = True  # the mark says UTF-8: other lines are the exception
            handle.read(len(codecs.BOM_UTF8))
        else:
            self.encoding = "utf-8"
        if self.encoding in ("utf-16", "utf-32"):
            stream = io.TextIOWrapper(handle, encoding=self.encoding, errors="replace", newline="")
            self._text: Iterator[str] = self._remember(stream)
        else:
            self._text = self._decode(_physical_lines(handle))

    def __iter__(self) -> Iterator[str]:
        return self._text

    def _remember(self, lines: Iterable[str]) -> Iterator[str]:
        append = self.lines.append
        for text in lines:
            if not self.mojibake_seen and MOJIBAKE.search(text):
                self.mojibake_seen = True
            append(text)
            yield text
        self.at_end = True

    def _decode(self, lines: Iterable[bytes]) -> Iterator[str]:
        # UTF-8 first, line by line: a line that is not UTF-8 is Windows-1252, the usual reason
        # (a row pasted from an old Excel) and the only one that decodes every byte.
        append = self.lines.append
        utf8_beyond_ascii = self.utf8_beyond_ascii
        mojibake_seen = False
        for number, line in enumerate(lines, 1):
            try:
                text = line.decode("utf-8")
                if not utf8_beyond_ascii and not line.isascii():
                    utf8_beyond_ascii = self.utf8_beyond_ascii = True
            except UnicodeDecodeError:
                text = codecs.charmap_decode(line, "strict", WINDOWS_1252)[0]
                self.windows_1252_lines += 1
                self.first_windows_1252_line = self.first_windows_1252_line or number
            if not mojibake_seen and ("Ã" in text or "Â" in text or "â" in text):
                mojibake_seen = self.mojibake_seen = True
            append(text)
            yield text
        self.at_end = True

    def encoding_label(self) -> str:
        if self.windows_1252_lines and not self.utf8_beyond_ascii:
            return ENCODING_LABELS["cp1252"]
        return ENCODING_LABELS[self.encoding]

    def encoding_note(self) -> str | None:
        count = self.windows_1252_lines
        if self.encoding in ("utf-16", "utf-32"):
            return f"read as {self.encoding.upper()} (its byte-order mark says so)"
        if not count:
            return None
        lines = f"{count} line{'s were' if count > 1 else ' was'} not valid UTF-8"
        first = f"(first: line {self.first_windows_1252_line})"
        if self.utf8_beyond_ascii:
            return f"read as UTF-8, except that {lines} and read as Windows-1252 {first}"
        return f"read as Windows-1252: {lines} {first}"


def _sniff_delimiter(line: str) -> str:
    """The delimiter used most often in a header line, outside quotes; a comma if none is."""
    unquoted = re.sub(r'"[^"]*"', "", line)
    counts = [unquoted.count(delimiter) for delimiter in DELIMITERS]
    return DELIMITERS[counts.index(max(counts))] if max(counts) else ","


def _unclosed_quote(lines: list[str], delimiter: str) -> int:
    """Which of a record's lines opens the quote that never closes (0-based)."""
    opened_on = 0
    inside = False
    field_start = True
    for position, line in enumerate(lines):
        index = 0
        while index < len(line):
            char = line[index]
            if inside:
                if char == '"':
                    if line[index + 1 : index + 2] == '"':
                        index += 1  # a doubled quote stands for one quote
                    else:
                        inside = False
            elif char == '"' and field_start:
                inside, opened_on = True, position
            field_start = not inside and char in (delimiter, "\r", "\n")
            index += 1
    return opened_on


class _CsvFile:
    """One pass over a CSV: its encoding, delimiter and header, then its records."""

    def __init__(self, path: Path, handle: BinaryIO):
        self.path = path
        self.text = _CsvText(handle)
        self.notes: list[str] = []
        self.lines_before_reader = 0  # a "sep=" line, read before the csv reader starts
        lines = iter(self.text)
        first = next(lines, None)
        if first is None:
            self.delimiter = ","
            self.header: list[str] = []
            self.reader = csv.reader(())
            return
        first = first.removeprefix("\ufeff")
        self.text.lines[-1] = first
        hint = re.fullmatch(r"sep=(.)\r?\n?", first)
        if hint:
            self.delimiter = hint.group(1)
            self.notes.append(f"line 1 says 'sep={self.delimiter}': used it as the delimiter")
            self.text.lines.clear()
            self.lines_before_reader = 1
            self.reader = csv.reader(lines, delimiter=self.delimiter)
        else:
            self.delimiter = _sniff_delimiter(first)
            self.reader = csv.reader(itertools.chain([first], lines), delimiter=self.delimiter)
        if self.delimiter != ",":
            name = DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))
            self.notes.append(f"columns are separated by {name}s ({self.delimiter!r})")
        header: list[str] = []
        try:
            header = next(self.reader, [])
            while not header and not self.text.at_end:  # empty lines before the header
                self.text.lines.clear()
                header = next(self.reader, [])
        except csv.Error as exc:
            raise SourceError(f"{path}: the header cannot be read: {exc}") from exc
        if self.text.at_end and header:
            raise SourceError(
                f"{path}: a quote in the header ({self.where()[0]}) is never closed, so the file "
                "cannot be read. Close or remove the quote."
            )
        self.header = header
        self.text.lines.clear()

    def where(self) -> tuple[str, int, int]:
        """``"line N"`` or ``"lines N–M"`` for the record just read, and N and M."""
        end = self.reader.line_num + self.lines_before_reader
        start = end - len(self.text.lines) + 1
        return (f"line {start}" if start == end else f"lines {start}–{end}"), start, end

    def records(self, log: ReadLog) -> Iterator[tuple[int, list[str]]]:
        """``(row_number, fields)`` of the good rows; rejected rows go to the log."""
        reader, text, lines = self.reader, self.text, self.text.lines
        width = len(self.header)
        number = 0
        while True:
            try:
                for fields in reader:
                    if len(fields) == width and not text.at_end:
                        lines.clear()
                        number += 1
                        log.rows_read = number
                        yield number - 1, fields
                        continue
                    if text.at_end:
                        number = self._reject_unclosed(number, log)
                    elif fields:
                        log.rejected.append((number, self._wrong_width(len(fields)), self._raw()))
                        number += 1
                    # else: an empty line is no row
                    lines.clear()
                    log.rows_read = number
                return
            except csv.Error as exc:  # e.g. a field beyond csv.field_size_limit()
                log.rejected.append((number, f"{self.where()[0]}: {exc}", self._raw()))
                lines.clear()
                number += 1
                log.rows_read = number

    def _raw(self) -> str:
        return "".join(self.text.lines).rstrip("\r\n")

    def _wrong_width(self, count: int) -> str:
        where, start, end = self.where()
        width = len(self.header)
        found = f"{count} field{'s' if count != 1 else ''} where the header has {width}"
        if end > start:
            return (
                f"{where}: {found} (the row runs over {end - start + 1} lines inside quotes: "
                "is a quote missing or extra?)"
            )
        if count > width:
            name = DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))
            return f"{where}: {found} (a stray delimiter or an unquoted {name}?)"
        return f"{where}: {found} (a missing delimiter, or a row cut short?)"

    def _reject_unclosed(self, number: int, log: ReadLog) -> int:
        """Reject what an unclosed quote swallowed: the row it opened in, then every line after."""
        lines = self.text.lines
        _, start, end = self.where()
        opened = _unclosed_quote(lines, self.delimiter)
        reason = (
            f"line {start + opened}: a quote opened here is never closed, so lines "
            f"{start + opened}–{end} (to the end of the file) could not be read as rows"
        )
        swallowed = ["".join(lines[: opened + 1])]
        swallowed += [line for line in lines[opened + 1 :] if line.strip("\r\n")]
        for raw in swallowed:
            log.rejected.append((number, reason, raw.rstrip("\r\n")))
            number += 1
        return number


def _read_csv(path: Path, chunk_rows: int) -> tuple[Iterator[pd.DataFrame], ReadLog]:
    with path.open("rb") as handle:
        probe = _CsvFile(path, handle)
        log = ReadLog(file=path, encoding=ENCODING_LABELS[probe.text.encoding])
        columns = _check_header(path, probe.header, log)
    log.notes[:0] = probe.notes
    if not probe.header:
        log.notes.append("the file is empty")
    return _csv_chunks(path, columns, chunk_rows, log), log


def _csv_chunks(
    path: Path, columns: list[str], chunk_rows: int, log: ReadLog
) -> Iterator[pd.DataFrame]:
    with path.open("rb") as handle:
        source = _CsvFile(path, handle)
        for frame in _chunked(source.records(log), columns, chunk_rows):
            # Once a line has shown a telltale character, this chunk and every later one is
            # checked; a file without any is not searched cell by cell at all.
            yield _repair_mojibake(frame, log) if source.text.mojibake_seen else frame
        log.encoding = source.text.encoding_label()
        note = source.text.encoding_note()
        if note:
            log.notes.append(note)


# --- xlsx ---------------------------------------------------------------------------------------


def _float_text(value: float) -> str:
    if value.is_integer() and abs(value) < EXCEL_INTEGER_LIMIT:
        return str(int(value))
    return f"{value:.15g}"  # Excel's precision, so 0.1 + 0.2 reads 0.3, as Excel shows it


def _datetime_text(value: dt.datetime) -> str:
    if not (value.hour or value.minute or value.second or value.microsecond):
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m-%d %H:%M:%S")


EXCEL_TEXT = {
    float: _float_text,
    dt.datetime: _datetime_text,
    dt.date: dt.date.isoformat,
    dt.time: lambda value: value.isoformat(timespec="seconds"),
    bool: lambda value: "true" if value else "false",
    type(None): lambda value: "",
}


def _excel_text(value: Any) -> str:
    """A cell value as the text an analyst would type: ``5`` not ``5.0``, ISO dates.

    Integral floats lose their ``.0``; other floats keep Excel's 15 significant digits; a date
    or a datetime at midnight is ``YYYY-MM-DD``, another datetime ``YYYY-MM-DD HH:MM:SS``;
    booleans are ``true``/``false``; None is ``''``; text is left as it is (``########`` too: the
    date parser downstream quarantines it).
    """
    if value.__class__ is str:
        return value
    convert = EXCEL_TEXT.get(value.__class__)
    return convert(value) if convert is not None else str(value)


def _open_sheet(path: Path, sheet: str | None) -> tuple[Any, Any]:
    """The workbook (close it after use) and the worksheet to read."""
    from openpyxl import load_workbook  # only when a workbook is read
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, ParseError, KeyError, OSError) as exc:
        raise SourceError(f"{path}: cannot be opened as an Excel workbook: {exc}") from exc
    names = workbook.sheetnames
    if sheet is not None and sheet not in names:
        workbook.close()
        raise SourceError(
            f"{path}: has no sheet named '{sheet}'. Its sheets are: "
            f"{', '.join(repr(n) for n in names)}."
        )
    return workbook, workbook[sheet if sheet is not None else names[0]]


def _sheet_rows(worksheet: Any) -> Iterator[tuple[int, list[str]]]:
    """``(sheet_row, cells as text)`` of the rows that hold anything, from row 1."""
    for sheet_row, values in enumerate(worksheet.iter_rows(values_only=True), 1):
        cells = [v if v.__class__ is str else _excel_text(v) for v in values]
        if any(cells):
            yield sheet_row, cells


def _read_xlsx(
    path: Path, sheet: str | None, chunk_rows: int
) -> tuple[Iterator[pd.DataFrame], ReadLog]:
    log = ReadLog(file=path, encoding=EXCEL_ENCODING)
    workbook, worksheet = _open_sheet(path, sheet)
    rows = _sheet_rows(worksheet)
    try:
        names = workbook.sheetnames
        header_row, header = next(rows, (0, []))
    finally:
        rows.close()
        workbook.close()
    while header and header[-1] == "":
        header.pop()
    columns = _check_header(path, header, log)
    if sheet is None and len(names) > 1:
        log.notes.append(
            f"read the first of {len(names)} sheets, '{names[0]}' (the others: "
            f"{', '.join(repr(n) for n in names[1:])})"
        )
    if not header:
        log.notes.append(f"sheet '{worksheet.title}' is empty")
    return _xlsx_chunks(path, sheet, header_row, columns, chunk_rows, log), log


def _xlsx_chunks(
    path: Path,
    sheet: str | None,
    header_row: int,
    columns: list[str],
    chunk_rows: int,
    log: ReadLog,
) -> Iterator[pd.DataFrame]:
    workbook, worksheet = _open_sheet(path, sheet)
    try:
        for frame in _chunked(
            _xlsx_records(worksheet, header_row, columns, log), columns, chunk_rows
        ):
            yield _repair_mojibake(frame, log)
    finally:
        workbook.close()


def _xlsx_records(
    worksheet: Any, header_row: int, columns: list[str], log: ReadLog
) -> Iterator[tuple[int, list[str]]]:
    # Fully empty rows are skipped anywhere, like empty lines in a CSV: Excel keeps formatted
    # but empty rows in a sheet's range, and they are not rows of data.
    width = len(columns)
    number = 0
    for sheet_row, cells in _sheet_rows(worksheet):
        if sheet_row <= header_row:
            continue
        if len(cells) > width:
            beyond = [position for position, v in enumerate(cells[width:], width + 1) if v]
            if beyond:
                log.rejected.append(
                    (
                        number,
                        f"sheet row {sheet_row}: a value in column {beyond[0]}, beyond the last "
                        f"column with a header (column {width})",
                        "\t".join(cells),
                    )
                )
                number += 1
                log.rows_read = number
                continue
            del cells[width:]
        elif len(cells) < width:
            cells.extend([""] * (width - len(cells)))
        yield number, cells
        number += 1
        log.rows_read = number


# --- Parquet ------------------------------------------------------------------------------------


def _arrow_text(array: pa.Array) -> pd.Series:
    """A pyarrow column as text, by the same rules as xlsx cells; nulls as ''."""
    kind = array.type
    if pa.types.is_dictionary(kind):
        array = array.dictionary_decode()
        kind = array.type
    if pa.types.is_floating(kind) or pa.types.is_timestamp(kind):
        values = array.to_pandas().reset_index(drop=True)
        if pa.types.is_timestamp(kind):
            midnight = values == values.dt.normalize()
            text = values.dt.strftime("%Y-%m-%d %H:%M:%S").where(
                ~midnight, values.dt.strftime("%Y-%m-%d")
            )
        else:
            text = pd.Series([_excel_text(v) for v in values.tolist()], dtype=object)
            text[values.isna()] = None
        return text.fillna("").astype(str)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = array
    elif (
        pa.types.is_integer(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_date(kind)
        or pa.types.is_time(kind)
    ):
        text = pc.cast(array, pa.string())
    else:
        text = pa.array([None if v is None else str(v) for v in array.to_pylist()], pa.string())
    return pc.fill_null(text, "").to_pandas().astype(str)


def _read_parquet(path: Path, chunk_rows: int) -> tuple[Iterator[pd.DataFrame], ReadLog]:
    log = ReadLog(file=path, encoding=PARQUET_ENCODING)
    try:
        with pq.ParquetFile(path) as parquet:
            names = parquet.schema_arrow.names
    except (pa.ArrowException, OSError) as exc:
        raise SourceError(f"{path}: cannot be read as Parquet: {exc}") from exc
    columns = _check_header(path, list(names), log)
    return _parquet_chunks(path, columns, chunk_rows, log), log


def _parquet_chunks(
    path: Path, columns: list[str], chunk_rows: int, log: ReadLog
) -> Iterator[pd.DataFrame]:
    start = 0
    with pq.ParquetFile(path) as parquet:
        for batch in parquet.iter_batches(batch_size=chunk_rows):
            index = pd.RangeIndex(start, start + batch.num_rows)
            frame = pd.DataFrame(
                {
                    name: _arrow_text(batch.column(i)).set_axis(index)
                    for i, name in enumerate(columns)
                },
                index=index,
            )
            start += batch.num_rows
            log.rows_read = start
            yield _repair_mojibake(frame, log)
    if start == 0:
        yield _frame([], [], columns)
