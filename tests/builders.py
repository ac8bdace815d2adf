"""Tiny inline sources for unit tests: a handful of rows whose numbers can be checked by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ptx.store import Writer

DEPARTMENTS = pd.DataFrame(
    {
        "department_id": ["A1", "A2", "B1"],
        "department_name": ["Ward A1", "Ward A2", "Clinic B1"],
        "division": ["Medicine", "Medicine", "Surgery"],
        "site": ["North", "North", "South"],
    }
)


def feedback_rows(rows: list[tuple]) -> pd.DataFrame:
    """(id, date, department, channel, rating, scale) tuples -> a feedback frame."""
    return pd.DataFrame(
        rows,
        columns=[
            "feedback_id",
            "received_date",
            "department_id",
            "channel",
            "rating",
            "rating_scale",
        ],
    ).assign(received_date=lambda f: pd.to_datetime(f["received_date"]).dt.date)


def complaint_rows(rows: list[tuple]) -> pd.DataFrame:
    """(id, department, received, acknowledged, resolved, outcome) tuples -> complaints."""
    frame = pd.DataFrame(
        rows,
        columns=[
            "complaint_id",
            "department_id",
            "received_date",
            "acknowledged_date",
            "resolved_date",
            "outcome",
        ],
    )
    for col in ("received_date", "acknowledged_date", "resolved_date"):
        frame[col] = pd.to_datetime(frame[col]).dt.date
        frame[col] = frame[col].where(frame[col].notna(), None)
    return frame.assign(subject="Communications", severity="low", reopened=False)


ACTIVITY = pd.DataFrame(
    {
        "department_id": ["A1", "A2", "B1"],
        "month": pd.to_datetime(["2025-01-01"] * 3).date,
        "episodes": [1000, 500, 250],
    }
)

FEEDBACK = feedback_rows(
    [
        ("f1", "2025-01-02", "A1", "FFT card", 1, "fft5"),
        ("f2", "2025-01-03", "A1", "FFT card", 2, "fft5"),
        ("f3", "2025-01-03", "A1", "FFT SMS", 4, "fft5"),
        ("f4", "2025-01-10", "A2", "FFT SMS", 6, "fft5"),
        ("f5", "2025-01-11", "B1", "Online survey", 10, "ltr11"),
        ("f6", "2025-01-12", "B1", "Online survey", 3, "ltr11"),
        ("f7", "2025-01-13", "B1", "Suggestion box", None, None),
    ]
)
COMPLAINTS = complaint_rows(
    [
        ("c1", "A1", "2025-01-06", "2025-01-07", "2025-01-20", "upheld"),
        ("c2", "A2", "2025-01-08", "2025-01-09", None, None),
        ("c3", "B1", "2025-01-09", None, None, None),
    ]
)


def write_source(
    target: Path | str, *, fmt: str | None = None, without: tuple[str, ...] = (), **tables
) -> str:
    """Write the tiny source (overriding any table by keyword, leaving out the tables named in
    ``without``) and return its location."""
    frames = {
        "departments": DEPARTMENTS,
        "feedback": FEEDBACK,
        "complaints": COMPLAINTS,
        "activity": ACTIVITY,
    } | tables
    frames = {name: frame for name, frame in frames.items() if name not in without}
    writer = Writer(target, tuple(frames), fmt=fmt)
    for name, frame in frames.items():
        if len(frame):  # an empty table is created by the writer; nothing to append
            writer.append(name, frame)
    writer.close()
    return str(target)
