"""The bytes behind AppTest's download buttons, exactly as a reader's click gets them.

AppTest's media store lives only for one run, so what Streamlit stores is recorded as it is
stored: the bytes of a button given its data, and the function of a button that makes its data
on click (called here, as the click would).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager


def record_downloads(monkeypatch: pytest.MonkeyPatch) -> Callable[[object], bytes]:
    """From now on, record every download; return ``content(button) -> bytes``."""
    stored: dict[str, bytes] = {}
    made: dict[str, Callable[[], bytes]] = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def recording_add(self, path_or_data, mimetype, coordinates, *args, **kwargs):
        url = add(self, path_or_data, mimetype, coordinates, *args, **kwargs)
        if isinstance(path_or_data, bytes):
            stored[url] = path_or_data
        return url

    def recording_add_deferred(self, callable_, *args, **kwargs):
        file_id = add_deferred(self, callable_, *args, **kwargs)
        made[file_id] = callable_
        return file_id

    monkeypatch.setattr(MediaFileManager, "add", recording_add)
    monkeypatch.setattr(MediaFileManager, "add_deferred", recording_add_deferred)

    def content(button) -> bytes:
        proto = button.proto
        data = made[proto.deferred_file_id]() if proto.deferred_file_id else stored[proto.url]
        return data.encode("utf-8") if isinstance(data, str) else data

    return content


TABLE_KINDS = ("download_", "excel_")  # the key prefixes of a table's CSV and Excel buttons


def download_table(button, content: Callable[[object], bytes]):
    """A table's download (CSV or Excel) read back as a frame of text cells, as a spreadsheet
    shows them; None for a chart's image download (not made: nothing is drawn)."""
    import io

    import pandas as pd

    key = button.key or ""
    if not key.startswith(TABLE_KINDS):
        return None
    data = content(button)
    if key.startswith("download_"):
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"], "a formula"
    rows = [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    return pd.DataFrame(rows[1:], columns=rows[0])
