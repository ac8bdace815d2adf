"""One date column of an export, read row by row, where the column may mix date formats.

Survey tools write dates as ``30/09/2021`` in one block of rows and ``5/31/2022`` in another;
``03/04/2022`` could then be either. :class:`DateColumn` reads a column in two passes over the
file's chunks. Pass 1 (:meth:`DateColumn.observe`) keeps, for every value that can only be
day-first or only month-first, its row number, its format and its context (say the department),
and nothing else. Pass 2 (:meth:`DateColumn.parse`) reads every value; an ambiguous one is read
like the nearest unambiguous rows around it with the same context, else like most of the column,
else it is reported as a problem rather than guessed.

Accepted forms: ``YYYY-MM-DD`` and ``YYYY/MM/DD``; day-first or month-first with ``/``, ``-`` or
``.`` and a 4-digit year; either optionally followed by a time (``T14:02``, `` 2:02 PM``,
``14:02:11Z``, ``+01:00``), which is dropped, keeping the date as written; and Excel serial day
numbers. With a ``date_format`` the column is read with that strptime format only.

Work is done once per distinct text value (a date column repeats its values a lot) and taken to
the rows with numpy: a million rows of dates parse in about a quarter of a second, a million
distinct timestamps in about two seconds.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["DAY_FIRST", "MONTH_FIRST", "DateColumn"]

DAY_FIRST, MONTH_FIRST = "day-first", "month-first"
FORMATS = (DAY_FIRST, MONTH_FIRST)  # format codes 0 and 1 index this; -1 means "not known"

# Excel stores a date as days since 1899-12-30 (its 1900 leap-year bug is folded into that
# start). 20000 to 80000 is 1954-10-03 to 2119-01-11: a number in that range is taken as a date.
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX = 20_000, 80_000

_TIME = (
    r"[T ](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d+)?)?"
    r"(?:\s?[AaPp]\.?[Mm]\.?)?(?:\s?(?:Z|[+-]\d{2}(?::?\d{2})?))?"
)
# Run by Arrow (RE2: no back-references, so both separators are captured and compared after).
_PATTERN = (
    r"^(?:(?:"
    r"(?P<year>\d{4})(?P<year_sep>[-/])(?P<month>\d{1,2})(?P<year_sep2>[-/])(?P<day>\d{1,2})"
    r"|(?P<first>\d{1,2})(?P<sep>[-/.])(?P<second>\d{1,2})(?P<sep2>[-/.])"
    r"(?P<year_last>\d{4}|\d{2}))"
    rf"(?P<time>{_TIME})?"
    r"|(?P<serial>\d+(?:\.\d+)?)"
    r")$"
)
_TIME_AT_END = rf"{_TIME}$"
_ARROW_TEXT = pd.ArrowDtype(pa.string())
_TOO_NARROW = re.compile(r"^#+$")

# What one distinct text value is.
BLANK, FIXED, SERIAL, DAY_FIRST_ONLY, MONTH_FIRST_ONLY, SAME, AMBIGUOUS, PROBLEM = range(8)
# How an ambiguous value was settled (keys of the tally, with the format code).
NEIGHBOURS, DOMINANT, UNSETTLED = "neighbours", "dominant", "unsettled"

_ROW_BITS = 40  # a (context, row) search key is context << 40 | row, so rows must be < 2**40
_NAT = np.datetime64("NaT", "D")
_MISSING_CONTEXT = object()  # the context code of rows whose context value is missing
_ACCEPTED = (
    "write YYYY-MM-DD (a time after it is fine), DD/MM/YYYY or MM/DD/YYYY (with /, - or .), "
    "YYYY/MM/DD, or an Excel serial day number"
)


class DateColumn:
    """Reads one date column of one file, chunk by chunk, in two passes.

    Pass 1: ``observe(text, context)`` for every chunk (in file order; ``text.index`` holds the
    row numbers, which increase across chunks). Pass 2: ``parse(text, context)`` for every chunk,
    returning the dates and, per value, why it could not be read.

    Parameters
    ----------
    column
        The column's name in the file, used at the start of every problem and note.
    date_format
        A strptime format such as ``"%d/%m/%Y"``. Every value must then match it (a time after
        it is ignored) and nothing is guessed; without it the forms above are read.

    Examples
    --------
    >>> text = pd.Series(["30/09/2021", "03/04/2022", "2024-03-05T14:02", ""])
    >>> column = DateColumn("Date")
    >>> column.observe(text)
    >>> dates, problems = column.parse(text)
    >>> [str(d) for d in dates]
    ['2021-09-30', '2022-04-03', '2024-03-05', 'None']
    """

    def __init__(self, column: str, date_format: str | None = None):
        self.column = column
        self.date_format = date_format
        self._with_context: bool | None = None  # fixed by the first call
        self._context_name = "context"
        self._context_codes: dict = {}
        self._parsing = False
        # Pass 1 evidence, one entry per chunk until the first parse() joins and sorts it.
        self._chunk_keys: list[np.ndarray] = []
        self._chunk_formats: list[np.ndarray] = []
        self._keys = np.empty(0, np.int64)
        self._formats = np.empty(0, np.int8)
        self._evidence = np.zeros(2, np.int64)  # values that can only be day-/month-first
        self._counts: Counter = Counter()  # what parse() did, for notes()
        self._examples: dict = {}  # the first value for each count, and the date it gave

    def observe(self, text: pd.Series, context: pd.Series | None = None) -> None:
        """Pass 1: note where the values that can only be day-first or month-first are."""
        if self._parsing:
            raise RuntimeError("observe() every chunk before the first parse()")
        rows, contexts = self._rows_and_contexts(text, context)
        if self.date_format is not None:
            return
        codes, uniques = _factorize(text)
        kind = _read_values(uniques, self.column).kind[codes]
        for code, value_kind in enumerate((DAY_FIRST_ONLY, MONTH_FIRST_ONLY)):
            found = kind == value_kind
            n = int(found.sum())
            if not n:
                continue
            self._evidence[code] += n
            self._examples.setdefault(("evidence", code), (uniques.iat[codes[found][0]], None))
        evidence = (kind == DAY_FIRST_ONLY) | (kind == MONTH_FIRST_ONLY)
        self._chunk_keys.append((contexts[evidence] << _ROW_BITS) | rows[evidence])
        self._chunk_formats.append((kind[evidence] == MONTH_FIRST_ONLY).astype(np.int8))

    def parse(
        self, text: pd.Series, context: pd.Series | None = None
    ) -> tuple[pd.Series, pd.Series]:
        """Pass 2: read one chunk.

        Returns
        -------
        (dates, problems)
            ``dates`` is an object Series of ``datetime.date`` or None (blank or bad);
            ``problems`` is an object Series of a reason string (e.g. "Date: '31/02/2024' is
            not a real date") or None, with ``text``'s index. Blank values give None and no
            problem (the caller decides whether blank is allowed).
        """
        self._start_parsing()
        rows, contexts = self._rows_and_contexts(text, context)
        codes, uniques = _factorize(text)
        if self.date_format is None:
            read = _read_values(uniques, self.column)
        else:
            read = _read_with_format(uniques, self.column, self.date_format)
        row_kind = read.kind[codes]
        row_dates = read.dates[codes]
        row_problems = read.problems[codes]
        self._count(row_kind, read.timed[codes], codes, uniques, read)
        ambiguous = np.flatnonzero(row_kind == AMBIGUOUS)
        if ambiguous.size:
            at = codes[ambiguous]
            chosen = self._settle(rows[ambiguous], contexts[ambiguous], at, uniques, read)
            row_dates[ambiguous] = np.where(chosen == 1, read.month_first[at], read.dates[at])
            unsettled = ambiguous[chosen < 0]
            row_dates[unsettled] = _NAT
            row_problems[unsettled] = _unsettled_problems(
                self.column, uniques, read, codes[unsettled]
            )
        index = text.index
        return (
            pd.Series(row_dates.astype(object), index=index, dtype=object),
            pd.Series(row_problems, index=index, dtype=object),
        )

    def notes(self) -> list[str]:
        """Plain sentences for the import report: how the column was read.

        Every rule used to settle ambiguous values, with counts and one example each; the mix of
        day-first and month-first values; values with equal day and month; Excel serial numbers;
        times that were dropped. Counts cover the chunks parsed so far.
        """
        c, n, ex = self.column, self._counts, self._examples
        out = []
        if self._evidence.all():
            (first, _), (second, _) = ex[("evidence", 0)], ex[("evidence", 1)]
            out.append(
                f"{c}: the column mixes day-first dates ({self._evidence[0]:,}, such as {first}) "
                f"and month-first dates ({self._evidence[1]:,}, such as {second})."
            )
        if n[AMBIGUOUS]:
            out.append(
                f"{c}: {_values(n[AMBIGUOUS])} such as {ex[AMBIGUOUS][0]} could be day-first "
                "or month-first."
            )
        scope = f" with the same {self._context_name}" if self._with_context else ""
        day, month = self._evidence
        for code, name in enumerate(FORMATS):
            if n[(NEIGHBOURS, code)]:
                out.append(
                    f"{c}: {_were(n[(NEIGHBOURS, code)])} read as {name}, like the nearest "
                    f"unambiguous rows around them{scope} ({_example(ex, NEIGHBOURS, code)})."
                )
        for code, name in enumerate(FORMATS):
            if n[(DOMINANT, code)]:
                out.append(
                    f"{c}: {_were(n[(DOMINANT, code)])} read as {name}, the format of most "
                    f"of the column ({day:,} day-first against {month:,} month-first), because "
                    f"the rows around them did not settle it ({_example(ex, DOMINANT, code)})."
                )
        if n[UNSETTLED]:
            out.append(
                f"{c}: {_were(n[UNSETTLED])} not read, because nothing in the file says "
                f"which format they use (such as {ex[UNSETTLED][0]}); they are listed as problems."
            )
        if n[SAME]:
            out.append(
                f"{c}: {_values(n[SAME])} with equal day and month (such as {ex[SAME][0]}) read "
                "the same either way."
            )
        if n[SERIAL]:
            value, read = ex[SERIAL]
            out.append(
                f"{c}: {_values(n[SERIAL])} read as Excel serial day numbers, counted from 30 "
                f"December 1899 (such as {value}, read as {_spoken(read)})."
            )
        if n["time"]:
            out.append(
                f"{c}: {_values(n['time'])} with a time of day (such as {ex['time'][0]}): the time "
                "was dropped, keeping the date as written."
            )
        return out

    def _rows_and_contexts(
        self, text: pd.Series, context: pd.Series | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Row numbers and context codes (int64) of one chunk, checking both."""
        if self._with_context is None:
            self._with_context = context is not None
        if self._with_context != (context is not None):
            raise ValueError(
                f"{self.column}: give a context to every observe() and parse() or none"
            )
        if not pd.api.types.is_integer_dtype(text.index):
            raise TypeError(f"{self.column}: the index of the text must hold row numbers")
        rows = text.index.to_numpy(np.int64)
        if rows.size and (rows.min() < 0 or rows.max() >= 2**_ROW_BITS):
            raise ValueError(f"{self.column}: row numbers must be between 0 and 2**40")
        if context is None:
            return rows, np.zeros(rows.size, np.int64)
        if len(context) != len(text):
            raise ValueError(f"{self.column}: the context must have one value per row")
        if isinstance(context.name, str):
            self._context_name = context.name
        codes, uniques = pd.factorize(context)  # a missing value gets code -1 ...
        known = self._context_codes
        lookup = [known.setdefault(value, len(known)) for value in uniques]
        lookup.append(known.setdefault(_MISSING_CONTEXT, len(known)))  # ... which indexes this
        return rows, np.asarray(lookup, np.int64)[codes]

    def _start_parsing(self) -> None:
        """Join pass 1's evidence into one array of (context, row) keys, sorted."""
        if self._parsing:
            return
        self._parsing = True
        if self._chunk_keys:
            keys = np.concatenate(self._chunk_keys)
            formats = np.concatenate(self._chunk_formats)
            order = np.argsort(keys, kind="stable")
            self._keys, self._formats = keys[order], formats[order]
        self._chunk_keys, self._chunk_formats = [], []

    def _settle(self, rows, contexts, codes, uniques, read: _Readings) -> np.ndarray:
        """The format code (0, 1, or -1 when unsettled) of ambiguous rows, counting each rule."""
        chosen = _nearest_format(self._keys, self._formats, rows, contexts)
        by_neighbours = chosen >= 0
        day, month = self._evidence
        dominant = 0 if day > month else 1 if month > day else -1
        chosen[~by_neighbours] = dominant
        readings = (read.dates, read.month_first)
        self._tally((NEIGHBOURS, 0), by_neighbours & (chosen == 0), codes, uniques, read.dates)
        self._tally(
            (NEIGHBOURS, 1), by_neighbours & (chosen == 1), codes, uniques, read.month_first
        )
        if dominant >= 0:
            self._tally((DOMINANT, dominant), ~by_neighbours, codes, uniques, readings[dominant])
        self._tally(UNSETTLED, chosen < 0, codes, uniques)
        return chosen

    def _count(self, kind, timed, codes, uniques, read: _Readings) -> None:
        """Tally the kinds of one parsed chunk for notes()."""
        for value_kind in (AMBIGUOUS, SAME, SERIAL):
            self._tally(value_kind, kind == value_kind, codes, uniques, read.dates)
        self._tally("time", timed, codes, uniques)

    def _tally(self, key, rows, codes, uniques, dates=None) -> None:
        """Count the ``rows`` (a mask) under ``key``; keep the first one's value and date."""
        found = np.flatnonzero(rows)
        if not found.size:
            return
        self._counts[key] += found.size
        if key not in self._examples:
            first = codes[found[0]]
            self._examples[key] = (uniques.iat[first], None if dates is None else dates[first])


class _Readings(NamedTuple):
    """What each distinct value of a chunk can mean; arrays aligned with the distinct values."""

    kind: np.ndarray  # int8: BLANK, FIXED, ... PROBLEM
    dates: np.ndarray  # datetime64[D]: the date, or the day-first reading of an ambiguous value
    month_first: np.ndarray  # datetime64[D]: the month-first reading of an ambiguous value
    problems: np.ndarray  # object: the reason a value cannot be read, or None
    timed: np.ndarray  # bool: the value ends with a time of day


def _factorize(text: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(code per row, the distinct values as Arrow strings); missing text counts as blank."""
    codes, uniques = pd.factorize(text.fillna("").astype(str))
    return codes, pd.Series(uniques, dtype=_ARROW_TEXT)


def _read_values(values: pd.Series, column: str) -> _Readings:
    """What each distinct value can mean, without a format."""
    parts = values.str.extract(_PATTERN).fillna("")  # Arrow's RE2: ~1 s per million values
    size = len(values)
    kind = np.full(size, PROBLEM, np.int8)
    dates = np.full(size, _NAT)
    month_first = np.full(size, _NAT)
    bad = np.zeros(size, bool)

    year_first = _present(parts["year"]) & _same(parts["year_sep"], parts["year_sep2"])
    read = _calendar_dates(_ints(parts["year"]), _ints(parts["month"]), _ints(parts["day"]))
    kind[year_first] = FIXED
    dates[year_first] = read[year_first]
    bad |= year_first & np.isnat(read)

    year_digits = parts["year_last"].str.len().to_numpy(np.int64)
    same_sep = _same(parts["sep"], parts["sep2"])
    short_year = same_sep & (year_digits == 2)
    either = same_sep & (year_digits == 4)
    first, second, year = _ints(parts["first"]), _ints(parts["second"]), _ints(parts["year_last"])
    day_first = _calendar_dates(year, second, first)
    month_first_read = _calendar_dates(year, first, second)
    day_ok, month_ok = ~np.isnat(day_first), ~np.isnat(month_first_read)
    kind[either & day_ok & ~month_ok] = DAY_FIRST_ONLY
    kind[either & month_ok & ~day_ok] = MONTH_FIRST_ONLY
    kind[either & day_ok & month_ok & (first == second)] = SAME
    kind[either & day_ok & month_ok & (first != second)] = AMBIGUOUS
    dates[either] = np.where(day_ok, day_first, month_first_read)[either]
    month_first[either] = month_first_read[either]
    bad |= either & ~day_ok & ~month_ok

    serial = parts["serial"].where(parts["serial"] != "", "nan").astype("float64[pyarrow]")
    serial = serial.to_numpy(float)
    is_serial = (serial >= EXCEL_SERIAL_MIN) & (serial <= EXCEL_SERIAL_MAX)
    kind[is_serial] = SERIAL
    dates[is_serial] = EXCEL_EPOCH + np.floor(serial[is_serial]).astype(np.int64)

    kind[(values == "").to_numpy(bool)] = BLANK
    kind[bad | short_year] = PROBLEM
    problems = np.full(size, None, dtype=object)
    problems[bad] = [f"{column}: '{v}' is not a real date" for v in values[bad]]
    problems[short_year] = [
        f"{column}: '{v}' has a 2-digit year; write the year with 4 digits"
        for v in values[short_year]
    ]
    unread = (kind == PROBLEM) & ~bad & ~short_year
    problems[unread] = [_unreadable(column, v) for v in values[unread]]
    timed = _present(parts["time"]) & (kind != PROBLEM)
    return _Readings(kind, dates, month_first, problems, timed)


def _read_with_format(values: pd.Series, column: str, date_format: str) -> _Readings:
    """Like :func:`_read_values`, with one strptime format and no guessing.

    A value that does not match but does once a time at its end is dropped is read as that date.
    """
    parsed = _to_dates(values, date_format)
    timed = values.str.contains(_TIME_AT_END).to_numpy(bool)
    retry = np.isnat(parsed) & timed
    if retry.any():
        parsed[retry] = _to_dates(
            values[retry].str.replace(_TIME_AT_END, "", regex=True), date_format
        )
    blank = (values == "").to_numpy(bool)
    kind = np.where(blank, BLANK, np.where(np.isnat(parsed), PROBLEM, FIXED)).astype(np.int8)
    problems = np.full(len(values), None, dtype=object)
    bad = kind == PROBLEM
    problems[bad] = [
        _too_narrow(column, v)
        if _TOO_NARROW.match(v)
        else f"{column}: '{v}' is not a date written as {date_format} (the date format set for "
        "this column)"
        for v in values[bad]
    ]
    return _Readings(kind, parsed, np.full(len(values), _NAT), problems, timed & ~bad)


def _to_dates(text: pd.Series, date_format: str) -> np.ndarray:
    """datetime64[D] of each value read with ``date_format`` (NaT when it does not match)."""
    try:
        parsed = pd.to_datetime(text, format=date_format, errors="coerce")
    except ValueError:  # pandas refuses UTC offsets that differ: read each value as written
        return np.array([_one_date(value, date_format) for value in text], "datetime64[D]")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)  # keep the date as written, not converted
    return parsed.to_numpy().astype("datetime64[D]")


def _one_date(value: str, date_format: str) -> np.datetime64:
    """The date written in one value (a time and UTC offset after it are not applied)."""
    try:
        if date_format == "ISO8601":  # pandas' name for any ISO 8601 form
            return np.datetime64(datetime.fromisoformat(value).date(), "D")
        return np.datetime64(datetime.strptime(value, date_format).date(), "D")
    except ValueError:
        return _NAT


def _nearest_format(keys, formats, rows, contexts) -> np.ndarray:
    """Format code of the nearer of the previous and next evidence row with the same context.

    When both exist and agree, or only one exists, that format; when they disagree, the nearer
    one's; -1 when there is none or they disagree at equal distance.
    """
    chosen = np.full(rows.size, -1, np.int8)
    if not keys.size:
        return chosen
    query = (contexts << _ROW_BITS) | rows
    after = np.searchsorted(keys, query)
    before = np.maximum(after - 1, 0)
    after_clipped = np.minimum(after, keys.size - 1)
    has_before = (after > 0) & ((keys[before] >> _ROW_BITS) == contexts)
    has_after = (after < keys.size) & ((keys[after_clipped] >> _ROW_BITS) == contexts)
    row_mask = (1 << _ROW_BITS) - 1
    gap_before = rows - (keys[before] & row_mask)
    gap_after = (keys[after_clipped] & row_mask) - rows
    format_before, format_after = formats[before], formats[after_clipped]
    agree = format_before == format_after
    use_before = has_before & (~has_after | agree | (gap_before < gap_after))
    use_after = has_after & ~use_before & (~has_before | (gap_after < gap_before))
    chosen[use_before] = format_before[use_before]
    chosen[use_after] = format_after[use_after]
    return chosen


def _calendar_dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """datetime64[D] of each (year, month, day), NaT where that day does not exist."""
    real = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    months = np.where(real, (year - 1970) * 12 + month - 1, 0)
    start = months.astype("datetime64[M]").astype("datetime64[D]")
    days_in_month = ((months + 1).astype("datetime64[M]").astype("datetime64[D]") - start).astype(
        np.int64
    )
    real &= day <= days_in_month
    return np.where(real, start + np.where(real, day - 1, 0), _NAT)


def _ints(part: pd.Series) -> np.ndarray:
    """Digits captured by the pattern as int64 (0 where the group did not match)."""
    return part.where(part != "", "0").astype("int64[pyarrow]").to_numpy(np.int64)


def _present(part: pd.Series) -> np.ndarray:
    return (part != "").to_numpy(bool)


def _same(separator: pd.Series, again: pd.Series) -> np.ndarray:
    """Both separators of a date were captured and are the same character."""
    return _present(separator) & (separator == again).to_numpy(bool)


def _unreadable(column: str, value: str) -> str:
    if _TOO_NARROW.match(value):
        return _too_narrow(column, value)
    return f"{column}: '{value}' is not a date ptx can read; {_ACCEPTED}"


def _too_narrow(column: str, value: str) -> str:
    return (
        f"{column}: '{value}' is Excel's sign of a column too narrow to show the date; widen the "
        "column and save the export again"
    )


def _unsettled_problems(column, uniques, read: _Readings, codes) -> np.ndarray:
    """The problem of each ambiguous value left unread (built once per distinct value)."""
    distinct, where = np.unique(codes, return_inverse=True)
    messages = [
        f"{column}: '{uniques.iat[i]}' could be {_day_month(read.dates[i])} or "
        f"{_day_month(read.month_first[i])} and nothing in the file says which; write dates as "
        "YYYY-MM-DD or set date_format"
        for i in distinct
    ]
    return np.asarray(messages, dtype=object)[where]


def _day_month(day: np.datetime64) -> str:
    value: date = day.astype(object)
    return f"{value.day} {value:%B}"


def _spoken(day: np.datetime64) -> str:
    value: date = day.astype(object)
    return f"{value.day} {value:%B %Y}"


def _example(examples: dict, rule: str, code: int) -> str:
    value, read = examples[(rule, code)]
    return f"such as {value}, read as {_spoken(read)}"


def _values(n: int) -> str:
    return "1 value" if n == 1 else f"{n:,} values"


def _were(n: int) -> str:
    return "1 was" if n == 1 else f"{n:,} were"
