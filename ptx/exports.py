"""Tables as Excel workbooks and figures as PNG or SVG images, for downloads and the board pack.

Every export goes through the same neutralisation as the CSV downloads
(:func:`ptx.safety.neutralise_formulas`): a text cell a spreadsheet would read as a formula is
prefixed with ``'``. The tables given are the results' export tables (``result.table(export=
True)``), so the small-number rule is already applied; a figure is drawn from the suppressed
numbers, so its image shows nothing the rule hides.

Images are drawn by kaleido in the system's Chromium (``/usr/bin/chromium`` on Debian). The
first image starts one Chromium kept for the process (about 3 s); later ones take a fraction of
a second.

>>> import ptx
>>> ptx.excel_bytes({"Ranking": ranking.table(export=True)})          # doctest: +SKIP
>>> ptx.figure_image(trend.figure(), "svg")                           # doctest: +SKIP
"""

from __future__ import annotations

import html
import io
import re
import threading
from datetime import date, datetime

import pandas as pd

from ptx.disclosure import NOT_AVAILABLE, SUPPRESSED
from ptx.errors import PtxError
from ptx.safety import is_number_text, neutralise_formulas

IMAGE_FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMAGE_WIDTH, IMAGE_HEIGHT = 1200, 600  # pixels, when the figure sets no size of its own
PNG_SCALE = 2  # sharp on a slide or a high-density screen

# Excel's limits on a sheet name: 31 characters, none of []:*?/\ .
SHEET_NAME_LENGTH = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Characters an .xlsx file cannot hold (XML 1.0 control characters): openpyxl refuses them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LEADING_ZERO = re.compile(r"^[+-]?0\d")  # an identifier such as 00123: kept as text
NOT_A_NUMBER = (SUPPRESSED, NOT_AVAILABLE, "")  # what a number column shows where it has none


def _sheet_names(names) -> list[str]:
    """Excel-safe, unique sheet names, in order."""
    out: list[str] = []
    for name in names:
        base = _SHEET_FORBIDDEN.sub(" ", str(name)).strip().strip("'") or "Table"
        candidate, n = base[:SHEET_NAME_LENGTH], 1
        while candidate.lower() in {o.lower() for o in out}:
            n += 1
            suffix = f" ({n})"
            candidate = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        out.append(candidate)
    return out


def _as_number(text: str) -> float | int:
    value = float(text.replace(",", ""))
    return (
        int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
    )


def _numbers_as_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns that hold only numbers (and blanks or suppression marks) as numbers, so a
    spreadsheet can sum and sort them; an identifier with a leading zero stays text."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype != object and not isinstance(out[col].dtype, pd.StringDtype):
            continue
        cells = [c for c in out[col] if isinstance(c, str) and c not in NOT_A_NUMBER]
        numeric = all(is_number_text(c) and not _LEADING_ZERO.match(c) for c in cells)
        if cells and numeric:
            out[col] = (
                out[col]
                .map(lambda c: (None if c == "" else c) if c in NOT_A_NUMBER else _as_number(c))
                .astype(object)
            )
    return out


def _cell(value: object) -> object:
    if isinstance(value, str):
        return _ILLEGAL_XML.sub("\ufffd", value)
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    return value


def excel_bytes(frames: dict[str, pd.DataFrame]) -> bytes:
    """Tables as one Excel workbook (.xlsx), a sheet each, named by the keys.

    Text a spreadsheet would read as a formula is prefixed with ``'`` (the CSV exports'
    neutralisation); no cell is ever written as a formula. Columns holding only numbers are
    written as numbers; headings are bold and the first row stays in view.

    >>> data = excel_bytes({"Ranking": pd.DataFrame({"Department": ["=1+1"], "n": ["12"]})})
    >>> data[:2]
    b'PK'
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    if not frames:
        raise PtxError("Nothing to export: give at least one table.")
    book = Workbook()
    book.remove(book.active)
    for name, frame in zip(_sheet_names(frames), frames.values(), strict=True):
        sheet = book.create_sheet(name)
        safe = _numbers_as_numbers(neutralise_formulas(frame))
        sheet.append([_cell(c) for c in safe.columns])
        for row in safe.itertuples(index=False):
            sheet.append([_cell(c) for c in row])
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.data_type == "f":  # openpyxl reads "=..." as a formula: never one
                    cell.data_type = "s"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for col in sheet.columns:
            width = max(len(str(c.value)) if c.value is not None else 0 for c in col)
            sheet.column_dimensions[col[0].column_letter].width = min(max(width + 2, 8), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value: object) -> str:
    """A cell as HTML text: blank where there is no value, dates as YYYY-MM-DD, escaped."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, datetime | date):
        value = f"{value:%Y-%m-%d}"
    return html.escape(str(value), quote=True)


def table_html(frame: pd.DataFrame, caption: str = "", *, css: str = "ptx-table") -> str:
    """Every row of a table as a static HTML ``<table>`` (for print and the board pack), each
    heading and cell HTML-escaped; ``caption`` is escaped too."""
    head = "".join(f"<th>{_text(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_text(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    title = f"<caption>{_text(caption)}</caption>" if caption else ""
    return (
        f'<table class="{css}">{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


_SERVER_LOCK = threading.Lock()
_server_started = False


def _start_image_server() -> None:
    """One Chromium for the process's images, started on the first (kaleido's sync server)."""
    global _server_started
    with _SERVER_LOCK:
        if not _server_started:
            import kaleido

            kaleido.start_sync_server(silence_warnings=True)
            _server_started = True


def figure_image(figure, fmt: str = "png", *, width: int | None = None, height: int | None = None):
    """A plotly figure as PNG or SVG bytes, drawn by Chromium on the server.

    Parameters
    ----------
    figure
        A ``plotly.graph_objects.Figure`` (as the results' ``figure()`` return).
    fmt
        ``"png"`` (at twice the layout's pixels) or ``"svg"``.
    width, height
        In layout pixels; default the figure's own size, else 1200 x 600.

    Raises
    ------
    PtxError
        For another format, or when Chromium cannot be found or fails.
    """
    if fmt not in IMAGE_FORMATS:
        raise PtxError(f"Images are {' or '.join(IMAGE_FORMATS)}, not {fmt!r}.")
    import kaleido
    from kaleido.errors import ChromeNotFoundError

    spec = figure.to_dict()
    layout = spec.get("layout", {})
    opts = {
        "format": fmt,
        "width": width or layout.get("width") or IMAGE_WIDTH,
        "height": height or layout.get("height") or IMAGE_HEIGHT,
        "scale": PNG_SCALE if fmt == "png" else 1,
    }
    try:
        _start_image_server()
        data = kaleido.calc_fig_sync(spec, opts=opts)
    except ChromeNotFoundError:
        raise PtxError(
            "Images are drawn by Chromium, which is not installed here (apt-get install "
            "chromium); the chart's own camera button saves a PNG from the browser."
        ) from None
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)
